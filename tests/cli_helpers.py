"""Shared by the tests of the scripts' command lines: run a script as a user would, check a one-line error."""

import subprocess
import sys
from pathlib import Path

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


def assert_one_line_error(proc: subprocess.CompletedProcess, script: str, *fragments: str) -> None:
    """A failure with one line on stderr, `SCRIPT: error: ...`, containing every fragment, and no traceback."""
    assert proc.returncode != 0
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith(f"{script}: error:")
    assert "Traceback" not in proc.stderr
    for fragment in fragments:
        assert fragment in lines[0]
