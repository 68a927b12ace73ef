import type { HostPaths } from '../../agent/host/collector.js';
import { freePort, httpGet, startProcess, waitFor } from './processes.js';

export const NODE_EXPORTER_BIN = process.env.NODE_EXPORTER_BIN ?? 'prometheus-node-exporter';

/**
 * Starts the real node_exporter (Debian package) on a free loopback port with the given flags,
 * waits until it answers, and returns its URL and a stopper.
 */
export async function startNodeExporter(args: string[]): Promise<{ url: string; stop: () => Promise<unknown>; pid: number }> {
  const port = await freePort();
  const proc = startProcess(NODE_EXPORTER_BIN, [`--web.listen-address=127.0.0.1:${port}`, ...args]);
  const url = `http://127.0.0.1:${port}/metrics`;
  await waitFor(`node_exporter on ${url}\n${proc.output()}`, async () => (await httpGet(url)).status === 200);
  return { url, stop: () => proc.stop(), pid: proc.pid };
}

/** node_exporter's output over a fixture tree, with only the named collectors enabled. */
export async function nodeExporterOverFixture(paths: HostPaths, collectors: string[], extraArgs: string[] = []): Promise<string> {
  const ne = await startNodeExporter([
    '--collector.disable-defaults',
    ...collectors.map((c) => `--collector.${c}`),
    `--path.procfs=${paths.procfs}`,
    `--path.sysfs=${paths.sysfs}`,
    `--path.rootfs=${paths.rootfs}`,
    `--path.udev.data=${paths.udevData}`,
    ...extraArgs,
  ]);
  try {
    return (await httpGet(ne.url)).body;
  } finally {
    await ne.stop();
  }
}
