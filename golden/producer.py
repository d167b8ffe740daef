"""What the golden and fixture scripts share, all from independent producers (never recordflow's code):
the tf.train.Example (and Event) message classes, compiled by protoc from golden/proto and
loaded with python3-protobuf, and TensorFlow's record framing with python3-crc32c.

Scripts outside golden/ put this folder on sys.path first:
    sys.path.insert(0, os.path.join(HERE, '..', '..', '..', 'golden'))
"""
import importlib
import os
import shutil
import struct
import subprocess
import sys
import tempfile

PROTO_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'proto')


def proto_modules(*names):
    """The generated modules for golden/proto/NAME.proto (e.g. 'example' gives example_pb2), in
    the order asked; feature.proto, which example.proto imports, is always compiled."""
    protos = ['feature'] + [n for n in names if n != 'feature']
    tmp = tempfile.mkdtemp(prefix='rf-proto-')
    try:
        subprocess.run(['protoc', '-I' + PROTO_DIR, '--python_out=' + tmp] +
                       [os.path.join(PROTO_DIR, p + '.proto') for p in protos], check=True)
        sys.path.insert(0, tmp)
        try:
            return [importlib.import_module(n + '_pb2') for n in names]
        finally:
            sys.path.remove(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def masked(data):
    """TFRecord's masked CRC-32C of data."""
    import crc32c
    c = crc32c.crc32c(data)
    return ((((c >> 15) | (c << 17)) & 0xFFFFFFFF) + 0xA282EAD8) & 0xFFFFFFFF


def frame(data):
    """One TFRecord record: uint64 LE length, its masked CRC, the payload, the payload's masked CRC."""
    head = struct.pack('<Q', len(data))
    return head + struct.pack('<I', masked(head)) + data + struct.pack('<I', masked(data))
