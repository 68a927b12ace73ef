import { type MetricFamily, single } from '../../common/metrics/family.js';
import {
  type CollectContext,
  type HostCollector,
  procPath,
  readAttribute,
  readOptional,
  rootfsPath,
  sysPath,
} from './collector.js';
import { scanInt, scanLines, trimSpace } from './goparse.js';

/**
 * node_exporter 1.5's selinux collector, after go-selinux: SELinux is enabled when selinuxfs is
 * mounted at /sys/fs/selinux and this process's security context is not "kernel". Then it also
 * exports the configured mode (/etc/selinux/config: enforcing 1, permissive 0, else -1) and the
 * current one (selinuxfs `enforce`, -1 when unreadable).
 *
 * go-selinux checks the mount with statfs (SELINUX_MAGIC, read-write) and looks through
 * /proc/self/mountinfo for a selinuxfs mounted elsewhere; it also ignores --path.*. Here the mount
 * is recognised by its `enforce` file under the configured sysfs, and the files are read under the
 * configured procfs and rootfs, so that a host mounted into a container is read as a whole.
 */
export const selinuxCollector: HostCollector = {
  name: 'selinux',
  defaultEnabled: true,
  description: 'Exposes SELinux statistics.',
  collect(ctx): MetricFamily[] {
    const enforce = readOptional(sysPath(ctx, 'fs/selinux/enforce'));
    const enabled = enforce !== undefined && securityContext(ctx) !== 'kernel';
    const families = [
      single('node_selinux_enabled', 'SELinux is enabled, 1 is true, 0 is false', 'gauge', enabled ? 1 : 0),
    ];
    if (!enabled) return families;
    const config = readOptional(rootfsPath(ctx, 'etc/selinux/config'));
    families.push(
      single(
        'node_selinux_config_mode',
        'Configured SELinux enforcement mode',
        'gauge',
        configuredMode(config ?? ''),
      ),
      single('node_selinux_current_mode', 'Current SELinux enforcement mode', 'gauge', atoiOr(enforce, -1)),
    );
    return families;
  },
};

/**
 * This process's security context (go-selinux's CurrentLabel). Read only once selinuxfs is known to
 * be mounted: without an LSM that provides it the read fails (EINVAL), and an unreadable context
 * reads as "", which go-selinux takes for enabled.
 */
function securityContext(ctx: CollectContext): string {
  const context = readAttribute(procPath(ctx, 'self/attr/current'));
  return (context ?? '').replace(/\0$/, '');
}

/** go-selinux's DefaultEnforceMode: the SELINUX= line of the config file. */
function configuredMode(config: string): number {
  for (const raw of scanLines(config)) {
    const line = trimSpace(raw);
    if (line === '' || line.startsWith(';') || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq < 0 || line.slice(0, eq) !== 'SELINUX') continue;
    const value = line.slice(eq + 1).replace(/^"+|"+$/g, '');
    return value === 'enforcing' ? 1 : value === 'permissive' ? 0 : -1;
  }
  return -1;
}

/** strconv.Atoi of the untrimmed file contents, as go-selinux's EnforceMode does. */
function atoiOr(text: string, fallback: number): number {
  const value = scanInt(text);
  return typeof value === 'string' ? fallback : Number(value);
}
