"""The elu and modReLU units and Henaff et al.'s start (issue 23): Ribeiro et al. 2020's orthogonal RNN as they built
it (expRNN: modReLU units on W_hh = exp(A), A from Henaff et al. 2016's start) and Orhan & Pitkow 2020's elu units.

The forward passes against the formulas written plainly; BPTT against central differences in float64 on every task,
every parameter (modReLU's b is b_h), at points drawn so that no pre-activation sits near a point where the unit is
not smooth; Henaff's start is orthogonal with the drawn angles as eigenvalues; modReLU on an orthogonal W_hh is not a
contraction where tanh is; and each new option trains from rp.train and from the command line."""

import json

import numpy as np
import pytest
from test_gradients import away_from_start, numerical_grads, relative_error, sequence_len

import rnn_pathological as rp
from rnnpath import files

H, BATCH = 4, 3
EPS = 1e-6  # numerical_grads' step
MARGIN = 1e-4  # 100 steps: a parameter moved by EPS moves no pre-activation this far at these sizes
TINY = {"n_hidden": 4, "n_epochs": 1, "batches_per_epoch": 2, "batch_size": 5}


def plain_forward(net, x, activation):
    """The vanilla recurrence written out step by step, for a network keyed by PARAM_NAMES: (hs (T + 1, B, H),
    pre-activations a (T, B, H)). Under modReLU the pre-activation has no bias and b_h is modReLU's b."""
    W_ih, W_hh, b = net["W_ih"], net["W_hh"], net["b_h"]
    h = np.zeros((x.shape[1], W_hh.shape[0]))
    hs, pre = [h], []
    for x_t in x:
        a = x_t @ W_ih.T + h @ W_hh.T + (0.0 if activation == "modrelu" else b)
        if activation == "modrelu":
            h = np.sign(a) * np.maximum(np.abs(a) + b, 0.0)
        elif activation == "elu":
            h = np.where(a > 0, a, np.exp(a) - 1.0)
        else:
            raise AssertionError(activation)
        hs.append(h)
        pre.append(a)
    return np.array(hs), np.array(pre)


def kink_distance(a, b, activation):
    """How far the pre-activations a (T, B, H) sit from the points where the unit is not smooth: modReLU's jump at
    a = 0 and kink at |a| + b = 0; elu's a = 0, where it is C^1 but its second derivative jumps."""
    if activation == "modrelu":
        return min(np.abs(a).min(), np.abs(np.abs(a) + b).min())
    return np.abs(a).min()


# ----------------------------------------------------------------------------------------------------------------
# forward passes


@pytest.mark.parametrize("activation", ["elu", "modrelu"])
def test_forward_is_the_formula_written_plainly(activation):
    rng = np.random.default_rng(5)
    net = rp.init_params("temporal_order", 8, "ortho", rng, activation=activation)
    net["W_ih"] *= 10.0
    net["b_h"] = 0.5 * rng.standard_normal(8)  # modReLU's b of both signs: dead zones and jumps both occur
    x, _ = rp.generate_batch("temporal_order", 20, 6, rng)
    hs = rp.rnn_forward(net, x, activation=activation)
    reference, pre = plain_forward(net, x, activation)
    np.testing.assert_allclose(hs, reference, rtol=0, atol=1e-14)
    if activation == "modrelu":
        dead = np.abs(pre) + net["b_h"] <= 0
        assert dead.any() and (~dead).any() and np.all(hs[1:][dead] == 0)
    p32 = {k: v.astype(np.float32) for k, v in net.items()}
    hs32 = rp.rnn_forward(p32, x.astype(np.float32), activation=activation)
    assert hs32.dtype == np.float32
    np.testing.assert_allclose(hs32, hs, rtol=0, atol=1e-4)


def test_modrelu_takes_sign_zero_as_zero():
    """sign(0) = 0: a unit whose pre-activation is exactly 0 outputs 0 whatever b, rather than b (where modReLU with
    b > 0 jumps from -b to b); with b = 0 modReLU is the identity, so the cell is linear."""
    net = {"W_ih": np.array([[1.0], [0.0]]), "W_hh": np.zeros((2, 2)), "b_h": np.array([0.3, 0.3])}
    hs = rp.rnn_forward(net, np.array([[[0.0]], [[-2.0]], [[0.5]]]), activation="modrelu")
    np.testing.assert_array_equal(hs[1:, 0], [[0.0, 0.0], [-2.3, 0.0], [0.8, 0.0]])
    rng = np.random.default_rng(0)
    linear = {"W_ih": rng.standard_normal((3, 2)), "W_hh": rp.random_orthogonal(3, rng), "b_h": np.zeros(3)}
    x = rng.standard_normal((5, 4, 2))
    h = np.zeros((4, 3))
    for x_t in x:
        h = x_t @ linear["W_ih"].T + h @ linear["W_hh"].T
    np.testing.assert_allclose(rp.rnn_forward(linear, x, activation="modrelu")[-1], h, rtol=0, atol=1e-14)


def test_modrelu_bias_is_drawn_last_as_expRNN_draws_it():
    """b_h ~ U(-0.01, 0.01) under modReLU (expRNN's modrelu.reset_parameters), drawn after every other parameter, so
    the weights are the tanh run's bits; every other activation keeps b_h = 0 and draws nothing."""
    for cell, init in (("rnn", "ortho"), ("ornn", "henaff")):
        tanh = rp.initial_params("addition", init, 3, cell=cell, n_hidden=64)
        mod = rp.initial_params("addition", init, 3, cell=cell, n_hidden=64, activation="modrelu")
        elu = rp.initial_params("addition", init, 3, cell=cell, n_hidden=64, activation="elu")
        assert set(mod) == set(tanh)
        for name in tanh:
            np.testing.assert_array_equal(elu[name], tanh[name])
            if name != "b_h":
                np.testing.assert_array_equal(mod[name], tanh[name])
        assert not tanh["b_h"].any() and np.all(np.abs(mod["b_h"]) < rp.MODRELU_BIAS_INIT)
        assert mod["b_h"].min() < -0.005 < 0.005 < mod["b_h"].max()


# ----------------------------------------------------------------------------------------------------------------
# gradients

GRAD_CASES = [(cell, task, activation) for cell, activation in (("rnn", "modrelu"), ("ornn", "modrelu"),
                                                                  ("rnn", "elu"), ("ornn", "elu"))
              for task in rp.TASKS]
STARTS = {"rnn": "ortho", "ornn": "henaff"}  # the oRNN from expRNN's start: A = Henaff's skew matrix, B = I


def smooth_point(cell, task, activation):
    """Parameters moved off the start (test_gradients.away_from_start: b_h of both signs, larger input weights, the
    oRNN's A off skew) and a batch, from the first seed whose pre-activations all sit MARGIN away from the unit's
    non-smooth points, so the central differences never straddle one. Returns (params, x, y, seed)."""
    for seed in range(40):
        rng = np.random.default_rng(seed)
        params = rp.init_params(task, H, STARTS[cell], rng, cell=cell, activation=activation)
        params = away_from_start(params, cell, rng)
        x, y = rp.generate_batch(task, sequence_len(task), BATCH, rng)
        net = rp.get_cell(cell).materialise(params)
        _, pre = plain_forward(net, x, activation)
        if kink_distance(pre, net["b_h"], activation) > MARGIN:
            return params, x, y, seed
    raise AssertionError(f"no seed of 40 keeps {task}/{cell}/{activation} {MARGIN} away from a kink")


@pytest.mark.parametrize(("cell", "task", "activation"), GRAD_CASES)
def test_bptt_matches_central_differences_away_from_the_kinks(cell, task, activation):
    params, x, y, _ = smooth_point(cell, task, activation)
    loss, grads = rp.loss_and_grads(params, x, y, task, activation, cell)
    assert np.isfinite(loss) and set(grads) == set(rp.get_cell(cell).params)
    numeric = numerical_grads(params, x, y, task, eps=EPS, activation=activation, cell=cell, names=grads)
    for name in grads:
        assert np.linalg.norm(numeric[name]) > 1e-8, f"{name}: gradient vanishes, the check would be vacuous"
        err = relative_error(grads[name], numeric[name])
        assert err < 1e-6, f"{task}/{cell}/{activation} {name}: relative error {err:.2e}"


def test_modrelu_bias_gradient_is_not_an_additive_bias_gradient():
    """The check can fail: dL/db taken as for a bias added before the unit (the sum of dL/da, tanh's and relu's
    rule) is caught; modReLU's is the sum of dL/da sign(a)."""
    params, x, y, _ = smooth_point("rnn", "addition", "modrelu")
    numeric = numerical_grads(params, x, y, "addition", activation="modrelu", names=["b_h"])["b_h"]
    _, grads = rp.loss_and_grads(params, x, y, "addition", "modrelu")
    hs = rp.rnn_forward(params, x, activation="modrelu")
    _, _, dh_out, _ = rp.output_loss(params, hs, y, rp.get_task("addition"))
    dh_steps = np.zeros_like(hs[1:])
    rp.rnn_backward(params, x, hs, dh_out, activation="modrelu", dh_steps=dh_steps)
    additive = (dh_steps * (hs[1:] != 0)).sum(axis=(0, 1))
    assert relative_error(grads["b_h"], numeric) < 1e-6
    assert relative_error(additive, numeric) > 1e-2


# ----------------------------------------------------------------------------------------------------------------
# Henaff et al.'s start


@pytest.mark.parametrize("n", [6, 7])
def test_henaff_start_is_orthogonal_with_the_drawn_angles(n):
    """W = exp(A), A block-diagonal with [[0, theta], [-theta, 0]]: orthogonal, det 1, eigenvalues exp(+-i theta)
    with theta in [-pi, pi]; for odd n the last unit is left alone (expRNN's choice): eigenvalue 1."""
    W = rp.init_params("addition", n, "henaff", np.random.default_rng(1))["W_hh"]
    A = rp.henaff_skew(n, _after_io_draws("addition", n, 1))  # the angles init_params drew
    np.testing.assert_array_equal(A, -A.T)
    theta = A[np.arange(0, n - 1, 2), np.arange(1, n, 2)]
    assert theta.size == n // 2 and np.all(np.abs(theta) <= np.pi)
    assert np.count_nonzero(A) == 2 * (n // 2)  # nothing but the blocks
    np.testing.assert_allclose(W.T @ W, np.eye(n), atol=1e-14)
    assert np.linalg.det(W) == pytest.approx(1.0, abs=1e-13)
    for k, t in enumerate(theta):  # each block the rotation by its angle
        np.testing.assert_allclose(W[2 * k : 2 * k + 2, 2 * k : 2 * k + 2],
                                   [[np.cos(t), np.sin(t)], [-np.sin(t), np.cos(t)]], atol=1e-14)
    expected = np.concatenate([np.exp(1j * theta), np.exp(-1j * theta), [1.0] * (n % 2)])
    eig = np.linalg.eigvals(W)
    np.testing.assert_allclose(np.sort_complex(eig), np.sort_complex(expected), atol=1e-12)
    if n % 2:
        np.testing.assert_allclose(W[-1, :-1], 0.0, atol=1e-15)
        assert W[-1, -1] == pytest.approx(1.0, abs=1e-15)
    assert rp.get_cell("ornn").inits is not None and "henaff" in rp.get_cell("ornn").inits


def _after_io_draws(task, n, seed):
    """An rng in the state init_params leaves it in just before it draws W_hh: after W_ih and W_hy."""
    rng = np.random.default_rng(seed)
    spec = rp.get_task(task)
    rng.standard_normal((n, spec.n_in))
    rng.standard_normal((spec.n_out, n))
    return rng


def test_henaff_angles_are_uniform_on_the_circle():
    theta = np.diagonal(rp.henaff_skew(20000, np.random.default_rng(2)), 1)[::2]
    assert np.all(np.abs(theta) <= np.pi)
    counts, _ = np.histogram(theta, bins=8, range=(-np.pi, np.pi))
    assert counts.min() > 0.9 * theta.size / 8 and counts.max() < 1.1 * theta.size / 8


@pytest.mark.parametrize("n", [6, 7])
def test_ornn_from_henaff_is_expRNN_start_and_the_vanilla_cells_network(n):
    """expRNN's start: base B = I and A = Henaff's skew matrix, so W_hh = exp(A); and the vanilla cell with the same
    init and seed starts from the same network, bit for bit."""
    ornn = rp.init_params("addition", n, "henaff", np.random.default_rng(4), cell="ornn")
    vanilla = rp.init_params("addition", n, "henaff", np.random.default_rng(4))
    np.testing.assert_array_equal(ornn["B_hh"], np.eye(n))
    np.testing.assert_array_equal(ornn["A_hh"], rp.henaff_skew(n, _after_io_draws("addition", n, 4)))
    for name, value in rp.ornn_materialise(ornn).items():
        np.testing.assert_array_equal(value, vanilla[name], err_msg=name)


# ----------------------------------------------------------------------------------------------------------------
# contraction: on an orthogonal W_hh, tanh is contractive in Edelstein's sense (distances strictly shrink, Lipschitz
# constant 1, not below) and modReLU is not


def modrelu_map(W, u, b):
    return lambda h: np.sign(W @ h + u) * np.maximum(np.abs(W @ h + u) + b, 0.0)


def tanh_map(W, u, b):
    return lambda h: np.tanh(W @ h + u + b)


def test_modrelu_with_orthogonal_W_is_not_a_contraction_where_tanh_is():
    """h -> f(W h + u) with W orthogonal. tanh: |tanh(a) - tanh(a')| < |a - a'| for a != a', and ||W d|| = ||d||,
    so every two states come strictly closer. modReLU: where the signs of a stay put and |a| + b > 0 it is
    a + sign(a) b, a translate of the isometry a = W h + u, so nearby states keep their distance exactly (the
    Lipschitz constant reaches 1); across a = 0 with b > 0 it jumps by 2b and pushes states apart."""
    rng = np.random.default_rng(0)
    n = 16
    W = rp.random_orthogonal(n, rng)
    u = rng.standard_normal(n)
    b = rng.uniform(-rp.MODRELU_BIAS_INIT, rp.MODRELU_BIAS_INIT, n)
    F, G = modrelu_map(W, u, b), tanh_map(W, u, b)
    ratios_tanh, ratios_mod = [], []
    for _ in range(200):
        h1 = rng.standard_normal(n)
        h2 = h1 + 1e-3 * rng.standard_normal(n)
        ratios_tanh.append(np.linalg.norm(G(h1) - G(h2)) / np.linalg.norm(h1 - h2))
        a1, a2 = W @ h1 + u, W @ h2 + u
        if np.all(np.sign(a1) == np.sign(a2)) and np.all(np.abs(a1) + b > 0) and np.all(np.abs(a2) + b > 0):
            ratios_mod.append(np.linalg.norm(F(h1) - F(h2)) / np.linalg.norm(h1 - h2))
    assert max(ratios_tanh) < 1.0
    assert len(ratios_mod) > 100 and np.allclose(ratios_mod, 1.0, atol=1e-9)  # slope-1 regions: an isometry
    # across the jump at a = 0: two states 2 delta apart land 2 delta + 2 b apart (W = I, u = 0, b = 0.01)
    delta, e = 1e-3, np.eye(n)[0]
    J = modrelu_map(np.eye(n), np.zeros(n), np.full(n, 0.01))
    assert np.linalg.norm(J(delta * e) - J(-delta * e)) == pytest.approx(2 * delta + 0.02)
    assert np.linalg.norm(tanh_map(np.eye(n), np.zeros(n), 0.0)(delta * e) - tanh_map(np.eye(n), np.zeros(n), 0.0)(
        -delta * e)) < 2 * delta


# ----------------------------------------------------------------------------------------------------------------
# training and the command line

TRAIN_CASES = [
    ("rnn", "ortho", "elu"),
    ("rnn", "ortho", "modrelu"),
    ("ornn", "henaff", "modrelu"),  # expRNN as they built it: modReLU units on exp(A) from Henaff's start
    ("ornn", "identity", "elu"),
    ("rnn", "henaff", "tanh"),
    ("lstm", "henaff", "tanh"),  # an orthogonal start per gate block, as --init ortho
]


@pytest.mark.parametrize(("cell", "init", "activation"), TRAIN_CASES)
def test_one_tiny_epoch_trains_and_the_record_reads_back(cell, init, activation):
    run = json.loads(json.dumps(rp.train("copy", init, 8, cell=cell, activation=activation, **TINY)))
    assert run["final_metric"] is not None and not run["diverged"]
    assert run["config"]["activation"] == activation and run["init"] == init
    assert files.run_problem(run) is None  # modReLU's b is b_h: the record holds the same keys as every vanilla one
    if cell == "ornn":
        W = np.array(run["W_hh_final"])
        np.testing.assert_allclose(W.T @ W, np.eye(4), atol=1e-12)


@pytest.mark.parametrize(("cell", "init", "activation"), TRAIN_CASES)
def test_one_tiny_epoch_from_the_command_line(cell, init, activation, tmp_path):
    out = tmp_path / "r.json"
    argv = ["--task", "addition", "--sequence-len", "10", "--cell", cell, "--init", init, "--activation", activation,
            "--n-epochs", "1", "--batches-per-epoch", "2", "--batch-size", "4", "--n-hidden", "4", "--quiet",
            "--out", str(out)]
    assert rp.main(argv) == 0
    (run,) = json.loads(out.read_text())["runs"]
    assert (run["config"]["cell"], run["init"], run["config"]["activation"]) == (cell, init, activation)


@pytest.mark.parametrize(("cell", "activation"), [(cell, a) for cell, spec in rp.CELLS.items()
                                                  for a in ("elu", "modrelu") if a not in spec.activations])
def test_cells_without_the_new_units_refuse_them_in_one_line(cell, activation, capsys):
    assert cell != "rnn" and cell != "ornn"
    with pytest.raises(SystemExit) as exit_info:
        rp.main(["--task", "addition", "--cell", cell, "--activation", activation, "--n-epochs", "1"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and cell in err and activation in err and "Traceback" not in err


@pytest.mark.parametrize("init", ["random", "chain"])
def test_ornn_refuses_starts_other_than_its_three(init):
    with pytest.raises(ValueError, match="ortho or identity or henaff"):
        rp.train("addition", init, 10, cell="ornn", activation="modrelu", **TINY)
