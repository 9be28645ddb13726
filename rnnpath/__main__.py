"""The suite's one command line beyond the engine: python -m rnnpath TOOL ... (or the console script `rnnpath`).

Each tool is a module with build_parser() and main(argv); this file picks one by name and imports only that one,
so `--help` and a bad name answer at once.
"""

from __future__ import annotations

import sys

import rnn_pathological as rp
from rnnpath.cli import dispatch

# name on the command line -> (module, what it does)
TOOLS = {
    "sweep": ("rnnpath.sweep", "resumable, shardable grids of training runs: run, merge, summary"),
    "experiment": ("rnnpath.experiments", ("named experiments answered from their sweep files: list, run, plot, "
                                           "answer")),
    "analyze": ("rnnpath.analyses", "analyses that never train: matrices, attractors, memory, bytedmd"),
    "report": ("rnnpath.report", "rewrite (or --check) the generated blocks of README.md and docs/ from the files"),
    "bench": ("rnnpath.bench", "the benchmark: wall time, scaling in T and H, each cell's and optimiser's step"),
}


def usage() -> str:
    lines = ["usage: python -m rnnpath TOOL ...   (or: rnnpath TOOL ...)", "",
             "The engine itself is python rnn_pathological.py (rnn-pathological); these tools build on it.", "",
             "tools:"]
    lines += [f"  {name:11s} {what}" for name, (_, what) in TOOLS.items()]
    lines += ["", "python -m rnnpath TOOL --help gives each tool's commands and options."]
    return "\n".join(lines)


@rp.script_main  # Ctrl-C while a tool is imported: one line too
def main(argv: list[str] | None = None) -> int:
    return dispatch(argv, TOOLS, usage(), "rnnpath", "tool")


if __name__ == "__main__":
    sys.exit(main())
