import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../../common/config/errors.js';
import { decodeGossip, encodeGossip, subjectFor } from '../../../common/gossip/index.js';
import { readKeyring } from '../../../common/gossip/keyring-file.js';
import { tempDir } from '../../support/processes.js';
import { CLUSTER, heartbeat } from './support.js';

describe('readKeyring', () => {
  let dir: { dir: string; remove: () => Promise<void> };
  const file = (name: string) => path.join(dir.dir, name);
  beforeAll(async () => {
    dir = await tempDir('keyring-file');
  });
  afterAll(() => dir.remove());

  it('reads one key a line, the first signing, with or without a final newline, CRLF too', async () => {
    const [k, j] = ['k'.repeat(32), 'j'.repeat(32)];
    await writeFile(file('two.key'), `${k}\r\n${j}`);
    await writeFile(file('old.key'), `${j}\n`);
    const message = heartbeat();
    const subject = subjectFor('heartbeat', CLUSTER, message.node);
    const signed = encodeGossip(message, await readKeyring(file('two.key')));
    const verifier = await readKeyring(file('old.key'));
    expect(decodeGossip(signed, { cluster: CLUSTER, subject, keyring: verifier }).ok).toBe(false);
    const both = await readKeyring(file('two.key'));
    expect(
      decodeGossip(encodeGossip(message, verifier), { cluster: CLUSTER, subject, keyring: both }).ok,
    ).toBe(true);
  });

  it.each([
    ['missing.key', undefined, '--cluster-key-file: cannot read FILE: ENOENT'],
    ['empty.key', '', '--cluster-key-file: line 1 of FILE is an empty key'],
    ['blank.key', `${'k'.repeat(32)}\n\n`, '--cluster-key-file: line 2 of FILE is an empty key'],
    ['short.key', 'short\n', '--cluster-key-file: cluster keys must be at least 32 bytes, not 5'],
  ])('refuses %s with a UsageError of one line', async (name, content, message) => {
    if (content !== undefined) await writeFile(file(name), content);
    const error = await readKeyring(file(name)).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toBe(message.replace('FILE', file(name)));
  });
});
