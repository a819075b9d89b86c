"""Runs being assembled while a log is read, and what they become: RunHistory objects."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from fitdoctor.history import PROGRESS_KEYS, RunHistory, canonical_name, keep_curves


@dataclass
class Run:
    """Records of one run being assembled: x -> {raw name: value}, in order."""

    axis: str = "epoch"
    dialect: str = ""
    start_line: int = 0
    records: dict[float, dict[str, float]] = field(default_factory=dict)
    last_x: float | None = None
    last_header: int | None = None
    header_total: int | None = None
    open_header: int | None = None  # a Keras epoch whose finished bar has not been seen yet
    #: the counter is a bare "[37000/70000]" with no word saying what it counts
    bare_counter: bool = False
    notes: list[str] = field(default_factory=list)
    #: "[epoch, batch]" lines (PyTorch's CIFAR-10 tutorial): the last batch index seen in the
    #: first epoch, which turns (epoch, batch) into a global step
    batches_per_epoch: int = 0
    #: "iteration:1 step:3900/23196" lines: (pass, batch, batches in a pass) of the last one, which
    #: tells a log that ends inside its first pass over the data
    pass_progress: tuple[float, int, int] | None = None
    #: filled by the fast path instead of ``records``: raw name -> (steps, values)
    columns: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)
    #: a tqdm bar counting epochs: the n of its last update with metrics, and whether its
    #: postfix is set before the update (shown first at n=0: then the bar at n shows epoch n+1)
    bar_n: int | None = None
    bar_postfix_first: bool = False
    #: (x, raw name) -> (sum, count) of the batch values printed at one epoch (see ``put_mean``)
    batch_sums: dict[tuple[float, str], tuple[float, int]] = field(default_factory=dict)
    #: a meter log's training lines: epoch -> the last batch index printed in it
    meter_batches: dict[float, int] = field(default_factory=dict)
    #: the last unpositioned record was built from lines of one metric each (see
    #: ``generic.one_metric_lines``)
    one_metric_rows: bool = False
    #: the batches of a run's first epoch at their own points, while the run has no other epoch
    #: (see ``pointnet.handle_metric``): a run stopped inside that epoch is read on them
    first_epoch_points: dict[float, dict[str, float]] = field(default_factory=dict)
    #: what those points count: a place in the epoch, or the line's own step counter
    first_epoch_axis: str = "epoch"

    @property
    def n_records(self) -> int:
        if self.columns:
            return max(len(v[0]) for v in self.columns.values())
        return len(self.records)

    def put(self, x: float, pairs: dict[str, float]) -> None:
        rec = self.records.setdefault(x, {})
        rec.update(pairs)
        self.last_x = x

    def put_mean(self, x: float, pairs: dict[str, float]) -> None:
        """Batch lines that carry only their epoch ("epoch 1, step 10, loss_train, 0.838"): the
        epoch's value is the mean of its lines, as an epoch-averaged train loss is, not the
        last batch's."""
        rec = self.records.setdefault(x, {})
        for key, value in pairs.items():
            total, count = self.batch_sums.get((x, key), (0.0, 0))
            self.batch_sums[(x, key)] = (total + value, count + 1)
            rec[key] = (total + value) / (count + 1)
        self.last_x = x


@dataclass
class State:
    """Everything read so far: the runs in order, and what was skipped on the way."""

    runs: list[Run] = field(default_factory=list)
    seq: int = 0  # row counter for lines with metrics but no epoch/step
    unnamed_val_note: bool = False  # said once that unpositioned lines were read as validation
    announced_eval_note: bool = False  # said once that metric lines under an announced evaluation were read as validation
    bare_split_note: bool = False  # said once that bare "train: .. | val: .." numbers were read as losses
    skipped_summary: bool = False
    ignored_callbacks: int = 0
    #: the log holds a tqdm bar over the epochs (see ``tqdm.has_epoch_bars``)
    epoch_bars: bool = False
    #: the whole run counted on one tqdm bar over iterations (see ``tqdm.iteration_bar``)
    iteration_bar: bool = False
    #: the epoch a bare header line named ("Epoch 3:" alone): the metric lines under it that
    #: carry no epoch of their own are that epoch's
    header_epoch: float | None = None
    #: the line that header was on: it owns the lines under it up to the next header (see
    #: ``generic.header_epoch_for``)
    header_line: int = -1
    #: the lines of every header in the log, found before reading it (``generic.header_lines``)
    header_lines: list[int] = field(default_factory=list)
    #: the total that header named ("epoch: 3/100"): the length the run was planned for
    header_planned: int | None = None
    #: (line, point) of the last line that counted an epoch's batches and held no value
    #: ("[TRAIN] Epoch 000 | batch 0010/9565 (0.1%)"): the values printed under it are that
    #: point's (see ``generic.progress_point_for``)
    progress_point: tuple[int, float] | None = None
    #: the epoch of the last AverageMeter line ("Epoch: [3][120/5005] .. Loss 0.9 (1.1)"; see ``meters.py``)
    meter_epoch: float | None = None
    #: the number on the last "epoch: N" line alone (see ``generic._counting_epoch``)
    colon_epoch: int | None = None
    #: the last line that opened an epoch ("Epoch 2/25 (device=cuda)"), header or not
    epoch_line: int = -1
    #: the line of the last record put into a run
    record_line: int = -1
    #: the last line read that holds a digit (lines of words alone between a record and the
    #: line that continues it, "work" or "saving model ...", do not part them)
    numbered_line: int = -1
    #: the last line that announced an evaluation and held no number ("testing in eval mode..."):
    #: the metric line right under it, its keys naming no split, is that evaluation's
    eval_line: int = -1
    #: where the metric lines under such an announcement went (the epoch it closes): the lines
    #: of one metric each that follow ("top1_acc  0.8583", "top5_acc  0.9896") go there too
    announced_eval_x: float | None = None
    #: the split that announcement names ("Evaluating on TEST set ..."): val unless it says test
    announced_split: str = "val"
    #: the batch lines under that announcement so far ("Eval begin..." over "step 10/88 - loss:
    #: ..": PaddlePaddle's Model.fit): the evaluation's own, read when its block ends
    eval_rows: list[dict[str, float]] = field(default_factory=list)
    eval_block: bool = False
    eval_block_note: bool = False
    #: a step counter that restarts at each epoch ("  step 00020: loss=..." under each "Epoch
    #: N/M" line): the steps of the epochs before, added to it
    step_offset: float = 0.0
    restart_note: bool = False
    #: batch lines of an epoch 0 were read ("Epoch:[0/120],step:[10/197]"): the epoch counter
    #: starts at 0 (see handle_generic: epoch 1's batches must not land on top of them)
    epoch_zero_batches: bool = False
    #: the epoch number the last batch line printed ("Epoch 3/1000 Batch 100/9585"), and 1 once
    #: the epochs' summary lines were found counting one lower ("Epoch 2/1000, Loss: .."): the
    #: batch lines then move back an epoch, into the summaries' count (see handle_generic)
    batch_epoch: int | None = None
    batch_shift: int = 0
    #: fairseq's ``train_inner`` records were read: its epoch summaries repeat them (see fairseq.py)
    fairseq_inner: bool = False
    fairseq_run: Run | None = None
    #: said once that an epoch's train summary inside a step log was left out
    epoch_summary_note: bool = False
    #: how many such epoch summaries were left out (see ``parse._steps_sparser_than_epochs``)
    epoch_summaries_left_out: int = 0
    #: the planned epoch count of "Train: [ 1/5] Step 050/335 ..." lines: a "Valid: [ 1/5] ..."
    #: line with the same total is that epoch's evaluation ("Test: [10/242]" alone counts batches)
    split_bracket_total: int | None = None
    #: said once that rows breaking an evaluation down by class were left out
    per_class_note: bool = False
    #: the log's step lines count within each epoch or evaluation pass (their counter starts
    #: again at every one: "Train Step 0/50 .. [RESULT]: Train. Epoch: 0, summary_loss: .."),
    #: so the epochs' own summary lines are the curve and the step lines are left out
    progress_steps: bool = False
    #: ... chosen because the step lines held fewer points than the epoch summaries they displaced
    steps_sparser: bool = False
    progress_lines: int = 0
    #: PointNet's log: the epoch its last banner opened (its train groups are averaged by ``Run.put_mean``)
    pointnet_epoch: float | None = None
    #: that epoch was opened by a "**** EPOCH" banner (its "----k-----" lines number batch groups)
    pointnet_banner: bool = False
    #: the line after the one being read (a marker is told by what follows it)
    next_line: str = ""
    #: NER trainers' CoNLL evaluation blocks: the split the last "evaluate:" line named, and
    #: how many dev evaluations came so far (see ``conlleval.py``)
    conll_split: str | None = None
    conll_evals: int = 0
    #: where the block's scores go: the iteration it closes, or its count
    conll_x: float | None = None

    @property
    def run(self) -> Run:
        if not self.runs:
            self.runs.append(Run())
        return self.runs[-1]

    def run_for(self, line_no: int, dialect: str, axis: str, x: float | None = None) -> Run:
        """The run a record of ``dialect`` goes into: the current one, or a new one when the
        current holds another dialect's records or ``x`` goes back (the log starts again)."""
        run = self.run
        if run.records and (run.dialect != dialect or x is not None and run.last_x is not None and x < run.last_x):
            run = self.new_run(line_no)
        if not run.records:
            run.start_line = line_no
        run.dialect, run.axis = dialect, axis
        return run

    def new_run(self, line_no: int) -> Run:
        cur = self.runs[-1] if self.runs else None
        if cur is not None and not cur.records:
            cur.start_line = line_no
            cur.last_x = cur.last_header = cur.open_header = cur.bar_n = None
            cur.bar_postfix_first = False
            return cur
        run = Run(start_line=line_no)
        self.runs.append(run)
        self.seq = 0
        self.step_offset = 0.0
        return run


#: at least this many fits of one epoch in a row ("Epoch 1/1" each) are read as one loop's epochs
ONE_EPOCH_FITS_MIN = 3


def join_one_epoch_fits(runs: list[Run]) -> list[Run]:
    """The runs with each stretch of fits planned for one epoch ("Epoch 1/1", one record each,
    the same metrics) joined into one run whose epochs are those fits, in order.

    ``for i in range(n): model.fit(..., epochs=1); sample()`` is how a text generator or a GAN
    shows its samples between epochs: each fit prints "Epoch 1/1", so the log reads as n runs of
    one epoch each, none of them a curve. Three or more in a row are one training run."""
    def single(run: Run) -> bool:
        return run.header_total == 1 and run.open_header is None and len(run.records) == 1 and not run.columns

    out: list[Run] = []
    i = 0
    while i < len(runs):
        j = i
        while j < len(runs) and single(runs[j]) and \
                set(next(iter(runs[j].records.values()))) == set(next(iter(runs[i].records.values()))):
            j += 1
        if j - i < ONE_EPOCH_FITS_MIN:
            out.append(runs[i])
            i += 1
            continue
        first = runs[i]
        joined = Run(axis="epoch", dialect=first.dialect, start_line=first.start_line)
        for k, run in enumerate(runs[i:j], start=1):
            joined.put(float(k), dict(next(iter(run.records.values()))))
            joined.notes.extend(n for n in run.notes if n not in joined.notes)
        joined.notes.append(f"{j - i} fits of one epoch each ('Epoch 1/1', from line {first.start_line}) are read "
                            "as the epochs of one run: a loop calling fit(epochs=1)")
        out.append(joined)
        i = j
    return out


def to_history(run: Run, *, source: str, fmt: str) -> RunHistory:
    h = RunHistory(meta={"source": source, "format": fmt, "dialect": run.dialect})
    if len(run.records) == 1 and len(run.first_epoch_points) >= 2:
        # stopped inside its first epoch: its one epoch mean is no curve, its batches are
        run.records = dict(run.first_epoch_points)
        run.axis = run.first_epoch_axis
        where = "on their own counter" if run.axis == "step" else "at their place in it"
        run.notes.append(f"the run stopped inside its first epoch: its batches' values are read {where}")
    if counts_steps(run):
        # "[1000/70000] .. [2000/70000]": a bare counter that moves by more than one between
        # records counts iterations, not epochs
        run.axis = "step"
    if run.header_total and run.last_header is not None:
        # Keras's "Epoch 12/50": the length the run was planned for, and how far it got
        done, planned = PROGRESS_KEYS["step" if run.axis == "step" else "epoch"]
        h.meta[planned] = run.header_total
        h.meta[done] = run.last_header - (run.open_header is not None)
        if h.meta[done] <= 0 and run.records:  # stopped inside its first epoch: as far as its batches got
            h.meta[done] = max(0.0, float(max(run.records)))
    elif run.pass_progress is not None and run.pass_progress[0] <= 1 and run.pass_progress[1] < run.pass_progress[2]:
        # it never finished its first pass, so it was planned for at least that many batches
        _, batch, total = run.pass_progress
        h.meta["global_step"], h.meta["max_steps"] = batch, total
        h.note(f"the log ends at batch {batch} of the {total} in its first pass over the data: the run stopped "
               "before one epoch was done")
    if run.columns:
        for raw, (steps, values) in run.columns.items():
            h.add(canonical_name(raw), steps, values, raw_name=raw, axis=run.axis)
        for note in run.notes:
            h.note(note)
        return h
    xs = np.fromiter(run.records.keys(), dtype=float, count=len(run.records))
    names: dict[str, None] = {}
    for rec in run.records.values():
        for k in rec:
            names.setdefault(k, None)
    for k in list(names):  # Lightning: the per-epoch mean is the curve, not the last step
        if k.endswith("_step") and k[:-5] + "_epoch" in names:
            del names[k]
            h.note(f"ignored {k!r}: {k[:-5] + '_epoch'!r} holds the epoch means")
    cols = {}
    for raw in names:
        sel = [(x, rec[raw]) for x, rec in zip(xs, run.records.values()) if raw in rec]
        steps = np.fromiter((p[0] for p in sel), dtype=float, count=len(sel))
        values = np.fromiter((p[1] for p in sel), dtype=float, count=len(sel))
        cols[raw] = (steps, values)
    for raw in _epoch_summaries_first(cols, run, h):
        h.add(canonical_name(raw), *cols[raw], raw_name=raw, axis=run.axis)
    for note in run.notes:
        h.note(note)
    return h


def counts_steps(run: Run) -> bool:
    """A bare ``[i/N]`` counter (no word saying what it counts) that never moves by one
    between records: iterations, logged every few hundred or thousand."""
    if not run.bare_counter or run.axis != "epoch" or run.columns or len(run.records) < 2:
        return False
    xs = np.fromiter(run.records.keys(), dtype=float, count=len(run.records))
    return bool(np.min(np.diff(xs)) > 1)


def _epoch_summaries_first(cols: dict[str, tuple[np.ndarray, np.ndarray]], run: Run, h: RunHistory) -> list[str]:
    """The raw keys in the order they become curves: where a loop prints a metric both every few
    batches ("Train Epoch: 3 [12800/45000 (28%)]  Loss: 1.58", at fractions of an epoch) and as
    the epoch's own summary ("====> Epoch 3 Average train loss: 1.54", on whole epochs), the
    summary is the curve that sits beside the validation line; the batch values stay, second."""
    order = list(cols)
    if run.axis != "epoch":
        return order
    groups: dict[str, list[str]] = {}
    for raw in order:
        groups.setdefault(canonical_name(raw), []).append(raw)

    def within_epochs(raw: str) -> bool:
        steps = cols[raw][0]
        return bool(np.any(steps != np.floor(steps)))

    moved: dict[str, str] = {}
    for name, raws in groups.items():
        whole = [r for r in raws if not within_epochs(r)]
        if len(raws) > 1 and whole and within_epochs(raws[0]) and len(cols[whole[0]][0]) >= 2:
            moved[raws[0]] = whole[0]
            h.note(f"{whole[0]!r} (once per epoch) is the {name} curve; the {raws[0]!r} values printed "
                   "within each epoch are kept beside it")
        elif len(raws) > 1 and len(cols[raws[0]][0]) == 1:
            # "[Checkpoint] Loaded .. (epoch=20, val_loss=1.0521)" before the epochs' "ValLoss=":
            # one value printed first is a note about the run, not its curve
            longest = max(raws[1:], key=lambda r: len(cols[r][0]))
            if len(cols[longest][0]) >= 2:
                moved[raws[0]] = longest
    for batch, summary in moved.items():
        i, j = order.index(batch), order.index(summary)
        order[i], order[j] = order[j], order[i]
    return order


def drop_one_value_runs(runs: list[RunHistory]) -> list[RunHistory]:
    """The runs that are training curves, without the one-value printouts beside them.

    ``model.evaluate``, ``print(f"Test accuracy: {acc:.2%}")`` or a classification report
    after ``fit`` print one value per metric: a summary, not a curve (see :func:`keep_curves`).
    """
    def why(dropped: list[RunHistory]) -> str:
        shown = "; ".join(
            f"{h.meta.get('run', '?')}: "
            + ", ".join(f"{s.raw_name} {s.values[0]:.4g}" for s in list(h.series.values())[:3])
            for h in dropped[:3]) + (" ..." if len(dropped) > 3 else "")
        return (f"ignored {len(dropped)} one-value printout(s) ({shown}): a single value is a "
                "summary (evaluate, test score, report), not a training curve")

    return keep_curves(runs, why)


def _first_step(h: RunHistory) -> float | None:
    """Where the run's loss curves start (the earlier of the train and the val loss)."""
    firsts = [float(s.steps[0]) for key in ("loss", "val_loss") if (s := h.series.get(key)) is not None and len(s)]
    return min(firsts) if firsts else None


def _last_step(h: RunHistory) -> float:
    """The furthest epoch any of the run's series reached."""
    return max(float(x.steps[-1]) for x in h.series.values() if len(x))


def resume_point(prev: RunHistory, cur: RunHistory) -> tuple[float, float] | None:
    """(the epoch ``cur`` starts at, the furthest ``prev`` reached) when ``cur`` goes on with
    ``prev`` from a checkpoint: its epochs start again at one ``prev`` had reached (or the
    next), well past ``prev``'s first, and it logs ``prev``'s loss under the same printed name,
    once per whole epoch. None for a run that starts again at the first epoch (a new fit, a
    fold), or a log read within epochs (its breaks are the reader's guesses)."""
    if prev.axis != "epoch" or cur.axis != "epoch":
        return None
    s, p0 = _first_step(cur), _first_step(prev)
    if s is None or p0 is None:
        return None
    last = _last_step(prev)
    shared = [k for k in ("loss", "val_loss") if k in prev.series and k in cur.series
              and prev.series[k].raw_name == cur.series[k].raw_name]
    whole = all(np.all(h.series[k].steps == np.round(h.series[k].steps)) for h in (prev, cur) for k in shared)
    return (s, last) if shared and whole and p0 + 1 < s <= last + 1 else None


def join_resumed(built: list[tuple[Run, RunHistory]]) -> list[tuple[Run, RunHistory]]:
    """The (run, history) pairs with each run resumed from a checkpoint joined to the run it
    resumes: the epochs logged before the resume point are kept, the resumed run's from there
    on (the weights the earlier epochs after it produced were thrown away)."""
    out: list[tuple[Run, RunHistory]] = []
    for run, h in built:
        point = resume_point(out[-1][1], h) if out else None
        if point is not None:
            prev = out[-1][1]
            s, reached = point
            for key, ser in list(prev.series.items()):
                keep = ser.steps < s
                ser.steps, ser.values = ser.steps[keep], ser.values[keep]
            for key, ser in h.series.items():
                held = prev.series.get(key)
                if held is not None and held.raw_name == ser.raw_name:
                    held.steps = np.concatenate([held.steps, ser.steps])
                    held.values = np.concatenate([held.values, ser.values])
                else:
                    prev.add(key.split("#")[0], ser.steps, ser.values, raw_name=ser.raw_name, axis=ser.axis)
            for key in [k for k, ser in prev.series.items() if not len(ser)]:
                del prev.series[key]
            for note in h.meta.get("notes", []):
                prev.note(note)
            for key in ("early_stopped", "planned_epochs", "epochs_done"):  # where the run ended
                if key in h.meta:
                    prev.meta[key] = h.meta[key]
            if s <= reached:
                prev.note(f"training resumed at epoch {s:g} (line {run.start_line}); the epochs from there on "
                          "are the resumed run's")
            continue
        out.append((run, h))
    return out
