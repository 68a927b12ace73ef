import { family, type MetricFamily, type Sample } from '../../common/metrics/family.js';
import { type HostCollector, messageOf, NoDataError, procPath, readText } from './collector.js';
import { dropRepeatedSeries } from './gather.js';
import { countOf, fields, goQuote, parseGoFloat, parseGoInt, trimSpace } from './goparse.js';
import { isNotExist } from './sysfs.js';

export interface MdStat {
  readonly name: string;
  /** active, inactive, ... as listed, or recovering / resyncing / checking while syncing. */
  readonly activityState: string;
  readonly disksActive: number;
  readonly disksTotal: number;
  readonly disksFailed: number;
  readonly disksSpare: number;
  readonly blocksTotal: number;
  readonly blocksSynced: number;
}

const STATUS_LINE = /(\d+) blocks .*\[(\d+)\/(\d+)\] \[([U_]+)\]/;
const RECOVERY_BLOCKS = /\((\d+)\/\d+\)/;
/** The recovery line's fields procfs checks (and discards): pattern, name, and what precedes ParseFloat. */
const RECOVERY_CHECKS: readonly (readonly [RegExp, string, (s: string) => string])[] = [
  [/= (.+)%/, 'percentage', trimSpace],
  [/finish=(.+)min/, 'est. finish time', (s) => s],
  [/speed=(.+)[A-Z]/, 'speed', (s) => s],
];

/** node_md_state's label for each activity state; the values differ for two of them, as upstream. */
const STATES: readonly (readonly [string, string])[] = [
  ['active', 'active'],
  ['inactive', 'inactive'],
  ['recovering', 'recovering'],
  ['resyncing', 'resync'],
  ['checking', 'check'],
];

/** node_exporter's mdadm collector: software RAID arrays from /proc/mdstat. */
export const mdadmCollector: HostCollector = {
  name: 'mdadm',
  defaultEnabled: true,
  description: 'Exposes statistics about devices in /proc/mdstat (does nothing if no /proc/mdstat present).',
  collect(ctx): MetricFamily[] {
    const file = procPath(ctx, 'mdstat');
    let text: string;
    try {
      text = readText(file);
    } catch (err) {
      if (isNotExist(err)) {
        throw new NoDataError(`Not collecting mdstat, file does not exist: ${file}`);
      }
      throw new Error(`error parsing mdstatus: ${messageOf(err)}`, { cause: err });
    }
    let arrays: MdStat[];
    try {
      arrays = parseMdstat(text);
    } catch (err) {
      throw new Error(`error parsing mdstatus: error parsing mdstat ${goQuote(file)}: ${messageOf(err)}`, {
        cause: err,
      });
    }
    return toFamilies(arrays);
  },
};

/** procfs's parseMDStat (the version Debian's node_exporter 1.5.0 is built with). */
export function parseMdstat(text: string): MdStat[] {
  const lines = text.split('\n');
  const arrays: MdStat[] = [];
  lines.forEach((line, i) => {
    const deviceFields = fields(line);
    if (
      deviceFields.length === 0 ||
      line[0] === ' ' ||
      line.startsWith('Personalities') ||
      line.startsWith('unused')
    ) {
      return;
    }
    if (deviceFields.length < 3)
      throw new Error(`not enough fields in mdline (expected at least 3): ${line}`);
    const name = deviceFields[0] as string;
    let state = deviceFields[2] as string;
    if (lines.length <= i + 3) throw new Error(`error parsing ${goQuote(name)}: too few lines for md device`);

    // Failed disks have the suffix (F), spare disks (S).
    const disksFailed = countOf(line, '(F)');
    const disksSpare = countOf(line, '(S)');
    let status: ReturnType<typeof evalStatusLine>;
    try {
      status = evalStatusLine(line, lines[i + 1] as string);
    } catch (err) {
      throw new Error(`error parsing md device lines: ${messageOf(err)}`);
    }

    const syncLine = lines[(lines[i + 2] as string).includes('bitmap') ? i + 3 : i + 2] as string;
    let blocksSynced = status.size;
    const recovering = syncLine.includes('recovery');
    const resyncing = syncLine.includes('resync');
    const checking = syncLine.includes('check');
    if (recovering || resyncing || checking) {
      state = recovering ? 'recovering' : checking ? 'checking' : 'resyncing';
      if (syncLine.includes('PENDING') || syncLine.includes('DELAYED')) {
        blocksSynced = 0;
      } else {
        try {
          blocksSynced = evalRecoveryLine(syncLine);
        } catch (err) {
          throw new Error(`error parsing sync line in md device ${goQuote(name)}: ${messageOf(err)}`);
        }
      }
    }
    arrays.push({
      name,
      activityState: state,
      disksActive: status.active,
      disksTotal: status.total,
      disksFailed,
      disksSpare,
      blocksTotal: status.size,
      blocksSynced,
    });
  });
  return arrays;
}

function evalStatusLine(
  deviceLine: string,
  statusLine: string,
): { active: number; total: number; size: number } {
  const statusFields = fields(statusLine);
  if (statusFields.length < 1) throw new Error(`unexpected statusLine ${goQuote(statusLine)}`);
  const size = parseOrExplain(
    () => parseGoInt(statusFields[0] as string),
    `unexpected statusLine ${goQuote(statusLine)}`,
  );
  if (deviceLine.includes('raid0') || deviceLine.includes('linear')) {
    // Only member disks carry a [n] on the device line.
    const total = countOf(deviceLine, '[');
    return { active: total, total, size };
  }
  if (deviceLine.includes('inactive')) return { active: 0, total: 0, size };
  const m = STATUS_LINE.exec(statusLine);
  if (!m) throw new Error(`couldn't find all the substring matches: ${statusLine}`);
  const total = parseOrExplain(
    () => parseGoInt(m[2] as string),
    `unexpected statusLine ${goQuote(statusLine)}`,
  );
  const active = parseOrExplain(
    () => parseGoInt(m[3] as string),
    `unexpected statusLine ${goQuote(statusLine)}`,
  );
  return { active, total, size };
}

/** The synced block count; the percentage, finish time and speed must parse too, though unused. */
function evalRecoveryLine(line: string): number {
  const blocks = RECOVERY_BLOCKS.exec(line);
  if (!blocks) throw new Error(`unexpected recoveryLine: ${line}`);
  const synced = parseOrExplain(
    () => parseGoInt(blocks[1] as string),
    `error parsing int from recoveryLine ${goQuote(line)}`,
  );
  for (const [re, what, prepare] of RECOVERY_CHECKS) {
    const m = re.exec(line);
    if (!m) throw new Error(`unexpected recoveryLine matching ${what}: ${line}`);
    parseOrExplain(
      () => parseGoFloat(prepare(m[1] as string)),
      `error parsing float from recoveryLine ${goQuote(line)}`,
    );
  }
  return synced;
}

function parseOrExplain(parse: () => number, context: string): number {
  try {
    return parse();
  } catch (err) {
    throw new Error(`${context}: ${messageOf(err)}`);
  }
}

function toFamilies(arrays: MdStat[]): MetricFamily[] {
  const required: Sample[] = [];
  const disks: Sample[] = [];
  const state: Sample[] = [];
  const blocks: Sample[] = [];
  const synced: Sample[] = [];
  for (const md of arrays) {
    const device = md.name;
    required.push({ labels: { device }, value: md.disksTotal });
    disks.push({ labels: { device, state: 'active' }, value: md.disksActive });
    disks.push({ labels: { device, state: 'failed' }, value: md.disksFailed });
    disks.push({ labels: { device, state: 'spare' }, value: md.disksSpare });
    for (const [activity, label] of STATES) {
      state.push({ labels: { device, state: label }, value: md.activityState === activity ? 1 : 0 });
    }
    blocks.push({ labels: { device }, value: md.blocksTotal });
    synced.push({ labels: { device }, value: md.blocksSynced });
  }
  const families = [
    family('node_md_disks_required', 'Total number of disks of device.', 'gauge', required),
    family('node_md_disks', 'Number of active/failed/spare disks of device.', 'gauge', disks),
    family('node_md_state', 'Indicates the state of md-device.', 'gauge', state),
    family('node_md_blocks', 'Total number of blocks on device.', 'gauge', blocks),
    family('node_md_blocks_synced', 'Number of blocks synced on device.', 'gauge', synced),
  ];
  return new Set(arrays.map((md) => md.name)).size === arrays.length
    ? families
    : dropRepeatedSeries(families);
}
