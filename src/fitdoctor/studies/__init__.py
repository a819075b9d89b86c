"""Commands that train a config many times to answer one question about it.

    import fitdoctor as fd
    fd.lr_find("my.yaml").suggested_lr          # the learning-rate range test (lr_find.py)
    fd.learning_curve("my.yaml").verdict        # would more rows help? (learning_curve.py)

Both score configs through :mod:`fitdoctor.train.protocol` rules: training rows only for the
range test, validation rows only for the learning curve; neither reads the test rows.
Their results (``LRFindResult``, ``LearningCurveResult``) render in the terminal and as an
HTML page through :mod:`fitdoctor.report.studies`. Needs the ``train`` extra.
"""
