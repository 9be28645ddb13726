"""Analyses that never train: closed forms and what saved runs hold.

    python -m rnnpath analyze matrices {fisher,nonnormality,motif,gradients}   # recurrent matrices -> viz/
    python -m rnnpath analyze attractors {run,plot}    # snapshots -> results/attractors.json -> viz/bifurcation.png
    python -m rnnpath analyze memory {run,plot}        # the curse of memory -> results/memory_curse.json
    python -m rnnpath analyze bytedmd {run,plot}       # data-movement cost of BPTT -> results/bytedmd.json

Each analysis is a module that declares its commands (what each reads, makes and writes) as a base.Analysis,
whose build_parser() and main(argv) every analysis shares: the parsing, the checks before any work, the JSON or
PNG written and the one-line errors. main() here picks one analysis by name.
"""

from __future__ import annotations

from rnnpath.cli import dispatch

# name on the command line -> (module, what it does)
ANALYSES = {
    "matrices": ("rnnpath.analyses.matrices", "Fisher memory, non-normality, chain motifs and gradients of W_hh"),
    "attractors": ("rnnpath.analyses.attractors", "fixed points, orbits and bifurcations of saved snapshots"),
    "memory": ("rnnpath.analyses.memory_curse", "the curse of memory of one linear unit, closed form and Monte Carlo"),
    "bytedmd": ("rnnpath.analyses.bytedmd", "the data-movement cost (ByteDMD) of one training step"),
    "signal": ("rnnpath.analyses.signal", "signal propagation at initialisation: LRU, complex diagonal RNN, GRU"),
}


def usage() -> str:
    lines = ["usage: python -m rnnpath analyze ANALYSIS ...", "", "analyses:"]
    lines += [f"  {name:12s} {what}" for name, (_, what) in ANALYSES.items()]
    lines += ["", "python -m rnnpath analyze ANALYSIS --help gives each one's commands and options."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    return dispatch(argv, ANALYSES, usage(), "rnnpath analyze", "analysis")
