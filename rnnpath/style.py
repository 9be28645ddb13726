"""The plot style every figure shares (colours per init, baseline and threshold lines, metric labels, log axes) and
the atomic figure writer every figure goes through. Matplotlib's object-oriented API only: no pyplot state.
"""

from __future__ import annotations

import io
import math
import os

import numpy as np
from matplotlib.ticker import FuncFormatter, NullFormatter

import rnn_pathological as rp

# ----------------------------------------------------------------------------------------------------------------
# runs grouped and coloured
#
# Runs are compared within a (task, T) group, one line per init. The file decides which tasks and inits appear:
# nothing here lists them, so a results file with new tasks or inits draws without changes.

INIT_COLOURS = {"ortho": "tab:blue", "random": "tab:red"}
# the engine's other inits in rp.INITS order, then any init a file brings that the engine does not know
FALLBACK_COLOURS = ("tab:green", "tab:purple", "tab:brown", "tab:pink", "tab:olive", "tab:cyan", "tab:gray")
CHANCE_STYLE = {"color": "0.35", "ls": "--", "lw": 1.0}
PARTIAL_STYLE = {"color": "tab:brown", "ls": (0, (1, 1.5)), "lw": 1.2}  # the best one-item-short predictor


def draw_baselines(ax, run: dict) -> None:
    """Chance (dashed) and, where it differs, the partial baseline (dotted brown): the best predictor that holds
    every item but one, e.g. addition's one-marker predictor. The solved threshold lies beyond both."""
    spec = rp.TASKS.get(run["task"])
    m = run["metric_name"]
    ax.axhline(run["chance"], **CHANCE_STYLE, label=f"chance {rp.format_metric(run['chance'], m)}")
    if spec is not None:
        partial = spec.partial(run["sequence_len"])
        if partial != run["chance"]:
            ax.axhline(partial, **PARTIAL_STYLE, label=f"one item short {rp.format_metric(partial, m)}")
THRESHOLD_STYLE = {"color": "0.55", "ls": "-.", "lw": 0.8}


def init_colours(inits) -> dict[str, str]:
    """A colour per init, the same in every figure of the suite whatever else is drawn beside it: ortho blue,
    random red, the engine's other inits from FALLBACK_COLOURS in rp.INITS order, unknown inits after them."""
    known = [name for name in rp.INITS if name not in INIT_COLOURS]
    unknown = sorted(set(inits) - set(INIT_COLOURS) - set(known))
    palette = {name: FALLBACK_COLOURS[k % len(FALLBACK_COLOURS)] for k, name in enumerate(known + unknown)}
    return {**INIT_COLOURS, **palette}


def init_rank(init: str) -> tuple[int, str]:
    return (rp.INITS.index(init) if init in rp.INITS else len(rp.INITS), init)


def group_order(runs: list[dict]):
    """Sort key of (task, T, ...) tuples: tasks in the order they first appear in the file, then T ascending."""
    first_seen = {}
    for run in runs:
        first_seen.setdefault(run["task"], len(first_seen))
    return lambda key: (first_seen[key[0]],) + tuple(key[1:])


def group_runs(runs: list[dict]) -> dict[tuple[str, int], list[dict]]:
    """{(task, T): runs}, tasks in the order they first appear in the file and T ascending within a task; the runs
    of a group in init order (ortho, random, then the rest), then seed."""
    groups: dict[tuple[str, int], list[dict]] = {}
    for run in runs:
        groups.setdefault((run["task"], run["sequence_len"]), []).append(run)
    for members in groups.values():
        members.sort(key=lambda r: (init_rank(r["init"]), r["seed"]))
    return {key: groups[key] for key in sorted(groups, key=group_order(runs))}


def run_label(run: dict, group: list[dict]) -> str:
    """The init, plus the seed when the group holds more than one seed."""
    several_seeds = len({r["seed"] for r in group}) > 1
    return f"{run['init']} seed {run['seed']}" if several_seeds else run["init"]


def metric_label(metric_name: str, higher_is_better: bool = True) -> str:
    """Axis label of a metric, e.g. "0.5*MSE (lower is better)" or "accuracy"."""
    label = rp.METRIC_LABELS.get(metric_name, metric_name.replace("_", " "))
    return label if higher_is_better else f"{label} (lower is better)"


def threshold_text(run: dict) -> str:
    """The solved rule of a run's task in a few words: '0.5*MSE < 0.0208', or on the per-case tasks 'under 18% of
    cases off by more than 0.04'."""
    if rp.is_per_case(run):
        return f"under {run['solved_threshold']:.3g} of cases off by more than {rp.SUTSKEVER_TOLERANCE:g}"
    name = rp.METRIC_LABELS.get(run["metric_name"], run["metric_name"])
    op = ">" if run["higher_is_better"] else "<"
    return f"{name} {op} {rp.format_metric(run['solved_threshold'], run['metric_name'])}"


def metric_line(run: dict) -> tuple[float, str]:
    """(value, label) of the line a metric axis draws for a run's task: the solved threshold, or on the per-case
    tasks, whose rule is not on the metric's axis, the partial-progress line."""
    name = rp.METRIC_LABELS.get(run["metric_name"], run["metric_name"])
    op = ">" if run["higher_is_better"] else "<"
    if rp.is_per_case(run):
        value = run["progress_threshold"]
        return value, f"partial progress: {name} {op} {rp.format_metric(value, run['metric_name'])}"
    return run["solved_threshold"], f"solved: {threshold_text(run)}"


def history_series(run: dict, field: str) -> tuple[np.ndarray, np.ndarray]:
    """(epochs, values) of one history field, each (n_epochs_run,)."""
    history = run["history"]
    return np.array([h["epoch"] for h in history]), np.array([h[field] for h in history], dtype=float)


def metric_at_epoch(run: dict, epoch: int) -> float | None:
    return next((h["metric"] for h in run["history"] if h["epoch"] == epoch), None)


def plain_log_y(ax) -> None:
    """Log y axis with plain tick labels (0.02, not 2x10^-2); over less than two decades, label 2s and 5s too."""
    ax.set_yscale("log")
    plain = FuncFormatter(lambda v, _: f"{v:g}")
    ax.yaxis.set_major_formatter(plain)
    lo, hi = ax.get_ylim()
    if hi / lo < 100:

        def two_or_five(v, _):
            mantissa = round(v / 10 ** math.floor(math.log10(v) + 1e-9), 6)
            return f"{v:g}" if mantissa in (2, 5) else ""

        ax.yaxis.set_minor_formatter(FuncFormatter(two_or_five))
    else:
        ax.yaxis.set_minor_formatter(NullFormatter())


def save_figure_atomic(fig, path: str, dpi: int) -> None:
    """fig.savefig(path) made atomic: the image is rendered in memory (in the format of the path's suffix, PNG by
    default), then written with write_bytes_atomic, so an interrupted plot leaves the old figure whole. `fig` is
    anything with matplotlib's savefig; the engine itself imports no plotting library."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format=os.path.splitext(path)[1].lstrip(".").lower() or "png", dpi=dpi)
    rp.write_bytes_atomic(path, buffer.getvalue())
