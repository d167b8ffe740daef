// chooseFromDatasets(datasets, { stopOnEmptyDataset }): tf.data's choose_from_datasets as an
// operator over the choice source: each choice k yields the next element of datasets[k]. A
// choice of an input that has run out ends the output (stopOnEmptyDataset, default true as in
// tf.data) or is skipped; a choice outside [0, datasets.length) is an error.
import { fromChunks, type Chunked } from '../../core/chunks.js';
import { InputError } from '../../core/errors.js';
import { Cursor, closeAll } from '../cursor.js';
import { OperatorError } from '../errors.js';
import { expandEach, type Outbox } from '../expand.js';
import type { SourceLike } from '../source.js';

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
      let alive = n;
      // A chosen input with nothing ready: wait for it (the gathered outputs have gone out).
      async function* fill(c: Cursor<T>, out: Outbox<T>): AsyncGenerator<never> {
        if (await c.fill()) out.items.push(c.take());
        else if (stop || --alive === 0) out.stopped = true;
      }
      try {
        yield* expandEach<number, T>(choices, (k, i, out) => {
          if (!Number.isInteger(k) || k < 0 || k >= n) {
            throw new OperatorError('chooseFromDatasets', i, new InputError(`choice ${String(k)} is not an index in [0, ${n})`));
          }
          const c = cursors[k] as Cursor<T>;
          if (c.done) return undefined;
          if (!c.ready) return fill(c, out);
          out.items.push(c.take());
          return undefined;
        });
      } finally {
        await closeAll(cursors as Cursor<unknown>[]);
      }
    });
}
