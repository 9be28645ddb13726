"""The symbol_coding experiment (rnnpath.experiments.dynamics): its grid, its committed sweep file against
the committed code, and its answer against the records. The quick variant runs end to end in test_experiments."""

import json
from pathlib import Path

import pytest

import rnn_pathological as rp
from rnnpath import experiments as ex
from rnnpath.experiments import dynamics as dyn

ROOT = Path(__file__).resolve().parents[1]
SWEEP = ROOT / "results" / "sweeps" / "symbol_coding.jsonl"


def test_the_grid_crosses_codes_and_positions_under_both_inits_beside_the_reference():
    exp = ex.EXPERIMENTS["symbol_coding"]
    assert exp.n_runs() == (3 * 2 + 1) * 2 * 3  # 6 arms and the reference, 2 inits, 3 seeds
    arms = {(g.config()["symbol_code"], g.config()["positions"]) for g in exp.grids if g.tasks == ("temporal_order",)}
    assert arms == {(c, p) for c in ("onehot", "dense", "scalar") for p in ("default", "early")}
    for grid in exp.grids:
        config = grid.config()
        assert grid.sequence_lens == (60,) and grid.inits == rp.HEADLINE_INITS and grid.seeds == "0-2"
        assert {k: config[k] for k in ("n_epochs", "batches_per_epoch", "batch_size", "lr", "n_hidden")} == {
            k: rp.DEFAULTS[k] for k in ("n_epochs", "batches_per_epoch", "batch_size", "lr", "n_hidden")}
    # the one-hot, default arm is the headline temporal_order run: same key as a record without the options
    control = next(g for g in exp.grids if g.options.get("symbol_code") == "onehot"
                   and g.options.get("positions") == "default")
    assert control.keys() == ex.Grid(("temporal_order",), rp.HEADLINE_INITS, (60,), "0-2").keys()


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
    # the findings follow the numbers: each sentence appears only when its condition holds
    dense = dyn._median_epoch(cells[("dense, default", "ortho")])
    assert ("is learnt as fast as the one-hot code" in text) == (max(hot, dense) <= 1.5 * min(hot, dense))
    scalar_default = ex.successes(cells[("scalar, default", "ortho")])[0]
    assert ("is not learnt at the default positions" in text) == (scalar_default == 0)
    early = max(dyn._median_epoch(cells[(f"{c}, early", "ortho")]) for c in ("onehot", "dense"))
    assert ("makes the task easier, not harder" in text) == (early < hot)


def test_the_answer_survives_arms_that_never_learn(records):
    failed = [{**r, "solved_epoch": None, "final_metric": r["chance"], "best_metric": r["chance"]} for r in records]
    text = dyn.answer_symbol_coding(failed)
    assert "never past it" in text and "0 of 21 runs" in text
    assert "as fast" not in text and "easier, not harder" not in text
