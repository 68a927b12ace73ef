import { arpCollector } from './arp.js';
import { bcacheCollector } from './bcache.js';
import { bondingCollector } from './bonding.js';
import { btrfsCollector } from './btrfs.js';
import type { HostCollector } from './collector.js';
import { conntrackCollector } from './conntrack.js';
import { cpuCollector } from './cpu.js';
import { cpufreqCollector } from './cpufreq.js';
import { diskstatsCollector } from './diskstats.js';
import { dmiCollector } from './dmi.js';
import { edacCollector } from './edac.js';
import { entropyCollector } from './entropy.js';
import { fibrechannelCollector } from './fibrechannel.js';
import { filefdCollector } from './filefd.js';
import { filesystemCollector } from './filesystem.js';
import { hwmonCollector } from './hwmon.js';
import { infinibandCollector } from './infiniband.js';
import { ipvsCollector } from './ipvs.js';
import { loadavgCollector } from './loadavg.js';
import { mdadmCollector } from './mdadm.js';
import { meminfoCollector } from './meminfo.js';
import { netclassCollector } from './netclass.js';
import { netdevCollector } from './netdev.js';
import { netstatCollector } from './netstat.js';
import { nfsCollector } from './nfs.js';
import { nfsdCollector } from './nfsd.js';
import { nvmeCollector } from './nvme.js';
import { osCollector } from './os.js';
import { powersupplyclassCollector } from './powersupplyclass.js';
import { pressureCollector } from './pressure.js';
import { raplCollector } from './rapl.js';
import { schedstatCollector } from './schedstat.js';
import { selinuxCollector } from './selinux.js';
import { sockstatCollector } from './sockstat.js';
import { softnetCollector } from './softnet.js';
import { statCollector } from './stat.js';
import { tapestatsCollector } from './tapestats.js';
import { textfileCollector } from './textfile.js';
import { thermalZoneCollector } from './thermal_zone.js';
import { timeCollector } from './time.js';
import { timexCollector } from './timex.js';
import { udpQueuesCollector } from './udp_queues.js';
import { unameCollector } from './uname.js';
import { vmstatCollector } from './vmstat.js';
import { xfsCollector } from './xfs.js';
import { zfsCollector } from './zfs.js';

/** Every host metric area, ordered by name as node_exporter lists them. */
export const HOST_COLLECTORS: readonly HostCollector[] = [
  arpCollector,
  bcacheCollector,
  bondingCollector,
  btrfsCollector,
  conntrackCollector,
  cpuCollector,
  cpufreqCollector,
  diskstatsCollector,
  dmiCollector,
  edacCollector,
  entropyCollector,
  fibrechannelCollector,
  filefdCollector,
  filesystemCollector,
  hwmonCollector,
  infinibandCollector,
  ipvsCollector,
  loadavgCollector,
  mdadmCollector,
  meminfoCollector,
  netclassCollector,
  netdevCollector,
  netstatCollector,
  nfsCollector,
  nfsdCollector,
  nvmeCollector,
  osCollector,
  powersupplyclassCollector,
  pressureCollector,
  raplCollector,
  schedstatCollector,
  selinuxCollector,
  sockstatCollector,
  softnetCollector,
  statCollector,
  tapestatsCollector,
  textfileCollector,
  thermalZoneCollector,
  timeCollector,
  timexCollector,
  udpQueuesCollector,
  unameCollector,
  vmstatCollector,
  xfsCollector,
  zfsCollector,
].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
