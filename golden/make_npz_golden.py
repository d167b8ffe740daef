#!/usr/bin/python3
"""Golden .npz files from an independent producer (numpy).

Run with Debian's python3 (it has python3-numpy; a pyenv python earlier on PATH does not):
    /usr/bin/python3 golden/make_npz_golden.py
Writes small files to golden/npz/ and golden/npz/manifest.json, which lists for every file and
key the dtype, the shape and the little-endian C-order bytes (hex) numpy holds after np.load.
Nothing here comes from recordflow's own writer.
"""
import json
import os
import zipfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, 'npz')
rng = np.random.default_rng(20261122)

NAMES = {np.dtype(t).str[1:]: n for t, n in [
    ('?', 'bool'), ('u1', 'uint8'), ('i1', 'int8'), ('u2', 'uint16'), ('i2', 'int16'), ('u4', 'uint32'),
    ('i4', 'int32'), ('u8', 'uint64'), ('i8', 'int64'), ('f2', 'float16'), ('f4', 'float32'), ('f8', 'float64')]}


def basic():
    return {
        'u8': rng.integers(0, 256, size=(2, 3, 4), dtype=np.uint8),
        'i64': np.array([0, -1, 2**62, -(2**63), 2**63 - 1], dtype=np.int64),
        'f32': np.array([[0.1, -2.5], [np.inf, np.nan]], dtype=np.float32),
        'f64_scalar': np.float64(3.141592653589793) * np.ones(()),
        'flags': np.array([True, False, True]),
        'i8': np.array([-128, 0, 127], dtype=np.int8),
        'i16': np.array([-32768, 5, 32767], dtype=np.int16),
        'u16': np.array([0, 65535], dtype=np.uint16),
        'i32': np.arange(-3, 3, dtype=np.int32).reshape(2, 3),
        'u32': np.array([0, 2**32 - 1], dtype=np.uint32),
        'u64': np.array([0, 2**64 - 1], dtype=np.uint64),
        'f16': np.array([0.5, -1.0, 65504.0], dtype=np.float16),
        'empty': np.zeros((0, 3), dtype=np.float32),
    }


def reference_like(n=6, persons=3):
    images = rng.integers(0, 256, size=(n, 24, 32), dtype=np.uint8)
    return {
        'images': images,
        'filters': (images // 2).astype(np.uint8),
        'numbers': rng.integers(0, 4, size=(n,), dtype=np.int64),
        'coordinates': rng.integers(0, 32, size=(n, persons, 8), dtype=np.int64),
    }


def le_hex(a):
    a = np.asarray(a)
    return np.ascontiguousarray(a, dtype=a.dtype.newbyteorder('<')).tobytes().hex()


def main():
    os.makedirs(OUT, exist_ok=True)
    files = {}
    b = basic()
    np.savez(os.path.join(OUT, 'basic.npz'), **b)
    np.savez_compressed(os.path.join(OUT, 'compressed.npz'), **b)
    np.savez(os.path.join(OUT, 'bigendian.npz'),
             f4=np.array([1.5, -0.0, 3.4e38], dtype='>f4'), i8=np.array([1, -2, 2**40], dtype='>i8'),
             u2=np.array([1, 258], dtype='>u2'), f8=np.array([[1e-300, 2.0]], dtype='>f8'),
             i4=np.arange(6, dtype='>i4').reshape(3, 2))
    np.savez(os.path.join(OUT, 'fortran.npz'),
             f=np.asfortranarray(np.arange(12, dtype=np.float32).reshape(3, 4)),
             i=np.asfortranarray(np.arange(24, dtype=np.int64).reshape(2, 3, 4)),
             be=np.asfortranarray(np.arange(6, dtype='>u2').reshape(2, 3)))
    np.savez_compressed(os.path.join(OUT, 'reference_like.npz'), **reference_like())
    np.savez(os.path.join(OUT, 'object.npz'), ok=np.arange(3), obj=np.array([{'a': 1}, None], dtype=object))
    # ZIP64 central directory and end records: zipfile writes them only past its limits, so
    # lower the limits for this one file.
    saved = zipfile.ZIP64_LIMIT, zipfile.ZIP_FILECOUNT_LIMIT
    zipfile.ZIP64_LIMIT, zipfile.ZIP_FILECOUNT_LIMIT = 16, 1
    try:
        np.savez(os.path.join(OUT, 'zip64.npz'), a=np.arange(10, dtype=np.int16), b=np.ones((2, 2), dtype=np.float64))
    finally:
        zipfile.ZIP64_LIMIT, zipfile.ZIP_FILECOUNT_LIMIT = saved
    for name in sorted(os.listdir(OUT)):
        if not name.endswith('.npz') or name == 'object.npz':
            continue
        with np.load(os.path.join(OUT, name)) as z:
            files[name] = {k: {'dtype': NAMES[z[k].dtype.str[1:]], 'shape': list(z[k].shape), 'hex': le_hex(z[k])}
                           for k in z.files}
    with zipfile.ZipFile(os.path.join(OUT, 'zip64.npz')) as z:
        assert all(i.extra for i in z.infolist()), 'expected ZIP64 extras'
    with open(os.path.join(OUT, 'manifest.json'), 'w') as f:
        json.dump(files, f, indent=1, sort_keys=True)
        f.write('\n')
    print('wrote', OUT)


main()
