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

  it('runs synchronous areas, whose throws count as failures and whose durations are their own', async () => {
    const { logger, logged } = recordingLogger();
    const busyMs = 200;
    const order: string[] = [];
    const scraper = new HostScraper(
      [
        area('quick', () => {
          order.push('quick');
          return [single('node_quick', 'quick', 'gauge', 2)];
        }),
        area('busy', () => {
          order.push('busy');
          const until = performance.now() + busyMs;
          while (performance.now() < until) {
            // holds the thread, as a slow synchronous read would
          }
          return [single('node_busy', 'busy', 'gauge', 1)];
        }),
        area('absent', () => {
          throw new NoDataError('no such hardware');
        }),
        area('halfway', () => {
          throw new PartialCollectionError('broke', [single('node_halfway', 'halfway', 'gauge', 3)]);
        }),
        area('waits', async () => [single('node_waits', 'waits', 'gauge', 4)]),
      ],
      { paths: fixtureHost('base'), settings: DEFAULT_SETTINGS, timeoutMs: 10_000, logger },
    );
    const parsed = parseText(encode(await scraper.scrape(), 'text'));
    expect(order).toEqual(['quick', 'busy']);
    for (const [name, value] of [
      ['node_busy', 1],
      ['node_quick', 2],
      ['node_halfway', 3],
      ['node_waits', 4],
    ] as const) {
      expect(parsed.get(name)?.samples.get(name)).toBe(value);
    }
    const success = parsed.get('node_scrape_collector_success')?.samples;
    const seconds = parsed.get('node_scrape_collector_duration_seconds')?.samples;
    const of = (m: Map<string, number> | undefined, c: string) =>
      m?.get(
        `${m === success ? 'node_scrape_collector_success' : 'node_scrape_collector_duration_seconds'}{collector="${c}"}`,
      );
    expect(['busy', 'quick', 'absent', 'halfway', 'waits'].map((c) => of(success, c))).toEqual([
      1, 1, 0, 0, 1,
    ]);
    // The busy area's time is its own: the area that ran before it does not count it.
    expect(of(seconds, 'busy')).toBeGreaterThanOrEqual(busyMs / 1000);
    expect(of(seconds, 'quick')).toBeLessThan(busyMs / 1000);
    expect(logged.map((e) => [e.level, e.err])).toEqual([
      ['debug', 'no such hardware'],
      ['error', 'broke'],
    ]);
  });
});
