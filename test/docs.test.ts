import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { agentCommand } from '../agent/command.js';
import { HOST_COLLECTORS } from '../agent/host/index.js';
import { collectorCommand } from '../collector/command.js';
import { PACKAGE_ROOT } from '../common/version.js';

/** The README must stay true to the code: every metric area and every flag is documented there. */
describe('README', async () => {
  const readme = await readFile(path.join(PACKAGE_ROOT, 'README.md'), 'utf8');

  it('lists every host metric area with its default', () => {
    for (const area of HOST_COLLECTORS) {
      expect(readme, area.name).toContain(`| \`${area.name}\` | ${area.defaultEnabled ? 'on' : 'off'} |`);
    }
  });

  it.each([
    ['agent', agentCommand()],
    ['collector', collectorCommand()],
  ])('documents every %s flag', (_name, cmd) => {
    const areaToggles = new Set(
      HOST_COLLECTORS.flatMap((a) => [`--collector.${a.name}`, `--no-collector.${a.name}`]),
    );
    for (const option of cmd.options) {
      const flag = option.long ?? '';
      if (areaToggles.has(flag)) continue;
      expect(readme, flag).toContain(flag);
    }
  });
});
