#!/usr/bin/python3
"""Golden TFRecord shards with known contents for `recordflow count`, `head` and `schema`.

An independent producer: Debian's python3 with python3-protobuf (Examples built with
google.protobuf from golden/proto, compiled by protoc) and python3-crc32c (the framing). Run:
    /usr/bin/python3 golden/make_inspect_golden.py
It writes, into golden/inspect/:
  shard-00000-of-00002.tfrecord, shard-00001-of-00002.tfrecord.gz  240 and 160 Examples (the
      second gzip-compressed), seeded, every feature kind and corner `schema` must handle:
      a key in some records only, empty lists, a Feature with no list set, int64 beyond 2^53
      and below -2^53, NaN floats, a key whose kind differs between records
  expected.json  what the files hold, computed here from the values written: records per file,
      the first Examples in MessageToJson form, and per feature key its kind (the commonest
      across records), records present, list length min/max, min/max/mean of the numbers
      of that kind (NaN left out, counted), the exact number of distinct bytes values, and the
      kind counts when records disagree
Nothing here comes from recordflow's own writer.
"""
import gzip
import json
import math
import os
import random
import struct

from google.protobuf import json_format

from producer import frame, proto_modules

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, 'inspect')

[example_pb2] = proto_modules('example')


def f32(x):
    return struct.unpack('<f', struct.pack('<f', x))[0]


LABELS = ['person', 'dog', 'cat', 'bicycle', 'car', 'Bus', 'traffic light']
rng = random.Random(17)
records = []  # (features dict: key -> (kind, values))
for i in range(400):
    f = {}
    f['id'] = ('int64', [i])
    f['label'] = ('bytes', [rng.choice(LABELS).encode()])
    f['uid'] = ('bytes', [('u%05d' % (i * 7919 % 100003)).encode()])
    f['scores'] = ('float', [f32(rng.uniform(-2.5, 7.5)) for _ in range(rng.randint(0, 5))])
    if i % 3 == 0:
        f['maybe/tags'] = ('bytes', [bytes([rng.randrange(256) for _ in range(rng.randint(0, 12))]) for _ in range(rng.randint(1, 4))])
    if i % 50 == 7:
        f['big'] = ('int64', [rng.choice([2**62 + i, -(2**63) + i, 2**53 + 1, -5])])
    f['empty'] = ('float', [])
    f['unset'] = ('none', [])
    f['ratio'] = ('float', [float('nan') if i % 40 == 3 else f32(i / 400)])
    f['mixed'] = ('int64', [i, -i]) if i % 4 else ('float', [f32(0.5 * i)])
    records.append(f)


def to_example(feats):
    ex = example_pb2.Example()
    for key, (kind, values) in feats.items():
        feat = ex.features.feature[key]
        if kind == 'int64':
            feat.int64_list.value.extend(values)
        elif kind == 'float':
            feat.float_list.value.extend(values)
        elif kind == 'bytes':
            feat.bytes_list.value.extend(values)
        elif kind == 'none':
            feat.SetInParent()
    return ex


payloads = [to_example(r).SerializeToString(deterministic=True) for r in records]
for p in payloads:
    assert example_pb2.Example.FromString(p).SerializeToString(deterministic=True) == p
os.makedirs(OUT, exist_ok=True)
files = [('shard-00000-of-00002.tfrecord', payloads[:240]), ('shard-00001-of-00002.tfrecord.gz', payloads[240:])]
for name, ps in files:
    data = b''.join(frame(p) for p in ps)
    if name.endswith('.gz'):
        data = gzip.compress(data, mtime=0)
    with open(os.path.join(OUT, name), 'wb') as fh:
        fh.write(data)

features = {}
for r in records:
    for key, (kind, values) in r.items():
        s = features.setdefault(key, {'kinds': {}, 'present': 0, 'lengths': [], 'values': {}, 'nan': 0})
        s['kinds'][kind] = s['kinds'].get(kind, 0) + 1
        s['present'] += 1
        s['lengths'].append(len(values))
        s['values'].setdefault(kind, []).extend(values)
out = {}
for key in sorted(features, key=lambda k: k.encode()):
    s = features[key]
    order = ['bytes', 'float', 'int64', 'none']
    kind = max(order, key=lambda k: (s['kinds'].get(k, 0), -order.index(k)))
    e = {'kind': kind, 'present': s['present'], 'minLength': min(s['lengths']), 'maxLength': max(s['lengths'])}
    vals = s['values'].get(kind, [])
    if kind in ('float', 'int64'):
        nums = [v for v in vals if not (kind == 'float' and math.isnan(v))]
        if nums:
            e['min'] = min(nums) if kind == 'float' or abs(min(nums)) <= 2**53 else str(min(nums))
            e['max'] = max(nums) if kind == 'float' or abs(max(nums)) <= 2**53 else str(max(nums))
            e['mean'] = math.fsum(float(v) for v in nums) / len(nums)
        if kind == 'float' and len(nums) < len(vals):
            e['nan'] = len(vals) - len(nums)
    if kind == 'bytes':
        e['distinct'] = len(set(vals))
    if len(s['kinds']) > 1:
        e['kinds'] = s['kinds']
    out[key] = e

expected = {
    'files': [{'name': name, 'records': len(ps)} for name, ps in files],
    'schema': {'records': len(records), 'features': out},
    'head': [json.loads(json_format.MessageToJson(example_pb2.Example.FromString(p), indent=None)) for p in payloads[:3]],
}
with open(os.path.join(OUT, 'expected.json'), 'w') as fh:
    json.dump(expected, fh, indent=1, sort_keys=True)
    fh.write('\n')
print('wrote', ', '.join(n for n, _ in files), 'and expected.json')
