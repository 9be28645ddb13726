"""Per-case criteria for the regression tasks: how many cases a predictor that holds the first marker only coarsely
gets wrong, and the fraction of wrong cases a solved run must stay below so that no such predictor can meet it.

A case is wrong when |prediction - target| > 0.04 (Sutskever et al. 2013, after Hochreiter & Schmidhuber 1997; the
engine's SUTSKEVER_TOLERANCE and the records' `frac_wrong`). The partial predictors studied here know the later
marked value X2 exactly and `bits` bits of the earlier one X1: which of 2^bits equal bins of X1's range it lies in.

The distribution, from the generators (rnn_pathological.addition, .multiplication): every value of the sequence is
rng.random(), so X1 and X2 are independent and uniform on [0, 1) (the layout only picks which steps are marked and
draws no values); the target is X1 + X2 or X1 X2. Bin k of X1 is [k w, (k + 1) w) with w = 2^-bits.
"""

from __future__ import annotations

import numpy as np

import rnn_pathological as rp

TOLERANCE = rp.SUTSKEVER_TOLERANCE  # 0.04: a case is wrong when |prediction - target| exceeds it
REGRESSION_TASKS = ("addition", "multiplication")
SAFETY_FACTOR = rp.PER_CASE_SAFETY  # the threshold is this fraction of the best partial predictor's wrong fraction


def _check(task: str, bits: int) -> None:
    if task not in REGRESSION_TASKS:
        raise ValueError(f"per-case criteria apply to {', '.join(REGRESSION_TASKS)}, not to {task!r}")
    if int(bits) != bits or bits < 0:
        raise ValueError(f"bits must be a non-negative integer, got {bits!r}")


# the closed form and the threshold live in the engine's task table (rp.partial_predictor_wrong, derived in its
# docstring; rp.per_case_threshold); this module checks them by simulation
partial_predictor_wrong = rp.partial_predictor_wrong
per_case_threshold = rp.per_case_threshold


def marked_values(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(X1, X2): the earlier and the later marked value of each sequence of a two-marker batch x (L, B, 2)."""
    marked = x[:, :, 1] > 0.5
    first = np.argmax(marked, axis=0)
    second = x.shape[0] - 1 - np.argmax(marked[::-1], axis=0)
    batch = np.arange(x.shape[1])
    return x[first, batch, 0], x[second, batch, 0]


def _guess(task: str, x2: np.ndarray, m: np.ndarray | float) -> np.ndarray:
    """The partial predictor's output for a guess m of X1: X2 + m or X2 m."""
    return x2 + m if task == "addition" else x2 * m


def monte_carlo_wrong(task: str, bits: int, n: int, rng: np.random.Generator, sequence_len: int = 2,
                      layout: str = "halves", grid: int = 257) -> tuple[float, float]:
    """The best partial predictor's wrong fraction by simulation: (estimate, standard error).

    Draws 2 batches of n cases from the engine's generator (rp.generate_batch with the explicit rng), reads X1 and
    X2 back from the inputs, fits the predictor on the first and measures it on the second (held out). The
    predictor outputs X2 + m_k (addition) or X2 m_k (multiplication) in bin k of X1, where m_k, a guess of X1, is
    the point of a grid of `grid` points across bin k that gets the most fitting cases within 0.04 of their target
    (the middle one of those tied for the most: with 4 bits every guess near the centre gets all of them right).
    This family holds the optimum: X1 is independent of X2, and the bin's centre is a best guess for every X2 (see
    partial_predictor_wrong). Since m_k is fitted, the held-out estimate is that of a slightly suboptimal predictor,
    unbiased for it, so at or above the closed form in expectation; the standard error is sqrt(p (1 - p) / n).
    """
    _check(task, bits)
    n_bins = 2**bits

    def draw():
        x, y = rp.generate_batch(task, sequence_len, n, rng, layout)
        x1, x2 = marked_values(x)
        return np.minimum((x1 * n_bins).astype(int), n_bins - 1), x2, y

    fit_bin, fit_x2, fit_y = draw()
    guesses = np.empty(n_bins)
    for k in range(n_bins):
        inside = fit_bin == k
        candidates = np.linspace(k / n_bins, (k + 1) / n_bins, grid)
        right = np.abs(_guess(task, fit_x2[inside, None], candidates[None, :]) - fit_y[inside, None]) <= TOLERANCE
        counts = right.sum(axis=0)
        tied = candidates[counts == counts.max()]
        guesses[k] = tied[len(tied) // 2]  # the middle of the tied best guesses, not the bin's edge
    test_bin, test_x2, test_y = draw()
    p = float(np.mean(np.abs(_guess(task, test_x2, guesses[test_bin]) - test_y) > TOLERANCE))
    return p, float(np.sqrt(p * (1 - p) / n))
