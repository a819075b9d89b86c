"""The story ``fitdoctor demo`` tells: stuck run -> diagnosis -> prescribed fix -> verified.

The fix is not hard-coded: it is the first remedy in the stuck run's ranked findings
that actually changes the config (a remedy already in place is skipped).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.rule import Rule

from fitdoctor.findings import Diagnosis, Finding, Remedy


def demo_config() -> Any:
    """The stuck run's config with its bundled data file resolved to an absolute path."""
    import yaml

    from fitdoctor.config import load_config

    base = resources.files("fitdoctor.examples")
    raw = yaml.safe_load(base.joinpath("demo_stuck.yaml").read_text(encoding="utf-8"))
    raw["data"]["source"] = str(Path(str(base.joinpath(raw["data"]["source"]))))
    return load_config(raw)


def _lookup(d: dict[str, Any], dotted: str) -> Any:
    for part in dotted.split("."):
        if not isinstance(d, dict) or part not in d:
            return None
        d = d[part]
    return d


def prescribed_remedy(diagnosis: Diagnosis, cfg: Any) -> tuple[Finding, Remedy] | None:
    """The first ranked remedy with config changes that are not already in the config."""
    from fitdoctor.config import config_to_dict

    current = config_to_dict(cfg)
    for f in diagnosis.findings:
        for r in f.remedies:
            if r.config_changes and any(_lookup(current, k) != v for k, v in r.config_changes.items()):
                return f, r
    return None


def run_demo(out: Path, *, report: bool = True, console: Console | None = None) -> dict[str, Any]:
    from fitdoctor.config import apply_changes
    from fitdoctor.report.terminal import output_console, print_diagnoses
    from fitdoctor.train.experiment import run_experiment
    from fitdoctor.train.run_dir import write_run_dir
    from fitdoctor.train.show import RichReporter, scores_table

    console = console or output_console()
    cfg = demo_config()
    reporter = RichReporter(console)
    out = Path(out).expanduser()
    console.print(f"fitdoctor demo: the run directories go to {out}/  (--out DIR to choose)", style="dim",
                  highlight=False)
    console.print(Rule("1. the classic stuck run"))
    console.print("Dense(64, relu) -> Dropout(0.3) -> Dense(32, relu) -> Dropout(0.3) -> Dense(1, sigmoid), "
                  "Adam(1e-3), 50 epochs,\non raw pump sensor readings (pascal, rpm, millikelvin, ...): "
                  "predict which pumps fail.")
    stuck = run_experiment(cfg, reporter=reporter)
    d1 = stuck.diagnoses[0]
    print_diagnoses([d1], console=console)
    stuck_files = write_run_dir(out / "stuck", stuck, report=report)

    console.print()
    console.print(Rule("2. the prescribed fix, applied and verified"))
    pick = prescribed_remedy(d1, cfg)
    if pick is None:
        console.print("fitdoctor found nothing to change in this run.")
        return {"stuck": stuck, "fixed": None, "out": str(out)}
    finding, remedy = pick
    from rich.markup import escape

    changes = ", ".join(f"{k}: {v}" for k, v in remedy.config_changes.items())
    console.print(f"remedy from [bold]{finding.code}[/bold] (the top-ranked fix that changes the config): "
                  f"{escape(remedy.action)}  {escape('[' + changes + ']')}")
    fixed_cfg = apply_changes(cfg, remedy.config_changes)
    fixed = run_experiment(fixed_cfg, reporter=reporter)
    print_diagnoses([fixed.diagnoses[0]], console=console)
    console.print()
    console.print(scores_table(fixed))
    before = (stuck.test or {}).get(stuck.primary)
    after = (fixed.test or {}).get(fixed.primary)
    if before is not None and after is not None:
        console.print(f"test {fixed.primary}: {before:.3f} stuck -> {after:.3f} fixed "
                      f"(majority baseline {fixed.baselines.get('majority', {}).get('test', {}).get('accuracy', float('nan')):.3f})")
    fixed_files = write_run_dir(out / "fixed", fixed, report=report)

    console.print()
    console.print(Rule("3. files"))
    for name, w in (("stuck", stuck_files), ("fixed", fixed_files)):
        console.print(f"{w['dir']}/  {', '.join(w['files'])}")
        if "report_skipped" in w:
            console.print("  " + w["report_skipped"], style="yellow")
    console.print(f"diagnose them again any time:  fitdoctor diagnose {out / 'stuck'}", highlight=False)
    if report:
        console.print(f"open the reports:  {out / 'stuck' / 'report.html'}  {out / 'fixed' / 'report.html'}",
                      highlight=False)
    return {"stuck": stuck, "fixed": fixed, "remedy": remedy, "finding": finding, "out": str(out)}
