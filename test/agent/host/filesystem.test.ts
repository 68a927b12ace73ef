import type { BigIntStatsFs, StatsFs } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { HostCollectorSettings, HostPaths } from '../../../agent/host/collector.js';
import { createFilesystemCollector, filesystemCollector } from '../../../agent/host/filesystem.js';
import { DEFAULT_SETTINGS, NODE_EXPORTER_DEFAULTS } from '../../../agent/host/settings.js';
import { type Parsed, parseText } from '../../support/exposition.js';
import {
  collectText,
  contextFor,
  type Drift,
  expectFailsLikeNodeExporter,
  expectSameAsNodeExporter,
  fixtureHost,
} from '../../support/host-fixture.js';

/** Debian's binary also excludes /run, /mnt and /media; ours follows upstream 1.5, so pass upstream's. */
const UPSTREAM_EXCLUDES = [
  `--collector.filesystem.mount-points-exclude=${NODE_EXPORTER_DEFAULTS.filesystemMountPointsExclude}`,
  `--collector.filesystem.fs-types-exclude=${NODE_EXPORTER_DEFAULTS.filesystemFsTypesExclude}`,
];

/** statfs ignores --path.procfs: these trees list real paths of the machine, so rootfs is `/`. */
function onThisMachine(name: string): HostPaths {
  return { ...fixtureHost(name), rootfs: '/' };
}

/** Free space and free inodes can move between our statfs and node_exporter's. */
const DRIFT: Drift = {
  families: new Set([
    'node_filesystem_free_bytes',
    'node_filesystem_avail_bytes',
    'node_filesystem_files_free',
  ]),
  within: (value) => Math.max(0.02 * value, 64 * 1024 * 1024),
};

function expectLikeNodeExporter(
  paths: HostPaths,
  options: { settings?: HostCollectorSettings; nodeExporterArgs?: string[] } = {},
): Promise<Parsed> {
  return expectSameAsNodeExporter(filesystemCollector, paths, {
    settings: options.settings,
    nodeExporterArgs: options.nodeExporterArgs ?? UPSTREAM_EXCLUDES,
    drift: DRIFT,
  });
}

function sample(parsed: Parsed, family: string, labels: string): number | undefined {
  return parsed.get(family)?.samples.get(`${family}{${labels}}`);
}

describe('filesystem collector against node_exporter', () => {
  it('matches over this machine’s mounts (base fixture)', async () => {
    const ours = await expectLikeNodeExporter(onThisMachine('base'));
    const root = 'device="/dev/vda",fstype="ext4",mountpoint="/"';
    expect(sample(ours, 'node_filesystem_size_bytes', root)).toBeGreaterThan(0);
    expect(sample(ours, 'node_filesystem_readonly', root)).toBe(0);
    expect(
      sample(
        ours,
        'node_filesystem_readonly',
        'device="/dev/vda",fstype="ext4",mountpoint="/etc/resolv.conf"',
      ),
    ).toBe(1);
  });

  it('matches over a container host: excluded types and paths, unreachable NFS/CIFS, escaped spaces', async () => {
    const ours = await expectLikeNodeExporter(onThisMachine('filesystem-host'));
    expect(
      sample(
        ours,
        'node_filesystem_device_error',
        'device="/dev/sdb1",fstype="xfs",mountpoint="/srv/no such dir"',
      ),
    ).toBe(1);
    // node_exporter 1.5 exports nothing but device_error for a mount it could not stat.
    expect(
      sample(
        ours,
        'node_filesystem_readonly',
        'device="/dev/sdb1",fstype="xfs",mountpoint="/srv/no such dir"',
      ),
    ).toBeUndefined();
    expect(ours.get('node_filesystem_device_error')?.samples.size).toBe(11);
  });

  it('matches over bind mounts, repeated mounts, overmounts and octal escapes', async () => {
    const ours = await expectLikeNodeExporter(onThisMachine('filesystem-bind'));
    const var_ = 'device="/dev/vda",fstype="ext4",mountpoint="/var"';
    expect(sample(ours, 'node_filesystem_device_error', var_)).toBe(0);
    expect(
      sample(ours, 'node_filesystem_readonly', 'device="/dev/vda",fstype="ext4",mountpoint="/etc/hostname"'),
    ).toBe(1);
    expect(
      sample(ours, 'node_filesystem_readonly', 'device="/dev/vda",fstype="ext4",mountpoint="/etc"'),
    ).toBe(0);
    expect(
      ours
        .get('node_filesystem_device_error')
        ?.samples.has(
          'node_filesystem_device_error{device="/dev/vda",fstype="ext4",mountpoint="/srv/tab\tand space"}',
        ),
    ).toBe(true);
  });

  it('falls back to /proc/mounts when /proc/1/mounts is hidden (hidepid)', async () => {
    await expectLikeNodeExporter(onThisMachine('filesystem-selfmounts'));
  });

  it('honours other mount point and fs type excludes', async () => {
    const settings: HostCollectorSettings = {
      ...DEFAULT_SETTINGS,
      filesystem: { mountPointsExclude: /^\/(usr|etc)($|\/)/, fsTypesExclude: /^tmpfs$/ },
    };
    const ours = await expectLikeNodeExporter(onThisMachine('filesystem-host'), {
      settings,
      nodeExporterArgs: [
        '--collector.filesystem.mount-points-exclude=^/(usr|etc)($|/)',
        '--collector.filesystem.fs-types-exclude=^tmpfs$',
      ],
    });
    expect(
      sample(ours, 'node_filesystem_device_error', 'device="proc",fstype="proc",mountpoint="/proc"'),
    ).toBe(0);
  });

  describe('with --path.rootfs elsewhere', () => {
    let dir = '';
    afterAll(async () => {
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it('strips the rootfs prefix from mount points and stats under it, as node_exporter does', async () => {
      dir = await mkdtemp(path.join(os.tmpdir(), 'qw-filesystem-'));
      const root = path.join(dir, 'root');
      await mkdir(path.join(root, 'data'), { recursive: true });
      await mkdir(path.join(root, 'x'), { recursive: true });
      await mkdir(path.join(dir, 'proc', '1'), { recursive: true });
      await writeFile(
        path.join(dir, 'proc', '1', 'mounts'),
        [
          `/dev/vda ${root} ext4 rw,relatime 0 0`,
          `/dev/vda ${root}/data ext4 ro,relatime 0 0`,
          // TrimPrefix is textual: <rootfs>x becomes "x", statted as <rootfs>/x.
          `/dev/vda ${root}x ext4 rw 0 0`,
          '/dev/vda /elsewhere ext4 rw 0 0',
          `tmpfs ${root}/dev/shm tmpfs rw 0 0`,
          '',
        ].join('\n'),
      );
      const paths: HostPaths = {
        procfs: path.join(dir, 'proc'),
        sysfs: path.join(dir, 'sys'),
        rootfs: root,
        udevData: dir,
      };
      const ours = await expectLikeNodeExporter(paths);
      expect(
        sample(ours, 'node_filesystem_readonly', 'device="/dev/vda",fstype="ext4",mountpoint="/data"'),
      ).toBe(1);
      expect(
        sample(ours, 'node_filesystem_device_error', 'device="/dev/vda",fstype="ext4",mountpoint="x"'),
      ).toBe(0);
      expect(
        sample(
          ours,
          'node_filesystem_device_error',
          'device="/dev/vda",fstype="ext4",mountpoint="/elsewhere"',
        ),
      ).toBe(1);
    });
  });

  it.each([
    ['filesystem-malformed', 'malformed mount point information: "/dev/vda /var ext4"'],
    ['filesystem-blankline', 'malformed mount point information: ""'],
    ['filesystem-missing', 'ENOENT'],
  ])('fails on %s like node_exporter', async (tree, message) => {
    await expectFailsLikeNodeExporter(filesystemCollector, onThisMachine(tree), message, {
      nodeExporterArgs: UPSTREAM_EXCLUDES,
    });
  });
});

/** A statfs result for injected calls. */
function fakeStats(blocks: number): StatsFs {
  return { type: 0xef53, bsize: 4096, blocks, bfree: blocks / 2, bavail: blocks / 4, files: 1000, ffree: 10 };
}

interface Deferred {
  resolve(stats: StatsFs): void;
  reject(err: Error): void;
}

/** An injectable statfs: `/hung` never answers until released; every call is recorded. */
function scriptedStatfs(): {
  statfs: (file: string) => Promise<StatsFs | BigIntStatsFs>;
  calls: string[];
  hung: Deferred[];
  hang(on: boolean): void;
} {
  const calls: string[] = [];
  const hung: Deferred[] = [];
  let hanging = true;
  const statfs = (file: string): Promise<StatsFs | BigIntStatsFs> => {
    calls.push(file);
    if (file === '/hung' && !hanging) return Promise.resolve(fakeStats(7));
    if (file === '/hung') return new Promise<StatsFs>((resolve, reject) => hung.push({ resolve, reject }));
    if (file === '/denied')
      return Promise.reject(Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' }));
    if (file === '/big') {
      return Promise.resolve({
        type: 0n,
        bsize: 4096n,
        blocks: 2n ** 60n,
        bfree: 2n ** 59n,
        bavail: 2n ** 58n,
        files: 2n ** 55n + 1n,
        ffree: 0n,
      } satisfies BigIntStatsFs);
    }
    return Promise.resolve(fakeStats(1000));
  };
  return {
    statfs,
    calls,
    hung,
    hang: (on) => {
      hanging = on;
    },
  };
}

const STUCK_TREE = 'filesystem-stuck';

describe('filesystem collector with a hung mount', () => {
  const paths = { ...fixtureHost(STUCK_TREE), rootfs: '/' };
  const hungError = 'node_filesystem_device_error{device="nfs:/export",fstype="nfs4",mountpoint="/hung"}';

  it('reports a statfs that outlives the mount timeout as device_error 1 without waiting for it', async () => {
    const fake = scriptedStatfs();
    const collector = createFilesystemCollector(fake.statfs, { mountTimeoutMs: 100 });
    const started = performance.now();
    const first = parseText(await collectText(collector, paths));
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(90);
    expect(elapsed).toBeLessThan(2000);
    expect(first.get('node_filesystem_device_error')?.samples.get(hungError)).toBe(1);
    expect(
      first
        .get('node_filesystem_size_bytes')
        ?.samples.get('node_filesystem_size_bytes{device="/dev/vda",fstype="ext4",mountpoint="/"}'),
    ).toBe(4096 * 1000);
    expect(
      first
        .get('node_filesystem_readonly')
        ?.samples.has('node_filesystem_readonly{device="nfs:/export",fstype="nfs4",mountpoint="/hung"}'),
    ).toBe(false);

    // Stuck: reported at once, and no second statfs is piled onto the hung one.
    const again = performance.now();
    const second = parseText(await collectText(collector, paths));
    expect(performance.now() - again).toBeLessThan(50);
    expect(second.get('node_filesystem_device_error')?.samples.get(hungError)).toBe(1);
    expect(fake.calls.filter((c) => c === '/hung')).toHaveLength(1);

    // The earlier call returns: the mount has recovered and is statted again.
    fake.hang(false);
    fake.hung[0]?.resolve(fakeStats(7));
    await new Promise((resolve) => setImmediate(resolve));
    const third = parseText(await collectText(collector, paths));
    expect(fake.calls.filter((c) => c === '/hung')).toHaveLength(2);
    expect(third.get('node_filesystem_device_error')?.samples.get(hungError)).toBe(0);
    expect(
      third
        .get('node_filesystem_size_bytes')
        ?.samples.get('node_filesystem_size_bytes{device="nfs:/export",fstype="nfs4",mountpoint="/hung"}'),
    ).toBe(4096 * 7);
  });

  it('shares one outstanding statfs between concurrent scrapes and repeated mounts', async () => {
    const fake = scriptedStatfs();
    const collector = createFilesystemCollector(fake.statfs, { mountTimeoutMs: 60_000 });
    const a = collector.collect(contextFor(paths));
    const b = collector.collect(contextFor(paths));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(fake.calls.filter((c) => c === '/hung')).toHaveLength(1);
    expect(fake.calls.filter((c) => c === '/var')).toHaveLength(1); // listed twice in the tree
    fake.hung[0]?.resolve(fakeStats(3));
    const [ra, rb] = await Promise.all([a, b]);
    expect(ra).toEqual(rb);
  });

  it('stops waiting when the scrape is aborted, and still does not pile up calls', async () => {
    const fake = scriptedStatfs();
    const collector = createFilesystemCollector(fake.statfs, { mountTimeoutMs: 60_000 });
    const controller = new AbortController();
    const pending = collector.collect({ ...contextFor(paths), signal: controller.signal });
    setTimeout(() => controller.abort(new Error('area time limit')), 20);
    await expect(pending).rejects.toThrow('area time limit');
    const next = new AbortController();
    const retry = collector.collect({ ...contextFor(paths), signal: next.signal });
    setTimeout(() => next.abort(new Error('again')), 20);
    await expect(retry).rejects.toThrow('again');
    expect(fake.calls.filter((c) => c === '/hung')).toHaveLength(1);
    fake.hung[0]?.reject(new Error('EIO'));
  });

  it('reports a failing statfs as device_error only, and multiplies big counts as doubles', async () => {
    const fake = scriptedStatfs();
    const collector = createFilesystemCollector(fake.statfs, { mountTimeoutMs: 1000 });
    const pending = collectText(collector, paths);
    await new Promise((resolve) => setTimeout(resolve, 10));
    fake.hung[0]?.resolve(fakeStats(1));
    const out = parseText(await pending);
    const denied = 'device="/dev/vdb",fstype="ext4",mountpoint="/denied"';
    expect(
      out.get('node_filesystem_device_error')?.samples.get(`node_filesystem_device_error{${denied}}`),
    ).toBe(1);
    expect(out.get('node_filesystem_readonly')?.samples.has(`node_filesystem_readonly{${denied}}`)).toBe(
      false,
    );
    const big = 'device="/dev/vdc",fstype="xfs",mountpoint="/big"';
    expect(out.get('node_filesystem_size_bytes')?.samples.get(`node_filesystem_size_bytes{${big}}`)).toBe(
      2 ** 72,
    );
    expect(out.get('node_filesystem_files')?.samples.get(`node_filesystem_files{${big}}`)).toBe(2 ** 55);
  });
});
