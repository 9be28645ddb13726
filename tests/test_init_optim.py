"""Initialisation recipes, global-norm clipping, the momentum update, and the options each optimiser reads."""

import numpy as np
import pytest
from cli_helpers import assert_one_line_error, run_script

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


def W_hh_of(init, H=20, task="addition", **knobs):
    return rp.init_params(task, H, init, np.random.default_rng(0), **knobs)


def test_identity_and_scaled_inits():
    np.testing.assert_array_equal(W_hh_of("identity")["W_hh"], np.eye(20))
    np.testing.assert_array_equal(W_hh_of("identity", hh_scale=0.5)["W_hh"], 0.5 * np.eye(20))
    W = W_hh_of("ortho", hh_scale=1.2)["W_hh"]
    np.testing.assert_allclose(W.T @ W, 1.44 * np.eye(20), atol=1e-12)


def test_chain_structure_and_source_injection():
    p = W_hh_of("chain", chain_alpha=1.02)
    W = p["W_hh"]
    for i in range(20):
        for j in range(20):
            assert W[i, j] == (1.02 if j == i - 1 else 0.0)  # unit i-1 feeds unit i
    np.testing.assert_array_equal(p["W_ih"], 0.9 * np.eye(20, 2))  # input k drives unit k only
    # a chain is nilpotent: a signal leaves the network after H steps
    assert np.all(np.linalg.matrix_power(W, 20) == 0)


def test_feedback_chain_structure():
    W = W_hh_of("fbchain", chain_alpha=0.99, chain_beta=0.03)["W_hh"]
    np.testing.assert_array_equal(W, 0.99 * np.eye(20, k=-1) + 0.03 * np.eye(20, k=1))


def test_sparse_has_15_incoming_weights_and_radius_1_1():
    W = W_hh_of("sparse", H=64)["W_hh"]
    assert np.all((W != 0).sum(axis=1) == 15)
    assert np.max(np.abs(np.linalg.eigvals(W))) == pytest.approx(1.1, rel=1e-10)
    small = W_hh_of("sparse", H=8)["W_hh"]  # fewer units than the fan-in: every weight is used
    assert np.all(small != 0)


def test_chain_needs_a_unit_per_input():
    with pytest.raises(ValueError, match="n_hidden >= 6"):
        rp.init_params("temporal_order", 4, "chain", np.random.default_rng(0))


def test_nesterov_step_by_hand():
    """v <- mu v - lr grad(theta + mu v); theta <- theta + v, on f(theta) = 0.5 * theta' A theta."""
    A = np.array([[2.0, 0.5], [0.5, 1.0]])
    lr, mu = 0.1, 0.9
    params, velocity = {"w": np.array([1.0, -1.0])}, {"w": np.array([0.2, 0.1])}
    theta, v = params["w"].copy(), velocity["w"].copy()
    for _ in range(2):
        at = rp.nesterov_lookahead(params, velocity, mu)
        rp.momentum_step(params, {"w": A @ at["w"]}, velocity, lr, mu)
        v = mu * v - lr * (A @ (theta + mu * v))
        theta = theta + v
    np.testing.assert_allclose(params["w"], theta, rtol=1e-15)
    np.testing.assert_allclose(velocity["w"], v, rtol=1e-15)


@pytest.mark.parametrize("update, expected", [(0, 0.5), (249, 0.5), (250, 0.75), (499, 0.75), (500, 5 / 6),
                                              (750, 0.875), (1000, 0.9), (1249, 0.9), (2250, 0.95), (10**6, 0.99)])
def test_sutskever_schedule_at_its_breakpoints(update, expected):
    assert rp.momentum_at(update, 0.99, "sutskever_eq5") == pytest.approx(expected)
    assert rp.momentum_at(update, 0.9, "sutskever_eq5") == pytest.approx(min(expected, 0.9))


@pytest.mark.parametrize("update, expected", [(0, 0.9), (999, 0.9), (1000, 0.995), (5000, 0.995)])
def test_sutskever_rnn_protocol_is_09_for_1000_updates_then_mu0(update, expected):
    assert rp.momentum_at(update, 0.995, "sutskever_rnn") == expected
    assert rp.momentum_at(update, 0.9, "constant") == 0.9


def test_effective_momentum_goes_into_the_history():
    run = rp.train("addition", "ortho", 5, n_hidden=4, n_epochs=3, batches_per_epoch=250, batch_size=2,
                   momentum=0.99, momentum_schedule="sutskever_eq5")
    assert [r["momentum"] for r in run["history"]] == pytest.approx([0.5, 0.75, 5 / 6])


@pytest.mark.parametrize("cell", list(rp.CELLS))
@pytest.mark.parametrize("optimizer", list(rp.OPTIMIZER_TABLE))
def test_every_optimiser_steps_every_cell_downhill_and_keeps_its_fixed_arrays(optimizer, cell):
    """One update from a fresh state as _train makes it (the gradient at the look-ahead point where the optimiser
    takes one, the global-norm clipping, the step), float64: every trained parameter moves, against the gradient (the
    loss falls at a small learning rate), and a cell's fixed arrays (the oRNN's base B_hh) stay as they were."""
    opt, trained = rp.OPTIMIZER_TABLE[optimizer], rp.get_cell(cell).params
    rng = np.random.default_rng(2)
    params = rp.init_params("addition", 4, "ortho", rng, cell=cell)
    x, y = rp.generate_batch("addition", 8, 3, rng)
    before = {k: v.copy() for k, v in params.items()}
    state = {b: {k: np.zeros_like(params[k]) for k in trained} for b in opt.buffers}
    mu = rp.DEFAULTS["momentum"] if opt.momentum else 0.0
    at = rp.nesterov_lookahead(params, state["velocity"], mu) if opt.lookahead else params
    loss, grads = rp.loss_and_grads(at, x, y, "addition", cell=cell)
    assert set(grads) == set(trained)
    rp.clip_by_global_norm(grads, rp.DEFAULTS["clip"])
    opt.step(params, grads, state, 1e-4, mu, 0, rp.DEFAULTS)
    for name in params:
        assert np.any(params[name] != before[name]) == (name in trained), name
    assert sum(np.sum(grads[k] * (params[k] - before[k])) for k in trained) < 0  # against the gradient
    assert rp.loss_and_grads(params, x, y, "addition", cell=cell)[0] < loss


# ----------------------------------------------------------------------------------------------------------------
# an option the chosen optimiser ignores is refused (issue 20), from what the registry says each one reads

NOT_DEFAULT = {"momentum": 0.99, "momentum_schedule": "sutskever_eq5", "adam_beta1": 0.8, "adam_beta2": 0.99,
               "adam_eps": 1e-7, "rmsprop_decay": 0.95, "rmsprop_eps": 1e-7}  # valid values away from the defaults


def test_the_registry_names_every_optimiser_option():
    assert set(rp.OPTIMIZER_OPTIONS) == set(NOT_DEFAULT)
    assert set(rp.OPTIMIZER_OPTIONS) <= set(rp.OPTIONS)
    assert all(NOT_DEFAULT[name] != rp.DEFAULTS[name] for name in NOT_DEFAULT)
    assert [o.name for o in rp.OPTIMIZER_TABLE.values() if o.momentum] == ["momentum", "nesterov"]


@pytest.mark.parametrize("optimizer", rp.OPTIMIZERS)
@pytest.mark.parametrize("option", rp.OPTIMIZER_OPTIONS)
def test_an_option_the_optimiser_ignores_is_refused_unless_at_its_default(optimizer, option, monkeypatch):
    monkeypatch.setattr(rp, "_train", lambda *a, **k: pytest.fail("trained before checking"))
    config = {"optimizer": optimizer, option: NOT_DEFAULT[option]}
    if option in rp.OPTIMIZER_TABLE[optimizer].options:
        rp.check_config("addition", "ortho", 10, 0, **config)
    else:
        with pytest.raises(ValueError, match=f"^the {optimizer} optimizer ignores {option} "):
            rp.train("addition", "ortho", 10, **config)  # the Python API too, so the sweep and the experiments
    rp.check_config("addition", "ortho", 10, 0, optimizer=optimizer, **{option: rp.DEFAULTS[option]})


@pytest.mark.parametrize("flags, says", [
    (["--optimizer", "adam", "--momentum", "0.99"], "the adam optimizer ignores momentum (set to 0.99)"),
    (["--optimizer", "rmsprop", "--momentum-schedule", "sutskever_eq5"],
     "the rmsprop optimizer ignores momentum_schedule"),
    (["--adam-beta2", "0.99"], "the momentum optimizer ignores adam_beta2"),
])
def test_the_command_line_refuses_an_ignored_option_in_one_line(flags, says):
    assert_one_line_error(run_script("rnn_pathological.py", *flags), "rnn_pathological.py", says)
