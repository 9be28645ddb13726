"""The generated blocks of README.md and docs/*.md from the result files: every number on those pages is written
here, from the files it reads.

    python -m rnnpath report            # rewrite the generated blocks of README.md and docs/*.md in place
    python -m rnnpath report --check    # exit 1 if a page disagrees with the result files

It reads, from the current folder: results.json (the seed-0 headline), results/results_seeds.json (the ten seeds),
results/sweeps/*.jsonl (the experiments' sweep files), results/bench.json and results/bench_float32.json (the
benchmark), results/bytedmd.json, results/memory_curse.json, results/attractors.json and results/signal.json (the
ByteDMD, curse-of-memory, attractor and signal-propagation sections). Every file is read and checked before any block is computed (the results,
sweep and benchmark files by rnnpath.files): a missing, empty, truncated, binary, wrong-schema or wrong-typed file
is a one-line error naming it, exit status 2, and every page is left untouched.

A generated block sits between `<!-- BEGIN name -->` and `<!-- END name -->` lines; everything outside the blocks
is prose that this script never touches, except that an experiment with no block on any page gets a section at the
end of docs/experiments.md. tests/test_readme.py fails when a block is stale. Wall times are the one
machine-dependent part of the blocks: --check reports a page that differs from the files in its wall times only as
agreeing, and says so.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import re
import sys
from contextlib import contextmanager

import numpy as np

import rnn_pathological as rp
from rnnpath import files, sweep
from rnnpath.stats import fisher_text, median_range, rank_sum_text, wilson_interval
from rnnpath.text import capitalised, join_words, markdown_table, plural

# ----------------------------------------------------------------------------------------------------------------
# tables


def _outcome(run: dict) -> str:
    """'@25' (the first epoch past the solved rule), 'never', 'at the end' (solved on held-out cases before any
    epoch's batches met the rule) or 'diverged @7'; on the per-case tasks followed by the first epoch past the
    partial-progress line ('never; progress @63')."""
    if run["diverged"]:
        return f"diverged @{run['diverged']}"
    # a per-case run solved on its held-out cases at the end though no epoch's training batches met the rule
    text = (f"@{run['solved_epoch']}" if run["solved_epoch"] is not None else
            "at the end" if rp.is_success(run) else "never")
    if rp.is_per_case(run) and run.get("progress_epoch") is not None:
        text += f"; progress @{run['progress_epoch']}"
    return text


def _groups(runs: list[dict], *fields: str) -> dict[tuple, list[dict]]:
    """{values of `fields`: runs}, groups in the order they first appear in the file (the README keeps it)."""
    groups: dict[tuple, list[dict]] = {}
    for r in runs:
        groups.setdefault(tuple(r[f] for f in fields), []).append(r)
    return groups


def _fell_back(run: dict) -> bool:
    """Met the solved rule at some epoch during training but does not meet it at the end."""
    return run["solved_epoch"] is not None and not rp.is_success(run)


# ----------------------------------------------------------------------------------------------------------------
# the per-case rule of the regression tasks (rp.Task.per_case), in words


def percent(fraction: float) -> str:
    """'82.9%': a measured fraction of wrong cases (on 1000 held-out cases a count in tenths of a percent)."""
    return f"{100 * fraction:.1f}%"


def rule_percent(fraction: float) -> str:
    """'18%', '3.72%': a per-case threshold, to its three significant digits."""
    return f"{100 * fraction:.3g}%"


def per_case_rule(spec: rp.Task) -> str:
    """'fewer than 18% of cases off by more than 0.04': a per-case task's solved rule."""
    return f"fewer than {rule_percent(spec.per_case)} of cases off by more than {rp.SUTSKEVER_TOLERANCE:g}"


def per_case_bits(spec: rp.Task) -> tuple[int, float]:
    """(bits, wrong): the partial predictor (X2 exactly, X1 to `bits` bits) whose wrong fraction the task's
    per-case threshold is rp.PER_CASE_SAFETY times, read back from the task table rather than restated."""
    return next((b, w) for b in range(8) if (w := rp.partial_predictor_wrong(spec.name, b)) > 0
                and np.isclose(rp.PER_CASE_SAFETY * w, spec.per_case))


def times_word(factor: float) -> str:
    """'half', or '0.25 times' for another factor."""
    return "half" if factor == 0.5 else f"{factor:g} times"


def final_wrongs(runs: list[dict]) -> list[float]:
    """The fraction of wrong cases at the end of every run that did not diverge and has one (rp.final_wrong)."""
    return [w for w in (rp.final_wrong(r) for r in runs if not r["diverged"]) if w is not None]


def wrong_source(runs: list[dict]) -> str:
    """Where rp.final_wrong counted the runs' wrong cases: 'on 1000 held-out cases after the last update', or for
    records from before that measurement 'on the last epoch's fresh batches', or both."""
    cases = sorted({r["heldout"]["cases"] for r in runs if r.get("heldout")})
    older = sum(not r.get("heldout") for r in runs if not r["diverged"])
    last = "on the last epoch's fresh batches"
    if not cases:
        return last
    heldout = f"on {join_words([str(n) for n in cases])} held-out cases after the last update"
    return heldout if not older else f"{heldout} ({plural(older, 'older record')} {last})"


def span(values: list[float], show=percent) -> str:
    """'82.9%' for one value, '76.4% to 84.8%' for several, '-' for none."""
    if not values:
        return "-"
    lo, hi = min(values), max(values)
    return show(lo) if show(lo) == show(hi) else f"{show(lo)} to {show(hi)}"


def arm_counts(groups: dict[tuple, list[dict]], counted=rp.is_success) -> list[tuple[int, int]]:
    """[(k, n)] per init of `groups` ({(init,): runs}): the runs `counted` holds for, out of all."""
    return [(sum(map(counted, runs)), len(runs)) for runs in groups.values()]


def fisher_words(k1: int, n1: int, k2: int, n2: int) -> str:
    """'Fisher p < 0.001', or 'Fisher p = 0.44: a difference this test cannot tell from chance': two arms' counts
    worded by the two-sided test, as the experiments word them (rnnpath.experiments.base.compare_text)."""
    from rnnpath.experiments.base import NOT_TOLD, told_apart

    text = fisher_text(k1, n1, k2, n2)
    return text if told_apart(k1, n1, k2, n2) else f"{text}: {NOT_TOLD}"


def arms_compared(groups: dict[tuple, list[dict]], counted=rp.is_success) -> str:
    """'10/10 against 0/10, Fisher p < 0.001' for the two inits of `groups` ({(init,): runs}), '0/10 each' where
    the counts are the same (nothing to test), '' unless there are two."""
    if len(groups) != 2:
        return ""
    (k1, n1), (k2, n2) = arm_counts(groups, counted)
    return f"{k1}/{n1} each" if (k1, n1) == (k2, n2) else f"{k1}/{n1} against {k2}/{n2}, {fisher_words(k1, n1, k2, n2)}"


def per_case_sentence(runs: list[dict], compare: bool = False) -> str:
    """' On addition a run counts as solved with fewer than 18% of cases off by more than 0.04 (...), counted on 1000
    held-out cases after the last update: at the end ortho gets 82.9% of them wrong, random 92.4%. Partial progress,
    ...: ortho 1/1, random 0/1.' for every per-case task of `runs`, or ''. The wrong fractions are rp.final_wrong's;
    with `compare`, the partial-progress counts of the two inits are set against each other by Fisher's exact test."""
    parts = []
    for (task,), group in _groups(runs, "task").items():
        spec = rp.TASKS[task]
        if spec.per_case is None:
            continue
        T, m = group[0]["sequence_len"], spec.metric_name
        bits, wrong = per_case_bits(spec)
        by_init = _groups(group, "init")
        (first, mine), *others = by_init.items()
        at_end = ", ".join([f"{first[0]} gets {span(final_wrongs(mine))} of them wrong"]
                           + [f"{init} {span(final_wrongs(theirs))}" for (init,), theirs in others])
        line, partial = spec.threshold(T), spec.partial(T)
        counts = arm_counts(by_init, rp.is_progress)
        progress = ", ".join(f"{init} {k}/{n}" for ((init,), (k, n)) in zip(by_init, counts, strict=True))
        if compare and len(counts) == 2 and counts[0] != counts[1]:  # equal counts need no test
            progress += f" ({fisher_words(*counts[0], *counts[1])})"
        parts.append(
            f" On {task} a run counts as solved with {per_case_rule(spec)} ({times_word(rp.PER_CASE_SAFETY)} the "
            f"{rule_percent(wrong)} that the best predictor knowing X2 and {plural(bits, 'bit')} of X1 gets wrong), "
            f"counted {wrong_source(group)}: at the end {at_end}. Partial progress, {rp.METRIC_LABELS[m]} < "
            f"{rp.format_metric(line, m)} at the end ({times_word(line / partial)} the one-marker loss "
            f"{rp.format_metric(partial, m)}): {progress}.")
    return "".join(parts)


# ----------------------------------------------------------------------------------------------------------------
# the headline's blocks: seed 0 (results.json) and the ten seeds (results_seeds.json)


def headline_table(doc: dict) -> str:
    """Markdown table: one row per (task, T), each init's final metric, best metric (epoch) and solved epoch, and
    where a task is judged per case, its final fraction of wrong cases (rp.final_wrong). The value the task's rule
    judges at the end is bold where the run meets it: the final metric, or on a per-case task the wrong fraction
    (table_outcomes reads the outcomes back from the bold)."""
    runs = doc["runs"]
    inits = list(dict.fromkeys(r["init"] for r in runs))
    keys = list(dict.fromkeys((r["task"], r["sequence_len"]) for r in runs))
    by_key = {(r["task"], r["sequence_len"], r["init"]): r for r in runs}
    per_case = any(map(rp.is_per_case, runs))  # the wrong-cases columns only where a task is judged by them
    header = ["task", "T", "metric", "chance", "partial", "solved when"]
    for init in inits:
        header += [f"{init} final", *([f"{init} wrong"] if per_case else []), f"{init} best (epoch)",
                   f"{init} solved"]
    rows = []
    for task, T in keys:
        some = next(r for r in runs if (r["task"], r["sequence_len"]) == (task, T))
        m = some["metric_name"]
        op = ">" if some["higher_is_better"] else "<"
        spec = rp.TASKS[task]
        rule = f"{op} {rp.format_metric(spec.threshold(T), m)}"
        if spec.per_case is not None:
            rule = f"< {rule_percent(spec.per_case)} wrong (partial progress: {rule})"
        row = [task, str(T), rp.METRIC_LABELS[m], rp.format_metric(spec.chance(T), m),
               rp.format_metric(spec.partial(T), m), rule]
        for init in inits:
            r = by_key.get((task, T, init))
            if r is None:
                row += [""] * (4 if per_case else 3)
                continue
            final = rp.format_metric(r["final_metric"], m)
            cells = [f"**{final}**" if rp.is_success(r) and not rp.is_per_case(r) else final]
            if per_case:
                cells.append(wrong_cell(r))
            row += [*cells, f"{rp.format_metric(r['best_metric'], m)} ({r['best_epoch']})", _outcome(r)]
        rows.append(row)
    return markdown_table(header, rows)


def wrong_cell(run: dict) -> str:
    """A per-case run's final fraction of wrong cases, bold where it meets the rule, '(last epoch)' where the record
    predates the held-out measurement; '-' for a run judged by its metric."""
    wrong = rp.final_wrong(run) if rp.is_per_case(run) and not run["diverged"] else None
    if wrong is None:
        return "-"
    text = f"**{percent(wrong)}**" if rp.is_success(run) else percent(wrong)
    return text if run.get("heldout") else f"{text} (last epoch)"


def headline_kernel(doc: dict) -> str:
    """Which BLAS library, version and kernel computed the file, on which CPU, and how to get the same bits: the last
    digits of every number depend on the kernel (rp.blas_threads), and `--check` reads the kernel named here."""
    env = doc["environment"]
    kernel = rp.blas_kernel(env)
    if kernel is None:
        return (f"The headline numbers come from a results file that does not record which BLAS kernel computed it "
                f"({env.get('cpu', 'CPU not recorded')}, numpy {env['numpy']}).")
    libraries = env["blas"]
    threads = join_words([f"{lib['threading_layer']}, {plural(lib['num_threads'], 'thread')}" for lib in libraries])
    pin = ""
    if [lib["library"] for lib in libraries] == ["openblas"]:
        pin = (f" With numpy's OpenBLAS on an x86-64 CPU that picks another kernel, `OPENBLAS_CORETYPE="
               f"{libraries[0]['kernel']} python rnn_pathological.py --all --seed 0` pins the same kernel (on another "
               f"CPU model the last digits can still differ: numpy's own loops pick their instructions by CPU).")
    # numpy's own loops (tanh, exp) pick their instructions by the SIMD extensions found (rp.same_kernel): named
    # beside the CPU where the file records them, so --check tells apart two machines that differ only there
    simd = f" (numpy's SIMD extensions {join_words(env['simd'])})" if env.get("simd") else ""
    return (f"The headline numbers were computed by {KERNEL_MARK}{kernel}` ({threads}) on an "
            f"{env.get('cpu', 'unrecorded CPU')}{simd}, numpy {env['numpy']}. The same command gives the same bits "
            f"under the same BLAS library, version and kernel on the same CPU model with the same SIMD extensions; "
            f"under another kernel or CPU the last digits differ, and over a run they grow into other solved epochs "
            f"and final metrics.{pin}")


# The generated sentence that names the kernel and CPU of the README's headline numbers, as --check reads it back:
# "... BLAS `openblas 0.3.31 Haswell` (pthreads, 1 thread) on an AMD EPYC 7B13 (numpy's SIMD extensions ...), numpy
# ...", the extensions only where the file records them.
KERNEL_MARK = "BLAS `"
KERNEL_NAMED = re.compile(re.escape(KERNEL_MARK) + r"([^`]+)`(?: \([^)]*\) on an (.+?), numpy)?")


def took(doc: dict) -> str:
    """' The run took N s with J worker process(es) on ...', from the file's execution record, or ''."""
    execution = doc.get("execution") or {}
    if execution.get("wallclock_s") is None:
        return ""
    env = doc["environment"]
    return (f" The run took {execution['wallclock_s']:.0f} s with {execution['jobs']} worker process(es) on a "
            f"{env['cpu_count']}-core {env['machine']} machine (numpy {env['numpy']}).")


# The one machine-dependent sentence of the generated blocks: the wall time of the run that wrote the file.
WALL_TIME = re.compile(r" The run took \d+ s with \d+ worker process\(es\) on a [^.]*\.")


def without_wall_times(text: str) -> str:
    """`text` with every wall-time sentence reduced to a placeholder: rerunning the README's first command rewrites
    results.json with the same numbers but new timings, and that must not make the README look wrong."""
    return WALL_TIME.sub(" The run took (wall time) .", text)


def headline_verdict(doc: dict) -> str:
    """One sentence per init: how many of the tasks it solved by the final epoch, computed from the file; then the
    per-case tasks' wrong fractions and partial progress, and the lenient rule's verdicts."""
    runs = doc["runs"]
    seeds = sorted({r["seed"] for r in runs})
    parts = []
    for (init,), mine in _groups(runs, "init").items():
        solved = [f"{r['task']}" for r in mine if rp.is_success(r)]
        reached = [f"{r['task']}" for r in mine if _fell_back(r)]
        text = f"**{init}** ends solved on {len(solved)} of {len(mine)} tasks"
        text += f" ({', '.join(solved)})" if solved else ""
        if reached:
            text += f"; it met the rule at some epoch but not at the end on {', '.join(reached)}"
        parts.append(text)
    cfg = rp.full_config(doc["config"])
    lenient = per_case_sentence(runs) + lenient_sentence(runs)
    cell = "" if cfg["cell"] == rp.DEFAULTS["cell"] else f"{cfg['cell']} cell, "  # the vanilla cell goes unnamed
    optimizer = f"momentum {cfg['momentum']}" if rp.OPTIMIZER_TABLE[cfg["optimizer"]].momentum else cfg["optimizer"]
    return (
        f"Seed {', '.join(map(str, seeds))}, {cell}hidden {cfg['n_hidden']}, batch {cfg['batch_size']}, "
        f"{cfg['n_epochs']} epochs x {cfg['batches_per_epoch']} batches, lr {cfg['lr']}, {optimizer}, "
        f"clip {cfg['clip']}, {cfg['dtype']}: " + "; ".join(parts) + "." + lenient + took(doc)
    )


def lenient_sentence(runs: list[dict]) -> str:
    """' Under the rule of seed 000 for addition (0.5*MSE < 0.0500), which a network that remembers only one marker
    meets (0.0417), runs end solved: ortho 1/1, random 0/1.', or '' when no task has a lenient rule."""
    parts = []
    for (task,), group in _groups(runs, "task").items():
        spec = rp.TASKS[task]
        if spec.lenient_threshold is None:
            continue
        T = group[0]["sequence_len"]
        m = spec.metric_name
        op = ">" if spec.higher_is_better else "<"
        per_init = []
        for (init,), mine in _groups(group, "init").items():
            per_init.append(f"{init} {sum(map(lenient_success, mine))}/{len(mine)}")
        parts.append(f" Under the rule of {spec.lenient_source} for {task} ({rp.METRIC_LABELS[m]} {op} "
                     f"{rp.format_metric(spec.lenient_threshold(T), m)}), which a network that remembers only one "
                     f"marker meets ({rp.format_metric(spec.partial(T), m)}), runs end solved: "
                     + ", ".join(per_init) + ".")
    return "".join(parts)


def lenient_success(run: dict) -> bool:
    """The run ends past its task's lenient (seed or published) threshold and did not diverge."""
    spec = rp.TASKS[run["task"]]
    return (spec.lenient_threshold is not None and not run.get("diverged") and run["final_metric"] is not None
            and rp.past_threshold(run["final_metric"], spec.lenient_threshold(run["sequence_len"]),
                                  spec.higher_is_better))


def seeds_table(doc: dict) -> str:
    """Markdown table over seeds: per (task, T, init) the success rate k/n with its 95% Wilson interval, the runs
    that met the rule at some epoch and their median first epoch, the final and best metric as median [min, max],
    and the lenient rule's count; where a task is judged per case, also the final fraction of wrong cases as median
    [min, max] and the count that ends past the metric's partial-progress line."""
    runs = doc["runs"]
    groups = _groups(runs, "task", "sequence_len", "init")
    per_case = any(map(rp.is_per_case, runs))  # the per-case columns only where a task is judged by them
    header = ["task", "T", "init", "solved at the end (95% CI)", "solved at some epoch", "median solved epoch",
              *(["wrong cases at the end, median [range]", "partial progress at the end"] if per_case else []),
              "final metric, median [range]", "best metric, median [range]", "under the lenient rule"]
    rows = []
    for (task, T, init), group in groups.items():
        m = group[0]["metric_name"]
        spec = rp.TASKS[task]
        n = len(group)
        k = sum(rp.is_success(r) for r in group)
        lo, hi = wilson_interval(k, n)
        solved_epochs = [r["solved_epoch"] for r in group if r["solved_epoch"] is not None]
        median_epoch = f"{np.median(solved_epochs):g}" if solved_epochs else "-"
        finals = [r["final_metric"] for r in group if r["final_metric"] is not None]
        bests = [r["best_metric"] for r in group if r["best_metric"] is not None]
        lenient = "-"
        if spec.lenient_threshold is not None:
            lenient = f"{sum(map(lenient_success, group))}/{n} ({spec.lenient_source})"
        cells = []
        if per_case:
            cells = ["-", "-"]
            if spec.per_case is not None:
                wrong = final_wrongs(group)
                older = "" if all(r.get("heldout") for r in group) else " (older records: last epoch)"
                spread = (f"{percent(float(np.median(wrong)))} [{percent(min(wrong))}, {percent(max(wrong))}]"
                          if wrong else "-")
                line = f"{rp.METRIC_LABELS[m]} < {rp.format_metric(spec.threshold(T), m)}"
                cells = [spread + older, f"{sum(map(rp.is_progress, group))}/{n} ({line})"]
        rows.append([task, T, init, f"{k}/{n} [{lo:.2f}, {hi:.2f}]", f"{len(solved_epochs)}/{n}", median_epoch,
                     *cells, f"{median_range(finals, m)} ({rp.METRIC_LABELS[m]})", median_range(bests, m), lenient])
    return markdown_table(header, rows)


def seeds_verdict(doc: dict) -> str:
    """What the multi-seed file says: per init, the runs solved at the end on each task; the two inits' counts
    against each other by Fisher's exact test; on the per-case tasks the final fractions of wrong cases (against
    Sutskever et al.'s) and the partial progress."""
    runs = doc["runs"]
    seeds = sorted({r["seed"] for r in runs})
    parts = []
    for (init,), mine in _groups(runs, "init").items():
        per_task = []
        for (task,), group in _groups(mine, "task").items():
            text = f"{task} {sum(rp.is_success(r) for r in group)}/{len(group)}"
            reached = sum(map(_fell_back, group))
            if reached:
                text += f" (plus {reached} that met the rule at some epoch and fell back)"
            per_task.append(text)
        parts.append(f"**{init}** ends solved in " + ", ".join(per_task))
    inits = list(_groups(runs, "init"))
    versus = [f"{task} {arms_compared(_groups(group, 'init'))}" for (task,), group in _groups(runs, "task").items()]
    compared = (f" {inits[0][0].capitalize()} against {inits[1][0]}, two-sided Fisher exact test: "
                + "; ".join(versus) + ".") if len(inits) == 2 else ""
    counts = per_case_sentence(runs, compare=True)
    if counts:
        counts += (" Sutskever et al. report 2% of cases wrong with momentum 0.9 and 0.025% with 0.995 after 50k "
                   "updates at T = 80.")
    return (f"Over seeds {seeds[0]}-{seeds[-1]} ({plural(len(seeds), 'seed')}), runs solved at the final epoch: "
            + "; ".join(parts) + "." + compared + counts + took(doc))


def analysis_numbers(doc: dict) -> str:
    """Total Fisher memory of the example networks, and the Henrici index of W_hh per task and init, from code."""
    from rnnpath.analyses import matrices as an

    fisher = ", ".join(f"{label}: {an.fisher_memory_total(W):.2f}" for label, W, _ in an.fisher_examples())
    header = ["task", "T", "init", "d(W_hh) at init", "d(W_hh) trained", "d(W_hh) / Frobenius norm, trained",
              "gradient reaching step 1 / at step T, at init", "same, trained"]
    rows = []
    for run in doc["runs"]:
        W0, W1 = an.initial_W_hh(run), np.array(run["W_hh_final"])
        x, y = rp.generate_batch(run["task"], run["sequence_len"], an.GRADIENT_BATCH, np.random.default_rng(0))
        ratios = []
        for params in (rp.initial_params(run["task"], run["init"], run["seed"], **run["config"]),
                       rp.trained_params(run)):
            norms = an.grad_norm_through_time(params, x, y, run["task"], run["config"]["activation"])
            ratios.append(f"{norms[0] / norms[-1]:.1e}")
        rows.append([run["task"], run["sequence_len"], run["init"], f"{an.henrici_index(W0):.2f}",
                     f"{an.henrici_index(W1):.2f}", f"{an.henrici_index(W1, normalized=True):.3f}", *ratios])
    return f"Total Fisher memory J_tot (N = 64): {fisher}.\n\n" + markdown_table(header, rows)


def _median(values: list[float]) -> float:
    return float(np.median(values))


def _stat(runs: list[dict], when: str, name: str) -> list[float]:
    """A W_hh statistic of every run that has it (None: ||W^T|| beyond float64's range, left out)."""
    values = [r["W_hh_stats"][when][name] for r in runs if "W_hh_stats" in r]
    return [v for v in values if v is not None]


def why_random_fails(seeds_doc: dict) -> str:
    """The random start's spectrum at init and after training, against the ortho start's, from the W_hh statistics
    every run of the ten-seed file records; worded from the numbers."""
    runs = seeds_doc["runs"]
    cfg = rp.full_config(seeds_doc["config"])
    H, s = cfg["n_hidden"], cfg["random_scale"]
    random_runs = [r for r in runs if r["init"] == "random"]
    r0 = _stat(random_runs, "init", "spectral_radius")
    sv0 = _stat(random_runs, "init", "sv_max"), _stat(random_runs, "init", "sv_min")
    rows, raised, per_task = [], [], []
    for (task, T, init), group in _groups(runs, "task", "sequence_len", "init").items():
        k = sum(rp.is_success(r) for r in group)
        cells = [task, T, init]
        for when in ("init", "final"):
            radius, power = _stat(group, when, "spectral_radius"), _stat(group, when, "norm_W_pow_T")
            cells += [f"{_median(radius):.2f} [{min(radius):.2f}, {max(radius):.2f}]", f"{_median(power):.2g}"]
        cells.append(f"{k}/{len(group)}")
        rows.append(cells)
        if init == "random":
            trained = _median(_stat(group, "final", "spectral_radius"))
            per_task.append(f"{trained:.2f} on {task}")
            raised.append(trained >= 1.0)
    powers = {T: _median(_stat([r for r in random_runs if r["sequence_len"] == T], "init", "norm_W_pow_T"))
              for T in sorted({r["sequence_len"] for r in random_runs})}
    n_solved = sum(rp.is_success(r) for r in random_runs)
    text = (f"At H = {H} and std {s:g} the random W_hh has spectral radius {_median(r0):.2f} at initialisation "
            f"(median over {len(random_runs)} runs; the circular law predicts std x sqrt(H) = {s * np.sqrt(H):.2f}), "
            f"largest singular value {_median(sv0[0]):.2f} and smallest {_median(sv0[1]):.3f}. "
            + _contraction_words(r0, sv0[0], len(random_runs)) +
            " The norm of W^T, the most of a state that T steps of the linearised network keep, is "
            + ", ".join(f"{p:.1e} at T = {T}" for T, p in powers.items())
            + " (1 for an orthogonal start). After training the random arm's radius is " + ", ".join(per_task)
            + f" (medians); it is 1 or more on {sum(raised)} of {len(per_task)} tasks, and the "
            f"random arm ends solved in {n_solved} of {len(random_runs)} runs. A trained spectrum near or above 1 is "
            f"therefore not enough on its own. What differs at the beginning is the learning signal that reaches the "
            f"marked steps (the gradient numbers below); the random_scale experiment varies the starting radius "
            f"directly.")
    header = ["task", "T", "init", "radius at init, median [range]", "norm W^T at init", "radius trained",
              "norm W^T trained", "solved"]
    return text + "\n\n" + markdown_table(header, rows)


def _contraction_words(radius: list[float], sv_max: list[float], n: int) -> str:
    """What W_hh's spectral radius and largest singular value say about h -> tanh(W_hh h + u) for every run: the
    radius decides whether the linearisation at 0 decays (W^T -> 0), the norm ||W_hh||_2 whether the map is a
    contraction (tanh is 1-Lipschitz, so ||W_hh||_2 < 1 makes it one, with a single fixed point per input); a radius
    below 1 with a norm above 1 guarantees neither."""
    every = f"in every one of the {n} runs" if n > 1 else "in its run"
    if max(sv_max) < 1:
        return (f"Its largest singular value is below 1 {every}, and tanh is 1-Lipschitz, so h -> tanh(W_hh h + u) "
                "is a contraction: one fixed point per constant input, which every state approaches.")
    if max(radius) < 1 and min(sv_max) > 1:
        return (f"The radius is below 1 {every}, so the linearisation at 0 decays (W^T -> 0 as T grows); the largest "
                f"singular value is above 1 {every}, so h -> tanh(W_hh h + u) is not thereby a contraction (tanh being "
                "1-Lipschitz, ||W_hh||_2 < 1 would make it one): a radius below 1 guarantees neither a contraction "
                "nor a single fixed point per constant input.")
    return ("The radius and the largest singular value fall on both sides of 1 over the runs, so neither a decaying "
            "linearisation at 0 nor a contraction holds for every run.")


INIT_GRADIENT_SEEDS = 10  # starts per task and init for the ratio at initialisation: no training, 0.1 s each


@functools.cache
def _init_ratios(task: str, init: str, sequence_len: int, config_json: str, n_seeds: int) -> tuple[float, ...]:
    """The ratio of dL/dh_1 to dL/dh_T at initialisation for seeds 0 .. n_seeds - 1 of one headline arm, on the fixed
    batch of gradient_sentence. Kept per process: the report and its tests ask for the same arms many times."""
    from rnnpath.analyses import matrices as an

    config = json.loads(config_json)
    x, y = rp.generate_batch(task, sequence_len, an.GRADIENT_BATCH, np.random.default_rng(0))
    ratios = []
    for seed in range(n_seeds):
        start = rp.initial_params(task, init, seed, **config)
        norms = an.grad_norm_through_time(start, x, y, task, config["activation"])
        ratios.append(float(norms[0] / norms[-1]))
    return tuple(ratios)


def init_gradient_ratios(doc: dict, n_seeds: int = INIT_GRADIENT_SEEDS) -> dict[tuple[str, str], list[float]]:
    """(task, init) -> the ratio of dL/dh_1 to dL/dh_T at initialisation for seeds 0 .. n_seeds - 1, each network built
    as the headline run of that task and init builds its start, on the same fixed batch as gradient_sentence."""
    return {(run["task"], run["init"]): list(_init_ratios(run["task"], run["init"], run["sequence_len"],
                                                          json.dumps(run["config"], sort_keys=True), n_seeds))
            for run in doc["runs"]}


def init_seeds_sentence(doc: dict) -> str:
    """The init ratios of gradient_sentence over INIT_GRADIENT_SEEDS starts per arm, with the rank-sum test between the
    starts: a start needs no training, so the one-seed comparison can be checked on many."""
    ratios = init_gradient_ratios(doc)
    tasks = list(dict.fromkeys(task for task, _ in ratios))
    if not all((t, "random") in ratios and (t, "ortho") in ratios for t in tasks):
        return ""
    parts = []
    for t in tasks:
        r, o = ratios[(t, "random")], ratios[(t, "ortho")]
        parts.append(f"on {t} random {np.median(r):.1e} [{min(r):.1e}, {max(r):.1e}] against ortho "
                     f"{np.median(o):.1e} [{min(o):.1e}, {max(o):.1e}] ({rank_sum_text(r, o)})")
    n = len(next(iter(ratios.values())))
    lower = [t for t in tasks if max(ratios[(t, "random")]) < min(ratios[(t, "ortho")])]
    verdict = ("every random start's ratio lies below every orthogonal start's on every task" if len(lower) == len(tasks)
               else f"the two ranges do not overlap on {join_words(lower) if lower else 'no task'}")
    return (f" The starts need no training, so the same ratio at initialisation over seeds 0-{n - 1} per task and "
            f"init (median [range]): {'; '.join(parts)}: {verdict}.")


def gradient_sentence(doc: dict) -> str:
    """What the dL/dh_t ratios of the analysis table say, at init and after training, per task; on which seeds and
    batch they rest, and what the orthogonal start's own ratio at init is made of."""
    from rnnpath.analyses import matrices as an

    ratio: dict[tuple[str, str, str], float] = {}
    kept_by_W: dict[str, bool] = {}  # task -> the ortho start's W_hh keeps lengths and the loss is at the last step
    for run in doc["runs"]:
        x, y = rp.generate_batch(run["task"], run["sequence_len"], an.GRADIENT_BATCH, np.random.default_rng(0))
        start = rp.initial_params(run["task"], run["init"], run["seed"], **run["config"])
        for when, params in (("init", start), ("trained", rp.trained_params(run))):
            norms = an.grad_norm_through_time(params, x, y, run["task"], run["config"]["activation"])
            ratio[(run["task"], run["init"], when)] = float(norms[0] / norms[-1])
        if run["init"] == "ortho":
            sv = np.linalg.svd(start["W_hh"], compute_uv=False)
            kept_by_W[run["task"]] = bool(np.allclose(sv, 1.0, atol=1e-9)) and not rp.get_task(run["task"]).per_step
    tasks = list(dict.fromkeys(r["task"] for r in doc["runs"]))
    seeds = sorted({r["seed"] for r in doc["runs"]})
    lengths = {r["task"]: r["sequence_len"] for r in doc["runs"]}
    at_init = [f"{ratio[(t, 'random', 'init')]:.1e} against {ratio[(t, 'ortho', 'init')]:.1e} on {t}" for t in tasks]
    gap = [np.log10(ratio[(t, "ortho", "init")] / ratio[(t, "random", "init")]) for t in tasks]
    trained_low = [t for t in tasks if ratio[(t, "random", "trained")] < ratio[(t, "ortho", "trained")] / 100]
    trained_not = [t for t in tasks if t not in trained_low]
    on = (f"seed {seeds[0]}" if len(seeds) == 1 else f"seeds {', '.join(map(str, seeds))}")
    text = (f"On one run per task and init ({on}) and one fixed batch of {an.GRADIENT_BATCH} sequences per task, at "
            f"initialisation the gradient reaching step 1, as a fraction of the gradient at step T, is "
            f"{'; '.join(at_init)} (random against ortho): about {min(gap):.1f} to {max(gap):.1f} orders of "
            "magnitude less under the random start." + init_seeds_sentence(doc))
    kept = [t for t in tasks if kept_by_W.get(t)]
    if kept:
        text += (" The orthogonal start loses a factor too, " + ", ".join(
            f"{ratio[(t, 'ortho', 'init')]:.2g} over T = {lengths[t]} on {t}" for t in kept)
                 + ": its W_hh keeps every length, and with the loss at the last step alone what shrinks the "
                   "gradient is tanh's slope, each step passing it back through W_hh^T diag(1 - h_t^2).")
    text += " After training"
    if trained_low:
        text += (f" the random arm's ratio is still more than 100 times below the orthogonal arm's on "
                 f"{', '.join(trained_low)}")
    if trained_not:
        text += (";" if trained_low else "") + (f" the random arm's ratio is within a factor of 100 of the "
                 f"orthogonal arm's on {join_words(trained_not)} (random "
                 + ", ".join(f"{ratio[(t, 'random', 'trained')]:.1e}" for t in trained_not) + " against ortho "
                 + ", ".join(f"{ratio[(t, 'ortho', 'trained')]:.1e}" for t in trained_not) + ")")
    return text + (". So the vanishing gradient holds for the random start at initialisation on every task, and "
                   "after training only where this list says so; trained random networks that pass gradients back "
                   "still end unsolved (see the table above).")


def curves_notes(doc: dict) -> str:
    """Where each arm of the seed-0 run ends against chance and the partial baseline, and on a per-case task against
    the partial-progress line (the dash-dotted line of its panel), with its final fraction of wrong cases."""
    parts = []
    for (task, T), group in _groups(doc["runs"], "task", "sequence_len").items():
        spec = rp.TASKS[task]
        m = spec.metric_name
        ends = []
        for r in group:
            said = ["solved"] if rp.is_success(r) else []
            if spec.per_case is not None:
                said += ["partial progress"] if rp.is_progress(r) else []
                said += [f"{percent(w)} of cases wrong" for w in final_wrongs([r])]
            ends.append(f"{r['init']} {rp.format_metric(r['final_metric'], m)}"
                        + (f" ({', '.join(said)})" if said else ""))
        line = (f", partial progress below {rp.format_metric(spec.threshold(T), m)}" if spec.per_case is not None
                else "")
        parts.append(f"{task}: {', '.join(ends)}, chance {rp.format_metric(spec.chance(T), m)}, partial "
                     f"{rp.format_metric(spec.partial(T), m)}{line}")
    return "Final metrics of seed 0: " + "; ".join(parts) + "."


TASK_SOURCES = {  # who the task and its layout come from (the generators' docstrings give the details)
    "addition": "Hochreiter & Schmidhuber 1997; layout: seed 000, Le et al. 2015, Arjovsky et al. 2016 "
                "(`--layout early`: H&S / Pascanu et al. 2013)",
    "multiplication": "Hochreiter & Schmidhuber 1997; layouts as addition",
    "xor": "Martens & Sutskever 2011; layouts as addition",
    "temporal_order": "Hochreiter & Schmidhuber 1997, task 6a",
    "temporal_order_3": "Hochreiter & Schmidhuber 1997, task 6b; windows of Pascanu et al. 2013",
    "3bit_memorization": "seed 000 (the published 3-symbol task is temporal_order_3)",
    "random_permutation": "Hochreiter & Schmidhuber 1997; scored at the last step as in Martens & Sutskever 2011's "
                          "HF code and Pascanu et al. 2013's",
    "noiseless_memorization_5bit": "Hochreiter & Schmidhuber 1997; Martens & Sutskever 2011",
    "noiseless_memorization_20bit": "Martens & Sutskever 2011; Pascanu et al. 2013's layout",
    "copy": "Arjovsky, Shah & Bengio 2016",
    "latching": "Bengio, Simard & Frasconi 1994; the setup of seed 003",
    "linear_teacher": "Zucchet & Orvieto 2024 (seed 001), Fig. 3: a linear teacher RNN, not a pathological task",
}


def tasks_table() -> str:
    """Every task of the engine with its source, baselines and criteria, from rp.TASKS at its default T: the solved
    rule (per case on addition and multiplication, the metric's threshold elsewhere), the metric's partial-progress
    line where the rule is per case, and the lenient rule where a task has one."""
    rows = []
    for task in rp.TASKS.values():
        T, m = task.headline_len, task.metric_name
        op = ">" if task.higher_is_better else "<"
        lenient = "-"
        if task.lenient_threshold is not None:
            lenient = f"{op} {rp.format_metric(task.lenient_threshold(T), m)} ({task.lenient_source})"
        line = f"{op} {rp.format_metric(task.threshold(T), m)}"
        solved, progress = (line, "-") if task.per_case is None else (per_case_rule(task), line)
        rows.append([f"`{task.name}`", TASK_SOURCES.get(task.name, "-"), T, rp.METRIC_LABELS[m],
                     rp.format_metric(task.chance(T), m), rp.format_metric(task.partial(T), m), solved, progress,
                     lenient])
    return markdown_table(["task", "source", "default T", "metric", "chance", "partial (one item short)",
                           "solved when", "partial progress", "lenient rule (not ours)"], rows)


def per_case_table() -> str:
    """The per-case rule's derivation in numbers: for each per-case task, the smallest fraction of wrong cases of a
    predictor that knows X2 exactly and X1 to 0, 1, ... bits (rp.partial_predictor_wrong, closed form), up to the
    first that gets every case right, and the threshold (rp.Task.per_case) with the predictor it is a fraction of."""
    tasks = [task for task in rp.TASKS.values() if task.per_case is not None]
    most = max(next(b for b in range(16) if rp.partial_predictor_wrong(t.name, b) == 0) for t in tasks)
    rows = []
    for task in tasks:
        bits, wrong = per_case_bits(task)
        rows.append([f"`{task.name}`", *(f"{rp.partial_predictor_wrong(task.name, b):.4f}" for b in range(most + 1)),
                     f"{task.per_case:.4f} = {rp.PER_CASE_SAFETY:g} x {wrong:.4f} ({plural(bits, 'bit')})"])
    return markdown_table(["task", *(f"X2 and {plural(b, 'bit')} of X1" for b in range(most + 1)),
                           "solved when the wrong fraction is below"], rows)


def performance(benches: dict[str, dict]) -> str:
    """The Performance section's numbers from bench.json (float64) and bench_float32.json, against the targets."""
    first = next(iter(benches.values()))
    env = first["environment"]
    peak = first["gemm_peak_gflops"]
    lines = [
        (f"Measured by `python -m rnnpath bench` on a {env['cpu_count']}-core {env['machine']} machine "
         f"({env.get('cpu') or env['platform']}; {env['platform']}), Python {env['python']}, numpy {env['numpy']}"
         + (f", BLAS `{rp.blas_kernel(env)}`" if rp.blas_kernel(env) else "")
         + f"; GEMM peak {peak['float64']} GFLOP/s in float64 and {peak['float32']} in float32 (1024 x 1024 "
         f"products, all cores)."),
        "",
    ]

    def judged(value: float, target: float | None, unit: str, fmt: str, higher: bool = False) -> str:
        text = f"{value:{fmt}}{unit}"
        if target is None:
            return text
        met = value >= target if higher else value <= target
        return f"{text} ({'meets' if met else 'misses'} {'>=' if higher else '<='} {target:{fmt}}{unit})"

    rows = {
        "headline `--all`, wall time (median)": lambda b: judged(
            b["headline"]["wall_s"], b["targets"].get("headline_wall_s"), " s", ".1f")
        + f", {b['headline']['jobs']} workers, {len(b['headline']['wall_s_repeats'])} repeats",
        "arithmetic counted (matrix products)": lambda b: f"{b['headline']['flops'] / 1e12:.3f} TFLOP",
        "achieved rate": lambda b: f"{b['headline']['gflops']:.1f} GFLOP/s",
        "fraction of the GEMM peak": lambda b: judged(
            100 * b["headline"]["fraction_of_peak"], None if "fraction_of_peak" not in b["targets"]
            else 100 * b["targets"]["fraction_of_peak"], "%", ".0f", higher=True),
        "lower bound for `--all`: its products and one exp per step, nothing else": lambda b:
            f"{b['floor']['total_s']:.1f} s ({100 * b['floor']['fraction_of_peak']:.0f}% of peak)",
        "one T=60 run on one core": lambda b: judged(
            b["single_T60_run_one_core_s"], b["targets"].get("single_T60_run_one_core_s"), " s", ".1f"),
        "lower bound for one T=60 run": lambda b: f"{b['floor']['single_T60_run_s']:.1f} s",
        "peak memory per process": lambda b: judged(
            max(b["peak_memory"].values()), b["targets"].get("peak_mb"), " MB", ".0f"),
    }
    lines.append(markdown_table(["", *benches], [[name, *map(cell, benches.values())]
                                                    for name, cell in rows.items()]))
    lines += [""] + [f"- {headroom(dtype, b)}" for dtype, b in benches.items()]
    by_T = [[f"{dtype}, H=64", *(f"{v:.2f} ms" for v in b["step_ms_by_T"].values()),
             f"{b['step_ms_by_T']['240'] / b['step_ms_by_T']['30']:.1f}"] for dtype, b in benches.items()]
    by_H = [[f"{dtype}, T=60", *(f"{v:.2f} ms" for v in b["step_ms_by_H"].values()),
             f"{b['step_ms_by_H']['128'] / b['step_ms_by_H']['32']:.1f}"] for dtype, b in benches.items()]
    kernels = [[dtype, *(f"{v:.1f} us" for v in b["kernel_us"].values())] for dtype, b in benches.items()]
    lines += ["", "Cost of one training step (forward and backward, batch 50):", "",
              markdown_table(["", *(f"T={T}" for T in first["step_ms_by_T"]), "T=240 / T=30"], by_T), "",
              markdown_table(["", *(f"H={H}" for H in first["step_ms_by_H"]), "H=128 / H=32"], by_H), "",
              "Per-step kernels on (50, 64) arrays, the profile of the two loops over time:", "",
              markdown_table(["", *first["kernel_us"]], kernels)]
    measured = {dtype: b["cell_step"] for dtype, b in benches.items() if "cell_step" in b}
    if measured:  # each cell's training step in vanilla steps (issue 14), timed in turn with the vanilla cell's
        c = next(iter(measured.values()))
        # every cell of the registry that a file measured, against the headline's cell under bench.py's keys
        # ('lstm_over_rnn'), judged where its targets hold a '<cell>_step_ratio'
        base = rp.DEFAULTS["cell"]
        others = [cell for cell in rp.CELLS if cell != base and any(cell in m["step_ms"] for m in measured.values())]
        label = {cell: rp.CELLS[cell].label for cell in (base, *others)}

        def against_base(dtype: str, m: dict, cell: str) -> list[str]:
            ratio = f"{cell}_over_{base}"
            return [f"{m['step_ms'][cell]:.2f} ms" if cell in m["step_ms"] else "not measured",
                    judged(m[ratio], benches[dtype]["targets"].get(f"{cell}_step_ratio"), "x", ".2f")
                    if ratio in m else "-"]

        rows_cells = [[dtype, f"{m['step_ms'][base]:.2f} ms",
                       *(text for cell in others for text in against_base(dtype, m, cell)),
                       m["load_average_1min"]] for dtype, m in measured.items()]
        caption = (f"One training step of each cell ({c['task']}, T={c['sequence_len']}, H={c['n_hidden']}, batch "
                   f"{c['batch_size']}, median of {c['repeats']} steps each, timed in turn on one BLAS thread):")
        header = [f"{label[base]} step",
                  *(h for cell in others for h in (f"{label[cell]} step", f"{label[cell]} / {label[base]}"))]
        lines += ["", caption, "", markdown_table(["", *header, "load average while timed"], rows_cells)]
        lru = {dtype: b["lru_step"] for dtype, b in benches.items() if "lru_step" in b}
        if lru:  # issue 24: the LRU's step against the vanilla one as T grows, judged at T = 1000
            one = next(iter(lru.values()))
            lengths = list(one["by_T"])
            rows_lru = [[dtype, *(f"{r['step_ms']['lru']:.1f} ms against {r['step_ms'][base]:.1f} ms = "
                                  + (judged(r[f'lru_over_{base}'], m['target_lru_over_rnn_at_T1000'], 'x', '.2f')
                                     if T == "1000" else f"{r[f'lru_over_{base}']:.2f}x")
                                  for T, r in m["by_T"].items())] for dtype, m in lru.items()]
            rows_lru += [[f"{dtype}, width {m}",
                          *(f"{r['step_ms'][files.width_key(m)]:.1f} ms = "
                            + (judged(r[f'{files.width_key(m)}_over_{base}'], m_['target_lru_over_rnn_at_T1000'], 'x',
                                      '.2f') if T == "1000" else f"{r[f'{files.width_key(m)}_over_{base}']:.2f}x")
                            for T, r in m_["by_T"].items())]
                         for dtype, m_ in lru.items() for m in m_.get("widths", [])]
            scans = [scan for scan in rp.LRU_SCANS if all(f"lru_scan_{scan}" in r["step_ms"]
                                                          for m in lru.values() for r in m["by_T"].values())]
            rows_lru += [[f"{dtype}, through every state, {scan} scan",
                          *(f"{r['step_ms'][f'lru_scan_{scan}']:.1f} ms = "
                            f"{r['step_ms'][f'lru_scan_{scan}'] / r['step_ms'][base]:.2f}x" for r in m["by_T"].values())]
                         for dtype, m in lru.items() for scan in scans]
            lines += ["", (f"The {label['lru']} step against the {label[base]} step as T grows ({one['task']}, a "
                           f"target at the last step, which the {label['lru']} reaches by its convolution form; N = H "
                           f"= {one['n_hidden']}, width {one['lru_width']} (other widths in rows of their own), batch "
                           f"{one['batch_size']}, median of {one['repeats']} steps each, timed in turn on one BLAS "
                           f"thread; the rows through every state are the path of a per-step target, by each scan of "
                           f"`rp.LRU_SCANS`):"), "",
                      markdown_table(["", *(f"T={int(T):,}" for T in lengths)], rows_lru)]
            lines += ["", tuned_lru_cost(lru, base)]
        timed = {dtype: b["experiment_step"] for dtype, b in benches.items() if b.get("experiment_step")}
        if timed:  # the experiments whose runs the cells' step plans badly, timed in their own shape for the plan
            names = list(dict.fromkeys(name for rows in timed.values() for name in rows))
            lines += ["", "One training step of the experiments whose runs the cells' batch-50 step plans badly, "
                      "timed in their runs' shape (the plans of their grids use it; median of each row's repeats, one "
                      "BLAS thread): " + "; ".join(
                          f"{name} ({shape_text(next(r[name] for r in timed.values() if name in r))}) "
                          + " and ".join(f"{rows[name]['step_ms']:.1f} ms in {dtype}" for dtype, rows in timed.items()
                                         if name in rows) for name in names) + "."]
        updates = {dtype: m for dtype, m in measured.items() if "update_us" in m}
        if updates:  # each optimiser's cost per step (issue 14), beside the training step it follows
            u = next(iter(updates.values()))
            rows_updates = [[dtype, *(f"{us:.1f} us ({us / (m['step_ms'][base] * 1e3):.1%} of a step)"
                                      for us in m["update_us"].values())] for dtype, m in updates.items()]
            lines += ["", (f"One parameter update of each optimiser on the {label[base]} cell (the same shape; "
                           f"Nesterov's look-ahead point where it takes one, the global-norm clipping and the step, "
                           f"median of {u['update_repeats']} updates each, timed in turn on one BLAS thread), beside "
                           f"the {label[base]} training step above:"), "",
                      markdown_table(["", *u["update_us"]], rows_updates)]
    return "\n".join(lines)


def shape_text(row: dict) -> str:
    """'copy, T = 480, H = 100, batch 16, chain start, elu': an experiment_step row's shape."""
    return (f"{row['task']}, T = {row['sequence_len']}, H = {row['n_hidden']}, batch {row['batch_size']}"
            + (f", {row['init']} start" if "init" in row else "")
            + (f", {row['activation']}" if "activation" in row else ""))


def tuned_lru_cost(lru: dict[str, dict], base: str) -> str:
    """'Every tuned LRU pick (modern_tuning) takes width 8, where the step is 0.21 of a vanilla step at T = 1000 in
    float64 (0.25 in float32): issue 24's target of a fifth holds at width 2, not at the width the runs take.'"""
    from rnnpath.experiments import tuning

    widths = sorted({s["lru_width"] for (arm, _), s in tuning.TUNED.items() if arm.startswith("lru+")})
    parts = []
    for m in widths:
        key = "lru" if m == next(iter(lru.values()))["lru_width"] else files.width_key(m)
        ratios = {dtype: b["by_T"]["1000"]["step_ms"][key] / b["by_T"]["1000"]["step_ms"][base]
                  for dtype, b in lru.items() if "1000" in b["by_T"] and key in b["by_T"]["1000"]["step_ms"]}
        if ratios:
            target = next(iter(lru.values()))["target_lru_over_rnn_at_T1000"]
            verdict = ("meets" if all(r <= target for r in ratios.values()) else
                       "misses" if all(r > target for r in ratios.values()) else "meets in one dtype only")
            parts.append(f"at width {m} the step is " + " and ".join(f"{r:.2f}x in {dtype}"
                                                                    for dtype, r in ratios.items())
                         + f" the vanilla step at T = 1000, so it {verdict} issue 24's target of {target:g}x")
    if not parts:
        return ""
    return (f"The tuned LRU picks (modern_tuning) take {join_words([f'width {m}' for m in widths])}, the width the "
            f"frontier's LRU runs train at: " + "; ".join(parts) + ".")


def headroom(dtype: str, bench: dict) -> str:
    """One sentence: the time spent beyond the lower bound, the four calls a step cannot do without, and what each
    wall-time target would leave per time step for them."""
    cases = bound_cases(bench)
    spent = ", ".join(f"{label} {wall - bound:.1f} s of its {wall:.1f} s" for label, wall, bound, _, _ in cases)
    text = (f"{dtype}: beyond the bound, {spent}; the four further calls of a step take "
            f"{4 * bench['kernel_us']['one add']:.1f} us")
    left = [f"{left_us(bound, steps, target):.1f} us ({label}, {target:.0f} s)"
            for label, _, bound, steps, target in cases if target is not None]
    return text + (f", and the targets leave {' and '.join(left)} a step for them." if left else ".")


def bound_cases(bench: dict) -> list[tuple[str, float, float, int, float | None]]:
    """(label, wall time in s, lower bound in s, time steps it bounds, wall-time target in s or None) of `--all`
    and of one T=60 run."""
    floor, targets = bench["floor"], bench["targets"]
    return [("`--all`", bench["headline"]["wall_s"], floor["total_s"], floor["steps_per_worker"],
             targets.get("headline_wall_s")),
            ("one T=60 run", bench["single_T60_run_one_core_s"], floor["single_T60_run_s"],
             floor["single_T60_run_steps"], targets.get("single_T60_run_one_core_s"))]


def left_us(bound: float, steps: int, target: float) -> float:
    """Microseconds per time step that a wall-time target leaves above the lower bound (none where it is below)."""
    return max(target - bound, 0) / steps * 1e6


# the kernels of bench.py's profile that the profile's sentences compare
DOT, EXP, NP_TANH, EXP_TANH, ADD = ("dot (B,H) x (H,H)", "exp", "np.tanh", "tanh as 2 / (1 + exp(-2a)) - 1",
                                    "one add")


def performance_profile(benches: dict[str, dict]) -> str:
    """What the kernel profile and the targets say on the machine that measured the files, one line per dtype:
    which of the exp and the product it follows costs more, which tanh is faster, what a cheap ufunc costs, and
    whether each wall-time target leaves a step more or less above the lower bound than the four numpy calls a step
    cannot do without take (and where less, that no numpy implementation can meet it there)."""
    return "\n".join(f"- {profile_line(dtype, b)}" for dtype, b in benches.items())


def times(dear: float, cheap: float) -> str:
    """'1.3 times as much as', or 'slightly more than' where the factor rounds to 1.0."""
    return "slightly more than" if f"{dear / cheap:.1f}" == "1.0" else f"{dear / cheap:.1f} times as much as"


def profile_line(dtype: str, bench: dict) -> str:
    """One dtype's line of performance_profile; a comparison whose kernels the file lacks is left out."""
    k = bench["kernel_us"]
    said = []
    if DOT in k and EXP in k:
        exp, dot = k[EXP], k[DOT]
        if f"{exp:.1f}" == f"{dot:.1f}":
            said.append(f"the exp costs as much as the product it follows ({exp:.1f} us)")
        elif exp > dot:
            said.append(f"the exp costs {times(exp, dot)} the product it follows ({exp:.1f} us against "
                        f"{dot:.1f} us): numpy does not vectorise the {dtype} exp on this CPU")
        else:
            said.append(f"the product costs {times(dot, exp)} the exp that follows it ({dot:.1f} us against "
                        f"{exp:.1f} us)")
    if NP_TANH in k and EXP_TANH in k:
        if f"{k[NP_TANH]:.1f}" == f"{k[EXP_TANH]:.1f}":
            said.append(f"np.tanh and the engine's exp-based tanh take the same time ({k[NP_TANH]:.1f} us)")
        else:
            (fast, fast_us), (slow, slow_us) = sorted([("np.tanh", k[NP_TANH]),
                                                       ("the engine's exp-based tanh", k[EXP_TANH])],
                                                      key=lambda kernel: kernel[1])
            ratio = "slightly faster than" if f"{slow_us / fast_us:.1f}" == "1.0" else (
                f"{slow_us / fast_us:.1f} times as fast as")
            said.append(f"{fast} is {ratio} {slow} ({fast_us:.1f} us against {slow_us:.1f} us)")
    add = k[ADD]
    about = ("about a microsecond" if 0.5 <= add < 1.5 else f"about {add:.0f} microseconds" if add >= 1.5
             else "less than half a microsecond")
    said.append(f"every other ufunc costs {about} of call overhead whatever it computes (one add: {add:.1f} us)")
    text = f"{dtype}: " + "; ".join(said) + "."
    calls = 4 * add
    left = [(label, target, left_us(bound, steps, target)) for label, _, bound, steps, target in bound_cases(bench)
            if target is not None]
    less = [case for case in left if case[2] < calls]
    more = [case for case in left if case[2] >= calls]

    def leave(cases: list[tuple[str, float, float]]) -> str:
        if len(cases) == 1:
            label, target, us = cases[0]
            return f"The {label} target ({target:.0f} s) leaves {us:.1f} us a step above the bound"
        return "The targets leave " + join_words([f"{us:.1f} us ({label}, {target:.0f} s)"
                                                  for label, target, us in cases]) + " a step above the bound"
    if less:
        them = "it" if len(less) == 1 else "them"
        text += (f" {leave(less)}, less than the four further calls of a step alone take ({calls:.1f} us), so no "
                 f"numpy implementation of this arithmetic can meet {them} on this machine; closing the gap would "
                 f"take fused kernels (a compiled extension), which this numpy-only project rules out.")
    if more:
        spare = join_words([f"{us - calls:.1f} us" for _, _, us in more])
        text += (f" {leave(more)}, more than the four further calls of a step take ({calls:.1f} us): "
                 f"{spare} a step for everything else, Python included.")
    return text


def has_data(exp, root: str = ".") -> bool:
    """Whether an experiment has a finished run to report (ex.started): a sweep file created by a grid whose first
    run has not ended reads as not run yet."""
    from rnnpath import experiments as ex

    return ex.started(exp, outdir=root)


def experiment_section(name: str, root: str = ".") -> str:
    """Question, command, cost, figure and answer of one experiment, all from its sweep (or results) file."""
    from rnnpath import experiments as ex

    exp = ex.EXPERIMENTS[name]
    if not has_data(exp, root):
        plan = plan_text(exp, [], root)
        begun = (f"; its sweep file {exp.data_path(False, '.')} exists but holds no finished run of its grids yet"
                 if os.path.exists(exp.data_path(False, root)) else "")
        return (f"**Question.** {exp.question}\n\n**Not run yet** ({plural(exp.n_runs(), 'run')}"
                f"{', ' + plan if plan else ''}{begun}): `{ex.command('run', name)} --jobs 2`, then "
                f"`{ex.command('plot', name)}` and `{ex.command('answer', name)}`.")
    records, n_want = ex.load_records(exp, outdir=root)
    own = ex.own_records(exp, records)  # without the runs of the experiments it reads, which their sections cost
    # the README names paths as a user in the repository's root types them, wherever `root` is
    note = ex.partial_note(exp, len(own), n_want, False, ".")
    if note and (plan := plan_text(exp, own, root)):
        note += f"; the runs left: {plan}"
    if kept := ex.kept_note(exp, False, root, shown=exp.data_path(False, ".")):
        note = f"{note}; {kept}" if note else kept
    answer = (f"_{capitalised(note)}._\n\n" if note else "") + exp.answer(records)
    if earlier := ex.earlier_settings(exp, records, False, root, shown=exp.data_path(False, ".")):
        answer += f"\n\n{earlier}"
    env = f"{plural(len(own), 'run')}, {cost_text(own)}"
    return (
        f"**Question.** {exp.question}\n\n"
        f"**Command.** `{ex.command('run', name)} --jobs 2`, then `{ex.command('plot', name)}` for the figure "
        f"and `{ex.command('answer', name)}` for the text below ({env}).\n\n"
        f"![{name}]({ex.figure_path(name, False)})\n\n"
        + answer
    )


@functools.lru_cache(maxsize=4)
def plan_ratios(root: str = ".") -> tuple[float, ...]:
    """Measured over planned core-hours (ex.planned_core_hours) of every complete experiment whose runs all recorded
    their CPU time: how far the plan is from what the runs took."""
    from rnnpath import experiments as ex

    ratios = []
    for exp in ex.EXPERIMENTS.values():
        if exp.results is not None or not has_data(exp, root):
            continue
        records, n_want = ex.load_records(exp, outdir=root)
        own = ex.own_records(exp, records)
        plan = ex.planned_core_hours(exp, root=root)
        if len(own) == n_want and plan and all(r.get("cpu_s") is not None for r in own):
            ratios.append(sum(r["cpu_s"] for r in own) / 3600 / plan)
    return tuple(ratios)


def plan_text(exp, own: list[dict], root: str = ".") -> str:
    """'about 3.97 core-hours of training by the benchmark's step costs; the 9 complete experiments timed in CPU time
    took 0.93-1.58 times their plan': the planned cost of an experiment's runs not among its finished ones (`own`),
    and how plans have fared; where some of the runs left belong to a pair (task, init, configuration) that has
    finished runs at a shorter length, the plan scaled by what those took against theirs
    (ex.calibrated_core_hours) comes first. '' where there is no plan (a benchmark file missing)."""
    from rnnpath import experiments as ex

    plans = ex.calibrated_core_hours(exp, own, root)
    if plans is None:
        return ""
    calibrated, plain = plans
    ratios = plan_ratios(root)
    fared = (f"; the {len(ratios)} complete experiments timed in CPU time took {min(ratios):.2f}-{max(ratios):.2f} "
             f"times their plan" if ratios else "")
    if abs(calibrated - plain) < 0.005:
        return f"about {plain:.2f} core-hours of training by the benchmark's step costs{fared}"
    return (f"about {calibrated:.2f} core-hours of training, the benchmark's step costs ({plain:.2f}) scaled for "
            f"each cell and task by what its runs at the longest length finished took against their plan{fared}")


# issue 23's grids, each an experiment or a part of one (name, the grids that count; None: all of them), and its
# budget: "the total stays within about 15 core-hours"
def _budget_parts() -> list[tuple[str, str, tuple | None]]:
    from rnnpath.experiments import gated

    return [("addition_budget", "addition_budget", None), ("family_float32", "family_float32", None),
            ("sutskever_lr", "sutskever_lr", None), ("sutskever_lr09", "sutskever_lr09", None),
            ("sutskever_table5", "sutskever_table5", None), ("copy_orhan", "copy_orhan", None),
            ("order_table's expRNN arm", "order_table", gated.ORDER_EXPRNN_GRIDS),
            ("order_lstm200", "order_lstm200", None), ("order_exprnn_long", "order_exprnn_long", None)]


PUBLISHED_BUDGET_CORE_HOURS = 15


def published_budget(root: str = ".") -> str:
    """Issue 23's grids with their core-hours: measured (CPU time of the runs in the files, the grids' own and those
    of settings since replaced, which the file keeps), planned for the runs left (ex.planned_core_hours), and the
    total against the issue's budget."""
    import dataclasses

    from rnnpath import experiments as ex

    rows, measured, planned, unplanned = [], 0.0, 0.0, False
    for label, name, grids in _budget_parts():
        if name not in ex.EXPERIMENTS:  # a registry cut down (the bad-files tests' copy of the repository)
            continue
        exp = ex.EXPERIMENTS[name]
        if grids is not None:
            exp = dataclasses.replace(exp, grids=grids, reads=())
        keys = ex.own_keys(exp)
        own = ([r for r in ex.load_records(ex.EXPERIMENTS[name], outdir=root)[0] if sweep.record_key(r) in keys]
               if has_data(ex.EXPERIMENTS[name], root) else [])
        done = sum(r["cpu_s"] if r.get("cpu_s") is not None else r["wallclock_s"] for r in own) / 3600
        # runs of settings since replaced, spent all the same (none for an arm cut out of a wider file)
        replaced = [] if grids is not None else ex.kept_records(exp, False, root)
        spent = sum(r["cpu_s"] if r.get("cpu_s") is not None else r.get("wallclock_s") or 0.0 for r in replaced) / 3600
        left = ex.planned_core_hours(exp, {sweep.record_key(r) for r in own}, root)
        unplanned |= left is None
        measured, planned = measured + done + spent, planned + (left or 0.0)
        rows.append([f"`{name}`" if grids is None else label, f"{len(own)}/{len(keys)}", f"{done:.2f}",
                     f"{spent:.2f} ({plural(len(replaced), 'run')})" if replaced else "-",
                     "-" if len(own) == len(keys) else "unknown (no benchmark step)" if left is None
                     else f"{left:.2f}"])
    table = markdown_table(["grid", "runs done", "core-hours measured", "core-hours of replaced settings' runs",
                            "core-hours planned for the runs left"], rows)
    if unplanned:
        return (table + "\n\nWithout a benchmark file, or a benchmark step of some grid's cell, the runs left have no "
                "plan, so the total is not given.")
    total = measured + planned
    ratios = plan_ratios(root)
    high = max(total, measured + planned * max(ratios, default=1.0))  # as the plan has fallen short on some grids
    budget = PUBLISHED_BUDGET_CORE_HOURS
    if planned == 0:  # every grid complete: the total is all measured
        against = ("every grid is complete and the total stays within it" if total <= budget else
                   f"every grid is complete and the total is {total - budget:.2f} core-hours "
                   f"({total / budget - 1:.1%}) over it")
    else:
        against = ("both stay within it" if high > total else "it stays within it") if high <= budget else (
            "the planned total stays within it and the worst case does not" if total <= budget else
            "the planned total exceeds it")
    return (table + f"\n\nTogether {measured:.2f} core-hours measured (the grids' runs and the runs of their replaced "
            f"settings) and {planned:.2f} planned: {total:.2f} core-hours"
            + (f", or {high:.2f} if the runs left take {max(ratios):.2f} times their plan, as the slowest of the "
               f"{len(ratios)} complete experiments timed in CPU time did" if ratios and high > total else "")
            + f"; the issue's budget is about {budget} core-hours: {against}"
            + " (the plan is the benchmark's step costs; the measured hours are CPU time, or wall time for a run that "
            "did not record it).")



def published_verdicts(attractors_doc: dict | None, root: str = ".") -> str:
    """Issue 23's published numbers, each beside ours under its own metric, one row each with what differs from the
    paper: Table 5 (published.table5_beside), Ribeiro et al.'s Table 1 (order_beside), their cloud of fixed points
    (attractors.cloud_beside, from the attractor analysis's file) and Orhan & Pitkow's copy (copy_beside); then the
    count of each kind of verdict. A grid not run yet gives rows that say so."""
    from rnnpath import experiments as ex
    from rnnpath.analyses import attractors as dy
    from rnnpath.experiments import published as pub

    def records(name: str) -> list[dict]:
        exp = ex.EXPERIMENTS.get(name)
        return ex.load_records(exp, outdir=root)[0] if exp is not None and has_data(exp, root) else []

    table5 = ex.EXPERIMENTS.get("sutskever_table5")
    replaced = ex.kept_records(table5, False, root) if table5 is not None and has_data(table5, root) else []
    rows = pub.table5_beside(records("sutskever_table5"), replaced, records("sutskever_lr") + records("sutskever_lr09"))
    rows += pub.order_beside(records("order_table"), records("order_lstm200"), records("order_exprnn_long"))
    cloud = dy.cloud_beside(attractors_doc) if attractors_doc is not None else None
    rows += [cloud] if cloud is not None else []
    rows += pub.copy_beside(records("copy_orhan"))
    table = markdown_table(["published", "theirs", "ours", "verdict", "what differs from theirs"], rows)
    kinds = [pub.verdict_kind(row[3]) for row in rows]
    partial = sum(row[3].startswith("partial") for row in rows)
    counts = join_words([f"{kinds.count(kind)} {kind}" for kind in pub.VERDICT_KINDS if kinds.count(kind)])
    every_arm = sum(k == "reproduced" and pub.EVERY_ARM_SOLVED in row[2]
                    for k, row in zip(kinds, rows, strict=True))
    return (table + f"\n\nOf these {len(rows)} rows: {counts}"
            + (f"; {plural(partial, 'row')} rest{'s' if partial == 1 else ''} on part of "
               f"{'its' if partial == 1 else 'their'} grid's runs (partial)" if partial else "")
            + (f". {'The' if every_arm == kinds.count('reproduced') else f'{every_arm} of the'} reproduced "
               f"row{'s' if every_arm > 1 else ''} {'are' if every_arm > 1 else 'is'} at a length where every arm of "
               "Ribeiro's table ends solved, so it says nothing of the build" if every_arm else "")
            + ". How a row is read: each seed is one network, tested on its own cases against the published fraction "
            "(Fisher's exact test against their count where the paper states its cases, Ribeiro's 1000 validation "
            "sequences; else the exact binomial test, theirs taken as exact at the end of its printed rounding "
            "nearest ours), Holm's correction over the row's seeds. Every seed consistent with it is 'reproduced' "
            f"where the widest 95% interval resolves a fraction of wrong cases {pub.RESOLVE_FACTOR:g} times theirs "
            f"(or an accuracy {pub.RESOLVE_ACCURACY:g} below theirs) and 'consistent, not resolved' where it does "
            "not; every seed worse is 'not reproduced', and 'not reproduced with changes' where the runs depart "
            "from a setting the paper states (named in the verdict; the row's course of training says what the runs "
            "did meanwhile, and a change named is not offered as the reason); anything else is 'mixed'. The spread "
            "between seeds is not noise around one rate, so no test pools them. Table 5's numbers are the sparse "
            "start's, so the orthogonal start's rows stand beside them without a verdict of reproduction; Orhan & "
            "Pitkow's counts pool their whole grid of settings, so one setting of ours is not tested against them, "
            "and their finding is tested between our two starts. The answers below give each grid's seeds and settings in full.")


def cost_text(records: list[dict]) -> str:
    """'412 core-minutes of training (CPU time summed over the runs)', or for records from before the engine
    recorded its CPU time '500 minutes of training (wall time summed over the runs)', which overstates the cost when
    runs shared the cores; records of both kinds give both, each with its count of runs."""
    timed = [r for r in records if r.get("cpu_s") is not None]
    untimed = [r for r in records if r.get("cpu_s") is None]
    parts = []
    for runs, field, unit, what in ((timed, "cpu_s", "core-minute", "CPU time"),
                                    (untimed, "wallclock_s", "minute", "wall time")):
        if runs:
            over = "the runs" if len(runs) == len(records) else plural(len(runs), "run")
            parts.append(f"{plural(round(sum(r[field] for r in runs) / 60), unit)} of training ({what} summed over "
                         f"{over})")
    return " and ".join(parts)


def addition_budget_verdict(root: str = ".") -> str:
    """The README's sentence on the headline's addition runs carried on past 80 epochs (experiment addition_budget):
    its answer's first paragraph, with the partial note when the grid is still running; a line that says it has not
    run when its sweep file is missing."""
    from rnnpath import experiments as ex

    exp = ex.EXPERIMENTS["addition_budget"]
    if not has_data(exp, root):
        return (f"The addition_budget experiment has not run yet: `{ex.command('run', exp.name)} --jobs 2` "
                f"({plural(exp.n_runs(), 'run')}).")
    records, n_want = ex.load_records(exp, outdir=root)
    note = ex.partial_note(exp, len(records), n_want, False, ".")
    first = exp.answer(records).split("\n\n")[0]
    return (f"_{capitalised(note)}._ " if note else "") + first


def reach_block(root: str = ".") -> str:
    """The README's table of how far each cell gets on each headline task (gated.shared_reach_table of
    frontier_modern, which reads the frontier's records beside its own: every arm on the seeds all of them ran): the
    partial note first while a grid runs; a line that says it has not run when its sweep file is missing."""
    from rnnpath import experiments as ex
    from rnnpath.experiments import gated

    exp = ex.EXPERIMENTS["frontier_modern"]
    if not has_data(exp, root):
        return (f"The frontier_modern experiment has not run yet: `{ex.command('run', exp.name)} --jobs 2` "
                f"({plural(exp.n_runs(), 'run')}).")
    records, n_want = ex.load_records(exp, outdir=root)
    note = ex.partial_note(exp, len(ex.own_records(exp, records)), n_want, False, ".")
    return ((f"_{capitalised(note)}._\n\n" if note else "") + gated.shared_reach_table(records) + "\n\n"
            + f"{gated.SHARED_SEEDS_NOTE} The frontier's arms ran seeds {gated.FRONTIER_SEEDS}; "
            "docs/experiments.md gives them on all ten, with the comparisons and their tests.")


def scale_verdict(root: str = ".") -> str:
    """The random start at and above the critical scale, from the random_scale and hidden_size sweeps: whether the
    headline's random arm fails for being random or for being small. A task no run of either sweep solves (addition
    within 80 epochs, under its per-case rule) says nothing about the scale and is named apart; the counts below and
    at or above the critical scale are set against each other by Fisher's exact test."""
    from rnnpath import experiments as ex
    from rnnpath.experiments.base import told_apart

    for name in ("random_scale", "hidden_size"):
        exp = ex.EXPERIMENTS[name]
        if not has_data(exp, root):
            return f"(The random_scale and hidden_size experiments have not been run: {ex.command('run', name)}.)"
    scale, _ = ex.load_records(ex.EXPERIMENTS["random_scale"], outdir=root)
    hidden, _ = ex.load_records(ex.EXPERIMENTS["hidden_size"], outdir=root)
    tasks = list(dict.fromkeys(r["task"] for r in scale + hidden))
    unsolved = [t for t in tasks if not any(rp.is_success(r) for r in scale + hidden if r["task"] == t)]
    solved_tasks = [t for t in tasks if t not in unsolved]
    randoms = [r for r in scale if r["init"] == "random" and r["task"] in solved_tasks]
    H = rp.full_config(scale[0]["config"])["n_hidden"]
    critical = 1 / np.sqrt(H)
    below = [r for r in randoms if r["config"]["random_scale"] < critical - 1e-12]
    above = [r for r in randoms if r["config"]["random_scale"] >= critical - 1e-12]
    k_below, k_above = sum(map(rp.is_success, below)), sum(map(rp.is_success, above))
    told = bool(below and above) and told_apart(k_below, len(below), k_above, len(above))
    big = max(r["config"]["n_hidden"] for r in hidden)
    at_big = [r for r in hidden
              if r["init"] == "random" and r["config"]["n_hidden"] == big and r["task"] in solved_tasks]
    s = rp.full_config(at_big[0]["config"])["random_scale"] if at_big else rp.DEFAULTS["random_scale"]
    test = f"{fisher_words(k_below, len(below), k_above, len(above))}; " if below and above else ""
    text = (f"On {join_words(solved_tasks)} the random start at H = {H} ends solved in {k_below}/{len(below)} runs "
            f"with std below the critical 1/sqrt(H) = {critical:.3g} and in {k_above}/{len(above)} at or above it "
            f"({test}the random_scale experiment); with std {s:g} at H = {big}, where std x sqrt(H) = "
            f"{s * np.sqrt(big):.2f}, it ends solved in {sum(map(rp.is_success, at_big))}/{len(at_big)} (the "
            f"hidden_size experiment).")
    if unsolved:
        text += (f" On {join_words(unsolved)} no run of the two experiments ends solved, from any start at any scale "
                 f"or size, so {'it says' if len(unsolved) == 1 else 'they say'} nothing about the scale.")
    if k_below == 0 and k_above > len(above) / 2 and told:
        text += " So the random arm of the headline fails for being small, not for being random."
    return text


def cli_reference() -> str:
    """Every command's --help, generated from the parsers themselves: the engine, the two figure scripts, and each
    tool of `python -m rnnpath` with each of its subcommands, one section each, in the order a user meets them."""
    import importlib
    import shutil
    import subprocess

    from rnnpath.__main__ import TOOLS
    from rnnpath.analyses import ANALYSES

    def script_help(script: str) -> str:  # the figure scripts sit above the package: asked, not imported
        env = {**os.environ, "COLUMNS": str(shutil.get_terminal_size().columns)}  # the width argparse uses here
        root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        return subprocess.run([sys.executable, os.path.join(root, script), "--help"], capture_output=True, text=True,
                              check=True, env=env, cwd=root).stdout

    class Helped:  # a parser stand-in whose help is another process's
        def __init__(self, text: str) -> None:
            self.text, self._actions = text, []

        def format_help(self) -> str:
            return self.text

    sections = [("python rnn_pathological.py", rp.build_parser())]
    sections += [(f"python {script}", Helped(script_help(script)))
                 for script in ("visualize_rnn_pathological.py", "make_rnn_pathological_gif.py")]
    modules = [(f"python -m rnnpath {name}", module) for name, (module, _) in TOOLS.items() if name != "analyze"]
    modules[2:2] = [(f"python -m rnnpath analyze {name}", module) for name, (module, _) in ANALYSES.items()]
    for command, module in modules:
        parser = importlib.import_module(module).build_parser()
        sections.append((command, parser))
        for action in parser._actions:  # argparse keeps subcommands only here
            if isinstance(action, argparse._SubParsersAction):
                sections += [(f"{command} {name}", sub) for name, sub in action.choices.items()]
    return "\n\n".join(f"### `{command}`\n\n```text\n{parser.format_help().rstrip()}\n```"
                         for command, parser in sections)


# ----------------------------------------------------------------------------------------------------------------
# input files: each read and checked before any block is computed


def load_headline(path: str) -> dict:
    """results.json: a checked results file whose runs this engine can rebuild, with their trained weights (the
    analysis numbers retrace their gradients)."""
    doc = files.load_results(path)
    files.check_engine_runs(doc["runs"], path)
    kinds = [(r["task"], r["init"], rp.cell_of(r)) for r in doc["runs"]]
    if any(kind not in HEADLINE_KINDS for kind in kinds):  # the headline's figures and analyses assume its runs
        cells = join_words(list(dict.fromkeys(cell for _, _, cell in kinds)))
        raise files.FileError(f"{path} holds {plural(len(kinds), 'run')} of the {cells} cell "
                              f"({join_words(list(dict.fromkeys(f'{t} {i}' for t, i, _ in kinds)))}), not the "
                              f"headline's vanilla runs: give --results a file of {files.RESULTS_COMMAND}")
    files.check_weights(doc["runs"], path, files.results_command(path))
    return doc


# (task, init, cell) of every run the headline file may hold: rnn_pathological.py --all.
HEADLINE_KINDS = {(s["task"], s["init"], rp.DEFAULTS["cell"]) for s in rp.headline_specs(0)}


def load_seeds(path: str) -> dict:
    """results_seeds.json: a checked results file of runs this engine knows."""
    doc = files.load_results(path)
    files.check_engine_runs(doc["runs"], path)
    return doc


def load_benches(paths: tuple[str, ...]) -> dict[str, dict]:
    """{dtype: benchmark} from the benchmark files, each checked: a full (not --quick) run, one file per dtype, the
    same kernels in each (their names head the kernel table)."""
    benches: dict[str, dict] = {}
    first = None
    for path in paths:
        bench = files.load_bench(path)
        again = f"; recreate it with: {files.BENCH_COMMAND}" + (" --dtype float32" if bench["dtype"] == "float32"
                                                                  else "")
        if bench["quick"]:
            raise files.FileError(f"{path} is a --quick benchmark, too small to report{again}")
        if bench["dtype"] in benches:
            raise files.FileError(f"{path} holds {bench['dtype']} numbers, like {first[0]}{again}")
        if first is not None and list(bench["kernel_us"]) != list(first[1]["kernel_us"]):
            raise files.FileError(f"{path} times other kernels than {first[0]}{again}")
        first = first or (path, bench)
        benches[bench["dtype"]] = bench
    return benches


@contextmanager
def about(path: str):
    """Name `path` in a ValueError raised while computing from it (a run the engine cannot rebuild, a matrix
    LAPACK refuses): the one-line error must say which file to look at."""
    try:
        yield
    except files.FileError:
        raise
    except ValueError as err:  # np.linalg.LinAlgError is one too
        raise files.FileError(f"{path}: {err}") from None


def read_readme(path: str) -> str:
    """The README's text; FileError unless it is UTF-8 text whose generated blocks each open and close (checked
    before anything is computed: a README cut off or overwritten is refused as early as a bad result file)."""
    try:
        with open(path, "rb") as f:
            text = f.read().decode("utf-8")
    except OSError as err:
        raise files.FileError(f"cannot read {path}: {err.strerror or err}") from None
    except UnicodeDecodeError:
        raise files.FileError(f"{path} is not a UTF-8 text file") from None
    begins = re.findall(r"^<!-- BEGIN (\S+) -->$", text, re.MULTILINE)
    if not begins:
        raise files.FileError(f"{path} has no generated blocks (<!-- BEGIN name --> ... <!-- END name --> lines)")
    ends = set(re.findall(r"^<!-- END (\S+) -->$", text, re.MULTILINE))
    unclosed = [name for name in begins if name not in ends]
    if unclosed:
        raise files.FileError(f"{path}: block {unclosed[0]!r} has no <!-- END {unclosed[0]} --> line")
    return text


# ----------------------------------------------------------------------------------------------------------------
# README blocks


class Blocks(dict):
    """{block name: text}, and `sources`: {block name: the file (or code) each block is computed from}."""

    def __init__(self) -> None:
        super().__init__()
        self.sources: dict[str, str] = {}

    def add(self, source: str, named: dict[str, str]) -> None:
        self.update(named)
        self.sources.update(dict.fromkeys(named, source))


def blocks(results_path: str = "results.json", seeds_path: str = "results/results_seeds.json",
           bench_paths: tuple[str, ...] = ("results/bench.json", "results/bench_float32.json"), root: str = ".") -> dict[str, str]:
    """Every generated README block, from the committed result, sweep and benchmark files (sweeps under root).

    Every file is read and checked first, so a bad one raises a ValueError naming it (files.FileError, or the
    experiments' ExperimentError for a sweep file) before any block is computed."""
    from rnnpath import experiments as ex
    from rnnpath.analyses import attractors as dy
    from rnnpath.analyses import bytedmd as bd
    from rnnpath.analyses import memory_curse as mc
    from rnnpath.analyses import signal as sg

    doc = load_headline(results_path)
    seeds_doc = load_seeds(seeds_path)
    benches = load_benches(bench_paths)
    bytedmd_path = os.path.join(root, "results", "bytedmd.json")
    memory_path = os.path.join(root, "results", "memory_curse.json")
    bytedmd_doc, memory_doc = bd.load(bytedmd_path), mc.load(memory_path)  # ValueErrors that name the file
    attractors_path = os.path.join(root, "results", "attractors.json")
    attractors_doc = dy.load(attractors_path)
    signal_path = os.path.join(root, "results", "signal.json")
    signal_doc = sg.load(signal_path)
    for exp in ex.EXPERIMENTS.values():
        if has_data(exp, root):  # an experiment not run yet is reported as such
            ex.load_records(exp, outdir=root)  # the sweep files (and results_seeds.json for convergence), checked
    out = Blocks()
    sweeps = os.path.join(root, "results", "sweeps")
    with about(sweeps):
        for name, exp in ex.EXPERIMENTS.items():
            out.add(exp.data_path(False, root), {f"experiment-{name}": experiment_section(name, root)})
    with about(" and ".join(bench_paths)):
        out.add(" and ".join(bench_paths), {"performance": performance(benches),
                                            "performance-profile": performance_profile(benches)})
    with about(results_path):
        out.add(results_path, {"headline-table": headline_table(doc), "headline-verdict": headline_verdict(doc),
                               "headline-kernel": headline_kernel(doc), "analysis-numbers": analysis_numbers(doc),
                               "gradient-sentence": gradient_sentence(doc), "curves-notes": curves_notes(doc)})
    with about(seeds_path):
        out.add(seeds_path, {"seeds-table": seeds_table(seeds_doc), "seeds-verdict": seeds_verdict(seeds_doc),
                             "why-random-fails": why_random_fails(seeds_doc)})
    out.add("the task table of rnn_pathological.py", {"tasks-table": tasks_table(), "per-case-table": per_case_table()})
    with about(sweeps):
        out.add(sweeps, {"scale-verdict": scale_verdict(root), "addition-budget-verdict": addition_budget_verdict(root),
                         "published-budget": published_budget(root), "reach-table": reach_block(root)})
    both = f"{sweeps} and {attractors_path}"
    with about(both):
        out.add(both, {"published-verdicts": published_verdicts(attractors_doc, root)})
    with about(bytedmd_path):
        out.add(bytedmd_path, {"bytedmd-numbers": bd.readme_block(bytedmd_doc)})
    with about(memory_path):
        out.add(memory_path, {"memory-curse-numbers": mc.readme_block(memory_doc)})
    with about(attractors_path):
        out.add(attractors_path, {"attractors-numbers": dy.readme_block(attractors_doc)})
    with about(signal_path):
        out.add(signal_path, {"signal-numbers": sg.readme_block(signal_doc)})
    out.add("the command-line parsers", {"cli-reference": cli_reference()})
    return out


def replace_blocks(text: str, new_blocks: dict[str, str], name: str = "README") -> str:
    """Replace the body of every named block present in `text`; a block named here but missing there is an error.
    `name` names the file in that error."""
    for block, body in new_blocks.items():
        pattern = re.compile(rf"(<!-- BEGIN {re.escape(block)} -->\n)(?:.*?\n)?(<!-- END {re.escape(block)} -->)",
                             re.DOTALL)
        if not pattern.search(text):
            raise ValueError(f"{name} has no block {block!r} (a <!-- BEGIN {block} --> line, then <!-- END {block} -->)")
        text = pattern.sub(lambda m, body=body: m.group(1) + body + "\n" + m.group(2), text)
    return text


def build_parser() -> argparse.ArgumentParser:
    parser = rp.OneLineErrorParser(
        prog="rnnpath report",
        description="Rewrite the generated blocks of README.md in place, and of every docs/*.md, from the files in "
        "the current folder: results.json (the seed-0 headline) and, under results/, results_seeds.json (ten seeds), "
        "sweeps/*.jsonl (the experiments), bench.json and bench_float32.json (the benchmark), bytedmd.json, "
        "memory_curse.json, attractors.json and signal.json (the ByteDMD, curse-of-memory, attractor and signal "
        "propagation sections). Every file is "
        "checked first; a bad one is a one-line error and every page is left untouched. The prose outside the blocks "
        "is never changed, except that an experiment without a block gets a section at the end of "
        "docs/experiments.md.")
    parser.add_argument("--results", default="results.json", help="headline results file (default: %(default)s)")
    parser.add_argument("--readme", default="README.md",
                        help="the landing page with generated blocks; it and every docs/*.md beside it are rewritten "
                        "in place (default: %(default)s)")
    parser.add_argument("--check", action="store_true",
                        help="only compare, write nothing; exit 1 if a block disagrees with the files, naming the "
                        "block and its first differing line (wall times alone do not count: they are reported as "
                        "the only difference). Where only the headline's blocks differ because results.json was "
                        "computed by another BLAS kernel or CPU model than the README's numbers (your own run of the quick start "
                        "on another CPU), it says so in a note and exits 0 if every run has the same outcome")
    parser.add_argument("--allow-downgrade", action="store_true",
                        help="write a section as partial or not run even where the README's section is complete "
                        "(refused by default: a truncated or lost sweep file would otherwise erase a finished "
                        "result)")
    return parser


@rp.script_main
def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        old = read_pages(args.readme)
        fresh = blocks(args.results)
        new = render_pages(old, fresh)
    except (OSError, ValueError) as err:  # FileError, and ExperimentError for a missing or bad sweep file
        parser.error(str(err))
    old_all, new_all = "\n".join(old.values()), "\n".join(new.values())  # block names are unique across pages
    changed = changed_blocks(old_all, new_all) + [(name, "", "(a new section)") for name in new_blocks(old, new)]
    page_of = {name: page for page, text in new.items()
               for name in re.findall(r"^<!-- BEGIN (\S+) -->$", text, re.MULTILINE)}
    sources = getattr(fresh, "sources", {})
    pages_text = join_words(list(old)) + (" agrees" if len(old) == 1 else " agree")
    if args.check:
        if new == old:
            print(f"{pages_text} with the result files")
            return 0
        if not changed:
            print(f"{pages_text} with the result files; only the wall times differ (they time the run that "
                  f"wrote the file; run python -m rnnpath report to copy them in)")
            return 0
        own_run = other_kernel_note(old_all, new_all, changed, sources, args.results, args.readme)
        if own_run is not None:
            note, outcomes_agree = own_run
            print(note, file=sys.stdout if outcomes_agree else sys.stderr)
            return 0 if outcomes_agree else 1
        name, was, now = changed[0]
        more = f" ({plural(len(changed) - 1, 'other block')} too)" if len(changed) > 1 else ""
        print(f"{page_of[name]} disagrees with the result files in block {name!r}, computed from "
              f"{sources.get(name, 'the result files')}{more}: the page has {was!r} where the files give {now!r}; "
              f"run python -m rnnpath report to rewrite the blocks", file=sys.stderr)
        return 1
    downgraded = [name for name, _, _ in changed if is_complete(block_text(old_all, name))
                  and not is_complete(block_text(new_all, name))]
    if downgraded and not args.allow_downgrade:
        name = downgraded[0]
        parser.error(f"{page_of[name]}'s section {name!r} is complete, but {sources.get(name, 'its file')} now gives "
                     f"a partial or missing run set; if that file was damaged or lost, restore it (git checkout "
                     f"{sources.get(name, '')}); --allow-downgrade writes the partial section anyway; nothing was "
                     f"written")
    written = [page for page in new if new[page] != old[page]]
    for page in written:
        rp.write_text_atomic(page, new[page])
    if written:
        print(f"updated {join_words(written)}: " + (f"{plural(len(changed), 'block')} changed" if changed else
                                                     "only the wall times changed"))
        for name, _, now in changed:
            print(f"  {name} in {page_of[name]} (from {sources.get(name, 'the result files')}): {now[:100]}")
    else:
        print(f"{join_words(list(old))} already up to date")
    return 0


def read_pages(readme: str) -> dict[str, str]:
    """{path: text} of the landing page and every docs/*.md beside it, in that order, each checked (read_readme)."""
    docs = os.path.join(os.path.dirname(readme), "docs")
    paths = [readme] + (sorted(os.path.join(docs, n) for n in os.listdir(docs) if n.endswith(".md"))
                        if os.path.isdir(docs) else [])
    return {path: read_readme(path) for path in paths}


# The page where an experiment without a section of its own gets one, at its end: a new experiment is one registry
# entry and its sweep file, no hand-made markers.
EXPERIMENTS_PAGE = os.path.join("docs", "experiments.md")


def render_pages(old: dict[str, str], fresh: dict[str, str]) -> dict[str, str]:
    """Every page with its blocks recomputed. Links in a block are written from the repository root; on a page in
    a folder they are made relative to it. A block no page holds is an error, except an experiment's, which gets a
    section at the end of the experiments page (under its name and question)."""
    pages = dict(old)
    holds = {name for text in pages.values() for name in re.findall(r"^<!-- BEGIN (\S+) -->$", text, re.MULTILINE)}
    homeless = [name for name in fresh if name not in holds]
    target = next((p for p in pages if os.path.normpath(p).endswith(EXPERIMENTS_PAGE)), None)
    for name in homeless:
        if not name.startswith("experiment-") or target is None:
            raise files.FileError(f"no page has block {name!r} (a <!-- BEGIN {name} --> line, then "
                                  f"<!-- END {name} -->): {join_words(list(pages))}")
        pages[target] = (pages[target].rstrip("\n") + f"\n\n### {name[len('experiment-'):]}\n\n"
                         f"<!-- BEGIN {name} -->\n<!-- END {name} -->\n")
    out = {}
    for page, text in pages.items():
        folder = os.path.dirname(os.path.relpath(page, os.path.dirname(next(iter(pages))) or "."))
        mine = {name: relink(body, folder) for name, body in fresh.items()
                if f"<!-- BEGIN {name} -->" in text}
        out[page] = replace_blocks(text, mine, page)
    return out


def new_blocks(old: dict[str, str], new: dict[str, str]) -> list[str]:
    """The blocks render_pages added (experiments without a section)."""
    have = set(re.findall(r"^<!-- BEGIN (\S+) -->$", "\n".join(old.values()), re.MULTILINE))
    return [n for n in re.findall(r"^<!-- BEGIN (\S+) -->$", "\n".join(new.values()), re.MULTILINE) if n not in have]


def relink(text: str, folder: str) -> str:
    """Markdown links and images of `text`, written from the repository root, as seen from `folder` under it."""
    if not folder:
        return text
    up = "/".join([".."] * len(folder.split(os.sep)))
    return re.sub(r"\]\((?!https?:|#|mailto:|\.\./)([^)\s]+)\)", lambda m: f"]({up}/{m.group(1)})", text)


def block_text(text: str, name: str) -> str | None:
    """The body of the generated block `name` of a README's text, or None where it has none."""
    match = re.search(rf"<!-- BEGIN {re.escape(name)} -->\n(.*?)<!-- END {re.escape(name)} -->", text, re.DOTALL)
    return match.group(1) if match else None


def changed_blocks(old: str, new: str) -> list[tuple[str, str, str]]:
    """(name, old line, new line) of every block whose text differs other than in wall times, in the README's order,
    with the first line where they differ."""
    out = []
    for name in re.findall(r"^<!-- BEGIN (\S+) -->$", old, re.MULTILINE):
        was, now = (without_wall_times(block_text(t, name) or "").splitlines() for t in (old, new))
        if was != now:
            was_line, now_line = next(((a, b) for a, b in zip(was + [""] * len(now), now + [""] * len(was),
                                                              strict=True) if a != b))
            out.append((name, was_line, now_line))
    return out


def is_complete(body: str | None) -> bool:
    """Whether an experiment's block reports its whole grid (experiment_section's partial and not-run wording); an
    empty block, markers placed by hand for a new experiment, reports nothing yet."""
    return bool(body and body.strip()) and "_Partial: " not in body and "**Not run yet**" not in body


def table_outcomes(body: str) -> dict[tuple[str, str, str], bool]:
    """{(task, T, init): solved at the end} read back from a headline table, where the value a solved run's rule
    judges, its final metric or its fraction of wrong cases, is bold (headline_table)."""
    rows = [[cell.strip() for cell in line.strip().strip("|").split("|")] for line in body.splitlines()
            if line.startswith("|") and not line.startswith("|---")]
    header, rows = rows[0], rows[1:]
    inits = [column[: -len(" final")] for column in header if column.endswith(" final")]
    columns = {init: [i for i, column in enumerate(header) if column.startswith(f"{init} ")] for init in inits}
    return {(row[0], row[1], init): any(row[i].startswith("**") for i in columns[init])
            for row in rows for init in inits}


def other_kernel_note(old: str, new: str, changed: list[tuple[str, str, str]], sources: dict[str, str],
                      results_path: str, readme: str) -> tuple[str, bool] | None:
    """Where the only blocks that differ are computed from the headline results file and that file was computed by
    another BLAS kernel, on another CPU model or with other SIMD extensions than the README names (a user's own run
    of the quick start): a note that says so, with whether every run has the outcome the README gives. None
    otherwise."""
    kernels = [KERNEL_NAMED.search(block_text(text, "headline-kernel") or "") for text in (old, new)]
    if not all(kernels):
        return None
    # The kernel's name alone does not fix the digits: the same kernel on another CPU model, or with numpy's loops on
    # other SIMD extensions, rounds differently (rp.same_kernel), so a file from another CPU is a user's own run too.
    made_by = [f"`{kernel.group(1)}`" + (f" on an {kernel.group(2)}" if kernel.group(2) else "") for kernel in kernels]
    if made_by[0] == made_by[1]:
        return None
    if any(sources.get(name) != results_path for name, _, _ in changed):
        return None
    was, now = (table_outcomes(block_text(text, "headline-table") or "|") for text in (old, new))
    differ = [f"{task} {init}" for (task, T, init), solved in was.items() if now.get((task, T, init)) != solved]
    outcome = ("every run ends solved or not as the README says, and only the digits differ" if not differ else
               f"the outcome differs on {join_words(differ)}")
    return (f"note: {results_path} was computed by {made_by[1]}, the numbers in {readme} by {made_by[0]} (another "
            f"BLAS kernel, CPU or set of SIMD extensions rounds the last digits differently): {outcome}. To get "
            f"the committed numbers back: git checkout {results_path}"), not differ


if __name__ == "__main__":
    sys.exit(main())
