import { expect, it } from 'vitest';
import { LogThrottle } from '../../../collector/transport/log-throttle.js';

it('lets one line per key through per interval', () => {
  let now = 0;
  const throttle = new LogThrottle(60_000, () => now);
  expect([throttle.allow('a'), throttle.allow('a'), throttle.allow('b')]).toEqual([true, false, true]);
  now = 59_999;
  expect(throttle.allow('a')).toBe(false);
  now = 60_000;
  expect([throttle.allow('a'), throttle.allow('a')]).toEqual([true, false]);
});
