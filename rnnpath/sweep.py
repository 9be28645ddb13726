"""Resumable, shardable sweeps of rnn_pathological.train over tasks x lengths x inits x seeds, one JSON line per run.

    python -m rnnpath sweep --tasks addition --inits ortho random --sequence-lens 30 60 --seeds 0-9 \\
        --out sweep.jsonl                                    # run (the default command); rerun to resume after a kill
    python -m rnnpath sweep run --seeds 0-4 7 9 --n-epochs 40 --lr 0.02 --out lr002.jsonl
    python -m rnnpath sweep run --seeds 0-99 --shard 1/4 --out part1.jsonl   # ... and 2/4, 3/4, 4/4 elsewhere
    python -m rnnpath sweep merge part1.jsonl part2.jsonl part3.jsonl part4.jsonl --out sweep.jsonl
    python -m rnnpath sweep summary sweep.jsonl    # success rate with a 95% Wilson interval per group

The sweep file is JSON Lines: one run record of rnn_pathological.train per line, appended (and fsync'ed) the moment
its run finishes, without the trained weights (`W_hh_final`, `params_final`) unless --keep-weights. A run is
identified by its key: task, init, sequence_len, seed and the whole training config, as JSON with sorted keys.
Rerunning a command skips every run whose key is already in the file, so a sweep killed at any point resumes where
it stopped; a last line cut off by the kill is detected, reported and dropped (the file is rewritten atomically) and
its run redone. Records of other configurations in the same file are kept and left alone. One `run` at a time
writes a sweep file: it holds an exclusive lock on `OUT.lock` (flock, released by the system when the process ends,
however it ends; the file is removed when the run ends) from before it reads the file until it exits, and a second
`run` on the same file stops with a one-line error before it trains, instead of duplicating the first one's runs;
`merge` takes the same lock before it replaces its --out. A run that raises is
reported in the progress, counted as failed and not written (the file holds finished runs only); the command then
exits 1, and rerunning it retries the failed runs. So is a run whose record holds a NaN or an infinity, which the
file's reader would refuse (every number in a sweep file is finite): its record goes to `OUT.nonfinite` instead,
kept for a look, never read back as a run.

Every training option of rnn_pathological.DEFAULTS is a flag (--n-epochs for n_epochs, ...), generated from the
engine at start-up, so options the engine gains need no change here. Every grid point is checked with
rnn_pathological.check_config before anything trains or any file is touched.

Success in `summary`: the run ends past its task's rule (rp.is_success: the final epoch's metric past the solved
threshold, or on addition and multiplication the fraction of wrong held-out cases below the per-case threshold) and
did not diverge. "reached" counts runs that met the rule at some epoch (solved_epoch).

Sections, in dependency order: errors and small helpers, the grid and run keys, statistics, the sweep file, run,
merge, summary, command line.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import pickle
import re
import sys
import time
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass

import numpy as np

import rnn_pathological as rp
from rnnpath import files
from rnnpath.stats import median_range, wilson_interval
from rnnpath.text import fmt_duration, plural

PROG = "rnnpath sweep"

# ----------------------------------------------------------------------------------------------------------------
# errors and small helpers


class SweepError(ValueError):
    """Bad input: a one-line message, printed as `rnnpath sweep: error: ...` with exit status 2."""


def _order_key(value: str, known) -> tuple[int, str]:
    """Engine order (rp.TASKS / rp.INITS) first, unknown names after them by name."""
    known = list(known)
    return (known.index(value), "") if value in known else (len(known), value)


def describe(spec: dict) -> str:
    """'addition T=30 ortho seed 3' for a grid point or a record."""
    return f"{spec['task']} T={spec['sequence_len']} {spec['init']} seed {spec['seed']}"


def parse_seeds(tokens: list[str]) -> list[int]:
    """['0-4', '7', '9'] -> [0, 1, 2, 3, 4, 7, 9] (rp.parse_seeds); [] for no tokens, which makes an empty grid."""
    if not tokens:
        return []
    try:
        return sorted(rp.parse_seeds(" ".join(tokens)))
    except ValueError as err:
        raise SweepError(f"--seeds: {err}") from None


def parse_shard(text: str) -> tuple[int, int]:
    """'2/4' -> (2, 4): the 1-based shard K of N, 1 <= K <= N."""
    m = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text)
    if m is None:
        raise SweepError(f"--shard: {text!r} is not of the form K/N, e.g. 1/4")
    k, n = int(m.group(1)), int(m.group(2))
    if n < 1 or not 1 <= k <= n:
        raise SweepError(f"--shard: {text!r} needs 1 <= K <= N")
    return k, n


def in_shard(index: int, shard: tuple[int, int]) -> bool:
    k, n = shard
    return index % n == k - 1


def build_grid(
    tasks: list[str], inits: list[str], sequence_lens: list[int] | None, seeds: list[int]
) -> list[dict]:
    """The grid points {task, init, sequence_len, seed} in canonical order. sequence_lens None: each task at its
    headline length (rp.TASKS[task].headline_len)."""
    grid = []
    for task in sorted(set(tasks), key=lambda t: _order_key(t, rp.TASKS)):
        lens = [rp.TASKS[task].headline_len] if sequence_lens is None else sorted(set(sequence_lens))
        for T in lens:
            for init in sorted(set(inits), key=lambda i: _order_key(i, rp.INITS)):
                for seed in sorted(set(seeds)):
                    grid.append({"task": task, "init": init, "sequence_len": T, "seed": seed})
    return grid


def run_key(task: str, init: str, sequence_len: int, seed: int, config: dict) -> str:
    """The identity of a run: the grid point plus every training option, canonical JSON (sorted keys). Options the
    engine gained after a record was written take their defaults (rp.full_config), which reproduce that record."""
    return json.dumps(
        {"task": task, "init": init, "sequence_len": sequence_len, "seed": seed, "config": rp.full_config(config)},
        sort_keys=True,
    )


def record_key(record: dict) -> str:
    return run_key(record["task"], record["init"], record["sequence_len"], record["seed"], record["config"])


def config_key(config: dict) -> str:
    return json.dumps(rp.full_config(config), sort_keys=True)


def record_order(record: dict) -> tuple:
    """Canonical order of records in merged files and tables."""
    return (
        _order_key(record["task"], rp.TASKS), record["sequence_len"], _order_key(record["init"], rp.INITS),
        config_key(record["config"]), record["seed"],
    )


# ----------------------------------------------------------------------------------------------------------------
# statistics


# ----------------------------------------------------------------------------------------------------------------
# the sweep file
#
# One record per line, "task" first. A line is only ever appended whole (one write of line + newline, then fsync),
# so the only damage a kill can do is a last line without its newline that does not parse: a torn write. Anything
# else that does not parse means the file is not a sweep file, and nothing touches it.

TORN_PREFIX = '{"task"'  # how every line this script writes starts


class SweepFile:
    """The parsed content of a sweep file.

    records: [(line number, record)]; good_text: the file without a torn last line (what a repair writes back);
    torn: the torn last line, or None; needs_newline: the last record is complete but lacks its newline.
    """

    def __init__(self, path: str, records: list, good_text: str, torn: str | None, needs_newline: bool):
        self.path, self.records, self.good_text, self.torn, self.needs_newline = (
            path, records, good_text, torn, needs_newline)


# The lines this process has already parsed, checked and judged, by digest, each as the pickle of its record. The
# report reads each sweep file many times over (once per experiment and per question that reads it); the schema check
# walks every number of every record and json.loads is slow, so together they were most of its time. A line is parsed
# and checked once; a changed line has another digest and is checked again, so nothing stale is ever trusted, and
# every read still gets records of its own (unpickled afresh), which a caller may change without touching another's.
_PARSED_LINES: dict[bytes, bytes] = {}


def _parse_record(line: str):
    digest = hashlib.sha1(line.encode("utf-8")).digest()
    if (known := _PARSED_LINES.get(digest)) is not None:
        return pickle.loads(known), None
    try:
        value = json.loads(line)
    except ValueError:
        return None, "is not JSON"
    if not isinstance(value, dict):
        return None, "is not a JSON object"
    why = files.run_problem(value)  # the run-record schema every script checks (fields and their types)
    found = files.nonfinite_field(value) if not why else None  # NaN anywhere else (the sweep writes none)
    if found is not None:
        why = f"its field {found[0]} is {found[1]}, not a finite number"
    if why:
        return None, f"is not a run record ({'it ' if why.startswith(('has ', 'is ')) else ''}{why})"
    if value["task"] in rp.TASKS:  # verdicts under the engine's criteria, whichever version wrote the record
        rp.judge(value)
    _PARSED_LINES[digest] = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    return value, None


def read_sweep_file(path: str, missing_ok: bool = True) -> SweepFile:
    """Parse a sweep file; raise SweepError (one line) if it is not one. A missing file is empty if missing_ok."""
    if not os.path.exists(path):
        if missing_ok:
            return SweepFile(path, [], "", None, False)
        raise SweepError(f"{path} does not exist")
    if os.path.isdir(path):
        raise SweepError(f"{path} is a folder, not a sweep file")
    try:
        with open(path, "rb") as f:
            text = f.read().decode("utf-8")
    except UnicodeDecodeError:
        raise SweepError(f"{path} is not a sweep file (not UTF-8 text); nothing was changed") from None
    except OSError as err:
        raise SweepError(f"cannot read {path}: {err.strerror}") from None
    lines = text.split("\n")
    complete, tail = lines[:-1], lines[-1]  # tail: the text after the last newline, normally ''
    records = []
    hint = "a sweep file has one run record of rnn_pathological.train per line; nothing was changed"
    for number, line in enumerate(complete, start=1):
        if not line.strip():
            continue
        record, why = _parse_record(line)
        if record is None:
            raise SweepError(f"{path} is not a sweep file: line {number} {why} ({hint})")
        records.append((number, record))
    torn, needs_newline, good_text = None, False, text
    if tail.strip():
        record, why = _parse_record(tail)
        if record is not None:
            records.append((len(complete) + 1, record))
            needs_newline = True
        elif why == "is not JSON" and (tail.startswith(TORN_PREFIX) or TORN_PREFIX.startswith(tail)):
            torn, good_text = tail, text[: len(text) - len(tail)]
        else:
            raise SweepError(f"{path} is not a sweep file: line {len(complete) + 1} {why} ({hint})")
    return SweepFile(path, records, good_text, torn, needs_newline)


# The trained network: most of a record's size. Parameter snapshots (`snapshots`, --snapshot-every K) are not
# among them and stay in the record: a sweep asks for them by name, and they are what it runs for.
WEIGHT_FIELDS = ("W_hh_final", "params_final")


def check_out(path: str) -> None:
    """SweepError unless `path` can be written; its folder is made if missing (runs/, the README's folder for a
    sweep of your own, is not in a fresh clone)."""
    folder = os.path.dirname(path)
    try:
        if folder and not os.path.exists(folder):
            os.makedirs(folder)
        rp.check_writable(path)
    except OSError as err:
        raise SweepError(f"cannot create the folder of {path}: {err.strerror or err}") from None
    except ValueError as err:
        raise SweepError(str(err)) from None


@contextlib.contextmanager
def writer_lock(path: str):
    """Hold the exclusive right to write sweep file `path` for the `with` block: an flock on `path`.lock.

    The lock has a file of its own because a torn-line repair replaces the sweep file (a new inode), which would drop
    a lock held on it. The file is removed when the block ends; one left behind by a kill holds no lock (the system
    drops an flock with its process), and the next run takes it over. A lock won on a file that the previous holder
    removed in the meantime is let go and taken again on the file now at the path, so two runs never both hold one.
    Where fcntl is missing (Windows) the block runs unlocked.
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not on POSIX
        yield
        return
    lock_path = path + ".lock"
    while True:
        try:
            # no `with`: the lock is held across the yield below and closed or re-opened in this loop
            lock = open(lock_path, "a+", encoding="utf-8")  # noqa: SIM115
        except OSError as err:
            raise SweepError(f"cannot create {lock_path}: {err.strerror or err}") from None
        try:
            fcntl.flock(lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            lock.seek(0)
            holder = lock.read().strip() or "another process"
            lock.close()
            raise SweepError(f"{path} is being written by {holder} (it holds {lock_path}); wait for that run to "
                             f"end or stop it, then rerun") from None
        held = os.fstat(lock.fileno())
        try:
            at_path = os.stat(lock_path)
        except FileNotFoundError:
            at_path = None
        if at_path is not None and (at_path.st_dev, at_path.st_ino) == (held.st_dev, held.st_ino):
            break
        lock.close()  # the holder before us removed this file after we opened it: lock the one at the path now
    try:
        lock.seek(0)
        lock.truncate()
        lock.write(f"process {os.getpid()}\n")
        lock.flush()
        yield
    finally:
        with contextlib.suppress(OSError):
            os.remove(lock_path)  # still holding the lock, so no other run is between its open and its check
        lock.close()


class NonFiniteRecord(ValueError):
    """A run record with a NaN or an infinity in it, which a sweep file cannot hold: the message names the field."""

    def __init__(self, message: str, text: str):
        super().__init__(message)
        self.text = text  # the record as json writes it by default (NaN, Infinity), to keep aside


def record_line(record: dict, keep_weights: bool, environment: dict | None = None) -> str:
    """One JSON line (no newline), "task" first; the trained weights dropped unless keep_weights; `environment`
    (rp.environment(): CPU, BLAS library, version and kernel) says what computed it, as results files do.

    NonFiniteRecord if a number in it is NaN or infinite: json would write `NaN` or `Infinity`, which is not JSON,
    and the reader (_parse_record) refuses such a line, so one written would make the whole file unreadable."""
    out = {"task": record["task"], **record}
    if environment is not None:
        out["environment"] = environment
    if not keep_weights:
        for name in WEIGHT_FIELDS:
            out.pop(name, None)
    try:
        return json.dumps(out, allow_nan=False)
    except ValueError:
        found = files.nonfinite_field(out)
        if found is None:  # not a NaN (a circular reference, ...): a bug of another kind
            raise
        raise NonFiniteRecord(f"its field {found[0]} is {found[1]}, not a finite number", json.dumps(out)) from None


def append_line(f, line: str) -> None:
    """Append one whole line and force it to disk: a kill after this returns cannot lose the run."""
    f.write(line + "\n")
    f.flush()
    os.fsync(f.fileno())


# ----------------------------------------------------------------------------------------------------------------
# run: train the grid points not yet in the file, appending each record as it finishes


def outcome_text(record: dict) -> str:
    """The verdict of the success rule (rp.is_success: the final epoch meets the threshold), then the final metric:
    'solved@14 final 1.000' (first met at epoch 14, met at the end), 'not solved at the end (met the threshold @1)
    final 0.950', 'not solved final 0.501', 'diverged@7 final 0.250'; 'solved at the end (no epoch's batches met
    the rule) final 4.7e-04' for a per-case run its held-out cases judge solved at the end before any epoch's mean
    over its training batches met the rule."""
    m = record["metric_name"]
    final = f"final {rp.format_metric(record['final_metric'], m)}"
    if record.get("diverged"):
        return f"diverged@{record['diverged']} {final}"
    if rp.is_success(record) and record["solved_epoch"] is None:
        # judged per case on held-out cases at the end, while no epoch's mean over its training batches met the rule
        return f"solved at the end (no epoch's batches met the rule) {final}"
    if rp.is_success(record):
        return f"solved@{record['solved_epoch']} {final}"
    if record["solved_epoch"] is not None:
        return f"not solved at the end (met the threshold @{record['solved_epoch']}) {final}"
    return f"not solved {final}"


def progress_line(done: int, total: int, spec: dict, outcome: str, n_failed: int, elapsed: float,
                  finished: int, remaining: int) -> str:
    """[12/48] 3bit_memorization T=60 ortho seed 3: solved@14 final 1.000 | 0 failed | 2m13s elapsed, ~8m left"""
    left = f"~{fmt_duration(elapsed / finished * remaining)} left" if remaining else "done"
    return (f"[{done}/{total}] {describe(spec)}: {outcome} | {n_failed} failed | "
            f"{fmt_duration(elapsed)} elapsed, {left}")


def training_config(args: argparse.Namespace) -> dict:
    return {name: getattr(args, name) for name in rp.DEFAULTS}


def cmd_run(args: argparse.Namespace) -> int:
    # every check before any training or any write: bad input costs nothing and loses nothing
    config, shard, grid = check_run_args(args)
    with writer_lock(args.out):
        return run_locked(args, config, shard, grid)


def check_run_args(args: argparse.Namespace) -> tuple[dict, tuple[int, int], list[dict]]:
    """Check every argument of `run` before the lock is taken; return (training config, shard, grid)."""
    config = training_config(args)
    if args.jobs < 1:
        raise SweepError(f"--jobs must be a positive integer, got {args.jobs}")
    shard = parse_shard(args.shard) if args.shard is not None else (1, 1)
    seeds = parse_seeds(args.seeds)
    grid = build_grid(args.tasks, args.inits, args.sequence_lens, seeds)
    if not grid:
        empty = [flag for flag, v in (("--tasks", args.tasks), ("--inits", args.inits),
                                      ("--sequence-lens", args.sequence_lens), ("--seeds", seeds)) if v == []]
        raise SweepError(f"the grid is empty: no values given for {', '.join(empty)}")
    for spec in grid:
        try:
            rp.check_config(**spec, **config)
        except (ValueError, TypeError, KeyError) as err:
            raise SweepError(f"grid point {describe(spec)}: {err}") from None
    check_out(args.out)
    return config, shard, grid


@dataclass(frozen=True)
class GridPart:
    """One grid of a pooled run: its training config, its grid points and whether its records keep the weights."""
    config: dict
    specs: list[dict]
    keep_weights: bool = False


def run_locked(args: argparse.Namespace, config: dict, shard: tuple[int, int], grid: list[dict]) -> int:
    """Run what `grid` still lacks in args.out; the caller holds the file's writer lock."""
    mine = [spec for i, spec in enumerate(grid) if in_shard(i, shard)]
    where = f", shard {shard[0]}/{shard[1]}: {plural(len(mine), 'run')}" if shard != (1, 1) else ""
    return run_parts(args.out, [GridPart(config, mine, args.keep_weights)], args.jobs, args.quiet,
                     f"grid: {plural(len(grid), 'run')}{where}")


def check_parts(out: str, parts: list[GridPart], jobs: int) -> None:
    """SweepError, before anything trains, for a bad worker count, a grid point the engine would refuse, or an `out`
    that cannot be written: run_grids' checks, which a caller with several waves makes on all of them first."""
    if jobs < 1:
        raise SweepError(f"jobs must be a positive integer, got {jobs}")
    for part in parts:
        for spec in part.specs:
            try:
                rp.check_config(**spec, **part.config)
            except (ValueError, TypeError, KeyError) as err:
                raise SweepError(f"grid point {describe(spec)}: {err}") from None
    check_out(out)


def run_grids(out: str, parts: list[GridPart], jobs: int, quiet: bool = False) -> int:
    """Run what several grids still lack in sweep file `out`, their runs in one pool of `jobs` workers: a grid whose
    last runs would leave workers idle shares them with the next grid's first. Each record is the one its own grid
    run alone would write (every run is seeded from its spec and config alone). Checks every grid point first,
    then holds the file's writer lock throughout, as `run` does. Returns run's exit codes: 0, 1 (a run failed),
    130 (Ctrl-C); SweepError for bad input or a file another process is writing."""
    check_parts(out, parts, jobs)
    n = len({run_key(**spec, config=part.config) for part in parts for spec in part.specs})  # shared runs once
    with writer_lock(out):
        return run_parts(out, parts, jobs, quiet, f"grids: {plural(len(parts), 'grid')} of {plural(n, 'run')} in all")


def run_parts(out: str, parts: list[GridPart], jobs: int, quiet: bool, head: str) -> int:
    """Train the runs of `parts` that sweep file `out` lacks, in one pool, appending each record as it finishes; the
    caller holds the file's writer lock. `head` opens the line that says what is to run."""
    existing = read_sweep_file(out)

    # the file is a sweep file: repair a torn last line, then work out what is left to do
    if existing.torn is not None:
        print(f"{out}: dropped a torn last line ({len(existing.torn)} characters, a write cut off by a kill); "
              f"its run will be redone", file=sys.stderr, flush=True)
        rp.write_text_atomic(out, existing.good_text)
    elif existing.needs_newline:
        rp.write_text_atomic(out, existing.good_text + "\n")
    done = {record_key(r) for _, r in existing.records}
    # a run two grids share trains once, keeping the weights if either grid keeps them
    mine: dict[str, tuple[dict, GridPart]] = {}
    for part in parts:
        for spec in part.specs:
            key = run_key(**spec, config=part.config)
            if key not in mine or (part.keep_weights and not mine[key][1].keep_weights):
                mine[key] = (spec, part)
    mine_keys = set(mine)
    pending = [item for key, item in mine.items() if key not in done]
    n_mine = len(mine)
    already = n_mine - len(pending)
    others = sum(1 for _, r in existing.records if record_key(r) not in mine_keys)
    workers = min(jobs, max(1, len(pending)))
    kept = f" ({plural(others, 'other record')} kept)" if others else ""
    print(f"{head}; {already} already in {out}{kept}; {len(pending)} to run on {plural(workers, 'worker')}",
          flush=True)
    if not pending:
        open(out, "a").close()  # an empty shard still leaves a (mergeable) file
        return 0

    start = time.perf_counter()
    made_by = rp.environment()  # the workers inherit this process's BLAS and kernel
    counts = {"finished": 0, "failed": 0, "written": 0, "broken": 0}
    warned = []

    with open(out, "a", encoding="utf-8") as f:

        def report(i: int, outcome: str, failed: bool) -> None:
            counts["finished"] += 1
            counts["failed"] += failed
            if not quiet or failed:
                finished = counts["finished"]
                print(progress_line(already + finished, n_mine, pending[i][0], outcome, counts["failed"],
                                    time.perf_counter() - start, finished, len(pending) - finished), flush=True)

        def on_done(i: int, record: dict) -> None:
            spec, part = pending[i]
            try:
                line = record_line(record, part.keep_weights, made_by)
            except NonFiniteRecord as err:  # a bug in what a run records: keep it aside, keep the file readable
                with open(out + ".nonfinite", "a", encoding="utf-8") as aside:
                    append_line(aside, err.text)
                report(i, f"FAILED (the record's {err}: kept in {out}.nonfinite, not in {out})", failed=True)
                return
            append_line(f, line)  # on disk before anything else
            counts["written"] += 1
            if not warned and record_key(record) != run_key(**spec, config=part.config):
                warned.append(i)
                print(f"{PROG}: warning: the record of {describe(spec)} carries a different config than "
                      f"requested; a rerun will not recognise it as done", file=sys.stderr, flush=True)
            report(i, outcome_text(record), failed=False)

        def on_error(i: int, err: BaseException) -> None:
            if isinstance(err, BrokenProcessPool):  # a worker died (killed, out of memory): every run left fails
                counts["broken"] += 1
                if counts["broken"] > 1:
                    counts["finished"] += 1
                    counts["failed"] += 1
                    return
                report(i, f"FAILED ({type(err).__name__}: {err}); a worker process died, so the runs not finished "
                          "fail with it: rerun to retry them", failed=True)
                return
            report(i, f"FAILED ({type(err).__name__}: {err})", failed=True)

        try:  # each run carries its own grid's config, so one pool serves every part
            rp.run_many([{**part.config, **spec} for spec, part in pending], {}, jobs=jobs, on_done=on_done,
                        on_error=on_error)
        except KeyboardInterrupt:
            print(f"\ninterrupted: {plural(counts['written'], 'new record')} in {out}; rerun the same command to "
                  "resume",
                  file=sys.stderr, flush=True)
            return 130
    n_failed, n_written = counts["failed"], counts["written"]
    elapsed = fmt_duration(time.perf_counter() - start)
    print(f"wrote {plural(n_written, 'record')} to {out} in {elapsed}; {n_failed} failed", flush=True)
    if n_failed:
        print(f"{PROG}: {plural(n_failed, 'run')} failed (not written); rerun the same command to retry them",
              file=sys.stderr, flush=True)
        return 1
    return 0


# ----------------------------------------------------------------------------------------------------------------
# merge: combine shard files, refusing conflicts


def deterministic_view(record: dict) -> dict:
    """The fields a rerun must reproduce: everything but the timings (wallclock_s, cpu_s, history[*].elapsed_s)
    and the machine that ran it (environment)."""
    view = {k: v for k, v in record.items() if k not in ("wallclock_s", "cpu_s", "environment")}
    view["history"] = [{k: v for k, v in epoch.items() if k != "elapsed_s"} for epoch in record["history"]]
    return view


def first_difference(a: dict, b: dict) -> str | None:
    """The first deterministic field on which two records of the same key disagree (fields both have)."""
    va, vb = deterministic_view(a), deterministic_view(b)
    for field in sorted(set(va) & set(vb)):
        if va[field] != vb[field]:
            return field
    return None


def differing_options(configs: list[dict]) -> dict[str, list]:
    """{option: [values]} for the training options that differ between configs."""
    names = sorted(set().union(*configs))
    out = {}
    for name in names:
        values = []
        for c in configs:
            v = c.get(name, "<absent>")
            if v not in values:
                values.append(v)
        if len(values) > 1:
            out[name] = values
    return out


def merge_records(sweep_files: list[SweepFile], allow_mixed: bool = False) -> list[dict]:
    """Union of the files' records, one per key, in canonical order; SweepError on conflicts or mixed configs."""
    merged: dict[str, tuple[dict, str]] = {}
    for sf in sweep_files:
        for number, record in sf.records:
            key, where = record_key(record), f"{sf.path} line {number}"
            if key not in merged:
                merged[key] = (record, where)
                continue
            kept, kept_where = merged[key]
            field = first_difference(kept, record)
            if field is not None:
                raise SweepError(f"{describe(record)} disagrees on {field} between {kept_where} and {where}; "
                                 f"nothing was written")
            if len(record) > len(kept):  # the same run, one copy with more fields (e.g. W_hh_final)
                merged[key] = (record, kept_where)
    records = [r for r, _ in merged.values()]
    configs = list({config_key(r["config"]): r["config"] for r in records}.values())
    if len(configs) > 1 and not allow_mixed:
        diff = "; ".join(f"{k}: {', '.join(map(str, v))}" for k, v in differing_options(configs).items())
        raise SweepError(f"the records come from {plural(len(configs), 'training configuration')} ({diff}); "
                         f"pass --allow-mixed to merge them anyway; nothing was written")
    return sorted(records, key=record_order)


def cmd_merge(args: argparse.Namespace) -> int:
    sweep_files = []
    for path in args.files:
        sf = read_sweep_file(path, missing_ok=False)
        if sf.torn is not None:
            print(f"{path}: skipping a torn last line (a run cut off by a kill; rerun its sweep to redo it)",
                  file=sys.stderr)
        sweep_files.append(sf)
    check_out(args.out)
    records = merge_records(sweep_files, args.allow_mixed)
    text = "".join(record_line(r, keep_weights=True) + "\n" for r in records)
    with writer_lock(args.out):  # replacing a file a run appends to would send its next records to a deleted inode
        rp.write_text_atomic(args.out, text)
    n_in = sum(len(sf.records) for sf in sweep_files)
    print(f"merged {plural(n_in, 'record')} from {plural(len(sweep_files), 'file')} into {len(records)} in "
          f"{args.out} ({plural(n_in - len(records), 'duplicate')} dropped)")
    return 0


# ----------------------------------------------------------------------------------------------------------------
# summary: success rate and metric spread per (task, T, init)


def summary_table(records: list[dict]) -> str:
    """Text table per training configuration, one row per (task, sequence_len, init)."""
    by_config: dict[str, dict[tuple, list[dict]]] = {}
    for r in sorted(records, key=record_order):
        group = (r["task"], r["sequence_len"], r["init"])
        by_config.setdefault(config_key(r["config"]), {}).setdefault(group, []).append(r)
    configs = [json.loads(c) for c in by_config]
    diff = differing_options(configs) if len(configs) > 1 else {}
    header = ["task", "T", "init", "runs", "success", "95% CI", "reached", "median solved@", "diverged",
              "final: median [min, max]", "best: median [min, max]"]
    blocks = []
    for config, groups in zip(configs, by_config.values(), strict=True):
        rows = []
        for (task, T, init), runs in groups.items():
            m = runs[0]["metric_name"]
            n, k = len(runs), sum(rp.is_success(r) for r in runs)
            lo, hi = wilson_interval(k, n)
            reached = [r["solved_epoch"] for r in runs if r["solved_epoch"] is not None]
            rows.append([
                task, T, init, n, f"{k}/{n}", f"[{lo:.2f}, {hi:.2f}]", f"{len(reached)}/{n}",
                f"{float(np.median(reached)):g}" if reached else "-", sum(1 for r in runs if r.get("diverged")),
                median_range([r["final_metric"] for r in runs if r["final_metric"] is not None], m),
                median_range([r["best_metric"] for r in runs if r.get("best_metric") is not None], m),
            ])
        cells = [header] + [[str(c) for c in row] for row in rows]
        widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
        lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells]
        lines.insert(1, "  ".join("-" * w for w in widths))
        if diff:
            lines.insert(0, "config: " + ", ".join(f"{k}={config.get(k, '<absent>')}" for k in diff))
        blocks.append("\n".join(lines))
    legend = ("success: the run ends past its task's rule and did not diverge: the final metric past the solved "
              "threshold, or on addition and multiplication fewer wrong cases (|error| > 0.04) than the per-case "
              "threshold, on held-out cases after the last update\n95% CI: Wilson score interval of the success "
              "rate\nreached: met the rule at some epoch; median solved@ over the runs that reached it")
    return "\n\n".join(blocks) + "\n\n" + legend


def cmd_summary(args: argparse.Namespace) -> int:
    sf = read_sweep_file(args.file, missing_ok=False)
    if sf.torn is not None:
        print(f"{args.file}: ignoring a torn last line (rerun its sweep to redo that run)", file=sys.stderr)
    if not sf.records:
        raise SweepError(f"{args.file} has no run records yet")
    print(summary_table([r for _, r in sf.records]))
    return 0


# ----------------------------------------------------------------------------------------------------------------
# command line


def build_parser() -> argparse.ArgumentParser:
    parser = rp.OneLineErrorParser(
        prog=PROG, description="Resumable, shardable sweeps of rnn_pathological.train; one JSON line per run.",
        epilog="`run` is the default command: `rnnpath sweep --seeds 0-9 --out s.jsonl` runs a sweep.",
    )
    sub = parser.add_subparsers(dest="command", metavar="{run,merge,summary}")

    run = sub.add_parser("run", help="train a grid of runs, appending one JSON line per finished run (resumable)",
                         description="Train tasks x sequence lengths x inits x seeds; rerun the command to resume.")
    grid = run.add_argument_group("grid")
    headline_tasks = [t for t, _ in getattr(rp, "HEADLINE", ())] or list(rp.TASKS)
    grid.add_argument("--tasks", nargs="*", choices=list(rp.TASKS), default=headline_tasks, metavar="TASK",
                      help=f"tasks, from {', '.join(rp.TASKS)} (default: {' '.join(headline_tasks)})")
    headline_inits = list(getattr(rp, "HEADLINE_INITS", rp.INITS))
    grid.add_argument("--inits", nargs="*", choices=list(rp.INITS), default=headline_inits, metavar="INIT",
                      help=f"W_hh initialisations, from {', '.join(rp.INITS)} (default: {' '.join(headline_inits)})")
    grid.add_argument("--sequence-lens", nargs="*", type=int, default=None, metavar="T",
                      help="sequence lengths, each run for every task (default: each task at its headline length)")
    grid.add_argument("--seeds", nargs="*", default=["0-9"], metavar="SEEDS",
                      help="seeds: numbers and ranges, e.g. 0-4 7 9 (default: 0-9)")
    # the engine's own flags of the training options, all in one group
    rp.add_option_flags(run.add_argument_group("training options (rnn_pathological.DEFAULTS; every run the same)"))
    out = run.add_argument_group("output and execution")
    out.add_argument("--out", required=True, metavar="FILE.jsonl",
                     help="sweep file: created, or appended to and resumed if it exists")
    out.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                     help="worker processes (default: the number of cores, %(default)s); results do not depend on it")
    out.add_argument("--shard", default=None, metavar="K/N",
                     help="run only shard K of N (1-based): grid run i belongs to shard (i mod N) + 1")
    out.add_argument("--keep-weights", action="store_true",
                     help="keep the trained weights (W_hh_final, params_final) in every record, for the analyses "
                     "(snapshots asked for by --snapshot-every are kept either way)")
    out.add_argument("--quiet", action="store_true", help="no progress line per finished run (failures still show)")

    merge = sub.add_parser("merge", help="combine sweep files (e.g. shards) into one, refusing conflicts",
                           description="Combine sweep files; identical records of one run are kept once. Refuses, "
                           "writing nothing, when two records of the same run disagree or the configs differ.")
    merge.add_argument("files", nargs="+", metavar="FILE.jsonl", help="sweep files to combine")
    merge.add_argument("--out", required=True, metavar="FILE.jsonl", help="merged file (written atomically)")
    merge.add_argument("--allow-mixed", action="store_true",
                       help="merge records of different training configurations")

    summary = sub.add_parser("summary", help="success rate (95%% Wilson interval) and metrics per task, T, init",
                             description="Table per (task, sequence length, init) of a sweep file.")
    summary.add_argument("file", metavar="FILE.jsonl", help="sweep file")
    return parser


COMMANDS = {"run": cmd_run, "merge": cmd_merge, "summary": cmd_summary}


@rp.script_main
def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or (argv[0] not in COMMANDS and argv[0] not in ("-h", "--help")):
        argv = ["run", *argv]  # run is the default command
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except SweepError as err:
        print(f"{PROG}: error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
