import type { SnapshotId } from './payload.js';

/**
 * Names of the files under the storage directory:
 *   wal/<seq>-<firstIndex>.wal    WAL segments, in sequence order; firstIndex is the index the log
 *                                 would have appended next when the segment was started
 *   snap/<index>-<term>.snap      snapshot files, found through the WAL's markers
 *   snap/*.tmp                    snapshot files being written, removed on open
 * Numbers are zero-padded decimal, so names sort in numeric order.
 */
export const WAL_DIRECTORY = 'wal';
export const SNAPSHOT_DIRECTORY = 'snap';

const SEGMENT_FILE = /^(\d{16})-(\d{16})\.wal$/;
const SNAPSHOT_FILE = /^\d{16}-\d{16}\.snap$/;
const TEMP_SUFFIX = '.tmp';

export interface SegmentName {
  readonly seq: number;
  readonly firstIndex: number;
}

function pad(value: number): string {
  return value.toString().padStart(16, '0');
}

export function segmentFileName(segment: SegmentName): string {
  return `${pad(segment.seq)}-${pad(segment.firstIndex)}.wal`;
}

export function parseSegmentFileName(name: string): SegmentName | null {
  const match = SEGMENT_FILE.exec(name);
  return match ? { seq: Number(match[1]), firstIndex: Number(match[2]) } : null;
}

export function snapshotFileName(id: SnapshotId): string {
  return `${pad(id.index)}-${pad(id.term)}.snap`;
}

export function isSnapshotFileName(name: string): boolean {
  return SNAPSHOT_FILE.test(name);
}

export function tempFileName(name: string): string {
  return name + TEMP_SUFFIX;
}

export function isTempFileName(name: string): boolean {
  return name.endsWith(TEMP_SUFFIX);
}
