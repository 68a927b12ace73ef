/** The storage could not do its job: an unusable directory, a failed write, or use after close. */
export class WalError extends Error {
  override name = 'WalError';
}

/**
 * Durable state is damaged somewhere other than a torn tail, so recovering could serve wrong data.
 * `file` and `offset` locate the bad record (offset 0 for a whole snapshot file).
 */
export class WalCorruptionError extends WalError {
  override name = 'WalCorruptionError';

  constructor(
    readonly file: string,
    readonly offset: number,
    readonly problem: string,
  ) {
    super(`${file} at offset ${offset}: ${problem}`);
  }
}
