// pipe(source, op1, op2, ...) = op_n(...op1(from(source))): left-to-right composition of
// operators. Any function of the IxJS shape (AsyncIterable in, AsyncIterable out) fits,
// including ix's own operators; ours keep the chunk protocol flowing between them.
import type { Chunked } from '../core/chunks.js';
import { from, type SourceLike } from './source.js';

type Op<A, B> = (source: AsyncIterable<A>) => AsyncIterable<B>;

/**
 * Left-to-right composition: `pipe(source, op1, op2)` is `op2(op1(from(source)))`. Any
 * function of the IxJS shape fits, ours keep the chunk protocol flowing between them.
 *
 * @example
 * const batches = pipe(range(10), map((x: number) => x * 2), filter((x: number) => x % 3 === 0), batch<number>(2));
 * for await (const b of batches) console.log(b); // [0, 6], [12, 18]
 */
export function pipe<A>(source: SourceLike<A>): Chunked<A>;
export function pipe<A, B, RB extends AsyncIterable<B>>(source: SourceLike<A>, op1: (s: AsyncIterable<A>) => RB): RB;
export function pipe<A, B, C, RC extends AsyncIterable<C>>(source: SourceLike<A>, op1: Op<A, B>, op2: (s: AsyncIterable<B>) => RC): RC;
export function pipe<A, B, C, D, RD extends AsyncIterable<D>>(
  source: SourceLike<A>, op1: Op<A, B>, op2: Op<B, C>, op3: (s: AsyncIterable<C>) => RD): RD;
export function pipe<A, B, C, D, E, RE extends AsyncIterable<E>>(
  source: SourceLike<A>, op1: Op<A, B>, op2: Op<B, C>, op3: Op<C, D>, op4: (s: AsyncIterable<D>) => RE): RE;
export function pipe<A, B, C, D, E, F, RF extends AsyncIterable<F>>(
  source: SourceLike<A>, op1: Op<A, B>, op2: Op<B, C>, op3: Op<C, D>, op4: Op<D, E>, op5: (s: AsyncIterable<E>) => RF): RF;
export function pipe<A, B, C, D, E, F, G, RG extends AsyncIterable<G>>(
  source: SourceLike<A>, op1: Op<A, B>, op2: Op<B, C>, op3: Op<C, D>, op4: Op<D, E>, op5: Op<E, F>,
  op6: (s: AsyncIterable<F>) => RG): RG;
export function pipe<A, B, C, D, E, F, G, H, RH extends AsyncIterable<H>>(
  source: SourceLike<A>, op1: Op<A, B>, op2: Op<B, C>, op3: Op<C, D>, op4: Op<D, E>, op5: Op<E, F>,
  op6: Op<F, G>, op7: (s: AsyncIterable<G>) => RH): RH;
export function pipe(source: SourceLike<unknown>, ...ops: Op<unknown, unknown>[]): AsyncIterable<unknown>;
export function pipe(source: SourceLike<unknown>, ...ops: Op<unknown, unknown>[]): AsyncIterable<unknown> {
  let current: AsyncIterable<unknown> = from(source);
  for (const op of ops) current = op(current);
  return current;
}
