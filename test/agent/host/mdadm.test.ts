import { describe, expect, it } from 'vitest';
import { NoDataError } from '../../../agent/host/collector.js';
import { mdadmCollector, parseMdstat } from '../../../agent/host/mdadm.js';
import {
  expectFailsLikeNodeExporter,
  expectSameAsNodeExporter,
  fixtureHost,
} from '../../support/host-fixture.js';

function state(parsed: Map<string, { samples: Map<string, number> }>, device: string): string[] {
  const samples = parsed.get('node_md_state')?.samples ?? new Map<string, number>();
  return [...samples]
    .filter(([key, value]) => key.includes(`device="${device}"`) && value === 1)
    .map(([key]) => /state="([a-z]+)"/.exec(key)?.[1] ?? '');
}

describe('mdadm collector against node_exporter', () => {
  it('matches over healthy and degraded raid0/1/5/6/10 and linear arrays', async () => {
    const ours = await expectSameAsNodeExporter(mdadmCollector, fixtureHost('mdadm-raid'));
    const disks = ours.get('node_md_disks')?.samples;
    expect(disks?.get('node_md_disks{device="md7",state="failed"}')).toBe(1);
    expect(disks?.get('node_md_disks{device="md0",state="spare"}')).toBe(1);
    // raid0 and linear arrays count the [n] members on the device line.
    expect(ours.get('node_md_disks_required')?.samples.get('node_md_disks_required{device="md101"}')).toBe(3);
    expect(state(ours, 'md7')).toEqual(['active']);
  });

  it('matches over recovering arrays, bitmap lines included', async () => {
    const ours = await expectSameAsNodeExporter(mdadmCollector, fixtureHost('mdadm-recovery'));
    expect(ours.get('node_md_blocks_synced')?.samples.get('node_md_blocks_synced{device="md5"}')).toBe(
      4034560,
    );
    expect(state(ours, 'md5')).toEqual(['recovering']);
  });

  it('matches over resyncing arrays, PENDING and DELAYED ones at 0 blocks synced', async () => {
    const ours = await expectSameAsNodeExporter(mdadmCollector, fixtureHost('mdadm-resync'));
    expect(ours.get('node_md_blocks_synced')?.samples.get('node_md_blocks_synced{device="md9"}')).toBe(0);
    // The state label is "resync" though procfs calls it "resyncing".
    expect(state(ours, 'md8')).toEqual(['resync']);
  });

  it('matches over arrays being checked', async () => {
    const ours = await expectSameAsNodeExporter(mdadmCollector, fixtureHost('mdadm-check'));
    expect(state(ours, 'md202')).toEqual(['check']);
  });

  it('matches over inactive arrays', async () => {
    const ours = await expectSameAsNodeExporter(mdadmCollector, fixtureHost('mdadm-inactive'));
    expect(ours.get('node_md_disks_required')?.samples.get('node_md_disks_required{device="md4"}')).toBe(0);
    expect(state(ours, 'md219')).toEqual(['inactive']);
  });

  it('matches over an mdstat listing no arrays', async () => {
    const ours = await expectSameAsNodeExporter(mdadmCollector, fixtureHost('mdadm-empty'));
    expect(ours.size).toBe(0);
  });

  it.each(['base', 'mdadm-missing'])(
    'reports no data without /proc/mdstat (%s), as node_exporter does',
    async (name) => {
      await expectFailsLikeNodeExporter(mdadmCollector, fixtureHost(name), NoDataError);
    },
  );

  it.each([
    ['mdadm-fields', 'not enough fields in mdline (expected at least 3): md0 :'],
    ['mdadm-truncated', 'error parsing "md0": too few lines for md device'],
    ['mdadm-status', "error parsing md device lines: couldn't find all the substring matches"],
    [
      'mdadm-sync-line',
      'error parsing sync line in md device "md6": unexpected recoveryLine matching est. finish time',
    ],
    ['mdadm-sync-number', 'strconv.ParseFloat: parsing "8.x": invalid syntax'],
    // procfs skips only space-indented lines: a tab-indented sync line is read as an array.
    ['mdadm-tabs', 'error parsing md device lines: unexpected statusLine ""'],
  ])('fails on %s like node_exporter', async (name, message) => {
    await expectFailsLikeNodeExporter(mdadmCollector, fixtureHost(name), message);
  });
});

describe('parseMdstat', () => {
  it('reads state, disks and blocks of one array', () => {
    const text = 'md6 : active raid1 sdb2[2](F) sdc[1](S) sda2[0]\n      195310144 blocks [2/1] [U_]\n\n\n';
    expect(parseMdstat(text)).toEqual([
      {
        name: 'md6',
        activityState: 'active',
        disksActive: 1,
        disksTotal: 2,
        disksFailed: 1,
        disksSpare: 1,
        blocksTotal: 195310144,
        blocksSynced: 195310144,
      },
    ]);
  });

  it('rejects a block count beyond int64', () => {
    expect(() =>
      parseMdstat('md0 : active raid1 a[0]\n      9223372036854775808 blocks [1/1] [U]\n\n\n'),
    ).toThrow('value out of range');
  });
});
