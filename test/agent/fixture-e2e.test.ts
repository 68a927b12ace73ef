import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NODE_EXPORTER_DEFAULTS } from '../../agent/host/settings.js';
import { startAgentProcess } from '../support/agent.js';
import { fixtureHost, hostFamilies } from '../support/host-fixture.js';
import { startNodeExporter } from '../support/node-exporter.js';
import { httpGet, type RunningProcess } from '../support/processes.js';

/**
 * End to end over the base fixture tree: the agent process and node_exporter, both pointed at the
 * same /proc, /sys, root and udev trees with every default area on, must serve the same host
 * families with the same values. Areas that ask the kernel directly rather than reading the trees
 * (clock, adjtimex, uname, statfs, SELinux status, and netdev, which node_exporter reads over
 * rtnetlink) are compared on this host by the parity suite.
 */
const LIVE_SYSCALLS =
  /^node_(time_seconds|time_zone_offset_seconds|timex_|uname_info|filesystem_(avail|free|size|files|files_free)_|selinux_|network_(receive|transmit)_[a-z]+_total$)/;

describe('agent vs node_exporter over the base fixture tree', () => {
  const paths = fixtureHost('base');
  const pathFlags = [
    `--path.procfs=${paths.procfs}`,
    `--path.sysfs=${paths.sysfs}`,
    `--path.rootfs=${paths.rootfs}`,
    `--path.udev.data=${paths.udevData}`,
  ];
  let agent: { url: string; proc: RunningProcess };
  let ne: Awaited<ReturnType<typeof startNodeExporter>>;

  beforeAll(async () => {
    [agent, ne] = await Promise.all([
      startAgentProcess(pathFlags),
      startNodeExporter([
        ...pathFlags,
        `--collector.filesystem.mount-points-exclude=${NODE_EXPORTER_DEFAULTS.filesystemMountPointsExclude}`,
        '--collector.netdev.device-exclude=',
        '--no-collector.systemd',
      ]),
    ]);
  });
  afterAll(async () => {
    await Promise.all([agent?.proc.stop(), ne?.stop()]);
  });

  it('serves the same families, series and values', async () => {
    const ours = hostFamilies((await httpGet(`${agent.url}/metrics`)).body);
    const theirs = hostFamilies((await httpGet(ne.url)).body);
    for (const parsed of [ours, theirs]) {
      for (const name of [...parsed.keys()])
        if (LIVE_SYSCALLS.test(name) || /^(nodejs_|quorumwatch_)/.test(name)) parsed.delete(name);
    }
    expect([...ours.keys()].sort()).toEqual([...theirs.keys()].sort());
    for (const [name, expected] of theirs) {
      expect(ours.get(name)?.type, `type of ${name}`).toBe(expected.type);
      expect(Object.fromEntries(ours.get(name)?.samples ?? []), `samples of ${name}`).toEqual(
        Object.fromEntries(expected.samples),
      );
    }
    expect(theirs.size).toBeGreaterThan(150);
  });
});
