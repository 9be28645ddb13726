"""Finite-difference checks of the hand-written BPTT: every cell of rp.CELLS on every task of rp.TASKS it accepts,
with every activation and from every init it takes, every trained parameter, float64. A new registry entry is
checked here without a line of this file changing."""

import numpy as np
import pytest

import rnn_pathological as rp


def numerical_grads(params, x, y, task, eps=1e-6, activation="tanh", cell="rnn", names=None):
    """Central differences of the batch-mean loss, one parameter entry at a time, for the parameters `names`
    (default: every one)."""
    grads = {}
    for name in params if names is None else names:
        p = params[name]
        g = np.zeros_like(p)
        for i in np.ndindex(p.shape):
            old = p[i]
            p[i] = old + eps
            loss_plus, _ = rp.loss_and_grads(params, x, y, task, activation, cell)
            p[i] = old - eps
            loss_minus, _ = rp.loss_and_grads(params, x, y, task, activation, cell)
            p[i] = old
            g[i] = (loss_plus - loss_minus) / (2 * eps)
        grads[name] = g
    return grads


def relative_error(a, b):
    return np.linalg.norm(a - b) / max(np.linalg.norm(a) + np.linalg.norm(b), 1e-30)


# ----------------------------------------------------------------------------------------------------------------
# every cell of the registry: the cases come from rp.CELLS, rp.TASKS and rp.INITS, filtered by what the engine
# itself accepts (rp.check_config), so a new cell, task or init is checked here as soon as it is an entry

N_HIDDEN, BATCH = 4, 3  # tiny: each case takes central differences of every trained parameter entry
INIT_TASK, INIT_H, INIT_LEN = "temporal_order", 6, 10  # 6 units: the chain inits inject each of its 6 inputs


def sequence_len(task):
    return max(rp.TASKS[task].min_len, 6)


def start_of(cell):
    """The init the task cases start a cell from: ortho, unless the cell takes only other inits."""
    inits = rp.get_cell(cell).inits
    return "ortho" if inits is None or "ortho" in inits else inits[0]


def accepts(cell, task, activation="tanh", init=None, n_hidden=N_HIDDEN, length=None):
    """Whether the engine trains `cell` on `task` so (rp.check_config raises its one-line reason otherwise)."""
    try:
        rp.check_config(task, init or start_of(cell), length or sequence_len(task), 0, cell=cell,
                        activation=activation, n_hidden=n_hidden)
    except ValueError:
        return False
    return True


def away_from_start(params, cell, rng, keep=()):
    """The parameters of `cell` moved off its init so every term of the backward pass is exercised: noise on every
    trained parameter but those in `keep` (biases off zero, the LSTM's gates away from their linear and saturated
    regimes, the oRNN's A off zero and not skew, so the check also covers the map's skew projection), and input
    weights five times larger."""
    for name in rp.get_cell(cell).params:
        if name not in keep:
            scale = 5.0 if name == "W_ih" else 1.0
            params[name] = scale * params[name] + 0.3 * rng.standard_normal(params[name].shape)
    return params


CASES = [(cell, task, activation) for cell, spec in rp.CELLS.items() for task in rp.TASKS
         for activation in spec.activations if accepts(cell, task, activation)]
INIT_CASES = [(cell, init) for cell, spec in rp.CELLS.items() for init in spec.inits or rp.INITS
              if accepts(cell, INIT_TASK, init=init, n_hidden=INIT_H, length=INIT_LEN)]


def test_the_cases_cover_every_entry_of_the_registries():
    """A refusal drops a case, never a whole cell, task, activation or init: every cell with every activation it
    takes, on some task, from every init it takes; every task with some cell."""
    assert {(cell, a) for cell, _, a in CASES} == {(cell, a) for cell, spec in rp.CELLS.items() for a in spec.activations}
    assert {task for _, task, _ in CASES} == set(rp.TASKS)
    assert INIT_CASES == [(cell, init) for cell, spec in rp.CELLS.items() for init in spec.inits or rp.INITS]


@pytest.mark.parametrize(("cell", "task", "activation"), CASES)
def test_bptt_matches_central_differences(cell, task, activation):
    """Final-step and per-step targets, regression and classification (0.5 * MSE and cross-entropy), every
    activation a cell takes, every trained parameter (the oRNN's A_hh through the exponential map)."""
    rng = np.random.default_rng(7)
    spec, c = rp.TASKS[task], rp.get_cell(cell)
    H = N_HIDDEN
    params = away_from_start(rp.init_params(task, H, start_of(cell), rng, cell=cell), cell, rng)
    x, y = rp.generate_batch(task, sequence_len(task), BATCH, rng)
    loss, grads = rp.loss_and_grads(params, x, y, task, activation, cell)
    assert isinstance(loss, float) and np.isfinite(loss)
    assert set(grads) == set(c.params) <= set(params)  # a fixed array (the oRNN's base B_hh) is not trained
    net, G = c.materialise(params), len(c.blocks)  # the network as records hold it: (G H, .) rows, G gate blocks
    assert set(net) == set(c.network) and net["W_hh"].shape == (G * H, H)
    if c.shapes is None:  # the stacked network of PARAM_NAMES (the GRU's b_hn beside them); the LRU's is its own
        assert set(net) >= set(rp.PARAM_NAMES)
        assert net["W_ih"].shape == (G * H, spec.n_in) and net["b_h"].shape == (G * H,)
    numeric = numerical_grads(params, x, y, task, activation=activation, cell=cell, names=grads)
    for name in grads:
        assert grads[name].shape == params[name].shape
        assert np.linalg.norm(numeric[name]) > 1e-8, f"{name}: gradient vanishes, the check would be vacuous"
        err = relative_error(grads[name], numeric[name])
        assert err < 1e-6, f"{task}/{cell}/{activation} {name}: relative error {err:.2e}"


@pytest.mark.parametrize(("cell", "init"), INIT_CASES)
def test_bptt_from_every_init(cell, init):
    """From every init a cell takes, with W_hh as the init makes it (the chains' zeros, the identity)."""
    rng = np.random.default_rng(3)
    params = away_from_start(rp.init_params(INIT_TASK, INIT_H, init, rng, cell=cell), cell, rng, keep=("W_hh",))
    x, y = rp.generate_batch(INIT_TASK, INIT_LEN, 3, rng)
    _, grads = rp.loss_and_grads(params, x, y, INIT_TASK, cell=cell)
    assert set(grads) == set(rp.get_cell(cell).params)
    numeric = numerical_grads(params, x, y, INIT_TASK, cell=cell, names=grads)
    for name in grads:
        assert relative_error(grads[name], numeric[name]) < 1e-6, name


# ----------------------------------------------------------------------------------------------------------------
# the LSTM cell


def lstm_params(task, H, rng, init="ortho"):
    """LSTM parameters with every gate away from its linear and its saturated regime, so every term of the backward
    pass is exercised: random biases (the forget gate's around its default 1) and larger input weights."""
    params = rp.init_params(task, H, init, rng, cell="lstm")
    params["b_h"] = params["b_h"] + 0.5 * rng.standard_normal(params["b_h"].shape)
    params["b_y"] = 0.3 * rng.standard_normal(params["b_y"].shape)
    params["W_ih"] = params["W_ih"] * 5.0 + 0.2 * rng.standard_normal(params["W_ih"].shape)
    return params


def test_lstm_gradient_check_detects_a_wrong_gradient():
    """The check above can fail: dW_hh with each gate's block transposed is caught."""
    rng = np.random.default_rng(1)
    H = 3
    params = lstm_params("addition", H, rng)
    x, y = rp.generate_batch("addition", 8, 3, rng)
    _, grads = rp.loss_and_grads(params, x, y, "addition", cell="lstm")
    numeric = numerical_grads(params, x, y, "addition", cell="lstm")
    blocks_transposed = np.concatenate([grads["W_hh"][k * H : (k + 1) * H].T for k in range(4)])
    assert relative_error(grads["W_hh"], numeric["W_hh"]) < 1e-6
    assert relative_error(blocks_transposed, numeric["W_hh"]) > 1e-3


def test_lstm_matches_a_plain_implementation_in_float64_and_float32():
    """The folded-constant kernels against np.tanh and a textbook sigmoid, one step at a time."""
    rng = np.random.default_rng(3)
    params = lstm_params("temporal_order", 16, rng)
    x, _ = rp.generate_batch("temporal_order", 20, 8, rng)
    H = 16

    def sigmoid(a):
        return 1.0 / (1.0 + np.exp(-a))

    h, c = np.zeros((8, H)), np.zeros((8, H))
    reference = [h]
    for t in range(20):
        a = x[t] @ params["W_ih"].T + h @ params["W_hh"].T + params["b_h"]
        i, f, g, o = sigmoid(a[:, :H]), sigmoid(a[:, H : 2 * H]), np.tanh(a[:, 2 * H : 3 * H]), sigmoid(a[:, 3 * H :])
        c = f * c + i * g
        h = o * np.tanh(c)
        reference.append(h)
    hs, _ = rp.lstm_forward(params, x)
    np.testing.assert_allclose(hs, np.array(reference), rtol=0, atol=1e-14)
    p32 = {k: v.astype(np.float32) for k, v in params.items()}
    hs32, _ = rp.lstm_forward(p32, x.astype(np.float32))
    assert hs32.dtype == np.float32
    np.testing.assert_allclose(hs32, hs, rtol=0, atol=1e-5)


def test_lstm_backward_uses_up_its_cache():
    rng = np.random.default_rng(0)
    params = rp.init_params("addition", 4, "ortho", rng, cell="lstm")
    x, _ = rp.generate_batch("addition", 6, 2, rng)
    hs, cache = rp.lstm_forward(params, x)
    rp.lstm_backward(params, x, hs, cache, np.ones((2, 4)))
    with pytest.raises(ValueError, match="used up"):
        rp.lstm_backward(params, x, hs, cache, np.ones((2, 4)))


def test_gradient_check_detects_a_wrong_gradient():
    """The check above can fail: a deliberately broken backward pass is caught."""
    rng = np.random.default_rng(0)
    params = rp.init_params("addition", 4, "ortho", rng)
    x, y = rp.generate_batch("addition", 6, 3, rng)
    _, grads = rp.loss_and_grads(params, x, y, "addition")
    numeric = numerical_grads(params, x, y, "addition")
    assert relative_error(grads["W_hh"].T, numeric["W_hh"]) > 1e-3  # a transposed dW_hh is wrong


def test_fast_tanh_matches_numpy_tanh():
    """The forward pass computes tanh as 2 / (1 + exp(-2a)) - 1; it equals np.tanh to a few 1e-16 everywhere."""
    import tracemalloc

    a = np.concatenate([np.linspace(-30, 30, 20001), [-800.0, -1e-300, 0.0, 1e-300, 800.0]])
    # every tanh forward takes the fast path; the values ride on the batch axis of a one-unit network, so the
    # pre-activation of example b is 1 * a[b], exactly a[b] (an (H, H) W_hh with a value per unit took 3.2 GB)
    params = {"W_ih": np.ones((1, 1)), "W_hh": np.zeros((1, 1)), "b_h": np.zeros(1)}
    x = a.reshape(1, a.size, 1)  # one step, B = a.size examples, one input
    tracemalloc.start()
    hs = rp.rnn_forward(params, x)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 4 * 2**20
    assert np.max(np.abs(hs[1, :, 0] - np.tanh(a))) < 1e-15
    assert np.all(np.abs(hs[1, :, 0]) <= 1.0)
