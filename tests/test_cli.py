"""The command line as a user meets it: help, a short run, --all, every bad input, the atomic write."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cli_helpers import REPO, assert_one_line_error, command_line, run_script

import rnn_pathological as rp

ROOT = Path(__file__).resolve().parents[1]
TINY = ["--n-epochs", "2", "--batches-per-epoch", "2", "--n-hidden", "8", "--batch-size", "10"]


def cli(*args, cwd=ROOT):
    return subprocess.run([sys.executable, str(ROOT / "rnn_pathological.py"), *args], cwd=cwd, capture_output=True,
                          text=True, timeout=120, check=False)


def test_help_lists_every_flag():
    result = cli("--help")
    assert result.returncode == 0
    for flag in ("--task", "--init", "--sequence-len", "--n-hidden", "--n-epochs", "--batch-size",
                 "--batches-per-epoch", "--lr", "--momentum", "--clip", "--seed", "--out", "--all", "--quiet",
                 "--jobs", "--dtype", *("--" + name.replace("_", "-") for name in rp.OPTIONS)):
        assert flag in result.stdout


def test_single_run_prints_epochs_and_a_summary(tmp_path):
    out = tmp_path / "one.json"
    result = cli("--task", "addition", "--init", "random", "--sequence-len", "6", *TINY, "--out", str(out))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("epoch   1/2") and "loss" in lines[0] and "|g|" in lines[0]
    assert "chance 0.0833" in result.stdout
    doc = json.loads(out.read_text())
    assert doc["schema_version"] == rp.SCHEMA_VERSION and len(doc["runs"]) == 1


def test_quiet_single_run_prints_only_the_summary():
    result = cli("--task", "3bit_memorization", "--sequence-len", "5", *TINY, "--quiet")
    assert result.returncode == 0
    assert result.stdout.count("\n") == 1 and "chance 0.125" in result.stdout


def test_all_writes_a_valid_results_file(tmp_path):
    out = tmp_path / "r.json"
    assert rp.main(["--all", *TINY, "--quiet", "--jobs", "1", "--out", str(out)]) == 0
    doc = json.loads(out.read_text())
    assert set(doc) >= {"schema_version", "config", "environment", "runs"}
    assert set(doc["environment"]) >= {"python", "numpy", "platform"}
    assert [(r["task"], r["sequence_len"], r["init"]) for r in doc["runs"]] == [
        (t, T, i) for t, T in rp.HEADLINE for i in rp.HEADLINE_INITS
    ]
    assert all(len(r["history"]) == 2 for r in doc["runs"])


def test_jobs_2_equals_jobs_1(tmp_path):
    docs = []
    for jobs in ("1", "2"):
        out = tmp_path / f"j{jobs}.json"
        assert rp.main(["--all", *TINY, "--quiet", "--jobs", jobs, "--out", str(out)]) == 0
        docs.append(json.loads(out.read_text()))
    strip = [[{k: v for k, v in r.items() if k not in ("wallclock_s", "cpu_s")} | {"history": [
        {k: v for k, v in e.items() if k != "elapsed_s"} for e in r["history"]]} for r in d["runs"]] for d in docs]
    assert strip[0] == strip[1]


@pytest.mark.parametrize(
    "args, message",
    [
        (["--lr", "-1"], "lr must be positive"),
        (["--lr", "0"], "lr must be positive"),
        (["--clip", "0"], "clip must be positive"),
        (["--momentum", "1"], "momentum must be in [0, 1)"),
        (["--momentum", "-0.1"], "momentum must be in [0, 1)"),
        (["--n-hidden", "0"], "n_hidden must be a positive integer"),
        (["--n-epochs", "-3"], "n_epochs must be a positive integer"),
        (["--batch-size", "0"], "batch_size must be a positive integer"),
        (["--batches-per-epoch", "0"], "batches_per_epoch must be a positive integer"),
        (["--sequence-len", "0"], "sequence_len must be a positive integer"),
        (["--task", "temporal_order", "--sequence-len", "9"], "needs at least 10"),
        (["--seed", "-1"], "seed must be a non-negative integer"),
        (["--jobs", "0"], "jobs must be a positive integer"),
        (["--all", "--n-hidden", "-1"], "n_hidden must be a positive integer"),
        (["--out", "/nonexistent-folder/r.json"], "does not exist"),
        (["--all", "--out", "/nonexistent-folder/r.json"], "does not exist"),
    ],
)
def test_bad_input_fails_fast_with_one_line(args, message):
    result = cli(*args)
    assert result.returncode == 2
    assert result.stdout == ""  # nothing was trained
    assert "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1 and message in result.stderr


@pytest.mark.parametrize("flag, value, choices", [("--task", "adition", "addition"), ("--init", "xavier", "ortho")])
def test_unknown_choice_lists_the_choices(flag, value, choices):
    result = cli(flag, value)
    assert result.returncode == 2 and "invalid choice" in result.stderr and choices in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr  # no usage block above it


@pytest.mark.parametrize("script", ["rnn_pathological.py", "visualize_rnn_pathological.py",
                                    "make_rnn_pathological_gif.py", "rnnpath sweep",
                                    "rnnpath experiment", "rnnpath analyze matrices",
                                    "rnnpath bench", "rnnpath report"])
def test_every_script_reports_an_unknown_flag_in_one_line(script):
    assert_one_line_error(run_script(script, "--no-such-flag"), script)


def test_unwritable_out_folder_fails_fast(tmp_path, monkeypatch, capsys):
    # the check creates a probe file the way the atomic write will; refusing it lets the test run as root, who may
    # write anywhere that permission bits forbid
    def refuse(*_, **__):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(rp.tempfile, "mkstemp", refuse)
    with pytest.raises(SystemExit) as exit_info:
        rp.main(["--out", str(tmp_path / "r.json")])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "Permission denied" in err and err.count("\n") == 1


@pytest.mark.parametrize("out", ["", "/proc/r.json"])
def test_an_output_path_that_cannot_be_written_fails_before_training(out):
    """Before: --out "" and --all --out /proc/r.json trained every run, then died with a traceback."""
    result = cli("--all", "--out", out, "--n-epochs", "1")
    assert result.returncode == 2 and result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert "training" not in result.stdout


def test_out_below_a_file_fails_fast(tmp_path):
    (tmp_path / "file").write_text("")
    result = cli("--all", "--out", str(tmp_path / "file" / "r.json"))
    assert result.returncode == 2 and "does not exist" in result.stderr


def test_an_interrupted_write_keeps_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "results.json"
    path.write_text('{"old": true}\n')

    def crash(*_):
        raise KeyboardInterrupt  # as if the user pressed Ctrl-C in the middle of writing

    monkeypatch.setattr(rp.os, "fsync", crash)
    with pytest.raises(KeyboardInterrupt):
        rp.write_json_atomic(str(path), {"new": list(range(1000))})
    assert path.read_text() == '{"old": true}\n'
    assert [p.name for p in tmp_path.iterdir()] == ["results.json"]  # no temporary file left behind


def test_the_next_write_removes_the_temporary_file_of_a_writer_killed_mid_write(tmp_path):
    """SIGKILL between writing the temporary file and renaming it leaves the hidden file behind; the next write of
    the same target removes it."""
    path = tmp_path / "results.json"
    stall = ("import os, sys, time; import rnn_pathological as rp; "
             "os.replace = lambda *_: (print('written', flush=True), time.sleep(60)); "  # stop just before the rename
             "rp.write_bytes_atomic(sys.argv[1], b'half')")
    with subprocess.Popen([sys.executable, "-c", stall, str(path)], cwd=ROOT, stdout=subprocess.PIPE,
                          text=True) as proc:
        assert proc.stdout.readline() == "written\n"
        proc.kill()
    left = [p.name for p in tmp_path.iterdir()]
    assert len(left) == 1 and left[0].startswith(".results.json.") and left[0].endswith(".tmp")
    rp.write_json_atomic(str(path), {"new": True})
    assert [p.name for p in tmp_path.iterdir()] == ["results.json"]


def test_stale_temporary_files_are_removed_only_when_theirs_and_dead(tmp_path):
    """Only this target's temporary files of a dead process on this host go; a live writer's (another process
    writing the same file now), another host's, another target's and a name without a process id stay."""
    with subprocess.Popen([sys.executable, "-c", "pass"]) as ended:
        pass
    dead = ended.pid  # waited for: no such process now (a reuse of the id within the test would only keep a file)
    with subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"]) as alive:
        try:
            host = rp.platform.node()
            stale = f".r.json.{host}.{dead}.abc_1234.tmp"
            kept = [f".r.json.{host}.{alive.pid}.abc_1234.tmp",  # a live writer of the same target
                    f".r.json.{host}.{os.getpid()}.abc_1234.tmp",  # this process
                    f".r.json.other-host.{dead}.abc_1234.tmp",  # a shared folder: that host's to clean
                    ".r.json.abc_1234.tmp",  # no process id: an older version's name
                    f".q.json.{host}.{dead}.abc_1234.tmp",  # another target
                    f".r.json.{host}.7.{host}.{dead}.abc_1234.tmp",  # the target r.json.HOST.7's, not r.json's
                    f"r.json.{host}.{dead}.abc_1234.tmp"]  # not hidden: not a name the writer makes
            for name in [stale, *kept]:
                (tmp_path / name).write_text("")
            assert rp.remove_stale_temps(str(tmp_path / "r.json")) == [str(tmp_path / stale)]
            rp.write_json_atomic(str(tmp_path / "r.json"), {"new": True})
            assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*kept, "r.json"])
        finally:
            alive.kill()


@pytest.mark.parametrize("target, message", [
    pytest.param("/proc/self/status", "folder /proc/self does not accept new files",
                 marks=pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="no /proc here")),
    ("fifo", "it is not a regular file"),
    ("", "the output path is empty"),
])
def test_check_writable_says_plainly_what_is_wrong(tmp_path, target, message):
    """Before: /proc/self/status gave 'No such file or directory in folder /proc/self', and a device or a pipe
    passed (root's rename would have replaced /dev/null by a regular file)."""
    if target == "fifo":
        target = str(tmp_path / "pipe")
        os.mkfifo(target)
    with pytest.raises(ValueError) as err:
        rp.check_writable(target)
    assert message in str(err.value) and "\n" not in str(err.value)


def test_a_killed_run_leaves_the_old_file(tmp_path):
    path = tmp_path / "results.json"
    path.write_text('{"old": true}\n')
    with subprocess.Popen([sys.executable, str(ROOT / "rnn_pathological.py"), "--all", "--jobs", "1",
                           "--out", str(path)], stdout=subprocess.PIPE, text=True) as proc:
        assert proc.stdout.readline().startswith("training")  # started training, not yet writing
        proc.kill()
    assert path.read_text() == '{"old": true}\n'


def test_a_diverged_run_does_not_stop_all(tmp_path, monkeypatch):
    real = rp.forward_backward

    def nan_for_temporal_order(params, x, y, task, *args):
        loss, metric, grads = real(params, x, y, task, *args)
        return (float("nan") if rp.get_task(task).name == "temporal_order" else loss), metric, grads

    monkeypatch.setattr(rp, "forward_backward", nan_for_temporal_order)
    out = tmp_path / "r.json"
    assert rp.main(["--all", *TINY, "--quiet", "--jobs", "1", "--out", str(out)]) == 0
    runs = json.loads(out.read_text())["runs"]
    assert [r["diverged"] for r in runs] == [False, False, 1, 1, False, False]
    assert all(r["final_metric"] is None for r in runs if r["diverged"])


@pytest.mark.parametrize("args", [
    ["--task", task] for task in rp.TASKS if task not in {t for t, _ in rp.HEADLINE}
] + [["--init", init] for init in rp.INITS if init not in rp.HEADLINE_INITS] + [
    ["--activation", "relu", "--init", "identity"],
    ["--optimizer", "nesterov"],
    ["--momentum-schedule", "sutskever_eq5"],
    ["--momentum-schedule", "sutskever_rnn"],
    ["--task", "addition", "--layout", "early", "--sequence-len", "12"],
    ["--init", "fbchain", "--fbchain-alpha", "0.98"],
    ["--hh-scale", "0.9"],
    ["--init", "fbchain", "--chain-alpha", "0.99", "--chain-beta", "0.02"],
    ["--dtype", "float32"],
    ["--task", "latching", "--n-hidden", "1"],
])
def test_every_choice_runs_one_epoch(args):
    assert rp.main([*args, "--n-epochs", "1", "--batches-per-epoch", "2", "--batch-size", "4", "--quiet",
                    "--sequence-len", "12"] + ([] if "--n-hidden" in args else ["--n-hidden", "12"])) == 0


@pytest.mark.parametrize("args, message", [
    (["--init", "chain", "--task", "temporal_order", "--n-hidden", "4"], "needs n_hidden >= 6"),
    (["--hh-scale", "0"], "hh_scale must be positive"),
    (["--chain-beta", "-0.1"], "chain_beta must be non-negative"),
    (["--task", "copy", "--sequence-len", "0"], "sequence_len must be a positive integer"),
])
def test_impossible_combinations_fail_fast(args, message):
    result = cli(*args)
    assert result.returncode == 2 and message in result.stderr and result.stdout == ""


def test_results_file_gets_ordinary_permissions(tmp_path):
    path = tmp_path / "r.json"
    rp.write_json_atomic(str(path), {"a": 1})
    umask = os.umask(0)
    os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask


def test_ctrl_c_stops_all_at_once_and_keeps_the_old_file(tmp_path):
    """Ctrl-C (SIGINT to the process group, as a terminal sends it) stops the parent and its workers quickly,
    with one line and no traceback, and the results file is untouched."""
    path = tmp_path / "results.json"
    path.write_text('{"old": true}\n')
    # preexec_fn: the child starts with SIGINT at its default, as from a terminal, even if the runner ignores it
    with subprocess.Popen([sys.executable, str(ROOT / "rnn_pathological.py"), "--all", "--jobs", "2",
                           "--out", str(path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          start_new_session=True,
                          preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL)) as proc:  # noqa: PLW1509
        assert proc.stdout.readline().startswith("training")
        time.sleep(1.0)  # the workers are training now
        started = time.monotonic()
        os.killpg(proc.pid, signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    assert time.monotonic() - started < 10  # the running runs are killed, not finished
    assert proc.returncode == 130
    assert "Traceback" not in err and err.strip().startswith("interrupted") and err.strip().count("\n") == 0
    assert path.read_text() == '{"old": true}\n'


def _workers_of(pid: int) -> list[int]:
    """The spawned worker processes among the children of `pid` (not the resource tracker)."""
    children = (Path(f"/proc/{pid}/task/{pid}/children").read_text()).split()
    return [int(c) for c in children if "spawn_main" in Path(f"/proc/{c}/cmdline").read_text(errors="replace")]


def _alive(pid: int) -> bool:
    try:
        return "\nState:\tZ" not in Path(f"/proc/{pid}/status").read_text()  # a zombie has ended
    except FileNotFoundError:
        return False


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads /proc (Linux)")
def test_workers_end_when_the_parent_is_killed(tmp_path):
    """SIGKILL leaves the parent no chance to stop its workers; they notice they are orphans and end by themselves
    instead of training runs that nobody will record."""
    with subprocess.Popen([sys.executable, str(ROOT / "rnn_pathological.py"), "--all", "--jobs", "2",
                           "--out", str(tmp_path / "results.json")], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True) as proc:
        assert proc.stdout.readline().startswith("training")
        deadline = time.monotonic() + 30
        while len(workers := _workers_of(proc.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(workers) == 2
        proc.kill()
        proc.communicate(timeout=30)
    deadline = time.monotonic() + 10
    while any(map(_alive, workers)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(map(_alive, workers))
    assert not (tmp_path / "results.json").exists()


@pytest.mark.parametrize("script, args", [
    ("rnnpath experiment", ["list"]),
    ("rnnpath experiment", ["answer", "latching_lstm"]),
])
def test_a_reader_that_stops_early_ends_the_script_quietly(script, args):
    """`... | head`: the reader closes the pipe before the script writes. Python ignores SIGPIPE, so without
    rp.script_main this ends in a BrokenPipeError traceback (or an 'Exception ignored' at exit)."""
    read_fd, write_fd = os.pipe()
    os.close(read_fd)  # closed before the script starts: its first write meets a closed pipe
    proc = subprocess.run([*command_line(script), *args], cwd=REPO, stdout=write_fd, stderr=subprocess.PIPE,
                          text=True, timeout=120, check=False)
    os.close(write_fd)
    assert "BrokenPipe" not in proc.stderr and "Traceback" not in proc.stderr, proc.stderr
    assert proc.returncode == 141


def test_script_main_passes_the_status_through():
    assert rp.main.__wrapped__ is not None  # the console script's main is wrapped
    assert rp.script_main(lambda: 3)() == 3
