import type { Entry, HardState } from '../raft/index.js';
import type { SnapshotId } from './payload.js';
import type { LocatedRecord } from './segment.js';

/** The WAL cannot rebuild the log above the chosen snapshot; `at` is the record that shows it. */
export class ReplayMismatch extends Error {
  override name = 'ReplayMismatch';

  constructor(
    readonly at: LocatedRecord,
    problem: string,
  ) {
    super(problem);
  }
}

export interface ReplayedLog {
  readonly hardState: HardState;
  /** The entries after the snapshot replay started from, as MemoryStorage would hold them. */
  readonly entries: Entry[];
}

/**
 * Rebuilds, from WAL records, the hard state and the log above `floor`. The WAL holds only entries
 * above the snapshot current when they were written (see planBatch), so an entry at or below the
 * floor means the log was cut back there: nothing above the floor survived it. Entries above the
 * floor replace the tail from their index on, as MemoryStorage.append does.
 *
 * Throws ReplayMismatch if the records cannot have produced a log above this floor: a gap, a
 * received snapshot newer than the floor (its log is in a snapshot file, not the WAL), or a
 * compaction naming an entry the rebuilt log does not have.
 */
export function replayFrom(floor: SnapshotId, records: readonly LocatedRecord[]): ReplayedLog {
  let hardState: HardState = { term: 0, vote: 0, commit: 0 };
  let entries: Entry[] = [];
  for (const located of records) {
    const { record } = located;
    switch (record.kind) {
      case 'hardState':
        hardState = record.hardState;
        break;
      case 'entry': {
        const position = record.entry.index - floor.index - 1;
        if (position < 0) {
          entries = [];
        } else if (position > entries.length) {
          throw new ReplayMismatch(
            located,
            `entry ${record.entry.index} leaves a gap after ${floor.index + entries.length}`,
          );
        } else {
          entries.splice(position, entries.length - position, record.entry);
        }
        break;
      }
      case 'snapshotMarker': {
        const { index, term } = record.snapshot;
        if (index < floor.index || (index === floor.index && term === floor.term)) {
          if (record.replacesLog) entries = [];
        } else if (record.replacesLog) {
          throw new ReplayMismatch(
            located,
            `snapshot ${index} (term ${term}) replaced the log above ${floor.index}`,
          );
        } else if (entries[index - floor.index - 1]?.term !== term) {
          throw new ReplayMismatch(located, `snapshot ${index} (term ${term}) does not match the log`);
        }
        break;
      }
    }
  }
  return { hardState, entries };
}
