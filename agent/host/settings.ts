import type { HostCollectorSettings } from './collector.js';

/**
 * node_exporter 1.5's upstream defaults for the per-area settings, so that the same host yields the
 * same series. (Debian's package patches two of them: it also excludes /run, /mnt and /media from
 * filesystem and `lo` from netdev.)
 */
export const NODE_EXPORTER_DEFAULTS = {
  filesystemMountPointsExclude:
    '^/(dev|proc|run/credentials/.+|sys|var/lib/docker/.+|var/lib/containers/storage/.+)($|/)',
  filesystemFsTypesExclude:
    '^(autofs|binfmt_misc|bpf|cgroup2?|configfs|debugfs|devpts|devtmpfs|fusectl|hugetlbfs|iso9660|mqueue|nsfs|overlay|proc|procfs|pstore|rpc_pipefs|securityfs|selinuxfs|squashfs|sysfs|tracefs)$',
  diskstatsDeviceExclude: '^(ram|loop|fd|(h|s|v|xv)d[a-z]|nvme\\d+n\\d+p)\\d+$',
  netclassIgnoredDevices: '^$',
  netstatFields:
    '^(.*_(InErrors|InErrs)|Ip_Forwarding|Ip(6|Ext)_(InOctets|OutOctets)|Icmp6?_(InMsgs|OutMsgs)|TcpExt_(Listen.*|Syncookies.*|TCPSynRetrans|TCPTimeouts)|Tcp_(ActiveOpens|InSegs|OutSegs|OutRsts|PassiveOpens|RetransSegs|CurrEstab)|Udp6?_(InDatagrams|OutDatagrams|NoPorts|RcvbufErrors|SndbufErrors))$',
  vmstatFields: '^(oom_kill|pgpg|pswp|pg.*fault).*',
  textfileDirectory: '',
} as const;

export const DEFAULT_SETTINGS: HostCollectorSettings = {
  arp: {},
  filesystem: {
    mountPointsExclude: new RegExp(NODE_EXPORTER_DEFAULTS.filesystemMountPointsExclude),
    fsTypesExclude: new RegExp(NODE_EXPORTER_DEFAULTS.filesystemFsTypesExclude),
  },
  netdev: {},
  netclass: { ignoredDevices: new RegExp(NODE_EXPORTER_DEFAULTS.netclassIgnoredDevices) },
  diskstats: { deviceExclude: new RegExp(NODE_EXPORTER_DEFAULTS.diskstatsDeviceExclude) },
  netstat: { fields: new RegExp(NODE_EXPORTER_DEFAULTS.netstatFields) },
  vmstat: { fields: new RegExp(NODE_EXPORTER_DEFAULTS.vmstatFields) },
  textfile: { directory: NODE_EXPORTER_DEFAULTS.textfileDirectory },
};
