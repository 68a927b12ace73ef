#!/usr/bin/env -S node --max-semi-space-size=1
// A 1 MiB young generation: the agent allocates little per scrape, and V8's 16 MiB default
// would be most of its resident memory.
// The statfs calls of the filesystem area run on libuv's thread pool; a hung mount holds one
// thread, so keep more than the default four before any pool work starts.
process.env.UV_THREADPOOL_SIZE ??= '16';
await import('../dist/cli/main.js');
