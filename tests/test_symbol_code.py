"""The temporal-order tasks' symbol_code and positions options (seed 000, open question 6): the defaults are the
published generator bit for bit, the other codings carry the same symbols, "early" puts them where 3bit_memorization
puts its bits, and everything is a deterministic function of the rng."""

import json

import numpy as np
import pytest

import rnn_pathological as rp
from rnnpath import sweep

TASKS = ("temporal_order", "temporal_order_3")
WINDOWS = {"temporal_order": ((1, 2), (5, 6)), "temporal_order_3": ((1, 2), (3, 4), (6, 7))}
# the positions both tasks take at any T; "fixed" (seed 004's windows) is temporal_order's at T >= 50 (test_gated.py)
POSITIONS = [p for p in rp.POSITIONS if p != "fixed"]


def reference(task, T, B, rng):
    """The temporal-order generator as it was before the options existed (an independent copy)."""
    batch = np.arange(B)
    symbols = rng.integers(2, 6, size=(T, B))
    target = np.zeros(B, dtype=np.int64)
    for lo, hi in WINDOWS[task]:
        position = rng.integers(lo * T // 10, hi * T // 10, size=B)
        symbol = rng.integers(0, 2, size=B)
        symbols[position, batch] = symbol
        target = 2 * target + symbol
    return np.eye(6)[symbols], target


def batch(task, T, B=500, seed=0, **options):
    return rp.generate_batch(task, T, B, np.random.default_rng(seed), **options)


def decode(x, symbol_code):
    """The symbol of every step: the row of the code matrix that x equals."""
    code = rp.symbol_code_matrix(symbol_code)
    distance = np.linalg.norm(x[:, :, None, :] - code[None, None], axis=3)  # (L, B, 6)
    assert np.all(distance.min(axis=2) == 0)  # every input is exactly one symbol's code
    return np.argmin(distance, axis=2)


@pytest.mark.parametrize("task", TASKS)
@pytest.mark.parametrize("T", [10, 13, 60])
def test_defaults_are_the_published_generator_bit_for_bit(task, T):
    x, y = batch(task, T, seed=T)
    x_ref, y_ref = reference(task, T, 500, np.random.default_rng(T))
    np.testing.assert_array_equal(x, x_ref)
    np.testing.assert_array_equal(y, y_ref)
    x2, y2 = batch(task, T, seed=T, symbol_code="onehot", positions="default")
    np.testing.assert_array_equal(x2, x_ref)
    np.testing.assert_array_equal(y2, y_ref)


@pytest.mark.parametrize("task", TASKS)
@pytest.mark.parametrize("symbol_code", ["dense", "scalar"])
@pytest.mark.parametrize("positions", POSITIONS)
def test_a_coding_changes_the_inputs_not_the_symbols(task, symbol_code, positions):
    """The coding draws nothing: from the same rng state, the same symbols and targets in another code."""
    x_hot, y_hot = batch(task, 60, positions=positions)
    x, y = batch(task, 60, symbol_code=symbol_code, positions=positions)
    assert x.shape == x_hot.shape == (60, 500, 6) and x.dtype == np.float64
    np.testing.assert_array_equal(decode(x, symbol_code), np.argmax(x_hot, axis=2))
    np.testing.assert_array_equal(y, y_hot)


def test_the_codes():
    np.testing.assert_array_equal(rp.symbol_code_matrix("onehot"), np.eye(6))
    dense = rp.symbol_code_matrix("dense")
    np.testing.assert_array_equal(dense, rp.symbol_code_matrix("dense"))  # one fixed draw
    np.testing.assert_allclose(np.linalg.norm(dense, axis=1), 1.0, rtol=1e-12)  # as long as a one-hot row
    assert np.all(dense != 0)  # every symbol drives every channel
    assert np.linalg.cond(dense) < 100  # invertible: a linear input layer can undo the code
    scalar = rp.symbol_code_matrix("scalar")
    np.testing.assert_allclose(scalar[:, 0], [-1, -0.6, -0.2, 0.2, 0.6, 1], atol=1e-15)
    assert np.all(scalar[:, 1:] == 0)
    with pytest.raises(ValueError, match="unknown symbol_code"):
        rp.symbol_code_matrix("binary")


@pytest.mark.parametrize("task", TASKS)
@pytest.mark.parametrize("T", [10, 60])
def test_early_positions_are_the_first_steps_and_the_target_reads_them(task, T):
    n = len(WINDOWS[task])
    x, y = batch(task, T, positions="early")
    symbols = np.argmax(x, axis=2)
    assert np.all(symbols[:n] < 2)  # A or B at t = 0 .. n-1, like 3bit_memorization's bits
    assert np.all(symbols[n:] >= 2)  # distractors everywhere else
    expected = np.zeros(500, dtype=np.int64)
    for k in range(n):
        expected = 2 * expected + symbols[k]
    np.testing.assert_array_equal(y, expected)
    freq = np.bincount(batch(task, T, 40000, positions="early")[1], minlength=2**n) / 40000
    np.testing.assert_allclose(freq, 1 / 2**n, atol=0.01)  # the classes stay balanced: chance unchanged


@pytest.mark.parametrize("symbol_code", rp.SYMBOL_CODES)
@pytest.mark.parametrize("positions", POSITIONS)
def test_every_option_is_deterministic(symbol_code, positions):
    a = batch("temporal_order", 30, 20, seed=4, symbol_code=symbol_code, positions=positions)
    b = batch("temporal_order", 30, 20, seed=4, symbol_code=symbol_code, positions=positions)
    c = batch("temporal_order", 30, 20, seed=5, symbol_code=symbol_code, positions=positions)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert not np.array_equal(a[0], c[0])


def test_options_apply_to_the_temporal_order_tasks_only():
    with pytest.raises(ValueError, match="applies to the temporal-order tasks"):
        batch("3bit_memorization", 60, symbol_code="dense")
    with pytest.raises(ValueError, match="applies to the temporal-order tasks"):
        rp.train("addition", "ortho", 10, positions="early", n_epochs=1)
    with pytest.raises(ValueError, match="unknown positions"):
        batch("temporal_order", 60, positions="late")
    with pytest.raises(ValueError, match="unknown symbol_code"):
        rp.train("temporal_order", "ortho", 10, symbol_code="binary", n_epochs=1)
    batch("3bit_memorization", 60, symbol_code="onehot", positions="default")  # the defaults go anywhere


def test_training_with_a_coding_reads_it():
    tiny = {"n_hidden": 8, "n_epochs": 2, "batches_per_epoch": 2, "batch_size": 10}
    runs = {code: rp.train("temporal_order", "ortho", 12, seed=1, symbol_code=code, **tiny)
            for code in rp.SYMBOL_CODES}
    assert runs["dense"]["config"]["symbol_code"] == "dense"
    assert len({r["history"][0]["loss"] for r in runs.values()}) == 3  # three different inputs


def test_records_without_the_options_key_to_the_defaults():
    """Sweep records written before the options existed lack them: they are the default runs."""
    old_config = {k: v for k, v in rp.DEFAULTS.items() if k not in ("symbol_code", "positions", "snapshot_every")}
    key = sweep.run_key("temporal_order", "ortho", 60, 0, old_config)
    assert key == sweep.run_key("temporal_order", "ortho", 60, 0, rp.DEFAULTS)
    assert key != sweep.run_key("temporal_order", "ortho", 60, 0, {**rp.DEFAULTS, "symbol_code": "dense"})
    assert json.loads(key)["config"]["positions"] == "default"
