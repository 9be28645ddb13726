"""Signal propagation at initialisation: the complex diagonal RNN's gradient and the state's derivative against
finite differences of the engine in float64, the diagonal arms against memory_curse's closed forms, the arms'
inits against their definitions, the README block against the data, the committed signal.json against the code,
and the command line."""

import copy
import json
from pathlib import Path

import numpy as np
import pytest
from cli_helpers import assert_one_line_error, run_main, run_script
from gradcheck import relative_error

import rnn_pathological as rp
from rnnpath.analyses import memory_curse as mc
from rnnpath.analyses import signal as sg

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = "rnnpath analyze signal"
COMMITTED = ROOT / "results" / "signal.json"


def small_lru(t=10.0, N=3, n_in=2, seed=0):
    return sg.lru_network(t, N, n_in, np.random.default_rng(seed))


def readout_loss(params, x, v):
    """sum_b v_b . h_T,b: the loss whose gradient lru_measure squares."""
    hs, _ = rp.lru_forward(params, x)
    return float(np.sum(v * hs[-1]))


def with_lambda(params, lam):
    """The same network with lambda set to `lam` (N,) through nu_log and theta_log (phases in (0, 2 pi))."""
    out = {k: v.copy() for k, v in params.items()}
    out["nu_log"] = np.log(-np.log(np.abs(lam)))
    out["theta_log"] = np.log(np.mod(np.angle(lam), 2 * np.pi))
    return out


# ----------------------------------------------------------------------------------------------------------------
# derivatives against finite differences (float64)


@pytest.mark.parametrize("gamma", [True, False])
def test_complex_gradient_is_the_derivative_in_re_and_im_lambda(gamma):
    rng = np.random.default_rng(1)
    params = small_lru()
    if not gamma:
        params = sg.without_gamma(params)
    x, v = rng.standard_normal((8, 2, 2)), rng.standard_normal((2, params["W_u"].shape[0]))
    hs, cache = rp.lru_forward(params, x)
    g = sg.complex_gradient(params, rp.lru_backward(params, x, hs, cache, v))
    lam, eps = rp.lru_lambda(params), 1e-6
    numeric = np.zeros_like(g)
    for n in range(len(lam)):
        for unit in (1.0, 1j):
            step = np.zeros_like(lam)
            step[n] = eps * unit
            diff = (readout_loss(with_lambda(params, lam + step), x, v)
                    - readout_loss(with_lambda(params, lam - step), x, v)) / (2 * eps)
            numeric[n] += diff * unit  # dL/dRe + i dL/dIm
    assert np.linalg.norm(numeric) > 1e-6
    assert relative_error(g, numeric) < 1e-7


def test_state_derivative_is_the_derivative_of_the_states():
    rng = np.random.default_rng(2)
    params = small_lru(t=30.0)
    x = rng.standard_normal((12, 3, 2))
    lam, eps = rp.lru_lambda(params), 1e-6
    r = sg.state_derivative(lam, rp.lru_forward(params, x)[1]["s"])
    for n in range(len(lam)):
        step = np.zeros_like(lam)
        step[n] = eps
        plus = rp.lru_forward(with_lambda(params, lam + step), x)[1]["s"][:, :, n]
        minus = rp.lru_forward(with_lambda(params, lam - step), x)[1]["s"][:, :, n]
        assert relative_error(r[:, :, n], (plus - minus) / (2 * eps)) < 1e-7  # holomorphic: d/dRe lambda = d/dlambda


# ----------------------------------------------------------------------------------------------------------------
# the closed forms (memory_curse) and the arms


def test_closed_form_is_memory_curses_one_unit():
    """One state of drive power 1: the finite-T kernel sums, and their T -> infinity limits the closed forms."""
    for a in (0.5, 0.9, 0.99):
        cf = sg.closed_form(np.array([a]), np.array([1.0]), {"lambda": np.array([1.0])}, 20_000)
        assert cf["state_var"] == pytest.approx(float(mc.second_moment(a)), rel=1e-9)
        assert cf["state_sens"]["lambda"] == pytest.approx(float(mc.sensitivity(a)), rel=1e-9)
        assert cf["state_var_stationary"] == pytest.approx(float(mc.second_moment(a)), rel=1e-12)
        short = sg.closed_form(np.array([a]), np.array([2.0]), {"p": np.array([3.0])}, 7)
        w, dw = mc.kernel(a, 7)
        assert short["state_var"] == pytest.approx(2.0 * w @ w) and short["state_sens"]["p"] == pytest.approx(
            6.0 * dw @ dw)


@pytest.mark.parametrize("t", [3.0, 30.0])
def test_diagonal_arms_agree_with_the_closed_form_on_iid_inputs(t):
    """The engine's LRU states with i.i.d. inputs: E|s_T|^2 and E|ds_T/dp|^2 per state, measured on 4000
    sequences, within 10% of memory_curse's sums (Monte Carlo error about 3%)."""
    rng = np.random.default_rng(3)
    params = sg.lru_network(t, 8, 3, rng)
    x = sg.ar1_inputs(64, 4000, 3, 0.0, rng)
    for p, as_complex in ((params, False), (sg.without_gamma(params), True)):
        m = sg.lru_measure(p, x, rng.standard_normal((4000, params["W_u"].shape[0])), as_complex)
        cf = sg.closed_form(m["abs_lambda"], m["drive_power"], m["dlambda2"], 64)
        assert m["state_var"] == pytest.approx(cf["state_var"], rel=0.1)
        for group, value in m["state_sens"].items():
            assert value == pytest.approx(cf["state_sens"][group], rel=0.1), group


def test_gamma_keeps_the_state_and_its_absence_lets_it_grow():
    rng = np.random.default_rng(4)
    x = sg.ar1_inputs(256, 200, 3, 0.0, rng)
    var = {}
    for t in (1.0, 100.0):
        params = sg.lru_network(t, 16, 3, np.random.default_rng(5))
        v = rng.standard_normal((200, params["W_u"].shape[0]))
        var[t] = [sg.lru_measure(p, x, v)["state_var"] for p in (params, sg.without_gamma(params))]
    assert 0.5 < var[100.0][0] / var[1.0][0] < 2  # normalised: about the drive's power at every nu_0
    assert var[100.0][1] / var[1.0][1] > 20  # raw: about 1 / (1 - |lambda|^2)


def test_the_arms_are_drawn_as_their_papers_say():
    t, H, n_in = 10.0, 32, 4
    lru = sg.lru_network(t, H, n_in, np.random.default_rng(6))
    moduli = np.abs(rp.lru_lambda(lru))
    assert np.all(moduli >= sg.nu0_of_time(t) - 1e-12) and np.all(moduli <= 1 - 0.5 / t + 1e-12)
    np.testing.assert_allclose(np.exp(2 * lru["gamma_log"]), 1 - moduli**2, rtol=1e-12)
    assert np.all(sg.without_gamma(lru)["gamma_log"] == 0) and np.all(lru["gamma_log"] != 0)
    gru = sg.gru_network(t, H, n_in, np.random.default_rng(7))
    b_z = gru["b_h"][H : 2 * H]
    assert np.all(b_z >= np.log(t)) and np.all(b_z <= np.log(2 * t))
    assert np.all(gru["b_h"][:H] == 0) and np.all(gru["b_h"][2 * H :] == 0) and np.all(gru["b_hn"] == 0)
    for k in range(3):  # orthogonal blocks
        block = gru["W_hh"][k * H : (k + 1) * H]
        np.testing.assert_allclose(block @ block.T, np.eye(H), atol=1e-12)
    assert np.std(gru["W_ih"]) == pytest.approx(np.sqrt(2 / n_in), rel=0.15)
    m = sg.gru_measure(gru, sg.ar1_inputs(50, 20, n_in, 0.0, np.random.default_rng(8)),
                       np.random.default_rng(9).standard_normal((20, H)))
    assert t / (1 + t) - 0.1 < m["mean_z"] < 2 * t / (1 + 2 * t) + 0.1  # z near tau / (1 + tau)


def test_ar1_inputs_have_unit_variance_and_autocorrelation_rho():
    x = sg.ar1_inputs(400, 400, 2, 0.9, np.random.default_rng(10))
    assert np.var(x) == pytest.approx(1.0, rel=0.05)
    assert np.mean(x[1:] * x[:-1]) == pytest.approx(0.9, abs=0.03)


def test_one_unit_log_sum_is_memory_curses_kernel_sum():
    for lam in (0.0, 0.7, 1.0, 1.1):
        _, dw = mc.kernel(lam, 40)
        assert sg.one_unit_log10_sensitivity(lam, 40) == pytest.approx(np.log10(dw @ dw), rel=1e-12)
    assert np.isfinite(sg.one_unit_log10_sensitivity(1.9, 1000))  # far past float range as a plain sum


# ----------------------------------------------------------------------------------------------------------------
# a quick results document, its figure and README block


@pytest.fixture(scope="module")
def quick_doc():
    return sg.compute(sg.read_runs(str(ROOT / "results.json")), quick=True)


def test_quick_document_is_complete(quick_doc):
    cfg = quick_doc["config"]
    assert len(quick_doc["init"]) == len(cfg["times"]) * len(cfg["rhos"]) * len(sg.ARMS)
    for t in cfg["times"]:  # the complex diagonal RNN is the LRU without gamma, with other parameters
        a, b = (sg.row_of(quick_doc, arm, 0.0, t) for arm in ("lru_no_gamma", "complex_diagonal"))
        assert a["state_var"] == b["state_var"] and a["grad"]["other"] == b["grad"]["other"]
        assert set(a["grad"]) == {"nu_log", "theta_log", "other"} and set(b["grad"]) == {"lambda", "other"}
    assert {(r["task"], r["init"]) for r in quick_doc["trained"]} == {
        (task, init) for task, _ in rp.HEADLINE for init in rp.HEADLINE_INITS}


def test_readme_block_reads_the_document(quick_doc):
    block = sg.readme_block(quick_doc)
    lru = sg.series(quick_doc, "lru_no_gamma", 0.0, "state_var")
    assert f"from {lru[0]:.3g} to {lru[-1]:.3g}" in block
    theta = sg.series(quick_doc, "lru", 0.0, "grad", "theta_log")
    assert f"{theta[0]:.3g}" in block and f"{theta[-1]:.3g}" in block
    worst = max(float(np.max(np.abs(sg.series(quick_doc, arm, 0.0, *path)
                                    / sg.series(quick_doc, arm, 0.0, "closed_form", *path) - 1)))
                for arm in sg.DIAGONAL_ARMS
                for path in (("state_var",), *(("state_sens", g) for g in sg.row_of(
                    quick_doc, arm, 0.0, quick_doc["config"]["times"][0])["state_sens"])))
    assert f"lies within {worst:.0%} of memory_curse's" in block
    row = quick_doc["trained"][0]
    assert f"{row['start']['sensitivity'][0]:.3g}" in block
    changed = copy.deepcopy(quick_doc)
    sg.row_of(changed, "lru_no_gamma", 0.0, changed["config"]["times"][-1])["state_var"] = 12345.0
    assert "12345" not in block and "1.23e+04" in sg.readme_block(changed)


def test_change_picks_its_verb():
    assert sg.change(1.0, 10.0).startswith("grows 10-fold")
    assert sg.change(1.0, 0.1).startswith("falls to 0.1")
    assert sg.change(1.0, 1.5).startswith("stays between 1 and 1.5")


def test_course_names_a_turn_the_ends_would_hide():
    nu0s = [0.0, 0.9, 0.99, 0.999]
    assert sg.course([1.0, 2.0, 5.0, 0.1], nu0s) == ("rises 5-fold, from 1 to 5 at nu_0 = 0.99, then falls to 0.1 "
                                                     "at nu_0 = 0.999")
    assert sg.course([1.0, 0.3, 0.2, 1.2], nu0s).startswith("falls to 0.2 of its value, from 1 to 0.2 at nu_0 = 0.99, "
                                                            "then rises to 1.2")
    assert sg.course([1.0, 1.5, 1.9, 0.2], nu0s) == sg.change(1.0, 0.2)  # no value 2-fold beyond both ends
    assert sg.course([1.0, 10.0], nu0s[:2]) == sg.change(1.0, 10.0)


def test_the_slope_carries_its_standard_error():
    xs = np.array([10, 30, 100, 300, 1000.0])
    assert sg.log_slope_stderr(xs, 3 * xs ** 1.5) == pytest.approx(0.0, abs=1e-12)
    ys = xs ** 2 * np.exp(np.array([0.1, -0.2, 0.05, 0.3, -0.1]))
    _, cov = np.polyfit(np.log(xs), np.log(ys), 1, cov="unscaled")
    residual = np.log(ys) - np.polyval(np.polyfit(np.log(xs), np.log(ys), 1), np.log(xs))
    assert sg.log_slope_stderr(xs, ys) == pytest.approx(np.sqrt(cov[0, 0] * np.sum(residual ** 2) / 3), rel=1e-12)
    assert sg.log_slope_stderr(xs[:2], ys[:2]) is None and sg.slope_text(xs[:2], ys[:2]) == f"{sg.log_slope(xs[:2], ys[:2]):.2f}"
    assert sg.slope_text(xs, ys) == f"{sg.log_slope(xs, ys):.2f} (s.e. {sg.log_slope_stderr(xs, ys):.2f})"
    assert sg.slope_text(xs, ys, inline=True) == f"{sg.log_slope(xs, ys):.2f}, s.e. {sg.log_slope_stderr(xs, ys):.2f}"


def test_the_committed_block_reads_shapes_gaps_and_uncertainty():
    """On the committed file: the LRU's nu_log gradient is described by its turn at nu_0 = 0.99 (not by its ends
    alone), the GRU's fall of activity against seed 001's 'constant' is named with the candidate's own number, and every
    trained exponent carries its standard error."""
    doc = sg.load(str(ROOT / "results" / "signal.json"))
    block = sg.readme_block(doc)
    nu0s = doc["config"]["nu0s"]
    nu = sg.series(doc, "lru", 0.0, "grad", "nu_log")
    k = int(np.argmax(nu))
    assert 0 < k < len(nu) - 1 and nu[k] >= 2 * max(nu[0], nu[-1])
    assert (f"LRU nu_log rises {nu[k] / nu[0]:.3g}-fold, from {nu[0]:.3g} to {nu[k]:.3g} at nu_0 = {nu0s[k]:.4g}, "
            f"then falls to {nu[-1]:.3g}") in block
    assert sg.PUBLISHED["statements"]["activity"]["gru"] == "constant"
    lo, hi = (doc["config"]["times"].index(t) for t in (sg.PUBLISHED["times"][0], sg.PUBLISHED["times"][-1]))
    ratios = [sg.series(doc, "gru", rho, "state_var")[hi] / sg.series(doc, "gru", rho, "state_var")[lo]
              for rho in doc["config"]["rhos"]]
    assert all(r <= 0.5 for r in ratios)
    assert ("Seed 001 says the GRU's activity stays constant as nu_0 grows to 0.99; ours falls to "
            + " and ".join(f"{r:.3g} (rho = {rho})" for r, rho in zip(ratios, doc["config"]["rhos"], strict=True))
            in block)
    z = sg.series(doc, "gru", 0.0, "mean_z")
    kept = ((1 - z[hi]) / (1 + z[hi])) / ((1 - z[lo]) / (1 + z[lo]))
    assert f"it falls to {kept:.2g} of its value, far below our {ratios[0]:.3g}" in block and "untested" in block
    assert "LRU's activity stays constant" not in block  # the LRU's stays within 2-fold: no gap named
    for row in doc["trained"]:
        for when in ("start", "trained"):
            se = sg.log_slope_stderr(row["lengths"], row[when]["sensitivity"])
            slope = sg.log_slope(row["lengths"], row[when]["sensitivity"])
            assert f"| {slope:.2f} (s.e. {se:.2f}) |" in block and f"(exponent {slope:.2f}, s.e. {se:.2f})" in block
    worst, at = max((se / v, T) for r in doc["trained"] for w in ("start", "trained")
                    for se, v, T in zip(r[w]["stderr"], r[w]["sensitivity"], r["lengths"], strict=True))
    assert f"a standard error of up to {worst:.0%} of it (at T' = {at})" in block


def test_published_numbers_are_their_printed_means():
    theirs = sg.published_series("complex lambda")
    assert theirs[0] == pytest.approx(np.mean([2.093021e-06, 3.352912e-06, 3.440363e-06, 4.006971e-06]))
    assert len(theirs) == len(sg.PUBLISHED["times"]) == 5
    assert set(sg.PUBLISHED_MATCH) == set(sg.PUBLISHED["grad"])


def test_quick_run_and_plot_from_the_command_line(tmp_path, quick_across):
    out, png = tmp_path / "q.json", tmp_path / "q.png"
    assert sg.main(["run", "--quick", "--quiet", "--results", str(ROOT / "results.json"), "--across-T",
                    str(quick_across), "--out", str(out)]) == 0
    doc = sg.load(str(out))
    assert doc["config"]["quick"] is True
    assert doc["across_T"]["source"] == str(quick_across) and doc["across_T"]["runs"]
    assert sg.main(["plot", "--results", str(out), "--out", str(png)]) == 0
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# ----------------------------------------------------------------------------------------------------------------
# the committed results file (written by `python -m rnnpath analyze signal run`)


@pytest.mark.skipif(not COMMITTED.exists(), reason="results/signal.json not written yet")
def test_committed_file_matches_the_code_and_the_closed_form():
    doc = json.loads(COMMITTED.read_text())
    cfg = doc["config"]
    assert doc["schema_version"] == sg.SCHEMA_VERSION and cfg["quick"] is False
    assert cfg["times"] == list(sg.TIMES) and cfg["rhos"] == list(sg.RHOS) and cfg["sizes"] == sg.SIZES
    assert cfg["trained"]["lengths"] == list(sg.TRAINED["lengths"])
    for arm in sg.DIAGONAL_ARMS:  # the Monte Carlo measurement within 10% of memory_curse's sums
        for path in (("state_var",), *(("state_sens", g) for g in sg.row_of(doc, arm, 0.0, cfg["times"][0])
                                         ["state_sens"])):
            ratio = sg.series(doc, arm, 0.0, *path) / sg.series(doc, arm, 0.0, "closed_form", *path)
            assert np.all(np.abs(ratio - 1) < 0.1), (arm, path, ratio)
    block = sg.readme_block(doc)
    assert "lies within" in block and "Beside the published trend" in block
    # the runs trained at each T: every run of the committed signal_trained sweep, measured at its own T
    from rnnpath import sweep

    assert doc["across_T"]["source"] == sg.ACROSS_T_FILE
    records = [r for _, r in sweep.read_sweep_file(str(ROOT / sg.ACROSS_T_FILE)).records]
    assert sorted((r["init"], r["sequence_len"], r["seed"], rp.is_success(r)) for r in records) == sorted(
        (r["init"], r["T"], r["seed"], r["solved"]) for r in doc["across_T"]["runs"])
    assert all(r["lengths"] == list(dyn_lengths()) for r in doc["across_T"]["runs"])
    for r in doc["across_T"]["runs"]:  # the gradient sent back at its own T, one share per lag, 1 at the last step
        for when in ("start", "trained"):
            assert len(r[when]["memory"]) == r["T"] and r[when]["memory"][0] == 1.0
    for row in doc["init"]:  # every mean carries its standard error over the draws
        assert set(row["stderr"]["grad"]) == set(row["grad"]) and row["stderr"]["state_var"] >= 0


# ----------------------------------------------------------------------------------------------------------------
# bad input


@pytest.mark.parametrize("args, fragments", [
    (["run", "--quick", "--results", "no_such_file.json"], ["not found"]),
    (["run", "--quick", "--across-T", "no_such_file.jsonl"], ["not found", "experiment run signal_trained"]),
    (["run", "--quick", "--across-T", "README.md"], ["README.md"]),
    (["run", "--out", "no/such/folder/x.json"], ["does not exist"]),
    (["plot", "--results", "no_such_file.json"], ["not found", "no_such_file.json"]),
    (["plot", "--results", "README.md"], ["not valid JSON"]),
    (["plot", "--results", "results.json"], ["not a results file"]),
    (["walk"], ["invalid choice"]),
    ([], ["required"]),
])
def test_bad_input_is_one_line(args, fragments, monkeypatch):
    monkeypatch.chdir(ROOT)
    code, out, err = run_main(sg.main, args)
    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"{SCRIPT}: error:"), err
    assert all(f in lines[0] for f in fragments), lines[0]


def test_a_results_file_without_tanh_runs_is_refused(tmp_path):
    doc = json.loads((ROOT / "results.json").read_text())
    for run in doc["runs"]:
        run["config"]["activation"] = "relu"
    path = tmp_path / "relu.json"
    path.write_text(json.dumps(doc))
    code, _, err = run_main(sg.main, ["run", "--quick", "--results", str(path), "--out", str(tmp_path / "x.json")])
    assert code == 2 and len(err.strip().splitlines()) == 1 and "no vanilla tanh run" in err


def test_the_script_fails_in_one_line_as_a_user_sees_it():
    proc = run_script(SCRIPT, "plot", "--results", "no_such_file.json")
    assert proc.returncode == 2
    assert_one_line_error(proc, SCRIPT, "not found")


def test_the_gaps_to_the_published_growth_are_named_as_unexplained():
    """unexplained(): every printed series whose growth differs from ours by more than FAR at every rho is named,
    with both numbers as published_rows gives them, and no other; a document with no such gap says nothing."""
    doc = sg.load(str(ROOT / "results" / "signal.json"))
    text = sg.unexplained(doc)
    for name, theirs, ours, _ in sg.published_rows(doc):
        if "(seed 001" in theirs:
            continue
        values = [float(part.split(" (")[0]) for part in ours.split("; ")]
        far = all(float(theirs) > sg.FAR * v for v in values) or all(v > sg.FAR * float(theirs) for v in values)
        assert (f"{name} ({theirs} against" in text) == far, name
    assert "complex lambda" in text  # the committed file's largest gap
    close = copy.deepcopy(doc)
    close["config"]["times"] = close["config"]["times"][:1]  # their two ends not both measured
    assert sg.unexplained(close) == ""


def test_a_trained_series_over_T_names_its_extremes_between_the_ends():
    """A series over T' is given by its ends, and by its highest and lowest values where they fall outside them:
    the ends alone would hide a turn."""
    assert sg.course_in_T([1.0, 5.0, 2.0], [10, 100, 1000]) == (
        "goes from 1 at T' = 10 to 2 at T' = 1000, up to 5 at T' = 100 in between")
    assert sg.course_in_T([3.0, 0.5, 2.0, 4.0], [10, 30, 100, 1000]) == (
        "goes from 3 at T' = 10 to 4 at T' = 1000, down to 0.5 at T' = 30 in between")
    assert sg.course_in_T([1.0, 2.0, 3.0], [10, 100, 1000]) == "goes from 1 at T' = 10 to 3 at T' = 1000"
    doc = json.loads((ROOT / "results" / "signal.json").read_text())
    text = " ".join(sg.trained_findings(doc))
    for row in doc["trained"]:
        for when in ("start", "trained"):
            assert sg.course_in_T(row[when]["sensitivity"], row["lengths"]) in text
    worst = max(se / v for row in doc["trained"] for when in ("start", "trained")
                for se, v in zip(row[when]["stderr"], row[when]["sensitivity"], strict=True))
    assert f"a standard error of up to {worst:.0%} of it" in text
    # each run names its outcome, and the count of solved runs agrees with the records behind them
    for row in doc["trained"]:
        outcome = "did not solve its task" if row["solved_epoch"] is None else f"solved at epoch {row['solved_epoch']}"
        assert f"{row['init']} (seed {row['seed']}; {outcome})" in text
    n_solved = sum(row["solved_epoch"] is not None for row in doc["trained"])
    assert f"{n_solved} of the {len(doc['trained'])} runs solved their task" in text


def test_the_theory_note_holds_on_the_committed_file():
    """The note under the signal numbers: the fitted slopes fall short of the stationary -3 and -2, the LRU's nu_log
    falls at the last column, the LRU without gamma and the complex diagonal RNN give the same state-variance and
    'other' rows (one network), and the columns it says to read are those whose memory is within a fifth of T."""
    doc = sg.load(str(ROOT / "results" / "signal.json"))
    text = sg.theory_note(doc)
    nu0s = [sg.nu0_of_time(t) for t in doc["config"]["times"]]
    one_minus = 1.0 - np.array(nu0s[1:])
    lam = sg.series(doc, "complex_diagonal", 0.0, "state_sens", "lambda")
    theta = sg.series(doc, "lru", 0.0, "state_sens", "theta_log")
    assert -3 < sg.log_slope(one_minus, lam[1:]) and -2 < sg.log_slope(one_minus, theta[1:])
    nu = sg.series(doc, "lru", 0.0, "state_sens", "nu_log")
    assert nu[-1] < nu[-2] and "the fall of the LRU's nu_log at the last columns" in text
    T = doc["config"]["sizes"]["seq_len"]
    cut = max(n for n in nu0s if 1 / (1 - n) <= T / 5)
    assert f"up to nu_0 = {cut:.4g};" in text and f"T = {T}" in text
    for rho in doc["config"]["rhos"]:
        np.testing.assert_allclose(sg.series(doc, "lru_no_gamma", rho, "state_var"),
                                   sg.series(doc, "complex_diagonal", rho, "state_var"), rtol=1e-12)
        np.testing.assert_allclose(sg.series(doc, "lru_no_gamma", rho, "grad", "other"),
                                   sg.series(doc, "complex_diagonal", rho, "grad", "other"), rtol=1e-12)


# ----------------------------------------------------------------------------------------------------------------
# the networks trained at each T (the experiment signal_trained, --across-T)


@pytest.fixture(scope="module")
def quick_across(tmp_path_factory):
    """The quick signal_trained sweep (tiny networks trained at T = 10 and 20, weights kept), in a temporary folder."""
    from rnnpath import experiments as ex

    out = tmp_path_factory.mktemp("across")
    code, _, err = run_main(ex.main, ["run", "signal_trained", "--quick", "--jobs", "1", "--quiet", "--outdir", out])
    assert code == 0, err
    return out / "results" / "sweeps" / "quick" / "signal_trained.jsonl"


def test_each_network_is_measured_at_every_length_at_its_start_and_trained(quick_across):
    runs = sg.read_across(str(quick_across))
    rows = sg.measure_across(runs, sg.QUICK["trained"])
    lengths = sorted({r["sequence_len"] for r in runs})
    assert len(rows) == len(runs) and {(r["init"], r["T"], r["seed"]) for r in rows} == {
        (r["init"], r["sequence_len"], r["seed"]) for r in runs}
    trained = sg.QUICK["trained"]
    for row in rows[:2]:
        run = next(r for r in runs if (r["init"], r["sequence_len"], r["seed"]) == (row["init"], row["T"],
                                                                                     row["seed"]))
        assert row["lengths"] == lengths and row["solved"] == rp.is_success(run)
        assert row["final_metric"] == run["final_metric"]
        for when, params in (("start", rp.initial_network(run["task"], run["init"], run["seed"], **run["config"])),
                             ("trained", rp.trained_params(run))):
            for T in lengths:  # the batches depend on the seed and T' alone: the same for every training length
                rng = np.random.default_rng([trained["seed"], run["seed"], T])
                again = sg.rnn_sensitivity(params, run["task"], T, run["config"], trained["batch"],
                                           trained["draws"], rng)
                assert sg.at(row, when, T) == again["sensitivity"]
                assert sg.at(row, when, T, "state_var") == again["state_var"]
            assert row[when]["spectral_radius"] == pytest.approx(sg.spectral_radius(params["W_hh"]))
    assert sg.read_across("") == []


def _across_doc(seeds=range(10), Ts=(30, 60, 120, 200), collapse_factor=0.1):
    """A synthetic document: the runs at T <= 60 end solved, at T = 120 those of seeds below 5, at 200 none. The start
    measures 0.01 at every T'; a network trained at T measures 1e-4 T^2 at T' = T and 100 times more at every T' > T
    (run past its length); those trained at T = 200 end at `collapse_factor` times their start."""
    rows = []
    for init in ("ortho", "random"):
        for T in Ts:
            for seed in seeds:
                jitter = 1 + 0.01 * seed
                own = 1e-4 * T ** 2 * jitter if T < 200 else 0.01 * collapse_factor * jitter
                trained = [own * (100 if L > T else 1) for L in Ts]
                solved = T <= 60 or (T == 120 and seed < 5)
                rows.append({"task": "temporal_order", "init": init, "seed": seed, "T": T, "lengths": list(Ts),
                             "solved": solved, "solved_epoch": 3 if solved else None,
                             "final_metric": 1.0 if solved else 0.25, "best_metric": 1.0,
                             "start": {"spectral_radius": 1.0, "sensitivity": [0.01] * len(Ts),
                                       "stderr": [0.001] * len(Ts), "state_var": [0.07] * len(Ts),
                                       "memory": [0.9 ** k for k in range(T)]},
                             "trained": {"spectral_radius": 1.2 if solved else 0.8, "sensitivity": trained,
                                         "stderr": [1e-6] * len(Ts),
                                         "memory": [1.0 if solved else 0.5 ** k for k in range(T)],
                                         "state_var": [0.5 if solved else 0.005] * len(Ts)}})
    return {"config": {"trained": {"draws": 8, "batch": 100}}, "across_T": {"source": "s.jsonl", "runs": rows}}


def test_the_runs_trained_at_each_T_are_compared_paired_by_seed_and_worded_by_their_tests():
    doc = _across_doc()
    tests = sg.across_tests(doc)
    assert [(t["init"], t["from"], t["to"]) for t in tests["own"]][:3] == [("ortho", 30, 60), ("ortho", 60, 120),
                                                                          ("ortho", 120, 200)]
    assert tests["own"][0]["fold"] == pytest.approx(4.0) and tests["own"][0]["p"] == pytest.approx(2 / 1024)
    # run past its length: the interaction (the ratio short/long at the longer T' over the same at the shorter) is the
    # factor 100 the synthetic networks gain past their length, whatever the two networks' own levels
    for t in tests["past"]:
        assert t["fold"] == pytest.approx(100) and t["below"] == 0
        assert t["plain"] == pytest.approx(100 * (1e-4 * t["short"] ** 2) / (
            1e-4 * t["long"] ** 2 if t["long"] < 200 else 0.001), rel=0.02)
    assert [(t["init"], t["T"]) for t in tests["collapse"]] == [("ortho", 200), ("random", 200)]
    assert all(t["adjusted"] == pytest.approx(14 * 2 / 1024) for family in tests.values() for t in family)
    findings, table = sg.across_findings(doc)
    text = " ".join(findings)
    assert ("at the last epoch) in ortho 10/10, 10/10, 5/10, 0/10 and random 10/10, 10/10, 5/10, 0/10 at T = 30, "
            "60, 120, 200") in text
    assert "Holm's correction over all 14 of them at once" in text
    assert ("ortho from T = 30 to 60 (solved 10/10, then 10/10) it grows 4-fold (exact signed-rank p = 0.002 over 10 "
            "seeds, 0.027 after Holm over 14)") in text
    assert ("ortho, trained at 30 (solved 10/10) against 60 (10/10): moved from T' = 30 to 60, the first's "
            "sensitivity rises 100 times as much as the second's, 0 of 10 seeds the other way (exact signed-rank "
            "p = 0.002 over 10 seeds, 0.027 after Holm over 14; at T' = 60 itself it is 25 times as sensitive)") in text
    assert "Wherever the test tells them apart (6 of 6), a network run past the length it learned gains" in text
    assert ("ortho at T = 200: the trained network's sensitivity falls to 0.1 of its value against its start's (10 of "
            "10 below it; exact signed-rank p = 0.002 over 10 seeds, 0.027 after Holm over 14); of its networks 10 "
            "near the origin (E[h_T^2] 0.005 to 0.005, spectral radius 0.8 to 0.8), against a median E[h_T^2] of "
            "0.07 at the start") in text
    assert "the measure grows at most like T'^2" in text
    mean = sg.geometric_mean([1e-4 * 30 ** 2 * (1 + 0.01 * k) for k in range(10)])
    assert f"| ortho | 30 | 10/10 | 1.00 | 1.2 | 0.5 | - | **{mean:.3g}** |" in table
    assert "| ortho | untrained | - | - | 1 | - | - | 0.01 | 0.01 | 0.01 | 0.01 |" in table
    # networks that end where they started: the test cannot tell them apart, and says so
    flat = " ".join(sg.across_findings(_across_doc(seeds=range(3), collapse_factor=1.0))[0])
    assert "ortho at T = 200: the trained network's sensitivity changes by a factor" in flat
    assert "a difference this test cannot tell from chance" in flat
    assert sg.across_findings({"config": {}, "across_T": {"source": "", "runs": []}}) == ([], "")
    assert sg.p_phrase(0.0001) == "p < 0.001" and sg.p_phrase(0.25) == "p = 0.25"


def test_the_block_and_the_figure_carry_the_runs_trained_at_each_T(quick_doc, tmp_path):
    doc = copy.deepcopy(quick_doc)
    doc["across_T"] = _across_doc()["across_T"]
    block = sg.readme_block(doc)
    assert "**The tanh RNNs trained at each T**" in block
    assert "Trained at each T (signal_trained)" in block
    assert "(networks trained at each T answer that, in the paragraph after these runs)" in block
    assert "(that needs networks trained at each T: the experiment signal_trained)" in sg.readme_block(quick_doc)
    fig = sg.plot(doc)
    assert len(fig.axes) == 5  # the quick file's two panels, and three for the runs trained at each T


def dyn_lengths():
    from rnnpath.experiments import dynamics

    return dynamics.SIGNAL_LENS


def test_the_verbs_are_read_against_the_standard_error_of_the_draws(quick_doc):
    """noise_text: with one draw there is no standard error and it says so; with several, the median and largest
    relative standard errors are named, and every change a verb names (course_claims) is checked against two standard
    errors of its log-ratio: all named as clear, or the ones that are not listed."""
    assert "without a standard error" in sg.noise_text(quick_doc)
    assert sg.course_claims([1, 1.5, 1.2]) == [] and sg.course_claims([1, 3]) == [(0, 1)]
    assert sg.course_claims([1, 5, 2]) == [(0, 1), (1, 2)] and sg.course_claims([4, 1, 3]) == [(0, 1), (1, 2)]

    def scaled(value, factor):
        return ({k: scaled(v, factor) for k, v in value.items() if k != "dlambda2"} if isinstance(value, dict)
                else factor * value if isinstance(value, float) else None)

    def with_errors(factor):
        doc = copy.deepcopy(quick_doc)
        doc["config"]["sizes"]["draws"] = 4
        for row in doc["init"]:
            row["stderr"] = {k: scaled(v, factor) for k, v in row.items()
                             if k in ("state_var", "output_var", "grad", "state_sens")}
        return doc

    small, large = with_errors(0.01), with_errors(10.0)
    n = len(sg.verb_margins(small))
    assert n > 0 and f"every one of the {n} changes the verbs name lies more than two standard errors" in (
        sg.noise_text(small))
    assert "1% of it at the median over the table and at most 1% (" in sg.noise_text(small)
    assert f"{n} of the {n} changes the verbs name are within two standard errors" in sg.noise_text(large)


def test_the_gradient_sent_back_is_the_backward_pass_and_is_read_at_the_first_symbols_steps(quick_across):
    """rnn_sensitivity's memory: one value per lag, 1 at lag 0, the readout's squared dL/dh sent back (checked
    against rnn_backward's own dh_steps), and asking for it changes no other number; first_symbol_power: its smallest
    share over the lags where temporal_order's first symbol can sit; the findings count the networks against it."""
    runs = sg.read_across(str(quick_across))
    run = runs[0]
    params, T = rp.trained_params(run), run["sequence_len"]
    plain = sg.rnn_sensitivity(params, run["task"], T, run["config"], 4, 2, np.random.default_rng(7))
    with_memory = sg.rnn_sensitivity(params, run["task"], T, run["config"], 4, 2, np.random.default_rng(7),
                                     memory=True)
    assert {k: with_memory[k] for k in plain} == plain and len(with_memory["memory"]) == T
    assert with_memory["memory"][0] == 1.0 and min(with_memory["memory"]) >= 0
    rng = np.random.default_rng(7)
    profiles = []
    for _ in range(2):
        x, _ = rp.generate_batch(run["task"], T, 4, rng)
        hs = rp.rnn_forward(params, x, None, "tanh")
        v = rng.standard_normal((4, params["W_hh"].shape[0]))
        dh = np.empty((T, 4, params["W_hh"].shape[0]))
        rp.rnn_backward(params, x, hs, v, None, "tanh", dh_steps=dh)
        power = np.mean(dh ** 2, axis=(1, 2))[::-1]
        profiles.append(power / power[0])
    np.testing.assert_allclose(with_memory["memory"], np.mean(profiles, axis=0), rtol=1e-12)
    rows = sg.across_cells(_across_doc())[("ortho", 120)]
    lo = int(np.ceil(0.8 * 120))  # lags 96 to 107: the smallest share over them is the last, 107
    assert sg.first_symbol_power(rows[0], "trained") == 1.0
    assert sg.first_symbol_power(rows[-1], "trained") == 0.5 ** 107 and sg.first_symbol_power(rows[0], "start") == (
        0.9 ** 107) and lo == 96
    text = sg.gradient_findings(sg.across_cells(_across_doc()))[0]
    assert (f"ortho at T = 120: at the start, median {0.9 ** 107:.2g}; trained, the 5 that end solved 1 to 1; the 5 "
            f"that do not {0.5 ** 107:.2g} to {0.5 ** 107:.3g}") in text
    assert "Every network that ends solved keeps at least 1 of the power there; 30 of the 30 that do not" in text
    assert "as it does in 0 of the 80 trained networks" in text


# ----------------------------------------------------------------------------------------------------------------
# what each network trained at each T holds: the first-symbol probe


def test_the_symbols_are_the_two_informative_symbols_in_order():
    """symbols reads temporal_order's target 2 a + b back to (a, b), the first and the second of A (0) and B (1) in
    the inputs."""
    x, y = rp.generate_batch("temporal_order", 40, 200, np.random.default_rng(3))
    seen = x.argmax(axis=2)  # (T, B)
    order = [seen[np.flatnonzero(seen[:, b] <= 1), b] for b in range(x.shape[1])]
    first, second = sg.symbols("temporal_order", y)
    assert np.array_equal(first, [o[0] for o in order]) and np.array_equal(second, [o[1] for o in order])
    with pytest.raises(ValueError, match="temporal_order"):
        sg.symbols("addition", y)


def test_the_probe_is_scored_on_sequences_it_was_not_fitted_on():
    """A linearly separable set is probed right but for a few points near the boundary (least squares is no
    maximum-margin fit); labels that follow one rule in the fitting half and the opposite
    rule in the scored half are probed all wrong (the scored half never enters the fit); labels independent of
    the states score near one half."""
    rng = np.random.default_rng(0)
    h = rng.standard_normal((400, 6))
    labels = (h[:, 0] > 0).astype(int)
    right, tested = sg.probe_accuracy(h, labels)
    assert tested == 200 and right >= 190
    flipped = np.concatenate([labels[:200], 1 - labels[200:]])
    assert sg.probe_accuracy(h, flipped) == (tested - right, 200)
    right, tested = sg.probe_accuracy(rng.standard_normal((4000, 6)), rng.integers(0, 2, 4000))
    assert tested == 2000 and abs(right / tested - 0.5) < 0.05
    assert sg.holds([200, 200]) and not sg.holds([110, 200]) and sg.holds([120, 200])


def test_the_probe_draws_no_random_number_of_its_own(quick_across):
    """With the probe or without it, the measure's numbers are the same bits: it reads the batches already drawn."""
    run = sg.read_across(str(quick_across))[0]
    params = rp.trained_params(run)
    trained = sg.QUICK["trained"]
    plain, probed = (sg.rnn_sensitivity(params, run["task"], 10, run["config"], 16, 2, np.random.default_rng(5),
                                        memory=True, probe=probe) for probe in (False, True))
    assert {k: v for k, v in probed.items() if k not in ("probe", "probe_second")} == plain
    assert all(probed[k][1] == 16 and 0 <= probed[k][0] <= 16 for k in ("probe", "probe_second"))
    row = sg.measure_across([run], trained)[0]
    assert all(len(row[w]["probe"]) == len(row["lengths"]) for w in ("start", "trained"))


def test_the_probe_findings_count_what_each_cell_holds():
    """Solved networks that hold the symbol everywhere, failed ones at chance but one that holds it: the counts per
    cell, that one named with its second-symbol probe and task accuracy, and the networks run past their length
    compared paired by seed with those trained there, worded by the test."""
    doc = _across_doc()
    for r in doc["across_T"]["runs"]:
        for when in ("start", "trained"):
            held = when == "trained" and (r["solved"] or (r["init"], r["T"], r["seed"]) == ("ortho", 200, 3))
            # run past its length (T' > T), a solved network keeps less of the symbol: 300 of 400
            r[when]["probe"] = [[(300 if L > r["T"] and r["solved"] else 388) if held else 200, 400]
                                for L in r["lengths"]]
            r[when]["probe_second"] = [[210, 400] for _ in r["lengths"]]
    [text] = sg.probe_findings(sg.across_cells(doc))
    assert "ortho at T = 30: at the start 0 of 10 hold it (0.50 to 0.50); trained, of the 10 that end solved, " \
           "10 hold it (0.97 to 0.97)" in text
    assert "ortho at T = 200: at the start 0 of 10 hold it (0.50 to 0.50); trained, of the 10 that do not, 1 holds " \
           "it (0.50 to 0.97)" in text
    assert "The 1 network that holds it without ending solved" in text
    assert "ortho at T = 200, seed 3: first 0.97, second 0.53, task 0.25" in text
    # at T' = 60, trained at 30 (300 of 400) against trained at 60 (388): lower in every seed
    assert ("ortho at T' = 60, trained at 30 against trained there: median 0.75 against 0.97, lower in 10 and higher "
            "in 0 of 10 seeds (exact signed-rank p = 0.002 over 10 seeds") in text
    assert "part ways" not in text  # without the sensitivity's tests, no reading against them
    [read] = sg.probe_findings(sg.across_cells(doc), sg.across_tests(doc)["past"])
    assert "the network moved past its length keeps less of it at ortho T' = 60 (10/10 trained there end solved)" in read
    assert "it also gains more sensitivity than the one trained there" in read and "part ways" in read
    for r in doc["across_T"]["runs"]:
        del r["trained"]["probe"]
    assert sg.probe_findings(sg.across_cells(doc)) == []
