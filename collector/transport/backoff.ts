export interface BackoffPolicy {
  /** The first delay's upper bound. */
  readonly initialMs: number;
  /** The cap: the election timeout is about a second, so a recovered peer must be redialled quickly. */
  readonly maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 50, maxMs: 2_000 };

/**
 * Exponential backoff with "equal jitter": the n-th delay is uniform in [d/2, d] where
 * d = min(max, initial * 2^n). The jitter keeps a restarted cluster's nodes from redialling in step;
 * the floor keeps a retry from ever being immediate.
 */
export class Backoff {
  private attempt = 0;

  constructor(
    private readonly policy: BackoffPolicy,
    /** Uniform in [0, 1). */
    private readonly random: () => number = Math.random,
  ) {}

  next(): number {
    const ceiling = Math.min(this.policy.maxMs, this.policy.initialMs * 2 ** this.attempt);
    if (ceiling < this.policy.maxMs) this.attempt++;
    return ceiling / 2 + (this.random() * ceiling) / 2;
  }

  reset(): void {
    this.attempt = 0;
  }
}
