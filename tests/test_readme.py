"""The README's numbers come from the committed results.json, and that file from the committed code."""

import json
from pathlib import Path

import numpy as np
import pytest

import report_rnn_pathological as report
import rnn_pathological as rp

ROOT = Path(__file__).resolve().parents[1]
RESULTS = json.loads((ROOT / "results.json").read_text())


def test_readme_blocks_match_results_json():
    readme = (ROOT / "README.md").read_text()
    assert report.replace_blocks(readme, report.blocks(str(ROOT / "results.json"))) == readme, (
        "README.md is stale: run python report_rnn_pathological.py"
    )


def test_report_notices_a_changed_number(tmp_path):
    doc = json.loads(json.dumps(RESULTS))
    doc["runs"][0]["final_metric"] += 0.5
    changed = tmp_path / "r.json"
    changed.write_text(json.dumps(doc))
    readme = (ROOT / "README.md").read_text()
    assert report.replace_blocks(readme, report.blocks(str(changed))) != readme


def test_committed_results_are_the_headline_of_seed_0():
    assert RESULTS["schema_version"] == rp.SCHEMA_VERSION
    assert {k: RESULTS["config"][k] for k in rp.DEFAULTS} == rp.DEFAULTS
    assert [(r["task"], r["sequence_len"], r["init"], r["seed"]) for r in RESULTS["runs"]] == [
        (s["task"], s["sequence_len"], s["init"], s["seed"]) for s in rp.headline_specs(0)
    ]


@pytest.mark.parametrize("index", range(6))
def test_committed_results_come_from_the_committed_code(index):
    """Retrain the first two epochs of each committed run: the history must match (training is deterministic)."""
    run = RESULTS["runs"][index]
    config = {**run["config"], "n_epochs": 2}
    fresh = rp.train(run["task"], run["init"], run["sequence_len"], seed=run["seed"], **config)
    for new, old in zip(fresh["history"], run["history"][:2]):
        for key in ("loss", "metric", "grad_norm"):
            assert new[key] == pytest.approx(old[key], rel=1e-9, abs=1e-12), (run["task"], run["init"], key)
    np.testing.assert_allclose(fresh["W_hh_singular_values_init"], run["W_hh_singular_values_init"], rtol=1e-12)


@pytest.mark.parametrize("run", RESULTS["runs"], ids=lambda r: f"{r['task']}-{r['init']}")
def test_summary_fields_agree_with_the_history(run):
    metrics = [e["metric"] for e in run["history"]]
    assert len(metrics) == run["config"]["n_epochs"] and run["diverged"] is False
    assert run["final_metric"] == metrics[-1]
    best = max(metrics) if run["higher_is_better"] else min(metrics)
    assert run["best_metric"] == best and metrics[run["best_epoch"] - 1] == best
    task = rp.TASKS[run["task"]]
    solved = [i + 1 for i, m in enumerate(metrics) if task.is_solved(m, run["sequence_len"])]
    assert run["solved_epoch"] == (solved[0] if solved else None)


def test_headline_separates_the_arms():
    """The claim the README makes: by the final epoch, ortho solves every headline task and random none."""
    for run in RESULTS["runs"]:
        assert rp.TASKS[run["task"]].is_solved(run["final_metric"], run["sequence_len"]) == (run["init"] == "ortho"), run["task"]
