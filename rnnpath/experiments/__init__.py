"""Named experiments, each a question answered from sweep files: run, plot, answer.

    python -m rnnpath experiment list                       # names, questions, commands, runs per grid
    python -m rnnpath experiment run solve_vs_T --jobs 2    # train its grid into results/sweeps/solve_vs_T.jsonl
    python -m rnnpath experiment plot solve_vs_T            # the sweep file -> viz/exp_solve_vs_T.png
    python -m rnnpath experiment answer solve_vs_T          # a markdown paragraph and table from the file
    python -m rnnpath experiment run all --quick --jobs 1   # every experiment, tiny: a smoke test

The experiments live in the family modules beside this file: baseline (xor_nesterov, solve_vs_T,
identity_vs_ortho, convergence, addition_budget, latching), family (the family table, hidden size, random scale, the
family table in float32), dynamics (symbol_coding), tuning (each arm's setting, on tuning seeds), gated (frontier,
frontier_modern, order_table, order_lstm200, latching_lstm, copy_rmsprop), teacher (Zucchet et al.'s
teacher-student test) and published (Sutskever et al.'s Table 5 and Orhan & Pitkow's copy at their budgets); `list`
gives every experiment's question. An experiment may read another's records beside its own (Experiment.reads:
family_float32 reads the family table, frontier_modern the frontier); `run` trains its own grids alone.
Every run goes through the sweep runner (rnnpath.sweep.run_grids, what `sweep run` runs), so `run` is
resumable: rerun it after a kill and only the missing runs train. It trains the grids together, their runs in one
pool of --jobs workers, or, under the frontier's stop rule, one length at a time (waves). Records in a sweep file
that belong to no grid of the experiment are ignored. `convergence` trains nothing of its own: it reads
results/results_seeds.json, the ten-seed headline of rnn_pathological.py, and `run convergence` creates that file only
when it is missing. `plot` and `answer` read the files and never train.

--quick runs each grid tiny (8 hidden units, 2 epochs of 2 batches of 10, two seeds, the shortest lengths) into
results/sweeps/quick/ and viz/quick/ (convergence's stand-in for results/results_seeds.json is
results/sweeps/quick/results_seeds.json), so the real files are never touched. --outdir moves results/sweeps/, viz/
and results/results_seeds.json under another folder.
The folders a command writes are checked before anything trains or is drawn, and every file it reads is checked
(rnnpath.files): a bad one is a one-line error naming it.

The registry is built here, explicitly, from the lists of the family modules, each of which builds on base;
nothing registers itself at import. Sections: the registry, commands, command line.
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys

import rnn_pathological as rp
from rnnpath import files, stats, style, sweep
from rnnpath.experiments import baseline, dynamics, family, gated, published, teacher, tuning

# the package re-exports base (Grid, Experiment, paths, helpers), so `ex.Grid` and `ex.EXPERIMENTS` sit side by side
from rnnpath.experiments.base import *
from rnnpath.experiments.base import (
    PROG,
    Experiment,
    ExperimentError,
    command,
    figure_path,
    load_records,
    own_keys,
    own_records,
    records_so_far,
    task_rank,
)
from rnnpath.text import capitalised, markdown_table, plural

# ----------------------------------------------------------------------------------------------------------------
# the registry: every family's list, in the order the docs show them

EXPERIMENTS: dict[str, Experiment] = {
    e.name: e for e in [*baseline.EXPERIMENTS, *family.EXPERIMENTS, *dynamics.EXPERIMENTS, *tuning.EXPERIMENTS,
                            *gated.EXPERIMENTS, *teacher.EXPERIMENTS, *published.EXPERIMENTS]
}


# the experiments that choose settings for others, on tuning seeds (1000 and up) that no reported run draws
TUNING_EXPERIMENTS = ("frontier_tuning", "latching_tuning", "modern_tuning", "short_tuning", "teacher_tuning",
                      "sutskever_lr", "sutskever_lr09")


def resolve(name: str) -> list[Experiment]:
    """[the experiment], or every experiment for 'all'. Raises ExperimentError for an unknown name."""
    if name == "all":
        return list(EXPERIMENTS.values())
    if name not in EXPERIMENTS:
        raise ExperimentError(f"unknown experiment {name!r}; choose from {', '.join(EXPERIMENTS)}, all")
    return [EXPERIMENTS[name]]


# ----------------------------------------------------------------------------------------------------------------
# commands


def partial_note(exp: Experiment, n_have: int, n_want: int, quick: bool, outdir: str) -> str | None:
    if n_have >= n_want:
        return None
    return (f"partial: {n_have} of the {n_want} runs of {exp.name} are in {exp.data_path(quick, outdir)}; "
            f"finish with `{command('run', exp.name, quick, outdir)}`")


def kept_records(exp: Experiment, quick: bool, outdir: str) -> list[dict]:
    """The records of an experiment's sweep file that are none of its grids' runs (kept_note, earlier_settings)."""
    path = exp.data_path(quick, outdir)
    if exp.results is not None or not os.path.exists(path):
        return []
    keys = own_keys(exp, quick)
    return [r for _, r in sweep.read_sweep_file(path).records if sweep.record_key(r) not in keys]


def kept_note(exp: Experiment, quick: bool, outdir: str, shown: str | None = None) -> str | None:
    """'results/sweeps/frontier.jsonl also keeps 256 records of runs its grids no longer hold (...)': the records of
    an experiment's sweep file that are none of its runs, there because the sweep runner never drops a record and
    the grid changed since (an earlier shared setting, a tuning pick since revised); None where there are none.
    `shown` is the path to print (the README names paths as typed from the repository's root)."""
    path = exp.data_path(quick, outdir)
    kept = kept_records(exp, quick, outdir)
    if not kept:
        return None
    # their training time: CPU time where the record has it, else wall time (an upper bound on a busy machine)
    hours = sum(r["cpu_s"] if r.get("cpu_s") is not None else r.get("wallclock_s") or 0.0 for r in kept) / 3600
    return (f"{shown or path} also keeps {plural(len(kept), 'record')} of runs its grids no longer hold (settings or "
            f"seeds since replaced, kept as the sweep runner keeps every record; {hours:.2f} core-hours of "
            f"training); they are left out here")


def earlier_settings(exp: Experiment, records: list[dict], quick: bool, outdir: str, shown: str | None = None) -> str:
    """The records a grid no longer holds that ran an arm, task, length and seed it still runs, under another
    setting (a tuning pick since revised), beside the current runs on the same seeds: a sentence and a table of
    solved counts, old against new, paired by seed, with McNemar's exact test over all of them pooled ('' where
    there are none). What a changed pick changed, measured rather than assumed."""
    path = exp.data_path(quick, outdir)
    kept = kept_records(exp, quick, outdir)
    if not kept:
        return ""
    keys = own_keys(exp, quick)
    current = {(gated.arm_of(r), r["task"], r["sequence_len"], r["seed"]): r for r in records
               if sweep.record_key(r) in keys}
    groups: dict[tuple, list[tuple[dict, dict]]] = {}
    for r in kept:
        cell = (gated.arm_of(r), r["task"], r["sequence_len"], r["seed"])
        if cell not in current:
            continue
        new = current[cell]
        old_setting, new_setting = tuning.setting_of(r), tuning.setting_of(new)
        if old_setting == new_setting:
            continue  # the same setting under another key (an engine option since added): not a revised pick
        groups.setdefault((cell[:3], tuning.setting_text(old_setting), tuning.setting_text(new_setting)),
                          []).append((r, new))
    if not groups:
        return ""
    rows, only_old, only_new = [], 0, 0
    for ((arm, task, T), old_text, new_text), pairs in sorted(
            groups.items(), key=lambda kv: (task_rank(kv[0][0][1]), kv[0][0][2], kv[0][0][0])):
        old_solved = [rp.is_success(o) for o, _ in pairs]
        new_solved = [rp.is_success(n) for _, n in pairs]
        only_old += sum(o and not n for o, n in zip(old_solved, new_solved, strict=True))
        only_new += sum(n and not o for o, n in zip(old_solved, new_solved, strict=True))
        rows.append([task, T, arm, old_text, f"{sum(old_solved)}/{len(pairs)}", new_text,
                     f"{sum(new_solved)}/{len(pairs)}"])
    p = stats.mcnemar_exact(only_old, only_new)
    n_pairs = sum(len(pairs) for pairs in groups.values())
    text = (f"Earlier settings on the same seeds: {plural(n_pairs, 'run')} of the records kept in {shown or path} "
            f"ran a cell this grid still runs under a tuning pick since revised. Paired by seed, {only_new} solve under the "
            f"current setting alone and {only_old} under the earlier one alone (McNemar's exact test p = {p:.2g}, "
            f"pooled over the cells below); the tables above count the current settings only.")
    return text + "\n\n" + markdown_table(["task", "T", "arm", "earlier setting", "solved", "current setting",
                                            "solved"], rows)


def run_experiment(exp: Experiment, quick: bool, outdir: str, jobs: int, quiet: bool) -> int:
    """Train what is missing of `exp` through the sweep runner, wave by wave (waves), every grid checked before the
    first trains (or rnn_pathological.py for `convergence`)."""
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
    try:  # every grid of every wave, before the first trains
        sweep.check_parts(path, [sweep.GridPart(g.config(), g.specs()) for g in exp.grids_for(quick)], jobs)
    except sweep.SweepError as err:
        print(f"{sweep.PROG}: error: {err}", file=sys.stderr, flush=True)
        return 2
    status = 0
    for wave in waves(exp, quick):
        kept = list(wave)
        if exp.gate is not None:
            so_far = records_so_far(exp, quick, path)
            for grid in wave:
                if reason := exp.gate(grid, so_far):
                    print(f"skip: {reason}", flush=True)
                    kept.remove(grid)
        if not kept:
            continue
        try:
            code = sweep.run_grids(path, [sweep.GridPart(g.config(), g.specs(), g.keep_weights) for g in kept],
                                   jobs, quiet)
        except sweep.SweepError as err:
            print(f"{sweep.PROG}: error: {err}", file=sys.stderr, flush=True)
            code = 2
        if code == 130:  # Ctrl-C: the user wants everything to stop, not the next wave to start
            return code
        status = status or code
    return status


def waves(exp: Experiment, quick: bool) -> list[tuple[Grid, ...]]:
    """The experiment's grids in the groups `run` trains together, each group's runs in one pool of workers (so
    no worker idles at a grid's end while another grid waits): every grid at once, or, for an experiment with a
    gate, each run of consecutive grids at one length, since a gate decides from the records of other lengths
    (the stop rule: shorter ones), which the earlier groups have finished."""
    grids = exp.grids_for(quick)
    if exp.gate is None:
        return [grids] if grids else []
    out: list[tuple[Grid, ...]] = []
    for grid in grids:
        if out and out[-1][-1].sequence_lens == grid.sequence_lens:
            out[-1] += (grid,)
        else:
            out.append((grid,))
    return out


def plot_experiment(exp: Experiment, quick: bool, outdir: str) -> str:
    records, n_want = load_records(exp, quick, outdir)
    note = partial_note(exp, len(own_records(exp, records, quick)), n_want, quick, outdir)
    if note:
        print(f"note: {note}", file=sys.stderr)
    path = figure_path(exp.name, quick, outdir)
    files.prepare_outdir(os.path.dirname(path))
    style.save_figure_atomic(exp.figure(records), path, dpi=100)
    return path


def answer_text(exp: Experiment, quick: bool, outdir: str) -> str:
    records, n_want = load_records(exp, quick, outdir)
    text = exp.answer(records)
    note = partial_note(exp, len(own_records(exp, records, quick)), n_want, quick, outdir)
    kept = kept_note(exp, quick, outdir)
    note = "; ".join(n for n in (note, kept) if n)
    earlier = earlier_settings(exp, records, quick, outdir)
    return ((f"_{capitalised(note)}._\n\n" if note else "") + text  # a partial grid says so first
            + (f"\n\n{earlier}" if earlier else ""))


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
        "run": "train the experiment's grids into its sweep file through the sweep runner, their runs in one pool "
               "of --jobs workers (resumable)",
        "plot": "draw viz/exp_NAME.png from the sweep file (never trains)",
        "answer": "print the experiment's answer, a markdown paragraph and table computed from the sweep file",
    }
    for verb, text in verbs.items():
        gates = [name for name, e in EXPERIMENTS.items() if e.gate is not None]
        note = (f" A grid past a stop of the stop rule ({', '.join(gates)}: from T = {gated.FRONTIER_STOP_FROM} on, "
                "a pair none of whose runs at one length ends solved runs no longer length) is skipped with a line "
                "saying why, decided from the records in so far: there the grids train one length at a time."
                if verb == "run" and gates else "")
        p = sub.add_parser(verb, help=text, description=text[0].upper() + text[1:] + "." + note)
        p.add_argument("name", metavar="NAME", help=f"experiment: {', '.join(EXPERIMENTS)}, or all")
        p.add_argument("--quick", action="store_true",
                       help="the tiny variant (8 hidden units, 2 epochs of 2 batches of 10, two seeds, the shortest "
                       "lengths), in results/sweeps/quick/ and viz/quick/")
        p.add_argument("--outdir", default=".", metavar="DIR",
                       help="folder holding results/sweeps/, viz/ and results/results_seeds.json; with --quick, "
                       "results/sweeps/quick/ (results_seeds.json there too) and viz/quick/ under it (default: the "
                       "current folder)")
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
