"""Closed-form analyses against known results, the gradient through time against the engine's BPTT, the figures."""

import json
from pathlib import Path

import numpy as np
import pytest
from cli_helpers import assert_one_line_error, run_main, run_script

import rnn_pathological as rp
from rnnpath import sweep
from rnnpath.analyses import matrices as an

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def normal_matrices(n=32):
    rng = np.random.default_rng(1)
    A = rng.standard_normal((n, n))
    theta = 0.3
    rotations = np.kron(np.eye(n // 2), [[np.cos(theta), -np.sin(theta)], [np.sin(theta), np.cos(theta)]])
    return {"orthogonal": rp.random_orthogonal(n, rng), "symmetric": A + A.T, "identity": np.eye(n),
            "scaled identity": 0.9 * np.eye(n), "block rotations": 0.7 * rotations, "zero": np.zeros((n, n))}


# ----------------------------------------------------------------------------------------------------------------
# non-normality


@pytest.mark.parametrize("name", list(normal_matrices()))
def test_henrici_index_is_zero_for_normal_matrices(name):
    W = normal_matrices()[name]
    assert np.allclose(W @ W.T, W.T @ W)
    assert an.henrici_index(W) <= 1e-10
    assert an.henrici_index(W, normalized=True) <= 1e-10


def test_henrici_index_of_chains_and_a_jordan_block():
    n, alpha = 16, 1.3
    chain = an.chain_matrix(n, alpha)
    assert an.henrici_index(chain) == pytest.approx(alpha * np.sqrt(n - 1), rel=1e-12)  # all eigenvalues 0
    assert an.henrici_index(chain, normalized=True) == pytest.approx(1.0, rel=1e-12)
    assert an.henrici_index(an.feedback_chain_matrix(n, 1.0, 0.05)) > 0.5
    assert an.henrici_index(np.array([[1.0, 0.3], [0.0, 1.0]])) == pytest.approx(0.3, rel=1e-9)


def test_chain_convention_unit_i_minus_1_feeds_unit_i():
    W = an.feedback_chain_matrix(5, 1.1, 0.05)
    for i in range(1, 5):
        assert W[i, i - 1] == 1.1 and W[i - 1, i] == 0.05
    assert np.count_nonzero(W) == 8
    h = np.zeros(5)
    h[0] = 1.0
    assert np.argmax(an.chain_matrix(5, 1.0) @ h) == 1  # a signal in the source moves one unit down per step


# ----------------------------------------------------------------------------------------------------------------
# Fisher memory


def test_lyapunov_solution_satisfies_its_equation():
    rng = np.random.default_rng(2)
    A = 0.3 * rng.standard_normal((10, 10)) / np.sqrt(10)
    Q = np.eye(10)
    X = an.discrete_lyapunov(A, Q)
    assert np.allclose(X, A @ X @ A.T + Q, rtol=1e-12, atol=1e-12)
    with pytest.raises(an.AnalysisError):
        an.discrete_lyapunov(np.eye(3), Q[:3, :3])


@pytest.mark.parametrize("W", [0.95 * rp.random_orthogonal(40, np.random.default_rng(3)), 0.9 * np.eye(40)],
                         ids=["0.95 orthogonal", "0.9 identity"])
def test_total_fisher_memory_of_a_normal_network_is_one(W):
    J = an.fisher_memory_curve(W, k_max=400)
    assert J.shape == (401,) and np.all(J >= 0)
    assert J.sum() == pytest.approx(1.0, abs=1e-3)
    assert an.fisher_memory_total(W) == pytest.approx(1.0, abs=1e-8)
    assert an.fisher_memory_total(W, noise=4.0) == pytest.approx(0.25, abs=1e-8)  # J scales as 1 / noise


def test_chain_memory_is_extensive():
    n, alpha = 40, 1.2
    W = an.chain_matrix(n, alpha)
    J = an.fisher_memory_curve(W, k_max=2 * n)
    # signal of k steps back sits in unit k alone; the noise there summed k + 1 paths: J(k) = a^2k / sum_m<=k a^2m
    k = np.arange(n)
    expected = alpha ** (2 * k) / np.cumsum(alpha ** (2 * k))
    assert np.allclose(J[:n], expected, rtol=1e-10) and np.all(J[n:] == 0)  # forgotten after n steps, exactly
    total = an.fisher_memory_total(W)
    assert total == pytest.approx(expected.sum(), rel=1e-10)
    assert 1.0 < total <= n
    fb = an.feedback_chain_matrix(n, alpha, 0.1)
    assert 1.0 < an.fisher_memory_total(fb) <= n
    assert an.fisher_memory_curve(fb, 1000).sum() == pytest.approx(an.fisher_memory_total(fb), rel=1e-6)


# ----------------------------------------------------------------------------------------------------------------
# gradients through time


def _bptt_oracle(task, init, activation):
    spec = rp.get_task(task)
    params = rp.initial_params(task, init, seed=0, n_hidden=12, activation=activation)
    x, y = rp.generate_batch(spec, max(spec.min_len, 9), 5, np.random.default_rng(4))
    g = an.state_gradients(params, x, y, task, activation)
    hs = rp.rnn_forward(params, x.astype(float), activation=activation)
    d_act = {"relu": hs[1:] > 0, "elu": np.minimum(hs[1:], 0.0) + 1.0,  # elu'(a) = exp(a) = h + 1 for a <= 0
             "modrelu": hs[1:] != 0}.get(activation, 1.0 - hs[1:] ** 2)
    da = g * d_act  # dL/da_t
    _, _, grads = rp.forward_backward(params, x, y, spec, activation=activation)
    return x, g, da, hs, grads, an.grad_norm_through_time(params, x, y, task, activation)


def _tasks_under_test():
    per_step = [name for name, t in rp.TASKS.items() if getattr(t, "per_step", False)][:1]
    return ["addition", "xor", "temporal_order", *per_step]


@pytest.mark.parametrize("task", _tasks_under_test())
@pytest.mark.parametrize("activation", list(getattr(rp, "ACTIVATIONS", ("tanh",))))
def test_state_gradients_reproduce_the_engine_bptt(task, activation):
    x, g, da, hs, grads, norms = _bptt_oracle(task, "ortho", activation)
    T, B, H = g.shape
    assert (T, B, H) == (x.shape[0], 5, 12)
    # the weight gradients of rnn_backward are sums over steps of these per-step quantities; modReLU's b acts inside
    # the unit, h = sign(a) relu(|a| + b), so its gradient sums dL/da_t sign(a_t)
    db = da * np.sign(hs[1:]) if activation == "modrelu" else da
    assert np.allclose(db.sum(axis=(0, 1)), grads["b_h"], rtol=1e-10, atol=1e-14)
    assert np.allclose(np.einsum("tbi,tbj->ij", da[1:], hs[1:T]), grads["W_hh"], rtol=1e-10, atol=1e-14)
    assert norms.shape == (T,) and np.allclose(norms, np.linalg.norm(g.reshape(T, -1), axis=1))


def test_gradient_vanishes_backwards_from_a_small_random_W_hh():
    *_, ortho = _bptt_oracle("addition", "ortho", "tanh")
    *_, random = _bptt_oracle("addition", "random", "tanh")
    assert random[0] / random[-1] < 1e-3 < ortho[0] / ortho[-1]


# ----------------------------------------------------------------------------------------------------------------
# chain motif


def test_chain_motif_profile_of_a_relabelled_chain():
    n, alpha = 10, 0.8
    perm = np.random.default_rng(5).permutation(n)  # unit perm[r] is link r of the chain
    W = np.zeros((n, n))
    W[perm[1:], perm[:-1]] = alpha
    diffs, profile = an.chain_motif_profile(W, perm)
    assert diffs[0] == -(n - 1) and diffs[-1] == n - 1
    assert profile[diffs == 1][0] == pytest.approx(alpha * (n - 1) / (n - 1))
    assert np.all(profile[diffs != 1] == 0)
    # the pulse ordering recovers the chain: a pulse at its source reaches link r at step r
    h0 = np.zeros(n)
    h0[perm[0]] = 0.5
    assert np.array_equal(an.peak_response_order(W * 1.5, h0, n_steps=3 * n), perm)


# ----------------------------------------------------------------------------------------------------------------
# saved runs and figures


@pytest.fixture(scope="module")
def results_file(tmp_path_factory):
    """A results.json of two tiny trained runs, W_hh_final included."""
    runs = [rp.train("addition", init, 6, seed=1, n_hidden=8, n_epochs=1, batch_size=4, batches_per_epoch=2)
            for init in ("ortho", "random")]
    path = tmp_path_factory.mktemp("res") / "results.json"
    rp.write_json_atomic(str(path), rp.results_document(runs, runs[0]["config"]))
    return path


def test_initial_W_hh_is_rebuilt_from_the_seed(results_file):
    runs = an.load_runs(str(results_file))
    ortho = next(r for r in runs if r["init"] == "ortho")
    W0 = an.initial_W_hh(ortho)
    assert np.allclose(W0 @ W0.T, np.eye(8)) and an.henrici_index(W0) <= 1e-10
    # the check compares singular values: it catches a changed random init, not another orthogonal matrix
    random = next(r for r in runs if r["init"] == "random")
    assert np.allclose(np.linalg.svd(an.initial_W_hh(random), compute_uv=False), random["W_hh_singular_values_init"])
    with pytest.raises(an.AnalysisError, match="cannot rebuild"):
        an.initial_W_hh({**random, "seed": 2})


def _assert_png(path):
    with open(path, "rb") as f:
        assert f.read(8) == PNG_SIGNATURE
    assert path.stat().st_size > 10_000


def test_fisher_cli_writes_a_png(tmp_path):
    code, out, _ = run_main(an.main, ["fisher", "--outdir", tmp_path / "viz", "--n", "24", "--k-max", "40"])
    assert code == 0 and "fisher_memory.png" in out
    _assert_png(tmp_path / "viz" / "fisher_memory.png")


def test_the_fisher_figure_holds_up_to_its_largest_size():
    """The bound on --n is where float64 still resolves every example: at N = FISHER_MAX_N the J(k) of each curve sum to
    the closed-form J_tot (at N = 100 the feedback chain's missed by 3%, and from 104 its Cholesky failed)."""
    for label, W, _ in an.fisher_examples(an.FISHER_MAX_N):
        J = an.fisher_memory_curve(W, 2000)
        assert J.sum() == pytest.approx(an.fisher_memory_total(W), rel=1e-4), label
        assert np.all(J[301:] < 1e-6), label  # past k = 300 nothing shows above the axis: the bound on --k-max


@pytest.mark.parametrize("argv, bound", [(["--n", "5000"], "--n is at most 80"),
                                         (["--n", "81"], "--n is at most 80"),
                                         (["--k-max", "10001"], "--k-max is at most 10,000")])
def test_fisher_refuses_sizes_past_its_bounds_before_computing(tmp_path, monkeypatch, argv, bound):
    """`fisher --n 5000` ran silently for minutes (and past N = 103 ended in a LinAlgError): refused in one line."""

    def fail(*args, **kwargs):
        raise AssertionError("computed before checking the sizes")

    monkeypatch.setattr(an, "plot_fisher_memory", fail)
    code, _, err = run_main(an.main, ["fisher", *argv, "--outdir", tmp_path / "viz"])
    assert code == 2 and err.count("\n") == 1 and bound in err, err
    assert not (tmp_path / "viz").exists()
    proc = run_script("rnnpath analyze matrices", "fisher", *argv, "--outdir", tmp_path / "viz")
    assert_one_line_error(proc, "rnnpath analyze matrices", bound)
    help_text = " ".join(run_script("rnnpath analyze matrices", "fisher", "--help").stdout.split())  # unwrapped
    assert f"2 to {an.FISHER_MAX_N}" in help_text and f"1 to {an.FISHER_MAX_K:,}" in help_text


@pytest.mark.parametrize("command, png", [("nonnormality", "nonnormality.png"), ("motif", "chain_motif.png"),
                                          ("gradients", "grad_through_time.png")])
def test_saved_run_figures(tmp_path, results_file, command, png):
    code, _, err = run_main(an.main, [command, "--results", results_file, "--outdir", tmp_path])
    assert code == 0, err
    _assert_png(tmp_path / png)


def test_figures_read_a_sweep_file_only_with_weights(tmp_path):
    tiny = ["--tasks", "addition", "--inits", "ortho", "--sequence-lens", "6", "--seeds", "0", "--n-hidden", "8",
            "--n-epochs", "1", "--batch-size", "4", "--batches-per-epoch", "2", "--jobs", "1", "--quiet"]
    light, heavy = tmp_path / "light.jsonl", tmp_path / "heavy.jsonl"
    assert sweep.main([*tiny, "--out", str(light)]) == 0
    assert sweep.main([*tiny, "--keep-weights", "--out", str(heavy)]) == 0
    code, _, err = run_main(an.main, ["nonnormality", "--results", light, "--outdir", tmp_path])
    assert code == 2 and "--keep-weights" in err and err.count("\n") == 1
    code, _, err = run_main(an.main, ["nonnormality", "--results", heavy, "--outdir", tmp_path])
    assert code == 0, err


def test_missing_or_wrong_results_file_is_one_line_with_the_command(tmp_path):
    code, _, err = run_main(an.main, ["nonnormality", "--results", tmp_path / "none.json", "--outdir", tmp_path])
    assert code == 2 and err.count("\n") == 1 and "python rnn_pathological.py --all" in err
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"hello": 1}) + "\n")
    code, _, err = run_main(an.main, ["motif", "--results", bad, "--outdir", tmp_path])
    assert code == 2 and err.startswith("rnnpath analyze matrices: error:") and err.count("\n") == 1
    assert not (tmp_path / "chain_motif.png").exists()


def test_gradients_figure_needs_the_trained_params(tmp_path, results_file):
    doc = json.loads(Path(results_file).read_text())
    for run in doc["runs"]:
        del run["params_final"]
    stripped = tmp_path / "stripped.json"
    stripped.write_text(json.dumps(doc))
    code, _, err = run_main(an.main, ["gradients", "--results", stripped, "--outdir", tmp_path])
    assert code == 2 and "params_final" in err and err.count("\n") == 1


def test_trained_params_round_trip(results_file):
    run = json.loads(Path(results_file).read_text())["runs"][0]
    params = rp.trained_params(run)
    assert list(params) == list(rp.PARAM_NAMES)
    np.testing.assert_array_equal(params["W_hh"], np.array(run["W_hh_final"]))


# ----------------------------------------------------------------------------------------------------------------
# accurate spectra of chain matrices, and the chain motif of the network as it runs


@pytest.mark.parametrize("n, alpha, beta", [(64, 1.2, 0.1), (64, 0.99, 0.05), (33, 1.0, 0.0), (10, 0.5, 2.0)])
def test_chain_spectra_come_from_the_closed_form(n, alpha, beta):
    W = rp.chain_matrix(n, alpha, beta)
    assert an.spectral_radius(W) == pytest.approx(rp.chain_spectral_radius(n, alpha, beta), rel=1e-12, abs=1e-15)
    # sum |lambda|^2 = 4 |alpha beta| sum_k cos^2(k pi / (n + 1)) = 2 |alpha beta| (n - 1), so with alpha beta >= 0
    # d^2 = (n - 1)(alpha^2 + beta^2) - 2 alpha beta (n - 1) = (n - 1)(alpha - beta)^2
    d2 = (n - 1) * (alpha - beta) ** 2
    assert an.henrici_index(W) == pytest.approx(np.sqrt(d2), rel=1e-9)


def test_the_feedback_chain_of_the_fisher_figure_has_its_true_radius():
    """Before: the legend said 0.836 (np.linalg.eigvals); 2 sqrt(1.2 x 0.1) cos(pi / 65) = 0.692."""
    W = next(W for label, W, _ in an.fisher_examples() if label.startswith("feedback"))
    assert an.spectral_radius(W) == pytest.approx(0.6912, abs=1e-3)


def test_pulse_response_follows_a_source_injected_chain_despite_a_bias():
    n = 12
    params = {"W_hh": rp.chain_matrix(n, 1.0), "W_ih": 0.9 * np.eye(n, 2), "b_h": np.full(n, 0.3)}
    for channel in (0, 1):
        order = an.pulse_response_order(params, channel, n_steps=3 * n)
        assert list(order[: n - channel]) == list(range(channel, n))  # the pulse walks down the chain
    # without subtracting the resting trajectory, the bias would move every unit at t = 1 and scramble the order


def test_motif_profile_uses_the_trained_network_and_every_channel():
    import json
    from pathlib import Path

    run = json.loads((Path(__file__).resolve().parents[1] / "results.json").read_text())["runs"][0]
    diffs, trained = an.motif_profile_of(run, initial=False)
    _, initial = an.motif_profile_of(run, initial=True)
    assert diffs.shape == trained.shape == initial.shape and not np.allclose(trained, initial)


def test_gated_runs_are_refused_with_one_line(tmp_path):
    """Before: `analyze gradients` on an LSTM results file ended in a shape error traceback."""
    import subprocess
    import sys

    out = tmp_path / "lstm.json"
    assert rp.main(["--task", "latching", "--cell", "lstm", "--n-hidden", "4", "--n-epochs", "1",
                    "--batches-per-epoch", "1", "--batch-size", "4", "--quiet", "--out", str(out)]) == 0
    for command in ("gradients", "nonnormality", "motif"):
        proc = subprocess.run([sys.executable, "-m", "rnnpath", "analyze", "matrices", command, "--results", str(out),
                               "--outdir", str(tmp_path)], cwd=Path(__file__).resolve().parents[1],
                              capture_output=True, text=True, check=False)
        assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and "lstm" in proc.stderr, proc.stderr


def test_ornn_runs_are_analysed_as_the_vanilla_cell_they_hold(tmp_path):
    """An oRNN record holds its W_hh itself (orthogonal), so the W_hh analyses read it; its initial W_hh is
    rebuilt through the cell (the base, A = 0) and checked against the saved spectrum."""
    out = tmp_path / "ornn.json"
    assert rp.main(["--task", "addition", "--cell", "ornn", "--n-hidden", "6", "--n-epochs", "1",
                    "--batches-per-epoch", "2", "--batch-size", "4", "--sequence-len", "12", "--quiet",
                    "--out", str(out)]) == 0
    (run,) = json.loads(out.read_text())["runs"]
    W0 = an.initial_W_hh(run)
    np.testing.assert_allclose(W0.T @ W0, np.eye(6), atol=1e-12)
    for command in ("gradients", "nonnormality", "motif"):
        assert an.main([command, "--results", str(out), "--outdir", str(tmp_path)]) == 0
