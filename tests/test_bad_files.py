"""Bad input files fed to every script that reads files: empty, truncated, binary, wrong-schema and wrong-typed
files (and results files without runs). Each must end in one line on stderr that names the file, exit status 2, no
traceback, and no file changed in the folder: not the bad file, not an output that existed before.

The scripts run in process through their main functions (every case in a few seconds; an exception escaping main
fails the test as a traceback would), and once per script as a subprocess, as a user runs them.

Sweep files are never `truncated` here: a sweep file cut off at the end has a torn last line, which is what a kill
leaves, and `run` repairs it, `merge` and `summary` skip it by design (test_sweep.py). An empty sweep file is a
fresh sweep for `run` and an empty shard for `merge`, so it is bad input only where records are needed.
"""

import hashlib
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from cli_helpers import REPO, assert_one_line_error, run_main, run_script

import make_rnn_pathological_gif as gif
import rnn_pathological as rp
import visualize_rnn_pathological as viz
from rnnpath import bench, files, report, sweep
from rnnpath import experiments as ex
from rnnpath.analyses import attractors as dy
from rnnpath.analyses import bytedmd as bd
from rnnpath.analyses import matrices as an
from rnnpath.analyses import memory_curse as mc

BINARY = bytes(range(256)) * 8  # bytes 0x80 .. 0xff on their own are not UTF-8
RESULTS_KINDS = ("empty", "truncated", "binary", "wrong-schema", "wrong-type", "no-runs", "nan")
SWEEP_KINDS = ("binary", "wrong-schema", "wrong-type")


def results_variant(good: bytes, kind: str) -> bytes:
    """A results file gone bad: wrong-schema is schema_version 99, wrong-type a final metric given as a string, nan a
    NaN in a config option no schema check types (one of another engine version): only the finite check sees it."""
    if kind == "empty":
        return b""
    if kind == "truncated":
        return good[: len(good) // 2]
    if kind == "binary":
        return BINARY
    doc = json.loads(good)
    if kind == "wrong-schema":
        doc["schema_version"] = 99
    elif kind == "wrong-type":
        doc["runs"][0]["final_metric"] = "0.5"
    elif kind == "no-runs":
        doc["runs"] = []
    elif kind == "nan":
        doc["runs"][0]["config"]["an_option_of_another_version"] = float("nan")
    return json.dumps(doc).encode()  # NaN as NaN: what Python's json writes unless told not to


def bench_variant(good: bytes, kind: str) -> bytes:
    """A benchmark file gone bad: wrong-schema lacks the headline timing, wrong-type has a wall time in words, nan a
    NaN in a run's GFLOP/s (a field no schema check types)."""
    if kind in ("empty", "truncated", "binary"):
        return results_variant(good, kind)
    doc = json.loads(good)
    if kind == "wrong-schema":
        del doc["headline"]
    elif kind == "nan":
        doc["headline"]["runs"][0]["gflops"] = float("nan")
    else:
        doc["headline"]["wall_s"] = "fast"
    return json.dumps(doc).encode()


def sweep_variant(good: bytes, kind: str, results: bytes) -> bytes:
    """A sweep file gone bad: wrong-schema is a results file, wrong-type a sequence length given as a string on
    line 2."""
    if kind in ("empty", "binary"):
        return results_variant(good, kind)
    if kind == "wrong-schema":
        return json.dumps(json.loads(results), indent=1).encode()
    lines = good.decode().splitlines(keepends=True)
    record = json.loads(lines[1])
    record["sequence_len"] = str(record["sequence_len"])
    return "".join([lines[0], json.dumps(record) + "\n", *lines[2:]]).encode()


def snapshot(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def folder(report_folder, tmp_path, monkeypatch) -> Path:
    """A copy of the report's folder (README, results, seeds, sweeps, benches) with an existing GIF, as cwd;
    training anywhere fails the test."""
    copy = tmp_path / "repo"
    shutil.copytree(report_folder, copy)
    shutil.copy(REPO / "rnn_pathological.gif", copy / "a.gif")
    monkeypatch.chdir(copy)

    # an experiment still being made (no sweep file, or no block yet in README.md or docs/*.md) is left out of the
    # report: these tests are about bad files
    pages = "".join(p.read_text() for p in [copy / "README.md", *sorted((copy / "docs").glob("*.md"))])
    present = {name: exp for name, exp in ex.EXPERIMENTS.items()
               if (copy / exp.data_path(False)).exists() and f"<!-- BEGIN experiment-{name} -->" in pages}
    monkeypatch.setattr(ex, "EXPERIMENTS", present)

    def no_training(*args, **kwargs):
        raise AssertionError("trained on a bad input file")

    monkeypatch.setattr(rp, "train", no_training)
    monkeypatch.setattr(rp, "run_many", no_training)
    return copy


def assert_refused(folder: Path, target: Path, bad: bytes, script: str, main, argv, *fragments: str) -> str:
    """Write `bad` to `target`, run main(argv) and check the refusal; returns the error line."""
    target.write_bytes(bad)
    before = snapshot(folder)
    code, out, err = run_main(main, argv)
    assert code == 2, (code, out, err)
    assert_one_line_error(subprocess.CompletedProcess(argv, code, out, err), script, target.name, *fragments)
    assert snapshot(folder) == before, "a file changed"
    return err


# ----------------------------------------------------------------------------------------------------------------
# results files: visualize, gif, analyze, report (results.json and results_seeds.json), experiments (convergence)

RESULTS_READERS = {
    "visualize": ("visualize_rnn_pathological.py", viz.main,
                  lambda f: ["--results", f / "results.json", "--outdir", f / "viz"]),
    "gif": ("make_rnn_pathological_gif.py", gif.main, lambda f: ["--results", f / "results.json", "--out", f / "a.gif"]),
    "analyze": ("rnnpath analyze matrices", an.main,
                lambda f: ["motif", "--results", f / "results.json", "--outdir", f / "viz"]),
    "report": ("rnnpath report", report.main, lambda f: []),
}


@pytest.mark.parametrize("kind", RESULTS_KINDS)
@pytest.mark.parametrize("reader", RESULTS_READERS)
def test_a_bad_results_file_is_refused_by_every_reader(folder, reader, kind):
    script, main, argv = RESULTS_READERS[reader]
    target = folder / "results.json"
    assert_refused(folder, target, results_variant(target.read_bytes(), kind), script, main, argv(folder))


@pytest.mark.parametrize("kind", RESULTS_KINDS)
@pytest.mark.parametrize("verb", ["report", "plot", "answer"])
def test_a_bad_seeds_file_is_refused_and_the_hint_is_the_seeds_command(folder, verb, kind):
    target = folder / "results" / "results_seeds.json"
    bad = results_variant(target.read_bytes(), kind)
    if verb == "report":
        line = assert_refused(folder, target, bad, "rnnpath report", report.main, [])
    else:
        line = assert_refused(folder, target, bad, "rnnpath experiment", ex.main,
                              [verb, "convergence", "--outdir", folder])
    assert "--seeds 0-9" in line and "--seed 0" not in line  # recreate the ten seeds, not one


# ----------------------------------------------------------------------------------------------------------------
# the benchmark files and the README: report


@pytest.mark.parametrize("kind", ["empty", "truncated", "binary", "wrong-schema", "wrong-type", "nan"])
@pytest.mark.parametrize("name", ["bench.json", "bench_float32.json"])
def test_a_bad_benchmark_file_is_refused_by_report(folder, name, kind):
    target = folder / "results" / name
    assert_refused(folder, target, bench_variant(target.read_bytes(), kind), "rnnpath report",
                   report.main, [])


@pytest.mark.parametrize("kind", ["empty", "truncated", "binary", "wrong-schema"])
def test_a_bad_readme_is_refused_by_report(folder, kind):
    target = folder / "README.md"
    good = target.read_bytes()
    bad = {"empty": b"", "truncated": good[: good.rindex(b"<!-- END ")], "binary": BINARY,
           "wrong-schema": b"# a README without generated blocks\n"}[kind]
    assert_refused(folder, target, bad, "rnnpath report", report.main, [])


# ----------------------------------------------------------------------------------------------------------------
# sweep files: report, experiments plot and answer, sweep run (resume), merge and summary, analyze


def sweep_readers(folder: Path) -> dict[str, tuple]:
    target = folder / "results" / "sweeps" / "xor_nesterov.jsonl"
    other = folder / "results" / "sweeps" / "identity_vs_ortho.jsonl"
    tiny = ["--tasks", "xor", "--inits", "ortho", "--sequence-lens", "30", "--seeds", "0", "--n-hidden", "8",
            "--n-epochs", "1", "--batches-per-epoch", "1", "--jobs", "1"]
    return {
        "report": ("rnnpath report", report.main, []),
        "experiments plot": ("rnnpath experiment", ex.main, ["plot", "xor_nesterov", "--outdir", folder]),
        "experiments answer": ("rnnpath experiment", ex.main,
                               ["answer", "xor_nesterov", "--outdir", folder]),
        "sweep run": ("rnnpath sweep", sweep.main, ["run", *tiny, "--out", target]),
        "sweep merge": ("rnnpath sweep", sweep.main,
                        ["merge", other, target, "--out", folder / "results" / "sweeps" / "merged.jsonl"]),
        "sweep summary": ("rnnpath sweep", sweep.main, ["summary", target]),
        "analyze": ("rnnpath analyze matrices", an.main, ["motif", "--results", target, "--outdir", folder / "viz"]),
    }


SWEEP_CASES = [(reader, kind) for reader in ("report", "experiments plot", "experiments answer", "sweep run",
                                             "sweep merge", "sweep summary", "analyze") for kind in SWEEP_KINDS
               # analyze reads results files too: a results file in place of a sweep file is good input to it
               if (reader, kind) != ("analyze", "wrong-schema")]


@pytest.mark.parametrize("reader, kind", SWEEP_CASES)
def test_a_bad_sweep_file_is_refused_by_every_reader(folder, reader, kind):
    script, main, argv = sweep_readers(folder)[reader]
    target = folder / "results" / "sweeps" / "xor_nesterov.jsonl"
    bad = sweep_variant(target.read_bytes(), kind, (folder / "results.json").read_bytes())
    assert_refused(folder, target, bad, script, main, argv)


@pytest.mark.parametrize("reader", ["report", "experiments plot", "experiments answer", "sweep summary", "analyze"])
def test_an_empty_sweep_file_is_refused_where_records_are_needed(folder, reader):
    script, main, argv = sweep_readers(folder)[reader]
    assert_refused(folder, folder / "results" / "sweeps" / "xor_nesterov.jsonl", b"", script, main, argv)


# ----------------------------------------------------------------------------------------------------------------
# NaN and infinities in the analyses' results files and the benchmark: Python's json reads them, the suite never
# writes them (allow_nan=False); once read they crashed the report (a NaN rho: KeyError) or reached README lines and
# figures as `nan`. Each reader refuses them, naming the file and the field.

# file: (where the bad number goes, the field as the error names it, the reading function, the script that reads it
# and its arguments, {bad} the bad file's path and {dir} the folder)
NONFINITE_CASES = {
    "memory_curse.json": (("rhos", 0), "field rhos[0]", mc.load, "rnnpath analyze memory",
                          ["plot", "--results", "{bad}", "--out", "{dir}/a.png"]),
    "bytedmd.json": (("measurements", 0, "cost", "float64", "total"), "field measurements[0].cost.float64.total",
                     bd.load, "rnnpath analyze bytedmd", ["plot", "--results", "{bad}", "--out", "{dir}/a.png"]),
    "attractors.json": (("runs", 0, "channels", 0, "snapshots", 0, "lyapunov"),
                        "field runs[0].channels[0].snapshots[0].lyapunov", dy.load, "rnnpath analyze attractors",
                        ["plot", "--results", "{bad}", "--out", "{dir}/a.png"]),
    "bench.json": (("headline", "runs", 0, "gflops"), "field headline.runs[0].gflops", files.load_bench,
                   "rnnpath bench", ["--cells-only", "--quick", "--out", "{bad}"]),
}


def with_number(good: bytes, keys: tuple, value: float) -> bytes:
    """The file with the number at `keys` replaced by `value`, written as Python's json writes it (NaN, Infinity)."""
    doc = json.loads(good)
    place = doc
    for key in keys[:-1]:
        place = place[key]
    place[keys[-1]] = value
    return json.dumps(doc).encode()


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf")], ids=["nan", "inf", "-inf"])
@pytest.mark.parametrize("name", NONFINITE_CASES)
def test_a_nonfinite_number_is_refused_by_the_reading_function(tmp_path, name, value):
    keys, field, load, _, _ = NONFINITE_CASES[name]
    path = tmp_path / name
    path.write_bytes(with_number((REPO / "results" / name).read_bytes(), keys, value))
    with pytest.raises(files.FileError) as err:
        load(str(path))
    message = str(err.value)
    assert "\n" not in message and str(path) in message
    assert f"{field} is {json.dumps(value)}, not a finite number" in message


@pytest.mark.parametrize("name", NONFINITE_CASES)
def test_a_nan_is_refused_by_the_report(folder, name):
    keys, field, _, _, _ = NONFINITE_CASES[name]
    target = folder / "results" / name
    assert_refused(folder, target, with_number(target.read_bytes(), keys, float("nan")), "rnnpath report",
                   report.main, [], field, "NaN")


@pytest.mark.parametrize("name", NONFINITE_CASES)
def test_a_nan_is_refused_by_the_script_that_reads_the_file(folder, name):
    """As a user runs it (a subprocess), and before any work: a figure is not drawn, the benchmark not measured."""
    keys, field, _, script, args = NONFINITE_CASES[name]
    bad = folder / f"bad_{name}"
    bad.write_bytes(with_number((folder / "results" / name).read_bytes(), keys, float("nan")))
    before = snapshot(folder)
    proc = run_script(script, *(a.format(bad=bad, dir=folder) for a in args))
    assert proc.returncode == 2, proc.stderr
    assert_one_line_error(proc, script, bad.name, field, "NaN")
    assert snapshot(folder) == before


def test_a_committed_file_and_a_large_finite_number_pass():
    """The check refuses what is not finite, not what is large: 1e308 passes, 1e999 (read as inf) does not."""
    assert files.nonfinite_field({"a": [1, 2.5, {"b": 1e308, "c": None, "d": "NaN"}]}) is None
    assert files.nonfinite_field(json.loads('{"a": [1, {"b": 1e999}]}')) == ("a[1].b", float("inf"))
    assert files.nonfinite_field(json.loads("NaN"))[0] == ""
    deep = float("inf")
    for _ in range(5000):  # deeper than a recursive walk could follow
        deep = [deep]
    assert files.nonfinite_field(deep) == ("[0]" * 5000, float("inf"))
    for name, (_, _, load, _, _) in NONFINITE_CASES.items():
        load(str(REPO / "results" / name))


def test_bench_cells_only_checks_the_file_before_measuring(tmp_path, monkeypatch):
    """A cut-off benchmark file was a JSONDecodeError traceback; one with a NaN was measured, then failed to write."""

    def fail(*args, **kwargs):
        raise AssertionError("measured before checking the file")

    monkeypatch.setattr(bench, "cell_steps", fail)
    good = (REPO / "results" / "bench.json").read_bytes()
    for kind, fragment in (("truncated", "looks cut off"), ("nan", "headline.runs[0].gflops is NaN")):
        path = tmp_path / "bench.json"
        path.write_bytes(bench_variant(good, kind))
        code, out, err = run_main(bench.main, ["--cells-only", "--out", path])
        assert code == 2, (out, err)
        assert_one_line_error(subprocess.CompletedProcess([], code, out, err), "rnnpath bench",
                              str(path), fragment)
        assert path.read_bytes() == bench_variant(good, kind)


# ----------------------------------------------------------------------------------------------------------------
# the same, as a user sees it: a subprocess per script, no traceback


@pytest.mark.parametrize("script, args, kind", [
    ("visualize_rnn_pathological.py", ["--results", "{bad}", "--outdir", "{dir}/viz"], "binary"),
    ("make_rnn_pathological_gif.py", ["--results", "{bad}", "--out", "{dir}/a.gif"], "truncated"),
    ("rnnpath report", ["--results", "{bad}", "--readme", "{dir}/README.md"], "wrong-schema"),
    ("rnnpath analyze matrices", ["nonnormality", "--results", "{bad}", "--outdir", "{dir}/viz"], "wrong-type"),
    ("rnnpath sweep", ["summary", "{bad}"], "no-runs"),
    ("rnnpath analyze matrices", ["motif", "--results", "{bad}", "--outdir", "{dir}/viz"], "nan"),
])
def test_each_script_as_a_subprocess(folder, script, args, kind):
    bad = folder / "bad.json"
    bad.write_bytes(results_variant((folder / "results.json").read_bytes(), kind))
    before = snapshot(folder)
    proc = run_script(script, *(a.format(bad=bad, dir=folder) for a in args))
    assert proc.returncode == 2, proc.stderr
    assert_one_line_error(proc, script, "bad.json")
    assert snapshot(folder) == before


def test_experiments_as_a_subprocess(folder):
    target = folder / "results" / "sweeps" / "latching.jsonl"
    target.write_bytes(sweep_variant(target.read_bytes(), "wrong-type", b""))
    before = snapshot(folder)
    proc = run_script("rnnpath experiment", "answer", "latching", "--outdir", str(folder))
    assert proc.returncode == 2
    assert_one_line_error(proc, "rnnpath experiment", "latching.jsonl", "line 2", "sequence_len")
    assert snapshot(folder) == before


def test_the_good_folder_passes(folder):
    """The folder the cases corrupt is good: every reader succeeds on it (so each refusal above is the bad file's)."""
    code, _, err = run_main(report.main, ["--check"])
    assert code in (0, 1), err
    assert run_main(gif.main, ["--results", folder / "results.json", "--out", folder / "a.gif"])[0] == 0
    assert run_main(ex.main, ["answer", "xor_nesterov", "--outdir", folder])[0] == 0
    assert run_main(sweep.main, ["summary", folder / "results" / "sweeps" / "xor_nesterov.jsonl"])[0] == 0
