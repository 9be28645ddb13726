"""Named experiments, each a question answered from sweep files: run, plot, answer.

    python experiments_rnn_pathological.py list                       # names, questions, commands, runs per grid
    python experiments_rnn_pathological.py run solve_vs_T --jobs 2    # train its grid into sweeps/solve_vs_T.jsonl
    python experiments_rnn_pathological.py plot solve_vs_T            # the sweep file -> viz/exp_solve_vs_T.png
    python experiments_rnn_pathological.py answer solve_vs_T          # a markdown paragraph and table from the file
    python experiments_rnn_pathological.py run all --quick --jobs 1   # every experiment, tiny: a smoke test

The experiments here: xor_nesterov, solve_vs_T, identity_vs_ortho, convergence, latching; the family table, hidden
size and random scale live in experiments_family_rnn_pathological.py and register themselves (`list` gives every
experiment's question).
Every run goes through sweep_rnn_pathological.main, so `run` is resumable: rerun it after a kill and only the
missing runs train. Records in a sweep file that belong to no grid of the experiment are ignored. `convergence`
trains nothing of its own: it reads results_seeds.json, the ten-seed headline of rnn_pathological.py, and `run
convergence` creates that file only when it is missing. `plot` and `answer` read the files and never train.

--quick runs each grid tiny (8 hidden units, 2 epochs of 2 batches of 10, two seeds, the shortest lengths) into
sweeps/quick/ and viz/quick/ (convergence's stand-in for results_seeds.json is sweeps/quick/results_seeds.json),
so the real files are never touched. --outdir moves sweeps/, viz/ and results_seeds.json under another folder.
The folders a command writes are checked before anything trains or is drawn, and every file it reads is checked
(files_rnn_pathological): a bad one is a one-line error naming it.

Sections, in dependency order: paths and commands, grids and experiments, records, statistics and markdown,
the experiments of this file (grids, figure, answer each), the registry, commands, command line.
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

import files_rnn_pathological as files
import rnn_pathological as rp
import sweep_rnn_pathological as sweep
import visualize_rnn_pathological as viz

PROG = "experiments_rnn_pathological.py"

# ----------------------------------------------------------------------------------------------------------------
# paths and commands


class ExperimentError(ValueError):
    """Bad input or a missing file: one line, printed as `experiments_rnn_pathological.py: error: ...`, exit 2."""


def _path(outdir: str, *parts: str) -> str:
    return os.path.normpath(os.path.join(outdir, *parts))


def sweep_path(name: str, quick: bool, outdir: str = ".") -> str:
    """sweeps/NAME.jsonl, or sweeps/quick/NAME.jsonl for the quick variant."""
    return _path(outdir, "sweeps", *(["quick"] if quick else []), f"{name}.jsonl")


def figure_path(name: str, quick: bool, outdir: str = ".") -> str:
    """viz/exp_NAME.png, or viz/quick/exp_NAME.png for the quick variant."""
    return _path(outdir, "viz", *(["quick"] if quick else []), f"exp_{name}.png")


def seeds_results_path(quick: bool, outdir: str = ".") -> str:
    """The ten-seed headline results file that `convergence` reads (its quick stand-in under sweeps/quick/)."""
    return _path(outdir, "sweeps", "quick", "results_seeds.json") if quick else _path(outdir, "results_seeds.json")


def command(verb: str, name: str, quick: bool = False, outdir: str = ".") -> str:
    """The command line of this script that does `verb` to experiment `name` with these options."""
    words = ["python", PROG, verb, name] + (["--quick"] if quick else [])
    if os.path.normpath(outdir) != ".":
        words += ["--outdir", outdir]
    return shlex.join(words)


# ----------------------------------------------------------------------------------------------------------------
# grids and experiments
#
# A grid is one call of the sweep script: tasks x sequence lengths x inits x seeds under one training config.
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
        """Arguments of sweep_rnn_pathological.main that run this grid into `out`."""
        argv = ["run", "--tasks", *self.tasks, "--inits", *self.inits,
                "--sequence-lens", *map(str, self.sequence_lens), "--seeds", *self.seeds.split()]
        for name, value in self.options.items():
            argv += ["--" + name.replace("_", "-"), str(value)]
        argv += ["--out", out]
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
        return [shlex.join(["python", sweep.PROG, *g.sweep_argv(path)]) for g in self.grids_for(quick)]


def _quick(grid: Grid, sequence_lens: tuple[int, ...] | None = None, seeds: str = "0-1", **options) -> Grid:
    """The tiny version of a grid: QUICK_OPTIONS over its options (then `options` over those), fewer seeds and,
    if given, fewer lengths."""
    return Grid(grid.tasks, grid.inits, sequence_lens or grid.sequence_lens, seeds,
                {**grid.options, **QUICK_OPTIONS, **options})


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
    try:
        sf = sweep.read_sweep_file(path, missing_ok=False)
    except sweep.SweepError as err:
        raise ExperimentError(str(err)) from None
    wanted = set().union(*(g.keys() for g in exp.grids_for(quick)))
    records = {}
    for _, record in sf.records:
        key = sweep.record_key(record)
        if key in wanted:
            records.setdefault(key, record)  # a run appended twice (two writers) counts once
    if not sf.records:
        raise ExperimentError(f"{path} holds no runs yet; create them with: {make}")
    if not records:
        raise ExperimentError(f"{path} holds no run of experiment {exp.name} (other configs only); "
                              f"create them with: {make}")
    return sorted(records.values(), key=sweep.record_order), len(wanted)


# ----------------------------------------------------------------------------------------------------------------
# statistics and markdown


def _task_rank(task: str) -> tuple[int, str]:
    tasks = list(rp.TASKS)
    return (tasks.index(task) if task in tasks else len(tasks), task)


def group_by(records: list[dict], key: Callable[[dict], tuple]) -> dict[tuple, list[dict]]:
    """{key: records}, keys in sorted order, each group's records by seed."""
    groups: dict[tuple, list[dict]] = {}
    for r in records:
        groups.setdefault(key(r), []).append(r)
    return {k: sorted(groups[k], key=lambda r: r["seed"]) for k in sorted(groups)}


def task_key(r: dict) -> tuple:
    return (_task_rank(r["task"]), r["sequence_len"])


def successes(runs: list[dict]) -> tuple[int, int]:
    """(k, n): runs whose final metric meets the threshold (rp.is_success), out of all."""
    return sum(rp.is_success(r) for r in runs), len(runs)


def _rate_points(runs: list[dict], x_of: Callable[[dict], float] = lambda r: r["sequence_len"]
                 ) -> list[tuple[float, int, int]]:
    """[(x, k, n)] sorted by x (T by default): the runs that end solved at each value of x_of."""
    return [(x, *successes(g)) for (x,), g in group_by(runs, lambda r: (x_of(r),)).items()]


def interval_text(k: int, n: int) -> str:
    lo, hi = sweep.wilson_interval(k, n)
    return f"[{lo:.2f}, {hi:.2f}]"


def rate_text(runs: list[dict]) -> str:
    """'2/3 [0.21, 0.94]': the success count and its 95% Wilson interval."""
    k, n = successes(runs)
    return f"{k}/{n} {interval_text(k, n)}"


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
    return sweep.median_range(finals, runs[0]["metric_name"])


def n_diverged(runs: list[dict]) -> int:
    return sum(1 for r in runs if r.get("diverged"))


def common(records: list[dict], get: Callable[[dict], object]):
    """The value every record shares, or None when they differ."""
    values = {repr(get(r)) for r in records}
    return get(records[0]) if len(values) == 1 else None


join_words = sweep.join_words  # 'a', 'a and b', 'a, b and c' (one definition for every script's prose)


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
    bounds = np.array([sweep.wilson_interval(k, n) for _, k, n in points])
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
            rate_errorbar(ax, _rate_points(mine, x_of), spread ** (j - (len(arms) - 1) / 2), colours[arm], arm)
    ax.set_ylim(-0.05, 1.05)
    ax.grid(alpha=0.3)


def legend_below(axes, legend_ax, ncol: int | None = None) -> None:
    """The first panel's legend, in one row of the thin axes panels_over_legend puts under the panels."""
    handles, labels = axes[0].get_legend_handles_labels()
    legend_ax.legend(handles, labels, loc="center", ncol=ncol or len(labels), fontsize=9.5, frameon=False)


CAPTION_OPTIONS = ("n_hidden", "n_epochs", "batches_per_epoch", "batch_size", "lr", "momentum", "clip", "optimizer",
                   "momentum_schedule")


def caption(fig: Figure, records: list[dict], keys=CAPTION_OPTIONS) -> None:
    """A grey line at the bottom with the training options every record shares, and the seeds."""
    parts = []
    for k in keys:
        v = common(records, lambda r, k=k: r["config"].get(k))
        if v is not None:
            parts.append(f"{k} {v:g}" if isinstance(v, float) else f"{k} {v}")
    seeds = sorted({r["seed"] for r in records})
    parts.append(f"seeds {seeds[0]}-{seeds[-1]}" if len(seeds) > 1 else f"seed {seeds[0]}")
    fig.supxlabel(", ".join(parts), fontsize=8, color="0.35")  # a supxlabel takes part in the constrained layout


def panels_over_legend(fig: Figure, n: int, sharey: bool = False) -> tuple[np.ndarray, object]:
    """n panels in a row above a thin row for one shared legend: (axes, legend axes). A figure-level legend would
    collide with the suptitle or the caption; a legend inside an axes takes part in the constrained layout."""
    grid = fig.add_gridspec(2, 1, height_ratios=(30, 1))
    axes = grid[0].subgridspec(1, n).subplots(sharey=sharey, squeeze=False)[0]
    legend_ax = fig.add_subplot(grid[1])
    legend_ax.axis("off")
    return axes, legend_ax


def style_metric_axis(ax, run: dict) -> None:
    viz.draw_baselines(ax, run)
    ax.axhline(run["solved_threshold"], **viz.THRESHOLD_STYLE, label=f"solved: {viz.threshold_text(run)}")
    if run["higher_is_better"]:
        ax.set_ylim(-0.02, 1.05)
    else:
        viz.plain_log_y(ax)
    ax.set_ylabel(viz.metric_label(run["metric_name"], run["higher_is_better"]))


# ----------------------------------------------------------------------------------------------------------------
# experiment 1: xor_nesterov

# Nesterov momentum under eq. 5 of Sutskever et al. 2013 (their autoencoder schedule, rising to 0.99); their RNN
# experiments used momentum 0.9 for 1000 updates, then mu0 (momentum_schedule "sutskever_rnn"), which this grid
# did not run
XOR_OPTIONS = {"optimizer": "nesterov", "momentum_schedule": "sutskever_eq5", "momentum": 0.99, "n_epochs": 800}
XOR_GRID = Grid(("xor",), ("ortho", "random"), (30,), "0-2", XOR_OPTIONS)


def figure_xor_nesterov(records: list[dict]) -> Figure:
    """Accuracy (top) and training loss (bottom) per epoch, one line per run; a dot where a run first solves."""
    colours = viz.init_colours(r["init"] for r in records)
    fig = Figure(figsize=(9.5, 7.6), layout="constrained")
    ax_metric, ax_loss = fig.subplots(2, 1, sharex=True, height_ratios=(3, 2))
    for run in sorted(records, key=lambda r: (viz.init_rank(r["init"]), r["seed"])):
        c = colours[run["init"]]
        epochs, metric = viz.history_series(run, "metric")
        _, loss = viz.history_series(run, "loss")
        status = f"solved @ {run['solved_epoch']}" if run["solved_epoch"] is not None else "not solved"
        if run.get("diverged"):
            status += f", diverged @ {run['diverged']}"
        ax_metric.plot(epochs, metric, color=c, lw=1.1, alpha=0.85, label=f"{run['init']} seed {run['seed']}: {status}")
        ax_loss.plot(epochs, loss, color=c, lw=1.1, alpha=0.85)
        if run["solved_epoch"] is not None:
            ax_metric.plot([run["solved_epoch"]], [viz.metric_at_epoch(run, run["solved_epoch"])], "o", color=c,
                           ms=6, zorder=5)
    first = records[0]
    style_metric_axis(ax_metric, first)
    ax_metric.legend(fontsize=8.5, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    lo, hi = ax_loss.get_ylim()
    if lo > 0 and hi / lo > 3:  # a loss that falls by orders of magnitude; a flat one reads better on a linear axis
        viz.plain_log_y(ax_loss)
        ax_loss.set_ylabel("training loss (log scale)")
    else:
        ax_loss.set_ylabel("training loss")
    ax_loss.set_xlabel("epoch")
    for ax in (ax_metric, ax_loss):
        ax.grid(alpha=0.3)
    T = common(records, lambda r: r["sequence_len"])
    fig.suptitle(f"XOR{f', T = {T}' if T else ''}, Nesterov momentum with Sutskever's schedule: "
                 "ortho (blue) vs random (red) W_hh", fontsize=12)
    caption(fig, records)
    return fig


SCHEDULE_NAMES = {
    "sutskever_eq5": "eq. 5 of Sutskever et al. 2013, their autoencoder schedule",
    "sutskever_rnn": "the RNN protocol of Sutskever et al. 2013 (0.9 for 1000 updates)",
}


def _optimiser_phrase(records: list[dict]) -> str:
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


def answer_xor_nesterov(records: list[dict]) -> str:
    by_init = group_by(records, lambda r: viz.init_rank(r["init"]))
    first = records[0]
    T = common(records, lambda r: r["sequence_len"])
    sentences = []
    for (_, init), runs in by_init.items():
        k, n = successes(runs)
        reached = solved_epochs(runs)
        s = f"{init} ends solved in {k}/{n} runs (95% CI {interval_text(k, n)})"
        if reached:
            s += (f" and first meets the threshold in {len(reached)}/{n}, at median epoch "
                  f"{float(np.median(reached)):g}")
        else:
            s += " and never meets the threshold"
        if n_diverged(runs):
            s += f"; {n_diverged(runs)} diverged"
        sentences.append(s)
    setting = f"With {_optimiser_phrase(records)} on xor" + (f" at T = {T}" if T else "")
    text = f"{setting} (solved: {viz.threshold_text(first)}), " + "; ".join(sentences) + "."
    ortho = [r for r in records if r["init"] == "ortho"]
    if ortho:
        k, n = successes(ortho)
        text += (f" So under this optimiser the orthogonal init cracks XOR {verdict(k, n)}"
                 + (" it was given." if k == n else "."))
    rows = []
    for (_, init), runs in by_init.items():
        k, n = successes(runs)
        rows.append([init, f"{k}/{n}", interval_text(k, n), f"{len(solved_epochs(runs))}/{n}",
                     epochs_text(solved_epochs(runs)), final_text(runs), n_diverged(runs)])
    table = rp.markdown_table(["init", "ends solved", "95% CI", "reached", "solved epoch: median [min, max]",
                               f"final {rp.METRIC_LABELS[first['metric_name']]}: median [min, max]", "diverged"], rows)
    return text + "\n\n" + table


# ----------------------------------------------------------------------------------------------------------------
# experiment 2: solve_vs_T

# seed 000 asks for T = 30, 60, 80, 100, 150, 200; 120 is kept from the first version of this grid
SOLVE_VS_T_GRID = Grid(("3bit_memorization", "addition"), ("ortho", "random", "identity", "chain"),
                       (30, 60, 80, 100, 120, 150, 200), "0-4")


def figure_solve_vs_T(records: list[dict]) -> Figure:
    """One panel per task: success rate against T, one line per init, 95% Wilson intervals as error bars."""
    by_task = group_by(records, lambda r: (_task_rank(r["task"]),))
    inits = sorted({r["init"] for r in records}, key=viz.init_rank)
    colours = viz.init_colours(inits)
    fig = Figure(figsize=(5.4 * len(by_task) + 0.6, 5.1), layout="constrained")
    axes, legend_ax = panels_over_legend(fig, len(by_task), sharey=True)
    for ax, (((_, task),), runs) in zip(axes, by_task.items(), strict=True):
        rate_lines(ax, runs, inits, lambda r: r["init"], colours)
        set_log2_T_axis(ax, sorted({r["sequence_len"] for r in runs}))
        ax.set_title(f"{task} (solved: {viz.threshold_text(runs[0])})", fontsize=11, fontweight="bold")
    legend_below(axes, legend_ax)
    sizes = {len(g) for g in group_by(records, lambda r: (r["task"], r["sequence_len"], r["init"])).values()}
    n = sizes.pop() if len(sizes) == 1 else None
    axes[0].set_ylabel("success rate (final metric solved)" + (f", n = {n} per point" if n else ""))
    fig.suptitle("Success rate against sequence length per initial W_hh (error bars: 95% Wilson interval)",
                 fontsize=12)
    caption(fig, records)
    return fig


def answer_solve_vs_T(records: list[dict]) -> str:
    by_task = group_by(records, lambda r: (_task_rank(r["task"]),))
    inits = sorted({r["init"] for r in records}, key=viz.init_rank)
    Ts = sorted({r["sequence_len"] for r in records})
    sentences = []
    for ((_, task),), runs in by_task.items():
        reach = []
        for init in inits:
            longest = longest_all_solved(_rate_points([r for r in runs if r["init"] == init]))
            reach.append(f"{init} {'no T' if longest is None else f'T = {longest}'}")
        sentences.append(f"on {task}, {join_words(reach)}")
    totals = [f"{init} {rate_text([r for r in records if r['init'] == init])}" for init in inits]
    text = (f"The longest sequence length up to which every run at every T (of {', '.join(map(str, Ts))}) ends "
            f"solved is: " + "; ".join(sentences) + ". Pooled over tasks and lengths, the success rates (95% CI) "
            f"are {join_words(totals)}.")
    decline = []
    for init in inits:
        points = _rate_points([r for r in records if r["init"] == init])
        first, last = points[0], points[-1]
        if len(points) > 1 and first[1] / first[2] > last[1] / last[2]:
            decline.append(f"{init} ({first[1]}/{first[2]} at T = {first[0]} to {last[1]}/{last[2]} at T = {last[0]})")
    if decline:
        text += " Pooled over tasks, success falls from the shortest to the longest T for " + join_words(decline) + "."
    else:
        text += " No init's pooled success rate is lower at the longest T than at the shortest."
    rows = []
    for ((_, task), T), runs in group_by(records, task_key).items():
        row = [task, T]
        for init in inits:
            mine = [r for r in runs if r["init"] == init]
            row.append(rate_text(mine) if mine else "-")
        rows.append(row)
    return text + "\n\n" + rp.markdown_table(["task", "T"] + [f"{init}: solved [95% CI]" for init in inits], rows)


# ----------------------------------------------------------------------------------------------------------------
# experiment 3: identity_vs_ortho
#
# Three arms: ortho + tanh (the headline), identity + tanh (a flat spectrum with no randomness), identity + relu
# (the IRNN of Le et al. 2015). The activation is a training option, so relu is a grid of its own.

ARMS = (("ortho", "tanh"), ("identity", "tanh"), ("identity", "relu"))
IDENTITY_TASKS = (("addition", 30), ("temporal_order", 60), ("3bit_memorization", 60))
IDENTITY_GRIDS = tuple(
    grid
    for task, T in IDENTITY_TASKS
    for grid in (Grid((task,), ("ortho", "identity"), (T,), "0-2", {"activation": "tanh"}),
                 Grid((task,), ("identity",), (T,), "0-2", {"activation": "relu"}))
)


def arm_of(r: dict) -> str:
    return f"{r['init']}+{r['config']['activation']}"


def _arm_rank(arm: str) -> tuple[int, str]:
    names = [f"{i}+{a}" for i, a in ARMS]
    return (names.index(arm) if arm in names else len(names), arm)


def arm_colours(arms) -> dict[str, str]:
    """tanh arms in their init's colour; the others from the fallback palette, never reusing a tanh colour."""
    arms = sorted(set(arms), key=_arm_rank)
    by_init = viz.init_colours(a.split("+")[0] for a in arms)
    spare = iter([c for c in viz.FALLBACK_COLOURS if c not in by_init.values()])
    colours = {}
    for arm in arms:
        init, activation = arm.split("+")
        colours[arm] = by_init[init] if activation == "tanh" else next(spare, "tab:gray")
    return colours


def figure_identity_vs_ortho(records: list[dict]) -> Figure:
    """Per (task, T): the final metric of every run (dots), one column per arm, with chance and the threshold;
    an x marks a run that diverged."""
    by_task = group_by(records, task_key)
    arms = sorted({arm_of(r) for r in records}, key=_arm_rank)
    colours = arm_colours(arms)
    fig = Figure(figsize=(4.6 * len(by_task) + 0.6, 5.3), layout="constrained")
    axes, legend_ax = panels_over_legend(fig, len(by_task))
    for ax, (((_, task), T), runs) in zip(axes, by_task.items(), strict=True):
        first = runs[0]
        for x, arm in enumerate(arms):
            mine = [r for r in runs if arm_of(r) == arm]
            for dx, r in zip(jitter(len(mine)), mine, strict=True):
                if r.get("diverged"):
                    y, transform = (r["final_metric"], ax.transData) if r["final_metric"] is not None else (
                        0.97, ax.get_xaxis_transform())  # no finite epoch at all: at the top of the panel
                    ax.plot([x + dx], [y], "x", color=colours[arm], ms=9, mew=2, transform=transform)
                    ax.annotate(f"@{r['diverged']}", (x + dx, y), xycoords=transform, xytext=(5, 0),
                                textcoords="offset points", fontsize=7.5, va="center", color="0.3")
                else:
                    ax.plot([x + dx], [r["final_metric"]], "o", color=colours[arm], ms=7, alpha=0.85)
        style_metric_axis(ax, first)
        ax.set_xticks(range(len(arms)))
        ax.set_xticklabels([f"{arm}\n{successes([r for r in runs if arm_of(r) == arm])[0]}/"
                            f"{sum(arm_of(r) == arm for r in runs)} solved" for arm in arms], fontsize=9)
        ax.set_xlim(-0.6, len(arms) - 0.4)
        m = first["metric_name"]
        ax.set_title(f"{task}, T = {T}\nchance {rp.format_metric(first['chance'], m)}, solved: "
                     f"{viz.threshold_text(first)}", fontsize=10.5)
        ax.grid(alpha=0.3, axis="y")
    handles = [Line2D([], [], **viz.CHANCE_STYLE), Line2D([], [], **viz.THRESHOLD_STYLE),
               Line2D([], [], color="0.3", marker="o", ls="none"), Line2D([], [], color="0.3", marker="x", mew=2,
                                                                           ms=8, ls="none")]
    labels = ["chance", "solved threshold", "a run (its final metric)", "a run that diverged (@ epoch)"]
    legend_ax.legend(handles, labels, loc="center", ncol=4, fontsize=9.5, frameon=False)
    fig.suptitle("Final metric per run: random orthogonal vs identity W_hh, tanh and relu units", fontsize=12)
    caption(fig, records)
    return fig


def answer_identity_vs_ortho(records: list[dict]) -> str:
    arms = sorted({arm_of(r) for r in records}, key=_arm_rank)
    by_task = group_by(records, task_key)
    totals = []
    for arm in arms:
        mine = [r for r in records if arm_of(r) == arm]
        d = n_diverged(mine)
        totals.append(f"{arm} in {rate_text(mine)}" + (f" ({d} diverged)" if d else ""))
    text = f"Pooled over the {len(by_task)} tasks, the runs end solved (95% CI) for {join_words(totals)}."
    pair = ("ortho+tanh", "identity+tanh")
    if all(a in arms for a in pair):
        ortho = [r for r in records if arm_of(r) == pair[0]]
        ident = [r for r in records if arm_of(r) == pair[1]]
        at_least = [task for ((_, task), _), runs in by_task.items()
                    if successes([r for r in runs if arm_of(r) == pair[1]])[0]
                    >= successes([r for r in runs if arm_of(r) == pair[0]])[0]]
        text += (f" identity+tanh solves at least as many runs as ortho+tanh on {len(at_least)} of {len(by_task)} "
                 f"tasks" + (f" ({', '.join(at_least)})" if at_least else "") + ".")
        (k_o, n_o), (k_i, n_i) = successes(ortho), successes(ident)
        lo_o, hi_i = sweep.wilson_interval(k_o, n_o)[0], sweep.wilson_interval(k_i, n_i)[1]
        if k_o == 0 and k_i == 0:
            text += " Neither solves any run, so these runs cannot tell what makes the orthogonal init work."
        elif k_i / n_i >= k_o / n_o:
            text += (" In these runs a flat spectrum without randomness does as well as a random orthogonal "
                     "matrix: the randomness is not what makes the orthogonal init work.")
        elif hi_i < lo_o:
            text += (" The identity does clearly worse than a random orthogonal matrix (the pooled 95% intervals "
                     "do not overlap), so the flat spectrum alone is not enough here.")
        else:
            text += (" The identity does worse, but the pooled 95% intervals overlap, so these seeds cannot tell "
                     "whether the randomness matters.")
    rows = []
    for ((_, task), T), runs in by_task.items():
        for arm in arms:
            mine = [r for r in runs if arm_of(r) == arm]
            if mine:
                k, n = successes(mine)
                rows.append([task, T, arm, f"{k}/{n}", interval_text(k, n), final_text(mine), n_diverged(mine)])
    table = rp.markdown_table(
        ["task", "T", "arm", "ends solved", "95% CI", "final metric: median [min, max]", "diverged"], rows)
    return text + "\n\n" + table


# ----------------------------------------------------------------------------------------------------------------
# experiment 4: convergence (reads the ten-seed headline results; trains nothing of its own)

CONVERGENCE_RESULTS = SeedsResults("0-9")


def figure_convergence(records: list[dict]) -> Figure:
    """Per (task, T): the epoch at which each run first meets the threshold, one column per init, the median as
    a bar; runs that never do sit in a 'never' row above the last epoch, counted."""
    by_task = group_by(records, task_key)
    inits = sorted({r["init"] for r in records}, key=viz.init_rank)
    colours = viz.init_colours(inits)
    n_epochs = max(r["config"]["n_epochs"] for r in records)
    never_y = n_epochs * 1.1
    fig = Figure(figsize=(4.2 * len(by_task) + 0.6, 4.8), layout="constrained")
    axes = fig.subplots(1, len(by_task), squeeze=False, sharey=True)[0]
    for ax, (((_, task), T), runs) in zip(axes, by_task.items(), strict=True):
        for x, init in enumerate(inits):
            mine = [r for r in runs if r["init"] == init]
            epochs = solved_epochs(mine)
            never = len(mine) - len(epochs)
            ax.plot(x + jitter(len(epochs)), epochs, "o", color=colours[init], ms=7, alpha=0.8)
            if epochs:
                median = float(np.median(epochs))
                ax.hlines(median, x - 0.25, x + 0.25, color="black", lw=2.2, zorder=5)
                ax.text(x + 0.27, median, f"median {median:g}", va="center", fontsize=8.5)
            if never:
                ax.plot(x + jitter(never), [never_y] * never, "o", mfc="none", color=colours[init], ms=7)
            ax.text(x, never_y + n_epochs * 0.06, f"never: {never}/{len(mine)}", ha="center", va="bottom",
                    fontsize=9)
        ax.axhline(n_epochs, color="0.6", lw=0.8, ls=":")
        ax.set_xticks(range(len(inits)))
        ax.set_xticklabels(inits)
        ax.set_xlim(-0.6, len(inits) - 0.4)
        ax.set_title(f"{task}, T = {T}\n(solved: {viz.threshold_text(runs[0])})", fontsize=10.5, fontweight="bold")
        ax.grid(alpha=0.3, axis="y")
    axes[0].set_ylim(0, n_epochs * 1.28)
    ticks = [t for t in axes[0].get_yticks() if 0 <= t <= n_epochs]
    axes[0].set_yticks(ticks + [never_y])
    axes[0].set_yticklabels([f"{t:g}" for t in ticks] + ["never"])
    axes[0].set_ylabel("first epoch meeting the threshold")
    n_seeds = len({r["seed"] for r in records})
    fig.suptitle(f"When each init first solves each headline task, {sweep.plural(n_seeds, 'seed')} (bar: median)",
                 fontsize=12)
    caption(fig, records)
    return fig


def answer_convergence(records: list[dict]) -> str:
    by_task = group_by(records, task_key)
    inits = sorted({r["init"] for r in records}, key=viz.init_rank)
    n_seeds = len({r["seed"] for r in records})
    sentences = []
    for ((_, task), T), runs in by_task.items():
        parts = []
        for init in inits:
            mine = [r for r in runs if r["init"] == init]
            epochs = solved_epochs(mine)
            if epochs:
                parts.append(f"{init} in {len(epochs)}/{len(mine)} runs at median epoch "
                             f"{float(np.median(epochs)):g} (range {min(epochs)}-{max(epochs)})")
            else:
                parts.append(f"{init} in 0/{len(mine)}")
        sentences.append(f"on {task} (T = {T}) {join_words(parts)}")
    n_epochs = common(records, lambda r: r["config"]["n_epochs"])
    over = f"Over {sweep.plural(n_seeds, 'seed')}" + (f" and {sweep.plural(n_epochs, 'epoch')}" if n_epochs else "")
    text = (f"{over}, the threshold is first met " + "; ".join(sentences) + ". The table also gives the Wilson "
            "interval of the rate of reaching the threshold and how many runs still meet it at the last epoch.")
    rows = []
    for ((_, task), T), runs in by_task.items():
        for init in inits:
            mine = [r for r in runs if r["init"] == init]
            if not mine:
                continue
            epochs, n = solved_epochs(mine), len(mine)
            k, _ = successes(mine)
            rows.append([task, T, init, f"{len(epochs)}/{n}", interval_text(len(epochs), n), epochs_text(epochs),
                         n - len(epochs), f"{k}/{n}"])
    table = rp.markdown_table(["task", "T", "init", "reached", "95% CI", "solved epoch: median [min, max]",
                               "never solved", "ends solved"], rows)
    return text + "\n\n" + table


# ----------------------------------------------------------------------------------------------------------------
# experiment 5: latching (Bengio, Simard & Frasconi 1994)

LATCHING_GRID = Grid(("latching",), ("ortho", "random"), (2, 5, 10, 20, 30, 50, 100), "0-9",
                     {"n_hidden": 1, "n_epochs": 20})
# With one unit the ortho start is w = +1 or -1 and the random start N(0, 0.1^2), which forgets like 0.1^T. Bengio
# et al.'s question is whether training finds a bistable |w| > 1; starts just below and just above 1 ask it.
LATCHING_GAINS = (0.9, 1.1)
LATCHING_GRIDS = (LATCHING_GRID,) + tuple(
    Grid(("latching",), ("identity",), LATCHING_GRID.sequence_lens, LATCHING_GRID.seeds,
         {**LATCHING_GRID.options, "hh_scale": gain}) for gain in LATCHING_GAINS)


def latching_arm(r: dict) -> str:
    """'ortho', 'random', or 'identity w0 0.9': the start of the single recurrent weight."""
    return f"identity w0 {r['config']['hh_scale']:g}" if r["init"] == "identity" else r["init"]


def _latching_rank(arm: str) -> tuple:
    return (1, arm) if arm.startswith("identity") else (0, viz.init_rank(arm))


def weight_sentence(records: list[dict], arms: list[str]) -> str:
    """|w| at the start and at the end per arm (the one singular value of a 1 x 1 W_hh), and how many runs end with
    |w| > 1, the bistable regime that can latch a bit."""
    parts = []
    for arm in arms:
        mine = [r for r in records if latching_arm(r) == arm and r.get("W_hh_singular_values_final")]
        if not mine or len(mine[0]["W_hh_singular_values_final"]) != 1:
            continue
        w0 = np.median([r["W_hh_singular_values_init"][0] for r in mine])
        w1 = [r["W_hh_singular_values_final"][0] for r in mine]
        parts.append(f"{arm}: median |w| {w0:.2f} at the start, {np.median(w1):.2f} at the end, above 1 in "
                     f"{sum(w > 1 for w in w1)}/{len(w1)} runs")
    return ("The single recurrent weight, " + "; ".join(parts) + ".") if parts else ""


def figure_latching(records: list[dict]) -> Figure:
    """Left: success rate against T per init with 95% Wilson intervals. Right: final accuracy, mean per init
    (line) and per run (faint dots), with chance and the threshold."""
    inits = sorted({latching_arm(r) for r in records}, key=_latching_rank)
    colours = viz.init_colours(inits)
    Ts = sorted({r["sequence_len"] for r in records})
    fig = Figure(figsize=(11.5, 4.9), layout="constrained")
    ax_rate, ax_acc = fig.subplots(1, 2)
    for j, init in enumerate(inits):
        mine = [r for r in records if latching_arm(r) == init]
        offset = 1.04 ** (j - (len(inits) - 1) / 2)
        rate_errorbar(ax_rate, _rate_points(mine), offset, colours[init], init)
        by_T = group_by(mine, lambda r: (r["sequence_len"],))
        means = [np.mean([r["final_metric"] for r in g if r["final_metric"] is not None] or [np.nan])
                 for g in by_T.values()]
        ax_acc.plot([T * offset for (T,) in by_T], means, "-o", color=colours[init], lw=1.6, label=f"{init}: mean")
        for (T,), g in by_T.items():
            finals = [r["final_metric"] for r in g if r["final_metric"] is not None]
            ax_acc.plot([T * offset] * len(finals), finals, ".", color=colours[init], alpha=0.35, ms=6)
    for ax in (ax_rate, ax_acc):
        set_log2_T_axis(ax, Ts)
        ax.grid(alpha=0.3)
    ax_rate.set_ylim(-0.05, 1.05)
    ax_rate.set_ylabel("success rate (final accuracy solved)")
    ax_rate.set_title("runs that end solved (95% Wilson interval)", fontsize=11)
    ax_rate.legend(fontsize=9, loc="upper right", frameon=False)
    style_metric_axis(ax_acc, records[0])
    ax_acc.set_ylabel("final accuracy")
    ax_acc.set_title("final accuracy: mean (line) and each run (dots)", fontsize=11)
    ax_acc.legend(fontsize=9, loc="lower left", frameon=False)
    H = common(records, lambda r: r["config"]["n_hidden"])
    units = f"{H}-unit" if H else "small"
    fig.suptitle(f"Information latching with a {units} RNN: how long can it hold the first input?", fontsize=12)
    caption(fig, records)
    return fig


def answer_latching(records: list[dict]) -> str:
    inits = sorted({latching_arm(r) for r in records}, key=_latching_rank)
    H = common(records, lambda r: r["config"]["n_hidden"])
    n_epochs = common(records, lambda r: r["config"]["n_epochs"])
    sentences = []
    for init in inits:
        points = _rate_points([r for r in records if latching_arm(r) == init])
        longest = longest_all_solved(points)
        T_max, k, n = points[-1]
        T_min, k_min, n_min = points[0]
        head = (f"{init} ends solved in every run up to T = {longest}" if longest is not None
                else f"{init} ends solved in only {k_min}/{n_min} runs already at the shortest T = {T_min}")
        sentences.append(f"{head}, and in {k}/{n} {interval_text(k, n)} at the longest, T = {T_max}")
    setting = f"With {H} hidden unit{'s' if H != 1 else ''}" if H else "With these networks"
    if n_epochs:
        setting += f" and {n_epochs} epochs"
    text = (f"{setting} (solved: {viz.threshold_text(records[0])}), " + "; ".join(sentences) + ". "
            "Here every training batch is generated afresh, each sequence's class drawn on its own with "
            "probability one half, and the reported accuracy is measured on those fresh batches: there is no fixed "
            "data set split into training and validation parts, so the failure mode discussed in seed 003, an "
            "unshuffled split that leaves one class alone in validation, cannot arise in these numbers.")
    weights = weight_sentence(records, inits)
    text += (" " + weights) if weights else ""
    rows = []
    for (T,), runs in group_by(records, lambda r: (r["sequence_len"],)).items():
        row = [T]
        for init in inits:
            mine = [r for r in runs if latching_arm(r) == init]
            finals = [r["final_metric"] for r in mine if r["final_metric"] is not None]
            row += [rate_text(mine) if mine else "-", f"{np.mean(finals):.3f}" if finals else "-"]
        rows.append(row)
    header = ["T"] + [h for init in inits for h in (f"{init}: solved [95% CI]", f"{init}: mean final accuracy")]
    return text + "\n\n" + rp.markdown_table(header, rows)


# ----------------------------------------------------------------------------------------------------------------
# the registry

EXPERIMENTS: dict[str, Experiment] = {
    e.name: e
    for e in [
        Experiment(
            "xor_nesterov",
            "Does Nesterov momentum with Sutskever's schedule let the orthogonal init crack XOR at T = 30?",
            (XOR_GRID,), (_quick(XOR_GRID),), figure_xor_nesterov, answer_xor_nesterov,
        ),
        Experiment(
            "solve_vs_T",
            "How does the success rate fall as T grows, per init?",
            (SOLVE_VS_T_GRID,), (_quick(SOLVE_VS_T_GRID, (30, 60)),), figure_solve_vs_T, answer_solve_vs_T,
        ),
        Experiment(
            "identity_vs_ortho",
            "Does the randomness of the orthogonal matrix matter, or only its flat spectrum (identity, tanh and "
            "ReLU)?",
            IDENTITY_GRIDS, tuple(_quick(g) for g in IDENTITY_GRIDS), figure_identity_vs_ortho,
            answer_identity_vs_ortho,
        ),
        Experiment(
            "convergence",
            "Across 10 seeds, when does each init solve each headline task?",
            (), (), figure_convergence, answer_convergence,
            results=CONVERGENCE_RESULTS, quick_results=SeedsResults("0-1", QUICK_OPTIONS),
        ),
        Experiment(
            "latching",
            "How does a 1-unit RNN's success at information latching fall with T, from starts of its weight below, "
            "at and above 1?",
            # the quick variant keeps the single unit: the question is about one unit
            LATCHING_GRIDS, tuple(_quick(g, (2, 5, 10), n_hidden=1) for g in LATCHING_GRIDS), figure_latching,
            answer_latching,
        ),
    ]
}


def resolve(name: str) -> list[Experiment]:
    """[the experiment], or every experiment for 'all'. Raises ExperimentError for an unknown name."""
    if name == "all":
        return list(EXPERIMENTS.values())
    if name not in EXPERIMENTS:
        raise ExperimentError(f"unknown experiment {name!r}; choose from {', '.join(EXPERIMENTS)}, all")
    return [EXPERIMENTS[name]]


# ----------------------------------------------------------------------------------------------------------------
# commands


def _partial_note(exp: Experiment, n_have: int, n_want: int, quick: bool, outdir: str) -> str | None:
    if n_have >= n_want:
        return None
    return (f"partial: {n_have} of the {n_want} runs of {exp.name} are in {exp.data_path(quick, outdir)}; "
            f"finish with `{command('run', exp.name, quick, outdir)}`")


def run_experiment(exp: Experiment, quick: bool, outdir: str, jobs: int, quiet: bool) -> int:
    """Train what is missing of `exp` through the sweep script (or rnn_pathological.py for `convergence`)."""
    path = exp.data_path(quick, outdir)
    print(f"== {exp.name}: {exp.question}", flush=True)
    source = exp.results_for(quick)
    if source is not None:
        argv = source.main_argv(path, jobs, quiet)
        if os.path.exists(path):
            print(f"{path} exists; nothing to train (delete it to recreate it with: "
                  f"{shlex.join(['python', 'rnn_pathological.py', *source.main_argv(path)])})", flush=True)
            return 0
        return rp.main(argv)
    status = 0
    for grid in exp.grids_for(quick):
        code = sweep.main(grid.sweep_argv(path, jobs, quiet))
        if code == 130:  # Ctrl-C: the user wants everything to stop, not the next grid to start
            return code
        status = status or code
    return status


def plot_experiment(exp: Experiment, quick: bool, outdir: str) -> str:
    records, n_want = load_records(exp, quick, outdir)
    note = _partial_note(exp, len(records), n_want, quick, outdir)
    if note:
        print(f"note: {note}", file=sys.stderr)
    path = figure_path(exp.name, quick, outdir)
    files.prepare_outdir(os.path.dirname(path))
    rp.save_figure_atomic(exp.figure(records), path, dpi=100)
    return path


def answer_text(exp: Experiment, quick: bool, outdir: str) -> str:
    records, n_want = load_records(exp, quick, outdir)
    text = exp.answer(records)
    note = _partial_note(exp, len(records), n_want, quick, outdir)
    return (f"_{note[0].upper() + note[1:]}._\n\n" if note else "") + text  # a partial grid says so first


def list_text() -> str:
    blocks = []
    for exp in EXPERIMENTS.values():
        lines = [f"{exp.name}: {exp.n_runs()} runs (--quick: {exp.n_runs(quick=True)})",
                 f"  question: {exp.question}",
                 f"  command:  {command('run', exp.name)}"]
        lines += [f"  runs:     {c}" for c in exp.underlying_commands()]
        lines += [f"  writes:   {exp.data_path(False)} -> {figure_path(exp.name, False)}"]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


# ----------------------------------------------------------------------------------------------------------------
# command line


def build_parser() -> argparse.ArgumentParser:
    parser = rp.OneLineErrorParser(
        prog=PROG,
        description="Named experiments on the pathological tasks: run their sweeps, draw their figures, and print "
        "their answers from the sweep files.",
        epilog=f"experiments: {', '.join(EXPERIMENTS)} (or all); `{PROG} list` gives their questions.",
    )
    sub = parser.add_subparsers(dest="command", metavar="{list,run,plot,answer}")
    sub.add_parser("list", help="names, questions, the full-size command and the number of runs of each experiment",
                   description="List the experiments.")
    verbs = {
        "run": "train the experiment's grids through the sweep script into its sweep file (resumable)",
        "plot": "draw viz/exp_NAME.png from the sweep file (never trains)",
        "answer": "print the experiment's answer, a markdown paragraph and table computed from the sweep file",
    }
    for verb, text in verbs.items():
        p = sub.add_parser(verb, help=text, description=text[0].upper() + text[1:] + ".")
        p.add_argument("name", metavar="NAME", help=f"experiment: {', '.join(EXPERIMENTS)}, or all")
        p.add_argument("--quick", action="store_true",
                       help="the tiny variant (8 hidden units, 2 epochs of 2 batches of 10, two seeds, the shortest "
                       "lengths), in sweeps/quick/ and viz/quick/")
        p.add_argument("--outdir", default=".", metavar="DIR",
                       help="folder holding sweeps/, viz/ and results_seeds.json; with --quick, sweeps/quick/ "
                       "(results_seeds.json there too) and viz/quick/ under it (default: the current folder)")
        if verb == "run":
            p.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                           help="worker processes (default: the number of cores, %(default)s); results do not "
                           "depend on it")
            p.add_argument("--quiet", action="store_true", help="no progress line per finished run")
    return parser


@rp.script_main
def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command is None:
        print(f"{PROG}: error: no command; choose from list, run, plot, answer (see --help)", file=sys.stderr)
        return 2
    if args.command == "list":
        print(list_text())
        return 0
    try:
        experiments = resolve(args.name)
        if args.command == "run" and args.jobs < 1:
            raise ExperimentError(f"--jobs must be a positive integer, got {args.jobs}")
        # the folders this command writes, checked before anything trains or is drawn
        written = [exp.data_path(args.quick, args.outdir) if args.command == "run"
                   else figure_path(exp.name, args.quick, args.outdir) for exp in experiments]
        folders = {os.path.dirname(path) or "." for path in written}
        for folder in sorted(folders) if args.command != "answer" else ():
            files.prepare_outdir(folder)
    except (ExperimentError, files.FileError) as err:
        print(f"{PROG}: error: {err}", file=sys.stderr)
        return 2
    status = 0
    for exp in experiments:
        try:
            if args.command == "run":
                code = run_experiment(exp, args.quick, args.outdir, args.jobs, args.quiet)
                if code == 130:  # Ctrl-C stops `run all` too
                    return code
                status = code or status
            elif args.command == "plot":
                print(f"wrote {plot_experiment(exp, args.quick, args.outdir)}")
            else:
                text = answer_text(exp, args.quick, args.outdir)
                print(f"### {exp.name}\n\n*{exp.question}*\n\n{text}\n" if len(experiments) > 1 else text)
        except (ExperimentError, files.FileError) as err:  # with `all`, one missing file does not stop the others
            print(f"{PROG}: error: {err}", file=sys.stderr)
            status = 2
    return status


# Experiment families in sibling modules build on the helpers above and add themselves to EXPERIMENTS when they
# are imported (whichever module is imported first). Run as a script, this file hands over to the importable
# module, so that it and the siblings share one copy of it.
if __name__ == "__main__":
    import experiments_rnn_pathological as _module

    sys.exit(_module.main())
else:
    import experiments_dynamics_rnn_pathological  # noqa: F401  (registers symbol_coding)
    import experiments_family_rnn_pathological  # noqa: F401  (registers the family experiments)
    import experiments_gated_rnn_pathological  # noqa: F401  (registers frontier, order_table, latching_lstm, ...)
