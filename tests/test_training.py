"""train(): determinism, callbacks, divergence handling and a short learning smoke test."""

import numpy as np
import pytest

import rnn_pathological as rp

TINY = {"n_hidden": 8, "n_epochs": 3, "batches_per_epoch": 2, "batch_size": 10}


def numbers(run):
    return [(r["epoch"], r["loss"], r["metric"], r["grad_norm"]) for r in run["history"]]


def test_same_seed_same_history_different_seed_different():
    a = rp.train("temporal_order", "ortho", 12, seed=3, **TINY)
    b = rp.train("temporal_order", "ortho", 12, seed=3, **TINY)
    c = rp.train("temporal_order", "ortho", 12, seed=4, **TINY)
    assert numbers(a) == numbers(b)
    assert a["W_hh_final"] == b["W_hh_final"]
    assert numbers(a) != numbers(c)


def test_run_record_fields_and_callback():
    seen = []
    run = rp.train("addition", "random", 8, seed=0, callback=seen.append, **TINY)
    assert seen == run["history"] and [r["epoch"] for r in seen] == [1, 2, 3]
    # a regression task also counts Sutskever's wrong cases (|y_hat - y| > 0.04) in every epoch
    assert set(seen[0]) == {"epoch", "loss", "metric", "grad_norm", "momentum", "elapsed_s", "frac_wrong"}
    assert all(0 <= r["frac_wrong"] <= 1 for r in seen)
    assert run["partial_baseline"] == 1 / 24 and run["progress_threshold"] == 1 / 48
    # addition is solved by the per-case rule, measured at the end on held-out cases
    assert run["solved_rule"] == "per_case" and run["solved_threshold"] == rp.per_case_threshold("addition")
    assert run["heldout"]["cases"] == rp.HELDOUT_CASES and 0 <= run["heldout"]["frac_wrong"] <= 1
    assert run["lenient_threshold"] == 0.05 and run["lenient_source"] == "seed 000"
    for when in ("init", "final"):
        stats = run["W_hh_stats"][when]
        assert stats["sv_max"] >= stats["sv_min"] > 0 and stats["T"] == 8
        assert stats["spectral_radius"] <= stats["sv_max"] + 1e-12
        assert stats["norm_W_pow_T"] <= stats["sv_max"] ** 8 * (1 + 1e-9)
    for key in ("task", "init", "sequence_len", "seed", "chance", "metric_name", "history", "final_metric",
                "best_metric", "best_epoch", "solved_epoch", "diverged", "wallclock_s", "config",
                "W_hh_singular_values_init", "W_hh_singular_values_final", "W_hh_final"):
        assert key in run
    assert run["final_metric"] == run["history"][-1]["metric"]
    assert run["best_metric"] == min(r["metric"] for r in run["history"])  # half-MSE: lower is better
    assert np.array(run["W_hh_final"]).shape == (8, 8)
    np.testing.assert_allclose(run["W_hh_singular_values_final"], np.linalg.svd(run["W_hh_final"], compute_uv=False))
    assert run["config"]["n_hidden"] == 8 and run["config"]["lr"] == rp.DEFAULTS["lr"]


def test_divergence_stops_the_run_and_is_recorded(monkeypatch):
    real = rp.forward_backward
    calls = {"n": 0}

    def blows_up_in_epoch_2(*args, **kwargs):
        calls["n"] += 1
        loss, metric, grads = real(*args, **kwargs)
        return (float("nan") if calls["n"] > TINY["batches_per_epoch"] else loss), metric, grads

    monkeypatch.setattr(rp, "forward_backward", blows_up_in_epoch_2)
    run = rp.train("addition", "ortho", 8, **TINY)
    assert run["diverged"] == 2
    assert [r["epoch"] for r in run["history"]] == [1]
    assert run["final_metric"] == run["history"][0]["metric"]


def test_a_run_that_diverges_in_its_first_epoch_is_summarised_truthfully():
    """A learning rate of 1e300 sends the weights past the float range in one update, so the second batch's loss is
    not finite: the run stops in epoch 1, no epoch ends finite and there is no best epoch to report."""
    with np.errstate(all="ignore"):  # the overflow is the point
        run = rp.train("addition", "ortho", 8, lr=1e300, clip=1e300, **TINY)
    assert run["diverged"] == 1 and run["history"] == []
    assert run["best_epoch"] is None and run["final_metric"] is None
    line = rp.summary_line(run)
    assert "no finite epoch" in line and "DIVERGED at epoch 1" in line
    assert "None" not in line and "best" not in line
    table = rp.summary_table([run])
    assert "None" not in table and "diverged@1" in table
    # a run that diverges later still reports its best finite epoch
    with np.errstate(all="ignore"):
        later = rp.train("addition", "ortho", 8, lr=1e300, clip=1e300, **{**TINY, "batches_per_epoch": 1})
    assert later["diverged"] == 2 and f"at epoch {later['best_epoch']})" in rp.summary_line(later)


def test_bad_options_are_rejected_before_training():
    with pytest.raises(ValueError, match="momentum"):
        rp.train("addition", "ortho", 8, momentum=1.0)
    with pytest.raises(ValueError, match="at least 10"):
        rp.train("temporal_order", "ortho", 9)
    with pytest.raises(TypeError, match="n_hiden"):
        rp.train("addition", "ortho", 8, n_hiden=3)


def test_ortho_learns_3bit_memorization_at_small_T():
    run = rp.train("3bit_memorization", "ortho", 10, seed=0, n_hidden=32, n_epochs=8, batches_per_epoch=30)
    assert run["solved_epoch"] is not None and run["solved_epoch"] <= 8
    assert run["final_metric"] > 0.9


def test_run_many_is_independent_of_order_and_workers():
    specs = [{"task": "addition", "init": i, "sequence_len": 6, "seed": s} for i in rp.HEADLINE_INITS for s in (0, 1)]
    config = {**rp.DEFAULTS, **TINY}
    serial = rp.run_many(specs, config, jobs=1)
    alone = rp.train(**specs[3], **config)
    assert numbers(serial[3]) == numbers(alone)


def test_a_power_of_w_beyond_float64_is_recorded_as_null_not_nan():
    """Before: an LSTM at T = 500 recorded ||W^T|| as NaN, which is not JSON (and LAPACK printed a warning)."""
    import json

    stats = rp.recurrent_stats(3.0 * np.eye(4), 1000)
    assert stats["norm_W_pow_T"] is None and stats["spectral_radius"] == 3.0
    json.dumps(stats, allow_nan=False)
    assert rp.recurrent_stats(0.5 * np.eye(4), 10)["norm_W_pow_T"] == 0.5**10
    # entries that fit and a norm that does not: ones((4, 4))^512 = 4^511 ones, norm 4^512 = 2^1024 (a GRU at
    # T = 1000 wrote Infinity into a sweep file, which its reader then refused)
    assert np.all(np.isfinite(np.linalg.matrix_power(np.ones((4, 4)), 512)))
    stats = rp.recurrent_stats(np.ones((4, 4)), 512)
    assert stats["norm_W_pow_T"] is None
    json.dumps(stats, allow_nan=False)
