"""addition_budget: the headline's addition runs carried on until the per-case rule holds (issue 22, for the
published-budgets issue). The grid extends the headline's runs, and the answer counts and times them."""

import copy

import numpy as np

import rnn_pathological as rp
from rnnpath import experiments as ex
from rnnpath import stats
from rnnpath.experiments import baseline


def test_the_grid_is_the_headline_addition_run_with_more_epochs():
    g = baseline.BUDGET_GRID
    assert g.tasks == ("addition",) and g.sequence_lens == (dict(rp.HEADLINE)["addition"],)
    assert set(g.inits) == set(rp.HEADLINE_INITS) and rp.parse_seeds(g.seeds) == list(range(10))
    assert {k: v for k, v in g.config().items() if k != "n_epochs"} == {
        k: v for k, v in rp.DEFAULTS.items() if k != "n_epochs"}
    assert g.config()["n_epochs"] * g.config()["batches_per_epoch"] >= 50_000  # Sutskever et al.'s budget


def test_its_first_epochs_are_the_headline_run():
    """No schedule depends on n_epochs: the first epochs of a longer run are the shorter run's, bit for bit."""
    kw = {"n_hidden": 6, "batches_per_epoch": 3, "batch_size": 8}
    short = rp.train("addition", "ortho", 10, seed=1, n_epochs=2, **kw)
    long = rp.train("addition", "ortho", 10, seed=1, n_epochs=4, **kw)
    strip = lambda h: {k: v for k, v in h.items() if k != "elapsed_s"}
    assert [strip(h) for h in long["history"][:2]] == [strip(h) for h in short["history"]]


def _run(template: dict, init: str, seed: int, solved_at: int | None, n: int = 6) -> dict:
    r = copy.deepcopy(template)
    r.update(init=init, seed=seed, diverged=False)
    r["config"] = {**r["config"], "n_epochs": n}
    wrong = [0.9 if solved_at is None or e < solved_at else 0.1 for e in range(1, n + 1)]
    r["history"] = [{**r["history"][0], "epoch": e, "frac_wrong": w, "metric": 0.01 if w < 0.5 else 0.05}
                    for e, w in zip(range(1, n + 1), wrong, strict=True)]
    r["final_metric"] = r["history"][-1]["metric"]
    r["heldout"] = {"cases": rp.HELDOUT_CASES, "metric": r["final_metric"], "frac_wrong": wrong[-1]}
    return rp.judge(r)


def test_answer_counts_the_per_case_successes_their_updates_and_fishers_p(tmp_path):
    assert ex.main(["run", "addition_budget", "--quick", "--jobs", "1", "--quiet", "--outdir", str(tmp_path)]) == 0
    records, _ = ex.load_records(ex.EXPERIMENTS["addition_budget"], quick=True, outdir=str(tmp_path))
    template = records[0]
    runs = [_run(template, "ortho", s, e) for s, e in enumerate([2, 3, 5])]
    runs += [_run(template, "random", s, None) for s in range(3)]
    text = baseline.answer_addition_budget(runs)
    batches = template["config"]["batches_per_epoch"]
    assert "ortho meets the per-case rule in 3/3 runs at the end" in text
    assert f"first at update {np.median([2, 3, 5]) * batches:g} [{2 * batches}, {5 * batches}]" in text
    assert "random meets the per-case rule in 0/3 runs at the end" in text
    assert f"ortho against random: runs solved at the end 3/3 against 0/3, {stats.fisher_text(3, 3, 0, 3)}" in text
    # how soon, by the exact rank-sum test on the first solved epochs (never = latest): 3 against 3 cannot reach 0.05
    p_text = stats.rank_sum_text([2, 3, 5], [float("inf")] * 3)
    assert f"between their first solved epochs ({p_text}, a run that never meets it counted as the latest)" in text
    slow = [_run(template, "random", s, e) for s, e in enumerate([4, 5, 6, 6, 6])]
    fast = [_run(template, "ortho", s, e) for s, e in enumerate([1, 1, 2, 2, 3])]
    assert stats.rank_sum_exact([1, 1, 2, 2, 3], [4, 5, 6, 6, 6]) < 0.05
    text = baseline.answer_addition_budget(fast + slow)
    assert "ortho first meets it after fewer updates than random" in text
    # partial progress (here at the same epochs as solving): its medians and the rank-sum test
    p_text = stats.rank_sum_text([1, 1, 2, 2, 3], [4, 5, 6, 6, 6])
    assert f"first crossed by ortho at median epoch 2 and by random at median epoch 6 ({p_text}: ortho gets " \
           f"there sooner)" in text
    assert "end between the two medians" not in text  # the headline's 80 epochs are past both
    assert baseline.figure_addition_budget(runs) is not None

