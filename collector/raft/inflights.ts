/** The appends sent to one follower and not yet acknowledged, bounding the replication pipeline. */
export class Inflights {
  /** The last entry index of each in-flight append, ascending. */
  private lastIndexes: number[] = [];

  constructor(private readonly capacity: number) {}

  get full(): boolean {
    return this.lastIndexes.length >= this.capacity;
  }

  add(lastIndex: number): void {
    this.lastIndexes.push(lastIndex);
  }

  /** An acknowledgement of `index` covers every append ending at or before it. */
  freeUpTo(index: number): void {
    const stillInFlight = this.lastIndexes.findIndex((last) => last > index);
    this.lastIndexes = stillInFlight < 0 ? [] : this.lastIndexes.slice(stillInFlight);
  }

  /** Makes room for one append when acknowledgements may have been lost. */
  freeFirst(): void {
    this.lastIndexes.shift();
  }

  reset(): void {
    this.lastIndexes = [];
  }
}
