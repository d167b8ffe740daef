// TensorBoard Event codec: TensorFlow-written event files (golden/tf), python's
// deterministic bytes (golden/example/events.json), and an EventWriter round trip.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EventWriter, decodeEvent, encodeEvent, eventFileName, type DecodedEvent } from '../../src/io/events.js';
import { readTFRecord } from '../../src/io/tfrecord-reader.js';

const goldenTf = new URL('../../golden/tf/', import.meta.url);

async function readEvents(path: string): Promise<DecodedEvent[]> {
  const out: DecodedEvent[] = [];
  for await (const payload of readTFRecord(path)) out.push(decodeEvent(payload));
  return out;
}

test('lingvo event file (TF C++ EventsWriter): 361 events, file_version first, last bleu/dev', async () => {
  const events = await readEvents(fileURLToPath(new URL('lingvo__events.out.tfevents.test', goldenTf)));
  assert.equal(events.length, 361);
  assert.equal(events[0]!.fileVersion, 'brain.Event:2');
  assert.equal(events[0]!.wallTime, 1534577086);
  const summaries = events.slice(1);
  assert.ok(summaries.every((e) => e.summary?.length === 7));
  const tags = new Set(summaries.flatMap((e) => e.summary!.map((v) => v.tag)));
  assert.deepEqual([...tags].sort(), [
    'bleu/dev', 'bleu/split:dev', 'brevity_penalty/dev', 'brevity_penalty/split:dev',
    'log_perplexity/dev', 'log_perplexity/split:dev', 'runtime/sentence/sec',
  ]);
  const steps = events.map((e) => e.step); // the file_version event is step 0
  assert.equal(Math.min(...steps), 0);
  assert.equal(Math.max(...steps), 185200);
  const last = events[events.length - 1]!;
  assert.equal(last.step, 185200);
  assert.equal(last.summary!.find((v) => v.tag === 'bleu/dev')!.simpleValue, 0.2852171063423157);
});

test('tensorboard end_to_end event file: 25 events, 24 profile scalars at step 0', async () => {
  const events = await readEvents(fileURLToPath(new URL('tensorboard__end_to_end.tfevents', goldenTf)));
  assert.equal(events.length, 25);
  assert.equal(events[0]!.fileVersion, 'brain.Event:2');
  assert.equal(events[0]!.wallTime, 1553644433);
  const rest = events.slice(1);
  assert.ok(rest.every((e) => e.step === 0 && e.summary?.length === 1 && typeof e.summary[0]!.simpleValue === 'number'));
  const tags = new Set(rest.map((e) => e.summary![0]!.tag));
  assert.equal(tags.size, 12);
  assert.ok(tags.has('profile/train_begin') && tags.has('profile/predict_end'));
});

test('encodeEvent matches python deterministic bytes; decodeEvent reads them', () => {
  const all: {
    wallTime: number; step: number; fileVersion: string | null; tf2?: boolean;
    summary: { tag: string; simpleValueBits: string }[] | null; hex: string;
  }[] = JSON.parse(readFileSync(new URL('../../golden/example/events.json', import.meta.url), 'utf8'));
  const rows = all.filter((r) => !r.tf2);
  assert.ok(rows.length >= 5);
  for (const row of rows) {
    const bitsToFloat = (h: string) => new Float32Array(new Uint32Array([parseInt(h, 16)]).buffer)[0]!;
    const summary = row.summary?.map((v) => ({ tag: v.tag, simpleValue: bitsToFloat(v.simpleValueBits) }));
    const input = { wallTime: row.wallTime, step: row.step, fileVersion: row.fileVersion ?? undefined, summary };
    const bytes = encodeEvent(input);
    assert.equal(Buffer.from(bytes).toString('hex'), row.hex, JSON.stringify(row));
    const back = decodeEvent(bytes);
    assert.equal(back.wallTime, row.wallTime);
    assert.equal(back.step, row.step);
    assert.equal(back.fileVersion, input.fileVersion);
    assert.deepEqual(back.summary, summary);
  }
});

test('EventWriter writes a TensorBoard-named file of events that read back', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'rf-events-'));
  try {
    const w = await EventWriter.open(join(dir, 'logs'), { host: 'testhost', time: 1700000000.5 });
    assert.match(w.path, /events\.out\.tfevents\.1700000000\.testhost$/);
    await w.scalar('loss', 0.25, 1);
    await w.scalars({ loss: 0.125, iou: 0.5 }, 2n);
    await w.flush();
    await w.close();
    assert.deepEqual(await readdir(join(dir, 'logs')), ['events.out.tfevents.1700000000.testhost']);
    const events = await readEvents(w.path);
    assert.equal(events.length, 3);
    assert.deepEqual(events[0], { wallTime: 1700000000.5, step: 0, fileVersion: 'brain.Event:2' });
    assert.deepEqual(events[1]!.summary, [{ tag: 'loss', simpleValue: 0.25 }]);
    assert.equal(events[2]!.step, 2);
    assert.deepEqual(events[2]!.summary, [{ tag: 'loss', simpleValue: 0.125 }, { tag: 'iou', simpleValue: 0.5 }]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  assert.match(eventFileName('h', 12.9), /^events\.out\.tfevents\.12\.h$/);
});

test('decodeEvent: metadata does not hide simple_value; other oneof members do', () => {
  const ld = (f: number, b: number[]) => [f * 8 + 2, b.length, ...b];
  const tag = ld(1, [...Buffer.from('t')]);
  const simple = [0x15, ...new Uint8Array(new Float32Array([0.5]).buffer)];
  const value = (extra: number[]) => ld(1, [...tag, ...simple, ...extra]);
  const event = (extra: number[]) => new Uint8Array([0x10, 0x07, ...ld(5, value(extra))]);
  assert.deepEqual(decodeEvent(event(ld(9, [0x0a, 0x00]))).summary, [{ tag: 't', simpleValue: 0.5 }]);
  assert.deepEqual(decodeEvent(event(ld(8, [0x08, 0x01]))).summary, [{ tag: 't' }]);
  assert.equal(decodeEvent(event([])).step, 7);
});

test('decodeEvent reads TF2-style tensor scalars (python-written)', () => {
  const rows: { tf2?: boolean; tag: string; value: number; float32: boolean; hex: string }[] = JSON.parse(
    readFileSync(new URL('../../golden/example/events.json', import.meta.url), 'utf8'),
  ).filter((r: { tf2?: boolean }) => r.tf2);
  assert.equal(rows.length, 3);
  for (const row of rows) {
    const ev = decodeEvent(new Uint8Array(Buffer.from(row.hex, 'hex')));
    assert.equal(ev.step, 9);
    assert.deepEqual(ev.summary, [{ tag: row.tag, tensorScalar: row.float32 ? Math.fround(row.value) : row.value }]);
  }
});
