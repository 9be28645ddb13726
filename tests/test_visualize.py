"""The figure script: every PNG from a small results file, without training, and one-line errors for bad input."""

import copy
import dataclasses
import json
import subprocess
from pathlib import Path

import matplotlib.image
import numpy as np
import pytest
from cli_helpers import assert_one_line_error as assert_one_line_error_of
from cli_helpers import run_main, run_script

import rnn_pathological as rp
import visualize_rnn_pathological as viz
from rnnpath import files, style

REPO = Path(__file__).resolve().parent.parent
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
FIGURES = [name for name, _ in viz.FIGURES]


@pytest.fixture(scope="module")
def rendered(results_path, tmp_path_factory) -> tuple[Path, int, str]:
    """viz/ written by main while train and forward_backward raise: the figures must come from the file alone.

    Returns (outdir, exit code, stdout).
    """
    outdir = tmp_path_factory.mktemp("out") / "viz" / "nested"

    def no_training(*args, **kwargs):
        raise AssertionError("the visualizer must not train")

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(rp, "train", no_training)
        mp.setattr(rp, "forward_backward", no_training)
        code, stdout, _ = run_main(viz.main, ["--results", results_path, "--outdir", outdir])
    return outdir, code, stdout


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return run_script("visualize_rnn_pathological.py", *args)


def assert_one_line_error(proc: subprocess.CompletedProcess, *fragments: str) -> None:
    assert_one_line_error_of(proc, "visualize_rnn_pathological.py", *fragments)


def write_doc(path: Path, doc) -> Path:
    path.write_text(json.dumps(doc))
    return path


# ----------------------------------------------------------------------------------------------------------------
# figures


def test_main_succeeds_without_training(rendered):
    _, code, _ = rendered
    assert code == 0


def test_prints_one_line_per_figure(rendered):
    outdir, _, stdout = rendered
    assert stdout.splitlines() == [f"wrote {outdir / name}" for name in FIGURES]


@pytest.mark.parametrize("name", FIGURES)
def test_every_figure_is_a_sensible_png(rendered, name):
    outdir, _, _ = rendered
    path = outdir / name
    assert path.read_bytes()[:8] == PNG_MAGIC
    assert path.stat().st_size > 10_000
    image = matplotlib.image.imread(path)
    assert image.ndim == 3 and image.shape[2] in (3, 4)
    assert image.shape[1] > 400 and image.shape[0] > 200
    assert image[..., :3].std() > 0.05  # not a blank canvas


def test_figures_handle_any_tasks_and_inits(results_path):
    """A file with a task and an init the engine does not ship: one column per (task, T), one line per init."""
    doc = files.load_results(str(results_path))
    extra = copy.deepcopy([r for r in doc["runs"] if r["task"] == "addition"])
    for run in extra:
        run["task"], run["sequence_len"] = "multiplication", 40
    identity = copy.deepcopy(doc["runs"][0])
    identity["init"] = "identity"
    doc["runs"] += extra + [identity]
    groups = viz.group_runs(doc["runs"])
    assert list(groups)[-1] == ("multiplication", 40)
    assert [r["init"] for r in groups[("addition", 30)]] == ["ortho", "random", "identity"]

    fig = viz.plot_ortho_vs_random(doc)
    assert len(fig.axes) == 2 * len(groups)
    ax_metric = fig.axes[len(groups)]  # bottom row, first column: addition
    colours = [line.get_color() for line in ax_metric.get_lines()[:3]]
    assert colours[:2] == ["tab:blue", "tab:red"] and colours[2] not in ("tab:blue", "tab:red")
    for plot in (viz.plot_summary_table, viz.plot_spectrum, viz.plot_grad_norm):
        plot(doc)


def test_task_examples_cover_every_task_including_unknown_layouts(monkeypatch):
    """A task added to the engine later gets a panel from the generic layout."""

    def ramp(sequence_len, batch_size, rng):
        x = rng.random((sequence_len, batch_size, 3))
        return x, x[0, :, 0]

    def tokens(sequence_len, batch_size, rng):
        symbols = rng.integers(0, 4, size=(sequence_len, batch_size))
        return np.eye(4)[symbols], np.where(np.arange(sequence_len)[:, None] > 2, symbols, -1)

    ramp_task = dataclasses.replace(rp.TASKS["addition"], name="ramp", generate=ramp, n_in=3, headline_len=12,
                                    two_markers=False)
    token_task = dataclasses.replace(rp.TASKS["xor"], name="tokens", generate=tokens, n_in=4, headline_len=9,
                                     two_markers=False)
    monkeypatch.setitem(rp.TASKS, "ramp", ramp_task)  # several real-valued channels: a heat map
    monkeypatch.setitem(rp.TASKS, "tokens", token_task)  # one-hot inputs, per-step targets
    fig = viz.plot_task_examples(None)
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert len(titles) == len(rp.TASKS)
    for name in rp.TASKS:
        assert any(t.startswith(f"{name}, T = ") for t in titles)
    assert any("remember for" in t.get_text() for ax in fig.axes for t in ax.texts)


def test_summary_status_colours():
    run = {"solved_epoch": 3, "final_metric": 0.95, "best_metric": 0.97, "solved_threshold": 0.9,
           "higher_is_better": True, "diverged": False}
    assert viz.run_status(run)[0] == viz.GREEN
    assert viz.run_status({**run, "final_metric": 0.5})[0] == viz.AMBER
    assert viz.run_status({**run, "solved_epoch": None, "final_metric": 0.5, "best_metric": 0.6})[0] == viz.RED
    mse = {**run, "higher_is_better": False, "solved_threshold": 0.05, "final_metric": 0.01, "best_metric": 0.01}
    assert viz.run_status(mse)[0] == viz.GREEN


# ----------------------------------------------------------------------------------------------------------------
# load_results


def test_load_results_names_the_missing_field(results_path, tmp_path):
    doc = json.loads(results_path.read_text())
    del doc["runs"][2]["history"]
    path = write_doc(tmp_path / "r.json", doc)
    with pytest.raises(files.FileError, match=r"r\.json: run 2 has no field 'history'"):
        files.load_results(str(path))
    doc = json.loads(results_path.read_text())
    del doc["runs"][0]["history"][1]["grad_norm"]
    with pytest.raises(files.FileError, match="history entry 1 has no field 'grad_norm'"):
        files.load_results(str(write_doc(tmp_path / "r.json", doc)))


@pytest.mark.parametrize("doc, fragment", [
    ([1, 2], "not an object"),
    ({"runs": []}, "no field 'schema_version'"),
    ({"schema_version": rp.SCHEMA_VERSION}, "no field 'runs'"),
    ({"schema_version": rp.SCHEMA_VERSION, "runs": []}, "non-empty list"),
    ({"schema_version": rp.SCHEMA_VERSION, "runs": [7]}, "run 0 is a int"),
])
def test_load_results_rejects_bad_documents(tmp_path, doc, fragment):
    with pytest.raises(files.FileError, match=fragment):
        files.load_results(str(write_doc(tmp_path / "r.json", doc)))


# ----------------------------------------------------------------------------------------------------------------
# command-line errors: one line on stderr, no traceback, nothing drawn


def test_missing_results_file_gives_the_command(tmp_path):
    proc = run_cli("--results", str(tmp_path / "results.json"), "--outdir", str(tmp_path / "viz"))
    assert_one_line_error(proc, "python rnn_pathological.py --all", "not found")
    assert not (tmp_path / "viz").exists()


def test_malformed_json(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"schema_version": 1,\n "runs": [\n')
    proc = run_cli("--results", str(path), "--outdir", str(tmp_path / "viz"))
    assert_one_line_error(proc, "broken.json", "not valid JSON", "line 3")


def test_missing_field(results_path, tmp_path):
    doc = json.loads(results_path.read_text())
    del doc["runs"][2]["history"]
    path = write_doc(tmp_path / "results.json", doc)
    proc = run_cli("--results", str(path), "--outdir", str(tmp_path / "viz"))
    assert_one_line_error(proc, "results.json", "run 2 has no field 'history'")


def test_unknown_schema_version(results_path, tmp_path):
    doc = json.loads(results_path.read_text())
    doc["schema_version"] = 99
    path = write_doc(tmp_path / "results.json", doc)
    proc = run_cli("--results", str(path), "--outdir", str(tmp_path / "viz"))
    assert_one_line_error(proc, "results.json", "schema_version", "99")


def test_unwritable_outdir_fails_before_rendering(results_path, tmp_path, monkeypatch, capsys):
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")
    proc = run_cli("--results", str(results_path), "--outdir", str(blocker / "viz"))
    assert_one_line_error(proc, str(blocker / "viz"))

    # in process as well: no figure function may run when the folder is unusable
    drawn = []
    monkeypatch.setattr(viz, "FIGURES", tuple((n, lambda doc, n=n: drawn.append(n)) for n, _ in viz.FIGURES))
    assert viz.main(["--results", str(results_path), "--outdir", str(blocker)]) == 2
    assert drawn == []
    assert "not a folder" in capsys.readouterr().err


def test_a_task_this_engine_does_not_know_is_refused_as_by_the_analyses(results_path, tmp_path):
    """Before: visualize drew a file that analyze and report refuse (files.check_engine_runs)."""
    doc = json.loads(results_path.read_text())
    doc["runs"][1]["task"] = "no_such_task"
    path = write_doc(tmp_path / "results.json", doc)
    proc = run_cli("--results", str(path), "--outdir", str(tmp_path / "viz"))
    assert_one_line_error(proc, "results.json: run 1", "task 'no_such_task' is not one of this engine's")
    assert not (tmp_path / "viz").exists()



# ----------------------------------------------------------------------------------------------------------------
# several seeds: one legend entry per init, seeds drawn thin


def test_figures_of_many_seeds_keep_short_legends_inside_the_figure(results_path):
    """Ten seeds per (task, init), like results_seeds.json: every legend fits in its figure (it was one entry per
    run, cut at the figure's edge) and constrained layout works (a collapsed layout warns, and warnings fail)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    doc = files.load_results(str(results_path))
    doc["runs"] = [{**run, "seed": seed} for seed in range(10) for run in doc["runs"]]
    for plot in (viz.plot_ortho_vs_random, viz.plot_spectrum, viz.plot_grad_norm):
        fig = plot(doc)
        FigureCanvasAgg(fig).draw()
        figure_box = fig.bbox
        legends = [ax.get_legend() for ax in fig.axes if ax.get_legend() is not None]
        assert legends, plot.__name__
        for legend in legends:
            assert len(legend.get_texts()) <= 6, (plot.__name__, [t.get_text() for t in legend.get_texts()])
            box = legend.get_window_extent()
            assert figure_box.x0 - 1 <= box.x0 and box.x1 <= figure_box.x1 + 1, plot.__name__
            assert figure_box.y0 - 1 <= box.y0 and box.y1 <= figure_box.y1 + 1, plot.__name__
        seed_lines = [line for ax in fig.axes for line in ax.get_lines() if line.get_linewidth() < 1.1]
        assert len(seed_lines) >= 60, plot.__name__  # every run still drawn, thin


def test_figures_are_written_atomically(tmp_path):
    """save_figure_atomic writes the bytes savefig would, and a plot interrupted while rendering leaves the old
    figure whole and no temporary file behind."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(2, 2))
    fig.subplots().plot([0, 1], [1, 0])
    direct, atomic = tmp_path / "direct.png", tmp_path / "atomic.png"
    fig.savefig(direct, dpi=50)
    style.save_figure_atomic(fig, str(atomic), dpi=50)
    assert atomic.read_bytes() == direct.read_bytes()

    class Interrupted:
        def savefig(self, target, **kwargs):
            target.write(b"\x89PNG half an ima")
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        style.save_figure_atomic(Interrupted(), str(atomic), dpi=50)
    assert atomic.read_bytes() == direct.read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["atomic.png", "direct.png"]
