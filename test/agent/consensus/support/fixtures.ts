import { readFileSync } from 'node:fs';
import path from 'node:path';
import { FIXTURES } from '../../../support/host-fixture.js';

/** A captured (or, where its note says so, constructed) answer under test/fixtures/consensus/. */
export function consensusFixture(file: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path.join(FIXTURES, 'consensus', file), 'utf8')) as Record<string, unknown>;
}
