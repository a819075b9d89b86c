"""Console text into runs: each line goes to the handler of its kind, in order.

Several runs in one log (the epoch counter starts again) become several runs, in order. A
last line cut in half is dropped with a note; a run interrupted mid-epoch keeps its finished
epochs. ``parse_console_text`` is shared with the notebook reader.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from fitdoctor.history import RunHistory
from fitdoctor.io.console import at_step, conlleval, fairseq, keras, meters, openmmlab, pointnet, stylegan, tqdm
from fitdoctor.io.console.allennlp_table import allennlp_tables_as_lines
from fitdoctor.io.console.bare_table import bare_table_as_lines
from fitdoctor.io.console.basicsr_log import basicsr_lines_as_lines
from fitdoctor.io.console.darknet_log import darknet_lines_as_lines
from fitdoctor.io.console.epoch_number_lists import epoch_number_lists_as_lines
from fitdoctor.io.console.epoch_phrase import epoch_phrases_as_lines
from fitdoctor.io.console.named_column import named_column_as_lines
from fitdoctor.io.console.deepxde_table import deepxde_tables_as_lines
from fitdoctor.io.console.epoch_blocks import epoch_blocks_as_lines
from fitdoctor.io.console.fastai import tables_as_lines
from fitdoctor.io.console.fomm_log import fomm_lines_as_lines
from fitdoctor.io.console.grouped_table import grouped_tables_as_lines
from fitdoctor.io.console.generic import (EVAL_ANNOUNCEMENT, close_eval_block, eval_block_line, handle_generic,
                                          handle_step_split_value, header_lines, line_lead, names_held_out,
                                          note_epoch_header, note_progress_point)
from fitdoctor.io.console.gluoncv_log import gluoncv_lines_as_lines
from fitdoctor.io.console.hf import hf_dict, handle_dict
from fitdoctor.io.console.kv_table import kv_tables_as_lines
from fitdoctor.io.console.lightgbm_log import lightgbm_lines_as_lines
from fitdoctor.io.console.split_blocks import split_blocks_as_lines
from fitdoctor.io.console.split_rows_table import split_rows_tables_as_lines
from fitdoctor.io.console.split_lines import split_lines_joined
from fitdoctor.io.console.lines import (MAYBE_WRAPPED, cut_incomplete_tail, drop_foreign, join_wrapped, segments,
                                        unglue_callbacks, unglue_trainer_dicts)
from fitdoctor.io.console.mbrl_log import mbrl_lines_as_lines
from fitdoctor.io.console.pairs import clean_pairs, extract_pairs, is_metric_key
from fitdoctor.io.console.patterns import CALLBACK, NUM, STEP_SPLIT_VALUE, holds_no_record, plain_values
from fitdoctor.io.console.runs import Run, State, drop_one_value_runs, join_one_epoch_fits, join_resumed, to_history
from fitdoctor.io.console.settings import printed_settings
from fitdoctor.io.console.spacy_table import spacy_tables_as_lines, spacy_v2_losses_as_lines
from fitdoctor.io.console.vocabulary import translate
from fitdoctor.io.console.yolo_table import yolo_tables_as_lines


#: where a logger was called, in brackets: "[train.py line:229]:", "[trainer.py:88] -" (Python
#: logging's ``[%(filename)s line:%(lineno)d]``); a location, not a metric, and glued to the
#: message it would hide the key after it ("]:mAP : 0.113")
_SOURCE_LOCATION = re.compile(r"\[[\w./-]+\.py(?:\s+line)?\s*[:#]\s*\d+\]\s*[:\-]?")
#: pycocotools' summary table ("Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all |
#: maxDets=100 ] = 0.375", twelve lines per evaluation and per task): its IoU thresholds, areas and
#: detection caps read as metrics (iou 0.5, maxdets 100) and cut the run at every evaluation; its
#: two headline lines are read as the evaluation's scores (see ``coco_summary_point``), and a
#: script's own line after it ("val AP=0.1207 AP50=0.2540") is read as it always was
_COCO_SUMMARY = re.compile(r"^\s*Average (?:Precision|Recall)\s+\((?:AP|AR)\)\s+@\[")
#: the two lines of pycocotools' summary that are the detector's headline scores: mAP over IoU
#: 0.50:0.95 and mAP at IoU 0.50, all areas, 100 detections
_COCO_AP = re.compile(r"^\s*Average Precision\s+\(AP\)\s+@\[\s*IoU=(0\.50:0\.95|0\.50)\s*\|\s*area=\s*all\s*\|"
                      r"\s*maxDets=\s*100\s*\]\s*=\s*(" + NUM + r")")


def coco_summary_point(state: State, seg: str) -> None:
    """pycocotools' evaluation summary ("Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all |
    maxDets=100 ] = 0.101", printed by YOLOX, torchvision's detection references, DETR and many
    more after each evaluation): its mAP@0.5:0.95 and mAP@0.5 are that evaluation's validation
    scores, at the point the run's records had reached. The other ten lines (by area, recall) are
    breakdowns, left out; so is a summary before any record (an evaluation script's)."""
    m = _COCO_AP.match(seg)
    run = state.run
    if m is None or not run.records or run.last_x is None:
        return
    value = float(m.group(2))
    if value < 0:  # -1: no ground truth to score
        return
    run.put(run.last_x, {"val_map50_95" if m.group(1) == "0.50:0.95" else "val_map50": value})


#: "Category: name Accuracy 0.182 Recall 0.004 F1 0.008", "Class 3: precision 0.91 ...": one row
#: of an evaluation broken down by class (an NER trainer's per-entity scores), never a point of
#: the run's curve; read as a record it would overwrite the evaluation's own F1 or cut the run.
#: The name after the word is no metric word ("Class loss: 0.41" is a detector's loss); "for class
#: 0, acc 0.22" too (its class number had read as an epoch, a run at every evaluation)
_PER_CLASS_ROW = re.compile(r"^(?:(?:for|of)\s+)?(?:category|class|entity)\s*[:=#]?\s*(?!(?:loss|acc\w*|error|score|precision|recall|f1|"
                            r"prob\w*|weight\w*)\b)[\w\-]+\s*[:|,]?\s+[A-Za-z]", re.I)


#: an announcement that names the test split ("Evaluating on TEST set ...")
_TEST_WORD = re.compile(r"\btest(?:ing)?\b", re.I)


def _announce_eval(state: State, n: int, seg: str) -> None:
    """An evaluation was announced on line ``n``: the lines under it are its own (see
    ``eval_block_line`` and ``generic._under_announced_eval``)."""
    state.eval_line, state.eval_block = n, True
    state.announced_split = "test" if _TEST_WORD.search(seg) else "val"


def handle(state: State, n: int, seg: str) -> None:
    """Read one line (one ``\\r`` segment) into ``state``."""
    if ".py" in seg:
        seg = _SOURCE_LOCATION.sub(" ", seg, count=1)
    if "Average " in seg and _COCO_SUMMARY.match(seg):
        coco_summary_point(state, seg)
        return
    if "Skipping step" in seg and "overflow" in seg:
        # NVIDIA apex's mixed-precision notice ("Gradient overflow.  Skipping step, loss scaler 0
        # reducing loss scale to 32768.0"): its "loss scaler 0" and "loss scale to 32768" are no
        # losses, and a burst of them had been read as a run of its own
        return
    if state.eval_block and eval_block_line(state, seg):
        return
    if ("ategor" in seg or "lass" in seg or "ntity" in seg) and _PER_CLASS_ROW.match(line_lead(seg)):
        if not state.per_class_note:
            state.per_class_note = True
            state.run.notes.append("rows that break an evaluation down by class (\"Category: name Accuracy ..\") "
                                   "are left out")
        return
    if "Epoch" in seg and keras.handle_header(state, n, seg):
        return
    if seg[:1].isdigit() or seg[:1].isspace():
        m = STEP_SPLIT_VALUE.match(seg)
        if m is not None:
            handle_step_split_value(state, n, m)
            return
    if ("evaluate" in seg or "phrases;" in seg or state.conll_split is not None) and conlleval.handle(state, n, seg):
        return
    if " at " in seg and at_step.handle(state, n, seg):
        return
    if "EPOCH" in seg and pointnet.handle_banner(state, n, seg):
        return
    if seg[:3] == "---" and pointnet.handle_dash_mark(state, n, seg, state.next_line):
        return
    if state.pointnet_epoch is not None and pointnet.handle_metric(state, n, seg):
        return
    if ("][" in seg or "Train:" in seg or state.meter_epoch is not None) and meters.handle(state, n, seg):
        return
    if state.meter_epoch is not None and meters.is_debug_print(state, seg):
        return
    if "][INFO] - {" in seg and fairseq.handle(state, n, seg):
        return
    if " - INFO - " in seg and openmmlab.handle(state, n, seg):
        return
    if seg[:2] == '{"' and stylegan.handle(state, n, seg):
        return
    run = state.run
    in_keras = keras.in_keras_epoch(run)
    if in_keras and keras.handle_bar(run, seg):
        return
    if holds_no_record(seg):
        if "poch" in seg or "POCH" in seg:
            note_epoch_header(state, n, seg)
            note_progress_point(state, n, seg)
        elif EVAL_ANNOUNCEMENT.match(seg):
            _announce_eval(state, n, seg)
        return
    if not any(c.isdigit() for c in seg) and EVAL_ANNOUNCEMENT.match(seg) and not CALLBACK.search(seg):
        # "Evaluating top_k_accuracy ..." (PaddleVideo): an announcement that names the metric it
        # computes holds no number either
        _announce_eval(state, n, seg)
        return
    if "train_runtime" in seg:  # HF's end-of-training summary (a dict or TrainOutput(...))
        state.skipped_summary = True
        return
    s = seg.strip()
    if s.startswith("{"):
        d = hf_dict(s)
        if d is not None:
            handle_dict(state, n, d)
            return
    cb = CALLBACK.search(seg)
    if cb is not None:
        if not _record_before(seg[:cb.start()]):
            state.ignored_callbacks += 1
            return
        # "1  train loss=0.308 .. valid acc=0.500   > saved as best model!": the epoch's record,
        # then the checkpoint's message on the same line; the record is read, the message not
        seg = seg[:cb.start()]
    if in_keras and keras.handle_other(run, seg):
        return
    if ("%|" in seg or "epoch [" in seg or "epochs [" in seg) and tqdm.handle_epoch_bar(state, n, seg):
        return
    handle_generic(state, n, seg)


#: a throughput in tokens ("113.4k tok/s", "tokens/sec: 5200"): the run trains a language model,
#: whose token loss is no classifier's ln K (LABELS.md: not chance_level)
_TOKEN_RATE = re.compile(r"\btok(?:en)?s?\s*/\s*s(?:ec)?\b|\btokens?\s+per\s+sec", re.I)
_EARLY_STOP = re.compile(r"early stopping|Restoring model weights from the end of the best epoch", re.I)
#: a training loop's own word that its loss went non-finite ("[WARNING] NaN loss detected!
#: Skipping batch.", torchvision's "Loss is nan, stopping training", detectron2's "Loss became
#: infinite or NaN"): steps the logged curve never shows, skipped or cut off by the loop
_NONFINITE_NOTICE = re.compile(r"\b(?:nan|inf|infinite|non-?finite)\s+(?:\w+\s+)?loss(?:es)?\b(?!\s*[=:]\s*[-\d])"
                               r"|\bloss\s+(?:is|was|became|becomes|went|got|turned)\s+(?:\w+\s+){0,2}?"
                               r"(?:nan|inf|infinite|non-?finite)\b", re.I)


#: the rewriters of a format's own lines or tables into generic lines that say so in a note, in
#: the order they run (YOLO's table before the fastai one: its header row would read as one)
_AS_LINES_WITH_NOTE = (kv_tables_as_lines, lightgbm_lines_as_lines, basicsr_lines_as_lines, gluoncv_lines_as_lines,
                       darknet_lines_as_lines, spacy_tables_as_lines, spacy_v2_losses_as_lines, bare_table_as_lines, deepxde_tables_as_lines, yolo_tables_as_lines,
                       fomm_lines_as_lines, mbrl_lines_as_lines, epoch_number_lists_as_lines, epoch_phrases_as_lines,
                       named_column_as_lines, split_blocks_as_lines, split_rows_tables_as_lines, split_lines_joined)


def _matches_by_line(pattern: re.Pattern, text: str) -> Iterator[tuple[int, re.Match]]:
    """Each match of ``pattern`` in ``text`` with its 1-based line, counted as the scan goes (not
    from the top again for every match)."""
    line, pos = 1, 0
    for m in pattern.finditer(text):
        line += text.count("\n", pos, m.start())
        pos = m.start()
        yield line, m


def _run_at(built: list[tuple[Any, RunHistory]], line: int) -> RunHistory | None:
    """The history of the last run that starts at or above ``line``: the run a line belongs to."""
    owner = [h for run, h in built if run.start_line <= line]
    return owner[-1] if owner else None


def parse_console_text(text: str, *, source: str, fmt: str = "console",
                       fast: bool = True) -> list[RunHistory]:
    """Every run found in console text, in order (an empty list when there is none).

    ``fast=False`` forces the line-by-line parser (tests check both agree).
    """
    notes: list[str] = []
    text, cut_note = cut_incomplete_tail(text)
    if cut_note:
        notes.append(cut_note)
    text = drop_foreign(unglue_trainer_dicts(unglue_callbacks(plain_values(translate(text)))))  # a message glued after a TF line keeps its own line
    state = keras.fast_keras(text) if fast else None
    if state is None:
        for as_lines in _AS_LINES_WITH_NOTE:
            text, note = as_lines(text)
            if note:
                notes.append(note)
        text = epoch_blocks_as_lines(grouped_tables_as_lines(tables_as_lines(allennlp_tables_as_lines(text))))
        segs = segments(text)
        if MAYBE_WRAPPED.search(text):
            segs = join_wrapped(segs)
        segs = list(segs)
        state = _read_lines(segs, State(epoch_bars=tqdm.has_epoch_bars(text), iteration_bar=tqdm.iteration_bar(text)))
        within, sparser = _steps_count_within_epochs(state), _steps_sparser_than_epochs(state)
        if within or sparser:
            state = _read_lines(segs, State(epoch_bars=state.epoch_bars, iteration_bar=state.iteration_bar,
                                            progress_steps=True))
            state.steps_sparser = sparser and not within
    for run in state.runs:
        meters.drop_unfinished_epoch(run)
    # in the order they begin (a run that went on after a table printed inside it was moved
    # last while it was being read: see ``generic._resumed_after_table``)
    runs = join_one_epoch_fits(sorted((r for r in state.runs if r.records or r.columns), key=lambda r: r.start_line))
    built = [(run, to_history(run, source=source, fmt=fmt)) for run in runs]
    for run, h in built:
        h.meta["run"] = f"line {run.start_line}"
    # a run that stopped early on purpose ("Epoch 20: early stopping", "Restoring model weights
    # from the end of the best epoch") ended where it meant to, whatever its header's total said
    for line, _ in _matches_by_line(_EARLY_STOP, text):
        owner = _run_at(built, line)
        if owner is not None:
            owner.meta["early_stopped"] = True
    # the loop's own word that the loss went NaN or inf, on lines that are no record (one above
    # every run, in its preamble, is the first run's)
    for line, m in _matches_by_line(_NONFINITE_NOTICE, text):
        start = text.rfind("\n", 0, m.start()) + 1
        end = text.find("\n", m.end())
        said = text[start:end if end >= 0 else len(text)].strip()
        owner = _run_at(built, line) or (built[0][1] if built else None)
        if owner is not None:
            owner.meta.setdefault("nonfinite_notices", []).append({"line": line, "text": said[:160]})
    # the settings printed before each run (print(args)): the last namespace above its start
    if "Namespace(" in text:
        printed = printed_settings(text)
        for run, h in built:
            above = [settings for line, settings in printed if line <= run.start_line]
            if above:
                h.meta["hparams"] = {**above[-1], **(h.meta.get("hparams") or {})}
    if _TOKEN_RATE.search(text):
        for _, h in built:
            h.meta.setdefault("task", "language_model")
    kept = {id(h) for h in drop_one_value_runs([h for _, h in built])}
    joined = join_resumed([(run, h) for run, h in built if id(h) in kept])
    runs = [run for run, _ in joined]
    histories = [h for _, h in joined]
    out: list[RunHistory] = []
    for i, (run, h) in enumerate(zip(runs, histories)):
        del h.meta["run"]
        if len(runs) > 1:
            h.meta["run"] = f"run {i + 1} (line {run.start_line})"
        for note in notes if i == len(runs) - 1 else []:
            h.note(note)
        if run.open_header is not None:
            h.note(f"epoch {run.open_header}/{run.header_total} did not finish (interrupted?); "
                   f"read the {run.n_records} finished epoch(s)")
        if state.skipped_summary:
            h.note("skipped the end-of-training summary dict (its train_loss is the run's mean)")
        if state.ignored_callbacks and i == 0:
            h.note(f"ignored {state.ignored_callbacks} callback message line(s) "
                   "(checkpoint / early stopping / lr reduction)")
        out.append(h)
    if state.progress_lines and out:
        why = ("they sample the loss less often than the epochs end" if state.steps_sparser
               else "their counter starts again within each epoch, so they are progress")
        out[-1].note(f"left out {state.progress_lines} step line(s): {why}; the epochs' own summary lines are the curve")
    return out


_DIGIT = re.compile(r"\d")


def _read_lines(segs: list[tuple[int, str]], state: State) -> State:
    """Every line into ``state``, in order."""
    state.header_lines = header_lines(segs)
    for i, (n, seg) in enumerate(segs):
        state.next_line = segs[i + 1][1] if i + 1 < len(segs) else ""
        handle(state, n, seg)
        if _DIGIT.search(seg):
            state.numbered_line = n
    close_eval_block(state)  # a log that ends inside an evaluation
    return state


def _steps_count_within_epochs(state: State) -> bool:
    """Whether the step lines of a log count within each epoch: epoch summaries were left out
    as lying between step lines, yet the step counter started again at least twice (each start
    opened a run of its own). A log whose step lines carry the curve counts on across epochs."""
    if not state.epoch_summary_note:
        return False
    return len(_generic_step_runs(state)) >= 3


def _generic_step_runs(state: State) -> list[Run]:
    """The runs the step lines of a log built (the generic dialect, on a step axis)."""
    return [r for r in state.runs if r.records and r.axis == "step" and r.dialect == "generic"]


def _steps_sparser_than_epochs(state: State) -> bool:
    """Whether the step lines left out more epoch summaries than they hold points themselves
    ("Step 50, Loss: 4.84" twice in a 5-epoch fine-tune that prints "Epoch 3 completed. Average
    loss: 4.4468" after every epoch): a loss printed every 50 steps of a 20-step epoch is a
    sample or two, and the epochs' own averages are the curve."""
    if state.epoch_summaries_left_out < 3:
        return False
    steps = _generic_step_runs(state)
    if any(names_held_out(rec) for r in steps for rec in r.records.values()):
        return False  # the step lines carry the evaluations: they are the run's cadence
    return sum(len(r.records) for r in steps) < state.epoch_summaries_left_out


def _record_before(head: str) -> bool:
    """Whether the text before a callback phrase holds a record of its own: two named values,
    one a metric. A Keras message ("Epoch 3: val_loss improved from 0.52 to 0.48") names one
    value before its phrase, and its numbers come after it."""
    pairs = clean_pairs(extract_pairs(head))
    return len(pairs) >= 2 and any(is_metric_key(k) for k in pairs)
