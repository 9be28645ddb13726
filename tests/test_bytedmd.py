"""ByteDMD of BPTT: the cost model against the metric's worked examples and a naive list, the tracer against the
engine's loss and gradients, the committed bytedmd.json against the code, and the command line."""

import json
import math
from pathlib import Path

import numpy as np
import pytest
from cli_helpers import assert_one_line_error, run_main, run_script
from kernels import assert_same_numbers

import rnn_pathological as rp
from rnnpath.analyses import bytedmd as bd

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = "rnnpath analyze bytedmd"


def trace(n_args, instructions, n_values=None):
    """A Trace from a list of input tuples, one per instruction (instruction k pushes value n_args + k)."""
    reads = [v for inputs in instructions for v in inputs]
    ends = np.cumsum([len(inputs) for inputs in instructions])
    n = n_args + len(instructions)
    return bd.Trace(n_args, np.array(reads, dtype=np.int64), np.array(ends, dtype=np.int64),
                    np.zeros(n, dtype=np.int8), np.zeros(len(instructions), dtype=np.int8))


def both_costs(tr, nbytes):
    """(Fenwick cost, naive cost) of a trace."""
    sizes = np.array(bd._sizes(tr, nbytes))
    naive = bd.read_costs(bd.naive_bytes_above(tr, nbytes), sizes[tr.reads]).sum()
    return bd.bytedmd(tr, nbytes), float(naive)


# ----------------------------------------------------------------------------------------------------------------
# the cost model: the metric's worked examples, by hand

A, B, C, D = 0, 1, 2, 3  # four arguments placed in this order: D on top


def test_worked_example_b_plus_c_costs_sqrt3_plus_sqrt2():
    for cost in both_costs(trace(4, [(B, C)]), 1):
        assert cost == pytest.approx(math.sqrt(3) + math.sqrt(2), rel=1e-15)
    assert bd.bytes_above(trace(4, [(B, C)]), 1).tolist() == [2, 1]  # depths 3 and 2, both before any move


def test_worked_example_leaves_a_d_b_c_result():
    """After b + c the stack is, bottom to top, a, d, b, c, r: reading each value next shows its depth."""
    for value, depth in ((4, 1), (C, 2), (B, 3), (D, 4), (A, 5)):
        above = bd.bytes_above(trace(4, [(B, C), (value,)]), 1)
        assert above[-1] == depth - 1, value


def test_read_order_matters():
    """b + c leaves c above b; c + b leaves b above c."""
    assert bd.bytes_above(trace(4, [(B, C), (B,)]), 1)[-1] == 2  # a, d, b, c, r: b at depth 3
    assert bd.bytes_above(trace(4, [(C, B), (B,)]), 1)[-1] == 1  # a, d, c, b, r: b at depth 2


def test_multi_byte_values_cost_every_byte():
    """a and d one byte, b and c two: b + c reads bytes at depths 5, 4 (b) and 3, 2 (c)."""
    for cost in both_costs(trace(4, [(B, C)]), [1, 2, 2, 1, 1]):
        assert cost == pytest.approx(sum(math.sqrt(d) for d in (5, 4, 3, 2)), rel=1e-15)


def test_results_are_pushed_free_and_never_freed():
    """r1 = f(a) reads a at depth 1; r2 = f(a) finds r1 above a (depth 2); r3 = f(r1) finds a and r2 above it."""
    tr = trace(1, [(0,), (0,), (1,)])
    assert bd.bytes_above(tr, 1).tolist() == [0, 1, 2]
    assert bd.bytedmd(tr, 8) == pytest.approx(sum(math.sqrt(d) for d in range(1, 9))
                                              + sum(math.sqrt(d) for d in range(9, 17))
                                              + sum(math.sqrt(d) for d in range(17, 25)), rel=1e-15)


def random_trace(rng, n_args, n_instructions):
    instructions = []
    for k in range(n_instructions):
        n_values = n_args + k
        m = int(rng.integers(1, min(3, n_values) + 1))
        instructions.append(tuple(rng.choice(n_values, size=m, replace=False).tolist()))
    return trace(n_args, instructions)


@pytest.mark.parametrize("seed", range(20))
def test_fenwick_equals_the_naive_stack_on_random_traces(seed):
    rng = np.random.default_rng(seed)
    tr = random_trace(rng, int(rng.integers(1, 12)), int(rng.integers(1, 150)))
    sizes = rng.integers(1, 9, size=tr.n_values).tolist()
    assert bd.bytes_above(tr, sizes).tolist() == bd.naive_bytes_above(tr, sizes).tolist()
    fenwick, naive = both_costs(tr, sizes)
    assert fenwick == pytest.approx(naive, rel=1e-12)


def test_one_pass_in_values_prices_every_uniform_width():
    tr = _step().tracer.finish()
    above = bd.bytes_above(tr, 1)
    for width in (1, 4, 8):
        assert bd.uniform_read_costs(tr, width, above).sum() == pytest.approx(bd.bytedmd(tr, width), rel=1e-12)


def test_sizes_must_match_the_values():
    with pytest.raises(ValueError, match="one size per value"):
        bd.bytes_above(trace(2, [(0, 1)]), [1, 2])


# ----------------------------------------------------------------------------------------------------------------
# the tracer against the engine


def small_step(task="addition", H=5, T=10, truncate=None, seed=0, cell="tanh"):
    rng = np.random.default_rng(seed)
    params = rp.init_params(task, H, "ortho", rng, cell=bd.CELLS[cell].engine)
    params["b_h"] = params["b_h"] + 0.1 * rng.standard_normal(params["b_h"].shape)  # nonzero biases, so their
    params["b_y"] = 0.1 * rng.standard_normal(params["b_y"].shape)  # reads count in the check
    x, y = rp.generate_batch(task, T, 1, rng)
    return bd.traced_step(params, x, y, task, cell=cell, truncate=truncate), params, x, y


def _step(*args, **kwargs):
    return small_step(*args, **kwargs)[0]


@pytest.mark.parametrize("cell", ["tanh", "lstm"])
@pytest.mark.parametrize("task", ["addition", "temporal_order", "3bit_memorization", "latching"])
def test_tracer_loss_and_gradients_equal_the_engine(task, cell):
    """The traced step against rp.loss_and_grads on the same parameters and example (for the LSTM: W_hh 4H x H,
    gate order i, f, g, o, one bias vector, the forget bias 1 plus noise)."""
    step, params, x, y = small_step(task, H=4 if cell == "lstm" else 5, cell=cell)
    loss, grads = rp.loss_and_grads(params, x, y, task, cell=bd.CELLS[cell].engine)
    assert step.loss_value() == pytest.approx(loss, rel=1e-12)
    traced = step.grad_values()
    assert list(traced) == list(rp.PARAM_NAMES)
    for name in rp.PARAM_NAMES:
        np.testing.assert_allclose(traced[name], grads[name], rtol=1e-10, atol=1e-14, err_msg=name)


def truncated_reference(params, x, y, k):
    """Truncated BPTT for the mse task in numpy: dh is passed back through the last k steps only."""
    x = x[:, 0, :]
    T, H = len(x), params["W_hh"].shape[0]
    hs = [np.zeros(H)]
    for t in range(T):
        hs.append(np.tanh(params["W_ih"] @ x[t] + params["W_hh"] @ hs[-1] + params["b_h"]))
    residual = params["W_hy"][0] @ hs[-1] + params["b_y"][0] - y[0]
    dh = residual * params["W_hy"][0]
    grads = {"W_ih": np.zeros_like(params["W_ih"]), "W_hh": np.zeros_like(params["W_hh"]), "b_h": np.zeros(H)}
    for t in range(T, max(1, T - k + 1) - 1, -1):
        da = dh * (1 - hs[t] ** 2)
        grads["W_ih"] += np.outer(da, x[t - 1])
        grads["W_hh"] += np.outer(da, hs[t - 1])
        grads["b_h"] += da
        dh = params["W_hh"].T @ da
    return grads


@pytest.mark.parametrize("k", [1, 3, 7])
def test_truncated_bptt_equals_a_numpy_reference(k):
    step, params, x, y = small_step(T=7, truncate=k)
    traced = step.grad_values()
    for name, g in truncated_reference(params, x, y, k).items():
        np.testing.assert_allclose(traced[name], g, rtol=1e-10, atol=1e-14, err_msg=name)


def test_truncating_at_T_is_full_bptt_and_shorter_truncation_costs_less():
    full = _step(T=7).tracer.finish()
    same = _step(T=7, truncate=7).tracer.finish()
    assert np.array_equal(full.reads, same.reads) and np.array_equal(full.ends, same.ends)
    costs = [bd.bytedmd(_step(T=7, truncate=k).tracer.finish(), 8) for k in (1, 3, 7)]
    assert costs[0] < costs[1] < costs[2]


def test_the_trace_does_not_depend_on_the_numbers():
    a, b = _step(seed=0).tracer.finish(), _step(seed=1).tracer.finish()
    assert np.array_equal(a.reads, b.reads) and np.array_equal(a.ends, b.ends)


def test_instruction_counts_are_the_algorithms():
    """Forward per unit: n_in products and n_in - 1 adds, at t > 1 H products, H - 1 adds and one add to join,
    then the bias add and the tanh; the mse output: H products, H - 1 adds, the bias, the residual, its square,
    the half. Backward per step: 3 H for da, H bias adds (not at step T), 2 H n_in for dW_ih (H n_in at step T),
    2 H^2 for dW_hh (H^2 at step T, none at step 1), 2 H^2 - H for dh (none at step 1); the output's H + H."""
    H, T, n_in = 5, 7, 2
    tr = _step(H=H, T=T).tracer.finish()
    forward = H * (2 * n_in + 1) + (T - 1) * H * (2 * n_in + 1 + 2 * H) + (2 * H + 3)
    da, bias, W_ih = 3 * H * T, H * (T - 1), H * n_in * (2 * T - 1)
    W_hh, dh = H * H * (2 * (T - 1) - 1), (2 * H * H - H) * (T - 1)
    assert int(np.sum(tr.phase == 0)) == forward
    assert int(np.sum(tr.phase == 1)) == 2 * H + da + bias + W_ih + W_hh + dh


def test_lstm_instruction_counts_are_the_algorithms():
    """Forward: per row of the 4H pre-activation as the tanh cell's unit plus its gate's nonlinearity; per unit
    i g, f c_prev and their sum (i g alone at step 1), tanh(c), o tanh(c). Backward per unit and step: 4 for dc (+1
    add of the carried dc below step T), 4 for each da (da_f not at step 1, c_0 = 0); the weight gradients of the
    4H rows (3H at step 1) as the tanh cell's; below step 1, H products dc f and 8 H^2 - H for dh."""
    H, T, n_in = 5, 7, 2
    tr = _step(H=H, T=T, cell="lstm").tracer.finish()
    forward = 4 * H * (2 * n_in + 1) + 3 * H + (T - 1) * (4 * H * (2 * n_in + 2 * H + 1) + 5 * H) + (2 * H + 3)
    units = 16 * H * T + 4 * H * (T - 1) + H * (T - 1)
    rows = [3 * H] + [4 * H] * (T - 1)  # rows with a da, steps 1 .. T
    bias = sum(rows[:-1])  # adds: not at step T, where each accumulator starts
    W_ih = n_in * sum(rows) + n_in * sum(rows[:-1])
    W_hh = 4 * H * H * (T - 1) + 4 * H * H * (T - 2)
    carry, dh = H * (T - 1), (8 * H * H - H) * (T - 1)
    assert int(np.sum(tr.phase == 0)) == forward
    assert int(np.sum(tr.phase == 1)) == 2 * H + units + bias + W_ih + W_hh + carry + dh


def test_lstm_truncation_at_T_is_full_bptt_and_shorter_costs_less():
    full = _step(T=7, cell="lstm").tracer.finish()
    same = _step(T=7, truncate=7, cell="lstm").tracer.finish()
    assert np.array_equal(full.reads, same.reads) and np.array_equal(full.ends, same.ends)
    costs = [bd.bytedmd(_step(T=7, truncate=k, cell="lstm").tracer.finish(), 8) for k in (1, 3, 7)]
    assert costs[0] < costs[1] < costs[2]
    a, b = _step(seed=0, cell="lstm").tracer.finish(), _step(seed=1, cell="lstm").tracer.finish()
    assert np.array_equal(a.reads, b.reads) and np.array_equal(a.ends, b.ends)  # the numbers do not matter


def test_sigmoid_is_one_instruction_and_does_not_overflow():
    tr = bd.Tracer()
    a, b, c = tr.args(np.array([-800.0, 0.0, 800.0]), "input")
    values = [tr.values[tr.sigmoid(v)] for v in (a, b, c)]
    assert values == [0.0, 0.5, 1.0] and tr.finish().reads.tolist() == [a, b, c]


def test_per_step_tasks_unknown_cells_and_another_cells_parameters_are_refused():
    rng = np.random.default_rng(0)
    params = rp.init_params("copy", 4, "ortho", rng)
    x, y = rp.generate_batch("copy", 3, 1, rng)
    with pytest.raises(ValueError, match="several steps"):
        bd.traced_step(params, x, y, "copy")
    with pytest.raises(ValueError, match="unknown cell"):
        bd.traced_step(params, x, y, "addition", cell="gru")
    params = rp.init_params("addition", 4, "ortho", rng)
    x, y = rp.generate_batch("addition", 3, 1, rng)
    with pytest.raises(ValueError, match=r"not the \(4 H, H\) of the lstm cell"):
        bd.traced_step(params, x, y, "addition", cell="lstm")
    with pytest.raises(ValueError, match=r"not the \(1 H, H\) of the tanh cell"):
        bd.traced_step(rp.init_params("addition", 4, "ortho", rng, cell="lstm"), x, y, "addition")


def test_power_law_recovers_an_exponent():
    xs = np.array([4.0, 8.0, 16.0, 32.0])
    fit = bd.power_law(xs, 3.0 * xs ** 1.5)
    assert fit["exponent"] == pytest.approx(1.5) and fit["local_exponent"] == pytest.approx(1.5)
    assert fit["prefactor"] == pytest.approx(3.0)


# ----------------------------------------------------------------------------------------------------------------
# the committed results file


DOC = json.loads((ROOT / "results" / "bytedmd.json").read_text())


def test_committed_file_covers_the_grids_of_the_code():
    assert DOC["schema_version"] == bd.SCHEMA_VERSION and DOC["config"]["quick"] is False
    keys = [(r["cell"], r["task"], r["H"], r["T"], r["truncate"]) for r in DOC["measurements"]]
    assert keys == bd.specs()
    assert DOC["config"]["T_sweep"] == {str(H): list(Ts) for H, Ts in bd.T_SWEEP.items()}
    assert DOC["config"]["H_sweep"] == {str(T): list(Hs) for T, Hs in bd.H_SWEEP.items()}
    assert DOC["config"]["lstm"]["T_sweep"] == {str(H): list(Ts) for H, Ts in bd.LSTM_T_SWEEP.items()}
    assert DOC["config"]["lstm"]["H_sweep"] == {str(T): list(Hs) for T, Hs in bd.LSTM_H_SWEEP.items()}


@pytest.mark.parametrize("quick", [False, True])
def test_every_lstm_step_has_a_tanh_step_of_the_same_sizes(quick):
    tanh = {key[1:] for key in bd.specs(quick) if key[0] == "tanh"}
    lstm = [key[1:] for key in bd.specs(quick) if key[0] == "lstm"]
    assert lstm and all(key in tanh for key in lstm)


@pytest.mark.parametrize("H, T, truncate, cell", [(8, 8, None, "tanh"), (8, 64, 16, "tanh"), (4, 16, None, "tanh"),
                                                   (16, 16, None, "tanh"), (8, 16, None, "lstm"),
                                                   (4, 16, None, "lstm")])
def test_committed_measurements_come_from_the_committed_code(H, T, truncate, cell):
    fresh = bd.measure("addition", H, T, truncate, cell)
    old = bd.find(DOC, H, T, truncate, cell=cell)
    assert fresh["instructions"] == old["instructions"] and fresh["reads"] == old["reads"]
    for dtype in bd.DTYPES:
        assert fresh["cost"][dtype]["total"] == pytest.approx(old["cost"][dtype]["total"], rel=1e-12)
        for phase in bd.PHASES:
            for kind in bd.KINDS:
                assert fresh["cost"][dtype]["by_kind_read"][phase][kind] == pytest.approx(
                    old["cost"][dtype]["by_kind_read"][phase][kind], rel=1e-12, abs=1e-9)


def test_committed_fits_come_from_the_committed_measurements():
    assert_same_numbers(bd.fits(DOC), DOC["fits"], DOC["environment"])  # least squares: exact under its kernel


def test_the_prose_about_bytedmd_holds():
    """README: float32 costs 2^-1.5 of float64 to within 0.5%; backward costs more than its share of instructions;
    the part that reads stored forward values grows faster in T than the rest, and its exponent rises towards 1.5;
    the exponent in H rises towards 3; truncation makes the growth in T linear; at H = 64 the history is a small
    part of the cost and reading weights and gradient accumulators the large one."""
    for r in DOC["measurements"]:
        assert r["cost"]["float32"]["total"] / r["cost"]["float64"]["total"] == pytest.approx(2 ** -1.5, rel=5e-3)
    for task, T in DOC["config"]["headline"]:
        r = bd.find(DOC, DOC["config"]["headline_H"], T, task=task)
        c, n = r["cost"]["float64"], r["instructions"]
        assert c["backward"] / c["forward"] > n["backward"] / n["forward"]
        s = bd.shares(r)
        assert s["backward reads forward values"] < 0.1
        assert s["forward reads parameter values"] + s["backward reads parameter values"] > 0.5
    for H in DOC["config"]["T_sweep"]:
        f = DOC["fits"]["T"][f"H={H}"]
        history = f["backward reads of forward values"]
        assert history["exponent"] > f["total"]["exponent"] > 1.0
        assert history["exponent"] < history["local_exponent"] < 1.5
    for T in DOC["config"]["H_sweep"]:
        p = DOC["fits"]["H"][f"T={T}"]["total"]
        assert 2.5 < p["exponent"] < p["local_exponent"] < 3.0
    truncated = DOC["fits"]["T"]["H=8, truncated k=16"]["total"]
    assert abs(truncated["local_exponent"] - 1.0) < 0.05


def test_the_prose_about_the_lstm_holds():
    """README: the LSTM costs a multiple of the tanh RNN at the same sizes, more than its multiple of instructions
    (about 4 x 2); along H the ratio rises towards 8, along T it rises as its history (seven stored values per unit
    and step) takes a larger share than the tanh cell's; the same power of H."""
    pairs = bd.lstm_pairs(DOC)
    assert len(pairs) == len({(r["H"], r["T"]) for r, _ in pairs}) > 5
    for lstm, rnn in pairs:
        n = bd._instructions(lstm) / bd._instructions(rnn)
        c = lstm["cost"]["float64"]["total"] / rnn["cost"]["float64"]["total"]
        assert 4.0 < n < 4.5 and 1.5 * n < c < 2.1 * n
    (T, Hs), = DOC["config"]["lstm"]["H_sweep"].items()
    along_H = [bd.find(DOC, H, int(T), cell="lstm")["cost"]["float64"]["total"]
               / bd.find(DOC, H, int(T))["cost"]["float64"]["total"] for H in Hs]
    assert np.all(np.diff(along_H) > 0) and along_H[-1] < 8
    (H, Ts), = DOC["config"]["lstm"]["T_sweep"].items()
    along_T = [bd.find(DOC, int(H), T, cell="lstm")["cost"]["float64"]["total"]
               / bd.find(DOC, int(H), T)["cost"]["float64"]["total"] for T in Ts]
    assert np.all(np.diff(along_T) > 0)
    history = "backward reads forward values"
    assert (bd.shares(bd.find(DOC, int(H), Ts[-1], cell="lstm"))[history]
            > bd.shares(bd.find(DOC, int(H), Ts[-1]))[history])
    p = DOC["fits"]["lstm"]["H"][f"T={T}"]
    assert abs(p["total"]["local_exponent"] - p["tanh total"]["local_exponent"]) < 0.1


# ----------------------------------------------------------------------------------------------------------------
# command line


def test_quick_run_and_plot(tmp_path):
    out, png = tmp_path / "q.json", tmp_path / "q.png"
    assert bd.main(["run", "--quick", "--quiet", "--out", str(out)]) == 0
    doc = bd.load(str(out))
    assert doc["config"]["quick"] is True and len(doc["measurements"]) == len(bd.specs(quick=True))
    assert bd.main(["plot", "--results", str(out), "--out", str(png)]) == 0
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    block = bd.readme_block(doc)
    assert "| k |" in block and "LSTM / RNN, ByteDMD" in block


def test_help_explains_the_metric_and_every_subcommand():
    code, out, _ = run_main(bd.main, ["--help"])
    assert code == 0
    for text in ("sqrt(d)", "Fenwick", "run", "plot", "truncated", "float32"):
        assert text in out
    for sub, flags in (("run", ("--out", "--quick", "--quiet")), ("plot", ("--results", "--out"))):
        code, out, _ = run_main(bd.main, [sub, "--help"])
        assert code == 0 and all(flag in out for flag in flags)


@pytest.mark.parametrize("args, fragments", [
    (["run", "--out", "no/such/folder/x.json"], ["does not exist"]),
    (["plot", "--results", "no_such_file.json"], ["not found", "no_such_file.json"]),
    (["plot", "--results", "README.md"], ["not valid JSON"]),
    (["plot", "--results", "results.json"], ["not a results file"]),
    (["run", "--quick", "--depth", "3"], ["unrecognized arguments"]),
    (["walk"], ["invalid choice"]),
    ([], ["required"]),
])
def test_bad_input_is_one_line(args, fragments, monkeypatch):
    monkeypatch.chdir(ROOT)
    code, out, err = run_main(bd.main, args)
    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"{SCRIPT}: error:"), err
    assert all(f in lines[0] for f in fragments), lines[0]


def test_a_file_with_a_part_missing_is_one_line(tmp_path):
    broken = dict(DOC)
    del broken["fits"]
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(broken))
    code, _, err = run_main(bd.main, ["plot", "--results", path, "--out", tmp_path / "x.png"])
    assert code == 2 and len(err.strip().splitlines()) == 1 and "'fits'" in err


def test_the_script_fails_in_one_line_as_a_user_sees_it():
    proc = run_script(SCRIPT, "plot", "--results", "no_such_file.json")
    assert proc.returncode == 2
    assert_one_line_error(proc, SCRIPT, "not found")
