"""Every command in a fenced block of README.md and docs/*.md runs as written: each one's --help, with the same
script, tool and subcommand words, answers with exit status 0 (issue 21). The README's own two commands are run for
real by CI; here only their parsers are asked."""

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
SHELL_ONLY = {"sbatch", "squeue", "git", "mkdir", "source", "cd"}  # not the suite's: nothing to ask


def fenced_commands(page: Path) -> list[str]:
    """The commands of the page's ```bash blocks, continuation lines joined, comments and `&&` chains split."""
    commands = []
    for block in re.findall(r"```bash\n(.*?)```", page.read_text(), re.DOTALL):
        for line in block.replace("\\\n", " ").splitlines():
            line = line.split("  #")[0].split(" # ")[0].strip()
            commands += [part.strip() for part in line.split("&&") if part.strip()]
    return commands


COMMANDS = [(page.relative_to(ROOT).as_posix(), command) for page in PAGES for command in fenced_commands(page)]


def help_argv(command: str) -> list[str] | None:
    """The argv that asks the same script, tool and subcommands for --help; None for a command not of the suite."""
    words = shlex.split(command)
    while words and re.fullmatch(r"[A-Z_]+=\S*", words[0]):
        words.pop(0)  # an environment assignment in front: never applied here
    program = words[0]
    if Path(program).name in SHELL_ONLY:
        return None
    if Path(program).name == "pip":
        return [sys.executable, "-m", "pip", "--version"]
    assert Path(program).name in ("python", "python3"), f"not a command of the suite: {command}"
    rest = words[1:]
    if rest[:1] == ["-m"]:
        module, rest = rest[1], rest[2:]
        head = [sys.executable, "-m", module]
    else:
        head, rest = [sys.executable, rest[0]], rest[1:]
    kept = []
    for word in rest:  # subcommands and positionals up to the first option
        if word.startswith("-"):
            break
        kept.append(word)
    return [*head, *kept, "--help"]


def test_the_pages_hold_commands():
    assert len(COMMANDS) > 20
    pages = {page for page, _ in COMMANDS}
    assert {"README.md", "docs/experiments.md", "docs/analyses.md"} <= pages


@pytest.mark.parametrize("page, command", COMMANDS, ids=[f"{p}: {c[:60]}" for p, c in COMMANDS])
def test_every_fenced_command_answers_help(page, command):
    argv = help_argv(command)
    if argv is None:
        return
    proc = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, f"{page}: {command}\n{proc.stderr}"
    assert "usage" in proc.stdout.lower() or "pip" in proc.stdout, proc.stdout[:200]
