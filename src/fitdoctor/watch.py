"""Follow a training log that another process is still writing, and re-diagnose as it grows.

:class:`Watcher` polls a path (a log file, a run folder, or standard input) by size and
modification time, re-reads it with the ordinary readers when it changed, and judges every
run in it as a run in progress with one :class:`~fitdoctor.live.Monitor` per run, so each
finding is reported once when it appears and once when it clears. ``fitdoctor watch`` is a
thin loop over it.

Reading a file that is being written:

- a text file is read up to its last complete line (a CSV row or console line cut in half by
  the writer is left for the next poll), so a half-written row never reads as NaN;
- JSON (``trainer_state.json``) that does not parse yet is retried at the next poll;
- a folder (TensorBoard, ``lightning_logs/``) or binary file is read once it held still for
  one poll, or after ``settle_polls`` polls if the writer never pauses; TensorBoard's reader
  already drops a truncated last record;
- a file that shrinks or is replaced starts the run over (a new training run);
- a path that does not exist yet is waited for.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from fitdoctor.errors import BadInput
from fitdoctor.findings import SEVERITY_RANK, Diagnosis
from fitdoctor.history import RunHistory
from fitdoctor.live import Event, Monitor

#: how often the path is looked at, in seconds (a new epoch shows within about two polls)
DEFAULT_INTERVAL = 0.5
#: most files looked at in a folder per poll
MAX_FILES = 20000


@dataclass
class RunState:
    name: str
    monitor: Monitor
    points: int = 0
    diagnosis: Diagnosis | None = None


@dataclass
class Update:
    """What one poll found: the runs read (new points or not) and what changed."""

    t: float                                   # time.monotonic() when read
    runs: list[RunState]
    events: list[tuple[str, Event]] = field(default_factory=list)
    grown: list[str] = field(default_factory=list)      # runs with new points
    restarted: bool = False
    waiting: str | None = None                  # why nothing could be read yet

    def __repr__(self) -> str:
        """One line: the runs with their points and verdicts, and what changed."""
        if self.waiting:
            return f"Update(waiting: {self.waiting})"
        runs = "; ".join(f"{r.name}: {r.points} points, {r.diagnosis!r}" if r.diagnosis is not None
                         else f"{r.name}: {r.points} points" for r in self.runs[:3])
        more = f"; +{len(self.runs) - 3} more runs" if len(self.runs) > 3 else ""
        news = f", {len(self.events)} new event{'s' if len(self.events) != 1 else ''}" if self.events else ""
        return f"Update({runs}{more}{news}{', restarted' if self.restarted else ''})"


class Watcher:
    """Poll ``path`` and re-diagnose what it holds (see the module docstring)."""

    def __init__(self, path: str | os.PathLike, *, fmt: str | None = None,
                 mapping: Mapping[str, str] | None = None, mute: tuple[str, ...] = (),
                 thresholds: Mapping[str, Any] | None = None, settle_polls: int = 3,
                 stdin=None) -> None:
        self.path = str(path)
        self.fmt = fmt
        self.mapping = dict(mapping or {})
        self.mute = (mute,) if isinstance(mute, str) else tuple(mute or ())  # one code, not its letters
        self.thresholds = thresholds
        self.settle_polls = settle_polls
        self.runs: dict[str, RunState] = {}
        self._sig: Any = None
        self._seen_sig: Any = None
        self._unsettled = 0
        self._tmp: str | None = None  # made at the first snapshot: a refused path leaves nothing behind
        self._size = -1
        self._ino: int | None = None
        self.eof = False
        self._stdin_buf = bytearray()
        self._lock = threading.Lock()
        if self.path == "-":
            self._start_stdin(stdin if stdin is not None else sys.stdin.buffer)
        else:
            parent = Path(self.path).parent
            if not parent.is_dir():
                raise BadInput(f"{self.path}: folder {parent} does not exist; expected a log file or "
                               "folder that exists or will appear in an existing folder")
        if fmt is not None:
            from fitdoctor.io.detect import load_readers

            if fmt not in load_readers():
                raise BadInput(f"unknown format {fmt!r}; see `fitdoctor formats`")
        from fitdoctor.diagnose import _check_mute

        _check_mute(self.mute)

    # ------------------------------------------------------------------ polling
    def poll(self) -> Update | None:
        """Look once; an Update when the path changed (or first appeared), else None."""
        sig = self._signature()
        if sig is None:
            if self._sig is None and not self.runs:
                self._sig = "missing"
                return Update(time.monotonic(), [], waiting=f"waiting for {self.path} to appear")
            return None
        if sig == self._seen_sig:
            return None
        direct = self.path == "-" or self._is_text_file()
        prev, self._sig = self._sig, sig
        if (not direct and prev not in (None, "missing") and sig != prev
                and self._unsettled < self.settle_polls):
            # a folder or binary file still being written: read it once it holds still for a
            # poll (or after settle_polls polls, for a writer that never pauses)
            self._unsettled += 1
            return None
        self._unsettled = 0
        restarted = self._restarted()
        try:
            histories = self._read()
        except BadInput as exc:
            self._seen_sig = sig
            return Update(time.monotonic(), list(self.runs.values()), waiting=str(exc))
        if self._signature() != sig and not direct:
            return None  # it changed while we read: read again at the next poll
        self._seen_sig = sig
        if restarted:
            self.runs = {}
        return self._judge(histories, restarted)

    def _judge(self, histories: list[RunHistory], restarted: bool) -> Update:
        upd = Update(time.monotonic(), [], restarted=restarted)
        for h in histories:
            name = self._run_name(h)
            st = self.runs.get(name)
            if st is None:
                st = self.runs[name] = RunState(name, Monitor(mute=self.mute, thresholds=self.thresholds,
                                                              axis=h.axis))
            n = h.n_points
            if n != st.points or st.diagnosis is None:
                if n > st.points:
                    upd.grown.append(name)
                st.points = n
                events = st.monitor.observe(h)
                st.diagnosis = st.monitor.last
                upd.events.extend((name, e) for e in events)
            upd.runs.append(st)
        return upd

    def worst(self) -> str | None:
        """The highest severity among the current findings of every run."""
        sev = [f.severity for st in self.runs.values() for f in st.monitor.current.values()]
        return max(sev, key=lambda s: SEVERITY_RANK[s]) if sev else None

    def final(self, *, partial: bool = True) -> list[Diagnosis]:
        """The diagnosis of every run as it stands (``partial=False`` once the log is complete)."""
        out = []
        for st in self.runs.values():
            d = st.diagnosis if partial else st.monitor.diagnosis(partial=False)
            if d is not None:
                out.append(d)
        return out

    def close(self) -> None:
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)
            self._tmp = None

    # ------------------------------------------------------------------ reading
    def _signature(self) -> Any:
        if self.path == "-":
            with self._lock:
                n = len(self._stdin_buf)
            return (n, self.eof) if (n or self.eof) else None
        p = Path(self.path)
        try:
            st = p.stat()
        except OSError:
            return None
        if not p.is_dir():
            return (st.st_ino, st.st_size, st.st_mtime_ns)
        items = []
        for root, dirs, files in os.walk(p):
            dirs.sort()
            for f in sorted(files):
                try:
                    s = os.stat(os.path.join(root, f))
                except OSError:
                    continue
                items.append((os.path.relpath(os.path.join(root, f), p), s.st_size, s.st_mtime_ns))
                if len(items) >= MAX_FILES:
                    return tuple(items)
        return tuple(items) if items else None

    def _is_text_file(self) -> bool:
        p = Path(self.path)
        if p.is_dir():
            return False
        try:
            with open(p, "rb") as fh:
                head = fh.read(1024)
        except OSError:
            return False
        return b"\x00" not in head

    def _restarted(self) -> bool:
        """The file shrank or was replaced: a new run is being written."""
        if self.path == "-":
            return False
        p = Path(self.path)
        if p.is_dir():
            return False
        try:
            st = p.stat()
        except OSError:
            return False
        restarted = self._size >= 0 and (st.st_size < self._size or (self._ino is not None and st.st_ino != self._ino))
        self._size, self._ino = st.st_size, st.st_ino
        return restarted

    def _read(self) -> list[RunHistory]:
        from fitdoctor.io import read_runs

        if self.path == "-":
            with self._lock:
                data = bytes(self._stdin_buf)
            return self._read_bytes(data, "stdin.log", complete=self.eof, source="<stdin>")
        p = Path(self.path)
        if p.is_dir() or not self._is_text_file():
            runs = read_runs(p, self.fmt, self.mapping)
        else:
            try:
                data = p.read_bytes()
            except OSError as exc:
                raise BadInput(f"{p}: cannot read ({exc.strerror})") from exc
            return self._read_bytes(data, p.name, complete=p.suffix.lower() == ".json", source=str(p))
        return runs

    def _read_bytes(self, data: bytes, name: str, *, complete: bool, source: str) -> list[RunHistory]:
        from fitdoctor.io import read_runs

        if not complete and not data.endswith(b"\n"):
            cut = data.rfind(b"\n")
            data = data[:cut + 1] if cut >= 0 else b""
        if not data.strip():
            raise BadInput(f"{source}: no complete line yet")
        if self._tmp is None:
            self._tmp = tempfile.mkdtemp(prefix="fitdoctor-watch-")
        snap = Path(self._tmp) / name
        snap.write_bytes(data)
        runs = read_runs(snap, self.fmt, self.mapping)
        for r in runs:
            r.meta["source"] = source
        return runs

    @staticmethod
    def _run_name(h: RunHistory) -> str:
        return h.name

    def _start_stdin(self, stream) -> None:
        def pump():
            try:
                for line in iter(stream.readline, b""):
                    with self._lock:
                        self._stdin_buf.extend(line)
            finally:
                self.eof = True

        threading.Thread(target=pump, name="fitdoctor-watch-stdin", daemon=True).start()


__all__ = ["Watcher", "Update", "RunState", "DEFAULT_INTERVAL"]
