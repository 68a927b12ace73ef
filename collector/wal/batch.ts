import { RaftError, type Ready, type Snapshot, type Storage } from '../raft/index.js';
import type { WalRecord } from './payload.js';

export type Batch = Pick<Ready, 'hardState' | 'entries' | 'snapshot' | 'compaction'>;

export interface BatchPlan {
  /** Snapshot files to write before the records: the records' markers are what commit them. */
  readonly snapshots: Snapshot[];
  /** In MemoryStorage.save's order: received snapshot, entries, hard state, compaction. */
  readonly records: WalRecord[];
}

/**
 * Turns a batch into what to write, checking it as MemoryStorage.save would apply it to `log`, so an
 * invalid batch throws RaftError before anything is written. Entries a snapshot covers are left out,
 * as MemoryStorage leaves them out; replay relies on every WAL entry lying above the snapshot that
 * was current when it was written.
 */
export function planBatch(log: Storage, batch: Batch): BatchPlan {
  const snapshots: Snapshot[] = [];
  const records: WalRecord[] = [];
  let base = log.snapshot();
  let lastIndex = log.lastIndex();
  if (batch.snapshot) {
    if (batch.snapshot.index <= base.index) {
      throw new RaftError(
        `snapshot at ${batch.snapshot.index} is not newer than the stored one at ${base.index}`,
      );
    }
    base = batch.snapshot;
    lastIndex = base.index;
    snapshots.push(base);
    records.push({ kind: 'snapshotMarker', snapshot: base, replacesLog: true });
  }

  const entries = batch.entries.filter((entry) => entry.index > base.index);
  const first = entries[0];
  if (first) {
    if (first.index > lastIndex + 1) {
      throw new RaftError(`entry ${first.index} would leave a gap after ${lastIndex}`);
    }
    for (const [offset, entry] of entries.entries()) {
      if (entry.index !== first.index + offset)
        throw new RaftError(`entry ${entry.index} is out of sequence`);
      records.push({ kind: 'entry', entry });
    }
    lastIndex = first.index + entries.length - 1;
  }

  if (batch.hardState) records.push({ kind: 'hardState', hardState: batch.hardState });

  const { compaction } = batch;
  if (compaction && compaction.index > base.index) {
    // Below the batch's first entry (or without entries) the stored log still holds the term.
    const term = (index: number) =>
      first && index >= first.index ? entries[index - first.index]?.term : log.term(index);
    if (compaction.index > lastIndex || term(compaction.index) !== compaction.term) {
      throw new RaftError(`snapshot at ${compaction.index} does not match the stored log`);
    }
    snapshots.push(compaction);
    records.push({ kind: 'snapshotMarker', snapshot: compaction, replacesLog: false });
  }
  return { snapshots, records };
}
