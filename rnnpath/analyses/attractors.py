"""Attractors and bifurcations during training (Ribeiro et al. 2020, seed 004, sections 3.3 and 5), from saved
parameter snapshots; nothing trains here.

    python rnn_pathological.py --all --seed 0 --snapshot-every 5 --jobs 1 --out results_snapshots.json  # the runs
    (and the LSTM, oRNN and expRNN runs of SNAPSHOT_FILES)
    python -m rnnpath analyze attractors run     # results_snapshots.json -> attractors.json
    python -m rnnpath analyze attractors plot    # attractors.json -> viz/bifurcation.png

A trained RNN fed a constant input u is a map h -> f(h) = tanh(W_hh h + W_ih u + b_h) (modReLU units: below), and where
its states end up (its attractors) is what it can hold without input: seed 004 defines long-term memory as an
attractor, and a bifurcation as a change in the attractors as the parameters move. For every snapshot of a run (epoch
0, then every K epochs) and every input channel c (u = e_c: channel c at 1, the others 0), this script

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
    stable fixed points they reach (a fixed point with a negative Lyapunov exponent) (two fixed points are one when no
    coordinate differs by more than DEDUP_TOL): the stable fixed points of the map that these starts find, the
    "cloud" of seed 004 as far as they see it -- a lower bound, since a fixed point whose basin no start falls in is
    not counted;
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
constant input and every trajectory converges to it (Edelstein 1962) -- no orbits, no second fixed point. It is not a
contraction with a constant below 1: the Jacobian diag(1 - f(h)^2) W_hh has norm max_i (1 - f_i(h)^2), which is 1
wherever a unit's pre-activation is 0, so its Lipschitz constant is 1 and Banach's rate does not apply; the approach
can be arbitrarily slow, the slower the closer the spectral radius of the Jacobian at the fixed point lies to 1, and
the Newton step above is what lets this script see it. Seed 004's oRNN uses modReLU units, which are not contractive in
that sense (slope 1 wherever active: they shift the modulus instead of squashing it; with every b_i <= 0 the map is
only nonexpansive, with some b_i > 0 not even continuous), so the theorem says nothing about it.

modReLU units (--activation modrelu, modrelu_map; with --cell ornn --init henaff, seed 004's expRNN): f(h) =
sigma(W_hh h + W_ih u), sigma(a)_i = sign(a_i) relu(|a_i| + b_i), b = b_h learnt, no other bias. What this map can do:

  * It is piecewise affine. Unit i is active, sigma(a)_i = a_i + b_i sign(a_i), where |a_i| + b_i > 0 and a_i != 0,
    and dead (0) in its dead zone |a_i| < -b_i (only for b_i < 0); it has a kink at |a_i| = -b_i (b_i < 0) and jumps
    by 2 b_i across a_i = 0 (b_i > 0; sigma(0) = 0); with b_i = 0 it is the identity. Away from kinks and jumps,
    f(h) = f(x) + D W_hh (h - x) on a ball around x, D = diag(1 on the active units): the map is its linearisation
    there, not just approximately.
  * With W_hh orthogonal, ||D W_hh||_2 <= 1: no tangent vector grows, so the Lyapunov exponent is <= 0 up to rounding
    (chaotic is never found; a discontinuous map can still mix states across its jumps, which no tangent vector
    sees), and the spectral radius rho of the Jacobian at a fixed point is at most 1: none is unstable in the linear
    sense. With every unit active the Jacobian is W_hh itself, rho = 1: the fixed point is neutral (nearby states keep
    their distance from it along W_hh's rotations, never approaching). A stable fixed point (rho < 1) needs dead units.
  * With every b_i <= 0, sigma is soft thresholding, 1-Lipschitz, so f is nonexpansive (||f(h) - f(g)|| <= ||h - g||,
    with equality wherever the same units are active with the same signs, so no contraction) and its fixed points form
    a closed convex set, as those of any nonexpansive map of a Euclidean space do: none, one, or a continuum, never a
    finite cloud of two or more. A dead zone collapses directions (the states of a ball that differ only in dead
    units' pre-activations share one image), which makes no set of fixed points; an eigenvalue 1 of D W_hh at a fixed
    point does: the map being affine there, a segment of fixed points passes through it.
  * With some b_i > 0, f is discontinuous across a_i = 0 and not nonexpansive, and each of up to 3^H patterns of active
    (either sign) and dead units can hold its own isolated fixed point, the solution of
    (I - D W_hh) x = D (W_ih u + b * s), s the signs, where it lies in its pattern's region: several stable fixed
    points are possible (tests/test_attractors.py builds maps with 2 and 4). A fixed point on a jump (a_i = 0,
    b_i > 0: h = 0 without input) is not stable, whatever the derivative convention (0 there) says.
  * With b = 0 it is the affine isometry h -> W_hh h + W_ih u: one neutral fixed point that every state circles when
    W_hh has no eigenvalue 1, else none or a continuum (W_hh = I, u = 0: every state is fixed).

So on modReLU maps the spectral radius decides, not the sign of a Lyapunov exponent that is 0 up to rounding at a
neutral point, and the count separates what is found from what is reached (piecewise_verdict). For every start
(h_0 = 0, the N_STARTS uniform ones, and WIDE_STARTS of seed 004's own, N(0, WIDE_STD^2 I), which matter because
modReLU does not bound the state as tanh does), Newton's method from the window's last state (exact on each piece:
one step lands on the piece's fixed point) finds a fixed point x* or none. x* within KINK_TOL of a kink or jump is
non-smooth (no Jacobian to judge it by); otherwise rho at x* makes it stable (rho < 1 - RADIUS_TOL), neutral (within
RADIUS_TOL of 1) or unstable. A window converges to a stable x* only if it ends inside x*'s basin_radius, the ball
in which no unit changes piece: there f(h) - x* = D W_hh (h - x*) maps the ball into itself and rho < 1 takes every
state in it to x*, a proof rather than a trend (the falling-distance rule of the smooth maps is not used: a window
hundreds of units away can drift towards a point for a while without converging). Per (input, snapshot) the file
gives every start's verdict (converges; stable: found, not reached; neutral; unstable; non-smooth; none), the distinct
fixed points of each kind found from all starts together (lower bounds: a fixed point no start leads Newton to is not
counted), how many neutral ones lie on a continuum (then their distinct count counts samples of it), and each stable
one's rho, basin radius and distance to the nearest window end; n_fixed_points counts the stable ones reached, as for
tanh maps.

Sections, in dependency order: maps, iteration and Lyapunov exponent, classification, fixed points, one snapshot,
the results file, figure, README block, command line.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure

import rnn_pathological as rp
from rnnpath import files
from rnnpath.analyses.base import Analysis, Command, Option, drawer
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
    # seed 004's oRNN as they built it (expRNN: Henaff's start, modReLU units), at the oRNN run's task, T, seed and
    # budget: about 15 s on one core
    "results/results_snapshots_exprnn.json": ("python rnn_pathological.py --task temporal_order --cell ornn "
                                      "--init henaff --activation modrelu --snapshot-every 5 --out {path}"),
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
# piecewise-affine (modReLU) maps only:
# seed 004's own starts, which matter where the map is not bounded (a tanh map sends every start into [-1, 1]^H in one
# step; modReLU keeps far states far): 10 states N(0, 100^2 I), their code's n_sequences_orbit and std_orbit
# (antonior92/attractors-and-smoothness-RNN, sequence-classification/train.py; its burnout_orbit 400 is BURN_IN)
WIDE_STARTS = 10
WIDE_STD = 100.0
KINK_TOL = 1e-9  # a fixed point whose pre-activation lies this close to a kink or jump has no Jacobian to judge it by
RADIUS_TOL = 1e-8  # a spectral radius within this of 1 is 1: a neutral fixed point (an orthogonal W_hh's own radius
# is 1 to about 1e-15)

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
    # a piecewise-affine map (modReLU): kink_distance(x) (B,) is how far each state's pre-activation lies from the
    # nearest point where f is not differentiable (its kinks and jumps), where the Jacobian of jvp is a convention;
    # None for a smooth map
    kink_distance: Callable[[np.ndarray], np.ndarray] | None = None
    # and basin_radius(x) for a fixed point x (n,): the radius of a Euclidean ball around x that f maps into itself
    # affinely, f(h) = x + J (h - x) with ||J||_2 <= 1 (0.0 where that cannot be certified); inside it a stable x
    # (spectral radius of J below 1) attracts every state
    basin_radius: Callable[[np.ndarray], float] | None = None
    # spectral radii within this of 1 count as 1 (neutral): 0 for the smooth maps, whose radius below 1 decides as
    # before
    radius_tol: float = 0.0


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


def modrelu_map(params: dict[str, np.ndarray], channel: int) -> Map:
    """The vanilla cell with modReLU units (--activation modrelu; the oRNN's W_hh is orthogonal) under a constant input
    with channel `channel` at 1: a = W_hh h + W_ih[:, c] (no bias: b_h is modReLU's b, as in rp.rnn_forward),
    f(h) = sign(a) relu(|a| + b) per unit, sign(0) = 0.

    J_f(h) v = d * (W_hh v), d_i = 1 where unit i is active (f(h)_i != 0: a_i != 0 and |a_i| + b_i > 0) or is the
    identity (b_i = 0, smooth even at a_i = 0), and 0 where it is dead, f(h)_i = 0. At the kink |a_i| = -b_i
    (b_i < 0) and the jump at a_i = 0 (b_i > 0) f has no derivative and d_i = 0 is rp.rnn_backward's convention;
    kink_distance says how far a state is from them: min_i of |a_i| over units with b_i > 0 and ||a_i| + b_i| over
    units with b_i < 0 (inf with every b_i = 0)."""
    W_hh = np.asarray(params["W_hh"], dtype=np.float64)
    drive = np.asarray(params["W_ih"], dtype=np.float64)[:, channel]
    b = np.asarray(params["b_h"], dtype=np.float64)
    W_T = W_hh.T

    def step(h: np.ndarray) -> np.ndarray:
        a = h @ W_T + drive
        return np.sign(a) * np.maximum(np.abs(a) + b, 0.0)

    identity = b == 0.0

    def jvp(h: np.ndarray, fh: np.ndarray, v: np.ndarray) -> np.ndarray:
        return ((fh != 0.0) | identity) * (v @ W_T)

    def kink_distance(h: np.ndarray) -> np.ndarray:
        a = np.abs(h @ W_T + drive)
        return np.where(b > 0, a, np.where(b < 0, np.abs(a + b), np.inf)).min(axis=1)

    row_norm = float(np.max(np.linalg.norm(W_hh, axis=1)))  # |a_i(h) - a_i(x)| <= row_norm ||h - x||

    def basin_radius(x: np.ndarray) -> float:
        # within kink_distance(x) / row_norm of x no unit changes piece, so f(h) = x + D W_hh (h - x) there with x's
        # active set D; where ||D W_hh||_2 <= 1 (always, for an orthogonal W_hh) that ball maps into itself
        fx = step(x[None])
        J = jvp(x[None], fx, np.eye(len(x))).T
        if np.linalg.norm(J, 2) > 1.0 + RADIUS_TOL:
            return 0.0
        return float(min(kink_distance(x[None])[0] / row_norm, np.finfo(np.float64).max))

    return Map(step, jvp, W_hh.shape[0], W_hh.shape[0], kink_distance, basin_radius, RADIUS_TOL)


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
# the cells with the vanilla recurrence, one (H, H) W_hh with a spectral radius (the linear students' single block
# has no map: their networks have no b_h and no nonlinearity)
VANILLA_MAPS = tuple(name for name in MAPS if rp.CELLS[name].blocks == rp.VANILLA_BLOCKS)
# their map by the record's activation option (the LSTM's nonlinearities are its gates'); relu and elu: none yet
ACTIVATION_MAPS = {"tanh": rnn_map, "modrelu": modrelu_map}


def map_of(run: dict) -> Callable[[dict[str, np.ndarray], int], Map]:
    """The map under a constant input of a run record's network (load_snapshots has checked that there is one)."""
    cell = rp.cell_of(run)
    return ACTIVATION_MAPS[rp.full_config(run["config"])["activation"]] if cell in VANILLA_MAPS else MAPS[cell]


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
    converge, or x* is not stable, or the distance to it does not fall from each part of the window to the next; on a
    piecewise-affine map, or the last state lies outside x*'s basin_radius)."""
    point = newton(m, trajectory[-1], max_iter, tol)
    if point is None:
        return None
    radius = float(np.max(np.abs(np.linalg.eigvals(jacobian(m, point)))))
    if not radius < 1.0 - m.radius_tol:  # a neutral point (radius 1) is circled, not approached
        return None
    distance = np.linalg.norm(trajectory - point, axis=1)
    if m.basin_radius is not None:  # piecewise affine: approached only from inside the ball f provably takes to x*
        return ({"point": point, "radius": radius, "distance": float(distance[-1])}
                if distance[-1] < m.basin_radius(point) else None)
    peaks = [float(np.max(part)) for part in np.array_split(distance, segments)]
    if not (all(a > b for a, b in itertools.pairwise(peaks)) or peaks[0] <= tol):
        return None
    return {"point": point, "radius": radius, "distance": float(distance[-1])}


# piecewise_verdict's verdicts, in the order reported, and the kind of fixed point each finds
VERDICTS = ("converges", "stable", "neutral", "unstable", "non-smooth", "none")
POINT_KINDS = ("stable", "neutral", "unstable", "non-smooth")


def piecewise_verdict(m: Map, trajectory: np.ndarray, kind: str, settled: dict | None,
                      kink_tol: float = KINK_TOL) -> tuple[str, np.ndarray | None]:
    """(verdict, point) for one trajectory's window (W + 1, n) of a piecewise-affine map (m.kink_distance and
    m.basin_radius set), by the rules of the module docstring. The point x* is the fixed point settle() found (settled),
    or the one Newton's method finds from the window's last state (for a window that no longer moves, its last state
    where Newton cannot polish it); it is judged by the spectral radius rho of the Jacobian there:
      converges   rho < 1 - radius_tol and the window ends inside x*'s basin_radius: it converges to x*;
      stable      rho < 1 - radius_tol, but the window ends outside that ball: a stable fixed point of the map, which
                  the window is not shown to approach;
      neutral     |rho - 1| <= radius_tol: nearby states neither approach it nor leave it;
      unstable    rho > 1 + radius_tol (never with an orthogonal W_hh: ||D W_hh||_2 <= 1);
      non-smooth  x*'s pre-activation lies within kink_tol of a kink or jump, where f has no Jacobian;
      none        Newton finds no fixed point (point None)."""
    if settled is not None:
        point = settled["point"]
    else:
        point = newton(m, trajectory[-1])
        if point is None and kind == "fixed":
            point = trajectory[-1]  # moves by less than TOL a step: at a fixed point Newton cannot polish
        if point is None:
            return "none", None
    if not m.kink_distance(point[None])[0] > kink_tol:
        return "non-smooth", point
    radius = settled["radius"] if settled is not None else float(np.max(np.abs(np.linalg.eigvals(jacobian(m, point)))))
    if radius < 1.0 - m.radius_tol:
        inside = np.linalg.norm(trajectory[-1] - point) < m.basin_radius(point)
        return ("converges" if inside else "stable"), point
    return ("neutral" if radius <= 1.0 + m.radius_tol else "unstable"), point


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


def wide_starts(dim: int, n: int = WIDE_STARTS, std: float = WIDE_STD, seed: int = STARTS_SEED) -> np.ndarray:
    """Seed 004's starts for its bifurcation diagrams: n initial states N(0, std^2 I), one fixed draw."""
    return std * np.random.default_rng(seed).standard_normal((n, dim))


# ----------------------------------------------------------------------------------------------------------------
# one snapshot


def _rounded_unique(values: np.ndarray) -> list[float]:
    return sorted({round(float(v), ROUND) + 0.0 for v in values})


def _settled_windows(m: Map, x0: np.ndarray, burn_in: int, window: int) -> tuple[np.ndarray, np.ndarray, list, list]:
    """(states, lyapunov, kinds, settled) of the windows from x0 (B, n): iterate, classify, and settle() every window
    that is not already at a fixed point, whose kind then becomes 'fixed' where Newton settles it."""
    states, lyapunov = iterate(m, x0, burn_in, window)
    kinds = classify(states, lyapunov)
    settled = [None if kind == "fixed" else settle(m, states[:, b]) for b, (kind, _) in enumerate(kinds)]
    kinds = [("fixed", None) if s is not None else k for k, s in zip(kinds, settled, strict=True)]
    return states, lyapunov, kinds, settled


def _verdicts(m: Map, states: np.ndarray, kinds: list, settled: list) -> list[tuple[str, np.ndarray | None]]:
    return [piecewise_verdict(m, states[:, b], kind, s) for b, ((kind, _), s) in enumerate(zip(kinds, settled,
                                                                                              strict=True))]


def _count(labels: list[str], order: tuple[str, ...]) -> dict[str, int]:
    return {k: n for k in order if (n := sum(label == k for label in labels))}


def analyse_map(m: Map, n_starts: int = N_STARTS, burn_in: int = BURN_IN, window: int = WINDOW) -> dict:
    """The attractor reached from 0 and the fixed points reached from n_starts random states, for one map.

    Returns {kind, period, lyapunov, newton, visited, steps, fixed_points, n_fixed_points, random_starts,
    newton_starts, state}: the first six for the trajectory from 0 (newton: None, or {radius, distance} of settle()
    where the fixed point was reached slowly and settled by Newton's method; visited and steps: the distinct values,
    to ROUND decimals, of the mean state and of its first difference over the window), fixed_points the mean state of
    each distinct stable fixed point (one with a negative Lyapunov exponent, or settled by Newton) reached from any
    start (0 included), random_starts the count of each kind over the random starts, newton_starts how many of their
    fixed points were settled by Newton, state the last state from 0 (a list; the caller measures how far it moves
    between snapshots and drops it).

    A piecewise-affine map (modReLU) judges every start by piecewise_verdict instead, so that its fixed_points and
    n_fixed_points are the distinct stable fixed points that some window converges to (verdict 'converges'); it also
    runs seed 004's own starts (wide_starts) and adds {fixed_point, verdicts, wide_starts, wide_verdicts,
    n_distinct, n_continuum, stable_points}: the verdict from 0, the count of each verdict over the random starts,
    the kinds and verdicts of the wide starts, the distinct fixed points of each kind of POINT_KINDS found from all
    the starts together (stable: reached or not), how many of the distinct neutral ones lie on a continuum of fixed
    points, and the spectral radius, basin_radius, dead units and distance to the nearest window's last state of each
    distinct stable one."""
    x0 = np.vstack([np.zeros((1, m.dim)), random_starts(n_starts, m.dim)])
    states, lyapunov, kinds, settled = _settled_windows(m, x0, burn_in, window)
    mean = states[:, 0, :m.n_hidden].mean(axis=1)
    piecewise = {}
    if m.kink_distance is None:
        # stable fixed points only: a start that sits exactly on an unstable one (0, for a map without drive) stays
        # there, but its tangent vector grows (lambda >= 0); a slow approach counts at the point Newton found
        fixed = np.array([s["point"] if s is not None else states[-1, b]
                          for b, ((kind, _), s) in enumerate(zip(kinds, settled, strict=True))
                          if s is not None or (kind == "fixed" and lyapunov[b] < 0)]).reshape(-1, m.dim)
    else:
        # a piecewise-affine map: the Lyapunov exponent of a start sitting on a neutral point is 0 up to rounding, of
        # either sign, so the spectral radius at the point decides (piecewise_verdict), for every start
        verdicts = _verdicts(m, states, kinds, settled)
        wide = _settled_windows(m, wide_starts(m.dim), burn_in, window)
        wide_verdicts = _verdicts(m, wide[0], wide[2], wide[3])
        everything = verdicts + wide_verdicts
        fixed = np.array([p for w, p in everything if w == "converges"]).reshape(-1, m.dim)
        found = {k: distinct(np.array([p for w, p in everything if w == k or (k, w) == ("stable", "converges")]
                                      ).reshape(-1, m.dim)) for k in POINT_KINDS}
        piecewise = {
            "fixed_point": verdicts[0][0],
            "verdicts": _count([w for w, _ in verdicts[1:]], VERDICTS),
            "wide_starts": _count([k for k, _ in wide[2]], KINDS),
            "wide_verdicts": _count([w for w, _ in wide_verdicts], VERDICTS),
            "n_distinct": {k: len(found[k]) for k in POINT_KINDS},
            # neutral points with an eigenvalue 1 of the Jacobian: each lies on a segment of fixed points (the map is
            # affine around it), so their distinct count counts samples of a continuum, not isolated points
            "n_continuum": sum(bool(np.min(np.abs(np.linalg.eigvals(jacobian(m, p)) - 1.0)) <= m.radius_tol)
                               for p in found["neutral"]),
            # every distinct stable one: how stable, how large the ball it provably attracts, how many units are dead
            # there, and how close the nearest window's last state comes to it
            "stable_points": [{"radius": float(np.max(np.abs(np.linalg.eigvals(jacobian(m, p))))),
                               "basin": m.basin_radius(p), "dead": int(np.sum(m.step(p[None])[0] == 0.0)),
                               "nearest": float(np.min(np.linalg.norm(np.vstack([states[-1], wide[0][-1]]) - p,
                                                                      axis=1)))}
                              for p in found["stable"]],
        }
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
        **piecewise,
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
        if cell not in MAPS or (cell in VANILLA_MAPS and activation not in ACTIVATION_MAPS):
            raise files.FileError(f"{path}: run {i} ({run['task']}, {run['init']}) is a {cell} cell with {activation} "
                                  f"units; this script reads the {join_words(list(MAPS))} cells (the "
                                  f"{join_words(list(VANILLA_MAPS))} cells with {' or '.join(ACTIVATION_MAPS)} "
                                  "units)")
    return doc


def analyse_run(run: dict, n_starts: int = N_STARTS) -> dict:
    """Every snapshot x every input channel of one run record."""
    channels = []
    n_in = len(run["snapshots"][0]["params"]["W_ih"][0])
    make_map = map_of(run)
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
    activation = rp.full_config(run["config"])["activation"]
    # modReLU: how many units have b_i > 0 (a jump at a_i = 0), which a finite cloud of two or more fixed points needs
    modrelu = {"bias_positive": [int(np.sum(np.array(s["params"]["b_h"]) > 0)) for s in run["snapshots"]]
               } if activation == "modrelu" else {}
    return {"task": run["task"], "init": run["init"], "cell": rp.cell_of(run), "activation": activation,
            "sequence_len": run["sequence_len"], "n_hidden": rp.full_config(run["config"])["n_hidden"],
            "seed": run["seed"], "final_metric": run["final_metric"], "solved_epoch": run["solved_epoch"],
            "metric_name": run["metric_name"], "solved": rp.is_success(run),
            "snapshot_every": rp.full_config(run["config"])["snapshot_every"],
            "epochs": [s["epoch"] for s in run["snapshots"]], "radius": radius, **modrelu, "channels": channels}


def compute(docs: list[tuple[str, dict]]) -> dict:
    """attractors.json from (path, results document) pairs: every run of every file, in order."""
    return {
        "schema_version": SCHEMA_VERSION,
        "sources": [path for path, _ in docs],
        "environment": rp.environment(),  # eigenvalues and Newton steps round by the BLAS kernel
        "settings": {"burn_in": BURN_IN, "window": WINDOW, "tol": TOL, "max_period": MAX_PERIOD,
                     "lyapunov_tol": LYAPUNOV_TOL, "n_starts": N_STARTS, "starts_seed": STARTS_SEED,
                     "dedup_tol": DEDUP_TOL, "newton_max_iter": NEWTON_MAX_ITER, "newton_tol": NEWTON_TOL,
                     "falling_segments": FALLING_SEGMENTS, "kink_tol": KINK_TOL, "radius_tol": RADIUS_TOL,
                     "wide_starts": WIDE_STARTS, "wide_std": WIDE_STD},
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
    """'ortho', 'random' for the default (vanilla) cell, or 'lstm ortho', 'ornn ortho' for another cell, followed by
    the activation where it is not tanh ('ornn henaff modrelu')."""
    cell = run.get("cell", rp.DEFAULTS["cell"])
    name = run["init"] if cell == rp.DEFAULTS["cell"] else f"{cell} {run['init']}"
    activation = run.get("activation", "tanh")  # files from before the option: tanh
    return name if activation == "tanh" else f"{name} {activation}"


def arm_cell(name: str) -> rp.Cell:
    """The cell of an arm named by arm()."""
    first = name.split(" ")[0]
    return rp.get_cell(first if first in rp.CELLS else rp.DEFAULTS["cell"])


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


def is_piecewise(run: dict) -> bool:
    """Whether an analysed run's rows carry piecewise_verdict's counts (a modReLU map)."""
    return "n_distinct" in run["channels"][0]["snapshots"][0]


def _n_starts(s: dict) -> int:
    return 1 + sum(s["random_starts"].values()) + sum(s["wide_starts"].values())


def _moving(s: dict) -> int:
    """The starts of one row (h_0 = 0, the random and the wide ones) whose window is not at a fixed point."""
    return ((s["kind"] != "fixed") + sum(n for k, n in s["random_starts"].items() if k != "fixed")
            + sum(n for k, n in s["wide_starts"].items() if k != "fixed"))


def piecewise_summary(run: dict) -> dict:
    """The numbers the README reports for one analysed run of a piecewise-affine (modReLU) map: per input at the last
    snapshot (`last`: the distinct stable and neutral fixed points found, the stable ones reached, the starts and how
    many of them keep moving) and over all snapshots."""
    channels = run["channels"]
    rows = [s for c in channels for s in c["snapshots"]]
    last = [c["snapshots"][-1] for c in channels]
    last_points = [p for s in last for p in s["stable_points"]]
    return {
        "epoch": run["epochs"][-1],
        "last": [{"channel": c["channel"], "stable": s["n_distinct"]["stable"], "neutral": s["n_distinct"]["neutral"],
                  "continuum": s["n_continuum"], "reached": s["n_fixed_points"], "starts": _n_starts(s),
                  "moving": _moving(s)} for c, s in zip(channels, last, strict=True)],
        "last_radius": max((p["radius"] for p in last_points), default=None),
        "last_basin": max((p["basin"] for p in last_points), default=None),
        "last_nearest": min((p["nearest"] for p in last_points), default=None),
        "n_pairs": len(rows),
        "pairs_with_stable": sum(s["n_distinct"]["stable"] > 0 for s in rows),
        "most_stable": max(s["n_distinct"]["stable"] for s in rows),
        "most_reached": max(s["n_fixed_points"] for s in rows),
        "starts": sum(_n_starts(s) for s in rows),
        "moving": sum(_moving(s) for s in rows),
        # consecutive snapshots of one input where Newton finds a stable fixed point at the first and none at the next
        "vanish": sum(a["n_distinct"]["stable"] > 0 and b["n_distinct"]["stable"] == 0
                      for c in channels for a, b in itertools.pairwise(c["snapshots"])),
        "pairs_before": sum(a["n_distinct"]["stable"] > 0 for c in channels for a in c["snapshots"][:-1]),
        "bias_positive": run["bias_positive"][-1],
        "n_hidden": run["n_hidden"],
    }


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


def _tanh_ornn_text(runs: list[dict]) -> str:
    """What the tanh oRNN runs hold at their last snapshots, from the file: 'exactly 1 stable fixed point per input,
    reached from every start' where that is what the rows say."""
    last = [c["snapshots"][-1] for r in runs for c in r["channels"]]
    counts = sorted({s["n_fixed_points"] for s in last})
    every = all(s["kind"] == "fixed" and s["random_starts"] == {"fixed": sum(s["random_starts"].values())}
                for s in last)
    text = (f"exactly {counts[0]} stable fixed point{'s' if counts[0] != 1 else ''} per input" if len(counts) == 1
            else f"{counts[0]}-{counts[-1]} stable fixed points per input")
    return text + (", which every start reaches" if every else "")


def _piecewise_text(run: dict, st: dict, held: list[tuple[str, str, dict]], tanh_runs: list[dict]) -> tuple[str, str]:
    """The expRNN paragraph (a modReLU run against the tanh oRNN and seed 004's cloud) and its per-input table at the
    last snapshot, every number from the analysed run."""
    p = piecewise_summary(run)
    name = arm(run)
    last = p["last"]
    n_in = len(last)
    starts = sorted({row["starts"] for row in last})
    all_moving = all(row["moving"] == row["starts"] for row in last)
    solved = (f"solved at epoch {run['solved_epoch']}" if run["solved"] else
              "not solved" if run["solved_epoch"] is None else f"solved at epoch {run['solved_epoch']}, then fell back")
    start = ("Henaff et al.'s start, modReLU units and W_hh held orthogonal, the expRNN that seed 004 trains as its "
             "oRNN" if run["init"] == "henaff" else f"the {run['init']} start, modReLU units and W_hh held orthogonal")
    text = (f"**{name}** on {run['task']} (T = {run['sequence_len']}, {solved}): {start}. Its map under a constant "
            "input is piecewise affine: near any state x away from modReLU's kinks and jumps, f(h) = f(x) + D W_hh "
            "(h - x) with D the active units, so ||D W_hh|| <= 1 and no fixed point off them is unstable; one with "
            "every unit active is neutral (spectral radius 1), a stable one needs dead units (b_i < 0, |a_i| < -b_i); with every b_i <= 0 "
            "the map is nonexpansive and its fixed points form one convex set, so two or more isolated fixed points "
            f"need some b_i > 0 ({p['bias_positive']} of its {p['n_hidden']} units at epoch {p['epoch']}). ")
    text += (f"At epoch {p['epoch']}, of the {'/'.join(map(str, starts))} starts per input (h_0 = 0, "
             f"{st['n_starts']} uniform in [-1, 1]^H and seed 004's {st['wide_starts']} N(0, {st['wide_std']:g}^2)), "
             + ("every one keeps moving under every input" if all_moving else
                ", ".join(f"{row['moving']}" for row in last) + f" keep moving under inputs 0-{n_in - 1}")
             + f"; over all {p['n_pairs']} (input, snapshot) pairs, {p['moving']} of the {p['starts']} windows keep "
             "moving. Newton's method from the windows' last states finds the fixed points in the table below")
    if p["last_radius"] is not None:
        text += (f"; the stable ones have spectral radius up to 1 - {1 - p['last_radius']:.2g} and provably attract a "
                 f"ball of radius up to {p['last_basin']:.2g} around them, while the nearest window ends "
                 f"{p['last_nearest']:.3g} away")
    text += (f". Over training Newton finds a stable fixed point in {p['pairs_with_stable']} of the {p['n_pairs']} "
             f"pairs, at most {p['most_stable']} for one input, and "
             + ("no window converges to one" if p["most_reached"] == 0 else
                f"windows converge to up to {p['most_reached']} distinct ones for one input")
             + (f"; of the {p['pairs_before']} pairs with one before the last snapshot, {p['vanish']} have none found "
                "at the next by this search, and a point that Newton's method from these windows misses is not a "
                "point gone, so these counts can neither confirm nor contradict seed 004's report that theirs never "
                "disappear" if p["pairs_before"] else "") + ".")
    most_last = max(row["stable"] for row in last)
    reached_last = max(row["reached"] for row in last)
    tanh = (f", where the tanh oRNN ({join_words(list(dict.fromkeys(n for _, n, _ in held)))}) has "
            f"{_tanh_ornn_text(tanh_runs)}" if tanh_runs else "")
    if reached_last >= 2:
        text += (f" So, like seed 004's oRNN, it holds a cloud of fixed points its states settle on: up to "
                 f"{reached_last} per input at epoch {p['epoch']}{tanh}.")
    else:
        held_text = (f"Newton finds at most {most_last} stable fixed point{'s' if most_last != 1 else ''} of its map "
                     f"per input at epoch {p['epoch']}, " + ("which no window reaches" if reached_last == 0 else
                                                             f"of which windows reach at most {reached_last}"))
        text += (" So it does not hold seed 004's cloud of fixed points: "
                 + ("its states keep moving under every constant input instead of settling, and "
                    if all_moving else "") + held_text + tanh + ".")
    table = markdown_table(
        ["input", "stable fixed points found", "neutral fixed points found", "of them on a continuum",
         "stable ones reached", "starts that keep moving"],
        [[row["channel"], row["stable"], row["neutral"], row["continuum"], row["reached"],
          f"{row['moving']}/{row['starts']}"] for row in last])
    return text, f"{name} at epoch {p['epoch']}, per constant input:\n\n{table}"



def cloud_beside(doc: dict) -> list[str] | None:
    """Seed 004's cloud of fixed points beside ours, a row of report.published_verdicts ([published finding, theirs,
    ours, verdict, what differs]): the expRNN run (Henaff's start, modReLU units, W_hh held orthogonal) at its last
    snapshot. Their evidence is a diagram of the states visited after a burn-in, from many starts; states that keep
    moving fill such a diagram as fixed points would, so the row reads the two apart: the cloud of states, and fixed
    points the states settle on (two or more distinct ones reached for some input, the rule of _piecewise_text).
    None when the file holds no such run."""
    runs = [r for r in doc["runs"] if is_piecewise(r) and r["init"] == "henaff" and arm_cell(arm(r)).orthogonal]
    if not runs:
        return None
    run, st = runs[0], doc["settings"]
    p = piecewise_summary(run)
    reached = max(row["reached"] for row in p["last"])
    found = max(row["stable"] for row in p["last"])
    moving = sum(row["moving"] for row in p["last"])
    starts = sum(row["starts"] for row in p["last"])
    settle = ("no start settles on a stable fixed point under any constant input" if reached == 0 else
              f"the starts settle on at most {reached} distinct stable fixed point{'s' if reached != 1 else ''} per "
              "constant input")
    ours = (f"at epoch {p['epoch']}: {settle} ({moving} of {starts} starts still moving after a burn-in of "
            f"{st['burn_in']} steps and a window of {st['window']}); Newton's method finds at most {found} stable "
            "fixed points per input, which no window reaches" if reached == 0 else
            f"at epoch {p['epoch']}: {settle}; Newton's method finds at most {found} per input")
    if reached >= 2:
        verdict = "reproduced: its starts settle on several fixed points for some input"
    elif moving:
        verdict = ("partly: a cloud of states that keep moving, which a diagram of the states after a burn-in "
                   "could also show as a cloud (not tested); fixed points the states settle on, " + ("none" if reached == 0 else "at most one per input")
                   + " in this run")
    else:
        verdict = "not reproduced: " + ("no start settles on a fixed point" if reached == 0 else
                                        "its starts settle on at most one fixed point per input")
    claim = ("Ribeiro et al. 2020: their orthogonal RNN (expRNN) solves temporal order with a cloud of fixed points "
             "that move during training without bifurcating or disappearing")
    differs = (f"one run (temporal_order, T = {run['sequence_len']}, {run['n_hidden']} units), its last snapshot, "
               "where their diagram is of sequences of length 100 and 200 units; whether points disappear during "
               "training is not tested (docs/analyses.md)")
    return [claim, "a cloud of fixed points (their diagrams of the states after a burn-in)", ours, verdict, differs]

def _starts_text(st: dict, piecewise: bool) -> str:
    """'65 starts (h_0 = 0 and 64 random)', with seed 004's wide starts on a modReLU map."""
    wide = st["wide_starts"] if piecewise else 0
    return (f"{1 + st['n_starts'] + wide} starts (h_0 = 0, {st['n_starts']} random"
            + (f" and {wide} N(0, {st['wide_std']:g}^2))" if wide else ")"))


def radius_onsets(doc: dict) -> list[dict]:
    """Per vanilla tanh run whose W_hh is free (not held orthogonal): its first orbit's epoch, W_hh's spectral radius
    there, the first epoch at which that radius exceeds 1, and at how many snapshots it does."""
    out = []
    for run in doc["runs"]:
        if (run["cell"] not in VANILLA_MAPS or arm_cell(arm(run)).orthogonal or run.get("activation", "tanh") != "tanh"
                or run["radius"][0] is None):
            continue
        onsets = [e for e in (first_orbit(c) for c in run["channels"]) if e is not None]
        onset = min(onsets) if onsets else None
        # above 1 beyond rounding: an orthogonal start's radius is 1 to about 1e-15
        above = [e for e, r in zip(run["epochs"], run["radius"], strict=True) if r > 1 + RADIUS_TOL]
        out.append({"task": run["task"], "arm": arm(run), "onset": onset,
                    "radius_at_onset": run["radius"][run["epochs"].index(onset)] if onset is not None else None,
                    "first_above": above[0] if above else None, "n_above": len(above),
                    "n_snapshots": len(run["epochs"])})
    return out


def _radius_onset_text(doc: dict) -> str:
    """What W_hh's spectral radius at the first orbit shows and does not: an observation over the runs, with the runs
    where a radius above 1 came long before an orbit or without one."""
    rows = radius_onsets(doc)
    orbiting = [r for r in rows if r["onset"] is not None]
    if not orbiting:
        return ""
    above = [r for r in orbiting if r["radius_at_onset"] > 1 + RADIUS_TOL]
    text = (f" In {'every one' if len(above) == len(orbiting) else len(above)} of the {len(orbiting)} vanilla runs "
            "whose state from h_0 = 0 reaches an orbit, W_hh's spectral radius is above 1 at the first orbit's snapshot. That is "
            "what these runs show, not a rule: a fixed point h* loses its stability when an eigenvalue of the Jacobian "
            "there, diag(1 - h*^2) W_hh, crosses the unit circle, and W_hh's own radius is neither an upper nor a lower "
            "bound on that Jacobian's")
    early = [f"on {r['task']} the {r['arm']} arm's radius is above 1 from epoch {r['first_above']}, its first orbit "
             f"at epoch {r['onset']}" for r in orbiting if r["first_above"] is not None and r["first_above"] < r["onset"]]
    never = [f"the {r['arm']} arm's on {r['task']} is above 1 at {r['n_above']} of its {r['n_snapshots']} snapshots "
             "without an orbit" for r in rows if r["onset"] is None and r["n_above"]]
    if early or never:
        text += "; nor is a radius above 1 enough here: " + "; ".join(early + never)
    return text + "."


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
         "fixed points from h_0 = 0 settled by Newton", "most distinct stable fixed points reached",
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
        text += (f". No snapshot has more than {most} distinct stable fixed point{'s' if most != 1 else ''} reached "
                 f"from its {_starts_text(st, any(is_piecewise(r) for r, _ in mine))} for an input, and in {agree} of "
                 f"{total} (input, snapshot) pairs every random start ends in the same kind of attractor as h_0 = 0.")
        sentences.append(text)
    ortho = [s for (_, name), s in summaries.items() if name == "ortho"]
    cloud = any(s["max_fixed_points"] > 1 for s in ortho)
    bifurcates = any(s["onsets"] for s in ortho)
    claim = ("Ribeiro et al. 2020 (seed 004) find that an orthogonal RNN keeps a cloud of fixed points that move "
             "without bifurcating. "
             + ("Our orthogonally initialised RNN " + ("reaches several fixed points" if cloud
                                                        else "never reaches more than one stable fixed point per input "
                                                             "from its starts")
                + (" and does bifurcate: its fixed point gives way to an orbit on which the state keeps moving under "
                   "constant input, one that Newton's method finds no stable fixed point for"
                   if bifurcates else " and does not bifurcate")
                + ". Theirs is constrained to stay orthogonal, so every eigenvalue of W_hh stays on the unit "
                  "circle; ours is only started there, and training moves W_hh's spectral radius to "
                + ", ".join(f"{s['radius'][1]:.2f} on {task}" for (task, name), s in summaries.items()
                            if name == "ortho") + "." if ortho else "")
             + _radius_onset_text(doc))
    tanh = {(r["task"], arm(r)) for r in doc["runs"] if r.get("activation", "tanh") == "tanh"}
    held = [(task, name, s) for (task, name), s in summaries.items()  # the tanh oRNN
            if arm_cell(name).orthogonal and (task, name) in tanh]
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
                  + ". With tanh units and an orthogonal W_hh the map h -> tanh(W_hh h + u) is contractive in "
                  "Edelstein's sense, ||f(h) - f(g)|| < ||h - g|| for h != g (tanh' < 1 away from 0 and W_hh keeps "
                  "lengths), so on the cube [-1, 1]^H it has exactly one fixed point per constant input and every "
                  "trajectory converges to it (Edelstein 1962): no orbits and no cloud. It is not a contraction with a "
                  "constant below 1: its Jacobian diag(1 - f(h)^2) W_hh has norm 1 wherever a unit's pre-activation "
                  "is 0, so the approach can be arbitrarily slow. Seed 004's oRNN uses modReLU units, which shift "
                  "|a| by a learnt b instead of squashing it, so its map is not contractive in that sense and the "
                  "theorem does not bound its fixed points. Ours "
                  f"reaches at most {most} stable fixed point{'s' if most != 1 else ''} for an input from its starts; "
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
                  "theorem requires, against seed 004's cloud. Their diagrams plot where their starts end after a "
                  "fixed number of steps, without Newton's method; with the Jacobian's spectral radius this close to "
                  "1 at the fixed point, such end states stay spread around it, so the difference may lie in how the "
                  "points are found as much as in the network (not tested here).")
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
                  + f", never reaches more than {most} stable fixed point{'s' if most != 1 else ''} for an input from "
                  f"its starts, and ends with " + "; ".join(_kinds_text(s["kinds_last"]) for _, _, s in gated)
                  + " attractors")
        multi = sum(s["multistable_last"] for _, _, s in gated)
        n_inputs = sum(s["n_channels"] for _, _, s in gated)
        claim += (f", {multi} of its {n_inputs} inputs with more than one stable fixed point reached at the end"
                  if multi else "") + "."
        if changes and multi:
            claim += (" So, like theirs, our LSTM's attractors change kind as it trains and its starts come to reach "
                      "more than one stable fixed point, where the vanilla RNN's starts never reach more than one (a "
                      "count of what the starts reach can also grow as a basin grows, without a new fixed point)."
                      ) if not cloud else ""
    pieces = [r for r in doc["runs"] if is_piecewise(r)]
    for run in (r for r in pieces if arm_cell(arm(r)).orthogonal):  # the paragraph's claims need an orthogonal W_hh
        paragraph, per_input = _piecewise_text(run, doc["settings"], held, [
            r for r in doc["runs"] if (r["task"], arm(r)) in {(t, n) for t, n, _ in held}])
        claim += "\n\n" + paragraph + "\n\n" + per_input
    settings = (f"Settings: burn-in {st['burn_in']} steps, window {st['window']}, tolerance {st['tol']:g} per "
                f"coordinate, periods up to {st['max_period']}, |Lyapunov exponent| <= {st['lyapunov_tol']:g} "
                f"counted as neither contracting nor expanding, {st['n_starts']} random starts, fixed points merged "
                f"within {st['dedup_tol']:g}; a state that is not at a fixed point is settled by Newton's method (at "
                f"most {st['newton_max_iter']} steps, to {st['newton_tol']:g} per coordinate) when the fixed point it "
                f"finds is stable and the state's distance to it falls across {st['falling_segments']} parts of the "
                f"window; fixed-point counts are of the distinct stable fixed points the starts reach (on modReLU "
                f"maps also of those Newton's method finds), lower bounds on the map's own: a fixed point whose basin "
                f"no start falls in, or that Newton's method misses, is not counted; snapshots every "
                + " and ".join(f"{k} epochs ({', '.join(_arms_with(doc, k))})"
                               for k in dict.fromkeys(r["snapshot_every"] for r in doc["runs"])) + "."
                + (f" modReLU maps: a fixed point within {st['kink_tol']:g} of a kink or jump has no Jacobian to judge "
                   f"it by; spectral radii within {st['radius_tol']:g} of 1 count as 1 (neutral); seed 004's "
                   f"{st['wide_starts']} starts N(0, {st['wide_std']:g}^2) beside the random ones; a window converges "
                   "to a stable fixed point only when it ends inside the ball around it that the map provably takes to "
                   "it (no unit changes piece there)."
                   if pieces else ""))
    return "\n".join(f"- {t}" for t in sentences) + "\n\n" + claim + "\n\n" + table + "\n\n" + settings


# ----------------------------------------------------------------------------------------------------------------
# command line



ANALYSIS = Analysis(PROG, __doc__, (
    Command("run", "classify the attractors of every snapshot -> a JSON results file",
            "Read results files with parameter snapshots (rnn_pathological.py --snapshot-every), classify the "
            "attractor of every snapshot under every constant input and count its fixed points (about a minute for "
            "the six vanilla headline runs, a few more for the LSTM run on a busy machine, about one more for the "
            "expRNN run), write the results atomically.",
            (Option("--snapshots", nargs="+", default=list(SNAPSHOT_FILES), metavar="FILE",
                    help="results files with snapshots (default: %(default)s)"),
             Option("--out", default="results/attractors.json", help="results file (default: %(default)s)")),
            make=lambda args, docs: compute(docs),
            read=lambda args: [(path, load_snapshots(path)) for path in args.snapshots]),
    Command("plot", "draw the bifurcation diagrams of a results file -> a PNG",
            "Draw the bifurcation diagrams and the attractor kinds from attractors.json.",
            (Option("--results", default="results/attractors.json", help="results file of run (default: %(default)s)"),
             Option("--out", default=os.path.join("viz", "bifurcation.png"), help="PNG (default: %(default)s)")),
            make=drawer(plot, PROG, (KeyError, IndexError, TypeError)), read=lambda args: load(args.results), dpi=90),
))


# the module's command line, as `python -m rnnpath analyze attractors` runs it
build_parser, main = ANALYSIS.build_parser, rp.script_main(ANALYSIS.main)
