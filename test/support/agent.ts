import path from 'node:path';
import { PACKAGE_ROOT } from '../../common/version.js';
import { freePort, httpGet, type RunningProcess, startProcess, waitFor } from './processes.js';

/** The built executable: `npm test` builds dist/ first (pretest). */
export const QUORUMWATCH_BIN = path.join(PACKAGE_ROOT, 'bin/quorumwatch.js');

/** Runs `quorumwatch <args>` to completion and returns its exit status and output. */
export async function runCli(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | string; output: string }> {
  const proc = startProcess(QUORUMWATCH_BIN, [...args], { env });
  const code = await proc.exited;
  return { code, output: proc.output() };
}

/** Starts a real agent process on a free loopback port and waits for /healthz. */
export async function startAgentProcess(
  args: string[] = [],
  env: NodeJS.ProcessEnv = {},
): Promise<{ url: string; proc: RunningProcess }> {
  const port = await freePort();
  const proc = startProcess(QUORUMWATCH_BIN, ['agent', '--listen', `127.0.0.1:${port}`, ...args], { env });
  const url = `http://127.0.0.1:${port}`;
  await waitFor(`agent on ${url}`, async () => {
    if (proc.child.exitCode !== null) throw new Error(`agent exited early:\n${proc.output()}`);
    return (await httpGet(`${url}/healthz`)).status === 200;
  });
  return { url, proc };
}
