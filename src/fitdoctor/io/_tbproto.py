"""Decode TensorBoard ``Event`` protos without protobuf, one by one or in bulk.

Field numbers (tensorboard/compat/proto: event.proto, summary.proto, tensor.proto):
Event{wall_time=1 double, step=2 int64, file_version=3, graph_def=4, summary=5,
log_message=6, session_log=7, tagged_run_metadata=8, meta_graph_def=9};
Summary{value=1}; Value{tag=1, simple_value=2 float, image=4, histo=5, audio=6,
tensor=8, metadata=9}; SummaryMetadata{plugin_data=1{plugin_name=1}};
TensorProto{dtype=1, tensor_shape=2{dim=2{size=1}}, tensor_content=4, float_val=5,
double_val=6, int_val=7, int64_val=10}.

The one-by-one decoder (:func:`decode_event`) handles everything. The bulk decoder
(:func:`decode_bulk`) exploits that all scalar events of one tag are byte-identical
apart from wall time, step and the value: it decodes one representative per layout
with the one-by-one decoder, learns where the value sits, checks that the other
records match that layout byte for byte, and reads their values in one gather.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

import numpy as np

from fitdoctor.io._tfrecord import strided

DT_FLOAT, DT_DOUBLE, DT_INT32, DT_INT64 = 1, 2, 3, 9
SKIPPED_PLUGINS = {"text": "text", "histograms": "histogram", "images": "image",
                   "audio": "audio", "hparams": "hparams", "pr_curves": "pr_curve",
                   "graph_keras_model": "graph", "custom_scalars": "custom_scalars",
                   "mesh": "mesh", "projector": "projector"}


class WireError(ValueError):
    """The bytes are not a well-formed protobuf message."""


def _varint(buf: bytes, pos: int, end: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        if pos >= end or shift > 63:
            raise WireError("bad varint")
        b = buf[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if b < 0x80:
            return result, pos
        shift += 7


def iter_fields(buf: bytes, pos: int, end: int):
    """Yield ``(field_number, wire_type, value, start)`` for a message in ``buf[pos:end]``.

    ``value`` is an int for varints, ``(start, stop)`` for length-delimited fields and
    the offset of the fixed-width bytes for I32/I64 fields.
    """
    while pos < end:
        key, pos = _varint(buf, pos, end)
        fno, wt = key >> 3, key & 7
        if fno == 0:
            raise WireError("field number 0")
        if wt == 0:
            val, pos = _varint(buf, pos, end)
            yield fno, wt, val
        elif wt == 1:
            if pos + 8 > end:
                raise WireError("short fixed64")
            yield fno, wt, pos
            pos += 8
        elif wt == 2:
            n, pos = _varint(buf, pos, end)
            if pos + n > end:
                raise WireError("length past the end")
            yield fno, wt, (pos, pos + n)
            pos += n
        elif wt == 5:
            if pos + 4 > end:
                raise WireError("short fixed32")
            yield fno, wt, pos
            pos += 4
        else:
            raise WireError(f"unsupported wire type {wt}")


@dataclass
class Scalar:
    """A scalar point; ``at``/``fmt`` say where its bytes lie (``None`` for varint ints)."""

    tag: str
    value: float
    at: int | None
    fmt: str | None  # '<f4' or '<f8'


@dataclass
class Skipped:
    tag: str
    kind: str


@dataclass
class Event:
    wall_time: float = 0.0
    step: int = 0
    values: list[Scalar | Skipped] = field(default_factory=list)
    other: str | None = None  # graph, file_version, session_log, ... (not a summary)


def _tensor_scalar(buf: bytes, start: int, end: int) -> tuple[float, int | None, str | None] | str:
    """The scalar a TensorProto holds, or the reason it is not a numeric scalar."""
    dtype = 0
    n_elems = 1
    content = None
    vals: list[tuple[float, int | None, str | None]] = []
    for fno, wt, v in iter_fields(buf, start, end):
        if fno == 1 and wt == 0:
            dtype = v
        elif fno == 2 and wt == 2:
            for dfno, dwt, dv in iter_fields(buf, v[0], v[1]):
                if dfno == 2 and dwt == 2:
                    for sfno, swt, sv in iter_fields(buf, dv[0], dv[1]):
                        if sfno == 1 and swt == 0:
                            n_elems *= sv
        elif fno == 4 and wt == 2:
            content = v
        elif fno == 5:  # float_val, packed (wt 2) or not (wt 5)
            if wt == 2 and v[1] - v[0] == 4:
                vals.append((struct.unpack_from("<f", buf, v[0])[0], v[0], "<f4"))
            elif wt == 5:
                vals.append((struct.unpack_from("<f", buf, v)[0], v, "<f4"))
            else:
                return "tensor"
        elif fno == 6:  # double_val
            if wt == 2 and v[1] - v[0] == 8:
                vals.append((struct.unpack_from("<d", buf, v[0])[0], v[0], "<f8"))
            elif wt == 1:
                vals.append((struct.unpack_from("<d", buf, v)[0], v, "<f8"))
            else:
                return "tensor"
        elif fno in (7, 10) and wt == 0:  # int_val / int64_val, unpacked
            vals.append((float(v - (1 << 64) if v >= 1 << 63 else v), None, None))
        elif fno in (7, 10) and wt == 2:  # packed, exactly one varint
            x, p = _varint(buf, v[0], v[1])
            if p != v[1]:
                return "tensor"
            vals.append((float(x - (1 << 64) if x >= 1 << 63 else x), None, None))
        elif fno == 8:
            return "string"
    if n_elems != 1:
        return "tensor"
    if content is not None:
        width = content[1] - content[0]
        if dtype == DT_FLOAT and width == 4:
            return struct.unpack_from("<f", buf, content[0])[0], content[0], "<f4"
        if dtype == DT_DOUBLE and width == 8:
            return struct.unpack_from("<d", buf, content[0])[0], content[0], "<f8"
        if dtype == DT_INT32 and width == 4:
            return float(struct.unpack_from("<i", buf, content[0])[0]), None, None
        if dtype == DT_INT64 and width == 8:
            return float(struct.unpack_from("<q", buf, content[0])[0]), None, None
        return "tensor"
    if len(vals) == 1:
        return vals[0]
    return "tensor"


def _value(buf: bytes, start: int, end: int) -> Scalar | Skipped:
    tag = ""
    simple = None
    tensor = None
    plugin = ""
    kind = None
    for fno, wt, v in iter_fields(buf, start, end):
        if fno == 1 and wt == 2:
            tag = bytes(buf[v[0]:v[1]]).decode("utf-8", "replace")
        elif fno == 7 and wt == 2 and not tag:
            tag = bytes(buf[v[0]:v[1]]).decode("utf-8", "replace")  # node_name (TF1)
        elif fno == 2 and wt == 5:
            simple = v
        elif fno == 8 and wt == 2:
            tensor = v
        elif fno == 9 and wt == 2:
            for mfno, mwt, mv in iter_fields(buf, v[0], v[1]):
                if mfno == 1 and mwt == 2:
                    for pfno, pwt, pv in iter_fields(buf, mv[0], mv[1]):
                        if pfno == 1 and pwt == 2:
                            plugin = bytes(buf[pv[0]:pv[1]]).decode("utf-8", "replace")
        elif fno in (3, 5):
            kind = "histogram"
        elif fno == 4:
            kind = "image"
        elif fno == 6:
            kind = "audio"
    if simple is not None:
        return Scalar(tag, struct.unpack_from("<f", buf, simple)[0], simple, "<f4")
    if kind:
        return Skipped(tag, kind)
    if plugin and plugin != "scalars":
        return Skipped(tag, SKIPPED_PLUGINS.get(plugin, plugin))
    if tensor is None:
        return Skipped(tag, "empty")
    got = _tensor_scalar(buf, tensor[0], tensor[1])
    if isinstance(got, str):
        return Skipped(tag, "text" if got == "string" else got)
    return Scalar(tag, *got)


def decode_event(buf: bytes, start: int, end: int) -> Event:
    """Decode one Event in ``buf[start:end]``; raises WireError when malformed."""
    ev = Event()
    for fno, wt, v in iter_fields(buf, start, end):
        if fno == 1 and wt == 1:
            ev.wall_time = struct.unpack_from("<d", buf, v)[0]
        elif fno == 2 and wt == 0:
            ev.step = v - (1 << 64) if v >= 1 << 63 else v
        elif fno == 5 and wt == 2:
            for sfno, swt, sv in iter_fields(buf, v[0], v[1]):
                if sfno == 1 and swt == 2:
                    ev.values.append(_value(buf, sv[0], sv[1]))
        elif fno == 3:
            ev.other = "file_version"
        elif fno in (4, 9):
            ev.other = "graph"
        elif fno == 6:
            ev.other = "log_message"
        elif fno == 7:
            ev.other = "session_log"
        elif fno == 8:
            ev.other = "run_metadata"
    return ev


# ---------------------------------------------------------------- bulk decoding
@dataclass
class Points:
    """Scalar points of one tag from one file, in record order."""

    record: list[np.ndarray] = field(default_factory=list)  # record index (for ordering)
    step: list[np.ndarray] = field(default_factory=list)
    wall: list[np.ndarray] = field(default_factory=list)
    value: list[np.ndarray] = field(default_factory=list)

    def extend(self, record, step, wall, value) -> None:
        self.record.append(np.asarray(record, np.int64))
        self.step.append(np.asarray(step, np.int64))
        self.wall.append(np.asarray(wall, np.float64))
        self.value.append(np.asarray(value, np.float64))

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        rec = np.concatenate(self.record)
        order = np.argsort(rec, kind="stable")
        return (rec[order], np.concatenate(self.step)[order], np.concatenate(self.wall)[order],
                np.concatenate(self.value)[order])


@dataclass
class Decoded:
    points: dict[str, Points] = field(default_factory=dict)
    skipped: dict[str, set[str]] = field(default_factory=dict)  # kind -> tags
    other: dict[str, int] = field(default_factory=dict)         # non-summary event kinds
    bad_records: int = 0

    def add_skip(self, kind: str, tag: str) -> None:
        self.skipped.setdefault(kind, set()).add(tag)


_HIGH_BITS = np.uint64(0x8080808080808080)
#: Shifts that pack the low 7 bits of each of 8 bytes next to each other.
_PACK = [(np.uint64(j), np.uint64(0x7F << (7 * j))) for j in range(8)]
_LEN_MASKS = np.array([0] + [(1 << (7 * k)) - 1 for k in range(1, 9)], dtype=np.uint64)


def _varints_from_words(words: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Decode the varint at the start of each uint64 word: (values, byte lengths, ok).

    Varints longer than 8 bytes (steps >= 2**56, negative steps) are not ok; their
    records take the one-by-one path.
    """
    term = ~words & _HIGH_BITS  # high bit clear = last byte of the varint
    ok = term != 0
    lowbit = term & (~term + np.uint64(1))
    # lowbit is 0x80 << 8 (n - 1); frexp gives its bit length exactly.
    n = ((np.frexp(lowbit.astype(np.float64))[1] - 1) // 8 + 1).astype(np.int64)
    n[~ok] = 1
    val = np.zeros(words.shape, np.uint64)
    longest = int(n.max()) if n.size else 0
    for shift, mask in _PACK[:longest]:  # steps below 2**21 need only 3 rounds
        val |= (words >> shift) & mask
    val &= _LEN_MASKS[n]
    return val, n, ok


def _word_masks(width: int, skip_from: int, skip_len: int) -> list[int]:
    """uint64 masks covering bytes [0, width) of a suffix except the value's bytes."""
    masks = []
    for k in range((width + 7) // 8):
        m = 0
        for j in range(8):
            b = 8 * k + j
            if b < width and not skip_from <= b < skip_from + skip_len:
                m |= 0xFF << (8 * j)
        masks.append(m)
    return masks


def _decode_slow(buf: bytes, idx: np.ndarray, starts: np.ndarray, ends: np.ndarray,
                 out: Decoded) -> dict[int, tuple[Scalar, int]]:
    """Decode records one by one; returns {record: (scalar, data start)} for single-scalar events."""
    single: dict[int, tuple[Scalar, int]] = {}
    rows: dict[str, list[tuple[int, int, float, float]]] = {}
    for i in idx.tolist():
        s, e = int(starts[i]), int(ends[i])
        try:
            ev = decode_event(buf, s, e)
        except (WireError, struct.error, IndexError):
            out.bad_records += 1
            continue
        if ev.other and not ev.values:
            out.other[ev.other] = out.other.get(ev.other, 0) + 1
        scalars = 0
        for v in ev.values:
            if isinstance(v, Scalar):
                rows.setdefault(v.tag, []).append((i, ev.step, ev.wall_time, v.value))
                scalars += 1
                if len(ev.values) == 1:
                    single[i] = (v, s)
            else:
                out.add_skip(v.kind, v.tag)
    for tag, r in rows.items():
        a = np.array(r, dtype=np.float64)
        out.points.setdefault(tag, Points()).extend(a[:, 0], a[:, 1], a[:, 2], a[:, 3])
    return single


def decode_bulk(buf: bytes, arr: np.ndarray, starts: np.ndarray, ends: np.ndarray,
                max_layouts: int = 256) -> Decoded:
    """Decode every record; scalar events sharing a layout are read in bulk.

    ``arr`` is ``buf`` as uint8 plus at least 64 bytes of padding (see frame_records).
    """
    out = Decoded()
    n = starts.size
    if n == 0:
        return out
    u64, f32, f64 = strided(arr, "<u8"), strided(arr, "<f4"), strided(arr, "<f8")
    # Common prefix: 0x09 wall_time(8) [0x10 step varint] then the rest ("suffix").
    fast = (arr[starts] == 0x09) & (ends - starts >= 11)
    p = starts + 9
    has_step = fast & (arr[p] == 0x10)
    step_val, step_len, ok = _varints_from_words(u64[p + 1])
    fast &= ~has_step | ok
    p = np.where(has_step, p + 1 + step_len, p)
    fast &= (p < ends) & (arr[np.minimum(p, arr.size - 1)] == 0x2A)  # the summary field
    suffix_len = ends - p
    fast &= suffix_len <= 512
    slow = ~fast
    steps = np.where(has_step, step_val.astype(np.int64), 0)
    fidx = np.flatnonzero(fast)
    # Group fast records by suffix length, then by layout inside each group.
    lens = suffix_len[fidx]
    layouts = 0
    for width_value in np.flatnonzero(np.bincount(lens, minlength=1)):
        grp = fidx[lens == width_value]
        width = int(suffix_len[grp[0]])
        pg = p[grp]
        words = [u64[pg + 8 * k] for k in range((width + 7) // 8)]
        remaining = np.ones(grp.size, bool)
        while remaining.any():
            if layouts >= max_layouts:
                slow[grp[remaining]] = True
                break
            layouts += 1
            first = int(np.flatnonzero(remaining)[0])
            rec = int(grp[first])
            single = _decode_slow(buf, np.array([rec]), starts, ends, out)
            remaining[first] = False
            sc = single[rec][0] if rec in single else None
            if sc is None or sc.at is None:
                continue  # not a lone float scalar: each such record is its own layout
            off = sc.at - int(p[rec])
            w = 4 if sc.fmt == "<f4" else 8
            match = remaining.copy()
            for wk, mask in zip(words, _word_masks(width, off, w)):
                m = np.uint64(mask)
                match &= (wk & m) == (wk[first] & m)
            members = grp[match]
            if members.size:
                with np.errstate(invalid="ignore"):  # signalling NaNs are values too
                    vals = (f32 if w == 4 else f64)[p[members] + off].astype(np.float64)
                walls = f64[starts[members] + 1]
                out.points.setdefault(sc.tag, Points()).extend(members, steps[members], walls, vals)
            remaining &= ~match
    sidx = np.flatnonzero(slow)
    if sidx.size:
        _decode_slow(buf, sidx, starts, ends, out)
    return out
