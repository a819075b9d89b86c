"""What lr-find and learning-curve print once their study is done: one JSON object, or the
rendered study and the files written (one place, so both commands say it alike)."""

from __future__ import annotations

import json
import sys
from typing import Any, Callable


def emit_study(res: Any, files: dict | None, out: str | None, as_json: bool,
               render: Callable[[Any], Any]) -> None:
    """``--json``: ``res.to_dict()`` plus the files written, on stdout. Otherwise ``render(res)``
    on the output console, then where the files went and why a report was skipped."""
    if as_json:
        from fitdoctor.findings import _jsonable

        payload = res.to_dict()
        if files is not None:
            payload["files"] = files
        sys.stdout.write(json.dumps(_jsonable(payload), indent=2) + "\n")
        return
    from fitdoctor.report.terminal import output_console

    console = output_console()
    console.print(render(res))
    if files is not None:
        console.print(f"written: {out}/ ({', '.join(files['files'])})", style="dim")
        if files.get("report_skipped"):
            console.print(files["report_skipped"], style="yellow")
