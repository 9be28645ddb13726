"""The GRU cell (--cell gru, issue 24): its forward pass against a plain transcription of PyTorch's equations, its
hand-written BPTT against central differences (float64, every parameter, every task), training through the engine's
and the sweep's command lines, its records, and the analyses that read one W_hh: each refuses a GRU run in one line.
(tests/test_gradients.py checks the GRU too, as every registry entry; this file pins the GRU's own conventions.)"""

import json

import numpy as np
import pytest
from cli_helpers import assert_analyses_refuse, cell_run_files
from gradcheck import assert_gradients_agree, central_differences, relative_error

import rnn_pathological as rp
from rnnpath import bench, files

H, B = 4, 3  # tiny: the gradient check takes central differences of every parameter entry
GRAD_TOLERANCE = 1e-6  # relative error of the whole gradient of each parameter; measured 1e-11 to 1e-8


def sigmoid(a):
    return 1.0 / (1.0 + np.exp(-a))



def gru_params(task, rng, n_hidden=H, init="ortho"):
    """GRU parameters moved off the init so every term of the backward pass acts: every bias (b_hn too) off zero,
    so r and z sit away from 1/2 and the reset gate scales a nonzero b_hn, and input weights five times larger."""
    params = rp.init_params(task, n_hidden, init, rng, cell="gru")
    for name in rp.GRU_PARAM_NAMES:
        scale = 5.0 if name == "W_ih" else 1.0
        params[name] = scale * params[name] + 0.3 * rng.standard_normal(params[name].shape)
    return params


def loss_of(params, x, y, task):
    """The batch-mean loss by the forward pass alone (half the work of loss_and_grads, for the differences)."""
    hs, _ = rp.gru_forward(params, x)
    return rp.output_loss(params, hs, y, rp.get_task(task))[0]


def numerical_grads(params, x, y, task, names, eps=1e-6):
    return central_differences(lambda: loss_of(params, x, y, task), params, names, eps)


# ----------------------------------------------------------------------------------------------------------------
# the equations


def pytorch_gru(params, x, b_hr, b_hz):
    """h_t step by step as torch.nn.GRU's documentation writes it, with its names: W_ih = (W_ir, W_iz, W_in),
    W_hh = (W_hr, W_hz, W_hn), and two bias vectors b_ih, b_hh. Only b_ir + b_hr and b_iz + b_hz act, so the split of
    the engine's b_h into them is arbitrary (b_hr, b_hz given); b_in is b_h's last third and b_hn the engine's b_hn.
    Returns hs (T + 1, B, H) and the gates (T, B, 3H), r, z, n."""
    Hn = params["W_hh"].shape[1]
    W_ir, W_iz, W_in = np.split(params["W_ih"], 3)
    W_hr, W_hz, W_hn = np.split(params["W_hh"], 3)
    b_ir, b_iz, b_in = params["b_h"][:Hn] - b_hr, params["b_h"][Hn : 2 * Hn] - b_hz, params["b_h"][2 * Hn :]
    b_hn = params["b_hn"]
    h = np.zeros((x.shape[1], Hn))
    hs, gates = [h], []
    for x_t in x:
        r = sigmoid(x_t @ W_ir.T + b_ir + h @ W_hr.T + b_hr)
        z = sigmoid(x_t @ W_iz.T + b_iz + h @ W_hz.T + b_hz)
        n = np.tanh(x_t @ W_in.T + b_in + r * (h @ W_hn.T + b_hn))  # the reset gate after the recurrent product
        h = (1 - z) * n + z * h
        hs.append(h)
        gates.append(np.concatenate([r, z, n], axis=1))
    return np.array(hs), np.array(gates)


def test_forward_is_pytorchs_gru_step_by_step_in_float64_and_float32():
    rng = np.random.default_rng(3)
    params = gru_params("temporal_order", rng, n_hidden=16)
    x, _ = rp.generate_batch("temporal_order", 20, 8, rng)
    reference, gates = pytorch_gru(params, x, rng.standard_normal(16), rng.standard_normal(16))
    hs, cache = rp.gru_forward(params, x)
    np.testing.assert_allclose(hs, reference, rtol=0, atol=1e-14)
    np.testing.assert_allclose(cache["gates"], gates, rtol=0, atol=1e-14)  # stacked in the order r, z, n
    p32 = {k: v.astype(np.float32) for k, v in params.items()}
    hs32, _ = rp.gru_forward(p32, x.astype(np.float32))
    assert hs32.dtype == np.float32
    np.testing.assert_allclose(hs32, reference, rtol=0, atol=1e-5)


def test_b_hn_is_not_one_bias_with_b_in():
    """The reset gate scales b_hn and not b_in: moving b_hn into b_in changes the states (why it is a parameter)."""
    rng = np.random.default_rng(4)
    params = gru_params("addition", rng)
    x, _ = rp.generate_batch("addition", 8, B, rng)
    moved = {**params, "b_h": params["b_h"] + np.concatenate([np.zeros(2 * H), params["b_hn"]]),
             "b_hn": np.zeros(H)}
    assert np.max(np.abs(rp.gru_forward(params, x)[0] - rp.gru_forward(moved, x)[0])) > 1e-3


def test_init_is_three_blocks_of_the_stacked_init_with_zero_biases():
    """The draws of init_stacked with three blocks; --init per H x H block (ortho: each block orthogonal); every
    bias 0, b_z included (gru_init says why); forget_bias is the LSTM's and leaves the GRU alone."""
    knobs = {"random_scale": 0.1, "hh_scale": 1.0, "chain_alpha": 1.0, "chain_beta": 0.05, "fbchain_alpha": 0.99}
    params = rp.init_params("temporal_order", 6, "ortho", np.random.default_rng(0), cell="gru", forget_bias=3.0)
    stacked = rp.init_stacked(rp.get_task("temporal_order"), 6, "ortho", np.random.default_rng(0), knobs, 3)
    assert tuple(params) == rp.GRU_PARAM_NAMES and rp.CELLS["gru"].blocks == rp.GRU_GATES == ("r", "z", "n")
    assert params["W_hh"].shape == (18, 6) and params["W_ih"].shape == (18, 6) and params["b_h"].shape == (18,)
    assert params["b_hn"].shape == (6,) and not params["b_hn"].any() and not params["b_h"].any()
    for name in stacked:
        np.testing.assert_array_equal(params[name], stacked[name])
    for block in np.split(params["W_hh"], 3):
        np.testing.assert_allclose(block @ block.T, np.eye(6), atol=1e-12)


# ----------------------------------------------------------------------------------------------------------------
# BPTT


@pytest.mark.parametrize("task", list(rp.TASKS))
def test_bptt_matches_central_differences_on_every_task(task):
    """Every parameter (b_hn included) on every task: last-step and per-step targets, 0.5 * MSE and cross-entropy."""
    rng = np.random.default_rng(7)
    params = gru_params(task, rng)
    x, y = rp.generate_batch(task, max(rp.TASKS[task].min_len, 6), B, rng)
    loss, grads = rp.loss_and_grads(params, x, y, task, cell="gru")
    assert set(grads) == set(rp.GRU_PARAM_NAMES) and loss == pytest.approx(loss_of(params, x, y, task), abs=1e-15)
    numeric = numerical_grads(params, x, y, task, grads)
    assert_gradients_agree(grads, numeric, params, task, GRAD_TOLERANCE)


def test_the_check_tells_the_recurrent_side_of_n_from_the_input_side():
    """dL/db_hn is sum(da_n r) and dL/db_in sum(da_n): the check catches the one taken for the other."""
    rng = np.random.default_rng(1)
    params = gru_params("addition", rng)
    x, y = rp.generate_batch("addition", 8, B, rng)
    _, grads = rp.loss_and_grads(params, x, y, "addition", cell="gru")
    numeric = numerical_grads(params, x, y, "addition", ["b_hn"])["b_hn"]
    assert relative_error(grads["b_hn"], numeric) < GRAD_TOLERANCE
    assert relative_error(grads["b_h"][2 * H :], numeric) > 1e-3


def test_dh_steps_and_a_used_up_cache():
    rng = np.random.default_rng(0)
    params = gru_params("addition", rng)
    x, _ = rp.generate_batch("addition", 6, 2, rng)
    hs, cache = rp.gru_forward(params, x)
    dh_steps = np.zeros((6, 2, H))
    rp.gru_backward(params, x, hs, cache, np.ones((2, H)), dh_steps=dh_steps)
    np.testing.assert_array_equal(dh_steps[-1], np.ones((2, H)))  # dL/dh_T is what the output layer sends
    assert np.all(np.abs(dh_steps[:-1]) > 0)
    with pytest.raises(ValueError, match="used up"):
        rp.gru_backward(params, x, hs, cache, np.ones((2, H)))


# ----------------------------------------------------------------------------------------------------------------
# training, records and the command lines

TINY = ["--n-hidden", str(H), "--n-epochs", "1", "--batches-per-epoch", "1", "--batch-size", str(B)]


def test_train_end_to_end_and_the_record_holds_the_network():
    run = rp.train("addition", "ortho", 6, seed=0, cell="gru", n_hidden=H, n_epochs=1, batches_per_epoch=1,
                   batch_size=B, snapshot_every=1)
    assert run["config"]["cell"] == "gru" and rp.arm_label(run) == "gru+ortho" and len(run["history"]) == 1
    assert np.shape(run["W_hh_final"]) == (3 * H, H) and set(run["W_hh_stats"]["final"]) == {"r", "z", "n"}
    assert set(run["params_final"]) == {"W_ih", "b_h", "b_hn", "W_hy", "b_y"} and "heldout" in run
    assert files.run_problem(run) is None  # the record passes the files' checks, b_hn included
    trained = rp.trained_params(run)
    assert tuple(trained) == rp.GRU_PARAM_NAMES
    start, end = (snap["params"] for snap in run["snapshots"])
    initial = rp.initial_network("addition", "ortho", 0, cell="gru", n_hidden=H)
    for name in rp.GRU_PARAM_NAMES:
        np.testing.assert_array_equal(trained[name], end[name])
        np.testing.assert_array_equal(initial[name], start[name])
    broken = {**run, "params_final": {k: v for k, v in run["params_final"].items() if k != "b_hn"}}
    assert "b_hn" in files.run_problem(broken)
    short = {**run, "params_final": {**run["params_final"], "b_hn": [0.0] * (H - 1)}}
    assert "matching lengths" in files.run_problem(short)


@pytest.fixture(scope="module")
def gru_files(tmp_path_factory):
    """A results file of the engine's command line with snapshots, and a sweep file with the weights: GRU runs."""
    return cell_run_files(tmp_path_factory.mktemp("gru"), "gru", TINY)


def test_the_command_lines_train_a_gru(gru_files):
    results, swept = gru_files
    (run,) = files.load_results(str(results))["runs"]
    (record,) = [r for line in swept.read_text().splitlines() for r in [json.loads(line)]]
    for r in (run, record):
        assert r["config"]["cell"] == "gru" and np.shape(r["W_hh_final"]) == (3 * H, H) and "b_hn" in r["params_final"]
    assert "gru" in rp.OPTION_TABLE["cell"].help and "gru" in rp.CHOICES["cell"]


# ----------------------------------------------------------------------------------------------------------------
# the analyses that read a record's network: none has the GRU's equations, so each refuses it in one line


@pytest.mark.parametrize("command", ["motif", "gradients", "nonnormality"])
def test_the_analyses_refuse_a_gru_run(gru_files, command):
    assert_analyses_refuse(gru_files, "gru", command)


def test_the_benchmark_times_a_gru_step():
    assert "gru" in rp.CELLS and bench.ratio_key("gru") == "gru_over_rnn"  # cell_steps times every registry entry
    assert bench._step("addition", 6, H, "float64", B, "gru")() > 0
