"""ByteDMD of BPTT: the cost model against the metric's worked examples and a naive list, the tracer against the
engine's loss and gradients, the committed bytedmd.json against the code, and the command line."""

import itertools
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


BIASES = ("b_h", "b_y", "b_hn", "b_u")  # the biases of the four cells, all 0 at the start


def small_step(task="addition", H=5, T=10, truncate=None, seed=0, cell="tanh"):
    rng = np.random.default_rng(seed)
    params = rp.init_params(task, H, "ortho", rng, cell=bd.CELLS[cell].engine)
    for name in BIASES:  # nonzero biases, so their reads count in the check
        if name in params:
            params[name] = params[name] + 0.1 * rng.standard_normal(params[name].shape)
    x, y = rp.generate_batch(task, T, 1, rng)
    return bd.traced_step(params, x, y, task, cell=cell, truncate=truncate), params, x, y


def _step(*args, **kwargs):
    return small_step(*args, **kwargs)[0]


@pytest.mark.parametrize("cell", ["tanh", "lstm", "gru", "lru"])
@pytest.mark.parametrize("task", ["addition", "temporal_order", "3bit_memorization", "latching"])
def test_tracer_loss_and_gradients_equal_the_engine(task, cell):
    """The traced step against rp.loss_and_grads on the same parameters and example (for the LSTM: W_hh 4H x H,
    gate order i, f, g, o, one bias vector, the forget bias 1 plus noise; for the GRU: gate order r, z, n and b_hn;
    for the LRU: every parameter of rp.LRU_PARAM_NAMES, complex ones as their real and imaginary parts)."""
    step, params, x, y = small_step(task, H=4 if cell in ("lstm", "gru") else 5, cell=cell)
    loss, grads = rp.loss_and_grads(params, x, y, task, cell=bd.CELLS[cell].engine)
    assert step.loss_value() == pytest.approx(loss, rel=1e-12)
    traced = step.grad_values()
    names = rp.get_cell(bd.CELLS[cell].engine).params
    assert sorted(traced) == sorted(names) == sorted(grads)
    for name in names:
        assert np.any(grads[name] != 0), name  # every gradient reached, so the comparison says something
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


def test_gru_instruction_counts_are_the_algorithms():
    """Forward per step: each r and z row its input products and bias (2 n_in), at t > 1 its recurrent products and
    the add joining them (2 H), and the sigmoid; each n row the same input part, at t > 1 the recurrent products and
    b_hn (2 H), then r hn, the add and the tanh; per unit h (n - z n at step 1: 2; n + z (h - n): 3). Backward per
    unit and step: 5 for da_n, 2 for z (1 - z), 3 for da_z, 4 for da_r, 1 for dhn; the weight gradients of 3H rows
    as the tanh cell's (W_hh from step 2), H adds into b_hn below step T; below step 1, dh: 3 H^2 products, (3H - 1)
    H adds, and H products dh z and H adds."""
    H, T, n_in = 5, 7, 2
    tr = _step(H=H, T=T, cell="gru").tracer.finish()
    step1 = 2 * H * (2 * n_in + 1) + H * (2 * n_in + 3) + 2 * H
    later = 2 * H * (2 * n_in + 1 + 2 * H) + H * (2 * n_in + 3 + 2 * H) + 3 * H
    forward = step1 + (T - 1) * later + (2 * H + 3)
    units = 15 * H * T
    bias = 3 * H * (T - 1) + H * (T - 1)  # b_h and b_hn: not at step T, where each accumulator starts
    W_ih = 3 * H * n_in * (2 * T - 1)
    W_hh = 3 * H * H * (T - 1) + 3 * H * H * (T - 2)
    dh = (3 * H * H + (3 * H - 1) * H + 2 * H) * (T - 1)
    assert int(np.sum(tr.phase == 0)) == forward
    assert int(np.sum(tr.phase == 1)) == 2 * H + units + bias + W_ih + W_hh + dh


def test_lru_instruction_counts_are_the_algorithms():
    """Forward: per state 9 for lambda and gamma (exp nu_log, its negation and exp, exp theta_log, cos, sin, two
    products, exp gamma_log) and 2 M for gamma B; per step u (M (2 n_in + 1)), the drive (2 N (2M - 1)), the
    recurrence at t > 1 (8 N: a complex product and two adds) and per output row 4 N + 3. Backward: dz (3 M), D
    (M), C (3 M N: the Im part negated), G_T (2 N (2M - 1) + N); per step: G_t below T (6 N), dlambda above step 1
    (6 N, 8 N with the two accumulating adds below T), d(gamma B) (2 N M, 4 N M below T), du (4 N M - M, and 2 M for D
    dz at T), da (3 M), b_u (M below T), W_u (M n_in, 2 M n_in below T); then per state 9 for the gradients of
    nu_log and theta_log (conj(lambda) dlambda: 6; then 2 and 1), 2 M for B and 4 M for gamma_log."""
    N, T, n_in = 5, 7, 2
    M = rp.LRU_WIDTH
    tr = _step(H=N, T=T, cell="lru").tracer.finish()
    forward = N * (9 + 2 * M) + T * (M * (2 * n_in + 1) + 2 * N * (2 * M - 1) + M * (4 * N + 3)) + (T - 1) * 8 * N
    backward = 3 * M + M + 3 * M * N + 2 * N * (2 * M - 1) + N
    backward += 6 * N * (T - 1) + 6 * N + 8 * N * (T - 2)
    backward += 2 * N * M + 4 * N * M * (T - 1) + (4 * N * M - M) * T + 2 * M + 3 * M * T
    backward += M * (T - 1) + M * n_in * (2 * T - 1) + N * (9 + 2 * M + 4 * M)
    assert int(np.sum(tr.phase == 0)) == forward + (2 * M + 3)
    assert int(np.sum(tr.phase == 1)) == 2 * M + backward


@pytest.mark.parametrize("cell", ["gru", "lru"])
def test_truncation_and_the_numbers_for_the_gru_and_lru(cell):
    full = _step(T=7, cell=cell).tracer.finish()
    same = _step(T=7, truncate=7, cell=cell).tracer.finish()
    assert np.array_equal(full.reads, same.reads) and np.array_equal(full.ends, same.ends)
    costs = [bd.bytedmd(_step(T=7, truncate=k, cell=cell).tracer.finish(), 8) for k in (1, 3, 7)]
    assert costs[0] < costs[1] < costs[2]
    other = _step(seed=1, cell=cell).tracer.finish()
    assert np.array_equal(_step(cell=cell).tracer.finish().reads, other.reads)  # the numbers do not matter


def test_cos_and_sin_are_one_instruction():
    tr = bd.Tracer()
    (a,) = tr.args(np.array([0.3]), "input")
    assert tr.values[tr.cos(a)] == pytest.approx(np.cos(0.3)) and tr.values[tr.sin(a)] == pytest.approx(np.sin(0.3))
    assert tr.finish().reads.tolist() == [a, a]


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
        bd.traced_step(params, x, y, "addition", cell="ornn")
    params = rp.init_params("addition", 4, "ortho", rng)
    x, y = rp.generate_batch("addition", 3, 1, rng)
    with pytest.raises(ValueError, match=r"not the \(4 H, H\) of the lstm cell"):
        bd.traced_step(params, x, y, "addition", cell="lstm")
    with pytest.raises(ValueError, match=r"not the \(1 H, H\) of the tanh cell"):
        bd.traced_step(rp.init_params("addition", 4, "ortho", rng, cell="lstm"), x, y, "addition")
    with pytest.raises(ValueError, match="no W_u, b_u, nu_log"):
        bd.traced_step(params, x, y, "addition", cell="lru")
    with pytest.raises(ValueError, match="no b_hn"):
        bd.traced_step(params, x, y, "addition", cell="gru")


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
    for cell in bd.OTHER_CELLS:
        sweeps = bd.cell_sweeps(cell)
        assert DOC["config"][cell]["T_sweep"] == {str(H): list(Ts) for H, Ts in sweeps["T_sweep"].items()}
        assert DOC["config"][cell]["H_sweep"] == {str(T): list(Hs) for T, Hs in sweeps["H_sweep"].items()}
    assert DOC["config"]["lru_width"] == rp.LRU_WIDTH


@pytest.mark.parametrize("cell", bd.OTHER_CELLS)
@pytest.mark.parametrize("quick", [False, True])
def test_every_other_cells_step_has_a_tanh_step_of_the_same_sizes(quick, cell):
    tanh = {key[1:] for key in bd.specs(quick) if key[0] == "tanh"}
    other = [key[1:] for key in bd.specs(quick) if key[0] == cell]
    assert other and all(key in tanh for key in other)


@pytest.mark.parametrize("H, T, truncate, cell", [(8, 8, None, "tanh"), (8, 64, 16, "tanh"), (4, 16, None, "tanh"),
                                                   (16, 16, None, "tanh"), (8, 16, None, "lstm"),
                                                   (4, 16, None, "lstm"), (8, 16, None, "gru"),
                                                   (8, 64, None, "lru"), (32, 16, None, "lru")])
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
    the exponent in H rises towards 3; truncation makes the growth in T near-linear over the measured range, not
    linear, as the input it still reads sinks; at H = 64 the history is a small part of the cost and reading weights
    and gradient accumulators the large one."""
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
    # near-linear, not linear: both exponents within NEAR_LINEAR of 1, and the block says so with its numbers
    near = max(abs(truncated["exponent"] - 1), abs(truncated["local_exponent"] - 1))
    assert 0.05 < near <= bd.NEAR_LINEAR
    block = bd.readme_block(DOC)
    Ts = [T for T in DOC["config"]["T_sweep"]["8"] if T > 16]
    assert (f"grows like T^{truncated['exponent']:.2f} over T = {Ts[0]}-{Ts[-1]} "
            f"(T^{truncated['local_exponent']:.2f} between the last two T)") in block
    assert f"near-linear over this range (both exponents within {near:.2f} of 1), not linear" in block
    # what still sinks: the input, whose share of a truncated step grows with T faster than the step's cost
    cut = [bd.find(DOC, 8, T, 16) for T in Ts]
    read = [sum(r["cost"]["float64"]["by_kind_read"][phase]["input"] for phase in ("forward", "backward")) for r in cut]
    share = [x / r["cost"]["float64"]["total"] for x, r in zip(read, cut, strict=True)]
    assert all(a < b for a, b in itertools.pairwise(share))
    p_in = bd.power_law(Ts, read)
    assert 1.0 < p_in["exponent"] < p_in["local_exponent"] < 1.5
    assert (f"reading x takes {share[0]:.0%} of its cost at T = {Ts[0]} and {share[-1]:.0%} at T = {Ts[-1]}, and grows "
            f"like T^{p_in['exponent']:.2f} (T^{p_in['local_exponent']:.2f}), steepening towards the T^1.5") in block
    prose = " ".join((ROOT / "docs" / "analyses.md").read_text().split())
    assert "makes the cost linear in T" not in prose and "near-linear in T over the measured range, not linear" in prose


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


def test_the_prose_about_the_gru_and_lru_holds():
    """The GRU: about three times the tanh RNN's instructions, more than that multiple of its ByteDMD, the same
    power of H. The LRU: its cost grows like N^1.3-1.5 against the tanh RNN's H^2.5-2.9 (it re-reads about 8 N M +
    2 N weights a step, not H^2), so from N = H = 64 on it costs less than a tenth of the tanh step; and the stored
    forward values take a larger share of its cost at the longest T than of the tanh RNN's."""
    for lru_cell, rnn in bd.cell_pairs(DOC, "gru"):
        n = bd._instructions(lru_cell) / bd._instructions(rnn)
        assert 3.0 < n < 3.5 and lru_cell["cost"]["float64"]["total"] / rnn["cost"]["float64"]["total"] > n
    for T in DOC["config"]["gru"]["H_sweep"]:
        p = DOC["fits"]["gru"]["H"][f"T={T}"]
        assert abs(p["total"]["local_exponent"] - p["tanh total"]["local_exponent"]) < 0.1
    for T in DOC["config"]["lru"]["H_sweep"]:
        p = DOC["fits"]["lru"]["H"][f"T={T}"]
        assert 1.3 < p["total"]["exponent"] < 1.5 and p["tanh total"]["exponent"] > 2.5
    for lru_cell, rnn in bd.cell_pairs(DOC, "lru"):
        if lru_cell["H"] >= 64:
            assert lru_cell["cost"]["float64"]["total"] < 0.1 * rnn["cost"]["float64"]["total"]
    (H, Ts), *_ = DOC["config"]["lru"]["T_sweep"].items()
    history = "backward reads forward values"
    assert (bd.shares(bd.find(DOC, int(H), Ts[-1], cell="lru"))[history]
            > bd.shares(bd.find(DOC, int(H), Ts[-1]))[history])


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
    assert "GRU / RNN, ByteDMD" in block and "LRU / RNN, ByteDMD" in block


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
    broken = dict(DOC, schema_version=bd.SCHEMA_VERSION)  # a file of the code's schema, a part missing
    del broken["fits"]
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(broken))
    code, _, err = run_main(bd.main, ["plot", "--results", path, "--out", tmp_path / "x.png"])
    assert code == 2 and len(err.strip().splitlines()) == 1 and "'fits'" in err


def test_the_script_fails_in_one_line_as_a_user_sees_it():
    proc = run_script(SCRIPT, "plot", "--results", "no_such_file.json")
    assert proc.returncode == 2
    assert_one_line_error(proc, SCRIPT, "not found")


@pytest.mark.parametrize("cell", ["gru", "lru"])
def test_the_cells_beside_the_lstm_are_its_measured_ratios(cell):
    """The sentence on a cell's ByteDMD against the LSTM's gives the least and the most of the ratios at the sizes
    both were measured at, and where they fall."""
    lstm = {(r["H"], r["T"]): r["cost"]["float64"]["total"] for r in DOC["measurements"]
            if r["cell"] == "lstm" and r["truncate"] is None}
    ratios = sorted((r["cost"]["float64"]["total"] / lstm[r["H"], r["T"]], r["H"], r["T"])
                    for r in DOC["measurements"] if r["cell"] == cell and (r["H"], r["T"]) in lstm)
    assert len(ratios) >= 2 and ratios[0][0] < ratios[-1][0]
    text = bd.beside_lstm(DOC, cell)
    assert f"at the {len(ratios)} sizes" in text
    assert f"{ratios[0][0]:.3g}-{ratios[-1][0]:.3g} times the LSTM's ByteDMD" in text
    assert f"= {ratios[0][1]}, T = {ratios[0][2]}; the most" in text and text in bd.readme_block(DOC)
