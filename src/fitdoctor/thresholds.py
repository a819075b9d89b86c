"""Every tunable constant of the diagnosis rules, in one place, documented.

Trend decisions are made in units of the run's own noise (``z``: a change divided
by its standard error); the rest are named ratios where no noise-free statement
exists. Override per call: ``fd.diagnose(h, thresholds={"z_trend": 4})``.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any, Mapping

from fitdoctor.errors import BadInput


@dataclass(frozen=True)
class Thresholds:
    #: |z| above which a slope over a window counts as a real trend.
    z_trend: float = 3.0
    #: fraction of the run taken as "the end" when asking whether it is still moving.
    tail_frac: float = 0.3
    #: a rise of val loss after its best counts when it exceeds this many noise scales ...
    rise_sigmas: float = 3.0
    #: ... and this fraction of the improvement the run made before the best, or of the best
    #: value itself (0.31 -> 0.39 after a fall from 1.5 is overfitting: the rise is judged
    #: against where validation got to, not against how far it fell first).
    rise_frac_of_drop: float = 0.1
    rise_frac_of_best: float = 0.1
    #: ... or only this fraction of the best, for a rise still under way at the end (each of the
    #: last three evaluations after the best higher than the one before, every late point above
    #: it beyond noise): that shape is the witness the larger share stands for on a tail level,
    #: and a creep of a fraction of a percent is still no harm worth acting on.
    ramp_rise_frac_of_best: float = 0.02
    #: ... or this many noise scales, when it has held: at least ``held_min_points`` points in
    #: the later half of the stretch after the best, nearly all (the share that judges
    #: persistence, 0.8) two noise scales above the best. Each of those points is a witness of
    #: its own; the 3-scale bar is for a rise one tail level has to show alone.
    rise_sigmas_held: float = 2.0
    held_min_points: int = 5
    #: ... or, on a long noisy curve, when the mean of the later half of the stretch after the
    #: best sits above the mean around the best by this many standard errors of their
    #: difference (after allowing for the best being picked as the lowest of the run's windows),
    #: with at least ``shift_min_points`` points in that later half: a single point's noise
    #: hides a level that 50 points pin down (val accuracy 95.5% around epoch 6, then a mean
    #: of 92% over 90 epochs with a 2-point scatter).
    shift_z: float = 3.0
    shift_min_points: int = 15
    #: a run no rule faults is not called ``healthy`` when its last evaluation is worse than
    #: its best beyond the noise and by at least this share of the best: keeping the best
    #: checkpoint instead of the last is a change a practitioner makes (LABELS.md: healthy is
    #: "nothing a practitioner would change"), so the verdict is left unnamed, with the keep
    #: advice. A last value 1% off the best stays healthy, said with the keep line.
    healthy_end_worse: float = 0.05
    #: overfitting, for a validation curve worse at each of at least ``climb_min_steps``
    #: evaluations after its best while train fell at each: the order alone comes by chance 1
    #: time in (k + 1)! (720 for 5), so the climb is real however smooth; it still has to
    #: matter, ending this share of the best above it (half ``healthy_end_worse``: a climb under
    #: way at the end goes on where a settled last value would not). A movie-rating regressor,
    #: val 0.7357 at epoch 4, then higher at each of 6 epochs to 0.7695 (+4.6%) while train fell
    #: 0.71 -> 0.56, had read healthy.
    climb_min_steps: int = 5
    climb_frac_of_best: float = 0.025
    #: a run whose train loss (and val loss, where logged) fell less than this share of its level
    #: over the whole log is not called healthy: "fell and settled" is no reading of a loss that
    #: moved 1%. It converged before its first logged point, or it learned nothing; the curves
    #: cannot tell which, so the verdict is left unnamed with what they show.
    healthy_min_fall: float = 0.02
    #: a stretch whose own noise is below this share of its level counts as smooth: its own
    #: noise then judges a rise on it (not the noise of a steep descent before it).
    smooth_rel_noise: float = 0.03
    #: gap-widening overfitting: train ends below this share of val ... (0.7: two labellers each
    #: call val flat near 1.72 for 15 epochs while train falls to 1.14 the gap-widening kind;
    #: with ``overfit_flat_gain_share``, 0.7 reads 7 blind logs both call overfitting right that
    #: 0.5 read healthy, and 2 both call healthy wrong)
    overfit_gap_ratio: float = 0.7
    #: val accuracy stuck at one class's share (chance_level / val_not_improving): at least this
    #: many evaluations ...
    stuck_min_evals: int = 5
    #: ... this share of them at one value (or, binary, at it or its complement) ...
    stuck_share: float = 0.8
    #: ... while the val loss (else the train loss) moves by this share of its level meanwhile ...
    stuck_loss_move: float = 0.2
    #: ... on a val set at least this large when the value never changes (9 of 10 right at every
    #: epoch is a converged model on a tiny set as easily as a constant class).
    stuck_min_rows: int = 200
    #: ... and a val loss that never went below this share of the entropy of that share (a
    #: constant answer cannot score far below it).
    stuck_min_loss_share: float = 0.5
    #: overfitting by a wide gap: train at most this share of val at the end, val flat over the last third ...
    #: (0.35, val about 3x train: two labelled dev logs more than 0.25 read right, a ResNet whose val
    #: loss sat at 4x train for its last third and a pose net's at 12x (on the error scale, 3.4x);
    #: of the other 438 dev logs one wrong one changed its code, none of the stored runs)
    overfit_wide_ratio: float = 0.35
    #: ... and, when both accuracies are logged, val accuracy at least this far below train.
    overfit_wide_acc_gap: float = 0.05
    #: ... and a val loss still creeping down over the last third does not excuse it when the
    #: val accuracy found no new high over it and ends at least this far below train's (0.56
    #: against 0.999: the loss gains confidence on answers it already had, not new answers).
    overfit_stalled_acc_gap: float = 0.2
    #: ... and the val-train gap grew to this many times what it was at val's best (and beyond
    #: val's noise): 1.5 reads three more labelled blind logs right with no new false alarm, 2.0
    #: missed them; 1.3 two more (a char-LM fine-tune whose val sat above its best for 5
    #: evaluations while its gap went 0.20 -> 0.29, a detector flat for 30 epochs while its gap
    #: went 1.5 -> 2.1), none of 440 dev logs or the stored runs read otherwise
    overfit_gap_growth: float = 1.3
    #: ... with val flat or creeping for at least this share of the run after its best.
    overfit_flat_share: float = 0.3
    #: ... val counts as flat from where it first came within this share of all it gained of its
    #: best (or within its noise, if wider): a val loss that gained 1.8 and then moved 0.05 in 15
    #: epochs went flat where the 0.05 began, not at its last tiny new low (where the gap is
    #: already wide and has not grown since).
    overfit_flat_gain_share: float = 0.02
    #: A val loss counts as improved when it fell from its first evaluation to its best by at
    #: least ``val_follow_share`` of what the train loss fell over the same evaluations, and by
    #: ``val_follow_noise`` times its noise: it followed train at first (a next-word model's
    #: 6.16 -> 5.88 beside train's 6.28 -> 5.17), however small the fall is against its level.
    val_follow_share: float = 0.2
    val_follow_noise: float = 10.0
    #: ... or, when val creeps up since its best (a trend of at least this z, ending at least
    #: ``overfit_creep_rise`` above the stretch's lowest level: a creep a reader can see, not one
    #: a smooth curve's tiny noise makes significant) while train falls, the gap need only have
    #: grown beyond the noise, with train below ``overfit_creep_ratio`` of val: the two curves
    #: moving apart is the witness, not the width of the gap.
    overfit_creep_z: float = 2.0
    overfit_creep_rise: float = 0.05
    overfit_creep_ratio: float = 0.75
    #: no gap overfitting (wide or widening) when val ends below this share of where it began:
    #: a val loss down 99% from its start leaves a gap between two near-zero losses (0.001 against
    #: 5e-05 is "23x" and nothing to act on), whatever their ratio
    overfit_negligible_val: float = 0.01
    #: still improving: the tail's drop is at least this share of the whole run's drop
    #: (and 1% of the level) ... (0.025: on the blind logs, 8 runs two labellers both call
    #: stopped too early read healthy at 0.04, against 3 both call healthy read still_improving)
    still_improving_min_share: float = 0.025
    #: ... while a curve counts as not yet settled (no underfitting or plateau verdict on it, no
    #: oscillation, no val_not_improving) only when its tail falls by this share of its progress:
    #: "more epochs would pay" is a weaker claim than "this curve has not settled at its level".
    still_moving_min_share: float = 0.04
    #: ... or at least this share of the level it ends at (and 1% of the run's drop): a
    #: short run whose val still falls 5% an epoch has not converged, however far it fell first.
    still_improving_min_rel: float = 0.05
    #: ... and with no validation logged, at least this share of the level it ends at: a train
    #: loss creeps down by a few percent of its level long after a run has converged, but one
    #: still falling by a fifth of its level over the last 30% of the run has not.
    still_improving_train_rel: float = 0.2
    #: ... or a validation curve that set a new best at each of its last this many evaluations
    #: (7 points in order: 1 in 5040 by chance), its last three steps falling still_improving_min_rel
    #: of its level: a descent that steady has not converged, however small the tail is beside a first
    #: fall by orders of magnitude (val MSE 0.21 -> 0.0029, 0.0027, 0.0025, 0.0023).
    still_improving_steady_steps: int = 6
    #: ... and with no validation logged, a train curve of a short run (short_run..short_run_max
    #: evaluations) better at each of its last still_improving_steady_steps, its last three steps
    #: falling this share of its level: 1% over three epochs is a curve still descending, not the
    #: creep of a loss at the level it converged to (a ranking loss down 0.2% over its last three).
    short_run_steady_rel: float = 0.01
    #: a train curve that rises over its tail vetoes a val curve's still_improving (the model
    #: stopped fitting its training rows) only when the rise is at least this many times its
    #: epoch-to-epoch noise: three noisy batch losses going up say nothing about the run.
    still_improving_train_rise_noise: float = 3.0
    #: chance level: loss within this relative distance of the prior entropy.
    chance_rel_tol: float = 0.03
    #: a loss falling in a straight line is learning at a crawl (lr_too_low), not sitting at
    #: chance, only when it fell at least this share of that band over the run (0.697 -> 0.678
    #: is 0.9 of it; 0.6938 -> 0.6888, a quarter, is a model at the prior drifting)
    chance_crawl_share: float = 0.5
    #: healthy needs validation to have moved: a val curve within this share of its level at every
    #: one of 5+ evaluations (val Dice 0.2581-0.2593 for 11 epochs) never did
    frozen_val_share: float = 0.005
    #: val_not_improving: the share of its level the train loss must fall beside a validation
    #: that held one level at every evaluation (half the tenth asked where validation wobbles:
    #: a boosting run's train l2 down 7.8% while its val l2 held within 0.2%); a converged run's
    #: train creeping 2% under a flat validation is no such fall
    frozen_val_train_fall: float = 0.05
    #: chance level: accuracy within this distance of the majority rate.
    chance_acc_tol: float = 0.03
    #: val accuracy "learned something": this share of the way from guessing to perfect.
    learned_accuracy_share: float = 0.3
    #: ... or this share, when the val accuracy was seen to rise there from its first evaluation
    #: (a level alone needs more: it may have been there from the start)
    risen_accuracy_share: float = 0.2
    #: underfitting: final train loss above this share of the chance-level loss.
    underfit_chance_share: float = 0.55
    #: ... or above this share while train accuracy stays below underfit_max_accuracy.
    underfit_min_share: float = 0.25
    underfit_max_accuracy: float = 0.9
    #: ... an accuracy this share of the way from guessing to perfect is good: "no gap" alone
    #: (val no worse than train) is then no sign of underfitting.
    underfit_poor_share: float = 0.6
    #: ... and beside a good accuracy the train loss must be above this share of the chance level.
    underfit_high_share: float = 0.75
    #: underfitting needs val within this share above train (else it is a generalization gap).
    underfit_gap_frac: float = 0.3
    #: ... and with val at most this share above train (no generalization gap at all) ...
    underfit_no_gap: float = 0.1
    #: ... a train loss above this share of the chance-level loss is already underfitting.
    underfit_no_gap_share: float = 0.35
    #: ... (without classes: this share of the starting loss; an untrained net's loss is
    #: about the target's variance, so 0.2 is an R^2 of at most about 0.8)
    underfit_regression_share: float = 0.2
    #: underfitting from a poor accuracy needs val within this share above train.
    underfit_close_gap: float = 0.3
    #: underfitting below the clearly-high level needs the train loss to fall by less than this
    #: share of its level over the second half of the run ("flat for most of the run").
    underfit_flat_rel: float = 0.1
    #: diverging: smoothed train loss ends this factor above its best ...
    diverge_factor: float = 1.5
    #: ... or jumps this factor above its start.
    diverge_start_factor: float = 1.3
    #: diverging: the smoothed train loss peaks this factor above its start (and may come back).
    blowup_factor: float = 2.0
    #: oscillating: noise scale over this share of the curve's total range ...
    oscillation_noise_share: float = 0.1
    #: ... (and that noise above this share of its level) or a median swing of this share of
    #: the level it ends at ...
    oscillation_roughness: float = 0.1
    #: ... with lag-1 autocorrelation of the detrended curve below this.
    oscillation_autocorr: float = -0.15
    #: ... and, over the last 40% of the run, a median step between evaluations of at least this
    #: share of the level there: swings that persist to the end, not one spike on a falling trend.
    oscillation_tail_step: float = 0.3
    #: ... and not a curve that ends at its best of the run at least this many swings below where
    #: it started: a trend runs through its swings (LABELS.md: swings "with no trend")
    oscillation_trend_swings: float = 4.0
    #: val/train at the first evaluation at most this, and still within 1.5x of it late: the
    #: losses are in different units (a sum over batches against a mean), not a better validation
    suspicious_other_unit_ratio: float = 0.25
    #: val below train by this share of train, late in the run, is beyond what dropout explains.
    suspicious_gap_frac: float = 0.3
    #: ... and the gap is at least this share of the loss scale (chance level, else first loss).
    suspicious_gap_of_scale: float = 0.1
    #: ... or, for a smaller gap: val below train on this share of evaluations ...
    suspicious_always_below: float = 0.95
    #: ... ending below this ratio (minus half the dropout rate when known) ...
    suspicious_steady_ratio: float = 0.8
    #: ... with val accuracy at least this far above train accuracy (when both are logged).
    suspicious_acc_gap: float = 0.1
    #: ... unless train still falls by at least this share of its last value over the run's last
    #: half: a train loss far from settled (each point an epoch mean of a model still learning,
    #: under dropout and augmentation) cannot show that the gap persists; a remark until it settles.
    suspicious_unsettled_fall: float = 0.2
    #: A val rise after the best that starts at a train-loss spike is an unstable step, not
    #: overfitting: a train point this many times the median of the few before it ...
    spike_ratio: float = 3.0
    #: ... and this many of train's noise scales above it.
    spike_sigmas: float = 5.0
    #: plateau: tail this many noise scales above the best the run reached before.
    plateau_sigmas: float = 4.0
    #: plateau: after an abrupt lr cut the loss moves at under this share of its rate before.
    plateau_rate_drop: float = 0.05
    #: plateau: a flat stretch whose range is below this share of its level is frozen weights.
    frozen_rel_range: float = 5e-4
    #: lr too high: the train loss's epoch-to-epoch noise exceeds this share of its level.
    lr_high_wild_noise: float = 0.65
    #: ... of its level, taken as at least this share of where it started (a loss down 1000x
    #: wobbling by its own tiny level has settled: 0.36 -> 0.0002 jumping by 0.004 kept 99% of
    #: its fall; a 1% floor read that as an lr too high).
    lr_high_level_floor: float = 0.05
    #: lr too high: after its first fall the train loss jumps up again and again (LABELS.md: "a
    #: fast first drop, then noisy or rising loss at a level it should beat"): a point at least
    #: this many times the median of the few before it, beyond ``spike_sigmas`` of its noise and
    #: at a level of at least ``lr_high_level_floor`` of where it started ...
    lr_high_spike_ratio: float = 1.5
    #: ... this many separate times (one jump is a bad batch, an unfreeze or a restart).
    lr_high_spike_events: int = 2
    #: ... each back at least halfway to the level before it within this many points (a loss
    #: that re-descends for longer started again: weights reinitialised, a run appended).
    lr_high_spike_recovery: int = 2
    #: lr too low: total drop below this share of the first value while still falling linearly.
    lr_low_max_drop: float = 0.35
    #: lr too low: ratio of late slope to early slope above this (no deceleration).
    lr_low_linearity: float = 0.5
    #: ... and below this (LABELS.md: "nearly straight ... no sign of curvature"): a fall whose late
    #: slope is more than twice its early one curves, speeding up (a flat start it escaped, an lr
    #: warmup); steps too small give a straight line, within 2x either way.
    lr_low_max_speedup: float = 2.0
    #: ... and, with no scale for where the task converges (no chance level, no accuracy), at least
    #: this: a straight line, no sign of curvature.
    lr_low_straight: float = 0.8
    #: a constant predictor: its loss moved less than this share of its start, while a
    #: correlation or R^2 held within this of 0 (or a MAPE within a tenth of 100%)
    constant_predictor_moved: float = 0.05
    constant_predictor_score: float = 0.05
    #: ... a short run's validation whose steps shrink is landing on its level only where, at the
    #: pace they shrink (the median ratio of its last three), what it has left to gain is under
    #: this share of its progress so far: val 0.0233, 0.0207, 0.0189 a step (ratio 0.9) has about
    #: 0.15 to go after a 0.41 fall, still on its way; 0.0018, 0.0007, 0.0004 has landed
    settling_left_share: float = 0.1
    #: still improving: the last few evaluations levelled off when their slope is shallower
    #: than the tail's by this many of their standard errors
    level_off_z: float = 1.0
    #: ... a test asked only of a tail holding at least this share of the run's whole fall
    level_off_tail_share: float = 0.1
    #: still improving, for a log cut short of its plan: at its best at the last, with its
    #: last half down this share of where it ends
    cut_short_late_fall: float = 0.1
    #: still improving, for a train-only batch loss within its first passes over the data:
    #: its last half trends down at least this z
    first_pass_z: float = 2.0
    #: runs shorter than this get verdicts with lowered confidence.
    short_run: int = 8
    #: still improving: a curve of at most this many points is judged by whether it fell at
    #: each of its last three steps (a handful of points gives no noise estimate to test against).
    short_curve_points: int = 10
    #: still improving: a run of short_run..short_run_max evaluations whose last is its best while
    #: train still falls (LABELS.md: for 8-15 epochs, stopped too early is the usual verdict).
    short_run_max: int = 15
    #: ... or, in such a run, whose best is one of its last two while its last half's robust
    #: (Theil-Sen) fall is at least this many times its noise (and still_improving_min_rel of its
    #: level): a noisy short curve that trends down through its noise, where a z-test on a
    #: handful of points cannot tell.
    short_run_trend_noise: float = 1.0
    #: still improving: a log that says it ended at or below this share of its planned length
    #: (a Hugging Face checkpoint's global_step against max_steps) was cut short, not finished.
    cut_short_share: float = 0.9
    #: ... and one that ended at or below this share of its plan (its schedule barely begun:
    #: 300 of a Caffe solver's 10000 iterations) is still improving on a weaker trend, its tail
    #: or last half falling at this one-sided z (5%), its best among its last three points
    cut_far_short_share: float = 0.25
    cut_far_short_z: float = 1.645
    #: a run longer than ``short_run_max`` evaluations whose logged lr ends below this share of
    #: its peak finished an annealing schedule (cosine, one-cycle, linear to zero): the fall at
    #: its end is the anneal's, not a run stopped on its way down, so it is not still improving.
    annealed_lr_share: float = 0.05
    #: a logged lr that peaked, then fell at each of its last ``mid_decay_steps`` logged values
    #: and still ends at this share of its peak or more, is a decay schedule (cosine, linear)
    #: stopped partway: the run had its schedule's way to go (a GPT pretraining log ending at
    #: lr 2.9e-4 of its 6e-4, its val loss falling 0.05-0.15 per 3000 steps)
    mid_decay_lr_share: float = 0.25
    mid_decay_steps: int = 3
    #: ... unless the run passed over its data fewer than this many times (a one-epoch fine-tune
    #: annealed to zero): more passes, on a longer schedule, is then the change to make.
    annealed_min_epochs: float = 2.0
    #: lr too low is not judged on a run cut short at or below this share of its planned length:
    #: early in a schedule every run looks like a straight, slow fall.
    lr_low_min_done: float = 0.5
    #: overfitting: a curve of at most this many points is also judged by the order of its points
    #: (every one after the best worse than every one up to it), not only against its noise.
    short_shift_points: int = 20


THRESHOLDS = Thresholds()


def with_overrides(overrides: Mapping[str, Any] | None, defaults: Any = None, *,
                   what: str = "threshold") -> Any:
    """``defaults`` (a frozen dataclass of limits) with named fields replaced.

    An unknown name is an error that suggests the nearest one; values must be numbers.
    Used for the curve rules' Thresholds and the data rules' DataThresholds alike.
    """
    defaults = THRESHOLDS if defaults is None else defaults
    if overrides is not None and not isinstance(overrides, Mapping):
        raise BadInput(f"{what}s={overrides!r}: expected a mapping of names to numbers, e.g. "
                       f"{{'z_trend': 3.0}}")
    if not overrides:
        return defaults
    names = {f.name for f in fields(defaults)}
    for key in overrides:
        if key not in names:
            import difflib

            near = difflib.get_close_matches(key, sorted(names), n=1)
            hint = f" (did you mean {near[0]!r}?)" if near else ""
            raise BadInput(f"unknown {what} {key!r}{hint}; expected one of: {', '.join(sorted(names))}")
    try:
        return replace(defaults, **{k: float(v) for k, v in overrides.items()})
    except (TypeError, ValueError) as exc:
        raise BadInput(f"{what}s must be numbers: {exc}") from exc
