import path from 'node:path';
import { family, type MetricFamily, single } from '../../common/metrics/family.js';
import { type HostCollector, readText, sysPath } from './collector.js';
import { fields } from './goparse.js';
import { globNumbered, sysReadFile } from './sysfs.js';

/**
 * node_exporter's time collector: wall-clock time, the local zone and its offset, and the
 * clocksources of /sys/devices/system/clocksource.
 */
export const timeCollector: HostCollector = {
  name: 'time',
  defaultEnabled: true,
  description: 'Exposes the current system time.',
  collect(ctx): MetricFamily[] {
    const now = new Date();
    const zone = localZone();
    const families: MetricFamily[] = [
      single(
        'node_time_seconds',
        'System time in seconds since epoch (1970).',
        'gauge',
        now.getTime() / 1000,
      ),
      family('node_time_zone_offset_seconds', 'System time zone offset in seconds.', 'gauge', [
        { labels: { time_zone: zone.abbreviation(now) }, value: -now.getTimezoneOffset() * 60 },
      ]),
    ];
    const available = family(
      'node_time_clocksource_available_info',
      "Available clocksources read from '/sys/devices/system/clocksource'.",
      'gauge',
    );
    const current = family(
      'node_time_clocksource_current_info',
      "Current clocksource read from '/sys/devices/system/clocksource'.",
      'gauge',
    );
    const dir = sysPath(ctx, 'devices/system/clocksource');
    const names = globNumbered(dir, 'clocksource');
    const sources = names.map((name) => ({
      available: sysReadFile(path.join(dir, name, 'available_clocksource')),
      current: sysReadFile(path.join(dir, name, 'current_clocksource')),
    }));
    // node_exporter labels each clocksource directory by its position in the sorted glob.
    sources.forEach((source, i) => {
      const device = String(i);
      for (const clocksource of fields(source.available)) {
        available.samples.push({ labels: { device, clocksource }, value: 1 });
      }
      current.samples.push({ labels: { device, clocksource: source.current }, value: 1 });
    });
    families.push(available, current);
    return families;
  },
};

/** The abbreviation Go's time package gives the local zone at an instant ("UTC", "CET", "+03"). */
interface LocalZone {
  abbreviation(at: Date): string;
}

const UTC_ZONE: LocalZone = { abbreviation: () => 'UTC' };
const ZONEINFO_DIRS = ['/usr/share/zoneinfo/', '/usr/share/lib/zoneinfo/', '/usr/lib/locale/TZ/'];

// Go loads the local zone once per process; so do we, per value of $TZ (tests change it).
const zoneCache = new Map<string | undefined, LocalZone>();

function localZone(): LocalZone {
  const tz = process.env.TZ;
  let zone = zoneCache.get(tz);
  if (!zone) {
    zone = loadLocalZone(tz);
    zoneCache.set(tz, zone);
  }
  return zone;
}

/** Mirrors Go's initLocal: $TZ unset → /etc/localtime, "" or "UTC" or unloadable → UTC. */
function loadLocalZone(tz: string | undefined): LocalZone {
  let candidates: string[];
  if (tz === undefined) {
    candidates = ['/etc/localtime'];
  } else {
    const name = tz.startsWith(':') ? tz.slice(1) : tz;
    if (name === '' || name === 'UTC') return UTC_ZONE;
    candidates = name.startsWith('/') ? [name] : ZONEINFO_DIRS.map((dir) => dir + name);
  }
  for (const file of candidates) {
    const data = readZoneFile(file);
    if (data?.startsWith('TZif')) return zoneFromFooter(data);
  }
  return UTC_ZONE;
}

/** A candidate zone file's contents, undefined when it is absent or unreadable. */
function readZoneFile(file: string): string | undefined {
  try {
    return readText(file);
  } catch {
    return undefined;
  }
}

/**
 * A TZif file (v2+) ends with a POSIX TZ string between newlines, e.g. "CET-1CEST,M3.5.0,M10.5.0/3"
 * or "<+03>-3"; the binary tables before it decode as garbage, but cannot hide the footer's
 * newlines. The zone's offset comes from the JS clock (same tz database); the footer supplies the
 * abbreviations, which ICU does not know.
 */
function zoneFromFooter(data: string): LocalZone {
  const end = data.endsWith('\n') ? data.length - 1 : data.length;
  const footer = data.slice(data.lastIndexOf('\n', end - 1) + 1, end);
  const parsed = parsePosixTz(footer);
  if (!parsed) return intlZone();
  const { std, stdOffset, dst } = parsed;
  if (dst === undefined) return { abbreviation: () => std };
  return { abbreviation: (at) => (-at.getTimezoneOffset() * 60 === stdOffset ? std : dst) };
}

const TZ_NAME = /^(?:<([^>]*)>|([A-Za-z]{3,}))/;
const TZ_OFFSET = /^([+-]?)(\d{1,3})(?::(\d{1,2}))?(?::(\d{1,2}))?/;

function parsePosixTz(spec: string): { std: string; stdOffset: number; dst?: string } | undefined {
  const std = TZ_NAME.exec(spec);
  if (!std) return undefined;
  const rest = spec.slice(std[0].length);
  const offset = TZ_OFFSET.exec(rest);
  if (!offset) return undefined;
  const seconds = Number(offset[2]) * 3600 + Number(offset[3] ?? 0) * 60 + Number(offset[4] ?? 0);
  // POSIX offsets count west of Greenwich: "CET-1" is UTC+1.
  const stdOffset = offset[1] === '-' ? seconds : -seconds;
  const dst = TZ_NAME.exec(rest.slice(offset[0].length));
  const stdName = std[1] ?? std[2] ?? '';
  return dst ? { std: stdName, stdOffset, dst: dst[1] ?? dst[2] ?? '' } : { std: stdName, stdOffset };
}

/** Fallback for a TZif file without a footer (version 1): ICU's short name. */
function intlZone(): LocalZone {
  const format = new Intl.DateTimeFormat('en-US', { timeZoneName: 'short' });
  return {
    abbreviation: (at) => format.formatToParts(at).find((p) => p.type === 'timeZoneName')?.value ?? 'UTC',
  };
}
