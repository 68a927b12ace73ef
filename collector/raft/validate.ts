import { isNodeId } from './config.js';
import { InvalidMessageError } from './errors.js';
import { decodeMembership, isVoterList } from './membership.js';
import { ENTRY_TYPES, type Message, type NodeId, type Snapshot } from './types.js';

type Fields = Record<string, unknown>;

function record(value: unknown, what: string): Fields {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidMessageError(`${what} is not an object`);
  }
  return value as Fields;
}

function natural(fields: Fields, key: string): number {
  const value = fields[key];
  if (!Number.isSafeInteger(value) || (value as number) < 0) {
    throw new InvalidMessageError(`${key} must be a non-negative integer`);
  }
  return value as number;
}

function nodeId(fields: Fields, key: string): NodeId {
  const value = fields[key];
  if (!isNodeId(value)) throw new InvalidMessageError(`${key} must be a node id`);
  return value;
}

function expect(fields: Fields, key: string, type: 'boolean' | 'string'): void {
  if (typeof fields[key] !== type) throw new InvalidMessageError(`${key} must be a ${type}`);
}

function bytes(fields: Fields, key: string): Uint8Array {
  const value = fields[key];
  if (!(value instanceof Uint8Array)) throw new InvalidMessageError(`${key} must be a Uint8Array`);
  return value;
}

/** Entries must continue the log at prevIndex, with terms that never decrease nor pass the sender's. */
function checkEntries(fields: Fields, prevIndex: number, prevTerm: number, term: number): void {
  const entries = fields.entries;
  if (!Array.isArray(entries)) throw new InvalidMessageError('entries must be an array');
  let lastTerm = prevTerm;
  entries.forEach((value, i) => {
    const entry = record(value, `entries[${i}]`);
    if (natural(entry, 'index') !== prevIndex + 1 + i) {
      throw new InvalidMessageError(`entries[${i}] does not follow index ${prevIndex}`);
    }
    const entryTerm = natural(entry, 'term');
    if (entryTerm < lastTerm || entryTerm > term) {
      throw new InvalidMessageError(`entries[${i}] has term ${entryTerm} out of order`);
    }
    lastTerm = entryTerm;
    if (!(ENTRY_TYPES as readonly unknown[]).includes(entry.type)) {
      throw new InvalidMessageError(`entries[${i}] has unknown type`);
    }
    const data = bytes(entry, 'data');
    if (entry.type === 'confChange') decodeOrReject(data);
  });
}

function decodeOrReject(data: Uint8Array): void {
  try {
    decodeMembership(data);
  } catch (error) {
    throw new InvalidMessageError((error as Error).message);
  }
}

function checkSnapshot(value: unknown, term: number): void {
  const snapshot = record(value, 'snapshot') as Fields & Partial<Snapshot>;
  natural(snapshot, 'index');
  if (natural(snapshot, 'term') > term) throw new InvalidMessageError('snapshot is from a future term');
  bytes(snapshot, 'data');
  if (!isVoterList(snapshot.voters)) {
    throw new InvalidMessageError('snapshot voters must be a non-empty list of distinct node ids');
  }
}

/**
 * Checks that `value` is a well-formed message addressed to `self`, so that nothing the transport
 * hands over can reach the state machine half-formed. Returns the same object, typed.
 */
export function parseMessage(value: unknown, self: NodeId): Message {
  const fields = record(value, 'message');
  const from = nodeId(fields, 'from');
  if (nodeId(fields, 'to') !== self) throw new InvalidMessageError(`message is not addressed to ${self}`);
  if (from === self) throw new InvalidMessageError('message claims to come from this node');
  const term = natural(fields, 'term');
  switch (fields.type) {
    case 'append': {
      const prevIndex = natural(fields, 'prevIndex');
      const prevTerm = natural(fields, 'prevTerm');
      if (prevTerm > term) throw new InvalidMessageError('prevTerm is from a future term');
      natural(fields, 'commit');
      checkEntries(fields, prevIndex, prevTerm, term);
      break;
    }
    case 'appendResponse':
      natural(fields, 'index');
      expect(fields, 'reject', 'boolean');
      natural(fields, 'hintIndex');
      natural(fields, 'hintTerm');
      break;
    case 'heartbeat':
      natural(fields, 'commit');
      natural(fields, 'readSeq');
      break;
    case 'heartbeatResponse':
      natural(fields, 'readSeq');
      break;
    case 'vote':
    case 'preVote':
      natural(fields, 'lastIndex');
      natural(fields, 'lastTerm');
      expect(fields, 'transfer', 'boolean');
      break;
    case 'voteResponse':
    case 'preVoteResponse':
      expect(fields, 'reject', 'boolean');
      break;
    case 'installSnapshot':
      checkSnapshot(fields.snapshot, term);
      break;
    case 'timeoutNow':
      break;
    case 'readIndex':
      expect(fields, 'context', 'string');
      break;
    case 'readIndexResponse':
      natural(fields, 'index');
      expect(fields, 'context', 'string');
      break;
    default:
      throw new InvalidMessageError(`unknown message type ${JSON.stringify(fields.type)}`);
  }
  return fields as unknown as Message;
}
