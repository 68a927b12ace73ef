/**
 * The format of the replicated log's normal entries, shared by every part of the replicated state:
 *
 *   <kind> LF <body>
 *
 * `kind` names the record type and so the state module that applies it: lower-case ASCII words
 * joined by dots (`opaque`, `member.url`, later `alert.*`), at most 64 bytes. The body's format
 * belongs to the kind: `opaque` bodies are the proposer's bytes, uninterpreted; `member.url` is
 * JSON. A binary prefix rather than a JSON envelope keeps opaque bodies unencoded, and makes every
 * kind explicit, so a client's opaque record can never pass for a typed one.
 */

const MAX_KIND_BYTES = 64;
const LF = 0x0a;
const KIND = /^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)*$/;

export interface LogRecord {
  readonly kind: string;
  readonly body: Uint8Array;
}

/** A record (or a part of one) that cannot be applied; every member refuses the same bytes alike. */
export class MalformedRecordError extends Error {
  override name = 'MalformedRecordError';
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });
/** Decodes any bytes, so that a bad kind can be quoted in the error; valid kinds are ASCII. */
const latin1 = new TextDecoder('latin1');

export function encodeRecord(kind: string, body: Uint8Array): Uint8Array {
  if (!KIND.test(kind) || kind.length > MAX_KIND_BYTES) throw new RangeError(`invalid record kind "${kind}"`);
  const data = new Uint8Array(kind.length + 1 + body.length);
  data.set(encoder.encode(kind));
  data[kind.length] = LF;
  data.set(body, kind.length + 1);
  return data;
}

export function decodeRecord(data: Uint8Array): LogRecord {
  const end = data.subarray(0, MAX_KIND_BYTES + 1).indexOf(LF);
  if (end < 0) throw new MalformedRecordError('no "<kind>\\n" prefix');
  const kind = latin1.decode(data.subarray(0, end));
  if (!KIND.test(kind)) throw new MalformedRecordError(`invalid record kind "${kind}"`);
  return { kind, body: data.subarray(end + 1) };
}

/** The body of a JSON record, parsed; MalformedRecordError if it is not UTF-8 JSON. */
export function parseJsonBody(body: Uint8Array): unknown {
  try {
    return JSON.parse(decoder.decode(body));
  } catch {
    throw new MalformedRecordError('the body is not UTF-8 JSON');
  }
}

export function jsonBody(value: unknown): Uint8Array {
  return encoder.encode(JSON.stringify(value));
}
