"""The same numbers whatever --jobs, in-process or in a worker, whatever the caller's BLAS threads; bad input fails
fast with one line (issue: hardening)."""

import json
import time

import numpy as np
import pytest
import threadpoolctl
from cli_helpers import assert_one_line_error, run_script
from kernels import assert_same_numbers

import rnn_pathological as rp

TINY = {"n_hidden": 16, "n_epochs": 3, "batches_per_epoch": 4, "batch_size": 20}


def numbers(run: dict) -> list[dict]:
    return [{k: v for k, v in e.items() if k != "elapsed_s"} for e in run["history"]]


def test_a_run_gives_the_same_bits_in_process_with_threaded_blas_and_in_a_worker():
    """Before: the main process trained with the machine's BLAS threads and the workers with one, and the sums
    rounded differently (temporal_order ortho seed 0 solved @22 with --jobs 1 and @27 with --jobs 2)."""
    spec = {"task": "temporal_order", "init": "ortho", "sequence_len": 20, "seed": 1}
    config = {**rp.DEFAULTS, **TINY, "n_hidden": 64, "batch_size": 50}  # big enough for OpenBLAS to use threads
    in_worker = rp.run_many([spec, {**spec, "seed": 2}], config, jobs=2)[0]
    with rp.blas_threads(2):  # what a notebook or --jobs 1 had before
        in_process = rp.train(**spec, **config)
    assert numbers(in_process) == numbers(in_worker)
    assert in_process["W_hh_final"] == in_worker["W_hh_final"]


def blas_thread_counts() -> list[int]:
    return [lib["num_threads"] for lib in threadpoolctl.threadpool_info() if lib["user_api"] == "blas"]


def test_blas_threads_are_restored_after_a_run():
    if not blas_thread_counts():
        pytest.skip("no BLAS library with a thread control in this numpy build")
    with rp.blas_threads(2):
        rp.train("latching", "ortho", 5, seed=0, n_hidden=1, n_epochs=1, batches_per_epoch=1, batch_size=2)
        assert blas_thread_counts() == [2] * len(blas_thread_counts())


def test_every_run_computes_with_one_blas_thread_and_records_say_so():
    seen = []
    rp.train("latching", "ortho", 5, seed=0, n_hidden=1, n_epochs=1, batches_per_epoch=1, batch_size=2,
             callback=lambda _: seen.append(blas_thread_counts()))
    assert seen and all(counts == [1] * len(counts) for counts in seen)
    libraries = rp.environment()["blas"]
    assert libraries and all(lib["num_threads"] == 1 for lib in libraries)
    for lib in libraries:
        assert {"library", "version", "kernel", "threading_layer", "num_threads"} <= set(lib)
    assert rp.same_kernel(rp.environment())
    assert not rp.same_kernel({"blas": [{**libraries[0], "kernel": "Pentium"}]})
    assert not rp.same_kernel({"python": "3.11"})  # an old file that does not say: never "the same"
    # the same kernel's name on another CPU model rounds differently (Haswell on an AMD EPYC and on an Intel Xeon)
    assert not rp.same_kernel({**rp.environment(), "cpu": rp.cpu_model() + " (another)"})
    assert rp.same_kernel({k: v for k, v in rp.environment().items() if k != "cpu"})  # a block without a CPU
    # numpy's own loops pick their instructions by CPU: another set of SIMD extensions, or a block that does not say
    # (written before they were recorded), is not the same, whatever the BLAS
    assert rp.environment()["simd"] == list(rp.simd_extensions())
    assert not rp.same_kernel({**rp.environment(), "simd": [*rp.simd_extensions(), "AVX512_FUTURE"]})
    assert not rp.same_kernel({k: v for k, v in rp.environment().items() if k != "simd"})
    assert rp.blas_kernel({"python": "3.11"}) is None


def test_a_committed_number_is_compared_exactly_under_its_kernel_and_to_a_tolerance_under_another():
    """The comparison of tests/kernels.py can fail either way: one ulp off fails under the kernel that made the
    number, 1e-8 relative off fails under any other."""
    if not rp.blas_libraries():
        pytest.skip("threadpoolctl finds no BLAS library in this numpy build: no kernel to compare")
    this = {"blas": rp.blas_libraries(), "simd": list(rp.simd_extensions())}
    other = {"blas": [{**lib, "kernel": "another"} for lib in rp.blas_libraries()]}
    assert_same_numbers({"a": [1.0, 2.0], "n": 3}, {"a": [1.0, 2.0], "n": 3}, this)
    with pytest.raises(AssertionError):
        assert_same_numbers([1.0, float(np.nextafter(2.0, 3.0))], [1.0, 2.0], this)
    assert_same_numbers([1.0, float(np.nextafter(2.0, 3.0))], [1.0, 2.0], other)
    with pytest.raises(AssertionError):
        assert_same_numbers([1.0, 2.0 * (1 + 1e-8)], [1.0, 2.0], other)
    with pytest.raises(AssertionError):
        assert_same_numbers({"n": 4}, {"n": 3}, other)  # integers (counts, epochs) stay exact everywhere


def test_jobs_1_jobs_2_and_the_single_run_cli_write_identical_records(tmp_path):
    flags = ["--n-hidden", "32", "--n-epochs", "2", "--batches-per-epoch", "3", "--quiet"]
    docs = {}
    for name, extra in [("jobs1", ["--all", "--jobs", "1"]), ("jobs2", ["--all", "--jobs", "2"])]:
        out = tmp_path / f"{name}.json"
        assert run_script("rnn_pathological.py", *extra, *flags, "--out", str(out)).returncode == 0
        docs[name] = json.loads(out.read_text())["runs"]
    single = tmp_path / "single.json"
    assert run_script("rnn_pathological.py", "--task", "temporal_order", "--init", "ortho", *flags,
                      "--out", str(single)).returncode == 0
    one = json.loads(single.read_text())["runs"][0]
    assert [numbers(r) for r in docs["jobs1"]] == [numbers(r) for r in docs["jobs2"]]
    from_all = next(r for r in docs["jobs2"] if (r["task"], r["init"]) == ("temporal_order", "ortho"))
    assert numbers(one) == numbers(from_all) and one["W_hh_final"] == from_all["W_hh_final"]


# ----------------------------------------------------------------------------------------------------------------
# bad input: one line, exit 2, before compute


@pytest.mark.parametrize("flag", ["--lr", "--hh-scale", "--chain-alpha", "--fbchain-alpha", "--chain-beta",
                                  "--random-scale", "--clip", "--momentum"])
@pytest.mark.parametrize("value", ["inf", "-inf", "nan"])
def test_non_finite_floats_are_refused(flag, value):
    assert_one_line_error(run_script("rnn_pathological.py", f"{flag}={value}"), "rnn_pathological.py", "finite")


def test_check_config_refuses_non_finite_values_from_python_too():
    with pytest.raises(ValueError, match="lr must be a finite number"):
        rp.check_config("addition", "ortho", 30, 0, lr=float("inf"))


@pytest.mark.parametrize("flags", [
    ["--sequence-len", "100000000"],
    ["--n-hidden", "200000"],
    ["--batch-size", "1000000000"],
])
def test_a_run_that_cannot_fit_in_memory_is_refused_with_the_estimate(flags):
    start = time.perf_counter()
    proc = run_script("rnn_pathological.py", "--task", "addition", *flags)
    assert_one_line_error(proc, "rnn_pathological.py", "needs about", "available")
    assert time.perf_counter() - start < 20  # refused, not attempted


def test_the_memory_estimate_covers_what_a_run_allocates():
    """The estimate is an upper bound for a real run (traced with tracemalloc, which sees numpy's buffers)."""
    import tracemalloc

    kwargs = {"n_hidden": 64, "batch_size": 50, "n_epochs": 1, "batches_per_epoch": 2}
    for task, T in [("temporal_order", 60), ("copy", 30), ("addition", 30)]:
        tracemalloc.start()
        rp.train(task, "ortho", T, seed=0, **kwargs)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        estimate = rp.run_memory_bytes(task, T, 64, 50)
        assert peak < estimate < 20 * peak, (task, peak, estimate)


def test_a_huge_seed_list_is_refused_at_once_and_points_to_the_sweep_runner():
    start = time.perf_counter()
    proc = run_script("rnn_pathological.py", "--all", "--seeds", "0-999999999999")
    assert_one_line_error(proc, "rnn_pathological.py", "seeds", "rnnpath sweep")
    assert time.perf_counter() - start < 20
    with pytest.raises(ValueError, match="more than"):
        rp.parse_seeds("0-999999999999")  # the sweep's limit too, counted before expanding


def test_summary_table_names_metrics_like_everything_else():
    run = rp.train("addition", "ortho", 6, seed=0, n_hidden=4, n_epochs=1, batches_per_epoch=1, batch_size=3)
    table = rp.summary_table([run])
    assert "0.5*MSE" in table and "half_mse" not in table


def test_the_console_script_names_itself(monkeypatch):
    monkeypatch.setattr(rp.sys, "argv", ["/venv/bin/rnn-pathological"])
    assert rp.build_parser().prog == "rnn-pathological"
    monkeypatch.setattr(rp.sys, "argv", ["rnn_pathological.py"])
    assert rp.build_parser().prog == "rnn_pathological.py"
