"""spaCy's training output: v3's ``spacy train`` table and v2's ``print("Losses", losses)``
loop, both refused before ("unknown log format")."""

from __future__ import annotations

import pytest

import fitdoctor as fd

V3 = """\u2139 Saving to output directory: output
\u2139 Using CPU

=========================== Initializing pipeline ===========================
\u2714 Initialized pipeline

============================= Training pipeline =============================
\u2139 Pipeline: ['tok2vec', 'ner']
\u2139 Initial learn rate: 0.001
E    #       LOSS TOK2VEC  LOSS NER  ENTS_F  ENTS_P  ENTS_R  SCORE 
---  ------  ------------  --------  ------  ------  ------  ------
{rows}\u2714 Saved pipeline to output directory
output/model-last
"""


def _v3(n: int) -> str:
    rows = ["  0       0          0.00     49.44    0.00    0.00    0.00    0.00"]
    for k in range(1, n):
        f = 80 * (1 - 0.7 ** k)
        rows.append(f"{k // 2:>3}  {200 * k:>6}  {40 + 5 * k:>12.2f}  {2400 * 0.8 ** k:>8.2f}  {f:>6.2f}  {f + 1:>6.2f}  "
                    f"{f - 1:>6.2f}  {f / 100:>6.2f}")
    return V3.format(rows="\n".join(rows) + "\n")


def test_a_spacy_v3_table_is_read_per_step_with_its_dev_scores(tmp_path):
    path = tmp_path / "train.log"
    path.write_text(_v3(12), encoding="utf-8")
    [run] = fd.read_runs(path)
    loss = run.series["loss"]
    assert list(loss.steps)[:3] == [0, 200, 400]
    # each LOSS column is summed over the steps since the row before: read per step, so the
    # first row (one step) is no spike below the 200-step sums after it
    assert loss.values[0] == pytest.approx(49.44)
    assert loss.values[1] == pytest.approx((45.0 + 2400 * 0.8) / 200, rel=1e-3)
    assert run.series["val_ents_f1"].values[-1] == pytest.approx(80 * (1 - 0.7 ** 11), abs=0.01)
    assert "val_score" in run.series and "loss_ner" in run.series
    assert fd.diagnose(run).findings[0].code in ("healthy", "still_improving")


def test_spacy_v2_losses_printed_after_every_batch_are_read_per_iteration(tmp_path):
    """``nlp.update(..., losses=losses)`` adds each batch to the dict and the loop empties it
    each iteration: the last sum before it drops back is the iteration's loss."""
    lines, totals = ["Training Start !"], []
    for itn, per_batch in enumerate([10.0, 1.0, 0.5, 0.3]):
        running = 0.0
        for _ in range(50):
            running += per_batch
            lines.append(f"Losses {{'ner': {running!r}}}")
        totals.append(running)
    path = tmp_path / "output.log"
    path.write_text("\n".join(lines) + "\n")
    [run] = fd.read_runs(path)
    assert run.series["loss"].values == pytest.approx(totals)
    assert list(run.series["loss"].steps) == [1, 2, 3, 4]
