// chooseFromDatasets(datasets, { stopOnEmptyDataset }): tf.data's choose_from_datasets as an
// operator over the choice source: each choice k yields the next element of datasets[k]. A
// choice of an input that has run out ends the output (stopOnEmptyDataset, default true as in
// tf.data) or is skipped; a choice outside [0, datasets.length) is an error.
import { fromChunks, type Chunked } from '../../core/chunks.js';
import { InputError } from '../../core/errors.js';
import { Cursor, closeAll } from '../cursor.js';
import { OperatorError } from '../errors.js';
import { chunkIterator, DEFAULT_CHUNK, type SourceLike } from '../source.js';

/** Options of {@link chooseFromDatasets}. */
export interface ChooseFromDatasetsOptions {
  /** End the output when a chosen input has run out, instead of skipping that choice (default true). */
  stopOnEmptyDataset?: boolean;
}

/**
 * Reads the choice source (indices into datasets) and yields, for each choice k, the next
 * element of datasets[k] (tf.data's `choose_from_datasets`).
 *
 * @example
 * const words = [Dataset.from(['foo']).repeat(), Dataset.from(['bar']).repeat(), Dataset.from(['baz']).repeat()];
 * await Dataset.chooseFromDatasets(words, Dataset.range(3).repeat(3)).toArray();
 * // ['foo', 'bar', 'baz', 'foo', 'bar', 'baz', 'foo', 'bar', 'baz']
 * const picked = pipe([1, 0, 1], chooseFromDatasets([['a', 'b'], ['x', 'y']])); // x, a, y
 */
export function chooseFromDatasets<T>(datasets: readonly SourceLike<T>[], options: ChooseFromDatasetsOptions = {}) {
  const n = datasets.length;
  if (n === 0) throw new InputError('chooseFromDatasets: datasets must not be empty');
  const stop = options.stopOnEmptyDataset ?? true;
  return (choices: AsyncIterable<number>): Chunked<T> =>
    fromChunks(async function* () {
      const cursors = datasets.map((d) => new Cursor(d));
      const input = chunkIterator(choices);
      let alive = n;
      let index = 0;
      let out: T[] = [];
      try {
        for (;;) {
          if (out.length > 0) {
            yield out;
            out = [];
          }
          const r = await input.next();
          if (r.done) return;
          for (const k of r.value) {
            const i = index++;
            if (!Number.isInteger(k) || k < 0 || k >= n) {
              throw new OperatorError('chooseFromDatasets', i, new InputError(`choice ${String(k)} is not an index in [0, ${n})`));
            }
            const c = cursors[k] as Cursor<T>;
            if (c.done) continue;
            if (!c.ready) {
              if (out.length > 0) {
                yield out;
                out = [];
              }
              if (!(await c.fill())) {
                if (stop || --alive === 0) return;
                continue;
              }
            }
            out.push(c.take());
            if (out.length >= DEFAULT_CHUNK) {
              yield out;
              out = [];
            }
          }
        }
      } finally {
        await Promise.all([closeAll(cursors as Cursor<unknown>[]), input.return?.()]);
      }
    });
}
