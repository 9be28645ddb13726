"""Pathological long-term-dependency tasks for a vanilla tanh RNN, in numpy.

Reproduces the headline of Sutskever, Martens, Dahl & Hinton (2013) on the tasks of Hochreiter & Schmidhuber
(1997): with SGD, heavy-ball momentum and global-norm gradient clipping, a vanilla tanh RNN whose recurrent matrix
starts orthogonal learns to carry information across 30-60 steps; the same network started from a small random
Gaussian recurrent matrix stays near chance.

    python rnn_pathological.py --all --seed 0                    # the headline: 3 tasks x 2 inits -> results.json
    python rnn_pathological.py --task addition --init random     # one run, one progress line per epoch

Sections, in dependency order: tasks, initialisation, model (forward and backward through time), output losses,
clipping and optimiser, training, experiment runner and results file, command line.

Conventions. Time-major arrays: x is (T, B, n_in). Parameters are a dict of arrays and gradients a dict with the
same keys. The recurrence is h_t = tanh(W_ih x_t + W_hh h_{t-1} + b_h) with h_0 = 0 (W_hh[i, j] is the weight from
unit j to unit i); the output y_hat = W_hy h_T + b_y is read at the final step only.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
import multiprocessing
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from typing import Callable

import numpy as np

SCHEMA_VERSION = 1

# ----------------------------------------------------------------------------------------------------------------
# tasks
#
# Every generator has the signature (sequence_len, batch_size, rng) -> (x, y), is vectorised over the batch and
# draws only from the rng it is given. x is float64 (T, B, n_in); y is (B,) int64 class labels or float64 targets.


def _one_hot(symbols: np.ndarray, n_symbols: int) -> np.ndarray:
    """(T, B) int -> (T, B, n_symbols) float64 one-hot rows."""
    return np.eye(n_symbols)[symbols]


def _two_marker_layout(values: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Shared layout of addition and xor (Hochreiter & Schmidhuber 1997, sec. 5.4; Sutskever et al. 2013).

    values: (T, B) the value channel. One marker uniform in [0, T//2), one uniform in [T//2, T).
    Returns x (T, B, 2) = [value, marker] and the two marked values, each (B,).
    """
    T, B = values.shape
    batch = np.arange(B)
    first = rng.integers(0, T // 2, size=B)
    second = rng.integers(T // 2, T, size=B)
    x = np.zeros((T, B, 2))
    x[:, :, 0] = values
    x[first, batch, 1] = 1.0
    x[second, batch, 1] = 1.0
    return x, values[first, batch], values[second, batch]


def addition(sequence_len: int, batch_size: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Adding problem. Values ~ U[0, 1] at every step, two marked; target = sum of the marked values.

    Loss 0.5 * squared error. Chance: the best input-blind prediction is E[sum] = 1, whose loss is
    0.5 * Var(X1 + X2) = 0.5 * 2/12 = 1/12. Solved: 0.5 * MSE < 0.05.
    """
    values = rng.random((sequence_len, batch_size))
    x, v1, v2 = _two_marker_layout(values, rng)
    return x, v1 + v2


def xor(sequence_len: int, batch_size: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """XOR problem: the addition layout with Bernoulli(0.5) bits; target = XOR of the two marked bits.

    2-class softmax. Chance accuracy 0.5 (the classes are balanced). Solved: accuracy > 0.95.
    """
    bits = rng.integers(0, 2, size=(sequence_len, batch_size))
    x, b1, b2 = _two_marker_layout(bits.astype(np.float64), rng)
    return x, (b1.astype(np.int64) ^ b2.astype(np.int64))


def temporal_order(sequence_len: int, batch_size: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Temporal order problem (Hochreiter & Schmidhuber 1997, task 6a).

    One-hot over 6 symbols: A = 0 and B = 1 carry the information, 2..5 are distractors. A or B sits at one position
    uniform in [floor(0.1T), floor(0.2T)) and one in [floor(0.5T), floor(0.6T)); distractors fill every other step.
    Target: the ordered pair, AA = 0, AB = 1, BA = 2, BB = 3. Chance accuracy 0.25. Solved: accuracy > 0.90.
    """
    T, B = sequence_len, batch_size
    batch = np.arange(B)
    symbols = rng.integers(2, 6, size=(T, B))
    # integer arithmetic gives floor(k T / 10) exactly, where 0.1 * T in floating point may round down
    first = rng.integers(T // 10, 2 * T // 10, size=B)
    second = rng.integers(5 * T // 10, 6 * T // 10, size=B)
    s1 = rng.integers(0, 2, size=B)
    s2 = rng.integers(0, 2, size=B)
    symbols[first, batch] = s1
    symbols[second, batch] = s2
    return _one_hot(symbols, 6), 2 * s1 + s2


def three_bit_memorization(
    sequence_len: int, batch_size: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """3-bit memorization (seed 000's layout of the noiseless-memorization family).

    One-hot over 5 tokens: bit0 = 0, bit1 = 1, query = 2, noise = 3 and 4. Bits at t = 0, 1, 2; noise tokens
    uniform at t = 3 .. T-2; the query at t = T-1. Target: the pattern as a number, 4 b0 + 2 b1 + b2 (8 classes).
    Chance accuracy 0.125. Solved: accuracy > 0.90.
    """
    T, B = sequence_len, batch_size
    bits = rng.integers(0, 2, size=(3, B))
    tokens = rng.integers(3, 5, size=(T, B))
    tokens[:3] = bits
    tokens[T - 1] = 2
    return _one_hot(tokens, 5), 4 * bits[0] + 2 * bits[1] + bits[2]


@dataclass(frozen=True)
class Task:
    """What the engine needs to know about a task besides its generator."""

    name: str
    generate: Callable[[int, int, np.random.Generator], tuple[np.ndarray, np.ndarray]]
    n_in: int
    n_out: int
    loss: str  # "mse" (0.5 * mean squared error, a regression target) or "xent" (softmax cross-entropy)
    chance: float  # the metric of the best predictor that ignores the input
    solved_threshold: float  # solved when the metric is below it (loss "mse") or above it (accuracy)
    min_len: int  # the shortest sequence the layout fits in
    headline_len: int  # the sequence length of the headline run, and the CLI default

    @property
    def metric_name(self) -> str:
        return "half_mse" if self.loss == "mse" else "accuracy"

    @property
    def higher_is_better(self) -> bool:
        return self.loss != "mse"

    def is_solved(self, metric: float) -> bool:
        if self.higher_is_better:
            return metric > self.solved_threshold
        return metric < self.solved_threshold


TASKS: dict[str, Task] = {
    t.name: t
    for t in [
        Task("addition", addition, 2, 1, "mse", 1.0 / 12.0, 0.05, min_len=2, headline_len=30),
        Task("xor", xor, 2, 2, "xent", 0.5, 0.95, min_len=2, headline_len=30),
        # T >= 10 makes both windows of the temporal-order layout non-empty
        Task("temporal_order", temporal_order, 6, 4, "xent", 0.25, 0.90, min_len=10, headline_len=60),
        # three bits and the query; the noise stretch may be empty
        Task("3bit_memorization", three_bit_memorization, 5, 8, "xent", 0.125, 0.90, min_len=4, headline_len=60),
    ]
}


def get_task(task: str | Task) -> Task:
    if isinstance(task, Task):
        return task
    try:
        return TASKS[task]
    except KeyError:
        raise ValueError(f"unknown task {task!r}; choose from {', '.join(TASKS)}") from None


def check_sequence_len(task: str | Task, sequence_len: int) -> None:
    spec = get_task(task)
    if sequence_len < spec.min_len:
        raise ValueError(
            f"sequence length {sequence_len} is too short for {spec.name}: its layout needs at least {spec.min_len}"
        )


def generate_batch(
    task: str | Task, sequence_len: int, batch_size: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """A fresh batch: x float64 (T, B, n_in), time-major; y (B,) int64 labels or float64 regression targets."""
    spec = get_task(task)
    check_sequence_len(spec, sequence_len)
    if batch_size < 1:
        raise ValueError(f"batch size must be positive, got {batch_size}")
    return spec.generate(sequence_len, batch_size, rng)


# ----------------------------------------------------------------------------------------------------------------
# initialisation

INITS = ("ortho", "random")


def random_orthogonal(n: int, rng: np.random.Generator) -> np.ndarray:
    """A Haar-distributed orthogonal (n, n) matrix: QR of a Gaussian matrix with the columns of Q sign-fixed by
    sign(diag(R)); without the fix, QR's sign convention biases the distribution (Mezzadri 2007)."""
    Q, R = np.linalg.qr(rng.standard_normal((n, n)))
    return Q * np.sign(np.diag(R))


def init_params(
    task: str | Task, n_hidden: int, init: str, rng: np.random.Generator, *, random_scale: float = 0.1
) -> dict[str, np.ndarray]:
    """Parameters for `task`: W_ih (H, n_in), W_hh (H, H), b_h (H,), W_hy (n_out, H), b_y (n_out,), float64.

    W_ih ~ N(0, 0.1^2) and W_hy ~ N(0, 1/H), biases zero, in every arm. W_hh is drawn last, so the same rng state
    gives the same W_ih and W_hy whatever the init and the arms differ in W_hh alone:
      ortho   Haar-random orthogonal, every singular value 1;
      random  N(0, random_scale^2) entries (default 0.1): spectral norm about 2 * 0.1 * sqrt(H) = 1.6 at H = 64,
              but a long tail of small singular values.
    """
    spec = get_task(task)
    if n_hidden < 1:
        raise ValueError(f"n_hidden must be positive, got {n_hidden}")
    H = n_hidden
    params = {
        "W_ih": 0.1 * rng.standard_normal((H, spec.n_in)),
        "W_hy": rng.standard_normal((spec.n_out, H)) / np.sqrt(H),
        "b_h": np.zeros(H),
        "b_y": np.zeros(spec.n_out),
    }
    if init == "ortho":
        params["W_hh"] = random_orthogonal(H, rng)
    elif init == "random":
        params["W_hh"] = random_scale * rng.standard_normal((H, H))
    else:
        raise ValueError(f"unknown init {init!r}; choose from {', '.join(INITS)}")
    return {k: params[k] for k in PARAM_NAMES}


PARAM_NAMES = ("W_ih", "W_hh", "b_h", "W_hy", "b_y")


# ----------------------------------------------------------------------------------------------------------------
# model: forward and backward through time
#
# The two loops over time are the only sequential work; everything that does not depend on the previous step
# (the input projection, the derivative of the nonlinearity, the weight gradients) is done for all T steps at once
# as a single GEMM or ufunc call, and the loops write into preallocated buffers.


class Workspace:
    """Scratch arrays reused from batch to batch by the training loop.

    A fresh multi-megabyte numpy array is mapped from the OS page by page, and those page faults cost as much as the
    arithmetic at these sizes; reusing buffers avoids them. Arrays handed out by a workspace are overwritten by the
    next call that uses the same workspace.
    """

    def __init__(self) -> None:
        self._arrays: dict[str, np.ndarray] = {}

    def empty(self, name: str, shape: tuple[int, ...], dtype) -> np.ndarray:
        a = self._arrays.get(name)
        if a is None or a.shape != shape or a.dtype != dtype:
            a = self._arrays[name] = np.empty(shape, dtype)
        return a


def _empty(ws: Workspace | None, name: str, shape: tuple[int, ...], dtype) -> np.ndarray:
    return np.empty(shape, dtype) if ws is None else ws.empty(name, shape, dtype)


def rnn_forward(params: dict[str, np.ndarray], x: np.ndarray, ws: Workspace | None = None) -> np.ndarray:
    """Hidden states of the tanh RNN.

    x: (T, B, n_in). Returns hs: (T + 1, B, H) with hs[0] = h_0 = 0 and hs[t + 1] the state after input x[t].
    """
    T, B, n_in = x.shape
    W_hh = params["W_hh"]
    H, dtype = W_hh.shape[0], W_hh.dtype
    hs = _empty(ws, "hs", (T + 1, B, H), dtype)
    hs[0] = 0.0
    # np.tanh costs three small GEMMs here; tanh(a) = 2 / (1 + exp(-2a)) - 1 costs one exp and three cheap ufuncs,
    # with absolute error of a few 1e-16. The factor -2 is folded into the weights: scaling by a power of two is
    # exact, so z below is exactly -2 a_t.
    z_in = _empty(ws, "z_in", (T, B, H), dtype)  # -2 (W_ih x_t + b_h) for every t: one GEMM, not T small ones
    np.matmul(x.reshape(T * B, n_in), -2.0 * params["W_ih"].T, out=z_in.reshape(T * B, H))
    z_in -= 2.0 * params["b_h"]
    W_rec = -2.0 * W_hh.T
    z = _empty(ws, "z", (B, H), dtype)
    with np.errstate(over="ignore"):  # exp(-2a) = inf for a << 0 gives h = 2 / inf - 1 = -1, which is tanh's limit
        for t in range(T):
            np.matmul(hs[t], W_rec, out=z)
            z += z_in[t]
            np.exp(z, out=z)
            z += 1.0
            np.divide(2.0, z, out=hs[t + 1])
            hs[t + 1] -= 1.0
    return hs


def rnn_backward(
    params: dict[str, np.ndarray], x: np.ndarray, hs: np.ndarray, dh_T: np.ndarray, ws: Workspace | None = None
) -> dict[str, np.ndarray]:
    """Backpropagation through time from dL/dh_T.

    x: (T, B, n_in); hs: (T + 1, B, H) from rnn_forward; dh_T: (B, H), the gradient reaching the last state from
    the output layer. Returns the gradients of W_ih, W_hh and b_h.
    """
    T, B, n_in = x.shape
    W_hh = params["W_hh"]
    H, dtype = W_hh.shape[0], W_hh.dtype
    dtanh = _empty(ws, "dtanh", (T, B, H), dtype)  # tanh'(a_t) = 1 - h_t^2, for every step at once
    np.multiply(hs[1:], hs[1:], out=dtanh)
    np.subtract(1.0, dtanh, out=dtanh)
    da = _empty(ws, "da", (T, B, H), dtype)  # da[t] = dL/da_t, a_t the pre-activation of step t
    dh = _empty(ws, "dh", (B, H), dtype)  # dL/dh_t, carried backwards
    dh[...] = dh_T
    for t in range(T - 1, 0, -1):
        np.multiply(dh, dtanh[t], out=da[t])  # backprop through tanh
        np.matmul(da[t], W_hh, out=dh)  # ... and through W_hh into h_{t-1}
    np.multiply(dh, dtanh[0], out=da[0])
    # the weight gradients sum outer products over all (t, b) rows: one GEMM each instead of T small ones;
    # h_0 = 0 contributes nothing to dW_hh, so step 0 is left out of it
    da_rows = da.reshape(T * B, H)
    return {
        "W_ih": da_rows.T @ x.reshape(T * B, n_in),
        "W_hh": da_rows[B:].T @ hs[1:T].reshape((T - 1) * B, H),
        "b_h": da_rows.sum(axis=0),
    }


# ----------------------------------------------------------------------------------------------------------------
# output losses


def output_loss(
    params: dict[str, np.ndarray], h_T: np.ndarray, y: np.ndarray, task: Task
) -> tuple[float, float, np.ndarray, dict[str, np.ndarray]]:
    """Batch-mean loss and metric of the output layer read at the last state.

    h_T: (B, H); y: (B,). Returns (loss, metric, dL/dh_T (B, H), gradients of W_hy and b_y).
    """
    B = h_T.shape[0]
    out = h_T @ params["W_hy"].T + params["b_y"]  # (B, n_out)
    if task.loss == "mse":
        residual = out[:, 0] - y
        loss = 0.5 * float(np.mean(residual * residual))
        metric = loss
        d_out = (residual / B)[:, None]
    else:
        # softmax cross-entropy, stabilised: subtracting the row max leaves the softmax unchanged and keeps exp finite
        shifted = out - out.max(axis=1, keepdims=True)
        log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        rows = np.arange(B)
        loss = -float(np.mean(log_p[rows, y]))
        metric = float(np.mean(np.argmax(out, axis=1) == y))
        d_out = np.exp(log_p)
        d_out[rows, y] -= 1.0
        d_out /= B
    grads = {"W_hy": d_out.T @ h_T, "b_y": d_out.sum(axis=0)}
    return loss, metric, d_out @ params["W_hy"], grads


def forward_backward(
    params: dict[str, np.ndarray], x: np.ndarray, y: np.ndarray, task: str | Task, ws: Workspace | None = None
) -> tuple[float, float, dict[str, np.ndarray]]:
    """One forward and backward pass: (batch-mean loss, batch metric, gradients keyed like params)."""
    spec = get_task(task)
    x = x.astype(params["W_hh"].dtype, copy=False)
    hs = rnn_forward(params, x, ws)
    loss, metric, dh_T, out_grads = output_loss(params, hs[-1], y, spec)
    grads = rnn_backward(params, x, hs, dh_T, ws)
    grads.update(out_grads)
    return loss, metric, {k: grads[k] for k in PARAM_NAMES}


def loss_and_grads(
    params: dict[str, np.ndarray], x: np.ndarray, y: np.ndarray, task: str | Task
) -> tuple[float, dict[str, np.ndarray]]:
    """The batch-mean loss and its gradient with respect to every parameter (same keys and shapes as params)."""
    loss, _, grads = forward_backward(params, x, y, task)
    return loss, grads


# ----------------------------------------------------------------------------------------------------------------
# clipping and optimiser (outside the gradient function, so the gradient check sees the true gradient)


def global_norm(grads: dict[str, np.ndarray]) -> float:
    """The L2 norm of all gradients taken together."""
    return float(np.sqrt(sum(float(np.vdot(g, g)) for g in grads.values())))


def clip_by_global_norm(grads: dict[str, np.ndarray], max_norm: float) -> float:
    """Rescale all gradients in place so their global norm is at most max_norm (Pascanu et al. 2013).

    Returns the norm before clipping; a non-finite norm leaves the gradients alone for the caller to handle.
    """
    norm = global_norm(grads)
    if np.isfinite(norm) and norm > max_norm:
        scale = max_norm / norm
        for g in grads.values():
            g *= scale
    return norm


def momentum_step(
    params: dict[str, np.ndarray],
    grads: dict[str, np.ndarray],
    velocity: dict[str, np.ndarray],
    lr: float,
    momentum: float,
) -> None:
    """Heavy-ball momentum, in place: v <- mu v - lr g; theta <- theta + v."""
    for k, p in params.items():
        v = velocity[k]
        v *= momentum
        v -= lr * grads[k]
        p += v


# ----------------------------------------------------------------------------------------------------------------
# training

# The headline configuration of seed 000; the CLI defaults, so the README's command reproduces the README's table.
DEFAULTS = {
    "n_hidden": 64,  # hidden units
    "n_epochs": 80,  # epochs of training
    "batch_size": 50,  # sequences per batch
    "batches_per_epoch": 30,  # updates per epoch, each on a freshly generated batch
    "lr": 0.01,  # learning rate
    "momentum": 0.9,  # heavy-ball momentum coefficient
    "clip": 1.0,  # global L2-norm clipping threshold
    "random_scale": 0.1,  # standard deviation of W_hh entries in the random arm
    "dtype": "float64",  # floating-point type of parameters and arithmetic
}
DTYPES = ("float64", "float32")


def check_config(task: str, init: str, sequence_len: int, seed: int, **config) -> None:
    """Raise ValueError with a one-line reason if a run cannot be trained as asked."""
    get_task(task)
    if init not in INITS:
        raise ValueError(f"unknown init {init!r}; choose from {', '.join(INITS)}")
    for name in ("sequence_len", "n_hidden", "n_epochs", "batch_size", "batches_per_epoch"):
        value = sequence_len if name == "sequence_len" else config[name]
        if not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value}")
    check_sequence_len(task, sequence_len)
    for name in ("lr", "clip", "random_scale"):
        if not config[name] > 0:
            raise ValueError(f"{name} must be positive, got {config[name]}")
    if not 0 <= config["momentum"] < 1:
        raise ValueError(f"momentum must be in [0, 1), got {config['momentum']}")
    if not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed}")
    if config["dtype"] not in DTYPES:
        raise ValueError(f"unknown dtype {config['dtype']!r}; choose from {', '.join(DTYPES)}")


def _rngs(seed: int) -> tuple[np.random.Generator, np.random.Generator]:
    """Independent streams for parameters and data, derived from the seed alone: the same seed gives the same W_ih,
    W_hy and training data to every arm, whatever else runs in the process or in which worker."""
    return np.random.default_rng([seed, 0]), np.random.default_rng([seed, 1])


def train(
    task: str,
    init: str,
    sequence_len: int | None = None,
    *,
    seed: int = 0,
    callback: Callable[[dict], None] | None = None,
    **overrides,
) -> dict:
    """Train one RNN and return its run record (the `runs` entry of results.json).

    Keyword overrides of DEFAULTS: n_hidden, n_epochs, batch_size, batches_per_epoch, lr, momentum, clip,
    random_scale, dtype. sequence_len defaults to the task's headline length. `callback(epoch_record)` is called
    after every epoch with {epoch, loss, metric, grad_norm, elapsed_s}: loss and metric are means over the
    epoch's batches (each batch is fresh data, so they measure generalisation), grad_norm is the mean global
    norm before clipping.
    """
    unknown = set(overrides) - set(DEFAULTS)
    if unknown:
        raise TypeError(f"unknown training options: {', '.join(sorted(unknown))}")
    config = {**DEFAULTS, **overrides}
    spec = get_task(task)
    sequence_len = spec.headline_len if sequence_len is None else sequence_len
    check_config(task, init, sequence_len, seed, **config)

    start = time.perf_counter()
    param_rng, data_rng = _rngs(seed)
    params = init_params(spec, config["n_hidden"], init, param_rng, random_scale=config["random_scale"])
    params = {k: v.astype(config["dtype"]) for k, v in params.items()}
    sv_init = np.linalg.svd(params["W_hh"], compute_uv=False)
    velocity = {k: np.zeros_like(v) for k, v in params.items()}
    ws = Workspace()

    history: list[dict] = []
    diverged: int | bool = False
    for epoch in range(1, config["n_epochs"] + 1):
        losses, metrics, norms = [], [], []
        for _ in range(config["batches_per_epoch"]):
            x, y = spec.generate(sequence_len, config["batch_size"], data_rng)
            loss, metric, grads = forward_backward(params, x, y, spec, ws)
            norm = clip_by_global_norm(grads, config["clip"])
            if not (np.isfinite(loss) and np.isfinite(norm)):
                diverged = epoch
                break
            momentum_step(params, grads, velocity, config["lr"], config["momentum"])
            losses.append(loss)
            metrics.append(metric)
            norms.append(norm)
        if diverged:
            break
        record = {
            "epoch": epoch,
            "loss": float(np.mean(losses)),
            "metric": float(np.mean(metrics)),
            "grad_norm": float(np.mean(norms)),
            "elapsed_s": round(time.perf_counter() - start, 3),
        }
        history.append(record)
        if callback is not None:
            callback(record)

    metrics = [r["metric"] for r in history]
    best = (int(np.argmax(metrics)) if spec.higher_is_better else int(np.argmin(metrics))) if metrics else None
    solved = [r["epoch"] for r in history if spec.is_solved(r["metric"])]
    W_hh = params["W_hh"].astype(np.float64)
    return {
        "task": spec.name,
        "init": init,
        "sequence_len": sequence_len,
        "seed": seed,
        "config": config,
        "chance": spec.chance,
        "metric_name": spec.metric_name,
        "higher_is_better": spec.higher_is_better,
        "solved_threshold": spec.solved_threshold,
        "history": history,
        "final_metric": metrics[-1] if metrics else None,
        "best_metric": metrics[best] if metrics else None,
        "best_epoch": history[best]["epoch"] if metrics else None,
        "solved_epoch": solved[0] if solved else None,
        "diverged": diverged,
        "wallclock_s": round(time.perf_counter() - start, 3),
        "W_hh_singular_values_init": sv_init.astype(np.float64).tolist(),
        "W_hh_singular_values_final": np.linalg.svd(W_hh, compute_uv=False).tolist(),
        "W_hh_final": W_hh.tolist(),
    }


# ----------------------------------------------------------------------------------------------------------------
# experiment runner and results file

# The headline of seed 000: each task at its length, under both inits.
HEADLINE = (("addition", 30), ("temporal_order", 60), ("3bit_memorization", 60))


def headline_specs(seed: int) -> list[dict]:
    return [
        {"task": task, "init": init, "sequence_len": T, "seed": seed} for task, T in HEADLINE for init in INITS
    ]


def _single_threaded_blas_env() -> dict[str, str]:
    # One BLAS thread per worker: the workers already fill the cores, and oversubscription only adds contention.
    return {name: "1" for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")}


def _train_kwargs(kwargs: dict) -> dict:
    return train(**kwargs)


def run_many(
    specs: list[dict], config: dict, jobs: int = 1, on_done: Callable[[int, dict], None] | None = None
) -> list[dict]:
    """Train every run in `specs` and return the run records in the order of `specs`.

    Each spec is a dict of train() arguments (task, init, sequence_len, seed, and any override of the shared
    `config`). With jobs > 1 the runs go to that many worker processes, one BLAS thread each. Every run is seeded
    from its own spec alone, so the numbers do not depend on the number of workers or the order of completion.
    `on_done(index, record)` sees each record as soon as its run finishes (in completion order).
    """
    work = [{**config, **spec} for spec in specs]
    results: list[dict] = [{}] * len(work)
    if jobs <= 1 or len(work) <= 1:
        for i, kwargs in enumerate(work):
            results[i] = train(**kwargs)
            if on_done is not None:
                on_done(i, results[i])
        return results
    saved = {k: os.environ.get(k) for k in _single_threaded_blas_env()}
    os.environ.update(_single_threaded_blas_env())  # inherited by the spawned workers at start-up
    try:
        context = multiprocessing.get_context("spawn")  # fresh interpreters: no forked BLAS thread state
        with ProcessPoolExecutor(max_workers=min(jobs, len(work)), mp_context=context) as pool:
            futures = {pool.submit(_train_kwargs, kwargs): i for i, kwargs in enumerate(work)}
            for future in as_completed(futures):
                i = futures[future]
                results[i] = future.result()
                if on_done is not None:
                    on_done(i, results[i])
        return results
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def environment() -> dict:
    return {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpu_count": os.cpu_count(),
    }


def results_document(runs: list[dict], config: dict, wallclock_s: float | None = None, jobs: int = 1) -> dict:
    """The results file: schema version, shared training config, machine, and the run records."""
    execution = {"jobs": jobs, "wallclock_s": None if wallclock_s is None else round(wallclock_s, 2)}
    return {
        "schema_version": SCHEMA_VERSION,
        "config": config,
        "environment": environment(),
        "execution": execution,
        "runs": runs,
    }


def _dumps(obj, indent: int = 0) -> str:
    """JSON with one line per dict or list of scalars: histories and matrix rows stay readable in a diff."""
    pad, inner = " " * indent, " " * (indent + 1)
    if isinstance(obj, dict) and any(isinstance(v, (dict, list)) for v in obj.values()):
        items = [f"{inner}{json.dumps(k)}: {_dumps(v, indent + 1)}" for k, v in obj.items()]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(obj, list) and any(isinstance(v, (dict, list)) for v in obj):
        return "[\n" + ",\n".join(inner + _dumps(v, indent + 1) for v in obj) + "\n" + pad + "]"
    return json.dumps(obj, allow_nan=False)


def write_text_atomic(path: str, text: str) -> None:
    """Write to a temporary file in the same folder, then rename over `path`: a reader or a crash sees the old
    file or the new one, never a half-written one."""
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "w") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def write_json_atomic(path: str, doc: dict) -> None:
    write_text_atomic(path, _dumps(doc) + "\n")


def check_writable(path: str) -> None:
    """Raise ValueError unless `path` can be created or replaced (checked before any training)."""
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise ValueError(f"cannot write {path}: folder {folder} does not exist")
    if not os.access(folder, os.W_OK):
        raise ValueError(f"cannot write {path}: folder {folder} is not writable")
    if os.path.isdir(path):
        raise ValueError(f"cannot write {path}: it is a folder")


def _fmt(value: float | None, metric_name: str) -> str:
    if value is None:
        return "-"
    return f"{value:.4f}" if metric_name == "half_mse" else f"{value:.3f}"


def summary_line(run: dict) -> str:
    """One line that says how a run ended, against its chance baseline."""
    name = "0.5*MSE" if run["metric_name"] == "half_mse" else "accuracy"
    m = run["metric_name"]
    if run["diverged"]:
        outcome = f"DIVERGED at epoch {run['diverged']}"
    elif run["solved_epoch"] is not None:
        outcome = f"solved at epoch {run['solved_epoch']}"
    else:
        outcome = "not solved"
    op = ">" if run["higher_is_better"] else "<"
    return (
        f"{run['task']} T={run['sequence_len']} {run['init']} seed {run['seed']}: final {name} "
        f"{_fmt(run['final_metric'], m)} (best {_fmt(run['best_metric'], m)} at epoch {run['best_epoch']}), "
        f"chance {_fmt(run['chance'], m)}; {outcome} (solved means {name} {op} {run['solved_threshold']}); "
        f"{run['wallclock_s']:.1f} s"
    )


def summary_table(runs: list[dict]) -> str:
    """A plain-text table of runs for the terminal."""
    header = ["task", "T", "init", "seed", "metric", "chance", "final", "best (epoch)", "solved@", "time"]
    rows = []
    for r in runs:
        m = r["metric_name"]
        solved = f"diverged@{r['diverged']}" if r["diverged"] else (r["solved_epoch"] or "-")
        rows.append([
            r["task"], r["sequence_len"], r["init"], r["seed"], m, _fmt(r["chance"], m),
            _fmt(r["final_metric"], m), f"{_fmt(r['best_metric'], m)} ({r['best_epoch']})", solved,
            f"{r['wallclock_s']:.1f}s",
        ])
    cells = [header] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


# ----------------------------------------------------------------------------------------------------------------
# command line


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rnn_pathological.py",
        description="Train a vanilla tanh RNN on a pathological long-term-dependency task, orthogonal versus random "
        "recurrent init. Defaults are the README's headline configuration.",
        epilog="examples:\n"
        "  python rnn_pathological.py --all --seed 0            # the headline, writes results.json\n"
        "  python rnn_pathological.py --task addition --init random --sequence-len 30",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    what = parser.add_argument_group("what to run")
    what.add_argument("--task", choices=list(TASKS), default="3bit_memorization", help="task (default: %(default)s)")
    what.add_argument("--init", choices=list(INITS), default="ortho", help="W_hh init (default: %(default)s)")
    what.add_argument(
        "--sequence-len", type=int, default=None, metavar="T",
        help="sequence length (default: the task's headline length, 30 for addition and xor, 60 otherwise)",
    )
    what.add_argument("--seed", type=int, default=0, help="seed of parameters and data (default: %(default)s)")
    what.add_argument(
        "--all", action="store_true",
        help="run the headline instead: addition T=30, temporal_order T=60, 3bit_memorization T=60, each under "
        "ortho and random, and write the results file",
    )
    model = parser.add_argument_group("model and optimiser (defaults: the headline configuration)")
    model.add_argument("--n-hidden", type=int, default=DEFAULTS["n_hidden"], help="hidden units (%(default)s)")
    model.add_argument("--n-epochs", type=int, default=DEFAULTS["n_epochs"], help="epochs (%(default)s)")
    model.add_argument("--batch-size", type=int, default=DEFAULTS["batch_size"], help="batch size (%(default)s)")
    model.add_argument(
        "--batches-per-epoch", type=int, default=DEFAULTS["batches_per_epoch"],
        help="updates per epoch, each on fresh data (%(default)s)",
    )
    model.add_argument("--lr", type=float, default=DEFAULTS["lr"], help="learning rate (%(default)s)")
    model.add_argument("--momentum", type=float, default=DEFAULTS["momentum"], help="momentum in [0, 1) (%(default)s)")
    model.add_argument("--clip", type=float, default=DEFAULTS["clip"], help="global-norm clip threshold (%(default)s)")
    model.add_argument(
        "--random-scale", type=float, default=DEFAULTS["random_scale"],
        help="std of W_hh entries under --init random (%(default)s)",
    )
    model.add_argument("--dtype", choices=DTYPES, default=DEFAULTS["dtype"], help="arithmetic (%(default)s)")
    out = parser.add_argument_group("output and execution")
    out.add_argument(
        "--out", default=None,
        help="results file (default: results.json with --all; a single run writes a file only when given)",
    )
    out.add_argument(
        "--jobs", type=int, default=os.cpu_count() or 1,
        help="worker processes for --all (default: the number of cores, %(default)s); results do not depend on it",
    )
    out.add_argument("--quiet", action="store_true", help="no per-epoch progress lines")
    return parser


def _config_from_args(args: argparse.Namespace) -> dict:
    return {name: getattr(args, name) for name in DEFAULTS}


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    config = _config_from_args(args)
    out = args.out if args.out is not None else ("results.json" if args.all else None)
    specs = headline_specs(args.seed) if args.all else [
        {"task": args.task, "init": args.init, "seed": args.seed,
         "sequence_len": TASKS[args.task].headline_len if args.sequence_len is None else args.sequence_len}
    ]
    # every check before any compute: a bad flag costs nothing
    try:
        if args.jobs < 1:
            raise ValueError(f"jobs must be a positive integer, got {args.jobs}")
        for spec in specs:
            check_config(**spec, **config)
        if out is not None:
            check_writable(out)
    except ValueError as err:
        parser.exit(2, f"{parser.prog}: error: {err}\n")

    start = time.perf_counter()
    if args.all:
        print(f"training {len(specs)} runs on {min(args.jobs, len(specs))} worker(s) ...", flush=True)
        runs = run_many(specs, config, jobs=args.jobs, on_done=None if args.quiet else lambda _, r: print(summary_line(r), flush=True))
        print()
        print(summary_table(runs))
    else:
        spec = specs[0]
        m = TASKS[spec["task"]].metric_name

        def progress(rec: dict) -> None:
            print(
                f"epoch {rec['epoch']:3d}/{config['n_epochs']}  loss {rec['loss']:.4f}  {m} {_fmt(rec['metric'], m)}"
                f"  |g| {rec['grad_norm']:.3f}  {rec['elapsed_s']:.1f}s",
                flush=True,
            )

        runs = [train(**spec, **config, callback=None if args.quiet else progress)]
        print(summary_line(runs[0]))
    if out is not None:
        jobs = min(args.jobs, len(specs))
        write_json_atomic(out, results_document(runs, config, time.perf_counter() - start, jobs))
        print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
