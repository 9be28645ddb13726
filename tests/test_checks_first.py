"""Options, output folders and sizes are checked before any work, with one line and exit status 2 (issue 10): the
GIF's frame count, frame rate and hold, options that need --retrain; analyze's and experiments' output folders and
the Fisher figure's memory; and the help texts that say what each command reads and writes."""

import json
import os
import shutil
import subprocess
from pathlib import Path

import imageio.v3 as iio
import numpy as np
import pytest
from cli_helpers import REPO, assert_one_line_error, run_main

import make_rnn_pathological_gif as gif
import rnn_pathological as rp
from rnnpath import experiments as ex
from rnnpath import files, report, sweep
from rnnpath.analyses import matrices as an


def fail(*args, **kwargs):
    raise AssertionError("worked before checking its input")


# ----------------------------------------------------------------------------------------------------------------
# the GIF


@pytest.fixture
def old_gif(tmp_path) -> Path:
    out = tmp_path / "a.gif"
    shutil.copy(REPO / "rnn_pathological.gif", out)
    return out


@pytest.mark.parametrize("args, says", [
    (["--every", "4"], "--every 4 leaves 1 frame of the 4 epochs"),  # the tiny file has 4 epochs
    (["--every", "3"], None),  # 2 frames: fine
    (["--fps", "nan"], "--fps"), (["--fps", "inf"], "--fps"), (["--fps", "0"], "--fps"), (["--fps", "-2"], "--fps"),
    (["--fps", "1000"], "at most 100"),
    (["--hold", "-1"], "--hold"), (["--hold", "100000"], "655.35 s"),
    (["--n-epochs", "30"], "--n-epochs only applies with --retrain"),
    (["--n-hidden", "8", "--batches-per-epoch", "2"], "--n-hidden, --batches-per-epoch only apply with --retrain"),
])
def test_gif_options_are_checked_before_drawing_and_keep_the_old_gif(results_path, old_gif, monkeypatch, args, says):
    before = old_gif.read_bytes()
    if says is None:
        assert run_main(gif.main, ["--results", results_path, "--out", old_gif, *args]).returncode == 0
        assert iio.imread(old_gif, index=None).shape[0] == 2
        return
    monkeypatch.setattr(gif, "frames_from_history", fail)
    proc = run_main(gif.main, ["--results", results_path, "--out", old_gif, *args])
    assert proc.returncode == 2
    assert_one_line_error(proc, "make_rnn_pathological_gif.py", says)
    assert old_gif.read_bytes() == before


def test_gif_retrain_needs_two_epochs_before_training(old_gif, monkeypatch):
    monkeypatch.setattr(rp, "train", fail)
    proc = run_main(gif.main, ["--retrain", "--n-epochs", "1", "--out", old_gif])
    assert proc.returncode == 2
    assert_one_line_error(proc, "make_rnn_pathological_gif.py", "only 1 epoch to show", "at least 2 frames")


def test_a_failed_gif_write_leaves_the_old_gif_whole(old_gif):
    """The encoder fails (here on a NaN frame time, which the CLI refuses earlier) after it has started: the GIF
    goes through a temporary file, so the old one stays as it was and no temporary file is left."""
    before = old_gif.read_bytes()
    frames = [np.zeros((20, 30, 3), np.uint8), np.full((20, 30, 3), 255, np.uint8)]
    with pytest.raises(ValueError):
        gif.write_gif(str(old_gif), frames, float("nan"), 0)
    assert old_gif.read_bytes() == before
    assert os.listdir(old_gif.parent) == [old_gif.name]


def test_gif_help_lists_the_tasks():
    text = gif.build_parser().format_help()
    for task in rp.TASKS:
        assert task in text
    assert "need --retrain" in text.replace("\n", " ")


# ----------------------------------------------------------------------------------------------------------------
# analyze and experiments: output folders and sizes


@pytest.fixture
def blocked(tmp_path) -> Path:
    """A path below a regular file: no folder can be made there, whoever runs the tests (root included)."""
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")
    return blocker / "viz"


UNWRITABLE = [pytest.param("blocked", id="below-a-file"),
              pytest.param("/proc", id="proc", marks=pytest.mark.skipif(not os.path.isdir("/proc/self"),
                                                                        reason="no /proc here"))]


@pytest.mark.parametrize("where", UNWRITABLE)
@pytest.mark.parametrize("command", ["fisher", "motif"])
def test_analyze_checks_its_output_folder_before_computing(results_path, blocked, monkeypatch, where, command):
    """/proc refuses new files whatever its permission bits say (root passes os.access there)."""
    outdir = blocked if where == "blocked" else where
    for name in ("plot_fisher_memory", "plot_chain_motif"):
        monkeypatch.setattr(an, name, fail)
    argv = [command, "--outdir", outdir] + (["--results", results_path] if command == "motif" else [])
    proc = run_main(an.main, argv)
    assert proc.returncode == 2
    assert_one_line_error(proc, "rnnpath analyze matrices", str(outdir))


def test_analyze_fisher_refuses_a_size_beyond_the_memory(monkeypatch):
    monkeypatch.setattr(an, "plot_fisher_memory", fail)
    proc = run_main(an.main, ["fisher", "--n", "100000", "--outdir", "unused"])
    assert proc.returncode == 2
    assert_one_line_error(proc, "rnnpath analyze matrices", "--n 100000", "needs about", "TB", "available")
    assert not os.path.exists("unused")


def test_analyze_commands_have_descriptions():
    parser = an.build_parser()
    commands = parser._subparsers._group_actions[0].choices
    for name, png, _, description in an.COMMANDS:
        text = " ".join(commands[name].format_help().split())
        assert description.split(".")[0] in text and f"Writes {png}" in text


@pytest.mark.parametrize("where", UNWRITABLE)
@pytest.mark.parametrize("verb", ["run", "plot"])
def test_experiments_check_their_folders_before_training_or_drawing(blocked, monkeypatch, where, verb):
    outdir = blocked if where == "blocked" else where
    monkeypatch.setattr(sweep, "main", fail)
    monkeypatch.setattr(rp, "main", fail)
    proc = run_main(ex.main, [verb, "all", "--quick", "--outdir", outdir])
    assert proc.returncode == 2
    assert_one_line_error(proc, "rnnpath experiment", str(outdir))


def test_experiments_outdir_help_says_where_quick_writes_the_seeds_file():
    parser = ex.build_parser()
    run = parser._subparsers._group_actions[0].choices["run"]
    text = " ".join(run.format_help().split())
    assert "results/sweeps/quick/ (results_seeds.json there too)" in text
    assert ex.seeds_results_path(True, "d") == os.path.join("d", "results", "sweeps", "quick", "results_seeds.json")


# ----------------------------------------------------------------------------------------------------------------
# report: what --help says, and --check when only the wall times differ


def test_report_help_says_what_it_reads_and_that_it_rewrites_the_readme():
    text = " ".join(report.build_parser().format_help().split())
    for name in ("results_seeds.json", "sweeps/*.jsonl", "bench.json", "bench_float32.json", "current folder"):
        assert name in text
    assert "README.md in place" in text


def test_report_check_tells_wall_times_from_numbers(report_folder, tmp_path, monkeypatch):
    folder = tmp_path / "repo"
    shutil.copytree(report_folder, folder)
    shutil.rmtree(folder / "docs", ignore_errors=True)  # the README alone holds the two blocks
    monkeypatch.chdir(folder)
    names = ("headline-verdict", "headline-table")
    (folder / "README.md").write_text("".join(f"<!-- BEGIN {name} -->\n<!-- END {name} -->\n" for name in names))

    def blocks(results="results.json"):  # the headline's two blocks: one with the wall time, one with the numbers
        doc = files.load_results(results)
        return {"headline-verdict": report.headline_verdict(doc), "headline-table": report.headline_table(doc)}

    monkeypatch.setattr(report, "blocks", blocks)
    assert run_main(report.main, []).returncode == 0  # writes the block
    assert run_main(report.main, ["--check"]).stdout.strip() == "README.md agrees with the result files"

    doc = json.loads((folder / "results.json").read_text())
    doc["execution"]["wallclock_s"] += 100  # a rerun on another machine: the same numbers, another wall time
    (folder / "results.json").write_text(json.dumps(doc))
    proc = run_main(report.main, ["--check"])
    assert proc.returncode == 0 and "only the wall times differ" in proc.stdout

    doc["runs"][0]["final_metric"] = 0.5 if doc["runs"][0]["final_metric"] != 0.5 else 0.25  # a number
    (folder / "results.json").write_text(json.dumps(doc))
    proc = run_main(report.main, ["--check"])
    assert proc.returncode == 1 and "disagrees with the result files in block 'headline-table'" in proc.stderr


# ----------------------------------------------------------------------------------------------------------------
# the engine's memory check respects the process's address-space limit (issue 20)

GIB = 2**30


def test_address_space_left_is_the_limit_less_the_virtual_size(monkeypatch):
    import resource

    monkeypatch.setattr(resource, "getrlimit", lambda which: (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
    assert rp.address_space_left() is None  # no limit, no check
    monkeypatch.setattr(resource, "getrlimit", lambda which: (64 * GIB, resource.RLIM_INFINITY)
                        if which == resource.RLIMIT_AS else pytest.fail("read another limit"))
    monkeypatch.setattr(rp, "virtual_size_bytes", lambda: 3 * GIB)
    assert rp.address_space_left() == 61 * GIB
    monkeypatch.setattr(rp, "virtual_size_bytes", lambda: 65 * GIB)
    assert rp.address_space_left() == 0


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="VmSize is read from /proc")
def test_virtual_size_is_what_proc_says():
    status = Path("/proc/self/status").read_text()
    vm_size = int(next(line for line in status.splitlines() if line.startswith("VmSize:")).split()[1]) * 1024
    assert abs(rp.virtual_size_bytes() - vm_size) < 64 * 2**20  # the same process, a moment later


def test_check_memory_keeps_a_margin_under_the_address_space_limit(monkeypatch):
    monkeypatch.setattr(rp, "available_memory_bytes", lambda: 2**40)  # free memory aplenty: the limit decides
    monkeypatch.setattr(rp, "address_space_left", lambda: GIB)
    room = GIB - rp.ADDRESS_SPACE_MARGIN
    assert rp.ADDRESS_SPACE_MARGIN > 0
    rp.check_memory(room, "fits")
    with pytest.raises(ValueError, match=r"^just over needs about .*\(RLIMIT_AS.* leaves .* available$"):
        rp.check_memory(room + 1, "just over")
    monkeypatch.setattr(rp, "address_space_left", lambda: None)  # no limit: only the free memory counts
    rp.check_memory(2**39, "no limit")
    monkeypatch.setattr(rp, "available_memory_bytes", lambda: GIB)
    with pytest.raises(ValueError, match="this machine has 1.1 GB available"):
        rp.check_memory(2 * GIB, "beyond the free memory")


def test_a_run_beyond_the_limit_is_refused_before_training(monkeypatch):
    """The issue's run: 24 GB of the machine's 24.7 GB free, under a process limit that cannot hold it."""
    monkeypatch.setattr(rp, "available_memory_bytes", lambda: 2**40)
    monkeypatch.setattr(rp, "address_space_left", lambda: 24 * GIB)
    monkeypatch.setattr(rp, "_train", fail)
    proc = run_main(rp.main, ["--task", "addition", "--n-hidden", "20000"])
    assert proc.returncode == 2
    assert_one_line_error(proc, "rnn_pathological.py", "hidden 20000", "needs about", "RLIMIT_AS", "available")
    with pytest.raises(ValueError, match="RLIMIT_AS"):
        rp.train("addition", "ortho", n_hidden=20000)


TINY_RUN = ["--task", "addition", "--n-hidden", "8", "--n-epochs", "1", "--batches-per-epoch", "1", "--quiet"]


def engine_under_limit(limit: int, *args: str) -> subprocess.CompletedProcess:
    """The engine's command line in a process whose address space is limited to `limit` bytes (`ulimit -v`)."""
    import resource
    import sys

    def lower_the_limit():
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    return subprocess.run([sys.executable, "rnn_pathological.py", *args], cwd=REPO, capture_output=True, text=True,
                          timeout=120, check=False, preexec_fn=lower_the_limit)


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="reads VmPeak from /proc")
def test_the_engine_refuses_in_one_line_under_a_lowered_address_space_limit():
    import sys

    probe = subprocess.run([sys.executable, "-c", ("import sys, rnn_pathological as rp; rp.main(sys.argv[1:]); "
                                                   "print(open('/proc/self/status').read())"), *TINY_RUN],
                           cwd=REPO, capture_output=True, text=True, timeout=120, check=True)
    peak = int(next(line for line in probe.stdout.splitlines() if line.startswith("VmPeak:")).split()[1]) * 1024
    headroom = GIB // 2
    limit = peak + headroom  # what a tiny run maps, and half a GiB more
    assert engine_under_limit(limit, *TINY_RUN).returncode == 0  # the margin leaves a small run its room
    flags = ["--task", "addition", "--n-hidden", "4000", "--n-epochs", "1", "--batches-per-epoch", "1"]
    needed = rp.run_memory_bytes("addition", 30, 4000, 50)
    assert needed > 2 * headroom  # without the check it dies in numpy with a MemoryError traceback
    if (rp.available_memory_bytes() or 0) < needed:
        pytest.skip("this machine's free memory refuses the run before its address-space limit does")
    proc = engine_under_limit(limit, *flags)
    assert_one_line_error(proc, "rnn_pathological.py", "hidden 4000", "needs about", "RLIMIT_AS", "available")
