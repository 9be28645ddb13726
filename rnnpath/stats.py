"""The suite's statistics, in one place: Wilson intervals for success rates, Fisher's exact test for two arms of
one cell, the exact binomial test of one count against a published rate, the exact rank-sum test for two samples
(epochs to solve), the exact signed-rank test for paired ones (the same seeds measured twice), and medians with
their range."""

from __future__ import annotations

import math

import numpy as np

import rnn_pathological as rp


def wilson_interval(k: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion k/n (Wilson 1927); z = 1.96 gives 95%.

    Unlike the normal (Wald) interval it stays inside [0, 1] and is not degenerate at k = 0 or k = n, which is
    where small sweeps of a working (or a failing) init land. n = 0 gives the uninformative (0, 1).
    """
    if n == 0:
        return 0.0, 1.0
    if not 0 <= k <= n:
        raise ValueError(f"need 0 <= k <= n, got k={k}, n={n}")
    p = k / n
    z2 = z * z
    denom = 1.0 + z2 / n
    centre = (p + z2 / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denom
    # at k = 0 (k = n) the lower (upper) end is exactly 0 (1): set it, rather than leave a rounding error
    return (0.0 if k == 0 else max(0.0, centre - half)), (1.0 if k == n else min(1.0, centre + half))


def median_range(values: list[float], metric_name: str) -> str:
    """'0.912 [0.850, 0.990]', or '-' when empty."""
    if not values:
        return "-"
    v = np.asarray(values, dtype=float)
    return (
        f"{rp.format_metric(float(np.median(v)), metric_name)} "
        f"[{rp.format_metric(float(v.min()), metric_name)}, {rp.format_metric(float(v.max()), metric_name)}]"
    )


LARGE_TABLE = 1500  # runs in both arms together above which fisher_exact sums in floating point (its tables of
# seeds' runs stay below; a seed's 1000 held-out cases against a paper's 1000 go above)


def fisher_exact(k1: int, n1: int, k2: int, n2: int) -> float:
    """Two-sided p-value of Fisher's exact test (Fisher 1922) that two arms share one success rate: k1 of n1 runs
    against k2 of n2. Conditioned on the margins, the first arm's count is hypergeometric; the p-value sums the
    probabilities of every table no more probable than the one observed (the rule of R's fisher.test and
    scipy.stats.fisher_exact), with a relative tolerance of 1e-7 so that ties in exact arithmetic stay ties.

    The statistic for "more runs solve" with a handful of seeds: 2/5 against 0/5 gives p = 0.44, a difference the
    test cannot tell from chance; 10/10 against 0/10 gives p = 1.1e-5."""
    for k, n in ((k1, n1), (k2, n2)):
        if not 0 <= k <= n:
            raise ValueError(f"need 0 <= k <= n, got {k}/{n}")
    successes, total = k1 + k2, n1 + n2
    lo, hi = max(0, successes - n2), min(successes, n1)

    def log_comb(n: int, k: int) -> float:
        return math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)

    def probability(k: int) -> float:  # P(first arm has k successes | margins)
        if total > LARGE_TABLE:  # the same, from log-gammas: exact integers this large take a second a test
            return math.exp(log_comb(n1, k) + log_comb(n2, successes - k) - log_comb(total, successes))
        return math.comb(n1, k) * math.comb(n2, successes - k) / math.comb(total, successes)

    observed = probability(k1)
    p = sum(q for q in map(probability, range(lo, hi + 1)) if q <= observed * (1 + 1e-7))
    return min(1.0, p)


def mcnemar_exact(b: int, c: int) -> float:
    """Two-sided p-value of McNemar's exact test (McNemar 1947) on paired runs, from their discordant pairs alone:
    b pairs where only the first condition succeeded, c where only the second. Under the null each discordant pair
    goes either way with probability 1/2, so min(b, c) is binomial(b + c, 1/2); the p-value doubles its lower tail
    (1 when b = c). Paired by seed, it uses what Fisher's test on two counts throws away: 9 flips against 8 give
    p = 1; 0 against 6 give p = 0.031."""
    if b < 0 or c < 0:
        raise ValueError(f"need counts >= 0, got {b} and {c}")
    n = b + c
    if n == 0:
        return 1.0
    tail = sum(math.comb(n, i) for i in range(min(b, c) + 1)) / 2 ** n
    return min(1.0, 2 * tail)


def binomial_exact(k: int, n: int, p: float) -> float:
    """Two-sided p-value of the exact binomial test that k successes in n trials come from a rate p: the summed
    probability of every count no more probable than k (the rule of R's binom.test), with fisher_exact's relative
    tolerance. In logarithms, so that n in the tens of thousands and p near 0 stay finite: 12 wrong of 1000 against
    a published 0.00025 gives about 1e-16."""
    if not 0 <= k <= n:
        raise ValueError(f"need 0 <= k <= n, got {k}/{n}")
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"need a rate in [0, 1], got {p}")
    if p in (0.0, 1.0):  # every trial the same: only that count is possible
        return 1.0 if k == (n if p == 1.0 else 0) else 0.0

    def log_probability(j: int) -> float:
        return (math.lgamma(n + 1) - math.lgamma(j + 1) - math.lgamma(n - j + 1) + j * math.log(p)
                + (n - j) * math.log1p(-p))

    observed = log_probability(k)
    total = sum(math.exp(q) for q in map(log_probability, range(n + 1)) if q <= observed + 1e-7)
    return min(1.0, total)


def p_text(p: float) -> str:
    """'0.44' (two significant digits), '< 0.001' below that: a p-value as the answers print it."""
    return "< 0.001" if p < 0.001 else f"{p:.2g}"


def fisher_text(k1: int, n1: int, k2: int, n2: int) -> str:
    """'Fisher p = 0.44' (two significant digits; 'p < 0.001' below that), for a sentence that compares two arms."""
    p = fisher_exact(k1, n1, k2, n2)
    return "Fisher p < 0.001" if p < 0.001 else f"Fisher p = {p_text(p)}"



def midranks(values: list[float]) -> list[float]:
    """Ranks 1..N of `values`, ties given the mean of the ranks they span (inf, a run that never got there, ties
    with the other infs at the top)."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    ranks = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return ranks


def rank_sum_exact(x: list[float], y: list[float]) -> float:
    """Two-sided p of the Wilcoxon-Mann-Whitney rank-sum test, exact: the share of the C(N, m) equally likely ways
    to split the N pooled values into m and N - m whose rank sum for the first group lies at least as far from its
    mean m (N + 1) / 2 as x's does. Ties take mid-ranks (the permutation distribution of those ranks, so still
    exact); inf stands for "never" and ties at the top. Counted by dynamic programming over the doubled (integer)
    ranks: subsets of each size and sum."""
    m, n = len(x), len(y)
    if m == 0 or n == 0:
        return 1.0
    doubled = [round(2 * r) for r in midranks(list(x) + list(y))]
    N, total = m + n, sum(doubled)
    counts = [{} for _ in range(m + 1)]  # counts[j][s]: subsets of size j with doubled-rank sum s
    counts[0][0] = 1
    for r in doubled:
        for j in range(min(m, N) - 1, -1, -1):
            for s, c in counts[j].items():
                counts[j + 1][s + r] = counts[j + 1].get(s + r, 0) + c
    observed = abs(N * sum(doubled[:m]) - m * total)
    extreme = sum(c for s, c in counts[m].items() if abs(N * s - m * total) >= observed)
    return min(1.0, extreme / math.comb(N, m))


def rank_sum_text(x: list[float], y: list[float]) -> str:
    """'rank-sum p = 0.003' (exact, two-sided; 'p < 0.001' below that), for a sentence that compares two samples."""
    p = rank_sum_exact(x, y)
    return "exact rank-sum p < 0.001" if p < 0.001 else f"exact rank-sum p = {p_text(p)}"


def signed_rank_exact(d: list[float]) -> float:
    """Two-sided p of the Wilcoxon signed-rank test on paired differences d (the same seed under two conditions),
    exact: zeros dropped (Wilcoxon's rule), the others ranked by |d| with mid-ranks for ties; under the null each
    difference's sign is + or - with probability 1/2, independently, so every one of the 2^n sign patterns is
    equally likely, and p is the share of them whose signed rank sum lies at least as far from 0 as the observed.
    Counted by dynamic programming over the doubled (integer) ranks. With n pairs p cannot go below 2 / 2^n: five
    seeds all one way give p = 0.0625, ten give 0.002."""
    nonzero = [float(v) for v in d if v != 0]
    n = len(nonzero)
    if n == 0:
        return 1.0
    doubled = [round(2 * r) for r in midranks([abs(v) for v in nonzero])]
    total = sum(doubled)
    counts = {0: 1}  # counts[s]: sign patterns whose doubled positive-rank sum is s
    for r in doubled:
        nxt = dict(counts)
        for s, c in counts.items():
            nxt[s + r] = nxt.get(s + r, 0) + c
        counts = nxt
    positive = sum(r for r, v in zip(doubled, nonzero, strict=True) if v > 0)
    observed = abs(2 * positive - total)  # the signed sum W+ - W-, doubled
    extreme = sum(c for s, c in counts.items() if abs(2 * s - total) >= observed)
    return min(1.0, extreme / 2 ** n)


def holm(pvalues: list[float]) -> list[float]:
    """Holm's step-down adjusted p-values (Holm 1979), in the order given: the k-th smallest p times (m - k + 1),
    made non-decreasing along the sorted order and capped at 1. A family of m comparisons keeps a difference at
    level alpha where its adjusted p is below alpha, which bounds the chance of any false call by alpha."""
    m = len(pvalues)
    order = sorted(range(m), key=lambda i: pvalues[i])
    adjusted, running = [0.0] * m, 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * pvalues[i]))
        adjusted[i] = running
    return adjusted


def fisher_min_p(k1: int, n1: int, k2: int, n2: int) -> float:
    """The smallest two-sided Fisher p any split of the k1 + k2 successes between the two samples of sizes n1 and n2
    could give (the margins fixed): a comparison whose smallest p is not below a level can never be significant at
    it, so a screen at that level (after Tarone 1990, whose own rule iterates it) leaves it out of the family a
    multiple-comparison correction counts, which keeps the correction valid."""
    K = k1 + k2
    return min(fisher_exact(a, n1, K - a, n2) for a in range(max(0, K - n2), min(K, n1) + 1))
