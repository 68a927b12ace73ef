import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { unameCollector } from '../../../agent/host/uname.js';
import {
  collectText,
  contextFor,
  expectSameAsNodeExporter,
  fixtureHost,
} from '../../support/host-fixture.js';

describe('uname collector', () => {
  it('matches node_exporter over the base fixture (a copy of this host)', async () => {
    const ours = await expectSameAsNodeExporter(unameCollector, fixtureHost('base'));
    const [key] = [...(ours.get('node_uname_info')?.samples.keys() ?? [])];
    expect(key).toContain('domainname="(none)"');
    expect(key).toContain(`nodename="${os.hostname()}"`);
  });

  it('reads the domain name from procfs', async () => {
    const text = await collectText(unameCollector, fixtureHost('uname-domain'));
    expect(text).toContain('domainname="example.org"');
    expect(text).toContain(`release="${os.release()}"`);
  });

  it('fails rather than guessing when procfs has no domain name', () => {
    expect(() => unameCollector.collect(contextFor(fixtureHost('truncated')))).toThrow(/domainname/);
  });
});
