import { describe, expect, it } from 'vitest';
import { edacCollector } from '../../../agent/host/edac.js';
import {
  expectPartialLikeNodeExporter,
  expectSameAsNodeExporter,
  fixtureHost,
} from '../../support/host-fixture.js';

describe('edac collector', () => {
  it('matches node_exporter over two memory controllers', async () => {
    const ours = await expectSameAsNodeExporter(edacCollector, fixtureHost('edac-controllers'));
    expect(
      ours
        .get('node_edac_csrow_correctable_errors_total')
        ?.samples.get('node_edac_csrow_correctable_errors_total{controller="0",csrow="unknown"}'),
    ).toBe(2);
  });

  it('matches node_exporter on this host (no EDAC): success, nothing exported', async () => {
    expect([...(await expectSameAsNodeExporter(edacCollector, fixtureHost('base'))).keys()]).toEqual([]);
  });

  it('keeps what was read before a malformed csrow counter, with success 0', async () => {
    await expectPartialLikeNodeExporter(
      edacCollector,
      fixtureHost('edac-bad-csrow'),
      /ce_count for controller\/csrow 1\/1/,
    );
  });

  it('keeps what was read before a missing counter, with success 0', async () => {
    await expectPartialLikeNodeExporter(
      edacCollector,
      fixtureHost('edac-missing-noinfo'),
      /ue_noinfo_count for controller 0/,
    );
  });
});
