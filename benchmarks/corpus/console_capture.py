"""Capture what a training really printed: through a pipe, a pseudo-terminal, or a notebook kernel.

Shared by ``benchmarks/make_console_fixtures.py`` (the console/notebook test fixtures) and
the corpus (``generate.py``: the ``keras-console2``, ``keras-console1`` and ``notebook``
runs). Nothing here rewrites the bytes: the file holds what the process wrote.
"""

from __future__ import annotations

import os
import pty
import subprocess
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _shown(out: Path) -> str:
    return str(out.relative_to(ROOT)) if out.is_relative_to(ROOT) else str(out)


def capture(cmd: list[str], out: Path, mode: str, env: dict | None = None, *,
            merge_stderr: bool = True, quiet: bool = False) -> bytes:
    """Run ``cmd`` and write exactly what it printed to ``out``; return those bytes.

    ``pipe``: stdout through a pipe, as ``python train.py > log 2>&1`` (``merge_stderr``,
    the default) or ``python train.py > log`` (stderr then passes through to ours).
    ``pty``: stdout and stderr on a pseudo-terminal, as a user watching a terminal sees it
    (the tty turns ``\\n`` into ``\\r\\n``; progress bars keep their ``\\r``/``\\b``).
    The command's exit status is printed, not checked: a failing run's output is kept too.
    """
    full_env = dict(os.environ, **(env or {}))
    if mode == "pipe":
        proc = subprocess.run(cmd, check=False, stdout=subprocess.PIPE, env=full_env,
                              stderr=subprocess.STDOUT if merge_stderr else None)
        data = proc.stdout
    elif mode == "pty":
        master, slave = pty.openpty()
        proc = subprocess.Popen(cmd, stdout=slave, stderr=slave, stdin=subprocess.DEVNULL, env=full_env)
        os.close(slave)
        chunks = []
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO once the child closed its end
                break
            if not chunk:
                break
            chunks.append(chunk)
        proc.wait()
        os.close(master)
        data = b"".join(chunks)
    else:
        raise ValueError(mode)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(out.suffix + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(out)
    if not quiet:
        print(f"wrote {_shown(out)} ({len(data)} bytes, rc={proc.returncode})")
    return data


def execute_notebook(cells: list[tuple[str, str]], out: Path, *, cwd: Path | None = None,
                     env: dict | None = None, quiet: bool = False, timeout: int = 600) -> dict:
    """Build a notebook from ``(kind, source)`` cells, execute it with nbclient on a real
    ipykernel (``python3``) and save it, outputs as nbclient stores them, to ``out``.

    Needs nbformat, nbclient and ipykernel importable (not fitdoctor dependencies); ``env``
    goes to the kernel (e.g. ``PYTHONPATH`` with where those live). Returns the notebook.
    """
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    for kind, src in cells:
        nb.cells.append(nbformat.v4.new_markdown_cell(src) if kind == "markdown"
                        else nbformat.v4.new_code_cell(src))
    saved = {k: os.environ.get(k) for k in (env or {})}
    os.environ.update(env or {})  # the kernel inherits this process's environment
    os.environ.setdefault("KERAS_BACKEND", "torch")
    os.environ.setdefault("KERAS_HOME", tempfile.mkdtemp(prefix="fd-keras-home-"))
    try:
        resources = {"metadata": {"path": str(cwd)}} if cwd else {}
        NotebookClient(nb, timeout=timeout, kernel_name="python3", resources=resources).execute()
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp")
    nbformat.write(nb, str(tmp))
    tmp.replace(out)
    if not quiet:
        print(f"wrote {_shown(out)} ({out.stat().st_size} bytes)")
    return nb

