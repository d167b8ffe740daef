// protobuf's canonical JSON mapping of tf.train.Example, printed the way python's
// json_format.MessageToJson prints it (ensure_ascii, float32 values in their shortest form that
// round-trips, python float repr), on one line without spaces. exampleFromJson is the exact
// inverse: for deterministically written bytes, exampleFromJson(exampleToJson(b)) equals b.

import { InputError } from '../core/errors.js';
import { NO_KIND, decodeExampleEntries, encodeExample, type DecodedFeature, type Features } from './example.js';

// ---------------------------------------------------------------------------------------------
// Python float formatting

/** Whether the decimal `digits` × 10^exp10 equals the double x exactly. */
function decimalEquals(x: number, digits: string, exp10: number): boolean {
  const bits = new DataView(new ArrayBuffer(8));
  bits.setFloat64(0, Math.abs(x));
  const hi = bits.getUint32(0);
  const lo = bits.getUint32(4);
  const biased = hi >>> 20;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let e2: number;
  if (biased === 0) e2 = -1074;
  else {
    mant |= 1n << 52n;
    e2 = biased - 1075;
  }
  let left = mant; // mant × 2^e2
  let right = BigInt(digits); // digits × 10^exp10
  if (e2 >= 0) left <<= BigInt(e2);
  else right <<= BigInt(-e2);
  if (exp10 >= 0) right *= 10n ** BigInt(exp10);
  else left *= 10n ** BigInt(-exp10);
  return left === right;
}

/** `float('{:.{p}g}'.format(x))`: x rounded to p significant digits, ties to even (Python). */
function roundSignificant(x: number, p: number): number {
  const js = Number(x.toPrecision(p)); // JS breaks exact ties away from zero
  const longer = Math.abs(x).toExponential(p); // p+1 significant digits
  const [mant, exp] = longer.split('e') as [string, string];
  const digits = mant.replace('.', '');
  if (digits.endsWith('5') && decimalEquals(x, digits, Number(exp) - p)) {
    const kept = digits.slice(0, -1);
    if ((kept.charCodeAt(kept.length - 1) - 48) % 2 === 0) {
      // exact tie with an even last kept digit: Python rounds toward zero here
      const down = Number(`${kept}e${Number(exp) - p + 1}`);
      return x < 0 ? -down : down;
    }
  }
  return js;
}

/** Python's repr() of a double. */
export function pythonFloatRepr(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const sign = x < 0 ? '-' : '';
  const [m, e] = Math.abs(x).toExponential().split('e') as [string, string];
  const digits = m.replace('.', '');
  const exp = Number(e);
  if (exp < -4 || exp >= 16) {
    const mant = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const ee = Math.abs(exp);
    return `${sign}${mant}e${exp < 0 ? '-' : '+'}${ee < 10 ? '0' : ''}${ee}`;
  }
  const decpt = exp + 1;
  if (decpt <= 0) return `${sign}0.${'0'.repeat(-decpt)}${digits}`;
  if (decpt >= digits.length) return `${sign}${digits}${'0'.repeat(decpt - digits.length)}.0`;
  return `${sign}${digits.slice(0, decpt)}.${digits.slice(decpt)}`;
}

/** A float32 value as MessageToJson prints it (type_checkers.ToShortestFloat, then repr). */
export function float32Json(x: number): string {
  if (Number.isNaN(x)) return '"NaN"';
  if (x === Infinity) return '"Infinity"';
  if (x === -Infinity) return '"-Infinity"';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  let p = 6;
  let rounded = roundSignificant(x, p);
  while (Math.fround(rounded) !== x) {
    p++;
    rounded = roundSignificant(x, p);
  }
  return pythonFloatRepr(rounded);
}

/** A JSON string literal as python's json.dumps writes it with ensure_ascii=True. */
export function pythonJsonString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22) out += '\\"';
    else if (c === 0x5c) out += '\\\\';
    else if (c >= 0x20 && c < 0x7f) out += s[i];
    else if (c === 0x0a) out += '\\n';
    else if (c === 0x0d) out += '\\r';
    else if (c === 0x09) out += '\\t';
    else if (c === 0x08) out += '\\b';
    else if (c === 0x0c) out += '\\f';
    else out += '\\u' + c.toString(16).padStart(4, '0');
  }
  return out + '"';
}

function base64(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64');
}

function featureJson(v: DecodedFeature): string {
  if (v === NO_KIND) return '{}';
  if (v instanceof Float32Array) {
    if (v.length === 0) return '{"floatList":{}}';
    const parts = new Array<string>(v.length);
    for (let i = 0; i < v.length; i++) parts[i] = float32Json(v[i]!);
    return `{"floatList":{"value":[${parts.join(',')}]}}`;
  }
  if (v instanceof BigInt64Array) {
    if (v.length === 0) return '{"int64List":{}}';
    const parts = new Array<string>(v.length);
    for (let i = 0; i < v.length; i++) parts[i] = `"${v[i]}"`;
    return `{"int64List":{"value":[${parts.join(',')}]}}`;
  }
  if (v.length === 0) return '{"bytesList":{}}';
  return `{"bytesList":{"value":[${v.map((b) => `"${base64(b)}"`).join(',')}]}}`;
}

/**
 * One line of protobuf's canonical JSON for a serialized Example (map keys in wire order).
 *
 * @example
 * const json = exampleToJson(encodeExample({ x: [0.5] })); // MessageToJson's text
 * const again = exampleFromJson(json);
 */
export function exampleToJson(bytes: Uint8Array): string {
  const { hasFeatures, entries } = decodeExampleEntries(bytes);
  if (!hasFeatures) return '{}';
  if (entries.length === 0) return '{"features":{}}';
  const parts = entries.map(([k, v]) => `${pythonJsonString(k)}:${featureJson(v)}`);
  return `{"features":{"feature":{${parts.join(',')}}}}`;
}

// ---------------------------------------------------------------------------------------------
// JSON → bytes

function fail(what: string): never {
  throw new InputError(`not a tf.train.Example in JSON form: ${what}`);
}

function isObject(x: unknown): x is Record<string, unknown> {
  return x !== null && typeof x === 'object' && !Array.isArray(x);
}

function only(o: Record<string, unknown>, allowed: string[], where: string): void {
  for (const k of Object.keys(o)) if (!allowed.includes(k)) fail(`unknown field "${k}" in ${where}`);
}

function listValues(list: unknown, where: string): unknown[] {
  if (!isObject(list)) fail(`${where} must be an object`);
  only(list, ['value'], where);
  if (list.value === undefined || list.value === null) return [];
  if (!Array.isArray(list.value)) fail(`${where}.value must be an array`);
  return list.value;
}

const BASE64 = /^[A-Za-z0-9+/\-_]*={0,2}$/;

function parseFloatValue(x: unknown, where: string): number {
  if (typeof x === 'number') return x;
  if (typeof x === 'string') {
    if (x === 'NaN') return NaN;
    if (x === 'Infinity') return Infinity;
    if (x === '-Infinity') return -Infinity;
    const n = Number(x);
    if (x.trim() !== '' && !Number.isNaN(n)) return n;
  }
  fail(`${where}: ${JSON.stringify(x)} is not a float`);
}

function parseInt64Value(x: unknown, where: string): bigint {
  if (typeof x === 'number') {
    if (Number.isSafeInteger(x)) return BigInt(x);
  } else if (typeof x === 'string' && /^-?\d+$/.test(x)) {
    const v = BigInt(x);
    if (v >= -(2n ** 63n) && v < 2n ** 63n) return v;
  }
  fail(`${where}: ${JSON.stringify(x)} is not an int64`);
}

function featureFromJson(key: string, f: unknown): DecodedFeature {
  const where = `feature "${key}"`;
  if (!isObject(f)) fail(`${where} must be an object`);
  const kinds = Object.keys(f);
  if (kinds.length === 0) return NO_KIND;
  if (kinds.length > 1) fail(`${where} sets more than one of bytesList/floatList/int64List`);
  const kind = kinds[0]!;
  const list = f[kind];
  if (kind === 'bytesList' || kind === 'bytes_list') {
    return listValues(list, `${where}.${kind}`).map((x, i) => {
      if (typeof x !== 'string' || !BASE64.test(x)) fail(`${where} value ${i} is not base64`);
      return new Uint8Array(Buffer.from(x, 'base64'));
    });
  }
  if (kind === 'floatList' || kind === 'float_list') {
    const vals = listValues(list, `${where}.${kind}`);
    const out = new Float32Array(vals.length);
    vals.forEach((x, i) => (out[i] = parseFloatValue(x, `${where} value ${i}`)));
    return out;
  }
  if (kind === 'int64List' || kind === 'int64_list') {
    const vals = listValues(list, `${where}.${kind}`);
    const out = new BigInt64Array(vals.length);
    vals.forEach((x, i) => (out[i] = parseInt64Value(x, `${where} value ${i}`)));
    return out;
  }
  fail(`${where}: unknown field "${kind}"`);
}

/** Deterministic Example bytes from the canonical JSON form (a string or a parsed object). */
export function exampleFromJson(json: string | object): Uint8Array {
  let obj: unknown = json;
  if (typeof json === 'string') {
    try {
      obj = JSON.parse(json);
    } catch (err) {
      throw new InputError(`invalid JSON: ${(err as Error).message}`);
    }
  }
  if (!isObject(obj)) fail('top level must be an object');
  only(obj, ['features'], 'Example');
  if (obj.features === undefined || obj.features === null) return encodeExample({}, { hasFeatures: false });
  const fs = obj.features;
  if (!isObject(fs)) fail('"features" must be an object');
  only(fs, ['feature'], 'features');
  const map = fs.feature ?? {};
  if (!isObject(map)) fail('"features.feature" must be an object');
  const features: Features = {};
  for (const key of Object.keys(map)) {
    const value = featureFromJson(key, map[key]);
    Object.defineProperty(features, key, { value, enumerable: true, writable: true, configurable: true });
  }
  return encodeExample(features);
}
