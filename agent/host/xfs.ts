import path from 'node:path';
import { family, type MetricFamily } from '../../common/metrics/family.js';
import { type HostCollector, messageOf, readOptional, sysPath } from './collector.js';
import { fields, parseGoUint, scanLines } from './goparse.js';
import { globEntries } from './sysfs.js';

/**
 * How many values procfs's xfs parser demands on each line it models. Lines it does not model
 * (fibt2, rmapbt, defer_relog...) are unchecked, but their values must still fit 32 bits.
 */
const VALUE_COUNTS: ReadonlyMap<string, readonly [what: string, ...counts: number[]]> = new Map([
  ['extent_alloc', ['XFS extent allocation', 4]],
  ['abt', ['XFS btree', 4]],
  ['blk_map', ['XFS block mapping', 7]],
  ['bmbt', ['XFS btree', 4]],
  ['dir', ['XFS directory operation', 4]],
  ['trans', ['XFS transaction', 3]],
  ['ig', ['XFS inode operation', 7]],
  ['log', ['XFS log operation', 5]],
  ['push_ail', ['XFS push ail', 10]],
  ['xstrat', ['XFS  xstrat', 2]],
  ['rw', ['XFS read write', 2]],
  ['attr', ['XFS attribute operation', 4]],
  ['icluster', ['XFS inode clustering', 3]],
  ['vnodes', ['XFS vnode', 7, 8]],
  ['buf', ['XFS buffer', 9]],
  ['abtb2', ['abtb2', 15]],
  ['abtc2', ['abtc2', 15]],
  ['bmbt2', ['bmbt2', 15]],
  ['ibt2', ['ibt2', 15]],
  ['qm', ['XFS quota', 8, 9]],
  ['debug', ['XFS debug', 1]],
]);

/** The line holding 64-bit "extended precision" byte counters. */
const XPC = 'xpc';

/** One exported counter: family suffix, HELP, stat line and position in it. */
type Counter = readonly [name: string, help: string, line: string, index: number];

// Names and help as node_exporter 1.5 has them (from http://xfs.org/index.php/Runtime_Stats).
const COUNTERS: readonly Counter[] = [
  [
    'extent_allocation_extents_allocated_total',
    'Number of extents allocated for a filesystem.',
    'extent_alloc',
    0,
  ],
  [
    'extent_allocation_blocks_allocated_total',
    'Number of blocks allocated for a filesystem.',
    'extent_alloc',
    1,
  ],
  ['extent_allocation_extents_freed_total', 'Number of extents freed for a filesystem.', 'extent_alloc', 2],
  ['extent_allocation_blocks_freed_total', 'Number of blocks freed for a filesystem.', 'extent_alloc', 3],
  ['allocation_btree_lookups_total', 'Number of allocation B-tree lookups for a filesystem.', 'abt', 0],
  ['allocation_btree_compares_total', 'Number of allocation B-tree compares for a filesystem.', 'abt', 1],
  [
    'allocation_btree_records_inserted_total',
    'Number of allocation B-tree records inserted for a filesystem.',
    'abt',
    2,
  ],
  [
    'allocation_btree_records_deleted_total',
    'Number of allocation B-tree records deleted for a filesystem.',
    'abt',
    3,
  ],
  ['block_mapping_reads_total', 'Number of block map for read operations for a filesystem.', 'blk_map', 0],
  ['block_mapping_writes_total', 'Number of block map for write operations for a filesystem.', 'blk_map', 1],
  ['block_mapping_unmaps_total', 'Number of block unmaps (deletes) for a filesystem.', 'blk_map', 2],
  [
    'block_mapping_extent_list_insertions_total',
    'Number of extent list insertions for a filesystem.',
    'blk_map',
    3,
  ],
  [
    'block_mapping_extent_list_deletions_total',
    'Number of extent list deletions for a filesystem.',
    'blk_map',
    4,
  ],
  [
    'block_mapping_extent_list_lookups_total',
    'Number of extent list lookups for a filesystem.',
    'blk_map',
    5,
  ],
  [
    'block_mapping_extent_list_compares_total',
    'Number of extent list compares for a filesystem.',
    'blk_map',
    6,
  ],
  ['block_map_btree_lookups_total', 'Number of block map B-tree lookups for a filesystem.', 'bmbt', 0],
  ['block_map_btree_compares_total', 'Number of block map B-tree compares for a filesystem.', 'bmbt', 1],
  [
    'block_map_btree_records_inserted_total',
    'Number of block map B-tree records inserted for a filesystem.',
    'bmbt',
    2,
  ],
  [
    'block_map_btree_records_deleted_total',
    'Number of block map B-tree records deleted for a filesystem.',
    'bmbt',
    3,
  ],
  [
    'directory_operation_lookup_total',
    'Number of file name directory lookups which miss the operating systems directory name lookup cache.',
    'dir',
    0,
  ],
  [
    'directory_operation_create_total',
    'Number of times a new directory entry was created for a filesystem.',
    'dir',
    1,
  ],
  [
    'directory_operation_remove_total',
    'Number of times an existing directory entry was created for a filesystem.',
    'dir',
    2,
  ],
  [
    'directory_operation_getdents_total',
    'Number of times the directory getdents operation was performed for a filesystem.',
    'dir',
    3,
  ],
  [
    'inode_operation_attempts_total',
    'Number of times the OS looked for an XFS inode in the inode cache.',
    'ig',
    0,
  ],
  [
    'inode_operation_found_total',
    'Number of times the OS looked for and found an XFS inode in the inode cache.',
    'ig',
    1,
  ],
  [
    'inode_operation_recycled_total',
    'Number of times the OS found an XFS inode in the cache, but could not use it as it was being recycled.',
    'ig',
    2,
  ],
  [
    'inode_operation_missed_total',
    'Number of times the OS looked for an XFS inode in the cache, but did not find it.',
    'ig',
    3,
  ],
  [
    'inode_operation_duplicates_total',
    'Number of times the OS tried to add a missing XFS inode to the inode cache, but found it had already been added by another process.',
    'ig',
    4,
  ],
  [
    'inode_operation_reclaims_total',
    'Number of times the OS reclaimed an XFS inode from the inode cache to free memory for another purpose.',
    'ig',
    5,
  ],
  [
    'inode_operation_attribute_changes_total',
    'Number of times the OS explicitly changed the attributes of an XFS inode.',
    'ig',
    6,
  ],
  // The kernel prints "rw <write calls> <read calls>"; node_exporter 1.5 exports them that way round.
  ['read_calls_total', 'Number of read(2) system calls made to files in a filesystem.', 'rw', 1],
  ['write_calls_total', 'Number of write(2) system calls made to files in a filesystem.', 'rw', 0],
  ['vnode_active_total', 'Number of vnodes not on free lists for a filesystem.', 'vnodes', 0],
  ['vnode_allocate_total', 'Number of times vn_alloc called for a filesystem.', 'vnodes', 1],
  ['vnode_get_total', 'Number of times vn_get called for a filesystem.', 'vnodes', 2],
  ['vnode_hold_total', 'Number of times vn_hold called for a filesystem.', 'vnodes', 3],
  ['vnode_release_total', 'Number of times vn_rele called for a filesystem.', 'vnodes', 4],
  ['vnode_reclaim_total', 'Number of times vn_reclaim called for a filesystem.', 'vnodes', 5],
  ['vnode_remove_total', 'Number of times vn_remove called for a filesystem.', 'vnodes', 6],
];

/** procfs's xfs.ParseStats: the values of each line by label; a missing line reads as zeros. */
export function parseXfsStats(text: string): Map<string, number[]> {
  const stats = new Map<string, number[]>();
  for (const line of scanLines(text)) {
    const words = fields(line);
    if (words.length < 2) continue;
    const label = words[0] as string;
    // procfs's util.ParseUint64s / ParseUint32s: every word must parse.
    const values = words.slice(1).map((w) => parseGoUint(w, 10, label === XPC ? 64 : 32));
    const expected = label === XPC ? (['XFS extended precision', 3] as const) : VALUE_COUNTS.get(label);
    if (expected) {
      const [what, ...counts] = expected;
      if (!counts.includes(values.length)) {
        throw new Error(`incorrect number of values for ${what} stats: ${values.length}`);
      }
    }
    stats.set(label, values);
  }
  return stats;
}

/** node_exporter's xfs collector: per-filesystem statistics from /sys/fs/xfs/<device>/stats/stats. */
export const xfsCollector: HostCollector = {
  name: 'xfs',
  defaultEnabled: true,
  description: 'Exposes XFS runtime statistics.',
  collect(ctx): MetricFamily[] {
    const root = sysPath(ctx, 'fs', 'xfs');
    // The glob fs/xfs/*/stats/stats: no module or no mounted XFS is success with nothing, and the
    // module-wide /sys/fs/xfs/stats/stats does not match.
    const names = globEntries(root);
    const texts = names.map((n) => readOptional(path.join(root, n, 'stats', 'stats')));
    const devices: Array<{ device: string; stats: Map<string, number[]> }> = [];
    names.forEach((device, i) => {
      const text = texts[i];
      if (text === undefined) return;
      try {
        devices.push({ device, stats: parseXfsStats(text) });
      } catch (err) {
        throw new Error(`failed to retrieve XFS stats: ${messageOf(err)}`);
      }
    });
    if (devices.length === 0) return [];
    return COUNTERS.map(([name, help, line, index]) =>
      family(
        `node_xfs_${name}`,
        help,
        'counter',
        devices.map(({ device, stats }) => ({ labels: { device }, value: stats.get(line)?.[index] ?? 0 })),
      ),
    );
  },
};
