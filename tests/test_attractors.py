"""Attractors of saved snapshots (rnnpath.analyses.attractors): the classifier on hand-made maps, burn-in and
Lyapunov exponents, the RNN and LSTM maps against their equations, fixed-point counts of networks whose fixed points
are known, the committed files against the code, the README's prose against attractors.json, and the command line."""

import json
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


def rotation(theta):
    return [[np.cos(theta), -np.sin(theta)], [np.sin(theta), np.cos(theta)]]


GOLDEN = np.pi * (np.sqrt(5) - 1)  # 2 pi / golden ratio: a rotation by it never returns


def test_a_slow_approach_to_a_stable_fixed_point_is_settled_by_newton():
    """tanh(R h + u) with R an irrational rotation (orthogonal: every eigenvalue on the unit circle) and a small drive:
    a strict contraction whose unique fixed point has a Jacobian of spectral radius just below 1, so the window still
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


def test_committed_attractors_are_what_the_code_computes(snapshots, lstm_snapshots, ornn_snapshots):
    """The settings, the radii, and every vanilla run's first and last snapshot under input 0, recomputed; the LSTM's
    last snapshot under input 0 (its map is the slow one)."""
    assert DOC["sources"] == list(dy.SNAPSHOT_FILES)
    assert DOC["settings"] == {"burn_in": dy.BURN_IN, "window": dy.WINDOW, "tol": dy.TOL,
                               "max_period": dy.MAX_PERIOD, "lyapunov_tol": dy.LYAPUNOV_TOL,
                               "n_starts": dy.N_STARTS, "starts_seed": dy.STARTS_SEED, "dedup_tol": dy.DEDUP_TOL,
                               "newton_max_iter": dy.NEWTON_MAX_ITER, "newton_tol": dy.NEWTON_TOL,
                               "falling_segments": dy.FALLING_SEGMENTS}
    for run, saved in zip(snapshots["runs"] + lstm_snapshots["runs"] + ornn_snapshots["runs"], DOC["runs"],
                          strict=True):
        assert (saved["task"], saved["init"], saved["solved_epoch"]) == (run["task"], run["init"], run["solved_epoch"])
        assert saved["cell"] == rp.cell_of(run) and saved["snapshot_every"] == run["config"]["snapshot_every"]
        W = np.array(run["snapshots"][-1]["params"]["W_hh"])
        if saved["cell"] in dy.VANILLA_MAPS:
            assert saved["radius"][-1] == pytest.approx(np.max(np.abs(np.linalg.eigvals(W))), rel=1e-12)
        assert len(saved["channels"]) == len(run["snapshots"][0]["params"]["W_ih"][0])
        for k in ((0, -1) if saved["cell"] in dy.VANILLA_MAPS else (-1,)):
            fresh = dy.analyse_map(dy.MAPS[saved["cell"]](dy.snapshot_params(run["snapshots"][k]), 0))
            fresh.pop("state")
            stored = {key: value for key, value in saved["channels"][0]["snapshots"][k].items()
                      if key not in ("epoch", "moved")}
            # Newton's solves and the eigenvalues at its point round by the BLAS kernel: exact under the kernel that
            # wrote the file, equal to 1e-9 under another (tests/kernels.py)
            newton, fresh_newton = stored.pop("newton"), fresh.pop("newton")
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


def test_the_tanh_ornn_has_only_fixed_points():
    """With tanh units and an orthogonal W_hh the map is a strict contraction: one fixed point per input, which every
    trajectory approaches (Edelstein 1962). In the committed file no input of the tanh oRNN, from h_0 = 0 or from a
    random start, at any snapshot, is classified as anything else, and each has exactly one stable fixed point."""
    held = [r for r in DOC["runs"] if r["cell"] == "ornn"]
    assert held
    for run in held:
        for channel in run["channels"]:
            for s in channel["snapshots"]:
                assert s["kind"] == "fixed" and s["random_starts"] == {"fixed": dy.N_STARTS}, (
                    channel["channel"], s["epoch"])
                assert s["n_fixed_points"] == 1
                assert s["newton"] is None or s["newton"]["radius"] < 1


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
