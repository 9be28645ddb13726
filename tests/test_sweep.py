"""The sweep runner: resume after a kill, shards, merge, summary statistics, and every bad input."""

import json
import os
import re
import signal
import subprocess
import time
from pathlib import Path

import pytest
from cli_helpers import assert_one_line_error, command_line, run_main

import rnn_pathological as rp
from rnnpath import stats, sweep, text

ROOT = Path(__file__).resolve().parents[1]
COMMAND = command_line("rnnpath sweep")  # python -m rnnpath sweep
# a grid of 2 inits x 3 seeds of a tiny model: milliseconds per run
TINY = ["--tasks", "addition", "--inits", "ortho", "random", "--sequence-lens", "6", "--seeds", "0-2",
        "--n-hidden", "8", "--n-epochs", "2", "--batch-size", "8", "--batches-per-epoch", "2", "--jobs", "1"]
ERROR = re.compile(r"^rnnpath sweep: error: \S.*$")


def read_records(path):
    return [json.loads(line) for line in Path(path).read_text().splitlines()]


def by_key(records):
    keyed = {}
    for r in records:
        keyed.setdefault(sweep.record_key(r), []).append(sweep.deterministic_view(r))
    return keyed


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The TINY grid swept in one uninterrupted run, unsharded."""
    path = tmp_path_factory.mktemp("ref") / "full.jsonl"
    assert sweep.main([*TINY, "--out", str(path), "--quiet"]) == 0
    return path


# ----------------------------------------------------------------------------------------------------------------
# grid, keys, shards


def test_seed_lists_accept_ranges_lists_and_commas():
    assert sweep.parse_seeds(["0-4", "7", "9"]) == [0, 1, 2, 3, 4, 7, 9]
    assert sweep.parse_seeds(["3,1-2", "2"]) == [1, 2, 3]
    assert sweep.parse_seeds([]) == []
    for bad in (["x"], ["4-2"], ["-1"], ["1.5"]):
        with pytest.raises(sweep.SweepError):
            sweep.parse_seeds(bad)


def test_grid_order_is_canonical_whatever_the_flag_order():
    a = sweep.build_grid(["xor", "addition"], ["random", "ortho"], [12, 6], [2, 0, 1])
    b = sweep.build_grid(["addition", "xor", "xor"], ["ortho", "random"], [6, 12], [0, 1, 2, 2])
    assert a == b and len(a) == 2 * 2 * 2 * 3
    assert a[0] == {"task": "addition", "init": "ortho", "sequence_len": 6, "seed": 0}
    headline = sweep.build_grid(["addition"], ["ortho"], None, [0])
    assert headline[0]["sequence_len"] == rp.TASKS["addition"].headline_len


@pytest.mark.parametrize("n_shards", [1, 2, 3, 4, 5])
def test_shards_partition_the_grid_exactly_once(n_shards):
    grid = sweep.build_grid(["addition", "xor"], ["ortho", "random"], [6, 9], [0, 1, 2])  # 24 points
    owners = [[k for k in range(1, n_shards + 1) if sweep.in_shard(i, (k, n_shards))] for i in range(len(grid))]
    assert all(len(o) == 1 for o in owners)
    sizes = [sum(o == [k] for o in owners) for k in range(1, n_shards + 1)]
    assert max(sizes) - min(sizes) <= 1  # round robin: balanced


def test_run_key_is_canonical_json_of_grid_point_and_config():
    config = dict(rp.DEFAULTS)
    key = sweep.run_key("addition", "ortho", 30, 3, config)
    assert key == sweep.run_key("addition", "ortho", 30, 3, dict(reversed(list(config.items()))))
    assert json.loads(key)["config"] == config
    assert key != sweep.run_key("addition", "ortho", 30, 3, {**config, "lr": 0.02})


def test_every_committed_run_passes_the_engine_checks():
    """The committed sweep files predate the refusal of options the optimiser ignores (issue 20): every run they
    hold must still pass check_config, or resuming a committed grid would be refused."""
    points = {}
    for path in sorted((ROOT / "results" / "sweeps").glob("*.jsonl")):
        for _, record in sweep.read_sweep_file(str(path), missing_ok=False).records:
            spec = {k: record[k] for k in ("task", "init", "sequence_len")}
            points[sweep.run_key(**spec, seed=0, config=record["config"])] = (spec, record["config"])
    assert {config.get("optimizer", "momentum") for _, config in points.values()} == set(rp.OPTIMIZERS)
    for spec, config in points.values():
        rp.check_config(**spec, seed=0, **config)


# ----------------------------------------------------------------------------------------------------------------
# statistics


# ----------------------------------------------------------------------------------------------------------------
# run: the file, progress, resume


def test_sweep_writes_one_record_per_run_without_weights(reference):
    records = read_records(reference)
    assert len(records) == 6 and len(by_key(records)) == 6
    assert all("W_hh_final" not in r and "params_final" not in r and r["config"]["n_hidden"] == 8 for r in records)
    assert all(line.startswith('{"task"') for line in reference.read_text().splitlines())
    assert {(r["init"], r["seed"]) for r in records} == {(i, s) for i in ("ortho", "random") for s in (0, 1, 2)}


def test_every_record_says_which_cpu_and_blas_kernel_computed_it(reference):
    for record in read_records(reference):
        env = record["environment"]
        assert env["cpu"] == rp.cpu_model() and rp.same_kernel(env)
        assert {"library", "version", "kernel", "threading_layer", "num_threads"} <= set(env["blas"][0])
        assert "environment" not in sweep.deterministic_view(record)  # a merge across machines compares numbers


def test_progress_lines_and_keep_weights(tmp_path):
    out = tmp_path / "w.jsonl"
    code, stdout, _ = run_main(sweep.main, [*TINY, "--seeds", "0", "--keep-weights", "--out", out])
    assert code == 0
    pattern = (r"^\[\d/2\] addition T=6 (ortho|random) seed 0: (solved@\d+|not solved|diverged@\d+) final \d\.\d{4}"
               r" \| 0 failed \| \d+s elapsed, (~\d+s left|done)$")
    progress = [line for line in stdout.splitlines() if line.startswith("[")]
    assert len(progress) == 2 and all(re.match(pattern, line) for line in progress), stdout
    assert all(len(r["W_hh_final"]) == 8 for r in read_records(out))
    code, stdout, _ = run_main(sweep.main, [*TINY, "--seeds", "0", "--keep-weights", "--out", out])
    assert code == 0 and "2 already in" in stdout and "0 to run" in stdout


def test_a_second_writer_of_the_same_sweep_file_is_refused_before_it_trains(tmp_path):
    """Two runners on one file would each run the missing runs and append them twice: the second one must stop with
    a one-line error, leave the file as it was, and the file must be writable again once the first one ends."""
    out = tmp_path / "shared.jsonl"
    assert sweep.main([*TINY, "--seeds", "0", "--out", str(out), "--quiet"]) == 0
    before = out.read_bytes()
    with sweep.writer_lock(str(out)):
        ran = run_main(sweep.main, [*TINY, "--out", out])
        assert ran.returncode == 2 and ran.stdout == "", ran.stdout
        assert_one_line_error(ran, "rnnpath sweep", str(out), f"being written by process {os.getpid()}",
                              "shared.jsonl.lock")
        assert out.read_bytes() == before
    assert not (tmp_path / "shared.jsonl.lock").exists()  # the holder removes it when it lets go
    code, stdout, _ = run_main(sweep.main, [*TINY, "--out", out, "--quiet"])
    assert code == 0 and "2 already in" in stdout and len(read_records(out)) == 6
    assert sorted(p.name for p in tmp_path.iterdir()) == ["shared.jsonl"]


def test_merge_refuses_to_replace_a_file_a_run_is_writing(reference, tmp_path):
    """merge replaces its --out atomically: under a running sweep that would leave the run appending to a deleted
    file, so it takes the same lock and stops with a one-line error while a run holds it."""
    out = tmp_path / "target.jsonl"
    out.write_text("")
    with sweep.writer_lock(str(out)):
        ran = run_main(sweep.main, ["merge", reference, "--out", out])
        assert_one_line_error(ran, "rnnpath sweep", "being written by process")
    assert out.read_text() == ""
    assert run_main(sweep.main, ["merge", reference, "--out", out]).returncode == 0
    assert len(read_records(out)) == 6 and not (tmp_path / "target.jsonl.lock").exists()


def test_a_lock_file_left_by_a_killed_run_is_taken_over(tmp_path):
    """An flock dies with its process: a .lock file that outlived its run (SIGKILL leaves it) blocks nothing."""
    out = tmp_path / "s.jsonl"
    (tmp_path / "s.jsonl.lock").write_text("process 999999\n")
    code, _, _ = run_main(sweep.main, [*TINY, "--seeds", "0", "--out", out, "--quiet"])
    assert code == 0 and len(read_records(out)) == 2
    assert not (tmp_path / "s.jsonl.lock").exists()


def test_a_file_read_again_gives_the_same_records_as_fresh_objects(reference, tmp_path):
    """read_sweep_file keeps what it parsed and checked by line digest: a second read must give records equal to a
    first parse in a fresh state, objects of its own (changing one changes no other read), and a line changed on
    disk must be checked again."""
    first = sweep.read_sweep_file(str(reference)).records
    saved = dict(sweep._PARSED_LINES)
    sweep._PARSED_LINES.clear()
    try:
        fresh = sweep.read_sweep_file(str(reference)).records
    finally:
        sweep._PARSED_LINES.update(saved)
    again = sweep.read_sweep_file(str(reference)).records
    assert again == fresh == first
    again[0][1]["final_metric"] = -1.0
    assert sweep.read_sweep_file(str(reference)).records == fresh
    bad = tmp_path / "bad.jsonl"
    lines = reference.read_text().splitlines()
    bad.write_text("\n".join([lines[0].replace('"final_metric": ', '"final_metric": "x", "was": ', 1), *lines[1:]])
                   + "\n")
    with pytest.raises(sweep.SweepError, match="line 1 is not a run record"):
        sweep.read_sweep_file(str(bad))


def test_help_has_a_flag_for_every_training_option():
    code, stdout, _ = run_main(sweep.main, ["run", "--help"])
    assert code == 0
    for name in rp.DEFAULTS:
        assert "--" + name.replace("_", "-") in stdout
    for flag in ("--tasks", "--inits", "--sequence-lens", "--seeds", "--out", "--jobs", "--shard", "--keep-weights",
                 "--quiet"):
        assert flag in stdout


def test_resume_after_kill_gives_the_uninterrupted_records(tmp_path):
    # runs of ~0.15 s each: the kill lands mid-sweep with a second to spare
    argv = ["--tasks", "addition", "--inits", "ortho", "random", "--sequence-lens", "20", "--seeds", "0-3",
            "--n-hidden", "24", "--n-epochs", "25", "--batch-size", "20", "--batches-per-epoch", "12", "--quiet"]
    full, killed = tmp_path / "full.jsonl", tmp_path / "killed.jsonl"
    assert run_main(sweep.main, [*argv, "--jobs", "1", "--out", full])[0] == 0
    proc = subprocess.Popen([*COMMAND, *argv, "--jobs", "1", "--out", str(killed)], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        if killed.exists() and killed.read_bytes().count(b"\n") >= 1:
            break
        time.sleep(0.002)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    n_before = killed.read_bytes().count(b"\n")
    assert 1 <= n_before < 8, "the sweep finished before it could be killed"
    with open(killed, "a") as f:
        f.write('{"task": "addition", "init": "ran')  # a write cut off by the kill
    code, stdout, stderr = run_main(sweep.main, [*argv, "--jobs", "2", "--out", killed])  # resume on 2 workers
    assert code == 0, stderr
    assert "torn last line" in stderr and f"{n_before} already in" in stdout
    resumed = read_records(killed)
    assert len(resumed) == 8 and killed.read_text().endswith("\n")
    assert by_key(resumed) == by_key(read_records(full))  # same runs, same numbers, each exactly once


def test_a_complete_last_record_without_newline_is_kept(tmp_path, reference):
    out = tmp_path / "s.jsonl"
    out.write_text(reference.read_text().rstrip("\n"))
    code, stdout, _ = run_main(sweep.main, [*TINY, "--out", out])
    assert code == 0 and "6 already in" in stdout
    assert out.read_text() == reference.read_text()


def test_records_of_another_config_are_kept_but_not_counted(tmp_path, reference):
    out = tmp_path / "s.jsonl"
    out.write_text(reference.read_text())
    code, stdout, _ = run_main(sweep.main, [*TINY, "--lr", "0.02", "--seeds", "0", "--out", out])
    assert code == 0 and "0 already in" in stdout and "6 other records kept" in stdout
    records = read_records(out)
    assert len(records) == 8 and [r["config"]["lr"] for r in records[6:]] == [0.02, 0.02]


def test_a_failing_run_is_reported_counted_and_retried(tmp_path, monkeypatch):
    real_train = rp.train

    def flaky(**kwargs):
        if kwargs["seed"] == 1:
            raise RuntimeError("boom")
        return real_train(**kwargs)

    out = tmp_path / "s.jsonl"
    monkeypatch.setattr(rp, "train", flaky)
    code, stdout, stderr = run_main(sweep.main, [*TINY, "--quiet", "--out", out])
    assert code == 1
    failed = [line for line in stdout.splitlines() if "FAILED" in line]
    assert len(failed) == 2 and all("seed 1: FAILED (RuntimeError: boom)" in line for line in failed)
    assert "2 runs failed" in stderr
    assert sorted(r["seed"] for r in read_records(out)) == [0, 0, 2, 2]
    monkeypatch.setattr(rp, "train", real_train)
    code, stdout, _ = run_main(sweep.main, [*TINY, "--quiet", "--out", out])
    assert code == 0 and "4 already in" in stdout and len(read_records(out)) == 6


def test_a_record_with_a_nan_fails_its_run_and_is_kept_aside(tmp_path, monkeypatch):
    # a NaN or an infinity in a record (an ||W^T|| that overflowed, before recurrent_stats recorded null there) would
    # be written as NaN or Infinity, which the reader refuses, and so make the whole file unreadable
    real_train = rp.train

    def overflowing(**kwargs):
        record = real_train(**kwargs)
        if kwargs["seed"] == 1:
            record["recurrent"] = {**record.get("recurrent", {}), "power_norm": float("inf")}
        return record

    out = tmp_path / "s.jsonl"
    monkeypatch.setattr(rp, "train", overflowing)
    code, stdout, stderr = run_main(sweep.main, [*TINY, "--quiet", "--out", out])
    assert code == 1 and "2 runs failed" in stderr
    failed = [line for line in stdout.splitlines() if "FAILED" in line]
    assert len(failed) == 2 and all("its field recurrent.power_norm is inf, not a finite number" in line
                                    and f"kept in {out}.nonfinite" in line for line in failed)
    assert sorted(r["seed"] for r in read_records(out)) == [0, 0, 2, 2]  # the file stays readable
    assert len(sweep.read_sweep_file(str(out)).records) == 4
    aside = Path(f"{out}.nonfinite").read_text().splitlines()
    assert len(aside) == 2 and all('"power_norm": Infinity' in line and '"seed": 1' in line for line in aside)


def test_record_line_refuses_a_nan_anywhere_and_names_it():
    record = {"task": "addition", "history": [{"epoch": 1, "loss": 0.5}, {"epoch": 2, "loss": float("nan")}]}
    with pytest.raises(sweep.NonFiniteRecord, match=r"its field history\[1\]\.loss is nan"):
        sweep.record_line(record, keep_weights=False)
    assert json.loads(sweep.record_line({"task": "addition", "loss": 0.5}, keep_weights=False)) == {
        "task": "addition", "loss": 0.5}


# ----------------------------------------------------------------------------------------------------------------
# shards and merge


def test_two_shards_merged_equal_the_unsharded_sweep(tmp_path, reference):
    parts = [tmp_path / "p1.jsonl", tmp_path / "p2.jsonl"]
    for k, part in enumerate(parts, start=1):
        assert run_main(sweep.main, [*TINY, "--shard", f"{k}/2", "--quiet", "--out", part])[0] == 0
    assert [len(read_records(p)) for p in parts] == [3, 3]
    merged = tmp_path / "merged.jsonl"
    code, stdout, _ = run_main(sweep.main, ["merge", *parts, reference, "--out", merged])
    assert code == 0 and "6 duplicates dropped" in stdout
    assert by_key(read_records(merged)) == by_key(read_records(reference))


def test_an_empty_shard_leaves_an_empty_file(tmp_path):
    out = tmp_path / "s.jsonl"
    code, stdout, _ = run_main(sweep.main, [*TINY, "--seeds", "0", "--shard", "5/5", "--out", out])
    assert code == 0 and "0 to run" in stdout and out.read_text() == ""


def test_merge_refuses_conflicting_records(tmp_path, reference):
    records = read_records(reference)
    records[2]["wallclock_s"] += 1.0  # timings may differ ...
    for epoch in records[2]["history"]:
        epoch["elapsed_s"] += 1.0
    same = tmp_path / "same.jsonl"
    same.write_text("".join(json.dumps(r) + "\n" for r in records))
    merged = tmp_path / "merged.jsonl"
    assert run_main(sweep.main, ["merge", reference, same, "--out", merged])[0] == 0
    assert len(read_records(merged)) == 6
    records[2]["final_metric"] += 1e-9  # ... results may not
    tampered = tmp_path / "tampered.jsonl"
    tampered.write_text("".join(json.dumps(r) + "\n" for r in records))
    out = tmp_path / "never.jsonl"
    code, _, stderr = run_main(sweep.main, ["merge", reference, tampered, "--out", out])
    assert code == 2 and ERROR.match(stderr.strip()) and stderr.count("\n") == 1
    assert "final_metric" in stderr and sweep.describe(records[2]) in stderr
    assert not out.exists()


def test_merge_refuses_mixed_configs_unless_allowed(tmp_path, reference):
    other = tmp_path / "lr.jsonl"
    assert run_main(sweep.main, [*TINY, "--lr", "0.02", "--seeds", "0", "--quiet", "--out", other])[0] == 0
    out = tmp_path / "merged.jsonl"
    code, _, stderr = run_main(sweep.main, ["merge", reference, other, "--out", out])
    assert code == 2 and "lr: 0.01, 0.02" in stderr and "--allow-mixed" in stderr and not out.exists()
    assert run_main(sweep.main, ["merge", reference, other, "--out", out, "--allow-mixed"])[0] == 0
    assert len(read_records(out)) == 8
    code, stdout, _ = run_main(sweep.main, ["summary", out])
    assert code == 0 and "config: lr=0.01" in stdout and "config: lr=0.02" in stdout


# ----------------------------------------------------------------------------------------------------------------
# summary


def test_summary_counts_success_by_final_metric(tmp_path, reference):
    records = read_records(reference)
    ortho = [r for r in records if r["init"] == "ortho"]
    # addition's rule is per case: the reader re-judges each record from its epochs' fractions of wrong cases
    assert all(len(r["history"]) >= 2 and "heldout" in r for r in ortho)
    for h in ortho[0]["history"][1:]:  # solved from epoch 2, and still solved at the end (held out)
        h["frac_wrong"] = 0.1
    ortho[0]["heldout"]["frac_wrong"], ortho[0]["final_metric"] = 0.1, 0.01
    ortho[1]["history"][0]["frac_wrong"] = 0.1  # solved once, then lost it
    ortho[1]["history"][-1]["frac_wrong"] = ortho[1]["heldout"]["frac_wrong"] = 0.5
    path = tmp_path / "s.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    code, stdout, _ = run_main(sweep.main, ["summary", path])
    assert code == 0
    row = next(line for line in stdout.splitlines() if line.startswith("addition") and " ortho " in line)
    lo, hi = stats.wilson_interval(1, 3)
    assert "1/3" in row and "2/3" in row and f"[{lo:.2f}, {hi:.2f}]" in row and "1.5" in row
    assert "[0.0100, " in row


# ----------------------------------------------------------------------------------------------------------------
# bad input: one line, exit 2, nothing lost


@pytest.mark.parametrize("extra, says", [
    (["--shard", "3/2"], "1 <= K <= N"),
    (["--shard", "0/4"], "1 <= K <= N"),
    (["--shard", "x"], "K/N"),
    (["--seeds"], "grid is empty"),
    (["--seeds", "5-1"], "before the start"),
    (["--tasks", "temporal_order", "--sequence-lens", "5"], "too short"),
    (["--tasks", "nope"], "invalid choice"),
    (["--inits", "nope"], "invalid choice"),
    (["--n-epochs", "0"], "n_epochs"),
    (["--n-epochs", "1.5"], "invalid int"),
    (["--jobs", "0"], "--jobs"),
    (["--optimizer", "adam", "--momentum", "0.99"], "the adam optimizer ignores momentum"),
    (["--optimizer", "rmsprop", "--momentum-schedule", "sutskever_eq5"], "the rmsprop optimizer ignores"),
])
def test_bad_input_is_one_line_exit_2_and_loses_nothing(tmp_path, reference, extra, says):
    out = tmp_path / "s.jsonl"
    out.write_bytes(reference.read_bytes() + b'{"task": "addi')  # even a torn line stays until the input is good
    before = out.read_bytes()
    code, stdout, stderr = run_main(sweep.main, [*TINY, "--out", out, *extra])
    assert code == 2 and stdout == ""
    assert ERROR.match(stderr.strip()) and stderr.count("\n") == 1 and says in stderr, stderr
    assert out.read_bytes() == before


@pytest.mark.parametrize("content", [
    "results",  # a results.json of rnn_pathological.py
    "garbage in the middle",
    "not a record",
    "text without newline",
    "NaN in a field the schema does not type",
])
def test_not_a_sweep_file_is_refused_untouched(tmp_path, reference, content):
    lines = reference.read_text().splitlines(keepends=True)
    text = {
        "results": json.dumps(rp.results_document(read_records(reference), rp.DEFAULTS), indent=1) + "\n",
        "garbage in the middle": lines[0] + "oops\n" + "".join(lines[1:]),
        "not a record": json.dumps({"schema_version": 1, "runs": []}) + "\n",
        "text without newline": "hello",
        "NaN in a field the schema does not type": lines[0].replace('"chance": ', '"extra": NaN, "chance": ', 1)
        + "".join(lines[1:]),
    }[content]
    out = tmp_path / "s.jsonl"
    out.write_text(text)
    code, _, stderr = run_main(sweep.main, [*TINY, "--out", out])
    assert code == 2 and "is not a sweep file" in stderr and stderr.count("\n") == 1
    assert out.read_text() == text
    code, _, stderr = run_main(sweep.main, ["summary", out])
    assert code == 2 and "is not a sweep file" in stderr


def test_cli_errors_carry_no_traceback(tmp_path):
    result = subprocess.run([*COMMAND, *TINY, "--shard", "3/2", "--out", str(tmp_path / "s.jsonl")],
                            cwd=ROOT, capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr == "rnnpath sweep: error: --shard: '3/2' needs 1 <= K <= N\n"
    assert not os.path.exists(tmp_path / "s.jsonl")


# ----------------------------------------------------------------------------------------------------------------
# progress lines give the success rule's verdict


def test_progress_gives_the_verdict_of_the_final_epoch(reference):
    """A run that met the threshold at some epoch but not at the last one is not reported as solved (a latching
    run printed `solved@1 final 0.950` under a threshold above 0.95)."""
    record = read_records(reference)[0]
    assert record["task"] == "addition"  # judged per case: the held-out fraction of wrong cases at the end
    m, threshold = record["metric_name"], record["solved_threshold"]
    fell_back = {**record, "solved_epoch": 1, "diverged": False,
                 "heldout": {**record["heldout"], "frac_wrong": threshold * 1.5}}
    assert not rp.is_success(fell_back)
    assert sweep.outcome_text(fell_back) == (f"not solved at the end (met the threshold @1) final "
                                             f"{rp.format_metric(record['final_metric'], m)}")
    held = {**record, "solved_epoch": 1, "diverged": False,
            "heldout": {**record["heldout"], "frac_wrong": threshold / 1.5}}
    assert rp.is_success(held) and sweep.outcome_text(held).startswith("solved@1 ")
    # solved on its held-out cases at the end before any epoch's training batches met the rule (an LSTM at T = 300
    # printed 'solved@None')
    late = {**held, "solved_epoch": None}
    assert rp.is_success(late) and sweep.outcome_text(late).startswith("solved at the end (no epoch's batches met")
    assert "solved at the end (on held-out cases" in rp.summary_line(late) and "None" not in rp.summary_line(late)
    from rnnpath import report
    assert report._outcome(late).startswith("at the end") and report._outcome(fell_back).startswith("@1")
    temporal = rp.judge({**record, "task": "temporal_order", "metric_name": "accuracy", "higher_is_better": True,
                         "history": [{**h, "metric": 0.95} for h in record["history"][:-1]]
                         + [{**record["history"][-1], "metric": 0.5}], "final_metric": 0.5})
    assert temporal["solved_epoch"] == 1 and not rp.is_success(temporal)  # the metric's rule elsewhere


def test_counts_are_plural_only_when_they_should_be(tmp_path):
    assert [text.plural(n, "record") for n in (0, 1, 2)] == ["0 records", "1 record", "2 records"]
    one = ["--tasks", "addition", "--inits", "ortho", "--sequence-lens", "6", "--seeds", "0", "--n-hidden", "8",
           "--n-epochs", "1", "--batch-size", "4", "--batches-per-epoch", "1", "--jobs", "1", "--quiet"]
    code, stdout, _ = run_main(sweep.main, [*one, "--out", tmp_path / "one.jsonl"])
    assert code == 0 and "grid: 1 run;" in stdout and "on 1 worker" in stdout and "wrote 1 record to" in stdout
    code, stdout, _ = run_main(sweep.main, ["merge", tmp_path / "one.jsonl", "--out", tmp_path / "m.jsonl"])
    assert code == 0 and "merged 1 record from 1 file into 1" in stdout and "(0 duplicates dropped)" in stdout


def test_a_missing_output_folder_is_made(tmp_path):
    """The README's sweeps go to runs/, which a fresh clone does not have."""
    out = tmp_path / "runs" / "mine.jsonl"
    assert sweep.main([*TINY, "--seeds", "0", "--out", str(out), "--quiet"]) == 0
    assert len(read_records(out)) == 2
    merged = tmp_path / "other" / "all.jsonl"
    assert sweep.main(["merge", str(out), "--out", str(merged)]) == 0
    assert read_records(merged) == read_records(out)
