import { createHash } from 'node:crypto';
import type { Entry, Snapshot } from './raft/index.js';
import type { StateMachine } from './replica.js';

export interface AppliedLogState {
  records: number;
  bytes: number;
  digest: string;
}

/**
 * The replicated state of the records proposed so far: their count, size and a hash chain over
 * their contents. Members that applied the same records in the same order hold the same digest,
 * which is how tests and operators check State Machine Safety across processes. The alert pipeline
 * and membership table will be further state machines behind the same interface.
 */
export class AppliedLog implements StateMachine {
  #state: AppliedLogState = { records: 0, bytes: 0, digest: '' };

  apply(entry: Entry): void {
    this.#state = {
      records: this.#state.records + 1,
      bytes: this.#state.bytes + entry.data.length,
      digest: createHash('sha256').update(this.#state.digest).update(entry.data).digest('hex'),
    };
  }

  snapshot(): Uint8Array {
    return new TextEncoder().encode(JSON.stringify(this.#state));
  }

  restore(snapshot: Snapshot): void {
    const parsed = JSON.parse(new TextDecoder().decode(snapshot.data)) as Partial<AppliedLogState>;
    if (
      typeof parsed.records !== 'number' ||
      typeof parsed.bytes !== 'number' ||
      typeof parsed.digest !== 'string'
    ) {
      throw new Error(`snapshot at ${snapshot.index} does not hold an applied-log state`);
    }
    this.#state = { records: parsed.records, bytes: parsed.bytes, digest: parsed.digest };
  }

  get state(): Readonly<AppliedLogState> {
    return this.#state;
  }
}
