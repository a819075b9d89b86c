"""How "learned nothing" is inferred from a log that does not say what the classes are."""

import numpy as np

import fitdoctor as fd


def test_val_accuracy_steady_from_epoch_one_is_not_chance_when_train_accuracy_climbed_to_it():
    """A model that converged in its first epoch: val accuracy holds at 0.95 and val loss sits
    near H(0.95), but train accuracy climbed from 0.8 to 0.95: it learned, it is no constant."""
    n = np.arange(20)
    run = {"loss": list(0.2 + 0.3 * np.exp(-n / 2)), "accuracy": list(0.95 - 0.15 * np.exp(-n / 2)),
           "val_loss": list(0.22 + 0.004 * np.sin(n)), "val_accuracy": list(0.95 + 0.003 * np.cos(n))}
    assert "chance_level" not in fd.diagnose(run).codes


def test_a_blown_up_loss_far_above_ln_k_is_not_called_chance_level():
    n = np.arange(20)
    loss = 1.8 * np.exp(0.6 * np.maximum(n - 6, 0))
    run = {"loss": list(loss), "val_loss": list(loss * 1.1),
           "accuracy": list(0.17 + 0.002 * np.cos(n)), "val_accuracy": list(0.168 + 0.002 * np.sin(n))}
    d = fd.diagnose(run)
    assert d.top.code == "diverging" and "chance_level" not in d.codes
