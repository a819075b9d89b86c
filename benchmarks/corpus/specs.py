"""The planned runs: ~10 per curve code, varied in dataset, size, optimizer, batch, epochs and format.

Each entry is (intent, framework, dataset, format, plant description, settings). Run
ids are ``<intent>-<nn>``. ``ref`` overrides train a torch reference run for the
oracle (same data, sane settings) and never reach the log.
"""

from __future__ import annotations

from spec import Spec

T, K = "torch", "keras"

PLAN: dict[str, list[tuple]] = {
    "healthy": [
        (T, "breast_cancer", "csv", "Adam 1e-3, dropout 0.2, wd 1e-4, settles", dict(hidden=(32,), dropout=0.2, wd=1e-4, epochs=60)),
        (T, "wine", "tb-scalar", "Adam 3e-3, small MLP, settles", dict(hidden=(16,), lr=3e-3, batch=16, epochs=80, wd=1e-3)),
        (T, "moons", "jsonl", "Adam 3e-3, 2x32 MLP, settles", dict(hidden=(32, 32), lr=3e-3, epochs=100, seed=1)),
        (T, "digits", "tb-scalars", "Adam 1e-3, dropout 0.3, early stopping", dict(hidden=(64,), dropout=0.3, batch=64, epochs=200, patience=6)),
        (T, "iris", "jsonl", "Adam 1e-2, wd, settles", dict(hidden=(16,), lr=1e-2, batch=16, epochs=150, wd=1e-3)),
        (T, "clf_5", "tb-scalar", "AdamW 1e-3, early stopping", dict(hidden=(64,), opt="adamw", batch=64, epochs=200, patience=8, seed=2)),
        (T, "circles", "csv", "Adam 1e-2, 2x16, wd, settles", dict(hidden=(16, 16), lr=1e-2, wd=1e-3, epochs=120, seed=3)),
        (K, "breast_cancer", "keras-csv", "Keras Adam 1e-3, dropout 0.2, EarlyStopping restore_best", dict(hidden=(32,), dropout=0.2, epochs=150, patience=5, seed=1)),
        (K, "clf", "keras-json", "Keras Adam 1e-3, L2 1e-3, settles", dict(hidden=(32,), wd=1e-3, batch=64, epochs=40, extend=1.0)),
        (K, "wine", "keras-csv", "Keras Adam 1e-2, small MLP, settles", dict(hidden=(16,), lr=1e-2, batch=16, epochs=50, extend=1.0, seed=4)),
        (K, "moons", "keras-json", "Keras Adam 1e-2, 2x32, settles", dict(hidden=(32, 32), lr=1e-2, epochs=50, extend=1.0, seed=5)),
        (T, "breast_cancer", "tb-scalars", "Adam 1e-3, wd 1e-3, early stopping patience 10", dict(hidden=(16,), wd=1e-3, epochs=300, patience=10, seed=6)),
        (K, "digits", "keras-csv", "Keras Adam 1e-3, dropout 0.2, EarlyStopping restore_best", dict(hidden=(64,), dropout=0.2, batch=64, epochs=100, patience=4, extend=1.0, seed=7)),
        (T, "clf", "jsonl", "Adam 1e-3, dropout 0.3, wd 1e-3, early stopping patience 8", dict(hidden=(64,), dropout=0.3, wd=1e-3, batch=32, epochs=300, patience=8, seed=8)),
        (T, "wine", "csv", "SGD 0.05 momentum 0.9, wd 1e-3, early stopping", dict(hidden=(16,), opt="sgd", lr=0.05, momentum=0.9, wd=1e-3, batch=16, epochs=300, patience=8, seed=9)),
        (K, "iris", "keras-json", "Keras Adam 1e-2, EarlyStopping restore_best", dict(hidden=(16,), lr=1e-2, batch=16, epochs=200, patience=6, extend=1.0, seed=10)),
        (K, "breast_cancer", "keras-json", "Keras Adam 3e-3, L2 1e-3, 2x16, EarlyStopping", dict(hidden=(16, 16), lr=3e-3, wd=1e-3, epochs=200, patience=5, extend=1.0, seed=11)),
    ],
    "still_improving": [
        (T, "digits", "tb-scalar", "Adam 1e-3, stopped after 6 epochs", dict(hidden=(32,), lr=1e-3, batch=64, epochs=6, ref=dict(lr=1e-2))),
        (T, "breast_cancer", "csv", "SGD 0.01 stopped after 15 epochs", dict(hidden=(16,), opt="sgd", lr=0.01, momentum=0.5, epochs=15, ref=dict(lr=0.1))),
        (T, "moons", "jsonl", "Adam 1e-3 2x32 stopped after 20 epochs", dict(hidden=(32, 32), batch=64, epochs=20, seed=1, ref=dict(lr=1e-2))),
        (T, "clf_5", "tb-scalars", "Adam 1e-3 stopped after 8 epochs", dict(hidden=(64,), lr=1e-3, epochs=8, seed=2, ref=dict(lr=1e-2))),
        (T, "circles", "jsonl", "Adam 3e-3 stopped after 15 epochs", dict(hidden=(32,), lr=3e-3, batch=64, epochs=15, seed=3, ref=dict(lr=3e-2))),
        (T, "friedman", "csv", "Adam 1e-3 regression stopped after 12 epochs", dict(hidden=(64,), batch=64, epochs=12, ref=dict(lr=1e-2))),
        (K, "wine", "keras-csv", "Keras Adam 1e-3 stopped after 15 epochs", dict(hidden=(16,), epochs=15, seed=1)),
        (K, "digits", "keras-json", "Keras Adam 3e-4 stopped after 8 epochs", dict(hidden=(32,), lr=3e-4, batch=64, epochs=8, seed=2)),
        (K, "clf", "keras-csv", "Keras SGD 0.01 stopped after 12 epochs", dict(hidden=(32,), opt="sgd", lr=0.01, momentum=0.5, epochs=12, seed=3)),
        (K, "iris", "keras-json", "Keras Adam 3e-3 stopped after 20 epochs", dict(hidden=(16,), lr=3e-3, batch=16, epochs=20, seed=4)),
    ],
    "overfitting": [
        (T, "clf_noisy", "csv", "2x256 MLP, 200 noisy train rows, no regularization, 100 epochs", dict(hidden=(256, 256), batch=16, epochs=100, extend=0.0, fault=dict(n_train=200))),
        (T, "digits", "tb-scalar", "2x128 MLP on 150 train rows, 150 epochs", dict(hidden=(128, 128), lr=3e-3, batch=16, epochs=150, extend=0.0, fault=dict(n_train=150, label_noise=0.15))),
        (T, "breast_cancer", "jsonl", "2x256 MLP on 80 rows, 200 epochs", dict(hidden=(256, 256), lr=3e-3, batch=16, epochs=200, extend=0.0, fault=dict(n_train=80, label_noise=0.1))),
        (T, "diabetes", "tb-scalars", "2x256 regression MLP, 200 epochs", dict(hidden=(256, 256), lr=3e-3, epochs=200, extend=0.0, fault=dict(n_train=150))),
        (T, "moons", "csv", "2x256 MLP on 60 rows with label noise, 300 epochs", dict(hidden=(256, 256), lr=3e-3, batch=16, epochs=300, extend=0.0, seed=1, fault=dict(n_train=60, label_noise=0.15))),
        (T, "clf_noisy", "jsonl", "3x128 RMSprop, 250 train rows, 80 epochs", dict(hidden=(128, 128, 128), opt="rmsprop", lr=1e-3, batch=16, epochs=80, extend=0.0, seed=2, fault=dict(n_train=250))),
        (K, "clf_noisy", "keras-csv", "Keras 2x128 on 200 noisy rows, 60 epochs", dict(hidden=(128, 128), batch=16, epochs=60, extend=0.0, seed=1, fault=dict(n_train=200))),
        (K, "digits", "keras-json", "Keras 256 on 200 rows with label noise, 80 epochs", dict(hidden=(256,), lr=3e-3, batch=16, epochs=80, extend=0.0, seed=3, fault=dict(n_train=200, label_noise=0.2))),
        (K, "breast_cancer", "keras-csv", "Keras 2x256 on 100 rows with label noise, 80 epochs", dict(hidden=(256, 256), lr=3e-3, batch=16, epochs=80, extend=0.0, seed=2, fault=dict(n_train=100, label_noise=0.1))),
        (K, "clf_noisy", "keras-json", "Keras 2x256 on 150 noisy rows, 50 epochs", dict(hidden=(256, 256), lr=3e-3, batch=16, epochs=50, extend=0.0, seed=4, fault=dict(n_train=150))),
        (T, "friedman", "jsonl", "2x256 regression MLP on 100 rows, 200 epochs", dict(hidden=(256, 256), lr=3e-3, batch=16, epochs=200, extend=0.0, seed=5, fault=dict(n_train=100))),
        (K, "moons", "keras-csv", "Keras 2x256 on 60 rows with label noise, 150 epochs", dict(hidden=(256, 256), lr=3e-3, batch=16, epochs=150, extend=0.0, seed=6, fault=dict(n_train=60, label_noise=0.15))),
        (T, "wine", "tb-scalar", "2x256 MLP, 20% label noise, 150 epochs", dict(hidden=(256, 256), lr=3e-3, batch=16, epochs=150, extend=0.0, seed=7, fault=dict(label_noise=0.2))),
    ],
    "plateau": [
        (T, "digits", "tb-scalar", "SGD 0.05 with lr x0.5 per epoch: lr ~0 after 10 epochs", dict(hidden=(32,), opt="sgd", lr=0.05, schedule=("exp", 0.5), epochs=40, ref=dict(schedule=None))),
        (T, "clf", "csv", "Adam 1e-3 with lr x0.4 per epoch", dict(hidden=(32,), schedule=("exp", 0.4), batch=64, epochs=30, ref=dict(schedule=None))),
        (T, "moons", "jsonl", "SGD 0.1, lr x0.05 every 3 epochs", dict(hidden=(32, 32), opt="sgd", lr=0.1, schedule=("step", 3, 0.05), epochs=50, seed=1, ref=dict(schedule=None))),
        (T, "circles", "tb-scalars", "Adam 3e-3 with lr x0.5 per epoch", dict(hidden=(32,), lr=3e-3, schedule=("exp", 0.5), epochs=60, seed=2, ref=dict(schedule=None))),
        (T, "breast_cancer", "csv", "SGD 0.01 with lr x0.6 per epoch", dict(hidden=(8,), opt="sgd", lr=0.01, schedule=("exp", 0.6), epochs=40, ref=dict(schedule=None))),
        (T, "clf_5", "tb-scalar", "Adam 1e-3 with lr x0.3 per epoch, 80 epochs", dict(hidden=(64,), schedule=("exp", 0.3), epochs=80, seed=3, ref=dict(schedule=None))),
        (K, "wine", "keras-csv", "Keras SGD 0.01, LearningRateScheduler x0.5 per epoch", dict(hidden=(16,), opt="sgd", lr=0.01, schedule=("exp", 0.5), epochs=30, extend=1.0, ref=dict(schedule=None))),
        (K, "digits", "keras-json", "Keras Adam 1e-3, LearningRateScheduler x0.4 per epoch", dict(hidden=(32,), schedule=("exp", 0.4), batch=64, epochs=25, extend=1.0, seed=1, ref=dict(schedule=None))),
        (K, "iris", "keras-csv", "Keras SGD 0.05, lr x0.1 every 2 epochs", dict(hidden=(16,), opt="sgd", lr=0.05, schedule=("step", 2, 0.1), batch=16, epochs=30, extend=1.0, seed=2, ref=dict(schedule=None))),
        (T, "friedman", "tb-scalar", "regression, SGD 0.01 with lr x0.5 per epoch", dict(hidden=(64,), opt="sgd", lr=0.01, schedule=("exp", 0.5), epochs=40, seed=4, ref=dict(schedule=None))),
        (T, "wine", "jsonl", "Adam 1e-3, lr x0.05 every 2 epochs", dict(hidden=(16,), schedule=("step", 2, 0.05), batch=16, epochs=40, seed=5, ref=dict(schedule=None))),
        (K, "clf", "keras-csv", "Keras Adam 1e-3, LearningRateScheduler x0.3 per epoch", dict(hidden=(32,), schedule=("exp", 0.3), epochs=30, extend=1.0, seed=6, ref=dict(schedule=None))),
    ],
    "chance_level": [
        (T, "clf_55", "csv", "55/45 binary, labels shuffled (no signal), small regularized MLP", dict(hidden=(16,), wd=1e-2, epochs=30, fault=dict(shuffle_labels=True))),
        (T, "digits", "tb-scalar", "10 classes, labels shuffled", dict(hidden=(32,), wd=1e-2, batch=64, epochs=20, fault=dict(shuffle_labels=True))),
        (T, "iris", "jsonl", "3 classes, labels shuffled", dict(hidden=(8,), wd=1e-2, batch=16, epochs=40, fault=dict(shuffle_labels=True))),
        (T, "breast_cancer", "tb-scalars", "labels shuffled (misaligned rows), SGD momentum", dict(hidden=(16,), opt="sgd", lr=0.01, momentum=0.9, wd=1e-2, epochs=25, fault=dict(shuffle_labels=True))),
        (T, "wine", "csv", "3 classes, labels shuffled, 20 epochs", dict(hidden=(8,), wd=3e-2, batch=16, epochs=20, seed=1, fault=dict(shuffle_labels=True))),
        (T, "clf_55", "jsonl", "55/45 binary, labels shuffled, 2x32, SGD momentum", dict(hidden=(32, 32), opt="sgd", lr=0.01, momentum=0.9, wd=1e-2, epochs=20, seed=2, fault=dict(shuffle_labels=True))),
        (K, "clf_55", "keras-csv", "Keras 55/45 binary, labels shuffled", dict(hidden=(8,), epochs=15, seed=1, fault=dict(shuffle_labels=True))),
        (K, "digits", "keras-json", "Keras 10 classes, labels shuffled", dict(hidden=(16,), batch=64, epochs=12, seed=2, fault=dict(shuffle_labels=True))),
        (K, "moons", "keras-csv", "Keras moons, labels shuffled", dict(hidden=(8,), epochs=15, seed=3, fault=dict(shuffle_labels=True))),
        (K, "clf_5", "keras-json", "Keras 5 classes, labels shuffled", dict(hidden=(16,), batch=64, epochs=12, seed=4, fault=dict(shuffle_labels=True))),
        (T, "clf_55_wide", "tb-scalar", "55/45 binary (30 features), labels shuffled, Adam, 8 units", dict(hidden=(8,), wd=3e-2, batch=64, epochs=15, seed=5, fault=dict(shuffle_labels=True))),
        (K, "clf_55_wide", "keras-json", "Keras 55/45 binary (30 features), labels shuffled", dict(hidden=(16,), batch=64, epochs=20, seed=6, fault=dict(shuffle_labels=True))),
    ],
    "underfitting": [
        (T, "moons", "tb-scalar", "linear model (no hidden layer) on moons", dict(hidden=(), lr=1e-2, epochs=60, ref=dict(hidden=(64, 64)))),
        (T, "circles", "jsonl", "2 hidden units on circles", dict(hidden=(2,), lr=1e-2, epochs=100, seed=1, ref=dict(hidden=(64, 64)))),
        (T, "digits", "csv", "2 hidden units for 10 classes", dict(hidden=(2,), lr=1e-2, batch=64, epochs=150, extend=1.0, ref=dict(hidden=(64, 64)))),
        (T, "clf_5", "tb-scalars", "1 hidden unit for 5 classes", dict(hidden=(1,), lr=1e-2, epochs=60, seed=2, ref=dict(hidden=(64, 64)))),
        (T, "breast_cancer", "csv", "weight decay 1.0 (far too much L2)", dict(hidden=(32,), lr=1e-2, wd=1.0, epochs=60, ref=dict(wd=0.0))),
        (T, "friedman", "jsonl", "linear regression on a nonlinear target", dict(hidden=(), lr=1e-2, epochs=60, seed=3, ref=dict(hidden=(64, 64)))),
        (K, "moons", "keras-csv", "Keras linear model on moons", dict(hidden=(), lr=1e-2, epochs=40, extend=1.0, seed=1, ref=dict(hidden=(64, 64)))),
        (K, "digits", "keras-json", "Keras 2 hidden units for 10 classes", dict(hidden=(2,), lr=1e-2, batch=128, epochs=100, extend=1.0, seed=2, ref=dict(hidden=(64, 64)))),
        (T, "clf_5", "csv", "linear model for 5 classes, 100 epochs", dict(hidden=(), lr=1e-2, epochs=100, extend=1.0, seed=5, ref=dict(hidden=(64, 64)))),
        (T, "moons", "tb-scalar", "1 hidden unit on moons, 80 epochs", dict(hidden=(1,), lr=1e-2, epochs=80, extend=1.0, seed=6, ref=dict(hidden=(64, 64)))),
        (K, "wine", "keras-csv", "Keras dropout 0.8 and L2 0.1", dict(hidden=(16,), lr=1e-2, dropout=0.8, wd=0.1, batch=32, epochs=200, extend=1.0, seed=3, ref=dict(dropout=0.0, wd=0.0))),
        (T, "wine", "jsonl", "1 hidden unit for 3 classes", dict(hidden=(1,), lr=1e-2, batch=16, epochs=150, extend=1.0, seed=7, ref=dict(hidden=(64, 64)))),
        (K, "clf_5", "keras-csv", "Keras linear model for 5 classes", dict(hidden=(), lr=1e-2, batch=64, epochs=60, extend=1.0, seed=8, ref=dict(hidden=(64, 64)))),
        (K, "moons", "keras-json", "Keras 1 hidden unit on moons", dict(hidden=(1,), lr=1e-2, epochs=60, extend=1.0, seed=9, ref=dict(hidden=(64, 64)))),
        (T, "clf_5", "jsonl", "2 hidden units for 5 classes, 120 epochs", dict(hidden=(2,), lr=1e-2, epochs=120, extend=1.0, seed=10, ref=dict(hidden=(64, 64)))),
        (T, "digits", "tb-scalars", "1 hidden unit for 10 classes", dict(hidden=(1,), lr=1e-2, batch=64, epochs=80, extend=1.0, seed=11, ref=dict(hidden=(64, 64)))),
        (K, "digits", "keras-csv", "Keras 1 hidden unit for 10 classes", dict(hidden=(1,), lr=1e-2, batch=128, epochs=80, extend=1.0, seed=12, ref=dict(hidden=(64, 64)))),
        (T, "digits", "jsonl", "2 tanh hidden units for 10 classes, 200 epochs", dict(hidden=(2,), act="tanh", lr=3e-2, batch=64, epochs=200, extend=1.0, seed=13, ref=dict(hidden=(64, 64)))),
        (K, "clf_5", "keras-json", "Keras 1 hidden unit for 5 classes", dict(hidden=(1,), lr=1e-2, batch=64, epochs=80, extend=1.0, seed=14, ref=dict(hidden=(64, 64)))),
        (T, "friedman", "csv", "2 hidden units on a nonlinear regression, 150 epochs", dict(hidden=(2,), lr=1e-2, epochs=150, extend=1.0, seed=15, ref=dict(hidden=(64, 64)))),
    ],
    "diverging": [
        (T, "clf", "csv", "runaway lr: SGD 0.01 momentum 0.9, lr x1.3 per epoch, grad clip 1", dict(hidden=(64, 64), opt="sgd", lr=0.01, momentum=0.9, schedule=("exp", 1.3), clip=1.0, epochs=30, extend=0.0)),
        (T, "digits", "tb-scalar", "runaway lr: Adam 1e-3 x1.35 per epoch, grad clip 5", dict(hidden=(64,), schedule=("exp", 1.35), clip=5.0, batch=64, epochs=30, extend=0.0)),
        (T, "moons", "jsonl", "runaway lr: RMSprop 1e-3 x1.3 per epoch, grad clip 1", dict(hidden=(32, 32), opt="rmsprop", schedule=("exp", 1.3), clip=1.0, epochs=35, extend=0.0, seed=1)),
        (T, "breast_cancer", "tb-scalars", "runaway lr: SGD 0.01 x1.4 per epoch, grad clip 1", dict(hidden=(32,), opt="sgd", lr=0.01, schedule=("exp", 1.4), clip=1.0, epochs=25, extend=0.0, seed=2)),
        (T, "clf_5", "csv", "runaway lr: Adam 1e-3 x1.25 per epoch, grad clip 2", dict(hidden=(64, 64), schedule=("exp", 1.25), clip=2.0, epochs=40, extend=0.0, seed=3)),
        (K, "clf", "keras-csv", "Keras runaway lr: SGD 0.01 momentum 0.9 x1.4 per epoch, clipnorm 1", dict(hidden=(64, 64), opt="sgd", lr=0.01, momentum=0.9, schedule=("exp", 1.4), clip=1.0, epochs=25, extend=0.0, seed=1)),
        (K, "digits", "keras-json", "Keras runaway lr: Adam 1e-3 x1.35 per epoch, clipnorm 1", dict(hidden=(64,), schedule=("exp", 1.35), clip=1.0, batch=64, epochs=25, extend=0.0, seed=2)),
        (K, "breast_cancer", "keras-csv", "Keras runaway lr: RMSprop 1e-3 x1.3 per epoch", dict(hidden=(32,), opt="rmsprop", schedule=("exp", 1.3), epochs=30, extend=0.0, seed=3)),
        (K, "wine", "keras-json", "Keras runaway lr: SGD 0.05 x1.4 per epoch, clipnorm 1", dict(hidden=(32,), opt="sgd", lr=0.05, schedule=("exp", 1.4), clip=1.0, batch=16, epochs=25, extend=0.0, seed=4)),
    ],
    "non_finite": [
        (T, "breast_cancer", "csv", "hand-written BCE -(y log p + (1-y) log(1-p)), Adam 0.05: log(0) once sigmoid saturates", dict(hidden=(64, 64), lr=0.05, naive_loss=True, epochs=30, extend=0.0)),
        (T, "friedman", "tb-scalar", "SGD 0.01 with a runaway warmup (lr x1.6 per epoch)", dict(hidden=(64,), opt="sgd", lr=0.01, momentum=0.9, schedule=("exp", 1.6), epochs=25, extend=0.0)),
        (T, "breast_cancer", "jsonl", "NaN cells in the inputs", dict(hidden=(32,), epochs=15, extend=0.0, fault=dict(nan_inputs=0.002))),
        (T, "clf_5", "tb-scalars", "Adam with a runaway warmup (lr x2 per epoch from 1e-3)", dict(hidden=(64, 64), schedule=("exp", 2.0), epochs=30, extend=0.0, seed=1)),
        (T, "diabetes", "jsonl", "unscaled target (25..346) and a runaway warmup (SGD 1e-5 x1.5 per epoch)", dict(hidden=(16,), opt="sgd", lr=1e-5, schedule=("exp", 1.5), epochs=30, extend=0.0, seed=2, fault=dict(raw_target=True))),
        (T, "digits", "csv", "SGD momentum 0.9, lr x1.5 per epoch from 0.01, 40 epochs", dict(hidden=(64,), opt="sgd", lr=0.01, momentum=0.9, schedule=("exp", 1.5), epochs=40, extend=0.0, seed=3)),
        (T, "moons", "tb-scalar", "hand-written BCE on sigmoid outputs, SGD 1.0 momentum 0.9: log(0)", dict(hidden=(64,), opt="sgd", lr=1.0, momentum=0.9, naive_loss=True, epochs=40, extend=0.0, seed=4)),
        (K, "clf_5", "keras-json", "Keras NaN cells in the inputs, 5 classes", dict(hidden=(32,), epochs=10, extend=0.0, seed=1, fault=dict(nan_inputs=0.001))),
        (K, "friedman", "keras-csv", "Keras SGD momentum 0.9, lr x1.6 per epoch (runaway warmup)", dict(hidden=(64,), opt="sgd", lr=0.01, momentum=0.9, schedule=("exp", 1.6), epochs=25, extend=0.0, seed=2)),
        (K, "diabetes", "keras-json", "Keras unscaled target (25..346), SGD 1e-5 x1.5 per epoch (runaway warmup)", dict(hidden=(16,), opt="sgd", lr=1e-5, schedule=("exp", 1.5), epochs=25, extend=0.0, seed=3, fault=dict(raw_target=True))),
        (T, "clf_55", "jsonl", "hand-written BCE on sigmoid outputs, Adam 0.1: log(0)", dict(hidden=(64, 64), lr=0.1, naive_loss=True, epochs=30, extend=0.0, seed=5)),
        (K, "friedman", "keras-json", "Keras unscaled target, SGD 1e-3 x1.5 per epoch (runaway warmup)", dict(hidden=(32,), opt="sgd", lr=1e-3, schedule=("exp", 1.5), epochs=25, extend=0.0, seed=6)),
    ],
    "oscillating": [
        (T, "moons", "csv", "batch 2, SGD 0.3", dict(hidden=(32,), opt="sgd", lr=0.3, batch=2, epochs=20, extend=0.5, seed=4)),
        (T, "moons", "tb-scalar", "batch 1, SGD 0.2", dict(hidden=(32,), opt="sgd", lr=0.2, batch=1, epochs=25, extend=0.5, seed=1)),
        (T, "moons", "jsonl", "batch 2, SGD 0.3, 2x16", dict(hidden=(16, 16), opt="sgd", lr=0.3, batch=2, epochs=20, extend=0.5, seed=2, fault=dict(n_train=250))),
        (T, "circles", "tb-scalars", "batch 1, SGD 0.2", dict(hidden=(32,), opt="sgd", lr=0.2, batch=1, epochs=15, extend=0.5, seed=5)),
        (T, "clf", "csv", "batch 2, SGD 0.3", dict(hidden=(32,), opt="sgd", lr=0.3, batch=2, epochs=25, extend=0.5, seed=4)),
        (T, "iris", "jsonl", "batch 1, SGD 0.5", dict(hidden=(16,), opt="sgd", lr=0.5, batch=1, epochs=40, extend=0.5, seed=5)),
        (K, "wine", "keras-csv", "Keras batch 2, SGD 0.3", dict(hidden=(16,), opt="sgd", lr=0.3, batch=2, epochs=20, extend=0.5, seed=1)),
        (K, "iris", "keras-json", "Keras batch 1, SGD 0.3", dict(hidden=(16,), opt="sgd", lr=0.3, batch=1, epochs=20, extend=0.5, seed=2)),
        (K, "moons", "keras-csv", "Keras batch 4, RMSprop 0.05", dict(hidden=(32,), opt="rmsprop", lr=0.05, batch=4, epochs=20, extend=0.5, seed=3)),
        (T, "clf_55", "jsonl", "batch 2, SGD 0.3, 15 epochs", dict(hidden=(32,), opt="sgd", lr=0.3, batch=2, epochs=15, extend=0.5, seed=6)),
        (K, "iris", "keras-csv", "Keras batch 1, SGD 0.5", dict(hidden=(16,), opt="sgd", lr=0.5, batch=1, epochs=20, extend=0.5, seed=7)),
        (T, "digits", "csv", "batch 2, SGD 0.1", dict(hidden=(32,), opt="sgd", lr=0.1, batch=2, epochs=10, extend=0.5, seed=8, fault=dict(n_train=600))),
        (K, "moons", "keras-json", "Keras batch 2, SGD 0.3, 200 train rows", dict(hidden=(32,), opt="sgd", lr=0.3, batch=2, epochs=15, extend=0.5, seed=9, fault=dict(n_train=200))),
    ],
    "val_not_improving": [
        (T, "breast_cancer", "csv", "val labels from another labelling (permuted)", dict(hidden=(32,), wd=1e-3, epochs=40, extend=0.5, fault=dict(val_shuffled=True))),
        (T, "digits", "tb-scalar", "val labels permuted, 10 classes", dict(hidden=(64,), wd=1e-3, batch=64, epochs=30, extend=0.5, fault=dict(val_shuffled=True))),
        (T, "wine", "jsonl", "val labels permuted, 3 classes", dict(hidden=(16,), wd=1e-3, batch=16, epochs=60, extend=0.5, seed=1, fault=dict(val_shuffled=True))),
        (T, "clf", "tb-scalars", "val labels permuted", dict(hidden=(32,), wd=1e-3, epochs=40, extend=0.5, seed=2, fault=dict(val_shuffled=True))),
        (T, "friedman", "csv", "regression, val targets permuted", dict(hidden=(64,), epochs=40, extend=0.5, seed=3, fault=dict(val_shuffled=True))),
        (K, "breast_cancer", "keras-csv", "Keras val labels permuted", dict(hidden=(32,), wd=1e-3, epochs=30, extend=0.5, seed=1, fault=dict(val_shuffled=True))),
        (K, "digits", "keras-json", "Keras val labels permuted, 10 classes", dict(hidden=(64,), wd=1e-3, batch=64, epochs=20, extend=0.5, seed=2, fault=dict(val_shuffled=True))),
        (K, "moons", "keras-csv", "Keras val labels permuted", dict(hidden=(32, 32), wd=1e-3, epochs=40, extend=0.5, seed=3, fault=dict(val_shuffled=True))),
        (K, "clf_5", "keras-json", "Keras val labels permuted, 5 classes", dict(hidden=(32,), wd=1e-3, batch=64, epochs=30, extend=0.5, seed=4, fault=dict(val_shuffled=True))),
        (T, "iris", "tb-scalars", "val labels permuted, 3 classes", dict(hidden=(16,), wd=1e-3, batch=16, epochs=60, extend=0.5, seed=5, fault=dict(val_shuffled=True))),
        (K, "wine", "keras-csv", "Keras val labels permuted, 3 classes", dict(hidden=(16,), wd=1e-3, batch=16, epochs=40, extend=0.5, seed=6, fault=dict(val_shuffled=True))),
    ],
    "suspicious_validation": [
        (T, "clf", "csv", "val = clean copies of train rows, 20% train label noise, dropout 0.3", dict(hidden=(32,), dropout=0.3, wd=1e-3, epochs=30, extend=0.5, fault=dict(label_noise=0.2, val_from_train=200))),
        (T, "breast_cancer", "tb-scalar", "val = clean train rows, 20% label noise", dict(hidden=(32,), dropout=0.3, wd=1e-3, epochs=30, extend=0.5, fault=dict(label_noise=0.2, val_from_train=120))),
        (T, "moons", "jsonl", "val = clean train rows, 20% label noise", dict(hidden=(32,), dropout=0.2, wd=1e-3, epochs=40, extend=0.5, seed=1, fault=dict(label_noise=0.2, val_from_train=150))),
        (T, "digits", "tb-scalars", "val = clean train rows, 30% label noise, 10 classes", dict(hidden=(64,), dropout=0.3, wd=1e-3, batch=64, epochs=25, extend=0.5, seed=2, fault=dict(label_noise=0.3, val_from_train=300))),
        (T, "circles", "csv", "val = clean train rows, 20% label noise", dict(hidden=(32, 32), dropout=0.2, wd=1e-3, lr=3e-3, epochs=40, extend=0.5, seed=3, fault=dict(label_noise=0.2, val_from_train=150))),
        (K, "clf", "keras-csv", "Keras val = clean train rows, 20% label noise", dict(hidden=(32,), dropout=0.3, wd=1e-3, epochs=25, extend=0.5, seed=1, fault=dict(label_noise=0.2, val_from_train=200))),
        (K, "wine", "keras-json", "Keras val = clean train rows, 20% label noise", dict(hidden=(16,), dropout=0.3, wd=1e-3, lr=3e-3, batch=16, epochs=40, extend=0.5, seed=2, fault=dict(label_noise=0.2, val_from_train=60))),
        (K, "moons", "keras-csv", "Keras val = clean train rows, 20% label noise", dict(hidden=(32,), dropout=0.2, wd=1e-3, lr=3e-3, epochs=30, extend=0.5, seed=3, fault=dict(label_noise=0.2, val_from_train=150))),
        (K, "clf_5", "keras-json", "Keras val = clean train rows, 30% label noise, 5 classes", dict(hidden=(32,), dropout=0.3, wd=1e-3, batch=64, epochs=25, extend=0.5, seed=4, fault=dict(label_noise=0.3, val_from_train=200))),
        (T, "clf_55", "csv", "val = clean train rows, 20% label noise", dict(hidden=(32,), dropout=0.3, wd=1e-3, epochs=30, extend=0.5, seed=5, fault=dict(label_noise=0.2, val_from_train=200))),
        (T, "clf_5", "jsonl", "val = clean train rows, 30% label noise, 5 classes", dict(hidden=(64,), dropout=0.3, wd=1e-3, epochs=30, extend=0.5, seed=6, fault=dict(label_noise=0.3, val_from_train=250))),
        (K, "breast_cancer", "keras-csv", "Keras val = clean train rows, 20% label noise", dict(hidden=(32,), dropout=0.3, wd=1e-3, epochs=30, extend=0.5, seed=7, fault=dict(label_noise=0.2, val_from_train=120))),
        (T, "moons", "jsonl", "val = clean train rows, 20% label noise, 2x32", dict(hidden=(32, 32), dropout=0.2, wd=1e-3, lr=3e-3, epochs=30, extend=0.5, seed=8, fault=dict(label_noise=0.2, val_from_train=150))),
        (K, "digits", "keras-json", "Keras val = clean train rows, 30% label noise, 10 classes", dict(hidden=(64,), dropout=0.3, wd=1e-3, batch=64, epochs=25, extend=0.5, seed=9, fault=dict(label_noise=0.3, val_from_train=300))),
        (T, "iris", "csv", "val = clean train rows, 20% label noise, 3 classes", dict(hidden=(16,), dropout=0.2, wd=1e-3, lr=3e-3, batch=16, epochs=60, extend=0.5, seed=10, fault=dict(label_noise=0.2, val_from_train=60))),
    ],
    "lr_too_high": [
        (T, "breast_cancer", "csv", "Adam lr 0.05, 2x64", dict(hidden=(64, 64), lr=0.05, epochs=40, extend=0.0, ref=dict(lr=0.003))),
        (T, "digits", "tb-scalar", "Adam lr 0.03", dict(hidden=(64,), lr=0.03, batch=64, epochs=30, extend=0.0, ref=dict(lr=0.002))),
        (T, "clf", "jsonl", "Adam lr 0.1, 2x64", dict(hidden=(64, 64), lr=0.1, epochs=30, extend=0.0, seed=1, ref=dict(lr=0.005))),
        (T, "moons", "tb-scalars", "SGD lr 1.0 momentum 0.9", dict(hidden=(32,), opt="sgd", lr=1.0, momentum=0.9, epochs=40, extend=0.0, seed=2, ref=dict(lr=0.05))),
        (T, "wine", "csv", "Adam lr 0.1", dict(hidden=(32,), lr=0.1, batch=16, epochs=40, extend=0.0, seed=3, ref=dict(lr=0.005))),
        (T, "clf_5", "jsonl", "RMSprop lr 0.05", dict(hidden=(64,), opt="rmsprop", lr=0.05, epochs=30, extend=0.0, seed=4, ref=dict(lr=0.002))),
        (K, "clf", "keras-csv", "Keras Adam lr 0.05", dict(hidden=(64, 64), lr=0.05, epochs=25, extend=0.0, seed=1, ref=dict(lr=0.003))),
        (K, "digits", "keras-json", "Keras Adam lr 0.03", dict(hidden=(64,), lr=0.03, batch=64, epochs=20, extend=0.0, seed=2, ref=dict(lr=0.002))),
        (K, "breast_cancer", "keras-csv", "Keras RMSprop lr 0.05", dict(hidden=(64,), opt="rmsprop", lr=0.05, epochs=25, extend=0.0, seed=3, ref=dict(lr=0.002))),
        (T, "circles", "jsonl", "Adam lr 0.05, 2x64", dict(hidden=(64, 64), lr=0.05, epochs=40, extend=0.0, seed=5, ref=dict(lr=0.003))),
        (T, "friedman", "csv", "Adam lr 0.05 on a regression MLP", dict(hidden=(64, 64), lr=0.05, epochs=40, extend=0.0, seed=6, ref=dict(lr=0.002))),
        (K, "moons", "keras-json", "Keras Adam lr 0.1, 2x64", dict(hidden=(64, 64), lr=0.1, epochs=30, extend=0.0, seed=7, ref=dict(lr=0.003))),
        (K, "clf_5", "keras-csv", "Keras RMSprop lr 0.03", dict(hidden=(64,), opt="rmsprop", lr=0.03, epochs=25, extend=0.0, seed=8, ref=dict(lr=0.001))),
        (T, "digits", "csv", "Adam lr 0.05, 2x64", dict(hidden=(64, 64), lr=0.05, batch=64, epochs=30, extend=0.0, seed=9, ref=dict(lr=0.002))),
        (K, "wine", "keras-csv", "Keras Adam lr 0.1", dict(hidden=(32, 32), lr=0.1, batch=16, epochs=40, extend=0.0, seed=10, ref=dict(lr=0.003))),
    ],
    "lr_too_low": [
        (T, "breast_cancer", "csv", "SGD lr 1e-3, batch 64", dict(hidden=(32,), opt="sgd", lr=1e-3, batch=64, epochs=50, extend=0.0, ref=dict(lr=1e-1))),
        (T, "digits", "tb-scalar", "SGD lr 3e-4", dict(hidden=(32,), opt="sgd", lr=3e-4, epochs=50, extend=0.0, ref=dict(lr=3e-2))),
        (T, "clf", "jsonl", "SGD lr 1e-4, batch 16, 80 epochs", dict(hidden=(32,), opt="sgd", lr=1e-4, batch=16, epochs=80, extend=0.0, seed=1, ref=dict(lr=1e-2))),
        (T, "moons", "tb-scalars", "SGD lr 3e-4, 100 epochs", dict(hidden=(32,), opt="sgd", lr=3e-4, epochs=100, extend=0.0, seed=2, ref=dict(lr=3e-2))),
        (T, "wine", "csv", "Adam lr 1e-5", dict(hidden=(16,), lr=1e-5, batch=16, epochs=60, extend=0.0, seed=3, ref=dict(lr=1e-3))),
        (T, "friedman", "jsonl", "SGD lr 1e-4 regression", dict(hidden=(32,), opt="sgd", lr=1e-4, epochs=60, extend=0.0, seed=4, ref=dict(lr=1e-2))),
        (K, "breast_cancer", "keras-csv", "Keras SGD lr 1e-4", dict(hidden=(32,), opt="sgd", lr=1e-4, epochs=30, extend=0.0, seed=1, ref=dict(lr=1e-2))),
        (K, "digits", "keras-json", "Keras SGD lr 1e-4", dict(hidden=(32,), opt="sgd", lr=1e-4, batch=32, epochs=20, extend=0.0, seed=2, ref=dict(lr=1e-2))),
        (K, "clf", "keras-csv", "Keras Adam lr 1e-5", dict(hidden=(32,), lr=1e-5, epochs=30, extend=0.0, seed=3, ref=dict(lr=1e-3))),
        (K, "moons", "keras-json", "Keras SGD lr 1e-3", dict(hidden=(32,), opt="sgd", lr=1e-3, epochs=40, extend=0.0, seed=5, ref=dict(lr=1e-1))),
        (T, "clf_5", "tb-scalars", "SGD lr 1e-3, 60 epochs", dict(hidden=(64,), opt="sgd", lr=1e-3, epochs=60, extend=0.0, seed=6, ref=dict(lr=1e-1))),
    ],
}


#: Runs added on 2026-11-23 after the first score: numbered after PLAN's rows of the same code,
#: new dataset variants and seeds (20+), and always in the tune split (the holdout stays comparable).
ADDED_TUNE: dict[str, list[tuple]] = {
    "lr_too_high": [
        (T, "clf_3", "csv", "Adam lr 0.05, 2x64, 3 noisy classes", dict(hidden=(64, 64), lr=0.05, epochs=30, extend=0.0, seed=21, ref=dict(lr=0.002))),
        (T, "moons_35", "jsonl", "RMSprop lr 0.1 on noisy moons", dict(hidden=(64,), opt="rmsprop", lr=0.1, epochs=40, extend=0.0, seed=22, ref=dict(lr=0.001))),
        (T, "bc_sub", "tb-scalar", "Adam lr 0.08, 2x64, breast_cancer on 6 weak features", dict(hidden=(64, 64), lr=0.08, epochs=25, extend=0.0, seed=23, ref=dict(lr=0.003))),
        (T, "digits", "tb-scalars", "SGD lr 0.2 momentum 0.9 (near the stability edge)", dict(hidden=(64,), opt="sgd", lr=0.2, momentum=0.9, epochs=20, extend=0.0, seed=24, ref=dict(lr=0.02))),
        (K, "clf_hard", "keras-csv", "Keras Adam lr 0.05, 2x64, 12% flipped labels", dict(hidden=(64, 64), lr=0.05, epochs=20, extend=0.0, seed=25, ref=dict(lr=0.002))),
        (K, "clf_3", "keras-json", "Keras RMSprop lr 0.05, 15 epochs", dict(hidden=(64,), opt="rmsprop", lr=0.05, epochs=15, extend=0.0, seed=26, ref=dict(lr=0.001))),
        (T, "clf_hard", "csv", "SGD lr 0.5 momentum 0.9, batch 16, 12% flipped labels", dict(hidden=(32,), opt="sgd", lr=0.5, momentum=0.9, batch=16, epochs=25, extend=0.0, seed=27, ref=dict(lr=0.02))),
        (K, "digits", "keras-csv", "Keras Adam lr 0.01, 2x128, 12 epochs", dict(hidden=(128, 128), lr=0.01, epochs=12, extend=0.0, seed=28, ref=dict(lr=0.001))),
        (T, "circles", "jsonl", "Adam lr 0.1, 2x32", dict(hidden=(32, 32), lr=0.1, epochs=30, extend=0.0, seed=29, ref=dict(lr=0.003))),
        (T, "clf_3", "tb-scalar", "RMSprop lr 0.05, 3 noisy classes, 15 epochs", dict(hidden=(64,), opt="rmsprop", lr=0.05, epochs=15, extend=0.0, seed=30, ref=dict(lr=0.001))),
        (T, "clf", "csv", "Adam lr 0.1, 2x32, 20 epochs", dict(hidden=(32, 32), lr=0.1, epochs=20, extend=0.0, seed=82, ref=dict(lr=0.003))),
        (T, "circles", "jsonl", "RMSprop lr 0.05, 2x32, 25 epochs", dict(hidden=(32, 32), opt="rmsprop", lr=0.05, epochs=25, extend=0.0, seed=84, ref=dict(lr=0.001))),
        (K, "digits", "keras-json", "Keras RMSprop lr 0.01, 128 units, 10 epochs", dict(hidden=(128,), opt="rmsprop", lr=0.01, epochs=10, extend=0.0, seed=85, ref=dict(lr=0.0005))),
        (K, "clf_3", "keras-csv", "Keras RMSprop lr 0.1, 3 noisy classes, 20 epochs", dict(hidden=(64,), opt="rmsprop", lr=0.1, epochs=20, extend=0.0, seed=86, ref=dict(lr=0.001))),
        (K, "circles", "keras-json", "Keras Adam lr 0.1, 2x32, 25 epochs", dict(hidden=(32, 32), lr=0.1, epochs=25, extend=0.0, seed=87, ref=dict(lr=0.003))),
    ],
    "oscillating": [
        (T, "moons_35", "csv", "batch 1, SGD 0.5, noisy moons", dict(hidden=(32,), opt="sgd", lr=0.5, batch=1, epochs=15, extend=0.5, seed=31)),
        (T, "clf_hard", "jsonl", "batch 1, SGD 0.2, 300 train rows, 10 epochs", dict(hidden=(32,), opt="sgd", lr=0.2, batch=1, epochs=10, extend=0.5, seed=32, fault=dict(n_train=300))),
        (K, "bc_sub", "keras-csv", "Keras batch 2, SGD 0.4", dict(hidden=(16,), opt="sgd", lr=0.4, batch=2, epochs=20, extend=0.5, seed=33)),
        (T, "clf_3", "tb-scalar", "batch 4, SGD 0.5", dict(hidden=(32,), opt="sgd", lr=0.5, batch=4, epochs=15, extend=0.5, seed=34)),
        (K, "moons_35", "keras-json", "Keras batch 1, SGD 0.3, 200 train rows", dict(hidden=(32,), opt="sgd", lr=0.3, batch=1, epochs=12, extend=0.5, seed=35, fault=dict(n_train=200))),
        (T, "wine", "tb-scalars", "batch 1, SGD 0.15", dict(hidden=(16,), opt="sgd", lr=0.15, batch=1, epochs=30, extend=0.5, seed=36)),
        (T, "iris", "csv", "batch 2, SGD 0.6", dict(hidden=(16,), opt="sgd", lr=0.6, batch=2, epochs=40, extend=0.5, seed=37)),
    ],
    "overfitting": [
        (T, "clf_hard", "csv", "2x256 on 150 noisy rows, Adam 3e-3, 60 epochs", dict(hidden=(256, 256), lr=3e-3, batch=16, epochs=60, extend=0.0, seed=41, fault=dict(n_train=150))),
        (T, "bc_sub", "jsonl", "2x128 on 100 rows, 10% label noise, batch 8, 80 epochs", dict(hidden=(128, 128), lr=3e-3, batch=8, epochs=80, extend=0.0, seed=42, fault=dict(n_train=100, label_noise=0.1))),
        (T, "clf_3", "tb-scalar", "2x256 on 200 rows, 50 epochs", dict(hidden=(256, 256), lr=3e-3, batch=16, epochs=50, extend=0.0, seed=43, fault=dict(n_train=200))),
        (K, "moons_35", "keras-csv", "Keras 2x256 on 80 rows, 100 epochs", dict(hidden=(256, 256), lr=3e-3, batch=16, epochs=100, extend=0.0, seed=44, fault=dict(n_train=80))),
        (K, "clf_3", "keras-json", "Keras 2x256 on 150 rows, 3 noisy classes, 40 epochs", dict(hidden=(256, 256), lr=1e-3, batch=16, epochs=40, extend=0.0, seed=45, fault=dict(n_train=150))),
        (T, "moons_35", "tb-scalars", "2x256 on 60 noisy-moons rows, batch 8, 100 epochs", dict(hidden=(256, 256), lr=3e-3, batch=8, epochs=100, extend=0.0, seed=46, fault=dict(n_train=60))),
        (T, "digits", "csv", "256 units on 120 rows, 30% label noise, batch 8, 40 epochs", dict(hidden=(256,), lr=3e-3, batch=8, epochs=40, extend=0.0, seed=47, fault=dict(n_train=120, label_noise=0.3))),
        (K, "wine", "keras-json", "Keras 2x128, 25% label noise, batch 8, 60 epochs", dict(hidden=(128, 128), lr=3e-3, batch=8, epochs=60, extend=0.0, seed=48, fault=dict(label_noise=0.25))),
        (T, "clf_hard", "jsonl", "2x256 Adam 1e-2 on 100 rows, batch 8, 15 epochs", dict(hidden=(256, 256), lr=1e-2, batch=8, epochs=15, extend=0.0, seed=49, fault=dict(n_train=100))),
    ],
    "suspicious_validation": [
        (T, "moons", "csv", "val = clean train rows, 20% label noise, Adam 3e-3", dict(hidden=(16,), lr=3e-3, wd=1e-3, epochs=30, extend=0.5, seed=51, fault=dict(label_noise=0.2, val_from_train=150))),
        (T, "moons_35", "jsonl", "val = clean train rows, 20% label noise, noisy moons", dict(hidden=(32,), wd=1e-3, epochs=40, extend=0.5, seed=52, fault=dict(label_noise=0.2, val_from_train=150))),
        (T, "bc_sub", "tb-scalar", "val = clean train rows, 20% label noise, weak features, Adam 1e-2", dict(hidden=(16,), lr=1e-2, wd=1e-3, epochs=30, extend=0.5, seed=53, fault=dict(label_noise=0.2, val_from_train=120))),
        (K, "moons_35", "keras-csv", "Keras val = clean train rows, 20% label noise, noisy moons, Adam 3e-3", dict(hidden=(16,), lr=3e-3, wd=1e-3, epochs=30, extend=0.5, seed=54, fault=dict(label_noise=0.2, val_from_train=150))),
        (T, "bc_sub", "jsonl", "val = clean train rows, 20% label noise, weak features, Adam 1e-2, 25 epochs", dict(hidden=(16,), lr=1e-2, wd=1e-3, epochs=25, extend=0.5, seed=55, fault=dict(label_noise=0.2, val_from_train=120))),
        (T, "circles", "tb-scalars", "val = clean train rows, 20% label noise, Adam 1e-2, 30 epochs", dict(hidden=(32,), lr=1e-2, wd=1e-3, epochs=30, extend=0.5, seed=56, fault=dict(label_noise=0.2, val_from_train=150))),
        (T, "moons_35", "csv", "val = clean train rows, 20% label noise, Adam 1e-2, 25 epochs", dict(hidden=(16,), lr=1e-2, wd=1e-3, epochs=25, extend=0.5, seed=57, fault=dict(label_noise=0.2, val_from_train=150))),
        (K, "bc_sub", "keras-json", "Keras val = clean train rows, 25% label noise, Adam 3e-3", dict(hidden=(16,), lr=3e-3, wd=1e-3, epochs=30, extend=0.5, seed=58, fault=dict(label_noise=0.25, val_from_train=120))),
    ],
    "underfitting": [
        (T, "circles", "csv", "linear model on circles, Adam 0.05, 12 epochs", dict(hidden=(), lr=0.05, epochs=12, extend=1.0, seed=61, ref=dict(hidden=(64, 64)))),
        (T, "digits", "tb-scalar", "Adam with weight decay 0.1 (too much L2)", dict(hidden=(32,), lr=1e-2, wd=0.1, batch=64, epochs=60, extend=1.0, seed=62, ref=dict(wd=0.0))),
        (K, "digits", "keras-json", "Keras 16 units, L2 0.2 (too much)", dict(hidden=(16,), lr=1e-2, wd=0.2, batch=64, epochs=60, extend=1.0, seed=63, ref=dict(wd=0.0))),
        (T, "digits", "jsonl", "3 hidden units for 10 classes", dict(hidden=(3,), lr=1e-2, epochs=60, extend=1.0, seed=64, ref=dict(hidden=(64, 64)))),
        (K, "circles", "keras-csv", "Keras 2 hidden units on circles, Adam 3e-2, 100 epochs", dict(hidden=(2,), lr=3e-2, epochs=100, extend=1.0, seed=65, ref=dict(hidden=(64, 64)))),
        (T, "friedman", "tb-scalars", "1 hidden unit on a nonlinear regression", dict(hidden=(1,), lr=1e-2, epochs=80, extend=1.0, seed=66, ref=dict(hidden=(64, 64)))),
        (T, "wine", "csv", "Adam with weight decay 0.3, 40 epochs", dict(hidden=(16,), lr=1e-2, wd=0.3, batch=16, epochs=40, extend=1.0, seed=67, ref=dict(wd=0.0))),
        (K, "friedman", "keras-json", "Keras linear regression on a nonlinear target, 15 epochs", dict(hidden=(), lr=0.05, epochs=15, extend=1.0, seed=68, ref=dict(hidden=(64, 64)))),
    ],
    "healthy": [
        (T, "bc_sub", "csv", "Adam 1e-2, wd 1e-3, early stopping, weak features (~87% tops)", dict(hidden=(16,), lr=1e-2, wd=1e-3, epochs=200, patience=8, extend=1.0, seed=71)),
        (T, "clf_3", "jsonl", "AdamW 1e-3, dropout 0.2, early stopping, 3 noisy classes", dict(hidden=(32,), opt="adamw", dropout=0.2, epochs=200, patience=8, extend=1.0, seed=72)),
        (K, "moons_35", "keras-json", "Keras Adam 1e-2, 2x16, EarlyStopping restore_best, noisy moons", dict(hidden=(16, 16), lr=1e-2, epochs=150, patience=6, extend=1.0, seed=73)),
        (T, "moons_35", "tb-scalar", "Adam 1e-2, wd 1e-3, 60 epochs, noisy moons", dict(hidden=(16,), lr=1e-2, wd=1e-3, epochs=60, extend=1.0, seed=74)),
        (K, "bc_sub", "keras-csv", "Keras Adam 3e-3, L2 1e-3, EarlyStopping, weak features", dict(hidden=(16,), lr=3e-3, wd=1e-3, epochs=200, patience=5, extend=1.0, seed=75)),
    ],
}


def all_specs() -> list[Spec]:
    out = []
    for code, rows in PLAN.items():
        for i, (fw, ds, fmt, plant, kw) in enumerate(rows):
            if code == "diverging" and "ref" not in kw:
                # causal check for lr_too_high: does a much lower lr do clearly better?
                kw = {**kw, "ref": {"lr": kw.get("lr", 1e-3) / 30}}
            out.append(Spec(id=f"{code}-{i:02d}", intent=code, fw=fw, dataset=ds, fmt=fmt, plant=plant, **kw))
    for code, rows in ADDED_TUNE.items():
        start = len(PLAN.get(code, []))
        for i, (fw, ds, fmt, plant, kw) in enumerate(rows, start):
            out.append(Spec(id=f"{code}-{i:02d}", intent=code, fw=fw, dataset=ds, fmt=fmt, plant=plant,
                            split="tune", **kw))
    for code, rows in ADDED_FORMATS.items():
        for i, (fw, ds, fmt, plant, kw) in enumerate(rows):
            out.append(Spec(id=f"{code}-f{i:02d}", intent=code, fw=fw, dataset=ds, fmt=fmt, plant=plant,
                            split="formats", **kw))
    for code, rows in ADDED_CONSOLE.items():  # numbered after the code's ADDED_FORMATS rows
        for i, (fw, ds, fmt, plant, kw) in enumerate(rows, len(ADDED_FORMATS.get(code, []))):
            out.append(Spec(id=f"{code}-f{i:02d}", intent=code, fw=fw, dataset=ds, fmt=fmt, plant=plant,
                            split="formats", **kw))
    return out


#: Runs added on 2026-11-23 whose logs come from step-logging tools: Lightning's CSVLogger
#: (``lightning``), a Hugging Face ``TrainerState`` (``hf``) and an MLflow file store
#: (``mlflow``), train loss per optimizer step (see logs.write_steps). Plants reuse PLAN
#: settings that showed their code, with new seeds (100+). Ids ``<code>-f<nn>``; split
#: ``formats``: never tuned on, scored with ``score_diagnosis.py --split formats``.
ADDED_FORMATS: dict[str, list[tuple]] = {
    "healthy": [
        (T, "breast_cancer", "lightning", "Adam 1e-3, dropout 0.2, wd 1e-4, settles", dict(hidden=(32,), dropout=0.2, wd=1e-4, epochs=60, seed=100)),
        (T, "wine", "lightning", "Adam 3e-3, small MLP, wd 1e-3, settles", dict(hidden=(16,), lr=3e-3, batch=16, epochs=80, wd=1e-3, seed=101)),
        (T, "clf", "lightning", "Adam 1e-3, dropout 0.3, wd 1e-3, early stopping patience 8", dict(hidden=(64,), dropout=0.3, wd=1e-3, batch=32, epochs=300, patience=8, seed=102)),
        (T, "iris", "hf", "Adam 1e-2, wd 1e-3, settles", dict(hidden=(16,), lr=1e-2, batch=16, epochs=150, wd=1e-3, seed=110)),
        (T, "clf_5", "hf", "AdamW 1e-3, EarlyStoppingCallback patience 8", dict(hidden=(64,), opt="adamw", batch=64, epochs=200, patience=8, seed=111)),
        (T, "circles", "mlflow", "Adam 1e-2, 2x16, wd 1e-3, settles", dict(hidden=(16, 16), lr=1e-2, wd=1e-3, epochs=120, seed=120)),
        (T, "breast_cancer", "mlflow", "Adam 1e-3, wd 1e-3, early stopping patience 10", dict(hidden=(16,), wd=1e-3, epochs=300, patience=10, seed=121)),
        # replaces healthy-f01 (dropped by the oracle)
        (T, "digits", "lightning", "Adam 1e-3, dropout 0.3, early stopping patience 6", dict(hidden=(64,), dropout=0.3, batch=64, epochs=200, patience=6, seed=131)),
    ],
    "still_improving": [
        (T, "digits", "hf", "Adam 1e-3, stopped after 6 epochs", dict(hidden=(32,), batch=64, epochs=6, seed=112, ref=dict(lr=1e-2))),
        (T, "breast_cancer", "mlflow", "SGD 0.01 momentum 0.5, stopped after 15 epochs", dict(hidden=(16,), opt="sgd", lr=0.01, momentum=0.5, epochs=15, seed=122, ref=dict(lr=0.1))),
    ],
    "overfitting": [
        (T, "clf_noisy", "lightning", "2x256 MLP, 200 noisy train rows, no regularization, 100 epochs", dict(hidden=(256, 256), batch=16, epochs=100, extend=0.0, seed=103, fault=dict(n_train=200))),
        (T, "digits", "hf", "2x128 MLP on 150 train rows, 15% label noise, 150 epochs", dict(hidden=(128, 128), lr=3e-3, batch=16, epochs=150, extend=0.0, seed=113, fault=dict(n_train=150, label_noise=0.15))),
    ],
    "plateau": [
        (T, "digits", "lightning", "SGD 0.05 with lr x0.5 per epoch: lr ~0 after 10 epochs", dict(hidden=(32,), opt="sgd", lr=0.05, schedule=("exp", 0.5), epochs=40, seed=104, ref=dict(schedule=None))),
        (T, "clf", "hf", "Adam 1e-3 with lr x0.4 per epoch", dict(hidden=(32,), schedule=("exp", 0.4), batch=64, epochs=30, seed=114, ref=dict(schedule=None))),
    ],
    "chance_level": [
        (T, "clf_55", "hf", "55/45 binary, labels shuffled (no signal), small regularized MLP", dict(hidden=(16,), wd=1e-2, epochs=30, seed=115, fault=dict(shuffle_labels=True))),
        (T, "iris", "mlflow", "3 classes, labels shuffled", dict(hidden=(8,), wd=1e-2, batch=16, epochs=40, seed=123, fault=dict(shuffle_labels=True))),
    ],
    "underfitting": [
        (T, "moons", "hf", "linear model (no hidden layer) on moons", dict(hidden=(), lr=1e-2, epochs=60, seed=116, ref=dict(hidden=(64, 64)))),
        (T, "clf_5", "mlflow", "1 hidden unit for 5 classes", dict(hidden=(1,), lr=1e-2, epochs=60, seed=124, ref=dict(hidden=(64, 64)))),
        # replaces underfitting-f00 (dropped by the oracle)
        (T, "digits", "hf", "3 hidden units for 10 classes", dict(hidden=(3,), lr=1e-2, epochs=60, extend=1.0, seed=132, ref=dict(hidden=(64, 64)))),
    ],
    "diverging": [
        (T, "clf", "lightning", "runaway lr: SGD 0.01 momentum 0.9, lr x1.3 per epoch, grad clip 1", dict(hidden=(64, 64), opt="sgd", lr=0.01, momentum=0.9, schedule=("exp", 1.3), clip=1.0, epochs=30, extend=0.0, seed=105, ref=dict(lr=0.01 / 30))),
        (T, "digits", "mlflow", "runaway lr: Adam 1e-3 x1.35 per epoch, grad clip 5", dict(hidden=(64,), schedule=("exp", 1.35), clip=5.0, batch=64, epochs=30, extend=0.0, seed=125, ref=dict(lr=1e-3 / 30))),
    ],
    "non_finite": [
        (T, "breast_cancer", "hf", "hand-written BCE -(y log p + (1-y) log(1-p)), Adam 0.05: log(0) once sigmoid saturates", dict(hidden=(64, 64), lr=0.05, naive_loss=True, epochs=30, extend=0.0, seed=117)),
        (T, "digits", "mlflow", "SGD momentum 0.9, lr x1.5 per epoch from 0.01, 40 epochs", dict(hidden=(64,), opt="sgd", lr=0.01, momentum=0.9, schedule=("exp", 1.5), epochs=40, extend=0.0, seed=126)),
        (T, "breast_cancer", "lightning", "NaN cells in the inputs", dict(hidden=(32,), epochs=15, extend=0.0, seed=134, fault=dict(nan_inputs=0.002))),
    ],
    "oscillating": [
        (T, "moons", "lightning", "batch 1, SGD 0.2", dict(hidden=(32,), opt="sgd", lr=0.2, batch=1, epochs=25, extend=0.5, seed=106)),
        (T, "iris", "hf", "batch 1, SGD 0.5", dict(hidden=(16,), opt="sgd", lr=0.5, batch=1, epochs=40, extend=0.5, seed=118)),
    ],
    "lr_too_high": [
        (T, "circles", "hf", "Adam lr 0.05, 2x64", dict(hidden=(64, 64), lr=0.05, epochs=40, extend=0.0, seed=119, ref=dict(lr=0.003))),
        (T, "moons", "mlflow", "SGD lr 1.0 momentum 0.9", dict(hidden=(32,), opt="sgd", lr=1.0, momentum=0.9, epochs=40, extend=0.0, seed=127, ref=dict(lr=0.05))),
        # lr_too_high-f00 showed oscillating only: one more on hf
        (T, "digits", "hf", "Adam lr 0.05, 2x64", dict(hidden=(64, 64), lr=0.05, batch=64, epochs=30, extend=0.0, seed=133, ref=dict(lr=0.002))),
    ],
    "lr_too_low": [
        (T, "breast_cancer", "lightning", "SGD lr 1e-3, batch 64", dict(hidden=(32,), opt="sgd", lr=1e-3, batch=64, epochs=50, extend=0.0, seed=107, ref=dict(lr=1e-1))),
        (T, "wine", "mlflow", "Adam lr 1e-5", dict(hidden=(16,), lr=1e-5, batch=16, epochs=60, extend=0.0, seed=128, ref=dict(lr=1e-3))),
    ],
    "suspicious_validation": [
        (T, "breast_cancer", "lightning", "val = clean train rows, 20% label noise", dict(hidden=(32,), dropout=0.3, wd=1e-3, epochs=30, extend=0.5, seed=108, fault=dict(label_noise=0.2, val_from_train=120))),
        (T, "circles", "mlflow", "val = clean train rows, 20% label noise, 2x32", dict(hidden=(32, 32), dropout=0.2, wd=1e-3, lr=3e-3, epochs=40, extend=0.5, seed=129, fault=dict(label_noise=0.2, val_from_train=150))),
    ],
    "val_not_improving": [
        (T, "digits", "lightning", "val labels permuted, 10 classes", dict(hidden=(64,), wd=1e-3, batch=64, epochs=30, extend=0.5, seed=109, fault=dict(val_shuffled=True))),
        (T, "friedman", "mlflow", "regression, val targets permuted", dict(hidden=(64,), epochs=40, extend=0.5, seed=130, fault=dict(val_shuffled=True))),
    ],
}


#: Runs added on 2026-11-24 whose log is what a Keras user has without any logger: the console
#: output of ``fit`` (``keras-console2``: verbose=2 through a pipe, ``fit.log``;
#: ``keras-console1``: verbose=1 on a pseudo-terminal, ``fit_v1.log``) or an executed notebook
#: (``notebook``: ``train.ipynb``, verbose=1 as the kernel streamed it). Keras's CSVLogger
#: writes ``training.log`` in the same fit (labels.json ``csv_path``), so a verdict on the
#: console log can be checked against the verdict on the CSV. Plants reuse Keras rows of
#: PLAN/ADDED_TUNE that showed their code, with new seeds (200+); split ``formats``.
ADDED_CONSOLE: dict[str, list[tuple]] = {
    "healthy": [
        (K, "wine", "keras-console2", "Keras Adam 1e-2, small MLP, settles", dict(hidden=(16,), lr=1e-2, batch=16, epochs=50, extend=1.0, seed=200)),
        (K, "moons", "keras-console2", "Keras Adam 1e-2, 2x32, settles", dict(hidden=(32, 32), lr=1e-2, epochs=50, extend=1.0, seed=201)),
        (K, "iris", "keras-console1", "Keras Adam 1e-2, EarlyStopping restore_best", dict(hidden=(16,), lr=1e-2, batch=16, epochs=200, patience=6, extend=1.0, seed=210)),
        (K, "bc_sub", "keras-console1", "Keras Adam 3e-3, L2 1e-3, EarlyStopping, weak features", dict(hidden=(16,), lr=3e-3, wd=1e-3, epochs=200, patience=5, extend=1.0, seed=211)),
        (K, "moons_35", "notebook", "Keras Adam 1e-2, 2x16, EarlyStopping restore_best, noisy moons", dict(hidden=(16, 16), lr=1e-2, epochs=150, patience=6, extend=1.0, seed=220)),
        (K, "breast_cancer", "notebook", "Keras Adam 3e-3, L2 1e-3, 2x16, EarlyStopping", dict(hidden=(16, 16), lr=3e-3, wd=1e-3, epochs=200, patience=5, extend=1.0, seed=221)),
        # keras-console1 again: healthy-f10 was dropped by the oracle, healthy-f11 showed still_improving
        (K, "wine", "keras-console1", "Keras Adam 1e-2, small MLP, settles", dict(hidden=(16,), lr=1e-2, batch=16, epochs=50, extend=1.0, seed=216)),
        (K, "moons", "keras-console1", "Keras Adam 1e-2, 2x32, settles", dict(hidden=(32, 32), lr=1e-2, epochs=50, extend=1.0, seed=217)),
        # healthy-f14 showed overfitting
        (K, "breast_cancer", "keras-console1", "Keras Adam 3e-3, L2 1e-3, 2x16, EarlyStopping", dict(hidden=(16, 16), lr=3e-3, wd=1e-3, epochs=200, patience=5, extend=1.0, seed=218)),
    ],
    "overfitting": [
        (K, "moons_35", "keras-console2", "Keras 2x256 on 80 rows, 100 epochs", dict(hidden=(256, 256), lr=3e-3, batch=16, epochs=100, extend=0.0, seed=202, fault=dict(n_train=80))),
    ],
    "diverging": [
        (K, "wine", "keras-console2", "Keras runaway lr: SGD 0.05 x1.4 per epoch, clipnorm 1", dict(hidden=(32,), opt="sgd", lr=0.05, schedule=("exp", 1.4), clip=1.0, batch=16, epochs=25, extend=0.0, seed=203, ref=dict(lr=0.05 / 30))),
    ],
    "lr_too_low": [
        (K, "moons", "keras-console2", "Keras SGD lr 1e-3", dict(hidden=(32,), opt="sgd", lr=1e-3, epochs=40, extend=0.0, seed=204, ref=dict(lr=1e-1))),
    ],
    "val_not_improving": [
        (K, "wine", "keras-console2", "Keras val labels permuted, 3 classes", dict(hidden=(16,), wd=1e-3, batch=16, epochs=40, extend=0.5, seed=205, fault=dict(val_shuffled=True))),
        # replaces val_not_improving-f02 (dropped by the oracle)
        (K, "breast_cancer", "keras-console2", "Keras val labels permuted", dict(hidden=(32,), wd=1e-3, epochs=30, extend=0.5, seed=206, fault=dict(val_shuffled=True))),
    ],
    "still_improving": [
        (K, "wine", "keras-console1", "Keras Adam 1e-3 stopped after 15 epochs", dict(hidden=(16,), epochs=15, seed=212)),
    ],
    "chance_level": [
        (K, "clf_55_wide", "keras-console1", "Keras 55/45 binary (30 features), labels shuffled", dict(hidden=(16,), batch=64, epochs=20, seed=213, fault=dict(shuffle_labels=True))),
    ],
    "non_finite": [
        (K, "clf_5", "keras-console1", "Keras NaN cells in the inputs, 5 classes", dict(hidden=(32,), epochs=10, extend=0.0, seed=214, fault=dict(nan_inputs=0.001))),
    ],
    "suspicious_validation": [
        (K, "moons_35", "keras-console1", "Keras val = clean train rows, 20% label noise, noisy moons, Adam 3e-3", dict(hidden=(16,), lr=3e-3, wd=1e-3, epochs=30, extend=0.5, seed=215, fault=dict(label_noise=0.2, val_from_train=150))),
    ],
    "underfitting": [
        (K, "friedman", "notebook", "Keras linear regression on a nonlinear target, 15 epochs", dict(hidden=(), lr=0.05, epochs=15, extend=1.0, seed=222, ref=dict(hidden=(64, 64)))),
    ],
    "oscillating": [
        (K, "moons_35", "notebook", "Keras batch 1, SGD 0.3, 200 train rows", dict(hidden=(32,), opt="sgd", lr=0.3, batch=1, epochs=12, extend=0.5, seed=223, fault=dict(n_train=200))),
        # oscillating-f02 showed healthy: another batch-1 plant
        (K, "iris", "notebook", "Keras batch 1, SGD 0.5", dict(hidden=(16,), opt="sgd", lr=0.5, batch=1, epochs=20, extend=0.5, seed=226)),
    ],
    "plateau": [
        (K, "wine", "notebook", "Keras SGD 0.01, LearningRateScheduler x0.5 per epoch", dict(hidden=(16,), opt="sgd", lr=0.01, schedule=("exp", 0.5), epochs=30, extend=1.0, seed=224, ref=dict(schedule=None))),
    ],
    "lr_too_high": [
        (K, "clf_3", "notebook", "Keras RMSprop lr 0.05, 15 epochs", dict(hidden=(64,), opt="rmsprop", lr=0.05, epochs=15, extend=0.0, seed=225, ref=dict(lr=0.001))),
    ],
}
