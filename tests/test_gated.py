"""The LSTM cell, Adam and RMSprop, the fixed training set with its validation set, and seed 004's fixed windows
(issue 14); and that none of them changes a vanilla run."""

import json
from pathlib import Path

import numpy as np
import pytest
from kernels import assert_same_numbers

import rnn_pathological as rp
from rnnpath import sweep

ROOT = Path(__file__).resolve().parents[1]
TINY = {"n_hidden": 4, "n_epochs": 2, "batches_per_epoch": 2, "batch_size": 5}

# ----------------------------------------------------------------------------------------------------------------
# the vanilla cell is unchanged


@pytest.mark.parametrize("task", [t for t, _ in rp.HEADLINE])
def test_vanilla_runs_reproduce_the_committed_results(task):
    """results.json was written by the engine before the cell registry and the new optimisers: the first epochs of
    each ortho run, retrained, must give exactly the same numbers (==) under the BLAS kernel that wrote the file, and
    the same to 1e-9 under any other (tests/kernels.py)."""
    doc = json.loads((ROOT / "results.json").read_text())
    run = next(r for r in doc["runs"] if r["task"] == task and r["init"] == "ortho")
    fresh = rp.train(run["task"], run["init"], run["sequence_len"], seed=run["seed"],
                     **{**run["config"], "n_epochs": 2})
    assert fresh["config"]["cell"] == "rnn" and fresh["config"]["optimizer"] == "momentum"
    for new, old in zip(fresh["history"], run["history"][:2], strict=True):
        for key in ("loss", "metric", "grad_norm", "momentum"):
            assert_same_numbers(new[key], old[key], doc["environment"], where=f"{task} epoch {new['epoch']} {key}")
    assert_same_numbers(fresh["W_hh_singular_values_init"], run["W_hh_singular_values_init"], doc["environment"])
    assert "metric_on" not in fresh  # a fresh-data record has the fields it had


def test_the_same_retrain_twice_in_one_process_is_bit_identical():
    """What holds on every kernel: the engine itself is deterministic (the first epochs of addition's ortho run)."""
    first, second = (rp.train("addition", "ortho", 30, seed=0, n_epochs=1, batches_per_epoch=5) for _ in range(2))
    assert first["history"] == [{**e, "elapsed_s": f["elapsed_s"]} for e, f in zip(second["history"],
                                                                                  first["history"], strict=True)]
    assert first["W_hh_final"] == second["W_hh_final"]


def test_new_options_default_to_the_old_behaviour():
    """Old records lack the new options; full_config fills them with these defaults, which must mean 'as before'."""
    assert rp.DEFAULTS["cell"] == "rnn" and rp.DEFAULTS["optimizer"] == "momentum"
    assert rp.DEFAULTS["train_size"] == 0 and rp.DEFAULTS["positions"] == "default"
    old = {k: v for k, v in rp.DEFAULTS.items() if k not in ("cell", "forget_bias", "adam_beta1", "adam_beta2",
                                                              "adam_eps", "rmsprop_decay", "rmsprop_eps",
                                                              "train_size", "val_size")}
    assert sweep.config_key(old) == sweep.config_key(rp.DEFAULTS)


def test_sweep_and_cli_take_every_new_option():
    args = sweep.build_parser().parse_args(["run", "--cell", "lstm", "--optimizer", "adam", "--adam-beta2", "0.99",
                                            "--train-size", "100", "--positions", "fixed", "--out", "x.jsonl"])
    config = sweep.training_config(args)
    assert (config["cell"], config["optimizer"], config["adam_beta2"], config["train_size"]) == ("lstm", "adam", 0.99,
                                                                                              100)
    cli = rp.build_parser().parse_args(["--cell", "lstm", "--forget-bias", "0", "--optimizer", "rmsprop",
                                        "--rmsprop-decay", "0.95", "--val-size", "50"])
    assert set(rp.DEFAULTS) <= set(vars(cli))  # every training option has a flag


# ----------------------------------------------------------------------------------------------------------------
# the LSTM's parameters


def test_lstm_parameters_blocks_and_forget_bias():
    H = 6
    p = rp.init_params("temporal_order", H, "ortho", np.random.default_rng(0), cell="lstm")
    assert list(p) == list(rp.PARAM_NAMES)
    assert {k: v.shape for k, v in p.items()} == {"W_ih": (4 * H, 6), "W_hh": (4 * H, H), "b_h": (4 * H,),
                                                  "W_hy": (4, H), "b_y": (4,)}
    blocks = [p["W_hh"][k * H : (k + 1) * H] for k in range(4)]
    for W in blocks:  # an independent orthogonal block per gate
        np.testing.assert_allclose(W.T @ W, np.eye(H), atol=1e-12)
    assert all(not np.allclose(blocks[a], blocks[b]) for a in range(4) for b in range(a + 1, 4))
    np.testing.assert_array_equal(p["b_h"], np.r_[np.zeros(H), np.ones(H), np.zeros(2 * H)])
    q = rp.init_params("temporal_order", H, "ortho", np.random.default_rng(0), cell="lstm", forget_bias=0.0)
    assert not q["b_h"].any()
    # the draw order: W_ih first, so its first H rows are the vanilla cell's W_ih
    vanilla = rp.init_params("temporal_order", H, "ortho", np.random.default_rng(0))
    np.testing.assert_array_equal(p["W_ih"][:H], vanilla["W_ih"])


@pytest.mark.parametrize("cell", [c for c in rp.CELLS if c != "lstm"])
def test_a_forget_bias_is_refused_for_a_cell_without_a_forget_gate(cell):
    """--forget-bias is the LSTM's alone: another cell would train as if it were unset, so a run that sets it fails in
    one line before any compute (its default, which every record holds, passes)."""
    ok = {"cell": cell, "init": rp.CELLS[cell].inits[0] if rp.CELLS[cell].inits else "ortho"}
    rp.check_config("addition", ok["init"], 10, 0, cell=cell, forget_bias=rp.DEFAULTS["forget_bias"])
    with pytest.raises(ValueError, match=f"the {cell} cell ignores forget_bias .* an option of the lstm cell") as err:
        rp.check_config("addition", ok["init"], 10, 0, cell=cell, forget_bias=3.0)
    assert "\n" not in str(err.value)
    rp.check_config("addition", "ortho", 10, 0, cell="lstm", forget_bias=3.0)


@pytest.mark.parametrize("init", ["identity", "chain", "fbchain", "random", "sparse"])
def test_lstm_inits_apply_to_each_gate_block(init):
    H = 12  # copy has 10 inputs: the chains inject each into a unit of its own
    p = rp.init_params("copy", H, init, np.random.default_rng(1), cell="lstm", hh_scale=0.5)
    blocks = [p["W_hh"][k * H : (k + 1) * H] for k in range(4)]
    vanilla_draw = rp.recurrent_block(H, init, np.random.default_rng(2),
                                      {**{k: rp.DEFAULTS[k] for k in rp.HH_KNOBS}, "hh_scale": 0.5})
    for W in blocks:
        if init in ("identity", "chain", "fbchain"):  # deterministic recipes: every block the vanilla matrix
            np.testing.assert_array_equal(W, vanilla_draw)
        elif init == "sparse":
            assert np.all((W != 0).sum(axis=1) == H)  # fewer units than the fan-in of 15: every weight used
            assert np.max(np.abs(np.linalg.eigvals(W))) == pytest.approx(rp.SPARSE_SPECTRAL_RADIUS, rel=1e-9)
    if init in ("chain", "fbchain"):  # the source injection into every gate's quarter
        np.testing.assert_array_equal(p["W_ih"], np.tile(0.9 * np.eye(H, 10), (4, 1)))


def test_lstm_refuses_relu():
    with pytest.raises(ValueError, match="lstm cell takes activation tanh"):
        rp.train("addition", "ortho", 5, cell="lstm", activation="relu", **TINY)


# ----------------------------------------------------------------------------------------------------------------
# optimisers: each step against plain arithmetic


def test_three_adam_steps_by_hand():
    lr, b1, b2, eps = 0.1, 0.9, 0.999, 1e-8
    gs = [[0.5, -2.0], [0.1, 1.0], [-0.3, 0.0]]
    params = {"w": np.array([1.0, -1.0])}
    m, v = {"w": np.zeros(2)}, {"w": np.zeros(2)}
    for t, g in enumerate(gs, start=1):
        rp.adam_step(params, {"w": np.array(g)}, m, v, lr, b1, b2, eps, t)
    # by hand, coordinate by coordinate
    for j, w0 in enumerate([1.0, -1.0]):
        w, mj, vj = w0, 0.0, 0.0
        for t, g in enumerate(gs, start=1):
            mj = b1 * mj + (1 - b1) * g[j]
            vj = b2 * vj + (1 - b2) * g[j] * g[j]
            w -= lr * (mj / (1 - b1**t)) / ((vj / (1 - b2**t)) ** 0.5 + eps)
        assert params["w"][j] == pytest.approx(w, rel=1e-14, abs=1e-15)
        assert m["w"][j] == pytest.approx(mj, rel=1e-14) and v["w"][j] == pytest.approx(vj, rel=1e-14)
    # the first step moves every coordinate with a gradient by lr, whatever the gradient's size
    p1, m1, v1 = {"w": np.array([0.0, 0.0])}, {"w": np.zeros(2)}, {"w": np.zeros(2)}
    rp.adam_step(p1, {"w": np.array([1e-3, -40.0])}, m1, v1, lr, b1, b2, eps, 1)
    np.testing.assert_allclose(p1["w"], [-lr, lr], rtol=1e-4)  # eps / |g| = 1e-5 off lr at most


def test_three_rmsprop_steps_by_hand():
    lr, rho, eps = 0.01, 0.9, 1e-8
    gs = [[1.0, -0.5], [2.0, 0.0], [-1.0, 0.25]]
    params = {"w": np.array([0.3, 0.7])}
    ms = {"w": np.zeros(2)}
    for g in gs:
        rp.rmsprop_step(params, {"w": np.array(g)}, ms, lr, rho, eps)
    for j, w0 in enumerate([0.3, 0.7]):
        w, s = w0, 0.0
        for g in gs:
            s = rho * s + (1 - rho) * g[j] ** 2
            w -= lr * g[j] / (s**0.5 + eps)
        assert params["w"][j] == pytest.approx(w, rel=1e-14)
        assert ms["w"][j] == pytest.approx(s, rel=1e-14)
    # first step: s = 0.1 g^2, so the step is lr / sqrt(0.1) = 3.16 lr against the gradient's sign
    assert 0.3 - lr / np.sqrt(0.1) == pytest.approx(0.3 - lr * 1.0 / (np.sqrt(0.1) + eps))


@pytest.mark.parametrize("optimizer", list(rp.OPTIMIZER_TABLE))
def test_every_optimiser_trains_after_clipping_and_records_momentum_only_if_it_uses_it(optimizer, monkeypatch):
    """Every optimiser of the registry steps on clipped gradients; the adaptive ones (no momentum) record no
    momentum and have a step of their own."""
    opt = rp.OPTIMIZER_TABLE[optimizer]
    seen = []
    real = rp.clip_by_global_norm

    def spy(grads, max_norm):
        norm = real(grads, max_norm)
        seen.append(rp.global_norm(grads))
        return norm

    monkeypatch.setattr(rp, "clip_by_global_norm", spy)
    run = rp.train("addition", "ortho", 8, optimizer=optimizer, lr=0.01, clip=0.05, **TINY)
    assert run["config"]["optimizer"] == optimizer
    assert all(("momentum" in e) == opt.momentum for e in run["history"])
    assert len(seen) == 4 and max(seen) <= 0.05 + 1e-12  # every step saw clipped gradients
    if not opt.momentum:
        assert all(opt.step is not o.step for o in rp.OPTIMIZER_TABLE.values() if o.momentum)


def test_optimiser_hyperparameters_are_checked():
    for name, value in (("adam_beta1", 1.0), ("adam_beta2", -0.1), ("rmsprop_decay", 1.5)):
        with pytest.raises(ValueError, match=name):
            rp.check_config("addition", "ortho", 10, 0, **{name: value})
    with pytest.raises(ValueError, match="adam_eps"):
        rp.check_config("addition", "ortho", 10, 0, adam_eps=0.0)


# ----------------------------------------------------------------------------------------------------------------
# a fixed training set and its validation set


def sorted_latching(sequence_len, batch_size, rng):
    """Latching data ordered by class (all of class 0 first), as seed 003's data set was."""
    x, y = rp.latching(sequence_len, batch_size, rng)
    order = np.argsort(y, kind="stable")
    return x[:, order], y[order]


def test_the_split_is_shuffled_so_an_ordered_data_set_keeps_both_classes_in_validation():
    spec = rp.Task("sorted_latching", sorted_latching, 1, 2, "xent", "accuracy", rp._const(0.5), rp._const(0.5),
                   rp._const(0.95), 1, 10)
    config = {**rp.DEFAULTS, "train_size": 300, "val_size": 100}
    (x_train, y_train), (x_val, y_val) = rp.fixed_data(spec, 10, config, np.random.default_rng(0))
    assert x_train.shape == (10, 300, 1) and x_val.shape == (10, 100, 1) and y_val.shape == (100,)
    # an unshuffled split would hand validation the last 100 sequences: class 1 alone
    assert 0.35 < y_val.mean() < 0.65 and 0.35 < y_train.mean() < 0.65
    # the label still belongs to its sequence (x[0] carries the class as +1 / -1)
    np.testing.assert_array_equal(x_val[0, :, 0] > 0, y_val == 1)


def test_temporal_order_validation_set_has_every_class_in_proportion():
    spec = rp.TASKS["temporal_order"]
    config = {**rp.DEFAULTS, "train_size": 1000, "val_size": 1000, "positions": "fixed"}
    (_, y_train), (_, y_val) = rp.fixed_data(spec, 60, config, np.random.default_rng(4))
    for y in (y_train, y_val):
        shares = np.bincount(y, minlength=4) / y.size
        assert np.all(np.abs(shares - 0.25) < 0.05), shares  # binomial sd 0.014


def test_an_epoch_visits_each_training_sequence_once_in_a_new_order():
    x = np.arange(7.0)[None, :, None] * np.ones((3, 7, 1))
    y = np.arange(7)
    config = {**rp.DEFAULTS, "batch_size": 3}
    rng = np.random.default_rng(0)
    epochs = [list(rp.epoch_batches(rp.TASKS["latching"], 3, config, rng, (x, y))) for _ in range(2)]
    for batches in epochs:
        assert [b[0].shape[1] for b in batches] == [3, 3, 1]
        seen = np.concatenate([b[1] for b in batches])
        assert sorted(seen) == list(range(7))
        for bx, by in batches:
            np.testing.assert_array_equal(bx[0, :, 0], by)
    assert [list(b[1]) for b in epochs[0]] != [list(b[1]) for b in epochs[1]]


def test_a_fixed_set_run_reports_the_validation_metric_and_says_so():
    run = rp.train("temporal_order", "ortho", 50, train_size=12, val_size=9, positions="fixed", cell="lstm",
                   optimizer="adam", lr=0.01, **{**TINY, "batch_size": 5})
    assert run["metric_on"] == "validation"
    for epoch in run["history"]:
        assert {"train_metric", "val_loss"} <= set(epoch)
        assert epoch["metric"] * 9 == pytest.approx(round(epoch["metric"] * 9))  # a fraction of the 9 sequences
    assert run["final_metric"] == run["history"][-1]["metric"]
    assert "validation accuracy" in rp.summary_line(run)


def test_evaluate_in_chunks_equals_one_pass():
    rng = np.random.default_rng(2)
    for task, cell in (("copy", "lstm"), ("addition", "rnn"), ("noiseless_memorization_5bit", "lstm")):
        params = rp.init_params(task, 5, "ortho", rng, cell=cell)
        x, y = rp.generate_batch(task, 6, 23, rng)
        whole = rp.evaluate(params, x, y, task, cell=cell, chunk=23)
        chunked = rp.evaluate(params, x, y, task, cell=cell, chunk=5)
        assert chunked[0] == pytest.approx(whole[0], rel=1e-12) and chunked[1] == pytest.approx(whole[1], rel=1e-12)
        loss, metric, _ = rp.forward_backward(params, x, y, task, cell=cell)
        assert whole[0] == pytest.approx(loss, rel=1e-12) and whole[1] == pytest.approx(metric, rel=1e-12)


# ----------------------------------------------------------------------------------------------------------------
# seed 004's fixed windows


@pytest.mark.parametrize("T", [50, 100, 500])
def test_fixed_windows_put_the_symbols_at_10_18_and_40_49_whatever_T(T):
    x, y = rp.generate_batch("temporal_order", T, 400, np.random.default_rng(T), positions="fixed")
    symbols = x.argmax(axis=2)  # (T, B)
    informative = symbols < 2
    assert np.all(informative.sum(axis=0) == 2)
    t_of = [np.nonzero(informative[:, b])[0] for b in range(400)]
    first, second = np.array([t[0] for t in t_of]), np.array([t[1] for t in t_of])
    assert first.min() == 10 and first.max() == 18 and second.min() == 40 and second.max() == 49
    np.testing.assert_array_equal(y, 2 * symbols[first, np.arange(400)] + symbols[second, np.arange(400)])


def test_fixed_windows_need_temporal_order_and_T_50():
    with pytest.raises(ValueError, match="at least 50"):
        rp.generate_batch("temporal_order", 49, 2, np.random.default_rng(0), positions="fixed")
    with pytest.raises(ValueError, match="applies to temporal_order"):
        rp.check_config("temporal_order_3", "ortho", 60, 0, positions="fixed")


# ----------------------------------------------------------------------------------------------------------------
# the command line


def test_the_cli_trains_an_lstm_at_T_200_and_reports_it(capsys):
    argv = ["--task", "temporal_order", "--cell", "lstm", "--sequence-len", "200", "--n-hidden", "4", "--n-epochs",
            "1", "--batches-per-epoch", "1", "--batch-size", "4"]
    assert rp.main(argv) == 0
    out = capsys.readouterr().out
    assert "epoch   1/1" in out and "temporal_order T=200 lstm+ortho seed 0: final accuracy" in out


def test_lstm_records_name_their_cell_and_per_gate_statistics():
    run = rp.train("3bit_memorization", "ortho", 10, cell="lstm", **TINY)
    assert run["config"]["cell"] == "lstm" and rp.cell_of(run) == "lstm" and rp.arm_label(run) == "lstm+ortho"
    assert set(run["W_hh_stats"]["init"]) == set(rp.LSTM_GATES)
    assert run["W_hh_stats"]["init"]["f"]["sv_min"] == pytest.approx(1.0)  # an orthogonal block per gate
    assert np.array(run["W_hh_final"]).shape == (16, 4) and len(run["W_hh_singular_values_init"]) == 4
    from rnnpath import files

    assert files.run_problem(json.loads(json.dumps(run))) is None


def test_the_gif_retrains_lstm_arms(tmp_path, monkeypatch):
    import make_rnn_pathological_gif as gif

    cells = []
    real = rp.train
    monkeypatch.setattr(rp, "train", lambda *a, **kw: cells.append(kw.get("cell")) or real(*a, **kw))
    out = tmp_path / "lstm.gif"
    argv = ["--retrain", "--cell", "lstm", "--task", "temporal_order", "--n-epochs", "2", "--n-hidden", "4",
            "--batches-per-epoch", "2", "--quiet", "--out", str(out)]
    assert gif.main(argv) == 0
    assert cells == ["lstm", "lstm"] and out.stat().st_size > 0
