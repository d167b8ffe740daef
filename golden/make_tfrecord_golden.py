#!/usr/bin/python3
"""Golden TFRecord files for recordflow's reader and writer tests.

An independent producer: Debian's python3 with the `crc32c` module (python3-crc32c), `gzip`
and `zlib`. Run with /usr/bin/python3 (a pyenv python earlier on PATH cannot see crc32c):

    /usr/bin/python3 golden/make_tfrecord_golden.py

Writes golden/tfrecord/*.tfrecord[.gz|.zz] and golden/tfrecord/manifest.json, which states for
every file what a reader must produce: the payload count before any error, the error kind,
record index and offset in the uncompressed stream (for onCorrupt 'throw'), and which records
survive with onCorrupt 'skip', how many regions are skipped and how many uncompressed bytes the
first one drops.

A compressed file that fails to decompress is expected to deliver every record wholly present in
what zlib yields before the failure (fed one byte at a time, so no output is lost with the
failing call), then to fail at the first record that is not, at its start. TensorFlow's
ZlibInputStream discards the output of the inflate() call that fails, so it fails up to one
output buffer (256 KiB) earlier; recordflow keeps those records, as it does for a plain file.

Payload i has SIZES[i] bytes, byte k = (i * 31 + k * 7 + (k >> 8)) & 255. The tests rebuild
the payloads with the same rule, write them with recordflow's writer and compare bytes.
"""

import gzip
import io
import json
import os
import struct
import zlib

from producer import frame, masked

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "tfrecord")
SIZES = [0, 1, 12, 16, 100, 768, 1000, 4096, 17000, 3, 255, 256, 8192, 5]


def payload(i, n):
    return bytes(((i * 31 + k * 7 + (k >> 8)) & 255) for k in range(n))


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


def skipping(records, skipped, dropped):
    return {"records": records, "skipped": skipped, "bytes": dropped}


def inflate_prefix(data, wbits):
    """What zlib yields from `data` before it fails (bad check) or runs out (cut stream)."""
    d = zlib.decompressobj(wbits)
    out = []
    for i in range(len(data)):
        try:
            out.append(d.decompress(data[i:i + 1]))
        except zlib.error:
            return b"".join(out)
    assert not d.eof, "a damaged stream that decompresses cleanly"
    return b"".join(out)


def whole_records(stream):
    """(count, end) of the records wholly inside `stream`, read from its own length fields."""
    n, at = 0, 0
    while at + 12 <= len(stream):
        end = at + 16 + struct.unpack_from("<Q", stream, at)[0]
        if end > len(stream):
            break
        n, at = n + 1, end
    return n, at


def put_undecompressable(name, data, compression, note):
    got = inflate_prefix(data, 31 if compression == "gzip" else 15)
    n, at = whole_records(got)
    put(name, data, compression, list(range(n)), error=err("decompression_error", n, at),
        skip=skipping(list(range(n)), 1, len(got) - at), note=note)


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
assert gzip.decompress(b"") == b""
put("empty.tfrecord.gz", b"", "gzip", [],
    note="zero bytes named .gz: zero records (TensorFlow's reader meets EOF before any input, python's gzip gives b'')")

# Damaged plain files.
bad = bytearray(PLAIN)
bad[OFFSETS[3] + 9] ^= 0x40  # inside the length CRC of record 3
put("bad-length-crc.tfrecord", bytes(bad), "none", [0, 1, 2],
    error=err("length_crc_mismatch", 3, OFFSETS[3]),
    skip=skipping([i for i in all_ids() if i != 3], 1, OFFSETS[4] - OFFSETS[3]))

bad = bytearray(PLAIN)
bad[OFFSETS[5] + 12 + 100] ^= 0x01  # inside the payload of record 5
put("bad-data-crc.tfrecord", bytes(bad), "none", [0, 1, 2, 3, 4],
    error=err("data_crc_mismatch", 5, OFFSETS[5]),
    skip=skipping([i for i in all_ids() if i != 5], 1, OFFSETS[6] - OFFSETS[5]))

bad = bytearray(PLAIN)
bad[OFFSETS[8] + 1] ^= 0x10  # the length itself of record 8 (17000 bytes): its CRC no longer matches
put("bad-length.tfrecord", bytes(bad), "none", list(range(8)),
    error=err("length_crc_mismatch", 8, OFFSETS[8]),
    skip=skipping([i for i in all_ids() if i != 8], 1, OFFSETS[9] - OFFSETS[8]))

garbage = bytes((i * 97 + 13) & 255 for i in range(37))
g = b"".join(FRAMES[:4]) + garbage + b"".join(FRAMES[4:])
put("garbage-between.tfrecord", g, "none", [0, 1, 2, 3],
    error=err("length_crc_mismatch", 4, OFFSETS[4]),
    skip=skipping(all_ids(), 1, len(garbage)), note="37 garbage bytes between records 3 and 4")

put("truncated-header.tfrecord", PLAIN + FRAMES[1][:5], "none", all_ids(),
    error=err("truncated_header", N, len(PLAIN)),
    skip=skipping(all_ids(), 1, 5))

cut = OFFSETS[N - 1] + 12 + 2  # inside the payload of the last record
put("truncated-data.tfrecord", PLAIN[:cut], "none", list(range(N - 1)),
    error=err("truncated_data", N - 1, OFFSETS[N - 1]),
    skip=skipping(list(range(N - 1)), 1, cut - OFFSETS[N - 1]))

huge_head = struct.pack("<Q", 1 << 40)
huge = b"".join(FRAMES[:2]) + huge_head + struct.pack("<I", masked(huge_head)) + bytes(100)
put("huge-length.tfrecord", huge, "none", [0, 1],
    error=err("truncated_data", 2, OFFSETS[2]),
    skip=skipping([0, 1], 1, len(huge) - OFFSETS[2]), note="a valid header claiming 2^40 bytes, then 100 bytes")

# Damaged compressed files.
gz = bytearray(gzip_member(PLAIN))
gz[-6] ^= 0xFF  # CRC32 field of the trailer
put_undecompressable("bad-trailer.tfrecord.gz", bytes(gz), "gzip",
                     "every record decompresses; the gzip trailer CRC is wrong")

gz = gzip_member(PLAIN)
put_undecompressable("cut.tfrecord.gz", gz[: len(gz) // 2], "gzip",
                     "the gzip stream stops half way, inside a record")

zz = bytearray(zlib.compress(PLAIN, 6))
zz[-1] ^= 0x01  # Adler-32 checksum
put_undecompressable("bad-checksum.tfrecord.zz", bytes(zz), "zlib",
                     "every record decompresses; the zlib Adler-32 is wrong")

with open(os.path.join(OUT, "manifest.json"), "w") as fh:
    json.dump(manifest, fh, indent=1, sort_keys=True)
    fh.write("\n")
print("wrote", len(manifest["files"]), "files to", OUT)
