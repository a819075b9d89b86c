"""Sniff a path, pick the reader, and return every run it holds.

Detection is by content: each registered reader scores the path (see
``Reader.sniff``) and the most confident one reads it. ``--format`` skips the
sniffing. Directories are offered first to directory readers (TensorBoard runs,
Lightning version folders, MLflow stores, Hugging Face output dirs); when none
claims the folder, every file in it is sniffed and read on its own.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import Mapping

from fitdoctor.errors import BadInput
from fitdoctor.history import RunHistory, canonical_name, direction_known, keep_curves
from fitdoctor.io.base import Reader, load_readers, read_head
from fitdoctor.io.meaning import interpret

#: Folders never worth walking into when looking for logs.
SKIP_DIRS = {".git", "__pycache__", ".ipynb_checkpoints", "node_modules", ".venv", "wandb"}
#: Files never worth sniffing.
SKIP_SUFFIXES = {".pt", ".pth", ".ckpt", ".bin", ".safetensors", ".h5", ".keras", ".png",
                 ".jpg", ".jpeg", ".gif", ".pdf", ".zip", ".gz", ".tar", ".pkl", ".npy", ".npz",
                 ".onnx", ".so", ".pyc", ".py", ".md", ".yaml", ".yml", ".html", ".lock"}
MAX_FILES_IN_DIR = 2000


def formats() -> dict[str, str]:
    """Format name -> one-line description, for ``--help`` and ``fitdoctor formats``."""
    return {name: cls.description for name, cls in sorted(load_readers().items())}


def read_runs(path: str | os.PathLike, fmt: str | None = None,
              mapping: Mapping[str, str] | None = None) -> list[RunHistory]:
    """Read every run at ``path`` (a file, a folder, or ``-`` for standard input)."""
    if str(path) == "-":
        return _read_stdin(fmt, mapping)
    p = Path(path)
    if not p.exists():
        raise BadInput(f"{path}: no such file or directory; expected a training log file or folder")
    readers = load_readers()
    if fmt:
        if fmt not in readers:
            raise BadInput(f"unknown format {fmt!r}; expected one of: {', '.join(sorted(readers))}")
        runs = readers[fmt]().read(p)
    elif p.is_dir():
        runs = _read_dir(p, readers)
    else:
        runs = _read_file(p, readers)
    runs = _without_one_point_runs([r for r in runs if r.series])
    if not runs:
        raise BadInput(f"{path}: no training curves found; expected loss/metric values per epoch or step")
    for i, run in enumerate(runs):
        run.meta.setdefault("source", str(p))
        if len(runs) > 1 and not p.is_dir():  # runs one after another in one file: see latest_run
            run.meta["position_in_file"] = i
        if mapping:
            apply_mapping(run, mapping)
        interpret(run)
    return runs


def _without_one_point_runs(runs: list[RunHistory]) -> list[RunHistory]:
    """The runs of a file that are curves, without the single-point runs beside them
    (:func:`keep_curves`). A CSVLogger appending to one file keeps the one row of a start that
    was stopped at once (``1,48.7,...`` then ``1,0.44,...``: the fit that followed)."""
    def why(dropped: list[RunHistory]) -> str:
        names = [h.meta.get("run", "?") for h in dropped]
        return (f"left out {len(names)} run(s) of a single point ({', '.join(map(str, names[:3]))}"
                f"{' ...' if len(names) > 3 else ''}): one value is no training curve")

    return keep_curves(runs, why)


def read(path: str | os.PathLike, fmt: str | None = None,
         mapping: Mapping[str, str] | None = None) -> RunHistory:
    """Read the one run at ``path``; a path with several runs is an error naming them."""
    runs = read_runs(path, fmt, mapping)
    if len(runs) > 1:
        names = ", ".join(r.name for r in runs[:5]) + (" ..." if len(runs) > 5 else "")
        raise BadInput(f"{path} holds {len(runs)} runs ({names}); use fitdoctor.read_runs() "
                       "or point at one run")
    return runs[0]


def apply_mapping(run: RunHistory, mapping: Mapping[str, str]) -> None:
    """Rename series as the user says: ``{"val_loss": "valid_loss"}`` (canonical <- raw).

    The source may be a raw name or a canonical name; a missing one is an error that
    lists what the run has.
    """
    for target, source in mapping.items():
        key = None
        for name, s in run.series.items():
            if s.raw_name == source or name == source:
                key = name
                break
        if key is None:
            have = sorted({s.raw_name for s in run.series.values()} | set(run.series))
            raise BadInput(f"--map {target}={source}: no series named {source!r} in {run.name}; "
                           f"available: {', '.join(have)}")
        series = run.series.pop(key)
        target = target if target in ("loss", "val_loss", "lr") else canonical_name(target)
        if target in run.series:  # the user's choice wins; keep the displaced one visible
            run.series[target + "#orig"] = run.series.pop(target)
        run.series[target] = series
        run.note(f"{source!r} read as {target!r} (--map)")


def best_reader(path: Path, readers: Mapping[str, type[Reader]], *, directory: bool
                ) -> tuple[type[Reader] | None, float]:
    head = b"" if directory else read_head(path)
    best, best_score = None, 0.0
    for cls in readers.values():
        if directory and not cls.reads_directories:
            continue
        if not directory and not cls.reads_files:
            continue
        try:
            score = float(cls.sniff(path, head))
        except Exception:  # a sniffer must never take detection down
            score = 0.0
        if score > best_score:
            best, best_score = cls, score
    return best, best_score


def _read_file(p: Path, readers: Mapping[str, type[Reader]]) -> list[RunHistory]:
    if p.stat().st_size == 0:
        raise BadInput(f"{p}: file is empty; expected a training log")
    cls, _ = best_reader(p, readers, directory=False)
    if cls is None:
        found = _console_runs(p, readers)
        if runs := _kept_as_console(found, "no reader recognised the file from its first lines; read as "
                                           "console output"):
            return runs
        if one := _one_evaluation(found):
            raise BadInput(f"{p}: only one epoch of values ({', '.join(one)}); need at least 2 to judge "
                           "a training curve")
        raise BadInput(f"{p}: unknown log format; expected one of: {', '.join(sorted(readers))} "
                       "(or pass --format)")
    try:
        return cls().read(p)
    except BadInput:
        # the CSV sniffer can claim console output on its looks (Python logging's
        # "19:02:06,356" makes every line a comma-separated row): when the CSV reader finds
        # nothing, a curve the console reader finds is the file's. Any other reader's error
        # stands (a JSON file caught half-written is no console log: watch waits for it)
        runs = (_kept_as_console(_console_runs(p, readers), "the csv reader found no curve in it; read as console output")
                if cls is readers.get("csv") else [])
        if runs:
            return runs
        raise


def _a_curve(name: str, points: int) -> bool:
    """A loss curve of 3 points or more, or a validation score whose name says which way is
    better, of 5 or more ("INFO: Validation Dice Coeff: 0.51" once per evaluation, with no
    counter: U-Net scripts that log their val dice alone)."""
    if name in ("loss", "val_loss"):
        return points >= 3
    return name.startswith("val_") and points >= 5 and direction_known(name)


def _console_runs(p: Path, readers: Mapping[str, type[Reader]]) -> list[RunHistory]:
    """What the console reader finds in ``p``, its names read (:func:`interpret`); empty when
    it finds nothing."""
    console = readers.get("console")
    if console is None:
        return []
    try:
        runs = console().read(p)
    except BadInput:
        return []
    for r in runs:  # a curve may show only once its names are read (a perplexity, a named loss)
        interpret(r)
    return runs


def _one_evaluation(runs: list[RunHistory]) -> list[str]:
    """The curves' names when the console reader found a log of one evaluation and nothing
    more (a run stopped after its first epoch: "EPOCH: 1 val Results: Prec@1 1.03 Prec@5 4.5"):
    every series a single point, one of them a loss or a score whose name says which way is
    better. Such a file is a training log cut short, which "unknown log format" would hide."""
    series = [(name, s) for r in runs for name, s in r.series.items()]
    if not series or any(len(s) != 1 for _, s in series):
        return []
    if not any(name in ("loss", "val_loss") or direction_known(name) for name, _ in series):
        return []
    return [s.raw_name or name for name, s in series]


def _kept_as_console(runs: list[RunHistory], note: str) -> list[RunHistory]:
    """The console reader's runs when no sniffer claimed the file but reading it finds a
    curve (see :func:`_a_curve`): a log whose head is all banner, a classification report or
    bars (tables the console sniffer leaves to the CSV reader) is still console output.
    Empty when it finds none, so the file stays an unknown format."""
    if not any(_a_curve(name, len(series)) for r in runs for name, series in r.series.items()):
        return []
    for r in runs:
        r.note(note)
    return runs


def _read_dir(p: Path, readers: Mapping[str, type[Reader]]) -> list[RunHistory]:
    cls, _ = best_reader(p, readers, directory=True)
    if cls is not None:
        sweep = _mixed_subfolders(p, cls, readers)
        if sweep:
            return _read_sweep(p, sweep, readers)
        return cls().read(p)

    def read_file(f: Path) -> list[RunHistory]:
        if f.is_dir():  # a run folder a directory reader claims (a `fitdoctor train` run dir)
            got = [r for r in _read_dir(f, readers) if r.series]
            for r in got:
                inner = r.meta.get("run")
                name = str(f.relative_to(p))
                r.meta["run"] = f"{name}/{inner}" if inner and not str(inner).startswith(name) else name
            return got
        fcls = best_reader(f, readers, directory=False)[0] if f.stat().st_size else None
        got = fcls().read(f) if fcls is not None else []
        for r in got:
            r.meta.setdefault("run", str(f.relative_to(p)))
        return got

    return _read_each(p, _walk_files(p, readers), read_file, "this folder")


def _read_each(p: Path, items, read_one, where: str) -> list[RunHistory]:
    """Every run ``read_one`` finds in each item; an item it refuses is skipped with a note
    on the first run, and only when nothing reads is the folder an error (with the reasons)."""
    runs: list[RunHistory] = []
    skipped: list[str] = []
    for item in items:
        try:
            runs.extend(read_one(item))
        except BadInput as exc:
            skipped.append(f"{item.relative_to(p)}: {exc}")
    if not runs:
        extra = f" (skipped: {'; '.join(skipped[:3])})" if skipped else ""
        raise BadInput(f"{p}: no training logs found in {where}{extra}; expected CSV, JSON, "
                       "TensorBoard, Lightning, Hugging Face or MLflow logs")
    for note in skipped:
        runs[0].note(f"skipped {note}")
    return runs


def _is_log_candidate(f: Path) -> bool:
    """A file worth sniffing: not a checkpoint, image, archive, code or hidden file."""
    return f.suffix.lower() not in SKIP_SUFFIXES and not f.name.startswith(".")


def _subfolders(p: Path) -> list[Path]:
    return sorted(d for d in p.iterdir() if d.is_dir() and d.name not in SKIP_DIRS
                  and not d.name.startswith("."))


def _mixed_subfolders(p: Path, cls: type[Reader], readers: Mapping[str, type[Reader]]) -> list[Path]:
    """The run folders of a sweep whose runs were logged by different tools, else [].

    A reader that claims a folder reads everything of its own kind below it (TensorBoard
    events anywhere under runs/); in a sweep folder where some runs left a CSVLogger file,
    a trainer_state.json or an MLflow store instead, those runs would silently go
    missing. Such a folder is read one subfolder at a time.
    """
    if not cls.claims_recursively:
        return []  # the folder has that tool's own layout (an HF output dir, lightning_logs/)
    if any(f.is_file() and _is_log_candidate(f) for f in p.iterdir()):
        return []  # logs at the top: the folder is one run (or one tool's store)
    subs = _subfolders(p)
    if len(subs) < 2 or len(subs) > MAX_FILES_IN_DIR:
        return []
    kinds = {best_reader(d, readers, directory=True)[0] for d in subs}
    return subs if kinds != {cls} else []


def _read_sweep(p: Path, subs: list[Path], readers: Mapping[str, type[Reader]]) -> list[RunHistory]:
    def read_folder(d: Path) -> list[RunHistory]:
        got = [r for r in _read_dir(d, readers) if r.series]
        for r in got:
            inner = r.meta.get("run")
            r.meta["run"] = f"{d.name}/{inner}" if inner and not str(inner).startswith(d.name) else d.name
        return got

    return _read_each(p, subs, read_folder, "its run folders")


def _walk_files(root: Path, readers: Mapping[str, type[Reader]] | None = None):
    """Every log candidate below ``root``; with ``readers``, a subfolder a directory reader
    claims (a run folder of its own, such as ``fitdoctor train``'s) is yielded whole, not
    walked into: its files are parts of one run, not runs of their own."""
    count = 0
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS and not d.startswith("."))
        if readers is not None:
            whole = [d for d in dirnames if best_reader(Path(dirpath) / d, readers, directory=True)[0] is not None]
            for d in whole:
                yield Path(dirpath) / d
                count += 1
            dirnames[:] = [d for d in dirnames if d not in whole]
        for fn in sorted(filenames):
            f = Path(dirpath) / fn
            if not _is_log_candidate(f):
                continue
            yield f
            count += 1
            if count >= MAX_FILES_IN_DIR:
                return


def _read_stdin(fmt: str | None, mapping: Mapping[str, str] | None) -> list[RunHistory]:
    data = sys.stdin.buffer.read()
    if not data.strip():
        raise BadInput("standard input is empty; expected training output (e.g. python train.py 2>&1 | fitdoctor diagnose -)")
    fd, tmp = tempfile.mkstemp(prefix="fitdoctor-stdin-", suffix=".log")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        try:
            runs = read_runs(tmp, fmt, mapping)
        except BadInput as exc:  # name what the user gave, not our temporary file
            raise BadInput(str(exc).replace(tmp, "standard input")) from None
        for r in runs:
            r.meta["source"] = "<stdin>"
        return runs
    finally:
        os.unlink(tmp)
