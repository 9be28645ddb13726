"""The symbol_coding experiment (rnnpath.experiments.dynamics): its grid, its committed sweep file against
the committed code, and its answer against the records. The quick variant runs end to end in test_experiments."""

import json
from pathlib import Path
from unittest import mock

import numpy as np
import pytest

import rnn_pathological as rp
from rnnpath import experiments as ex
from rnnpath import stats
from rnnpath.experiments import dynamics as dyn

ROOT = Path(__file__).resolve().parents[1]


def no_training(*args, **kwargs):
    raise AssertionError("plot and answer must read files, never train")
SWEEP = ROOT / "results" / "sweeps" / "symbol_coding.jsonl"


def test_the_grid_crosses_codes_and_positions_under_both_inits_beside_the_reference():
    exp = ex.EXPERIMENTS["symbol_coding"]
    assert exp.n_runs() == (3 * 2 + 1) * 2 * 10  # 6 arms and the reference, 2 inits, 10 seeds
    arms = {(g.config()["symbol_code"], g.config()["positions"]) for g in exp.grids if g.tasks == ("temporal_order",)}
    assert arms == {(c, p) for c in ("onehot", "dense", "scalar") for p in ("default", "early")}
    for grid in exp.grids:
        config = grid.config()
        assert grid.sequence_lens == (60,) and grid.inits == rp.HEADLINE_INITS and grid.seeds == "0-9"
        assert {k: config[k] for k in ("n_epochs", "batches_per_epoch", "batch_size", "lr", "n_hidden")} == {
            k: rp.DEFAULTS[k] for k in ("n_epochs", "batches_per_epoch", "batch_size", "lr", "n_hidden")}
    # the one-hot, default arm is the headline temporal_order run: same key as a record without the options
    control = next(g for g in exp.grids if g.options.get("symbol_code") == "onehot"
                   and g.options.get("positions") == "default")
    assert control.keys() == ex.Grid(("temporal_order",), rp.HEADLINE_INITS, (60,), "0-9").keys()


@pytest.fixture(scope="module")
def records():
    exp = ex.EXPERIMENTS["symbol_coding"]
    found, n_want = ex.load_records(exp, outdir=str(ROOT))
    assert len(found) == n_want  # the committed sweep is complete
    return found


def test_committed_sweep_comes_from_the_committed_code(records):
    """The first epoch of one run per coding and position, retrained, matches its record."""
    lines = [json.loads(line) for line in SWEEP.read_text().splitlines()]
    assert len(lines) == len(records)
    picked = {}
    for r in lines:
        c = rp.full_config(r["config"])
        picked.setdefault((r["task"], c["symbol_code"], c["positions"]), r)
    assert len(picked) == 7
    for run in picked.values():
        fresh = rp.train(run["task"], run["init"], run["sequence_len"], seed=run["seed"],
                         **{**run["config"], "n_epochs": 1})
        for key in ("loss", "metric", "grad_norm"):
            assert fresh["history"][0][key] == pytest.approx(run["history"][0][key], rel=1e-9, abs=1e-12), key


def test_the_answer_reads_the_records(records):
    text = dyn.answer_symbol_coding(records)
    cells = dyn._cells(records)
    for (arm, init), runs in cells.items():
        assert f"| {arm} | {init} | {ex.rate_text(runs)} |" in text
    assert "partial progress" not in text  # no per-case task here: the cells read as they always did
    hot = dyn._median_epoch(cells[("onehot, default", "ortho")])
    assert f"median epoch {hot:g}" in text
    # the findings follow the tests: each conclusion appears only when its test tells the arms apart
    def p_speed(a, b):
        return stats.rank_sum_exact(dyn._epochs(cells[(a, "ortho")]), dyn._epochs(cells[(b, "ortho")]))
    assert ("These runs give no sign that a channel" in text) == (p_speed("dense, default", "onehot, default") >= 0.05)
    k_first, n = ex.successes(cells[("scalar, early", "ortho")])
    k_default, _ = ex.successes(cells[("scalar, default", "ortho")])
    assert (f"ends solved in {k_first}/{n} runs when the symbols come first and in {k_default}/{n} at the default "
            f"positions ({stats.fisher_text(k_first, n, k_default, n)}") in text
    assert ("This fits a refined form" in text) == (k_first > k_default and stats.fisher_exact(k_first, n, k_default, n)
                                                     < 0.05)
    sooner = all(p_speed(f"{c}, early", f"{c}, default") < 0.05 for c in ("onehot", "dense"))
    assert ("makes the task easier, not harder" in text) == sooner


def test_the_findings_are_worded_by_their_tests():
    """Made-up arms of ten runs: where the tests tell the arms apart, the conclusions are drawn; at three runs a
    side the same pattern cannot reach p < 0.05, and every sentence says so instead."""
    def arm(code, positions, epoch, task="temporal_order", n=10):
        return [{"task": task, "init": "ortho", "seed": s, "sequence_len": 60, "solved_epoch": epoch,
                 "final_metric": 1.0 if epoch is not None else 0.25, "best_metric": 0.3 if epoch is None else 1.0,
                 "metric_name": "accuracy", "chance": 0.25, "diverged": False,
                 "config": {"symbol_code": code, "positions": positions}} for s in range(n)]

    def made(n):
        return (arm("onehot", "default", 15, n=n) + arm("dense", "default", 14, n=n) + arm("scalar", "default", None, n=n)
                + arm("onehot", "early", 2, n=n) + arm("dense", "early", 3, n=n) + arm("scalar", "early", 13, n=n)
                + arm("onehot", "default", 26, task="3bit_memorization", n=n))
    with mock.patch.object(rp, "is_success", lambda r: r["solved_epoch"] is not None):
        ten, three = dyn.answer_symbol_coding(made(10)), dyn.answer_symbol_coding(made(3))
    assert "dense code is learnt faster" in ten  # 14 against 15 in every run: the ranks split cleanly
    assert "This fits a refined form" in ten and "(Fisher p < 0.001" in ten
    assert "makes the task easier, not harder" in ten and "3bit_memorization at the same delay takes longer" in ten
    assert "This fits" not in three and "easier, not harder" not in three and "takes longer" not in three
    assert three.count(ex.NOT_TOLD) >= 3
    assert "random start" not in ten  # no random runs made up, so no sentence about them


def test_the_answer_survives_arms_that_never_learn(records):
    failed = [{**r, "solved_epoch": None, "final_metric": r["chance"], "best_metric": r["chance"]} for r in records]
    text = dyn.answer_symbol_coding(failed)
    n_random = sum(r["init"] == "random" for r in records)
    assert "never past it" in text and f"0 of {n_random} runs" in text
    assert "This fits" not in text and "easier, not harder" not in text


# ----------------------------------------------------------------------------------------------------------------
# signal_trained: networks trained at each T, their weights kept for the signal analysis


def test_signal_trained_is_the_frontiers_runs_with_their_weights_kept():
    """Its grids are the frontier's tanh runs on temporal_order at the same settings and seeds (the same run keys),
    the sweep told to keep the trained weights; the quick grids keep them too."""
    from rnnpath.experiments import gated

    exp = ex.EXPERIMENTS["signal_trained"]
    assert exp.n_runs() == 2 * 4 * 10
    frontier = set().union(*(g.keys() for g in gated.FRONTIER_FULL_GRIDS))
    for grid in exp.grids + exp.quick_grids:
        assert grid.keep_weights and "--keep-weights" in grid.sweep_argv("x.jsonl")
    assert all(grid.keys() <= frontier for grid in exp.grids)
    plain = ex.Grid(("addition",), ("ortho",), (30,), "0")
    assert "--keep-weights" not in plain.sweep_argv("x.jsonl")
    assert ex.quick_grid(plain).keep_weights is False


def test_signal_trained_answer_and_figure_read_the_runs(tmp_path):
    exp = ex.EXPERIMENTS["signal_trained"]
    assert ex.main(["run", "signal_trained", "--quick", "--jobs", "1", "--quiet", "--outdir", str(tmp_path)]) == 0
    records, _ = ex.load_records(exp, quick=True, outdir=str(tmp_path))
    assert records and all("W_hh_final" in r for r in records)
    text = dyn.answer_signal_trained(records)
    for (init, T), runs in dyn._signal_cells(records).items():
        radii = [dyn.spectral_radius(r) for r in runs]
        assert (f"| {init} | {T} | {ex.rate_text(runs)} | {len(ex.solved_epochs(runs))}/{len(runs)} | "
                f"{ex.epochs_text(ex.solved_epochs(runs))} | {ex.final_text(runs)} | "
                f"{np.median(radii):.3g} [{min(radii):.3g}, {max(radii):.3g}] |") in text
    with mock.patch.object(rp, "train", no_training):
        assert len(dyn.figure_signal_trained(records).axes) == 2
    assert dyn.answer_signal_trained([]) == "No run with its trained weights in the file yet."
