import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { train } from '../../src/train/trainer.js';
import { constantSchedule } from '../../src/train/schedule.js';
import { tinyModel, tinyBatches } from './helpers.js';

await tf.setBackend('cpu');

// Decodes the event file with protoc-generated Python classes (Debian's python3-protobuf),
// an implementation independent of ours; the TFRecord framing and CRCs are checked in Python.
// golden/proto/event.proto was written by hand from TensorFlow's field numbers (not by our code).
const protoDir = fileURLToPath(new URL('../../golden/proto/', import.meta.url));
const DECODER = `
import json, struct, sys, crc32c, importlib
sys.path.insert(0, sys.argv[1])
event_pb2 = importlib.import_module('event_pb2')
def masked(b):
    c = crc32c.crc32c(b)
    return (((c >> 15) | (c << 17)) + 0xa282ead8) & 0xffffffff
out = []
data = open(sys.argv[2], 'rb').read()
o = 0
while o < len(data):
    header = data[o:o+8]
    (n,) = struct.unpack('<Q', header)
    assert struct.unpack('<I', data[o+8:o+12])[0] == masked(header), 'length crc'
    payload = data[o+12:o+12+n]
    assert struct.unpack('<I', data[o+12+n:o+16+n])[0] == masked(payload), 'data crc'
    o += 16 + n
    e = event_pb2.Event(); e.ParseFromString(payload)
    rec = {'wall_time': e.wall_time, 'step': e.step, 'what': e.WhichOneof('what')}
    if rec['what'] == 'file_version': rec['file_version'] = e.file_version
    if rec['what'] == 'summary': rec['values'] = [[v.tag, v.simple_value] for v in e.summary.value]
    out.append(rec)
print(json.dumps(out))
`;

test('train writes per-epoch TensorBoard scalars that protoc-generated Python decodes', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'rf-tb-'));
  try {
    const model = tinyModel(31);
    const logdir = join(dir, 'logs');
    const r = await train(model, tinyBatches(2), tinyBatches(1, 7, 9), { progress: false, epochs: 3, schedule: constantSchedule(0.01), logdir });
    model.dispose();
    const files = (await readdir(logdir)).filter((f) => f.includes('tfevents'));
    assert.equal(files.length, 1);
    assert.match(files[0]!, /^events\.out\.tfevents\.\d+\./);
    const gen = join(dir, 'gen');
    execFileSync('mkdir', ['-p', gen]);
    execFileSync('protoc', [`--proto_path=${protoDir}`, `--python_out=${gen}`, join(protoDir, 'event.proto')]);
    const events = JSON.parse(execFileSync('/usr/bin/python3', ['-c', DECODER, gen, join(logdir, files[0]!)]).toString()) as {
      wall_time: number;
      step: number;
      what: string;
      file_version?: string;
      values?: [string, number][];
    }[];
    assert.equal(events[0]!.file_version, 'brain.Event:2');
    const scalars = new Map<string, Map<number, number>>();
    for (const e of events.slice(1)) {
      assert.equal(e.what, 'summary');
      assert.ok(e.wall_time > 1.6e9);
      for (const [tag, value] of e.values!) {
        if (!scalars.has(tag)) scalars.set(tag, new Map());
        scalars.get(tag)!.set(e.step, value);
      }
    }
    const expect: Record<string, (m: (typeof r.history)[number]) => number> = {
      loss: (m) => m.loss,
      iou: (m) => m.iou,
      val_loss: (m) => m.valLoss!,
      val_iou: (m) => m.valIoU!,
      validation_iou: (m) => m.validationIoU!,
      learning_rate: (m) => m.learningRate,
    };
    for (const [tag, get] of Object.entries(expect)) {
      const series = scalars.get(tag);
      assert.ok(series, `missing tag ${tag}`);
      assert.deepEqual([...series.keys()].sort(), [1, 2, 3]);
      for (const m of r.history) assert.equal(series.get(m.epoch), Math.fround(get(m)), `${tag} at epoch ${m.epoch}`);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
