"""Finite-difference checks of the hand-written BPTT: every task's loss, every parameter, float64."""

import numpy as np
import pytest

import rnn_pathological as rp


def numerical_grads(params, x, y, task, eps=1e-6, activation="tanh"):
    """Central differences of the batch-mean loss, one parameter entry at a time."""
    grads = {}
    for name, p in params.items():
        g = np.zeros_like(p)
        for i in np.ndindex(p.shape):
            old = p[i]
            p[i] = old + eps
            loss_plus, _ = rp.loss_and_grads(params, x, y, task, activation)
            p[i] = old - eps
            loss_minus, _ = rp.loss_and_grads(params, x, y, task, activation)
            p[i] = old
            g[i] = (loss_plus - loss_minus) / (2 * eps)
        grads[name] = g
    return grads


def relative_error(a, b):
    return np.linalg.norm(a - b) / max(np.linalg.norm(a) + np.linalg.norm(b), 1e-30)


@pytest.mark.parametrize("task", list(rp.TASKS))
@pytest.mark.parametrize("activation", rp.ACTIVATIONS)
def test_bptt_matches_central_differences(task, activation):
    """Final-step and per-step targets, regression and classification, tanh and relu."""
    rng = np.random.default_rng(7)
    spec = rp.TASKS[task]
    params = rp.init_params(task, 5, "ortho", rng)
    # non-zero biases and a larger W_hh scale so every term of the backward pass is exercised
    params["b_h"] = 0.3 * rng.standard_normal(params["b_h"].shape)
    params["b_y"] = 0.3 * rng.standard_normal(params["b_y"].shape)
    params["W_ih"] *= 5.0
    x, y = rp.generate_batch(task, max(spec.min_len, 8), 4, rng)
    loss, grads = rp.loss_and_grads(params, x, y, task, activation)
    assert isinstance(loss, float) and np.isfinite(loss)
    assert set(grads) == set(params)
    numeric = numerical_grads(params, x, y, task, activation=activation)
    for name in params:
        assert grads[name].shape == params[name].shape
        assert np.linalg.norm(numeric[name]) > 1e-8, f"{name}: gradient vanishes, the check would be vacuous"
        err = relative_error(grads[name], numeric[name])
        assert err < 1e-6, f"{task}/{activation} {name}: relative error {err:.2e}"


@pytest.mark.parametrize("init", rp.INITS)
def test_bptt_from_every_init(init):
    rng = np.random.default_rng(3)
    params = rp.init_params("temporal_order", 6, init, rng)
    params["b_h"] = 0.3 * rng.standard_normal(6)
    x, y = rp.generate_batch("temporal_order", 10, 3, rng)
    _, grads = rp.loss_and_grads(params, x, y, "temporal_order")
    numeric = numerical_grads(params, x, y, "temporal_order")
    for name in params:
        assert relative_error(grads[name], numeric[name]) < 1e-6, name


def test_gradient_check_detects_a_wrong_gradient():
    """The check above can fail: a deliberately broken backward pass is caught."""
    rng = np.random.default_rng(0)
    params = rp.init_params("addition", 4, "ortho", rng)
    x, y = rp.generate_batch("addition", 6, 3, rng)
    _, grads = rp.loss_and_grads(params, x, y, "addition")
    numeric = numerical_grads(params, x, y, "addition")
    assert relative_error(grads["W_hh"].T, numeric["W_hh"]) > 1e-3  # a transposed dW_hh is wrong


def test_fast_tanh_matches_numpy_tanh():
    """The forward pass computes tanh as 2 / (1 + exp(-2a)) - 1; it equals np.tanh to a few 1e-16 everywhere."""
    a = np.concatenate([np.linspace(-30, 30, 20001), [-800.0, -1e-300, 0.0, 1e-300, 800.0]])
    params = {"W_ih": np.ones((a.size, 1)), "W_hh": np.zeros((a.size, a.size)), "b_h": np.zeros(a.size)}
    x = a[None, None, :1] * 0 + 1.0  # x = 1 at one step, so the pre-activation is W_ih[:, 0] = 1 ... scaled below
    params["W_ih"][:, 0] = a
    hs = rp.rnn_forward(params, x)
    assert np.max(np.abs(hs[1, 0] - np.tanh(a))) < 1e-15
    assert np.all(np.abs(hs[1, 0]) <= 1.0)
