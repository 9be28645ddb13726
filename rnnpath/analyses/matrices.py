"""Closed-form and saved-run analyses of recurrent matrices: memory, non-normality, gradients. Never trains.

    python -m rnnpath analyze matrices fisher --outdir viz                              # -> viz/fisher_memory.png
    python -m rnnpath analyze matrices nonnormality --results results.json --outdir viz  # -> viz/nonnormality.png
    python -m rnnpath analyze matrices motif --results results.json --outdir viz         # -> viz/chain_motif.png
    python -m rnnpath analyze matrices gradients --results results.json --outdir viz     # -> viz/grad_through_time.png

`fisher` needs nothing: it draws the Fisher memory curves of linear example networks (identity, orthogonal, chain,
feedback chain). `nonnormality` and `motif` read trained recurrent matrices, `W_hh_final`, from a results file of
`python rnn_pathological.py --all` or from a sweep file written with `--keep-weights`; the matrix a run started from
is rebuilt deterministically with rnn_pathological.initial_network (same seed, same config) and checked against the
singular values the run saved.

Conventions: W_hh[i, j] is the weight from unit j to unit i (h_t = f(W_hh h_{t-1} + ...)), so in a chain unit i-1
feeds unit i, W[i, i-1] = alpha, and the chain's source (the unit the signal enters) is unit 0.

Sections, in dependency order: linear algebra, non-normality, Fisher memory, example matrices, gradients through
time, chain motif, saved runs, figures, command line.
"""

from __future__ import annotations

import argparse
import os

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Patch

import rnn_pathological as rp
from rnnpath import files, style, sweep
from rnnpath.analyses.base import Analysis, AnalysisError, Command, Option

PROG = "rnnpath analyze matrices"


# ----------------------------------------------------------------------------------------------------------------
# linear algebra


def tridiagonal_toeplitz(W: np.ndarray) -> tuple[float, float] | None:
    """(alpha, beta) if W is zero but for a constant sub-diagonal alpha and super-diagonal beta (the chain inits),
    else None."""
    W = np.asarray(W, dtype=float)
    n = W.shape[0]
    if n < 2 or W.shape != (n, n):
        return None
    alpha, beta = W[1, 0], W[0, 1]
    if np.array_equal(W, rp.chain_matrix(n, alpha, beta)):
        return float(alpha), float(beta)
    return None


def eigenvalue_moduli(W: np.ndarray) -> np.ndarray:
    """|lambda_i| of a square matrix. For a tridiagonal Toeplitz matrix (chain, feedback chain) the closed form
    2 sqrt(|alpha beta|) |cos(k pi / (n + 1))|, k = 1..n: eigensolvers lose many digits on these highly non-normal
    matrices (np.linalg.eigvals puts the radius of the 64-unit alpha 1.2, beta 0.1 chain at 0.84 instead of 0.69).
    Otherwise np.linalg.eigvals."""
    W = np.asarray(W, dtype=float)
    chain = tridiagonal_toeplitz(W)
    if chain is not None:
        n = W.shape[0]
        alpha, beta = chain
        return 2.0 * np.sqrt(abs(alpha * beta)) * np.abs(np.cos(np.arange(1, n + 1) * np.pi / (n + 1)))
    return np.abs(np.linalg.eigvals(W)) if W.size else np.zeros(0)


def spectral_radius(W: np.ndarray) -> float:
    """max |lambda_i| (closed form for the chain matrices, see eigenvalue_moduli)."""
    moduli = eigenvalue_moduli(W)
    return float(np.max(moduli)) if moduli.size else 0.0


def discrete_lyapunov(A: np.ndarray, Q: np.ndarray, rtol: float = 1e-15, max_doublings: int = 64) -> np.ndarray:
    """X = sum_{k>=0} A^k Q A^k^T, the solution of X = A X A^T + Q; A (N, N) with spectral radius < 1, Q (N, N).

    Doubling (Smith's method): with X_m the sum of the first m terms, X_2m = X_m + A^m X_m A^m^T and
    A^2m = (A^m)^2, so 2^d terms cost d steps. Stops when the added block is below rtol of X (or A^m is exactly 0,
    as for a nilpotent chain); after max_doublings the series is taken as not converging.
    """
    if spectral_radius(A) >= 1.0:
        raise AnalysisError(f"the series sum_k A^k Q A^k^T needs spectral radius < 1, got {spectral_radius(A):.4g}")
    X, P = np.array(Q, dtype=float), np.array(A, dtype=float)
    for _ in range(max_doublings):
        added = P @ X @ P.T
        X = X + added
        P = P @ P
        if not np.any(P) or np.linalg.norm(added) <= rtol * np.linalg.norm(X):
            return X
    raise AnalysisError(f"the Lyapunov series did not converge in 2^{max_doublings} terms")


# ----------------------------------------------------------------------------------------------------------------
# non-normality
#
# Henrici (1962): d(W) = sqrt(||W||_F^2 - sum_i |lambda_i|^2), the Frobenius norm of the strictly upper part of a
# Schur form of W. A normal matrix (W W^T = W^T W: orthogonal, symmetric, scaled identity) has a diagonal Schur form,
# so d = 0; a chain has d = ||W||_F, every eigenvalue being 0.


def henrici_index(W: np.ndarray, normalized: bool = False) -> float:
    """Henrici departure from normality d(W) of a square (N, N) matrix; d(W) / ||W||_F if normalized.

    The difference of two sums of about ||W||_F^2 carries rounding of order N eps ||W||_F^2, so d^2 below
    10 N eps ||W||_F^2 (d below about 4e-7 ||W||_F at N = 64) is rounding, and reported as 0.
    """
    W = np.asarray(W, dtype=float)
    fro2 = float(np.sum(W * W))
    d2 = fro2 - float(np.sum(eigenvalue_moduli(W) ** 2))  # closed-form spectrum for the chain inits
    if d2 <= 10 * W.shape[0] * np.finfo(float).eps * fro2:
        d2 = 0.0
    d = float(np.sqrt(d2))
    if normalized:
        return d / np.sqrt(fro2) if fro2 > 0 else 0.0
    return d


# ----------------------------------------------------------------------------------------------------------------
# Fisher memory (Ganguli, Huh & Sompolinsky 2008; used by Orhan & Pitkow 2020)
#
# A linear network h_t = W h_{t-1} + v s_t + z_t driven by a scalar signal s_t and noise z_t ~ N(0, noise I).
# h_t is Gaussian around sum_k W^k v s_{t-k} with covariance C_n = noise sum_k W^k W^k^T, so the Fisher information
# h_t holds about the signal k steps back is J(k) = v^T W^k^T C_n^{-1} W^k v. For a normal W, J_tot = sum_k J(k)
# = ||v||^2 / noise (1 for a unit v and unit noise): the memory is only spread differently over k. A non-normal W can
# amplify a signal on its way through the network and store up to N (Ganguli et al. 2008): a chain fed at its source.


def _source_vector(W: np.ndarray, v: np.ndarray | None) -> np.ndarray:
    if v is None:
        v = np.zeros(W.shape[0])
        v[0] = 1.0  # e_1, the source of a chain in this W @ h convention
    return np.asarray(v, dtype=float)


def noise_covariance(W: np.ndarray, noise: float = 1.0) -> np.ndarray:
    """C_n = noise * sum_k W^k W^k^T, (N, N); W needs spectral radius < 1."""
    return noise * discrete_lyapunov(W, np.eye(W.shape[0]))


def fisher_memory_curve(W: np.ndarray, k_max: int, v: np.ndarray | None = None, noise: float = 1.0) -> np.ndarray:
    """J(k) for k = 0 .. k_max, shape (k_max + 1,). W (N, N) with spectral radius < 1; v (N,), default e_1."""
    W = np.asarray(W, dtype=float)
    v = _source_vector(W, v)
    L = np.linalg.cholesky(noise_covariance(W, noise))  # C_n = L L^T, so J(k) = ||L^{-1} W^k v||^2
    signal = np.empty((W.shape[0], k_max + 1))  # column k: W^k v, where the signal of k steps back sits now
    u = v.copy()
    for k in range(k_max + 1):
        signal[:, k] = u
        u = W @ u
    whitened = np.linalg.solve(L, signal)
    return np.sum(whitened * whitened, axis=0)


def fisher_memory_total(W: np.ndarray, v: np.ndarray | None = None, noise: float = 1.0) -> float:
    """J_tot = sum_{k>=0} J(k), in closed form: trace(C_n^{-1} S) with S = sum_k W^k v v^T W^k^T (no truncation)."""
    W = np.asarray(W, dtype=float)
    v = _source_vector(W, v)
    S = discrete_lyapunov(W, np.outer(v, v))
    return float(np.trace(np.linalg.solve(noise_covariance(W, noise), S)))


# ----------------------------------------------------------------------------------------------------------------
# example matrices, for the analyses only (training builds its own through rnn_pathological.init_params)


def chain_matrix(n: int, alpha: float) -> np.ndarray:
    """Feedforward chain, (n, n): W[i, i-1] = alpha, unit i-1 feeds unit i (Orhan & Pitkow's W_ij = alpha
    delta(j, i-1) in the W @ h convention). Nilpotent: every eigenvalue 0, so d(W) = ||W||_F."""
    return rp.chain_matrix(n, alpha)


def feedback_chain_matrix(n: int, alpha: float, beta: float) -> np.ndarray:
    """Chain with feedback, (n, n): W[i, i-1] = alpha forward, W[i, i+1] = beta back. Spectral radius
    2 sqrt(alpha beta) cos(pi / (n + 1)) (a tridiagonal Toeplitz matrix)."""
    return rp.chain_matrix(n, alpha, beta)


# ----------------------------------------------------------------------------------------------------------------
# gradients through time


def state_gradients(
    params: dict[str, np.ndarray], x: np.ndarray, y: np.ndarray, task: str, activation: str = "tanh"
) -> np.ndarray:
    """dL/dh_t for t = 1 .. T, shape (T, B, H), L the batch-mean loss; the engine's own backward pass records it.

    x: (T, B, n_in); y: the task's targets, (B,) or per-step (T, B).
    """
    spec = rp.get_task(task)
    x = x.astype(params["W_hh"].dtype, copy=False)
    if spec.loss == "mse":
        y = y.astype(params["W_hh"].dtype, copy=False)
    hs = rp.rnn_forward(params, x, activation=activation)
    _, _, dh_out, _ = rp.output_loss(params, hs, y, spec)
    dh_steps = np.empty_like(hs[1:])
    rp.rnn_backward(params, x, hs, dh_out, activation=activation, dh_steps=dh_steps)
    return dh_steps


def grad_norm_through_time(
    params: dict[str, np.ndarray], x: np.ndarray, y: np.ndarray, task: str, activation: str = "tanh"
) -> np.ndarray:
    """||dL/dh_t||_F over the batch, for t = 1 .. T: shape (T,). Vanishing gradients show as a decay towards t = 1."""
    g = state_gradients(params, x, y, task, activation)
    return np.sqrt(np.sum(g * g, axis=(1, 2)))


# ----------------------------------------------------------------------------------------------------------------
# chain motif (Orhan & Pitkow 2020, sec. 3.2, after Rajan et al. 2016)
#
# Order the units by when they peak after a pulse, then average W[i, j] over all pairs at the same order
# difference. A hidden feedforward chain shows as a bump at small positive differences: connections from
# earlier-peaking to later-peaking units stronger than the reverse.


def peak_response_order(
    W: np.ndarray, h0: np.ndarray, n_steps: int = 100, activation: str = "tanh", b: np.ndarray | None = None,
    rng: np.random.Generator | None = None,
) -> np.ndarray:
    """Unit indices sorted by the step of their peak |h_i(t)| under h_t = f(W h_{t-1} + b) from h0, no input.

    W (N, N), h0 (N,). Returns order (N,): order[r] is the unit with rank r. Ties are broken by a jitter below
    one step (rng, default seeded 0), so units peaking together are ordered at random, not by index.
    """
    rng = np.random.default_rng(0) if rng is None else rng
    b = np.zeros(W.shape[0]) if b is None else b
    h, trace = np.asarray(h0, dtype=float), np.empty((n_steps + 1, W.shape[0]))
    trace[0] = h
    for t in range(1, n_steps + 1):
        a = W @ h + b
        h = np.maximum(a, 0.0) if activation == "relu" else np.tanh(a)
        trace[t] = h
    peak = np.argmax(np.abs(trace), axis=0) + 0.5 * rng.random(W.shape[0])
    return np.argsort(peak, kind="stable")


def chain_motif_profile(W: np.ndarray, order: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean W[i, j] as a function of the order difference rank(i) - rank(j), given order[r] = unit of rank r.

    Returns (differences (2N - 1,) = -(N-1) .. N-1, mean weight (2N - 1,)). A positive difference is a connection
    from an earlier unit j to a later unit i (W[i, j] is j -> i), the sign of Orhan & Pitkow's figure 5: a chain
    W[i, i-1] = alpha in its own order gives alpha at +1 and 0 elsewhere.
    """
    W = np.asarray(W, dtype=float)
    order = np.asarray(order)
    N = W.shape[0]
    P = W[np.ix_(order, order)]  # P[r, s] = W[unit of rank r, unit of rank s]; difference r - s
    diffs = np.arange(-(N - 1), N)
    return diffs, np.array([np.diagonal(P, offset=-d).mean() for d in diffs])


# ----------------------------------------------------------------------------------------------------------------
# saved runs: the trained W_hh of a results file or a sweep file, and the W_hh each run started from


def load_runs(path: str) -> list[dict]:
    """Runs with their trained weights from a results file (`runs`) or a sweep .jsonl written with --keep-weights,
    every run checked (rnnpath.files) and rebuildable by this engine. Raises AnalysisError (one line)."""
    command = files.results_command(path)
    make = f"create it with: {command}, or a sweep with --keep-weights"
    if not os.path.exists(path):
        raise AnalysisError(f"{path} not found; {make}")
    try:
        try:
            doc = files.read_json(path, command)
        except files.NotJSONError:
            doc = None  # several JSON lines: a sweep file
        if isinstance(doc, dict) and ("schema_version" in doc or "runs" in doc):
            runs = files.load_results(path, command)["runs"]
        else:
            try:
                runs = [r for _, r in sweep.read_sweep_file(path, missing_ok=False).records]
            except sweep.SweepError as err:
                raise AnalysisError(f"{err}; nor is it a results file; {make}") from None
            if not runs:
                raise AnalysisError(f"{path} has no runs; {make}")
        files.check_weights(runs, path, f"{command}, or a sweep with --keep-weights")
        files.check_engine_runs(runs, path)
    except files.FileError as err:
        raise AnalysisError(str(err)) from None
    return runs


def initial_W_hh(run: dict) -> np.ndarray:
    """The W_hh a run started from, rebuilt with rnn_pathological.initial_network from its seed and config, (H, H).

    Checked against the singular values the run saved, so an engine whose inits changed since is caught where the
    change shows in the spectrum (a random or sparse init; not one orthogonal matrix swapped for another)."""
    config = run.get("config", {})
    W = rp.initial_network(run["task"], run["init"], run["seed"], **config)["W_hh"]
    W = W.astype(config.get("dtype", "float64")).astype(np.float64)  # train() casts to its dtype first
    saved = run.get("W_hh_singular_values_init")
    if saved is not None and not np.allclose(np.linalg.svd(W, compute_uv=False), saved, rtol=1e-6, atol=1e-9):
        raise AnalysisError(f"cannot rebuild the initial W_hh of {run['task']} {run['init']} seed {run['seed']}: "
                            f"the engine's init no longer matches the one that trained it")
    return W


# ----------------------------------------------------------------------------------------------------------------
# figures (matplotlib's object-oriented API on an Agg canvas: no display, no pyplot state)

def init_colour(init: str) -> str:
    """The init's colour in every figure of the suite (visualize_rnn_pathological.init_colours)."""
    return style.init_colours([init])[init]


def fisher_examples(n: int = 64) -> list[tuple[str, np.ndarray, dict]]:
    """(label, W, line style) of the example networks of the Fisher memory figure."""
    rng = np.random.default_rng(0)
    return [
        ("identity, 0.95 I", 0.95 * np.eye(n), {"color": "tab:green", "ls": "-"}),
        ("orthogonal, 0.95 Q", 0.95 * rp.random_orthogonal(n, rng), {"color": "tab:blue", "ls": "--"}),
        ("chain, alpha 1", chain_matrix(n, 1.0), {"color": "tab:orange", "ls": ":"}),
        ("chain, alpha 1.2", chain_matrix(n, 1.2), {"color": "tab:red", "ls": "-"}),
        ("feedback chain, alpha 1.2, beta 0.1", feedback_chain_matrix(n, 1.2, 0.1), {"color": "tab:purple",
                                                                                     "ls": "-."}),
    ]


def plot_fisher_memory(n: int = 64, k_max: int = 120) -> Figure:
    """J(k) (log scale) and its running sum for the example networks; J_tot (closed form) in the legend."""
    fig = Figure(figsize=(12, 4.6), layout="constrained")
    ax_curve, ax_sum = fig.subplots(1, 2)
    k = np.arange(k_max + 1)
    for label, W, line_style in fisher_examples(n):
        J = fisher_memory_curve(W, k_max)
        total = fisher_memory_total(W)
        name = f"{label}: J_tot = {total:.2f} (radius {spectral_radius(W):.2f})"
        shown = np.where(J > 1e-8, J, np.nan)  # a chain forgets exactly after n steps: J = 0 is off the log axis
        ax_curve.plot(k, shown, lw=1.8, label=name, **line_style)
        ax_sum.plot(k, np.cumsum(J), lw=1.8, **line_style)
    ax_curve.set_yscale("log")
    ax_curve.set_ylim(1e-6, 2)
    ax_curve.set_xlabel("k (steps in the past)")
    ax_curve.set_ylabel("Fisher memory J(k)")
    ax_curve.set_title("memory of a signal k steps back")
    ax_sum.set_yscale("log")
    ax_sum.set_ylim(0.05, 2 * n)
    ax_sum.axhline(1.0, color="0.4", lw=1, ls="--")
    ax_sum.text(k_max, 1.05, "J_tot = 1: every normal W (identity and orthogonal coincide)", ha="right",
                va="bottom", fontsize=9, color="0.3")
    ax_sum.axhline(n, color="0.4", lw=1, ls=":")
    ax_sum.text(k_max, n * 0.93, f"upper bound J_tot <= N = {n}", ha="right", va="top", fontsize=9, color="0.3")
    ax_sum.set_xlabel("k (steps in the past)")
    ax_sum.set_ylabel("sum of J(k') for k' <= k")
    ax_sum.set_title("accumulated memory")
    for ax in (ax_curve, ax_sum):
        ax.grid(alpha=0.3)
    fig.legend(loc="outside lower center", ncol=2, fontsize=9, frameon=False)
    fig.suptitle(f"Fisher memory of linear networks h_t = W h_(t-1) + v s_t + noise, N = {n}, signal into unit 0 "
                 "(Ganguli et al. 2008)", fontsize=12)
    return fig


def plot_nonnormality(runs: list[dict]) -> Figure:
    """Henrici index of W_hh at init (light) and after training (solid), per (task, T) and init; one dot a seed."""
    groups = style.group_runs(runs)
    fig = Figure(figsize=(max(9.0, 2.4 * len(groups) + 2), 7.2), layout="constrained")
    axes = fig.subplots(2, 1, sharex=True)
    xticks, xlabels = [], []
    x = 0.0
    seen_inits: list[str] = []
    for (task, T), members in groups.items():
        inits = list(dict.fromkeys(r["init"] for r in members))
        start = x
        for init in inits:
            seen_inits += [init] if init not in seen_inits else []
            these = [r for r in members if r["init"] == init]
            before = [initial_W_hh(r) for r in these]
            after = [np.asarray(r["W_hh_final"], dtype=float) for r in these]
            for ax, normalized in zip(axes, (False, True), strict=True):
                d0 = np.array([henrici_index(W, normalized) for W in before])
                d1 = np.array([henrici_index(W, normalized) for W in after])
                c = init_colour(init)
                ax.bar(x, d0.mean(), 0.8, color=c, alpha=0.3, edgecolor=c)
                ax.bar(x + 0.85, d1.mean(), 0.8, color=c, edgecolor=c)
                ax.scatter(np.full(d0.size, x), d0, s=12, color="k", zorder=3)
                ax.scatter(np.full(d1.size, x + 0.85), d1, s=12, color="k", zorder=3)
                for xpos, d in ((x, d0), (x + 0.85, d1)):
                    ax.annotate(f"{d.mean():.3f}" if normalized else f"{d.mean():.2f}", (xpos, d.max()),
                                ha="center", va="bottom", fontsize=8, xytext=(0, 3), textcoords="offset points")
            x += 2.0
        xticks.append((start + x - 1.15) / 2)
        xlabels.append(f"{task}\nT = {T}")
        x += 0.8
    axes[0].set_ylabel("d(W_hh)")
    axes[0].set_title("Henrici index d(W) = sqrt(||W||_F^2 - sum |lambda_i|^2), 0 for a normal matrix", fontsize=10)
    axes[1].set_ylabel("d(W_hh) / ||W_hh||_F")
    axes[1].set_title("normalised: d(W) / ||W||_F", fontsize=10)
    axes[1].set_xticks(xticks, xlabels)
    for ax in axes:
        ax.grid(axis="y", alpha=0.3)
    handles = [Patch(color=init_colour(i), label=f"{i} init") for i in seen_inits]
    handles += [Patch(facecolor="0.6", alpha=0.3, edgecolor="0.6", label="at initialisation (left bar)"),
                Patch(color="0.4", label="after training (right bar)")]
    fig.legend(handles=handles, loc="outside lower center", ncol=len(handles), fontsize=9, frameon=False)
    n_seeds = len({r["seed"] for r in runs})
    fig.suptitle(f"Non-normality of W_hh at init and after training\n(bars: mean over {n_seeds} seed(s); dots: "
                 "single runs)", fontsize=12)
    return fig


def pulse_response_order(params: dict[str, np.ndarray], channel: int, activation: str = "tanh",
                         n_steps: int = 100, rng: np.random.Generator | None = None) -> np.ndarray:
    """Units sorted by the step at which they respond most to a unit pulse on one input channel.

    The network runs as it was trained, bias included: h_t = f(W_hh h_{t-1} + W_ih x_t + b_h) from h_0 = 0, once
    with x_1 = e_channel and once at rest (x = 0), which the bias alone moves; a unit's response is
    |h_pulse(t) - h_rest(t)|. Ties are broken by a jitter below one step (rng, default seeded 0). Returns order (H,),
    order[r] the unit of rank r; units the pulse never reaches rank last.
    """
    rng = np.random.default_rng(0) if rng is None else rng
    W, b = params["W_hh"], params["b_h"]
    f = (lambda a: np.maximum(a, 0.0)) if activation == "relu" else np.tanh
    pulse, rest = f(params["W_ih"][:, channel] + b), f(b)
    response = np.empty((n_steps, W.shape[0]))
    response[0] = np.abs(pulse - rest)
    for t in range(1, n_steps):
        pulse, rest = f(W @ pulse + b), f(W @ rest + b)
        response[t] = np.abs(pulse - rest)
    peak = np.argmax(response, axis=0).astype(float)
    peak[response.max(axis=0) <= 1e-12] = n_steps  # a unit the pulse never reaches ranks last
    return np.argsort(peak + 0.5 * rng.random(W.shape[0]), kind="stable")


def motif_profile_of(run: dict, initial: bool) -> tuple[np.ndarray, np.ndarray]:
    """Chain-motif profile of a run's W_hh at init or trained: units ordered by pulse_response_order of the
    network at that moment (its W_ih and b_h too), one profile per input channel, averaged over the channels (a
    one-hot task feeds one channel at a time; addition's value and marker channels each get their own order)."""
    config = run.get("config", {})
    if initial:
        params = rp.initial_network(run["task"], run["init"], run["seed"], **config)
        params["W_hh"] = initial_W_hh(run)
    else:
        params = rp.trained_params(run)
    activation = config.get("activation", "tanh")
    profiles = [chain_motif_profile(params["W_hh"], pulse_response_order(params, c, activation))
                for c in range(params["W_ih"].shape[1])]
    return profiles[0][0], np.mean([p for _, p in profiles], axis=0)


def plot_chain_motif(runs: list[dict], max_diff: int = 20) -> Figure:
    """Mean W_hh[i, j] against rank(i) - rank(j), units ranked by peak time, at init and trained, per (task, T)."""
    groups = style.group_runs(runs)
    fig = Figure(figsize=(max(9.0, 4.6 * len(groups) + 0.4), 4.6), layout="constrained")
    axes = fig.subplots(1, len(groups), squeeze=False)[0]
    for ax, ((task, T), members) in zip(axes, groups.items(), strict=True):
        for init in dict.fromkeys(r["init"] for r in members):
            these = [r for r in members if r["init"] == init]
            for initial in (True, False):
                profiles = [motif_profile_of(r, initial) for r in these]
                diffs = profiles[0][0]
                mean = np.mean([p[1] for p in profiles], axis=0)
                keep = np.abs(diffs) <= max_diff
                ax.plot(diffs[keep], mean[keep], color=init_colour(init), lw=1.0 if initial else 1.8,
                        ls=":" if initial else "-", label=f"{init}, {'init' if initial else 'trained'}")
        ax.axvline(0, color="0.5", lw=0.8)
        ax.axhline(0, color="0.5", lw=0.8)
        ax.set_title(f"{task}, T = {T}", fontsize=11)
        ax.set_xlabel("rank(i) - rank(j)  (> 0: earlier unit j -> later unit i)")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    axes[0].set_ylabel("mean W_hh[i, j]")
    fig.suptitle("Hidden chain motif (Orhan & Pitkow 2020, fig. 5): mean weight by rank difference,\n"
                 "units ranked by when they respond most to a pulse on one input channel (bias included), "
                 "averaged over channels and seeds", fontsize=12)
    return fig


GRADIENT_BATCH = 200  # examples in the fixed batch on which dL/dh_t is measured


def plot_grad_through_time(runs: list[dict]) -> Figure:
    """||dL/dh_t|| against t at init (dotted) and after training (solid), per (task, T) and init, on one fixed batch
    per task drawn with seed 0. Mean over seeds on a log scale: vanishing gradients fall away towards t = 1."""
    groups = style.group_runs(runs)
    fig = Figure(figsize=(max(9.0, 4.4 * len(groups) + 0.4), 4.4), layout="constrained")
    axes = fig.subplots(1, len(groups), squeeze=False)[0]
    for ax, ((task, T), members) in zip(axes, groups.items(), strict=True):
        x, y = rp.generate_batch(task, T, GRADIENT_BATCH, np.random.default_rng(0))
        for init in dict.fromkeys(r["init"] for r in members):
            these = [r for r in members if r["init"] == init]
            activation = these[0].get("config", {}).get("activation", "tanh")
            for initial in (True, False):
                norms = []
                for r in these:
                    params = (rp.initial_network(r["task"], r["init"], r["seed"], **r.get("config", {})) if initial
                              else rp.trained_params(r))
                    norms.append(grad_norm_through_time(params, x, y, task, activation))
                steps = np.arange(1, len(norms[0]) + 1)
                ax.semilogy(steps, np.exp(np.mean(np.log(np.maximum(norms, 1e-300)), axis=0)), color=init_colour(init),
                            ls=":" if initial else "-", lw=1.2 if initial else 1.8,
                            label=f"{init}, {'at init' if initial else 'trained'}")
        ax.set_title(f"{task}, T = {T}", fontsize=11)
        ax.set_xlabel("step t")
        ax.grid(alpha=0.3, which="both")
        ax.legend(fontsize=8)
    axes[0].set_ylabel("||dL/dh_t|| (batch of 200)")
    n_seeds = len({r["seed"] for r in runs})
    fig.suptitle("How much of the loss's gradient reaches each step: dL/dh_t, at init and after training "
                 f"(geometric mean over {n_seeds} seed(s))", fontsize=12)
    return fig


# ----------------------------------------------------------------------------------------------------------------
# command line


# what each command draws: (name, PNG file, one line for --help, a paragraph for `COMMAND --help`)
COMMANDS = (
    ("fisher", "fisher_memory.png", "Fisher memory curves of linear example networks",
     ("Fisher memory J(k) and its running sum for linear networks h_t = W h_(t-1) + v s_t + noise of size N: "
      "identity, orthogonal, chains and a feedback chain, in closed form (Ganguli et al. 2008). Needs no results "
      "file and trains nothing.")),
    ("nonnormality", "nonnormality.png", "Henrici index of W_hh at init and trained",
     ("Non-normality (Henrici index) of every run's W_hh at initialisation, rebuilt from its seed, and after "
      "training, from the trained weights saved in the results file.")),
    ("motif", "chain_motif.png", "hidden chain motif of W_hh at init and trained",
     ("Hidden chain motif (Orhan & Pitkow 2020): mean W_hh[i, j] against the rank difference of units ordered by "
      "the time of their peak response to an input pulse, at initialisation and trained.")),
    ("gradients", "grad_through_time.png", "norm of dL/dh_t against t, at init and trained",
     ("How much of the loss's gradient reaches each step: ||dL/dh_t|| on one fixed batch against t, at "
      "initialisation and with the trained parameters saved in the results file (needs params_final).")),
)


# The fisher figure's sizes. The chains' noise covariance has entries up to alpha^(2N) = 1.2^(2N), so its condition
# number reaches float64's 1 / eps near N = 100: the feedback chain's sum of J(k) leaves its closed form J_tot by
# 2e-6 at N = 80, 4e-4 at 88 and 3% at 100, and from N = 104 the Cholesky factorisation fails. k: every curve is
# off the plot's axis (J < 1e-6) by k = 300; 10,000 is drawn in a few seconds.
FISHER_MAX_N = 80
FISHER_MAX_K = 10_000


OUTDIR = Option("--outdir", default="viz", help="folder for the PNG, created if needed (default: %(default)s)")
FISHER_OPTIONS = (
    Option("--n", type=int, default=64, help=f"network size N, 2 to {FISHER_MAX_N}: past it float64 cannot resolve "
           "the chains' memory (default: %(default)s)"),
    Option("--k-max", type=int, default=120, help=f"largest k drawn, 1 to {FISHER_MAX_K:,} (default: %(default)s)"),
    OUTDIR)
RESULTS_OPTIONS = (
    Option("--results", default="results.json",
           help="results.json, or a sweep .jsonl written with --keep-weights (default: %(default)s)"),
    OUTDIR)


FISHER_ARRAYS = 16  # N x N float64 arrays alive at the peak of the fisher figure (measured: 15-20 at N = 150-400)


def fisher_memory_bytes(n: int, k_max: int) -> int:
    """About the most memory the fisher figure holds at once: the example matrices, the Lyapunov doubling's
    products, the covariance and its Cholesky factor (N x N each), and the signal and its whitened copy
    (N x (k_max + 1) each)."""
    return 8 * (FISHER_ARRAYS * n * n + 2 * n * (k_max + 1))


def check_fisher_size(n: int, k_max: int) -> None:
    """AnalysisError unless N and k_max are sensible and the figure's arrays fit in the memory available now."""
    if n < 2 or k_max < 1:
        raise AnalysisError("--n must be at least 2 and --k-max at least 1")
    try:
        rp.check_memory(fisher_memory_bytes(n, k_max), f"fisher --n {n} --k-max {k_max}")
    except ValueError as err:
        raise AnalysisError(str(err)) from None
    # after the memory check, so a size no machine holds is told how much memory it asks for
    if n > FISHER_MAX_N:
        raise AnalysisError(f"--n is at most {FISHER_MAX_N}, got {n}: past it the chains' noise covariance (entries "
                            "up to 1.2^(2N)) is too ill-conditioned for float64, the J(k) no longer sum to J_tot, and "
                            "from N = 104 its Cholesky factorisation fails")
    if k_max > FISHER_MAX_K:
        raise AnalysisError(f"--k-max is at most {FISHER_MAX_K:,}, got {k_max:,}: every J(k) is below the plot's "
                            "axis (1e-6) by k = 300")


def check_fisher(args: argparse.Namespace) -> None:
    check_fisher_size(args.n, args.k_max)


def read_runs(args: argparse.Namespace) -> list[dict]:
    """The runs of --results, each one that `args.command` can draw (AnalysisError otherwise)."""
    runs = load_runs(args.results)
    if args.command in ("gradients", "motif") and any("params_final" not in r for r in runs):
        raise AnalysisError(f"{args.results}: a run has no params_final (an older file, or one written with "
                            "--drop-weights); rerun python rnn_pathological.py --all")
    # these analyses read one H x H W_hh and the vanilla recurrence: the oRNN's records hold just that; the gated
    # cells, the LRU and the linear students (whose networks have no b_h) hold other equations
    gated = sorted({cell for cell in map(rp.cell_of, runs) if rp.get_cell(cell).blocks != rp.VANILLA_BLOCKS})
    if gated:
        raise AnalysisError(f"{args.results}: {args.command} analyses the vanilla cell's W_hh, and the file holds "
                            f"{', '.join(gated)} runs; use a results file of vanilla runs")
    return runs


def draw(args: argparse.Namespace, runs: list[dict] | None) -> Figure:
    if args.command == "fisher":
        return plot_fisher_memory(args.n, args.k_max)
    plot = {"nonnormality": plot_nonnormality, "motif": plot_chain_motif, "gradients": plot_grad_through_time}
    return plot[args.command](runs)


ANALYSIS = Analysis(
    PROG, "Closed-form and saved-run analyses of recurrent matrices; never trains. Each command draws one PNG into "
    "--outdir.",
    tuple(Command(name, f"{what} -> {png}", f"{description} Writes {png}.",
                  FISHER_OPTIONS if name == "fisher" else RESULTS_OPTIONS, make=draw,
                  read=check_fisher if name == "fisher" else read_runs, png=png)
          for name, png, what, description in COMMANDS),
    raw_description=False)


# the module's command line, as `python -m rnnpath analyze matrices` runs it
build_parser, main = ANALYSIS.build_parser, rp.script_main(ANALYSIS.main)
