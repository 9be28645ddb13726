"""The benchmark runs end to end and its FLOP count matches the products it claims to count."""

import json

import pytest

import bench_rnn_pathological as bench
import rnn_pathological as rp


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
