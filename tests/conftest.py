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
    """A folder the report reads as it reads the repository: the committed README (and docs/ where there is one),
    results/ with its sweeps/*.jsonl, benchmark and other JSON files, with the tiny results file standing in for
    results.json and results/results_seeds.json (the committed ones take seconds to analyse). Copy it before
    changing anything in it."""
    import shutil

    repo = Path(__file__).resolve().parents[1]
    folder = tmp_path_factory.mktemp("report") / "repo"
    folder.mkdir()
    shutil.copy(repo / "README.md", folder)
    if (repo / "docs").is_dir():
        shutil.copytree(repo / "docs", folder / "docs")
    shutil.copytree(repo / "results", folder / "results", ignore=shutil.ignore_patterns("quick", "array"))
    shutil.copy(results_path, folder / "results.json")
    shutil.copy(results_path, folder / "results" / "results_seeds.json")
    return folder
