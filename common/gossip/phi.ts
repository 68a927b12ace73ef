/**
 * The φ accrual suspicion level (Hayashibara, Défago, Yared, Katayama: "The φ Accrual Failure
 * Detector", SRDS 2004) as Akka computes it (akka.remote.PhiAccrualFailureDetector): inter-arrival
 * times are taken as normally distributed, with the mean raised by an acceptable pause and the
 * standard deviation floored, and
 *
 *   φ(t) = −log10 P(the next heartbeat comes later than t after the last one)
 *
 * so φ = 1 means a 10% chance that the node is merely late, φ = 8 one in 10^8.
 */

/**
 * φ for a silence of `elapsedMs` when arrivals have mean `meanMs` and deviation `stdDevMs`. The normal
 * tail is Akka's logistic approximation (Bowling et al., J. Industrial Engineering and Management
 * 2009): P = 1 / (1 + e^t) with t = y (1.5976 + 0.070566 y²), y = (elapsed − mean) / stdDev; so
 * φ = log10(1 + e^t), computed without overflow: finite, continuous and increasing in `elapsedMs`.
 */
export function phi(elapsedMs: number, meanMs: number, stdDevMs: number): number {
  const y = (elapsedMs - meanMs) / stdDevMs;
  const t = y * (1.5976 + 0.070566 * y * y);
  const softplus = t > 0 ? t + Math.log1p(Math.exp(-t)) : Math.log1p(Math.exp(t));
  return softplus / Math.LN10;
}

/**
 * The last `capacity` inter-arrival times of one member, with running sums so that the mean and the
 * (population) standard deviation cost O(1), as in Akka's HeartbeatHistory.
 */
export class ArrivalHistory {
  private readonly samples: number[] = [];
  private next = 0;
  private sum = 0;
  private sumOfSquares = 0;

  private constructor(private readonly capacity: number) {}

  /** A history that already holds `intervalMs` ± a quarter, as Akka starts one from its first-heartbeat estimate. */
  static bootstrapped(capacity: number, intervalMs: number): ArrivalHistory {
    const history = new ArrivalHistory(capacity);
    history.add(intervalMs * 0.75);
    history.add(intervalMs * 1.25);
    return history;
  }

  add(intervalMs: number): void {
    if (this.samples.length < this.capacity) {
      this.samples.push(intervalMs);
    } else {
      const evicted = this.samples[this.next] ?? 0;
      this.sum -= evicted;
      this.sumOfSquares -= evicted * evicted;
      this.samples[this.next] = intervalMs;
      this.next = (this.next + 1) % this.capacity;
    }
    this.sum += intervalMs;
    this.sumOfSquares += intervalMs * intervalMs;
  }

  get mean(): number {
    return this.sum / this.samples.length;
  }

  get stdDev(): number {
    const mean = this.mean;
    // Rounding in the running sums can leave a tiny negative variance.
    return Math.sqrt(Math.max(0, this.sumOfSquares / this.samples.length - mean * mean));
  }
}
