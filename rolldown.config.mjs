import { defineConfig } from 'rolldown';

// The executable as one module (and one chunk per part loaded on demand: consensus pollers, gossip,
// the collector's Raft): Node then links a handful of modules instead of ~130, which keeps 1-2 MiB
// of loader records out of every agent's memory. Not minified, so stack traces stay readable.
export default defineConfig({
  input: { quorumwatch: 'dist/cli/main.js' },
  platform: 'node',
  // ws loads these optional native speed-ups only if installed; they are not dependencies.
  external: ['bufferutil', 'utf-8-validate'],
  output: { dir: 'dist/bundle', format: 'esm', cleanDir: true },
});
