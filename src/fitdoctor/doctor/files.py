"""The doctor's run directory: the whole trail as JSON, the prescription as YAML, the final model's run."""

from __future__ import annotations

import json
import os
from pathlib import Path

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fitdoctor.doctor.result import DoctorResult


def write_doctor_dir(out: str | os.PathLike, res: DoctorResult, *, report: bool = False,
                     run_dir: bool = True) -> list[str]:
    """``doctor.json`` (the whole trail), ``prescription.yaml`` (the final config) and, when
    the final step ran, the prescribed model's run directory in ``final/``."""
    from fitdoctor.config import dump_config
    from fitdoctor.files import atomic_write

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    files = []
    dump_config(res.final_config, out / "prescription.yaml")
    files.append("prescription.yaml")
    dump_config(res.config, out / "config.yaml")
    files.append("config.yaml")
    exp = res.experiments.get("final")
    if exp is not None and run_dir:
        from fitdoctor.train.run_dir import write_run_dir

        write_run_dir(out / "final", exp, report=report)
        files.append("final/")
    atomic_write(out / "doctor.json", json.dumps(res.to_dict(), indent=2) + "\n")
    files.append("doctor.json")
    return files
