"""``fitdoctor watch PATH``: follow a log that is still being written and re-diagnose as it grows."""

from __future__ import annotations

import json
import sys
import time
from typing import List, Optional

import typer

from fitdoctor.errors import BadInput
from fitdoctor.findings import SEVERITY_RANK

HELP = """Follow a training log another process is still writing; re-diagnose as new epochs arrive.

PATH is a log file (Keras CSVLogger, Lightning metrics.csv, trainer_state.json, console
output), a run folder (TensorBoard logdir, lightning_logs/), or - to follow standard input.
A file that does not exist yet is waited for; a file that is truncated or replaced starts over.
Each finding is printed once when it appears and once when it clears; on a terminal the
curves and current findings are shown live. Ctrl-C stops and prints the diagnosis so far.

Examples:

    fitdoctor watch training.log
    python train.py 2>&1 | fitdoctor watch -
    fitdoctor watch lightning_logs/version_0/metrics.csv --exit-on error
                                 # exit 1 on NaN or divergence
    fitdoctor watch runs/ --timeout 3600 --json
"""


def register(app: typer.Typer) -> None:
    @app.command(help=HELP)
    def watch(
        path: str = typer.Argument(..., metavar="PATH", help="Log file, run folder, or - for standard input."),
        format: Optional[str] = typer.Option(None, "--format", "-f", help="Skip detection and use this reader."),
        exit_on: Optional[str] = typer.Option(None, "--exit-on", metavar="warning|error",
                                              help="Exit 1 as soon as a finding at or above this severity appears."),
        interval: float = typer.Option(0.5, "--interval", metavar="SECONDS", help="How often to look at PATH."),
        once: bool = typer.Option(False, "--once", help="Read PATH once, print the diagnosis so far, exit."),
        timeout: Optional[float] = typer.Option(None, "--timeout", metavar="SECONDS",
                                                help="Stop watching after this many seconds."),
        as_json: bool = typer.Option(False, "--json", help="Print JSON lines (updates, events, the final diagnosis)."),
        plain: bool = typer.Option(False, "--plain", help="Print lines, never the live view (the default when piped)."),
        mapping: Optional[List[str]] = typer.Option(None, "--map", metavar="CANONICAL=RAW",
                                                    help="Read series RAW as CANONICAL."),
        mute: Optional[List[str]] = typer.Option(None, "--mute", metavar="CODE", help="Drop findings with this code."),
    ) -> None:
        from fitdoctor.cli.cmd_diagnose import parse_mapping
        from fitdoctor.watch import Watcher

        if exit_on is not None and exit_on not in ("warning", "error"):
            raise BadInput(f"--exit-on {exit_on!r}: expected 'warning' or 'error'")
        if not interval > 0:
            raise BadInput(f"--interval {interval}: expected a positive number of seconds")
        if timeout is not None and not timeout > 0:
            raise BadInput(f"--timeout {timeout}: expected a positive number of seconds")
        watcher = Watcher(path, fmt=format, mapping=parse_mapping(mapping), mute=tuple(mute or ()))
        view = _View(path, as_json=as_json, plain=plain)
        try:
            code = _loop(watcher, view, exit_on=exit_on, interval=interval, once=once, timeout=timeout)
        finally:
            watcher.close()
        if code:
            raise typer.Exit(code)


def _loop(watcher, view: "_View", *, exit_on: str | None, interval: float, once: bool,
          timeout: float | None) -> int:
    from pathlib import Path

    t0 = time.monotonic()
    limit = SEVERITY_RANK[exit_on] if exit_on else None
    if once and watcher.path != "-" and not Path(watcher.path).exists():
        raise BadInput(f"{watcher.path}: no such file or directory; expected a training log file or folder")
    code, ever_read, last_wait = 0, False, None
    view.start(announce=not once)  # --once reads and exits: no "watching ... (Ctrl-C to stop)"
    # Ctrl-C sets a flag the loop reads between polls: raised inside a poll, it could leave a
    # run read but not yet diagnosed, and the final diagnosis would be missing
    stop = _CtrlC()
    try:
        while True:
            upd = watcher.poll()
            if upd is not None:
                if upd.waiting:
                    if once:
                        raise BadInput(upd.waiting)
                    if upd.waiting != last_wait:
                        view.waiting(upd.waiting)
                        last_wait = upd.waiting
                else:
                    ever_read = True
                    last_wait = None
                    view.update(upd, watcher)
                worst = watcher.worst()
                if limit is not None and worst is not None and SEVERITY_RANK[worst] >= limit:
                    hits = sorted({f"{c} ({f.severity})" for st in watcher.runs.values()
                                   for c, f in st.monitor.current.items() if SEVERITY_RANK[f.severity] >= limit})
                    view.note(f"--exit-on {exit_on}: {', '.join(hits)}")
                    code = 1
                    break
            if once:
                break
            if stop.pressed:  # after a whole poll: what was read is diagnosed
                view.note("stopped (Ctrl-C)")
                break
            if watcher.path == "-" and watcher.eof and upd is None:
                break  # the writer closed the pipe and its last lines are read
            if timeout is not None and time.monotonic() - t0 >= timeout:
                if not ever_read:
                    view.stop()
                    raise BadInput(f"{watcher.path}: nothing readable within {timeout:g} s"
                                   + (f" ({last_wait})" if last_wait else "")
                                   + "; expected a training log that is being written")
                break
            time.sleep(interval)
    except KeyboardInterrupt:
        view.note("stopped (Ctrl-C)")
    finally:
        stop.restore()
        view.stop()
    finished = watcher.path == "-" and watcher.eof  # the writer closed the pipe: the run is over
    view.final(watcher.final(partial=not finished), finished=finished)
    return code


class _CtrlC:
    """SIGINT as a flag while installed (the main thread only; elsewhere Python's default stays)."""

    def __init__(self) -> None:
        import signal
        import threading

        self.pressed = False
        self._old = None
        if threading.current_thread() is threading.main_thread():
            self._old = signal.signal(signal.SIGINT, self._on_sigint)

    def _on_sigint(self, signum, frame) -> None:
        self.pressed = True

    def restore(self) -> None:
        import signal

        if self._old is not None:
            signal.signal(signal.SIGINT, self._old)
            self._old = None


class _View:
    """Lines when piped (or --plain), a live rich view on a terminal, JSON lines with --json."""

    def __init__(self, path: str, *, as_json: bool, plain: bool) -> None:
        from fitdoctor.report.terminal import output_console

        self.path = path
        self.as_json = as_json
        self.console = output_console()
        self.live = None
        self.use_live = not as_json and not plain and self.console.is_terminal
        self.recent: list[str] = []
        self.watcher = None

    def start(self, announce: bool = True) -> None:
        if self.as_json:
            return
        if announce:
            print(f"fitdoctor: watching {self.path} (Ctrl-C to stop)", file=sys.stderr, flush=True)
        if self.use_live:
            from rich.live import Live

            # transient: the final diagnosis, printed after, takes its place
            self.live = Live(self._render(), console=self.console, refresh_per_second=4, transient=True)
            self.live.start()

    def stop(self) -> None:
        if self.live is not None:
            self.live.stop()
            self.live = None

    def waiting(self, msg: str) -> None:
        if self.as_json:
            self._json({"type": "waiting", "message": msg})
        elif self.live is not None:
            self.recent = (self.recent + [f"waiting: {msg}"])[-6:]
            self.live.update(self._render())
        else:
            print(f"fitdoctor: waiting: {msg}", file=sys.stderr, flush=True)

    def note(self, msg: str) -> None:
        if self.as_json:
            self._json({"type": "note", "message": msg})
        else:
            self.stop()
            print(f"fitdoctor: {msg}", file=sys.stderr, flush=True)

    def update(self, upd, watcher) -> None:
        self.watcher = watcher
        clock = time.strftime("%H:%M:%S")
        lines = []
        if upd.restarted:
            lines.append(f"{clock} {self.path} was truncated or replaced: following the new run")
        for st in upd.runs:
            if st.name not in upd.grown:
                continue
            h = st.monitor.history
            last = _last_values(h)
            if self.as_json:
                self._json({"type": "update", "run": st.name, "points": st.points, "axis": h.axis, "last": last,
                            "findings": sorted(st.monitor.current)})
            lines.append(f"{clock} {st.name}: {st.points} {h.axis}{'s' if st.points != 1 else ''}  "
                         + "  ".join(f"{k} {v:.4g}" for k, v in last.items()))
        for run, e in upd.events:
            unit = self._axis(watcher, run)
            if self.as_json:
                self._json({"type": "event", "run": run, "kind": e.kind, "code": e.code, "severity": e.severity,
                            "step": e.step, "message": e.message})
            elif e.kind == "cleared":
                lines.append(f"{clock} {run}: {unit} {e.step:g}: cleared {e.code}")
            else:
                lines.append(f"{clock} {run}: {unit} {e.step:g}: {e.severity.upper()} {e.code}: {e.message}")
        if self.as_json:
            return
        if self.live is not None:
            self.recent = (self.recent + lines)[-6:]
            self.live.update(self._render())
        else:
            from fitdoctor.report.terminal import Hanging

            # wrapped at the terminal's width (COLUMNS) under the text after the clock; piped
            # without COLUMNS each stays one line, for grep
            for line in lines:
                clock_part, _, rest = line.partition(" ")
                self.console.print(Hanging(0, clock_part + " ", rest), highlight=False)
                self.console.file.flush()

    def final(self, diagnoses, *, finished: bool) -> None:
        if self.as_json:
            self._json({"type": "final", "finished": finished, "runs": [d.to_dict() for d in diagnoses]})
            return
        if not diagnoses:
            print("fitdoctor: no run long enough to judge yet", file=sys.stderr, flush=True)
            return
        from fitdoctor.report.terminal import print_diagnoses

        if not finished:
            print("fitdoctor: the diagnosis so far (a run in progress: end-of-run findings held back)",
                  file=sys.stderr, flush=True)
        print_diagnoses(diagnoses, console=self.console)

    # ---------------------------------------------------------------- helpers
    def _render(self):
        from rich.console import Group
        from rich.text import Text

        from fitdoctor.report.sparkline import sparkline

        parts = [Text(f"fitdoctor watch {self.path}  ·  {time.strftime('%H:%M:%S')}  ·  Ctrl-C to stop",
                      style="bold")]
        width = max(20, min(60, self.console.width - 40))
        for st in (self.watcher.runs.values() if self.watcher else []):
            h = st.monitor.history
            parts.append(Text(f"\n{st.name}  ({st.points} {h.axis}s)", style="bold"))
            for name in ("loss", "val_loss", "accuracy", "val_accuracy", "lr"):
                s = h.series.get(name)
                if s is not None and len(s):
                    parts.append(Text(f"  {name:<12} {sparkline(s.values, width)}  {s.values[-1]:.4g}"))
            if st.diagnosis is None:
                parts.append(Text("  too few points to judge yet", style="dim"))
            elif not st.monitor.current:
                parts.append(Text("  no finding so far", style="green"))
            for f in st.monitor.current.values():
                style = "red" if f.severity == "error" else "yellow"
                parts.append(Text(f"  {f.severity.upper()} {f.code}: {f.message}", style=style,
                                  overflow="ellipsis", no_wrap=True))
        if self.recent:
            parts.append(Text("\n" + "\n".join(self.recent), style="dim", overflow="ellipsis", no_wrap=True))
        return Group(*parts)

    @staticmethod
    def _axis(watcher, run: str) -> str:
        st = watcher.runs.get(run)
        return st.monitor.history.axis if st is not None else "step"

    @staticmethod
    def _json(obj) -> None:
        from fitdoctor.findings import _jsonable

        sys.stdout.write(json.dumps(_jsonable(obj)) + "\n")
        sys.stdout.flush()


def _last_values(h) -> dict[str, float]:
    out = {}
    for name in ("loss", "val_loss", "accuracy", "val_accuracy"):
        s = h.series.get(name)
        if s is not None and len(s):
            out[name] = float(s.values[-1])
    return out
