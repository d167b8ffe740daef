// TensorBoard event files: TFRecord files of `Event` protos. Only what scalar logging needs is
// modelled: Event{wall_time=1 double, step=2 int64, file_version=3 string, summary=5},
// Summary{repeated value=1}, Summary.Value{tag=1, simple_value=2 float, node_name=7}.
// Other members (graphs, images, histograms, tensors) are skipped when decoding.

import { hostname } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../core/errors.js';
import { ProtoReader, ProtoWriter, joinInt64, splitInt64, splitSafeInt, utf8At, utf8Bytes, varintSize32, varintSize64 } from './protowire.js';
import { TFRecordWriter } from './tfrecord-writer.js';
import { makeDirs } from './make-dirs.js';

/** One TF1-style scalar summary value: a tag and its float. */
export interface SummaryScalar {
  tag: string;
  simpleValue: number;
}

/**
 * An event to write to a TensorBoard file: wall time in seconds, the step, and either the
 * file-version record or scalar summaries.
 */
export interface EventInput {
  wallTime: number;
  step?: number | bigint;
  fileVersion?: string;
  summary?: SummaryScalar[];
}

/** An event read back from a TensorBoard file. */
export interface DecodedEvent {
  wallTime: number;
  /** The step as a number (steps beyond 2^53 lose precision). */
  step: number;
  fileVersion?: string;
  /**
   * Summary values: simpleValue for TF1-style scalars, tensorScalar for TF2-style 0-d float or
   * double tensors; both undefined for other values (images, histograms, ...).
   */
  summary?: { tag: string; simpleValue?: number; tensorScalar?: number }[];
}

/** TensorBoard's event file name: `events.out.tfevents.<unix seconds>.<host>`. */
export function eventFileName(host: string = hostname(), time: number = Date.now() / 1000): string {
  return `events.out.tfevents.${Math.floor(time)}.${host}`;
}

function stepHalves(step: number | bigint): [number, number] {
  if (typeof step === 'bigint') {
    const pair = splitInt64(step);
    if (pair === null) throw new InputError(`event step ${step} is outside the int64 range`);
    return pair;
  }
  if (!Number.isSafeInteger(step)) throw new InputError(`event step ${step} is not a safe integer`);
  return splitSafeInt(step);
}

/**
 * Event bytes, byte-identical to protobuf's deterministic serialization.
 *
 * @example
 * const bytes = encodeEvent({ wallTime: 0, step: 1, summary: [{ tag: 'loss', simpleValue: 0.5 }] });
 * const back = decodeEvent(bytes); // back.summary?.[0]?.simpleValue === 0.5
 */
export function encodeEvent(event: EventInput): Uint8Array {
  const wall = event.wallTime;
  const writeWall = !Object.is(wall, 0);
  const [slo, shi] = stepHalves(event.step ?? 0);
  const version = event.fileVersion === undefined ? undefined : utf8Bytes(event.fileVersion);
  let summaryLen = 0;
  const values = (event.summary ?? []).map((v) => {
    const tag = utf8Bytes(v.tag);
    const len = (tag.length > 0 ? 1 + varintSize32(tag.length) + tag.length : 0) + 5;
    summaryLen += 1 + varintSize32(len) + len;
    return { tag, len, value: v.simpleValue };
  });
  let total = 0;
  if (writeWall) total += 9;
  if (slo !== 0 || shi !== 0) total += 1 + varintSize64(slo, shi);
  if (version !== undefined) total += 1 + varintSize32(version.length) + version.length;
  if (event.summary !== undefined) total += 1 + varintSize32(summaryLen) + summaryLen;
  const w = new ProtoWriter(new Uint8Array(total));
  if (writeWall) {
    w.byte(0x09);
    w.double(wall);
  }
  if (slo !== 0 || shi !== 0) {
    w.byte(0x10);
    w.varint64(slo, shi);
  }
  if (version !== undefined) {
    w.byte(0x1a);
    w.uint(version.length);
    w.bytes(version);
  }
  if (event.summary !== undefined) {
    w.byte(0x2a);
    w.uint(summaryLen);
    for (const v of values) {
      w.byte(0x0a);
      w.uint(v.len);
      if (v.tag.length > 0) {
        w.byte(0x0a);
        w.uint(v.tag.length);
        w.bytes(v.tag);
      }
      w.byte(0x15);
      w.float(v.value);
    }
  }
  return w.buf;
}

function skip(r: ProtoReader, tag: number): void {
  if (tag >>> 3 === 0) r.fail('field number 0');
  r.skip(tag & 7, tag >>> 3);
}

/** Field numbers of Summary.Value's `value` oneof other than simple_value (2). */
const VALUE_ONEOF = new Set([3, 4, 5, 6, 8]);

/** The number in a scalar float/double TensorProto (TF2 summaries), else undefined. */
function tensorScalar(r: ProtoReader, end: number): number | undefined {
  let dtype = 0;
  let content: Uint8Array | undefined;
  const floats: number[] = [];
  const doubles: number[] = [];
  const outer = r.end;
  r.end = end;
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === 0x08) dtype = r.varint64();
    else if (tag === 0x22) {
      const e = r.lenEnd();
      content = r.buf.subarray(r.pos, e);
      r.pos = e;
    } else if (tag === 0x2a || tag === 0x32) {
      const e = r.lenEnd();
      while (r.pos < e) (tag === 0x2a ? floats : doubles).push(tag === 0x2a ? r.float() : r.double());
    } else if (tag === 0x2d) floats.push(r.float());
    else if (tag === 0x31) doubles.push(r.double());
    else skip(r, tag);
  }
  r.end = outer;
  const dv = content && new DataView(content.buffer, content.byteOffset, content.byteLength);
  if (dtype === 1) return floats.length === 1 ? floats[0] : dv?.byteLength === 4 ? dv.getFloat32(0, true) : undefined;
  if (dtype === 2) return doubles.length === 1 ? doubles[0] : dv?.byteLength === 8 ? dv.getFloat64(0, true) : undefined;
  return undefined;
}

function decodeValue(r: ProtoReader, end: number): { tag: string; simpleValue?: number; tensorScalar?: number } {
  const out: { tag: string; simpleValue?: number; tensorScalar?: number } = { tag: '' };
  const outer = r.end;
  r.end = end;
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === 0x0a) {
      const e = r.lenEnd();
      out.tag = utf8At(r.buf, r.pos, e);
      r.pos = e;
    } else if (tag === 0x15) {
      delete out.tensorScalar;
      out.simpleValue = r.float();
    } else if (tag === 0x42) {
      // TF2 writes scalars as a 0-d tensor (plugin "scalars" in the metadata)
      delete out.simpleValue;
      const e = r.lenEnd();
      const v = tensorScalar(r, e);
      if (v === undefined) delete out.tensorScalar;
      else out.tensorScalar = v;
      r.pos = e;
    } else if (VALUE_ONEOF.has(tag >>> 3)) {
      // another member of the value oneof (histogram, image, histo, audio) replaces it
      delete out.simpleValue;
      delete out.tensorScalar;
      skip(r, tag);
    } else {
      skip(r, tag);
    }
  }
  r.end = outer;
  return out;
}

/** Decodes an Event; lenient like protobuf parsers (any order, repeats merged, unknowns skipped). */
export function decodeEvent(bytes: Uint8Array): DecodedEvent {
  const r = new ProtoReader(bytes);
  const out: DecodedEvent = { wallTime: 0, step: 0 };
  while (r.pos < r.end) {
    const tag = r.uint32();
    if (tag === 0x09) {
      out.wallTime = r.double();
    } else if (tag === 0x10) {
      const lo = r.varint64();
      out.step = Number(joinInt64(lo, r.hi));
    } else if (tag === 0x1a) {
      const e = r.lenEnd();
      out.fileVersion = utf8At(bytes, r.pos, e);
      r.pos = e;
    } else if (tag === 0x2a) {
      const e = r.lenEnd();
      const values = out.summary ?? [];
      const outer = r.end;
      r.end = e;
      while (r.pos < e) {
        const t = r.uint32();
        if (t === 0x0a) {
          const ve = r.lenEnd();
          values.push(decodeValue(r, ve));
          r.pos = ve;
        } else skip(r, t);
      }
      r.end = outer;
      out.summary = values;
    } else {
      skip(r, tag);
    }
  }
  return out;
}

/**
 * Writes scalars to a TensorBoard log directory. The first record is the
 * `file_version: "brain.Event:2"` event, as TensorFlow's EventsWriter writes it.
 */
export class EventWriter {
  private constructor(
    private readonly writer: TFRecordWriter,
    /** The event file's path. */
    readonly path: string,
  ) {}

  /** Creates `logdir` if needed and starts a new event file in it (TensorBoard's name, version record first). */
  static async open(logdir: string, options: { host?: string; time?: number } = {}): Promise<EventWriter> {
    const time = options.time ?? Date.now() / 1000;
    await makeDirs(logdir);
    const path = join(logdir, eventFileName(options.host, time));
    // not atomic: TensorBoard reads the file while training appends to it
    const writer = await TFRecordWriter.open(path, { atomic: false });
    await writer.write(encodeEvent({ wallTime: time, fileVersion: 'brain.Event:2' }));
    return new EventWriter(writer, path);
  }

  /** Logs one scalar (stored as float32, as TensorBoard's simple_value). */
  async scalar(tag: string, value: number, step: number | bigint, wallTime = Date.now() / 1000): Promise<void> {
    await this.writer.write(encodeEvent({ wallTime, step, summary: [{ tag, simpleValue: value }] }));
  }

  /** Logs several scalars of one step in a single event. */
  async scalars(values: Record<string, number>, step: number | bigint, wallTime = Date.now() / 1000): Promise<void> {
    const summary = Object.entries(values).map(([tag, simpleValue]) => ({ tag, simpleValue }));
    await this.writer.write(encodeEvent({ wallTime, step, summary }));
  }

  /** Hands everything logged so far to the file, so TensorBoard sees it while training goes on. */
  flush(): Promise<void> {
    return this.writer.flush();
  }

  /** Flushes and closes the event file. */
  async close(): Promise<void> {
    await this.writer.close();
  }
}
