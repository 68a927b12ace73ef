import type { Logger } from '../common/log.js';
import type { Entry, Snapshot } from './raft/index.js';
import { decodeRecord, jsonBody, type LogRecord, MalformedRecordError, parseJsonBody } from './records.js';
import type { StateMachine } from './replica.js';

/** One part of the replicated state: it applies the records of its kinds and owns a part of each snapshot. */
export interface StateModule {
  /** Its key in the snapshot. */
  readonly name: string;
  readonly kinds: readonly string[];
  /** Throws MalformedRecordError, before changing anything, for a body it cannot use. */
  apply(record: LogRecord): void;
  /** A JSON value. */
  snapshot(): unknown;
  /** Throws for a part it cannot use: the snapshot is damaged or from another version. */
  restore(part: unknown): void;
}

/**
 * The collector's replicated state: routes each normal entry to the module of its record kind (see
 * records.ts), and snapshots as one JSON object with a part per module.
 *
 * A record that cannot be applied (no kind prefix, a kind no module knows, a body its module
 * refuses) is skipped with a warning and changes nothing. That is deterministic, since whether a
 * record applies depends only on its bytes, so every member skips the same records and their states
 * stay equal; stopping instead would stop every member at the same entry, the whole cluster. It does
 * assume members run the same record kinds: a new kind may be proposed only once every member knows it.
 */
export class ReplicatedState implements StateMachine {
  readonly #modules: readonly StateModule[];
  readonly #byKind = new Map<string, StateModule>();
  readonly #logger: Logger;

  constructor(modules: readonly StateModule[], logger: Logger) {
    this.#modules = modules;
    this.#logger = logger;
    for (const module of modules) {
      for (const kind of module.kinds) {
        if (this.#byKind.has(kind)) throw new Error(`record kind ${kind} is claimed twice`);
        this.#byKind.set(kind, module);
      }
    }
  }

  apply(entry: Entry): void {
    try {
      const record = decodeRecord(entry.data);
      const module = this.#byKind.get(record.kind);
      if (!module) throw new MalformedRecordError(`unknown record kind "${record.kind}"`);
      module.apply(record);
    } catch (err) {
      if (!(err instanceof MalformedRecordError)) throw err;
      this.#logger.warn(
        { index: entry.index, reason: err.message },
        'skipped a log record that cannot be applied',
      );
    }
  }

  snapshot(): Uint8Array {
    return jsonBody(Object.fromEntries(this.#modules.map((m) => [m.name, m.snapshot()])));
  }

  restore(snapshot: Snapshot): void {
    let parts: unknown;
    try {
      parts = parseJsonBody(snapshot.data);
    } catch {
      throw new Error(`snapshot at ${snapshot.index} is not JSON`);
    }
    if (typeof parts !== 'object' || parts === null) {
      throw new Error(`snapshot at ${snapshot.index} does not hold the collector's state`);
    }
    for (const module of this.#modules) {
      try {
        module.restore((parts as Record<string, unknown>)[module.name]);
      } catch (err) {
        throw new Error(`snapshot at ${snapshot.index}: ${module.name}: ${(err as Error).message}`);
      }
    }
  }
}
