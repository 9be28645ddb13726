"""Figures of a results file written by rnn_pathological.py. Reads the file; never trains.

    python rnn_pathological.py --all --seed 0                 # once: trains the headline, writes results.json
    python visualize_rnn_pathological.py                      # results.json -> viz/*.png
    python visualize_rnn_pathological.py --results other.json --outdir figures/

Figures, one PNG each in --outdir:
  ortho_vs_random.png  training loss and task metric per epoch, one column per (task, T), one line per init
  summary_table.png    final and best metric and the solved epoch of every run, colour-coded
  spectrum_W_hh.png    singular values of W_hh at init and after training (the spectra cached in the file)
  task_examples.png    one generated example of every task in rnn_pathological.TASKS
  grad_norm.png        mean global gradient norm before clipping, per epoch

The results file is read and checked by rnnpath.files.load_results, like in every other script: a bad
file is one line naming the file and what is wrong, before anything is drawn.

Sections, in dependency order: runs grouped and coloured, figures, command line. The figures use matplotlib's
object-oriented API on Agg canvases and never pyplot: no display is needed, and no global registry of open figures
grows when the functions are called many times (as in tests).
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from dataclasses import dataclass

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Rectangle

import rnn_pathological as rp
from rnnpath import files, style
from rnnpath.style import (
    CHANCE_STYLE,
    THRESHOLD_STYLE,
    draw_baselines,
    group_order,
    group_runs,
    history_series,
    init_colours,
    init_rank,
    metric_at_epoch,
    metric_label,
    metric_line,
    plain_log_y,
    run_label,
    threshold_text,
)

PROG = "visualize_rnn_pathological.py"

def _config_line(doc: dict) -> str:
    c = doc.get("config") or {}
    keys = ("n_hidden", "n_epochs", "batches_per_epoch", "batch_size", "lr", "momentum", "clip")
    if not all(k in c for k in keys):
        return ""
    return (
        f"H = {c['n_hidden']} hidden units, {c['n_epochs']} epochs x {c['batches_per_epoch']} batches of "
        f"{c['batch_size']}, lr {c['lr']:g}, momentum {c['momentum']:g}, clip {c['clip']:g}"
    )


# ----------------------------------------------------------------------------------------------------------------
# figures
#
# Each function takes the loaded document and returns a Figure; main saves it. Panel sizes are fixed per column,
# so a file with more groups gives a wider figure instead of smaller text.


def several_seeds(runs: list[dict]) -> bool:
    return len({r["seed"] for r in runs}) > 1


def by_init(runs: list[dict]) -> dict[str, list[dict]]:
    """{init: runs}, inits in the order of `runs`."""
    out: dict[str, list[dict]] = {}
    for run in runs:
        out.setdefault(run["init"], []).append(run)
    return out


def median_series(runs: list[dict], field: str) -> tuple[np.ndarray, np.ndarray]:
    """(epochs, the median of one history field over `runs` at each epoch), over the runs that reached the epoch
    (a diverged run stops early)."""
    series = [history_series(run, field) for run in runs]
    n_epochs = max(len(epochs) for epochs, _ in series)
    medians = [float(np.median([v[e] for _, v in series if len(v) > e])) for e in range(n_epochs)]
    return np.arange(1, n_epochs + 1), np.array(medians)


# A file of several seeds draws every seed as a thin line and each init's median over the seeds as a thick one;
# the legend has one entry per init instead of one per run, so it stays a few lines long whatever the seed count.
SEED_STYLE = {"lw": 0.7, "alpha": 0.45}
MEDIAN_STYLE = {"lw": 2.2}


def _seeds_text(members: list[dict]) -> str:
    """'10 seeds, 9 end solved' (and how many diverged)."""
    n = len(members)
    text = f"{n} seed{'s' * (n != 1)}, {sum(map(rp.is_success, members))} end solved"
    diverged = sum(1 for r in members if r["diverged"])
    return text + (f", {diverged} diverged" if diverged else "")


def _plot_seed_curves(ax_loss, ax_metric, runs: list[dict], colours: dict[str, str]) -> None:
    """Every seed thin, with a small dot at its solved epoch and an x at a divergence; each init's median thick."""
    for run in runs:
        c = colours[run["init"]]
        epochs, loss = history_series(run, "loss")
        _, metric = history_series(run, "metric")
        ax_loss.plot(epochs, loss, color=c, **SEED_STYLE)
        ax_metric.plot(epochs, metric, color=c, **SEED_STYLE)
        if run["solved_epoch"] is not None:
            at = metric_at_epoch(run, run["solved_epoch"])
            ax_metric.plot([run["solved_epoch"]], [at], "o", color=c, ms=3.5, alpha=0.8, zorder=5)
        if run["diverged"] and len(epochs):
            ax_metric.plot(epochs[-1:], metric[-1:], "x", color=c, ms=7, mew=1.5)
    for init, members in by_init(runs).items():
        c = colours[init]
        ax_loss.plot(*median_series(members, "loss"), color=c, **MEDIAN_STYLE)
        ax_metric.plot(*median_series(members, "metric"), color=c, **MEDIAN_STYLE,
                       label=f"{init} median ({_seeds_text(members)})")
    ax_metric.plot([], [], "o", color="0.4", ms=3.5, label="a seed's first solved epoch")
    if any(r["diverged"] for r in runs):
        ax_metric.plot([], [], "x", color="0.4", ms=7, mew=1.5, label="a seed diverged")


def plot_ortho_vs_random(doc: dict) -> Figure:
    """Top row: training loss (log y). Bottom row: the metric with chance and the solved threshold; a dot and a
    dotted vertical line mark each arm's solved epoch, an x a divergence. With several seeds in a group, each seed
    is a thin line and each init's median a thick one (see _plot_seed_curves)."""
    groups = group_runs(doc["runs"])
    colours = init_colours(r["init"] for r in doc["runs"])
    fig = Figure(figsize=(4.4 * len(groups) + 0.4, 7.2), layout="constrained")
    axes = fig.subplots(2, len(groups), squeeze=False, sharex="col")
    for col, ((task, T), runs) in enumerate(groups.items()):
        ax_loss, ax_metric = axes[0, col], axes[1, col]
        first = runs[0]
        if several_seeds(runs):
            _plot_seed_curves(ax_loss, ax_metric, runs, colours)
        for run in runs if not several_seeds(runs) else ():
            c, label = colours[run["init"]], run_label(run, runs)
            epochs, loss = history_series(run, "loss")
            _, metric = history_series(run, "metric")
            ax_loss.plot(epochs, loss, color=c, lw=1.4, label=label)
            solved = run["solved_epoch"]
            status = f"solved @ epoch {solved}" if solved is not None else "not solved"
            ax_metric.plot(epochs, metric, color=c, lw=1.4, label=f"{label}: {status}")
            if solved is not None:
                ax_metric.axvline(solved, color=c, ls=":", lw=1.2)
                ax_metric.plot([solved], [metric_at_epoch(run, solved)], "o", color=c, ms=6, zorder=5)
            if run["diverged"] and len(epochs):
                ax_metric.plot(epochs[-1:], metric[-1:], "x", color=c, ms=9, mew=2, label=f"{label} diverged")
        draw_baselines(ax_metric, first)
        line, line_label = metric_line(first)
        ax_metric.axhline(line, **THRESHOLD_STYLE, label=line_label)

        ax_loss.set_title(f"{task}, T = {T}", fontsize=12, fontweight="bold")
        plain_log_y(ax_loss)
        ax_loss.set_ylabel("training loss (log scale)")
        if first["higher_is_better"]:  # the accuracies, fractions in [0, 1]
            ax_metric.set_ylim(-0.02, 1.05)
        else:
            # an error or a loss spans orders of magnitude between the first epoch and a solved network
            plain_log_y(ax_metric)
        ax_metric.set_ylabel(metric_label(first["metric_name"], first["higher_is_better"]))
        ax_metric.set_xlabel("epoch")
        # below the panel, where it cannot hide a curve whatever the data
        ax_metric.legend(fontsize=9, loc="upper center", bbox_to_anchor=(0.5, -0.2),
                         ncol=1 if several_seeds(runs) else 2, frameon=False)
        for ax in (ax_loss, ax_metric):
            ax.grid(alpha=0.3)
    if {r["init"] for r in doc["runs"]} == {"ortho", "random"}:
        fig.suptitle("Orthogonal (blue) versus small random (red) initial W_hh: training curves", fontsize=13)
    else:
        fig.suptitle("Training curves per initial W_hh (ortho blue, random red)", fontsize=13)
    return fig


# summary-table cell colours
GREEN, AMBER, RED, GREY = "#b9e4a8", "#ffd98a", "#f6b0b0", "#e6e6e6"


def run_status(run: dict) -> tuple[str, str]:
    """(cell colour, status in words) of a run: green solved and still solved at the end, amber solved at some
    epoch but not at the end (or diverged later), red never solved."""
    if run["solved_epoch"] is not None and rp.is_success(run):
        return GREEN, "solved"
    if run["solved_epoch"] is not None:  # the loaders re-judge every record, so this is the engine's rule
        return AMBER, "solved, then lost"
    return RED, "never solved"


def plot_summary_table(doc: dict) -> Figure:
    """One row per (task, T) (and seed, when the file has several), one column per init."""
    runs = doc["runs"]
    several_seeds = len({r["seed"] for r in runs}) > 1
    inits = sorted({r["init"] for r in runs}, key=init_rank)
    rows: dict[tuple, dict[str, dict]] = {}
    for r in runs:
        key = (r["task"], r["sequence_len"]) + ((r["seed"],) if several_seeds else ())
        rows.setdefault(key, {}).setdefault(r["init"], r)
    rows = {key: rows[key] for key in sorted(rows, key=group_order(runs))}

    label_w, cell_w, row_h = 1.25, 1.0, 1.0  # in table units; one unit of width is 2.9 in, of height 0.82 in
    width = label_w + cell_w * len(inits)
    # margins in inches, whatever the number of rows: the title above, the colour key and the caption below
    table_in, top_in, bottom_in = 0.82 * (len(rows) + 0.6), 0.45, 0.7
    height_in = table_in + top_in + bottom_in
    fig = Figure(figsize=(2.9 * width + 0.2, height_in))
    ax = fig.add_axes((0.01, bottom_in / height_in, 0.98, table_in / height_in))
    ax.set_xlim(0, width)
    ax.set_ylim(len(rows) + 0.6, 0)
    ax.axis("off")

    def cell(x0, y0, w, h, colour, text, **kw):
        ax.add_patch(Rectangle((x0, y0), w, h, facecolor=colour, edgecolor="white", lw=3))
        ax.text(x0 + w / 2, y0 + h / 2, text, ha="center", va="center", fontsize=10, linespacing=1.45, **kw)

    cell(0, 0, label_w, 0.6, "#d0d7e2", "task, sequence length T", fontweight="bold")
    for k, init in enumerate(inits):
        cell(label_w + k * cell_w, 0, cell_w, 0.6, "#d0d7e2", f"init = {init}", fontweight="bold")
    for i, (key, by_init) in enumerate(rows.items()):
        y0 = 0.6 + i * row_h
        any_run = next(iter(by_init.values()))
        seed = f", seed {key[2]}" if several_seeds else ""
        m = any_run["metric_name"]
        cell(0, y0, label_w, row_h, "#eef1f5",
             f"{key[0]}, T = {key[1]}{seed}\nchance {rp.format_metric(any_run['chance'], m)}\n"
             f"solved means {threshold_text(any_run)}")
        for k, init in enumerate(inits):
            run = by_init.get(init)
            x0 = label_w + k * cell_w
            if run is None:
                cell(x0, y0, cell_w, row_h, GREY, "no run")
                continue
            colour, status = run_status(run)
            if run["diverged"]:
                status = f"diverged @ epoch {run['diverged']}"
            solved = f"solved @ epoch {run['solved_epoch']}" if run["solved_epoch"] is not None else status
            if run["solved_epoch"] is not None and status != "solved":
                solved += f" ({status})"
            cell(x0, y0, cell_w, row_h, colour,
                 f"final {rp.format_metric(run['final_metric'], m)}\n"
                 f"best {rp.format_metric(run['best_metric'], m)} (epoch {run['best_epoch']})\n{solved}")
    handles = [
        Patch(facecolor=GREEN, label="solved, and still solved at the last epoch"),
        Patch(facecolor=AMBER, label="reached the threshold at some epoch, not at the end"),
        Patch(facecolor=RED, label="never reached the threshold"),
    ]
    fig.legend(handles=handles, loc="lower center", ncol=3, fontsize=9, frameon=False,
               bbox_to_anchor=(0.5, 0.22 / height_in))
    caption = "final: the last epoch's metric; best: the best epoch's (epoch-mean) metric.  " + _config_line(doc)
    fig.text(0.5, 0.06 / height_in, caption, ha="center", va="bottom", fontsize=8, color="0.3")
    fig.suptitle("Results per task and init of W_hh", fontsize=13, y=1 - 0.08 / height_in, va="top")
    return fig


def plot_spectrum(doc: dict) -> Figure:
    """Singular values of W_hh in descending order, at init (dashed) and after training (solid), per (task, T)."""
    groups = group_runs(doc["runs"])
    colours = init_colours(r["init"] for r in doc["runs"])
    n_inits = len({r["init"] for r in doc["runs"]})
    fig = Figure(figsize=(4.4 * len(groups) + 0.4, 3.7 + 0.2 * n_inits), layout="constrained")
    axes = fig.subplots(1, len(groups), squeeze=False, sharey=True)[0]
    for ax, ((task, T), runs) in zip(axes, groups.items(), strict=True):
        multi = several_seeds(runs)
        for run in runs:
            c, label = colours[run["init"]], run_label(run, runs)
            sv_init = run["W_hh_singular_values_init"]
            sv_final = run["W_hh_singular_values_final"]
            if multi:  # one legend entry per init and stage, every seed a thin line
                members = by_init(runs)[run["init"]]
                named = members[0] is run
                label = f"{run['init']} ({len(members)} seed{'s' * (len(members) != 1)})"
                ax.plot(np.arange(1, len(sv_init) + 1), sv_init, color=c, ls="--", lw=0.8, alpha=0.6,
                        label=f"{label} at init" if named else None)
                ax.plot(np.arange(1, len(sv_final) + 1), sv_final, color=c, ls="-", lw=1.0, alpha=0.6,
                        label=f"{label} trained" if named else None)
                continue
            ax.plot(np.arange(1, len(sv_init) + 1), sv_init, color=c, ls="--", lw=1.2, label=f"{label} at init")
            ax.plot(np.arange(1, len(sv_final) + 1), sv_final, color=c, ls="-", lw=1.8, label=f"{label} trained")
        # an orthogonal matrix has every singular value 1: the level at which a direction neither grows nor decays
        ax.axhline(1.0, color="0.5", lw=0.8, ls=":")
        ax.set_title(f"{task}, T = {T}", fontsize=11, fontweight="bold")
        ax.set_xlabel("index (largest first)")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8.5, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2, frameon=False)
    axes[0].set_ylabel("singular value of W_hh")
    fig.suptitle("Spectrum of the recurrent matrix W_hh: dashed at init, solid after training", fontsize=12)
    return fig


# Task examples. Which steps of an input a target depends on is knowledge about each task that the engine does not
# export, so it is written down here for the tasks the engine ships. A task not listed still gets a panel: one-hot
# inputs as a symbol-by-time image, a single channel as a line, several channels as a heat map.

HIGHLIGHT = "tab:orange"
VALUE_MARKER_TASKS = ("addition", "multiplication", "xor")  # channel 0 a value, channel 1 a 0/1 marker
RECALL_CUE = {"noiseless_memorization_5bit": "go", "noiseless_memorization_20bit": "go", "copy": "delimiter"}
SYMBOL_NAMES = {
    "temporal_order": ("A", "B", "c", "d", "e", "f"),
    "temporal_order_3": ("A", "B", "c", "d", "e", "f"),
    "3bit_memorization": ("bit 0", "bit 1", "query", "noise a", "noise b"),
}


@dataclass(frozen=True)
class ExampleNotes:
    """What a panel of task_examples.png points out."""

    remembered: list[int]  # steps whose input the target depends on
    read_at: int  # the first step at which the network must produce what it remembered
    target: str  # the target in words, for the title


def example_notes(spec: rp.Task, x: np.ndarray, y: np.ndarray) -> ExampleNotes:
    """x: (L, n_in), one sequence; y: () a last-step target, or (L,) per-step labels with -1 where unscored."""
    task, L = spec.name, x.shape[0]
    if task in VALUE_MARKER_TASKS:
        marked = [int(t) for t in np.flatnonzero(x[:, 1] > 0.5)]
        a, b = (float(x[t, 0]) for t in marked)
        target = {
            "addition": f"target {float(y):.3f} = {a:.3f} + {b:.3f}",
            "multiplication": f"target {float(y):.3f} = {a:.3f} x {b:.3f}",
            "xor": f"bits {int(a)} xor {int(b)} -> class {int(y)}",
        }[task]
        return ExampleNotes(marked, L - 1, target)
    if task in ("temporal_order", "temporal_order_3"):
        informative = [int(t) for t in np.flatnonzero(x[:, :2].sum(axis=1) > 0.5)]
        order = "".join("AB"[int(np.argmax(x[t]))] for t in informative)
        return ExampleNotes(informative, L - 1, f"order {order} -> class {int(y)}")
    if task == "3bit_memorization":
        bits = "".join(str(int(np.argmax(x[t]))) for t in range(3))
        return ExampleNotes([0, 1, 2], L - 1, f"bits {bits} -> class {int(y)}")
    if task == "random_permutation":
        return ExampleNotes([0], L - 1, f"first symbol {int(np.argmax(x[0]))} -> last-step target {int(y)}")
    if task in RECALL_CUE:
        n_pos = spec.extra_steps // 2  # the symbols to store, then as many recall steps at the end
        symbols = "".join(str(int(np.argmax(x[t]))) for t in range(n_pos))
        return ExampleNotes(list(range(n_pos)), L - n_pos, f"recall {symbols} after '{RECALL_CUE[task]}'")
    if task == "latching":
        return ExampleNotes([0], L - 1, f"first step {x[0, 0]:+.2f} -> class {int(y)}")
    if np.ndim(y) == 0:
        return ExampleNotes([], L - 1, f"target {float(y):.3f}" if spec.loss == "mse" else f"class {int(y)}")
    return ExampleNotes([], L - 1, f"targets at {int(np.sum(np.asarray(y) >= 0))} scored steps")


def _is_one_hot(x: np.ndarray) -> bool:
    return bool(np.all((x == 0) | (x == 1)) and np.all(x.sum(axis=1) == 1))


def _stretches(steps: list[int]) -> list[tuple[int, int]]:
    """Sorted steps as half-open runs of consecutive steps: [0, 1, 2, 7] -> [(0, 3), (7, 8)]."""
    runs: list[tuple[int, int]] = []
    for t in sorted(steps):
        if runs and runs[-1][1] == t:
            runs[-1] = (runs[-1][0], t + 1)
        else:
            runs.append((t, t + 1))
    return runs


def _symbol_names(spec: rp.Task) -> list[str] | None:
    if spec.name in SYMBOL_NAMES:
        return list(SYMBOL_NAMES[spec.name])
    if spec.name in RECALL_CUE:
        return [str(k) for k in range(spec.n_in - 2)] + ["blank", RECALL_CUE[spec.name]]
    return None


def _point_out(ax, notes: ExampleNotes, L: int, y_arrow: float) -> None:
    """A double arrow from the first remembered step to where it is read, and the recall stretch shaded."""
    if not notes.remembered:
        return
    first = notes.remembered[0]
    if notes.read_at < L - 1:  # the output is produced over a stretch of steps, not at the last one alone
        ax.axvspan(notes.read_at - 0.5, L - 0.5, color=HIGHLIGHT, alpha=0.15, lw=0)
    ax.annotate("", xy=(notes.read_at, y_arrow), xytext=(first, y_arrow),
                arrowprops={"arrowstyle": "<->", "color": HIGHLIGHT, "lw": 1.5})
    ax.text((first + notes.read_at) / 2, y_arrow, f"remember for {notes.read_at - first} steps", ha="center",
            va="bottom", fontsize=9, color="0.15", bbox={"facecolor": "white", "edgecolor": "none", "pad": 1})


def _draw_value_marker(fig, slot, x: np.ndarray, notes: ExampleNotes, title: str) -> None:
    """Value channel as stems (marked steps orange) above the marker channel as bars. x: (L, 2)."""
    L = x.shape[0]
    t = np.arange(L)
    ax_v, ax_m = slot.subgridspec(2, 1, height_ratios=(3, 1), hspace=0.08).subplots(sharex=True)
    ax_v.vlines(t, 0, x[:, 0], color="0.6", lw=1.5)
    ax_v.plot(t, x[:, 0], "o", color="0.45", ms=3.5, label="value channel")
    ax_v.plot(notes.remembered, x[notes.remembered, 0], "o", color=HIGHLIGHT, ms=8, label="marked value")
    ax_v.set_ylim(-0.08, 1.8)  # headroom above the values: the arrow, then the legend at the top
    ax_v.set_yticks([0, 0.5, 1])
    ax_v.set_ylabel("value")
    _point_out(ax_v, notes, L, 1.2)
    ax_v.legend(fontsize=8, loc="upper left", ncol=2, frameon=False)
    ax_v.set_title(title, fontsize=10.5, fontweight="bold")
    ax_m.bar(t, x[:, 1], color=[HIGHLIGHT if v > 0.5 else "0.7" for v in x[:, 1]], width=0.8)
    ax_m.set_ylim(0, 1.15)
    ax_m.set_yticks([0, 1])
    ax_m.set_ylabel("marker")
    ax_m.set_xlabel("time step")
    ax_m.set_xlim(-1, L)


def _draw_line(fig, slot, x: np.ndarray, notes: ExampleNotes, title: str) -> None:
    """A single input channel as a line, remembered steps as orange dots. x: (L, 1)."""
    L = x.shape[0]
    ax = fig.add_subplot(slot)
    ax.plot(np.arange(L), x[:, 0], "-o", color="0.5", ms=3, lw=1)
    ax.plot(notes.remembered, x[notes.remembered, 0], "o", color=HIGHLIGHT, ms=9)
    lo, hi = float(x.min()), float(x.max())
    span = hi - lo or 1.0
    ax.set_ylim(lo - 0.1 * span, hi + 0.6 * span)
    _point_out(ax, notes, L, hi + 0.3 * span)
    ax.set_ylabel("input")
    ax.set_xlabel("time step")
    ax.set_title(title, fontsize=10.5, fontweight="bold")


def _draw_image(fig, slot, x: np.ndarray, notes: ExampleNotes, title: str, symbols: list[str] | None) -> None:
    """The input as an image, symbol or channel (rows) by time (columns); one-hot in black and white. x: (L, n)."""
    L, n_in = x.shape
    one_hot = _is_one_hot(x)
    ax = fig.add_subplot(slot)
    ax.imshow(x.T, aspect="auto", interpolation="nearest", cmap="Greys" if one_hot else "viridis",
              vmin=0 if one_hot else None, vmax=1 if one_hot else None)
    for start, stop in _stretches(notes.remembered):
        ax.add_patch(Rectangle((start - 0.5, -0.5), stop - start, n_in, fill=False, edgecolor=HIGHLIGHT, lw=2))
    # headroom above the image for the arrow; rows run top to bottom as in the input vector
    ax.set_ylim(n_in - 0.5, -0.5 - (0.35 * n_in if notes.remembered else 0))
    _point_out(ax, notes, L, -0.5 - 0.17 * n_in)
    if symbols is None and n_in > 12:
        ax.set_yticks(range(0, n_in, max(1, n_in // 5)))
    else:
        ax.set_yticks(range(n_in))
        ax.set_yticklabels(symbols or [str(k) for k in range(n_in)], fontsize=8.5)
    ax.set_ylabel("symbol (one-hot)" if one_hot else "input channel")
    ax.set_xlabel("time step")
    ax.set_title(title, fontsize=10.5, fontweight="bold")


def plot_task_examples(doc: dict | None = None) -> Figure:
    """One example of every task in rp.TASKS, at the T of its first run in `doc` (else the task's headline_len).

    Each task draws from its own np.random.default_rng(0), so an example does not change when tasks are added.
    """
    lengths = {}
    for run in (doc or {}).get("runs", []):
        lengths.setdefault(run["task"], run["sequence_len"])
    specs = list(rp.TASKS.values())
    ncols = 1 if len(specs) == 1 else 2 if len(specs) <= 4 else 3
    nrows = math.ceil(len(specs) / ncols)
    fig = Figure(figsize=(6.6 * ncols, 3.5 * nrows), layout="constrained")
    grid = fig.add_gridspec(nrows, ncols)
    for k, spec in enumerate(specs):
        T = max(lengths.get(spec.name, spec.headline_len), spec.min_len)
        x_batch, y_batch = rp.generate_batch(spec, T, 1, np.random.default_rng(0))
        x, y = x_batch[:, 0, :], y_batch[..., 0]  # (L, n_in); () or (L,)
        notes = example_notes(spec, x, y)
        title = f"{spec.name}, T = {T}: {notes.target}"
        slot = grid[k // ncols, k % ncols]
        if spec.name in VALUE_MARKER_TASKS:
            _draw_value_marker(fig, slot, x, notes, title)
        elif x.shape[1] == 1:
            _draw_line(fig, slot, x, notes, title)
        else:
            _draw_image(fig, slot, x, notes, title, _symbol_names(spec))
    fig.suptitle("One example input per task (orange: what must be remembered, and for how long)", fontsize=13)
    return fig


def plot_grad_norm(doc: dict) -> Figure:
    """Mean global gradient norm before clipping per epoch (log y), with the clipping threshold."""
    groups = group_runs(doc["runs"])
    colours = init_colours(r["init"] for r in doc["runs"])
    fig = Figure(figsize=(4.4 * len(groups) + 0.4, 4.0), layout="constrained")
    axes = fig.subplots(1, len(groups), squeeze=False)[0]
    for ax, ((task, T), runs) in zip(axes, groups.items(), strict=True):
        if several_seeds(runs):  # every seed thin, each init's median thick and in the legend
            for run in runs:
                ax.plot(*history_series(run, "grad_norm"), color=colours[run["init"]], **SEED_STYLE)
            for init, members in by_init(runs).items():
                ax.plot(*median_series(members, "grad_norm"), color=colours[init], **MEDIAN_STYLE,
                        label=f"{init}, median of {len(members)} seed{'s' * (len(members) != 1)}")
        for run in runs if not several_seeds(runs) else ():
            epochs, norm = history_series(run, "grad_norm")
            ax.plot(epochs, norm, color=colours[run["init"]], lw=1.4, label=run_label(run, runs))
        clip = (runs[0].get("config") or doc.get("config") or {}).get("clip")
        if clip is not None:
            ax.axhline(clip, **CHANCE_STYLE, label=f"clip threshold {clip:g}")
        plain_log_y(ax)
        ax.set_title(f"{task}, T = {T}", fontsize=11, fontweight="bold")
        ax.set_xlabel("epoch")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=9, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=1 if several_seeds(runs) else 3,
                  frameon=False)
    axes[0].set_ylabel("mean gradient norm before clipping")
    fig.suptitle("Mean global gradient norm per epoch, before clipping (above the threshold, updates are clipped)",
                 fontsize=12)
    return fig


FIGURES = (
    ("ortho_vs_random.png", plot_ortho_vs_random),
    ("summary_table.png", plot_summary_table),
    ("spectrum_W_hh.png", plot_spectrum),
    ("task_examples.png", plot_task_examples),
    ("grad_norm.png", plot_grad_norm),
)


# ----------------------------------------------------------------------------------------------------------------
# command line


def build_parser() -> argparse.ArgumentParser:
    parser = rp.OneLineErrorParser(
        prog=PROG,
        description="Draw the figures of a results file written by rnn_pathological.py. Never trains.",
        epilog=f"first create the results file with:\n  {files.RESULTS_COMMAND}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--results", default="results.json", help="results file to read (default: %(default)s)")
    parser.add_argument("--outdir", default="viz", help="folder for the PNG files, created if needed "
                        "(default: %(default)s)")
    return parser


@rp.script_main
def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        doc = files.load_results(args.results)
        files.check_engine_runs(doc["runs"], args.results)  # as the analyses and the report: a task this engine knows
        files.prepare_outdir(args.outdir)
    except ValueError as err:
        print(f"{PROG}: error: {err}", file=sys.stderr)
        return 2
    for name, plot in FIGURES:
        path = os.path.join(args.outdir, name)
        try:
            style.save_figure_atomic(plot(doc), path, dpi=100)
        except OSError as err:
            print(f"{PROG}: error: cannot write {path}: {err.strerror or err}", file=sys.stderr)
            return 1
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
