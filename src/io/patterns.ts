// Shard patterns: `data/train-*.tfr`, `part-?????`, `shard-[0-3]*`. A pattern expands to the
// matching files in byte-wise (UTF-8) order, so the same pattern gives the same file order on
// every machine and in every locale. Two conventions of the Hadoop/Spark world hold: a wildcard
// never matches a name that starts with `_` or `.` (`_SUCCESS`, `.crc`, temp files), and the
// `.idx` files recordflow writes beside its shards are never data unless the pattern names them.
// `s3://bucket/pattern` expands the same way by listing the bucket.

import { readdir, stat } from 'node:fs/promises';
import { InputError } from '../core/errors.js';
import { isS3Url, parseS3Url, s3Url } from '../storage/url.js';
import { listObjects } from '../storage/objects.js';

/**
 * Whether a path or URL holds a wildcard (`*`, `?` or a `[...]` class) and so names a pattern.
 *
 * @example
 * hasPattern('data/train-*.tfr'); // true
 * hasPattern('data/train.tfr'); // false
 */
export function hasPattern(path: string): boolean {
  return /[*?[]/.test(path);
}

/**
 * Compares two names by their UTF-8 bytes (not JS's UTF-16 order): the order object stores
 * list keys in, and the order a pattern's matches come back in.
 *
 * @example
 * ['b', 'a', 'ä'].sort(compareBytewise); // ['a', 'b', 'ä']
 */
export function compareBytewise(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/**
 * A matcher for one path segment of a glob: `*` any run of characters, `?` one character,
 * `[abc]`, `[a-z]`, `[!a]` / `[^a]` a class; `\` escapes. A segment that starts with a
 * wildcard never matches names starting with `_` or `.` (Hadoop's hidden-file rule).
 *
 * @example
 * const m = segmentMatcher('part-*');
 * m('part-00001'); // true
 */
export function segmentMatcher(segment: string): (name: string) => boolean {
  let source = '';
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i]!;
    if (c === '\\' && i + 1 < segment.length) {
      source += escapeRegExp(segment[++i]!);
    } else if (c === '*') {
      source += '.*';
    } else if (c === '?') {
      source += '.';
    } else if (c === '[') {
      const close = classEnd(segment, i);
      if (close < 0) {
        source += '\\[';
        continue;
      }
      let body = segment.slice(i + 1, close);
      let negate = false;
      if (body.startsWith('!') || body.startsWith('^')) {
        negate = true;
        body = body.slice(1);
      }
      source += `[${negate ? '^' : ''}${body.replace(/[\\\]^]/g, (m) => `\\${m}`)}]`;
      i = close;
    } else {
      source += escapeRegExp(c);
    }
  }
  const re = new RegExp(`^${source}$`, 'su');
  const hideDotted = /^[*?[]/.test(segment);
  return (name) => !(hideDotted && (name.startsWith('.') || name.startsWith('_'))) && re.test(name);
}

function classEnd(segment: string, open: number): number {
  let j = open + 1;
  if (segment[j] === '!' || segment[j] === '^') j++;
  if (segment[j] === ']') j++; // a leading ] is a member, as in POSIX globs
  const close = segment.indexOf(']', j);
  return close;
}

function escapeRegExp(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/]/g, (m) => `\\${m}`);
}

/**
 * Whether a file name is a sidecar index recordflow (or DALI) writes beside a shard; patterns
 * leave such files out unless their last segment asks for `.idx` itself.
 */
function isIndexFile(name: string): boolean {
  return name.endsWith('.idx');
}

/**
 * The local files a glob pattern names, in byte-wise order. Wildcards may stand in any path
 * segment (`runs/*\/data/*.tfr`). No match is an InputError naming the pattern.
 *
 * @example
 * const shards = await expandLocalPattern('data/loc_train-*-of-00004.tfr');
 */
export async function expandLocalPattern(pattern: string): Promise<string[]> {
  const absolute = pattern.startsWith('/');
  const segments = pattern.split('/').filter((s, i) => s !== '' || i === 0);
  let bases: string[] = [absolute ? '/' : ''];
  for (let s = absolute ? 1 : 0; s < segments.length; s++) {
    const segment = segments[s]!;
    const last = s === segments.length - 1;
    const next: string[] = [];
    if (!hasPattern(segment)) {
      for (const base of bases) next.push(join(base, segment.replace(/\\(.)/g, '$1')));
    } else {
      const match = segmentMatcher(segment);
      const keepIdx = isIndexFile(segment);
      for (const base of bases) {
        let entries;
        try {
          entries = await readdir(base === '' ? '.' : base, { withFileTypes: true });
        } catch {
          continue; // a missing or unreadable directory contributes no match
        }
        for (const e of entries) {
          if (!match(e.name)) continue;
          if (last) {
            if (e.isDirectory()) continue;
            if (isIndexFile(e.name) && !keepIdx) continue;
          } else if (!e.isDirectory() && !e.isSymbolicLink()) {
            continue;
          }
          next.push(join(base, e.name));
        }
      }
    }
    bases = next;
    if (bases.length === 0) break;
  }
  const found = await existing(bases);
  if (found.length === 0) throw new InputError(`no file matches the pattern ${pattern}`, pattern);
  return found.sort(compareBytewise);
}

function join(base: string, name: string): string {
  if (base === '') return name;
  return base.endsWith('/') ? base + name : `${base}/${name}`;
}

async function existing(paths: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const p of paths) {
    try {
      if (!(await stat(p)).isDirectory()) out.push(p);
    } catch {
      // literal segments after a wildcard may name nothing; such paths are simply no match
    }
  }
  return out;
}

/** The part of a key before its first unescaped wildcard (escapes resolved): the listing prefix. */
function literalPrefix(key: string): string {
  let out = '';
  for (let i = 0; i < key.length; i++) {
    const c = key[i]!;
    if (c === '\\' && i + 1 < key.length) out += key[++i];
    else if (c === '*' || c === '?' || c === '[') return out;
    else out += c;
  }
  return out;
}

/**
 * The objects an `s3://bucket/key-pattern` names, in byte-wise order, found by listing the
 * bucket under the pattern's literal prefix (one directory level when only the last segment
 * has wildcards). Segments match as for local paths: the hidden-name rule per segment, `.idx`
 * objects only when the last segment names them. No match is an InputError naming the pattern.
 *
 * @example
 * const shards = await expandS3Pattern('s3://my-bucket/prepared/loc_train.tfr-*');
 */
export async function expandS3Pattern(pattern: string): Promise<string[]> {
  const { bucket, key } = parseS3Url(pattern);
  const segments = key.split('/');
  const last = segments.length - 1;
  const matchers = segments.map((seg) => (hasPattern(seg) ? segmentMatcher(seg) : ((name: string) => name === seg.replace(/\\(.)/g, '$1'))));
  const keepIdx = isIndexFile(segments[last]!);
  const onlyLast = segments.findIndex(hasPattern) === last;
  const found: string[] = [];
  for await (const o of listObjects(bucket, literalPrefix(key), onlyLast ? { delimiter: '/' } : {})) {
    const parts = o.key.split('/');
    if (parts.length !== segments.length) continue;
    if (!parts.every((part, i) => matchers[i]!(part))) continue;
    if (isIndexFile(parts[last]!) && !keepIdx) continue;
    found.push(s3Url(bucket, o.key));
  }
  if (found.length === 0) throw new InputError(`no object matches the pattern ${pattern}`, pattern);
  return found.sort(compareBytewise);
}

/**
 * The files (or objects) a pattern names: local paths by reading directories, `s3://` URLs by
 * listing the bucket.
 *
 * @example
 * const files = await expandPattern('s3://my-bucket/shards/train-*.tfr');
 */
export function expandPattern(pattern: string): Promise<string[]> {
  return isS3Url(pattern) ? expandS3Pattern(pattern) : expandLocalPattern(pattern);
}

/**
 * Expands every pattern among `inputs`, local or `s3://` (others pass unchanged, in place), so
 * `['a.tfr', 'shards/*.tfr']` becomes `a.tfr` followed by the shards in byte-wise order.
 *
 * @example
 * const files = await expandInputs(['data/*.tfr.gz', 's3://my-bucket/more/*.tfr']);
 */
export async function expandInputs(inputs: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const input of inputs) {
    if (hasPattern(input)) out.push(...(await expandPattern(input)));
    else out.push(input);
  }
  return out;
}
