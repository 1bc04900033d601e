/** Errors a caller can tell apart by class; each means exit code 2 at the command line. */

/** A wrong argument or option (unknown control, format, engine). */
export class UsageError extends Error {
  readonly code = "USAGE";
}
