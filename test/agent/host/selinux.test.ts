import { describe, expect, it } from 'vitest';
import { DEFAULT_HOST_PATHS } from '../../../agent/host/collector.js';
import { selinuxCollector } from '../../../agent/host/selinux.js';
import { collectText, expectSameAsNodeExporter, fixtureHost } from '../../support/host-fixture.js';

describe('selinux collector', () => {
  it('matches node_exporter on a host without SELinux', async () => {
    const ours = await expectSameAsNodeExporter(selinuxCollector, fixtureHost('base'));
    expect(ours.get('node_selinux_enabled')?.samples.get('node_selinux_enabled')).toBe(0);
  });

  it('matches node_exporter on this machine’s real /proc and /sys', async () => {
    // Here /proc/self/attr/current cannot be read at all (EINVAL: no LSM provides it).
    await expectSameAsNodeExporter(selinuxCollector, DEFAULT_HOST_PATHS);
  });

  // node_exporter (go-selinux) reads the real /sys/fs/selinux, /proc/self and /etc/selinux whatever
  // --path.* says, so it cannot be pointed at these trees; they check the port of go-selinux's logic.
  it('reports an enforcing host with a permissive configuration', async () => {
    const text = await collectText(selinuxCollector, fixtureHost('selinux-enforcing'));
    expect(text).toContain('node_selinux_enabled 1\n');
    expect(text).toContain('node_selinux_config_mode 0\n');
    expect(text).toContain('node_selinux_current_mode 1\n');
  });

  it('reports SELinux disabled when the process context is "kernel", as go-selinux does', async () => {
    const text = await collectText(selinuxCollector, fixtureHost('selinux-kernel'));
    expect(text).toContain('node_selinux_enabled 0\n');
    expect(text).not.toContain('node_selinux_current_mode');
  });
});
