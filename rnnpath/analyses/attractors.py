"""Attractors and bifurcations during training (Ribeiro et al. 2020, seed 004, sections 3.3 and 5), from saved
parameter snapshots; nothing trains here.

    python rnn_pathological.py --all --seed 0 --snapshot-every 5 --jobs 1 --out results_snapshots.json  # the runs
    (and the LSTM and oRNN runs of SNAPSHOT_FILES)
    python -m rnnpath analyze attractors run     # results_snapshots.json -> attractors.json
    python -m rnnpath analyze attractors plot    # attractors.json -> viz/bifurcation.png

A trained RNN fed a constant input u is a map h -> f(h) = tanh(W_hh h + W_ih u + b_h), and where its states end up
(its attractors) is what it can hold without input: seed 004 defines long-term memory as an attractor, and a
bifurcation as a change in the attractors as the parameters move. For every snapshot of a run (epoch 0, then every K
epochs) and every input channel c (u = e_c: channel c at 1, the others 0), this script

  * iterates the map from h_0 = 0 (where every sequence starts) for BURN_IN steps, then records WINDOW more states;
  * classifies that attractor: a fixed point when no coordinate moves by more than TOL from one recorded step to the
    next; periodic with period p (2 <= p <= MAX_PERIOD) when the state repeats after p steps within TOL; otherwise by
    the largest Lyapunov exponent lambda of the window (the mean log growth of a tangent vector carried along the
    trajectory and normalised every step): chaotic if lambda > LYAPUNOV_TOL, unsettled if lambda < -LYAPUNOV_TOL
    (still approaching an attractor after the burn-in), quasi-periodic if |lambda| <= LYAPUNOV_TOL;
  * before it calls a trajectory periodic, quasi-periodic, chaotic or unsettled, tells a slow approach to a fixed
    point from an orbit (a Lyapunov exponent near 0 cannot: an approach slower than exp(-LYAPUNOV_TOL) a step looks
    like an orbit in any finite window): from the window's last state it solves f(x) = x by Newton's method (at most
    NEWTON_MAX_ITER steps with the exact Jacobian, built from the map's Jacobian-vector product, until no coordinate
    of f(x) - x exceeds NEWTON_TOL), and if Newton converges to a point x* whose Jacobian has spectral radius < 1
    (a stable fixed point) and the trajectory's distance to x* falls from each of FALLING_SEGMENTS equal parts of the
    window to the next, the trajectory is a fixed point reached slowly, recorded as settled by Newton with that
    spectral radius and the distance of the last state from x*. An orbit stays an orbit: Newton finds no fixed point
    there, or an unstable one, or one the trajectory does not keep approaching;
  * does the same from N_STARTS random initial states (uniform in [-1, 1]^H, one fixed draw) and counts the distinct
    stable fixed points they reach (a fixed point with a negative Lyapunov exponent) (two fixed points are one when no coordinate differs by more than DEDUP_TOL): the stable
    fixed points of the map, the "cloud" of seed 004;
  * records, for the bifurcation diagram, the values the mean state (1/H) sum_i h_i visits in the window and their
    first differences, and how far the attractor reached from h_0 = 0 moved since the previous snapshot.

Seed 004 reports that an LSTM's attractors go through bifurcations during training (fixed points multiply, periodic
orbits appear) while an orthogonal RNN keeps a cloud of fixed points that move without bifurcating. Their orthogonal
RNN is constrained to stay orthogonal (Lezcano-Casado and Martinez-Rubio 2019); the headline's vanilla RNN only
starts orthogonal, and training is free to move W_hh anywhere, so the oRNN run (--cell ornn: the same start, W_hh
held orthogonal throughout) asks their question of a network built like theirs.

With tanh units it cannot have their cloud. tanh is 1-Lipschitz with tanh' < 1 everywhere but at 0, and an
orthogonal W_hh preserves the Euclidean norm, so ||f(h) - f(g)|| < ||h - g|| for all h != g: f is contractive in
Edelstein's sense on the compact cube [-1, 1]^H that it maps into itself, so it has exactly one fixed point per
constant input and every trajectory converges to it (Edelstein 1962) -- no orbits, no second fixed point, however
slowly the approach goes when W_hh's eigenvalues sit on the unit circle. Seed 004's oRNN uses modReLU units, which
are not a strict contraction (modReLU has slope 1 wherever it is active: it only shifts the modulus), which is why
it can hold a cloud of fixed points and a tanh oRNN cannot; the Newton step above is what lets this script see
the slow approach.

Sections, in dependency order: maps, iteration and Lyapunov exponent, classification, fixed points, one snapshot,
the results file, figure, README block, command line.
"""

from __future__ import annotations

import argparse
import itertools
import os
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure

import rnn_pathological as rp
from rnnpath import files
from rnnpath.analyses.base import Analysis, AnalysisError, Command, Option
from rnnpath.text import join_words, markdown_table

PROG = "rnnpath analyze attractors"
SCHEMA_VERSION = 1
# the snapshot files `run` reads by default, and the command that writes each
SNAPSHOT_FILES = {
    "results/results_snapshots.json": "python rnn_pathological.py --all --seed 0 --snapshot-every 5 --jobs 1 --out {path}",
    "results/results_snapshots_lstm.json": ("python rnn_pathological.py --task temporal_order --cell lstm --init ortho "
                                    "--snapshot-every 10 --out {path}"),
    "results/results_snapshots_ornn.json": ("python rnn_pathological.py --task temporal_order --cell ornn --init ortho "
                                    "--snapshot-every 5 --out {path}"),
}

BURN_IN = 400  # steps discarded before recording: seed 004's burn-in for its sequence-classification task
WINDOW = 200  # steps recorded after it
TOL = 1e-6  # a coordinate that moves less than this between the compared steps has not moved
MAX_PERIOD = 50  # the longest period looked for (WINDOW leaves 150 steps to compare at this period)
LYAPUNOV_TOL = 0.01  # |lambda| below this: neither contracting nor expanding within the window's precision
N_STARTS = 64  # random initial states for the fixed-point count
STARTS_SEED = 0
DEDUP_TOL = 1e-3  # fixed points closer than this in every coordinate are one
NEWTON_MAX_ITER = 50  # Newton steps towards f(x) = x from the window's last state, at most
NEWTON_TOL = 1e-12  # Newton has converged when no coordinate of f(x) - x exceeds this
FALLING_SEGMENTS = 4  # the distance to Newton's point must fall from each of this many parts of the window to the next
ROUND = 4  # decimals of the mean-state values kept for the bifurcation diagram

# ----------------------------------------------------------------------------------------------------------------
# maps: x -> f(x) on a batch of states, with the Jacobian-vector product the Lyapunov exponent needs


@dataclass(frozen=True)
class Map:
    """A discrete-time system x_(t+1) = f(x_t) on (B, n) batches of states.

    step(x) -> f(x); jvp(x, fx, v) -> J_f(x) v for tangent vectors v (B, n), given fx = f(x) (the RNN's Jacobian
    is cheapest from its output). The first n_hidden coordinates of a state are the hidden state h (an LSTM's state
    is h then the cell state c); the mean state of the bifurcation diagram averages those."""

    step: Callable[[np.ndarray], np.ndarray]
    jvp: Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]
    dim: int
    n_hidden: int


def rnn_map(params: dict[str, np.ndarray], channel: int) -> Map:
    """The vanilla tanh RNN under a constant input with channel `channel` at 1: f(h) = tanh(W_hh h + W_ih[:, c] + b_h),
    J_f(h) v = (1 - f(h)^2) * (W_hh v)."""
    W_hh = np.asarray(params["W_hh"], dtype=np.float64)
    drive = np.asarray(params["W_ih"], dtype=np.float64)[:, channel] + np.asarray(params["b_h"], dtype=np.float64)
    W_T = W_hh.T

    def step(h: np.ndarray) -> np.ndarray:
        return np.tanh(h @ W_T + drive)

    def jvp(h: np.ndarray, fh: np.ndarray, v: np.ndarray) -> np.ndarray:
        return (1.0 - fh * fh) * (v @ W_T)

    return Map(step, jvp, W_hh.shape[0], W_hh.shape[0])


def _sigmoid(a: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * a))  # no overflow for large |a|


def lstm_map(params: dict[str, np.ndarray], channel: int) -> Map:
    """The LSTM (gate order i, f, g, o; W_hh (4H, H)) under a constant input with channel `channel` at 1, on the
    state x = (h, c): a = W_hh h + W_ih[:, c] + b_h, c' = f c + i g, h' = o tanh(c'). Its Jacobian-vector product,
    with da = W_hh dh: dc' = f dc + c f (1 - f) da_f + g i (1 - i) da_i + i (1 - g^2) da_g,
    dh' = tanh(c') o (1 - o) da_o + o (1 - tanh(c')^2) dc'."""
    W_hh = np.asarray(params["W_hh"], dtype=np.float64)
    H = W_hh.shape[1]
    drive = np.asarray(params["W_ih"], dtype=np.float64)[:, channel] + np.asarray(params["b_h"], dtype=np.float64)
    W_T = W_hh.T

    def gates(x: np.ndarray) -> tuple[np.ndarray, ...]:
        a = x[:, :H] @ W_T + drive
        return (_sigmoid(a[:, :H]), _sigmoid(a[:, H:2 * H]), np.tanh(a[:, 2 * H:3 * H]), _sigmoid(a[:, 3 * H:]))

    def step(x: np.ndarray) -> np.ndarray:
        i, f, g, o = gates(x)
        c = f * x[:, H:] + i * g
        return np.hstack([o * np.tanh(c), c])

    def jvp(x: np.ndarray, fx: np.ndarray, v: np.ndarray) -> np.ndarray:
        i, f, g, o = gates(x)
        da = v[:, :H] @ W_T
        c_prev, tc = x[:, H:], np.tanh(fx[:, H:])
        dc = (f * v[:, H:] + c_prev * f * (1 - f) * da[:, H:2 * H] + g * i * (1 - i) * da[:, :H]
              + i * (1 - g * g) * da[:, 2 * H:3 * H])
        dh = tc * o * (1 - o) * da[:, 3 * H:] + o * (1 - tc * tc) * dc
        return np.hstack([dh, dc])

    return Map(step, jvp, 2 * H, H)


# the map of a materialised network, by the blocks of its W_hh (rp.Cell.materialise): snapshots hold the network as
# the vanilla cell or the LSTM runs it, so an oRNN's (W_hh itself) follows the vanilla map
MAP_OF_BLOCKS = {rp.VANILLA_BLOCKS: rnn_map, rp.LSTM_GATES: lstm_map}
# a record's config["cell"] -> its map under a constant input, for every cell of the registry whose network has one
MAPS = {name: MAP_OF_BLOCKS[cell.blocks] for name, cell in rp.CELLS.items() if cell.blocks in MAP_OF_BLOCKS}
# the cells whose W_hh is one (H, H) matrix, with a spectral radius: those with a single block
VANILLA_MAPS = tuple(name for name, cell in rp.CELLS.items() if len(cell.blocks) == 1)


# ----------------------------------------------------------------------------------------------------------------
# iteration and the largest Lyapunov exponent


def iterate(m: Map, x0: np.ndarray, burn_in: int = BURN_IN, window: int = WINDOW,
            v0: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Run the map from the states x0 (B, n): burn_in steps discarded, then the window recorded.

    Returns (states, lyapunov): states (window + 1, B, n), states[k] the state after burn_in + k steps (states[0] =
    x0 when burn_in is 0), and the largest Lyapunov exponent of each trajectory over the window, the mean over its
    `window` steps of log ||J v|| with v the tangent vector normalised after every step. v starts at v0 (default: a
    fixed random unit vector) and is carried through the burn-in too, so that it has turned towards the most
    expanding direction before the exponent is measured."""
    x = np.array(x0, dtype=np.float64)
    if v0 is None:
        v0 = np.random.default_rng(STARTS_SEED + 1).standard_normal(m.dim)
    v = np.broadcast_to(np.asarray(v0, dtype=np.float64), x.shape).copy()
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    states = np.empty((window + 1,) + x.shape)
    log_growth = np.zeros(x.shape[0])
    for t in range(burn_in + window):
        if t == burn_in:
            states[0] = x
        fx = m.step(x)
        v = m.jvp(x, fx, v)
        norm = np.maximum(np.linalg.norm(v, axis=1), 1e-300)  # an exactly saturated unit can zero the product
        v /= norm[:, None]
        if t >= burn_in:
            log_growth += np.log(norm)
            states[t - burn_in + 1] = fx
        x = fx
    if window == 0:
        states[0] = x
    return states, log_growth / max(window, 1)


# ----------------------------------------------------------------------------------------------------------------
# classification

KINDS = ("fixed", "periodic", "quasi-periodic", "chaotic", "unsettled")


def classify(states: np.ndarray, lyapunov: np.ndarray, tol: float = TOL, max_period: int = MAX_PERIOD,
             lyapunov_tol: float = LYAPUNOV_TOL) -> list[tuple[str, int | None]]:
    """(kind, period) of every trajectory of a window (states (W + 1, B, n), lyapunov (B,)), by the rules of the
    module docstring: the smallest p in 1 .. max_period with max_t ||x_(t+p) - x_t||_inf <= tol gives a fixed point
    (p = 1) or a period p; otherwise the Lyapunov exponent decides. The period is None except for periodic orbits."""
    W = states.shape[0] - 1
    if W < 2 * max_period:
        raise ValueError(f"a window of {W} steps is too short to look for periods up to {max_period}")
    out: list[tuple[str, int | None]] = []
    for b in range(states.shape[1]):
        x = states[:, b]
        period = next((p for p in range(1, max_period + 1) if np.max(np.abs(x[p:] - x[:-p])) <= tol), None)
        if period == 1:
            out.append(("fixed", None))
        elif period is not None:
            out.append(("periodic", period))
        elif lyapunov[b] > lyapunov_tol:
            out.append(("chaotic", None))
        elif lyapunov[b] < -lyapunov_tol:
            out.append(("unsettled", None))
        else:
            out.append(("quasi-periodic", None))
    return out


def jacobian(m: Map, x: np.ndarray) -> np.ndarray:
    """The Jacobian of the map at one state x (n,), (n, n), column k from the Jacobian-vector product with e_k."""
    X = np.broadcast_to(np.asarray(x, dtype=np.float64), (m.dim, m.dim)).copy()
    return m.jvp(X, m.step(X), np.eye(m.dim)).T


def newton(m: Map, x0: np.ndarray, max_iter: int = NEWTON_MAX_ITER, tol: float = NEWTON_TOL) -> np.ndarray | None:
    """A solution of f(x) = x by Newton's method from x0 (n,): x <- x + (I - J_f(x))^-1 (f(x) - x) until no coordinate
    of f(x) - x exceeds tol (None: not within max_iter steps, or a singular or non-finite step)."""
    x = np.array(x0, dtype=np.float64)
    eye = np.eye(m.dim)
    for _ in range(max_iter + 1):
        r = m.step(x[None])[0] - x
        if not np.all(np.isfinite(r)):
            return None
        if np.max(np.abs(r)) <= tol:
            return x
        try:
            x = x + np.linalg.solve(eye - jacobian(m, x), r)
        except np.linalg.LinAlgError:
            return None
    return None


def settle(m: Map, trajectory: np.ndarray, max_iter: int = NEWTON_MAX_ITER, tol: float = NEWTON_TOL,
           segments: int = FALLING_SEGMENTS) -> dict | None:
    """Whether one trajectory's window (W + 1, n) is a slow approach to a stable fixed point, by the rule of the
    module docstring: {point, radius, distance} (the fixed point x* Newton finds from the last state, the spectral
    radius of the Jacobian there, and the last state's Euclidean distance from it), or None (an orbit: Newton does not
    converge, or x* is not stable, or the distance to it does not fall from each part of the window to the next)."""
    point = newton(m, trajectory[-1], max_iter, tol)
    if point is None:
        return None
    radius = float(np.max(np.abs(np.linalg.eigvals(jacobian(m, point)))))
    if not radius < 1.0:
        return None
    distance = np.linalg.norm(trajectory - point, axis=1)
    peaks = [float(np.max(part)) for part in np.array_split(distance, segments)]
    if not (all(a > b for a, b in itertools.pairwise(peaks)) or peaks[0] <= tol):
        return None
    return {"point": point, "radius": radius, "distance": float(distance[-1])}


def distinct(points: np.ndarray, tol: float = DEDUP_TOL) -> np.ndarray:
    """The distinct rows of points (N, n): greedily, each row joins the first kept row within tol in every
    coordinate, else is kept. Deterministic (input order)."""
    kept: list[np.ndarray] = []
    for p in points:
        if not any(np.max(np.abs(p - q)) <= tol for q in kept):
            kept.append(p)
    return np.array(kept).reshape(len(kept), points.shape[1])


def random_starts(n: int, dim: int, seed: int = STARTS_SEED) -> np.ndarray:
    """n initial states uniform in [-1, 1]^dim, one fixed draw."""
    return np.random.default_rng(seed).uniform(-1.0, 1.0, size=(n, dim))


# ----------------------------------------------------------------------------------------------------------------
# one snapshot


def _rounded_unique(values: np.ndarray) -> list[float]:
    return sorted({round(float(v), ROUND) + 0.0 for v in values})


def analyse_map(m: Map, n_starts: int = N_STARTS, burn_in: int = BURN_IN, window: int = WINDOW) -> dict:
    """The attractor reached from 0 and the fixed points reached from n_starts random states, for one map.

    Returns {kind, period, lyapunov, newton, visited, steps, fixed_points, n_fixed_points, random_starts,
    newton_starts, state}: the first six for the trajectory from 0 (newton: None, or {radius, distance} of settle()
    where the fixed point was reached slowly and settled by Newton's method; visited and steps: the distinct values,
    to ROUND decimals, of the mean state and of its first difference over the window), fixed_points the mean state of
    each distinct stable fixed point (one with a negative Lyapunov exponent, or settled by Newton) reached from any
    start (0 included), random_starts the count of each kind over the random starts, newton_starts how many of their
    fixed points were settled by Newton, state the last state from 0 (a list; the caller measures how far it moves
    between snapshots and drops it)."""
    x0 = np.vstack([np.zeros((1, m.dim)), random_starts(n_starts, m.dim)])
    states, lyapunov = iterate(m, x0, burn_in, window)
    kinds = classify(states, lyapunov)
    settled = [None if kind == "fixed" else settle(m, states[:, b]) for b, (kind, _) in enumerate(kinds)]
    kinds = [("fixed", None) if s is not None else k for k, s in zip(kinds, settled, strict=True)]
    mean = states[:, 0, :m.n_hidden].mean(axis=1)
    # stable fixed points only: a start that sits exactly on an unstable one (0, for a map without drive) stays there,
    # but its tangent vector grows (lambda >= 0); a slow approach counts at the point Newton found
    fixed = np.array([s["point"] if s is not None else states[-1, b]
                      for b, ((kind, _), s) in enumerate(zip(kinds, settled, strict=True))
                      if s is not None or (kind == "fixed" and lyapunov[b] < 0)]).reshape(-1, m.dim)
    points = distinct(fixed)
    counts = {kind: sum(1 for k, _ in kinds[1:] if k == kind) for kind in KINDS}
    return {
        "kind": kinds[0][0],
        "period": kinds[0][1],
        "lyapunov": float(lyapunov[0]),
        "newton": None if settled[0] is None else {"radius": settled[0]["radius"], "distance": settled[0]["distance"]},
        "visited": _rounded_unique(mean),
        "steps": _rounded_unique(np.diff(mean)),
        "fixed_points": _rounded_unique(points[:, :m.n_hidden].mean(axis=1)) if len(points) else [],
        "n_fixed_points": len(points),
        "random_starts": {k: v for k, v in counts.items() if v},
        "newton_starts": sum(s is not None for s in settled[1:]),
        "state": states[-1, 0].tolist(),
    }


# ----------------------------------------------------------------------------------------------------------------
# the results file


def snapshot_params(snapshot: dict) -> dict[str, np.ndarray]:
    return {k: np.array(v, dtype=np.float64) for k, v in snapshot["params"].items()}


def load_snapshots(path: str) -> dict:
    """A results file whose runs carry snapshots and can be rebuilt by this engine (files.FileError otherwise)."""
    by_name = {os.path.basename(known): template for known, template in SNAPSHOT_FILES.items()}
    template = by_name.get(os.path.basename(path), next(iter(SNAPSHOT_FILES.values())))  # wherever the file is
    command = template.format(path=path)
    doc = files.load_results(path, command)
    files.check_engine_runs(doc["runs"], path)
    for i, run in enumerate(doc["runs"]):
        if "snapshots" not in run:
            raise files.FileError(f"{path}: run {i} ({run['task']}, {run['init']}) has no snapshots; recreate it "
                                  f"with: {command}")
        cell = rp.cell_of(run)
        activation = rp.full_config(run["config"])["activation"]
        if cell not in MAPS or (cell in VANILLA_MAPS and activation != "tanh"):
            raise files.FileError(f"{path}: run {i} ({run['task']}, {run['init']}) is a {cell} cell with {activation} "
                                  f"units; this script reads the {join_words(list(MAPS))} cells with tanh units")
    return doc


def analyse_run(run: dict, n_starts: int = N_STARTS) -> dict:
    """Every snapshot x every input channel of one run record."""
    channels = []
    n_in = len(run["snapshots"][0]["params"]["W_ih"][0])
    make_map = MAPS[rp.cell_of(run)]
    for c in range(n_in):
        rows, previous = [], None
        for snap in run["snapshots"]:
            row = {"epoch": snap["epoch"], **analyse_map(make_map(snapshot_params(snap), c), n_starts)}
            state = np.array(row.pop("state"))
            row["moved"] = None if previous is None else float(np.linalg.norm(state - previous))
            previous = state
            rows.append(row)
        channels.append({"channel": c, "snapshots": rows})
    # the spectral radius of W_hh, the vanilla cell's (and the oRNN's) recurrence (an LSTM's W_hh is four gate
    # blocks: none)
    radius = [float(np.max(np.abs(np.linalg.eigvals(np.array(s["params"]["W_hh"])))))
              if rp.cell_of(run) in VANILLA_MAPS else None for s in run["snapshots"]]
    return {"task": run["task"], "init": run["init"], "cell": rp.cell_of(run), "sequence_len": run["sequence_len"],
            "seed": run["seed"], "final_metric": run["final_metric"], "solved_epoch": run["solved_epoch"],
            "metric_name": run["metric_name"], "solved": rp.is_success(run),
            "snapshot_every": rp.full_config(run["config"])["snapshot_every"],
            "epochs": [s["epoch"] for s in run["snapshots"]], "radius": radius, "channels": channels}


def compute(docs: list[tuple[str, dict]]) -> dict:
    """attractors.json from (path, results document) pairs: every run of every file, in order."""
    return {
        "schema_version": SCHEMA_VERSION,
        "sources": [path for path, _ in docs],
        "environment": rp.environment(),  # eigenvalues and Newton steps round by the BLAS kernel
        "settings": {"burn_in": BURN_IN, "window": WINDOW, "tol": TOL, "max_period": MAX_PERIOD,
                     "lyapunov_tol": LYAPUNOV_TOL, "n_starts": N_STARTS, "starts_seed": STARTS_SEED,
                     "dedup_tol": DEDUP_TOL, "newton_max_iter": NEWTON_MAX_ITER, "newton_tol": NEWTON_TOL,
                     "falling_segments": FALLING_SEGMENTS},
        "runs": [analyse_run(run) for _, doc in docs for run in doc["runs"]],
    }


def load(path: str) -> dict:
    """attractors.json, checked for its schema version, parts and finite numbers (ValueError naming the file
    otherwise)."""
    doc = files.read_json(path, f"python -m {PROG} run --out {path}")
    if not isinstance(doc, dict) or doc.get("schema_version") != SCHEMA_VERSION or not isinstance(doc.get("runs"),
                                                                                                   list):
        raise files.FileError(f"{path} is not a results file of {PROG} run (schema version {SCHEMA_VERSION}); "
                              f"recreate it with: python -m {PROG} run --out {path}")
    for i, run in enumerate(doc["runs"]):
        if not isinstance(run, dict) or not {"task", "init", "channels"} <= set(run):
            raise files.FileError(f"{path}: run {i} is incomplete; recreate it with: python -m {PROG} run --out {path}")
    files.check_finite(doc, path, f"python -m {PROG} run --out {path}")
    return doc


# ----------------------------------------------------------------------------------------------------------------
# summaries shared by the figure and the README block


def arm(run: dict) -> str:
    """'ortho', 'random' for the default (vanilla) cell, or 'lstm ortho', 'ornn ortho' for another cell."""
    cell = run.get("cell", rp.DEFAULTS["cell"])
    return run["init"] if cell == rp.DEFAULTS["cell"] else f"{cell} {run['init']}"


def arm_cell(name: str) -> rp.Cell:
    """The cell of an arm named by arm()."""
    cell, _, init = name.partition(" ")
    return rp.get_cell(cell if init else rp.DEFAULTS["cell"])


ORBITS = ("periodic", "quasi-periodic", "chaotic")  # attractors on which the state keeps moving


def first_orbit(channel: dict) -> int | None:
    """The first snapshot epoch at which the attractor from 0 is an orbit (periodic, quasi-periodic or chaotic)
    rather than a fixed point or a slow approach to one (None: never)."""
    return next((s["epoch"] for s in channel["snapshots"] if s["kind"] in ORBITS), None)


def kind_changes(channel: dict) -> int:
    """How often the attractor from 0 changes between fixed point and anything else, or between periods, from one
    snapshot to the next (changes among the other kinds are not counted: their boundaries are the tolerances')."""
    def label(s):
        return "fixed" if s["kind"] == "fixed" else f"period {s['period']}" if s["kind"] == "periodic" else "other"
    labels = [label(s) for s in channel["snapshots"]]
    return sum(a != b for a, b in itertools.pairwise(labels))


def run_summary(run: dict) -> dict:
    """The numbers the README reports for one analysed run."""
    channels = run["channels"]
    first = [s["snapshots"][0] for s in channels]
    last = [s["snapshots"][-1] for s in channels]
    onsets = [first_orbit(c) for c in channels]
    drift = [s["moved"] for c in channels for prev, s in itertools.pairwise(c["snapshots"])
             if s["kind"] == "fixed" and prev["kind"] == "fixed"]
    return {
        "n_channels": len(channels),
        "fixed_first": sum(s["kind"] == "fixed" for s in first),
        "fixed_last": sum(s["kind"] == "fixed" for s in last),
        "kinds_last": {k: sum(s["kind"] == k for s in last) for k in KINDS if any(s["kind"] == k for s in last)},
        "onsets": [e for e in onsets if e is not None],
        "changes": sum(kind_changes(c) for c in channels),
        "max_fixed_points": max(s["n_fixed_points"] for c in channels for s in c["snapshots"]),
        "multistable_last": sum(s["n_fixed_points"] > 1 for s in last),  # inputs with several stable fixed points
        "n_snapshots": sum(len(c["snapshots"]) for c in channels),
        # snapshots where every random start ends in the kind of attractor reached from 0
        "starts_agree": sum(s["random_starts"] == {s["kind"]: sum(s["random_starts"].values())}
                            for c in channels for s in c["snapshots"]),
        "lyapunov_last": float(np.median([s["lyapunov"] for s in last])),
        # (input, snapshot) pairs whose fixed point from 0 was reached slowly and settled by Newton's method, the
        # largest spectral radius of the Jacobian at those fixed points and the largest distance left at the window's
        # end
        "newton": sum(s["newton"] is not None for c in channels for s in c["snapshots"]),
        "newton_last": sum(s["newton"] is not None for s in last),
        "newton_radius": max((s["newton"]["radius"] for c in channels for s in c["snapshots"] if s["newton"]),
                             default=None),
        "newton_distance": max((s["newton"]["distance"] for c in channels for s in c["snapshots"] if s["newton"]),
                               default=None),
        "drift": float(np.median(drift)) if drift else None,
        "radius": (run["radius"][0], run["radius"][-1]),
        # W_hh's spectral radius at the snapshot before the first orbit and at it (the vanilla cell)
        "radius_at_onset": _radius_around(run, min(e for e in onsets if e is not None))
        if any(e is not None for e in onsets) and run["radius"][0] is not None else None,
    }


def _radius_around(run: dict, epoch: int) -> tuple[float | None, float]:
    k = run["epochs"].index(epoch)
    return (run["radius"][k - 1] if k else None, run["radius"][k])


# ----------------------------------------------------------------------------------------------------------------
# figure (matplotlib's object-oriented API on an Agg canvas: no display, no pyplot state)

KIND_COLOURS = {"fixed": "tab:green", "periodic": "tab:orange", "quasi-periodic": "tab:purple",
                "chaotic": "tab:red", "unsettled": "tab:gray"}


def plot(doc: dict) -> Figure:
    """Rows: tasks. Per arm two columns: the mean state's values visited in the window from h_0 = 0 against epoch
    (every input channel, coloured by channel; grey crosses: the distinct fixed points from the random starts) and
    its first difference; last column: the kind of attractor per channel and epoch, one row per channel and arm."""
    tasks = list(dict.fromkeys(r["task"] for r in doc["runs"]))
    arms = list(dict.fromkeys(arm(r) for r in doc["runs"]))
    by_key = {(r["task"], arm(r)): r for r in doc["runs"]}
    n_cols = 2 * len(arms) + 1
    fig = Figure(figsize=(3.4 * n_cols, 3.1 * len(tasks) + 1.2), layout="constrained")
    axes = fig.subplots(len(tasks), n_cols, squeeze=False)
    palette = [f"C{k}" for k in range(10)]
    for i, task in enumerate(tasks):
        kinds_ax = axes[i, -1]
        rows, labels = [], []
        for j, name in enumerate(arms):
            run = by_key.get((task, name))
            ax_state, ax_step = axes[i, 2 * j], axes[i, 2 * j + 1]
            if run is None:
                ax_state.axis("off")
                ax_step.axis("off")
                continue
            for channel in run["channels"]:
                colour = palette[channel["channel"] % len(palette)]
                for s in channel["snapshots"]:
                    ax_state.plot([s["epoch"]] * len(s["fixed_points"]), s["fixed_points"], "o", mfc="none",
                                  mec=colour, ms=6, mew=0.9, zorder=1)
                    ax_state.plot([s["epoch"]] * len(s["visited"]), s["visited"], ".", color=colour, ms=2.5,
                                  alpha=0.6, zorder=2)
                    ax_step.plot([s["epoch"]] * len(s["steps"]), s["steps"], ".", color=colour, ms=2.5, alpha=0.6)
                ax_state.plot([], [], ".", color=colour, label=f"input {channel['channel']}")
                rows.append({s["epoch"]: KINDS.index(s["kind"]) for s in channel["snapshots"]})
                labels.append(f"{name} in {channel['channel']}")
            for ax in (ax_state, ax_step):
                if run["solved_epoch"] is not None:
                    ax.axvline(run["solved_epoch"], color="k", ls=":", lw=0.8)
                ax.grid(alpha=0.3)
                ax.set_xlabel("epoch")
            status = f"solved @ {run['solved_epoch']}" if run["solved_epoch"] is not None else "never solved"
            ax_state.set_title(f"{task} T={run['sequence_len']}, {name} ({status})", fontsize=9)
            ax_state.set_ylabel("mean state (1/H) sum h_i")
            ax_step.set_title(f"{name}: first difference", fontsize=9)
            ax_step.set_ylabel("mean state: step t+1 minus step t")
            if j == 0:
                ax_state.legend(fontsize=6, markerscale=2.5, loc="best", ncol=2, framealpha=0.6)
        epochs = sorted({e for row in rows for e in row})  # runs may snapshot at different epochs: blank between
        if rows:
            grid = np.ma.masked_invalid([[row.get(e, np.nan) for e in epochs] for row in rows])
            kinds_ax.imshow(grid, aspect="auto", interpolation="nearest", vmin=-0.5, vmax=len(KINDS) - 0.5,
                            cmap=ListedColormap([KIND_COLOURS[k] for k in KINDS]))
            kinds_ax.set_yticks(range(len(labels)), labels, fontsize=6)
            ticks = list(range(0, len(epochs), max(len(epochs) // 6, 1)))
            kinds_ax.set_xticks(ticks, [str(epochs[t]) for t in ticks])
            kinds_ax.set_xlabel("epoch")
            kinds_ax.set_title("attractor from h_0 = 0, per input", fontsize=9)
            if i == 0:
                for k in KINDS:
                    kinds_ax.plot([], [], "s", color=KIND_COLOURS[k], label=k)
                kinds_ax.legend(fontsize=6.5, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    st = doc["settings"]
    fig.suptitle(f"Attractors during training under a constant input (one channel at 1, the others 0): the values "
                 f"the mean state visits from h_0 = 0 after a burn-in of {st['burn_in']} steps, over {st['window']} "
                 f"steps (dots),\nthe distinct fixed points reached from {st['n_starts']} random starts (circles), "
                 f"and the kind of attractor (right; blank: no snapshot); dotted line: the epoch the run first met its threshold",
                 fontsize=11)
    return fig


# ----------------------------------------------------------------------------------------------------------------
# README block (rnnpath report collects it)


def _kinds_text(kinds: dict[str, int]) -> str:
    return ", ".join(f"{n} {k}" for k, n in kinds.items())


def _onset_text(onsets: list[int], n: int) -> str:
    if not onsets:
        return "never"
    return f"{len(onsets)}/{n}, epoch {min(onsets)}" + (f"-{max(onsets)}" if max(onsets) > min(onsets) else "")


def _arms_with(doc: dict, snapshot_every: int) -> list[str]:
    return list(dict.fromkeys(arm(r) for r in doc["runs"] if r["snapshot_every"] == snapshot_every))


def _radius_text(pair: tuple[float | None, float] | None) -> str:
    if pair is None:
        return "-"
    before, at = pair
    return f"{at:.2f}" if before is None else f"{before:.2f} -> {at:.2f}"


def readme_block(doc: dict) -> str:
    """The attractor section's numbers: a table per run and the sentences that compare the arms with seed 004."""
    st = doc["settings"]
    rows, summaries = [], {}
    for run in doc["runs"]:
        s = summaries[(run["task"], arm(run))] = run_summary(run)
        solved = f"@{run['solved_epoch']}" + ("" if run["solved"] else ", fell back") if run["solved_epoch"] else "never"
        radius = "-" if s["radius"][0] is None else f"{s['radius'][0]:.2f} -> {s['radius'][1]:.2f}"
        rows.append([run["task"], arm(run), solved, radius,
                     f"{s['fixed_first']}/{s['n_channels']}", _kinds_text(s["kinds_last"]),
                     _onset_text(s["onsets"], s["n_channels"]), s["changes"], _radius_text(s["radius_at_onset"]),
                     f"{s['newton']}/{s['n_snapshots']}", s["max_fixed_points"],
                     f"{s['starts_agree']}/{s['n_snapshots']}",
                     f"{round(s['lyapunov_last'], 3) + 0.0:+.3f}",
                     "-" if s["drift"] is None else f"{s['drift']:.2f}"])
    table = markdown_table(
        ["task", "arm", "solved", "W_hh radius, init -> end", "fixed point at epoch 0", "attractors at the end",
         "inputs that reach an orbit (first epoch)", "changes of kind", "W_hh radius before -> at the first orbit",
         "fixed points from h_0 = 0 settled by Newton", "most distinct fixed points",
         "random starts all alike", "Lyapunov exponent at the end, median", "fixed-point drift per snapshot, median"],
        rows)
    arms = list(dict.fromkeys(arm(r) for r in doc["runs"]))
    sentences = []
    for name in arms:
        mine = [(r, summaries[(r["task"], name)]) for r in doc["runs"] if arm(r) == name]
        n_ch = sum(s["n_channels"] for _, s in mine)
        left = [(r["task"], s) for r, s in mine if s["onsets"]]
        most = max(s["max_fixed_points"] for _, s in mine)
        tasks = f"{len(mine)} tasks" if len(mine) != 1 else "1 task"
        text = (f"**{name}**: {sum(s['fixed_first'] for _, s in mine)} of the {n_ch} inputs (over {tasks}) "
                f"lead to a fixed point at epoch 0 and {sum(s['fixed_last'] for _, s in mine)} at the end")
        if left:
            text += ("; the attractor becomes an orbit, on which the state keeps moving, on "
                     + "; ".join(f"{task} for {len(s['onsets'])} of {s['n_channels']} inputs (first at epoch "
                                 f"{min(s['onsets'])})" for task, s in left))
        else:
            text += "; no input's attractor ever becomes an orbit"
        agree = sum(s["starts_agree"] for _, s in mine)
        total = sum(s["n_snapshots"] for _, s in mine)
        slow = sum(s["newton"] for _, s in mine)
        if slow:
            text += (f"; in {slow} of the {sum(s['n_snapshots'] for _, s in mine)} (input, snapshot) pairs the state "
                     "from h_0 = 0 approaches its fixed point too slowly to settle within the burn-in, and Newton's "
                     "method settles it")
        text += (f". No snapshot has more than {most} distinct stable fixed point{'s' if most != 1 else ''} for an "
                 f"input, and in {agree} of {total} (input, snapshot) pairs every random start ends in the same kind "
                 f"of attractor as h_0 = 0.")
        sentences.append(text)
    ortho = [s for (_, name), s in summaries.items() if name == "ortho"]
    cloud = any(s["max_fixed_points"] > 1 for s in ortho)
    bifurcates = any(s["onsets"] for s in ortho)
    claim = ("Ribeiro et al. 2020 (seed 004) find that an orthogonal RNN keeps a cloud of fixed points that move "
             "without bifurcating. "
             + ("Our orthogonally initialised RNN " + ("keeps several fixed points" if cloud
                                                        else "never has more than one stable fixed point per input")
                + (" and does bifurcate: its fixed point gives way to an orbit on which the state keeps moving under "
                   "constant input, one that Newton's method finds no stable fixed point for"
                   if bifurcates else " and does not bifurcate")
                + ". Theirs is constrained to stay orthogonal, so every eigenvalue of W_hh stays on the unit "
                  "circle; ours is only started there, and training moves W_hh's spectral radius to "
                + ", ".join(f"{s['radius'][1]:.2f} on {task}" for (task, name), s in summaries.items()
                            if name == "ortho") + "." if ortho else ""))
    held = [(task, name, s) for (task, name), s in summaries.items() if arm_cell(name).orthogonal]  # the oRNN
    if held:
        most = max(s["max_fixed_points"] for _, _, s in held)
        radii = sorted({round(r, 2) for _, _, s in held for r in s["radius"]})
        onsets = [e for _, _, s in held for e in s["onsets"]]
        n_inputs = sum(s["n_channels"] for _, _, s in held)
        slow = sum(s["newton"] for _, _, s in held)
        pairs = sum(s["n_snapshots"] for _, _, s in held)
        claim += (" Our RNN kept orthogonal (" + " and ".join(dict.fromkeys(n for _, n, _ in held)) + ", the same "
                  "start with W_hh held orthogonal by the exponential parametrisation, as theirs) on "
                  + join_words([t for t, _, _ in held]) + " keeps W_hh's spectral radius at "
                  + (f"{radii[0]:.2f}" if len(radii) == 1 else f"{radii[0]:.2f}-{radii[-1]:.2f}")
                  + ". With tanh units and an orthogonal W_hh the map h -> tanh(W_hh h + u) is a strict contraction "
                  "(||f(h) - f(g)|| < ||h - g|| for h != g, as tanh' < 1 away from 0 and W_hh keeps lengths), so on "
                  "the cube [-1, 1]^H it has exactly one fixed point per constant input and every trajectory converges "
                  "to it (Edelstein 1962): no orbits and no cloud. Seed 004's oRNN uses modReLU units, which are not a "
                  "strict contraction, which is why it can hold a cloud of fixed points and a tanh oRNN cannot. Ours "
                  f"has at most {most} stable fixed point{'s' if most != 1 else ''} for an input; "
                  + (f"for {len(onsets)} of its {n_inputs} inputs (first at epoch {min(onsets)}) the classifier still "
                     "finds an orbit from h_0 = 0 "
                     if onsets else "every input's state from h_0 = 0 ends on its fixed point at every snapshot ")
                  + (f"({slow} of the {pairs} (input, snapshot) pairs reach it by an approach too slow to settle "
                     "within the "
                     f"burn-in (spectral radius of the Jacobian at the fixed point up to "
                     f"{max(s['newton_radius'] for _, _, s in held if s['newton_radius'] is not None):.6f}, distance "
                     f"left at the window's end up to "
                     f"{max(s['newton_distance'] for _, _, s in held if s['newton_distance'] is not None):.2g}), "
                     "which Newton's method settles)" if slow else "")
                  + ", ending with " + "; ".join(_kinds_text(s["kinds_last"]) for _, _, s in held) + " attractors.")
        claim += (" So holding W_hh orthogonal gives several fixed points per input here, like seed 004's cloud."
                  if most > 1 else
                  " So holding W_hh orthogonal does not give a cloud of fixed points here: one per input, as the "
                  "theorem requires, against seed 004's cloud.")
    gated = [(task, name, s) for (task, name), s in summaries.items()  # the LSTM: W_hh in gate blocks
             if len(arm_cell(name).blocks) > 1]
    if gated:
        most = max(s["max_fixed_points"] for _, _, s in gated)
        changes = sum(s["changes"] for _, _, s in gated)
        claim += (" They also find that an LSTM passes through bifurcations as it trains: its fixed points "
                  "multiply, and periodic orbits appear. Our " + " and ".join(dict.fromkeys(n for _, n, _ in gated))
                  + f" on {join_words([t for t, _, _ in gated])} "
                  + (f"changes the kind of its attractor {changes} times over its inputs and snapshots"
                     if changes else "never changes the kind of its attractor")
                  + f", never has more than {most} stable fixed point{'s' if most != 1 else ''} for an input, and "
                  f"ends with " + "; ".join(_kinds_text(s["kinds_last"]) for _, _, s in gated) + " attractors")
        multi = sum(s["multistable_last"] for _, _, s in gated)
        n_inputs = sum(s["n_channels"] for _, _, s in gated)
        claim += (f", {multi} of its {n_inputs} inputs with more than one stable fixed point at the end"
                  if multi else "") + "."
        if changes and multi:
            claim += (" So, like theirs, our LSTM passes through bifurcations and gains fixed points, where the vanilla "
                      "RNN keeps a single one.") if not cloud else ""
    settings = (f"Settings: burn-in {st['burn_in']} steps, window {st['window']}, tolerance {st['tol']:g} per "
                f"coordinate, periods up to {st['max_period']}, |Lyapunov exponent| <= {st['lyapunov_tol']:g} "
                f"counted as neither contracting nor expanding, {st['n_starts']} random starts, fixed points merged "
                f"within {st['dedup_tol']:g}; a state that is not at a fixed point is settled by Newton's method (at "
                f"most {st['newton_max_iter']} steps, to {st['newton_tol']:g} per coordinate) when the fixed point it "
                f"finds is stable and the state's distance to it falls across {st['falling_segments']} parts of the "
                f"window; snapshots every "
                + " and ".join(f"{k} epochs ({', '.join(_arms_with(doc, k))})"
                               for k in dict.fromkeys(r["snapshot_every"] for r in doc["runs"])) + ".")
    return "\n".join(f"- {t}" for t in sentences) + "\n\n" + claim + "\n\n" + table + "\n\n" + settings


# ----------------------------------------------------------------------------------------------------------------
# command line


def draw(args: argparse.Namespace, doc: dict) -> Figure:
    try:
        return plot(doc)
    except (KeyError, IndexError, TypeError) as err:  # a file of the right schema version with a part missing
        raise AnalysisError(f"{args.results}: incomplete ({err!r}); rerun {PROG} run") from None


ANALYSIS = Analysis(PROG, __doc__, (
    Command("run", "classify the attractors of every snapshot -> a JSON results file",
            "Read results files with parameter snapshots (rnn_pathological.py --snapshot-every), classify the "
            "attractor of every snapshot under every constant input and count its fixed points (about a minute for "
            "the six vanilla headline runs, a few more for the LSTM run on a busy machine), write the results "
            "atomically.",
            (Option("--snapshots", nargs="+", default=list(SNAPSHOT_FILES), metavar="FILE",
                    help="results files with snapshots (default: %(default)s)"),
             Option("--out", default="results/attractors.json", help="results file (default: %(default)s)")),
            make=lambda args, docs: compute(docs),
            read=lambda args: [(path, load_snapshots(path)) for path in args.snapshots]),
    Command("plot", "draw the bifurcation diagrams of a results file -> a PNG",
            "Draw the bifurcation diagrams and the attractor kinds from attractors.json.",
            (Option("--results", default="results/attractors.json", help="results file of run (default: %(default)s)"),
             Option("--out", default=os.path.join("viz", "bifurcation.png"), help="PNG (default: %(default)s)")),
            make=draw, read=lambda args: load(args.results), dpi=90),
))


# the module's command line, as `python -m rnnpath analyze attractors` runs it
build_parser, main = ANALYSIS.build_parser, rp.script_main(ANALYSIS.main)
