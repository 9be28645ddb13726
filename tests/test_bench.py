"""The benchmark runs end to end and its FLOP count matches the products it claims to count."""

import json
from pathlib import Path

import pytest
from cli_helpers import assert_one_line_error, run_script

import rnn_pathological as rp
from rnnpath import bench

ROOT = Path(__file__).resolve().parents[1]


def test_flop_count_of_a_final_step_task():
    # 3bit, T = 60, B = 50, H = 64: forward 60 + backward 59 + dW_hh 59 products of 50 x 64 x 64, plus the input
    # projection and dW_ih (3000 x 5 x 64 each) and three 50 x 64 x 8 output products
    expected = 2 * 50 * 64 * 64 * (60 + 59 + 59) + 2 * 3000 * 5 * 64 * 2 + 2 * 50 * 64 * 8 * 3
    assert bench.flops_per_batch("3bit_memorization", 60, 50, 64) == expected


def test_headline_is_about_0_9_tflop():
    runs = [{"task": t, "sequence_len": T, "history": [None] * 80, "config": rp.DEFAULTS} for t, T in rp.HEADLINE]
    total = 2 * sum(bench.flops_per_run(r) for r in runs)  # two inits per task
    assert total == pytest.approx(0.9e12, rel=0.05)


def test_quick_benchmark_writes_its_numbers(tmp_path):
    out = tmp_path / "bench.json"
    assert bench.main(["--quick", "--repeats", "1", "--jobs", "1", "--out", str(out)]) == 0
    result = json.loads(out.read_text())
    assert result["quick"] is True and result["dtype"] == "float64"
    assert set(result["step_ms_by_T"]) == {"30", "60", "120", "240"}
    assert set(result["step_ms_by_H"]) == {"32", "64", "128"}
    assert len(result["headline"]["runs"]) == 6 and result["headline"]["flops"] > 0
    assert result["peak_memory"]["main_process_mb"] > 0
    env = result["environment"]  # what made the numbers: the CPU and each BLAS library with its kernel (issue 20)
    assert env["cpu"] == rp.cpu_model() and rp.same_kernel(env)
    cells = result["cell_step"]  # the LSTM's step beside the vanilla step (issue 14)
    assert set(cells["step_ms"]) == set(rp.CELLS) and all(v > 0 for v in cells["step_ms"].values())
    assert cells["lstm_over_rnn"] == pytest.approx(cells["step_ms"]["lstm"] / cells["step_ms"]["rnn"], abs=0.01)
    assert cells["ornn_over_rnn"] == pytest.approx(cells["step_ms"]["ornn"] / cells["step_ms"]["rnn"], abs=0.01)
    assert (cells["sequence_len"], cells["n_hidden"], cells["batch_size"]) == (60, 64, 50)
    # every optimiser's update, timed beside the steps (the standard: each new optimiser reports its cost per step)
    assert list(cells["update_us"]) == list(rp.OPTIMIZERS) and all(v > 0 for v in cells["update_us"].values())
    assert cells["update_repeats"] == bench.UPDATE_REPEATS_PER_STEP * cells["repeats"]


def test_cells_only_adds_the_comparison_and_keeps_every_other_number(tmp_path):
    """--cells-only re-measures the one new number of a benchmark file; the rest took minutes and stays."""
    committed = json.loads((ROOT / "results" / "bench.json").read_text())
    old = {k: v for k, v in committed.items() if k not in ("cell_step", "targets")}
    path = tmp_path / "bench.json"
    path.write_text(json.dumps(old))
    assert bench.main(["--cells-only", "--quick", "--out", str(path)]) == 0
    new = json.loads(path.read_text())
    assert {k: v for k, v in new.items() if k not in ("cell_step", "targets")} == old
    assert new["targets"]["lstm_step_ratio"] == bench.TARGETS["float64"]["lstm_step_ratio"]
    assert new["cell_step"]["repeats"] == 5
    with pytest.raises(SystemExit) as exit_:
        bench.main(["--cells-only", "--out", str(tmp_path / "missing.json")])
    assert exit_.value.code == 2


def test_the_report_puts_each_optimisers_update_beside_the_step():
    """The performance block gives each optimiser's update in microseconds and as a share of the vanilla step, from
    the benchmark file (and leaves the table out for an older file without them)."""
    from rnnpath import report

    committed = json.loads((ROOT / "results" / "bench.json").read_text())
    cells = committed["cell_step"]
    text = report.performance({"float64": committed})
    share = cells["update_us"]["adam"] / (cells["step_ms"]["rnn"] * 1e3)
    assert f"| float64 | {cells['update_us']['momentum']:.1f} us (" in text
    assert f"{cells['update_us']['adam']:.1f} us ({share:.1%} of a step)" in text
    assert f"median of {cells['update_repeats']} updates each" in text
    older = {**committed, "cell_step": {k: v for k, v in cells.items() if k not in ("update_us", "update_repeats")}}
    assert "One parameter update of each optimiser" not in report.performance({"float64": older})


def test_repeats_past_the_bound_are_refused_before_measuring(tmp_path, monkeypatch):
    """`--repeats 1000000000` reran the headline (about 30 s each) for ever, silently: refused in one line."""

    def fail(*args, **kwargs):
        raise AssertionError("measured before checking --repeats")

    monkeypatch.setattr(bench, "run_benchmark", fail)
    with pytest.raises(SystemExit) as exit_:
        bench.main(["--repeats", str(bench.MAX_REPEATS + 1), "--out", str(tmp_path / "bench.json")])
    assert exit_.value.code == 2
    proc = run_script("rnnpath bench", "--repeats", "1000000000", "--out", tmp_path / "bench.json")
    assert_one_line_error(proc, "rnnpath bench", f"--repeats is at most {bench.MAX_REPEATS}")
    assert not (tmp_path / "bench.json").exists()
    assert f"1 to {bench.MAX_REPEATS}" in " ".join(run_script("rnnpath bench", "--help").stdout.split())


def test_cells_only_takes_the_seconds_its_help_says(tmp_path):
    """The help said "a minute or so" for a run of about two seconds (60 rounds of three steps of 5-25 ms, and the
    updates): it says a few seconds, and a full --cells-only run keeps to that (with room for a busy machine)."""
    import time

    assert "(a few seconds)" in " ".join(run_script("rnnpath bench", "--help").stdout.split())
    path = tmp_path / "bench.json"
    path.write_bytes((ROOT / "results" / "bench.json").read_bytes())
    start = time.perf_counter()
    assert bench.main(["--cells-only", "--out", str(path)]) == 0
    assert time.perf_counter() - start < 15
    assert json.loads(path.read_text())["cell_step"]["repeats"] == 60


def test_the_report_gives_the_lru_step_against_the_vanilla_one_by_length():
    """Issue 24's benchmark rows: the LRU's step and the vanilla step at each length of the file, their ratio, and
    the verdict against the target at T = 1000; an older file without them leaves the table out."""
    from rnnpath import report

    committed = json.loads((ROOT / "results" / "bench.json").read_text())
    lru = committed["lru_step"]
    text = report.performance({"float64": committed})
    row = lru["by_T"]["1000"]
    verdict = "meets" if row["lru_over_rnn"] <= lru["target_lru_over_rnn_at_T1000"] else "misses"
    assert (f"{row['step_ms']['lru']:.1f} ms against {row['step_ms']['rnn']:.1f} ms = {row['lru_over_rnn']:.2f}x "
            f"({verdict} <= {lru['target_lru_over_rnn_at_T1000']:.2f}x)") in text
    assert "| T=100 | T=1,000 | T=10,000 |" in text
    older = {k: v for k, v in committed.items() if k != "lru_step"}
    assert "as T grows" not in report.performance({"float64": older})


def test_the_default_scan_is_the_faster_in_the_benchmark_and_the_convolution_form_the_fastest():
    """rp.LRU_SCAN is the scan the committed benchmark times faster at T = 1000 (a training step through every
    state, float64 and float32), and the convolution form a last-step target takes beats both at every length."""
    for name in ("bench.json", "bench_float32.json"):
        rows = json.loads((ROOT / "results" / name).read_text())["lru_step"]["by_T"]
        ms = rows["1000"]["step_ms"]
        assert min(rp.LRU_SCANS, key=lambda scan: ms[f"lru_scan_{scan}"]) == rp.LRU_SCAN, name
        for row in rows.values():
            assert row["step_ms"]["lru"] < min(row["step_ms"][f"lru_scan_{scan}"] for scan in rp.LRU_SCANS), name


def test_the_report_judges_the_lru_at_the_width_its_tuned_runs_take():
    """The one-fifth target is judged at the width the tuned LRU runs train at, not only at the default width."""
    from rnnpath import report
    from rnnpath.experiments import tuning

    committed = {name: json.loads((ROOT / "results" / name).read_text()) for name in ("bench.json",
                                                                                       "bench_float32.json")}
    lru = {b["dtype"]: b["lru_step"] for b in committed.values()}
    widths = sorted({s["lru_width"] for (arm, _), s in tuning.TUNED.items() if arm.startswith("lru+")})
    text = report.tuned_lru_cost(lru, "rnn")
    for m in widths:
        key = "lru" if m == lru["float64"]["lru_width"] else bench.width_key(m)
        r64 = lru["float64"]["by_T"]["1000"]["step_ms"][key] / lru["float64"]["by_T"]["1000"]["step_ms"]["rnn"]
        assert f"at width {m} the step is {r64:.2f}x in float64" in text
    assert text in report.performance({b["dtype"]: b for b in committed.values()})
