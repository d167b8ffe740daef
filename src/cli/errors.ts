// How errors reach the user: one line `recordflow <cmd>: <file>: <problem>`, exit code 2 for bad
// input (InputError, DataLossError, missing or unreadable files, wrong usage), 1 for anything
// else; the stack trace only with --verbose.

const SYSTEM_PROBLEMS: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'is a directory, expected a file',
  ENOTDIR: 'not a directory',
  EEXIST: 'already exists',
  ENOSPC: 'no space left on device',
  EMFILE: 'too many open files',
};

export interface DescribedError {
  /** The problem, without the `recordflow <cmd>: ` prefix; one line. */
  message: string;
  exitCode: 1 | 2;
}

function firstLine(s: string): string {
  return s.split('\n')[0]?.trim() ?? '';
}

/** Is this one of the error classes the rooms throw on bad input? Checked by name too, so an
 * error from a second copy of the module still counts. */
export function isInputLike(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  return err.name === 'InputError' || err.name === 'DataLossError' || err.name === 'UsageError';
}

export function describeError(err: unknown): DescribedError {
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    const path = (err as NodeJS.ErrnoException).path;
    if (code && SYSTEM_PROBLEMS[code]) {
      return { message: path ? `${path}: ${SYSTEM_PROBLEMS[code]}` : `${SYSTEM_PROBLEMS[code]} (${firstLine(err.message)})`, exitCode: 2 };
    }
    if (err.name === 'UsageError') return { message: `${firstLine(err.message)} (see --help)`, exitCode: 2 };
    if (isInputLike(err)) return { message: firstLine(err.message), exitCode: 2 };
    return { message: firstLine(err.message) || err.name, exitCode: 1 };
  }
  return { message: String(err), exitCode: 1 };
}
