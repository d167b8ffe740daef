#!/usr/bin/python3
"""Golden tf.train.Example / Event files from an independent producer.

Run with Debian's python3 (it has python3-protobuf; a pyenv python earlier on PATH does not):
    /usr/bin/python3 golden/make_example_golden.py
It compiles golden/proto/*.proto with protoc into a temporary directory, builds messages with
google.protobuf, and writes:
  golden/example/cases.json    hand-picked Examples (key order traps, empty lists, int64 and
                               float edge cases incl. NaN payloads) with python's deterministic
                               bytes and MessageToJson text
  golden/example/random.jsonl  a seeded batch of random Examples, same fields
  golden/example/lenient.json  hand-assembled non-canonical wire bytes (unpacked, reordered,
                               merged, unknown fields) and python's canonical re-serialization
  golden/example/events.json   Event messages and their deterministic bytes
Nothing here comes from recordflow's own writer.
"""
import json
import os
import random
import struct

from google.protobuf import json_format

from producer import proto_modules

HERE = os.path.dirname(os.path.abspath(__file__))
OUT_DIR = os.path.join(HERE, 'example')

example_pb2, event_pb2 = proto_modules('example', 'event')

# A float value that never occurs otherwise; replaced by the real bits after serialization so
# that bit patterns python's float type cannot carry (signalling NaNs) still reach the file.
MARKER_BASE = 0x4B3C2A00


def f32(bits):
    return struct.unpack('<f', struct.pack('<I', bits))[0]


def to_json(msg):
    # MessageToJson's own conversion, printed on one line; sort_keys orders map keys by code
    # point, which equals the UTF-8 byte order of the deterministic bytes.
    return json.dumps(json_format.MessageToDict(msg), sort_keys=True, separators=(',', ':'))


def build(case):
    """case: {features: [[key, {bytes|float|int64|none}], ...] | None}; returns (bytes, msg)."""
    msg = example_pb2.Example()
    patches = []
    if case.get('features') is not None:
        msg.features.SetInParent()
        for key, val in case['features']:
            feat = msg.features.feature[key]
            if 'bytes' in val:
                feat.bytes_list.SetInParent()
                feat.bytes_list.value.extend(bytes.fromhex(h) for h in val['bytes'])
            elif 'float' in val:
                feat.float_list.SetInParent()
                for h in val['float']:
                    bits = int(h, 16)
                    marker = MARKER_BASE + len(patches)
                    patches.append((struct.pack('<I', marker), struct.pack('<I', bits)))
                    feat.float_list.value.append(f32(marker))
            elif 'int64' in val:
                feat.int64_list.SetInParent()
                feat.int64_list.value.extend(int(x) for x in val['int64'])
            elif 'none' in val:
                feat.SetInParent()
            else:
                raise ValueError(val)
    data = msg.SerializeToString(deterministic=True)
    for marker, bits in patches:
        assert data.count(marker) == 1, 'marker collision'
        data = data.replace(marker, bits)
    # Re-parse the patched bytes: python must re-serialize them unchanged.
    back = example_pb2.Example()
    back.ParseFromString(data)
    assert back.SerializeToString(deterministic=True) == data
    return data, back


def row(name, case):
    data, msg = build(case)
    js = to_json(msg)
    # what python's json_format.Parse makes of that JSON (NaN payloads do not survive JSON)
    # (None where python rejects its own output: it refuses 3.4028235e+38, FLT_MAX's shortest form)
    try:
        back = json_format.Parse(js, example_pb2.Example()).SerializeToString(deterministic=True).hex()
    except json_format.ParseError:
        back = None
    return {'name': name, 'features': case.get('features'), 'hex': data.hex(), 'json': js, 'fromJson': back}


def fbits(x):
    return '%08x' % struct.unpack('<I', struct.pack('<f', x))[0]


def cases():
    rnd = random.Random(7)
    image = bytes(rnd.randrange(256) for _ in range(768)).hex()
    out = [
        row('reference_shape', {'features': [
            ['image', {'bytes': [image]}], ['x', {'float': [fbits(0.40625)]}],
            ['y', {'float': [fbits(0.5208333)]}], ['w', {'float': [fbits(0.1875)]}],
            ['h', {'float': [fbits(0.25)]}]]}),
        row('key_order_utf8', {'features': [
            [k, {'int64': ['1']}] for k in ['b', 'a', '\ue000', '\U0001F600', '', '__proto__', '10', '2', 'é', 'Z']]}),
        row('empties', {'features': [
            ['eb', {'bytes': []}], ['ef', {'float': []}], ['ei', {'int64': []}],
            ['none', {'none': True}], ['blank', {'bytes': ['']}]]}),
        row('int64_edges', {'features': [['i', {'int64': [str(v) for v in [
            0, 1, -1, 127, 128, 300, 2**31 - 1, -2**31, 2**32, 2**53 - 1, 2**53 + 1, -2**53 - 1,
            2**63 - 1, -2**63, 1 << 62, -(1 << 62) + 12345]]}]]}),
        row('float_edges', {'features': [['f', {'float': [fbits(v) for v in [
            0.1, 1e-7, 3.4e38, 3.4028234663852886e38, -0.0, 0.0, 1.0, 100.0, 0.3, 123456.7, 16777216.0,
            1e16, 1.5e-5, 1e-4, 2.5e15, 1e-45, 1.17549435e-38, -2.75, 0.98828125, 33554430.0,
            float('inf'), float('-inf')]] + ['7fc00000', 'ffc00000', '7fc12345', '7f812345', 'ff800001']}]]}),
        row('bytes_values', {'features': [['b', {'bytes': ['', '00', 'ff' * 200, '68656c6c6f']}]]}),
        row('empty_features', {'features': []}),
        row('no_features', {'features': None}),
    ]
    return out


def rand_key(rnd):
    pool = ['image', 'x', 'label', 'a', 'é', '中文', '\ue000', '\U0001F600', '__proto__', '10', '', 'k/1']
    if rnd.random() < 0.5:
        return rnd.choice(pool)
    return ''.join(rnd.choice('abcxyzAZ_09/') for _ in range(rnd.randrange(1, 9)))


def rand_float_bits(rnd):
    r = rnd.random()
    if r < 0.4:
        return fbits(round(rnd.uniform(-1000, 1000), rnd.randrange(0, 7)))
    if r < 0.5:
        return rnd.choice(['7fc00000', '7f800000', 'ff800000', '80000000', '00000001', '7f7fffff', '7fc00abc'])
    return '%08x' % rnd.getrandbits(32)


def rand_int64(rnd):
    r = rnd.random()
    if r < 0.4:
        return str(rnd.randrange(-300, 300))
    if r < 0.5:
        return str(rnd.choice([2**63 - 1, -2**63, 2**53 + 1, -2**53 - 1]))
    return str(rnd.getrandbits(64) - 2**63)


def random_rows(n, seed):
    rnd = random.Random(seed)
    rows = []
    for i in range(n):
        feats = {}
        for _ in range(rnd.randrange(0, 7)):
            kind = rnd.random()
            if kind < 0.3:
                val = {'bytes': [bytes(rnd.getrandbits(8) for _ in range(rnd.randrange(0, 24))).hex()
                                 for _ in range(rnd.randrange(0, 4))]}
            elif kind < 0.65:
                val = {'float': [rand_float_bits(rnd) for _ in range(rnd.randrange(0, 9))]}
            elif kind < 0.97:
                val = {'int64': [rand_int64(rnd) for _ in range(rnd.randrange(0, 9))]}
            else:
                val = {'none': True}
            feats[rand_key(rnd)] = val
        rows.append(row('random_%d' % i, {'features': [[k, v] for k, v in feats.items()]}))
    return rows


# --- hand-assembled wire bytes for the lenient decoder --------------------------------------

def varint(v):
    v &= (1 << 64) - 1
    out = bytearray()
    while v >= 0x80:
        out.append((v & 0x7f) | 0x80)
        v >>= 7
    out.append(v)
    return bytes(out)


def ld(field, payload):
    return varint(field << 3 | 2) + varint(len(payload)) + payload


def fx32(field, bits):
    return varint(field << 3 | 5) + struct.pack('<I', bits)


def vi(field, v):
    return varint(field << 3 | 0) + varint(v)


def entry(key, feature, key_first=True):
    k = ld(1, key.encode('utf-8'))
    v = ld(2, feature)
    return ld(1, k + v if key_first else v + k)


def lenient():
    F = lambda x: struct.unpack('<I', struct.pack('<f', x))[0]
    packed_f = lambda *xs: ld(1, b''.join(struct.pack('<f', x) for x in xs))
    packed_i = lambda *xs: ld(1, b''.join(varint(x) for x in xs))
    raw = {
        'unpacked_floats': ld(1, entry('f', ld(2, fx32(1, F(1.5)) + fx32(1, F(-2)) + fx32(1, F(0.1))))),
        'unpacked_int64': ld(1, entry('i', ld(3, vi(1, 5) + vi(1, -1) + vi(1, 2**63 - 1)))),
        'mixed_packed_unpacked': ld(1, entry('f', ld(2, packed_f(1, 2) + fx32(1, F(3)) + packed_f(4)))
                                    + entry('i', ld(3, packed_i(1, 2) + vi(1, 3) + packed_i(-4)))),
        'keys_out_of_order': ld(1, entry('z', ld(3, packed_i(1))) + entry('a', ld(3, packed_i(2)))
                                + entry('m', ld(3, packed_i(3)))),
        'value_before_key': ld(1, entry('k', ld(2, packed_f(7)), key_first=False)),
        'unknown_everywhere': vi(15, 99) + ld(1,
            vi(2, 1) + ld(1, ld(1, b'k') + vi(3, 7) + ld(2, fx32(9, 1) + ld(1, ld(1, b'ab') + vi(2, 5)) + ld(7, b'zz')))
            + varint(9 << 3 | 1) + b'\0' * 8) + ld(2, b'\x01\x02') + varint(4 << 3 | 5) + b'abcd',
        'unknown_group': varint(6 << 3 | 3) + vi(1, 5) + varint(6 << 3 | 4) + ld(1, entry('g', ld(3, packed_i(1)))),
        'repeated_features_merge': ld(1, entry('a', ld(3, packed_i(1))) + entry('b', ld(3, packed_i(2))))
                                   + ld(1, entry('b', ld(3, packed_i(20))) + entry('c', ld(3, packed_i(3)))),
        'duplicate_key_last_wins': ld(1, entry('d', ld(1, ld(1, b'first'))) + entry('d', ld(2, packed_f(2.5)))),
        'entry_value_twice_merges': ld(1, ld(1, ld(1, b'v') + ld(2, ld(2, packed_f(1))) + ld(2, ld(2, packed_f(2))))),
        'oneof_switch': ld(1, entry('s', ld(1, ld(1, b'x')) + ld(2, packed_f(9)))),
        'oneof_same_twice': ld(1, entry('t', ld(1, ld(1, b'x')) + ld(1, ld(1, b'y') + ld(1, b'z')))),
        'entry_without_key': ld(1, ld(1, ld(2, ld(3, packed_i(4))))),
        'entry_without_value': ld(1, ld(1, ld(1, b'nv'))),
        'nonminimal_varints': ld(1, entry('i', ld(3, ld(1, b'\x81\x80\x80\x00' + b'\x80\x00')))),
        'long_negative': ld(1, entry('n', ld(3, packed_i(-1, -2**63)))),
    }
    out = []
    for name, data in raw.items():
        msg = example_pb2.Example()
        msg.ParseFromString(data)
        # DiscardUnknownFields() does not reach into map values in this protobuf version; the
        # JSON mapping drops unknown fields at every level (no floats here need exact bits).
        msg = json_format.ParseDict(json_format.MessageToDict(msg), example_pb2.Example())
        out.append({'name': name, 'input': data.hex(), 'canonical': msg.SerializeToString(deterministic=True).hex(),
                    'json': to_json(msg)})
    return out


def events():
    rows = []
    specs = [
        {'wall_time': 1534577086.0, 'file_version': 'brain.Event:2'},
        {'wall_time': 1700000000.25, 'step': 3, 'summary': [('loss', 0.5)]},
        {'wall_time': 1.5, 'step': 185200, 'summary': [('bleu/dev', 0.2852171063423157), ('x', -0.0), ('', 0.0)]},
        {'wall_time': 0.0, 'step': 0, 'summary': []},
        {'wall_time': 12.0, 'step': 2**40, 'summary': [('big', 3.4e38)]},
        {'wall_time': 12.0, 'step': -5},
    ]
    for s in specs:
        ev = event_pb2.Event()
        ev.wall_time = s['wall_time']
        ev.step = s.get('step', 0)
        if 'file_version' in s:
            ev.file_version = s['file_version']
        if 'summary' in s:
            ev.summary.SetInParent()
            for tag, v in s['summary']:
                val = ev.summary.value.add()
                val.tag = tag
                val.simple_value = v
        rows.append({'wallTime': s['wall_time'], 'step': s.get('step', 0), 'fileVersion': s.get('file_version'),
                     'summary': None if 'summary' not in s else
                     [{'tag': t, 'simpleValueBits': fbits(v)} for t, v in s['summary']],
                     'hex': ev.SerializeToString(deterministic=True).hex()})
    # TF2-style scalars: a 0-d tensor plus plugin metadata (float_val, double_val, tensor_content)
    tensors = [('tf2/float', 1, {'float_val': [0.75]}), ('tf2/double', 2, {'double_val': [0.1]}),
               ('tf2/content', 1, {'tensor_content': struct.pack('<f', -2.5)})]
    for tag, dtype, fields in tensors:
        ev = event_pb2.Event()
        ev.wall_time = 5.0
        ev.step = 9
        val = ev.summary.value.add()
        val.tag = tag
        val.metadata.plugin_data.plugin_name = 'scalars'
        val.tensor.dtype = dtype
        val.tensor.tensor_shape.SetInParent()
        for k, v in fields.items():
            if k == 'tensor_content':
                val.tensor.tensor_content = v
            else:
                getattr(val.tensor, k).extend(v)
        rows.append({'tf2': True, 'tag': tag, 'value': (fields.get('float_val') or fields.get('double_val') or [-2.5])[0],
                     'float32': dtype == 1, 'hex': ev.SerializeToString(deterministic=True).hex()})
    return rows


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    with open(os.path.join(OUT_DIR, 'cases.json'), 'w') as f:
        json.dump(cases(), f, indent=1)
        f.write('\n')
    with open(os.path.join(OUT_DIR, 'random.jsonl'), 'w') as f:
        for r in random_rows(150, 20261122):
            f.write(json.dumps(r, separators=(',', ':')) + '\n')
    with open(os.path.join(OUT_DIR, 'lenient.json'), 'w') as f:
        json.dump(lenient(), f, indent=1)
        f.write('\n')
    with open(os.path.join(OUT_DIR, 'events.json'), 'w') as f:
        json.dump(events(), f, indent=1)
        f.write('\n')
    print('wrote', OUT_DIR)


main()
