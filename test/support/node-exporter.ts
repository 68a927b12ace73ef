import type { HostPaths } from '../../agent/host/collector.js';
import { freePort, httpGet, startProcess, waitFor } from './processes.js';

export const NODE_EXPORTER_BIN = process.env.NODE_EXPORTER_BIN ?? 'prometheus-node-exporter';

export interface RunningNodeExporter {
  readonly url: string;
  readonly pid: number;
  stop(): Promise<unknown>;
  /** What it has logged so far (stdout and stderr). */
  output(): string;
}

/**
 * Starts the real node_exporter (Debian package) on a free loopback port with the given flags,
 * waits until it answers, and returns its /metrics URL and a stopper. Readiness is checked by
 * scraping /metrics, unless `firstScrape` asks to leave the first scrape to the caller (then the
 * landing page, which runs no collector, is asked instead).
 */
export async function startNodeExporter(
  args: string[],
  options: { firstScrape?: boolean } = {},
): Promise<RunningNodeExporter> {
  const port = await freePort();
  const proc = startProcess(NODE_EXPORTER_BIN, [`--web.listen-address=127.0.0.1:${port}`, ...args]);
  const url = `http://127.0.0.1:${port}/metrics`;
  const probe = options.firstScrape ? `http://127.0.0.1:${port}/` : url;
  await waitFor(
    `node_exporter on ${probe}\n${proc.output()}`,
    async () => (await httpGet(probe)).status === 200,
  );
  return { url, stop: () => proc.stop(), pid: proc.pid, output: () => proc.output() };
}

/**
 * node_exporter's output over a fixture tree, with only the named collectors enabled. By default
 * this is its second scrape (the readiness check was the first); `firstScrape` returns the first,
 * which is what tells how node_exporter's few stateful collectors (cpu, os) handle a fresh input.
 */
export async function nodeExporterOverFixture(
  paths: HostPaths,
  collectors: string[],
  extraArgs: string[] = [],
  options: { firstScrape?: boolean } = {},
): Promise<string> {
  const ne = await startNodeExporter(
    [
      '--collector.disable-defaults',
      ...collectors.map((c) => `--collector.${c}`),
      `--path.procfs=${paths.procfs}`,
      `--path.sysfs=${paths.sysfs}`,
      `--path.rootfs=${paths.rootfs}`,
      `--path.udev.data=${paths.udevData}`,
      ...extraArgs,
    ],
    options,
  );
  try {
    return (await httpGet(ne.url)).body;
  } finally {
    await ne.stop();
  }
}
