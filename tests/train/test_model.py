import pytest
import torch

from fitdoctor.train.model import build_model, n_outputs_for


@pytest.mark.parametrize("activation", ["relu", "leaky_relu", "elu", "gelu", "tanh", "sigmoid"])
def test_shapes_per_activation(activation):
    m = build_model({"hidden": [8, 4], "activation": activation, "dropout_rate": 0.2}, 5, 3)
    assert m(torch.zeros(7, 5)).shape == (7, 3)
    assert [n for n, _ in m.layers()] == ["dense_0", "dense_1", "output"]
    assert m.layers()[0][1].weight.shape == (8, 5)


def test_residual_batchnorm_and_projection():
    m = build_model({"hidden": [8, 8, 4], "residual": True, "batch_norm": True}, 5, 1)
    assert m.blocks[0].proj is not None and m.blocks[1].proj is None  # 5->8 projects, 8->8 is identity
    assert m.blocks[0].bn is not None
    x = torch.randn(6, 5)
    assert m(x).shape == (6, 1)


def test_init_he_and_xavier_zero_biases_and_change_weights():
    torch.manual_seed(0)
    d = build_model({"hidden": [64], "init": "default"}, 100, 1)
    torch.manual_seed(0)
    he = build_model({"hidden": [64], "init": "he"}, 100, 1)
    xa = build_model({"hidden": [64], "init": "xavier"}, 100, 1)
    assert torch.all(he.blocks[0].linear.bias == 0) and torch.all(xa.blocks[0].linear.bias == 0)
    # He normal for relu: std sqrt(2/fan_in) = 0.141; PyTorch's default uniform has std 1/sqrt(3*fan_in) = 0.058
    assert abs(float(he.blocks[0].linear.weight.detach().std()) - 0.1414) < 0.01
    assert abs(float(d.blocks[0].linear.weight.detach().std()) - 0.0577) < 0.005


def test_outputs_per_task():
    assert n_outputs_for("binary", 2) == 1
    assert n_outputs_for("multiclass", 4) == 4
    assert n_outputs_for("regression", None) == 1
