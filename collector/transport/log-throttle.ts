/** Lets one log line per key through per interval, so a misbehaving peer cannot flood the log. */
export class LogThrottle {
  private readonly lastLogged = new Map<string, number>();

  constructor(
    private readonly intervalMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** True when a line for `key` may be logged now; keys must come from a bounded set. */
  allow(key: string): boolean {
    const now = this.now();
    const last = this.lastLogged.get(key);
    if (last !== undefined && now - last < this.intervalMs) return false;
    this.lastLogged.set(key, now);
    return true;
  }
}
