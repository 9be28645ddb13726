"""Initialisation recipes, global-norm clipping and the momentum update."""

import numpy as np
import pytest

import rnn_pathological as rp


def test_ortho_is_orthogonal_to_1e12():
    W = rp.init_params("3bit_memorization", 64, "ortho", np.random.default_rng(0))["W_hh"]
    assert np.max(np.abs(W.T @ W - np.eye(64))) < 1e-12
    assert np.max(np.abs(W @ W.T - np.eye(64))) < 1e-12


def test_ortho_sign_fix_makes_it_haar():
    """Without the sign fix, numpy's QR gives Q with a biased diagonal; Haar matrices have E[Q_ii] = 0."""
    rng = np.random.default_rng(1)
    diag = np.concatenate([np.diag(rp.random_orthogonal(8, rng)) for _ in range(4000)])
    assert abs(diag.mean()) < 0.02  # standard error about 0.35 / sqrt(32000) = 0.002


def test_random_arm_scale():
    W = rp.init_params("addition", 256, "random", np.random.default_rng(0))["W_hh"]
    assert abs(W.std() - 0.1) < 0.002 and abs(W.mean()) < 0.002
    W = rp.init_params("addition", 256, "random", np.random.default_rng(0), random_scale=0.5)["W_hh"]
    assert abs(W.std() - 0.5) < 0.01


def test_arms_differ_in_W_hh_alone():
    ortho = rp.init_params("temporal_order", 32, "ortho", np.random.default_rng(5))
    random = rp.init_params("temporal_order", 32, "random", np.random.default_rng(5))
    for name in ("W_ih", "b_h", "W_hy", "b_y"):
        np.testing.assert_array_equal(ortho[name], random[name])
    assert not np.allclose(ortho["W_hh"], random["W_hh"])
    assert abs(ortho["W_ih"].std() - 0.1) < 0.02
    assert abs(ortho["W_hy"].std() - 1 / np.sqrt(32)) < 0.03
    assert list(ortho) == list(rp.PARAM_NAMES)
    shapes = {k: v.shape for k, v in ortho.items()}
    assert shapes == {"W_ih": (32, 6), "W_hh": (32, 32), "b_h": (32,), "W_hy": (4, 32), "b_y": (4,)}


def test_unknown_init_is_rejected():
    with pytest.raises(ValueError, match="ortho, random"):
        rp.init_params("addition", 4, "xavier", np.random.default_rng(0))


def grads_of_norm(norm):
    g = {"a": np.array([3.0, 4.0]), "b": np.array([[0.0]])}  # global norm 5
    for v in g.values():
        v *= norm / 5.0
    return g


def test_clipping_is_a_no_op_below_the_threshold():
    g = grads_of_norm(0.5)
    before = {k: v.copy() for k, v in g.items()}
    assert rp.clip_by_global_norm(g, 1.0) == pytest.approx(0.5)
    for k in g:
        np.testing.assert_array_equal(g[k], before[k])


def test_clipping_above_the_threshold_keeps_direction():
    g = grads_of_norm(10.0)
    before = {k: v.copy() for k, v in g.items()}
    assert rp.clip_by_global_norm(g, 1.0) == pytest.approx(10.0)
    assert rp.global_norm(g) == pytest.approx(1.0, rel=1e-12)
    for k in g:
        np.testing.assert_allclose(g[k], before[k] / 10.0, rtol=1e-12)


def test_clipping_leaves_non_finite_gradients_for_the_caller():
    g = {"a": np.array([np.nan, 1.0])}
    assert not np.isfinite(rp.clip_by_global_norm(g, 1.0))


def test_two_momentum_steps_by_hand():
    lr, mu = 0.1, 0.9
    params = {"w": np.array([1.0, -2.0])}
    velocity = {"w": np.zeros(2)}
    g1, g2 = np.array([0.5, 1.0]), np.array([-1.0, 2.0])
    rp.momentum_step(params, {"w": g1}, velocity, lr, mu)
    rp.momentum_step(params, {"w": g2}, velocity, lr, mu)
    v1 = -lr * g1
    v2 = mu * v1 - lr * g2
    np.testing.assert_allclose(velocity["w"], v2, rtol=1e-15)
    np.testing.assert_allclose(params["w"], np.array([1.0, -2.0]) + v1 + v2, rtol=1e-15)
