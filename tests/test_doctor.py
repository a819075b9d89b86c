"""doctor: remedies tried on paired seeds, accepted only beyond noise, test touched once at the end."""

from __future__ import annotations

import json
import math
from types import SimpleNamespace

import numpy as np
import pytest

from fitdoctor.errors import BadInput

pytest.importorskip("torch", reason="doctor retrains with the built-in trainer (torch)")

from fitdoctor.data.dataset import Dataset  # noqa: E402
from fitdoctor.doctor import DoctorResult, DoctorRound, DoctorTrial, decide, doctor  # noqa: E402
from fitdoctor.train.protocol import Selection  # noqa: E402


def _binary(n=240, seed=0, scale=1.0, shift=0.0, d=4):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d)).astype(np.float32)
    y = (X[:, 0] + 0.5 * X[:, 1] + 0.3 * rng.normal(size=n) > 0).astype(np.int64)
    X = (X * scale + shift).astype(np.float32)
    return Dataset(X=X, y=y, feature_names=[f"f{i}" for i in range(d)], task="binary", n_classes=2,
                   class_names=[0, 1], source="gen")


def _cfg(**train):
    return {"data": {"source": "gen", "scale": "standard", "split": {"val": 0.25, "test": 0.2, "seed": 1}},
            "model": {"hidden": [8], "dropout_rate": 0.0},
            "train": {"epochs": 6, "lr": 0.01, "batch_size": 32, **train}}


def test_unscaled_inputs_are_repaired_and_a_useless_change_is_rejected_with_its_numbers(tmp_path):
    """The demo's story on a tiny table: raw inputs in the thousands, scaling accepted beyond noise."""
    ds = _binary(scale=[3000.0, 0.01, 50.0, 1.0], shift=[1e4, 0.0, -300.0, 5.0])
    cfg = _cfg(lr=0.01, epochs=8)
    cfg["data"]["scale"] = "none"
    res = doctor(cfg, seeds=5, dataset=ds, max_rounds=2, workers=1, out=tmp_path / "dr",
                 also_try=[{"data.scale": "standard"}, {"train.batch_size": "x2"}])
    assert isinstance(res, DoctorResult) and all(isinstance(r, DoctorRound) for r in res.rounds)
    assert res.metric == "accuracy" and res.unit == "seed" and res.units == 5
    assert res.changes.get("data.scale") == "standard"
    scaling = next(t for t in res.accepted if "data.scale" in t.changes)
    assert isinstance(scaling, DoctorTrial) and scaling.p < 0.05 and scaling.diff > 0.005
    assert res.final["mean"] > res.first["mean"]
    mine = res.rounds[-1].trials[-1]
    assert mine.finding == "your change" and mine.label == "train.batch_size 32 -> 64"
    if mine.status == "rejected":
        assert mine.reason.startswith("val accuracy ") and "over 5 seeds, p=" in mine.reason
    # a change of yours that the config already has is answered, not left out
    back = res.rounds[-1].trials[0]
    assert back.status == "skipped" and back.reason == "already in the config"
    import io
    from rich.console import Console
    from fitdoctor.report.doctor_view import rounds_lines, rounds_table
    for width, view in ((80, rounds_lines), (160, rounds_table)):
        term = Console(width=width, record=True, file=io.StringIO())
        for part in (view(res) if width == 80 else [view(res)]):
            term.print(part)
        assert "skipped: already in the config" in " ".join(term.export_text().split())
    # the test split, once each at the end, beside the baselines
    assert set(res.test) >= {"first", "final", "baselines"} and "logistic" in res.test["baselines"]
    assert res.test["final"]["accuracy"] > res.test["first"]["accuracy"]
    # the trail on disk and as JSON
    trail = json.loads((tmp_path / "dr" / "doctor.json").read_text())
    assert trail["metric"] == "accuracy" and trail["rounds"][0]["trials"]
    assert (tmp_path / "dr" / "prescription.yaml").read_text().count("scale: standard") == 1
    assert (tmp_path / "dr" / "final" / "config.yaml").is_file()
    json.dumps(res.to_dict())
    assert "data.scale" in repr(res)


def test_rounds_print_as_a_table_with_the_prescription_and_the_verdict():
    from rich.console import Console

    from fitdoctor.report.doctor_view import print_doctor

    ds = _binary(scale=[3000.0, 0.01, 50.0, 1.0], shift=[1e4, 0.0, -300.0, 5.0])
    cfg = _cfg(epochs=6)
    cfg["data"]["scale"] = "none"
    res = doctor(cfg, seeds=3, dataset=ds, max_rounds=1, workers=1, final=False)
    con = Console(record=True, width=150)
    print_doctor(res, con)
    text = con.export_text()
    assert "validation accuracy" in text and "data.scale none -> standard" in text and "accepted" in text
    assert "the prescription" in text and "verdict" in text
    assert "┃ change tried" in text
    # at 80 columns the rounds are lines (a change per line, wrapped under itself), not a table
    # whose seven columns would fold every cell; nothing but the copyable YAML runs past 80
    narrow = Console(record=True, width=80)
    print_doctor(res, narrow)
    lines = narrow.export_text().splitlines()
    assert any(line.startswith("round 1  ") and "  current config: val acc " in line for line in lines)
    assert any(line.startswith("  - data.scale none -> standard: ") for line in lines)
    yaml_lines = set(res.prescription.splitlines())
    assert all(len(line) <= 80 for line in lines if line not in yaml_lines)


def test_select_never_sees_the_test_rows():
    """Poison every test row: doctor's selection rounds still train and score (final step off)."""
    from fitdoctor.data import make_splits

    ds = _binary()
    cfg = _cfg()
    ds.X[make_splits(ds, cfg["data"]["split"])[0].test] = np.nan
    res = doctor(cfg, seeds=2, dataset=ds, max_rounds=1, workers=1, final=False)
    assert res.test is None and all(math.isfinite(s) for s in res.first["scores"])


def test_a_retrain_that_fails_is_a_rejected_remedy_with_its_reason_never_a_crash():
    # early stopping on R^2 is valid config, but a binary run logs no val_r2: the trainer stops
    ds = _binary(n=103)
    cfg = _cfg(batch_size=16, epochs=2)
    res = doctor(cfg, seeds=2, dataset=ds, max_rounds=1, workers=1, final=False,
                 also_try=[{"train.early_stopping.monitor": "val_r2"}])
    t = res.rounds[-1].trials[-1]
    assert t.status == "failed" and "retrain failed" in t.reason and "'val_r2'" in t.reason
    assert "val_accuracy" in t.reason  # it names what the run does log
    assert res.final_config.train.early_stopping.monitor == "val_loss"


def test_a_remedy_the_trainer_cannot_run_is_refused_before_training():
    ds = _binary(n=120)
    res = doctor(_cfg(batch_size=1, epochs=1), seeds=2, dataset=ds, max_rounds=1, workers=1, final=False,
                 also_try=[{"model.batch_norm": True}])
    bn = res.rounds[-1].trials[-1]
    assert bn.status == "refused" and "more than one row per batch" in bn.reason and bn.fits == 0
    # a change to the test split, or a key no config has, is refused before any training
    for change, needle in (({"data.split.test": 0.5}, "test split is never touched"),
                           ({"model.hiden": "x2"}, "did you mean 'model.hidden'")):
        with pytest.raises(BadInput, match=needle):
            doctor(_cfg(batch_size=1, epochs=1), seeds=2, dataset=ds, max_rounds=1, workers=1, final=False,
                   also_try=[change])


def test_regression_selects_on_r2_and_kfold_on_its_folds():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 3)).astype(np.float32)
    y = (2 * X[:, 0] - X[:, 1] + 0.1 * rng.normal(size=200)).astype(np.float32)
    ds = Dataset(X=X, y=y, feature_names=["a", "b", "c"], task="regression", n_classes=None, class_names=None,
                 source="gen")
    cfg = {"data": {"source": "gen", "split": {"method": "kfold", "k": 5, "test": 0.2, "seed": 7}},
           "model": {"hidden": [8]}, "train": {"epochs": 4, "lr": 0.01}}
    res = doctor(cfg, dataset=ds, max_rounds=1, workers=1)
    assert res.metric == "r2" and res.unit == "fold" and res.units == 5
    assert res.final_config.data.split == res.config.data.split  # the folds and the test rows stay
    assert "r2" in res.test["final"]


def test_multiclass_from_a_bundled_dataset():
    cfg = {"data": {"source": "sklearn:iris", "split": {"val": 0.3, "test": 0.2}},
           "model": {"hidden": [8]}, "train": {"epochs": 3, "lr": 0.01, "batch_size": 16}}
    res = doctor(cfg, seeds=2, max_rounds=1, workers=1, final=False)
    assert res.task == "multiclass" and res.metric == "accuracy" and len(res.first["scores"]) == 2


def test_imbalance_is_judged_on_balanced_accuracy():
    rng = np.random.default_rng(3)
    n = 400
    X = rng.normal(size=(n, 4)).astype(np.float32)
    y = (X[:, 0] + 0.8 * rng.normal(size=n) > 1.9).astype(np.int64)  # about 5% positives
    ds = Dataset(X=X, y=y, feature_names=list("abcd"), task="binary", n_classes=2, class_names=[0, 1], source="gen")
    res = doctor(_cfg(epochs=4), seeds=2, dataset=ds, max_rounds=1, workers=1, final=False)
    assert res.metric == "balanced_accuracy"
    tried = [t for t in res.trials if t.tried]
    assert tried and all(t.reason.startswith("val balanced_accuracy ") for t in tried if t.status != "failed")
    assert any(t.changes.get("train.class_weight") == "balanced" or t.changes.get("train.resample") for t in tried)


def test_parallel_retrains_give_the_same_scores_as_one_process():
    ds = _binary(n=160)
    one = doctor(_cfg(epochs=2), seeds=2, dataset=ds, max_rounds=1, workers=1, final=False)
    two = doctor(_cfg(epochs=2), seeds=2, dataset=ds, max_rounds=1, workers=2, final=False)
    assert one.first["scores"] == two.first["scores"]


def test_a_no_op_remedy_is_accepted_at_most_alpha_of_the_time():
    """A/A: two draws of the same noise, paired over 5 units, 4000 times: the rule accepts <= 5%."""
    rng = np.random.default_rng(0)
    accepted = 0
    trials = 4000
    for _ in range(trials):
        unit = rng.normal(0.8, 0.02, size=5)  # what each seed is worth, shared by both arms
        a = Selection(None, "accuracy", "seed", list(unit + rng.normal(0, 0.01, 5)), [])
        b = Selection(None, "accuracy", "seed", list(unit + rng.normal(0, 0.01, 5)), [])
        accepted += decide(a, b, min_effect=0.005)["better"]
    assert accepted / trials <= 0.05
    # and a real gain of 3 points on the same noise is found nearly always
    unit = np.full(5, 0.8)
    a = Selection(None, "accuracy", "seed", list(unit + [0.01, -0.01, 0.0, 0.005, -0.005]), [])
    b = Selection(None, "accuracy", "seed", list(unit + 0.03 + [0.0, 0.01, -0.01, 0.005, 0.0]), [])
    assert decide(a, b, min_effect=0.005)["better"]


def test_bad_input_is_one_line():
    from fitdoctor.errors import BadInput

    with pytest.raises(BadInput, match="at least 2 seeds"):
        doctor(_cfg(), seeds=1, dataset=_binary())
    with pytest.raises(BadInput, match="max-rounds"):
        doctor(_cfg(), max_rounds=0, dataset=_binary())


def test_cli_json_and_errors(tmp_path):
    import yaml
    from typer.testing import CliRunner

    from fitdoctor.cli import app

    cfg = {"data": {"source": "make_classification:n_samples=160,n_features=4,n_informative=2,seed=1"},
           "model": {"hidden": [4]}, "train": {"epochs": 2, "lr": 0.01}}
    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump(cfg))
    r = CliRunner().invoke(app, ["doctor", str(path), "--seeds", "2", "--max-rounds", "1", "--workers", "1",
                                 "--out", str(tmp_path / "o"), "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    assert out["metric"] == "accuracy" and out["units"] == 2 and "final_config" in out and out["test"]
    assert "(p < 0.05)" in out["test_name"]  # one look by default
    r = CliRunner().invoke(app, ["doctor", str(path), "--seeds", "2", "--max-rounds", "1", "--workers", "1",
                                 "--out", str(tmp_path / "o1"), "--json", "--second-look"])
    assert r.exit_code == 0, r.output
    assert "then 4 when p < 0.25" in json.loads(r.output)["test_name"]  # a promising change gets a second look
    r = CliRunner().invoke(app, ["doctor", str(path), "--seeds", "2", "--max-rounds", "1", "--workers", "1",
                                 "--out", str(tmp_path / "o2"), "--try", "model.hidden=x2"])
    assert r.exit_code == 0, r.output
    assert "model.hidden [4] -> [8]" in r.output and "verdict" in r.output and "test split" in r.output


def test_a_run_without_a_finite_score_counts_as_the_worst_not_as_a_missing_pair():
    """A diverged regressor scores NaN (or R^2 = -1e75): a candidate that trains must beat it."""
    diverged = Selection(None, "r2", "seed", [float("nan"), -1e75, float("nan")], [])
    trains = Selection(None, "r2", "seed", [0.30, 0.35, 0.32], [])
    d = decide(diverged, trains, min_effect=0.005)
    assert d["better"] and d["n"] == 3 and d["mean_diff"] == pytest.approx(1.0 + 0.3233, abs=1e-3)
    assert not decide(trains, diverged)["better"]


def test_an_lr_step_that_changed_nothing_is_taken_one_step_further():
    from fitdoctor.doctor.loop import _further

    flat = DoctorTrial(1, "diverging", "lower", {"train.lr": "x0.1"}, {"train.lr": 0.3}, "rejected", "", diff=0.0)
    assert _further({"train.lr": "x0.1"}, flat, 0.005) == {"train.lr": "x0.01"}
    assert _further({"train.lr": "x10"}, flat, 0.005) == {"train.lr": "x100"}
    worse = DoctorTrial(1, "diverging", "lower", {"train.lr": "x0.1"}, {"train.lr": 0.3}, "rejected", "",
                        diff=-0.2, p=0.999)
    assert _further({"train.lr": "x0.1"}, worse, 0.005) is None  # clearly worse: not further that way
    noisy = DoctorTrial(1, "overfitting", "l2", {}, {}, "rejected", "", diff=-0.006, p=0.81)
    assert _further({"train.lr": "x0.1"}, noisy, 0.005) == {"train.lr": "x0.01"}  # worse only within noise
    assert _further({"train.batch_size": "x4"}, flat, 0.005) == {"train.batch_size": "x16"}  # batch 1 -> 4 -> 16
    assert _further({"model.hidden": "x2"}, flat, 0.005) is None  # the width is a design choice, not a scale
    # an L2 of 0 went to the 1e-4 floor and changed nothing: next 1e-3; dropout 0.2 more, then 0.4 more
    assert _further({"model.l2": "x10>=1e-4"}, flat, 0.005) == {"model.l2": "x100>=0.001"}
    assert _further({"model.dropout_rate": "+0.2<=0.5"}, flat, 0.005) == {"model.dropout_rate": "+0.4<=0.5"}
    assert _further({"train.batch_size": "x0.5>=8"}, flat, 0.005) == {"train.batch_size": "x0.25>=8"}  # a floor


def test_two_looks_keep_the_no_op_acceptance_rate_and_find_more_real_gains():
    """A/A through ``judge``: a promising first look on 5 seeds earns 5 more, yet a no-op is still
    accepted at most 5% of the time, while a real gain of one noise scale is found more often
    than with one look at 0.05."""
    from fitdoctor.doctor import judge
    from fitdoctor.stats import two_look_level

    assert 0.025 < two_look_level(0.05, 5, 10) < 0.035
    rng = np.random.default_rng(1)

    def arm(unit, shift):
        return Selection(None, "accuracy", "seed", list(unit + shift + rng.normal(0, 0.01, unit.size)), [])

    def rates(gain: float, trials: int = 1500) -> tuple[float, float, float]:
        one = two = widened = 0
        for _ in range(trials):
            unit = rng.normal(0.8, 0.02, size=10)
            a, b = arm(unit, 0.0), arm(unit, gain)
            first_a = Selection(None, "accuracy", "seed", a.scores[:5], [])
            first_b = Selection(None, "accuracy", "seed", b.scores[:5], [])
            one += decide(first_a, first_b, min_effect=0.005)["better"]
            d = judge(first_a, first_b, lambda which: a if which == "before" else b, min_effect=0.005)
            two += d["better"]
            widened += d["looks"] == 2
        return one / trials, two / trials, widened / trials

    _, aa, _ = rates(0.0)
    assert aa <= 0.05
    one, two, widened = rates(0.012)
    assert two > one + 0.05 and widened > 0.1
    # no widen callable (folds are fixed): one look at alpha, as decide
    first = Selection(None, "accuracy", "seed", [0.80, 0.81, 0.79, 0.80, 0.82], [])
    after = Selection(None, "accuracy", "seed", [0.82, 0.83, 0.80, 0.83, 0.83], [])
    assert judge(first, after, None, min_effect=0.005)["looks"] == 1


def test_the_time_budget_stops_before_the_next_candidate():
    ds = _binary(n=160)
    cfg = _cfg(epochs=2)
    cfg["data"]["scale"] = "none"
    res = doctor(cfg, seeds=2, dataset=ds, max_rounds=3, workers=1, final=False, budget_minutes=1e-6)
    assert res.stopped == "budget" and "time budget" in res.stop_reason
    assert not any(t.tried for t in res.trials)


def _trial(code, status, label="train.epochs 30 -> 90"):
    return DoctorTrial(round=2, finding=code, action="", proposed={}, changes={}, status=status,
                       reason="val accuracy +0.001 +- 0.004 over 5 seeds, p=0.41, rejected", label=label)


def test_more_epochs_that_did_not_help_refute_still_improving_but_never_overfitting():
    """A prediction ("more epochs would help") tested and rejected on the current config is a
    note, not a verdict; an observation (overfitting) stands whatever its remedies did."""
    from fitdoctor.doctor.evidence import _refuted
    from fitdoctor.findings import Finding

    found = [Finding("still_improving", "warning", "val_loss still falling"),
             Finding("overfitting", "warning", "val rises")]
    rnd = DoctorRound(2, "still_improving", "", ["still_improving", "overfitting"], None,
                      trials=[_trial("still_improving", "rejected"), _trial("still_improving", "rejected", "lr x3"),
                              _trial("overfitting", "rejected", "dropout 0.2")])
    out = _refuted(rnd, found)
    assert list(out) == ["still_improving"] and "train.epochs 30 -> 90: val accuracy +0.001" in out["still_improving"]
    # a retrain that failed, or a remedy refused before training, tests nothing
    rnd.trials[1] = _trial("still_improving", "failed")
    assert _refuted(rnd, found) == {}
    rnd.trials[1] = _trial("still_improving", "refused")
    assert _refuted(rnd, found) == {}


def test_a_small_validation_split_is_judged_on_folds_of_train_and_val_with_the_test_rows_untouched():
    """30 validation rows cannot tell changes apart: doctor judges on 5 folds of the train+val
    rows, says so, keeps the user's holdout split in the prescription and scores the same test
    rows at the end; judge_on='seeds' keeps the seeds."""
    from fitdoctor.data import make_splits
    from fitdoctor.errors import BadInput

    ds = _binary(n=150)
    cfg = _cfg(epochs=3)
    res = doctor(cfg, seeds=2, dataset=ds, max_rounds=1, workers=1, final=False, judge_on="auto")
    assert res.unit == "fold" and res.units == 5
    assert any(n.startswith("judged on 5 folds of the ") and "validation split has" in n for n in res.notes)
    assert res.final_config.data.split.method == "holdout"
    holdout_test = make_splits(ds, res.final_config.data.split)[0].test
    folds = make_splits(ds, {**cfg["data"]["split"], "method": "kfold", "k": 5})
    assert all(set(f.test) == set(holdout_test) for f in folds)
    assert not any(set(f.val) & set(holdout_test) for f in folds)
    seeds = doctor(cfg, seeds=2, dataset=ds, max_rounds=1, workers=1, final=False)  # the default
    assert seeds.unit == "seed" and seeds.units == 2
    with pytest.raises(BadInput, match="judge-on 'fold': expected auto, seeds or folds"):
        doctor(cfg, seeds=2, dataset=ds, judge_on="fold")


def test_a_change_judged_twice_says_so_in_its_row_and_in_the_verdict():
    """The row of a change accepted at the second look names the 10 seeds it was judged on,
    and the verdict does not call a 5-seed and a 10-seed mean the same 5 seeds."""
    from types import SimpleNamespace

    from fitdoctor.doctor.result import _over
    from fitdoctor.report.doctor_view import _second_look

    tr = DoctorTrial(1, "overfitting", "es", {}, {}, "accepted", "", after={"mean": 0.76, "n": 10}, looks=2)
    assert _second_look(tr, "seed") == " (second look, 10 seeds)"
    assert _second_look(tr, "seed", short=True) == " (10 seeds)"
    assert _second_look(DoctorTrial(1, "x", "a", {}, {}, "accepted", ""), "seed") == ""
    res = SimpleNamespace(first={"n": 5}, final={"n": 10}, unit="seed", units=5)
    assert _over(res) == "(5 seeds -> 10 seeds)"
    res.final = {"n": 5}
    assert _over(res) == "over 5 seeds"


def test_the_second_look_retrains_both_configs_on_new_seeds_and_keeps_the_wider_scores(monkeypatch):
    """The plumbing of a second look inside doctor: a first look that is promising (stubbed
    here: p=0.1) retrains the current config and the change on as many new seeds, the verdict
    is taken on all of them, and the accepted config carries the wider scores into the next
    round. (The rule itself is tested on simulated scores above.)"""
    import fitdoctor.doctor.significance as dm  # where judge() looks decide up

    real = dm.decide

    def staged(before, after, *, alpha=0.05, min_effect=0.0):
        d = real(before, after, alpha=alpha, min_effect=min_effect)
        first = d["n"] <= 2
        d.update(p=0.1 if first else 0.001, mean_diff=0.05, better=not first)
        return d

    monkeypatch.setattr(dm, "decide", staged)
    ds = _binary(n=160)
    res = doctor(_cfg(epochs=2), seeds=2, dataset=ds, max_rounds=1, workers=1, final=False,
                 also_try=[{"train.batch_size": "x2"}], second_look=True)
    tried = [t for t in res.trials if t.tried]
    assert tried and all(t.looks == 2 for t in tried) and tried[0].after["n"] == 4
    assert "(second look; the first 2 seeds gave p=0.1)" in tried[0].reason
    assert res.final["n"] == 4 and len(res.final["scores"]) == 4
    assert res.fits >= 2 + 2 + 2 + 2  # as given, the change, then 2 more seeds for each


def test_no_remedy_beat_the_noise_says_how_large_a_gain_the_noise_could_hide():
    """A rejected change means little until the user knows what the judge could see: the
    smallest gain the paired test accepts 80% of the time, from the rejected changes' spread,
    and a finer judge when that gain is large against the minimum effect."""
    from scipy import stats as st

    from fitdoctor.doctor.loop import _hidden_gain
    from fitdoctor.doctor.significance import detectable_gain

    want = (st.t.ppf(0.95, 4) + st.t.ppf(0.8, 4)) * 0.02
    assert detectable_gain([0.03, 0.01, 0.02], 5) == pytest.approx(want)
    assert detectable_gain([0.0001], 5, min_effect=0.01) == 0.01  # never below the minimum effect
    assert detectable_gain([float("nan")], 5) is None and detectable_gain([0.02], 1) is None

    noisy = [_trial("overfitting", "rejected", "dropout 0.2"), _trial("overfitting", "rejected", "l2")]
    for t in noisy:
        t.se, t.after = 0.04, {"n": 5}
    text = _hidden_gain(noisy, "accuracy", "seed", 0.05, 0.005, "seeds", kfold=False)
    assert f"a gain of {(st.t.ppf(0.95, 4) + st.t.ppf(0.8, 4)) * 0.04:.3f} in val accuracy" in text
    assert text.endswith("judge finer with --judge-on folds or --seeds 10")
    # already on folds: more seeds would not help, and a judge as fine as the minimum effect needs no advice
    assert "judge finer" not in _hidden_gain(noisy, "accuracy", "fold", 0.05, 0.005, "seeds", kfold=True)
    for t in noisy:
        t.se = 0.001
    assert "judge finer" not in _hidden_gain(noisy, "accuracy", "seed", 0.05, 0.005, "seeds", kfold=False)
    assert _hidden_gain([_trial("overfitting", "failed")], "accuracy", "seed", 0.05, 0.005, "seeds", False) is None


def test_a_finding_still_standing_says_its_remedies_did_not_raise_the_score():
    """Overfitting in the loss that no remedy turns into a better val accuracy stays in the
    verdict, and the verdict says what its remedies did to the score doctor judges on."""
    from fitdoctor.doctor.result import _what_it_took

    tried = [_trial("overfitting", "rejected", "dropout 0.2"), _trial("overfitting", "rejected", "l2")]
    tried[0].diff, tried[0].se = -0.020, 0.002
    tried[1].diff, tried[1].se = 0.004, 0.010
    rnd = DoctorRound(2, "overfitting", "", ["overfitting"], None, trials=tried)
    res = SimpleNamespace(rounds=[rnd], metric="accuracy")
    assert _what_it_took(res, "overfitting") == (
        " (none of its 2 remedies raised val accuracy beyond the noise; the best +0.004 ± 0.010)")
    assert _what_it_took(res, "oscillating") == ""        # no remedy of it was tried
    rnd.trials.append(_trial("overfitting", "failed"))     # a failed retrain tested nothing
    assert _what_it_took(res, "overfitting") == ""
    rnd.trials[-1] = _trial("overfitting", "accepted")     # the round changed the config
    assert _what_it_took(res, "overfitting") == ""


def test_overfitting_left_in_the_val_loss_alone_says_so_with_its_numbers():
    """A config left `overfitting` whose val accuracy at the last epoch is no worse than at the
    lowest val loss: the note says the rise is over-confidence, which no change judged on
    accuracy can win, and what to do if probabilities matter. Not when accuracy fell after the
    loss's best (the finding then costs the score), nor when most retrains do not show it."""
    from fitdoctor.diagnose import as_history
    from fitdoctor.doctor.evidence import loss_only_overfitting

    val_loss = [0.40, 0.31, 0.30, 0.36, 0.45, 0.55, 0.62]

    def sel(val_acc, codes=("overfitting",) * 3):
        runs = [SimpleNamespace(history=as_history({"loss": list(np.geomspace(0.5, 0.02, 7)), "val_loss": val_loss,
                                                    "val_accuracy": val_acc})) for _ in codes]
        diags = [SimpleNamespace(findings=[SimpleNamespace(code=c, severity="warning")]) for c in codes]
        return Selection(config=None, metric="accuracy", unit="seed", scores=[val_acc[-1]] * len(codes),
                         all_scores=[], runs=runs, diagnoses=diags)

    note = loss_only_overfitting(sel([0.80, 0.86, 0.88, 0.89, 0.90, 0.90, 0.90]))
    assert note.startswith("overfitting is in the val loss only: over the 3 retrains that show it, "
                           "val accuracy at the last epoch is 0.900 against 0.880 at the lowest val loss (epoch 2)")
    assert "val loss rose 0.3 -> 0.62" in note and "(val accuracy -0.020)" in note
    assert loss_only_overfitting(sel([0.80, 0.86, 0.88, 0.86, 0.84, 0.83, 0.82])) is None
    assert loss_only_overfitting(sel([0.80, 0.86, 0.88, 0.89, 0.90, 0.90, 0.90],
                                     codes=("overfitting", "healthy", "healthy"))) is None


def test_no_worse_is_a_one_sided_test_against_the_margin():
    from fitdoctor.doctor.significance import no_worse

    assert no_worse({"n": 5, "se": 0.004, "mean_diff": 0.001}, 0.01) < 0.05      # well inside the margin
    assert no_worse({"n": 5, "se": 0.004, "mean_diff": -0.012}, 0.01) > 0.5      # lost more than it allows
    assert no_worse({"n": 5, "se": 0.03, "mean_diff": 0.02}, 0.01) > 0.05        # too noisy to say
    assert no_worse({"n": 5, "se": 0.0, "mean_diff": 0.0}, 0.01) == 0.0          # identical scores
    assert no_worse({"n": 1, "se": 0.0, "mean_diff": 0.0}, 0.01) == 1.0          # one unit says nothing


def test_a_cure_must_leave_nothing_new_that_ranks_above_what_it_cured():
    from fitdoctor.doctor.loop import _cures
    from fitdoctor.findings import Finding

    def found(*codes):
        return [(Finding(c, "warning", ""), None) for c in codes]

    before = found("overfitting")
    assert _cures("overfitting", before, [])
    assert _cures("overfitting", before, found("still_improving"))
    assert not _cures("overfitting", before, found("overfitting"))
    assert not _cures("overfitting", before, found("val_not_improving"))  # new, and worse
    # one the config had already (an ID-like column in its data) is no reason to refuse it
    assert _cures("overfitting", found("id_like_feature", "overfitting"), found("id_like_feature"))


def test_overfitting_no_remedy_beats_the_noise_on_is_cured_at_no_cost():
    """A classifier whose val loss climbs for 25 epochs while val accuracy holds: no remedy can
    beat the noise on accuracy, so the label smoothing that ends the climb is accepted because it
    costs nothing (a non-inferiority test), and the trail says so; early stopping, which does
    cost accuracy here, stays rejected."""
    from fitdoctor.data import load_dataset

    raw = {"data": {"source": "make_classification:n_samples=800,n_features=10,n_informative=5,seed=4",
                    "scale": "standard", "split": {"method": "holdout", "val": 0.2, "test": 0.25, "seed": 0}},
           "model": {"hidden": [32], "dropout_rate": 0.0},
           "train": {"optimizer": "adam", "lr": 3e-3, "batch_size": 32, "epochs": 30, "early_stopping": False}}
    from fitdoctor.config import load_config

    cfg = load_config(raw)
    res = doctor(cfg, dataset=load_dataset(cfg.data), seeds=5, max_rounds=1, workers=1, final=False)
    assert res.rounds[0].finding == "overfitting"
    by_key = {next(iter(t.changes), ""): t for t in res.trials}
    smooth = by_key["train.label_smoothing"]
    assert smooth.status == "accepted" and "accepted as a cure" in smooth.reason and smooth.p > 0.05
    assert "no worse than -0.01" in smooth.reason
    assert by_key["train.early_stopping.restore_best"].status == "rejected"
    assert res.final_config.train.label_smoothing == pytest.approx(0.1)
    assert smooth.outcome == "accepted as a cure" and smooth.to_dict()["cure"] and smooth.p_no_worse < 0.05
    from rich.console import Console

    from fitdoctor.report.doctor_view import print_doctor

    for width in (80, 160):  # the narrow lines and the wide table both say it
        con = Console(width=width, record=True, color_system=None)
        print_doctor(res, con)
        text = con.export_text()
        assert "accepted as a cure" in text and "no worse than -0.01" in text
    assert "train.label_smoothing 0 -> 0.1 as a cure" in res.verdict


def test_a_network_a_hair_ahead_of_its_baseline_is_said_to_tie_not_to_beat_it():
    """The demo's prescribed network scored 0.903 on validation over 5 seeds (spread 0.008)
    against logistic regression's 0.900, and the verdict said "the network beats logistic
    regression". A lead of 0.003 is within noise and is said so; a lead far beyond it still
    reads "beats"."""
    from types import SimpleNamespace

    from fitdoctor.doctor.evidence import _baseline_verdict

    def sel(scores):
        return SimpleNamespace(scores=scores, mean=sum(scores) / len(scores), higher_is_better=True)

    base = {"logistic": [0.900] * 5}
    tie = _baseline_verdict(sel([0.895, 0.912, 0.899, 0.906, 0.903]), base, [], "accuracy")
    assert "within noise" in tie["text"] and "beats" not in tie["text"]
    win = _baseline_verdict(sel([0.951, 0.948, 0.955, 0.950, 0.953]), base, [], "accuracy")
    assert win["text"].startswith("the network beats logistic regression")
