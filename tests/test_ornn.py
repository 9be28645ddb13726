"""The orthogonality-constrained RNN (cell "ornn", issue 14): W_hh = B exp(S), S = (A - A^T) / 2. Its exponential
map, that a gradient check catches a wrong dL/dA, that it starts where the vanilla cell starts and stays orthogonal,
and that it refuses a start that is not orthogonal. Its gradients on every task, with tanh and relu and from both
of its inits, are checked with every other cell's in test_gradients.py."""

import json

import numpy as np
import pytest
from test_gradients import numerical_grads, relative_error

import rnn_pathological as rp
from rnnpath import files

TINY = {"n_hidden": 4, "n_epochs": 2, "batches_per_epoch": 3, "batch_size": 5}


def ornn_params(task, H, rng, init="ortho"):
    """oRNN parameters away from the start: A not skew and not small (the map takes its skew part, so the check
    also covers the projection), random biases, larger input weights."""
    params = rp.init_params(task, H, init, rng, cell="ornn")
    params["A_hh"] = 0.8 * rng.standard_normal(params["A_hh"].shape)
    params["b_h"] = 0.3 * rng.standard_normal(params["b_h"].shape)
    params["b_y"] = 0.3 * rng.standard_normal(params["b_y"].shape)
    params["W_ih"] = params["W_ih"] * 5.0
    return params


def test_ornn_gradient_check_detects_a_wrong_gradient():
    """The check can fail: dL/dA without the exponential's divided differences (dL/dS taken as B^T G, the gradient
    at S = 0) is caught once A is away from zero."""
    rng = np.random.default_rng(13)
    params = ornn_params("addition", 4, rng)
    x, y = rp.generate_batch("addition", 8, 3, rng)
    net = rp.ornn_materialise(params)
    _, vanilla = rp.loss_and_grads(net, x, y, "addition")
    naive = params["B_hh"].T @ vanilla["W_hh"]
    naive = 0.5 * (naive - naive.T)
    numeric = numerical_grads(params, x, y, "addition", cell="ornn", names=["A_hh"])["A_hh"]
    _, grads = rp.loss_and_grads(params, x, y, "addition", cell="ornn")
    assert relative_error(grads["A_hh"], numeric) < 1e-6
    assert relative_error(naive, numeric) > 1e-2


def test_expm_skew_is_a_rotation_and_matches_the_power_series():
    rng = np.random.default_rng(0)
    M = rng.standard_normal((7, 7))
    S = 0.5 * (M - M.T)
    E, _, theta = rp.expm_skew(S)
    series, term = np.eye(7), np.eye(7)
    for k in range(1, 60):
        term = term @ S / k
        series = series + term
    np.testing.assert_allclose(E, series, atol=1e-12)
    np.testing.assert_allclose(E.T @ E, np.eye(7), atol=1e-13)
    assert abs(np.linalg.det(E) - 1.0) < 1e-12  # exp of a skew matrix is a rotation: det +1
    a = 0.7  # a 2 x 2 block is the rotation by its angle
    R, _, _ = rp.expm_skew(np.array([[0.0, -a], [a, 0.0]]))
    np.testing.assert_allclose(R, [[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]], atol=1e-15)
    assert min(np.round(np.abs(theta), 12)) >= 0


def test_expm_skew_vjp_at_repeated_eigenvalues():
    """At S = 0 every eigenvalue is 0, where the divided differences are their limit: dL/dS = X exactly."""
    X = np.random.default_rng(1).standard_normal((5, 5))
    _, V, theta = rp.expm_skew(np.zeros((5, 5)))
    np.testing.assert_allclose(rp.expm_skew_vjp(V, theta, X), X, atol=1e-14)


@pytest.mark.parametrize("init", ["ortho", "identity"])
def test_ornn_starts_at_the_vanilla_cells_network(init):
    """A = 0, so W_hh = B is the vanilla cell's W_hh with the same init and rng, and every other parameter too."""
    ornn = rp.init_params("addition", 6, init, np.random.default_rng(4), cell="ornn")
    vanilla = rp.init_params("addition", 6, init, np.random.default_rng(4))
    assert not ornn["A_hh"].any()
    for name, value in rp.ornn_materialise(ornn).items():
        np.testing.assert_array_equal(value, vanilla[name], err_msg=name)


def test_ornn_stays_orthogonal_and_its_base_is_not_trained():
    run = rp.train("addition", "ortho", 20, cell="ornn", optimizer="nesterov", **TINY)
    stats = run["W_hh_stats"]["final"]
    assert stats["sv_max"] == pytest.approx(1.0, abs=1e-12) and stats["sv_min"] == pytest.approx(1.0, abs=1e-12)
    vanilla = rp.train("addition", "ortho", 20, optimizer="nesterov", **TINY)
    assert run["W_hh_singular_values_init"] == vanilla["W_hh_singular_values_init"]
    assert run["W_hh_final"] != vanilla["W_hh_final"]  # both moved, the vanilla one off the orthogonal group
    assert vanilla["W_hh_stats"]["final"]["sv_max"] > 1.0 + 1e-6
    for optimizer in rp.OPTIMIZER_TABLE:  # every cell's fixed arrays, every optimiser: test_init_optim.py
        params = rp.init_params("addition", 4, "ortho", np.random.default_rng(2), cell="ornn")
        base = params["B_hh"].copy()
        grads = {k: np.ones_like(params[k]) for k in rp.CELLS["ornn"].params}
        state = {n: {k: np.zeros_like(params[k]) for k in grads} for n in rp.OPTIMIZER_TABLE[optimizer].buffers}
        rp.OPTIMIZER_TABLE[optimizer].step(params, grads, state, 0.1, 0.9, 0, rp.DEFAULTS)
        np.testing.assert_array_equal(params["B_hh"], base)
        assert params["A_hh"].any()


def test_ornn_records_hold_the_network_as_a_vanilla_cell():
    """Records and snapshots hold W_hh itself (orthogonal), so the files module and the analyses read them as the
    vanilla cell's; the config names the cell."""
    run = json.loads(json.dumps(rp.train("temporal_order", "identity", 10, cell="ornn", snapshot_every=1, **TINY)))
    assert rp.cell_of(run) == "ornn" and rp.arm_label(run) == "ornn+identity"
    assert files.run_problem(run) is None
    W = np.array(run["W_hh_final"])
    np.testing.assert_allclose(W.T @ W, np.eye(4), atol=1e-12)
    assert set(run["params_final"]) == {"W_ih", "b_h", "W_hy", "b_y"}
    assert all(set(s["params"]) == set(rp.PARAM_NAMES) for s in run["snapshots"])
    np.testing.assert_array_equal(np.array(run["snapshots"][-1]["params"]["W_hh"]), W)


def test_ornn_float32_trains_and_stays_orthogonal():
    run = rp.train("addition", "ortho", 20, cell="ornn", dtype="float32", **TINY)
    assert run["final_metric"] is not None
    W = np.array(run["W_hh_final"])
    np.testing.assert_allclose(W.T @ W, np.eye(4), atol=1e-6)


@pytest.mark.parametrize(("init", "extra"), [("random", {}), ("chain", {}), ("ortho", {"hh_scale": 0.9})])
def test_ornn_refuses_a_start_that_is_not_orthogonal(init, extra):
    with pytest.raises(ValueError, match="ornn cell keeps an orthogonal W_hh orthogonal"):
        rp.train("addition", init, 20, cell="ornn", **extra, **TINY)


def test_the_cli_refuses_ornn_random_in_one_line(capsys):
    with pytest.raises(SystemExit) as exit_info:
        rp.main(["--task", "addition", "--cell", "ornn", "--init", "random", "--n-epochs", "1"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "ornn" in err and "Traceback" not in err
