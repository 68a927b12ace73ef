import { type MetricFamily, single } from '../../common/metrics/family.js';
import { type HostCollector, messageOf, procPath, readText } from './collector.js';
import { isValidMetricName } from './gather.js';
import { fields, parseGoFloat, scanLines } from './goparse.js';
import { isNotExist } from './sysfs.js';

/** protocol → field → raw value, as node_exporter keeps them before filtering. */
export type NetStats = Map<string, Map<string, string>>;

/**
 * Parses /proc/net/netstat or /proc/net/snmp as node_exporter's parseNetStats does: pairs of lines,
 * `Proto: names…` then `Proto: values…`, split on single spaces. A protocol seen twice keeps only
 * its last pair; a missing value line counts as empty.
 */
export function parseNetStats(text: string, fileName: string): NetStats {
  const stats: NetStats = new Map();
  const lines = scanLines(text);
  for (let i = 0; i < lines.length; i += 2) {
    const names = (lines[i] as string).split(' ');
    const values = (lines[i + 1] ?? '').split(' ');
    const header = names[0] as string;
    // node_exporter slices off the trailing colon unchecked and panics on an empty line.
    if (header === '') throw new Error(`empty line where a protocol header was expected in ${fileName}`);
    const protocol = header.slice(0, -1);
    const pairs = new Map<string, string>();
    stats.set(protocol, pairs);
    if (names.length !== values.length)
      throw new Error(`mismatch field count mismatch in ${fileName}: ${protocol}`);
    for (let j = 1; j < names.length; j++) pairs.set(names[j] as string, values[j] as string);
  }
  return stats;
}

/** Parses /proc/net/snmp6 (`Ip6InReceives  12`): the protocol is the name up to its first "6". */
export function parseSnmp6(text: string): NetStats {
  const stats: NetStats = new Map();
  for (const line of scanLines(text)) {
    const words = fields(line);
    if (words.length < 2) continue;
    const name = words[0] as string;
    const six = name.indexOf('6');
    if (six < 0) continue;
    const protocol = name.slice(0, six + 1);
    let protocolStats = stats.get(protocol);
    if (!protocolStats) {
      protocolStats = new Map();
      stats.set(protocol, protocolStats);
    }
    protocolStats.set(name.slice(six + 1), words[1] as string);
  }
  return stats;
}

function readStats(file: string, what: string): NetStats {
  try {
    return parseNetStats(readText(file), file);
  } catch (err) {
    throw new Error(`couldn't get ${what}: ${messageOf(err)}`, { cause: err });
  }
}

/** /proc/net/snmp6 is absent when IPv6 is disabled: node_exporter then reports IPv4 only. */
function readSnmp6(file: string): NetStats {
  let text: string;
  try {
    text = readText(file);
  } catch (err) {
    if (isNotExist(err)) return new Map();
    throw new Error(`couldn't get SNMP6 stats: ${messageOf(err)}`, { cause: err });
  }
  return parseSnmp6(text);
}

interface SelectedField {
  readonly metric: string;
  readonly help: string;
  readonly valid: boolean;
}

/** Past this many remembered fields (the kernel has a few hundred), the memo starts over. */
const MAX_REMEMBERED_FIELDS = 4096;

/**
 * Whether the fields setting selects `<protocol>_<field>`, and the names its sample gets, worked out
 * once per field rather than on every scrape: the field names are the kernel's, a fixed set. Only
 * names are remembered, never values.
 */
class SelectedNames {
  readonly #pattern: RegExp;
  readonly #byProtocol = new Map<string, Map<string, SelectedField | null>>();
  #size = 0;

  constructor(pattern: RegExp) {
    this.#pattern = pattern;
  }

  of(protocol: string, name: string): SelectedField | null {
    let byName = this.#byProtocol.get(protocol);
    const known = byName?.get(name);
    if (known !== undefined) return known;
    if (this.#size >= MAX_REMEMBERED_FIELDS) {
      this.#byProtocol.clear();
      this.#size = 0;
      byName = undefined;
    }
    if (byName === undefined) {
      byName = new Map();
      this.#byProtocol.set(protocol, byName);
    }
    const key = `${protocol}_${name}`;
    this.#pattern.lastIndex = 0; // harmless for plain regexes, needed if the setting carries /g or /y
    const metric = `node_netstat_${key}`;
    const selected = this.#pattern.test(key)
      ? { metric, help: `Statistic ${protocol}${name}.`, valid: isValidMetricName(metric) }
      : null;
    byName.set(name, selected);
    this.#size++;
    return selected;
  }
}

const SELECTED_NAMES = new WeakMap<RegExp, SelectedNames>();

function selectedNames(pattern: RegExp): SelectedNames {
  let names = SELECTED_NAMES.get(pattern);
  if (names === undefined) {
    names = new SelectedNames(pattern);
    SELECTED_NAMES.set(pattern, names);
  }
  return names;
}

/**
 * node_exporter's netstat collector: every `Protocol_Field` of /proc/net/netstat, /proc/net/snmp
 * and /proc/net/snmp6 that matches settings.netstat.fields, as an untyped node_netstat_* sample.
 * Like node_exporter, any value that is not a number fails the scrape, selected or not.
 */
export const netstatCollector: HostCollector = {
  name: 'netstat',
  defaultEnabled: true,
  description: 'Exposes network statistics from /proc/net/netstat.',
  collect(ctx): MetricFamily[] {
    const netstat = readStats(procPath(ctx, 'net', 'netstat'), 'netstats');
    const snmp = readStats(procPath(ctx, 'net', 'snmp'), 'SNMP stats');
    const snmp6 = readSnmp6(procPath(ctx, 'net', 'snmp6'));
    // A protocol in a later file replaces the earlier one wholesale, as node_exporter's merge does.
    for (const [protocol, stats] of snmp) netstat.set(protocol, stats);
    for (const [protocol, stats] of snmp6) netstat.set(protocol, stats);
    const names = selectedNames(ctx.settings.netstat.fields);
    const families: MetricFamily[] = [];
    for (const [protocol, stats] of netstat) {
      for (const [name, raw] of stats) {
        let value: number;
        try {
          value = parseGoFloat(raw);
        } catch {
          throw new Error(`invalid value ${raw} in netstats: ${protocol}${name}`);
        }
        const selected = names.of(protocol, name);
        if (selected === null) continue;
        // client_golang rejects such a name (node_exporter 1.5 panics on it); fail the scrape instead.
        if (!selected.valid)
          throw new Error(`invalid netstat metric name ${JSON.stringify(selected.metric)}`);
        families.push(single(selected.metric, selected.help, 'untyped', value));
      }
    }
    return families;
  },
};
