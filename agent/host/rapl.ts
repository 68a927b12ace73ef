import path from 'node:path';
import { family, type MetricFamily } from '../../common/metrics/family.js';
import {
  type HostCollector,
  messageOf,
  NoDataError,
  PartialCollectionError,
  readText,
  sysPath,
} from './collector.js';
import { trimSpace } from './goparse.js';
import { isNotExist, isPermission, readDir, readUintFromFile } from './sysfs.js';

/**
 * node_exporter's rapl collector (without --collector.rapl.enable-zone-label, its default): one
 * counter per RAPL zone of /sys/class/powercap, named after the zone.
 */
export const raplCollector: HostCollector = {
  name: 'rapl',
  defaultEnabled: true,
  description: 'Exposes various statistics from /sys/class/powercap.',
  collect(ctx): MetricFamily[] {
    const dir = sysPath(ctx, 'class/powercap');
    let zones: Zone[];
    try {
      zones = raplZones(dir);
    } catch (err) {
      // A missing or unreadable powercap tree (or zone file) means no RAPL on this platform.
      if (isNotExist(err) || isPermission(err)) {
        throw new NoDataError(`platform doesn't have powercap files present: ${messageOf(err)}`);
      }
      throw new Error(`failed to retrieve rapl stats: ${messageOf(err)}`, { cause: err });
    }
    const families = new Map<string, MetricFamily>();
    for (const zone of zones) {
      let microjoules: number;
      try {
        microjoules = readUintFromFile(path.join(zone.path, 'energy_uj'));
      } catch (err) {
        if (isPermission(err)) throw new NoDataError(`can't access energy_uj: ${messageOf(err)}`);
        throw new PartialCollectionError(messageOf(err), [...families.values()], { cause: err });
      }
      const name = `node_rapl_${sanitizeMetricName(`${zone.name}_joules_total`)}`;
      let f = families.get(name);
      if (!f) {
        f = family(name, `Current RAPL ${zone.name} value in joules`, 'counter');
        families.set(name, f);
      }
      f.samples.push({
        labels: { index: String(zone.index), path: zone.path },
        value: microjoules / 1000000.0,
      });
    }
    return [...families.values()];
  },
};

interface Zone {
  readonly name: string;
  readonly index: number;
  readonly path: string;
}

/** procfs' GetRaplZones: every entry with a `name` file is a zone; max_energy_range_uj must read. */
function raplZones(dir: string): Zone[] {
  const entries = readDir(dir);
  const uses = new Map<string, number>();
  const zones: Zone[] = [];
  for (const entry of entries) {
    const zoneDir = path.join(dir, entry);
    const rawName = readZoneName(zoneDir);
    if (rawName === undefined) continue;
    const [index, name] = indexAndName(uses, trimSpace(rawName));
    readUintFromFile(path.join(zoneDir, 'max_energy_range_uj'));
    zones.push({ name, index, path: zoneDir });
    uses.set(name, index + 1);
  }
  return zones;
}

/**
 * A zone's `name` file; an entry whose name cannot be read (any error) is not a zone. Untrimmed:
 * readAttribute's String.trim would also strip a U+FEFF that Go's TrimSpace keeps.
 */
function readZoneName(zoneDir: string): string | undefined {
  try {
    return readText(path.join(zoneDir, 'name'));
  } catch {
    return undefined;
  }
}

/** "package-1" carries its index; other names are numbered by how often they were seen. */
function indexAndName(uses: Map<string, number>, name: string): [number, string] {
  const parts = name.split('-');
  if (parts.length === 2 && /^[+-]?[0-9]+$/.test(parts[1] ?? '')) return [Number(parts[1]), parts[0] ?? ''];
  return [uses.get(name) ?? 0, name];
}

/** node_exporter's SanitizeMetricName: every run of other characters (and its `_`s) to one `_`. */
function sanitizeMetricName(name: string): string {
  return name.replace(/_*[^0-9A-Za-z_]+_*/g, '_');
}
