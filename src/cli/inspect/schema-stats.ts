// What TFDV's inferred schema and statistics give, over decoded tf.train.Examples: per feature
// key its kind, how many records hold it, its list lengths, value range and mean for numbers, a
// distinct-count estimate for bytes.
import { NO_KIND, type DecodedFeature, type DecodedFeatures } from '../../io/index.js';
import { formatFloat32 } from '../example-format.js';
import { DistinctCounter, EXACT_LIMIT } from './hyperloglog.js';

export type SchemaKind = 'bytes' | 'float' | 'int64' | 'none';

/** One feature's statistics as `schema --json` prints them. */
export interface FeatureSchema {
  kind: SchemaKind;
  /** Records that hold the key. */
  present: number;
  minLength: number;
  maxLength: number;
  /** Numbers only: over every value of every record (int64 beyond 2^53 as a decimal string). */
  min?: number | string;
  max?: number | string;
  mean?: number;
  /** Numbers only: how many values were NaN (left out of min, max and mean). */
  nan?: number;
  /** Bytes only: distinct values (exact up to 65,536, then a HyperLogLog estimate; seeded). */
  distinct?: number;
  /** When records disagree on the kind: how many records had each (`kind` is the commonest). */
  kinds?: Partial<Record<SchemaKind, number>>;
}

export interface SchemaReport {
  records: number;
  features: Record<string, FeatureSchema>;
}

class FeatureAccumulator {
  readonly kinds: Record<SchemaKind, number> = { bytes: 0, float: 0, int64: 0, none: 0 };
  present = 0;
  minLength = Infinity;
  maxLength = -Infinity;
  values = 0;
  nan = 0;
  sum = 0;
  intValues = 0;
  intSum = 0;
  min = Infinity;
  max = -Infinity;
  minInt: bigint | undefined;
  maxInt: bigint | undefined;
  hll: DistinctCounter | undefined;

  add(v: DecodedFeature): void {
    this.present++;
    const n = v.length;
    if (n < this.minLength) this.minLength = n;
    if (n > this.maxLength) this.maxLength = n;
    if (v === NO_KIND) {
      this.kinds.none++;
    } else if (v instanceof Float32Array) {
      this.kinds.float++;
      for (let i = 0; i < n; i++) {
        const x = v[i]!;
        if (Number.isNaN(x)) {
          this.nan++;
          continue;
        }
        this.values++;
        this.sum += x;
        if (x < this.min) this.min = x;
        if (x > this.max) this.max = x;
      }
    } else if (v instanceof BigInt64Array) {
      this.kinds.int64++;
      for (let i = 0; i < n; i++) {
        const x = v[i]!;
        this.values++;
        this.intValues++;
        this.intSum += Number(x);
        if (this.minInt === undefined || x < this.minInt) this.minInt = x;
        if (this.maxInt === undefined || x > this.maxInt) this.maxInt = x;
      }
    } else {
      this.kinds.bytes++;
      this.hll ??= new DistinctCounter();
      for (const b of v) this.hll.add(b);
    }
  }

  report(): FeatureSchema {
    const seen = (Object.entries(this.kinds) as [SchemaKind, number][]).filter(([, c]) => c > 0);
    // The commonest kind names the feature; ties go to the order bytes, float, int64, none.
    const kind = seen.reduce((a, b) => (b[1] > a[1] ? b : a))[0];
    const out: FeatureSchema = { kind, present: this.present, minLength: this.minLength, maxLength: this.maxLength };
    // Numbers of the feature's own kind (a rare record of the other numeric kind is counted in
    // `kinds` but not mixed into the range).
    if (kind === 'float' && this.values - this.intValues > 0) {
      out.min = Number(formatFloat32(this.min));
      out.max = Number(formatFloat32(this.max));
      out.mean = this.sum / (this.values - this.intValues);
    }
    if (kind === 'int64' && this.minInt !== undefined && this.maxInt !== undefined) {
      out.min = intValue(this.minInt);
      out.max = intValue(this.maxInt);
      out.mean = this.intSum / this.intValues;
    }
    if (kind === 'float' && this.nan > 0) out.nan = this.nan;
    if (this.hll) out.distinct = Math.round(this.hll.estimate());
    if (seen.length > 1) out.kinds = Object.fromEntries(seen);
    return out;
  }
}

/** An int64 as a JSON number when exact, else its decimal string (as protobuf's JSON mapping does). */
function intValue(x: bigint): number | string {
  const n = Number(x);
  return Number.isSafeInteger(n) ? n : x.toString();
}

/** Accumulates Examples one by one; `report()` any time. */
export class SchemaStats {
  private records = 0;
  private readonly features = new Map<string, FeatureAccumulator>();

  add(example: DecodedFeatures): void {
    this.records++;
    for (const key of Object.keys(example)) {
      let acc = this.features.get(key);
      if (acc === undefined) this.features.set(key, (acc = new FeatureAccumulator()));
      acc.add(example[key]!);
    }
  }

  report(): SchemaReport {
    const keys = [...this.features.keys()].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    return { records: this.records, features: Object.fromEntries(keys.map((k) => [k, this.features.get(k)!.report()])) };
  }
}

const fmt = (v: number | string | undefined): string => (v === undefined ? '' : typeof v === 'string' ? v : Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(6))));

/** The report as an aligned text table, one feature per row. */
export function schemaTable(report: SchemaReport): string[] {
  const header = ['feature', 'kind', 'present', 'length', 'min', 'max', 'mean', 'distinct'];
  const rows = Object.entries(report.features).map(([key, f]) => [
    JSON.stringify(key).slice(1, -1),
    f.kinds ? `${f.kind} (mixed: ${Object.entries(f.kinds).map(([k, n]) => `${k} ${n}`).join(', ')})` : f.kind,
    `${f.present}/${report.records}`,
    f.minLength === f.maxLength ? String(f.minLength) : `${f.minLength}..${f.maxLength}`,
    fmt(f.min),
    fmt(f.max),
    fmt(f.mean),
    // Counts up to EXACT_LIMIT are exact; only HyperLogLog's estimates beyond it get a tilde.
    f.distinct === undefined ? '' : `${f.distinct > EXACT_LIMIT ? '~' : ''}${f.distinct}`,
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (r: string[]) => r.map((cell, c) => (c >= 2 ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)];
}
