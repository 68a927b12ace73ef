import { describe, expect, it } from 'vitest';
import { type HostCollector, NoDataError, PartialCollectionError } from '../../../agent/host/collector.js';
import { HostScraper } from '../../../agent/host/scrape.js';
import { DEFAULT_SETTINGS } from '../../../agent/host/settings.js';
import { encode } from '../../../common/metrics/exposition.js';
import { family, single } from '../../../common/metrics/family.js';
import { parseText } from '../../support/exposition.js';
import { fixtureHost, recordingLogger } from '../../support/host-fixture.js';

function area(name: string, collect: HostCollector['collect']): HostCollector {
  return { name, defaultEnabled: true, description: name, collect };
}

describe('HostScraper', () => {
  it('serves a partial result next to success 0, and logs its error, as node_exporter does', async () => {
    const { logger, logged } = recordingLogger();
    const scraper = new HostScraper(
      [
        area('partial', async () => {
          throw new PartialCollectionError('broke half-way', [
            single('node_partial_first', 'first', 'gauge', 1),
          ]);
        }),
        area('nodata', async () => {
          throw new NoDataError('nothing here');
        }),
        area('fine', async (ctx) => {
          ctx.logger.warn({ err: 'from the area' }, 'area log');
          return [family('node_fine', 'fine', 'gauge', [{ value: 2 }])];
        }),
      ],
      { paths: fixtureHost('base'), settings: DEFAULT_SETTINGS, timeoutMs: 1000, logger },
    );
    const parsed = parseText(encode(await scraper.scrape(), 'text'));
    expect(parsed.get('node_partial_first')?.samples.get('node_partial_first')).toBe(1);
    expect(parsed.get('node_fine')?.samples.get('node_fine')).toBe(2);
    const success = parsed.get('node_scrape_collector_success')?.samples;
    expect(success?.get('node_scrape_collector_success{collector="partial"}')).toBe(0);
    expect(success?.get('node_scrape_collector_success{collector="nodata"}')).toBe(0);
    expect(success?.get('node_scrape_collector_success{collector="fine"}')).toBe(1);
    expect(logged.map((e) => [e.level, e.err])).toEqual(
      expect.arrayContaining([
        ['error', 'broke half-way'],
        ['debug', 'nothing here'],
        ['warn', 'from the area'],
      ]),
    );
    expect(logged).toHaveLength(3);
  });
});
