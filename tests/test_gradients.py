"""Finite-difference checks of the hand-written BPTT: every task's loss, every parameter, float64."""

import numpy as np
import pytest

import rnn_pathological as rp


def numerical_grads(params, x, y, task, eps=1e-6, activation="tanh", cell="rnn"):
    """Central differences of the batch-mean loss, one parameter entry at a time."""
    grads = {}
    for name, p in params.items():
        g = np.zeros_like(p)
        for i in np.ndindex(p.shape):
            old = p[i]
            p[i] = old + eps
            loss_plus, _ = rp.loss_and_grads(params, x, y, task, activation, cell)
            p[i] = old - eps
            loss_minus, _ = rp.loss_and_grads(params, x, y, task, activation, cell)
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


# ----------------------------------------------------------------------------------------------------------------
# the LSTM cell


def lstm_params(task, H, rng, init="ortho"):
    """LSTM parameters with every gate away from its linear and its saturated regime, so every term of the backward
    pass is exercised: random biases (the forget gate's around its default 1) and larger input weights."""
    params = rp.init_params(task, H, init, rng, cell="lstm")
    params["b_h"] = params["b_h"] + 0.5 * rng.standard_normal(params["b_h"].shape)
    params["b_y"] = 0.3 * rng.standard_normal(params["b_y"].shape)
    params["W_ih"] = params["W_ih"] * 5.0 + 0.2 * rng.standard_normal(params["W_ih"].shape)
    return params


@pytest.mark.parametrize("task", list(rp.TASKS))
def test_lstm_bptt_matches_central_differences(task):
    """Every task (final-step and per-step targets, 0.5 * MSE and cross-entropy), every parameter, float64."""
    rng = np.random.default_rng(8)
    spec = rp.TASKS[task]
    H = 3
    params = lstm_params(task, H, rng)
    x, y = rp.generate_batch(task, max(spec.min_len, 6), 3, rng)
    loss, grads = rp.loss_and_grads(params, x, y, task, cell="lstm")
    assert isinstance(loss, float) and np.isfinite(loss)
    assert set(grads) == set(params) == set(rp.PARAM_NAMES)
    shapes = {k: v.shape for k, v in params.items()}
    assert shapes["W_hh"] == (4 * H, H) and shapes["W_ih"] == (4 * H, spec.n_in) and shapes["b_h"] == (4 * H,)
    numeric = numerical_grads(params, x, y, task, cell="lstm")
    for name in params:
        assert grads[name].shape == params[name].shape
        assert np.linalg.norm(numeric[name]) > 1e-8, f"{name}: gradient vanishes, the check would be vacuous"
        err = relative_error(grads[name], numeric[name])
        assert err < 1e-6, f"{task}/lstm {name}: relative error {err:.2e}"


@pytest.mark.parametrize("init", rp.INITS)
def test_lstm_bptt_from_every_init(init):
    rng = np.random.default_rng(5)
    params = lstm_params("temporal_order", 6, rng, init)
    x, y = rp.generate_batch("temporal_order", 10, 3, rng)
    _, grads = rp.loss_and_grads(params, x, y, "temporal_order", cell="lstm")
    numeric = numerical_grads(params, x, y, "temporal_order", cell="lstm")
    for name in params:
        assert relative_error(grads[name], numeric[name]) < 1e-6, name


def test_lstm_gradient_check_detects_a_wrong_gradient():
    """The check above can fail: dW_hh with each gate's block transposed is caught."""
    rng = np.random.default_rng(1)
    H = 3
    params = lstm_params("addition", H, rng)
    x, y = rp.generate_batch("addition", 8, 3, rng)
    _, grads = rp.loss_and_grads(params, x, y, "addition", cell="lstm")
    numeric = numerical_grads(params, x, y, "addition", cell="lstm")
    blocks_transposed = np.concatenate([grads["W_hh"][k * H : (k + 1) * H].T for k in range(4)])
    assert relative_error(grads["W_hh"], numeric["W_hh"]) < 1e-6
    assert relative_error(blocks_transposed, numeric["W_hh"]) > 1e-3


def test_lstm_matches_a_plain_implementation_in_float64_and_float32():
    """The folded-constant kernels against np.tanh and a textbook sigmoid, one step at a time."""
    rng = np.random.default_rng(3)
    params = lstm_params("temporal_order", 16, rng)
    x, _ = rp.generate_batch("temporal_order", 20, 8, rng)
    H = 16

    def sigmoid(a):
        return 1.0 / (1.0 + np.exp(-a))

    h, c = np.zeros((8, H)), np.zeros((8, H))
    reference = [h]
    for t in range(20):
        a = x[t] @ params["W_ih"].T + h @ params["W_hh"].T + params["b_h"]
        i, f, g, o = sigmoid(a[:, :H]), sigmoid(a[:, H : 2 * H]), np.tanh(a[:, 2 * H : 3 * H]), sigmoid(a[:, 3 * H :])
        c = f * c + i * g
        h = o * np.tanh(c)
        reference.append(h)
    hs, _ = rp.lstm_forward(params, x)
    np.testing.assert_allclose(hs, np.array(reference), rtol=0, atol=1e-14)
    p32 = {k: v.astype(np.float32) for k, v in params.items()}
    hs32, _ = rp.lstm_forward(p32, x.astype(np.float32))
    assert hs32.dtype == np.float32
    np.testing.assert_allclose(hs32, hs, rtol=0, atol=1e-5)


def test_lstm_backward_uses_up_its_cache():
    rng = np.random.default_rng(0)
    params = rp.init_params("addition", 4, "ortho", rng, cell="lstm")
    x, _ = rp.generate_batch("addition", 6, 2, rng)
    hs, cache = rp.lstm_forward(params, x)
    rp.lstm_backward(params, x, hs, cache, np.ones((2, 4)))
    with pytest.raises(ValueError, match="used up"):
        rp.lstm_backward(params, x, hs, cache, np.ones((2, 4)))


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
    import tracemalloc

    a = np.concatenate([np.linspace(-30, 30, 20001), [-800.0, -1e-300, 0.0, 1e-300, 800.0]])
    # every tanh forward takes the fast path; the values ride on the batch axis of a one-unit network, so the
    # pre-activation of example b is 1 * a[b], exactly a[b] (an (H, H) W_hh with a value per unit took 3.2 GB)
    params = {"W_ih": np.ones((1, 1)), "W_hh": np.zeros((1, 1)), "b_h": np.zeros(1)}
    x = a.reshape(1, a.size, 1)  # one step, B = a.size examples, one input
    tracemalloc.start()
    hs = rp.rnn_forward(params, x)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 4 * 2**20
    assert np.max(np.abs(hs[1, :, 0] - np.tanh(a))) < 1e-15
    assert np.all(np.abs(hs[1, :, 0]) <= 1.0)
