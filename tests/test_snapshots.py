"""Parameter snapshots during training (--snapshot-every K): off by default with records as before the option
existed, the parameters of the right epochs when on, kept by sweeps and --drop-weights, checked when read."""

import json
from pathlib import Path

import numpy as np
import pytest
from cli_helpers import assert_one_line_error, run_script

import rnn_pathological as rp
from rnnpath import files, sweep

ROOT = Path(__file__).resolve().parents[1]
TINY = {"n_hidden": 8, "n_epochs": 4, "batches_per_epoch": 2, "batch_size": 10}


def numbers(run):
    return [(r["epoch"], r["loss"], r["metric"], r["grad_norm"]) for r in run["history"]]


@pytest.fixture(scope="module")
def runs():
    return {k: rp.train("temporal_order", "ortho", 12, seed=2, snapshot_every=k, **TINY) for k in (0, 2, 3)}


def test_off_by_default_and_the_record_is_as_before(runs):
    run = runs[0]
    assert "snapshots" not in run and "snapshot_every" not in run["config"]
    # the fields a record had before the option existed, and no other
    before = json.loads((ROOT / "results.json").read_text())["runs"][2]
    assert before["task"] == "temporal_order" and set(run) == set(before)
    assert rp.full_config(run["config"]) == {**rp.DEFAULTS, **TINY}
    doc = rp.results_document([run], {**rp.DEFAULTS, **TINY})
    assert "snapshot_every" not in doc["config"]


def test_snapshots_change_nothing_but_the_record(runs):
    for k in (2, 3):
        assert numbers(runs[k]) == numbers(runs[0])
        assert runs[k]["W_hh_final"] == runs[0]["W_hh_final"]
        assert runs[k]["config"]["snapshot_every"] == k
        assert {**runs[k], "snapshots": None, "config": None, "wallclock_s": None, "cpu_s": None, "history": None} == \
            {**runs[0], "snapshots": None, "config": None, "wallclock_s": None, "cpu_s": None, "history": None}


def test_snapshot_epochs_and_parameters(runs):
    assert [s["epoch"] for s in runs[2]["snapshots"]] == [0, 2, 4]
    assert [s["epoch"] for s in runs[3]["snapshots"]] == [0, 3]
    first = runs[2]["snapshots"][0]["params"]
    initial = rp.initial_params("temporal_order", "ortho", 2, **TINY)
    assert list(first) == list(initial)
    for name, value in initial.items():
        np.testing.assert_array_equal(np.array(first[name]), value)
    last = runs[2]["snapshots"][-1]["params"]  # epoch 4 = n_epochs: the trained network
    np.testing.assert_array_equal(np.array(last["W_hh"]), np.array(runs[2]["W_hh_final"]))
    for name, value in runs[2]["params_final"].items():
        np.testing.assert_array_equal(np.array(last[name]), np.array(value))


def test_a_snapshot_is_the_network_trained_for_that_many_epochs(runs):
    """Training is deterministic: the epoch-3 snapshot equals a run stopped after 3 epochs."""
    short = rp.train("temporal_order", "ortho", 12, seed=2, **{**TINY, "n_epochs": 3})
    np.testing.assert_array_equal(np.array(runs[3]["snapshots"][1]["params"]["W_hh"]), np.array(short["W_hh_final"]))


def test_bad_snapshot_every_is_refused():
    for bad in (-1, 1.5, True):
        with pytest.raises(ValueError, match="snapshot_every must be a non-negative integer"):
            rp.train("addition", "ortho", 8, snapshot_every=bad, **TINY)


def test_file_check_accepts_snapshots_and_names_what_is_wrong(runs):
    run = json.loads(json.dumps(runs[2]))
    assert files.run_problem(run) is None
    cases = [
        (lambda r: r.update(snapshots=[]), "non-empty list"),
        (lambda r: r["snapshots"][1].update(epoch="2"), "integer 'epoch'"),
        (lambda r: r["snapshots"].reverse(), "increasing epochs from 0"),
        (lambda r: r["snapshots"][1]["params"].pop("W_hh"), "has no 'W_hh'"),
        (lambda r: r["snapshots"][1]["params"]["W_hh"].pop(), "another shape"),
        (lambda r: r["snapshots"][2]["params"]["b_h"].__setitem__(0, "x"), "param 'b_h'"),
    ]
    for spoil, fragment in cases:
        bad = json.loads(json.dumps(run))
        spoil(bad)
        why = files.run_problem(bad)
        assert why is not None and fragment in why, (fragment, why)


def test_sweeps_and_drop_weights_keep_snapshots(runs, tmp_path):
    line = json.loads(sweep.record_line(runs[2], keep_weights=False))
    assert "W_hh_final" not in line and line["snapshots"] == runs[2]["snapshots"]
    out = tmp_path / "r.json"
    argv = ["--task", "latching", "--sequence-len", "5", "--n-epochs", "2", "--batches-per-epoch", "1", "--n-hidden",
            "2", "--snapshot-every", "1", "--drop-weights", "--quiet", "--out", str(out)]
    assert rp.main(argv) == 0
    doc = files.load_results(str(out))
    run = doc["runs"][0]
    assert "W_hh_final" not in run and [s["epoch"] for s in run["snapshots"]] == [0, 1, 2]
    assert doc["config"]["snapshot_every"] == 1 and run["config"]["snapshot_every"] == 1


def test_sweep_keys_tell_snapshot_runs_apart(runs):
    assert sweep.record_key(runs[0]) == sweep.run_key("temporal_order", "ortho", 12, 2, {**rp.DEFAULTS, **TINY})
    assert sweep.record_key(runs[2]) != sweep.record_key(runs[0])


def test_cli_refuses_a_negative_interval_in_one_line():
    proc = run_script("rnn_pathological.py", "--task", "latching", "--snapshot-every", "-1")
    assert_one_line_error(proc, "rnn_pathological.py", "snapshot_every")
    assert proc.returncode == 2
