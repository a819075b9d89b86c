"""The story ``fitdoctor demo`` tells: stuck run -> diagnosis -> doctor -> verified ->
"would more data help?".

The fix is not hard-coded: ``doctor`` tries the stuck run's ranked remedies on paired seeds
and keeps the one that beats the noise (scaling); a change that should not matter (twice
the width) is judged the same way and rejected with its numbers. Then ``learning-curve``
answers the opening story's conclusion ("only more data can help") on the stuck run itself.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.rule import Rule

#: Paired training seeds per candidate in the demo (the issue's minimum for a paired test).
DEMO_SEEDS = 5


def demo_config() -> Any:
    """The stuck run's config with its bundled data file resolved to an absolute path."""
    import yaml

    from fitdoctor.config import load_config

    base = resources.files("fitdoctor.examples")
    raw = yaml.safe_load(base.joinpath("demo_stuck.yaml").read_text(encoding="utf-8"))
    raw["data"]["source"] = str(Path(str(base.joinpath(raw["data"]["source"]))))
    return load_config(raw)


def run_demo(out: Path, *, report: bool = True, console: Console | None = None) -> dict[str, Any]:
    from fitdoctor.report.terminal import output_console, print_diagnoses
    from fitdoctor.train.experiment import run_experiment
    from fitdoctor.train.run_dir import write_run_dir
    from fitdoctor.train.show import RichReporter

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
    console.print(Rule("2. fitdoctor doctor: each remedy retrained on paired seeds, kept only beyond noise"))
    from fitdoctor.doctor import doctor, write_doctor_dir
    from fitdoctor.report.doctor_view import DoctorBar, print_doctor
    from fitdoctor.train.protocol import selection_metric
    from fitdoctor.train.metrics import class_prior

    ds = stuck.dataset
    metric = selection_metric(ds.task, class_prior(ds.y, ds.n_classes))
    console.print(f"doctor tries the stuck run's remedies in order, each on {DEMO_SEEDS} training seeds paired "
                  f"with the current config's, judged on validation {metric}; then a change that sounds "
                  "good but should not matter here (twice the width), judged the same way. The test split "
                  "waits for the end.", highlight=False)
    res = doctor(cfg, seeds=DEMO_SEEDS, max_rounds=3, dataset=ds, also_try=[{"model.hidden": "x2"}],
                 progress=DoctorBar(console, metric), first_experiment=stuck)
    print_doctor(res, console)
    fixed = res.experiments.get("final")
    if fixed is None or fixed is stuck:
        console.print("doctor found no change that beats the noise in this run.")
        return {"stuck": stuck, "fixed": None, "doctor": res, "out": str(out)}
    d2 = fixed.diagnoses[0]
    console.print("the prescribed run: " + ", ".join(f"{f.code} ({f.severity})" for f in d2.findings), highlight=False)
    before = (stuck.test or {}).get(stuck.primary)
    after = (fixed.test or {}).get(fixed.primary)
    if before is not None and after is not None:
        console.print(f"test {fixed.primary}: {before:.3f} stuck -> {after:.3f} fixed "
                      f"(majority baseline {fixed.baselines.get('majority', {}).get('test', {}).get('accuracy', float('nan')):.3f})",
                      highlight=False)
    fixed_files = write_run_dir(out / "fixed", fixed, report=report)
    write_doctor_dir(out / "doctor", res, run_dir=False)

    console.print()
    console.print(Rule("3. only more data can help? the stuck run's learning curve"))
    from fitdoctor.report.studies import render_learning_curve
    from fitdoctor.studies.learning_curve import SEEDS, learning_curve, write_learning_curve_dir

    console.print(f"The stuck config trained on 1/16 .. all of its training rows, {SEEDS} seeds each, scored on "
                  "the same validation rows: does validation still rise with more rows?", highlight=False)
    lc = learning_curve(cfg, dataset=ds, on_size=lambda i, n, rows: console.print(
        f"size {i + 1}/{n}: training on {rows} rows", style="dim", highlight=False))
    console.print(render_learning_curve(lc))
    lc_files = write_learning_curve_dir(lc, out / "learning_curve", report=report)

    console.print()
    console.print(Rule("4. files"))
    for w in (stuck_files, fixed_files, lc_files):
        console.print(f"{w['dir']}/  {', '.join(w['files'])}")
        if "report_skipped" in w:
            console.print("  " + w["report_skipped"], style="yellow")
    console.print(f"{out / 'doctor'}/  doctor.json (every round and change, with its numbers), prescription.yaml, "
                  "config.yaml", highlight=False)
    console.print(f"diagnose them again any time:  fitdoctor diagnose {out / 'stuck'}", highlight=False)
    if report:
        console.print(f"open the reports:  {out / 'stuck' / 'report.html'}  {out / 'fixed' / 'report.html'}  "
                      f"{out / 'learning_curve' / 'report.html'}", highlight=False)
    return {"stuck": stuck, "fixed": fixed, "doctor": res, "learning_curve": lc, "out": str(out)}
