// Errors raised inside an operator say which operator and which element they came from; the
// original error stays reachable as `cause` (and keeps its own stack).
import { RecordflowError } from '../core/errors.js';

/**
 * A user function (or a bad element) failed inside an operator: names the operator and the
 * element's index within the epoch; the original error is `cause`.
 *
 * @example
 * try {
 *   await Dataset.range(3).map((x) => { if (x === 2) throw new Error('bad'); return x; }).toArray();
 * } catch (e) {
 *   if (e instanceof OperatorError) console.log(e.operator, e.elementIndex); // map 2
 * }
 */
export class OperatorError extends RecordflowError {
  override name = 'OperatorError';
  constructor(
    /** The operator that raised it, e.g. 'map'. */
    readonly operator: string,
    /** Index of the element (within the current epoch) the operator was working on. */
    readonly elementIndex: number,
    cause: unknown,
  ) {
    super(`${operator}: element ${elementIndex}: ${describe(cause)}`, { cause });
  }
}

function describe(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}

/** Wraps a user function's failure; an OperatorError from a nested pipeline passes unchanged. */
export function wrapError(operator: string, elementIndex: number, e: unknown): Error {
  if (e instanceof OperatorError) return e;
  return new OperatorError(operator, elementIndex, e);
}
