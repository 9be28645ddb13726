"""What every experiment is made of: grids, the Experiment record, paths and commands, reading records, and the
statistics, markdown and figure helpers the experiment modules share. No experiment is defined here: each family
module (baseline, family, dynamics, gated) lists its own, and the package builds the registry from those lists.

Sections, in dependency order: paths and commands, grids and experiments, records, statistics and markdown, figure
helpers, the optimiser phrase.
"""

from __future__ import annotations

import json
import os
import shlex
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from matplotlib.figure import Figure

import rnn_pathological as rp
from rnnpath import files, stats, style, sweep
from rnnpath.text import seed_ranges

PROG = "rnnpath experiment"

# ----------------------------------------------------------------------------------------------------------------
# paths and commands


class ExperimentError(ValueError):
    """Bad input or a missing file: one line, printed as `rnnpath experiment: error: ...`, exit 2."""


def _path(outdir: str, *parts: str) -> str:
    return os.path.normpath(os.path.join(outdir, *parts))


def sweep_path(name: str, quick: bool, outdir: str = ".") -> str:
    """sweeps/NAME.jsonl, or sweeps/quick/NAME.jsonl for the quick variant."""
    return _path(outdir, "results", "sweeps", *(["quick"] if quick else []), f"{name}.jsonl")


def figure_path(name: str, quick: bool, outdir: str = ".") -> str:
    """viz/exp_NAME.png, or viz/quick/exp_NAME.png for the quick variant."""
    return _path(outdir, "viz", *(["quick"] if quick else []), f"exp_{name}.png")


def seeds_results_path(quick: bool, outdir: str = ".") -> str:
    """The ten-seed headline results file that `convergence` reads (its quick stand-in under sweeps/quick/)."""
    return (_path(outdir, "results", "sweeps", "quick", "results_seeds.json") if quick
            else _path(outdir, "results", "results_seeds.json"))


def command(verb: str, name: str, quick: bool = False, outdir: str = ".") -> str:
    """The command line of this script that does `verb` to experiment `name` with these options."""
    words = ["python", "-m", *PROG.split(), verb, name] + (["--quick"] if quick else [])
    if os.path.normpath(outdir) != ".":
        words += ["--outdir", outdir]
    return shlex.join(words)


# ----------------------------------------------------------------------------------------------------------------
# grids and experiments
#
# A grid is what one call of the sweep script runs: tasks x sequence lengths x inits x seeds under one training
# config (`run` trains several grids' runs in one pool, each with its own config).
# An experiment that needs several configs (relu next to tanh) or several (task, T) pairs lists several grids;
# they all append to the same sweep file, which keeps records of different configs apart by their run key.

QUICK_OPTIONS = {"n_hidden": 8, "n_epochs": 2, "batches_per_epoch": 2, "batch_size": 10}  # milliseconds per run


@dataclass(frozen=True)
class Grid:
    tasks: tuple[str, ...]
    inits: tuple[str, ...]
    sequence_lens: tuple[int, ...]
    seeds: str  # as the sweep script takes them: "0-2", "0-9", "0 3 7"
    options: dict = field(default_factory=dict)  # overrides of rp.DEFAULTS, the same for every run of the grid
    # records keep the trained weights (sweep --keep-weights), for an analysis that measures the trained networks;
    # not part of the run key, so the same run of another grid has the same key and the same outcome
    keep_weights: bool = False

    def config(self) -> dict:
        return {**rp.DEFAULTS, **self.options}

    def specs(self) -> list[dict]:
        """The grid points {task, init, sequence_len, seed}, in the sweep script's canonical order."""
        return sweep.build_grid(list(self.tasks), list(self.inits), list(self.sequence_lens),
                                sweep.parse_seeds(self.seeds.split()))

    def keys(self) -> set[str]:
        """The run keys the sweep script gives these runs' records."""
        config = self.config()
        return {sweep.run_key(**spec, config=config) for spec in self.specs()}

    def sweep_argv(self, out: str, jobs: int | None = None, quiet: bool = False) -> list[str]:
        """Arguments of rnnpath.sweep.main that run this grid into `out`."""
        argv = ["run", "--tasks", *self.tasks, "--inits", *self.inits,
                "--sequence-lens", *map(str, self.sequence_lens), "--seeds", *self.seeds.split()]
        for name, value in self.options.items():
            argv += ["--" + name.replace("_", "-"), str(value)]
        argv += ["--out", out] + (["--keep-weights"] if self.keep_weights else [])
        if jobs is not None:
            argv += ["--jobs", str(jobs)]
        return argv + (["--quiet"] if quiet else [])


@dataclass(frozen=True)
class SeedsResults:
    """A results file of `rnn_pathological.py --all --seeds ...`, for an experiment that reads the headline runs
    instead of sweeping its own grid."""

    seeds: str
    options: dict = field(default_factory=dict)

    def main_argv(self, out: str, jobs: int | None = None, quiet: bool = False) -> list[str]:
        argv = ["--all", "--seeds", self.seeds, "--drop-weights", "--out", out]
        for name, value in self.options.items():
            argv += ["--" + name.replace("_", "-"), str(value)]
        if jobs is not None:
            argv += ["--jobs", str(jobs)]
        return argv + (["--quiet"] if quiet else [])

    def n_runs(self) -> int:
        return len(rp.headline_specs(rp.parse_seeds(self.seeds)))


@dataclass(frozen=True)
class Experiment:
    name: str
    question: str
    grids: tuple[Grid, ...]  # full size; empty when the experiment reads `results`
    quick_grids: tuple[Grid, ...]
    figure: Callable[[list[dict]], Figure]  # run records -> the figure; reads nothing else, never trains
    answer: Callable[[list[dict]], str]  # run records -> a markdown paragraph and table
    results: SeedsResults | None = None  # the headline results file this experiment reads, full size
    quick_results: SeedsResults | None = None
    # other experiments whose records the figure and the answer get too, from those experiments' own sweep files
    # (read only: `run` never trains them, a missing file adds nothing): family_float32 sets its float32 runs beside
    # the family table's float64 ones without a copy of that file
    reads: tuple[Experiment, ...] = ()
    # the engine options of one training step of this experiment's runs (task, sequence_len, n_hidden, batch_size,
    # and init, activation, cell or init knobs), which the benchmark times (experiment_step) for the plan where the
    # cells' batch-50 step scales badly to them (copy_orhan: batch 16 and a softmax at every one of 500 steps)
    step_shape: dict | None = None
    # a rule `run` consults before each grid: (grid, the experiment's own records so far) -> None to train it, or a
    # one-line reason to skip it (the frontier's stop rule, which depends on the outcomes of shorter lengths: the
    # runner applies it as the runs come in, so a grid left running across lengths never trains a stopped cell). It
    # may read only records at lengths other than its grid's: `run` decides the grids of one length together, from
    # the records at the start of their wave, then trains them in one pool (waves)
    gate: Callable[[Grid, list[dict]], str | None] | None = None

    def grids_for(self, quick: bool) -> tuple[Grid, ...]:
        return self.quick_grids if quick else self.grids

    def results_for(self, quick: bool) -> SeedsResults | None:
        return self.quick_results if quick else self.results

    def n_runs(self, quick: bool = False) -> int:
        source = self.results_for(quick)
        if source is not None:
            return source.n_runs()
        return len(set().union(*(g.keys() for g in self.grids_for(quick))))

    def data_path(self, quick: bool, outdir: str = ".") -> str:
        return seeds_results_path(quick, outdir) if self.results is not None else sweep_path(self.name, quick, outdir)

    def underlying_commands(self, quick: bool = False, outdir: str = ".") -> list[str]:
        """The sweep (or rnn_pathological.py) command lines that `run` amounts to."""
        path = self.data_path(quick, outdir)
        source = self.results_for(quick)
        if source is not None:
            return [shlex.join(["python", "rnn_pathological.py", *source.main_argv(path)])]
        return [shlex.join(["python", "-m", *sweep.PROG.split(), *g.sweep_argv(path)]) for g in self.grids_for(quick)]


def quick_grid(grid: Grid, sequence_lens: tuple[int, ...] | None = None, seeds: str = "0-1", **options) -> Grid:
    """The tiny version of a grid: QUICK_OPTIONS over its options (then `options` over those), fewer seeds and,
    if given, fewer lengths."""
    return Grid(grid.tasks, grid.inits, sequence_lens or grid.sequence_lens, seeds,
                {**grid.options, **QUICK_OPTIONS, **options}, grid.keep_weights)


# ----------------------------------------------------------------------------------------------------------------
# records


def load_records(exp: Experiment, quick: bool = False, outdir: str = ".") -> tuple[list[dict], int]:
    """The run records of `exp` and the number of runs its grids hold. Raises ExperimentError if the file is
    missing, not readable, or holds none of the experiment's runs; the message gives the command that makes it."""
    path = exp.data_path(quick, outdir)
    make = command("run", exp.name, quick, outdir)
    if not os.path.exists(path):
        raise ExperimentError(f"{path} not found; create it with: {make}")
    if exp.results is not None:
        try:
            runs = files.load_results(path, command=exp.underlying_commands(quick, outdir)[0])["runs"]
        except files.FileError as err:
            raise ExperimentError(str(err)) from None
        return runs, exp.n_runs(quick)
    sf = _sweep_file(path)
    wanted = own_keys(exp, quick)
    records = _matching(sf, wanted)
    if not sf.records:
        raise ExperimentError(f"{path} holds no runs yet; create them with: {make}")
    if not records:
        raise ExperimentError(f"{path} holds no run of experiment {exp.name} (other configs only); "
                              f"create them with: {make}")
    for other in exp.reads:  # their runs beside these, never counted as this experiment's
        other_path = other.data_path(quick, outdir)
        if os.path.exists(other_path):
            for key, record in _matching(_sweep_file(other_path), own_keys(other, quick)).items():
                records.setdefault(key, record)
    return sorted(records.values(), key=sweep.record_order), len(wanted)


def started(exp: Experiment, quick: bool = False, outdir: str = ".") -> bool:
    """Whether `exp` has a run to report: its data file exists and, for a sweep file, holds a finished run of the
    experiment's grids. The runner creates the sweep file when a grid starts, before its first run ends: such a file
    (empty, holding only a torn line, or only records of grids since replaced) means "not run yet", not an error."""
    path = exp.data_path(quick, outdir)
    if not os.path.exists(path):
        return False
    return exp.results is not None or bool(_matching(_sweep_file(path), own_keys(exp, quick)))


def records_so_far(exp: Experiment, quick: bool, path: str) -> list[dict]:
    """The experiment's own records in its sweep file at `path` now ([] before the file exists): what its gate
    decides by."""
    if not os.path.exists(path):
        return []
    return list(_matching(_sweep_file(path), own_keys(exp, quick)).values())


def own_keys(exp: Experiment, quick: bool = False) -> set[str]:
    """The run keys of the experiment's own grids (not those of the experiments it reads)."""
    return set().union(*(g.keys() for g in exp.grids_for(quick)))


def own_records(exp: Experiment, records: list[dict], quick: bool = False) -> list[dict]:
    """The records of load_records that are the experiment's own runs: what its partial note and cost count."""
    if exp.results is not None:
        return records
    keys = own_keys(exp, quick)
    return [r for r in records if sweep.record_key(r) in keys]


def _sweep_file(path: str) -> sweep.SweepFile:
    try:
        return sweep.read_sweep_file(path, missing_ok=False)
    except sweep.SweepError as err:
        raise ExperimentError(str(err)) from None


# ----------------------------------------------------------------------------------------------------------------
# planned cost: what a grid not run yet will take, from the benchmark's step costs

BENCH_FILES = {"float64": os.path.join("results", "bench.json"), "float32": os.path.join("results", "bench_float32.json")}


def updates_of(config: dict) -> int:
    """Training steps of one run: n_epochs passes over a fixed training set of train_size sequences in batches, or
    n_epochs x batches_per_epoch fresh batches."""
    per_epoch = -(-config["train_size"] // config["batch_size"]) if config["train_size"] else config["batches_per_epoch"]
    return config["n_epochs"] * per_epoch


def step_scale(config: dict, timed_width: int = rp.LRU_WIDTH) -> float:
    """A run's training step per time step against the benchmark's shape (batch 50, H = 64): batch x H^2 for a cell
    whose step is its (B, H) x (H, H) products, batch x N x width for the LRU, whose products are (B, M) by (M, 2N)
    and whose recurrence is elementwise, against the width its step was timed at. Rough: it ignores the input and
    output layers and the caches (and so overstates a wider LRU: the benchmark times the widths the runs take)."""
    B, H = config["batch_size"] / 50, config["n_hidden"] / 64
    return B * H * config["lru_width"] / timed_width if config["cell"] == "lru" else B * H * H


def lru_ratio(bench: dict, T: int, per_step: bool, width: int = rp.LRU_WIDTH) -> tuple[float, int] | None:
    """An LRU training step against a vanilla one at length T from the benchmark, and the width it was timed at:
    its cell_step row (T = 60) and its lru_step rows (T = 100, 1000, 10,000), interpolated in log T and held flat
    past the ends. The ratio falls with T for a last-step target (the convolution form: 0.22 at T = 60, 0.11 at
    T = 1000 in float64), so the one ratio of T = 60 would overstate the long lengths about twofold; a per-step
    target takes the scan (rp.LRU_SCAN), whose rows start at T = 100. A width the rows time apart (the benchmark's
    LRU_STEP_WIDTHS) takes its own rows; any other width the default's, for step_scale to scale. A file without
    lru_step rows gives cell_step's ratio at every T for a last-step target and None for a per-step one."""
    cells = bench["cell_step"]
    by_T = bench.get("lru_step", {}).get("by_T", {})
    if per_step and not by_T:
        return None  # the scan's cost is in the lru_step rows alone: cell_step times the convolution form
    own = width != rp.LRU_WIDTH and not per_step and by_T and all(
        files.width_key(width) in row["step_ms"] for row in by_T.values())
    points = {} if per_step or own else {cells["sequence_len"]: cells["step_ms"]["lru"] / cells["step_ms"]["rnn"]}
    key = f"lru_scan_{rp.LRU_SCAN}" if per_step else files.width_key(width) if own else "lru"
    for length, row in by_T.items():
        points[int(length)] = row["step_ms"][key] / row["step_ms"]["rnn"]
    timed = width if own else rp.LRU_WIDTH
    if not points:
        return cells["step_ms"]["lru"] / cells["step_ms"]["rnn"], timed
    Ts = sorted(points)
    return float(np.interp(np.log(T), np.log(Ts), [points[t] for t in Ts])), timed


def _run_plans(exp: Experiment, root: str = ".") -> list[tuple[str, str, dict, float]] | None:
    """[(run key, pair key, spec, planned seconds)] for every run of the experiment's grids, where the pair key names
    the task, init and whole configuration (every length of one pair shares it): each run's updates (updates_of) x its
    length x its cell's training step per time step in the benchmark (cell_step of results/bench.json, or
    bench_float32.json for a float32 run) x step_scale, or, for an experiment that declares its runs' shape
    (Experiment.step_shape), its updates x the step the benchmark timed in that shape (experiment_step). None where a
    benchmark file or a step is missing."""
    benches: dict[str, dict] = {}
    for dtype, path in BENCH_FILES.items():
        try:
            benches[dtype] = files.load_bench(os.path.join(root, path))
        except files.FileError:
            return None
        if "step_ms" not in benches[dtype].get("cell_step", {}):
            return None
    plans = []
    for g in exp.grids:
        config = g.config()
        bench = benches[config["dtype"]]
        cells = bench["cell_step"]
        timed_shape = bench.get("experiment_step", {}).get(exp.name) if exp.step_shape is not None else None
        if (exp.step_shape is not None and timed_shape is None) or (
                exp.step_shape is None and config["cell"] not in cells["step_ms"]):
            return None
        for spec in g.specs():
            T, timed = spec["sequence_len"], rp.LRU_WIDTH
            if timed_shape is not None:
                seconds = updates_of(config) * timed_shape["step_ms"] / 1e3
            else:
                if config["cell"] == "lru":
                    if (timed_ratio := lru_ratio(bench, T, rp.TASKS[spec["task"]].per_step,
                                                 config["lru_width"])) is None:
                        return None
                    ratio, timed = timed_ratio
                    ms = cells["step_ms"]["rnn"] * ratio
                else:
                    ms = cells["step_ms"][config["cell"]]
                seconds = updates_of(config) * T * ms / 1e3 / cells["sequence_len"] * step_scale(config, timed)
            pair = json.dumps([spec["task"], spec["init"], sweep.config_key(config)])
            plans.append((sweep.run_key(**spec, config=config), pair, spec, seconds))
    return plans


def planned_core_hours(exp: Experiment, done: set[str] = frozenset(), root: str = ".") -> float | None:
    """Core-hours of training the experiment's own runs whose keys are not in `done` will take, by the benchmark's
    step costs (_run_plans). A plan to size grids by, not a measurement: held-out evaluation is left out, and the
    benchmark's shape (T = 60) stands in for every length, except the LRU's, whose step against a vanilla one is
    taken at each run's length (lru_ratio). None where a benchmark file or a step is missing."""
    plans = _run_plans(exp, root)
    if plans is None:
        return None
    return sum(seconds for key, _, _, seconds in plans if key not in done) / 3600


def calibrated_core_hours(exp: Experiment, records: list[dict], root: str = ".",
                          paced_by: Experiment | None = None) -> tuple[float, float] | None:
    """(calibrated, plain) core-hours of the experiment's runs not among `records`: the plain plan
    (planned_core_hours), and the same with each run's plan scaled by what the finished runs of its pair (task, init
    and configuration, at any length) took against theirs, in CPU time, at the longest length the pair has finished:
    the plan's error is mostly per cell and task (the caches, the output layer, held-out evaluation), which the
    pair's own runs measure, while the benchmark's step keeps its say in how the cost grows with T. A pair with no
    finished run timed in CPU time keeps its plain plan. The pace is read from the runs of `paced_by`'s grids (by
    default the experiment's own), so a plan of lengths not run yet can take it from the same pairs at the lengths
    that have. None where there is no plan."""
    plans = _run_plans(exp, root)
    paced = plans if paced_by is None else _run_plans(paced_by, root)
    if plans is None or paced is None:
        return None
    finished = {sweep.record_key(r): r for r in records}
    longest: dict[str, list[tuple[float, float]]] = {}  # pair -> [(cpu_s, planned s)] at its longest finished T
    top: dict[str, int] = {}
    for key, pair, spec, seconds in paced:
        r = finished.get(key)
        if r is None or r.get("cpu_s") is None:
            continue
        T = spec["sequence_len"]
        if T > top.get(pair, -1):
            top[pair], longest[pair] = T, []
        if T == top[pair]:
            longest[pair].append((r["cpu_s"], seconds))
    scale = {pair: sum(c for c, _ in runs) / sum(s for _, s in runs) for pair, runs in longest.items()}
    left = [(pair, seconds) for key, pair, _, seconds in plans if key not in finished]
    return (sum(seconds * scale.get(pair, 1.0) for pair, seconds in left) / 3600,
            sum(seconds for _, seconds in left) / 3600)


def _matching(sf: sweep.SweepFile, wanted: set[str]) -> dict[str, dict]:
    records: dict[str, dict] = {}
    for _, record in sf.records:
        key = sweep.record_key(record)
        if key in wanted:
            records.setdefault(key, record)  # a run appended twice (two writers) counts once
    return records


# ----------------------------------------------------------------------------------------------------------------
# statistics and markdown


def task_rank(task: str) -> tuple[int, str]:
    tasks = list(rp.TASKS)
    return (tasks.index(task) if task in tasks else len(tasks), task)


def group_by(records: list[dict], key: Callable[[dict], tuple]) -> dict[tuple, list[dict]]:
    """{key: records}, keys in sorted order, each group's records by seed."""
    groups: dict[tuple, list[dict]] = {}
    for r in records:
        groups.setdefault(key(r), []).append(r)
    return {k: sorted(groups[k], key=lambda r: r["seed"]) for k in sorted(groups)}


def task_key(r: dict) -> tuple:
    return (task_rank(r["task"]), r["sequence_len"])


def successes(runs: list[dict]) -> tuple[int, int]:
    """(k, n): runs whose final metric meets the threshold (rp.is_success), out of all."""
    return sum(rp.is_success(r) for r in runs), len(runs)


def rate_points(runs: list[dict], x_of: Callable[[dict], float] = lambda r: r["sequence_len"]
                 ) -> list[tuple[float, int, int]]:
    """[(x, k, n)] sorted by x (T by default): the runs that end solved at each value of x_of."""
    return [(x, *successes(g)) for (x,), g in group_by(runs, lambda r: (x_of(r),)).items()]


def interval_text(k: int, n: int) -> str:
    lo, hi = stats.wilson_interval(k, n)
    return f"[{lo:.2f}, {hi:.2f}]"


def progresses(runs: list[dict]) -> tuple[int, int]:
    """(k, n): runs that end with partial progress (rp.is_progress: on addition and multiplication, the final 0.5 *
    MSE past the metric's line, which a network holding one bit of the first marker can cross), out of all."""
    return sum(rp.is_progress(r) for r in runs), len(runs)


def is_per_case_group(runs: list[dict]) -> bool:
    """Whether every run of a group is judged by the per-case rule (so its cell also reports partial progress)."""
    return bool(runs) and all(rp.is_per_case(r) for r in runs)


def progress_text(runs: list[dict]) -> str:
    """'partial progress 3/5' for a cell of a per-case task, '' for any other (or mixed) group. The per-case rule is
    strict enough that a whole table of them can read 0/n; the metric's line shows which of those runs got part way."""
    return "partial progress {}/{}".format(*progresses(runs)) if is_per_case_group(runs) else ""


def rate_text(runs: list[dict]) -> str:
    """'2/3 [0.21, 0.94]': the success count and its 95% Wilson interval; on addition and multiplication followed by
    the partial-progress count, '0/5 [0.00, 0.43]; partial progress 3/5'."""
    k, n = successes(runs)
    progress = progress_text(runs)
    return f"{k}/{n} {interval_text(k, n)}" + (f"; {progress}" if progress else "")


def progress_note(records: list[dict]) -> str:
    """A sentence that says what 'solved' and 'partial progress' mean on the per-case tasks among `records`, from
    the records' own thresholds; '' when there are none, so the other answers read as before."""
    parts = []
    for task in sorted({r["task"] for r in records if rp.is_per_case(r)}, key=task_rank):
        run = next(r for r in records if r["task"] == task)
        value, _ = style.metric_line(run)
        name = rp.METRIC_LABELS.get(run["metric_name"], run["metric_name"])
        parts.append(f"on {task} solved means {style.threshold_text(run)} at the end, and partial progress a final "
                     f"{name} < {rp.format_metric(value, run['metric_name'])}")
    if not parts:
        return ""
    return ("Beside the solved counts of the per-case tasks stands partial progress: " + "; ".join(parts) + ". The "
            "metric's line is half the loss of a network that remembers only the later marked value; one bit "
            "of the earlier one is enough to cross it, so a run past it has made progress but has not solved the task.")


SIGNIFICANCE = 0.05  # a two-arm difference with Fisher p below this is called one the test tells from chance
NOT_TOLD = "a difference this test cannot tell from chance"


def told_apart(k1: int, n1: int, k2: int, n2: int) -> bool:
    """Whether Fisher's exact test (two-sided) tells k1/n1 from k2/n2 at p < SIGNIFICANCE."""
    return stats.fisher_exact(k1, n1, k2, n2) < SIGNIFICANCE


def compare_text(k1: int, n1: int, k2: int, n2: int) -> str:
    """'2/5 against 0/5, Fisher p = 0.44: a difference this test cannot tell from chance', or '10/10 against 0/10,
    Fisher p < 0.001' where the test tells the two apart: the counts of two arms of one cell, worded by the test."""
    text = f"{k1}/{n1} against {k2}/{n2}, {stats.fisher_text(k1, n1, k2, n2)}"
    return text if told_apart(k1, n1, k2, n2) else f"{text}: {NOT_TOLD}"


def solved_epochs(runs: list[dict]) -> list[int]:
    """The first epoch at which each run met the threshold, for the runs that did."""
    return [r["solved_epoch"] for r in runs if r["solved_epoch"] is not None]


def epochs_text(epochs: list[int]) -> str:
    """'27 [20, 41]': median and range, or '-'."""
    if not epochs:
        return "-"
    return f"{float(np.median(epochs)):g} [{min(epochs)}, {max(epochs)}]"


def final_text(runs: list[dict]) -> str:
    finals = [r["final_metric"] for r in runs if r["final_metric"] is not None]
    return stats.median_range(finals, runs[0]["metric_name"])


def n_diverged(runs: list[dict]) -> int:
    return sum(1 for r in runs if r.get("diverged"))


def common(records: list[dict], get: Callable[[dict], object]):
    """The value every record shares, or None when they differ."""
    values = {repr(get(r)) for r in records}
    return get(records[0]) if len(values) == 1 else None




def longest_all_solved(points: list[tuple[int, int, int]]) -> int | None:
    """Of (T, k, n) sorted by T: the largest T up to which every run at every T ends solved, or None."""
    best = None
    for T, k, n in points:
        if n == 0 or k < n:
            break
        best = T
    return best


def verdict(k: int, n: int) -> str:
    return "in every run" if k == n else "in none of the runs" if k == 0 else f"in {k} of {n} runs"


# figure helpers


def jitter(n: int, width: float = 0.28) -> np.ndarray:
    """Fixed horizontal offsets for n dots of one category (no randomness: the figure is reproducible)."""
    return np.linspace(-width / 2, width / 2, n) if n > 1 else np.zeros(n)


def set_log2_T_axis(ax, Ts: list[int]) -> None:
    ax.set_xscale("log")
    ax.set_xticks(Ts)
    ax.set_xticklabels([str(T) for T in Ts])
    ax.minorticks_off()
    ax.set_xlim(min(Ts) / 1.25, max(Ts) * 1.25)
    ax.set_xlabel("sequence length T (log scale)")


def rate_errorbar(ax, points: list[tuple[int, int, int]], offset: float, colour: str, label: str) -> None:
    """Success rate k/n against T with its 95% Wilson interval; x shifted by the factor `offset` (log axis)."""
    Ts = np.array([T for T, _, _ in points], dtype=float)
    rate = np.array([k / n for _, k, n in points])
    bounds = np.array([stats.wilson_interval(k, n) for _, k, n in points])
    yerr = np.vstack([rate - bounds[:, 0], bounds[:, 1] - rate])
    ax.errorbar(Ts * offset, rate, yerr=yerr, fmt="-o", color=colour, capsize=3, lw=1.6, ms=5, label=label)


def rate_lines(ax, runs: list[dict], arms: list[str], arm_of: Callable[[dict], str], colours: dict[str, str],
               x_of: Callable[[dict], float] = lambda r: r["sequence_len"], spread: float = 1.035) -> None:
    """Success rate against x_of (T by default), one line per arm with 95% Wilson intervals; the arms are shifted
    side by side by factors of `spread` on the log axis, so the error bars do not hide each other. y from 0 to 1, a
    light grid."""
    for j, arm in enumerate(arms):
        mine = [r for r in runs if arm_of(r) == arm]
        if mine:
            rate_errorbar(ax, rate_points(mine, x_of), spread ** (j - (len(arms) - 1) / 2), colours[arm], arm)
    ax.set_ylim(-0.05, 1.05)
    ax.grid(alpha=0.3)


def legend_below(axes, legend_ax, ncol: int | None = None) -> None:
    """The first panel's legend, in one row of the thin axes panels_over_legend puts under the panels."""
    handles, labels = axes[0].get_legend_handles_labels()
    legend_ax.legend(handles, labels, loc="center", ncol=ncol or len(labels), fontsize=9.5, frameon=False)


CAPTION_OPTIONS = ("n_hidden", "n_epochs", "batches_per_epoch", "batch_size", "lr", "momentum", "clip", "optimizer",
                   "momentum_schedule")


def caption_text(records: list[dict], keys=CAPTION_OPTIONS, seeds: str | None = None) -> str:
    """The training options every record shares, and the seeds: 'n_hidden 64, ..., seeds 100-109'.

    Every record carries the momentum options, but an Adam or RMSprop run never reads them: where the records mix
    optimisers, a momentum option is named as shared by the runs that use it ('momentum 0.9 where used'). The seeds
    are those of any record, in runs of consecutive ones, unless `seeds` says it better (arms that ran different
    seeds)."""
    parts = []
    uses_momentum = [rp.OPTIMIZER_TABLE[r["config"].get("optimizer", "momentum")].momentum for r in records]
    for k in keys:
        where_used = k in rp.MOMENTUM_OPTIONS and not all(uses_momentum)
        mine = [r for r, uses in zip(records, uses_momentum, strict=True) if uses] if where_used else records
        v = common(mine, lambda r, k=k: r["config"].get(k)) if mine else None
        if v is not None:
            parts.append((f"{k} {v:g}" if isinstance(v, float) else f"{k} {v}") + (" where used" if where_used else ""))
    parts.append(seeds or seed_ranges(r["seed"] for r in records))
    return ", ".join(parts)


def caption(fig: Figure, records: list[dict], keys=CAPTION_OPTIONS, seeds: str | None = None) -> None:
    """A grey line at the bottom with caption_text: the training options every record shares, and the seeds."""
    fig.supxlabel(caption_text(records, keys, seeds), fontsize=8, color="0.35")  # takes part in the layout


def panels_over_legend(fig: Figure, n: int, sharey: bool = False) -> tuple[np.ndarray, object]:
    """n panels in a row above a thin row for one shared legend: (axes, legend axes). A figure-level legend would
    collide with the suptitle or the caption; a legend inside an axes takes part in the constrained layout."""
    grid = fig.add_gridspec(2, 1, height_ratios=(30, 1))
    axes = grid[0].subgridspec(1, n).subplots(sharey=sharey, squeeze=False)[0]
    legend_ax = fig.add_subplot(grid[1])
    legend_ax.axis("off")
    return axes, legend_ax


def style_metric_axis(ax, run: dict) -> None:
    style.draw_baselines(ax, run)
    value, label = style.metric_line(run)
    ax.axhline(value, **style.THRESHOLD_STYLE, label=label)
    if run["higher_is_better"]:
        ax.set_ylim(-0.02, 1.05)
    else:
        style.plain_log_y(ax)
    ax.set_ylabel(style.metric_label(run["metric_name"], run["higher_is_better"]))


# ----------------------------------------------------------------------------------------------------------------
# the optimiser phrase of an answer

SCHEDULE_NAMES = {
    "sutskever_eq5": "eq. 5 of Sutskever et al. 2013, their autoencoder schedule",
    "sutskever_rnn": "the RNN protocol of Sutskever et al. 2013 (0.9 for 1000 updates)",
}


def optimiser_phrase(records: list[dict]) -> str:
    """'nesterov momentum under eq. 5 of Sutskever et al. 2013, their autoencoder schedule (capped at 0.99), lr
    0.01, 800 epochs of 30 batches'."""
    c = records[0]["config"]
    same = {k: common(records, lambda r, k=k: r["config"].get(k)) for k in c}
    parts = []
    if same.get("optimizer") is not None:
        schedule = same.get("momentum_schedule")
        mu = same.get("momentum")
        text = "heavy-ball momentum" if same["optimizer"] == "momentum" else f"{same['optimizer']} momentum"
        if schedule == "constant" and mu is not None:
            text += f" {mu:g}"
        elif schedule is not None:
            text += f" under {SCHEDULE_NAMES.get(schedule, f'the {schedule} schedule')}"
            text += f" (capped at {mu:g})" if mu is not None and schedule != "sutskever_rnn" else ""
            text += f" (then {mu:g})" if mu is not None and schedule == "sutskever_rnn" else ""
        parts.append(text)
    if same.get("lr") is not None:
        parts.append(f"lr {same['lr']:g}")
    if same.get("n_epochs") is not None and same.get("batches_per_epoch") is not None:
        parts.append(f"{same['n_epochs']} epochs of {same['batches_per_epoch']} batches")
    return ", ".join(parts)
