"""Attractors of saved snapshots (rnnpath.analyses.attractors): the classifier on hand-made maps, burn-in and
Lyapunov exponents, the RNN and LSTM maps against their equations, fixed-point counts of networks whose fixed points
are known, the committed files against the code, the README's prose against attractors.json, and the command line."""

import itertools
import json
import re
from pathlib import Path

import numpy as np
import pytest
from cli_helpers import assert_one_line_error, run_script
from kernels import assert_same_numbers

import rnn_pathological as rp
from rnnpath.analyses import attractors as dy

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = "rnnpath analyze attractors"
DOC = json.loads((ROOT / "results" / "attractors.json").read_text())


def linear(A, b=None):
    A = np.asarray(A, dtype=float)
    b = np.zeros(len(A)) if b is None else np.asarray(b, dtype=float)
    return dy.Map(lambda x: x @ A.T + b, lambda x, fx, v: v @ A.T, len(A), len(A))


def logistic(r):
    return dy.Map(lambda x: r * x * (1 - x), lambda x, fx, v: r * (1 - 2 * x) * v, 1, 1)


def kind_of(m, x0, burn_in=dy.BURN_IN, window=dy.WINDOW):
    states, lyapunov = dy.iterate(m, np.atleast_2d(x0), burn_in, window)
    return dy.classify(states, lyapunov)[0], float(lyapunov[0])


# ----------------------------------------------------------------------------------------------------------------
# the classifier on hand-made maps


def test_a_contraction_has_a_fixed_point():
    (kind, period), lam = kind_of(linear(0.5 * np.eye(3), [1.0, -2.0, 0.5]), [10.0, 10.0, 10.0])
    assert (kind, period) == ("fixed", None)
    assert lam == pytest.approx(np.log(0.5), abs=1e-9)


def test_cycles_and_their_periods():
    assert kind_of(logistic(3.2), [0.3])[0] == ("periodic", 2)  # the stable 2-cycle of the logistic map
    assert kind_of(linear(-np.eye(2)), [0.3, -0.1])[0] == ("periodic", 2)  # x -> -x
    shift = np.roll(np.eye(3), 1, axis=0)  # (x, y, z) -> (z, x, y)
    assert kind_of(linear(shift), [1.0, 2.0, 3.0])[0] == ("periodic", 3)


def test_an_irrational_rotation_is_quasi_periodic():
    theta = np.pi * (np.sqrt(5) - 1)  # 2 pi / golden ratio: never returns
    R = [[np.cos(theta), -np.sin(theta)], [np.sin(theta), np.cos(theta)]]
    (kind, period), lam = kind_of(linear(R), [1.0, 0.0])
    assert (kind, period) == ("quasi-periodic", None)
    assert abs(lam) < 1e-12  # a rotation neither contracts nor expands


def test_the_logistic_map_at_4_is_chaotic_with_exponent_log_2():
    (kind, _), lam = kind_of(logistic(4.0), [0.123], window=4000)
    assert kind == "chaotic"
    assert lam == pytest.approx(np.log(2), abs=0.03)


def test_a_slow_approach_is_unsettled_not_fixed():
    (kind, _), lam = kind_of(linear([[0.95]]), [1000.0], burn_in=0)  # 1000 * 0.95^200 = 0.035 left to go
    assert kind == "unsettled" and lam == pytest.approx(np.log(0.95), abs=1e-9)


def test_tolerances_decide_at_their_boundary():
    states = np.zeros((dy.WINDOW + 1, 2, 1))
    states[1::2, 0, 0] = 0.9 * dy.TOL  # moves by less than TOL: a fixed point
    states[1::2, 1, 0] = 1.1 * dy.TOL  # by more: a 2-cycle
    assert dy.classify(states, np.zeros(2)) == [("fixed", None), ("periodic", 2)]
    with pytest.raises(ValueError, match="too short"):
        dy.classify(states[:50], np.zeros(2))


def test_the_lyapunov_exponent_of_a_linear_map_is_its_largest_log_eigenvalue():
    A = np.array([[0.9, 0.3], [0.0, 0.5]])  # eigenvalues 0.9 and 0.5, not normal
    _, lam = kind_of(linear(A), [1.0, 1.0])
    assert lam == pytest.approx(np.log(0.9), abs=1e-9)


# ----------------------------------------------------------------------------------------------------------------
# burn-in and determinism


def test_burn_in_discards_exactly_its_steps():
    step = dy.Map(lambda x: x + 1.0, lambda x, fx, v: v, 1, 1)
    states, _ = dy.iterate(step, np.array([[0.0], [10.0]]), burn_in=7, window=5)
    assert states.shape == (6, 2, 1)
    np.testing.assert_array_equal(states[:, 0, 0], [7, 8, 9, 10, 11, 12])
    np.testing.assert_array_equal(states[:, 1, 0], [17, 18, 19, 20, 21, 22])
    states, _ = dy.iterate(step, np.array([[0.0]]), burn_in=0, window=3)
    np.testing.assert_array_equal(states[:, 0, 0], [0, 1, 2, 3])  # no burn-in: the window starts at x0
    states, _ = dy.iterate(step, np.array([[0.0]]), burn_in=4, window=0)
    np.testing.assert_array_equal(states[:, 0, 0], [4])


def tiny_rnn(W_hh, drive=0.0):
    H = len(W_hh)
    return {"W_ih": np.full((H, 1), drive), "W_hh": np.asarray(W_hh, dtype=float), "b_h": np.zeros(H),
            "W_hy": np.zeros((1, H)), "b_y": np.zeros(1)}


def test_analysis_is_deterministic():
    params = tiny_rnn(np.random.default_rng(3).standard_normal((6, 6)), 0.3)
    a = dy.analyse_map(dy.rnn_map(params, 0), n_starts=8)
    b = dy.analyse_map(dy.rnn_map(params, 0), n_starts=8)
    assert a == b
    np.testing.assert_array_equal(dy.random_starts(8, 6), dy.random_starts(8, 6))


# ----------------------------------------------------------------------------------------------------------------
# the maps against their equations


def test_the_rnn_map_is_the_engine_under_a_constant_input():
    params = rp.initial_params("temporal_order", "ortho", 0, n_hidden=8)
    x = np.zeros((30, 1, 6))
    x[:, 0, 2] = 1.0  # channel 2 at 1 on every step
    hs = rp.rnn_forward(params, x)
    states, _ = dy.iterate(dy.rnn_map(params, 2), np.zeros((1, 8)), burn_in=0, window=30)
    np.testing.assert_allclose(states[:, 0], hs[:, 0], atol=1e-14)


def lstm_reference(params, channel, h, c):
    """One LSTM step written out from the equations (gate order i, f, g, o)."""
    H = len(h)
    a = params["W_hh"] @ h + params["W_ih"][:, channel] + params["b_h"]
    sig = lambda z: 1 / (1 + np.exp(-z))
    i, f, g, o = sig(a[:H]), sig(a[H:2 * H]), np.tanh(a[2 * H:3 * H]), sig(a[3 * H:])
    c = f * c + i * g
    return o * np.tanh(c), c


def random_cell_params(rng: np.random.Generator, name: str, n_hidden: int, n_in: int) -> dict[str, np.ndarray]:
    """Gaussian W_ih (G H, n_in), W_hh (G H, H) and b_h (G H) of a vanilla (G = 1) or LSTM (G = 4) map."""
    rows = (4 if name == "lstm" else 1) * n_hidden
    return {"W_ih": rng.standard_normal((rows, n_in)), "W_hh": rng.standard_normal((rows, n_hidden)),
            "b_h": rng.standard_normal(rows)}


@pytest.mark.parametrize("name", ["rnn", "lstm"])
def test_jacobian_vector_products_match_finite_differences(name):
    rng = np.random.default_rng(1)
    H = 5
    params = random_cell_params(rng, name, n_hidden=H, n_in=3)
    m = dy.MAPS[name](params, 1)
    x, v = 0.5 * rng.standard_normal((4, m.dim)), rng.standard_normal((4, m.dim))
    eps = 1e-6
    numeric = (m.step(x + eps * v) - m.step(x - eps * v)) / (2 * eps)
    np.testing.assert_allclose(m.jvp(x, m.step(x), v), numeric, rtol=1e-6, atol=1e-8)
    if name == "lstm":
        h, c = lstm_reference(params, 1, x[0, :H], x[0, H:])
        np.testing.assert_allclose(m.step(x[:1])[0], np.concatenate([h, c]), atol=1e-14)


# ----------------------------------------------------------------------------------------------------------------
# fixed points of networks whose fixed points are known


def test_fixed_point_counts():
    # tanh(2 h) has stable fixed points +-0.9575 in each coordinate (0 is unstable): 4 of them at H = 2
    four = dy.analyse_map(dy.rnn_map(tiny_rnn(2 * np.eye(2)), 0))
    assert four["kind"] == "fixed" and four["lyapunov"] == pytest.approx(np.log(2))  # h_0 = 0: the unstable one
    assert four["n_fixed_points"] == 4
    np.testing.assert_allclose(sorted(four["fixed_points"]), [-0.9575, 0.0, 0.9575], atol=1e-4)  # mean states
    # a contraction: one fixed point, reached from everywhere
    one = dy.analyse_map(dy.rnn_map(tiny_rnn(0.5 * np.eye(2), 0.2), 0))
    assert one["n_fixed_points"] == 1 and one["kind"] == "fixed" and one["random_starts"] == {"fixed": dy.N_STARTS}
    # tanh(-2 h) swaps the two signs every step: a 2-cycle from everywhere but the unstable 0
    cycle = dy.analyse_map(dy.rnn_map(tiny_rnn(-2 * np.eye(1), 0.01), 0))
    assert (cycle["kind"], cycle["period"], cycle["n_fixed_points"]) == ("periodic", 2, 0)
    assert cycle["visited"] == pytest.approx([-0.9575, 0.9575], abs=2e-3)  # the drive 0.01 shifts it a little


def test_a_radius_below_1_makes_neither_a_contraction_nor_a_single_fixed_point():
    """docs/analyses.md: W_hh's spectral radius below 1 decides how the linearisation at 0 forgets, not whether
    tanh(W h + u) is a contraction with one fixed point per input (that needs ||W||_2 < 1). W = 0.9 [[2, 3], [-3, -4]]
    has radius 0.9 (a double eigenvalue -0.9) and norm 5.5, and under u = (-2.7, 10) two stable fixed points."""
    W = 0.9 * np.array([[2.0, 3.0], [-3.0, -4.0]])
    assert np.max(np.abs(np.linalg.eigvals(W))) == pytest.approx(0.9, abs=1e-6) and np.linalg.norm(W, 2) > 5
    params = {"W_ih": np.array([[-2.7], [10.0]]), "W_hh": W, "b_h": np.zeros(2), "W_hy": np.zeros((1, 2)),
              "b_y": np.zeros(1)}
    a = dy.analyse_map(dy.rnn_map(params, 0))
    assert a["n_fixed_points"] == 2 and a["kind"] == "fixed"
    # with ||W||_2 < 1 the map is a contraction: one fixed point, whatever the drive
    small = {**params, "W_hh": 0.99 * W / np.linalg.norm(W, 2)}
    assert dy.analyse_map(dy.rnn_map(small, 0))["n_fixed_points"] == 1


def test_an_orthogonal_tanh_map_has_lipschitz_constant_1_not_below():
    """The Jacobian diag(1 - f(h)^2) W of tanh(W h + u) with W orthogonal has norm max_i (1 - f_i(h)^2) < 1 at every
    h where no pre-activation is 0, and 1 where one is: contractive in Edelstein's sense, not a contraction with a
    constant below 1."""
    rng = np.random.default_rng(0)
    W, _ = np.linalg.qr(rng.standard_normal((5, 5)))
    u = 0.3 * rng.standard_normal(5)
    m = dy.Map(lambda x: np.tanh(x @ W.T + u), lambda x, fx, v: (1 - fx * fx) * (v @ W.T), 5, 5)
    for h in rng.uniform(-1, 1, (20, 5)):
        f = m.step(h[None])[0]
        assert np.linalg.norm(dy.jacobian(m, h), 2) == pytest.approx(np.max(1 - f * f), rel=1e-12)
        assert np.max(1 - f * f) < 1
    zero = np.linalg.solve(W, -u)  # every pre-activation 0
    assert np.linalg.norm(dy.jacobian(m, zero), 2) == pytest.approx(1.0, rel=1e-12)


def rotation(theta):
    return [[np.cos(theta), -np.sin(theta)], [np.sin(theta), np.cos(theta)]]


GOLDEN = np.pi * (np.sqrt(5) - 1)  # 2 pi / golden ratio: a rotation by it never returns


def test_a_slow_approach_to_a_stable_fixed_point_is_settled_by_newton():
    """tanh(R h + u) with R an irrational rotation (orthogonal: every eigenvalue on the unit circle) and a small drive:
    contractive in Edelstein's sense (Lipschitz constant 1, not below), its unique fixed point with a Jacobian of
    spectral radius just below 1, so the window still
    turns around it at a Lyapunov exponent of about 0 (quasi-periodic by the window alone); Newton finds the point,
    the state keeps approaching it, and the verdict is a fixed point, from every start."""
    m = dy.rnn_map(tiny_rnn(rotation(GOLDEN), 0.05), 0)
    (kind, _), lam = kind_of(m, [0.0, 0.0])
    assert kind == "quasi-periodic" and abs(lam) <= dy.LYAPUNOV_TOL  # the window alone cannot tell
    a = dy.analyse_map(m)
    assert (a["kind"], a["period"]) == ("fixed", None)
    assert 0.99 < a["newton"]["radius"] < 1 and 0 < a["newton"]["distance"] < 0.1
    assert a["random_starts"] == {"fixed": dy.N_STARTS} and a["newton_starts"] == dy.N_STARTS
    assert a["n_fixed_points"] == 1  # every start's Newton point is the one fixed point
    states, _ = dy.iterate(m, np.zeros((1, 2)), burn_in=20000, window=0)  # run long enough, it does get there
    point = dy.newton(m, states[-1, 0])
    np.testing.assert_allclose(m.step(point[None])[0], point, atol=dy.NEWTON_TOL)
    assert np.linalg.norm(states[-1, 0] - point) < 1e-3 * a["newton"]["distance"]


def test_genuine_orbits_are_not_settled_by_newton():
    """A real 2-cycle (tanh(-2 h): Newton finds the fixed point near 0, unstable) and a real quasi-periodic orbit
    (tanh(1.5 R h + u), R an irrational rotation: an invariant circle around an unstable fixed point) stay orbits."""
    cycle = dy.analyse_map(dy.rnn_map(tiny_rnn(-2 * np.eye(1), 0.01), 0))
    assert (cycle["kind"], cycle["period"], cycle["newton"]) == ("periodic", 2, None)
    assert cycle["newton_starts"] == 0 and cycle["n_fixed_points"] == 0
    m = dy.rnn_map(tiny_rnn(1.5 * np.array(rotation(GOLDEN)), 0.05), 0)
    ring = dy.analyse_map(m)
    assert (ring["kind"], ring["newton"], ring["newton_starts"]) == ("quasi-periodic", None, 0)
    states, _ = dy.iterate(m, np.zeros((1, 2)))
    point = dy.newton(m, states[-1, 0])  # Newton converges, to the unstable fixed point inside the circle
    assert point is not None and np.max(np.abs(np.linalg.eigvals(dy.jacobian(m, point)))) > 1
    assert dy.settle(m, states[:, 0]) is None
    # a map with no fixed point at all near the orbit: an irrational rotation of the plane (its only fixed point, 0,
    # has spectral radius 1, not below it)
    assert dy.settle(linear(rotation(GOLDEN)), dy.iterate(linear(rotation(GOLDEN)), np.array([[1.0, 0.0]]))[0][:, 0]
                     ) is None


@pytest.mark.parametrize("name", ["rnn", "lstm"])
def test_the_jacobian_is_the_matrix_of_the_jacobian_vector_product(name):
    rng = np.random.default_rng(2)
    m = dy.MAPS[name](random_cell_params(rng, name, n_hidden=4, n_in=2), 0)
    x, v = 0.5 * rng.standard_normal(m.dim), rng.standard_normal(m.dim)
    np.testing.assert_allclose(dy.jacobian(m, x) @ v, m.jvp(x[None], m.step(x[None]), v[None])[0], atol=1e-12)


def test_distinct_merges_within_the_tolerance():
    points = np.array([[0.0, 0.0], [0.5 * dy.DEDUP_TOL, 0.0], [2 * dy.DEDUP_TOL, 0.0], [0.0, 1.0]])
    np.testing.assert_array_equal(dy.distinct(points), points[[0, 2, 3]])
    assert dy.distinct(np.zeros((0, 3))).shape == (0, 3)


# ----------------------------------------------------------------------------------------------------------------
# modReLU maps (seed 004's expRNN): the map against the engine and finite differences, and the fixed points of
# networks whose fixed points an independent enumeration of the map's affine pieces gives


def modrelu_net(W_hh, b, drive):
    W_hh = np.asarray(W_hh, dtype=float)
    return {"W_hh": W_hh, "W_ih": np.asarray(drive, dtype=float).reshape(len(W_hh), 1), "b_h": np.asarray(b, float),
            "W_hy": np.zeros((1, len(W_hh))), "b_y": np.zeros(1)}


def block_diagonal(*blocks):
    W = np.zeros((sum(len(B) for B in blocks),) * 2)
    k = 0
    for B in blocks:
        W[k:k + len(B), k:k + len(B)] = B
        k += len(B)
    return W


def enumerate_fixed_points(params):
    """Every fixed point of the modReLU map (input channel 0) by brute force over its 3^H pieces: for each pattern
    p_i in {+1 (active, a_i > 0), -1 (active, a_i < 0), 0 (dead)}, solve h = D (W h + c + b * p), D = diag(p != 0),
    and keep the solution if its pre-activation lies in that piece. Returns [(point, spectral radius of D W,
    smooth)], smooth False on a kink or jump. Independent of the analysis: no iteration, no Newton."""
    W, c, b = params["W_hh"], params["W_ih"][:, 0], params["b_h"]
    H = len(W)
    out = []
    for pattern in itertools.product((1, -1, 0), repeat=H):
        p = np.array(pattern, dtype=float)
        D = np.diag(p != 0).astype(float)
        try:
            x = np.linalg.solve(np.eye(H) - D @ W, D @ (c + b * p))
        except np.linalg.LinAlgError:
            continue
        a = W @ x + c
        active = (np.sign(a) == p) & (np.abs(a) + b > 0)
        dead = (np.abs(a) + b <= 0) | (np.abs(a) < 1e-12)
        if np.all(np.where(p != 0, active, dead)):
            kink = np.where(b > 0, np.abs(a), np.where(b < 0, np.abs(np.abs(a) + b), np.inf)).min()
            out.append((x, float(np.max(np.abs(np.linalg.eigvals(D @ W)))), bool(kink > 1e-9)))
    return out


# two stable fixed points, h = (+-2 b_1, 0): unit 1 (b_1 = 0.1 > 0) is active with a_1 = h_1 / 2, unit 2 (b_2 = -0.5)
# sits in its dead zone, |a_2| = 0.87 |h_1| < 0.5; the Jacobian [[0.5, -0.87], [0, 0]] has spectral radius 0.5. And
# h = 0, where a_1 = 0 sits on unit 1's jump: a fixed point that is not stable
TWO = modrelu_net(rotation(np.pi / 3), [0.1, -0.5], [0.0, 0.0])
FOUR = modrelu_net(block_diagonal(rotation(np.pi / 3), rotation(np.pi / 3)), [0.1, -0.5, 0.15, -0.5], np.zeros(4))


def test_the_modrelu_map_is_the_engine_under_a_constant_input():
    params = rp.initial_params("temporal_order", "henaff", 0, n_hidden=8, activation="modrelu")
    assert np.all(params["b_h"] != 0)  # modReLU's b is drawn, not zero
    params["b_h"] = np.random.default_rng(4).uniform(-0.5, 0.5, 8)  # wide enough for dead units and jumps
    params["W_ih"] = 5 * params["W_ih"]
    x = np.zeros((30, 1, 6))
    x[:, 0, 3] = 1.0
    hs = rp.rnn_forward(params, x, activation="modrelu")
    states, _ = dy.iterate(dy.modrelu_map(params, 3), np.zeros((1, 8)), burn_in=0, window=30)
    np.testing.assert_allclose(states[:, 0], hs[:, 0], atol=1e-14)
    assert np.any(hs[1:] == 0) and np.any(hs[1:] != 0)  # dead and active units both on the way


def test_the_modrelu_jacobian_vector_product_matches_finite_differences_away_from_kinks():
    rng = np.random.default_rng(5)
    H = 6
    b = np.array([0.3, -0.4, 0.0, -0.2, 0.5, -1.0])  # jumps, dead zones and an identity unit
    W = rng.standard_normal((H, H))
    m = dy.modrelu_map(modrelu_net(W, b, rng.standard_normal(H)), 0)
    x, v = rng.standard_normal((400, H)), rng.standard_normal((400, H))
    eps = 1e-6
    # the differences must not cross a kink or jump: a_i moves by at most eps ||W_i|| ||v|| either way
    far = m.kink_distance(x) > 10 * eps * np.max(np.linalg.norm(W, axis=1)) * np.linalg.norm(v, axis=1)
    assert far.sum() > 200
    x, v = x[far], v[far]
    numeric = (m.step(x + eps * v) - m.step(x - eps * v)) / (2 * eps)
    np.testing.assert_allclose(m.jvp(x, m.step(x), v), numeric, rtol=1e-6, atol=1e-8)
    fx = m.step(x)
    assert np.any(fx == 0) and np.any(fx != 0)  # both dead and active units were checked
    np.testing.assert_allclose(dy.jacobian(m, x[0]) @ v[0], m.jvp(x[:1], fx[:1], v[:1])[0], atol=1e-12)
    # an identity unit (b_i = 0) has derivative 1 even where a_i = 0 and its state is 0
    zero = dy.modrelu_map(modrelu_net(np.eye(2), [0.0, 0.0], [0.0, 0.0]), 0)
    np.testing.assert_array_equal(dy.jacobian(zero, np.zeros(2)), np.eye(2))


def test_an_orthogonal_modrelu_map_is_nonexpansive_only_without_positive_biases():
    """b <= 0: soft thresholding after an isometry, ||f(h) - f(g)|| <= ||h - g||; one b_i > 0 and two states either
    side of a_i = 0 are pulled apart by 2 b_i. With an orthogonal W_hh no Jacobian has spectral radius above 1."""
    rng = np.random.default_rng(6)
    W = rp.random_orthogonal(5, rng)
    c = rng.standard_normal(5)
    h, g = rng.standard_normal((2, 2000, 5))
    shrink = dy.modrelu_map(modrelu_net(W, -rng.uniform(0, 1, 5), c), 0)
    assert np.all(np.linalg.norm(shrink.step(h) - shrink.step(g), axis=1) <= np.linalg.norm(h - g, axis=1) + 1e-12)
    b = -rng.uniform(0, 1, 5)
    b[2] = 0.3
    jump = dy.modrelu_map(modrelu_net(W, b, c), 0)
    across = np.linalg.solve(W, np.eye(5)[2] * 1e-6 - c)  # a = W h + c = 1e-6 e_2, and its mirror below
    other = np.linalg.solve(W, -np.eye(5)[2] * 1e-6 - c)
    assert np.linalg.norm(jump.step(across[None]) - jump.step(other[None])) > 2 * 0.3 > np.linalg.norm(across - other)
    assert all(np.max(np.abs(np.linalg.eigvals(dy.jacobian(jump, x)))) <= 1 + 1e-12 for x in h[:50])


def test_a_hand_built_modrelu_map_with_two_and_four_stable_fixed_points_is_counted_right():
    for params, n in ((TWO, 2), (FOUR, 4)):
        truth = enumerate_fixed_points(params)  # FOUR: the 4 stable ones, and 5 on a jump (one block's state at 0)
        stable = [x for x, radius, smooth in truth if smooth and radius < 1]
        assert len(stable) == n and all(smooth or radius < 1 for _, radius, smooth in truth)  # no neutral ones
        a = dy.analyse_map(dy.modrelu_map(params, 0))
        assert a["n_distinct"] == {"stable": n, "neutral": 0, "unstable": 0, "non-smooth": 1}  # 0, from h_0 = 0
        assert a["n_fixed_points"] == n  # reached, each from inside the ball it provably attracts
        np.testing.assert_allclose(a["fixed_points"], sorted(round(x.mean(), 4) for x in stable), atol=1e-12)
        # h_0 = 0 stays at the fixed point on the jump, which the derivative convention alone would call stable
        assert a["kind"] == "fixed" and a["fixed_point"] == "non-smooth"
        assert a["verdicts"] == {"converges": dy.N_STARTS}
        assert all(p["radius"] == pytest.approx(0.5) for p in a["stable_points"])
        # seed 004's far starts: some circle far away (every unit active there: an isometry), never counted as reached
        assert sum(a["wide_verdicts"].values()) == dy.WIDE_STARTS and a["wide_starts"].get("fixed", 0) == (
            a["wide_verdicts"].get("converges", 0))


def test_a_window_converges_only_from_inside_the_ball_the_map_provably_contracts():
    """TWO's fixed point (0.2, 0) has a = (0.1, 0.17): unit 1's jump at a_1 = 0 is 0.1 away, unit 2's kink at
    |a_2| = 0.5 is 0.33 away, and W_hh's rows have norm 1, so no unit changes piece within 0.1 of it. A window ending
    inside that ball converges to it; one ending 0.3 away (whose piece holds the other point, (-0.2, 0)) finds a
    stable fixed point that it is not shown to reach, and settle() does not call it settled."""
    m = dy.modrelu_map(TWO, 0)
    point = np.array([0.2, 0.0])
    assert m.basin_radius(point) == pytest.approx(0.1)
    inside = np.array([point + [0.05, 0.0]] * (dy.WINDOW + 1))
    outside = np.array([point + [0.0, 0.3]] * (dy.WINDOW + 1))
    verdict, found = dy.piecewise_verdict(m, inside, "quasi-periodic", None)
    assert verdict == "converges" and found == pytest.approx(point, abs=1e-12)
    verdict, found = dy.piecewise_verdict(m, outside, "quasi-periodic", None)
    assert verdict == "stable" and found == pytest.approx(-point, abs=1e-12)
    assert dy.settle(m, outside) is None and dy.settle(m, inside) is not None


def test_neutral_fixed_points_and_a_continuum_are_not_counted_as_stable():
    """b = 0: the affine isometry h -> R h + u around its one neutral fixed point, which every state circles; and the
    identity, all of whose states are fixed: each start is its own neutral point on a continuum."""
    circle = dy.analyse_map(dy.modrelu_map(modrelu_net(rotation(GOLDEN), [0.0, 0.0], [0.3, 0.1]), 0))
    assert (circle["kind"], circle["n_fixed_points"], circle["fixed_point"]) == ("quasi-periodic", 0, "neutral")
    assert circle["verdicts"] == {"neutral": dy.N_STARTS} and circle["random_starts"] == {"quasi-periodic": dy.N_STARTS}
    assert circle["n_distinct"] == {"stable": 0, "neutral": 1, "unstable": 0, "non-smooth": 0}
    assert circle["n_continuum"] == 0
    still = dy.analyse_map(dy.modrelu_map(modrelu_net(np.eye(2), [0.0, 0.0], [0.0, 0.0]), 0))
    starts = 1 + dy.N_STARTS + dy.WIDE_STARTS
    assert still["random_starts"] == {"fixed": dy.N_STARTS} and still["n_fixed_points"] == 0
    assert still["n_distinct"]["neutral"] == still["n_continuum"] == starts


def test_a_dead_zone_holds_one_stable_fixed_point_that_every_start_reaches():
    """b = (-1, -1) and no input: every state whose pre-activation lies in [-1, 1]^2 maps to 0 at once, and states
    further out shrink towards it (soft thresholding after a rotation): one superstable fixed point, 0."""
    a = dy.analyse_map(dy.modrelu_map(modrelu_net(rotation(0.7), [-1.0, -1.0], [0.0, 0.0]), 0))
    assert a["n_fixed_points"] == 1 and a["fixed_points"] == [0.0] and a["fixed_point"] == "converges"
    assert a["verdicts"] == {"converges": dy.N_STARTS} and a["wide_verdicts"] == {"converges": dy.WIDE_STARTS}
    assert a["stable_points"] == [{"radius": 0.0, "basin": 1.0, "dead": 2, "nearest": 0.0}]


# ----------------------------------------------------------------------------------------------------------------
# the committed files


@pytest.fixture(scope="module")
def snapshots():
    return dy.load_snapshots(str(ROOT / "results" / "results_snapshots.json"))


@pytest.fixture(scope="module")
def lstm_snapshots():
    return dy.load_snapshots(str(ROOT / "results" / "results_snapshots_lstm.json"))


@pytest.fixture(scope="module")
def ornn_snapshots():
    return dy.load_snapshots(str(ROOT / "results" / "results_snapshots_ornn.json"))


@pytest.fixture(scope="module")
def exprnn_snapshots():
    return dy.load_snapshots(str(ROOT / "results" / "results_snapshots_exprnn.json"))


def test_snapshot_file_is_the_headline_with_snapshots_from_the_committed_code(snapshots):
    assert [(r["task"], r["init"], r["seed"]) for r in snapshots["runs"]] == [
        (s["task"], s["init"], s["seed"]) for s in rp.headline_specs(0)]
    for run in snapshots["runs"]:
        assert run["config"]["snapshot_every"] == 5
        assert [s["epoch"] for s in run["snapshots"]] == list(range(0, 81, 5))
        initial = rp.initial_params(run["task"], run["init"], run["seed"], **run["config"])
        for name, value in initial.items():
            assert_same_numbers(value, run["snapshots"][0]["params"][name], snapshots["environment"], where=name)
        np.testing.assert_array_equal(np.array(run["snapshots"][-1]["params"]["W_hh"]), np.array(run["W_hh_final"]))
    run = snapshots["runs"][0]  # addition ortho, the shortest: its first epoch retrained
    fresh = rp.train(run["task"], run["init"], run["sequence_len"], seed=run["seed"],
                     **{**run["config"], "n_epochs": 1, "snapshot_every": 1})
    assert fresh["history"][0]["loss"] == pytest.approx(run["history"][0]["loss"], rel=1e-9)
    np.testing.assert_allclose(fresh["snapshots"][1]["params"]["W_hh"], run["snapshots"][0]["params"]["W_hh"],
                               atol=0.05)  # one epoch moves W_hh a little ...
    assert fresh["snapshots"][1]["params"]["W_hh"] != run["snapshots"][0]["params"]["W_hh"]  # ... but moves it


def test_lstm_snapshot_file_comes_from_the_committed_code(lstm_snapshots):
    (run,) = lstm_snapshots["runs"]
    assert (run["task"], run["init"], rp.full_config(run["config"])["cell"]) == ("temporal_order", "ortho", "lstm")
    assert [s["epoch"] for s in run["snapshots"]] == list(range(0, 81, 10))
    initial = rp.initial_params(run["task"], run["init"], run["seed"], **run["config"])
    for name, value in initial.items():
        assert_same_numbers(value, run["snapshots"][0]["params"][name], lstm_snapshots["environment"], where=name)
    fresh = rp.train(run["task"], run["init"], run["sequence_len"], seed=run["seed"], **{**run["config"], "n_epochs": 1})
    assert fresh["history"][0]["loss"] == pytest.approx(run["history"][0]["loss"], rel=1e-9)


def test_ornn_snapshot_file_comes_from_the_committed_code(ornn_snapshots):
    """The oRNN run: its first snapshot is the vanilla ortho start, every snapshot's W_hh is orthogonal, and its first
    epoch retrains to the same loss."""
    (run,) = ornn_snapshots["runs"]
    assert (run["task"], run["init"], rp.full_config(run["config"])["cell"]) == ("temporal_order", "ortho", "ornn")
    assert [s["epoch"] for s in run["snapshots"]] == list(range(0, 81, 5))
    vanilla = rp.initial_params(run["task"], run["init"], run["seed"], **{**run["config"], "cell": "rnn"})
    for name, value in vanilla.items():
        assert_same_numbers(value, run["snapshots"][0]["params"][name], ornn_snapshots["environment"], where=name)
    for snap in run["snapshots"]:
        W = np.array(snap["params"]["W_hh"])
        np.testing.assert_allclose(W.T @ W, np.eye(W.shape[0]), atol=1e-12)
    fresh = rp.train(run["task"], run["init"], run["sequence_len"], seed=run["seed"], **{**run["config"], "n_epochs": 1})
    assert fresh["history"][0]["loss"] == pytest.approx(run["history"][0]["loss"], rel=1e-9)


def test_exprnn_snapshot_file_is_the_ornn_run_built_as_seed_004_built_theirs(exprnn_snapshots, ornn_snapshots):
    """The expRNN run: the tanh oRNN run's task, length, seed and budget with Henaff's start and modReLU units; its
    first snapshot is the vanilla cell's start under the same options, every W_hh is orthogonal, and its first epoch
    retrains to the same loss."""
    (run,) = exprnn_snapshots["runs"]
    (tanh,) = ornn_snapshots["runs"]
    config = rp.full_config(run["config"])
    assert (run["task"], run["init"], config["cell"], config["activation"]) == (
        "temporal_order", "henaff", "ornn", "modrelu")
    assert (run["sequence_len"], run["seed"]) == (tanh["sequence_len"], tanh["seed"])
    assert {**config, "activation": "tanh"} == rp.full_config(tanh["config"])
    assert [s["epoch"] for s in run["snapshots"]] == list(range(0, 81, 5))
    vanilla = rp.initial_params(run["task"], run["init"], run["seed"], **{**run["config"], "cell": "rnn"})
    for name, value in vanilla.items():
        assert_same_numbers(value, run["snapshots"][0]["params"][name], exprnn_snapshots["environment"], where=name)
    for snap in run["snapshots"]:
        W = np.array(snap["params"]["W_hh"])
        np.testing.assert_allclose(W.T @ W, np.eye(W.shape[0]), atol=1e-12)
    fresh = rp.train(run["task"], run["init"], run["sequence_len"], seed=run["seed"], **{**run["config"], "n_epochs": 1})
    assert fresh["history"][0]["loss"] == pytest.approx(run["history"][0]["loss"], rel=1e-9)


def test_committed_attractors_are_what_the_code_computes(snapshots, lstm_snapshots, ornn_snapshots, exprnn_snapshots):
    """The settings, the radii, and every vanilla run's first and last snapshot under input 0, recomputed (the expRNN's
    with its modReLU counts); the LSTM's last snapshot under input 0 (its map is the slow one)."""
    assert DOC["sources"] == list(dy.SNAPSHOT_FILES)
    assert DOC["settings"] == {"burn_in": dy.BURN_IN, "window": dy.WINDOW, "tol": dy.TOL,
                               "max_period": dy.MAX_PERIOD, "lyapunov_tol": dy.LYAPUNOV_TOL,
                               "n_starts": dy.N_STARTS, "starts_seed": dy.STARTS_SEED, "dedup_tol": dy.DEDUP_TOL,
                               "newton_max_iter": dy.NEWTON_MAX_ITER, "newton_tol": dy.NEWTON_TOL,
                               "falling_segments": dy.FALLING_SEGMENTS, "kink_tol": dy.KINK_TOL,
                               "radius_tol": dy.RADIUS_TOL, "wide_starts": dy.WIDE_STARTS, "wide_std": dy.WIDE_STD}
    runs = snapshots["runs"] + lstm_snapshots["runs"] + ornn_snapshots["runs"] + exprnn_snapshots["runs"]
    for run, saved in zip(runs, DOC["runs"], strict=True):
        assert (saved["task"], saved["init"], saved["solved_epoch"]) == (run["task"], run["init"], run["solved_epoch"])
        assert saved["cell"] == rp.cell_of(run) and saved["snapshot_every"] == run["config"]["snapshot_every"]
        assert saved["activation"] == rp.full_config(run["config"])["activation"]
        W = np.array(run["snapshots"][-1]["params"]["W_hh"])
        if saved["cell"] in dy.VANILLA_MAPS:
            assert saved["radius"][-1] == pytest.approx(np.max(np.abs(np.linalg.eigvals(W))), rel=1e-12)
        assert len(saved["channels"]) == len(run["snapshots"][0]["params"]["W_ih"][0])
        for k in ((0, -1) if saved["cell"] in dy.VANILLA_MAPS else (-1,)):
            fresh = dy.analyse_map(dy.map_of(run)(dy.snapshot_params(run["snapshots"][k]), 0))
            fresh.pop("state")
            stored = {key: value for key, value in saved["channels"][0]["snapshots"][k].items()
                      if key not in ("epoch", "moved")}
            # Newton's solves and the eigenvalues at its point round by the BLAS kernel: exact under the kernel that
            # wrote the file, equal to 1e-9 under another (tests/kernels.py)
            newton, fresh_newton = stored.pop("newton"), fresh.pop("newton")
            # and so do a modReLU map's fixed points' spectral radii, basins and distances
            assert_same_numbers(fresh.pop("stable_points", None), stored.pop("stable_points", None),
                                DOC["environment"], where=f"{run['task']} {run['init']} {k} stable points")
            assert (newton is None) == (fresh_newton is None), (run["task"], run["init"], k)
            if newton is not None:
                assert_same_numbers(fresh_newton, newton, DOC["environment"], where=f"{run['task']} {run['init']} {k}")
            assert fresh == stored, (run["task"], run["init"], k)


def test_the_prose_about_attractors_holds():
    """README: ortho starts with one fixed point per input and loses it within the first epochs on temporal_order and
    3bit_memorization; the random start keeps one fixed point on addition and 3bit_memorization and bifurcates on
    temporal_order late, where its radius first exceeds 1; every first orbit comes with W_hh's radius above 1; no
    snapshot of the vanilla RNN has more than one stable fixed point; the ortho runs' radii end above 1; the LSTM
    changes kind and ends with two stable fixed points on several inputs."""
    runs = {(r["task"], dy.arm(r)): r for r in DOC["runs"]}
    summary = {key: dy.run_summary(r) for key, r in runs.items()}
    for task in ("temporal_order", "3bit_memorization"):
        s = summary[(task, "ortho")]
        assert len(s["onsets"]) == s["n_channels"] and max(s["onsets"]) <= 5
    for task in ("addition", "3bit_memorization"):
        s = summary[(task, "random")]
        assert s["onsets"] == [] and s["fixed_first"] == s["fixed_last"] == s["n_channels"]
    late = summary[("temporal_order", "random")]
    assert min(late["onsets"]) >= 40 and late["radius_at_onset"][0] < 1 < late["radius_at_onset"][1]
    vanilla = {key: s for key, s in summary.items() if runs[key]["cell"] == "rnn"}
    assert all(s["radius_at_onset"][1] > 1 for s in vanilla.values() if s["onsets"])
    assert all(s["max_fixed_points"] <= 1 for s in vanilla.values())
    assert all(s["radius"][1] > 1 for (_, init), s in vanilla.items() if init == "ortho")
    for s in vanilla.values():
        assert s["fixed_first"] >= s["n_channels"] - 2  # "a single fixed point per input at initialisation"
    # the LSTM: its attractors change kind (fixed points give way to orbits and come back), and by the end several
    # inputs have two stable fixed points
    lstm = summary[("temporal_order", "lstm ortho")]
    assert lstm["changes"] > 0 and lstm["onsets"] and lstm["kinds_last"] == {"fixed": lstm["n_channels"]}
    assert lstm["max_fixed_points"] == 2 and lstm["multistable_last"] >= 2
    # the RNN kept orthogonal: radius 1 throughout, never more than one stable fixed point per input (no cloud), and
    # for some inputs the state from 0 approaches it too slowly to settle within the burn-in (Newton settles it)
    held = summary[("temporal_order", "ornn ortho")]
    assert all(r == pytest.approx(1.0, abs=1e-9) for r in runs[("temporal_order", "ornn ortho")]["radius"])
    assert held["max_fixed_points"] == 1 and held["newton"] > 0 and not held["onsets"]
    # addition, ortho: "the orbit comes and goes, and both inputs end at a fixed point"
    add = summary[("addition", "ortho")]
    assert add["onsets"] and add["kinds_last"] == {"fixed": add["n_channels"]}
    assert any(a["kind"] in dy.ORBITS and b["kind"] == "fixed" for c in runs[("addition", "ortho")]["channels"]
               for a, b in itertools.pairwise(c["snapshots"]))


def radius_onsets_recounted(doc):
    """Per vanilla tanh run: (first orbit's epoch, W_hh's radius there, first epoch with radius above 1, snapshots
    with radius above 1), counted from the rows without the module's summaries."""
    out = {}
    for r in doc["runs"]:
        if r["cell"] != "rnn" or r.get("activation", "tanh") != "tanh":
            continue
        orbit = [s["epoch"] for c in r["channels"] for s in c["snapshots"] if s["kind"] in dy.ORBITS]
        onset = min(orbit) if orbit else None
        above = [e for e, x in zip(r["epochs"], r["radius"], strict=True) if x > 1 + 1e-8]
        out[(r["task"], r["init"])] = (onset, r["radius"][r["epochs"].index(onset)] if orbit else None,
                                       above[0] if above else None, len(above))
    return out


def test_the_radius_at_the_first_orbit_is_an_observation_and_the_block_says_so():
    """The block's sentence on W_hh's radius at the first orbit against the rows: above 1 in every run that reaches
    one, the runs where the radius passed 1 before the first orbit or without one named with their epochs."""
    text = dy.readme_block(DOC)
    rows = radius_onsets_recounted(DOC)
    orbiting = {k: v for k, v in rows.items() if v[0] is not None}
    assert orbiting and all(v[1] > 1 for v in orbiting.values())
    assert f"In every one of the {len(orbiting)} vanilla runs whose state from h_0 = 0 reaches an orbit" in text
    assert "That is what these runs show, not a rule" in text
    for (task, init), (onset, _, first_above, n_above) in rows.items():
        early = onset is not None and first_above is not None and first_above < onset
        assert (f"on {task} the {init} arm's radius is above 1 from epoch {first_above}, its first orbit at epoch "
                f"{onset}" in text) == early
        quiet = onset is None and n_above > 0
        assert (f"the {init} arm's on {task} is above 1 at {n_above} of its" in text) == quiet, (task, init)
    assert ("addition", "ortho") in orbiting and rows[("addition", "ortho")][2] < rows[("addition", "ortho")][0]
    assert any(v[0] is None and v[3] for v in rows.values())  # a radius above 1 without any orbit


def test_the_counts_of_stable_fixed_points_say_what_the_starts_reach():
    """Every arm's count names the starts it comes from (1 + N_STARTS, with the wide ones on a modReLU map), the
    settings call the counts lower bounds, and nothing says a stable fixed point has gone where a search missed it."""
    text = dy.readme_block(DOC)
    assert f"reached from its {1 + dy.N_STARTS} starts (h_0 = 0, {dy.N_STARTS} random)" in text
    assert f"reached from its {1 + dy.N_STARTS + dy.WIDE_STARTS} starts" in text
    assert "lower bounds on the map's own" in text
    assert "never disappear" not in text or "can neither confirm nor contradict" in text
    assert "strict contraction" not in text and "contractive in Edelstein's sense" in text
    page = (ROOT / "docs" / "analyses.md").read_text()
    prose = " ".join(re.sub(r"<!-- BEGIN (\S+) -->.*?<!-- END \1 -->", "", page, flags=re.DOTALL).split())
    assert "strict contraction" not in prose and "reached slowly)" not in prose  # the hand-written text


def test_what_is_cut_against_seed_004_states_our_setup_as_the_files_hold_it(snapshots, lstm_snapshots, ornn_snapshots,
                                                                           exprnn_snapshots):
    """docs/analyses.md's paragraph on what differs from seed 004: our units, epochs, optimiser, fresh batches, T,
    the symbols' windows (drawn here from the task's generator) and the starts, against the snapshot files and
    attractors.json."""
    prose = " ".join((ROOT / "docs" / "analyses.md").read_text().split())
    start = prose.index("**What is cut against seed 004.**")
    para = prose[start:prose.index("**The figure**", start)]
    runs = [r for doc in (snapshots, lstm_snapshots, ornn_snapshots, exprnn_snapshots) for r in doc["runs"]
            if r["task"] == "temporal_order"]
    assert len(runs) == 5  # ortho, random, the LSTM, the tanh oRNN and the expRNN
    configs = [rp.full_config(r["config"]) for r in runs]
    (H,) = {c["n_hidden"] for c in configs}
    (epochs,) = {c["n_epochs"] for c in configs}
    (T,) = {r["sequence_len"] for r in runs}
    assert {c["optimizer"] for c in configs} == {"momentum"} and {c["train_size"] for c in configs} == {0}
    assert {c["positions"] for c in configs} == {"default"}
    x, _ = rp.generate_batch("temporal_order", T, 20000, np.random.default_rng(0))
    informative = np.argwhere(x[:, :, :2].sum(axis=2) > 0)[:, 0]  # symbols A and B: channels 0 and 1
    first, second = informative[informative < T // 2], informative[informative >= T // 2]
    windows = f"t1 in [{first.min()}, {first.max()}] and t2 in [{second.min()}, {second.max()}] (t counted from 0)"
    for fact in (f"Our runs have {H} units", f"for {epochs} epochs", f"at T = {T}", windows,
                 f"h_0 = 0 and {DOC['settings']['n_starts']} starts uniform in [-1, 1]^H",
                 f"their {DOC['settings']['wide_starts']} wide starts",
                 f"from {dy.WIDE_STARTS} states drawn N(0, {dy.WIDE_STD:g}^2)"):
        assert fact in para, fact


def test_the_tanh_ornn_has_only_fixed_points():
    """With tanh units and an orthogonal W_hh the map is contractive in Edelstein's sense: one fixed point per input,
    which every trajectory approaches (Edelstein 1962), however slowly. In the committed file no input of the tanh oRNN, from h_0 = 0 or from a
    random start, at any snapshot, is classified as anything else, and each has exactly one stable fixed point."""
    held = [r for r in DOC["runs"] if r["cell"] == "ornn" and r.get("activation", "tanh") == "tanh"]
    assert held
    for run in held:
        for channel in run["channels"]:
            for s in channel["snapshots"]:
                assert s["kind"] == "fixed" and s["random_starts"] == {"fixed": dy.N_STARTS}, (
                    channel["channel"], s["epoch"])
                assert s["n_fixed_points"] == 1
                assert s["newton"] is None or s["newton"]["radius"] < 1


def exprnn_rows(doc):
    (run,) = [r for r in doc["runs"] if r["cell"] == "ornn" and r["activation"] == "modrelu"]
    return run


def moving(s):
    """Windows of one row not at a fixed point, counted from its kinds (not through the module's summaries)."""
    return ((s["kind"] != "fixed") + sum(n for k, n in s["random_starts"].items() if k != "fixed")
            + sum(n for k, n in s["wide_starts"].items() if k != "fixed"))


def assert_exprnn_prose_agrees(doc):
    """The expRNN paragraph and table of readme_block against the run's rows, recounted here."""
    run = exprnn_rows(doc)
    text = dy.readme_block(doc)
    last = [c["snapshots"][-1] for c in run["channels"]]
    for c, s in zip(run["channels"], last, strict=True):
        starts = 1 + sum(s["random_starts"].values()) + sum(s["wide_starts"].values())
        assert (f"| {c['channel']} | {s['n_distinct']['stable']} | {s['n_distinct']['neutral']} | {s['n_continuum']} | "
                f"{s['n_fixed_points']} | {moving(s)}/{starts} |") in text
    rows = [s for c in run["channels"] for s in c["snapshots"]]
    with_stable = sum(s["n_distinct"]["stable"] > 0 for s in rows)
    most = max(s["n_distinct"]["stable"] for s in rows)
    assert f"Newton finds a stable fixed point in {with_stable} of the {len(rows)} pairs, at most {most} for" in text
    assert f"need some b_i > 0 ({run['bias_positive'][-1]} of its {run['n_hidden']} units at epoch" in text
    reached = max(s["n_fixed_points"] for s in last)
    assert ("holds a cloud of fixed points its states settle on" in text) == (reached >= 2)
    assert ("does not hold seed 004's cloud" in text) == (reached < 2)
    assert ("every one keeps moving under every input" in text) == all(
        moving(s) == 1 + sum(s["random_starts"].values()) + sum(s["wide_starts"].values()) for s in last)
    return text


def test_the_exprnn_prose_agrees_with_attractors_json():
    assert_exprnn_prose_agrees(DOC)


def test_the_exprnn_rows_obey_what_an_orthogonal_modrelu_map_can_do():
    """The module docstring's claims, on the committed rows: ||D W_hh|| <= 1 so no Lyapunov exponent is positive and
    no fixed point is unstable; a stable fixed point has dead units and a spectral radius below 1; a window counted as
    reaching one ends inside the ball it provably attracts."""
    run = exprnn_rows(DOC)
    assert all(r == pytest.approx(1.0, abs=1e-9) for r in run["radius"])
    for c in run["channels"]:
        for s in c["snapshots"]:
            assert s["lyapunov"] <= 1e-12 and s["n_distinct"]["unstable"] == 0
            assert sum(s["verdicts"].values()) == dy.N_STARTS and sum(s["wide_verdicts"].values()) == dy.WIDE_STARTS
            assert len(s["stable_points"]) == s["n_distinct"]["stable"] >= s["n_fixed_points"]
            for p in s["stable_points"]:
                assert p["dead"] >= 1 and p["radius"] < 1 - dy.RADIUS_TOL
                assert (p["nearest"] < p["basin"]) <= (s["n_fixed_points"] > 0)


def test_a_modrelu_run_goes_through_the_command_line_and_its_prose_follows_its_numbers(tmp_path):
    """A tiny expRNN run (the engine's --cell ornn --init henaff --activation modrelu) is read, analysed and drawn;
    the paragraph changes its conclusion when its numbers change; a relu run is refused in one line."""
    source, out = tmp_path / "results_snapshots_exprnn.json", tmp_path / "a.json"
    assert rp.main(["--task", "temporal_order", "--sequence-len", "10", "--cell", "ornn", "--init", "henaff",
                    "--activation", "modrelu", "--n-hidden", "8", "--n-epochs", "2", "--batches-per-epoch", "2",
                    "--snapshot-every", "1", "--quiet", "--out", str(source)]) == 0
    assert dy.main(["run", "--snapshots", str(source), "--out", str(out)]) == 0
    assert dy.main(["plot", "--results", str(out), "--out", str(tmp_path / "b.png")]) == 0
    doc = dy.load(str(out))
    assert dy.arm(doc["runs"][0]) == "ornn henaff modrelu" and dy.is_piecewise(doc["runs"][0])
    assert "the expRNN that seed 004 trains as its oRNN" in assert_exprnn_prose_agrees(doc)
    for s in (c["snapshots"][-1] for c in doc["runs"][0]["channels"]):  # every window at one of two reached points
        s.update(kind="fixed", random_starts={"fixed": dy.N_STARTS}, wide_starts={"fixed": dy.WIDE_STARTS},
                 n_fixed_points=2, n_distinct={**s["n_distinct"], "stable": 2},
                 stable_points=[{"radius": 0.5, "basin": 1.0, "dead": 1, "nearest": 0.0}] * 2)
    text = assert_exprnn_prose_agrees(doc)
    assert "holds a cloud of fixed points its states settle on: up to 2 per input" in text
    relu = tmp_path / "relu.json"
    assert rp.main(["--task", "temporal_order", "--sequence-len", "10", "--activation", "relu", "--n-hidden", "8",
                    "--n-epochs", "1", "--batches-per-epoch", "1", "--snapshot-every", "1", "--quiet",
                    "--out", str(relu)]) == 0
    with pytest.raises(ValueError, match="is a rnn cell with relu units") as err:
        dy.load_snapshots(str(relu))
    assert "\n" not in str(err.value)


# ----------------------------------------------------------------------------------------------------------------
# the command line


def test_run_and_plot(tmp_path, snapshots):
    small = {**snapshots, "runs": [{**snapshots["runs"][1], "snapshots": snapshots["runs"][1]["snapshots"][::8]}]}
    source = tmp_path / "s.json"
    source.write_text(json.dumps(small))
    out, png = tmp_path / "a.json", tmp_path / "b.png"
    assert dy.main(["run", "--snapshots", str(source), "--out", str(out)]) == 0
    doc = dy.load(str(out))
    assert [s["epoch"] for s in doc["runs"][0]["channels"][0]["snapshots"]] == [0, 40, 80]
    assert dy.main(["plot", "--results", str(out), "--out", str(png)]) == 0
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "random" in dy.readme_block(doc)


def test_help_explains_the_method_and_every_subcommand(capsys):
    with pytest.raises(SystemExit):
        dy.main(["--help"])
    text = capsys.readouterr().out
    for fragment in ("burn", "Lyapunov", "fixed point", "--snapshot-every", "run", "plot"):
        assert fragment in text


@pytest.mark.parametrize("args, fragments", [
    (["run", "--snapshots", "missing.json"], ["missing.json", "--snapshot-every"]),
    (["run", "--snapshots", "results.json", "--out", "/tmp/x.json"], ["has no snapshots", "--snapshot-every 5"]),
    (["plot", "--results", "results.json"], ["results.json", "not a results file of"]),
    (["run", "--out", "/proc/x.json"], ["cannot write"]),
    (["jump"], ["invalid choice"]),
])
def test_bad_input_is_one_line(args, fragments, capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    with pytest.raises(SystemExit) as exc:
        dy.main(args)
    assert exc.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"{SCRIPT}: error:")
    for fragment in fragments:
        assert fragment in err[0]


def test_a_file_with_a_part_missing_is_one_line(tmp_path, capsys):
    broken = json.loads(json.dumps(DOC))
    del broken["runs"][0]["channels"][0]["snapshots"][0]["visited"]
    path = tmp_path / "a.json"
    path.write_text(json.dumps(broken))
    with pytest.raises(SystemExit) as exc:
        dy.main(["plot", "--results", str(path), "--out", str(tmp_path / "x.png")])
    assert exc.value.code == 2
    assert "incomplete" in capsys.readouterr().err


def test_the_script_fails_in_one_line_as_a_user_sees_it():
    assert_one_line_error(run_script(SCRIPT, "plot", "--results", "nowhere.json"), SCRIPT, "nowhere.json")


def test_a_snapshot_file_without_snapshots_names_its_own_command_wherever_it_lies(tmp_path):
    """The LSTM's file, copied elsewhere without its snapshots: the error gives the LSTM run's command."""
    doc = json.loads((ROOT / "results" / "results_snapshots_lstm.json").read_text())
    for run in doc["runs"]:
        del run["snapshots"]
    path = tmp_path / "results_snapshots_lstm.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(ValueError, match="--cell lstm"):
        dy.load_snapshots(str(path))
