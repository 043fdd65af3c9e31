// The kinds of failure at the boundary: a user's mistake prints its message and exits 2; a problem
// of the machine (full disk, permissions, a path the system refuses) prints the path and the
// system's reason and exits 2; any other error is a bug in Carbon and prints its stack (exit 3).

/** A mistake in how Carbon was called or what it was given: the message says what to do. */
export class UserError extends Error {
  override readonly name = 'UserError';
}

/** What the system's error codes mean, in words; only these are the environment's doing. */
const REASONS: Record<string, string> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'the disk quota is exceeded',
  EROFS: 'the file system is read-only',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENAMETOOLONG: 'the name is too long for the file system',
  EISDIR: 'it is a folder, not a file',
  ENOTDIR: 'a part of the path is a file, not a folder',
  ENOTEMPTY: 'the folder is not empty',
  ELOOP: 'too many levels of symbolic links',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files in the system',
  EIO: 'an input/output error of the device',
  EBUSY: 'the file is busy',
  ETXTBSY: 'the file is busy',
  EXDEV: 'the paths are on different devices',
};

/** A file system operation the machine refused: the path, what was being done, and why. */
export class EnvironmentError extends Error {
  override readonly name = 'EnvironmentError';
  readonly path: string;
  readonly reason: string;
  readonly code: string | undefined;
  constructor(path: string, reason: string, code?: string) {
    super(`${path}: ${reason}`);
    this.path = path;
    this.reason = reason;
    this.code = code;
  }
}

/**
 * The environment error a Node.js system error stands for, or undefined when it is none. `path`
 * names the file when the error does not (a failed `write` names no path).
 */
export function asEnvironmentError(error: unknown, path?: string): EnvironmentError | undefined {
  if (error instanceof EnvironmentError) return error;
  const { code, path: named } = (error ?? {}) as NodeJS.ErrnoException;
  const where = typeof named === 'string' ? named : path;
  if (typeof code !== 'string' || !(code in REASONS) || where === undefined) return undefined;
  return new EnvironmentError(where, REASONS[code]!, code);
}
