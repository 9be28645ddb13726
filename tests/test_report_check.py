"""`report --check` on any CPU (issue 20): the README's numbers disagreeing with the committed files is an error
that names the block and the first differing line; a user's own results.json from another BLAS kernel is a note
that names both kernels and says whether every outcome agrees. And `report` says which blocks it changed, and
refuses to turn a complete experiment section into a partial one from a damaged sweep file."""

import json
import shutil

import pytest
from cli_helpers import assert_one_line_error, run_main, run_script

import rnn_pathological as rp
from rnnpath import files, report

HEADLINE = ("headline-kernel", "headline-table")


@pytest.fixture
def folder(report_folder, tmp_path, monkeypatch):
    """A copy of the report folder whose README holds the headline's kernel and table blocks and one experiment's,
    written by report itself, and a blocks() that computes just those (the whole README takes seconds)."""
    folder = tmp_path / "repo"
    shutil.copytree(report_folder, folder)
    shutil.rmtree(folder / "docs")  # one page: the README with the blocks below
    monkeypatch.chdir(folder)
    names = (*HEADLINE, "experiment-xor_nesterov")
    (folder / "README.md").write_text("".join(f"<!-- BEGIN {name} -->\n<!-- END {name} -->\n" for name in names))

    def blocks(results="results.json"):
        doc = files.load_results(results)
        out = report.Blocks()
        out.add(results, {"headline-kernel": report.headline_kernel(doc), "headline-table": report.headline_table(doc)})
        out.add("results/sweeps/xor_nesterov.jsonl", {"experiment-xor_nesterov": report.experiment_section("xor_nesterov")})
        return out

    monkeypatch.setattr(report, "blocks", blocks)
    proc = run_main(report.main, [])
    assert proc.returncode == 0, proc.stderr
    assert run_main(report.main, ["--check"]).stdout.strip() == "README.md agrees with the result files"
    return folder


def rewrite(folder, change) -> dict:
    doc = json.loads((folder / "results.json").read_text())
    change(doc)
    (folder / "results.json").write_text(json.dumps(doc))
    return doc


def other_kernel(doc: dict) -> None:
    doc["environment"]["blas"] = [{**lib, "kernel": "Pentium4"} for lib in doc["environment"]["blas"]]


def nudge_a_final_metric(doc: dict) -> None:
    """Other digits, the same outcome: the first run's final metric 1% further from its metric's line (the solved
    threshold, or on a per-case task the partial-progress line), on its side."""
    run = doc["runs"][0]
    line = rp.TASKS[run["task"]].threshold(run["sequence_len"])
    run["final_metric"] = line + 1.01 * (run["final_metric"] - line)


def test_the_kernel_block_names_the_kernel_and_how_to_pin_it(folder):
    text = (folder / "README.md").read_text()
    kernel = rp.blas_kernel(rp.environment())
    assert f"BLAS `{kernel}`" in text and rp.cpu_model() in text
    if [lib["library"] for lib in rp.blas_libraries()] == ["openblas"]:
        assert f"OPENBLAS_CORETYPE={rp.blas_libraries()[0]['kernel']} python rnn_pathological.py" in text


def test_another_kernel_with_the_same_outcomes_is_a_note_not_an_error(folder):
    rewrite(folder, lambda doc: (other_kernel(doc), nudge_a_final_metric(doc)))
    proc = run_main(report.main, ["--check"])
    assert proc.returncode == 0, proc.stderr
    note = proc.stdout.strip()
    assert note.startswith("note: results.json was computed by `") and "Pentium4" in note
    assert f"the numbers in README.md by `{rp.blas_kernel(rp.environment())}`" in note
    assert "only the digits differ" in note and note.endswith("git checkout results.json")


def test_the_same_kernel_on_another_cpu_is_a_note_naming_both_cpus(folder):
    # OpenBLAS's Haswell kernel on an AMD EPYC and on an Intel Xeon round differently (rp.same_kernel), so a user's
    # retrain on another CPU model under the kernel the README names is their own run too, not a mismatch
    rewrite(folder, lambda doc: (doc["environment"].update(cpu="Another CPU 9000"), nudge_a_final_metric(doc)))
    proc = run_main(report.main, ["--check"])
    assert proc.returncode == 0, proc.stderr
    kernel = rp.blas_kernel(rp.environment())
    note = proc.stdout.strip()
    assert note.startswith(f"note: results.json was computed by `{kernel}` on an Another CPU 9000")
    assert f"the numbers in README.md by `{kernel}` on an {rp.cpu_model()} (" in note
    assert "only the digits differ" in note


def test_the_same_kernel_and_cpu_with_other_simd_extensions_is_a_note(folder):
    # two AMD EPYCs of one name, one with AVX-512 and one without, run numpy's tanh and exp through different
    # instructions (rp.same_kernel): the README names the extensions where the file records them, so a user's run on
    # the other one is a note naming both, not an error
    other = ["NOT_" + name for name in rp.simd_extensions()] or ["SOME_EXTENSION"]
    rewrite(folder, lambda doc: (doc["environment"].update(simd=other), nudge_a_final_metric(doc)))
    proc = run_main(report.main, ["--check"])
    assert proc.returncode == 0, proc.stderr
    note = proc.stdout.strip()
    kernel, cpu = rp.blas_kernel(rp.environment()), rp.cpu_model()
    assert note.startswith(f"note: results.json was computed by `{kernel}` on an {cpu} (numpy's SIMD extensions "
                           f"{other[0]}")
    assert "only the digits differ" in note


def flip_outcome(run: dict) -> None:
    """The run's outcome turned, solved at the end if it was not and the other way round, in the number its task's
    rule judges: the held-out fraction of wrong cases on a per-case task (addition), the final metric elsewhere."""
    solved = rp.is_success(run)
    if rp.is_per_case(run):
        run["heldout"]["frac_wrong"] = 1.0 if solved else 0.0
    else:
        run["final_metric"] = run["chance"] if solved else (1.0 if run["higher_is_better"] else 0.0)
    assert rp.is_success(run) != solved


@pytest.mark.parametrize("task", ["addition", "temporal_order"])  # judged per case, and by the metric
def test_another_kernel_with_another_outcome_says_which_run(folder, task):
    def flip(doc):
        other_kernel(doc)
        flip_outcome(next(r for r in doc["runs"] if r["task"] == task))

    run = next(r for r in rewrite(folder, flip)["runs"] if r["task"] == task)
    proc = run_main(report.main, ["--check"])
    assert proc.returncode == 1
    assert f"the outcome differs on {run['task']} {run['init']}" in proc.stderr
    assert proc.stderr.count("the outcome differs on") == 1 and " and " not in proc.stderr.split("differs on")[1]


def test_a_per_case_run_is_judged_by_its_wrong_cases_not_its_metric(folder):
    """On addition the final metric can cross its line (partial progress) without the outcome changing: the note
    says only the digits differ. The headline table's bold wrong fraction is what --check reads back."""
    def progress(doc):
        other_kernel(doc)
        run = next(r for r in doc["runs"] if rp.is_per_case(r))
        run["final_metric"] = 0.0 if not rp.is_progress(run) else run["chance"]

    rewrite(folder, progress)
    proc = run_main(report.main, ["--check"])
    assert proc.returncode == 0, proc.stderr
    assert "only the digits differ" in proc.stdout


def test_the_headline_table_marks_the_number_each_rule_judges():
    """Bold is the final metric of a solved metric-judged run and the wrong fraction of a solved per-case run, and
    table_outcomes reads the outcomes back from it, whichever column it is in."""
    doc = {"runs": []}
    for task, T in rp.HEADLINE:
        for init, solved in (("ortho", True), ("random", False)):
            spec = rp.TASKS[task]
            metric = spec.threshold(T) * (0.5 if solved != spec.higher_is_better else 1.05)  # past its line or not
            run = {"task": task, "sequence_len": T, "init": init, "seed": 0, "diverged": False,
                   "metric_name": spec.metric_name, "higher_is_better": spec.higher_is_better,
                   "final_metric": metric, "best_metric": metric, "best_epoch": 1,
                   "history": [{"epoch": 1, "metric": metric, "frac_wrong": 0.5}],
                   "heldout": {"cases": 1000, "metric": metric, "frac_wrong": 0.01 if solved else 0.9}}
            doc["runs"].append(rp.judge(run))
    table = report.headline_table(doc)
    assert report.table_outcomes(table) == {(task, str(T), init): init == "ortho" for task, T in rp.HEADLINE
                                            for init in ("ortho", "random")}
    addition = next(line for line in table.splitlines() if line.startswith("| addition "))
    assert "**1.0%**" in addition and addition.count("**") == 2  # the wrong fraction, not the metric


def test_the_same_kernel_with_another_number_is_an_error_naming_block_and_line(folder):
    rewrite(folder, nudge_a_final_metric)  # the kernel the README names: the numbers must be the same
    proc = run_main(report.main, ["--check"])
    assert proc.returncode == 1
    (line,) = proc.stderr.strip().splitlines()
    assert "block 'headline-table', computed from results.json" in line
    assert "the page has '| " in line and "where the files give '| " in line


def test_report_says_which_blocks_it_changed(folder):
    rewrite(folder, nudge_a_final_metric)
    proc = run_main(report.main, [])
    assert proc.returncode == 0
    lines = proc.stdout.strip().splitlines()
    assert lines[0] == "updated README.md: 1 block changed"
    assert lines[1].startswith("  headline-table in README.md (from results.json): | ")


def test_a_complete_section_is_not_downgraded_from_a_damaged_sweep_file(folder):
    sweep_file = folder / "results" / "sweeps" / "xor_nesterov.jsonl"
    lines = sweep_file.read_text().splitlines(keepends=True)
    sweep_file.write_text("".join(lines[: len(lines) // 2]))  # half the file lost
    before = (folder / "README.md").read_bytes()
    proc = run_main(report.main, [])
    assert proc.returncode == 2
    (line,) = proc.stderr.strip().splitlines()
    assert line.startswith("rnnpath report: error: README.md's section 'experiment-xor_nesterov' is "
                           "complete") and "git checkout results/sweeps/xor_nesterov.jsonl" in line
    assert (folder / "README.md").read_bytes() == before
    proc = run_main(report.main, ["--allow-downgrade"])
    assert proc.returncode == 0 and "experiment-xor_nesterov in README.md (from results/sweeps/xor_nesterov.jsonl): " in proc.stdout
    assert "_Partial: " in (folder / "README.md").read_text()


def test_empty_markers_placed_for_a_new_experiment_are_filled_not_read_as_a_complete_section(folder):
    # markers placed by hand where a new experiment's section belongs hold nothing yet: filling them with its
    # not-run or partial section is no downgrade
    readme = folder / "README.md"
    text = readme.read_text()
    body = text.split("<!-- BEGIN experiment-xor_nesterov -->\n")[1].split("<!-- END experiment-xor_nesterov -->")[0]
    readme.write_text(text.replace(body, ""))
    sweep_file = folder / "results" / "sweeps" / "xor_nesterov.jsonl"
    lines = sweep_file.read_text().splitlines(keepends=True)
    sweep_file.write_text("".join(lines[: len(lines) // 2]))
    proc = run_main(report.main, [])
    assert proc.returncode == 0, proc.stderr
    assert "_Partial: " in readme.read_text()


def test_a_results_file_of_another_kind_is_named_not_a_shape_error(tmp_path):
    """report --results with the LSTM's snapshot file: one line that says what the file holds."""
    path = tmp_path / "README.md"
    path.write_text("<!-- BEGIN headline-table -->\n<!-- END headline-table -->\n")
    proc = run_script("rnnpath report", "--results", "results/results_snapshots_lstm.json", "--readme", path,
                      "--check")
    assert_one_line_error(proc, "rnnpath report", "results/results_snapshots_lstm.json holds 1 run of the lstm "
                          "cell (temporal_order ortho), not the headline's vanilla runs")


def test_a_new_experiment_gets_its_section_without_hand_made_markers(tmp_path, monkeypatch):
    """A registry entry with a sweep file is all a new experiment needs: the report gives its block a section at
    the end of docs/experiments.md, --check says the section is missing until then, and links are made relative."""
    (tmp_path / "docs").mkdir()
    (tmp_path / "README.md").write_text("<!-- BEGIN one -->\n1\n<!-- END one -->\n")
    (tmp_path / "docs" / "experiments.md").write_text("# Experiments\n\n### old\n\n<!-- BEGIN experiment-old -->\n"
                                                      "old answer\n<!-- END experiment-old -->\n")
    monkeypatch.chdir(tmp_path)

    def blocks(results="results.json"):
        out = report.Blocks()
        out.add("results.json", {"one": "1"})
        out.add("results/sweeps/old.jsonl", {"experiment-old": "old answer"})
        out.add("results/sweeps/new.jsonl", {"experiment-new": "![new](viz/exp_new.png)\n\nnew answer"})
        return out

    monkeypatch.setattr(report, "blocks", blocks)
    proc = run_main(report.main, ["--check"])
    assert proc.returncode == 1 and "block 'experiment-new'" in proc.stderr and "(a new section)" in proc.stderr
    proc = run_main(report.main, [])
    assert proc.returncode == 0 and "experiment-new in docs/experiments.md" in proc.stdout
    page = (tmp_path / "docs" / "experiments.md").read_text()
    assert page.endswith("### new\n\n<!-- BEGIN experiment-new -->\n![new](../viz/exp_new.png)\n\nnew answer\n"
                         "<!-- END experiment-new -->\n")
    assert run_main(report.main, ["--check"]).returncode == 0


def test_the_cost_of_a_grid_is_its_cpu_time_where_the_records_have_it():
    """Wall times overstate a grid's cost when its runs shared the cores with other work: the records' CPU time is
    summed where they carry it, and older records' wall time is named as such."""
    timed = [{"cpu_s": 90.0, "wallclock_s": 300.0}, {"cpu_s": 30.0, "wallclock_s": 100.0}]
    old = [{"wallclock_s": 600.0}]
    assert report.cost_text(timed) == "2 core-minutes of training (CPU time summed over the runs)"
    assert report.cost_text(old) == "10 minutes of training (wall time summed over the runs)"
    assert report.cost_text(timed + old) == ("2 core-minutes of training (CPU time summed over 2 runs) and 10 minutes "
                                             "of training (wall time summed over 1 run)")
