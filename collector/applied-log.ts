import { createHash } from 'node:crypto';
import { encodeRecord, type LogRecord } from './records.js';
import type { StateModule } from './replicated-state.js';

/** The kind of the records proposed through /api/v1/raft/proposals: bytes nobody interprets. */
export const OPAQUE = 'opaque';

export function opaqueRecord(data: Uint8Array): Uint8Array {
  return encodeRecord(OPAQUE, data);
}

export interface AppliedLogState {
  records: number;
  bytes: number;
  digest: string;
}

/**
 * The replicated state of the opaque records proposed so far: their count, size and a hash chain
 * over their contents. Members that applied the same records in the same order hold the same digest,
 * which is how tests and operators check State Machine Safety across processes.
 */
export class AppliedLog implements StateModule {
  readonly name = 'log';
  readonly kinds = [OPAQUE];
  #state: AppliedLogState = { records: 0, bytes: 0, digest: '' };

  apply(record: LogRecord): void {
    this.#state = {
      records: this.#state.records + 1,
      bytes: this.#state.bytes + record.body.length,
      digest: createHash('sha256').update(this.#state.digest).update(record.body).digest('hex'),
    };
  }

  snapshot(): AppliedLogState {
    return { ...this.#state };
  }

  restore(part: unknown): void {
    const { records, bytes, digest } = (part ?? {}) as Partial<AppliedLogState>;
    if (typeof records !== 'number' || typeof bytes !== 'number' || typeof digest !== 'string') {
      throw new Error('no applied-log state');
    }
    this.#state = { records, bytes, digest };
  }

  get state(): Readonly<AppliedLogState> {
    return this.#state;
  }
}
