import { createRequire } from 'node:module';
import path from 'node:path';
import { type MetricFamily, type MetricType, single } from '../../common/metrics/family.js';
import { PACKAGE_ROOT } from '../../common/version.js';
import { type HostCollector, messageOf, NoDataError } from './collector.js';
import { errnoCode } from './sysfs.js';

/** What agent/native/timex.c returns: adjtimex(2)'s return value and the raw struct timex. */
export interface TimexState {
  readonly state: number;
  readonly offset: number;
  readonly freq: number;
  readonly maxerror: number;
  readonly esterror: number;
  readonly status: number;
  readonly constant: number;
  readonly tick: number;
  readonly ppsfreq: number;
  readonly jitter: number;
  readonly shift: number;
  readonly stabil: number;
  readonly jitcnt: number;
  readonly calcnt: number;
  readonly errcnt: number;
  readonly stbcnt: number;
  readonly tai: number;
}

interface TimexAddon {
  read(): TimexState;
}

/** adjtimex's return value when the clock is not synchronised. */
const TIME_ERROR = 5;
/** status bit: offset and jitter are in nanoseconds rather than microseconds. */
const STA_NANO = 0x2000;
/** freq, ppsfreq and stabil are ppm with a 16-bit fractional part (adjtimex(2) NOTES). */
const PPM16FRAC = 1_000_000 * 65_536;

/** node-gyp builds the addon into build/Release at the package root (binding.gyp). */
const ADDON_CANDIDATES = [path.join(PACKAGE_ROOT, 'build', 'Release', 'timex.node')];

let addonCandidates: readonly string[] = ADDON_CANDIDATES;
let addon: TimexAddon | Error | undefined;

/** Loads the native addon on first use; a missing build is remembered as an error, not retried. */
function loadAddon(): TimexAddon | Error {
  if (addon) return addon;
  const require = createRequire(import.meta.url);
  const failures: string[] = [];
  for (const candidate of addonCandidates) {
    try {
      addon = require(candidate) as TimexAddon;
      return addon;
    } catch (err) {
      failures.push((err as Error).message.split('\n')[0] ?? '');
    }
  }
  addon = new Error(
    `the timex native addon is not built (run \`npx node-gyp rebuild\` at the package root): ${failures.join('; ')}`,
  );
  return addon;
}

/** node_exporter's timex collector: the kernel's NTP discipline state from adjtimex(2). */
export const timexCollector: HostCollector = {
  name: 'timex',
  defaultEnabled: true,
  description: 'Exposes selected adjtimex(2) system call stats.',
  collect(): MetricFamily[] {
    const native = loadAddon();
    if (native instanceof Error) throw native;
    let tx: TimexState;
    try {
      tx = native.read();
    } catch (err) {
      if (errnoCode(err) === 'EPERM') throw new NoDataError(`adjtimex: ${messageOf(err)}`);
      throw new Error(`failed to retrieve adjtimex stats: ${messageOf(err)}`);
    }
    return timexFamilies(tx);
  },
};

/** node_exporter 1.5's conversions of the raw struct timex fields. */
export function timexFamilies(tx: TimexState): MetricFamily[] {
  const divisor = (tx.status & STA_NANO) !== 0 ? 1e9 : 1e6;
  const m = (name: string, help: string, value: number, type: MetricType = 'gauge') =>
    single(`node_timex_${name}`, help, type, value);
  return [
    m(
      'sync_status',
      'Is clock synchronized to a reliable server (1 = yes, 0 = no).',
      tx.state === TIME_ERROR ? 0 : 1,
    ),
    m('offset_seconds', 'Time offset in between local system and reference clock.', tx.offset / divisor),
    m('frequency_adjustment_ratio', 'Local clock frequency adjustment.', 1 + tx.freq / PPM16FRAC),
    m('maxerror_seconds', 'Maximum error in seconds.', tx.maxerror / 1e6),
    m('estimated_error_seconds', 'Estimated error in seconds.', tx.esterror / 1e6),
    m('status', 'Value of the status array bits.', tx.status),
    m('loop_time_constant', 'Phase-locked loop time constant.', tx.constant),
    m('tick_seconds', 'Seconds between clock ticks.', tx.tick / 1e6),
    m('pps_frequency_hertz', 'Pulse per second frequency.', tx.ppsfreq / PPM16FRAC),
    m('pps_jitter_seconds', 'Pulse per second jitter.', tx.jitter / divisor),
    m('pps_shift_seconds', 'Pulse per second interval duration.', tx.shift),
    m(
      'pps_stability_hertz',
      'Pulse per second stability, average of recent frequency changes.',
      tx.stabil / PPM16FRAC,
    ),
    m('pps_jitter_total', 'Pulse per second count of jitter limit exceeded events.', tx.jitcnt, 'counter'),
    m('pps_calibration_total', 'Pulse per second count of calibration intervals.', tx.calcnt, 'counter'),
    m('pps_error_total', 'Pulse per second count of calibration errors.', tx.errcnt, 'counter'),
    m(
      'pps_stability_exceeded_total',
      'Pulse per second count of stability limit exceeded events.',
      tx.stbcnt,
      'counter',
    ),
    m('tai_offset_seconds', 'International Atomic Time (TAI) offset.', tx.tai),
  ];
}

/** For tests: forget the loaded addon (or the failure) and optionally look elsewhere for it. */
export function resetTimexAddonForTests(candidates: readonly string[] = ADDON_CANDIDATES): void {
  addon = undefined;
  addonCandidates = candidates;
}
