/** A mistake in how the program was invoked (flags, environment, config file): exit status 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}
