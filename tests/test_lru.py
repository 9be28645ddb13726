"""The LRU cell (--cell lru, issue 24): its ring init, its forward pass against a plain transcription of the
equations of Orvieto et al. 2023, the step-by-step scan against the chunked one, its hand-written backward pass
against central differences (float64, every parameter, every task), training through the engine's and the sweep's
command lines, its records, the options it alone reads, and the analyses that read a W_hh: each refuses an LRU run
in one line. (tests/test_gradients.py checks the LRU too, as every registry entry.)"""

import json
import tracemalloc
from pathlib import Path

import numpy as np
import pytest
from cli_helpers import assert_analyses_refuse, cell_run_files, run_main
from gradcheck import assert_gradients_agree, central_differences, relative_error

import rnn_pathological as rp
from rnnpath import bench, files, sweep

N, M, B = 4, 3, 3  # tiny: the gradient check takes central differences of every parameter entry
GRAD_TOLERANCE = 1e-6  # relative error of the whole gradient of each parameter; measured below 2e-7



def lru_params(task, rng, n_hidden=N, width=M, **options):
    """LRU parameters moved off the init so every term of the backward pass acts: every bias off zero, lambda, gamma
    and the projections perturbed."""
    params = rp.init_params(task, n_hidden, "ortho", rng, cell="lru", lru_width=width, **options)
    for name in rp.LRU_PARAM_NAMES:
        params[name] = params[name] + 0.3 * rng.standard_normal(params[name].shape)
    return params


def loss_of(params, x, y, task, scan=rp.LRU_SCAN):
    """The batch-mean loss by the forward pass alone (half the work of loss_and_grads, for the differences)."""
    hs, _ = rp.lru_forward(params, x, scan=scan)
    return rp.output_loss(params, hs, y, rp.get_task(task))[0]


def numerical_grads(params, x, y, task, names, eps=1e-6, **kwargs):
    return central_differences(lambda: loss_of(params, x, y, task, **kwargs), params, names, eps)


# ----------------------------------------------------------------------------------------------------------------
# the init and the equations


def test_ring_init_and_the_normalisation():
    """|lambda| on the ring [r_min, r_max], |lambda|^2 uniform there (its mean the midpoint), phases in
    [0, max_phase]; gamma = sqrt(1 - |lambda|^2); the shapes of lru_init's list; biases zero."""
    n = 4000
    params = rp.init_params("temporal_order", n, "ortho", np.random.default_rng(0), cell="lru", lru_r_min=0.6,
                            lru_r_max=0.9, lru_max_phase=1.5, lru_width=5)
    lam = rp.lru_lambda(params)
    radius, phase = np.abs(lam), np.exp(params["theta_log"])
    assert radius.min() >= 0.6 and radius.max() <= 0.9
    assert abs(np.mean(radius**2) - (0.6**2 + 0.9**2) / 2) < 0.01
    assert phase.min() >= 0 and phase.max() <= 1.5 and abs(phase.mean() - 0.75) < 0.05
    np.testing.assert_allclose(np.exp(params["gamma_log"]), np.sqrt(1 - radius**2), rtol=1e-12)
    spec = rp.get_task("temporal_order")
    shapes = {"W_u": (5, spec.n_in), "b_u": (5,), "nu_log": (n,), "theta_log": (n,), "gamma_log": (n,),
              "B_re": (n, 5), "B_im": (n, 5), "C_re": (5, n), "C_im": (5, n), "D": (5,), "b_h": (5,),
              "W_hy": (spec.n_out, 5), "b_y": (spec.n_out,)}
    assert tuple(params) == rp.LRU_PARAM_NAMES and {k: v.shape for k, v in params.items()} == shapes
    assert dict(rp.CELLS["lru"].shapes).keys() == shapes.keys()
    assert not params["b_u"].any() and not params["b_h"].any() and not params["b_y"].any()
    assert np.std(params["B_re"]) == pytest.approx(1 / np.sqrt(10), rel=0.05)  # N(0, 1/(2M))
    assert np.std(params["C_im"]) == pytest.approx(1 / np.sqrt(n), rel=0.05)  # N(0, 1/N)
    default = rp.init_params("addition", 500, "ortho", np.random.default_rng(1), cell="lru")
    assert default["B_re"].shape == (500, rp.LRU_WIDTH) and np.abs(rp.lru_lambda(default)).max() < 1  # r_max 1


def plain_lru(params, x):
    """h_t step by step from the equations as lru_forward's docstring writes them, in complex numpy."""
    f = np.tanh
    lam = np.exp(-np.exp(params["nu_log"]) + 1j * np.exp(params["theta_log"]))
    gamma = np.exp(params["gamma_log"])
    B_ = params["B_re"] + 1j * params["B_im"]
    C_ = params["C_re"] + 1j * params["C_im"]
    s = np.zeros((x.shape[1], lam.size), complex)
    hs, states = [np.zeros((x.shape[1], params["D"].size))], [s]
    for x_t in x:
        u = f(x_t @ params["W_u"].T + params["b_u"])
        s = lam * s + gamma * (u @ B_.T)
        y = (s @ C_.T).real + params["D"] * u
        hs.append(f(y + params["b_h"]))
        states.append(s)
    return np.array(hs), np.array(states)


@pytest.mark.parametrize("scan", list(rp.LRU_SCANS))
def test_forward_is_the_equations_step_by_step(scan):
    rng = np.random.default_rng(3)
    params = lru_params("temporal_order", rng, n_hidden=16, width=5)
    x, _ = rp.generate_batch("temporal_order", 23, 8, rng)
    reference, states = plain_lru(params, x)
    hs, cache = rp.lru_forward(params, x, scan=scan)
    np.testing.assert_allclose(hs, reference, rtol=0, atol=1e-12)
    np.testing.assert_allclose(cache["s"], states, rtol=0, atol=1e-12)
    hs32, _ = rp.lru_forward({k: v.astype(np.float32) for k, v in params.items()}, x.astype(np.float32), scan=scan)
    assert hs32.dtype == np.float32
    np.testing.assert_allclose(hs32, reference, rtol=0, atol=1e-4)


@pytest.mark.parametrize("T", [1, 2, 7, 16, 100, 257])
def test_the_chunked_scan_is_the_loop(T):
    """Random complex inputs, lengths that are and are not squares, |lambda| from 0 to near 1, a nonzero start,
    forwards and on a reversed (negatively strided) view as the backward pass runs it."""
    rng = np.random.default_rng(T)
    lam = np.concatenate([[0.0], 0.999 * np.exp(2j * np.pi * rng.random(5)), rng.random(4)]).astype(complex)
    v = rng.standard_normal((T + 1, 3, lam.size)) + 1j * rng.standard_normal((T + 1, 3, lam.size))
    expected = v.copy()
    rp.lru_scan_loop(lam, expected)
    for chunk in (None, 1, 3, T + 5):
        s = v.copy()
        rp.lru_scan_chunked(lam, s, chunk)
        np.testing.assert_allclose(s, expected, rtol=1e-12, atol=1e-12)
    backwards, s = v.copy(), v.copy()
    rp.lru_scan_loop(lam.conj(), backwards[::-1])
    rp.lru_scan_chunked(lam.conj(), s[::-1])
    np.testing.assert_allclose(s, backwards, rtol=1e-12, atol=1e-12)
    assert not np.allclose(backwards, expected)  # the reversed scan is another recurrence


@pytest.mark.parametrize("scan", list(rp.LRU_SCANS))
def test_a_float32_state_decays_to_zero_and_not_through_subnormals(scan):
    """As below in float32, whose normal range ends at 1.2e-38: |lambda| = 0.99 crosses float32's subnormals over
    some 1600 steps, so the scans flush at LRU_TINY_FLOAT32 instead of LRU_TINY, which float32 does not hold."""
    s = np.zeros((12001, 2, 3), np.complex64)
    s[0] = 1.0 + 1.0j
    rp.LRU_SCANS[scan](np.full(3, 0.99, np.complex64), s)
    parts = s.view(np.float32)
    assert not np.any((parts != 0) & (np.abs(parts) < np.finfo(np.float32).tiny))
    exact = 0.99 ** np.arange(6000)
    np.testing.assert_allclose(s[:6000, 0, 0].real, exact, rtol=1e-3)  # float32's rounding over 6000 steps
    assert not s[-1].any()


@pytest.mark.parametrize("scan", list(rp.LRU_SCANS))
def test_an_undriven_state_decays_to_zero_and_not_through_subnormals(scan):
    """Where nothing drives the recurrence (the backward pass of a last-step target), lambda^k s_0 would pass through
    the subnormal numbers, whose arithmetic is slow: the scans set the state's tiny parts to 0 instead."""
    s = np.zeros((2001, 2, 3), complex)
    s[0] = 1.0 + 1.0j
    rp.LRU_SCANS[scan](np.full(3, 0.5 + 0.5j), s)  # |lambda| = 0.71: below 1e-200 by step 1330
    parts = s.view(float)
    assert not np.any((parts != 0) & (np.abs(parts) < np.finfo(float).tiny))
    exact = np.broadcast_to((0.5 + 0.5j) ** np.arange(1300)[:, None, None] * (1 + 1j), (1300, 2, 3))
    np.testing.assert_allclose(s[:1300], exact, rtol=1e-12)
    assert not s[-1].any()


# ----------------------------------------------------------------------------------------------------------------
# the backward pass


@pytest.mark.parametrize("task", list(rp.TASKS))
def test_backward_matches_central_differences_on_every_task(task):
    """Every parameter (nu_log, theta_log, gamma_log, B_re/B_im, C_re/C_im included) on every task: last-step and
    per-step targets, 0.5 * MSE and cross-entropy."""
    rng = np.random.default_rng(7)
    params = lru_params(task, rng)
    x, y = rp.generate_batch(task, max(rp.TASKS[task].min_len, 6), B, rng)
    loss, grads = rp.loss_and_grads(params, x, y, task, cell="lru")
    assert set(grads) == set(rp.LRU_PARAM_NAMES) and loss == pytest.approx(loss_of(params, x, y, task), abs=1e-15)
    numeric = numerical_grads(params, x, y, task, grads)
    assert_gradients_agree(grads, numeric, params, task, GRAD_TOLERANCE)


@pytest.mark.parametrize("scan", list(rp.LRU_SCANS))
def test_both_scans_give_the_gradient_and_dh_steps(scan):
    rng = np.random.default_rng(1)
    params = lru_params("copy", rng)
    x, y = rp.generate_batch("copy", 3, B, rng)  # per-step targets: the reverse scan carries every step's term
    hs, cache = rp.lru_forward(params, x, scan=scan)
    _, _, dh_out, _ = rp.output_loss(params, hs, y, rp.get_task("copy"))
    dh_steps = np.full(dh_out.shape, np.nan)
    grads = rp.lru_backward(params, x, hs, cache, dh_out, dh_steps=dh_steps, scan=scan)
    np.testing.assert_array_equal(dh_steps, dh_out)  # h_t feeds the output layer alone
    numeric = numerical_grads(params, x, y, "copy", ["nu_log", "theta_log", "gamma_log"], scan=scan)
    for name, g in numeric.items():
        assert relative_error(grads[name], g) < GRAD_TOLERANCE, name


def test_the_check_tells_the_phase_from_the_decay():
    """dL/dnu_log and dL/dtheta_log come from the real and imaginary parts of one complex sum: the check catches
    the two swapped."""
    rng = np.random.default_rng(2)
    params = lru_params("addition", rng)
    x, y = rp.generate_batch("addition", 8, B, rng)
    _, grads = rp.loss_and_grads(params, x, y, "addition", cell="lru")
    numeric = numerical_grads(params, x, y, "addition", ["nu_log", "theta_log"])
    assert relative_error(grads["theta_log"], numeric["theta_log"]) < GRAD_TOLERANCE
    assert relative_error(grads["nu_log"], numeric["theta_log"]) > 1e-3


LAST_STEP_TASKS = [task for task, spec in rp.TASKS.items() if not spec.per_step]


def full_pass(params, x, y, task):
    """Loss and gradients by lru_forward and lru_backward (every state, the scan), as for a per-step target."""
    hs, cache = rp.lru_forward(params, x)
    loss, _, dh_out, grads = rp.output_loss(params, hs, y, rp.get_task(task))
    grads.update(rp.lru_backward(params, x, hs, cache, dh_out))
    return loss, grads


@pytest.mark.parametrize("task", LAST_STEP_TASKS)
def test_the_last_step_shortcut_is_the_full_pass(task):
    """forward_backward and evaluate take the LRU's convolution form (lru_forward_last, lru_backward_last) for a
    target at the last step alone: the same loss and gradients as the scan over every state, to rounding, at lengths
    from 1 to 300, narrow and wide layers, lambda from the whole disc and from a ring near 1; float32 to its own
    rounding."""
    rng = np.random.default_rng(11)
    spec = rp.get_task(task)
    for T, width, r_min in ((spec.min_len, 2, 0.0), (spec.min_len + 1, 5, 0.9), (60, 3, 0.0), (300, 8, 0.9)):
        params = lru_params(task, rng, n_hidden=6, width=width, lru_r_min=r_min)
        x, y = rp.generate_batch(task, T, 5, rng)
        expected_loss, expected = full_pass(params, x, y, task)
        loss, _, grads = rp.forward_backward(params, x, y, task, cell="lru")
        assert loss == pytest.approx(expected_loss, rel=1e-12, abs=1e-15) and set(grads) == set(expected)
        for name, g in grads.items():
            np.testing.assert_allclose(g, expected[name], rtol=1e-9, atol=1e-12 * np.abs(expected[name]).max(),
                                       err_msg=f"{task} T={T} {name}")
        assert rp.evaluate(params, x, y, task, cell="lru")[0] == pytest.approx(expected_loss, rel=1e-12, abs=1e-15)
        single = {k: v.astype(np.float32) for k, v in params.items()}
        loss32, _, grads32 = rp.forward_backward(single, x, y, task, cell="lru")
        assert grads32["nu_log"].dtype == np.float32 and loss32 == pytest.approx(expected_loss, rel=1e-4, abs=1e-6)
        for name, g in grads32.items():
            np.testing.assert_allclose(g, expected[name], rtol=2e-3, atol=2e-4 * np.abs(expected[name]).max(),
                                       err_msg=f"float32 {task} T={T} {name}")


def test_the_full_pass_of_a_last_step_target_matches_central_differences():
    """lru_backward's last-step branch, which training no longer takes (the shortcut does), keeps its own check."""
    rng = np.random.default_rng(5)
    params = lru_params("addition", rng)
    x, y = rp.generate_batch("addition", 9, B, rng)
    _, grads = full_pass(params, x, y, "addition")
    numeric = numerical_grads(params, x, y, "addition", rp.LRU_PARAM_NAMES)
    assert_gradients_agree(grads, numeric, params, "addition", GRAD_TOLERANCE)


def test_the_powers_reach_zero_and_not_through_subnormals():
    """lambda^k for k to 1999 with |lambda| from 0.01 to 0.999: the exact powers where they are above sqrt(tiny),
    0 below it, never a subnormal (a GEMM on them would be some hundred times slower); Q = (T-1-t) P[t+1]."""
    nu_log = np.log(-np.log(np.array([0.01, 0.5, 0.9, 0.999])))
    params = {"nu_log": nu_log, "theta_log": np.log(np.array([0.3, 1.0, 2.0, 3.0]))}
    T = 2000
    P = rp.lru_powers(params, T)
    lam = rp.lru_lambda(params)
    exact = lam ** np.arange(T - 1, -1, -1)[:, None]
    kept = np.abs(exact) >= np.sqrt(np.finfo(float).tiny)
    np.testing.assert_allclose(P[kept], exact[kept], rtol=1e-11)
    assert not P[~kept].any() and (~kept).sum() > T  # |lambda| = 0.01 and 0.5 underflow within the window
    parts = P.view(float)
    assert not np.any((parts != 0) & (np.abs(parts) < np.finfo(float).tiny))
    Q = rp.lru_lag_weights(P)
    np.testing.assert_array_equal(Q[-1], 0)
    np.testing.assert_allclose(Q[:-1], np.arange(T - 1, 0, -1)[:, None] * P[1:], rtol=0)


# ----------------------------------------------------------------------------------------------------------------
# options, training, records and the command lines

TINY = ["--n-hidden", str(N), "--lru-width", str(M), "--n-epochs", "1", "--batches-per-epoch", "1", "--batch-size",
        str(B)]


def test_options_are_checked_in_one_line_and_refused_for_other_cells():
    ok = {"n_hidden": N, "cell": "lru"}
    rp.check_config("addition", "ortho", 10, 0, **ok, lru_r_min=0.9, lru_r_max=0.99, lru_max_phase=0.3, lru_width=7)
    bad = [({"lru_r_min": 0.5, "lru_r_max": 0.4}, "r_min <= r_max"), ({"lru_r_max": 1.5}, "<= 1"),
           ({"lru_r_min": 1.0, "lru_r_max": 1.0}, "r_min < 1"), ({"lru_r_min": -0.1}, "0 <= r_min"),
           ({"lru_max_phase": 0.0}, "lru_max_phase must be positive"), ({"lru_width": 0}, "lru_width must be"),
           ({"lru_r_max": float("nan")}, "r_max"), ({"activation": "relu"}, "takes activation tanh, not")]
    for options, words in bad:
        with pytest.raises(ValueError, match=words) as err:
            rp.check_config("addition", "ortho", 10, 0, **{**ok, **options})
        assert "\n" not in str(err.value)
    with pytest.raises(ValueError, match="the lru cell draws its diagonal recurrence by the ring init"):
        rp.check_config("addition", "random", 10, 0, **ok)
    for cell in ("rnn", "gru"):
        with pytest.raises(ValueError, match=f"the {cell} cell ignores lru_width .* an option of the lru cell"):
            rp.check_config("addition", "ortho", 10, 0, cell=cell, lru_width=8)
        rp.check_config("addition", "ortho", 10, 0, cell=cell, lru_width=rp.LRU_WIDTH)  # its default: every record's
    assert "lru" in rp.OPTION_TABLE["cell"].help and "lru" in rp.CHOICES["cell"]


def test_train_end_to_end_and_the_record_holds_the_network():
    run = rp.train("temporal_order", "ortho", 10, seed=0, cell="lru", n_hidden=N, lru_width=M, n_epochs=1,
                   batches_per_epoch=1, batch_size=B, snapshot_every=1)
    assert run["config"]["cell"] == "lru" and rp.arm_label(run) == "lru+ortho" and len(run["history"]) == 1
    assert files.run_problem(run) is None  # the record passes the files' checks
    trained = rp.trained_params(run)
    assert tuple(trained) == rp.LRU_NETWORK and np.shape(run["W_hh_final"]) == (2 * N, N)
    lam = rp.lru_lambda(trained)
    np.testing.assert_allclose(trained["W_hh"], rp.lru_materialise(trained)["W_hh"], rtol=0, atol=0)
    np.testing.assert_allclose(sorted(run["W_hh_singular_values_final"]), sorted(np.abs(lam)), rtol=1e-12)
    stats = run["W_hh_stats"]["final"]  # of the real (2N, 2N) recurrence: one set, like the vanilla cell's
    assert stats["spectral_radius"] == pytest.approx(np.abs(lam).max(), rel=1e-12)
    assert stats["norm_W_pow_T"] == pytest.approx(np.abs(lam).max() ** 10, rel=1e-9)
    start, end = (snap["params"] for snap in run["snapshots"])
    initial = rp.initial_network("temporal_order", "ortho", 0, cell="lru", n_hidden=N, lru_width=M)
    for name in rp.LRU_NETWORK:
        np.testing.assert_array_equal(trained[name], end[name])
        np.testing.assert_array_equal(initial[name], start[name])
    short = {**run, "params_final": {**run["params_final"], "gamma_log": [0.0] * (N - 1)}}
    assert "gamma_log of N = 4" in files.run_problem(short)
    wide = {**run, "params_final": {**run["params_final"], "D": [0.0] * (M + 1)}}
    assert "D of M = 3" in files.run_problem(wide)


def test_the_memory_estimate_covers_an_lru_run():
    for task, T, width in [("temporal_order", 60, 2), ("copy", 30, 8), ("addition", 30, 100)]:
        tracemalloc.start()
        rp.train(task, "ortho", T, seed=0, cell="lru", n_hidden=32, lru_width=width, n_epochs=1, batches_per_epoch=1)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        estimate = rp.run_memory_bytes(task, T, 32, 50, cell="lru", width=width)
        # an upper bound, and not a wild one: it counts the scan's (T, B, N) complex states, which a target at the
        # last step (the convolution form) never holds, so a narrow LRU on one uses some 20 times less
        assert peak < estimate < 25 * peak, (task, width, peak, estimate)


@pytest.fixture(scope="module")
def lru_files(tmp_path_factory):
    """A results file of the engine's command line with snapshots, and a sweep file with the weights: LRU runs."""
    return cell_run_files(tmp_path_factory.mktemp("lru"), "lru", TINY)


def test_the_command_lines_train_an_lru(lru_files):
    results, swept = lru_files
    (run,) = files.load_results(str(results))["runs"]
    (record,) = [json.loads(line) for line in swept.read_text().splitlines()]
    for r in (run, record):
        assert r["config"]["cell"] == "lru" and r["config"]["lru_width"] == M and files.run_problem(r) is None
        assert np.shape(r["W_hh_final"]) == (2 * N, N) and "theta_log" in r["params_final"]


def test_the_command_line_refuses_another_init_in_one_line(tmp_path):
    ran = run_main(rp.main, ["--task", "addition", "--cell", "lru", "--init", "random", *TINY])
    assert ran.returncode == 2 and len(ran.stderr.splitlines()) == 1 and "ring init" in ran.stderr
    ran = run_main(sweep.main, ["run", "--tasks", "addition", "--inits", "ortho", "--lru-r-min", "0.5", *TINY,
                                "--out", str(tmp_path / "never.jsonl")])
    assert ran.returncode == 2 and len(ran.stderr.splitlines()) == 1 and "ignores lru_r_min" in ran.stderr


# ----------------------------------------------------------------------------------------------------------------
# the analyses that read a record's W_hh: none has the LRU's equations, so each refuses it in one line


@pytest.mark.parametrize("command", ["motif", "gradients", "nonnormality"])
def test_the_analyses_refuse_an_lru_run(lru_files, command):
    assert_analyses_refuse(lru_files, "lru", command)


def test_the_benchmark_times_an_lru_step_beside_the_vanilla_one():
    assert bench.ratio_key("lru") == "lru_over_rnn"  # cell_steps times every registry entry, the LRU too
    assert bench._step("addition", 6, N, "float64", B, "lru")() > 0
    lru = bench.lru_steps("float64", 1, (12,))
    row = lru["by_T"]["12"]
    assert set(row["step_ms"]) == {"rnn", "lru", *(f"lru_scan_{scan}" for scan in rp.LRU_SCANS),
                                   *map(bench.width_key, bench.LRU_STEP_WIDTHS)}
    assert row["lru_over_rnn"] > 0 and lru["n_hidden"] == 64
    # the widths the tuned runs may take are all timed: the default and LRU_STEP_WIDTHS
    from rnnpath.experiments import tuning
    assert set(tuning.LRU_WIDTHS_TRIED) <= {rp.LRU_WIDTH, *bench.LRU_STEP_WIDTHS}
    assert all(row[bench.ratio_key(bench.width_key(m))] > 0 for m in bench.LRU_STEP_WIDTHS)
    assert "(width 8: " in bench.lru_steps_text(lru)
    assert bench.LRU_STEP_LENS == (100, 1000, 10_000) and "T=12" in bench.lru_steps_text(lru)


def test_experiments_only_adds_the_experiment_steps_and_keeps_every_other_number(tmp_path):
    committed = json.loads((Path(__file__).resolve().parents[1] / "results" / "bench.json").read_text())
    old = {k: v for k, v in committed.items() if k != "experiment_step"}
    path = tmp_path / "bench.json"
    path.write_text(json.dumps(old))
    assert bench.main(["--experiments-only", "--quick", "--out", str(path)]) == 0
    new = json.loads(path.read_text())
    assert {k: v for k, v in new.items() if k != "experiment_step"} == old
    from rnnpath.experiments import EXPERIMENTS
    assert set(new["experiment_step"]) == {name for name, e in EXPERIMENTS.items() if e.step_shape is not None}
    assert all(row["step_ms"] > 0 and row["repeats"] == 2 for row in new["experiment_step"].values())
    assert set(committed["experiment_step"]) == set(new["experiment_step"])  # the committed file times them all


def test_lru_only_adds_the_lru_step_and_keeps_every_other_number(tmp_path):
    committed = json.loads((Path(__file__).resolve().parents[1] / "results" / "bench.json").read_text())
    old = {k: v for k, v in committed.items() if k != "lru_step"}
    path = tmp_path / "bench.json"
    path.write_text(json.dumps(old))
    assert bench.main(["--lru-only", "--quick", "--out", str(path)]) == 0
    new = json.loads(path.read_text())
    assert {k: v for k, v in new.items() if k != "lru_step"} == old
    assert list(new["lru_step"]["by_T"]) == ["100"] and new["lru_step"]["by_T"]["100"]["lru_over_rnn"] > 0


def test_a_record_says_whether_the_last_step_shortcut_trained_it():
    """A run of a last-step task records last_step (the convolution form trained it); a per-step task's does not,
    nor does a cell without the shortcut; frontier_modern's answer names the lengths each form trained."""
    from rnnpath.experiments import gated

    def run(task, cell, **kw):
        return rp.train(task, "ortho", 10, seed=0, cell=cell, n_hidden=N, n_epochs=1, batches_per_epoch=1,
                        batch_size=B, **kw)
    assert run("temporal_order", "lru", lru_width=M)["last_step"] is True
    assert "last_step" not in run("copy", "lru", lru_width=M) and "last_step" not in run("temporal_order", "rnn")
    old = {"task": "addition", "init": "ortho", "sequence_len": 30, "config": {"cell": "lru"}}
    new = {**old, "sequence_len": 120, "last_step": True}
    assert gated._lru_form_sentence([old, new]) == (
        " The LRU's runs at T = 30 went through the step-by-step scan and those at T = 120 through its convolution "
        "form (rp.lru_forward_last, added between them; a test checks that the two give the same loss and gradients "
        "to rounding), so their last digits differ as two BLAS kernels' do.")
    assert gated._lru_form_sentence([new]) == "" and gated._lru_form_sentence([old]) == ""


def test_every_committed_lru_record_of_a_last_step_task_was_made_by_the_convolution_form():
    """The convolution form and the scan round the same sums in another order, and a chaotic run can part after a
    thousand updates: so the committed LRU records of last-step tasks are all the convolution form's, as a rerun of
    their command gives today."""
    folder = Path(__file__).resolve().parents[1] / "results" / "sweeps"
    seen = 0
    for path in sorted(folder.glob("*.jsonl")):
        for line in path.read_text().splitlines():
            r = json.loads(line)
            if rp.cell_of(r) == "lru" and not rp.TASKS[r["task"]].per_step:
                seen += 1
                assert r.get("last_step") is True, (path.name, r["task"], r["sequence_len"], r["seed"])
    assert seen > 0


def test_the_input_layers_gradient_in_a_kept_buffer_is_bit_for_bit_the_plain_expression():
    """The speed-up of _lru_input_grads (1 - u^2 in a workspace buffer instead of two fresh temporaries) computes
    the same bits as du *= 1.0 - u * u, on a fresh workspace and on one whose buffer is reused."""
    rng = np.random.default_rng(3)
    T, B, M, n_in = 40, 6, 8, 5
    u = np.tanh(rng.standard_normal((T, B, M)))
    x = rng.standard_normal((T, B, n_in))
    du = rng.standard_normal((T, B, M))
    plain = du.copy()
    plain *= 1.0 - u * u
    ws = rp.Workspace()
    for workspace in (None, ws, ws):
        grads, d = {}, du.copy()
        rp._lru_input_grads(grads, d, u, x, workspace)
        np.testing.assert_array_equal(d, plain)
        np.testing.assert_array_equal(grads["W_u"], plain.reshape(T * B, M).T @ x.reshape(T * B, n_in))
        np.testing.assert_array_equal(grads["b_u"], plain.reshape(T * B, M).sum(axis=0))
