"""The GIF script: frame count, size and timing of the GIF, --retrain through train's callback, one-line errors."""

import dataclasses
import json
import math
import subprocess
from pathlib import Path

import imageio.v3 as iio
import numpy as np
import pytest
from cli_helpers import assert_one_line_error as assert_one_line_error_of
from cli_helpers import run_script

import make_rnn_pathological_gif as gif
import rnn_pathological as rp
from rnnpath import files

REPO = Path(__file__).resolve().parent.parent
MAX_BYTES = 300 * 1024


@pytest.fixture(scope="module")
def long_results_path(results_path, tmp_path_factory) -> Path:
    """The same file with 80 noisy synthetic epochs per run: the headline length, for the size budget."""
    doc = json.loads(results_path.read_text())
    rng = np.random.default_rng(0)
    epochs = np.arange(1, 81)
    for run in doc["runs"]:
        solved = run["init"] == "ortho"
        if run["higher_is_better"]:
            end = 1.0 if solved else run["chance"]
            metric = run["chance"] + (end - run["chance"]) / (1 + np.exp(-(epochs - 25) / 4))
            metric = np.clip(metric + 0.02 * rng.standard_normal(80), 0, 1)
        else:
            metric = run["chance"] * np.exp(-epochs / (20 if solved else 1e4)) * np.exp(0.1 * rng.standard_normal(80))
        loss = np.exp(0.2 * rng.standard_normal(80)) * (metric if not run["higher_is_better"] else 2 - metric)
        run["history"] = [
            {"epoch": int(e), "loss": float(l), "metric": float(m), "grad_norm": 1.0, "elapsed_s": 0.1 * e}
            for e, l, m in zip(epochs, loss, metric, strict=True)
        ]
        beyond = (metric > run["solved_threshold"]) == run["higher_is_better"]
        hits = [int(e) for e, hit in zip(epochs, beyond, strict=True) if hit]
        run["solved_epoch"] = hits[0] if hits else None
    path = tmp_path_factory.mktemp("long") / "results.json"
    path.write_text(json.dumps(doc))
    return path


def frame_count(path: Path) -> int:
    return iio.imread(path, index=None).shape[0]


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return run_script("make_rnn_pathological_gif.py", *args)


def assert_one_line_error(proc: subprocess.CompletedProcess, *fragments: str) -> None:
    assert_one_line_error_of(proc, "make_rnn_pathological_gif.py", *fragments)


# ----------------------------------------------------------------------------------------------------------------
# frames


@pytest.mark.parametrize("n_epochs, every", [(80, 2), (80, 3), (4, 1), (4, 3), (5, 10), (1, 1)])
def test_frame_epochs_formula(n_epochs, every):
    shown = gif.frame_epochs(n_epochs, every)
    assert len(shown) == math.ceil(n_epochs / every)
    assert shown[-1] == n_epochs and shown == sorted(set(shown))


def test_default_every_gives_about_forty_frames():
    assert gif.default_every(80) == 2
    assert gif.default_every(4) == 1
    assert 30 <= len(gif.frame_epochs(1000, gif.default_every(1000))) <= 40


def test_frames_from_history(results_path):
    doc = files.load_results(str(results_path))
    runs = gif.select_runs(doc, "3bit_memorization", None, None, str(results_path))
    assert [r["init"] for r in runs] == ["ortho", "random"]
    frames = gif.frames_from_history(runs, every=3)
    assert len(frames) == math.ceil(4 / 3)
    assert all(f.shape == (320, 600, 3) and f.dtype == np.uint8 for f in frames)
    assert not np.array_equal(frames[0], frames[-1])  # the curves grow


# ----------------------------------------------------------------------------------------------------------------
# the GIF file


def test_default_gif_from_headline_length_history(long_results_path, tmp_path, capsys):
    out = tmp_path / "rnn_pathological.gif"
    assert gif.main(["--results", str(long_results_path), "--out", str(out)]) == 0
    assert out.read_bytes()[:6] in (b"GIF87a", b"GIF89a")
    assert out.stat().st_size < MAX_BYTES
    assert frame_count(out) == 40  # 80 epochs, every 2
    assert iio.immeta(out, index=0)["duration"] == pytest.approx(100)
    assert iio.immeta(out, index=39)["duration"] == pytest.approx(100 * (1 + 10))  # the held last frame
    assert iio.immeta(out).get("loop") == 0
    assert capsys.readouterr().out.startswith(f"wrote {out} (40 frames")


def test_gif_options(results_path, tmp_path):
    out = tmp_path / "a.gif"
    argv = ["--results", str(results_path), "--task", "addition", "--sequence-len", "30", "--every", "3",
            "--fps", "5", "--hold", "0", "--out", str(out)]
    assert gif.main(argv) == 0
    assert frame_count(out) == 2
    assert iio.immeta(out, index=1)["duration"] == pytest.approx(200)


def test_cached_mode_never_trains(results_path, tmp_path, monkeypatch):
    def no_training(*args, **kwargs):
        raise AssertionError("the cached mode must not train")

    monkeypatch.setattr(rp, "train", no_training)
    monkeypatch.setattr(rp, "forward_backward", no_training)
    assert gif.main(["--results", str(results_path), "--out", str(tmp_path / "a.gif")]) == 0


# ----------------------------------------------------------------------------------------------------------------
# --retrain


def test_retrain_uses_train_with_a_callback(tmp_path, monkeypatch):
    """A fake train feeds synthetic epoch records to the callback; the GIF is drawn from those records."""
    calls = []

    def fake_train(task, init, sequence_len=None, *, seed=0, callback=None, **overrides):
        calls.append((task, init, sequence_len, seed, overrides))
        assert callable(callback)
        for epoch in range(1, overrides["n_epochs"] + 1):
            accuracy = min(1.0, 0.1 * epoch) if init == "ortho" else 0.125
            callback({"epoch": epoch, "loss": 2.0 - accuracy, "metric": accuracy, "grad_norm": 1.0,
                      "elapsed_s": 0.01 * epoch})
        return {"task": task, "init": init, "sequence_len": sequence_len, "seed": seed, "chance": 0.125,
                "metric_name": "accuracy", "higher_is_better": True, "solved_threshold": 0.9, "history": [],
                "solved_epoch": None, "diverged": False}

    monkeypatch.setattr(rp, "train", fake_train)
    out = tmp_path / "r.gif"
    argv = ["--retrain", "--seed", "3", "--n-epochs", "12", "--batches-per-epoch", "1", "--n-hidden", "8",
            "--every", "1", "--quiet", "--out", str(out), "--results", str(tmp_path / "absent.json")]
    assert gif.main(argv) == 0
    assert [c[:4] for c in calls] == [("3bit_memorization", init, 60, 3) for init in ("ortho", "random")]
    assert calls[0][4] == {"n_epochs": 12, "batches_per_epoch": 1, "n_hidden": 8}
    assert frame_count(out) == 12


def test_retrain_for_real_tiny(tmp_path):
    out = tmp_path / "r.gif"
    argv = ["--retrain", "--task", "addition", "--n-epochs", "2", "--batches-per-epoch", "1", "--n-hidden", "8",
            "--quiet", "--out", str(out)]
    assert gif.main(argv) == 0
    assert frame_count(out) == 2


def test_with_callback_history_takes_the_solved_epoch_from_the_records():
    run = {"higher_is_better": True, "solved_threshold": 0.9, "history": [], "solved_epoch": None}
    records = [{"epoch": e, "loss": 1.0, "metric": m, "grad_norm": 1.0} for e, m in [(1, 0.5), (2, 0.95)]]
    merged = gif.with_callback_history(run, records)
    assert merged["history"] == records and merged["solved_epoch"] == 2


# ----------------------------------------------------------------------------------------------------------------
# command-line errors: one line on stderr, no traceback


def test_missing_results_file_gives_the_command(tmp_path):
    proc = run_cli("--results", str(tmp_path / "results.json"), "--out", str(tmp_path / "a.gif"))
    assert_one_line_error(proc, "python rnn_pathological.py --all", "not found")
    assert not (tmp_path / "a.gif").exists()


def test_unknown_task_and_length_lists_what_is_available(results_path, tmp_path, capsys):
    proc = run_cli("--results", str(results_path), "--task", "xor", "--out", str(tmp_path / "a.gif"))
    assert_one_line_error(proc, "xor", "available:", "addition T=30", "3bit_memorization T=60")
    assert gif.main(["--results", str(results_path), "--sequence-len", "30", "--out", str(tmp_path / "a.gif")]) == 2
    err = capsys.readouterr().err
    assert "3bit_memorization at T=30" in err and "available:" in err
    assert not (tmp_path / "a.gif").exists()


def test_unwritable_out_fails_before_training(tmp_path, monkeypatch, capsys):
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")
    monkeypatch.setattr(rp, "train", lambda *a, **k: pytest.fail("trained before checking --out"))
    assert gif.main(["--retrain", "--out", str(blocker / "a.gif")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("make_rnn_pathological_gif.py: error:")


def test_retrain_offers_only_the_cells_that_train_both_arms(tmp_path, monkeypatch, capsys):
    """Before: --cell ornn was offered and could never run (the oRNN refuses the random init). The offer comes
    from the engine's cell registry: a cell restricted to some inits is left out, any other cell is in."""
    proc = run_cli("--retrain", "--cell", "ornn", "--out", str(tmp_path / "a.gif"))
    assert_one_line_error(proc, "--cell", "'ornn'")
    offered = [cell for cell, spec in rp.CELLS.items() if spec.inits is None]  # not the cells with a start of their own
    for cell in offered:  # every cell offered can train both arms
        gif.build_parser().parse_args(["--retrain", "--cell", cell])
        for init in gif.ARMS:
            rp.check_config("3bit_memorization", init, 60, 0, **{**rp.DEFAULTS, "cell": cell})
    monkeypatch.setitem(rp.CELLS, "ortho_only", dataclasses.replace(rp.CELLS["rnn"], name="ortho_only",
                                                                    inits=("ortho", "identity")))
    monkeypatch.setitem(rp.CELLS, "any_init", dataclasses.replace(rp.CELLS["rnn"], name="any_init"))
    assert gif.build_parser().parse_args(["--retrain", "--cell", "any_init"]).cell == "any_init"
    with pytest.raises(SystemExit):
        gif.build_parser().parse_args(["--retrain", "--cell", "ortho_only"])
    assert "invalid choice: 'ortho_only'" in capsys.readouterr().err


def test_out_must_be_a_gif(results_path, tmp_path):
    """Before: --out a.png wrote GIF data into a .png."""
    proc = run_cli("--results", str(results_path), "--out", str(tmp_path / "a.png"))
    assert_one_line_error(proc, "--out must name a .gif file", "a.png")
    assert not (tmp_path / "a.png").exists()
    assert gif.main(["--results", str(results_path), "--out", str(tmp_path / "A.GIF")]) == 0  # any case
