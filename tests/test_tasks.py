"""Task generators: shapes, layouts, targets recomputed from the inputs, balance and chance baselines."""

import numpy as np
import pytest

import rnn_pathological as rp

B = 4000  # large enough for the statistical checks, fast enough to generate in milliseconds


def batch(task, T, n=B, seed=0):
    return rp.generate_batch(task, T, n, np.random.default_rng(seed))


@pytest.mark.parametrize("task", list(rp.TASKS))
def test_shapes_and_dtypes(task):
    spec = rp.TASKS[task]
    T = spec.headline_len
    L = T + spec.extra_steps
    x, y = batch(task, T, 17)
    assert x.shape == (L, 17, spec.n_in) and x.dtype == np.float64
    assert y.shape == ((L, 17) if spec.per_step else (17,))
    if spec.loss == "xent":
        assert y.dtype == np.int64 and y.max() < spec.n_out
        assert y.min() >= (-1 if spec.per_step else 0)
    else:
        assert y.dtype == np.float64


@pytest.mark.parametrize("task", ["addition", "multiplication", "xor"])
@pytest.mark.parametrize("T", [2, 7, 30, 101])
def test_two_marker_layout(task, T):
    x, y = batch(task, T)
    markers = x[:, :, 1]
    assert set(np.unique(markers)) <= {0.0, 1.0}
    assert np.all(markers.sum(axis=0) == 2)
    first = np.argmax(markers, axis=0)
    second = T - 1 - np.argmax(markers[::-1], axis=0)
    assert np.all(first < T // 2) and np.all(second >= T // 2)
    marked = (x[:, :, 0] * markers).sum(axis=0)
    if task == "addition":
        assert np.all((x[:, :, 0] >= 0) & (x[:, :, 0] < 1))
        np.testing.assert_allclose(y, marked, rtol=0, atol=1e-15)
    elif task == "multiplication":
        values = x[:, :, 0].T[markers.T == 1].reshape(-1, 2)
        np.testing.assert_allclose(y, values[:, 0] * values[:, 1], rtol=1e-15)
    else:
        assert set(np.unique(x[:, :, 0])) <= {0.0, 1.0}
        bits = x[:, :, 0].T[markers.T == 1].reshape(-1, 2).astype(int)  # row b: sample b's two bits in time order
        np.testing.assert_array_equal(y, bits[:, 0] ^ bits[:, 1])


def test_one_hot_rows():
    one_hot = [t for t, s in rp.TASKS.items() if s.n_in > 2]
    assert len(one_hot) == 7
    for task in one_hot:
        x, _ = batch(task, 60, 100)
        assert set(np.unique(x)) <= {0.0, 1.0}
        assert np.all(x.sum(axis=2) == 1.0)


@pytest.mark.parametrize("T", [10, 11, 60, 97])
def test_temporal_order_layout_and_target(T):
    x, y = batch("temporal_order", T)
    symbols = np.argmax(x, axis=2)  # (T, B)
    informative = symbols < 2
    assert np.all(informative.sum(axis=0) == 2)
    _, steps = np.nonzero(informative.T)  # (sample, step) pairs, sorted by sample, then by step
    first, second = steps[0::2], steps[1::2]
    assert np.all((T // 10 <= first) & (first < 2 * T // 10))
    assert np.all((5 * T // 10 <= second) & (second < 6 * T // 10))
    samples = np.arange(B)
    np.testing.assert_array_equal(y, 2 * symbols[first, samples] + symbols[second, samples])


@pytest.mark.parametrize("T", [4, 5, 60])
def test_3bit_layout_and_target(T):
    x, y = batch("3bit_memorization", T)
    tokens = np.argmax(x, axis=2)
    assert np.all(tokens[:3] <= 1)
    assert np.all(tokens[T - 1] == 2)
    assert np.all((tokens[3 : T - 1] == 3) | (tokens[3 : T - 1] == 4))
    np.testing.assert_array_equal(y, 4 * tokens[0] + 2 * tokens[1] + tokens[2])


@pytest.mark.parametrize("task", ["xor", "temporal_order", "3bit_memorization"])
def test_classes_balanced_and_chance_matches(task):
    spec = rp.TASKS[task]
    _, y = batch(task, spec.headline_len, 40000)
    freq = np.bincount(y, minlength=spec.n_out) / y.size
    # binomial standard error at 40000 draws is at most 0.0025: 0.01 is four of them
    np.testing.assert_allclose(freq, 1.0 / spec.n_out, atol=0.01)
    # the best input-blind classifier predicts the most frequent class
    assert abs(freq.max() - spec.chance(spec.headline_len)) < 0.01


def test_addition_chance_is_half_variance():
    _, y = batch("addition", 30, 200000)
    # predicting the mean target, 1, costs 0.5 * Var(X1 + X2) = 1/12
    assert abs(0.5 * np.mean((y - 1.0) ** 2) - rp.TASKS["addition"].chance(30)) < 0.001
    assert abs(rp.TASKS["addition"].chance(30) - 1 / 12) < 1e-15


@pytest.mark.parametrize("task", list(rp.TASKS))
def test_too_short_sequence_names_the_minimum(task):
    spec = rp.TASKS[task]
    with pytest.raises(ValueError, match=f"at least {spec.min_len}"):
        rp.generate_batch(task, spec.min_len - 1, 3, np.random.default_rng(0))
    rp.generate_batch(task, spec.min_len, 3, np.random.default_rng(0))  # the minimum itself fits


def test_generators_draw_only_from_their_rng():
    a = batch("temporal_order", 30, 10, seed=3)
    b = batch("temporal_order", 30, 10, seed=3)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])


@pytest.mark.parametrize("T", [10, 13, 60])
def test_temporal_order_3_layout_and_target(T):
    x, y = batch("temporal_order_3", T)
    symbols = np.argmax(x, axis=2)
    assert np.all((symbols < 2).sum(axis=0) == 3)
    _, t_idx = np.nonzero((symbols < 2).T)
    positions = t_idx.reshape(-1, 3)  # per sample, in time order
    for k, (lo, hi) in enumerate(((1, 2), (3, 4), (6, 7))):
        assert np.all((lo * T // 10 <= positions[:, k]) & (positions[:, k] < hi * T // 10))
    samples = np.arange(B)
    bits = [symbols[positions[:, k], samples] for k in range(3)]
    np.testing.assert_array_equal(y, 4 * bits[0] + 2 * bits[1] + bits[2])


def test_random_permutation_scores_the_last_step_only_like_pascanu():
    """Before: every next symbol was a target, T - 1 of them unpredictable; the published scoring reads the last step
    alone, whose target is the first symbol."""
    T = 12
    x, y = batch("random_permutation", T)
    symbols = np.argmax(x, axis=2)
    assert np.all(symbols[0] < 2) and np.all(symbols[1:] >= 2)
    assert y.shape == (x.shape[1],) and not rp.TASKS["random_permutation"].per_step
    np.testing.assert_array_equal(y, symbols[0])
    assert abs(np.mean(y) - 0.5) < 0.03


@pytest.mark.parametrize("task, n_values, n_pos", [
    ("noiseless_memorization_5bit", 2, 5), ("noiseless_memorization_20bit", 5, 10), ("copy", 8, 10)])
@pytest.mark.parametrize("T", [1, 7, 30])
def test_recall_layout(task, n_values, n_pos, T):
    x, y = batch(task, T, 500)
    L = T + 2 * n_pos
    symbols = np.argmax(x, axis=2)
    blank, go = n_values, n_values + 1
    assert np.all(symbols[:n_pos] < n_values)  # the data
    assert np.all(symbols[n_pos : n_pos + T - 1] == blank)
    assert np.all(symbols[n_pos + T - 1] == go)  # the go / delimiter symbol, T steps after the data ended
    assert np.all(symbols[n_pos + T :] == blank)
    np.testing.assert_array_equal(y[: L - n_pos], blank)
    np.testing.assert_array_equal(y[L - n_pos :], symbols[:n_pos])  # recalled in order


def test_copy_chance_is_the_blank_then_uniform_baseline():
    T = 30
    spec = rp.TASKS["copy"]
    assert spec.chance(T) == pytest.approx(10 * np.log(8) / (T + 20))
    # the cross-entropy of the predictor "blank, blank, ..., then uniform over the 8 symbols" equals it
    _, y = batch("copy", T, 50)
    log_p = np.full(y.shape, np.log(1 / 8))
    log_p[y == 8] = 0.0
    assert -log_p.mean() == pytest.approx(spec.chance(T))


def test_latching_label_is_in_the_first_step_only():
    x, y = batch("latching", 40)
    assert x.shape == (40, B, 1)
    np.testing.assert_array_equal(x[0, :, 0] > 0, y == 1)
    assert abs(x[1:].std() - rp.LATCHING_NOISE) < 0.005  # noise elsewhere
    assert abs(y.mean() - 0.5) < 0.03
