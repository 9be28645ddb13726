"""Shared by the tests of the scripts' command lines: run a script as a user would, check a one-line error."""

import contextlib
import io
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

REPO = Path(__file__).resolve().parents[1]


def command_line(script: str) -> list[str]:
    """The interpreter and words that start `script`: `python FILE.py` for the engine and the figure scripts, or
    `python -m rnnpath TOOL ...` for a tool named as its error messages name it ("rnnpath sweep")."""
    words = script.split()
    return [sys.executable, "-m", *words] if words[0] == "rnnpath" else [sys.executable, script]


def run_script(script: str, *args: str, **kwargs) -> subprocess.CompletedProcess:
    """`python SCRIPT ARGS...` (or `python -m rnnpath TOOL ARGS...`) from the repository root, output captured;
    `kwargs` go to subprocess.run."""
    return subprocess.run([*command_line(script), *map(str, args)], cwd=REPO, capture_output=True, text=True,
                          timeout=kwargs.pop("timeout", 120), check=False, **kwargs)


class Ran(NamedTuple):
    """What run_main saw, named as a CompletedProcess names it, so assert_one_line_error takes either; it also
    unpacks as (exit status, stdout, stderr)."""

    returncode: int
    stdout: str
    stderr: str


def run_main(main: Callable[[list[str]], int], argv) -> Ran:
    """A script's main(argv) in process, as its command line would run it, its stdout and stderr captured; `argv`
    may hold paths. argparse's errors and --help exit through SystemExit, whose code is the exit status."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main([str(a) for a in argv])
        except SystemExit as exit_:
            code = exit_.code
    return Ran(code, out.getvalue(), err.getvalue())


def assert_one_line_error(proc: subprocess.CompletedProcess | Ran, script: str, *fragments: str) -> None:
    """A failure with one line on stderr, `SCRIPT: error: ...`, containing every fragment, and no traceback."""
    assert proc.returncode != 0
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith(f"{script}: error:")
    assert "Traceback" not in proc.stderr
    for fragment in fragments:
        assert fragment in lines[0]


def cell_run_files(folder: Path, cell: str, options: list[str]) -> tuple[Path, Path]:
    """(results file, sweep file) of one tiny temporal_order run of `cell` (T = 10, seed 0) from each command line:
    the engine's, with a snapshot every epoch, and the sweep's, keeping the weights. `options` sizes the run."""
    import rnn_pathological as rp
    from rnnpath import sweep

    results, swept = folder / "results.json", folder / "sweep.jsonl"
    assert rp.main(["--task", "temporal_order", "--sequence-len", "10", "--cell", cell, *options, "--snapshot-every",
                    "1", "--quiet", "--out", str(results)]) == 0
    ran = run_main(sweep.main, ["run", "--tasks", "temporal_order", "--inits", "ortho", "--sequence-lens", "10",
                                "--seeds", "0", "--cell", cell, *options, "--keep-weights", "--jobs", "1", "--quiet",
                                "--out", swept])
    assert ran.returncode == 0, ran.stderr
    return results, swept


def assert_analyses_refuse(paths: tuple[Path, Path], cell: str, command: str) -> None:
    """The analyses that read a record's network refuse runs of `cell` (one that has no map of its own) in one line:
    attractors from the results file with snapshots, matrices' `command` from both files of cell_run_files."""
    import argparse

    import pytest

    from rnnpath import files
    from rnnpath.analyses import attractors, matrices

    assert cell not in attractors.MAPS  # no map, so no run of it is read as another cell's
    with pytest.raises(files.FileError, match=f"is a {cell} cell") as err:
        attractors.load_snapshots(str(paths[0]))
    assert "\n" not in str(err.value)
    for path in paths:
        with pytest.raises(matrices.AnalysisError, match=f"holds {cell} runs") as err:
            matrices.read_runs(argparse.Namespace(results=str(path), command=command))
        assert "\n" not in str(err.value)
