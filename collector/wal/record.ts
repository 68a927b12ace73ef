import { crc32 } from 'node:zlib';

/**
 * Record framing, shared by WAL segments and snapshot files:
 * [payload length u32 LE][crc32 u32 LE][type u8][payload]. The checksum covers type and payload.
 * Each record's checksum stands alone (no chaining), so recovery can look past a bad record for
 * valid ones and tell a torn tail from damage in the middle of the log.
 */
export const RECORD_HEADER_BYTES = 9;
const CHECKSUMMED_FROM = 8;

export type RecordRead =
  | { readonly ok: true; readonly type: number; readonly payload: Buffer; readonly end: number }
  | { readonly ok: false; readonly problem: string };

export function encodeRecord(type: number, payload: Uint8Array): Buffer {
  const record = Buffer.allocUnsafe(RECORD_HEADER_BYTES + payload.length);
  record.writeUInt32LE(payload.length, 0);
  record.writeUInt8(type, CHECKSUMMED_FROM);
  record.set(payload, RECORD_HEADER_BYTES);
  record.writeUInt32LE(crc32(record.subarray(CHECKSUMMED_FROM)), 4);
  return record;
}

/** Reads the record framed at `offset`, checking only the framing: lengths and checksum. */
export function readRecord(bytes: Buffer, offset: number): RecordRead {
  const available = bytes.length - offset;
  if (available < RECORD_HEADER_BYTES) {
    return { ok: false, problem: `record header cut short (${available} of ${RECORD_HEADER_BYTES} bytes)` };
  }
  const length = bytes.readUInt32LE(offset);
  const end = offset + RECORD_HEADER_BYTES + length;
  if (end > bytes.length) {
    return {
      ok: false,
      problem: `payload cut short (${available - RECORD_HEADER_BYTES} of ${length} bytes)`,
    };
  }
  if (crc32(bytes.subarray(offset + CHECKSUMMED_FROM, end)) !== bytes.readUInt32LE(offset + 4)) {
    return { ok: false, problem: 'checksum mismatch' };
  }
  return {
    ok: true,
    type: bytes.readUInt8(offset + CHECKSUMMED_FROM),
    payload: bytes.subarray(offset + RECORD_HEADER_BYTES, end),
    end,
  };
}

/** Whether any well-framed record starts after `offset`: if so, a bad record there is not a torn tail. */
export function hasRecordAfter(bytes: Buffer, offset: number): boolean {
  for (let start = offset + 1; start + RECORD_HEADER_BYTES <= bytes.length; start++) {
    if (readRecord(bytes, start).ok) return true;
  }
  return false;
}
