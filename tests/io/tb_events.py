"""Hand-built TensorBoard event records for reader tests: the protobuf wire format and the
TFRecord framing, byte for byte as TensorFlow and torch write them."""

from __future__ import annotations

import struct

from fitdoctor.io._tfrecord import masked_crc32c


def varint(n: int) -> bytes:
    """A protobuf varint (negative ints as their 64-bit two's complement, as protobuf does)."""
    n &= (1 << 64) - 1
    out = b""
    while True:
        b, n = n & 0x7F, n >> 7
        out += bytes([b | (0x80 if n else 0)])
        if not n:
            return out


def ld(field: int, payload: bytes) -> bytes:
    """A length-delimited protobuf field."""
    return varint(field << 3 | 2) + varint(len(payload)) + payload


def record(data: bytes) -> bytes:
    """One TFRecord: length, its masked CRC, the data, the data's masked CRC."""
    head = struct.pack("<Q", len(data))
    return head + struct.pack("<I", masked_crc32c(head)) + data + struct.pack("<I", masked_crc32c(data))


def event(step: int, value_msg: bytes, wall: float = 1.5) -> bytes:
    """An Event with wall time, step and a Summary holding one Value."""
    return b"\x09" + struct.pack("<d", wall) + b"\x10" + varint(step) + ld(5, ld(1, value_msg))


def simple_value(tag: str, value: float) -> bytes:
    """A Summary.Value with a float simple_value, as torch's SummaryWriter writes scalars."""
    return ld(1, tag.encode()) + b"\x15" + struct.pack("<f", value)


def write_scalars(path, points: list[tuple[str, int, float]]) -> None:
    """An event file of simple_value scalars (tag, step, value), wall time 1 + step."""
    path.write_bytes(b"".join(record(event(step, simple_value(tag, value), wall=1.0 + step))
                              for tag, step, value in points))
