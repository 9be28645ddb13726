"""Why temporal order is easy (seed 000, open question 6): an ablation of its symbol coding and its positions; and
signal_trained, the trained networks whose sensitivity the signal analysis measures against T. Registered in
rnnpath experiment (the entry point):

    python -m rnnpath experiment run symbol_coding --jobs 2     # 140 runs into sweeps/symbol_coding.jsonl
    python -m rnnpath experiment plot symbol_coding             # -> viz/exp_symbol_coding.png
    python -m rnnpath experiment answer symbol_coding           # the answer, from the sweep file
    python -m rnnpath experiment run signal_trained --jobs 2    # 80 runs, their trained weights kept

Seed 000 saw the orthogonal start solve temporal_order at T = 60 in 11 epochs, where addition at half the length took
41 to pass seed 000's own line for addition (0.5 * MSE < 0.05, which a network holding one of the two values meets;
the suite's per-case rule is far stricter), and guessed why: the informative symbols arrive as one-hot vectors, so
each has an input direction of its own and the network gets a free gate, only having to keep which direction fired.
Two things make temporal order differ from the other tasks, and the grid takes them apart:

  coding     onehot (the published task); dense (every symbol a fixed random unit vector, so every symbol drives
             every channel: the same information, linearly recoverable, but no symbol owns a channel); scalar (one
             channel carrying a value per symbol: the informative symbols must be told apart by thresholds);
  positions  default (the informative symbols at random steps in [0.1 T, 0.2 T) and [0.5 T, 0.6 T)) or early (at
             t = 0 and 1, so the first lies T - 1 steps before the answer, as 3bit_memorization's first bit does).

Each of the 6 arms runs under the ortho and random starts with 10 seeds at T = 60 and the headline budget, beside
3bit_memorization at T = 60 (the same seeds) as the reference for a one-hot task with the long delay. The options are
engine training options (rp.OPTIONS symbol_code and positions), so the runs go through the sweep script like every
other experiment's, and the defaults reproduce the published task bit for bit.

signal_trained trains the vanilla tanh RNN on temporal_order at T = 30, 60, 120 and 200 from both starts, at each
start's tuned setting (frontier_tuning's picks) and the frontier's seeds 100-109, with --keep-weights: networks
trained at each T, from the length where both starts solve to the one where neither does, so that
`python -m rnnpath analyze signal run` can measure their sensitivity to W_hh against the length each trained at (the
curse of memory on trained networks; seed 001, issue 24). Its own figure and answer say where each run ended: the
runs that end solved and the trained spectral radius. About half a core-hour; the weights make its sweep file about
10 MB.

Sections: the grids, the figure, the answer, signal_trained, the registry entry.
"""

from __future__ import annotations

import math

import numpy as np
from matplotlib.figure import Figure

import rnn_pathological as rp
from rnnpath import stats, style
from rnnpath.experiments import base as ex
from rnnpath.experiments import tuning
from rnnpath.text import markdown_table

# ----------------------------------------------------------------------------------------------------------------
# the grids

CODING_T = 60
CODING_SEEDS = "0-9"  # ten per arm, so that two arms can differ by Fisher's or the rank-sum test (three could not)
CODING_ARMS = tuple((code, positions) for positions in ("default", "early") for code in rp.SYMBOL_CODES)
REFERENCE_TASK = "3bit_memorization"


def _coding_grids(seeds: str, T: int, extra: dict | None = None) -> tuple[ex.Grid, ...]:
    extra = extra or {}
    grids = [ex.Grid(("temporal_order",), rp.HEADLINE_INITS, (T,), seeds,
                     {"symbol_code": code, "positions": positions, **extra}) for code, positions in CODING_ARMS]
    grids.append(ex.Grid((REFERENCE_TASK,), rp.HEADLINE_INITS, (T,), seeds, dict(extra)))
    return tuple(grids)


CODING_GRIDS = _coding_grids(CODING_SEEDS, CODING_T)
CODING_QUICK_GRIDS = _coding_grids("0-1", 10, ex.QUICK_OPTIONS)


def arm_of(r: dict) -> str:
    """'onehot, default' for a temporal_order run, the task's name for the reference."""
    if r["task"] != "temporal_order":
        return r["task"]
    c = rp.full_config(r["config"])
    return f"{c['symbol_code']}, {c['positions']}"


ARM_NAMES = tuple(f"{code}, {positions}" for code, positions in CODING_ARMS) + (REFERENCE_TASK,)


def _arm_rank(arm: str) -> tuple[int, str]:
    return (ARM_NAMES.index(arm), "") if arm in ARM_NAMES else (len(ARM_NAMES), arm)


def _cells(records: list[dict]) -> dict[tuple[str, str], list[dict]]:
    """{(arm, init): runs}, arms in ARM_NAMES order, inits ortho first, runs by seed."""
    cells: dict[tuple[str, str], list[dict]] = {}
    for r in sorted(records, key=lambda r: (_arm_rank(arm_of(r)), style.init_rank(r["init"]), r["seed"])):
        cells.setdefault((arm_of(r), r["init"]), []).append(r)
    return cells


# ----------------------------------------------------------------------------------------------------------------
# the figure


def figure_symbol_coding(records: list[dict]) -> Figure:
    """Left: the epoch each run first met the threshold (top row: never), per arm and init. Right: the final
    accuracy of each run, with chance, the partial baseline and the threshold."""
    cells = _cells(records)
    arms = sorted({a for a, _ in cells}, key=_arm_rank)
    inits = sorted({i for _, i in cells}, key=style.init_rank)
    colours = style.init_colours(inits)
    n_epochs = max(r["config"]["n_epochs"] for r in records)
    never = 1.08 * n_epochs
    fig = Figure(figsize=(13, 5.2), layout="constrained")
    ax_epoch, ax_final = fig.subplots(1, 2)
    for k, init in enumerate(inits):
        shift = 0.18 * (k - (len(inits) - 1) / 2)
        for j, name in enumerate(arms):
            runs = cells.get((name, init), [])
            xs = j + shift + ex.jitter(len(runs), 0.12)
            epochs = [r["solved_epoch"] if r["solved_epoch"] is not None else never for r in runs]
            ax_epoch.plot(xs, epochs, "o", color=colours[init], ms=6, alpha=0.85,
                          label=init if j == 0 else None)
            ax_final.plot(xs, [r["final_metric"] for r in runs], "o", color=colours[init], ms=6, alpha=0.85,
                          label=init if j == 0 else None)
    ax_epoch.axhline(never, color="0.5", lw=0.6)
    ax_epoch.set_ylim(0, never * 1.04)
    ax_epoch.set_ylabel(f"first epoch past the threshold (top line: never in {n_epochs})")
    ax_epoch.set_title("how fast each run learns", fontsize=11)
    reference = next((r for r in records if r["task"] == "temporal_order"), records[0])
    ex.style_metric_axis(ax_final, reference)
    ax_final.set_ylabel("final accuracy")
    ax_final.set_title(f"where each run ends (lines: {reference['task']}'s; {REFERENCE_TASK}'s chance is "
                       f"{rp.TASKS[REFERENCE_TASK].chance(CODING_T):g})", fontsize=10)
    labels = [a.replace(", ", "\n").replace(REFERENCE_TASK, "3bit_memo-\nrization") for a in arms]
    for ax in (ax_epoch, ax_final):
        ax.set_xticks(range(len(arms)), labels, fontsize=9)
        ax.set_xlabel("temporal_order: symbol code, informative positions (right: the reference task)")
        ax.grid(alpha=0.3, axis="y")
    ax_epoch.legend(fontsize=8.5, loc="center left", frameon=False)
    ax_final.legend(fontsize=8, loc="center right", frameon=False)
    fig.suptitle("Why is temporal order easy? Its symbol coding and positions ablated, at T = "
                 f"{ex.common(records, lambda r: r['sequence_len'])}", fontsize=12)
    ex.caption(fig, records)
    return fig


# ----------------------------------------------------------------------------------------------------------------
# the answer


def _median_epoch(runs: list[dict]) -> float | None:
    epochs = ex.solved_epochs(runs)
    return float(np.median(epochs)) if epochs else None


def _arm_text(cells: dict, name: str, init: str) -> str:
    runs = cells.get((name, init), [])
    if not runs:
        return f"{name}: not run"
    k, n = ex.successes(runs)
    median = _median_epoch(runs)
    reached = len(ex.solved_epochs(runs))
    when = f", first past the threshold at median epoch {median:g}" if median is not None else ", never past it"
    extra = f" ({reached} reached it)" if reached != k else ""
    return f"{name} {k}/{n}{extra}{when}"


def _epochs(runs: list[dict]) -> list[float]:
    """The first epoch each run met the threshold, inf for a run that never did: the rank-sum test's sample (a run
    that never gets there ranks as the latest)."""
    return [math.inf if r["solved_epoch"] is None else float(r["solved_epoch"]) for r in runs]


def _when(runs: list[dict]) -> str:
    """'median epoch 14' over every run, 'never' where most runs never get there."""
    median = float(np.median(_epochs(runs)))
    return "never" if math.isinf(median) else f"median epoch {median:g}"


def _speed(a: list[dict], b: list[dict]) -> tuple[float, str]:
    """The exact rank-sum p between two arms' first solved epochs, and its words."""
    return stats.rank_sum_exact(_epochs(a), _epochs(b)), stats.rank_sum_text(_epochs(a), _epochs(b))


def _ortho(cells: dict, name: str) -> list[dict]:
    return cells.get((name, "ortho"), [])


def _dense_finding(cells: dict) -> str:
    """Dense against one-hot at the default positions: how fast each is learnt, by the rank-sum test."""
    hot, dense = _ortho(cells, "onehot, default"), _ortho(cells, "dense, default")
    if not hot or not dense:
        return ""
    p, words = _speed(dense, hot)
    head = (f"A dense code, in which every symbol drives every input channel, against the one-hot code: first past "
            f"the threshold at {_when(dense)} against {_when(hot)} ({words}")
    if p >= ex.SIGNIFICANCE:
        (k1, n1), (k2, n2) = ex.successes(dense), ex.successes(hot)
        ends = (f"both end solved in {k1}/{n1} runs" if (k1, n1) == (k2, n2) else
                f"solved at the end {ex.compare_text(k1, n1, k2, n2)}")
        return (f"{head}: {ex.NOT_TOLD}; {ends}). These runs give no sign that a channel of its own for each symbol "
                f"is what makes the task easy.")
    faster = float(np.median(_epochs(dense))) < float(np.median(_epochs(hot)))
    return f"{head}): the dense code is learnt {'faster' if faster else 'more slowly'}."


def _scalar_finding(cells: dict) -> str:
    """The scalar code at the default positions against the same code with the symbols first, by Fisher's test."""
    default, first = _ortho(cells, "scalar, default"), _ortho(cells, "scalar, early")
    if not default or not first:
        return ""
    (k_first, n_first), (k_default, n_default) = ex.successes(first), ex.successes(default)
    told = ex.told_apart(k_first, n_first, k_default, n_default)
    best = max(r["best_metric"] for r in default)
    text = (f"A scalar code, in which every symbol pushes the state along the same input direction, ends solved in "
            f"{k_first}/{n_first} runs when the symbols come first and in {k_default}/{n_default} at the default "
            f"positions ({stats.fisher_text(k_first, n_first, k_default, n_default)}"
            + ("" if told else f": {ex.NOT_TOLD}") + f"; the best epoch at the default positions reaches accuracy "
            f"{best:.2f})")
    if not told or k_first <= k_default:
        return text + "."
    return (text + ". This fits a refined form of the seed's hypothesis: the network needs to tell the informative "
            "symbols from the distractors around them at steps it cannot know in advance, and a code whose symbols "
            "are linearly independent (one-hot or dense) lets the input layer do that, while a scalar code leaves it "
            "to the nonlinearity; when the symbols always come first there is nothing to tell apart.")


def _early_finding(cells: dict) -> str:
    """The symbols moved to t = 0 and 1 against the default positions, then against 3bit_memorization at the same
    delay, each by the rank-sum test on the first solved epochs."""
    pairs = [(code, _ortho(cells, f"{code}, early"), _ortho(cells, f"{code}, default")) for code in ("onehot", "dense")]
    pairs = [(code, early, default) for code, early, default in pairs if early and default]
    if not pairs:
        return ""
    tests = [(code, early, default, *_speed(early, default)) for code, early, default in pairs]
    parts = [f"{code} first past the threshold at {_when(early)} against {_when(default)} at the default positions, "
             f"{words}" for code, early, default, _, words in tests]
    sooner = all(p < ex.SIGNIFICANCE and np.median(_epochs(early)) < np.median(_epochs(default))
                 for _, early, default, p, _ in tests)
    untold = [code for code, _, _, p, _ in tests if p >= ex.SIGNIFICANCE]
    move = ("Moving the informative symbols to t = 0 and 1, so that the first waits T - 1 steps like "
            "3bit_memorization's first bit")
    if sooner:
        text = f"{move}, makes the task easier, not harder ({'; '.join(parts)})"
    else:
        text = f"{move}: {'; '.join(parts)}" + (f"; for {' and '.join(untold)} {ex.NOT_TOLD}" if untold else "")
    reference, hot_early = _ortho(cells, REFERENCE_TASK), _ortho(cells, "onehot, early")
    if sooner and reference and hot_early:
        p, words = _speed(reference, hot_early)
        if p < ex.SIGNIFICANCE and np.median(_epochs(reference)) > np.median(_epochs(hot_early)):
            text += (f", while 3bit_memorization at the same delay takes longer ({_when(reference)}, {words} against "
                     f"one-hot first): the delay does not explain why temporal order is easier; at the same layout "
                     f"what remains different is how much there is to hold, two symbols and 4 classes against three "
                     f"bits and 8 classes")
        else:
            text += (f"; 3bit_memorization at the same delay ({_when(reference)}) against one-hot first: {words}, "
                     f"{ex.NOT_TOLD}")
    return text + "."


def answer_symbol_coding(records: list[dict]) -> str:
    cells = _cells(records)
    T = ex.common(records, lambda r: r["sequence_len"])
    arms = sorted({a for a, _ in cells}, key=_arm_rank)
    n_seeds = ex.common(list(cells.values()), len)
    seeds = f"{n_seeds} seeds per arm, so each median is of {n_seeds} runs" if n_seeds else "seeds as in the table"
    lines = [f"At T = {T} ({seeds}), runs that end solved, per arm (ortho start): "
             + "; ".join(_arm_text(cells, a, "ortho") for a in arms) + ". Below, how fast two arms learn is "
             "compared over every run of each, by the exact rank-sum test on the first epoch past the threshold, a "
             "run that never gets there counted as the latest (so a median there can differ from the one above, "
             "which is over the runs that got there)."]

    findings = [f for f in (_dense_finding(cells), _scalar_finding(cells), _early_finding(cells)) if f]
    random = [r for r in records if r["init"] == "random"]
    random_solved = [r for r in random if rp.is_success(r)]
    if random:
        findings.append(f"The random start ends solved in {len(random_solved)} of {len(random)} runs"
                        + (" (" + ", ".join(f"{arm_of(r)} seed {r['seed']}" for r in random_solved) + ")"
                           if random_solved else "") + ".")
    rows = []
    for (name, init), runs in cells.items():
        rows.append([name, init, ex.rate_text(runs), f"{len(ex.solved_epochs(runs))}/{len(runs)}",
                     ex.epochs_text(ex.solved_epochs(runs)), ex.final_text(runs)])
    table = markdown_table(["arm (code, positions)", "init", "solved at the end [95% CI]", "reached",
                               "solved epoch, median [range]", "final accuracy, median [range]"], rows)
    return "\n".join(lines + [""] + [f"- {f}" for f in findings]) + "\n\n" + table


# ----------------------------------------------------------------------------------------------------------------
# signal_trained: trained networks with their weights, for the sensitivity against the length trained at

SIGNAL_TASK = "temporal_order"  # the one headline task that both starts solve at some length (the frontier's counts)
SIGNAL_LENS = (30, 60, 120, 200)  # from where both starts solve to where neither does (the frontier's stop at 200)
SIGNAL_SEEDS = "100-109"  # the frontier's (same keys); ten: paired by seed, the exact signed-rank test reaches 0.002
SIGNAL_INITS = rp.HEADLINE_INITS


def _signal_grids(seeds: str, lens: tuple[int, ...], extra: dict | None = None) -> tuple[ex.Grid, ...]:
    return tuple(ex.Grid((SIGNAL_TASK,), (init,), lens, seeds,
                         {**tuning.tuned_options("rnn", init, SIGNAL_TASK), **(extra or {})}, keep_weights=True)
                 for init in SIGNAL_INITS)


SIGNAL_GRIDS = _signal_grids(SIGNAL_SEEDS, SIGNAL_LENS)
SIGNAL_QUICK_GRIDS = _signal_grids("100-101", (10, 20), ex.QUICK_OPTIONS)


def spectral_radius(r: dict) -> float:
    """The largest |eigenvalue| of a record's trained W_hh (a record written with --keep-weights)."""
    return float(np.max(np.abs(np.linalg.eigvals(np.array(r["W_hh_final"], dtype=float)))))


def _signal_cells(records: list[dict]) -> dict[tuple[str, int], list[dict]]:
    """{(init, T): runs by seed}, inits ortho first, T ascending; records without weights left out."""
    kept = [r for r in records if "W_hh_final" in r]
    return ex.group_by(sorted(kept, key=lambda r: (style.init_rank(r["init"]), r["sequence_len"], r["seed"])),
                       lambda r: (r["init"], r["sequence_len"]))


def figure_signal_trained(records: list[dict]) -> Figure:
    """Left: the runs that end solved against T, per start, with 95% Wilson intervals. Right: each run's trained
    spectral radius against T (filled: solved; open: not), the start's radius 1 (orthogonal) dotted."""
    cells = _signal_cells(records)
    runs = [r for group in cells.values() for r in group]
    inits = sorted({r["init"] for r in runs}, key=style.init_rank)
    colours = style.init_colours(inits)
    Ts = sorted({r["sequence_len"] for r in runs})
    fig = Figure(figsize=(12, 4.8), layout="constrained")
    ax_rate, ax_radius = fig.subplots(1, 2)
    ex.rate_lines(ax_rate, runs, inits, lambda r: r["init"], colours)
    ax_rate.set_ylabel("runs that end solved")
    ax_rate.legend(fontsize=9, frameon=False)
    for k, init in enumerate(inits):
        for T in Ts:
            group = cells.get((init, T), [])
            xs = T * 1.06 ** (k - (len(inits) - 1) / 2) * np.exp(ex.jitter(len(group), 0.06))
            for x, r in zip(xs, group, strict=True):
                solved = rp.is_success(r)
                ax_radius.plot(x, spectral_radius(r), "o", ms=5, color=colours[init],
                               mfc=colours[init] if solved else "none", alpha=0.85)
    ax_radius.axhline(1.0, color="0.4", lw=0.8, ls=":")
    ax_radius.set_ylabel("spectral radius of the trained W_hh (filled: solved)")
    for ax in (ax_rate, ax_radius):
        ex.set_log2_T_axis(ax, Ts)
        ax.grid(alpha=0.3)
    ax_rate.set_title(f"{SIGNAL_TASK}: runs that end solved", fontsize=10)
    ax_radius.set_title("where the trained recurrence ends (its sensitivity: analyze signal)", fontsize=10)
    fig.suptitle("The tanh RNN trained at each T, weights kept: the networks the signal analysis measures "
                 "against T", fontsize=12)
    ex.caption(fig, runs)
    return fig


def kernels_text(records: list[dict]) -> str:
    """'the OpenBLAS Haswell kernel' (or kernels, joined): what the records say computed them."""
    kernels = sorted({f"{b.get('library', '?')} {b.get('kernel', '?')}" for r in records
                      for b in r.get("environment", {}).get("blas", [])})
    if not kernels:
        return "a BLAS kernel the records do not name"
    return f"the {' and '.join(kernels)} kernel{'s' if len(kernels) > 1 else ''}"


def answer_signal_trained(records: list[dict]) -> str:
    """Per start and T: the runs that end solved, that passed the threshold at some epoch, their final accuracy and
    the trained spectral radius. What the networks' sensitivity does is the signal analysis's answer."""
    cells = _signal_cells(records)
    if not cells:
        return "No run with its trained weights in the file yet."
    rows = []
    for (init, T), runs in cells.items():
        radii = [spectral_radius(r) for r in runs]
        rows.append([init, T, ex.rate_text(runs), f"{len(ex.solved_epochs(runs))}/{len(runs)}",
                     ex.epochs_text(ex.solved_epochs(runs)), ex.final_text(runs),
                     f"{np.median(radii):.3g} [{min(radii):.3g}, {max(radii):.3g}]"])
    seeds = sorted({r["seed"] for runs in cells.values() for r in runs})
    head = (f"The vanilla tanh RNN on {SIGNAL_TASK}, at each start's tuned setting (frontier_tuning's picks) and "
            f"seeds {seeds[0]}-{seeds[-1]} (the frontier's seeds and settings: the frontier's runs again, with their "
            f"trained weights kept; trained on {kernels_text(records)}, where a different BLAS kernel from the "
            f"frontier's changes the last digits, and training can carry that to another end), trained at T = "
            f"{', '.join(str(T) for T in sorted({T for _, T in cells}))}. "
            "What these networks' sensitivity to W_hh does against the length each was trained at and the length it "
            "is run at is measured by `python -m rnnpath analyze signal run` (docs/analyses.md, signal "
            "propagation); here, where each run ended. Solved at the end means the last epoch's accuracy at or above "
            "the task's threshold; a run can pass it and fall back (reached counts the runs that passed it at some "
            "epoch), and a run that ends below it may still be well above chance (the final accuracies).")
    epoch = "first epoch past the threshold, median [range] (runs that reached it)"
    table = markdown_table(["init", "T", "solved at the end [95% CI]", "reached", epoch,
                            "final accuracy, median [range]", "trained spectral radius, median [range]"], rows)
    return head + "\n\n" + table


# ----------------------------------------------------------------------------------------------------------------
# the experiment, added to the registry of rnnpath.experiments

EXPERIMENTS = [
    ex.Experiment(
        "symbol_coding",
        "Why is temporal order easy (seed 000, open question 6)? Its symbols one-hot, dense or scalar, at the default "
        "positions or first (the delay of 3bit_memorization)",
        CODING_GRIDS, CODING_QUICK_GRIDS, figure_symbol_coding, answer_symbol_coding,
    ),
    ex.Experiment(
        "signal_trained",
        "What does a trained tanh RNN's sensitivity to its recurrent weights do against the length it was trained at "
        "and the length it is run at (seed 001's curse of memory, on trained networks)? temporal_order at T = 30 to "
        "200, weights kept",
        SIGNAL_GRIDS, SIGNAL_QUICK_GRIDS, figure_signal_trained, answer_signal_trained,
    ),
]
