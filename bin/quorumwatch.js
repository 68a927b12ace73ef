#!/usr/bin/env -S MALLOC_ARENA_MAX=2 node --max-semi-space-size=2 --no-node-snapshot
import v8 from 'node:v8';

// Memory settings, weighed by `npm run bench` (CPU per scrape and RSS together):
// - A 2 MiB young generation (V8's default is 16 MiB, most of the agent's resident memory): a
//   scrape allocates about 1 MiB; with 1 MiB, scavenges were frequent enough to cost 5-10% CPU.
// - No startup snapshot: Node then builds its bootstrap state from its own sources (about 90 ms more
//   at start) instead of reading the snapshot's pages out of the binary: the agent keeps ~2.7 MiB
//   fewer of the node binary's pages resident.
// - glibc gives each thread that allocates (V8's compiler and GC threads, the libuv pool) its own
//   malloc arena, which keeps what it freed; two arenas keep ~4 MiB less.
// The two below are read by V8 at each collection, so they are set here rather than on the #! line,
// which kernels before 5.1 cut at 127 characters:
// - The old generation may grow by 30% (V8's floor is 8 MiB) past what survived the last full
//   collection before the next one, instead of V8's up to 4x: the agent then holds ~20 MiB less
//   between collections. This limits growth, not size: a host with thousands of interfaces or
//   mounts still gets all the heap its scrape needs.
// - No allocation-site pretenuring: a scrape's objects all die with it, but a scavenge in the
//   middle of one finds most of them alive, so V8 decided to allocate them straight into the old
//   generation (over 600 tenuring decisions in 300 scrapes), which filled with garbage: 5-7 MiB more
//   resident after warm-up, and a full collection every ~100 scrapes instead of every ~1000.
v8.setFlagsFromString('--heap-growing-percent=30');
v8.setFlagsFromString('--no-allocation-site-pretenuring');
// The statfs calls of the filesystem area run on libuv's thread pool; a hung mount holds one
// thread, so keep more than the default four before any pool work starts.
process.env.UV_THREADPOOL_SIZE ??= '16';
await import('../dist/bundle/quorumwatch.js');
