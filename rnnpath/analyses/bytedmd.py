"""What one training step of the vanilla RNN (or an LSTM, a GRU or an LRU) costs in data movement: ByteDMD of forward
and BPTT, traced exactly.

    python -m rnnpath analyze bytedmd run --out bytedmd.json     # trace the grids below, cost them -> bytedmd.json
    python -m rnnpath analyze bytedmd plot                       # bytedmd.json -> viz/bytedmd.png
    python -m rnnpath analyze bytedmd run --quick --out q.json   # a tiny grid in a second (a smoke test)

Seed 000 (open question 5) asks what long-range memory costs in this architecture when an algorithm is measured by
the data it moves rather than the arithmetic it does. The measure is ByteDMD, the metric of the Sutro group; seed 000
only names it, and the definition used here is the one in the README of its reference implementation
(github.com/cybertronai/ByteDMD), restated as follows.

An idealised processor keeps every value on one infinite LRU stack of bytes. The arguments of the computation are
placed on the stack for free, in the order given, so the last argument ends on top. Each instruction then

  1. prices its inputs: a byte at depth d (d = 1 is the top) costs sqrt(d), every depth taken from the stack as it
     stands before the instruction (reading b and then c prices c as if b had not moved yet);
  2. moves its inputs to the top in the order it read them, a multi-byte value as one contiguous block (so the last
     input read ends on top);
  3. pushes its result on top, for free.

Nothing is ever freed: a dead temporary sinks, and everything pushed after it lies above it. The worked example of
that README: with four one-byte arguments a, b, c, d (d on top, a at depth 4), b + c costs sqrt(3) + sqrt(2), and
leaves the stack, bottom to top, as a, d, b, c, result. An instruction lists each input once (x * x reads x once);
a constant written into the program (the 1 in 1 - h^2) is part of the instruction, not a read.

The tracer below runs one training step (batch 1, the output and loss at the last step) as scalar operations in the
order the algorithm performs them, and records which values each operation reads; the cost function replays that
record on the stack. Depths come from a Fenwick tree over access times: a value's depth is the number of bytes
touched since its own last touch, a suffix sum over time stamps, so each access costs O(log n) instead of the
O(n) scan of a list (the list version is kept as the reference the tests compare with). The control flow of the
step does not depend on the numbers, so the cost depends only on the sizes (T, H, inputs, outputs), the loop order
and the width of a value in bytes (8 for float64, 4 for float32).

What is measured: ByteDMD against T and H (power-law exponents fitted on the grids), the forward pass against the
backward pass, float64 against float32, full BPTT against BPTT truncated to the last k steps, and which values the
cost is spent reading (parameters, inputs, values the forward pass made, values the backward pass made); and the
LSTM (the engine's cell="lstm": gate order i, f, g, o, one bias vector), the GRU (cell="gru": gate order r, z, n, the
reset gate on the recurrent product) and the LRU (cell="lru": N complex diagonal states between tanh position-wise
layers of width M, a complex value two reals) against the tanh cell at the same sizes, the LRU's N in the place of H.
Each traces the engine's equations in the tanh cell's loop order: BPTT step by step, each step's weight gradients
as it goes (the engine's vectorised passes compute the same numbers in another order).

Sections, in dependency order: the cost model (trace, Fenwick stack distances, naive reference), the tracer, cells
(a registry: the tanh RNN, the LSTM, the GRU and the LRU), output layer and loss, one traced training step,
measurements and power-law fits, figure, command line.
"""

from __future__ import annotations

import argparse
import math
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from matplotlib.figure import Figure

import rnn_pathological as rp
from rnnpath import files
from rnnpath.analyses.base import Analysis, AnalysisError, Command, Option
from rnnpath.text import markdown_table

PROG = "rnnpath analyze bytedmd"
SCHEMA_VERSION = 3  # 2: the LSTM's measurements, config["lstm"] and fits["lstm"]; 3: the same for the GRU and LRU

# ----------------------------------------------------------------------------------------------------------------
# the cost model
#
# A trace is the whole computation as data: n_args arguments (values 0 .. n_args - 1, pushed in that order), then
# one instruction after another; instruction k reads the values reads[ends[k-1]:ends[k]] (ends[-1] taken as 0) and
# pushes value n_args + k. Costs are computed from the trace alone, so the same trace is priced at any byte width.

KINDS = ("parameter", "input", "forward", "backward")  # who made a value: the arguments, or one of the two passes
PHASES = ("forward", "backward")  # the pass an instruction belongs to (the loss counts as forward)


@dataclass(frozen=True)
class Trace:
    """A recorded computation. reads: (n_reads,) value ids; ends: (n_instructions,) cumulative read counts;
    value_kind: (n_values,) index into KINDS; phase: (n_instructions,) index into PHASES."""

    n_args: int
    reads: np.ndarray
    ends: np.ndarray
    value_kind: np.ndarray
    phase: np.ndarray

    @property
    def n_instructions(self) -> int:
        return len(self.ends)

    @property
    def n_values(self) -> int:
        return self.n_args + len(self.ends)

    def read_instruction(self) -> np.ndarray:
        """(n_reads,) the instruction each read belongs to."""
        return np.repeat(np.arange(self.n_instructions), np.diff(self.ends, prepend=0))


def _sizes(trace: Trace, nbytes: int | Sequence[int]) -> list[int]:
    if isinstance(nbytes, (int, np.integer)):
        return [int(nbytes)] * trace.n_values
    if len(nbytes) != trace.n_values:
        raise ValueError(f"need one size per value ({trace.n_values}), got {len(nbytes)}")
    return [int(s) for s in nbytes]


def bytes_above(trace: Trace, nbytes: int | Sequence[int] = 1) -> np.ndarray:
    """For every read, the number of bytes above the value read, on the stack as it stands before its instruction:
    the value's own bytes lie at depths above + 1 .. above + size. (n_reads,) int64.

    Fenwick tree over time stamps. Every touch (an argument's placement, a read, a result's push) gets the next
    stamp, and the tree holds at each stamp the size of the value whose latest touch it is (0 once the value has been
    touched again). The stack, top down, is the values in decreasing order of their latest stamp, so the bytes above
    a value are the total on the stack minus the prefix sum up to its stamp: one O(log n) query; a move to the top
    is two O(log n) point updates.
    """
    size = _sizes(trace, nbytes)
    reads, ends, n_args = trace.reads.tolist(), trace.ends.tolist(), trace.n_args
    n = n_args + len(reads) + len(ends)  # one stamp per touch
    tree = [0] * (n + 1)
    last = [0] * trace.n_values  # latest stamp of each value
    for v in range(n_args):  # the arguments, first at the bottom: stamps 1 .. n_args
        last[v] = i = v + 1
        while i <= n:
            tree[i] += size[v]
            i += i & -i
    total = sum(size[:n_args])
    stamp = n_args
    above = [0] * len(reads)
    start = 0
    for k, end in enumerate(ends):
        for r in range(start, end):  # price every input on the stack as it stands: before any of them moves
            i, prefix = last[reads[r]], 0
            while i:
                prefix += tree[i]
                i &= i - 1
            above[r] = total - prefix
        for r in range(start, end):  # then move them to the top in read order
            v = reads[r]
            w, i = size[v], last[v]
            while i <= n:
                tree[i] -= w
                i += i & -i
            stamp += 1
            last[v] = i = stamp
            while i <= n:
                tree[i] += w
                i += i & -i
        v = n_args + k  # push the result
        w = size[v]
        stamp += 1
        last[v] = i = stamp
        while i <= n:
            tree[i] += w
            i += i & -i
        total += w
        start = end
    return np.array(above, dtype=np.int64)


def naive_bytes_above(trace: Trace, nbytes: int | Sequence[int] = 1) -> np.ndarray:
    """The same as bytes_above by literally keeping the stack as a list (bottom first): O(n) per access. The
    reference the Fenwick version is tested against."""
    size = _sizes(trace, nbytes)
    stack = list(range(trace.n_args))
    above = []
    start = 0
    for k, end in enumerate(trace.ends.tolist()):
        inputs = trace.reads[start:end].tolist()
        for v in inputs:
            position = stack.index(v)
            above.append(sum(size[u] for u in stack[position + 1:]))
        for v in inputs:
            stack.remove(v)
            stack.append(v)
        stack.append(trace.n_args + k)
        start = end
    return np.array(above, dtype=np.int64)


def read_costs(above: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """The cost of each read: sum over the value's bytes of sqrt(depth), depths above + 1 .. above + size.
    above, sizes: (n_reads,). Returns (n_reads,) float64."""
    width = int(sizes.max()) if len(sizes) else 0
    j = np.arange(1, width + 1)
    depth = above[:, None] + j
    return np.where(j <= sizes[:, None], np.sqrt(depth), 0.0).sum(axis=1)


def bytedmd(trace: Trace, nbytes: int | Sequence[int] = 1) -> float:
    """ByteDMD of a trace: the sum of sqrt(depth) over every byte every instruction reads."""
    sizes = np.array(_sizes(trace, nbytes), dtype=np.int64)
    return float(read_costs(bytes_above(trace, sizes.tolist()), sizes[trace.reads]).sum())


def uniform_read_costs(trace: Trace, width: int, values_above: np.ndarray | None = None) -> np.ndarray:
    """Per-read costs when every value is `width` bytes wide, from one stack pass in units of values: with equal
    sizes the bytes above a value are exactly width x the values above it, so one pass prices every width."""
    if values_above is None:
        values_above = bytes_above(trace, 1)
    return read_costs(width * values_above, np.full(len(values_above), width))


# ----------------------------------------------------------------------------------------------------------------
# the tracer
#
# Scalar operations that compute with Python floats (float64) and record the ids they read. A value is an int id;
# arrays of values are nested lists of ids (lists, not numpy arrays: element access in the hot loops is cheaper).


class Tracer:
    """Records a computation as a Trace while computing it. Arguments first (arg, args), then operations."""

    def __init__(self) -> None:
        self.values: list[float] = []
        self.kinds: list[int] = []
        self.reads: list[int] = []
        self.ends: list[int] = []
        self.phases: list[int] = []
        self.n_args = 0
        self.phase = 0  # index into PHASES of the instructions recorded now; new values get kind 2 + phase

    def args(self, array: np.ndarray, kind: str) -> list:
        """Place every element of `array` on the stack (row-major order) as an argument; its ids, nested like it."""
        if self.ends:
            raise ValueError("arguments must be placed before the first operation")
        flat = np.asarray(array, dtype=np.float64).ravel().tolist()
        first = len(self.values)
        self.values += flat
        self.kinds += [KINDS.index(kind)] * len(flat)
        self.n_args = len(self.values)
        return np.arange(first, self.n_args).reshape(np.shape(array)).tolist()

    def begin(self, phase: str) -> None:
        self.phase = PHASES.index(phase)

    def _op(self, value: float, a: int, b: int | None = None) -> int:
        self.reads.append(a)
        if b is not None and b != a:  # an input is read once however often the instruction names it
            self.reads.append(b)
        self.ends.append(len(self.reads))
        self.phases.append(self.phase)
        self.values.append(value)
        self.kinds.append(2 + self.phase)
        return len(self.values) - 1

    def add(self, a: int, b: int) -> int:
        return self._op(self.values[a] + self.values[b], a, b)

    def sub(self, a: int, b: int) -> int:
        return self._op(self.values[a] - self.values[b], a, b)

    def mul(self, a: int, b: int) -> int:
        return self._op(self.values[a] * self.values[b], a, b)

    def div(self, a: int, b: int) -> int:
        return self._op(self.values[a] / self.values[b], a, b)

    def maximum(self, a: int, b: int) -> int:
        return self._op(max(self.values[a], self.values[b]), a, b)

    def tanh(self, a: int) -> int:
        return self._op(math.tanh(self.values[a]), a)

    def sigmoid(self, a: int) -> int:
        """1 / (1 + e^-a), one instruction like tanh (both are one elementwise function of one value)."""
        return self._op(_sigmoid(self.values[a]), a)

    def exp(self, a: int) -> int:
        return self._op(math.exp(self.values[a]), a)

    def log(self, a: int) -> int:
        return self._op(math.log(self.values[a]), a)

    def cos(self, a: int) -> int:
        return self._op(math.cos(self.values[a]), a)

    def sin(self, a: int) -> int:
        return self._op(math.sin(self.values[a]), a)

    def scale(self, a: int, c: float) -> int:
        """c * a, c a constant of the program."""
        return self._op(c * self.values[a], a)

    def shift(self, a: int, c: float) -> int:
        """a + c, c a constant of the program."""
        return self._op(self.values[a] + c, a)

    def one_minus(self, a: int) -> int:
        return self._op(1.0 - self.values[a], a)

    def accumulate(self, total: int | None, term: int) -> int:
        """total + term, where total None means nothing summed yet (a sum starts as its first term, not 0 + it)."""
        return term if total is None else self.add(total, term)

    def dot(self, row: list[int], vector: list[int]) -> int | None:
        """sum_j row[j] * vector[j], left to right, one multiply and one add per term; None for an empty row."""
        total = None
        for w, v in zip(row, vector, strict=True):
            total = self.accumulate(total, self.mul(w, v))
        return total

    def value_of(self, ids) -> np.ndarray:
        """The numbers behind nested ids; None (a gradient that nothing reached) reads as 0."""
        return np.array(_map_nested(ids, lambda i: 0.0 if i is None else self.values[i]), dtype=np.float64)

    def finish(self) -> Trace:
        return Trace(self.n_args, np.array(self.reads, dtype=np.int64), np.array(self.ends, dtype=np.int64),
                     np.array(self.kinds, dtype=np.int8), np.array(self.phases, dtype=np.int8))


def _sigmoid(a: float) -> float:
    if a >= 0:
        return 1.0 / (1.0 + math.exp(-a))
    e = math.exp(a)  # no overflow for a very negative a
    return e / (1.0 + e)


def _map_nested(ids, fn: Callable):
    return [_map_nested(i, fn) for i in ids] if isinstance(ids, list) else fn(ids)


# ----------------------------------------------------------------------------------------------------------------
# cells
#
# A cell is a forward and a backward function over the tracer, both with one signature, and the names of its
# parameters; CELLS maps a name to one, as the engine's task table does for tasks. Indices: t = 1 .. T is a step,
# xs[t - 1] its input (n_in ids) and states[t] the state after it; states[0] is None, the zero initial state, which
# the algorithm knows and never multiplies. Loop order is row-major over every weight matrix (W[i][j], j fastest),
# the order its rows are stored in, and a sum accumulates left to right.


@dataclass(frozen=True)
class TracedCell:
    """forward(tr, P, xs) -> states: list of T + 1 (states[0] None); output(states[t]) -> the H ids the output layer
    reads; backward(tr, P, xs, states, dh, first_step) -> gradients of the cell's parameters (nested ids, None where
    nothing reached). dh: dL/d(output of the last step), H ids. BPTT runs from step T down to first_step.
    engine: the engine's name of the same cell (rp.CELLS); blocks: the (H, H) blocks of W_hh (W_hh is blocks H x H;
    0 for a cell without W_hh, the LRU, whose H is its number of complex states N)."""

    params: tuple[str, ...]
    forward: Callable
    backward: Callable
    output: Callable
    engine: str
    blocks: int


def step_weight_gradients(tr: Tracer, da: list, x: list, h_prev: list | None, grads: dict,
                          da_rec: list | None = None) -> None:
    """Accumulate one step's da (one id per row of the pre-activation, None for a row the algorithm knows is 0) into
    grads {"W_ih", "W_hh", "b_h"}: row by row, b_h and the row of W_ih (da x_t^T), then, unless h_{t-1} = h_0 = 0,
    the rows of W_hh (da h_{t-1}^T), the order min-char-rnn uses. da_rec: the rows the recurrent side takes where
    they differ from the input side's (the GRU's new gate); None: da."""
    dW_ih, dW_hh, db_h = grads["W_ih"], grads["W_hh"], grads["b_h"]
    for i, d in enumerate(da):
        if d is None:
            continue
        db_h[i] = tr.accumulate(db_h[i], d)
        row = dW_ih[i]
        for j in range(len(x)):
            row[j] = tr.accumulate(row[j], tr.mul(d, x[j]))
    if h_prev is None:
        return  # step 1: h_0 = 0 adds nothing to dW_hh
    for i, d in enumerate(da if da_rec is None else da_rec):
        if d is None:
            continue
        row = dW_hh[i]
        for j in range(len(h_prev)):
            row[j] = tr.accumulate(row[j], tr.mul(d, h_prev[j]))


def state_gradient(tr: Tracer, W_hh: list, da: list) -> list:
    """dh_{t-1} = W_hh^T da, W_hh read row by row (rows whose da is None skipped)."""
    dh_prev: list = [None] * len(W_hh[0])
    for w_row, d in zip(W_hh, da, strict=True):
        if d is None:
            continue
        for j in range(len(w_row)):
            dh_prev[j] = tr.accumulate(dh_prev[j], tr.mul(w_row[j], d))
    return dh_prev


def empty_gradients(H_rows: int, H: int, n_in: int) -> dict:
    return {"W_ih": [[None] * n_in for _ in range(H_rows)], "W_hh": [[None] * H for _ in range(H_rows)],
            "b_h": [None] * H_rows}


def tanh_forward(tr: Tracer, P: dict, xs: list) -> list:
    """h_t = tanh(W_ih x_t + W_hh h_{t-1} + b_h), per unit i: the input products, the recurrent products, the bias."""
    states: list = [None]
    for x in xs:
        h_prev = states[-1]
        h = []
        for w_in, w_rec, b in zip(P["W_ih"], P["W_hh"], P["b_h"], strict=True):
            a = tr.dot(w_in, x)
            if h_prev is not None:  # h_0 = 0: step 1 has no recurrent products
                a = tr.accumulate(a, tr.dot(w_rec, h_prev))
            h.append(tr.tanh(tr.accumulate(a, b)))
        states.append(h)
    return states


def tanh_backward(tr: Tracer, P: dict, xs: list, states: list, dh: list, first_step: int) -> dict:
    """BPTT through the tanh cell, step T down to first_step. At each step: da = dh * (1 - h^2); then the weight
    gradients accumulate da x_t^T, da h_{t-1}^T and da (the order min-char-rnn uses); then dh_{t-1} = W_hh^T da,
    read row by row. Truncated BPTT stops passing dh back at first_step; the full algorithm has first_step = 1."""
    H, n_in = len(P["b_h"]), len(xs[0])
    grads = empty_gradients(H, H, n_in)
    for t in range(len(xs), first_step - 1, -1):
        h, h_prev = states[t], states[t - 1]
        da = [tr.mul(dh[i], tr.one_minus(tr.mul(h[i], h[i]))) for i in range(H)]  # backprop through tanh
        step_weight_gradients(tr, da, xs[t - 1], h_prev, grads)
        if h_prev is None or t == first_step:
            break  # step 1 has no earlier state; truncated BPTT passes nothing to earlier steps
        dh = state_gradient(tr, P["W_hh"], da)
    return grads


# The LSTM, as the engine's (rp.lstm_forward): gate order i, f, g, o, one bias vector,
#     a_t = W_ih x_t + W_hh h_{t-1} + b_h (4H rows), i, f, o = sigmoid, g = tanh of their quarters,
#     c_t = f * c_{t-1} + i * g, h_t = o * tanh(c_t), h_0 = c_0 = 0.
# A state is a dict of ids: h, c, tc = tanh(c) and the 4H gates after their nonlinearities, all of which BPTT reads
# back. sigmoid and tanh are one instruction each (an elementwise function of one value; the engine's exp, add and
# divide are how numpy computes it, not what the algorithm reads).


def lstm_forward(tr: Tracer, P: dict, xs: list) -> list:
    """Per step: the 4H pre-activations row by row in gate order (input products, recurrent products, bias) each
    followed by its gate's nonlinearity; then per unit j: c = f c_prev + i g (i g alone at step 1, c_0 = 0),
    tanh(c), h = o tanh(c)."""
    H = len(P["W_hh"][0])
    states: list = [None]
    for x in xs:
        prev = states[-1]
        gates = []
        for r, (w_in, w_rec, b) in enumerate(zip(P["W_ih"], P["W_hh"], P["b_h"], strict=True)):
            a = tr.dot(w_in, x)
            if prev is not None:  # h_0 = 0: step 1 has no recurrent products
                a = tr.accumulate(a, tr.dot(w_rec, prev["h"]))
            a = tr.accumulate(a, b)
            gates.append(tr.tanh(a) if 2 * H <= r < 3 * H else tr.sigmoid(a))
        i, f, g, o = (gates[k * H : (k + 1) * H] for k in range(4))
        c, tc, h = [], [], []
        for j in range(H):
            ig = tr.mul(i[j], g[j])
            c.append(ig if prev is None else tr.add(tr.mul(f[j], prev["c"][j]), ig))
            tc.append(tr.tanh(c[j]))
            h.append(tr.mul(o[j], tc[j]))
        states.append({"h": h, "c": c, "tc": tc, "gates": gates})
    return states


def lstm_backward(tr: Tracer, P: dict, xs: list, states: list, dh: list, first_step: int) -> dict:
    """BPTT through the LSTM, step T down to first_step, the engine's equations (rp.lstm_backward):
        dc_t = dh_t o_t (1 - tanh(c_t)^2) + dc_{t+1} f_{t+1}
        da_i = dc_t g_t i_t (1 - i_t),  da_f = dc_t c_{t-1} f_t (1 - f_t),  da_g = dc_t i_t (1 - g_t^2),
        da_o = dh_t tanh(c_t) o_t (1 - o_t);  dh_{t-1} = W_hh^T da_t.
    Per step: per unit j, dc_j and its four da (each factor product read from the stored gates); then the weight
    gradients as the tanh cell's; then dc_t f_t for the step before and dh_{t-1} = W_hh^T da, read row by row. At
    step 1 c_0 = 0, so da_f is a known 0 and is not computed; at step T there is no dc_{t+1}."""
    H, n_in = len(P["W_hh"][0]), len(xs[0])
    grads = empty_gradients(4 * H, H, n_in)
    dc_carry: list | None = None  # dc_{t+1} f_{t+1} per unit; None at step T
    for t in range(len(xs), first_step - 1, -1):
        s, prev = states[t], states[t - 1]
        i, f, g, o = (s["gates"][k * H : (k + 1) * H] for k in range(4))
        tc = s["tc"]
        da: list = [None] * (4 * H)
        dc = []
        for j in range(H):
            d = tr.mul(dh[j], tr.mul(o[j], tr.one_minus(tr.mul(tc[j], tc[j]))))
            if dc_carry is not None:
                d = tr.add(dc_carry[j], d)
            dc.append(d)
            da[j] = tr.mul(d, tr.mul(g[j], tr.mul(i[j], tr.one_minus(i[j]))))
            if prev is not None:
                da[H + j] = tr.mul(d, tr.mul(prev["c"][j], tr.mul(f[j], tr.one_minus(f[j]))))
            da[2 * H + j] = tr.mul(d, tr.mul(i[j], tr.one_minus(tr.mul(g[j], g[j]))))
            da[3 * H + j] = tr.mul(dh[j], tr.mul(tc[j], tr.mul(o[j], tr.one_minus(o[j]))))
        step_weight_gradients(tr, da, xs[t - 1], None if prev is None else prev["h"], grads)
        if prev is None or t == first_step:
            break  # step 1 has no earlier state; truncated BPTT passes nothing to earlier steps
        dc_carry = [tr.mul(dc[j], f[j]) for j in range(H)]
        dh = state_gradient(tr, P["W_hh"], da)
    return grads


# The GRU, as the engine's (rp.gru_forward): gate order r, z, n, the reset gate applied to the recurrent product,
#     r, z = sigmoid(W_i x_t + b + W_h h_{t-1}),  hn = W_hn h_{t-1} + b_hn,  n = tanh(W_in x_t + b_in + r * hn),
#     h_t = n + z (h_{t-1} - n), h_0 = 0.
# A state is a dict of ids: h, and r, z, n and hn, which BPTT reads back.


def gru_forward(tr: Tracer, P: dict, xs: list) -> list:
    """Per step: the 3H rows in gate order, each its input products, its recurrent products and its bias; r and z
    take the sigmoid; a row of n takes hn = W_hn h_{t-1} + b_hn (b_hn itself at step 1, h_0 = 0), r hn and the tanh;
    then per unit h = n + z (h_{t-1} - n) (n - z n at step 1)."""
    H = len(P["W_hh"][0])
    states: list = [None]
    for x in xs:
        prev = states[-1]
        r, z, n, hn = [], [], [], []
        for row, (w_in, w_rec, b) in enumerate(zip(P["W_ih"], P["W_hh"], P["b_h"], strict=True)):
            a = tr.accumulate(tr.dot(w_in, x), b)
            if row < 2 * H:
                if prev is not None:  # h_0 = 0: step 1 has no recurrent products
                    a = tr.add(a, tr.dot(w_rec, prev["h"]))
                (r if row < H else z).append(tr.sigmoid(a))
                continue
            j = row - 2 * H
            rec = P["b_hn"][j] if prev is None else tr.add(tr.dot(w_rec, prev["h"]), P["b_hn"][j])
            hn.append(rec)
            n.append(tr.tanh(tr.add(a, tr.mul(r[j], rec))))
        if prev is None:
            h = [tr.sub(n[j], tr.mul(z[j], n[j])) for j in range(H)]
        else:
            h = [tr.add(n[j], tr.mul(z[j], tr.sub(prev["h"][j], n[j]))) for j in range(H)]
        states.append({"h": h, "r": r, "z": z, "n": n, "hn": hn})
    return states


def gru_backward(tr: Tracer, P: dict, xs: list, states: list, dh: list, first_step: int) -> dict:
    """BPTT through the GRU, step T down to first_step, the engine's equations (rp.gru_backward):
        da_n = dh (1 - z) (1 - n^2),  da_z = dh (h_{t-1} - n) z (1 - z),  da_r = da_n hn r (1 - r),  dhn = da_n r;
        dh_{t-1} = dh z + W_hh^T (da_r, da_z, dhn).
    Per step: per unit j its da_n, da_z, da_r and dhn (h_{t-1} - n is -n at step 1); then the weight gradients as
    the tanh cell's, the input side (W_ih, b_h) taking (da_r, da_z, da_n) and the recurrent side (W_hh) (da_r, da_z,
    dhn), then b_hn += dhn; then dh_{t-1} = W_hh^T (da_r, da_z, dhn), read row by row, plus dh z per unit."""
    H, n_in = len(P["W_hh"][0]), len(xs[0])
    grads = empty_gradients(3 * H, H, n_in)
    grads["b_hn"] = [None] * H
    for t in range(len(xs), first_step - 1, -1):
        s, prev = states[t], states[t - 1]
        r, z, n, hn = s["r"], s["z"], s["n"], s["hn"]
        da_r, da_z, da_n, dhn = [], [], [], []
        for j in range(H):
            da_n.append(tr.mul(dh[j], tr.mul(tr.one_minus(z[j]), tr.one_minus(tr.mul(n[j], n[j])))))
            gate = tr.mul(z[j], tr.one_minus(z[j]))
            if prev is None:  # h_0 - n = -n
                da_z.append(tr.scale(tr.mul(dh[j], tr.mul(n[j], gate)), -1.0))
            else:
                da_z.append(tr.mul(dh[j], tr.mul(tr.sub(prev["h"][j], n[j]), gate)))
            da_r.append(tr.mul(da_n[j], tr.mul(hn[j], tr.mul(r[j], tr.one_minus(r[j])))))
            dhn.append(tr.mul(da_n[j], r[j]))
        step_weight_gradients(tr, da_r + da_z + da_n, xs[t - 1], None if prev is None else prev["h"], grads,
                              da_r + da_z + dhn)
        for j in range(H):
            grads["b_hn"][j] = tr.accumulate(grads["b_hn"][j], dhn[j])
        if prev is None or t == first_step:
            break  # step 1 has no earlier state; truncated BPTT passes nothing to earlier steps
        dh_rec = state_gradient(tr, P["W_hh"], da_r + da_z + dhn)
        dh = [tr.add(tr.mul(dh[j], z[j]), dh_rec[j]) for j in range(H)]
    return grads


# The LRU cell, as the engine's (rp.lru_forward): the LRU between two tanh position-wise layers of width M,
#     u_t = tanh(W_u x_t + b_u),  s_t = lambda s_{t-1} + gamma B u_t (N complex states),
#     h_t = tanh(Re(C s_t) + D u_t + b_h),  lambda = exp(-exp(nu_log) + i exp(theta_log)), gamma = exp(gamma_log).
# A complex value is two real ids (Re, Im); a complex product is four products and two adds, as the engine's real
# GEMMs on the interleaved view compute it. lambda, gamma and gamma B are computed once, at the start of the forward
# pass, and read again by the backward pass (the engine recomputes them there; the values are the same). states[0]
# holds them beside the zero state s_0, which the algorithm knows and never multiplies. A state is a dict of ids:
# u, s_re, s_im and h; BPTT reads back u and s (and h at the last step).


def lru_forward(tr: Tracer, P: dict, xs: list) -> list:
    """First, per state n: exp(nu_log), |lambda| = exp(-exp(nu_log)), theta = exp(theta_log), Re and Im of lambda
    (|lambda| cos theta, |lambda| sin theta), gamma = exp(gamma_log) and the row of gamma B. Then per step: u row by
    row; per state the drive gamma B u (its Re and Im rows of M products) and s = lambda s_{t-1} + drive (the drive
    alone at step 1); then per output row y = Re(C s) (the C_re row against Re s, minus the C_im row against Im s),
    + D u, + b_h, and its tanh."""
    const: dict = {"exp_nu": [], "theta": [], "lam_re": [], "lam_im": [], "gamma": [], "GB_re": [], "GB_im": []}
    for nu, th, g, b_re, b_im in zip(P["nu_log"], P["theta_log"], P["gamma_log"], P["B_re"], P["B_im"], strict=True):
        e = tr.exp(nu)
        modulus = tr.exp(tr.scale(e, -1.0))
        theta = tr.exp(th)
        gamma = tr.exp(g)
        const["exp_nu"].append(e)
        const["theta"].append(theta)
        const["lam_re"].append(tr.mul(modulus, tr.cos(theta)))
        const["lam_im"].append(tr.mul(modulus, tr.sin(theta)))
        const["gamma"].append(gamma)
        const["GB_re"].append([tr.mul(gamma, b) for b in b_re])
        const["GB_im"].append([tr.mul(gamma, b) for b in b_im])
    states: list = [{"s_re": None, "s_im": None, "const": const}]
    lam_re, lam_im = const["lam_re"], const["lam_im"]
    for x in xs:
        prev = states[-1]
        u = [tr.tanh(tr.accumulate(tr.dot(w, x), b)) for w, b in zip(P["W_u"], P["b_u"], strict=True)]
        s_re, s_im = [], []
        for k, (gb_re, gb_im) in enumerate(zip(const["GB_re"], const["GB_im"], strict=True)):
            d_re, d_im = tr.dot(gb_re, u), tr.dot(gb_im, u)
            if prev["s_re"] is None:
                s_re.append(d_re)
                s_im.append(d_im)
                continue
            p_re, p_im = prev["s_re"][k], prev["s_im"][k]
            s_re.append(tr.add(tr.sub(tr.mul(lam_re[k], p_re), tr.mul(lam_im[k], p_im)), d_re))
            s_im.append(tr.add(tr.add(tr.mul(lam_re[k], p_im), tr.mul(lam_im[k], p_re)), d_im))
        h = []
        for c_re, c_im, d, b, u_m in zip(P["C_re"], P["C_im"], P["D"], P["b_h"], u, strict=True):
            y = tr.add(tr.sub(tr.dot(c_re, s_re), tr.dot(c_im, s_im)), tr.mul(d, u_m))
            h.append(tr.tanh(tr.add(y, b)))
        states.append({"u": u, "s_re": s_re, "s_im": s_im, "h": h})
    return states


def lru_backward(tr: Tracer, P: dict, xs: list, states: list, dh: list, first_step: int) -> dict:
    """BPTT through the LRU cell for a loss at the last step, the engine's equations (rp.lru_backward), a complex
    gradient held as dL/dRe + i dL/dIm:
        dz = dh (1 - h_T^2);  db_h = dz, dD = dz u_T, dC_re = dz Re(s_T)^T, dC_im = -dz Im(s_T)^T;
        G_T = conj(C)^T dz,  G_t = conj(lambda) G_{t+1} below T;  dlambda = sum_t G_t conj(s_{t-1});
        d(gamma B) = sum_t G_t u_t^T;  du_t = Re((gamma B)^H G_t) (+ D dz at T);  da_t = du_t (1 - u_t^2);
        dW_u = sum_t da_t x_t^T, db_u = sum_t da_t;
    and at the end dw = conj(lambda) dlambda, dnu_log = -exp(nu_log) Re dw, dtheta_log = exp(theta_log) Im dw,
    dB = gamma d(gamma B), dgamma_log = gamma sum_m (B_re d(gamma B)_re + B_im d(gamma B)_im).
    Per step, T down to first_step: G_t (below T), its product with conj(s_{t-1}) into dlambda (not at step 1: s_0
    = 0), G_t u_t^T into d(gamma B) row by row, du_t reading gamma B row by row, da_t and the rows of dW_u and db_u
    (the tanh cell's order). G_T reads C row by row, as state_gradient reads W_hh."""
    const = states[0]["const"]
    lam_re, lam_im = const["lam_re"], const["lam_im"]
    N, M, n_in = len(lam_re), len(P["W_u"]), len(xs[0])
    T = len(xs)
    last = states[T]
    dz = [tr.mul(dh[m], tr.one_minus(tr.mul(last["h"][m], last["h"][m]))) for m in range(M)]
    grads: dict = {"b_h": dz, "D": [tr.mul(dz[m], last["u"][m]) for m in range(M)],
                   "C_re": [[tr.mul(dz[m], v) for v in last["s_re"]] for m in range(M)],
                   "C_im": [[tr.scale(tr.mul(dz[m], v), -1.0) for v in last["s_im"]] for m in range(M)],
                   "W_u": [[None] * n_in for _ in range(M)], "b_u": [None] * M}
    G_re: list = [None] * N
    G_im: list = [None] * N
    for m in range(M):  # conj(C)^T dz: G_re = C_re^T dz, G_im = -C_im^T dz, C read row by row
        for k in range(N):
            G_re[k] = tr.accumulate(G_re[k], tr.mul(P["C_re"][m][k], dz[m]))
            G_im[k] = tr.accumulate(G_im[k], tr.mul(P["C_im"][m][k], dz[m]))
    G_im = [tr.scale(g, -1.0) for g in G_im]
    dlam_re: list = [None] * N
    dlam_im: list = [None] * N
    dGB_re = [[None] * M for _ in range(N)]
    dGB_im = [[None] * M for _ in range(N)]
    for t in range(T, first_step - 1, -1):
        s, prev = states[t], states[t - 1]
        if t < T:  # G_t = conj(lambda) G_{t+1}
            G_re, G_im = ([tr.add(tr.mul(lam_re[k], G_re[k]), tr.mul(lam_im[k], G_im[k])) for k in range(N)],
                          [tr.sub(tr.mul(lam_re[k], G_im[k]), tr.mul(lam_im[k], G_re[k])) for k in range(N)])
        if prev["s_re"] is not None:  # G_t conj(s_{t-1})
            for k in range(N):
                p_re, p_im = prev["s_re"][k], prev["s_im"][k]
                dlam_re[k] = tr.accumulate(dlam_re[k], tr.add(tr.mul(G_re[k], p_re), tr.mul(G_im[k], p_im)))
                dlam_im[k] = tr.accumulate(dlam_im[k], tr.sub(tr.mul(G_im[k], p_re), tr.mul(G_re[k], p_im)))
        u = s["u"]
        for k in range(N):
            for m in range(M):
                dGB_re[k][m] = tr.accumulate(dGB_re[k][m], tr.mul(G_re[k], u[m]))
                dGB_im[k][m] = tr.accumulate(dGB_im[k][m], tr.mul(G_im[k], u[m]))
        du: list = [None] * M
        for k in range(N):  # Re((gamma B)^H G_t), gamma B read row by row
            for m in range(M):
                du[m] = tr.accumulate(du[m], tr.mul(const["GB_re"][k][m], G_re[k]))
                du[m] = tr.accumulate(du[m], tr.mul(const["GB_im"][k][m], G_im[k]))
        if t == T:
            du = [tr.add(du[m], tr.mul(P["D"][m], dz[m])) for m in range(M)]
        da = [tr.mul(du[m], tr.one_minus(tr.mul(u[m], u[m]))) for m in range(M)]
        x = xs[t - 1]
        for m in range(M):
            grads["b_u"][m] = tr.accumulate(grads["b_u"][m], da[m])
            row = grads["W_u"][m]
            for j in range(n_in):
                row[j] = tr.accumulate(row[j], tr.mul(da[m], x[j]))
    grads["nu_log"], grads["theta_log"] = [None] * N, [None] * N
    for k in range(N):
        if dlam_re[k] is None:
            continue  # T = 1: nothing reaches lambda
        dw_re = tr.add(tr.mul(lam_re[k], dlam_re[k]), tr.mul(lam_im[k], dlam_im[k]))  # conj(lambda) dlambda
        dw_im = tr.sub(tr.mul(lam_re[k], dlam_im[k]), tr.mul(lam_im[k], dlam_re[k]))
        grads["nu_log"][k] = tr.scale(tr.mul(const["exp_nu"][k], dw_re), -1.0)
        grads["theta_log"][k] = tr.mul(const["theta"][k], dw_im)
    gamma = const["gamma"]
    grads["B_re"] = [[tr.mul(gamma[k], d) for d in dGB_re[k]] for k in range(N)]
    grads["B_im"] = [[tr.mul(gamma[k], d) for d in dGB_im[k]] for k in range(N)]
    grads["gamma_log"] = [tr.mul(gamma[k], tr.add(tr.dot(P["B_re"][k], dGB_re[k]), tr.dot(P["B_im"][k], dGB_im[k])))
                          for k in range(N)]
    return grads


LRU_PARAMS = tuple(name for name in rp.LRU_PARAM_NAMES if name not in ("W_hy", "b_y"))

CELLS: dict[str, TracedCell] = {
    "tanh": TracedCell(("W_ih", "W_hh", "b_h"), tanh_forward, tanh_backward, lambda state: state, "rnn", 1),
    "lstm": TracedCell(("W_ih", "W_hh", "b_h"), lstm_forward, lstm_backward, lambda state: state["h"], "lstm", 4),
    "gru": TracedCell(("W_ih", "W_hh", "b_h", "b_hn"), gru_forward, gru_backward, lambda state: state["h"], "gru", 3),
    "lru": TracedCell(LRU_PARAMS, lru_forward, lru_backward, lambda state: state["h"], "lru", 0),
}


# ----------------------------------------------------------------------------------------------------------------
# output layer and loss: y_hat = W_hy h_T + b_y, at the last step; as the engine's output_loss for a batch of one


def output_loss(tr: Tracer, P: dict, h: list, target, loss: str) -> tuple[int, Callable[[], tuple[dict, list]]]:
    """Forward now; returns (loss id, backward) where backward() -> (gradients of W_hy and b_y, dL/dh ids).

    mse: loss = 0.5 (y_hat - y)^2, dL/dy_hat = y_hat - y (target: the id of y, an argument).
    xent: softmax cross-entropy with the row max subtracted, loss = log sum_k exp(s_k) - s_y, s = y_hat - max;
    dL/dy_hat = softmax - onehot(y). The label y is an index the program is given, not a value it reads.
    """
    out = [tr.accumulate(tr.dot(w_row, h), b) for w_row, b in zip(P["W_hy"], P["b_y"], strict=True)]
    if loss == "mse":
        residual = tr.sub(out[0], target)
        loss_id = tr.scale(tr.mul(residual, residual), 0.5)
        shifted, exps, Z = None, None, None
    else:
        peak = out[0]
        for o in out[1:]:
            peak = tr.maximum(peak, o)
        shifted = [tr.sub(o, peak) for o in out]
        exps = [tr.exp(s) for s in shifted]
        Z = exps[0]
        for e in exps[1:]:
            Z = tr.add(Z, e)
        loss_id = tr.sub(tr.log(Z), shifted[target])

    def backward() -> tuple[dict, list]:
        if loss == "mse":
            d_out = [residual]  # d(0.5 r^2)/dr = r, with nothing to compute
        else:
            d_out = [tr.div(e, Z) for e in exps]
            d_out[target] = tr.shift(d_out[target], -1.0)
        dW_hy = [[tr.mul(d, hj) for hj in h] for d in d_out]
        dh: list = [None] * len(h)
        for w_row, d in zip(P["W_hy"], d_out, strict=True):  # dh = W_hy^T d_out, row by row
            for j, w in enumerate(w_row):
                dh[j] = tr.accumulate(dh[j], tr.mul(w, d))
        return {"W_hy": dW_hy, "b_y": d_out}, dh

    return loss_id, backward


# ----------------------------------------------------------------------------------------------------------------
# one traced training step


@dataclass
class TracedStep:
    """The recorded step: the tracer (values included), the loss id and the gradient ids keyed like params."""

    tracer: Tracer
    loss: int
    grads: dict

    def loss_value(self) -> float:
        return self.tracer.values[self.loss]

    def grad_values(self) -> dict[str, np.ndarray]:
        return {name: self.tracer.value_of(ids) for name, ids in self.grads.items()}


def traced_step(params: dict[str, np.ndarray], x: np.ndarray, y: np.ndarray, task: str, cell: str = "tanh",
                truncate: int | None = None) -> TracedStep:
    """Loss and gradients of one example, every scalar operation recorded.

    params: the engine's parameter dict of the same cell (rp.init_params(..., cell=CELLS[cell].engine)); x: (T, 1,
    n_in) or (T, n_in); y: (1,) or a scalar; task: a task with a target at the last step; cell: a key of CELLS;
    truncate: BPTT through the last `truncate` steps only (None: all T).
    Arguments go on the stack in the order loss_and_grads(params, x, y) names them: each parameter of PARAM_NAMES
    row-major, then x time-major, then y (for a regression target; a class label is an index, not a value).
    """
    spec = rp.get_task(task)
    if spec.per_step:
        raise ValueError(f"{spec.name} has targets at several steps; the tracer scores the last step only")
    if cell not in CELLS:
        raise ValueError(f"unknown cell {cell!r}; choose from {', '.join(CELLS)}")
    x = np.asarray(x, dtype=np.float64).reshape(len(x), -1)
    target_value = np.asarray(y).reshape(-1)[0]
    T = len(x)
    if truncate is not None and truncate < 1:
        raise ValueError(f"truncate must be at least 1, got {truncate}")
    traced_cell = CELLS[cell]
    missing = [name for name in traced_cell.params if name not in params]
    if missing:
        raise ValueError(f"the parameters have no {', '.join(missing)}, which the {cell} cell needs; draw them with "
                         f"rp.init_params(..., cell={traced_cell.engine!r})")
    if traced_cell.blocks:
        H = np.shape(params["W_hh"])[1]
        if np.shape(params["W_hh"]) != (traced_cell.blocks * H, H):
            raise ValueError(f"W_hh is {np.shape(params['W_hh'])}, not the ({traced_cell.blocks} H, H) of the {cell} "
                             f"cell; draw the parameters with rp.init_params(..., cell={traced_cell.engine!r})")
    tr = Tracer()
    P = {name: tr.args(params[name], "parameter") for name in (*traced_cell.params, "W_hy", "b_y")}
    xs = tr.args(x, "input")
    target = tr.args(np.array([target_value]), "input")[0] if spec.loss == "mse" else int(target_value)
    tr.begin("forward")
    states = traced_cell.forward(tr, P, xs)
    loss, output_backward = output_loss(tr, P, traced_cell.output(states[T]), target, spec.loss)
    tr.begin("backward")
    grads, dh = output_backward()
    first_step = 1 if truncate is None else max(1, T - truncate + 1)
    grads.update(traced_cell.backward(tr, P, xs, states, dh, first_step))
    return TracedStep(tr, loss, {name: grads[name] for name in (*traced_cell.params, "W_hy", "b_y")})


# ----------------------------------------------------------------------------------------------------------------
# measurements and power-law fits
#
# The grids, in one place. Sizes are chosen so `run` finishes in about three minutes of CPU on one core (a minute
# and a half of it the tanh cell's grids, under a minute the GRU's and the LRU's) in about 1 GB at the most: the largest tanh traces (H = 64 at T = 60 and
# 64) have about 1.5 million instructions. The T sweeps go further at H = 8, where a step is cheap, because the
# history that BPTT reads back costs ~ H^2 T^1.5 against the ~ H^3 T of re-reading the weights every step: it can
# only take over at long T and small H. The LSTM's sweeps are points of the vanilla sweeps (so every LSTM step has a
# vanilla step of the same sizes to compare with), fewer of them: an LSTM step is about four times the instructions;
# its largest traces (H = 8 at T = 1024: 2.1 million instructions, 1.1 GB; H = 64 at T = 16: 1.5 million) set the
# memory. The GRU's sweeps are the LSTM's (three quarters of its instructions). The LRU's are the vanilla sweeps
# themselves, its N complex states in the place of H (its position-wise layers at the engine's width M = 2): a step
# reads about 8 N M + 2 N weights instead of H^2, so even N = 128 is cheap.

DTYPES = {"float64": 8, "float32": 4}  # bytes per value
TASK = "addition"  # two inputs, one output: the recurrence dominates the trace
T_SWEEP = {8: (8, 16, 32, 64, 128, 256, 512, 1024), 32: (8, 16, 32, 64, 128)}  # {H: T values}
H_SWEEP = {16: (4, 8, 16, 32, 64, 128), 64: (4, 8, 16, 32, 64)}  # {T: H values}
TRUNCATE_K = 16  # truncated BPTT along the first T sweep
NEAR_LINEAR = 0.2  # exponents within this of 1, over the fit and between the last two points: "near-linear" in T
K_SWEEP = {"H": 16, "T": 256, "k": (1, 2, 4, 8, 16, 32, 64, 128, 256)}
HEADLINE_H = 64  # the headline's hidden size, at each headline task's own T
LSTM_T_SWEEP = {8: (8, 16, 32, 64, 128, 256, 512, 1024)}  # the LSTM's, each point one of the vanilla sweeps'
LSTM_H_SWEEP = {16: (4, 8, 16, 32, 64)}
GRU_T_SWEEP, GRU_H_SWEEP = LSTM_T_SWEEP, LSTM_H_SWEEP
LRU_T_SWEEP, LRU_H_SWEEP = T_SWEEP, H_SWEEP  # H is the LRU's N
QUICK = {"T_SWEEP": {4: (4, 8, 16)}, "H_SWEEP": {8: (2, 4, 8)}, "TRUNCATE_K": 4,
         "K_SWEEP": {"H": 4, "T": 16, "k": (1, 4, 16)}, "HEADLINE": (("addition", 8), ("temporal_order", 10)),
         "HEADLINE_H": 4, "LSTM_T_SWEEP": {4: (4, 8, 16)}, "LSTM_H_SWEEP": {8: (2, 4, 8)},
         "GRU_T_SWEEP": {4: (4, 8, 16)}, "GRU_H_SWEEP": {8: (2, 4, 8)},
         "LRU_T_SWEEP": {4: (4, 8, 16)}, "LRU_H_SWEEP": {8: (2, 4, 8)}}
OTHER_CELLS = ("lstm", "gru", "lru")  # measured beside the tanh cell, each at points of the tanh cell's sweeps
OTHER_LABELS = {"lstm": "LSTM", "gru": "GRU", "lru": "LRU"}


def cell_sweeps(cell: str, quick: bool = False) -> dict[str, dict]:
    """{"T_sweep": {H: Ts}, "H_sweep": {T: Hs}} of one of OTHER_CELLS (QUICK's when quick)."""
    name = cell.upper()
    return {"T_sweep": QUICK[f"{name}_T_SWEEP"] if quick else globals()[f"{name}_T_SWEEP"],
            "H_sweep": QUICK[f"{name}_H_SWEEP"] if quick else globals()[f"{name}_H_SWEEP"]}


def measure(task: str, H: int, T: int, truncate: int | None = None, cell: str = "tanh") -> dict:
    """Trace one training step at these sizes and price it at every width of DTYPES.

    Returns a record: sizes, instruction and read counts per phase, and per dtype the total cost, the cost of each
    phase, and the cost split by (phase, kind of value read). The parameters and the batch are drawn with seed 0
    (the trace does not depend on them; for a class label only which output is the target).
    """
    rng = np.random.default_rng(0)
    params = rp.init_params(task, H, "ortho", rng, cell=CELLS[cell].engine)
    x, y = rp.generate_batch(task, T, 1, rng)
    trace = traced_step(params, x, y, task, cell, truncate).tracer.finish()
    read_phase = trace.phase[trace.read_instruction()]
    read_kind = trace.value_kind[trace.reads]
    values_above = bytes_above(trace, 1)
    record = {
        "cell": cell, "task": task, "H": H, "T": T, "truncate": truncate,
        "instructions": {p: int(np.sum(trace.phase == i)) for i, p in enumerate(PHASES)},
        "reads": {p: int(np.sum(read_phase == i)) for i, p in enumerate(PHASES)},
        "values": trace.n_values,
        "cost": {},
    }
    for dtype, width in DTYPES.items():
        costs = uniform_read_costs(trace, width, values_above)
        cell_index = read_phase.astype(np.int64) * len(KINDS) + read_kind
        split = np.bincount(cell_index, weights=costs, minlength=len(PHASES) * len(KINDS))
        split = split.reshape(len(PHASES), len(KINDS))
        record["cost"][dtype] = {
            "total": float(split.sum()),
            **{p: float(split[i].sum()) for i, p in enumerate(PHASES)},
            "by_kind_read": {p: {k: float(split[i, j]) for j, k in enumerate(KINDS)} for i, p in enumerate(PHASES)},
        }
    return record


def power_law(xs: Sequence[float], ys: Sequence[float]) -> dict:
    """Least-squares fit of log y = p log x + c over all points, and the local exponent between the two largest x:
    {"exponent": p, "prefactor": e^c, "local_exponent": ...}."""
    lx, ly = np.log(np.asarray(xs, dtype=float)), np.log(np.asarray(ys, dtype=float))
    p, c = np.polyfit(lx, ly, 1)
    local = (ly[-1] - ly[-2]) / (lx[-1] - lx[-2])
    return {"exponent": float(p), "prefactor": float(np.exp(c)), "local_exponent": float(local)}


def _key(r: dict) -> tuple:
    return r["cell"], r["task"], r["H"], r["T"], r["truncate"]


def specs(quick: bool = False) -> list[tuple[str, str, int, int, int | None]]:
    """Every (cell, task, H, T, truncate) the grids need, each once, in a fixed order: the tanh cell's, then the
    LSTM's, the GRU's and the LRU's."""
    t_sweep = QUICK["T_SWEEP"] if quick else T_SWEEP
    h_sweep = QUICK["H_SWEEP"] if quick else H_SWEEP
    k = QUICK["TRUNCATE_K"] if quick else TRUNCATE_K
    k_sweep = QUICK["K_SWEEP"] if quick else K_SWEEP
    headline = QUICK["HEADLINE"] if quick else rp.HEADLINE
    headline_H = QUICK["HEADLINE_H"] if quick else HEADLINE_H
    out = [(TASK, H, T, None) for H, Ts in t_sweep.items() for T in Ts]
    out += [(TASK, H, T, None) for T, Hs in h_sweep.items() for H in Hs]
    first_H = next(iter(t_sweep))
    out += [(TASK, first_H, T, k) for T in t_sweep[first_H] if T > k]
    out += [(TASK, k_sweep["H"], k_sweep["T"], kk if kk < k_sweep["T"] else None) for kk in k_sweep["k"]]
    out += [(task, headline_H, T, None) for task, T in headline]
    keys = [("tanh", *key) for key in out]
    for cell in OTHER_CELLS:
        sweeps = cell_sweeps(cell, quick)
        keys += [(cell, TASK, H, T, None) for H, Ts in sweeps["T_sweep"].items() for T in Ts]
        keys += [(cell, TASK, H, T, None) for T, Hs in sweeps["H_sweep"].items() for H in Hs]
    return list(dict.fromkeys(keys))


def fits(doc: dict) -> dict:
    """Exponents of the total cost (float64) and of its parts, in T along each T sweep and in H along each H sweep,
    and of truncated BPTT along the first T sweep; under "lstm", "gru" and "lru" the same along that cell's sweeps,
    each with the tanh cell's exponents over the same points ("tanh total"). The sweeps' keys are strings, as JSON keeps them."""
    by_key = {_key(r): r for r in doc["measurements"]}
    cfg = doc["config"]

    def series(pairs, part=lambda c: c["total"]):
        xs, ys = zip(*((x, part(by_key[key]["cost"]["float64"])) for x, key in pairs), strict=True)
        return power_law(xs, ys)

    out: dict = {"T": {}, "H": {}}
    for H, Ts in cfg["T_sweep"].items():
        pairs = [(T, ("tanh", TASK, int(H), T, None)) for T in Ts]
        out["T"][f"H={H}"] = {
            "total": series(pairs),
            "forward": series(pairs, lambda c: c["forward"]),
            "backward": series(pairs, lambda c: c["backward"]),
            "backward reads of forward values": series(pairs, lambda c: c["by_kind_read"]["backward"]["forward"]),
        }
    for T, Hs in cfg["H_sweep"].items():
        pairs = [(H, ("tanh", TASK, H, int(T), None)) for H in Hs]
        out["H"][f"T={T}"] = {"total": series(pairs)}
    H, k = next(iter(cfg["T_sweep"])), cfg["truncate_k"]
    pairs = [(T, ("tanh", TASK, int(H), T, k)) for T in cfg["T_sweep"][H] if T > k]
    out["T"][f"H={H}, truncated k={k}"] = {"total": series(pairs)}

    def cell_series(cell, points):  # (x, H, T) along one sweep of another cell
        keys = [(x, (cell, TASK, H, T, None)) for x, H, T in points]
        return {"total": series(keys), "forward": series(keys, lambda c: c["forward"]),
                "backward": series(keys, lambda c: c["backward"]),
                "backward reads of forward values": series(keys, lambda c: c["by_kind_read"]["backward"]["forward"]),
                "tanh total": series([(x, ("tanh", TASK, H, T, None)) for x, H, T in points])}

    for cell in OTHER_CELLS:
        out[cell] = {"T": {f"H={H}": cell_series(cell, [(T, int(H), T) for T in Ts])
                           for H, Ts in cfg[cell]["T_sweep"].items()},
                     "H": {f"T={T}": cell_series(cell, [(H, H, int(T)) for H in Hs])
                           for T, Hs in cfg[cell]["H_sweep"].items()}}
    return out


def run(quick: bool = False, progress: Callable[[str], None] | None = None) -> dict:
    """Measure every spec of the grids; the results document."""
    start = time.perf_counter()
    measurements = []
    for cell, task, H, T, truncate in specs(quick):
        t0 = time.perf_counter()
        measurements.append(measure(task, H, T, truncate, cell))
        if progress:
            cut = "" if truncate is None else f", truncated to {truncate}"
            progress(f"{cell} {task} H={H} T={T}{cut}: {measurements[-1]['cost']['float64']['total']:.4g} "
                     f"({time.perf_counter() - t0:.1f} s)")
    doc = {
        "schema_version": SCHEMA_VERSION,
        "metric": ("ByteDMD: sum over every byte read of sqrt(depth) on an LRU stack of bytes; inputs priced before "
                   "they move, moved to the top in read order, results pushed free, nothing freed"),
        "config": {
            "cells": list(CELLS), "task": TASK, "quick": quick, "widths": DTYPES,
            "T_sweep": {str(H): list(Ts) for H, Ts in (QUICK["T_SWEEP"] if quick else T_SWEEP).items()},
            "H_sweep": {str(T): list(Hs) for T, Hs in (QUICK["H_SWEEP"] if quick else H_SWEEP).items()},
            "truncate_k": QUICK["TRUNCATE_K"] if quick else TRUNCATE_K,
            "k_sweep": {k: list(v) if isinstance(v, tuple) else v
                        for k, v in (QUICK["K_SWEEP"] if quick else K_SWEEP).items()},
            "headline": [list(h) for h in (QUICK["HEADLINE"] if quick else rp.HEADLINE)],
            "headline_H": QUICK["HEADLINE_H"] if quick else HEADLINE_H,
            # the other cells' sweeps (the LRU's H is its N); the rest of the config is the tanh cell's
            **{cell: {"T_sweep": {str(H): list(Ts) for H, Ts in cell_sweeps(cell, quick)["T_sweep"].items()},
                      "H_sweep": {str(T): list(Hs) for T, Hs in cell_sweeps(cell, quick)["H_sweep"].items()}}
               for cell in OTHER_CELLS},
            "lru_width": rp.LRU_WIDTH,
        },
        "environment": rp.environment(),
        "measurements": measurements,
    }
    doc["fits"] = fits(doc)
    doc["wallclock_s"] = round(time.perf_counter() - start, 1)
    return doc


def load(path: str) -> dict:
    """A results file of `run`, checked enough that a figure or a README block can be drawn from it (ValueError)."""
    return files.load_document(path, SCHEMA_VERSION, "measurements", PROG)


def find(doc: dict, H: int, T: int, truncate: int | None = None, task: str = TASK, cell: str = "tanh") -> dict:
    """The measurement of these sizes in a results document."""
    for r in doc["measurements"]:
        if _key(r) == (cell, task, H, T, truncate):
            return r
    raise ValueError(f"no measurement of the {cell} cell on {task} at H={H}, T={T}, truncate={truncate}")


def shares(record: dict, dtype: str = "float64") -> dict[str, float]:
    """Fraction of the cost spent by each phase reading each kind of value, '{phase} reads {kind}' -> fraction."""
    cost = record["cost"][dtype]
    return {f"{p} reads {k} values": v / cost["total"] for p, by in cost["by_kind_read"].items()
            for k, v in by.items() if not (p == "forward" and k == "backward")}


# ----------------------------------------------------------------------------------------------------------------
# figure (matplotlib's object-oriented API on an Agg canvas: no display, no pyplot state)

SHARE_COLOURS = ("#1f77b4", "#aec7e8", "#ff7f0e", "#2ca02c", "#98df8a", "#d62728", "#9467bd")
CELL_STYLES = {"gru": ("tab:brown", "v"), "lru": ("tab:orange", "P")}  # colour and marker beside the LSTM's green


def share_cases(doc: dict) -> list[tuple[str, dict]]:
    """The configurations whose cost is split by what is read, (label, record): the ends of the first T sweep,
    its longest T truncated, the headline tasks at H = 64, then the LSTM at the ends of its first T sweep and at the
    largest H of its first H sweep, beside the tanh cell at that size; then the GRU and the LRU at the ends of their
    first T sweeps."""
    cfg = doc["config"]
    H = int(next(iter(cfg["T_sweep"])))
    Ts = cfg["T_sweep"][str(H)]
    k = cfg["truncate_k"]
    cases = [(f"H={H}, T={Ts[0]}", find(doc, H, Ts[0])), (f"H={H}, T={Ts[-1]}", find(doc, H, Ts[-1])),
             (f"H={H}, T={Ts[-1]}, BPTT truncated to {k}", find(doc, H, Ts[-1], k))]
    cases += [(f"H={cfg['headline_H']}, T={T}, {task}", find(doc, cfg["headline_H"], T, task=task))
              for task, T in cfg["headline"]]
    H, Ts = next(iter(cfg["lstm"]["T_sweep"].items()))
    cases += [(f"LSTM, H={H}, T={T}", find(doc, int(H), T, cell="lstm")) for T in (Ts[0], Ts[-1])]
    T, Hs = next(iter(cfg["lstm"]["H_sweep"].items()))
    cases += [(f"H={Hs[-1]}, T={T}", find(doc, Hs[-1], int(T))),
              (f"LSTM, H={Hs[-1]}, T={T}", find(doc, Hs[-1], int(T), cell="lstm"))]
    for cell in ("gru", "lru"):
        H, Ts = next(iter(cfg[cell]["T_sweep"].items()))
        size = "N" if cell == "lru" else "H"
        cases += [(f"{OTHER_LABELS[cell]}, {size}={H}, T={T}", find(doc, int(H), T, cell=cell)) for T in (Ts[0], Ts[-1])]
    return cases


def plot(doc: dict) -> Figure:
    """Four panels: cost against T (full and truncated BPTT, and the part that reads stored forward values), cost
    against H, where the cost goes, and truncated BPTT against the depth k it keeps; the LSTM's sweeps in the
    first two, its steps in the third."""
    cfg, fit = doc["config"], doc["fits"]
    fig = Figure(figsize=(13, 11), layout="constrained")
    (ax_T, ax_H), (ax_share, ax_k) = fig.subplots(2, 2)
    colours = ("tab:blue", "tab:purple", "tab:olive")
    for (H, Ts), colour in zip(cfg["T_sweep"].items(), colours, strict=False):
        totals = [find(doc, int(H), T)["cost"]["float64"]["total"] for T in Ts]
        p = fit["T"][f"H={H}"]["total"]
        ax_T.loglog(Ts, totals, "o-", color=colour, label=f"H={H}, full BPTT: exponent {p['exponent']:.2f} "
                    f"(last pair {p['local_exponent']:.2f})")
        history = [find(doc, int(H), T)["cost"]["float64"]["by_kind_read"]["backward"]["forward"] for T in Ts]
        q = fit["T"][f"H={H}"]["backward reads of forward values"]
        ax_T.loglog(Ts, history, "s:", color=colour, ms=4, label=f"H={H}, of which backward reads of stored forward "
                    f"values: {q['exponent']:.2f} ({q['local_exponent']:.2f})")
        f32 = [find(doc, int(H), T)["cost"]["float32"]["total"] for T in Ts]
        ax_T.loglog(Ts, f32, "-", color=colour, lw=0.8, alpha=0.6, label=f"H={H}, full BPTT, float32")
    H = next(iter(cfg["T_sweep"]))
    k = cfg["truncate_k"]
    Ts = [T for T in cfg["T_sweep"][H] if T > k]
    p = fit["T"][f"H={H}, truncated k={k}"]["total"]
    ax_T.loglog(Ts, [find(doc, int(H), T, k)["cost"]["float64"]["total"] for T in Ts], "^--", color="tab:red",
                label=f"H={H}, BPTT truncated to {k} steps: {p['exponent']:.2f} ({p['local_exponent']:.2f})")
    for H, Ts in cfg["lstm"]["T_sweep"].items():
        records = [find(doc, int(H), T, cell="lstm")["cost"]["float64"] for T in Ts]
        p, q = fit["lstm"]["T"][f"H={H}"]["total"], fit["lstm"]["T"][f"H={H}"]["backward reads of forward values"]
        ax_T.loglog(Ts, [c["total"] for c in records], "D-", color="tab:green", ms=5,
                    label=f"LSTM, H={H}: {p['exponent']:.2f} ({p['local_exponent']:.2f})")
        ax_T.loglog(Ts, [c["by_kind_read"]["backward"]["forward"] for c in records], "d:", color="tab:green", ms=4,
                    label=f"LSTM, H={H}, backward reads of stored forward values: {q['exponent']:.2f} "
                    f"({q['local_exponent']:.2f})")
    for cell in ("gru", "lru"):
        colour, marker = CELL_STYLES[cell]
        size = "N" if cell == "lru" else "H"
        for (H, Ts), ls in zip(cfg[cell]["T_sweep"].items(), ("-", "--", ":"), strict=False):
            p = fit[cell]["T"][f"H={H}"]["total"]
            ax_T.loglog(Ts, [find(doc, int(H), T, cell=cell)["cost"]["float64"]["total"] for T in Ts], marker + ls,
                        color=colour, ms=5, label=f"{OTHER_LABELS[cell]}, {size}={H}: {p['exponent']:.2f} "
                        f"({p['local_exponent']:.2f})")
    ax_T.set_xlabel("sequence length T")
    ax_T.set_ylabel("ByteDMD of one training step (float64 unless marked)")
    ax_T.set_title("against T (exponents: fit over the sweep, and between its last two points)", fontsize=10)
    ax_T.legend(fontsize=7.5, loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=2)
    for (T, Hs), colour in zip(cfg["H_sweep"].items(), colours, strict=False):
        p = fit["H"][f"T={T}"]["total"]
        ax_H.loglog(Hs, [find(doc, H, int(T))["cost"]["float64"]["total"] for H in Hs], "o-", color=colour,
                    label=f"T={T}: exponent {p['exponent']:.2f} (last pair {p['local_exponent']:.2f})")
    for T, Hs in cfg["lstm"]["H_sweep"].items():
        p = fit["lstm"]["H"][f"T={T}"]["total"]
        ax_H.loglog(Hs, [find(doc, H, int(T), cell="lstm")["cost"]["float64"]["total"] for H in Hs], "D-",
                    color="tab:green", label=f"LSTM, T={T}: exponent {p['exponent']:.2f} (last pair "
                    f"{p['local_exponent']:.2f})")
    for cell in ("gru", "lru"):
        colour, marker = CELL_STYLES[cell]
        size = " (N states)" if cell == "lru" else ""
        for (T, Hs), ls in zip(cfg[cell]["H_sweep"].items(), ("-", "--", ":"), strict=False):
            p = fit[cell]["H"][f"T={T}"]["total"]
            ax_H.loglog(Hs, [find(doc, H, int(T), cell=cell)["cost"]["float64"]["total"] for H in Hs], marker + ls,
                        color=colour, label=f"{OTHER_LABELS[cell]}{size}, T={T}: exponent {p['exponent']:.2f} "
                        f"(last pair {p['local_exponent']:.2f})")
    Hs = cfg["H_sweep"][next(iter(cfg["H_sweep"]))]
    ref = find(doc, Hs[-1], int(next(iter(cfg["H_sweep"]))))["cost"]["float64"]["total"]
    ax_H.loglog(Hs, [ref * (H / Hs[-1]) ** 3 for H in Hs], color="0.5", lw=0.8, ls="--", label="slope 3")
    ax_H.set_xlabel("hidden units H (the LRU: complex states N)")
    ax_H.set_ylabel("ByteDMD of one training step (float64)")
    ax_H.set_title("against H", fontsize=10)
    ax_H.legend(fontsize=8)
    cases = share_cases(doc)
    left = np.zeros(len(cases))
    for name, colour in zip(shares(cases[0][1]), SHARE_COLOURS, strict=True):
        widths = np.array([shares(r)[name] for _, r in cases])
        ax_share.barh(range(len(cases)), widths, left=left, color=colour, label=name)
        left += widths
    ax_share.set_yticks(range(len(cases)), [label for label, _ in cases], fontsize=8)
    ax_share.invert_yaxis()
    ax_share.set_xlim(0, 1)
    ax_share.set_xlabel("fraction of the ByteDMD (float64)")
    ax_share.set_title("where the cost goes: which pass reads which values", fontsize=10)
    ax_share.legend(fontsize=7.5, loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=2)
    ks = cfg["k_sweep"]
    full = find(doc, ks["H"], ks["T"])["cost"]["float64"]
    runs = [find(doc, ks["H"], ks["T"], kk if kk < ks["T"] else None)["cost"]["float64"] for kk in ks["k"]]
    ax_k.semilogx(ks["k"], [c["total"] / full["total"] for c in runs], "o-", color="tab:red", label="total",
                  base=2)
    ax_k.semilogx(ks["k"], [c["backward"] / full["total"] for c in runs], "s--", color="tab:orange", base=2,
                  label="backward pass")
    ax_k.axhline(full["forward"] / full["total"], color="0.5", ls=":", lw=1, label="forward pass (any k)")
    ax_k.set_ylim(0, 1.05)
    ax_k.set_xlabel("BPTT truncated to the last k steps")
    ax_k.set_ylabel("ByteDMD / that of full BPTT")
    ax_k.set_title(f"truncated BPTT, H={ks['H']}, T={ks['T']}", fontsize=10)
    ax_k.legend(fontsize=8)
    for ax in (ax_T, ax_H, ax_k):
        ax.grid(alpha=0.3, which="both")
    fig.suptitle(f"ByteDMD (sum of sqrt(depth) over every byte read, LRU stack) of one training step on {cfg['task']}, "
                 "batch 1:\na tanh RNN (blue, purple), an LSTM (green), a GRU (brown) and an LRU cell (orange)",
                 fontsize=12)
    return fig


# ----------------------------------------------------------------------------------------------------------------
# README block (rnnpath report collects it)


def readme_block(doc: dict) -> str:
    """The ByteDMD section's numbers and the sentences that read them: reference costs at the headline sizes,
    float32 against float64, exponents in T and H, where the cost goes, truncated BPTT. A sentence's verb follows
    its numbers (an exponent 'steepens towards' a limit only if the last pair lies between the fit and the limit)."""
    cfg, fit = doc["config"], doc["fits"]
    rows, findings = [], []
    for task, T in cfg["headline"]:
        r = find(doc, cfg["headline_H"], T, task=task)
        c64, c32, n = r["cost"]["float64"], r["cost"]["float32"], r["instructions"]
        rows.append([task, T, f"{n['forward']:,} + {n['backward']:,}", f"{c64['total']:.3g}", f"{c64['forward']:.3g}",
                     f"{c64['backward']:.3g}", f"{n['backward'] / n['forward']:.2f}",
                     f"{c64['backward'] / c64['forward']:.2f}", f"{c32['total']:.3g}"])
    lines = [f"One training step at H = {cfg['headline_H']}, the headline's size (batch 1, float64 unless marked):", "",
             markdown_table(["task", "T", "instructions, forward + backward", "ByteDMD", "forward", "backward",
                                "backward / forward, instructions", "backward / forward, ByteDMD",
                                "ByteDMD, float32"], rows), ""]
    ratio_n = [float(row[6]) for row in rows]
    ratio_c = [float(row[7]) for row in rows]
    more = all(c > n for c, n in zip(ratio_c, ratio_n, strict=True))
    findings.append(f"**Backward against forward.** The backward pass does {min(ratio_n):.2f}-{max(ratio_n):.2f} "
                    f"times the forward pass's instructions and costs {min(ratio_c):.2f}-{max(ratio_c):.2f} times "
                    "as much: " + ("more than its share, because what it reads has sunk further (the states stored "
                                   "by the forward pass, and the weight-gradient accumulators it rewrites once a step)."
                                   if more else "not more than its share of instructions."))
    ratios = np.array([r["cost"]["float32"]["total"] / r["cost"]["float64"]["total"] for r in doc["measurements"]])
    findings.append(f"**float32 against float64.** float32 costs {ratios.min():.4f}-{ratios.max():.4f} of float64 over "
                    f"all {len(ratios)} measured steps, within {np.max(np.abs(ratios / 2 ** -1.5 - 1)):.1%} of "
                    f"2^-1.5 = {2 ** -1.5:.4f}: half the bytes are read, each from about half the depth, so each "
                    "costs about 1/sqrt(2) as much.")
    H8 = next(iter(cfg["T_sweep"]))
    for H, Ts in cfg["T_sweep"].items():
        f = fit["T"][f"H={H}"]
        total, history = f["total"], f["backward reads of forward values"]
        first, last = find(doc, int(H), Ts[0]), find(doc, int(H), Ts[-1])
        steepens = history["exponent"] < history["local_exponent"] < 1.5
        findings.append(
            f"**Against T, H = {H}.** The cost grows like T^{total['exponent']:.2f} over T = {Ts[0]}-{Ts[-1]} "
            f"(T^{total['local_exponent']:.2f} between the last two). The part that reads the stored forward values "
            f"back in the backward pass grows like T^{history['exponent']:.2f} (T^{history['local_exponent']:.2f}), "
            + ("steepening towards" if steepens else "against") + " the T^1.5 of a history read from a depth that "
            f"grows with T; its share of the cost goes from {shares(first)['backward reads forward values']:.0%} at "
            f"T = {Ts[0]} to {shares(last)['backward reads forward values']:.0%} at T = {Ts[-1]}.")
    for T, Hs in cfg["H_sweep"].items():
        p = fit["H"][f"T={T}"]["total"]
        steepens = p["exponent"] < p["local_exponent"] < 3
        findings.append(f"**Against H, T = {T}.** The cost grows like H^{p['exponent']:.2f} over H = {Hs[0]}-{Hs[-1]} "
                        f"(H^{p['local_exponent']:.2f} between the last two), "
                        + ("steepening towards" if steepens else "against") + " the H^3 of re-reading H^2 weights "
                        "every step from a depth of about H^2 values.")
    task, T = cfg["headline"][0]
    r = find(doc, cfg["headline_H"], T, task=task)
    s = shares(r)
    params = s["forward reads parameter values"] + s["backward reads parameter values"]
    findings.append(f"**Where the cost goes at the headline's size** ({r['task']}, T = {r['T']}, H = {r['H']}): "
                    f"reading parameters takes {params:.0%}, the backward pass reading its own values (gradient "
                    f"accumulators and dL/dh) {s['backward reads backward values']:.0%}, the backward pass reading the "
                    f"stored forward states {s['backward reads forward values']:.0%}.")
    ks = cfg["k_sweep"]
    full = find(doc, ks["H"], ks["T"])["cost"]["float64"]
    trunc = {kk: find(doc, ks["H"], ks["T"], kk if kk < ks["T"] else None)["cost"]["float64"]["total"] / full["total"]
             for kk in ks["k"]}
    k = cfg["truncate_k"]
    p_trunc = fit["T"][f"H={H8}, truncated k={k}"]["total"]
    cut_Ts = [T for T in cfg["T_sweep"][H8] if T > k]
    cut = [find(doc, int(H8), T, k) for T in cut_Ts]
    cut_inputs = [shares(x)["forward reads input values"] + shares(x)["backward reads input values"] for x in cut]
    p_in = power_law(cut_Ts, [x["cost"]["float64"]["by_kind_read"]["forward"]["input"]
                              + x["cost"]["float64"]["by_kind_read"]["backward"]["input"] for x in cut])
    near = max(abs(p_trunc["exponent"] - 1), abs(p_trunc["local_exponent"] - 1))
    findings.append(f"**Truncated BPTT.** At H = {ks['H']}, T = {ks['T']}, keeping k = {ks['k'][0]} step costs "
                    f"{trunc[ks['k'][0]]:.2f} of full BPTT (the forward pass alone is "
                    f"{full['forward'] / full['total']:.2f}) and k = {ks['k'][-2]} costs {trunc[ks['k'][-2]]:.2f}. "
                    f"Along the T sweep at H = {H8}, BPTT truncated to {k} steps grows like "
                    f"T^{p_trunc['exponent']:.2f} over T = {cut_Ts[0]}-{cut_Ts[-1]} (T^{p_trunc['local_exponent']:.2f} "
                    f"between the last two T), against T^{fit['T'][f'H={H8}']['total']['local_exponent']:.2f} for full "
                    "BPTT: " + (f"near-linear over this range (both exponents within {near:.2f} of 1), not linear"
                                if near <= NEAR_LINEAR else "not linear over this range")
                    + ". Its input still sinks as T grows: reading x "
                    f"takes {cut_inputs[0]:.0%} of its cost at T = {cut_Ts[0]} and {cut_inputs[-1]:.0%} at T = "
                    f"{cut_Ts[-1]}, and grows like T^{p_in['exponent']:.2f} (T^{p_in['local_exponent']:.2f}), "
                    + ("steepening towards" if p_in["exponent"] < p_in["local_exponent"] < 1.5 else "against")
                    + " the T^1.5 of values read from a depth that grows with t.")
    longest = find(doc, int(H8), cfg["T_sweep"][H8][-1])
    inputs = [shares(x)["forward reads input values"] + shares(x)["backward reads input values"]
              for x in (longest, r)]
    findings.append(f"**The input sinks too.** The sequence x is on the stack before the step starts, so x_t is read "
                    f"from below everything the first t steps pushed: reading it takes {inputs[0]:.0%} of the cost at "
                    f"H = {H8}, T = {longest['T']} and {inputs[1]:.1%} at the headline's size.")
    findings += lstm_findings(doc)
    findings += cell_findings(doc, "gru") + cell_findings(doc, "lru")
    lines += [f"- {text}" for text in findings]
    lines += ["", "Where the cost goes (fraction of the float64 ByteDMD; which pass reads values made by whom):", ""]
    cases = share_cases(doc)
    names = list(shares(cases[0][1]))
    lines.append(markdown_table(["step", *names], [[label, *(f"{shares(x)[n]:.2f}" for n in names)]
                                                      for label, x in cases]))
    fit_rows = []
    for H, Ts in cfg["T_sweep"].items():
        for part, p in fit["T"][f"H={H}"].items():
            fit_rows.append([f"T = {Ts[0]}-{Ts[-1]}, H = {H}", part, f"{p['exponent']:.2f}",
                             f"{p['local_exponent']:.2f}"])
    Ts = [T for T in cfg["T_sweep"][H8] if T > k]
    fit_rows.append([f"T = {Ts[0]}-{Ts[-1]}, H = {H8}", f"total, BPTT truncated to {k} steps",
                     f"{p_trunc['exponent']:.2f}", f"{p_trunc['local_exponent']:.2f}"])
    for T, Hs in cfg["H_sweep"].items():
        p = fit["H"][f"T={T}"]["total"]
        fit_rows.append([f"H = {Hs[0]}-{Hs[-1]}, T = {T}", "total", f"{p['exponent']:.2f}",
                         f"{p['local_exponent']:.2f}"])
    for cell in OTHER_CELLS:
        for by, other in (("T", "H"), ("H", "T")):
            for size, xs in cfg[cell][f"{by}_sweep"].items():
                for part, p in fit[cell][by][f"{other}={size}"].items():
                    name = "total, tanh cell at the same sizes" if part == "tanh total" else part
                    label = f"{OTHER_LABELS[cell]}, {by} = {xs[0]}-{xs[-1]}, {other} = {size}"
                    if cell == "lru":  # its H is N
                        label = label.replace("H =", "N =")
                    fit_rows.append([label, name, f"{p['exponent']:.2f}", f"{p['local_exponent']:.2f}"])
    lines += ["", "Power-law exponents fitted over each sweep (float64), and between its last two points:", "",
              markdown_table(["sweep", "cost", "exponent", "last pair"], fit_rows), "",
              f"Truncated BPTT at H = {ks['H']}, T = {ks['T']}, ByteDMD relative to full BPTT:", "",
              markdown_table(["k", *map(str, ks["k"])], [["cost / full", *(f"{v:.2f}" for v in trunc.values())]]),
              "", "The LSTM beside the tanh RNN at the same sizes (addition, batch 1, float64 unless marked):", "",
              markdown_table(["H", "T", "LSTM instructions, forward + backward", "LSTM ByteDMD", "forward",
                                 "backward", "backward / forward, ByteDMD", "LSTM / RNN, instructions",
                                 "LSTM / RNN, ByteDMD", "LSTM ByteDMD, float32"],
                                [lstm_row(lstm, rnn) for lstm, rnn in lstm_pairs(doc)])]
    for cell in ("gru", "lru"):
        name = OTHER_LABELS[cell]
        size = "N" if cell == "lru" else "H"
        lines += ["", f"The {name} beside the tanh RNN at the same sizes (addition, batch 1, float64 unless marked"
                  + (f"; the LRU's N complex states beside H tanh units, its position-wise layers of width "
                     f"{cfg['lru_width']}" if cell == "lru" else "") + "):", "",
                  markdown_table([size, "T", f"{name} instructions, forward + backward", f"{name} ByteDMD", "forward",
                                  "backward", "backward / forward, ByteDMD", f"{name} / RNN, instructions",
                                  f"{name} / RNN, ByteDMD", f"{name} ByteDMD, float32"],
                                 [lstm_row(a, b) for a, b in cell_pairs(doc, cell)])]
    return "\n".join(lines)


def cell_pairs(doc: dict, cell: str) -> list[tuple[dict, dict]]:
    """(record of `cell`, tanh record of the same task and sizes) for every measurement of that cell, by H then T."""
    records = sorted((r for r in doc["measurements"] if r["cell"] == cell), key=lambda r: (r["H"], r["T"]))
    return [(r, find(doc, r["H"], r["T"], r["truncate"], r["task"])) for r in records]


def lstm_pairs(doc: dict) -> list[tuple[dict, dict]]:
    """(LSTM record, tanh record of the same task and sizes) for every LSTM measurement, by H then T."""
    return cell_pairs(doc, "lstm")


def _instructions(r: dict) -> int:
    return r["instructions"]["forward"] + r["instructions"]["backward"]


def lstm_row(lstm: dict, rnn: dict) -> list:
    c, n = lstm["cost"]["float64"], lstm["instructions"]
    return [lstm["H"], lstm["T"], f"{n['forward']:,} + {n['backward']:,}", f"{c['total']:.3g}", f"{c['forward']:.3g}",
            f"{c['backward']:.3g}", f"{c['backward'] / c['forward']:.2f}",
            f"{_instructions(lstm) / _instructions(rnn):.2f}", f"{c['total'] / rnn['cost']['float64']['total']:.2f}",
            f"{lstm['cost']['float32']['total']:.3g}"]


def lstm_findings(doc: dict) -> list[str]:
    """The README's sentences about the LSTM: its cost against the tanh cell's at the same sizes, in T and in H,
    and its backward pass against its forward pass. Verbs follow the numbers."""
    cfg, fit = doc["config"], doc["fits"]["lstm"]
    pairs = lstm_pairs(doc)
    n_ratio = np.array([_instructions(a) / _instructions(b) for a, b in pairs])
    c_ratio = np.array([a["cost"]["float64"]["total"] / b["cost"]["float64"]["total"] for a, b in pairs])
    T, Hs = next(iter(cfg["lstm"]["H_sweep"].items()))
    along_H = [find(doc, H, int(T), cell="lstm")["cost"]["float64"]["total"]
               / find(doc, H, int(T))["cost"]["float64"]["total"] for H in Hs]
    rising = bool(np.all(np.diff(along_H) > 0)) and along_H[-1] < 8
    sizes = "; ".join([f"H = {H} at T = {Ts[0]}-{Ts[-1]}" for H, Ts in cfg["lstm"]["T_sweep"].items()]
                      + [f"T = {T} at H = {Hs[0]}-{Hs[-1]}" for T, Hs in cfg["lstm"]["H_sweep"].items()])
    out = [f"**The LSTM against the tanh RNN.** At the same sizes ({len(pairs)} of them: {sizes}), an LSTM step does "
           f"{n_ratio.min():.2f}-{n_ratio.max():.2f} times the tanh RNN's instructions and costs "
           f"{c_ratio.min():.2f}-{c_ratio.max():.2f} times its ByteDMD, "
           + ("more than its share of instructions: it re-reads four times the weights every step, each from below "
              "a step that pushed about four times as many values, so each read also costs about sqrt(4) = 2 times "
              "as much. " if c_ratio.min() > n_ratio.max() else "not more than its share of instructions. ")
           + f"Along H at T = {T} the ratio goes from {along_H[0]:.2f} at H = {Hs[0]} to {along_H[-1]:.2f} at "
           f"H = {Hs[-1]}" + (", rising towards the 4 x 2 = 8 of large H, where re-reading the weights is all "
                               "the cost." if rising else ".")]
    for H, Ts in cfg["lstm"]["T_sweep"].items():
        f = fit["T"][f"H={H}"]
        total, history, rnn = f["total"], f["backward reads of forward values"], f["tanh total"]
        first, last = (find(doc, int(H), T, cell="lstm") for T in (Ts[0], Ts[-1]))
        rnn_first, rnn_last = (find(doc, int(H), T) for T in (Ts[0], Ts[-1]))

        def ratio(r):
            return r["cost"]["float64"]["total"] / find(doc, r["H"], r["T"])["cost"]["float64"]["total"]

        key = "backward reads forward values"
        out.append(f"**The LSTM against T, H = {H}.** Its cost grows like T^{total['exponent']:.2f} over T = "
                   f"{Ts[0]}-{Ts[-1]} (T^{total['local_exponent']:.2f} between the last two), the tanh RNN's like "
                   f"T^{rnn['exponent']:.2f} (T^{rnn['local_exponent']:.2f}) over the same T, so the ratio goes from "
                   f"{ratio(first):.2f} to {ratio(last):.2f}. An LSTM step stores seven values per unit that BPTT "
                   f"reads back (four gates, c, tanh c and h), the tanh cell one (h): the part of the cost that reads "
                   f"them grows like T^{history['exponent']:.2f} "
                   f"(T^{history['local_exponent']:.2f}) and its share of the cost goes from "
                   f"{shares(first)[key]:.0%} at T = {Ts[0]} to {shares(last)[key]:.0%} at T = {Ts[-1]} (the tanh "
                   f"RNN's: {shares(rnn_first)[key]:.0%} to {shares(rnn_last)[key]:.0%}).")
    for T, Hs in cfg["lstm"]["H_sweep"].items():
        p, rnn = fit["H"][f"T={T}"]["total"], fit["H"][f"T={T}"]["tanh total"]
        out.append(f"**The LSTM against H, T = {T}.** Its cost grows like H^{p['exponent']:.2f} over H = "
                   f"{Hs[0]}-{Hs[-1]} (H^{p['local_exponent']:.2f} between the last two), the tanh RNN's like "
                   f"H^{rnn['exponent']:.2f} (H^{rnn['local_exponent']:.2f}) over the same H: "
                   + ("the same power, a larger constant." if abs(p["local_exponent"] - rnn["local_exponent"]) < 0.1
                      else "a different power."))
    n_bf = np.array([a["instructions"]["backward"] / a["instructions"]["forward"] for a, _ in pairs])
    c_bf = np.array([a["cost"]["float64"]["backward"] / a["cost"]["float64"]["forward"] for a, _ in pairs])
    rnn_n = np.array([b["instructions"]["backward"] / b["instructions"]["forward"] for _, b in pairs])
    rnn_c = np.array([b["cost"]["float64"]["backward"] / b["cost"]["float64"]["forward"] for _, b in pairs])
    top = int(np.argmax(c_bf))
    top_history = int(np.argmax([shares(a)["backward reads forward values"] for a, _ in pairs]))
    out.append(f"**The LSTM's backward against its forward pass.** At its {len(pairs)} sizes the backward pass does "
               f"{n_bf.min():.2f}-{n_bf.max():.2f} times the forward pass's instructions and costs "
               f"{c_bf.min():.2f}-{c_bf.max():.2f} times as much, the most at H = {pairs[top][0]['H']}, "
               f"T = {pairs[top][0]['T']}" + (", where reading the stored forward values takes the largest share "
                                               "of its cost" if top == top_history else "")
               + f" (the tanh RNN at the same sizes: "
               f"{rnn_n.min():.2f}-{rnn_n.max():.2f} and {rnn_c.min():.2f}-{rnn_c.max():.2f}).")
    return out


def _times_text(ratio: float) -> str:
    """'5.04 times' for a ratio above 1, '0.026 of' below it: how one cost stands to another in prose."""
    return f"{ratio:.3g} times" if ratio >= 1 else f"{ratio:.2g} of"


def beside_lstm(doc: dict, cell: str) -> str:
    """A sentence on `cell`'s ByteDMD against the LSTM's at the sizes both were measured at ('' where none)."""
    lstm = {(r["task"], r["H"], r["T"], r["truncate"]): r for r in doc["measurements"] if r["cell"] == "lstm"}
    ratios = [(r["cost"]["float64"]["total"] / other["cost"]["float64"]["total"], r["H"], r["T"])
              for r in doc["measurements"] if r["cell"] == cell
              if (other := lstm.get((r["task"], r["H"], r["T"], r["truncate"]))) is not None]
    if not ratios:
        return ""
    low, high = min(ratios), max(ratios)
    size = "N = H" if cell == "lru" else "H"
    return (f" Beside the LSTM at the {len(ratios)} sizes both were measured at, it costs {low[0]:.3g}-{high[0]:.3g} "
            f"times the LSTM's ByteDMD (the least at {size} = {low[1]}, T = {low[2]}; the most at {size} = "
            f"{high[1]}, T = {high[2]}).")


def cell_findings(doc: dict, cell: str) -> list[str]:
    """The README's sentences about the GRU or the LRU beside the tanh cell at the same sizes (the LRU's N in the
    place of H): the ratios of instructions and ByteDMD, the exponents in T and in the size, and the share of the
    cost that reads the stored forward values. Verbs follow the numbers."""
    cfg, fit = doc["config"], doc["fits"][cell]
    name = OTHER_LABELS[cell]
    size = "N" if cell == "lru" else "H"
    pairs = cell_pairs(doc, cell)
    n_ratio = np.array([_instructions(a) / _instructions(b) for a, b in pairs])
    c_ratio = np.array([a["cost"]["float64"]["total"] / b["cost"]["float64"]["total"] for a, b in pairs])
    more = int(np.sum(c_ratio > n_ratio))
    if more == len(pairs):
        share = "more than its share of instructions at every size"
    elif more == 0:
        share = "less than its share of instructions at every size"
    else:
        share = f"more than its share of instructions at {more} of the {len(pairs)} sizes"
    top = pairs[int(np.argmax([a["H"] for a, _ in pairs]))]
    out = [f"**The {name} against the tanh RNN.** At the same sizes ({len(pairs)} of them"
           + (f", N complex states beside H tanh units, position-wise layers of width {cfg['lru_width']}"
              if cell == "lru" else "") + f"), {'an' if cell == 'lru' else 'a'} {name} step does {n_ratio.min():.2f}-{n_ratio.max():.2f} times the "
           f"tanh RNN's instructions and costs {c_ratio.min():.2f}-{c_ratio.max():.2f} times its ByteDMD, {share}; at "
           f"the largest, {size} = {top[0]['H']} and T = {top[0]['T']}, {_instructions(top[0]) / top[0]['T']:,.0f} "
           f"instructions a step against the tanh RNN's {_instructions(top[1]) / top[1]['T']:,.0f}, and "
           f"{_times_text(top[0]['cost']['float64']['total'] / top[1]['cost']['float64']['total'])} its ByteDMD."
           + beside_lstm(doc, cell)]
    key = "backward reads forward values"
    for H, Ts in cfg[cell]["T_sweep"].items():
        f = fit["T"][f"H={H}"]
        total, history, rnn = f["total"], f["backward reads of forward values"], f["tanh total"]
        first, last = (find(doc, int(H), T, cell=cell) for T in (Ts[0], Ts[-1]))
        rnn_first, rnn_last = (find(doc, int(H), T) for T in (Ts[0], Ts[-1]))
        out.append(f"**The {name} against T, {size} = {H}.** Its cost grows like T^{total['exponent']:.2f} over T = "
                   f"{Ts[0]}-{Ts[-1]} (T^{total['local_exponent']:.2f} between the last two), the tanh RNN's like "
                   f"T^{rnn['exponent']:.2f} (T^{rnn['local_exponent']:.2f}); the part that reads its stored forward "
                   f"values grows like T^{history['exponent']:.2f} (T^{history['local_exponent']:.2f}), its share of "
                   f"the cost from {shares(first)[key]:.0%} at T = {Ts[0]} to {shares(last)[key]:.0%} at T = "
                   f"{Ts[-1]} (the tanh RNN's: {shares(rnn_first)[key]:.0%} to {shares(rnn_last)[key]:.0%}).")
    for T, Hs in cfg[cell]["H_sweep"].items():
        p, rnn = fit["H"][f"T={T}"]["total"], fit["H"][f"T={T}"]["tanh total"]
        out.append(f"**The {name} against {size}, T = {T}.** Its cost grows like {size}^{p['exponent']:.2f} over "
                   f"{size} = {Hs[0]}-{Hs[-1]} ({size}^{p['local_exponent']:.2f} between the last two), the tanh RNN's "
                   f"like H^{rnn['exponent']:.2f} (H^{rnn['local_exponent']:.2f}) over the same sizes.")
    return out


# ----------------------------------------------------------------------------------------------------------------
# command line


def draw(args: argparse.Namespace, doc: dict) -> Figure:
    try:
        return plot(doc)
    except KeyError as err:  # a file of the right schema version with a part missing
        raise AnalysisError(f"{args.results}: no {err} in the file; rerun {PROG} run") from None


ANALYSIS = Analysis(PROG, __doc__, (
    Command("run", "trace and price every step of the grids -> a JSON results file",
            "Trace one training step per grid point (T sweeps, H sweeps, truncated BPTT, the headline sizes; the "
            "LSTM's, GRU's and LRU's T and H sweeps), price each at float64 and float32, fit the exponents, and write "
            "the results atomically. The full grids take about three minutes of CPU on one core and about 1 GB of memory at "
            "the most.",
            (Option("--out", default="results/bytedmd.json", help="results file (default: %(default)s)"),
             Option("--quick", action="store_true", help="tiny grids, well under a second (a smoke test)"),
             Option("--quiet", action="store_true", help="no progress line per grid point")),
            make=lambda args, _: run(args.quick, None if args.quiet else print)),
    Command("plot", "draw a results file -> a PNG (never traces)",
            "Draw the four panels of a results file of `run`; never traces.",
            (Option("--results", default="results/bytedmd.json", help="results file of run (default: %(default)s)"),
             Option("--out", default=os.path.join("viz", "bytedmd.png"), help="PNG (default: %(default)s)")),
            make=draw, read=lambda args: load(args.results)),
))


# the module's command line, as `python -m rnnpath analyze bytedmd` runs it
build_parser, main = ANALYSIS.build_parser, rp.script_main(ANALYSIS.main)
