"""`python -m rnnpath`: one command line for every tool, --help at each level, one-line errors (issue 21)."""

import pytest
from cli_helpers import assert_one_line_error, run_script

from rnnpath.__main__ import TOOLS
from rnnpath.analyses import ANALYSES


def test_help_lists_every_tool_and_each_tool_answers_help():
    proc = run_script("rnnpath", "--help")
    assert proc.returncode == 0
    for name in TOOLS:
        assert f"\n  {name} " in proc.stdout
    assert "rnn_pathological.py" in proc.stdout  # the engine is named as the thing the tools build on


@pytest.mark.parametrize("words", [[name] for name in TOOLS] + [["analyze", name] for name in ANALYSES])
def test_every_tool_and_analysis_answers_help(words):
    proc = run_script("rnnpath", *words, "--help")
    assert proc.returncode == 0 and "usage" in proc.stdout.lower(), proc.stderr


@pytest.mark.parametrize("words, prefix, says", [
    (["nope"], "rnnpath", "unknown tool 'nope'; choose from sweep, experiment, analyze, report, bench"),
    (["analyze", "nope"], "rnnpath analyze", "unknown analysis 'nope'"),
    (["sweep", "merge"], "rnnpath sweep", "required"),
    (["analyze", "attractors", "plot", "--bogus"], "rnnpath analyze attractors", "--bogus"),
])
def test_bad_words_are_one_line_errors_named_by_their_tool(words, prefix, says):
    proc = run_script("rnnpath", *words)
    assert proc.returncode == 2
    assert_one_line_error(proc, prefix, says)


def test_no_words_prints_the_usage_and_fails():
    proc = run_script("rnnpath")
    assert proc.returncode == 2 and proc.stdout.startswith("usage: python -m rnnpath TOOL")
