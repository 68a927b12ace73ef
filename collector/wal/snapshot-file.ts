import { open, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import type { Snapshot } from '../raft/index.js';
import { syncDirectory } from './directory.js';
import { snapshotFileName, tempFileName } from './file-names.js';
import { decodeSnapshot, encodeSnapshot, type SnapshotId } from './payload.js';
import { readRecord } from './record.js';

/** Writes the file under a temporary name, syncs it, renames it into place and syncs the directory. */
export async function writeSnapshotFile(dir: string, snapshot: Snapshot): Promise<void> {
  const path = join(dir, snapshotFileName(snapshot));
  const temp = tempFileName(path);
  const handle = await open(temp, 'w');
  try {
    await handle.writeFile(encodeSnapshot(snapshot));
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temp, path);
  await syncDirectory(dir);
}

export type SnapshotRead =
  | { readonly ok: true; readonly snapshot: Snapshot }
  | { readonly ok: false; readonly problem: string };

/** Reads the snapshot file `id` names: one record, intact, holding the snapshot the name says. */
export async function readSnapshotFile(dir: string, id: SnapshotId): Promise<SnapshotRead> {
  let bytes: Buffer;
  try {
    bytes = await readFile(join(dir, snapshotFileName(id)));
  } catch (error) {
    return { ok: false, problem: `cannot be read: ${(error as Error).message}` };
  }
  const record = readRecord(bytes, 0);
  if (!record.ok) return { ok: false, problem: record.problem };
  if (record.end !== bytes.length)
    return { ok: false, problem: `${bytes.length - record.end} trailing bytes` };
  try {
    const snapshot = decodeSnapshot(record.type, record.payload);
    if (snapshot.index !== id.index || snapshot.term !== id.term) {
      return { ok: false, problem: `holds the snapshot at index ${snapshot.index}, term ${snapshot.term}` };
    }
    return { ok: true, snapshot };
  } catch (error) {
    return { ok: false, problem: (error as Error).message };
  }
}
