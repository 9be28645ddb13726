"""Fixtures shared by the test files."""

from pathlib import Path

import pytest

import rnn_pathological as rp


@pytest.fixture(scope="session")
def results_path(tmp_path_factory) -> Path:
    """A real results file from the engine: the headline runs, tiny (4 epochs of 2 batches, 8 units; a second)."""
    path = tmp_path_factory.mktemp("results") / "results.json"
    argv = ["--all", "--n-epochs", "4", "--batches-per-epoch", "2", "--n-hidden", "8", "--quiet", "--jobs", "1",
            "--out", str(path)]
    assert rp.main(argv) == 0
    return path
