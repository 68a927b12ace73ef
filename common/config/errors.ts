/** A mistake in how the program was invoked (flags, environment, config file): exit status 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** A runtime failure explained in one line (port in use, corrupt data directory): exit status 1. */
export class FatalError extends Error {
  override name = 'FatalError';
}
