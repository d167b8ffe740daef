// unique(): tf.data's unique, extended past scalars. Primitives are compared as a Set compares
// them (NaN equals NaN, 0 equals -0); arrays and plain objects by their content, recursively;
// typed arrays by their type and bytes; functions by identity at the top level. Every value seen stays in memory, as in tf.data.
import { fromChunks, type Chunked } from '../../core/chunks.js';
import { eachChunk } from '../source.js';

/**
 * Each distinct value the first time it appears, in input order (tf.data's `unique`).
 *
 * @example
 * await Dataset.from([1, 37, 2, 37, 2, 1]).unique().toArray(); // [1, 37, 2]
 * const rows = pipe([[1, 2], [1, 2], [2, 1]], unique()); // [1, 2], [2, 1]
 */
export function unique<T>() {
  return (source: AsyncIterable<T>): Chunked<T> =>
    fromChunks(async function* () {
      const primitives = new Set<unknown>();
      const composites = new Set<string>();
      for await (const chunk of eachChunk(source)) {
        const out: T[] = [];
        for (const x of chunk) {
          if (x === null || typeof x !== 'object') {
            if (primitives.has(x)) continue;
            primitives.add(x);
          } else {
            const key = contentKey(x);
            if (composites.has(key)) continue;
            composites.add(key);
          }
          out.push(x);
        }
        if (out.length > 0) yield out;
      }
    });
}

/** A string equal for two values exactly when their contents are equal. */
function contentKey(x: unknown): string {
  if (x === null) return 'null';
  switch (typeof x) {
    case 'number':
      return Number.isNaN(x) ? 'NaN' : String(x);
    case 'string':
      return JSON.stringify(x);
    case 'bigint':
      return `${x}n`;
    case 'boolean':
    case 'undefined':
      return String(x);
    default:
      break;
  }
  if (ArrayBuffer.isView(x)) {
    const bytes = Buffer.from(x.buffer, x.byteOffset, x.byteLength);
    return `${x.constructor.name}(${bytes.toString('latin1')})`;
  }
  if (Array.isArray(x)) return `[${x.map(contentKey).join(',')}]`;
  if (typeof x === 'object') {
    const keys = Object.keys(x).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${contentKey((x as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return String(x);
}
