"""Ctrl-C in the middle of every script's work: one line on stderr, exit status 130, no traceback, nothing half-written.

Each script's main runs in a child process, as `sys.exit(main(argv))` does under `if __name__ == "__main__"`, and
gets SIGINT (sent to its process group, as a terminal sends Ctrl-C) once its imports are done: a Ctrl-C during the
first second of imports happens before any main() runs and is no script's to catch, and several scripts print
nothing until they finish, so the child says `ready` itself when main() is about to start.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

# argv[1] the module, argv[2:] main's arguments; `ready` once the module (and so everything it imports) is loaded
DRIVER = ("import importlib, sys; module = importlib.import_module(sys.argv[1]); print('ready', flush=True); "
          "sys.exit(module.main(sys.argv[2:]))")
SETTLE_S = 0.2  # after `ready`: main() is past its checks and computing (each command below runs a second or more)


def commands(tmp: Path) -> dict[str, list[str]]:
    """A command of each script that runs for several seconds, every output under `tmp`."""
    return {
        "engine": ["rnn_pathological", "--task", "addition", "--n-epochs", "500", "--out", tmp / "r.json"],
        "gif --retrain": ["make_rnn_pathological_gif", "--retrain", "--n-epochs", "500", "--out", tmp / "a.gif"],
        "visualize": ["visualize_rnn_pathological", "--results", REPO / "results.json", "--outdir", tmp / "viz"],
        "report": ["rnnpath.report", "--check"],  # run in a copy of the repository's files (report_folder)
        "analyze fisher": ["rnnpath.analyses.matrices", "fisher", "--outdir", tmp / "viz"],
        "dynamics run": ["rnnpath.analyses.attractors", "run", "--snapshots",
                         REPO / "results" / "results_snapshots.json", "--out", tmp / "attractors.json"],
        "memory run": ["rnnpath.analyses.memory_curse", "run", "--out", tmp / "memory_curse.json"],
        "bytedmd run": ["rnnpath.analyses.bytedmd", "run", "--quiet", "--out", tmp / "bytedmd.json"],
        "bench": ["rnnpath.bench", "--quick", "--jobs", "1", "--repeats", "3", "--out", tmp / "bench.json"],
        "sweep": ["rnnpath.sweep", "run", "--tasks", "addition", "--inits", "ortho", "random", "--seeds",
                  "0-3", "--jobs", "1", "--out", tmp / "sweep.jsonl"],
        "experiments run": ["rnnpath.experiments", "run", "solve_vs_T", "--jobs", "1", "--outdir",
                            tmp],
    }


def interrupted(module: str, args: list, cwd: Path, name: str) -> tuple[int, str]:
    """Start `module`'s main in a child, send it Ctrl-C once it is under way; its exit status and stderr."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
    # preexec_fn: the child starts with SIGINT at its default, as from a terminal, even if the runner ignores it
    with subprocess.Popen([sys.executable, "-c", DRIVER, module, *map(str, args)], cwd=cwd, env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
                          preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL)) as proc:  # noqa: PLW1509
        assert proc.stdout.readline() == "ready\n", proc.communicate(timeout=60)[1]
        time.sleep(SETTLE_S)
        assert proc.poll() is None, f"{name} finished before the Ctrl-C; give it a longer command"
        os.killpg(proc.pid, signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    return proc.returncode, err


@pytest.mark.parametrize("name", list(commands(Path())))
def test_ctrl_c_ends_every_script_in_one_line(name, tmp_path, report_folder):
    module, *args = commands(tmp_path)[name]
    cwd = report_folder if name == "report" else REPO  # the report reads its files from the current folder
    code, err = interrupted(module, args, cwd, name)
    if code == 0 and not err:  # seen once in CI: the run ended as if the Ctrl-C had come too late; ask once more
        code, err = interrupted(module, args, cwd, name)
    proc = subprocess.CompletedProcess([module], code, "", err)
    lines = [line for line in err.splitlines() if line.strip()]
    assert proc.returncode == 130, err
    assert len(lines) == 1 and lines[0].startswith("interrupted"), err
    assert "Traceback" not in err
    left = [p.name for p in tmp_path.rglob("*") if p.name.endswith(".tmp")]
    assert left == []  # an interrupted atomic write removes its temporary file
