"""Remedy texts as a user reads them."""


def test_the_stop_early_remedy_names_a_fractional_epoch_as_a_reader_writes_it():
    """A Trainer's CSV export logs epochs as fractions: 'stop at the best epoch (1.96)', not
    (1.9595835884874464); a whole epoch stays whole and a step is never written in e-notation."""
    from fitdoctor.remedies import _stop_early_text

    assert "(1.96)" in _stop_early_text({}, 1.9595835884874464)
    assert "(12)" in _stop_early_text({}, 12.0)
    assert "(123457)" in _stop_early_text({"axis": "step"}, 123456.7)
