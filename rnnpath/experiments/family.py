"""The family of experiments that map the suite as a whole: which start solves which task, at which hidden size, at
which scale of the random start. Registered in rnnpath experiment (the entry point):

    python -m rnnpath experiment run family --jobs 2        # every task x every init, 5 seeds
    python -m rnnpath experiment run hidden_size --jobs 2   # H in 16, 32, 64, 128 on the headline tasks
    python -m rnnpath experiment run random_scale --jobs 2  # the random init's std, and the sparse init
    python -m rnnpath experiment run family_float32 --jobs 2  # the family table in float32, set beside it

Each experiment is grids, a figure and an answer, like the others; the helpers (Grid, Experiment, rates, Wilson
intervals, captions) come from rnnpath.experiments, which imports this module at its end to register them.

Sections: the family table, hidden size, random scale, float32 against float64, the experiments.
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

import rnn_pathological as rp
from rnnpath import stats, style
from rnnpath.experiments import base as ex
from rnnpath.text import join_words, markdown_table, plural

# ----------------------------------------------------------------------------------------------------------------
# the family table (Sutskever et al. 2013 Table 5, in spirit): every task under every start
#
# Each task runs at its CLI default length, the headline's where it has one (addition 30, temporal_order and
# 3bit_memorization 60); the others at 30 (temporal_order_3 at 60 like temporal_order), under the headline budget
# (80 epochs of 30 batches of 50, lr 0.01, momentum 0.9, clip 1). random_permutation runs with 100 hidden units,
# as in Sutskever et al. 2013, because its 100 input channels need H >= 100 for the chain inits' source injection.
# The relu arm (the IRNN of Le et al. 2015) is identity with relu units, a grid of its own.

FAMILY_TANH_INITS = ("ortho", "random", "identity", "chain", "fbchain", "sparse")
FAMILY_SEEDS = "0-4"
PERMUTATION_OPTIONS = {"n_hidden": 100}


def _family_grids(seeds: str = FAMILY_SEEDS, extra: dict | None = None) -> tuple[ex.Grid, ...]:
    extra = extra or {}
    by_T: dict[int, list[str]] = {}
    for task in rp.TASKS.values():
        if task.name != "random_permutation" and task.pathological:
            by_T.setdefault(task.headline_len, []).append(task.name)
    grids = []
    for T, tasks in sorted(by_T.items()):
        grids.append(ex.Grid(tuple(tasks), FAMILY_TANH_INITS, (T,), seeds, {**extra}))
        grids.append(ex.Grid(tuple(tasks), ("identity",), (T,), seeds, {"activation": "relu", **extra}))
    perm_T = rp.TASKS["random_permutation"].headline_len
    grids.append(ex.Grid(("random_permutation",), FAMILY_TANH_INITS, (perm_T,), seeds,
                         {**PERMUTATION_OPTIONS, **extra}))
    grids.append(ex.Grid(("random_permutation",), ("identity",), (perm_T,), seeds,
                         {**PERMUTATION_OPTIONS, "activation": "relu", **extra}))
    return tuple(grids)


def _quick_family_grids(extra: dict | None = None) -> tuple[ex.Grid, ...]:
    """The tiny family grids (two seeds). The chain inits inject input k into unit k: the quick grids keep one unit
    per input channel of their tasks."""
    return tuple(ex.quick_grid(g, seeds="0-1", n_hidden=max(ex.QUICK_OPTIONS["n_hidden"],
                                                            *(rp.TASKS[t].n_in for t in g.tasks)))
                 for g in _family_grids("0-1", extra))


FAMILY_GRIDS = _family_grids()
FAMILY_QUICK_GRIDS = _quick_family_grids()


def arm_of(r: dict) -> str:
    """'identity+relu' for the IRNN, the init's name otherwise."""
    return f"{r['init']}+relu" if r["config"].get("activation") == "relu" else r["init"]


FAMILY_ARMS = (*FAMILY_TANH_INITS[:3], "identity+relu", *FAMILY_TANH_INITS[3:])


def _arm_rank(arm: str) -> tuple[int, str]:
    return (FAMILY_ARMS.index(arm), "") if arm in FAMILY_ARMS else (len(FAMILY_ARMS), arm)


def _cells(records: list[dict]) -> dict[tuple[str, str], list[dict]]:
    """{(task, arm): runs}, tasks in engine order, arms in FAMILY_ARMS order."""
    cells: dict[tuple[str, str], list[dict]] = {}
    for r in sorted(records, key=lambda r: (ex.task_rank(r["task"]), _arm_rank(arm_of(r)), r["seed"])):
        cells.setdefault((r["task"], arm_of(r)), []).append(r)
    return cells


def _heat_map(ax, cells: dict[tuple[str, str], list[dict]], tasks: list[str], arms: list[str]):
    """Draw the family table on ax: rows tasks, columns starts, colour the share of runs that end solved, k/n
    written in each cell (and the runs with partial progress in a cell of a per-case task). Returns the image."""
    rate = np.full((len(tasks), len(arms)), np.nan)
    for (task, arm), runs in cells.items():
        k, n = ex.successes(runs)
        i, j = tasks.index(task), arms.index(arm)
        rate[i, j] = k / n
    image = ax.imshow(rate, cmap="RdYlGn", vmin=0, vmax=1, aspect="auto")
    for (task, arm), runs in cells.items():
        k, n = ex.successes(runs)
        i, j = tasks.index(task), arms.index(arm)
        progress = "\n({} partial)".format("{}/{}".format(*ex.progresses(runs))) if ex.is_per_case_group(runs) else ""
        ax.text(j, i, f"{k}/{n}{progress}", ha="center", va="center", fontsize=8 if progress else 9,
                color="black" if 0.2 < k / n < 0.85 else "white", fontweight="bold")
    ax.set_xticks(range(len(arms)), arms, rotation=20, ha="right")
    T_of = {t: cells_runs[0]["sequence_len"] for (t, _), cells_runs in cells.items()}
    ax.set_yticks(range(len(tasks)), [f"{t} (T={T_of[t]})" for t in tasks])
    ax.set_xlabel("initial W_hh (identity+relu: the IRNN)")
    return image


def figure_family(records: list[dict]) -> Figure:
    """A heat map: rows tasks, columns starts, colour the share of runs that end solved, k/n written in each cell;
    in a cell of a per-case task (addition, multiplication) also the runs that end with partial progress."""
    cells = _cells(records)
    tasks = list(dict.fromkeys(t for t, _ in cells))
    arms = sorted({a for _, a in cells}, key=_arm_rank)
    fig = Figure(figsize=(1.25 * len(arms) + 3.6, 0.55 * len(tasks) + 2.2), layout="constrained")
    ax = fig.subplots()
    image = _heat_map(ax, cells, tasks, arms)
    fig.colorbar(image, ax=ax, label="share of runs solved at the final epoch", shrink=0.8)
    per_case = list(dict.fromkeys(t for (t, _), runs in cells.items() if ex.is_per_case_group(runs)))
    ax.set_title("Which start solves which task: runs solved / runs at the final epoch"
                 + (f"\n({join_words(per_case)}: solved by the share of wrong cases; in brackets, the runs that made "
                    "partial progress)" if per_case else ""), fontsize=11)
    ex.caption(fig, records)
    return fig


# Published numbers, each with the setting it comes from (../shared/REFERENCES.md); none was obtained in our
# setting, so the README prints them beside ours with the differences, never in our columns.
PUBLISHED = {
    "addition": "Sutskever et al. 2013, Table 5: sparse init (radius 1.1), Nesterov mu 0.9, 100 units, 50k updates, "
                "T = 80, one marker in each of the first tenth and the first half: 2% of cases off by > 0.04 "
                "(0.025% with mu 0.995)",
    "multiplication": "Sutskever et al. 2013, Table 5: same setting, T = 80: 0.13% of cases off by > 0.04 "
                      "(mu 0.995)",
    "temporal_order": "Pascanu et al. 2013: SGD with clipping and their regulariser solves it up to T = 200",
    "copy": "Orhan & Pitkow 2020: on copy of total length 500 (a delay of 479) and RMSprop, chain starts succeed in "
            "46 of 462 runs, orthogonal and identity starts in none",
}


CRITICAL_TOLERANCE = 0.05  # a random start with std x sqrt(H) within 5% of 1 (or above) counts as critical


CRITICAL_MARK = ": not a small start, see below"  # the random column's cell where it starts at the critical scale


def at_critical_scale(runs: list[dict]) -> bool:
    """Whether every run of a random start had std x sqrt(H) at or above the critical scale 1 (within
    CRITICAL_TOLERANCE): random_permutation's, at H = 100."""
    configs = [rp.full_config(r["config"]) for r in runs]
    return bool(configs) and all(c["random_scale"] * np.sqrt(c["n_hidden"]) >= 1 - CRITICAL_TOLERANCE
                                 for c in configs)


def random_scale_note(records: list[dict]) -> str:
    """Under the family table: the random column's std x sqrt(H) per hidden size, from the records' config, and the
    tasks where that puts the random start at the critical scale (random_permutation runs at H = 100) rather than
    below it."""
    groups: dict[tuple[int, float], list[dict]] = {}
    for r in records:
        if arm_of(r) == "random" and r["config"].get("random_scale") is not None:
            groups.setdefault((r["config"]["n_hidden"], r["config"]["random_scale"]), []).append(r)
    if not groups:
        return ""
    parts, critical, small = [], [], []
    for (H, s), runs in sorted(groups.items(), key=lambda kv: kv[0][1] * np.sqrt(kv[0][0])):
        tasks = list(dict.fromkeys(r["task"] for r in sorted(runs, key=lambda r: ex.task_rank(r["task"]))))
        scale = s * np.sqrt(H)
        radii = [r["W_hh_stats"]["init"].get("spectral_radius") for r in runs if "W_hh_stats" in r]
        radii = [v for v in radii if v is not None]
        radius = f", measured spectral radius at init {min(radii):.3g}-{max(radii):.3g}" if radii else ""
        where = join_words(tasks) if len(tasks) <= 3 else f"{len(tasks)} tasks"
        parts.append(f"at H = {H} on {where}, std {s:g} x sqrt({H}) = {scale:.3g}{radius}")
        (critical if scale >= 1 - CRITICAL_TOLERANCE else small).extend(tasks)
    text = ("The random column is W_hh ~ N(0, std^2), whose spectral radius at init is about std x sqrt(H) "
            "(1 is the critical scale): " + "; ".join(parts) + ".")
    if critical:
        text += (f" So on {join_words(critical)} the random column is not a small start: it starts at the critical "
                 "scale" + (", unlike the other tasks" if small else "") + " (compare the random_scale experiment).")
    return text


def progress_sentence(cells: dict[tuple[str, str], list[dict]], arms: list[str]) -> str:
    """'Runs that end with partial progress, per start: on addition ortho 5/5, random 0/5, ...': the per-case
    tasks' second count, whose solved counts may be 0 everywhere; '' when the table has no per-case task."""
    parts = []
    for task in dict.fromkeys(t for t, _ in cells):
        counts = [f"{arm} {'{}/{}'.format(*ex.progresses(cells[(task, arm)]))}" for arm in arms
                  if (task, arm) in cells and ex.is_per_case_group(cells[(task, arm)])]
        if counts:
            parts.append(f"on {task} {', '.join(counts)}")
    return ("Runs that end with partial progress (the note under the table), per start: " + "; ".join(parts) + "."
            if parts else "")


def answer_family(records: list[dict]) -> str:
    cells = _cells(records)
    arms = sorted({a for _, a in cells}, key=_arm_rank)
    tasks = list(dict.fromkeys(t for t, _ in cells))
    solved_by = {arm: [t for t in tasks if (t, arm) in cells and ex.successes(cells[(t, arm)])[0] > 0]
                 for arm in arms}
    all_by = {arm: [t for t in tasks if (t, arm) in cells
                    and ex.successes(cells[(t, arm)])[0] == len(cells[(t, arm)])] for arm in arms}
    n_sizes = {len(r) for r in cells.values()}
    n_text = f"{n_sizes.pop()} seeds per cell" if len(n_sizes) == 1 else "seeds per cell as in the table"
    lines = [(f"{len(records)} runs, {len(tasks)} tasks x {len(arms)} starts, {n_text}. Per start, the tasks on "
             f"which every run ends solved, and those on which some do:")]
    for arm in arms:
        every = ", ".join(all_by[arm])
        some = ", ".join(t for t in solved_by[arm] if t not in all_by[arm])
        if not every and not some:
            lines.append(f"- **{arm}**: no task in any run.")
            continue
        parts = ([f"every run on {every}"] if every else []) + ([f"some runs on {some}"] if some else [])
        lines.append(f"- **{arm}**: " + "; ".join(parts) + ".")
    never = [t for t in tasks if not any(t in solved_by[a] for a in arms)]
    if never:
        lines.append(f"No start solves {join_words(never)} in any run at this length and budget.")
    progress = progress_sentence(cells, arms)
    if progress:
        lines.append(progress)
    rows = []
    for (task, arm), runs in cells.items():
        start = f"{arm} (critical scale{CRITICAL_MARK})" if arm == "random" and at_critical_scale(runs) else arm
        rows.append([task, runs[0]["sequence_len"], start, ex.rate_text(runs),
                     ex.epochs_text(ex.solved_epochs(runs)), ex.final_text(runs), ex.n_diverged(runs)])
    table = markdown_table(["task", "T", "start", "solved at the end [95% CI]", "solved epoch, median [range]",
                               "final metric, median [range]", "diverged"], rows)
    published = [f"- {task}: {PUBLISHED[task]}." for task in tasks if task in PUBLISHED]
    for note in (ex.progress_note(records), random_scale_note(records)):
        table += "\n\n" + note if note else ""
    return ("\n".join(lines) + "\n\n" + table + "\n\nPublished results for some of these tasks, in other "
            "settings (so not comparable cell for cell):\n" + "\n".join(published))


# ----------------------------------------------------------------------------------------------------------------
# hidden size (seed 000 uses 64 where Sutskever et al. use 100, and did not test scaling)

HIDDEN_SIZES = (16, 32, 64, 128)
HEADLINE_SEEDS = "0-4"
HIDDEN_GRIDS = tuple(ex.Grid((task,), rp.HEADLINE_INITS, (T,), HEADLINE_SEEDS, {"n_hidden": H})
                     for task, T in rp.HEADLINE for H in HIDDEN_SIZES)
HIDDEN_QUICK_GRIDS = tuple(ex.quick_grid(g, seeds="0-1", n_hidden=g.options["n_hidden"] // 8)
                           for g in HIDDEN_GRIDS[:2])


def figure_hidden_size(records: list[dict]) -> Figure:
    by_task = ex.group_by(records, lambda r: (ex.task_rank(r["task"]), r["sequence_len"]))
    inits = sorted({r["init"] for r in records}, key=style.init_rank)
    colours = style.init_colours(inits)
    fig = Figure(figsize=(4.8 * len(by_task) + 0.6, 4.6), layout="constrained")
    axes, legend_ax = ex.panels_over_legend(fig, len(by_task), sharey=True)
    for ax, (((_, task), T), runs) in zip(axes, by_task.items(), strict=True):
        ex.rate_lines(ax, runs, inits, lambda r: r["init"], colours, x_of=lambda r: r["config"]["n_hidden"],
                      spread=1.04)
        ex.set_log2_T_axis(ax, sorted({r["config"]["n_hidden"] for r in runs}))
        ax.set_xlabel("hidden units H (log scale)")
        ax.set_title(f"{task} T={T}", fontsize=11, fontweight="bold")
    ex.legend_below(axes, legend_ax)
    axes[0].set_ylabel("success rate (solved at the end)")
    fig.suptitle("Success rate against hidden size (error bars: 95% Wilson interval)", fontsize=12)
    ex.caption(fig, records, keys=tuple(k for k in ex.CAPTION_OPTIONS if k != "n_hidden"))
    return fig


def answer_hidden_size(records: list[dict]) -> str:
    groups = ex.group_by(records, lambda r: (ex.task_rank(r["task"]), r["sequence_len"], style.init_rank(r["init"]),
                                             r["config"]["n_hidden"]))
    rows = []
    for ((_, task), T, (_, init), H), runs in groups.items():
        rows.append([task, T, init, H, ex.rate_text(runs), ex.epochs_text(ex.solved_epochs(runs)),
                     ex.final_text(runs)])
    sentences = []
    for init in sorted({r["init"] for r in records}, key=style.init_rank):
        mine = [r for r in records if r["init"] == init]
        per_H = ex.rate_points(mine, lambda r: r["config"]["n_hidden"])
        sentences.append(f"{init}: " + ", ".join(f"H = {H} {k}/{n}" for H, k, n in per_H))
    text = ("Pooled over the three headline tasks, runs solved at the end per hidden size: "
            + "; ".join(sentences) + ".")
    for task in dict.fromkeys(r["task"] for r in sorted(records, key=lambda r: ex.task_rank(r["task"]))
                              if rp.is_per_case(r)):
        per_init = []
        for init in sorted({r["init"] for r in records if r["task"] == task}, key=style.init_rank):
            by_H = ex.group_by([r for r in records if r["task"] == task and r["init"] == init],
                               lambda r: (r["config"]["n_hidden"],))
            per_init.append(f"{init}: " + ", ".join("H = {} {}/{}".format(H, *ex.progresses(g))
                                                    for (H,), g in by_H.items()))
        text += f" On {task}, runs that end with partial progress per hidden size: " + "; ".join(per_init) + "."
    randoms = [r for r in records if r["init"] == "random" and "W_hh_stats" in r]
    if randoms:
        radius = ex.group_by(randoms, lambda r: (r["config"]["n_hidden"],))
        text += (" The random start's N(0, s^2) entries keep their std as H grows, so its spectral radius at init, "
                 "about s sqrt(H), grows with H: median " + ", ".join(
                     f"{_median_stat(g, 'init', 'spectral_radius'):.2f} at H = {H}" for (H,), g in radius.items())
                 + ". Compare the random_scale experiment, which varies s at H = 64.")
    note = ex.progress_note(records)
    return text + "\n\n" + markdown_table(
        ["task", "T", "init", "H", "solved [95% CI]", "solved epoch, median [range]", "final metric, median [range]"],
        rows) + ("\n\n" + note if note else "")


# ----------------------------------------------------------------------------------------------------------------
# random scale (seed 000's deviation 1: is N(0, 0.1^2) a fair stand-in for "small random"?)
#
# The spectral radius of an N(0, s^2) H x H matrix is about s sqrt(H) (the circular law): at H = 64, s = 0.1 gives
# 0.8 and s = 1/8 = 0.125 is the critical scale. The sparse init of Sutskever et al. 2013 (radius 1.1) is the
# published "random" start.

RANDOM_SCALES = (0.01, 0.05, 0.1, 0.125, 0.15)
RANDOM_SCALE_SEEDS = "0-9"  # ten per cell, so that two cells can differ by Fisher p < 0.05 (three could not)
RANDOM_SCALE_GRIDS = tuple(
    [ex.Grid((task,), ("random",), (T,), RANDOM_SCALE_SEEDS, {"random_scale": s})
     for task, T in rp.HEADLINE for s in RANDOM_SCALES]
    + [ex.Grid(tuple(t for t, _ in rp.HEADLINE[:1]), ("sparse",), (rp.HEADLINE[0][1],), RANDOM_SCALE_SEEDS),
       ex.Grid(tuple(t for t, _ in rp.HEADLINE[1:]), ("sparse",), (rp.HEADLINE[1][1],), RANDOM_SCALE_SEEDS)]
)
RANDOM_SCALE_QUICK_GRIDS = tuple(ex.quick_grid(g, seeds="0-1") for g in RANDOM_SCALE_GRIDS[:3])


def start_of(r: dict) -> str:
    """'random 0.125' or 'sparse'."""
    return f"random {r['config']['random_scale']:g}" if r["init"] == "random" else r["init"]


def _start_rank(r: dict) -> tuple[int, float]:
    return (0, r["config"]["random_scale"]) if r["init"] == "random" else (1, 0.0)


def _median_stat(runs: list[dict], when: str, name: str) -> float | None:
    values = [r["W_hh_stats"][when][name] for r in runs if "W_hh_stats" in r]
    values = [v for v in values if v is not None]  # None: ||W^T|| beyond float64's range
    return float(np.median(values)) if values else None


def figure_random_scale(records: list[dict]) -> Figure:
    by_task = ex.group_by(records, lambda r: (ex.task_rank(r["task"]), r["sequence_len"]))
    fig = Figure(figsize=(4.8 * len(by_task) + 0.6, 4.6), layout="constrained")
    axes, legend_ax = ex.panels_over_legend(fig, len(by_task), sharey=True)
    for ax, (((_, task), T), runs) in zip(axes, by_task.items(), strict=True):
        randoms = [r for r in runs if r["init"] == "random"]
        points = ex.rate_points(randoms, lambda r: r["config"]["random_scale"])
        xs = [s * np.sqrt(r["config"]["n_hidden"]) for s, r in zip([p[0] for p in points], randoms, strict=False)]
        bounds = np.array([stats.wilson_interval(k, n) for _, k, n in points])
        rate = np.array([k / n for _, k, n in points])
        ax.errorbar(xs, rate, yerr=np.vstack([rate - bounds[:, 0], bounds[:, 1] - rate]), fmt="-o",
                    color=style.init_colours(["random"])["random"], capsize=3, label="random N(0, s^2): s sqrt(H)")
        sparse = [r for r in runs if r["init"] == "sparse"]
        if sparse:
            k, n = ex.successes(sparse)
            ax.plot([rp.SPARSE_SPECTRAL_RADIUS], [k / n], "s", color=style.init_colours(["sparse"])["sparse"], ms=8,
                    label="sparse (radius 1.1)")
        ax.axvline(1.0, **style.THRESHOLD_STYLE, label="radius 1 (critical scale)")
        ax.set_xlabel("spectral radius at init, about s sqrt(H)")
        ax.set_title(f"{task} T={T}", fontsize=11, fontweight="bold")
        ax.set_ylim(-0.05, 1.05)
        ax.grid(alpha=0.3)
    ex.legend_below(axes, legend_ax)
    axes[0].set_ylabel("success rate (solved at the end)")
    fig.suptitle("The random start's scale against success (error bars: 95% Wilson interval)", fontsize=12)
    ex.caption(fig, records)
    return fig


def answer_random_scale(records: list[dict]) -> str:
    groups: dict[tuple, list[dict]] = {}
    for r in sorted(records, key=lambda r: (ex.task_rank(r["task"]), _start_rank(r), r["seed"])):
        groups.setdefault((r["task"], r["sequence_len"], start_of(r)), []).append(r)
    rows = []
    for (task, T, start), runs in groups.items():
        medians = [_median_stat(runs, w, n) for w, n in (("init", "spectral_radius"), ("init", "norm_W_pow_T"),
                                                         ("final", "spectral_radius"), ("final", "norm_W_pow_T"))]
        rows.append([task, T, start, ex.rate_text(runs)] + ["-" if v is None else f"{v:.3g}" for v in medians]
                    + [ex.final_text(runs)])
    pooled = {}
    for r in records:
        pooled.setdefault(start_of(r), []).append(r)
    order = sorted(pooled, key=lambda s: _start_rank(pooled[s][0]))
    # counts only: the three tasks' rates differ, so a pooled share estimates no one rate (no interval)
    text = ("Pooled over the three headline tasks, runs solved at the end per start: "
            + "; ".join("{} {}/{}".format(s, *ex.successes(pooled[s])) for s in order)
            + " (totals over tasks whose rates differ, so without an interval; the table gives each task's).")
    randoms = [r for r in records if r["init"] == "random"]
    if randoms:
        H = ex.common(randoms, lambda r: r["config"]["n_hidden"])
        critical = 1 / np.sqrt(H) if H else None
        if critical is not None:
            below = [r for r in randoms if r["config"]["random_scale"] < critical - 1e-12]
            above = [r for r in randoms if r["config"]["random_scale"] >= critical - 1e-12]
            (k_b, n_b), (k_a, n_a) = ex.successes(below), ex.successes(above)
            told = bool(below and above) and ex.told_apart(k_a, n_a, k_b, n_b)
            text += (f" The critical scale at H = {H} is 1/sqrt(H) = {critical:.3g}, where the spectral radius at "
                     f"init is about 1: the random start ends solved in {k_a}/{n_a} runs at or above it against "
                     f"{k_b}/{n_b} below it, pooled over tasks and scales"
                     + (f" ({stats.fisher_text(k_a, n_a, k_b, n_b)}{'' if told else ': ' + ex.NOT_TOLD})"
                        if below and above else "") + ".")
            tasks = list(dict.fromkeys(r["task"] for r in sorted(randoms, key=lambda r: ex.task_rank(r["task"]))))
            # the pooled count can hide a task on which no scale works: name the tasks the critical start learns
            learnt = [t for t in tasks if ex.successes([r for r in above if r["task"] == t])[0]]
            if told and k_a * n_b > k_b * n_a:
                text += (" In these runs the random start's failure is " + (
                    "a matter of its scale" if k_b == 0 else
                    f"mostly a matter of its scale (below it {k_b} of {n_b} runs do end solved)")
                    + ": a Gaussian start at the critical scale is not 'small', and it learns "
                    + ("the headline tasks" if learnt == tasks else join_words(learnt)) + ".")
            for task in tasks:
                mine_a = [r for r in above if r["task"] == task]
                mine_b = [r for r in below if r["task"] == task]
                if not (mine_a and mine_b and ex.is_per_case_group(mine_a + mine_b)):
                    continue
                (p_a, _), (p_b, _) = ex.progresses(mine_a), ex.progresses(mine_b)
                text += (f" On {task} the random start ends solved in {'{}/{}'.format(*ex.successes(mine_a))} runs "
                         f"at or above the critical scale and {'{}/{}'.format(*ex.successes(mine_b))} below it; with "
                         f"partial progress in {p_a}/{len(mine_a)} against {p_b}/{len(mine_b)} "
                         f"({stats.fisher_text(p_a, len(mine_a), p_b, len(mine_b))}"
                         f"{'' if ex.told_apart(p_a, len(mine_a), p_b, len(mine_b)) else ': ' + ex.NOT_TOLD}).")
    note = ex.progress_note(records)
    return text + "\n\n" + markdown_table(
        ["task", "T", "start", "solved [95% CI]", "radius at init (median)", "norm W^T at init", "radius trained",
         "norm W^T trained", "final metric, median [range]"], rows) + ("\n\n" + note if note else "")


# ----------------------------------------------------------------------------------------------------------------
# float32 against float64 (issue 23, section 4): does the cheaper engine change any cell of the family table?
#
# The family table's grids, seeds and settings with --dtype float32, which runs the engine at about half the cost;
# its heavy grids may use float32 only if this comparison finds no cell where the two disagree. The float32 runs go to
# results/sweeps/family_float32.jsonl; the experiment reads the family table's float64 runs from its own file
# (Experiment.reads), so `run` trains the 385 float32 runs alone (the float64 ones took 1.22 core-hours of wall
# time; the float32 ones should take about half that).

FLOAT32 = {"dtype": "float32"}
FAMILY_FLOAT32_GRIDS = _family_grids(extra=FLOAT32)
FAMILY_FLOAT32_QUICK_GRIDS = _quick_family_grids(FLOAT32)
DTYPE_ORDER = ("float64", "float32")  # the reference first


def dtype_of(r: dict) -> str:
    return rp.full_config(r["config"])["dtype"]


def judged_alike(runs: list[dict]) -> list[dict]:
    """The runs, judged by one measurement on the per-case tasks. The family table's float64 records predate the
    held-out count (`heldout`, 1000 cases after the last update), so rp.final_wrong reads their last epoch's fraction
    of wrong cases over its fresh batches; a newer record is judged by its held-out count. Where any run lacks it,
    every run is returned without it, so both dtypes are judged by the last epoch's fraction. Nothing else changes."""
    if all(r.get("heldout") is not None for r in runs):
        return runs
    return [{k: v for k, v in r.items() if k != "heldout"} for r in runs]


def _counts(runs: list[dict]) -> dict:
    """Solved and (on the per-case tasks) partial-progress counts of one side of a cell, and its verdict per seed."""
    k, n = ex.successes(runs)
    return {"k": k, "n": n, "progress": ex.progresses(runs)[0] if ex.is_per_case_group(runs) else None,
            "by_seed": {r["seed"]: rp.is_success(r) for r in runs}}


def dtype_rows(records: list[dict]) -> list[dict]:
    """One row per cell (task, T, start) that either dtype has, in the family table's order: each side's counts
    (None for a side not run yet), Fisher's two-sided p of the solved counts (and of the partial-progress counts on
    addition and multiplication), whether the counts differ at all, whether the test tells them apart (p <
    ex.SIGNIFICANCE: the disagreement rule), and the seeds whose verdict differs between the two."""
    groups: dict[tuple, list[dict]] = {}
    for r in records:
        groups.setdefault((r["task"], r["sequence_len"], arm_of(r)), []).append(r)
    rows = []
    for (task, T, arm), runs in sorted(groups.items(), key=lambda kv: (ex.task_rank(kv[0][0]), kv[0][1],
                                                                       _arm_rank(kv[0][2]))):
        runs = judged_alike(runs)
        side = {d: _counts(mine) if (mine := [r for r in runs if dtype_of(r) == d]) else None for d in DTYPE_ORDER}
        row = {"task": task, "T": T, "arm": arm, **side, "p": None, "p_progress": None, "differ": False,
               "disagree": False, "flipped": [], "remeasured": any(r.get("heldout") is None for r in runs)}
        a, b = side["float64"], side["float32"]
        if a and b:
            row["p"] = stats.fisher_exact(a["k"], a["n"], b["k"], b["n"])
            row["differ"] = a["k"] * b["n"] != b["k"] * a["n"]
            row["disagree"] = ex.told_apart(a["k"], a["n"], b["k"], b["n"])
            if a["progress"] is not None and b["progress"] is not None:
                row["p_progress"] = stats.fisher_exact(a["progress"], a["n"], b["progress"], b["n"])
                row["differ"] |= a["progress"] * b["n"] != b["progress"] * a["n"]
                row["disagree"] |= ex.told_apart(a["progress"], a["n"], b["progress"], b["n"])
            row["flipped"] = sorted(s for s in a["by_seed"].keys() & b["by_seed"].keys()
                                    if a["by_seed"][s] != b["by_seed"][s])
        rows.append(row)
    return rows


def grid_cost(runs: list[dict]) -> tuple[float, str]:
    """(hours, what they are) of training: the runs' CPU time summed (cpu_s), or, for records from before the engine
    recorded it, their wall time (wallclock_s), which is at least the CPU time of a one-threaded run. (The README's
    cost_text words the same sums; rnnpath.report imports the experiments, so this module cannot import it.)"""
    if all(r.get("cpu_s") is not None for r in runs):
        return sum(r["cpu_s"] for r in runs) / 3600, "CPU time"
    if not any(r.get("cpu_s") is not None for r in runs):
        return sum(r["wallclock_s"] for r in runs) / 3600, "wall time"
    return (sum(r["cpu_s"] if r.get("cpu_s") is not None else r["wallclock_s"] for r in runs) / 3600,
            "CPU time where recorded, wall time otherwise")


def _cell_name(row: dict) -> str:
    return f"{row['task']} T = {row['T']} {row['arm']}"


def _side_text(side: dict | None, counted: str = "k") -> str:
    return "-" if side is None or side[counted] is None else f"{side[counted]}/{side['n']}"


def _pair_text(row: dict) -> str:
    """'addition T = 30 ortho (float64 5/5, float32 0/5, Fisher p = 0.0079; partial progress 5/5 against 5/5)'."""
    a, b = row["float64"], row["float32"]
    text = f"{_cell_name(row)} (float64 {a['k']}/{a['n']}, float32 {b['k']}/{b['n']}, " \
           f"{stats.fisher_text(a['k'], a['n'], b['k'], b['n'])}"
    if row["p_progress"] is not None:
        text += (f"; partial progress {a['progress']}/{a['n']} against {b['progress']}/{b['n']}, "
                 f"{stats.fisher_text(a['progress'], a['n'], b['progress'], b['n'])}")
    return text + ")"


FLOAT32_VERDICT = ("No cell of the family table differs between float32 and float64 by more than Fisher's exact "
                   "test can detect at these counts")
CLIP_OFF = 1e6  # a clip at or above this never acts: the published grids' "no clipping" (published.NO_CLIP)


def training_phrase(grid: ex.Grid) -> str:
    """'the vanilla cell with 64 tanh units, momentum, clip 1, 2,400 updates of batch 50, T up to 60': how a grid
    trains."""
    config = grid.config()
    clip = "no clipping" if config["clip"] >= CLIP_OFF else f"clip {config['clip']:g}"
    units = config["activation"] if config["cell"] in ("rnn", "ornn") else ""
    return (f"the {rp.CELLS[config['cell']].label} cell with {config['n_hidden']} {units + ' ' if units else ''}units, "
            f"{config['optimizer']}, {clip}, {ex.updates_of(config):,} updates of batch {config['batch_size']}, "
            f"T up to {max(grid.sequence_lens)}")


def float32_scope() -> str:
    """What family_float32's comparison covers (how the family table trains) and the float32 grids that go beyond it
    (their cells, optimisers, clipping and budgets, from the registry's grids): there float32 is an assumption."""
    from rnnpath import experiments

    covered = sorted({training_phrase(g) for g in FAMILY_GRIDS})
    beyond = []
    for name, exp in experiments.EXPERIMENTS.items():
        phrases = sorted({training_phrase(g) for g in exp.grids if g.config()["dtype"] == "float32"}
                         - set(covered))
        if phrases and name != "family_float32":
            beyond.append(f"{name} ({'; '.join(phrases)})")
    return (f"It covers what the family table trains: {'; '.join(covered)}. The other float32 grids go beyond that, "
            f"where float32 is an assumption, not a measurement: {'; '.join(beyond)}")


def smallest_flagged(n: int) -> int | None:
    """The smallest difference in count, d/n against 0/n, that Fisher's exact test tells from chance (p <
    ex.SIGNIFICANCE) with n runs a side (None if even n/n against 0/n is not): how large a change the per-cell rule
    can see."""
    return next((d for d in range(1, n + 1) if ex.told_apart(d, n, 0, n)), None)


def complete_pairs(rows: list[dict]) -> bool:
    """Whether every cell has both dtypes, with as many runs each (no grid of either still running)."""
    return bool(rows) and all(w["float64"] and w["float32"] and w["float64"]["n"] == w["float32"]["n"] for w in rows)


def float32_verdict(rows: list[dict]) -> str | None:
    """FLOAT32_VERDICT when the comparison is complete (complete_pairs) and no cell disagrees; None otherwise."""
    return FLOAT32_VERDICT if complete_pairs(rows) and not any(w["disagree"] for w in rows) else None


def answer_family_float32(records: list[dict]) -> str:
    rows = dtype_rows(records)
    both = [w for w in rows if w["float64"] and w["float32"]]
    one = [w for w in rows if not (w["float64"] and w["float32"])]
    disagree = [w for w in both if w["disagree"]]
    differ = [w for w in both if w["differ"] and not w["disagree"]]
    flipped = sum(len(w["flipped"]) for w in both)
    paired = sum(len(w["float64"]["by_seed"].keys() & w["float32"]["by_seed"].keys()) for w in both)
    n_runs = {d: sum(1 for r in records if dtype_of(r) == d) for d in DTYPE_ORDER}
    text = (f"The family table in float64 ({n_runs['float64']} runs) and the same grids, seeds and settings in "
            f"float32 ({n_runs['float32']} runs), compared cell by cell (task x T x start): {len(both)} cells have "
            f"both. The rule: a cell disagrees when Fisher's exact test (two-sided) tells its float32 count of runs "
            f"that end solved from its float64 count at p < {ex.SIGNIFICANCE:g}, or on addition and multiplication "
            f"its count of runs that end with partial progress; cells whose counts differ at all are listed too.")
    if both:
        text += (" Cells where the two disagree: " + "; ".join(map(_pair_text, disagree)) + "." if disagree
                 else " No cell disagrees.")
        text += (f" Cells whose counts differ by {ex.NOT_TOLD} at these counts: "
                 + "; ".join(map(_pair_text, differ)) + "." if differ else
                 " In every other cell both dtypes end with the same counts." if disagree else
                 " In every cell both dtypes end with the same counts.")
        lost = sum(w["float64"]["by_seed"][seed] and not w["float32"]["by_seed"][seed]
                   for w in both for seed in w["flipped"])
        text += (f" Seed by seed, {flipped} of the {paired} runs run in both dtypes end with the other verdict "
                 f"(solved against not solved)" + (f": {lost} solved in float64 alone and {flipped - lost} in "
                                                   f"float32 alone" if flipped else "") + ".")
        if flipped:
            p = stats.mcnemar_exact(lost, flipped - lost)
            text += (f" That is {flipped / paired:.1%} of the paired runs. Paired by seed over every cell, McNemar's "
                     f"exact test on those flips gives p = {p:.2g}"
                     + (f": with {flipped} flips even all of them one way could not reach p < {ex.SIGNIFICANCE:g}, "
                        f"so the test cannot decide." if stats.mcnemar_exact(flipped, 0) >= ex.SIGNIFICANCE else
                        ": float32 turns verdicts one way more often than an even split would." if p < ex.SIGNIFICANCE
                        else f": {lost} against {flipped - lost} cannot be told from an even split. The test pools "
                             f"the cells, so shifts in opposite directions in different cells would cancel in it."))
        sizes = sorted({w["float64"]["n"] for w in both})
        if len(sizes) == 1 and (d := smallest_flagged(sizes[0])) is not None:
            text += (f" With {sizes[0]} runs a side, the rule flags a cell only when its counts differ by {d} or "
                     f"more ({d}/{sizes[0]} against 0/{sizes[0]}): smaller changes pass unseen.")
    if one:
        names = [_cell_name(w) for w in one]
        text += (f" {plural(len(one), 'cell')} {'has' if len(one) == 1 else 'have'} one dtype only so far (grids "
                 f"still to run): " + (join_words(names) if len(names) <= 6 else
                                       f"{', '.join(names[:6])} and {len(names) - 6} more") + ".")
    remeasured = sorted({w["task"] for w in rows if w["remeasured"] and rp.is_per_case({"task": w["task"]})},
                        key=ex.task_rank)
    if remeasured:
        text += (f" On {join_words(remeasured)} some records predate the held-out count of wrong cases, so both "
                 "dtypes are judged there by the last epoch's fraction of wrong cases over its fresh batches.")
    costs = {d: grid_cost(mine) for d in DTYPE_ORDER if (mine := [r for r in records if dtype_of(r) == d])}
    if costs:
        text += " Cost: " + "; ".join(f"{d} {h:.2f} core-hours ({what} summed over its {n_runs[d]} runs)"
                                      for d, (h, what) in costs.items())
        if len(costs) == 2 and costs["float64"][0] > 0 and n_runs["float64"] == n_runs["float32"]:
            ratio = costs["float32"][0] / costs["float64"][0]
            text += (f"; float32 costs {ratio:.2f} times float64" + (
                " (a lower bound: the float64 side is wall time, at least its CPU time)"
                if costs["float64"][1] != "CPU time" and costs["float32"][1] == "CPU time" else ""))
        text += "."
    verdict = float32_verdict(rows)
    text += "\n\n**" + (verdict if verdict else "No verdict yet: the grids of one dtype are not complete"
                         if not complete_pairs(rows) else f"float32 changes {plural(len(disagree), 'cell')} of the "
                         f"family table by more than Fisher's test puts down to chance") + ".**"
    if complete_pairs(rows):
        text += f" {float32_scope()}."
    table = markdown_table(
        ["task", "T", "start", "float64 solved", "float32 solved", "Fisher p", "float64 partial progress",
         "float32 partial progress", "seeds whose verdict differs", "disagrees"],
        [[w["task"], w["T"], w["arm"], _side_text(w["float64"]), _side_text(w["float32"]),
          "-" if w["p"] is None else f"{w['p']:.2g}", _side_text(w["float64"], "progress"),
          _side_text(w["float32"], "progress"), ", ".join(map(str, w["flipped"])) or "-",
          "yes" if w["disagree"] else "-"] for w in rows])
    note = ex.progress_note(records)
    return text + "\n\n" + table + ("\n\n" + note if note else "")


def figure_family_float32(records: list[dict]) -> Figure:
    """The family table twice, float64 and float32 side by side, judged alike; a cell that disagrees (Fisher p <
    0.05) is framed in black, one whose counts differ otherwise in grey."""
    rows = {(w["task"], w["arm"]): w for w in dtype_rows(records)}
    sides = [(d, _cells(judged_alike([r for r in records if dtype_of(r) == d]))) for d in DTYPE_ORDER]
    tasks = list(dict.fromkeys(t for _, cells in sides for t, _ in cells))
    tasks.sort(key=ex.task_rank)
    arms = sorted({a for _, cells in sides for _, a in cells}, key=_arm_rank)
    fig = Figure(figsize=(2 * (1.1 * len(arms) + 2.4) + 1.5, 0.55 * len(tasks) + 2.4), layout="constrained")
    axes = fig.subplots(1, 2, sharey=True)
    for ax, (dtype, cells) in zip(axes, sides, strict=True):
        if not cells:
            ax.set_title(f"{dtype}: not run yet", fontsize=11)
            continue
        image = _heat_map(ax, cells, tasks, arms)
        for (task, arm), w in rows.items():
            if w["differ"] and (task, arm) in cells:
                ax.add_patch(Rectangle((arms.index(arm) - 0.47, tasks.index(task) - 0.47), 0.94, 0.94, fill=False,
                                       lw=2.5 if w["disagree"] else 1.5, ec="black" if w["disagree"] else "0.5"))
        ax.set_title(dtype, fontsize=11, fontweight="bold")
    fig.colorbar(image, ax=axes, label="share of runs solved at the final epoch", shrink=0.8)
    fig.suptitle("The family table in float64 and float32: runs solved / runs (framed: the counts differ; black: "
                 f"Fisher p < {ex.SIGNIFICANCE:g})", fontsize=11)
    ex.caption(fig, records)
    return fig


# ----------------------------------------------------------------------------------------------------------------
# the experiments, added to the registry of rnnpath.experiments

FAMILY = ex.Experiment(
    "family",
    "Which start solves which task? (every task x ortho, random, identity with tanh and relu, chain, fbchain, sparse)",
    FAMILY_GRIDS, FAMILY_QUICK_GRIDS, figure_family, answer_family,
)

EXPERIMENTS = [
    FAMILY,
    ex.Experiment(
        "hidden_size",
        "How do success and solved epoch change with the hidden size H in 16, 32, 64, 128 (headline tasks)?",
        HIDDEN_GRIDS, HIDDEN_QUICK_GRIDS, figure_hidden_size, answer_hidden_size,
    ),
    ex.Experiment(
        "random_scale",
        "Does the random start fail because std 0.1 is below the critical scale 1/sqrt(H)? (scales 0.01-0.15, and "
        "the sparse init of spectral radius 1.1)",
        RANDOM_SCALE_GRIDS, RANDOM_SCALE_QUICK_GRIDS, figure_random_scale, answer_random_scale,
    ),
    ex.Experiment(
        "family_float32",
        "Does float32 change any conclusion of the family table? (its grids rerun with --dtype float32, compared "
        "cell by cell with Fisher's exact test)",
        FAMILY_FLOAT32_GRIDS, FAMILY_FLOAT32_QUICK_GRIDS, figure_family_float32, answer_family_float32,
        reads=(FAMILY,),
    ),
]
