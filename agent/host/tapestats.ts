import path from 'node:path';
import { family, type MetricFamily, type MetricType } from '../../common/metrics/family.js';
import { type HostCollector, sysPath } from './collector.js';
import { parseGoUint } from './goparse.js';
import { errnoCode, readDirOrNoData, sysReadFile } from './sysfs.js';

const TAPE = /^st[0-9]+$/;
const NS = 0.000000001;

/** Counter file → metric, help, type and scale, in node_exporter's order. */
const METRICS: ReadonlyArray<readonly [string, string, string, MetricType, number]> = [
  ['in_flight', 'io_now', 'The number of I/Os currently outstanding to this device.', 'gauge', 1],
  [
    'io_ns',
    'io_time_seconds_total',
    'The amount of time spent waiting for all I/O to complete (including read and write). This includes tape movement commands such as seeking between file or set marks and implicit tape movement such as when rewind on close tape devices are used.',
    'counter',
    NS,
  ],
  [
    'other_cnt',
    'io_others_total',
    'The number of I/Os issued to the tape drive other than read or write commands. The time taken to complete these commands uses the following calculation io_time_seconds_total-read_time_seconds_total-write_time_seconds_total',
    'counter',
    1,
  ],
  ['read_byte_cnt', 'read_bytes_total', 'The number of bytes read from the tape drive.', 'counter', 1],
  [
    'read_cnt',
    'reads_completed_total',
    'The number of read requests issued to the tape drive.',
    'counter',
    1,
  ],
  [
    'read_ns',
    'read_time_seconds_total',
    'The amount of time spent waiting for read requests to complete.',
    'counter',
    NS,
  ],
  [
    'resid_cnt',
    'residual_total',
    'The number of times during a read or write we found the residual amount to be non-zero. This should mean that a program is issuing a read larger thean the block size on tape. For write not all data made it to tape.',
    'counter',
    1,
  ],
  ['write_byte_cnt', 'written_bytes_total', 'The number of bytes written to the tape drive.', 'counter', 1],
  [
    'write_cnt',
    'writes_completed_total',
    'The number of write requests issued to the tape drive.',
    'counter',
    1,
  ],
  [
    'write_ns',
    'write_time_seconds_total',
    'The amount of time spent waiting for write requests to complete.',
    'counter',
    NS,
  ],
];

/** node_exporter's tapestats collector: the statistics of st<N> devices in /sys/class/scsi_tape. */
export const tapestatsCollector: HostCollector = {
  name: 'tapestats',
  defaultEnabled: true,
  description: 'Exposes tape device stats from /sys/class/scsi_tape.',
  collect(ctx): MetricFamily[] {
    const dir = sysPath(ctx, 'class/scsi_tape');
    const names = readDirOrNoData(dir, 'scsi_tape stats not found, skipping');
    // The n-prefixed and a/l/m-suffixed nodes are the same drive: only st<N> counts.
    const tapes = names.filter((n) => TAPE.test(n)).map((n) => readTape(dir, n));
    return METRICS.map(([file, name, help, type, scale]) =>
      family(
        `node_tape_${name}`,
        help,
        type,
        tapes.map((t) => ({ labels: { device: t.name }, value: (t.counters.get(file) ?? 0) * scale })),
      ),
    );
  },
};

function readTape(dir: string, name: string): { name: string; counters: Map<string, number> } {
  const statsDir = path.join(dir, name, 'stats');
  // procfs returns the bare ReadDir error, which node_exporter recognises as "not found".
  const files = readDirOrNoData(statsDir, `open ${statsDir}: no such file or directory`);
  const counters = new Map<string, number>();
  for (const file of files) {
    const full = path.join(statsDir, file);
    let value: string;
    try {
      value = sysReadFile(full);
    } catch (err) {
      throw new Error(
        `error obtaining SCSITape class info: failed to read file ${JSON.stringify(full)}: ${errnoCode(err) ?? err}`,
      );
    }
    // Every counter procfs knows must parse (node_exporter 1.5 even crashes when one does not).
    if (METRICS.some(([known]) => known === file)) counters.set(file, parseGoUint(value, 0));
  }
  return { name, counters };
}
