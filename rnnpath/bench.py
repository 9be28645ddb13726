"""Benchmark of the engine: GEMM peak, the headline's wall time against its arithmetic, scaling in T and H, memory.

    python -m rnnpath bench                   # float64, writes bench.json (about two minutes on 2 cores)
    python -m rnnpath bench --dtype float32 --out bench_float32.json
    python -m rnnpath bench --quick           # a smoke run in seconds (what the tests use)
    python -m rnnpath bench --cells-only      # re-measure only the cells' steps and the optimisers' updates
    python -m rnnpath bench --lru-only        # re-measure only the LRU's step beside the vanilla one, T to 10,000

Everything runs in this one process and the worker processes it starts. Timings are medians over repeats; the
machine is noisy, so compare medians of the same machine only. The FLOP count is that of the matrix products
(2 m n k each) of the forward and backward passes; elementwise work (the tanh, the momentum update) is not counted,
so "fraction of peak" is the share of the machine's GEMM peak that the whole training loop achieves. The lower
bound ("floor") is the time the runs would take if a step cost only its products and one exp, from the kernel
profile: how close to it each target lies says how much any numpy implementation could still gain.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import sys
import time
from collections.abc import Callable

import numpy as np

import rnn_pathological as rp
from rnnpath import files

# ----------------------------------------------------------------------------------------------------------------
# arithmetic counts


def flops_per_batch(task: str, sequence_len: int, batch_size: int, n_hidden: int) -> int:
    """FLOPs of the matrix products of one forward and backward pass (2 m n k per product).

    Forward: the input projection (L B x n_in x H) and the recurrence (L products of B x H x H). Backward: dh through
    W_hh (L - 1 products), dW_hh and dW_ih as one GEMM each, and the output layer (logits, dW_hy, dh: three products
    of N x H x n_out, N the scored (step, example) pairs).
    """
    spec = rp.get_task(task)
    L, B, H = sequence_len + spec.extra_steps, batch_size, n_hidden
    N = L * B if spec.per_step else B
    recurrent = 2 * B * H * H * (L + (L - 1) + (L - 1))  # forward, dh, dW_hh
    inputs = 2 * L * B * spec.n_in * H * 2  # forward projection and dW_ih
    output = 2 * N * H * spec.n_out * 3
    return recurrent + inputs + output


def flops_per_run(run: dict) -> int:
    cfg = run["config"]
    per_batch = flops_per_batch(run["task"], run["sequence_len"], cfg["batch_size"], cfg["n_hidden"])
    return per_batch * cfg["batches_per_epoch"] * len(run["history"])


# The performance goals this project set itself (on its 2-core machine), kept with the numbers they judge.
TARGETS = {
    "float64": {"headline_wall_s": 20.0, "fraction_of_peak": 0.5, "single_T60_run_one_core_s": 8.0, "peak_mb": 150.0,
                "lstm_step_ratio": 4.5},
    "float32": {"headline_wall_s": 10.0, "peak_mb": 150.0, "lstm_step_ratio": 4.5},
}
# lstm_step_ratio: an LSTM training step costs at most this many vanilla steps at the same size (issue 14: its four
# gates make the products four times larger, and the rest must not add more than half a step). A cell without a
# <cell>_step_ratio has its cost reported and not judged.


# ----------------------------------------------------------------------------------------------------------------
# measurements


def gemm_peak(dtype: str, n: int = 1024, repeats: int = 7) -> float:
    """GFLOP/s of an n x n matrix product with every BLAS thread: the machine's practical arithmetic ceiling."""
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((n, n)).astype(dtype), rng.standard_normal((n, n)).astype(dtype)
    a @ b  # warm-up: thread pool start, page faults
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        a @ b
        times.append(time.perf_counter() - start)
    return 2 * n**3 / min(times) / 1e9


def _step(task: str, sequence_len: int, n_hidden: int, dtype: str, batch_size: int,
          cell: str = rp.DEFAULTS["cell"], init: str = "ortho", activation: str = "tanh",
          **knobs) -> Callable[[], float]:
    """A function that runs one training step's forward and backward pass of `cell` on a fixed batch and returns
    its seconds (data generation excluded); the warm-up call that allocates the buffers is made here. `knobs` go to
    rp.init_params (the LRU's lru_width, the chain's chain_alpha)."""
    rng = np.random.default_rng(0)
    params = rp.init_params(task, n_hidden, init, rng, cell=cell, activation=activation, **knobs)
    params = {k: v.astype(dtype) for k, v in params.items()}
    x, y = rp.generate_batch(task, sequence_len, batch_size, rng)
    x = x.astype(dtype)
    ws = rp.Workspace()
    rp.forward_backward(params, x, y, task, ws, activation=activation, cell=cell)

    def step() -> float:
        start = time.perf_counter()
        rp.forward_backward(params, x, y, task, ws, activation=activation, cell=cell)
        return time.perf_counter() - start

    return step


def _lru_scan_step(task: str, sequence_len: int, n_hidden: int, dtype: str, batch_size: int,
                   scan: str) -> Callable[[], float]:
    """As _step for the LRU, but through every state with the scan `scan` of rp.LRU_SCANS (lru_forward and
    lru_backward, the path of a per-step target) instead of the convolution form forward_backward takes for a target
    at the last step: the three ways to the same gradients, timed on the same batch."""
    rng = np.random.default_rng(0)
    params = {k: v.astype(dtype) for k, v in rp.init_params(task, n_hidden, "ortho", rng, cell="lru").items()}
    x, y = rp.generate_batch(task, sequence_len, batch_size, rng)
    x = x.astype(dtype)
    ws, spec = rp.Workspace(), rp.get_task(task)

    def step() -> float:
        start = time.perf_counter()
        hs, cache = rp.lru_forward(params, x, ws, scan=scan)
        _, _, dh_out, _ = rp.output_loss(params, hs, y, spec)
        rp.lru_backward(params, x, hs, cache, dh_out, ws, scan=scan)
        return time.perf_counter() - start

    step()  # the warm-up that allocates the buffers
    return step


def time_batches(task: str, sequence_len: int, n_hidden: int, dtype: str, batch_size: int, repeats: int) -> float:
    """Median seconds of one training step's forward and backward pass (data generation excluded)."""
    step = _step(task, sequence_len, n_hidden, dtype, batch_size)
    return statistics.median(step() for _ in range(repeats))


CELL_STEP_SHAPE = {"task": "3bit_memorization", "sequence_len": 60, "n_hidden": 64, "batch_size": 50}
BASE_CELL = rp.DEFAULTS["cell"]  # the headline's (vanilla) cell: every other cell's step is counted in its steps


def ratio_key(cell: str) -> str:
    """The benchmark file's key of a cell's step in BASE_CELL steps ('lstm_over_rnn'), and of its target with
    '_step_ratio' in TARGETS ('lstm_step_ratio') where it has one."""
    return f"{cell}_over_{BASE_CELL}"
UPDATE_REPEATS_PER_STEP = 20  # rounds of optimiser updates per round of training steps


def optimizer_updates_us(dtype: str, repeats: int) -> dict[str, float]:
    """The microseconds of one parameter update of each optimiser on the vanilla cell at CELL_STEP_SHAPE, as _train
    makes it after the gradient: Nesterov's look-ahead point where the optimiser takes one, the global-norm clipping
    and the step. Each update starts from a fresh copy of the same gradients (copied outside the clock), so every
    one clips; the optimisers are timed in turn, one update of each per round, on one BLAS thread."""
    shape, config = CELL_STEP_SHAPE, dict(rp.DEFAULTS)
    rng = np.random.default_rng(0)
    params = {k: v.astype(dtype) for k, v in rp.init_params(shape["task"], shape["n_hidden"], "ortho", rng).items()}
    x, y = rp.generate_batch(shape["task"], shape["sequence_len"], shape["batch_size"], rng)
    _, _, grads = rp.forward_backward(params, x, y, shape["task"], rp.Workspace())
    grads = {k: g * (10.0 * config["clip"] / rp.global_norm(grads)) for k, g in grads.items()}  # above the clip
    times: dict[str, list[float]] = {name: [] for name in rp.OPTIMIZER_TABLE}
    states = {name: {b: {k: np.zeros_like(params[k]) for k in grads} for b in opt.buffers}
              for name, opt in rp.OPTIMIZER_TABLE.items()}
    with rp.blas_threads(1):
        for update in range(repeats):
            for name, opt in rp.OPTIMIZER_TABLE.items():
                g = {k: v.copy() for k, v in grads.items()}
                mu = config["momentum"] if opt.momentum else 0.0
                start = time.perf_counter()
                if opt.lookahead:
                    rp.nesterov_lookahead(params, states[name]["velocity"], mu)
                rp.clip_by_global_norm(g, config["clip"])
                opt.step(params, g, states[name], config["lr"], mu, update, config)
                times[name].append(time.perf_counter() - start)
    return {name: round(statistics.median(t) * 1e6, 2) for name, t in times.items()}


def cell_steps(dtype: str, repeats: int) -> dict:
    """The milliseconds of one training step (forward and backward, data excluded) of every cell of the registry at
    the headline's shape, and each other cell's cost in vanilla steps under ratio_key (the oRNN's extra is the
    exponential map and its gradient, two (H, H) eigendecompositions' worth of work per step, whatever T). The cells
    are timed in turn, one step of each per round, on one BLAS thread, so a machine that slows down (a shared host)
    slows them alike; each cell's median over the rounds is kept."""
    shape = CELL_STEP_SHAPE
    with rp.blas_threads(1):
        steps = {cell: _step(shape["task"], shape["sequence_len"], shape["n_hidden"], dtype, shape["batch_size"], cell)
                 for cell in rp.CELLS}
        times: dict[str, list[float]] = {cell: [] for cell in steps}
        for _ in range(repeats):
            for cell, step in steps.items():
                times[cell].append(step())
    ms = {cell: round(statistics.median(t) * 1e3, 3) for cell, t in times.items()}
    # the load average says whether other work shared the machine: the LSTM's larger arrays suffer more from it
    load = round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None
    # an optimiser's update is O(parameters), not O(T): microseconds, so it is timed over many more rounds
    update_us = optimizer_updates_us(dtype, UPDATE_REPEATS_PER_STEP * repeats)
    ratios = {ratio_key(cell): round(ms[cell] / ms[BASE_CELL], 2) for cell in ms if cell != BASE_CELL}
    return {**shape, "repeats": repeats, "step_ms": ms, **ratios, "load_average_1min": load,
            "update_us": update_us, "update_repeats": UPDATE_REPEATS_PER_STEP * repeats}


LRU_STEP_LENS = (100, 1000, 10_000)  # issue 24: the LRU's step beside the vanilla step at these lengths
LRU_STEP_QUICK_LENS = (100,)
LRU_STEP_REPEATS = 9  # a step at T = 10,000 takes about a second: fewer rounds than cell_steps (9: the width-8 ratio sits near the 0.2 target, and 5 rounds moved it by 15%)
LRU_STEP_TARGET = 0.2  # issue 24: an LRU step at most a fifth of a vanilla step at H = 64, B = 50, T = 1000
# the LRU's widths besides the default that the tuned runs may take (modern_tuning tries 2, 8, 32 and 64), timed too:
# a wider position-wise layer costs more (from 2 to 8 less than in proportion, the recurrence's sums not growing with
# it; from 32 to 64 about twice)
LRU_STEP_WIDTHS = (8, 32, 64)


width_key = files.width_key  # the key's format belongs to the benchmark file's reader


def lru_steps(dtype: str, repeats: int, lengths: tuple[int, ...] = LRU_STEP_LENS) -> dict:
    """The milliseconds of one training step (forward and backward, data excluded) of the LRU and of the vanilla cell
    on 3bit_memorization at H = 64 (the LRU's N = 64 complex states, its position-wise layers at the default
    lru_width; its target at the last step, so the LRU's convolution form, rp.lru_forward_last), B = 50, at each
    length; the LRU's in vanilla steps (lru_over_rnn); the same at each width of LRU_STEP_WIDTHS (step_ms
    lru_width8, ...); and the LRU through every state by each scan of rp.LRU_SCANS
    (step_ms lru_scan_loop, lru_scan_chunked: what the convolution form saves, and which scan rp.LRU_SCAN should be).
    As in cell_steps they are timed in turn, one step each per round, on one BLAS thread, the median of each kept; a
    length's work arrays are let go before the next (at T = 10,000 they take a few GB)."""
    shape = {"task": CELL_STEP_SHAPE["task"], "n_hidden": 64, "batch_size": 50}
    rows = {}
    with rp.blas_threads(1):
        for T in lengths:
            steps = {cell: _step(shape["task"], T, shape["n_hidden"], dtype, shape["batch_size"], cell)
                     for cell in (BASE_CELL, "lru")}
            steps |= {width_key(m): _step(shape["task"], T, shape["n_hidden"], dtype, shape["batch_size"], "lru",
                                          lru_width=m) for m in LRU_STEP_WIDTHS}
            # the LRU through every state, by each scan: what the convolution form saves, and which scan is faster
            steps |= {f"lru_scan_{scan}": _lru_scan_step(shape["task"], T, shape["n_hidden"], dtype,
                                                         shape["batch_size"], scan) for scan in rp.LRU_SCANS}
            times: dict[str, list[float]] = {cell: [] for cell in steps}
            for _ in range(repeats):
                for cell, step in steps.items():
                    times[cell].append(step())
            del steps
            ms = {cell: round(statistics.median(t) * 1e3, 3) for cell, t in times.items()}
            rows[str(T)] = {"step_ms": ms, ratio_key("lru"): round(ms["lru"] / ms[BASE_CELL], 3),
                            **{ratio_key(width_key(m)): round(ms[width_key(m)] / ms[BASE_CELL], 3)
                               for m in LRU_STEP_WIDTHS}}
    return {**shape, "lru_width": rp.DEFAULTS["lru_width"], "widths": list(LRU_STEP_WIDTHS), "repeats": repeats,
            "by_T": rows, "target_lru_over_rnn_at_T1000": LRU_STEP_TARGET}


EXPERIMENT_STEP_REPEATS = 15


def experiment_steps(dtype: str, repeats: int) -> dict:
    """{name: {shape..., step_ms}}: one training step (forward and backward, data excluded) of each experiment that
    declares its runs' shape (Experiment.step_shape), where the benchmark's cells, timed at batch 50 and one output,
    scale badly to its runs (copy_orhan: batch 16 and a softmax at each of 500 steps). The median of `repeats`, on one
    BLAS thread: what planned_core_hours charges an update of those runs."""
    from rnnpath.experiments import EXPERIMENTS  # the registry sits above the benchmark: imported when timed

    rows = {}
    with rp.blas_threads(1):
        for name, exp in EXPERIMENTS.items():
            if exp.step_shape is None:
                continue
            shape = dict(exp.step_shape)
            step = _step(shape.pop("task"), shape.pop("sequence_len"), shape.pop("n_hidden"), dtype,
                         shape.pop("batch_size"), **shape)
            ms = statistics.median(step() for _ in range(repeats)) * 1e3
            rows[name] = {**exp.step_shape, "repeats": repeats, "step_ms": round(ms, 3)}
    return rows


def lru_steps_text(lru: dict) -> str:
    widths = lru.get("widths", [])
    return (f"LRU step against the vanilla step at H = {lru['n_hidden']}, B = {lru['batch_size']}: "
            + "; ".join(f"T={T} {row['step_ms']['lru']:.1f} ms against {row['step_ms'][BASE_CELL]:.1f} ms = "
                        f"{row[ratio_key('lru')]:.2f}"
                        + "".join(f" (width {m}: {row[ratio_key(width_key(m))]:.2f})" for m in widths)
                        for T, row in lru["by_T"].items())
            + f" (target <= {lru['target_lru_over_rnn_at_T1000']:g} at T = 1000)")


def kernel_times_us(dtype: str, batch_size: int = 50, n_hidden: int = 64, repeats: int = 2000) -> dict[str, float]:
    """Median microseconds of the per-step kernels of the time loops on (B, H) arrays: the profile that says where
    a training step's time goes (each runs 2 x T times per batch, so their sum times 2 T is most of a step)."""
    rng = np.random.default_rng(0)
    h = rng.standard_normal((batch_size, n_hidden)).astype(dtype)
    W = rng.standard_normal((n_hidden, n_hidden)).astype(dtype)
    out = np.empty_like(h)

    def fast_tanh():  # the engine's expression, with -2 folded into the weights: exp, then three cheap ufuncs
        np.exp(h, out=out)
        np.add(out, 1.0, out=out)
        np.divide(2.0, out, out=out)
        np.subtract(out, 1.0, out=out)

    kernels = {
        "dot (B,H) x (H,H)": lambda: np.dot(h, W, out=out),
        "exp": lambda: np.exp(h, out=out),
        "np.tanh": lambda: np.tanh(h, out=out),
        "tanh as 2 / (1 + exp(-2a)) - 1": fast_tanh,
        "one add": lambda: np.add(h, h, out=out),
    }
    return {name: round(_median_us(kernel, repeats), 2) for name, kernel in kernels.items()}


def _median_us(kernel: Callable[[], object], repeats: int) -> float:
    """Median over 7 rounds of the mean microseconds of one call."""
    calls = max(repeats // 7, 1)
    times = []
    for _ in range(7):
        start = time.perf_counter()
        for _ in range(calls):
            kernel()
        times.append((time.perf_counter() - start) / calls)
    return statistics.median(times) * 1e6


def shape_of(run: dict) -> tuple[int, int, int, int]:
    """(L, B, H, number of batches) of a run record: what its cost depends on."""
    cfg = run["config"]
    L = run["sequence_len"] + rp.get_task(run["task"]).extra_steps
    return L, cfg["batch_size"], cfg["n_hidden"], cfg["batches_per_epoch"] * len(run["history"])


def floor_s(shapes: list[tuple[int, int, int, int]], kernels_us: dict[str, float], dtype: str, jobs: int,
            repeats: int, dW_us: dict[tuple[int, int, int], float] | None = None) -> dict:
    """A lower bound on the wall time of runs of these shapes: only their matrix products and one exp per step.

    Per batch of length L: L forward and L - 1 backward products at the measured (B,H) x (H,H) time, L exps of a
    (B, H) block, and the dW_hh GEMM over all (L - 1) B rows, timed here. Everything else a step does (adding the
    input drive, finishing tanh, the derivative, the output layer, data, the update, Python) is taken to cost
    nothing, so no numpy implementation of the same arithmetic beats it. The bound for several runs assumes they
    split perfectly over `jobs` workers. Run it where the runs run (one BLAS thread), like kernel_times_us.
    `dW_us` caches the GEMM times by (L, B, H) across calls.
    """
    dot, exp = kernels_us["dot (B,H) x (H,H)"], kernels_us["exp"]
    rng = np.random.default_rng(0)
    dW_us = {} if dW_us is None else dW_us
    per_run, steps = [], []
    for L, B, H, n_batches in shapes:
        steps.append(L * n_batches)
        if (L, B, H) not in dW_us:
            da, hs = (rng.standard_normal(((L - 1) * B, H)).astype(dtype) for _ in range(2))
            dW_us[L, B, H] = _median_us(lambda da=da, hs=hs: da.T @ hs, repeats)
        per_batch_us = (2 * L - 1) * dot + L * exp + dW_us[L, B, H]
        per_run.append(per_batch_us * 1e-6 * n_batches)
    return {"per_run_s": [round(t, 2) for t in per_run],
            "total_s": round(max(sum(per_run) / jobs, max(per_run)), 2),
            "steps_per_worker": max(sum(steps) // jobs, max(steps)),  # time steps of the loops, per worker
            "dW_gemm_us": {str(L): round(t, 1) for (L, _, _), t in dW_us.items()}}


def profile(dtype: str, headline: list[tuple], single: list[tuple], jobs: int, quick: bool) -> tuple[dict, dict]:
    """The kernel profile and the lower bounds of the headline and of one T=60 run, on one BLAS thread."""
    kernels = kernel_times_us(dtype, repeats=70 if quick else 2000)
    repeats = 7 if quick else 200
    dW_us: dict[tuple[int, int, int], float] = {}  # the single run's length is one of the headline's
    floor = floor_s(headline, kernels, dtype, jobs, repeats, dW_us)
    single_floor = floor_s(single, kernels, dtype, 1, repeats, dW_us)
    floor["single_T60_run_s"], floor["single_T60_run_steps"] = single_floor["total_s"], single_floor["steps_per_worker"]
    return kernels, floor


def peak_memory_mb() -> dict[str, float]:
    """Peak resident memory of this process and of the largest finished child (Linux reports kB)."""
    scale = 1 / 1024 if sys.platform != "darwin" else 1 / 1024**2
    return {
        "main_process_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale, 1),
        "largest_worker_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * scale, 1),
    }


# ----------------------------------------------------------------------------------------------------------------
# the benchmark


def run_benchmark(dtype: str, jobs: int, repeats: int, quick: bool, log=print) -> dict:
    config = {**rp.DEFAULTS, "dtype": dtype}
    if quick:
        config.update(n_epochs=2, batches_per_epoch=2)
    def measure_peak() -> dict[str, float]:
        return {d: gemm_peak(d, 256 if quick else 1024) for d in rp.DTYPES}

    # The machine's speed drifts (shared host): the peak is taken again after every headline repeat and the best
    # is kept, so a slow moment cannot make the fraction of peak look better than it is.
    peak = measure_peak()

    # the headline, as `--all` runs it: every run in a worker process, `jobs` at a time
    specs = rp.headline_specs(0)
    walls, runs = [], []
    for _ in range(repeats):
        start = time.perf_counter()
        runs = rp.run_many(specs, config, jobs=jobs)
        walls.append(time.perf_counter() - start)
        peak = {d: max(p, q) for (d, p), q in zip(peak.items(), measure_peak().values(), strict=True)}
    log(f"GEMM peak ({os.cpu_count()} cores): float64 {peak['float64']:.1f} GFLOP/s, float32 {peak['float32']:.1f}")
    wall = statistics.median(walls)
    total_flops = sum(flops_per_run(r) for r in runs)
    headline = {
        "jobs": jobs,
        "wall_s": round(wall, 2),
        "wall_s_repeats": [round(w, 2) for w in walls],
        "flops": total_flops,
        "gflops": round(total_flops / wall / 1e9, 2),
        "fraction_of_peak": round(total_flops / wall / 1e9 / peak[dtype], 3),
        "runs": [],
    }
    log(f"headline --all --dtype {dtype} on {jobs} worker(s): {wall:.1f} s (median of {repeats}), "
        f"{total_flops / 1e12:.3f} TFLOP, {headline['gflops']:.1f} GFLOP/s = "
        f"{headline['fraction_of_peak']:.0%} of peak")
    for r in runs:
        f = flops_per_run(r)
        row = {"task": r["task"], "init": r["init"], "sequence_len": r["sequence_len"], "wall_s": r["wallclock_s"],
               "flops": f, "gflops": round(f / r["wallclock_s"] / 1e9, 2),
               "fraction_of_single_core_peak": round(f / r["wallclock_s"] / 1e9 / (peak[dtype] / os.cpu_count()), 3)}
        headline["runs"].append(row)
        log(f"  {r['task']:18s} T={r['sequence_len']:<3d} {r['init']:6s} {r['wallclock_s']:6.2f} s  "
            f"{f / 1e9:7.1f} GFLOP  {row['gflops']:5.1f} GFLOP/s  "
            f"{row['fraction_of_single_core_peak']:.0%} of one core")

    # one T=60 run alone on one core (the worker of a 1-job pool has one BLAS thread)
    single = rp.run_many([{"task": "3bit_memorization", "init": "ortho", "sequence_len": 60, "seed": 0},
                          {"task": "3bit_memorization", "init": "random", "sequence_len": 60, "seed": 0}],
                         config, jobs=1 if quick else 2)
    single_s = statistics.median(r["wallclock_s"] for r in single)
    log(f"one T=60 run on one core: {single_s:.2f} s")

    # scaling of one training step
    scale_repeats = 3 if quick else 15
    by_T = {T: time_batches("3bit_memorization", T, 64, dtype, 50, scale_repeats) for T in (30, 60, 120, 240)}
    by_H = {H: time_batches("3bit_memorization", 60, H, dtype, 50, scale_repeats) for H in (32, 64, 128)}
    log("one step (forward + backward, B = 50) against T at H = 64: "
        + ", ".join(f"T={T} {t * 1e3:.2f} ms" for T, t in by_T.items())
        + f"; T=240 / T=30 = {by_T[240] / by_T[30]:.1f} (linear: 8)")
    log("against H at T = 60: " + ", ".join(f"H={H} {t * 1e3:.2f} ms" for H, t in by_H.items())
        + f"; H=128 / H=32 = {by_H[128] / by_H[32]:.1f} (quadratic: 16)")
    cells = cell_steps(dtype, 5 if quick else 60)
    log(cell_steps_text(cells, TARGETS[dtype]))
    lru = lru_steps(dtype, 2 if quick else LRU_STEP_REPEATS, LRU_STEP_QUICK_LENS if quick else LRU_STEP_LENS)
    log(lru_steps_text(lru))
    with rp.worker_pool(1) as pool:  # where the runs run: a fresh process with one BLAS thread
        kernels, floor = pool.submit(profile, dtype, [shape_of(r) for r in runs], [shape_of(single[0])], jobs,
                                     quick).result()
    log("per-step kernels on (50, 64) arrays: " + ", ".join(f"{k} {v:.1f} us" for k, v in kernels.items()))
    floor["fraction_of_peak"] = round(total_flops / floor["total_s"] / 1e9 / peak[dtype], 3)
    log(f"lower bound, the products and one exp per step alone: headline {floor['total_s']:.1f} s "
        f"({floor['fraction_of_peak']:.0%} of peak), one T=60 run {floor['single_T60_run_s']:.1f} s")
    memory = peak_memory_mb()
    log(f"peak memory: main process {memory['main_process_mb']} MB, largest worker {memory['largest_worker_mb']} MB")
    return {
        "dtype": dtype,
        "quick": quick,
        "environment": rp.environment() | {"processor": platform.processor()},
        "gemm_peak_gflops": {k: round(v, 1) for k, v in peak.items()},
        "headline": headline,
        "single_T60_run_one_core_s": round(single_s, 2),
        "step_ms_by_T": {str(T): round(t * 1e3, 3) for T, t in by_T.items()},
        "step_ms_by_H": {str(H): round(t * 1e3, 3) for H, t in by_H.items()},
        "cell_step": cells,
        "lru_step": lru,
        "experiment_step": experiment_steps(dtype, 2 if quick else EXPERIMENT_STEP_REPEATS),
        "kernel_us": kernels,
        "floor": floor,
        "peak_memory": memory,
        "targets": TARGETS[dtype],
    }


def cell_steps_text(cells: dict, targets: dict) -> str:
    ms, unit = cells["step_ms"], f"{rp.CELLS[BASE_CELL].label} steps"

    def against_base(cell: str) -> str:
        target = targets.get(f"{cell}_step_ratio")
        return (f"{cell} {ms[cell]:.2f} ms, {cells[ratio_key(cell)]:.2f} {unit}"
                + ("" if target is None else f" (target <= {target:g})"))

    return (f"one step at T = {cells['sequence_len']}, H = {cells['n_hidden']}, B = {cells['batch_size']}: "
            f"{BASE_CELL} {ms[BASE_CELL]:.2f} ms; " + "; ".join(against_base(c) for c in ms if c != BASE_CELL)
            + f" (load average {cells['load_average_1min']}); one update: "
            f"{', '.join(f'{name} {us:.1f} us' for name, us in cells['update_us'].items())}")


def update_cell_steps(bench: dict, repeats: int, log=print) -> dict:
    """Measure cell_steps alone and put them, and the targets of this version, into `bench`, a benchmark document
    read and checked by files.load_bench, keeping every other number in it (they took minutes to measure and this
    comparison does not change them)."""
    bench["cell_step"] = cell_steps(bench["dtype"], repeats)
    bench["targets"] = TARGETS[bench["dtype"]]
    log(cell_steps_text(bench["cell_step"], bench["targets"]))
    return bench


MAX_REPEATS = 10  # each repeat reruns the headline (about 30 s in float64, 16 s in float32 on 2 cores): 5 minutes


def build_parser() -> argparse.ArgumentParser:
    parser = rp.OneLineErrorParser(prog="rnnpath bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--dtype", choices=rp.DTYPES, default="float64", help="arithmetic (%(default)s)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                        help="worker processes for the headline (default: the number of cores)")
    parser.add_argument("--repeats", type=int, default=3,
                        help=f"repeats of the headline, 1 to {MAX_REPEATS} (each about 30 s in float64 on 2 cores); "
                        "the median is kept (%(default)s)")
    parser.add_argument("--quick", action="store_true", help="tiny budget: checks that the benchmark runs")
    parser.add_argument("--cells-only", action="store_true",
                        help=f"measure only the training step of each cell "
                        f"({', '.join(cell.label for cell in rp.CELLS.values())}) and the update of each optimiser "
                        f"({', '.join(rp.OPTIMIZER_TABLE)}), and write them into the existing --out file, keeping its "
                        "other numbers (a few seconds)")
    parser.add_argument("--lru-only", action="store_true",
                        help=f"measure only the LRU's training step beside the vanilla cell's at H = 64, B = 50 and "
                        f"T = {', '.join(f'{T:,}' for T in LRU_STEP_LENS)} (issue 24), and write it (lru_step) into "
                        "the existing --out file, keeping its other numbers (some 30 s; about 2 GB at T = 10,000)")
    parser.add_argument("--experiments-only", action="store_true",
                        help="measure only the training step of each experiment that declares its runs' shape (whose "
                        "runs the cells' batch-50 step plans badly: copy_orhan), and write it (experiment_step) into "
                        "the existing --out file, keeping its other numbers (a few seconds)")
    parser.add_argument("--out", default=None,
                        help="JSON file for the numbers (default: results/bench.json, or results/bench_float32.json)")
    return parser


@rp.script_main
def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    out = args.out or ("results/bench.json" if args.dtype == "float64" else "results/bench_float32.json")
    try:
        if args.jobs < 1 or args.repeats < 1:
            raise ValueError("jobs and repeats must be positive integers")
        if args.repeats > MAX_REPEATS:
            raise ValueError(f"--repeats is at most {MAX_REPEATS}, got {args.repeats} (each repeat reruns the "
                             "headline, about 30 s in float64 on 2 cores)")
        rp.check_writable(out)
        parts = {"--cells-only": args.cells_only, "--lru-only": args.lru_only,
                 "--experiments-only": args.experiments_only}
        if sum(parts.values()) > 1:
            raise ValueError(f"{', '.join(parts)} each re-measure one part; give one of them")
        if any(parts.values()):
            flag = next(f for f, given in parts.items() if given)
            if not os.path.isfile(out):
                raise ValueError(f"{flag} adds to an existing benchmark file; {out} does not exist")
            # checked before measuring: a cut-off file, or one with a NaN that could not be written back, fails now
            existing = files.load_bench(out, replacing={"--cells-only": ("cell_step", "targets"),
                                                        "--lru-only": ("lru_step",),
                                                        "--experiments-only": ("experiment_step",)}[flag])
    except ValueError as err:
        parser.error(str(err))
    if args.cells_only:
        result = update_cell_steps(existing, 5 if args.quick else 60)
    elif args.experiments_only:
        existing["experiment_step"] = experiment_steps(existing["dtype"], 2 if args.quick else EXPERIMENT_STEP_REPEATS)
        print("experiment steps: " + ", ".join(f"{name} {row['step_ms']:.1f} ms"
                                               for name, row in existing["experiment_step"].items()))
        result = existing
    elif args.lru_only:
        existing["lru_step"] = lru_steps(existing["dtype"], 2 if args.quick else LRU_STEP_REPEATS,
                                         LRU_STEP_QUICK_LENS if args.quick else LRU_STEP_LENS)
        print(lru_steps_text(existing["lru_step"]))
        result = existing
    else:
        result = run_benchmark(args.dtype, args.jobs, args.repeats, args.quick)
    rp.write_json_atomic(out, result)
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
