// Image and category ids: numbers or strings, compared as pycocotools' dict keys compare them
// (1 and 1.0 are one id, 1 and '1' two) and sorted as Python's sorted() sorts them.
import { InputError } from '../../core/errors.js';
import type { CocoId } from './types.js';

/** Is this a usable id (a finite number or a string)? */
export function isId(v: unknown): v is CocoId {
  return (typeof v === 'number' && Number.isFinite(v)) || typeof v === 'string';
}

/** Code-point order, as Python compares str (JS's < compares UTF-16 code units). */
function compareStrings(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; ) {
    const ca = a.codePointAt(i)!;
    const cb = b.codePointAt(i)!;
    if (ca !== cb) return ca - cb;
    i += ca > 0xffff ? 2 : 1;
  }
  return a.length - b.length;
}

/** The distinct ids in ascending order (np.unique); mixed numbers and strings are refused, as
 * Python refuses to order them. */
export function sortIds(ids: Iterable<CocoId>, what: string): CocoId[] {
  const distinct = [...new Set(ids)];
  const numbers = distinct.filter((v) => typeof v === 'number').length;
  if (numbers !== 0 && numbers !== distinct.length) throw new InputError(`${what} mix numbers and strings`);
  return numbers ? (distinct as number[]).sort((a, b) => a - b) : (distinct as string[]).sort(compareStrings);
}
