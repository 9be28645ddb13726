"""The fast kernels compute what a plain implementation computes; float32 agrees with float64."""

import numpy as np
import pytest

import rnn_pathological as rp


def reference_loss_and_grads(params, x, y, task, activation="tanh"):
    """Textbook BPTT, one step at a time, np.tanh, no buffers, no folded constants (final-step targets). Under
    modReLU the pre-activation has no bias and b_h is modReLU's b: h = sign(a) max(|a| + b, 0)."""
    spec = rp.get_task(task)
    b = params["b_h"]
    f, df, db = {  # the unit, its derivative in a and (modReLU) in b, as functions of the pre-activation a
        "tanh": (np.tanh, lambda a: 1 - np.tanh(a) ** 2, None),
        "relu": (lambda a: np.maximum(a, 0.0), lambda a: a > 0, None),
        "elu": (lambda a: np.where(a > 0, a, np.exp(a) - 1), lambda a: np.where(a > 0, 1.0, np.exp(a)), None),
        "modrelu": (lambda a: np.sign(a) * np.maximum(np.abs(a) + b, 0.0),
                    lambda a: (np.abs(a) + b > 0) & (a != 0), lambda a: np.sign(a) * (np.abs(a) + b > 0)),
    }[activation]
    T, B, _ = x.shape
    H = params["W_hh"].shape[0]
    hs, pre = [np.zeros((B, H))], []
    for t in range(T):
        pre.append(x[t] @ params["W_ih"].T + hs[-1] @ params["W_hh"].T + (0.0 if db else b))
        hs.append(f(pre[-1]))
    out = hs[-1] @ params["W_hy"].T + params["b_y"]
    if spec.loss == "mse":
        r = out[:, 0] - y
        loss = 0.5 * np.mean(r**2)
        d_out = r[:, None] / B
    else:
        p = np.exp(out - out.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        loss = -np.mean(np.log(p[np.arange(B), y]))
        d_out = p
        d_out[np.arange(B), y] -= 1
        d_out /= B
    grads = {k: np.zeros_like(v) for k, v in params.items()}
    grads["W_hy"] = d_out.T @ hs[-1]
    grads["b_y"] = d_out.sum(axis=0)
    dh = d_out @ params["W_hy"]
    for t in reversed(range(T)):
        da = dh * ((1 - hs[t + 1] ** 2) if activation == "tanh" else df(pre[t]))
        grads["W_ih"] += da.T @ x[t]
        grads["W_hh"] += da.T @ hs[t]
        grads["b_h"] += (dh * db(pre[t])).sum(axis=0) if db else da.sum(axis=0)
        dh = da @ params["W_hh"]
    return loss, grads


@pytest.mark.parametrize("task", ["addition", "temporal_order", "3bit_memorization"])
@pytest.mark.parametrize("activation", rp.ACTIVATIONS)
def test_fast_training_step_equals_the_reference_step(task, activation):
    rng = np.random.default_rng(11)
    params = rp.init_params(task, 64, "ortho", rng)
    x, y = rp.generate_batch(task, 60, 50, rng)
    fast = {k: v.copy() for k, v in params.items()}
    slow = {k: v.copy() for k, v in params.items()}
    v_fast = {k: np.zeros_like(v) for k, v in params.items()}
    v_slow = {k: np.zeros_like(v) for k, v in params.items()}
    ws = rp.Workspace()
    for _ in range(2):  # two steps, so the momentum buffer is exercised too
        loss_fast, _, g_fast = rp.forward_backward(fast, x, y, task, ws, activation)
        loss_slow, g_slow = reference_loss_and_grads(slow, x, y, task, activation)
        assert loss_fast == pytest.approx(loss_slow, rel=1e-12)
        for k in params:
            np.testing.assert_allclose(g_fast[k], g_slow[k], rtol=1e-9, atol=1e-14)
        for g, p, v in ((g_fast, fast, v_fast), (g_slow, slow, v_slow)):
            rp.clip_by_global_norm(g, 1.0)
            rp.momentum_step(p, g, v, 0.01, 0.9)
    for k in params:
        np.testing.assert_allclose(fast[k], slow[k], rtol=1e-12, atol=1e-15)


def test_workspace_reuse_does_not_change_results():
    rng = np.random.default_rng(2)
    params = rp.init_params("temporal_order", 16, "random", rng)
    batches = [rp.generate_batch("temporal_order", 20, 8, rng) for _ in range(3)]
    ws = rp.Workspace()
    for x, y in batches:
        with_ws = rp.forward_backward(params, x, y, "temporal_order", ws)
        fresh = rp.forward_backward(params, x, y, "temporal_order")
        assert with_ws[0] == fresh[0]
        for k in params:
            np.testing.assert_array_equal(with_ws[2][k], fresh[2][k])


@pytest.mark.parametrize("task", ["addition", "3bit_memorization", "copy"])
def test_float32_gradients_agree_with_float64(task):
    rng = np.random.default_rng(4)
    params = rp.init_params(task, 32, "ortho", rng)
    x, y = rp.generate_batch(task, 20, 16, rng)
    loss64, _, g64 = rp.forward_backward(params, x, y, task)
    p32 = {k: v.astype(np.float32) for k, v in params.items()}
    loss32, _, g32 = rp.forward_backward(p32, x, y, task)
    assert loss32 == pytest.approx(loss64, rel=1e-5)
    for k in params:
        assert g32[k].dtype == np.float32
        scale = np.abs(g64[k]).max()
        assert np.abs(g32[k] - g64[k]).max() <= 1e-4 * scale + 1e-7, k


def test_float32_headline_still_separates_the_arms():
    config = {"n_hidden": 32, "n_epochs": 8, "batches_per_epoch": 30, "dtype": "float32"}
    ortho = rp.train("3bit_memorization", "ortho", 20, seed=0, **config)
    random = rp.train("3bit_memorization", "random", 20, seed=0, **config)
    assert ortho["final_metric"] > 0.9 and ortho["solved_epoch"] is not None
    assert random["final_metric"] < 0.5 and random["solved_epoch"] is None


@pytest.mark.parametrize("dtype, T", [("float64", 3000), ("float32", 400)])
def test_the_vanilla_backward_flushes_a_vanishing_gradient_and_changes_nothing_else(dtype, T, monkeypatch):
    """rnn_backward sets dL/dh's entries below LRU_TINY (LRU_TINY_FLOAT32) to 0 every LRU_FLUSH_STEPS steps, so a
    gradient vanishing over a long sequence never decays through the slow subnormal numbers; the gradients are
    those of the loop without the flush to the last digit the sums can hold."""
    rng = np.random.default_rng(0)
    params = {k: v.astype(dtype) for k, v in rp.init_params("3bit_memorization", 16, "ortho", rng).items()}
    params["W_hh"] *= 0.6  # a fast decay: below float32's 1e-38 within 400 steps, float64's 1e-308 within 3000
    x, y = rp.generate_batch("3bit_memorization", T, 4, rng)
    x = x.astype(dtype)
    hs = rp.rnn_forward(params, x)
    _, _, dh_out, _ = rp.output_loss(params, hs, y, rp.get_task("3bit_memorization"))
    steps = np.zeros((T, 4, 16), dtype)
    flushed = rp.rnn_backward(params, x, hs, dh_out, dh_steps=steps)
    tiny = np.finfo(dtype).tiny
    assert not np.any((steps != 0) & (np.abs(steps) < tiny))  # no subnormal ever carried
    assert np.any(steps == 0)  # the decay did reach the flush
    monkeypatch.setattr(rp, "LRU_TINY", 0.0)
    monkeypatch.setattr(rp, "LRU_TINY_FLOAT32", 0.0)
    plain = rp.rnn_backward(params, x, hs, dh_out)
    for name, g in flushed.items():
        np.testing.assert_allclose(g, plain[name], rtol=1e-12 if dtype == "float64" else 1e-6, atol=0, err_msg=name)
