"""rnnpath: everything the suite adds around the engine (rnn_pathological.py), behind one command line.

    python -m rnnpath --help                  # the tools; `python -m rnnpath TOOL --help` for each

The map, in dependency order (every module imports only from the engine and from modules above it):

    text.py          plurals, word lists, durations, markdown tables: the prose helpers
    stats.py         Wilson intervals, medians and ranges
    criteria.py      per-case (|error| > 0.04) criteria: partial predictors' wrong fractions, the threshold
    style.py         the plot style and the atomic figure writer every figure uses
    files.py         every results, sweep and benchmark file is read and checked here
    sweep.py         resumable, shardable sweeps (run, merge, summary)
    experiments/     base (grids, the Experiment record, helpers), one module per family (baseline, family,
                     dynamics, gated), and the registry and command line in __init__
    analyses/        base (the command line they share: each declares its commands), then matrices,
                     attractors, memory_curse, bytedmd: closed forms and saved-run analyses
    bench.py         the benchmark
    report.py        the generated blocks of README.md and docs/, from the files under results/
    cli.py           the dispatcher that picks a tool (or an analysis) by name
    __main__.py      the command line: python -m rnnpath {sweep,experiment,analyze,report,bench}
"""
