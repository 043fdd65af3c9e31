// The two kinds of failure at the boundary: a user's mistake prints its message and exits 2; any
// other error is a bug in Carbon and prints its stack.

/** A mistake in how Carbon was called or what it was given: the message says what to do. */
export class UserError extends Error {
  override readonly name = 'UserError';
}
