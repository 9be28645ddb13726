"""The arms' tuned settings (rnnpath/experiments/tuning.py): picked from the committed tuning runs, on seeds no
reported experiment uses, and used by the experiments that compare the arms (issue 22)."""

from pathlib import Path

import pytest

import rnn_pathological as rp
from rnnpath import experiments as ex
from rnnpath.experiments import gated, tuning

TUNING = {"frontier_tuning": tuning.FRONTIER_TUNING_GRIDS, "latching_tuning": tuning.LATCHING_TUNING_GRIDS,
          "modern_tuning": tuning.MODERN_TUNING_GRIDS, "short_tuning": tuning.SHORT_TUNING_GRIDS}


def _arms_and_tasks(grids) -> set[tuple[str, str]]:
    return {(f"{g.config()['cell']}+{g.inits[0]}", task) for g in grids for task in g.tasks}


def _record(task, init, seed, final, cell="rnn", diverged=False, **setting):
    config = {**rp.stored_config({**rp.DEFAULTS, **setting}), "cell": cell}
    return {"task": task, "init": init, "seed": seed, "sequence_len": 50, "config": config, "final_metric": final,
            "diverged": diverged, "metric_name": "accuracy", "higher_is_better": True}


def test_the_settings_in_the_code_are_the_committed_tuning_runs_picks():
    """TUNED is each pair's pick at its tuning length, except the pairs no setting learned for there (BLIND_PAIRS),
    which take short_tuning's pick at T = 30 where a setting learns there."""
    expected = {}
    for name in ("frontier_tuning", "latching_tuning", "modern_tuning"):
        records, n_runs = ex.load_records(ex.EXPERIMENTS[name])
        assert len(records) == n_runs  # the whole tuning grid, not a part
        expected.update(tuning.picks(records, TUNING[name]))
    short, n_short = ex.load_records(ex.EXPERIMENTS["short_tuning"])
    assert len(short) == n_short
    still_blind = tuning.blind_pairs(short, tuning.SHORT_TUNING_GRIDS)
    expected.update({pair: setting for pair, setting in tuning.picks(short, tuning.SHORT_TUNING_GRIDS).items()
                     if pair in tuning.BLIND_PAIRS and pair not in still_blind})
    assert tuning.TUNED == expected


def test_the_pairs_tuned_again_are_those_no_setting_learned_for_at_t_60():
    blind = ()
    for name in ("frontier_tuning", "modern_tuning"):
        records, _ = ex.load_records(ex.EXPERIMENTS[name])
        blind += tuning.blind_pairs(records, TUNING[name])
    assert blind == tuning.BLIND_PAIRS
    assert {(f"{g.config()['cell']}+{g.inits[0]}", g.tasks[0]) for g in tuning.SHORT_TUNING_GRIDS} == set(
        tuning.SHORT_TUNING_PAIRS) >= set(blind)
    assert {g.sequence_lens for g in tuning.SHORT_TUNING_GRIDS} == {(tuning.SHORT_TUNING_LEN,)}
    assert {g.seeds for g in tuning.SHORT_TUNING_GRIDS} == {tuning.TUNING_SEEDS}


def test_the_lru_tunes_its_width_and_ring_beside_the_optimiser():
    settings = tuning.settings_for("lru", (1.0,))
    assert len(settings) == len(tuning.OPTIMISER_SETTINGS) * 4
    assert {(s["lru_width"], s["lru_r_min"]) for s in settings} == {(2, 0.0), (2, 0.9), (8, 0.0), (8, 0.9)}
    assert tuning.settings_for("gru", (1.0, 3.0)) == tuning.OPTIMISER_SETTINGS  # no forget bias outside the LSTM
    record = _record("addition", "ortho", 1000, 0.1, cell="lru", optimizer="adam", lr=0.001, lru_width=8,
                     lru_r_min=0.9)
    assert tuning.setting_of(record) == {"optimizer": "adam", "lr": 0.001, "lru_width": 8, "lru_r_min": 0.9}
    assert tuning.setting_text(tuning.setting_of(record)) == "adam lr 0.001, width 8, r_min 0.9"
    assert "forget_bias" not in tuning.setting_of({**record, "config": {**record["config"], "cell": "gru"}})


def test_the_pick_is_the_best_median_then_the_best_mean_then_the_soonest_solved_then_the_first():
    grids = tuning.tuning_grids((("rnn", "ortho"),), ("latching",), 50, "1000-1002", {}, (1.0,))
    a, b, c = ({"optimizer": "adam", "lr": lr} for lr in (0.0003, 0.001, 0.003))
    runs = ([_record("latching", "ortho", s, f, **a) for s, f in zip(range(3), (1.0, 1.0, 0.5), strict=True)]
            + [_record("latching", "ortho", s, f, **b) for s, f in zip(range(3), (1.0, 1.0, 1.0), strict=True)]
            + [_record("latching", "ortho", s, f, **c) for s, f in zip(range(3), (1.0, 1.0, 1.0), strict=True)])
    assert tuning.picks(runs, grids)[("rnn+ortho", "latching")] == b  # median ties, mean decides, then order
    # b and c both end every run at 1: the one whose runs meet the solved rule sooner wins, whatever the grid's order
    for r, epoch in zip(runs[3:], (9, 12, 15, 4, 20, 5), strict=True):
        r["solved_epoch"] = epoch
    assert tuning.picks(runs, grids)[("rnn+ortho", "latching")] == c  # median solved epoch 5 against 12
    for r in runs[3:]:
        r["solved_epoch"] = None if r["config"]["lr"] == 0.003 and r["seed"] < 2 else 30
    assert tuning.picks(runs, grids)[("rnn+ortho", "latching")] == b  # a run that never meets it counts as latest
    for r in runs[3:]:
        r["solved_epoch"] = 7
    runs.append(_record("latching", "ortho", 3, None, diverged=2, **b))
    runs[-2]["final_metric"] = 0.4  # c's third seed now worse; b has a diverged fourth seed: the worst value
    assert tuning.picks(runs, grids)[("rnn+ortho", "latching")] == a


def test_method_md_states_the_tie_its_rule_breaks():
    """method.md's example of a tie the solved epoch breaks: the LSTM's tied settings on temporal_order in
    frontier_tuning, the one grid order would pick against the fastest."""
    exp = ex.EXPERIMENTS["frontier_tuning"]
    records, _ = ex.load_records(exp)
    rows = [r for r in tuning.setting_table(records, exp.grids) if (r["arm"], r["task"]) == ("lstm+ortho",
                                                                                            "temporal_order")]
    tied = [r for r in rows if r["score"][:2] == min(r["score"] for r in rows)[:2]]
    assert len(tied) > 1
    by_order, fastest = tied[0]["score"][2], min(r["score"][2] for r in tied)
    assert tuning.TUNED[("lstm+ortho", "temporal_order")] == min(tied, key=lambda r: r["score"])["setting"]
    method = " ".join((Path(__file__).resolve().parents[1] / "docs" / "method.md").read_text().split())
    assert (f"the LSTM's pick on temporal_order first solved at median epoch {by_order:.0f} where a tied setting "
            f"did at {fastest:.0f}") in method


def test_tuning_seeds_are_never_reported():
    tuning_seeds = {s for name in ex.TUNING_EXPERIMENTS for g in ex.EXPERIMENTS[name].grids
                    for s in rp.parse_seeds(g.seeds)}
    assert min(tuning_seeds) >= 1000
    for name, exp in ex.EXPERIMENTS.items():
        if name in ex.TUNING_EXPERIMENTS:
            continue
        for g in exp.grids:
            assert not tuning_seeds & set(rp.parse_seeds(g.seeds)), name


def test_the_compared_experiments_run_each_arm_with_its_own_setting():
    for g in gated.LATCHING_GRIDS:
        cell = g.options.get("cell", "rnn")
        setting = tuning.TUNED[(f"{cell}+{g.inits[0]}", "latching")]
        assert {k: g.options[k] for k in setting} == setting and len(g.inits) == 1
        assert g.options["n_hidden"] == 1 and g.options["n_epochs"] == 20


@pytest.mark.parametrize("name", list(TUNING))
def test_quick_variant_runs_draws_and_answers(name, tmp_path, capsys):
    assert ex.main(["run", name, "--quick", "--jobs", "1", "--quiet", "--outdir", str(tmp_path)]) == 0
    assert ex.main(["plot", name, "--quick", "--outdir", str(tmp_path)]) == 0
    capsys.readouterr()
    assert ex.main(["answer", name, "--quick", "--outdir", str(tmp_path)]) == 0
    answer = capsys.readouterr().out
    records, _ = ex.load_records(ex.EXPERIMENTS[name], quick=True, outdir=str(tmp_path))
    assert min(r["seed"] for r in records) >= 1000  # tuning seeds, even in the quick variant
    for (arm, task), setting in tuning.picks(records, TUNING[name]).items():
        assert f"{arm} on {task}: {tuning.setting_text(setting)}" in answer


def test_a_pick_no_setting_learned_for_or_at_the_end_of_its_grid_is_named():
    """pick_caveats: where no setting learned (no run solved, no median past the partial baseline) the pick is
    the rule's and the answer says so; a pick at the smallest or largest rate of its optimiser is named as such; an
    interior pick of a setting that learned goes unnamed."""
    grids = tuning.tuning_grids((("rnn", "ortho"),), ("latching",), 50, "1000-1002", {}, (1.0,))

    def runs(finals_by_setting):
        return [{**_record("latching", "ortho", s, f, **setting), "partial_baseline": 0.5}
                for setting, finals in finals_by_setting for s, f in enumerate(finals)]
    chance = [(s, (0.5, 0.5, 0.49)) for s in tuning.OPTIMISER_SETTINGS]
    interior = {"optimizer": "adam", "lr": 0.001}
    top = {"optimizer": "adam", "lr": 0.003}
    blind = tuning.pick_caveats(runs(chance), grids)
    assert blind.startswith("No setting learned") and "rnn+ortho on latching" in blind and "end of" not in blind
    assert tuning.answer_tuning(runs(chance), grids).count(blind) == 1
    learned = [(s, (1.0, 1.0, 1.0) if s == interior else f) for s, f in chance]
    assert tuning.pick_caveats(runs(learned), grids) == ""
    edge = [(s, (1.0, 1.0, 1.0) if s == top else f) for s, f in chance]
    assert tuning.pick_caveats(runs(edge), grids) == ("Picked at an end of the values tried with its other knobs "
                                                      "as picked, so a better value may lie beyond it: the learning "
                                                      "rate of rnn+ortho on latching (adam lr 0.003).")
    # the LSTM's forget bias too: an interior rate at the largest bias tried is named for its bias alone
    lstm = tuning.tuning_grids((("lstm", "ortho"),), ("latching",), 50, "1000-1002", {}, (1.0, 3.0, 5.0))
    lstm_runs = [{**_record("latching", "ortho", s, 1.0 if setting == {**interior, "forget_bias": 5.0} else 0.5,
                            cell="lstm", **setting), "partial_baseline": 0.5}
                 for setting in tuning.settings_for("lstm", (1.0, 3.0, 5.0)) for s in range(3)]
    assert tuning.pick_caveats(lstm_runs, lstm) == (
        "Picked at an end of the values tried with its other knobs as picked, so a better value may lie beyond it: "
        "the forget bias of lstm+ortho on latching (adam lr 0.001, forget bias 5).")
    inner = [{**r, "final_metric": 1.0 if r["config"].get("forget_bias") == 3.0 and r["config"]["lr"] == 0.001
              and r["config"]["optimizer"] == "adam" else 0.5} for r in lstm_runs]
    assert tuning.pick_caveats(inner, lstm) == ""


def test_the_edges_of_a_grid_that_is_not_fully_crossed_are_judged_with_the_other_knobs_as_picked():
    """modern_tuning's widening tries the LRU's wider widths and r_min 0.99 at some rates only: a knob is at an end
    where it is the smallest or largest value tried with every other knob at the pick's value."""
    pair = ("lru+ortho", "addition")

    def named(setting):
        return tuning.edge_knobs({pair: setting}, tuning.MODERN_TUNING_GRIDS).get(pair, [])
    inner = {"optimizer": "adam", "lr": 0.003, "lru_width": 8, "lru_r_min": 0.9}
    assert named(inner) == []  # 1e-3 < 3e-3 < 1e-2; widths 2 < 8 < 32; r_min 0 < 0.9 < 0.99
    assert named({**inner, "lru_width": 32}) == ["lru_r_min"]  # at width 32 r_min is 0.9 or 0.99 alone
    # Adam 0.01 is tried at widths 8-64 alone (and r_min 0.9, 0.99): every knob sits at an end there
    assert named({**inner, "lr": 0.01}) == ["lr", "lru_width", "lru_r_min"]
    # momentum 0.1 is tried at widths 8-64 alone: width 8 is the smallest there, though width 2 ran at other rates
    assert named({"optimizer": "momentum", "lr": 0.1, "lru_width": 8, "lru_r_min": 0.9}) == [
        "lr", "lru_width", "lru_r_min"]
