"""Reading speed on a 1M-point TensorBoard log: fitdoctor vs EventAccumulator vs tbparse.

    python benchmarks/bench_tensorboard_read.py [--tags 4] [--steps 250000] [--keep DIR]

Writes ``tags x steps`` scalar events in torch SummaryWriter's byte format
(``simple_value`` events, step field omitted at step 0, real CRCs), encoded with
numpy because tensorboard's pure-Python CRC makes SummaryWriter take minutes for
1M points; ``--check-writer`` first confirms the encoder's bytes equal what
SummaryWriter writes for the same events. Then times, in this one process:
fitdoctor's reader, tensorboard's EventAccumulator (size_guidance scalars=0, i.e.
all points) and tbparse's SummaryReader, checks that all three read the same
values, and times ``fitdoctor.diagnose`` on the result.
"""

from __future__ import annotations

import argparse
import struct
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from fitdoctor.io._tfrecord import _TABLE, masked_crc32c

TAGS = ["loss", "val_loss", "accuracy", "learning_rate", "grad_norm", "val_accuracy"]


def _varint_len(x: np.ndarray) -> np.ndarray:
    n = np.ones(x.shape, np.int64)
    for k in range(1, 10):
        n += x >= (1 << (7 * k))
    return n


def _crc_rows(mat: np.ndarray) -> np.ndarray:
    crc = np.full(mat.shape[0], 0xFFFFFFFF, np.uint32)
    for k in range(mat.shape[1]):
        crc = _TABLE[(crc ^ mat[:, k]) & 0xFF] ^ (crc >> np.uint32(8))
    crc ^= np.uint32(0xFFFFFFFF)
    return ((crc >> np.uint32(15)) | (crc << np.uint32(17))) + np.uint32(0xA282EAD8)


def _records(tag: bytes, steps: np.ndarray, values: np.ndarray, walls: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """Framed records of one tag as (record matrix, steps) per varint width."""
    value = b"\x0a" + bytes([len(tag)]) + tag + b"\x15"  # + 4 float bytes
    vlen = len(value) + 4
    summary_head = b"\x0a" + bytes([vlen])
    slen = len(summary_head) + vlen
    out = []
    widths = np.where(steps == 0, 0, _varint_len(steps))
    for w in np.unique(widths):
        sel = widths == w
        n = int(sel.sum())
        s = steps[sel].astype(np.uint64)
        cols: list[np.ndarray] = [np.full(n, 0x09, np.uint8)]
        wb = walls[sel].astype("<f8").view(np.uint8).reshape(n, 8)
        cols += [wb[:, k] for k in range(8)]
        if w:
            cols.append(np.full(n, 0x10, np.uint8))
            for k in range(int(w)):
                byte = (s >> np.uint64(7 * k)) & np.uint64(0x7F)
                if k < w - 1:
                    byte |= np.uint64(0x80)
                cols.append(byte.astype(np.uint8))
        for b in b"\x2a" + bytes([slen]) + summary_head + value:
            cols.append(np.full(n, b, np.uint8))
        vb = values[sel].astype("<f4").view(np.uint8).reshape(n, 4)
        cols += [vb[:, k] for k in range(4)]
        data = np.stack(cols, axis=1)
        head = struct.pack("<Q", data.shape[1])
        head += struct.pack("<I", masked_crc32c(head))
        hmat = np.tile(np.frombuffer(head, np.uint8), (n, 1))
        tail = _crc_rows(data).astype("<u4").view(np.uint8).reshape(n, 4)
        out.append((np.concatenate([hmat, data, tail], axis=1), steps[sel]))
    return out


def write_log(folder: Path, n_tags: int, n_steps: int, seed: int = 0) -> dict[str, np.ndarray]:
    """One event file with ``n_tags`` scalar tags at steps 0..n_steps-1, interleaved by step."""
    rng = np.random.default_rng(seed)
    steps = np.arange(n_steps, dtype=np.int64)
    t0 = 1.7e9
    header = b"\x09" + struct.pack("<d", t0) + b"\x1a\x0dbrain.Event:2"
    first = struct.pack("<Q", len(header))
    first += struct.pack("<I", masked_crc32c(first)) + header + struct.pack("<I", masked_crc32c(header))
    pieces, written = [], {}
    for ti in range(n_tags):
        tag = TAGS[ti % len(TAGS)] + ("" if ti < len(TAGS) else f"_{ti}")
        vals = (np.exp(-steps / (n_steps / 5)) + 0.05 * rng.standard_normal(n_steps)).astype(np.float32)
        vals[rng.integers(0, n_steps, 3)] = np.nan
        walls = t0 + steps * 0.01 + ti * 1e-4
        written[tag] = vals
        for mat, st in _records(tag.encode(), steps, vals, walls):
            pieces.append((mat, st * n_tags + ti))
    sizes = np.zeros(n_steps * n_tags, np.int64)
    for mat, key in pieces:
        sizes[key] = mat.shape[1]
    offsets = len(first) + np.concatenate([[0], np.cumsum(sizes)[:-1]])
    buf = np.zeros(len(first) + int(sizes.sum()), np.uint8)
    buf[:len(first)] = np.frombuffer(first, np.uint8)
    for mat, key in pieces:
        o = offsets[key]
        for k in range(mat.shape[1]):
            buf[o + k] = mat[:, k]
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "events.out.tfevents.1700000000.bench.1.0"
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(buf.tobytes())
    tmp.replace(path)
    return written


def check_writer_bytes(tmp: Path) -> None:
    """The encoder writes exactly SummaryWriter's bytes (same events, same wall times)."""
    from torch.utils.tensorboard import SummaryWriter

    mine = tmp / "mine"
    write_log(mine, 2, 300)
    data = next(mine.iterdir()).read_bytes()
    theirs = tmp / "theirs"
    w = SummaryWriter(str(theirs))
    vals = {}
    rng = np.random.default_rng(0)
    steps = np.arange(300)
    for ti, tag in enumerate(TAGS[:2]):
        v = (np.exp(-steps / 60) + 0.05 * rng.standard_normal(300)).astype(np.float32)
        v[rng.integers(0, 300, 3)] = np.nan
        vals[tag] = v
    for s in range(300):
        for ti, tag in enumerate(TAGS[:2]):
            w.add_scalar(tag, float(vals[tag][s]), s, walltime=1.7e9 + s * 0.01 + ti * 1e-4)
    w.close()
    ref = next(theirs.iterdir()).read_bytes()
    # SummaryWriter's first record carries the current wall time; compare from record 2.
    skip = lambda b: b[16 + int.from_bytes(b[:8], "little"):]  # noqa: E731
    assert skip(data) == skip(ref), "encoder bytes differ from torch SummaryWriter's"
    print("encoder check: byte-identical to torch SummaryWriter for 600 events")


def _time(fn, repeats: int):
    best, out = float("inf"), None
    for _ in range(repeats):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tags", type=int, default=4)
    ap.add_argument("--steps", type=int, default=250_000)
    ap.add_argument("--repeats", type=int, default=3, help="best of N for fitdoctor and diagnose")
    ap.add_argument("--check-writer", action="store_true")
    ap.add_argument("--skip-tbparse", action="store_true")
    args = ap.parse_args()

    import fitdoctor
    from fitdoctor.io.tensorboard import TensorBoardReader
    from tensorboard.backend.event_processing import event_accumulator as ea_mod

    with tempfile.TemporaryDirectory(prefix="fitdoctor-bench-tb-") as td:
        tmp = Path(td)
        if args.check_writer:
            check_writer_bytes(tmp)
        logdir = tmp / "run"
        t = time.perf_counter()
        written = write_log(logdir, args.tags, args.steps)
        n_points = sum(v.size for v in written.values())
        size = next(logdir.iterdir()).stat().st_size
        print(f"wrote {n_points:,} scalar points ({args.tags} tags x {args.steps:,} steps), "
              f"{size / 1e6:.1f} MB, in {time.perf_counter() - t:.1f} s")

        results = {}
        results["fitdoctor"], runs = _time(lambda: TensorBoardReader().read(logdir), args.repeats)
        h = runs[0]

        def event_acc():
            acc = ea_mod.EventAccumulator(str(logdir), size_guidance={ea_mod.SCALARS: 0})
            acc.Reload()
            return {tag: np.array([e.value for e in acc.Scalars(tag)]) for tag in acc.Tags()["scalars"]}

        results["EventAccumulator"], ea_vals = _time(event_acc, 1)
        if not args.skip_tbparse:
            from tbparse import SummaryReader

            results["tbparse"], df = _time(lambda: SummaryReader(str(logdir)).scalars, 1)
            assert len(df) == n_points, f"tbparse read {len(df)} points"

        # Same values from every reader.
        by_raw = {s.raw_name: s for s in h.series.values()}
        for tag, vals in written.items():
            np.testing.assert_array_equal(by_raw[tag].values, vals.astype(float))
            np.testing.assert_array_equal(by_raw[tag].values, ea_vals[tag])
        print("values: fitdoctor == EventAccumulator == written, all points")

        t_diag, diag = _time(lambda: fitdoctor.diagnose(h), args.repeats)

        fastest_base = min(v for k, v in results.items() if k != "fitdoctor")
        print(f"\n{'reader':<18}{'seconds':>10}{'points/s':>14}{'vs fastest baseline':>22}")
        for name, sec in results.items():
            print(f"{name:<18}{sec:>10.3f}{n_points / sec:>14,.0f}{sec / fastest_base:>21.3f}x")
        print(f"\nfitdoctor is {fastest_base / results['fitdoctor']:.1f}x faster than the fastest baseline")
        print(f"fitdoctor.diagnose on {n_points:,} points: {t_diag:.3f} s "
              f"({len(diag.findings)} findings: {', '.join(f.code for f in diag.findings)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
