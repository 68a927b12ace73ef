import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Parsed } from '../../../../agent/consensus/reading.js';
import { FIXTURES } from '../../../support/host-fixture.js';

/** A captured (or, where its note says so, constructed) answer under test/fixtures/consensus/. */
export function consensusFixture(file: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path.join(FIXTURES, 'consensus', file), 'utf8')) as Record<string, unknown>;
}

/** The value of a parse that must succeed; its error otherwise. */
export function ok<T>(parsed: Parsed<T>): T {
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.value;
}
