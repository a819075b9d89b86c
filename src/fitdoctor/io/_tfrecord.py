"""TFRecord framing, located in bulk with numpy.

A TFRecord file is a sequence of ``u64 length | u32 masked_crc32c(length) | data |
u32 masked_crc32c(data)`` (little endian). Walking it record by record in Python
costs about a microsecond per record, which dominates reading a 1M-point log, so
record starts are found in bulk instead: every position whose 8 length bytes carry
a valid length CRC (and whose data starts like an Event) is a verified header, and
runs of headers that chain exactly (``next = start + 16 + length``) are accepted
whole. Anything the bulk pass did not verify is walked one record at a time, with
the same checks, so a corrupt or truncated record is reported, never trusted.
The data CRC is not checked (as TensorBoard itself does by default).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import numpy as np

#: Padding appended to the byte array so that bounded gathers never index past the end.
PAD = 64
_MASK_DELTA = 0xA282EAD8
_CASTAGNOLI = 0x82F63B78


def _crc_table() -> np.ndarray:
    table = np.zeros(256, dtype=np.uint32)
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ _CASTAGNOLI if c & 1 else c >> 1
        table[i] = c
    return table


_TABLE = _crc_table()
_TABLE_LIST = [int(x) for x in _TABLE]


def masked_crc32c(data: bytes) -> int:
    """TFRecord's masked CRC-32C of ``data`` (used for single records and tests)."""
    crc = 0xFFFFFFFF
    for b in data:
        crc = _TABLE_LIST[(crc ^ b) & 0xFF] ^ (crc >> 8)
    crc ^= 0xFFFFFFFF
    return (((crc >> 15) | (crc << 17)) + _MASK_DELTA) & 0xFFFFFFFF


def strided(arr: np.ndarray, dtype: str) -> np.ndarray:
    """A view of ``arr`` (bytes) where element ``i`` is the ``dtype`` value starting at byte ``i``.

    Gathering from it reads an unaligned little-endian word in one fancy index, which
    is as fast as gathering one byte; the caller keeps positions below ``len(arr) - 8``.
    """
    size = np.dtype(dtype).itemsize
    return np.ndarray(shape=(arr.size - size + 1,), dtype=dtype, buffer=arr, offset=0,
                      strides=(1,))


def _masked_crc_of_words(words: np.ndarray) -> np.ndarray:
    """Masked CRC-32C of each uint64 (as its 8 little-endian bytes), vectorized."""
    crc = np.full(words.shape, 0xFFFFFFFF, dtype=np.uint32)
    for k in range(8):
        b = ((words >> np.uint64(8 * k)) & np.uint64(0xFF)).astype(np.uint32)
        crc = _TABLE[(crc ^ b) & 0xFF] ^ (crc >> np.uint32(8))
    crc ^= np.uint32(0xFFFFFFFF)
    rot = (crc >> np.uint32(15)) | (crc << np.uint32(17))
    return rot + np.uint32(_MASK_DELTA)  # uint32 arithmetic wraps, as the mask wants


@dataclass
class Framing:
    """Where each record's data lies in the file, and what went wrong on the way."""

    starts: np.ndarray  # offset of each record's data
    ends: np.ndarray    # offset one past each record's data
    notes: list[str] = field(default_factory=list)
    complete: bool = True  # False when the file ended inside a record


def _bulk_headers(arr: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Verified header offsets (sorted) and their next-record offsets."""
    if size < 17:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    # Every writer sets wall_time, so an Event's data starts with field 1 (0x09).
    cand = np.flatnonzero(arr[12:size - 4] == 0x09)
    if cand.size == 0:
        return cand.astype(np.int64), cand.astype(np.int64)
    u32 = strided(arr, "<u4")
    cand = cand[u32[cand + 4] == 0]  # a length below 4 GiB
    words = strided(arr, "<u8")[cand]
    length = (words & np.uint64(0xFFFFFFFF)).astype(np.int64)
    nxt = cand + length + 16
    ok = (length > 0) & (nxt <= size)
    cand, nxt, words = cand[ok], nxt[ok], words[ok]
    # The length CRC depends on the length only, and a log has few distinct lengths.
    uniq, inverse = np.unique(words, return_inverse=True)
    good = _masked_crc_of_words(uniq)[inverse.reshape(-1)] == u32[cand + 8]
    return cand[good].astype(np.int64), nxt[good].astype(np.int64)


def padded(data: bytes) -> np.ndarray:
    """``data`` as a uint8 array followed by PAD zero bytes."""
    arr = np.zeros(len(data) + PAD, np.uint8)
    arr[:len(data)] = np.frombuffer(data, np.uint8)
    return arr


def read_padded(path) -> tuple[memoryview, np.ndarray]:
    """A file's bytes (without a second copy) and the same bytes as a padded uint8 array."""
    with open(path, "rb") as fh:
        size = os.fstat(fh.fileno()).st_size
        raw = bytearray(size + PAD)
        got = fh.readinto(memoryview(raw)[:size])
    view = memoryview(raw)[:got]
    return view, np.frombuffer(raw, np.uint8)[:got + PAD]


def frame_records(data, arr: np.ndarray | None = None) -> tuple[np.ndarray, Framing]:
    """Locate every record in ``data``; returns the padded byte array and the framing.

    ``arr`` may be given when the caller already holds ``data`` padded (read_padded).
    """
    size = len(data)
    if arr is None:
        arr = padded(data)
    heads, nexts = _bulk_headers(arr, size)
    # run_end[i]: last index j >= i such that heads[i..j] chain without a gap.
    breaks = np.flatnonzero(heads[1:] != nexts[:-1]) if heads.size > 1 else np.zeros(0, np.int64)
    run_last = np.append(breaks, heads.size - 1)  # sorted indices where a chain ends
    chunks_s: list[np.ndarray] = []
    chunks_e: list[np.ndarray] = []
    notes: list[str] = []
    complete = True
    off = 0
    while off < size:
        i = int(np.searchsorted(heads, off))
        if i < heads.size and heads[i] == off:
            j = int(run_last[np.searchsorted(run_last, i)])
            chunks_s.append(heads[i:j + 1] + 12)
            chunks_e.append(nexts[i:j + 1] - 4)
            off = int(nexts[j])
            continue
        # Not verified in bulk: walk this one record with every check.
        if size - off < 12:
            notes.append(f"file ends inside a record header at byte {off} (truncated); "
                         "read up to there")
            complete = False
            break
        length = int.from_bytes(data[off:off + 8], "little")
        crc = int.from_bytes(data[off + 8:off + 12], "little")
        if masked_crc32c(data[off:off + 8]) != crc:
            k = int(np.searchsorted(heads, off + 1))
            if k < heads.size:
                notes.append(f"corrupt record header at byte {off}; skipped to the next "
                             f"valid record at byte {int(heads[k])}")
                off = int(heads[k])
                continue
            notes.append(f"corrupt record header at byte {off}; ignored the rest of the file "
                         f"({size - off} bytes)")
            complete = False
            break
        if off + 16 + length > size:
            notes.append(f"last record is truncated (needs {length} bytes at byte {off}, "
                         f"file has {size - off - 12}); read up to there")
            complete = False
            break
        chunks_s.append(np.array([off + 12], np.int64))
        chunks_e.append(np.array([off + 12 + length], np.int64))
        off += 16 + length
    starts = np.concatenate(chunks_s) if chunks_s else np.zeros(0, np.int64)
    ends = np.concatenate(chunks_e) if chunks_e else np.zeros(0, np.int64)
    return arr, Framing(starts, ends, notes, complete)
