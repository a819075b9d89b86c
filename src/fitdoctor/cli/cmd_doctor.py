"""``fitdoctor doctor CONFIG``: diagnose, try the remedies, keep what beats the noise."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import List, Optional

import typer

from fitdoctor.cli._options import out_folder

HELP = """Repair a run config: diagnose it, try its remedies, keep only changes that beat the noise.

Each round retrains the config on --seeds paired seeds (the folds of a k-fold config),
diagnoses the retrains, takes the top finding's remedies in order, resolves each against
the config (relative: lr x0.1, width x2; never the test split), and accepts a change only
when a one-sided paired t-test over the seeds says the validation score improved beyond
--min-effect (p < 0.05). With --second-look, a change that is promising but not yet beyond
the noise (p < 0.25) is retrained on as many new seeds and judged on all of them; each look
then uses p < 0.031, so a change that does nothing is still accepted at most 5% of the time.
One exception, said in the trail as "accepted as a cure": overfitting is read off the val
loss, which accuracy may not see, so a remedy for it (early stopping, label smoothing,
dropout, L2, a smaller net) is also kept when its retrains no longer overfit and the score
is no worse than twice --min-effect (a one-sided paired non-inferiority test, p < 0.05).
The score follows the task (balanced accuracy under class imbalance, R^2 for regression) and
is named in the output. The test split is scored once at the end, for the
config as given and the prescription, beside the baselines.

    fitdoctor doctor my.yaml
    fitdoctor doctor my.yaml --max-rounds 3 --budget-minutes 10 --out runs/dr
    fitdoctor doctor my.yaml --try model.hidden=x2 --json

Writes doctor.json (the whole trail), prescription.yaml and the prescribed run's directory.
"""


def _parse_try(items: list[str]) -> list[dict]:
    from fitdoctor.errors import BadInput

    out = []
    for item in items:
        change = {}
        for part in re.split(r",(?=\s*[A-Za-z_][\w.]*\s*=)", item):  # commas inside [64,32] stay
            key, sep, value = part.partition("=")
            if not sep or not key.strip():
                raise BadInput(f"--try {item!r}: expected KEY=VALUE[,KEY=VALUE], e.g. model.hidden=x2")
            import yaml

            try:
                v = yaml.safe_load(value)
            except yaml.YAMLError:
                v = value
            change[key.strip()] = value.strip() if isinstance(v, str) or v is None else v
        out.append(change)
    return out


def register(app: typer.Typer) -> None:
    @app.command(help=HELP)
    def doctor(
        config: str = typer.Argument(..., metavar="CONFIG", help="Run config (YAML); every key: `fitdoctor config`."),
        out: Optional[str] = typer.Option(None, "--out", "-o", callback=out_folder, metavar="DIR",
                                          help="Folder for the trail (default: under fitdoctor-runs/, named after the config)."),
        max_rounds: int = typer.Option(5, "--max-rounds", min=1, metavar="N", help="At most this many rounds of diagnose and fix."),
        budget_minutes: Optional[float] = typer.Option(None, "--budget-minutes", metavar="M",
                                                       help="Stop trying changes after M minutes."),
        seeds: int = typer.Option(5, "--seeds", min=2, help="Paired training seeds per candidate (holdout configs)."),
        min_effect: Optional[float] = typer.Option(None, "--min-effect", metavar="X",
                                                   help="Smallest gain worth a change (default 0.005 on a [0,1] score)."),
        workers: Optional[int] = typer.Option(None, "--workers", min=1,
                                              help="Retrain processes (default: the idle cores, at most one per seed)."),
        try_: List[str] = typer.Option([], "--try", metavar="KEY=VALUE",
                                       help="A change of your own, judged the same way at the end (repeatable)."),
        as_json: bool = typer.Option(False, "--json", help="Print one JSON object; no progress bars."),
        report: bool = typer.Option(False, "--report/--no-report", help="Write report.html in the final run directory."),
        judge_on: str = typer.Option("seeds", "--judge-on", metavar="seeds|folds|auto",
                                     help="Judge changes on seeds (your split), on 5 folds of the train+val rows "
                                          "(same test rows), or auto: folds when your validation split has under "
                                          "100 rows."),
        second_look: bool = typer.Option(False, "--second-look/--no-second-look",
                                         help="Judge a promising change again on as many new seeds "
                                              "(more power, about 30% more retrains)."),
    ) -> None:
        from fitdoctor.config import load_config
        from fitdoctor.doctor import check_also_try, check_options
        from fitdoctor.doctor import doctor as run_doctor

        check_options(max_rounds=max_rounds, budget_minutes=budget_minutes, judge_on=judge_on,
                      min_effect=min_effect)
        cfg = load_config(config)
        changes = _parse_try(try_)
        check_also_try(changes)
        out_dir = Path(out) if out else Path("fitdoctor-runs") / f"{Path(config).stem}-doctor"
        progress = None
        console = None
        if not as_json:
            from fitdoctor.report.doctor_view import DoctorBar
            from fitdoctor.report.terminal import output_console

            console = output_console()
            progress = DoctorBar(output_console(stderr=True))
        if progress is not None:
            from fitdoctor.data import load_dataset
            from fitdoctor.train.metrics import class_prior
            from fitdoctor.train.protocol import selection_metric

            ds = load_dataset(cfg.data)
            progress.metric = selection_metric(ds.task, class_prior(ds.y, ds.n_classes) if ds.task != "regression" else None)
            console.print(f"doctor: {config}; selection on validation {progress.metric} "
                          f"({_units_line(cfg, ds, seeds, judge_on)}); "
                          "the test split waits for the end", style="dim", highlight=False)
        else:
            ds = None
        res = run_doctor(cfg, out=out_dir, max_rounds=max_rounds, budget_minutes=budget_minutes, seeds=seeds,
                         min_effect=min_effect, workers=workers, also_try=changes or None, progress=progress,
                         dataset=ds, report=report, judge_on=judge_on, second_look=second_look)
        if as_json:
            sys.stdout.write(json.dumps(res.to_dict(), indent=2) + "\n")
            return
        from fitdoctor.report.doctor_view import print_doctor

        print_doctor(res, console)
        console.print(f"files: {out_dir}/ (doctor.json, prescription.yaml, config.yaml, final/)", highlight=False)


def _units_line(cfg, ds, seeds: int, judge_on: str) -> str:
    """What each candidate is judged on, for the header: the config's folds, seeds, or folds
    of the train+val rows when the validation split is too small (doctor's ``judge_on``)."""
    from fitdoctor.doctor import JUDGE_FOLDS, judging

    if cfg.data.split.method == "kfold":
        return "the folds"
    if judge_on in ("auto", "folds") and judging(cfg, ds, judge_on, [])(cfg).data.split.method == "kfold":
        return f"{JUDGE_FOLDS} folds of the train+val rows"
    return f"{seeds} seeds"
