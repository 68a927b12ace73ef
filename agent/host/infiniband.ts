import path from 'node:path';
import { family, type MetricFamily, type Sample } from '../../common/metrics/family.js';
import { type HostCollector, messageOf, NoDataError, readText, sysPath } from './collector.js';
import { floatToUint64, parseGoFloat, scanUint, trimSpace } from './goparse.js';
import { isNotExist, isSkippedAttributeError, readDir, sysReadFile } from './sysfs.js';

/**
 * Counter files under ports/<n>/counters (and counters_ext on kernels before 4.5), in node_exporter's
 * metric order. The data counters count 4-byte words per lane: procfs multiplies them by 4.
 */
interface Counter {
  readonly dir: 'counters' | 'counters_ext';
  readonly file: string;
  readonly metric: string;
  readonly help: string;
  readonly times4?: boolean;
}

const COUNTERS: readonly Counter[] = [
  {
    dir: 'counters_ext',
    file: 'port_multicast_rcv_packets',
    metric: 'legacy_multicast_packets_received_total',
    help: 'Number of multicast packets received',
  },
  {
    dir: 'counters_ext',
    file: 'port_multicast_xmit_packets',
    metric: 'legacy_multicast_packets_transmitted_total',
    help: 'Number of multicast packets transmitted',
  },
  {
    dir: 'counters_ext',
    file: 'port_rcv_data_64',
    metric: 'legacy_data_received_bytes_total',
    help: 'Number of data octets received on all links',
    times4: true,
  },
  {
    dir: 'counters_ext',
    file: 'port_rcv_packets_64',
    metric: 'legacy_packets_received_total',
    help: 'Number of data packets received on all links',
  },
  {
    dir: 'counters_ext',
    file: 'port_unicast_rcv_packets',
    metric: 'legacy_unicast_packets_received_total',
    help: 'Number of unicast packets received',
  },
  {
    dir: 'counters_ext',
    file: 'port_unicast_xmit_packets',
    metric: 'legacy_unicast_packets_transmitted_total',
    help: 'Number of unicast packets transmitted',
  },
  {
    dir: 'counters_ext',
    file: 'port_xmit_data_64',
    metric: 'legacy_data_transmitted_bytes_total',
    help: 'Number of data octets transmitted on all links',
    times4: true,
  },
  {
    dir: 'counters_ext',
    file: 'port_xmit_packets_64',
    metric: 'legacy_packets_transmitted_total',
    help: 'Number of data packets received on all links',
  },
  {
    dir: 'counters',
    file: 'excessive_buffer_overrun_errors',
    metric: 'excessive_buffer_overrun_errors_total',
    help: 'Number of times that OverrunErrors consecutive flow control update periods occurred, each having at least one overrun error.',
  },
  {
    dir: 'counters',
    file: 'link_downed',
    metric: 'link_downed_total',
    help: 'Number of times the link failed to recover from an error state and went down',
  },
  {
    dir: 'counters',
    file: 'link_error_recovery',
    metric: 'link_error_recovery_total',
    help: 'Number of times the link successfully recovered from an error state',
  },
  {
    dir: 'counters',
    file: 'local_link_integrity_errors',
    metric: 'local_link_integrity_errors_total',
    help: 'Number of times that the count of local physical errors exceeded the threshold specified by LocalPhyErrors.',
  },
  {
    dir: 'counters',
    file: 'multicast_rcv_packets',
    metric: 'multicast_packets_received_total',
    help: 'Number of multicast packets received (including errors)',
  },
  {
    dir: 'counters',
    file: 'multicast_xmit_packets',
    metric: 'multicast_packets_transmitted_total',
    help: 'Number of multicast packets transmitted (including errors)',
  },
  {
    dir: 'counters',
    file: 'port_rcv_constraint_errors',
    metric: 'port_constraint_errors_received_total',
    help: 'Number of packets received on the switch physical port that are discarded',
  },
  {
    dir: 'counters',
    file: 'port_xmit_constraint_errors',
    metric: 'port_constraint_errors_transmitted_total',
    help: 'Number of packets not transmitted from the switch physical port',
  },
  {
    dir: 'counters',
    file: 'port_rcv_data',
    metric: 'port_data_received_bytes_total',
    help: 'Number of data octets received on all links',
    times4: true,
  },
  {
    dir: 'counters',
    file: 'port_xmit_data',
    metric: 'port_data_transmitted_bytes_total',
    help: 'Number of data octets transmitted on all links',
    times4: true,
  },
  {
    dir: 'counters',
    file: 'port_rcv_discards',
    metric: 'port_discards_received_total',
    help: 'Number of inbound packets discarded by the port because the port is down or congested',
  },
  {
    dir: 'counters',
    file: 'port_xmit_discards',
    metric: 'port_discards_transmitted_total',
    help: 'Number of outbound packets discarded by the port because the port is down or congested',
  },
  {
    dir: 'counters',
    file: 'port_rcv_errors',
    metric: 'port_errors_received_total',
    help: 'Number of packets containing an error that were received on this port',
  },
  {
    dir: 'counters',
    file: 'port_rcv_packets',
    metric: 'port_packets_received_total',
    help: 'Number of packets received on all VLs by this port (including errors)',
  },
  {
    dir: 'counters',
    file: 'port_xmit_packets',
    metric: 'port_packets_transmitted_total',
    help: 'Number of packets transmitted on all VLs from this port (including errors)',
  },
  {
    dir: 'counters',
    file: 'port_xmit_wait',
    metric: 'port_transmit_wait_total',
    help: 'Number of ticks during which the port had data to transmit but no data was sent during the entire tick',
  },
  {
    dir: 'counters',
    file: 'unicast_rcv_packets',
    metric: 'unicast_packets_received_total',
    help: 'Number of unicast packets received (including errors)',
  },
  {
    dir: 'counters',
    file: 'unicast_xmit_packets',
    metric: 'unicast_packets_transmitted_total',
    help: 'Number of unicast packets transmitted (including errors)',
  },
  {
    dir: 'counters',
    file: 'port_rcv_remote_physical_errors',
    metric: 'port_receive_remote_physical_errors_total',
    help: 'Number of packets marked with the EBP (End of Bad Packet) delimiter received on the port.',
  },
  {
    dir: 'counters',
    file: 'port_rcv_switch_relay_errors',
    metric: 'port_receive_switch_relay_errors_total',
    help: 'Number of packets that could not be forwarded by the switch.',
  },
  {
    dir: 'counters',
    file: 'symbol_error',
    metric: 'symbol_error_total',
    help: 'Number of minor link errors detected on one or more physical lanes.',
  },
  {
    dir: 'counters',
    file: 'VL15_dropped',
    metric: 'vl15_dropped_total',
    help: 'Number of incoming VL15 packets dropped due to resource limitations.',
  },
];
const BY_FILE = {
  counters: new Map(COUNTERS.filter((c) => c.dir === 'counters').map((c) => [c.file, c])),
  counters_ext: new Map(COUNTERS.filter((c) => c.dir === 'counters_ext').map((c) => [c.file, c])),
};

interface Port {
  readonly number: number;
  readonly stateId: number;
  readonly physStateId: number;
  readonly rate: number;
  readonly counters: Map<Counter, number>;
}

interface Device {
  readonly name: string;
  readonly boardId: string;
  readonly firmwareVersion: string;
  readonly hcaType: string;
  readonly ports: Map<number, Port>;
}

/** node_exporter 1.5 turns any "does not exist" in the chain into ErrNoData (errors.Is). */
function failure(err: unknown, what: string): Error {
  if (isNotExist(err)) return new NoDataError(`infiniband statistics not found: ${what}`);
  return new Error(`error obtaining InfiniBand class info: ${what}: ${messageOf(err)}`, {
    cause: err,
  });
}

/** procfs' parseState: `4: ACTIVE` → 4 (a uint32). */
function parseState(text: string, file: string): number {
  const parts = text.split(':');
  const id = parts.length === 2 ? scanUint(trimSpace(parts[0] as string), 10, 32) : 'invalid syntax';
  if (typeof id === 'string') throw new Error(`could not parse ${file}: ${JSON.stringify(text)}`);
  return Number(id);
}

/** procfs' parseRate: `40 Gb/sec (4X QDR)` → bytes/s, parsed as a float32 like procfs does. */
function parseRate(text: string): number {
  const space = text.indexOf(' ');
  let single: number | undefined;
  try {
    single = space < 0 ? undefined : Math.fround(parseGoFloat(trimSpace(text.slice(0, space + 1))));
  } catch {
    single = undefined;
  }
  if (single === undefined || !Number.isFinite(single))
    throw new Error(`could not parse rate: ${JSON.stringify(text)}`);
  return floatToUint64(single * 125000000);
}

function readCounters(portPath: string, dir: 'counters' | 'counters_ext'): Map<Counter, number> {
  const counters = new Map<Counter, number>();
  const known = BY_FILE[dir];
  let entries: string[];
  try {
    entries = readDir(path.join(portPath, dir));
  } catch (err) {
    if (dir === 'counters_ext' && isNotExist(err)) return counters;
    throw err;
  }
  for (const file of entries) {
    const counter = known.get(file);
    if (!counter) continue;
    const value = readCounter(portPath, dir, file);
    // The data counters count 4-byte words: procfs multiplies them by 4 in uint64.
    if (value !== undefined)
      counters.set(counter, Number(counter.times4 ? BigInt.asUintN(64, BigInt(value) * 4n) : value));
  }
  return counters;
}

/** One counter file's value; undefined when procfs skips it. */
function readCounter(
  portPath: string,
  dir: 'counters' | 'counters_ext',
  file: string,
): number | bigint | undefined {
  let value: string;
  try {
    value = sysReadFile(path.join(portPath, dir, file));
  } catch (err) {
    if (isSkippedAttributeError(err, { permission: true })) return undefined;
    throw err;
  }
  const parsed = scanUint(value, 0);
  if (typeof parsed === 'string') {
    // Some drivers print "N/A (no PMA)" for counters they lack; procfs skips those.
    if (value.includes('N/A (no PMA)')) return undefined;
    throw new Error(`${dir}/${file}: cannot parse ${JSON.stringify(value)}`);
  }
  return parsed;
}

function readPort(devicePath: string, name: string): Port {
  const number = scanUint(name, 10, 32);
  if (typeof number === 'string') throw new Error(`failed to convert ${name} into uint`);
  const portPath = path.join(devicePath, 'ports', name);
  const [state, physState, rate] = ['state', 'phys_state', 'rate'].map((file) =>
    readText(path.join(portPath, file)),
  );
  const counters = readCounters(portPath, 'counters');
  for (const [counter, value] of readCounters(portPath, 'counters_ext')) counters.set(counter, value);
  return {
    number: Number(number),
    stateId: parseState(state as string, 'state'),
    physStateId: parseState(physState as string, 'phys_state'),
    rate: parseRate(rate as string),
    counters,
  };
}

function readDevice(root: string, name: string): Device {
  const devicePath = path.join(root, name);
  const [boardId, firmwareVersion, hcaType] = ['board_id', 'fw_ver', 'hca_type'].map((file) =>
    readDeviceAttribute(devicePath, file),
  );
  const ports = new Map<number, Port>();
  for (const p of readDir(path.join(devicePath, 'ports'))) {
    const port = readPort(devicePath, p);
    ports.set(port.number, port);
  }
  return {
    name,
    boardId: boardId ?? '',
    firmwareVersion: firmwareVersion ?? '',
    hcaType: hcaType ?? '',
    ports,
  };
}

/** board_id, fw_ver or hca_type; hca_type is optional (procfs leaves it empty when absent). */
function readDeviceAttribute(devicePath: string, file: string): string {
  try {
    return sysReadFile(path.join(devicePath, file));
  } catch (err) {
    if (file === 'hca_type' && isNotExist(err)) return '';
    throw err;
  }
}

/**
 * node_exporter's infiniband collector: per device an info series, and per port its state, physical
 * state, rate and every counter the driver exposes.
 */
export const infinibandCollector: HostCollector = {
  name: 'infiniband',
  defaultEnabled: true,
  description: 'Exposes network statistics specific to InfiniBand and Intel OmniPath configurations.',
  collect(ctx): MetricFamily[] {
    const root = sysPath(ctx, 'class', 'infiniband');
    let devices: Device[];
    try {
      devices = readDir(root).map((name) => readDevice(root, name));
    } catch (err) {
      throw failure(err, root);
    }
    const info: Sample[] = [];
    const state: Sample[] = [];
    const physState: Sample[] = [];
    const rate: Sample[] = [];
    const counters = new Map<Counter, Sample[]>(COUNTERS.map((c) => [c, []]));
    for (const device of devices) {
      info.push({
        labels: {
          device: device.name,
          board_id: device.boardId,
          firmware_version: device.firmwareVersion,
          hca_type: device.hcaType,
        },
        value: 1,
      });
      for (const port of device.ports.values()) {
        const labels = { device: device.name, port: String(port.number) };
        state.push({ labels, value: port.stateId });
        physState.push({ labels, value: port.physStateId });
        rate.push({ labels, value: port.rate });
        for (const [counter, value] of port.counters) counters.get(counter)?.push({ labels, value });
      }
    }
    return [
      family(
        'node_infiniband_info',
        'Non-numeric data from /sys/class/infiniband/<device>, value is always 1.',
        'gauge',
        info,
      ),
      family(
        'node_infiniband_state_id',
        'State of the InfiniBand port (0: no change, 1: down, 2: init, 3: armed, 4: active, 5: act defer)',
        'gauge',
        state,
      ),
      family(
        'node_infiniband_physical_state_id',
        'Physical state of the InfiniBand port (0: no change, 1: sleep, 2: polling, 3: disable, 4: shift, 5: link up, 6: link error recover, 7: phytest)',
        'gauge',
        physState,
      ),
      family('node_infiniband_rate_bytes_per_second', 'Maximum signal transfer rate', 'gauge', rate),
      ...COUNTERS.map((c) => family(`node_infiniband_${c.metric}`, c.help, 'counter', counters.get(c))),
    ];
  },
};
