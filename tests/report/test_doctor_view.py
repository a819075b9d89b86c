"""What doctor shows on a terminal while it works."""


def test_a_finished_change_says_its_verdict_in_full_at_80_columns():
    """The progress line of a finished change ends in its verdict, never cut to 'a…': when
    the line is too long for the terminal the time goes, not the verdict."""
    import io

    from rich.console import Console

    from fitdoctor.doctor import DoctorTrial
    from fitdoctor.report.doctor_view import DoctorBar

    buf = io.StringIO()
    bar = DoctorBar(Console(file=buf, width=80, force_terminal=False), "accuracy")
    for label, status, diff, p in (("data.scale none -> standard", "accepted", 0.231, 1.9e-7),
                                   ("model.hidden [64, 32] -> [128, 64]", "rejected", -0.004, 0.88)):
        bar.candidate(label, 5, 0.665)
        for i, s in enumerate((0.89, 0.9, 0.88, 0.9, 0.91), 1):
            bar.unit(i, 5, s)
        bar.finished(DoctorTrial(1, "chance_level", "x", {}, {}, status, "", diff=diff, p=p))
    lines = buf.getvalue().splitlines()
    assert len(lines) == 2 and all(len(ln) <= 80 for ln in lines)
    assert lines[0].startswith("data.scale none -> standard: val acc 0.896, +0.231, p=1.9e-07: accepted (")
    assert lines[1] == "model.hidden [64, 32] -> [128, 64]: val acc 0.896, -0.004, p=0.88: rejected"
