"""The named experiments: every quick variant end to end, resuming, figures that never train, answers computed
from the records, and one-line errors."""

import copy
import json
import re
import subprocess
from pathlib import Path

import numpy as np
import pytest
from cli_helpers import command_line, run_main

import rnn_pathological as rp
from rnnpath import experiments as ex
from rnnpath import stats, sweep
from rnnpath.experiments import baseline, family, gated
from rnnpath.text import join_words, seed_ranges

ROOT = Path(__file__).resolve().parents[1]
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
ERROR = re.compile(r"^rnnpath experiment: error: \S.*$")
NAMES = list(ex.EXPERIMENTS)


def assert_one_line_error(err: str, *fragments: str) -> None:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and ERROR.match(lines[0]), err
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])


def line_count(path) -> int:
    return len(Path(path).read_text().splitlines())


def no_training(*args, **kwargs):
    raise AssertionError("plot and answer must read files, never train")


@pytest.fixture(scope="module")
def quick_dir(tmp_path_factory) -> Path:
    """Every experiment's quick variant run once into a fresh folder (a second or so in all)."""
    outdir = tmp_path_factory.mktemp("exp")
    for name in NAMES:
        assert ex.main(["run", name, "--quick", "--jobs", "1", "--quiet", "--outdir", str(outdir)]) == 0
    return outdir


def quick_records(outdir: Path, name: str) -> list[dict]:
    records, _ = ex.load_records(ex.EXPERIMENTS[name], quick=True, outdir=str(outdir))
    return records


# ----------------------------------------------------------------------------------------------------------------
# the registry


def test_experiments_with_questions_and_full_size_run_counts():
    expected = {"xor_nesterov": 1 * 2 * 10, "solve_vs_T": 2 * 4 * 7 * 5, "identity_vs_ortho": 3 * 3 * 10,
                "convergence": 3 * 2 * 10, "addition_budget": 2 * 10, "latching": 7 * 4 * 10,
                "family": 11 * 7 * 5, "hidden_size": 3 * 2 * 4 * 5, "random_scale": 3 * 5 * 10 + 3 * 10,
                "family_float32": 11 * 7 * 5}
    assert NAMES[:len(expected)] == list(expected)  # the sibling modules' experiments follow
    for name, exp in ex.EXPERIMENTS.items():
        assert "?" in exp.question, name
        if name in expected:
            assert exp.n_runs() == expected[name], name
        assert 0 < exp.n_runs(quick=True) < exp.n_runs()


def test_quick_grids_are_tiny_and_full_grids_carry_the_experiment_options():
    for exp in ex.EXPERIMENTS.values():
        for grid in exp.quick_grids:
            config = grid.config()
            assert config["n_epochs"] == 2 and config["batches_per_epoch"] == 2 and config["batch_size"] == 10
            # a chain start needs a unit per input: random_permutation keeps 100, copy 10
            assert config["n_hidden"] <= max(8, *(rp.TASKS[t].n_in for t in grid.tasks))
            assert len(sweep.parse_seeds(grid.seeds.split())) <= 2
    xor = ex.EXPERIMENTS["xor_nesterov"].grids[0].config()
    assert (xor["optimizer"], xor["momentum_schedule"], xor["momentum"], xor["n_epochs"]) == (
        "nesterov", "sutskever_eq5", 0.99, 800)
    latching = ex.EXPERIMENTS["latching"]
    assert latching.grids[0].config()["n_hidden"] == 1 and latching.quick_grids[0].config()["n_hidden"] == 1
    arms = {(i, g.config()["activation"]) for g in ex.EXPERIMENTS["identity_vs_ortho"].grids for i in g.inits}
    assert arms == set(baseline.ARMS)


def test_sweep_file_paths_keep_quick_apart_from_the_real_files():
    assert ex.sweep_path("latching", False) == "results/sweeps/latching.jsonl"
    assert ex.figure_path("latching", False) == "viz/exp_latching.png"
    assert ex.sweep_path("latching", True) != ex.sweep_path("latching", False)
    assert ex.figure_path("latching", True) != ex.figure_path("latching", False)
    assert ex.EXPERIMENTS["convergence"].data_path(False) == "results/results_seeds.json"


# ----------------------------------------------------------------------------------------------------------------
# quick variants end to end


@pytest.mark.parametrize("name", NAMES)
def test_quick_variant_writes_every_run_a_figure_and_an_answer(name, quick_dir, monkeypatch):
    exp = ex.EXPERIMENTS[name]
    assert len(ex.own_records(exp, quick_records(quick_dir, name), quick=True)) == exp.n_runs(quick=True)
    for attr in ("train", "run_many", "main"):
        monkeypatch.setattr(rp, attr, no_training)
    code, out, err = run_main(ex.main, ["plot", name, "--quick", "--outdir", quick_dir])
    assert code == 0, err
    png = quick_dir / "viz" / "quick" / f"exp_{name}.png"
    assert str(png) in out
    assert png.read_bytes()[:8] == PNG_MAGIC and png.stat().st_size > 5000
    code, out, err = run_main(ex.main, ["answer", name, "--quick", "--outdir", quick_dir])
    assert code == 0, err
    assert "/" in out and "|---|" in out and len(out.strip()) > 100
    assert "Partial" not in out  # the quick grid is complete


def test_rerunning_a_quick_variant_trains_nothing(quick_dir, monkeypatch):
    counts = {n: line_count(ex.sweep_path(n, True, str(quick_dir))) for n in NAMES if n != "convergence"}
    results = Path(ex.seeds_results_path(True, str(quick_dir)))
    before = results.read_bytes()
    for attr in ("train", "main"):
        monkeypatch.setattr(rp, attr, no_training)
    code, out, err = run_main(ex.main, ["run", "all", "--quick", "--jobs", "1", "--outdir", quick_dir])
    assert code == 0, err
    assert "0 to run" in out and "nothing to train" in out
    assert counts == {n: line_count(ex.sweep_path(n, True, str(quick_dir))) for n in counts}
    assert results.read_bytes() == before


def test_answer_all_gives_every_experiment_a_section(quick_dir):
    code, out, err = run_main(ex.main, ["answer", "all", "--quick", "--outdir", quick_dir])
    assert code == 0, err
    for exp in ex.EXPERIMENTS.values():
        assert f"### {exp.name}" in out and exp.question in out


def test_a_partial_sweep_is_drawn_and_answered_with_a_note(quick_dir, tmp_path):
    src = Path(ex.sweep_path("latching", True, str(quick_dir)))
    dst = Path(ex.sweep_path("latching", True, str(tmp_path)))
    dst.parent.mkdir(parents=True)
    dst.write_text("".join(src.read_text().splitlines(keepends=True)[:5]))
    code, out, err = run_main(ex.main, ["answer", "latching", "--quick", "--outdir", tmp_path])
    assert code == 0 and "5 of the 24 runs" in out
    assert f"python -m rnnpath experiment run latching --quick --outdir {tmp_path}" in out
    code, out, err = run_main(ex.main, ["plot", "latching", "--quick", "--outdir", tmp_path])
    assert code == 0 and "5 of the 24 runs" in err


# ----------------------------------------------------------------------------------------------------------------
# answers and figures from records with known outcomes


def solved(record: dict, epoch: int | None, diverged: int | bool = False) -> dict:
    """A copy of `record` that meets its threshold from `epoch` on (None: never), optionally diverged."""
    r = copy.deepcopy(record)
    good = r["solved_threshold"] * (1.02 if r["higher_is_better"] else 0.5)
    bad = r["chance"]
    r["solved_epoch"] = epoch
    r["final_metric"] = good if epoch is not None else bad
    r["diverged"] = diverged
    n = r["config"]["n_epochs"]
    r["history"] = [{**r["history"][0], "epoch": e, "metric": good if epoch is not None and e >= epoch else bad,
                     "loss": 1.0 / e} for e in range(1, n + 1)]
    if rp.is_per_case(r):  # addition, multiplication: the rule counts wrong cases, at the end on held-out ones
        for h in r["history"]:
            h["frac_wrong"] = 0.05 if h["metric"] == good else 0.9
        r["heldout"] = {"cases": rp.HELDOUT_CASES, "metric": r["final_metric"],
                        "frac_wrong": 0.05 if epoch is not None else 0.9}
        r = rp.judge(r)
        r["solved_epoch"] = epoch
    return r


def test_xor_answer_counts_successes_with_wilson_intervals_and_the_median_epoch(quick_dir):
    template = quick_records(quick_dir, "xor_nesterov")[0]
    runs = [solved({**template, "init": "ortho", "seed": s}, e) for s, e in enumerate([1, 2, 2])]
    runs += [solved({**template, "init": "random", "seed": s}, None) for s in range(3)]
    text = baseline.answer_xor_nesterov(runs)
    assert "ortho ends solved in 3/3 runs (95% CI [0.44, 1.00])" in text
    assert "at median epoch 2" in text
    assert "random ends solved in 0/3 runs (95% CI [0.00, 0.56])" in text
    assert "in every run" in text
    assert "nesterov momentum under eq. 5 of Sutskever et al. 2013, their autoencoder schedule (capped at 0.99)" in text


def test_identity_answer_and_figure_mark_diverged_runs(quick_dir, tmp_path):
    records = quick_records(quick_dir, "identity_vs_ortho")
    edited = []
    for r in records:
        arm = baseline.arm_of(r)
        if arm == "identity+relu":
            r = solved(r, None, diverged=1)
            r["final_metric"] = None if r["seed"] == 0 else r["final_metric"]
        else:
            r = solved(r, 1)
        edited.append(r)
    text = baseline.answer_identity_vs_ortho(edited)
    assert "ortho+tanh in 6/6" in text and "identity+tanh in 6/6" in text
    assert "identity+relu in 0/6 (6 diverged)" in text  # pooled over tasks: the count, no interval
    assert "does as well" in text
    path = tmp_path / "identity.png"
    baseline.figure_identity_vs_ortho(edited).savefig(path, dpi=60)
    assert path.read_bytes()[:8] == PNG_MAGIC


def test_identity_answer_gives_fisher_p_per_task_and_words_a_large_p_as_chance(quick_dir):
    """ortho+tanh solves every run, identity+tanh none: each task's comparison carries Fisher's exact p computed from
    its counts, and at the quick grid's few seeds (p >= 0.05) it is worded as one the test cannot tell from chance."""
    records = [solved(r, 1 if baseline.arm_of(r) == "ortho+tanh" else None)
               for r in quick_records(quick_dir, "identity_vs_ortho")]
    text = baseline.answer_identity_vs_ortho(records)
    for ((_, task), T), runs in baseline.group_by(records, baseline.task_key).items():
        (k1, n1), (k2, n2) = (baseline.successes([r for r in runs if baseline.arm_of(r) == a])
                              for a in ("identity+tanh", "ortho+tanh"))
        p = stats.fisher_exact(k1, n1, k2, n2)
        assert f"{task} at T = {T} ({k1}/{n1} against {k2}/{n2}, {stats.fisher_text(k1, n1, k2, n2)}" in text
        assert p >= 0.05  # a handful of quick seeds
        assert f"{stats.fisher_text(k1, n1, k2, n2)}: a difference this test cannot tell from chance)" in text
    assert "clearly worse" not in text and "cannot tell whether the randomness matters" in text


def test_solve_vs_T_and_latching_answers_find_the_longest_fully_solved_length(quick_dir, tmp_path):
    records = [solved(r, 1 if r["sequence_len"] == 30 else None) if r["init"] == "ortho" else solved(r, None)
               for r in quick_records(quick_dir, "solve_vs_T")]
    text = baseline.answer_solve_vs_T(records)
    assert "on addition, ortho T = 30, random no T" in text
    assert "ortho 4/8" in text and "ortho 4/8 [" not in text  # pooled over tasks and T: the count, no interval
    # pooled over both tasks, with Fisher's p on those counts, told apart (p < 0.05)
    assert stats.fisher_exact(4, 4, 0, 4) < 0.05
    assert f"ortho (4/4 at T = 30 to 0/4 at T = 60, {stats.fisher_text(4, 4, 0, 4)})" in text
    baseline.figure_solve_vs_T(records).savefig(tmp_path / "t.png", dpi=60)

    latching = [solved(r, 1 if r["init"] == "ortho" and r["sequence_len"] <= 5 else None)
                for r in quick_records(quick_dir, "latching")]
    text = baseline.answer_latching(latching)
    assert "ortho ends solved in every run up to T = 5, and in 0/2 [0.00, 0.66] at the longest, T = 10" in text
    assert "random ends solved in only 0/2 runs already at the shortest T = 2" in text
    assert "seed 003" in text and "fresh" in text
    baseline.figure_latching(latching).savefig(tmp_path / "l.png", dpi=60)


def test_convergence_answer_and_figure_from_a_results_file(quick_dir, tmp_path):
    doc = json.loads(Path(ex.seeds_results_path(True, str(quick_dir))).read_text())
    doc["runs"] = [solved(r, 1 + r["seed"] if r["init"] == "ortho" else None) for r in doc["runs"]]
    path = Path(ex.seeds_results_path(True, str(tmp_path)))
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(doc))
    code, out, err = run_main(ex.main, ["answer", "convergence", "--quick", "--outdir", tmp_path])
    assert code == 0, err
    assert "ortho in 2/2 runs at median epoch 1.5 (range 1-2) and random in 0/2" in out
    assert "| addition | 30 | ortho | 2/2 | [0.34, 1.00] | 1.5 [1, 2] | 0 | 2/2 |" in out
    code, out, err = run_main(ex.main, ["plot", "convergence", "--quick", "--outdir", tmp_path])
    assert code == 0, err


# ----------------------------------------------------------------------------------------------------------------
# partial progress beside the per-case tasks' solved counts


def part_way(record: dict) -> dict:
    """A copy of a per-case `record` past the metric's line at the end but far from the per-case rule: the run a
    network holding one bit of the first marker could give."""
    r = solved(record, None)
    r["final_metric"] = r["progress_threshold"] / 2
    r["history"][-1]["metric"] = r["final_metric"]
    return rp.judge(r)


def committed(name: str) -> list[dict]:
    records, n_runs = ex.load_records(ex.EXPERIMENTS[name], outdir=str(ROOT))
    assert len(records) == n_runs, name  # the committed sweep is complete
    return records


def test_rate_text_adds_partial_progress_on_the_per_case_tasks_and_leaves_the_others_alone(quick_dir):
    records = quick_records(quick_dir, "solve_vs_T")  # addition (per case) and 3bit_memorization
    add = [r for r in records if r["task"] == "addition"][:2]
    bits = [r for r in records if r["task"] == "3bit_memorization"][:3]
    half_way, failed = part_way(add[0]), solved(add[1], None)
    assert rp.is_progress(half_way) and not rp.is_success(half_way) and not rp.is_progress(failed)
    assert ex.progresses([half_way, failed]) == (1, 2)
    assert ex.rate_text([half_way, failed]) == "0/2 [0.00, 0.66]; partial progress 1/2"
    assert ex.rate_text([solved(add[0], 1), half_way]) == "1/2 [0.09, 0.91]; partial progress 1/2"
    # the other tasks read as before: the count and its interval, nothing else
    two_of_three = [solved(bits[0], 1), solved(bits[1], 2), solved(bits[2], None)]
    assert ex.rate_text(two_of_three) == "2/3 [0.21, 0.94]" and ex.progress_text(two_of_three) == ""
    assert ex.progress_text([half_way, two_of_three[0]]) == ""  # a mixed group has no one meaning of progress
    assert ex.progress_note(two_of_three) == ""


def test_the_progress_note_states_each_rule_and_its_claim_holds(quick_dir):
    records = [solved(r, None) for r in quick_records(quick_dir, "family") if rp.is_per_case(r)]
    note = ex.progress_note(records)
    for task in ("addition", "multiplication"):
        run = next(r for r in records if r["task"] == task)
        assert f"on {task} solved means under {rp.TASKS[task].per_case:.3g} of cases off by more than 0.04" in note
        assert f"0.5*MSE < {rp.format_metric(run['progress_threshold'], 'half_mse')}" in note
    # "one bit of the earlier one is enough to cross it": knowing X2 and which half of [0, 1) holds X1 leaves X1
    # uniform on a width of 1/2 (variance 1/48), times E[X2^2] = 1/3 for multiplication; 0.5 * MSE of each is below
    # the line, which is itself half the loss of knowing X2 alone
    add, mul = rp.TASKS["addition"], rp.TASKS["multiplication"]
    assert 0.5 * (1 / 48) < add.threshold(30) == add.partial(30) / 2
    assert 0.5 * (1 / 3) * (1 / 48) < mul.threshold(30) == mul.partial(30) / 2
    assert "one bit of the earlier one is enough to cross it" in note


def test_the_family_table_gives_partial_progress_on_the_per_case_tasks():
    records = committed("family")
    text = family.answer_family(records)
    cells = family._cells(records)
    sentence = next(line for line in text.splitlines() if line.startswith("Runs that end with partial progress"))
    for (task, arm), runs in cells.items():
        start = f"{arm} (critical scale{family.CRITICAL_MARK})" if family.at_critical_scale(runs) and arm == "random" \
            else arm
        assert f"| {task} | {runs[0]['sequence_len']} | {start} | {ex.rate_text(runs)} |" in text
        per_case = rp.TASKS[task].per_case is not None
        assert ("partial progress" in ex.rate_text(runs)) == per_case
        if per_case:
            assert f"{arm} {'{}/{}'.format(*ex.progresses(runs))}" in sentence.split(f"on {task} ")[1]
    assert "Beside the solved counts of the per-case tasks stands partial progress" in text
    # without a per-case task the answer says nothing of partial progress
    others = [r for r in records if not rp.is_per_case(r)]
    assert "partial progress" not in family.answer_family(others).lower()


def test_the_family_table_marks_the_random_start_where_it_sits_at_the_critical_scale():
    """random_permutation runs at H = 100, where std 0.1 x sqrt(100) = 1: its random cell says, in the table, that it
    is not a small start; the other tasks' (0.1 x sqrt(64) = 0.8) do not."""
    records = committed("family")
    text = family.answer_family(records)
    for task in {r["task"] for r in records}:
        runs = [r for r in records if r["task"] == task and family.arm_of(r) == "random"]
        c = rp.full_config(runs[0]["config"])
        critical = c["random_scale"] * np.sqrt(c["n_hidden"]) >= 1 - family.CRITICAL_TOLERANCE
        start = next(cols[3] for line in text.splitlines() if line.startswith(f"| {task} | ")
                     for cols in [[c.strip() for c in line.split("|")]] if cols[3].startswith("random"))
        assert start == (f"random (critical scale{family.CRITICAL_MARK})" if critical else "random"), task
        assert critical == (task == "random_permutation")


def test_the_random_scale_answer_names_the_tasks_the_critical_start_learns():
    """The pooled count at the critical scale can hide a task that no scale solves (addition under the per-case
    rule): the conclusion names the tasks it learns, and each per-case task gets its own counts."""
    records = committed("random_scale")
    text = family.answer_random_scale(records)
    randoms = [r for r in records if r["init"] == "random"]
    above = [r for r in randoms if r["config"]["random_scale"] >= 0.125 - 1e-12]
    below = [r for r in randoms if r["config"]["random_scale"] < 0.125 - 1e-12]
    tasks = [t for t, _ in rp.HEADLINE]
    learnt = [t for t in tasks if ex.successes([r for r in above if r["task"] == t])[0]]
    if learnt == tasks:
        assert "it learns the headline tasks" in text
    else:
        assert "it learns the headline tasks" not in text and f"it learns {join_words(learnt)}." in text
    for task in tasks:
        a = [r for r in above if r["task"] == task]
        b = [r for r in below if r["task"] == task]
        if rp.TASKS[task].per_case is not None:
            assert (f"On {task} the random start ends solved in {'{}/{}'.format(*ex.successes(a))} runs at or above "
                    f"the critical scale and {'{}/{}'.format(*ex.successes(b))} below it; with partial progress in "
                    f"{ex.progresses(a)[0]}/{len(a)} against {ex.progresses(b)[0]}/{len(b)}") in text
    # where every task is learnt at the critical scale, the answer says so
    fixed = [solved(r, 1) if r in above else r for r in records]
    assert "it learns the headline tasks" in family.answer_random_scale(fixed)
    # one run below the critical scale solves too: the scale still tells them apart, and the answer says how many
    # below it do; where nothing is told apart, no conclusion is drawn
    target = next(r for r in below if not rp.is_per_case(r))  # a classification run, solved by its metric alone
    one_below = [solved(r, 1) if r in above or r is target else solved(r, None) for r in records]
    assert f"mostly a matter of its scale (below it 1 of {len(below)} runs do end solved)" in (
        family.answer_random_scale(one_below))
    alike = [solved(r, 1) for r in records]
    assert "matter of its scale" not in family.answer_random_scale(alike)


def test_the_hidden_size_answer_counts_partial_progress_per_size():
    records = committed("hidden_size")
    text = family.answer_hidden_size(records)
    for init in rp.HEADLINE_INITS:
        runs = [r for r in records if r["task"] == "addition" and r["init"] == init]
        by_H = ex.group_by(runs, lambda r: (r["config"]["n_hidden"],))
        counts = ", ".join("H = {} {}/{}".format(H, *ex.progresses(g)) for (H,), g in by_H.items())
        assert f"{init}: {counts}" in text.split("On addition, runs that end with partial progress per hidden size:")[1]


def test_the_hand_written_prose_of_the_experiments_page_holds():
    """docs/experiments.md outside its generated blocks: what it says of the per-case rule, addition_budget and the
    tuned arms, against the results files and the code."""
    from rnnpath.experiments import gated, tuning

    page = " ".join((ROOT / "docs" / "experiments.md").read_text().split())
    # addition_budget: "the headline's addition runs end their 80 epochs with most cases wrong, even those of the
    # orthogonal start that get past the 0.5 * MSE line of partial progress"; "the same runs carried on ... above
    # Sutskever et al.'s 50,000 updates"
    seeds = json.loads((ROOT / "results" / "results_seeds.json").read_text())["runs"]
    addition = [r for r in seeds if r["task"] == "addition"]
    assert rp.DEFAULTS["n_epochs"] == 80 and all(rp.final_wrong(r) > 0.5 for r in addition)
    assert any(rp.is_progress(r) for r in addition if r["init"] == "ortho")
    assert "with most cases wrong, even those of the orthogonal start that get past" in page
    grid = baseline.BUDGET_GRID
    assert grid.options == {"n_epochs": grid.options["n_epochs"]} and grid.seeds == baseline.CONVERGENCE_RESULTS.seeds
    assert grid.config()["n_epochs"] * grid.config()["batches_per_epoch"] > 50_000
    assert "to a budget above Sutskever et al.'s 50,000 updates" in page
    # the tuned arms: two optimisers at three learning rates each, and the seeds of the compared experiments
    lrs = tuning.LEARNING_RATES
    assert set(lrs) == {"momentum", "adam"} and {len(v) for v in lrs.values()} == {3}
    assert "heavy-ball momentum and Adam at three learning rates each" in page
    lo, hi = gated.LATCHING_SEEDS.split("-")
    assert f"on twenty fresh seeds ({gated.LATCHING_SEEDS})" in page and int(hi) - int(lo) + 1 == 20
    # the frontier: each arm's tuned setting per task, on the grids' fresh seeds
    assert all("optimizer" in g.options and "lr" in g.options for g in gated.FRONTIER_GRIDS)
    assert (f"own setting per task from `frontier_tuning` (its answer names them), on fresh seeds "
            f"{gated.FRONTIER_SEEDS}, at the headline's budget") in page
    assert "until those runs are in" not in page


# ----------------------------------------------------------------------------------------------------------------
# the command line and its errors


def test_list_gives_names_questions_commands_and_run_counts():
    code, out, err = run_main(ex.main, ["list"])
    assert code == 0 and not err
    for name, exp in ex.EXPERIMENTS.items():
        assert f"{name}: {exp.n_runs()} runs" in out and exp.question in out
        assert f"python -m rnnpath experiment run {name}" in out
    assert "python rnn_pathological.py --all --seeds 0-9 --drop-weights --out results/results_seeds.json" in out
    assert "python -m rnnpath sweep run --tasks latching" in out


@pytest.mark.parametrize("verb", ["run", "plot", "answer"])
def test_an_unknown_experiment_is_one_line_listing_the_choices(verb, tmp_path):
    code, _, err = run_main(ex.main, [verb, "nope", "--outdir", tmp_path])
    assert code == 2
    assert_one_line_error(err, "'nope'", *NAMES, "all")
    assert not any(tmp_path.iterdir())


def test_bad_arguments_are_one_line_errors():
    for argv in (["run", "latching", "--jobs", "0"], ["run"], ["frobnicate"], [], ["plot", "latching", "--bogus"]):
        code, _, err = run_main(ex.main, argv)
        assert code == 2, argv
        assert_one_line_error(err)


def test_plot_of_a_missing_sweep_file_gives_the_command_that_creates_it(tmp_path):
    proc = subprocess.run([*command_line("rnnpath experiment"), "plot", "solve_vs_T",
                           "--quick", "--outdir", str(tmp_path)], capture_output=True, text=True, timeout=60,
                          cwd=ROOT, check=False)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert_one_line_error(proc.stderr, "not found",
                          f"python -m rnnpath experiment run solve_vs_T --quick --outdir {tmp_path}")


def test_plot_of_a_missing_results_file_names_the_run_command(tmp_path):
    code, _, err = run_main(ex.main, ["plot", "convergence", "--outdir", tmp_path])
    assert code == 2
    assert_one_line_error(err, "results_seeds.json not found",
                          f"python -m rnnpath experiment run convergence --outdir {tmp_path}")


def test_a_sweep_file_of_other_runs_only_is_refused(quick_dir, tmp_path):
    other = Path(ex.sweep_path("latching", False, str(tmp_path)))
    other.parent.mkdir(parents=True)
    other.write_text(Path(ex.sweep_path("latching", True, str(quick_dir))).read_text())  # quick runs, full name
    code, _, err = run_main(ex.main, ["answer", "latching", "--outdir", tmp_path])
    assert code == 2
    assert_one_line_error(err, "holds no run of experiment latching")


# ----------------------------------------------------------------------------------------------------------------
# family_float32: the family table rerun in float32, compared cell by cell with the float64 records


def test_family_float32_runs_the_family_grids_in_float32_and_reads_the_float64_ones():
    exp = ex.EXPERIMENTS["family_float32"]
    assert exp.reads == (ex.EXPERIMENTS["family"],)  # the float64 side comes from the family table's own file
    for grids, reference in ((exp.grids, family.FAMILY_GRIDS), (exp.quick_grids, family.FAMILY_QUICK_GRIDS)):
        assert len(grids) == len(reference)
        for g32, g64 in zip(grids, reference, strict=True):
            assert (g32.tasks, g32.inits, g32.sequence_lens, g32.seeds) == (g64.tasks, g64.inits, g64.sequence_lens,
                                                                            g64.seeds)
            assert g64.config()["dtype"] == "float64" and g32.config() == {**g64.config(), "dtype": "float32"}
    keys64 = set().union(*(g.keys() for g in family.FAMILY_GRIDS))
    keys32 = ex.own_keys(exp)
    assert len(keys64) == len(keys32) == 385 and not keys64 & keys32 and exp.n_runs() == 385
    for grid in exp.grids:  # the float32 runs pass the engine's checks, so `run` trains them
        for spec in grid.specs():
            rp.check_config(**spec, **grid.config())


def test_an_experiment_gets_the_records_of_the_experiments_it_reads_and_counts_its_own(tmp_path, capsys):
    # quick runs of the family table (float64) and of family_float32: the answer sees both, the partial note and
    # the cost count family_float32's own runs alone
    out = str(tmp_path)
    assert ex.main(["run", "family_float32", "--quick", "--jobs", "1", "--quiet", "--outdir", out]) == 0
    exp = ex.EXPERIMENTS["family_float32"]
    records, n_want = ex.load_records(exp, quick=True, outdir=out)
    assert {family.dtype_of(r) for r in records} == {"float32"}  # no family file yet: nothing read, no error
    assert ex.main(["run", "family", "--quick", "--jobs", "1", "--quiet", "--outdir", out]) == 0
    records, n_want = ex.load_records(exp, quick=True, outdir=out)
    own = ex.own_records(exp, records, quick=True)
    assert len(own) == n_want == exp.n_runs(quick=True) and len(records) == 2 * n_want
    assert {family.dtype_of(r) for r in own} == {"float32"}
    capsys.readouterr()
    assert ex.main(["answer", "family_float32", "--quick", "--outdir", out]) == 0
    assert not capsys.readouterr().out.startswith("_Partial")


def _in_float32(record: dict) -> dict:
    """The record as if trained with --dtype float32, the same outcome, recording half its wall time as CPU time."""
    r = copy.deepcopy(record)
    r["config"]["dtype"] = "float32"
    r["cpu_s"] = round(r["wallclock_s"] / 2, 3)
    return r


def _unsolved(record: dict) -> dict:
    """The record ending at chance, not solved (a task judged by its final metric)."""
    return {**copy.deepcopy(record), "final_metric": record["chance"]}


def _row(answer: str, task: str, T: int, arm: str) -> list[str]:
    line = next(line for line in answer.splitlines() if line.startswith(f"| {task} | {T} | {arm} |"))
    return [c.strip() for c in line.strip("|").split("|")][3:]


def test_family_float32_flags_a_cell_that_disagrees_and_not_one_that_agrees():
    f64 = committed("family")
    f32 = [_in_float32(r) for r in f64]
    agree = family.answer_family_float32(f64 + f32)
    assert f"**{family.FLOAT32_VERDICT}.** {family.float32_scope()}." in agree
    scope = family.float32_scope()
    for name in ("sutskever_lr", "sutskever_table5", "copy_orhan", "order_lstm200"):  # every float32 grid beyond
        assert f"{name} (" in scope and family.training_phrase(ex.EXPERIMENTS[name].grids[0]) in scope
    assert "No cell disagrees. In every cell both dtypes end with the same counts." in agree
    assert "Seed by seed, 0 of the 385 runs run in both dtypes end with the other verdict" in agree
    # the costs, recomputed from the records: float64's from wall time (no cpu_s in them), float32's CPU time
    assert not any("cpu_s" in r for r in f64)
    h64, h32 = sum(r["wallclock_s"] for r in f64) / 3600, sum(r["cpu_s"] for r in f32) / 3600
    assert (f"Cost: float64 {h64:.2f} core-hours (wall time summed over its 385 runs); float32 {h32:.2f} core-hours "
            f"(CPU time summed over its 385 runs); float32 costs {h32 / h64:.2f} times float64 (a lower bound") in agree
    assert f"{h64:.2f}" == "1.22"  # the family table's cost as issue 23 quotes it

    # a cell solved in every float64 run and in none in float32: 5/5 against 0/5, Fisher p = 0.0079 < 0.05
    cells = family._cells([r for r in f64 if not rp.is_per_case(r)])
    (task, arm), runs = next((key, runs) for key, runs in cells.items() if ex.successes(runs) == (5, 5))
    T = runs[0]["sequence_len"]

    def staged(seeds) -> list[dict]:
        return f64 + [_unsolved(r) if (r["task"], family.arm_of(r)) == (task, arm) and r["seed"] in seeds else r
                      for r in f32]

    answer = family.answer_family_float32(staged({r["seed"] for r in runs}))
    assert stats.fisher_text(5, 5, 0, 5) == "Fisher p = 0.0079"
    assert (f"Cells where the two disagree: {task} T = {T} {arm} (float64 5/5, float32 0/5, Fisher p = 0.0079)."
            in answer)
    assert family.FLOAT32_VERDICT not in answer
    assert "**float32 changes 1 cell of the family table by more than Fisher's test puts down to chance.**" in answer
    assert "Seed by seed, 5 of the 385 runs" in answer and "5 solved in float64 alone and 0 in float32 alone" in answer
    assert stats.mcnemar_exact(5, 0) == pytest.approx(2 / 32)  # paired, 5 flips one way: still not below 0.05
    assert ("McNemar's exact test on those flips gives p = 0.062: with 5 flips even all of them one way could not "
            "reach p < 0.05, so the test cannot decide.") in answer
    assert "That is 1.3% of the paired runs." in answer
    assert "the rule flags a cell only when its counts differ by 4 or more (4/5 against 0/5)" in answer
    assert family.smallest_flagged(5) == 4 and family.smallest_flagged(10) == 5 and family.smallest_flagged(3) is None
    seeds = ", ".join(str(r["seed"]) for r in runs)
    assert _row(answer, task, T, arm) == ["5/5", "0/5", "0.0079", "-", "-", seeds, "yes"]
    # one run of that cell fails instead: 5/5 against 4/5, Fisher p = 1: listed as differing, the verdict stands
    answer = family.answer_family_float32(staged({runs[0]["seed"]}))
    assert (f"Cells whose counts differ by a difference this test cannot tell from chance at these counts: {task} "
            f"T = {T} {arm} (float64 5/5, float32 4/5, Fisher p = 1)." in answer)
    assert "No cell disagrees." in answer and f"**{family.FLOAT32_VERDICT}.**" in answer
    assert _row(answer, task, T, arm) == ["5/5", "4/5", "1", "-", "-", str(runs[0]["seed"]), "-"]
    # a float32 run missing: no verdict until the grids are complete
    short = [r for r in f32 if not ((r["task"], family.arm_of(r)) == (task, arm) and r["seed"] == runs[0]["seed"])]
    answer = family.answer_family_float32(f64 + short)
    assert "**No verdict yet: the grids of one dtype are not complete.**" in answer
    assert family.FLOAT32_VERDICT not in answer


def test_family_float32_judges_both_dtypes_by_one_measurement_on_the_per_case_tasks():
    """The family table's float64 records predate the held-out count of wrong cases: a float32 record's held-out
    count must not judge it by another measurement than its float64 twin's (the last epoch's fresh batches)."""
    f64 = [r for r in committed("family") if r["task"] == "addition" and family.arm_of(r) == "ortho"]
    assert len(f64) == 5 and not any("heldout" in r for r in f64)
    assert all(r["history"][-1]["frac_wrong"] > rp.TASKS["addition"].per_case for r in f64)  # not solved

    def with_heldout(r: dict, wrong: float) -> dict:
        return {**r, "heldout": {"cases": rp.HELDOUT_CASES, "metric": r["final_metric"], "frac_wrong": wrong}}

    f32 = [with_heldout(_in_float32(r), 0.0) for r in f64]  # held out: every case right
    assert all(rp.is_success(r) for r in f32)
    answer = family.answer_family_float32(f64 + f32)
    assert _row(answer, "addition", 30, "ortho")[:3] == ["0/5", "0/5", "1"]
    assert ("On addition some records predate the held-out count of wrong cases, so both dtypes are judged there by "
            "the last epoch's fraction of wrong cases over its fresh batches.") in answer
    # both measured on held-out cases: the held-out counts decide, and the cell disagrees
    answer = family.answer_family_float32([with_heldout(r, 0.9) for r in f64] + f32)
    assert _row(answer, "addition", 30, "ortho")[:3] == ["0/5", "5/5", "0.0079"] and "predate" not in answer
    assert "Cells where the two disagree: addition T = 30 ortho (float64 0/5, float32 5/5, Fisher p = 0.0079" in answer


def test_the_planned_cost_is_updates_times_length_times_the_benchmarks_step():
    """planned_core_hours: each run's updates x its length x its cell's step per time step in the benchmark file of
    its dtype x batch H^2 against the benchmark's shape; runs already done count nothing; a missing benchmark file
    gives no plan. The docs give it for a grid not run yet and for the runs a partial grid has left."""
    from rnnpath import report
    from rnnpath.experiments import base

    ROOT = Path(__file__).resolve().parents[1]
    bench64 = json.loads((ROOT / "results" / "bench.json").read_text())["cell_step"]
    bench32 = json.loads((ROOT / "results" / "bench_float32.json").read_text())["cell_step"]
    grids = (ex.Grid(("addition",), ("ortho",), (30, 90), "0-1", {"n_epochs": 4, "batches_per_epoch": 5}),
             ex.Grid(("temporal_order",), ("ortho",), (60,), "0", {"cell": "lstm", "batch_size": 100, "n_hidden": 32,
                                                                   "train_size": 1000, "n_epochs": 2,
                                                                   "dtype": "float32"}))
    exp = ex.Experiment("tiny", "?", grids, grids, None, None)
    vanilla = 4 * 5 * (30 + 90) * 2 * bench64["step_ms"]["rnn"] / 1e3 / bench64["sequence_len"]
    lstm = 2 * 10 * 60 * bench32["step_ms"]["lstm"] / 1e3 / bench32["sequence_len"] * (100 / 50) * (32 / 64) ** 2
    assert base.planned_core_hours(exp, root=str(ROOT)) == pytest.approx((vanilla + lstm) / 3600, rel=1e-12)
    assert base.planned_core_hours(exp, grids[1].keys(), root=str(ROOT)) == pytest.approx(vanilla / 3600, rel=1e-12)
    assert base.planned_core_hours(exp, root="/nonexistent") is None
    assert base.updates_of({**rp.DEFAULTS, "train_size": 1001, "batch_size": 100, "n_epochs": 3}) == 33
    # the docs: a grid not run yet states its plan beside its runs
    not_run = [name for name, e in ex.EXPERIMENTS.items()
               if e.results is None and not (ROOT / e.data_path(False)).exists()]
    for name in not_run:
        plan = base.planned_core_hours(ex.EXPERIMENTS[name], root=str(ROOT))
        assert f"about {plan:.2f} core-hours of training by the benchmark's step costs" in report.experiment_section(
            name, str(ROOT))
    # how plans have fared: measured over planned core-hours of each complete experiment timed in CPU time
    short = ex.EXPERIMENTS["short_tuning"]
    records, n_runs = ex.load_records(short, outdir=str(ROOT))
    assert len(records) == n_runs and all(r.get("cpu_s") is not None for r in records)
    ratio = sum(r["cpu_s"] for r in records) / 3600 / base.planned_core_hours(short, root=str(ROOT))
    assert any(r == pytest.approx(ratio, rel=1e-12) for r in report.plan_ratios(str(ROOT)))


def test_the_plan_of_the_runs_left_is_scaled_by_what_their_pairs_finished_runs_took():
    """calibrated_core_hours: each run left is planned at the benchmark's step (the plain plan beside it) times what
    the finished runs of its pair (task, init, configuration) took in CPU time against their own plan, at the
    longest length the pair has finished; a pair with none, or whose runs recorded no CPU time, keeps the plain plan.
    The partial-grid note of the docs gives both."""
    from rnnpath import report
    from rnnpath.experiments import base

    ROOT = Path(__file__).resolve().parents[1]
    grids = (ex.Grid(("addition",), ("ortho",), (30, 60, 90), "0-1", {"n_epochs": 400, "batches_per_epoch": 500}),
             ex.Grid(("temporal_order",), ("ortho",), (30, 60), "0", {"n_epochs": 400, "batches_per_epoch": 500}))
    exp = ex.Experiment("tiny", "?", grids, grids, None, None)
    plan = {key: seconds for key, _, _, seconds in base._run_plans(exp, str(ROOT))}
    config = grids[0].config()

    def record(T: int, seed: int, factor: float | None, task: str = "addition") -> dict:
        key = sweep.run_key(task, "ortho", T, seed, config)
        return {"task": task, "init": "ortho", "sequence_len": T, "seed": seed, "config": config,
                "cpu_s": None if factor is None else factor * plan[key]}

    def left(*keys) -> float:
        return sum(plan[sweep.run_key(task, "ortho", T, seed, config)] for task, T, seed in keys) / 3600

    # addition: T = 30 took 3x, T = 60 (the longest finished) 2x and 1.5x: the runs left at 90 are planned at 1.75x
    # the mean of the longest length's runs, weighted by their plans; temporal_order has none finished: plain
    records = [record(30, 0, 3.0), record(30, 1, 3.0), record(60, 0, 2.0), record(60, 1, 1.5)]
    plain = left(("addition", 90, 0), ("addition", 90, 1), ("temporal_order", 30, 0), ("temporal_order", 60, 0))
    at60 = plan[sweep.run_key("addition", "ortho", 60, 0, config)]  # both seeds plan the same
    scaled = left(("addition", 90, 0), ("addition", 90, 1)) * (2.0 + 1.5) * at60 / (2 * at60) + left(
        ("temporal_order", 30, 0), ("temporal_order", 60, 0))
    assert base.calibrated_core_hours(exp, records, str(ROOT)) == (pytest.approx(scaled, rel=1e-12),
                                                                     pytest.approx(plain, rel=1e-12))
    assert base.calibrated_core_hours(exp, records, str(ROOT))[1] == pytest.approx(
        base.planned_core_hours(exp, {sweep.record_key(r) for r in records}, str(ROOT)), rel=1e-12)
    # runs without CPU time do not scale the plan (but count as done)
    untimed = [record(30, 0, None), record(30, 1, None)]
    calibrated, unscaled = base.calibrated_core_hours(exp, untimed, str(ROOT))
    assert calibrated == pytest.approx(unscaled, rel=1e-12)
    assert base.calibrated_core_hours(exp, records, "/nonexistent") is None
    # the docs: the partial note gives the scaled plan and the benchmark's beside it
    text = report.plan_text(exp, records, str(ROOT))
    assert text.startswith(f"about {scaled:.2f} core-hours of training, the benchmark's step costs ({plain:.2f})")
    assert report.plan_text(exp, untimed, str(ROOT)).startswith(
        f"about {base.planned_core_hours(exp, {sweep.record_key(r) for r in untimed}, str(ROOT)):.2f} core-hours "
        "of training by the benchmark's step costs")


def test_the_lrus_planned_step_follows_its_length_and_width():
    """The LRU's step against a vanilla one falls with T under its convolution form: the plan takes the ratio at each
    run's length from the benchmark's rows (cell_step at T = 60, lru_step at 100-10,000), interpolated in log T and
    flat past the ends, and a per-step target takes the scan's rows; a plan at T = 60's ratio would be about twice
    this one at T = 1000. A width the benchmark timed (LRU_STEP_WIDTHS) takes its own rows, not a linear scaling."""
    from rnnpath import bench as bench_module
    from rnnpath.experiments import base

    ROOT = Path(__file__).resolve().parents[1]
    bench = json.loads((ROOT / "results" / "bench.json").read_text())
    cells, rows = bench["cell_step"], bench["lru_step"]["by_T"]
    at60 = cells["step_ms"]["lru"] / cells["step_ms"]["rnn"]
    at1000 = rows["1000"]["step_ms"]["lru"] / rows["1000"]["step_ms"]["rnn"]
    assert base.lru_ratio(bench, 60, False) == (pytest.approx(at60, rel=1e-12), rp.LRU_WIDTH)
    assert base.lru_ratio(bench, 30, False)[0] == pytest.approx(at60, rel=1e-12)  # flat below the first row
    assert base.lru_ratio(bench, 1000, False)[0] == pytest.approx(at1000, rel=1e-12)
    assert at1000 < base.lru_ratio(bench, 500, False)[0] < rows["100"]["step_ms"]["lru"] / rows["100"]["step_ms"]["rnn"]
    assert base.lru_ratio(bench, 50_000, False)[0] == pytest.approx(
        rows["10000"]["step_ms"]["lru"] / rows["10000"]["step_ms"]["rnn"], rel=1e-12)
    scan = f"lru_scan_{rp.LRU_SCAN}"
    assert base.lru_ratio(bench, 30, True)[0] == pytest.approx(
        rows["100"]["step_ms"][scan] / rows["100"]["step_ms"]["rnn"], rel=1e-12)
    assert base.lru_ratio({"cell_step": cells}, 1000, False)[0] == pytest.approx(at60, rel=1e-12)
    assert base.lru_ratio({"cell_step": cells}, 1000, True) is None  # a scan never timed: no plan
    # and the plan of an LRU grid uses it, length by length
    grid = ex.Grid(("addition",), ("ortho",), (60, 1000), "0", {"cell": "lru", "n_epochs": 2, "batches_per_epoch": 3})
    exp = ex.Experiment("tiny", "?", (grid,), (grid,), None, None)
    per_T = cells["step_ms"]["rnn"] / 1e3 / cells["sequence_len"]
    plan = 2 * 3 * per_T * (60 * at60 + 1000 * at1000) * base.step_scale(grid.config())
    assert base.planned_core_hours(exp, root=str(ROOT)) == pytest.approx(plan / 3600, rel=1e-12)
    assert plan < 2 * 3 * per_T * 1060 * at60 * base.step_scale(grid.config()) / 1.7
    # a timed width: its own rows, unscaled; an untimed one: the default's rows, scaled in proportion
    for m in bench_module.LRU_STEP_WIDTHS:
        key = bench_module.width_key(m)
        if all(key in row["step_ms"] for row in rows.values()):
            own = rows["1000"]["step_ms"][key] / rows["1000"]["step_ms"]["rnn"]
            assert base.lru_ratio(bench, 1000, False, m) == (pytest.approx(own, rel=1e-12), m)
            assert base.step_scale({**grid.config(), "lru_width": m}, m) == pytest.approx(1.0)
    assert base.lru_ratio(bench, 1000, False, 5)[1] == rp.LRU_WIDTH
    assert base.step_scale({**grid.config(), "lru_width": 4}) == pytest.approx(4 / rp.LRU_WIDTH)


def test_records_a_grid_no_longer_holds_are_counted_and_left_out():
    """The sweep runner keeps every record; when a grid changes (a tuning pick revised), the earlier runs stay in
    the file. The answer and the docs say how many there are and leave them out of every count."""
    from rnnpath import sweep

    ROOT = Path(__file__).resolve().parents[1]
    for name, exp in ex.EXPERIMENTS.items():
        path = ROOT / exp.data_path(False)
        if exp.results is not None or not ex.started(exp, outdir=str(ROOT)):  # a file of replaced grids alone too
            continue
        every = sweep.read_sweep_file(str(path)).records
        records, _ = ex.load_records(exp, outdir=str(ROOT))
        own = ex.own_records(exp, records)
        others = len(every) - len({sweep.record_key(r) for r in own})
        note = ex.kept_note(exp, False, str(ROOT), shown=exp.data_path(False))
        assert (note is None) == (others == 0), name
        if note:
            assert f"also keeps {others} record" in note
            keys = ex.own_keys(exp)
            hours = sum(r["cpu_s"] if r.get("cpu_s") is not None else r.get("wallclock_s") or 0.0
                        for _, r in every if sweep.record_key(r) not in keys) / 3600
            assert f"; {hours:.2f} core-hours of training)" in note
            assert note in " ".join((ROOT / "docs" / "experiments.md").read_text().split()), name


def test_earlier_settings_on_the_same_seeds_are_set_beside_the_current_ones():
    """A revised tuning pick leaves the earlier runs in the sweep file: the answer sets each cell's earlier count
    beside the current one on the same seeds and tests the flips pooled (McNemar); the committed frontier's table
    recounts from its file."""
    from rnnpath import sweep
    from rnnpath.experiments import gated, tuning

    ROOT = Path(__file__).resolve().parents[1]
    exp = ex.EXPERIMENTS["frontier"]
    records, _ = ex.load_records(exp, outdir=str(ROOT))
    text = ex.earlier_settings(exp, records, False, str(ROOT), shown=exp.data_path(False))
    keys = ex.own_keys(exp)
    current = {(gated.arm_of(r), r["task"], r["sequence_len"], r["seed"]): r for r in records}
    pairs = [(r, current[c]) for _, r in sweep.read_sweep_file(str(ROOT / exp.data_path(False))).records
             if sweep.record_key(r) not in keys
             and (c := (gated.arm_of(r), r["task"], r["sequence_len"], r["seed"])) in current
             and tuning.setting_of(r) != tuning.setting_of(current[c])]
    if not pairs:
        assert text == ""
        return
    only_new = sum(rp.is_success(n) and not rp.is_success(o) for o, n in pairs)
    only_old = sum(rp.is_success(o) and not rp.is_success(n) for o, n in pairs)
    assert (f"{len(pairs)} runs of the records kept in {exp.data_path(False)} ran a cell this grid still runs under a "
            f"tuning pick since revised. Paired by seed, {only_new} solve under the current setting alone and "
            f"{only_old} under the earlier one alone (McNemar's exact test p = "
            f"{stats.mcnemar_exact(only_old, only_new):.2g}") in text
    assert text.split("\n\n")[0] in (ROOT / "docs" / "experiments.md").read_text()
    # a grid with nothing kept says nothing
    short = ex.EXPERIMENTS["short_tuning"]
    assert ex.earlier_settings(short, ex.load_records(short, outdir=str(ROOT))[0], False, str(ROOT)) == ""


def test_a_note_that_begins_with_a_path_keeps_the_paths_case():
    """A partial note starts a sentence ('Partial: ...'); a kept-records note alone starts with its file's path,
    which is typed as written (the docs had 'Results/sweeps/...' once the frontier completed)."""
    from rnnpath.text import capitalised

    assert capitalised("partial: 3 of 5 runs") == "Partial: 3 of 5 runs"
    assert capitalised("results/sweeps/frontier.jsonl also keeps 2 records") == (
        "results/sweeps/frontier.jsonl also keeps 2 records")
    assert capitalised("") == ""


def test_a_caption_names_the_seeds_run_and_momentum_only_where_an_optimiser_reads_it():
    # a first-last range would claim seeds a grid never ran; Adam never reads the momentum options every record carries
    assert [seed_ranges(s) for s in ([3], range(10), [0, 1, 2, 3, 4, 7, 9], [5, 1, 3, 3])] == [
        "seed 3", "seeds 0-9", "seeds 0-4, 7 and 9", "seeds 1, 3 and 5"]
    base = {"task": "addition", "sequence_len": 30, "init": "ortho"}
    sgd = {**base, "seed": 0, "config": {"optimizer": "momentum", "momentum": 0.9, "clip": 1.0, "lr": 0.01}}
    adam = {**base, "seed": 2, "config": {"optimizer": "adam", "momentum": 0.9, "clip": 1.0, "lr": 0.001}}
    assert ex.caption_text([sgd, adam], ("lr", "momentum", "clip", "optimizer")) == (
        "momentum 0.9 where used, clip 1, seeds 0 and 2")
    assert ex.caption_text([sgd, {**sgd, "seed": 1}], ("lr", "momentum", "optimizer")) == (
        "lr 0.01, momentum 0.9, optimizer momentum, seeds 0-1")
    assert ex.caption_text([adam], ("momentum",), seeds="seeds 7-8") == "seeds 7-8"
    assert gated.seeds_by_arm([sgd, {**adam, "config": {**adam["config"], "cell": "gru"}}], ["rnn+ortho", "gru+ortho"]) \
        == "rnn+ortho seed 0; gru+ortho seed 2"
