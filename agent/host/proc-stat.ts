import { type CollectContext, procPath, readOncePerScrape, readText } from './collector.js';
import { digitsEnd, isSpace, scanFloat, scannerLines, scanUint, skipSpaces, tokenEnd } from './goparse.js';
import { limitProcfsRead } from './sysfs.js';

/*
 * /proc/stat as node_exporter 1.5 reads it (prometheus/procfs 0.8's Stat()), parsed once for both the
 * cpu and the stat collector, with the Go-compatible scanners of goparse.ts: a file node_exporter
 * fails on fails here too, and yields the same numbers otherwise.
 */

/** procfs divides /proc/stat's CPU ticks by a fixed USER_HZ of 100, whatever the kernel's CONFIG_HZ. */
export const USER_HZ = 100;

/** Index of each /proc/stat CPU column in a CpuTimes row, in the file's order. */
export const CPU_FIELDS = [
  'user',
  'nice',
  'system',
  'idle',
  'iowait',
  'irq',
  'softirq',
  'steal',
  'guest',
  'guest_nice',
] as const;
export const IDLE = 3;
export const GUEST = 8;
export const GUEST_NICE = 9;

/** Seconds per CPU_FIELDS column; columns an old kernel does not print stay 0. */
export type CpuTimes = number[];

/** A row of zeros (a plain array: typed arrays cost far more to allocate than they save here). */
export function zeroTimes(): CpuTimes {
  return [0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
}

export interface ProcStat {
  readonly bootTime: number;
  readonly irqTotal: number;
  readonly contextSwitches: number;
  readonly processesCreated: number;
  readonly processesRunning: number;
  readonly processesBlocked: number;
  /**
   * Indexed by CPU number. procfs 0.8 grows a slice up to the highest number seen, so a CPU missing
   * from the file below the highest one (an offline CPU) is there with all zeros.
   */
  readonly cpus: readonly CpuTimes[];
}

/** procfs would allocate a slice this long for `cpuN`; Linux's NR_CPUS tops out at 8192. */
const MAX_CPU_ID = 1 << 16;

/** /proc/stat, parsed: the cpu and stat areas of one scrape share one read and one parse. */
export function readProcStat(ctx: CollectContext): ProcStat {
  const file = procPath(ctx, 'stat');
  return readOncePerScrape(ctx, file, () => parseProcStat(readText(file), file));
}

export function parseProcStat(text: string, file = '/proc/stat'): ProcStat {
  const { lines, tooLong } = scannerLines(limitProcfsRead(text));
  if (tooLong) throw new Error(`couldn't parse ${JSON.stringify(file)}: bufio.Scanner: token too long`);
  let bootTime = 0;
  let irqTotal = 0;
  let contextSwitches = 0;
  let processesCreated = 0;
  let processesRunning = 0;
  let processesBlocked = 0;
  const cpus: CpuTimes[] = [];
  for (const line of lines) {
    const keyStart = skipSpaces(line, 0);
    const keyEnd = tokenEnd(line, keyStart);
    const valueStart = skipSpaces(line, keyEnd);
    if (valueStart >= line.length) continue; // procfs wants at least <key> <value>
    const key = line.slice(keyStart, keyEnd);
    const value = (): number => uintField(line.slice(valueStart, tokenEnd(line, valueStart)), key);
    switch (key) {
      case 'btime':
        bootTime = value();
        break;
      case 'intr':
        irqTotal = value();
        checkUintFields(line, tokenEnd(line, valueStart)); // procfs parses every numbered IRQ too
        break;
      case 'ctxt':
        contextSwitches = value();
        break;
      case 'processes':
        processesCreated = value();
        break;
      case 'procs_running':
        processesRunning = value();
        break;
      case 'procs_blocked':
        processesBlocked = value();
        break;
      case 'softirq':
        checkSoftirqLine(line);
        break;
      default:
        if (key.startsWith('cpu')) addCpuLine(cpus, line, key);
    }
  }
  return { bootTime, irqTotal, contextSwitches, processesCreated, processesRunning, processesBlocked, cpus };
}

/** fmt.Sscanf(line, "%s %f %f %f %f %f %f %f %f %f %f"): missing trailing columns are allowed. */
function addCpuLine(cpus: CpuTimes[], line: string, name: string): void {
  const times = zeroTimes();
  let pos = tokenEnd(line, skipSpaces(line, 0));
  for (let i = 0; i < times.length; i++) {
    if (pos >= line.length) break; // Sscanf's io.EOF, which procfs tolerates
    if (!isSpace(line.charCodeAt(pos))) throw cpuLineError(line, 'expected space in input to match format');
    pos = skipSpaces(line, pos);
    if (pos >= line.length) break;
    const [seconds, end] = scanFloat(line, pos, () => cpuLineError(line, 'invalid number'));
    times[i] = seconds / USER_HZ;
    pos = end;
  }
  if (name === 'cpu') return; // the all-CPU total, which neither collector exports
  const idText = name.slice(3);
  if (!/^[+-]?[0-9]+$/.test(idText)) throw new Error(`couldn't parse ${JSON.stringify(line)} (cpu/cpuid)`);
  const id = Number(idText);
  if (id === -1) return; // procfs takes cpu-1 for the total too
  // Go indexes the slice with a negative id and panics; a huge one is a huge allocation.
  if (id < 0 || id > MAX_CPU_ID) throw new Error(`unsupported CPU number in ${JSON.stringify(line)}`);
  while (cpus.length <= id) cpus.push(zeroTimes());
  cpus[id] = times;
}

function cpuLineError(line: string, why: string): Error {
  return new Error(`couldn't parse ${JSON.stringify(line)} (cpu): ${why}`);
}

/** fmt.Sscanf(line, "%s %d %d %d %d %d %d %d %d %d %d %d"): all eleven counters are required. */
function checkSoftirqLine(line: string): void {
  let pos = tokenEnd(line, skipSpaces(line, 0));
  for (let i = 0; i < 11; i++) {
    if (pos >= line.length || !isSpace(line.charCodeAt(pos))) {
      throw new Error(`couldn't parse ${JSON.stringify(line)} (softirq)`);
    }
    pos = skipSpaces(line, pos);
    const end = digitsEnd(line, pos);
    if (end === pos || typeof scanUint(line.slice(pos, end)) === 'string') {
      throw new Error(`couldn't parse ${JSON.stringify(line)} (softirq)`);
    }
    pos = end;
  }
}

function checkUintFields(line: string, from: number): void {
  for (let pos = skipSpaces(line, from); pos < line.length; ) {
    const end = tokenEnd(line, pos);
    if (end === pos || typeof scanUint(line.slice(pos, end)) === 'string') {
      throw new Error(`couldn't parse ${JSON.stringify(line.slice(pos, end))} (intr)`);
    }
    pos = skipSpaces(line, end);
  }
}

/** strconv.ParseUint(text, 10, 64) of a /proc/stat value, with procfs's message on failure. */
function uintField(text: string, key: string): number {
  const value = scanUint(text);
  if (typeof value === 'string') throw new Error(`couldn't parse ${JSON.stringify(text)} (${key})`);
  return Number(value);
}
