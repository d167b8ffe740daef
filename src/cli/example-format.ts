// Human-readable text for tf.train.Example features (cat's default output) and the first
// difference between two decoded Examples (diff).
import type { DecodedFeature, DecodedFeatures } from '../io/index.js';

export type FeatureKind = 'bytes_list' | 'float_list' | 'int64_list';

/** The list a decoded feature came from (a Feature with no list set decodes as an empty bytes list). */
export function featureKind(v: DecodedFeature): FeatureKind {
  if (v instanceof Float32Array) return 'float_list';
  if (v instanceof BigInt64Array) return 'int64_list';
  return 'bytes_list';
}

const MAX_VALUES = 8;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** A bytes value as a quoted string when it is short printable UTF-8, else its size. */
export function formatBytes(b: Uint8Array): string {
  if (b.length <= 64) {
    try {
      const s = utf8.decode(b);
      // Printable: no control characters other than tab.
      if (!/[\u0000-\u0008\u000a-\u001f\u007f]/.test(s)) return JSON.stringify(s);
    } catch {
      // not UTF-8: fall through
    }
  }
  return `<${b.length} bytes>`;
}

function formatNumber(v: number | bigint): string {
  if (typeof v === 'bigint') return v.toString();
  return String(v);
}

/** The shortest decimal that reads back as the same float32 (3.14, not 3.140000104904175). */
export function formatFloat32(v: number): string {
  if (!Number.isFinite(v) || Number.isInteger(v)) return String(v);
  for (let p = 1; p <= 9; p++) {
    const s = Number(v.toPrecision(p));
    if (Math.fround(s) === v) return String(s);
  }
  return String(v);
}

export function formatFeature(v: DecodedFeature): string {
  const kind = featureKind(v);
  const n = v.length;
  const shown: string[] = [];
  for (let i = 0; i < Math.min(n, MAX_VALUES); i++) {
    const x = (v as ArrayLike<unknown>)[i];
    shown.push(kind === 'bytes_list' ? formatBytes(x as Uint8Array) : kind === 'float_list' ? formatFloat32(x as number) : formatNumber(x as number | bigint));
  }
  const more = n > MAX_VALUES ? ` ... (${n} values)` : '';
  return `${kind.replace('_list', '')}[${n}] ${shown.join(' ')}${more}`.trimEnd();
}

/** One line per record: `#3 image=bytes[1] <768 bytes>  x=float[1] 0.5 ...`, keys sorted. */
export function formatExample(index: number, features: DecodedFeatures): string {
  const keys = Object.keys(features).sort();
  return `#${index} ` + keys.map((k) => `${k}=${formatFeature(features[k]!)}`).join('  ');
}

function sameFloatBits(a: number, b: number): boolean {
  const fa = new Float32Array([a]);
  const fb = new Float32Array([b]);
  return new Uint32Array(fa.buffer)[0] === new Uint32Array(fb.buffer)[0];
}

function firstByteDifference(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}

export interface FeatureDifference {
  feature: string;
  detail: string;
}

/** The first differing feature (keys in sorted order), or undefined when the features are equal. */
export function firstFeatureDifference(a: DecodedFeatures, b: DecodedFeatures): FeatureDifference | undefined {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  for (const key of keys) {
    const va = a[key];
    const vb = b[key];
    if (va === undefined) return { feature: key, detail: 'only in B' };
    if (vb === undefined) return { feature: key, detail: 'only in A' };
    const ka = featureKind(va);
    const kb = featureKind(vb);
    if (va.length > 0 && vb.length > 0 && ka !== kb) return { feature: key, detail: `${ka} in A, ${kb} in B` };
    if (va.length !== vb.length) return { feature: key, detail: `${va.length} values in A, ${vb.length} in B` };
    for (let i = 0; i < va.length; i++) {
      const xa = (va as ArrayLike<unknown>)[i];
      const xb = (vb as ArrayLike<unknown>)[i];
      if (ka === 'bytes_list') {
        const at = firstByteDifference(xa as Uint8Array, xb as Uint8Array);
        if (at >= 0) {
          return {
            feature: key,
            detail: `value [${i}]: ${formatBytes(xa as Uint8Array)} in A, ${formatBytes(xb as Uint8Array)} in B (first different byte at ${at})`,
          };
        }
      } else if (ka === 'float_list') {
        if (!sameFloatBits(xa as number, xb as number)) {
          return { feature: key, detail: `value [${i}]: ${formatFloat32(xa as number)} in A, ${formatFloat32(xb as number)} in B` };
        }
      } else if (xa !== xb) {
        return { feature: key, detail: `value [${i}]: ${formatNumber(xa as bigint)} in A, ${formatNumber(xb as bigint)} in B` };
      }
    }
  }
  return undefined;
}
