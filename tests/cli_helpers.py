"""Shared by the tests of the scripts' command lines: run a script as a user would, check a one-line error."""

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def run_script(script: str, *args: str) -> subprocess.CompletedProcess:
    """`python SCRIPT ARGS...` from the repository root, output captured."""
    return subprocess.run([sys.executable, script, *map(str, args)], cwd=REPO, capture_output=True, text=True,
                          timeout=120, check=False)


def assert_one_line_error(proc: subprocess.CompletedProcess, script: str, *fragments: str) -> None:
    """A failure with one line on stderr, `SCRIPT: error: ...`, containing every fragment, and no traceback."""
    assert proc.returncode != 0
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith(f"{script}: error:")
    assert "Traceback" not in proc.stderr
    for fragment in fragments:
        assert fragment in lines[0]
