import { expect, it } from 'vitest';
import { RaftTransport, type RaftTransportOptions } from '../../../collector/transport/index.js';
import { capturingLogger } from './harness.js';

function options(overrides: Partial<RaftTransportOptions>): RaftTransportOptions {
  return {
    id: 1,
    peers: new Map([[1, 'http://127.0.0.1:9471']]),
    logger: capturingLogger().logger,
    onMessages: () => undefined,
    ...overrides,
  };
}

it.each([
  ['a node id that is not a positive integer', { id: 0 }],
  ['an empty secret', { secret: '' }],
  ['a peer URL that is not http', { peers: new Map([[2, 'ftp://127.0.0.1:9471']]) }],
  ['a peer URL that does not parse', { peers: new Map([[2, '127.0.0.1:9471']]) }],
  ['a peer id that is not a positive integer', { peers: new Map([[1.5, 'http://127.0.0.1:9471']]) }],
  ['a frame limit beyond 32-bit lengths', { maxFrameBytes: 2 ** 32 }],
  ['a zero ping interval', { pingIntervalMs: 0 }],
  ['a negative backoff', { backoff: { initialMs: -1, maxMs: 100 } }],
])('refuses %s', async (_what, overrides) => {
  expect(() => new RaftTransport(options(overrides))).toThrow(RangeError);
});
