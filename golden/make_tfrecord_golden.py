#!/usr/bin/python3
"""Golden TFRecord files for recordflow's reader and writer tests.

An independent producer: Debian's python3 with the `crc32c` module (python3-crc32c), `gzip`
and `zlib`. Run with /usr/bin/python3 (a pyenv python earlier on PATH cannot see crc32c):

    /usr/bin/python3 golden/make_tfrecord_golden.py

Writes golden/tfrecord/*.tfrecord[.gz|.zz] and golden/tfrecord/manifest.json, which states for
every file what a reader must produce: the payload count before any error, the error kind,
record index and offset in the uncompressed stream (for onCorrupt 'throw'), and which records
survive with onCorrupt 'skip' and how many regions are skipped.

Payload i has SIZES[i] bytes, byte k = (i * 31 + k * 7 + (k >> 8)) & 255. The tests rebuild
the payloads with the same rule, write them with recordflow's writer and compare bytes.
"""

import gzip
import io
import json
import os
import struct
import zlib

import crc32c

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "tfrecord")
SIZES = [0, 1, 12, 16, 100, 768, 1000, 4096, 17000, 3, 255, 256, 8192, 5]


def payload(i, n):
    return bytes(((i * 31 + k * 7 + (k >> 8)) & 255) for k in range(n))


def masked(data):
    c = crc32c.crc32c(data)
    return ((((c >> 15) | (c << 17)) & 0xFFFFFFFF) + 0xA282EAD8) & 0xFFFFFFFF


def frame(data):
    head = struct.pack("<Q", len(data))
    return head + struct.pack("<I", masked(head)) + data + struct.pack("<I", masked(data))


PAYLOADS = [payload(i, n) for i, n in enumerate(SIZES)]
FRAMES = [frame(p) for p in PAYLOADS]
PLAIN = b"".join(FRAMES)
OFFSETS = []
_at = 0
for f in FRAMES:
    OFFSETS.append(_at)
    _at += len(f)


def gzip_member(data, name="", mtime=0):
    buf = io.BytesIO()
    # filename="" and mtime=0: the header TensorFlow's zlib-based writer produces (no FNAME).
    with gzip.GzipFile(filename=name, mode="wb", fileobj=buf, mtime=mtime, compresslevel=6) as g:
        g.write(data)
    return buf.getvalue()


manifest = {"sizes": SIZES, "rule": "(i*31 + k*7 + (k>>8)) & 255", "offsets": OFFSETS, "files": {}}


def put(name, data, compression, records, error=None, skip=None, note=""):
    with open(os.path.join(OUT, name), "wb") as fh:
        fh.write(data)
    entry = {"compression": compression, "records": records, "note": note}
    if error is not None:
        entry["error"] = error
    if skip is not None:
        entry["skip"] = skip
    manifest["files"][name] = entry


def err(kind, index, offset):
    return {"kind": kind, "recordIndex": index, "offset": offset}


def all_ids():
    return list(range(len(SIZES)))


os.makedirs(OUT, exist_ok=True)
N = len(SIZES)

# Good files.
put("plain.tfrecord", PLAIN, "none", all_ids(), note="every size in SIZES, framed")
put("gzip.tfrecord.gz", gzip_member(PLAIN), "gzip", all_ids(), note="one member, mtime 0, no file name")
put("zlib.tfrecord.zz", zlib.compress(PLAIN, 6), "zlib", all_ids(), note="zlib stream (window bits 15)")
cut1, cut2 = len(PLAIN) // 3, 2 * len(PLAIN) // 3 + 5  # member boundaries inside records on purpose
multi = gzip_member(PLAIN[:cut1]) + gzip_member(PLAIN[cut1:cut2], mtime=1234567890) + gzip_member(PLAIN[cut2:])
put("multi.tfrecord.gz", multi, "gzip", all_ids(), note="three gzip members, split inside records")
put("fname.tfrecord.gz", gzip_member(PLAIN, name="fname.tfrecord", mtime=1522167404), "gzip", all_ids(),
    note="gzip header with FNAME and a non-zero mtime, as gzip(1) writes")
put("empty.tfrecord", b"", "none", [], note="zero bytes: zero records")
put("empty-member.tfrecord.gz", gzip_member(b""), "gzip", [], note="a gzip member holding zero bytes")

# Damaged plain files.
bad = bytearray(PLAIN)
bad[OFFSETS[3] + 9] ^= 0x40  # inside the length CRC of record 3
put("bad-length-crc.tfrecord", bytes(bad), "none", [0, 1, 2],
    error=err("length_crc_mismatch", 3, OFFSETS[3]),
    skip={"records": [i for i in all_ids() if i != 3], "skipped": 1})

bad = bytearray(PLAIN)
bad[OFFSETS[5] + 12 + 100] ^= 0x01  # inside the payload of record 5
put("bad-data-crc.tfrecord", bytes(bad), "none", [0, 1, 2, 3, 4],
    error=err("data_crc_mismatch", 5, OFFSETS[5]),
    skip={"records": [i for i in all_ids() if i != 5], "skipped": 1})

bad = bytearray(PLAIN)
bad[OFFSETS[8] + 1] ^= 0x10  # the length itself of record 8 (17000 bytes): its CRC no longer matches
put("bad-length.tfrecord", bytes(bad), "none", list(range(8)),
    error=err("length_crc_mismatch", 8, OFFSETS[8]),
    skip={"records": [i for i in all_ids() if i != 8], "skipped": 1})

garbage = bytes((i * 97 + 13) & 255 for i in range(37))
g = b"".join(FRAMES[:4]) + garbage + b"".join(FRAMES[4:])
put("garbage-between.tfrecord", g, "none", [0, 1, 2, 3],
    error=err("length_crc_mismatch", 4, OFFSETS[4]),
    skip={"records": all_ids(), "skipped": 1}, note="37 garbage bytes between records 3 and 4")

put("truncated-header.tfrecord", PLAIN + FRAMES[1][:5], "none", all_ids(),
    error=err("truncated_header", N, len(PLAIN)),
    skip={"records": all_ids(), "skipped": 1})

cut = OFFSETS[N - 1] + 12 + 2  # inside the payload of the last record
put("truncated-data.tfrecord", PLAIN[:cut], "none", list(range(N - 1)),
    error=err("truncated_data", N - 1, OFFSETS[N - 1]),
    skip={"records": list(range(N - 1)), "skipped": 1})

huge_head = struct.pack("<Q", 1 << 40)
huge = b"".join(FRAMES[:2]) + huge_head + struct.pack("<I", masked(huge_head)) + bytes(100)
put("huge-length.tfrecord", huge, "none", [0, 1],
    error=err("truncated_data", 2, OFFSETS[2]),
    skip={"records": [0, 1], "skipped": 1}, note="a valid header claiming 2^40 bytes, then 100 bytes")

# Damaged compressed files.
gz = bytearray(gzip_member(PLAIN))
gz[-6] ^= 0xFF  # CRC32 field of the trailer
put("bad-trailer.tfrecord.gz", bytes(gz), "gzip", all_ids(), error={"kind": "decompression_error"},
    note="every record decompresses; the gzip trailer CRC is wrong")

gz = gzip_member(PLAIN)
put("cut.tfrecord.gz", gz[: len(gz) // 2], "gzip", None, error={"kind": "decompression_error"},
    note="the gzip stream stops half way; records before the cut may be delivered")

zz = bytearray(zlib.compress(PLAIN, 6))
zz[-1] ^= 0x01  # Adler-32 checksum
put("bad-checksum.tfrecord.zz", bytes(zz), "zlib", all_ids(), error={"kind": "decompression_error"},
    note="every record decompresses; the zlib Adler-32 is wrong")

with open(os.path.join(OUT, "manifest.json"), "w") as fh:
    json.dump(manifest, fh, indent=1, sort_keys=True)
    fh.write("\n")
print("wrote", len(manifest["files"]), "files to", OUT)
