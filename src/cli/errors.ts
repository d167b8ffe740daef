// How errors reach the user: one line `recordflow <cmd>: <file>: <problem>`, exit code 2 for bad
// input (InputError, DataLossError, missing or unreadable files, wrong usage), 1 for anything
// else; the stack trace only with --verbose.
import { FILE_PROBLEMS } from '../core/errors.js';

export interface DescribedError {
  /** The problem, without the `recordflow <cmd>: ` prefix; one line. */
  message: string;
  exitCode: 1 | 2;
}

function firstLine(s: string): string {
  return s.split('\n')[0]?.trim() ?? '';
}

function oneLine(s: string): string {
  return s.trim().replace(/\r?\n/g, '\\n');
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
    if (code && FILE_PROBLEMS[code]) {
      return { message: path ? `${path}: ${FILE_PROBLEMS[code]}` : `${FILE_PROBLEMS[code]} (${firstLine(err.message)})`, exitCode: 2 };
    }
    if (err.name === 'UsageError') return { message: `${oneLine(err.message)} (see --help)`, exitCode: 2 };
    // Our own messages are kept whole: a line break inside (a quoted bit of a bad file) is shown
    // as \n, so nothing after it is lost.
    if (isInputLike(err)) return { message: oneLine(err.message), exitCode: 2 };
    return { message: firstLine(err.message) || err.name, exitCode: 1 };
  }
  return { message: String(err), exitCode: 1 };
}
