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


@pytest.fixture(scope="session")
def report_folder(results_path, tmp_path_factory) -> Path:
    """A folder the README report reads as it reads the repository: the committed README, sweeps/*.jsonl and
    benchmark (and other top-level JSON) files, with the tiny results file standing in for results.json and
    results_seeds.json (the committed ones take seconds to analyse). Copy it before changing anything in it."""
    import shutil

    repo = Path(__file__).resolve().parents[1]
    folder = tmp_path_factory.mktemp("report") / "repo"
    folder.mkdir()
    shutil.copy(repo / "README.md", folder)
    shutil.copytree(repo / "sweeps", folder / "sweeps", ignore=shutil.ignore_patterns("quick"))
    for path in repo.glob("*.json"):
        shutil.copy(path, folder)
    for name in ("results.json", "results_seeds.json"):
        shutil.copy(results_path, folder / name)
    return folder
