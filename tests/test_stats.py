"""rnnpath.stats: the Wilson interval of a success rate and Fisher's exact test between two arms, against known
values."""

import pytest

from rnnpath import stats


@pytest.mark.parametrize("k, n, expected", [(0, 10, (0.0, 0.2775)), (5, 10, (0.2366, 0.7634)),
                                            (10, 10, (0.7225, 1.0)), (1, 3, (0.0615, 0.7923))])
def test_wilson_interval_known_values(k, n, expected):
    lo, hi = stats.wilson_interval(k, n)
    assert lo == pytest.approx(expected[0], abs=1e-4) and hi == pytest.approx(expected[1], abs=1e-4)
    assert 0.0 <= lo <= k / n <= hi <= 1.0


def test_wilson_interval_edge_cases():
    assert stats.wilson_interval(0, 0) == (0.0, 1.0)
    with pytest.raises(ValueError):
        stats.wilson_interval(4, 3)


@pytest.mark.parametrize("table, expected", [
    ((3, 4, 1, 4), 0.48571428571428565),  # Fisher's tea-tasting lady: 3 of 4 cups right against 1 of 4
    ((1, 12, 9, 12), 0.0027594561852200836),  # scipy.stats.fisher_exact's documented [[1, 9], [11, 3]], transposed
    ((2, 5, 0, 5), 0.4444444444444444),  # the frontier's 2/5 against 0/5
    ((10, 10, 0, 10), 1.0825088224469026e-05),
    ((0, 3, 0, 3), 1.0),
])
def test_fisher_exact_known_values(table, expected):
    assert stats.fisher_exact(*table) == pytest.approx(expected, rel=1e-8)
    k1, n1, k2, n2 = table
    assert stats.fisher_exact(k2, n2, k1, n1) == pytest.approx(expected, rel=1e-8)  # symmetric in the arms


def test_fisher_text_and_bad_counts():
    assert stats.fisher_text(2, 5, 0, 5) == "Fisher p = 0.44"
    assert stats.fisher_text(10, 10, 0, 10) == "Fisher p < 0.001"
    with pytest.raises(ValueError):
        stats.fisher_exact(6, 5, 0, 5)


def test_rank_sum_exact_against_known_values():
    # complete separation: 2 of the C(N, m) splits are as extreme (scipy.stats.mannwhitneyu, method="exact")
    assert stats.rank_sum_exact([1, 2, 3], [4, 5, 6]) == pytest.approx(0.1)
    assert stats.rank_sum_exact(list(range(10)), list(range(10, 20))) == pytest.approx(2 / 184756)
    assert stats.rank_sum_exact([1, 2, 3], [4, 5, 6]) == stats.rank_sum_exact([4, 5, 6], [1, 2, 3])
    # interleaved samples: nothing to tell apart
    # 48 of the 70 splits of ranks 1..8 have a sum at least 2 from the mean 18
    assert stats.rank_sum_exact([1, 3, 5, 7], [2, 4, 6, 8]) == pytest.approx(48 / 70)
    assert stats.rank_sum_exact([1, 4, 5, 8], [2, 3, 6, 7]) == 1.0
    # x = [1, 2], y = [3, 4, 5]: sums of 2 ranks of 5; |s - 6| >= 3 for s in {3, 9}: 2 of 10 splits
    assert stats.rank_sum_exact([1, 2], [3, 4, 5]) == pytest.approx(0.2)


def test_rank_sum_exact_with_ties_and_never():
    """Mid-ranks for ties; inf ('never') ties at the top. Checked against a brute-force permutation count."""
    import itertools

    x, y = [3, 5, 5, float("inf")], [5, 7, float("inf"), float("inf"), 9]
    ranks = stats.midranks(x + y)
    assert ranks[1] == ranks[2] == ranks[4] == 3.0 and ranks[3] == ranks[6] == ranks[7] == 8.0
    pooled, m = ranks, len(x)
    mean = m * sum(pooled) / len(pooled)
    observed = abs(sum(pooled[:m]) - mean)
    splits = list(itertools.combinations(range(len(pooled)), m))
    brute = sum(abs(sum(pooled[i] for i in s) - mean) >= observed - 1e-12 for s in splits) / len(splits)
    assert stats.rank_sum_exact(x, y) == pytest.approx(brute)
    assert stats.rank_sum_text([1, 2, 3], [4, 5, 6]) == "exact rank-sum p = 0.1"


def test_holm_adjusts_step_down_and_keeps_the_order_given():
    """Holm 1979 by hand: p = (0.01, 0.04, 0.03, 0.005) sorted 0.005, 0.01, 0.03, 0.04 times 4, 3, 2, 1 gives 0.02,
    0.03, 0.06, 0.04, made non-decreasing 0.02, 0.03, 0.06, 0.06; returned in the order given."""
    assert stats.holm([0.01, 0.04, 0.03, 0.005]) == pytest.approx([0.03, 0.06, 0.06, 0.02])
    assert stats.holm([0.5, 0.9]) == [1.0, 1.0] and stats.holm([]) == [] and stats.holm([0.02]) == [0.02]


def test_the_smallest_attainable_fisher_p_is_the_most_lopsided_split():
    """fisher_min_p: 3 + 2 successes in two samples of 10 can at most be split 5/10 against 0/10 (p = 0.0325); no
    successes at all, or every run a success, leave one table (p = 1)."""
    assert stats.fisher_min_p(3, 10, 2, 10) == pytest.approx(stats.fisher_exact(5, 10, 0, 10))
    assert stats.fisher_min_p(0, 10, 0, 10) == 1 and stats.fisher_min_p(10, 10, 10, 10) == 1
    assert stats.fisher_min_p(1, 5, 0, 5) == 1  # one success cannot be told from chance wherever it falls


def test_mcnemar_exact_counts_the_discordant_pairs_alone():
    """Two-sided exact McNemar: doubled binomial(b + c, 1/2) tail at min(b, c); values by hand."""
    assert stats.mcnemar_exact(9, 8) == 1.0 and stats.mcnemar_exact(0, 0) == 1.0
    assert stats.mcnemar_exact(0, 6) == pytest.approx(2 / 64)
    assert stats.mcnemar_exact(1, 9) == pytest.approx(2 * 11 / 1024)
    assert stats.mcnemar_exact(3, 1) == stats.mcnemar_exact(1, 3) == pytest.approx(2 * 5 / 16)
    with pytest.raises(ValueError):
        stats.mcnemar_exact(-1, 2)


def test_signed_rank_exact_against_known_values_and_brute_force():
    """Every sign pattern equally likely: n pairs all one way give 2 / 2^n; zeros are dropped; ties take mid-ranks
    (checked against enumerating the 2^n patterns); the text's wording."""
    import itertools

    assert stats.signed_rank_exact([1, 2, 3, 4, 5]) == pytest.approx(2 / 32)
    assert stats.signed_rank_exact([-0.3] * 10) == pytest.approx(2 / 1024)
    assert stats.signed_rank_exact([1, -2, 3, -4, 0]) == stats.signed_rank_exact([1, -2, 3, -4])
    assert stats.signed_rank_exact([]) == 1.0 and stats.signed_rank_exact([0, 0]) == 1.0
    # W+ = 1 + 2 = 3 of ranks 1..4 (total 10): |2 W+ - 10| = 4; patterns with W+ <= 3 or >= 7: 5 + 5 of 16
    assert stats.signed_rank_exact([1, 2, -3, -4]) == pytest.approx(10 / 16)
    d = [0.5, -1.5, 1.5, 2.0, 2.0, -3.0, 4.0]
    ranks = stats.midranks([abs(v) for v in d])
    observed = abs(sum(r if v > 0 else -r for r, v in zip(ranks, d, strict=True)))
    brute = sum(abs(sum(r * s for r, s in zip(ranks, signs, strict=True))) >= observed - 1e-12
                for signs in itertools.product((1, -1), repeat=len(d))) / 2 ** len(d)
    assert stats.signed_rank_exact(d) == pytest.approx(brute)
    assert stats.signed_rank_exact([1, 2, 3, 4, 5]) == pytest.approx(0.0625)  # 2 of 32 sign patterns as extreme


def test_the_binomial_test_sums_the_counts_no_more_probable_than_the_one_seen():
    """Against enumeration, and R's binom.test: 3 of 10 at 0.5 gives 0.34375; a rate of 0 or 1 allows one count."""
    import math

    for k, n, p in ((3, 10, 0.5), (0, 12, 0.1), (7, 9, 0.3), (5, 5, 0.9)):
        probs = [math.comb(n, j) * p ** j * (1 - p) ** (n - j) for j in range(n + 1)]
        assert stats.binomial_exact(k, n, p) == pytest.approx(
            min(1.0, sum(q for q in probs if q <= probs[k] * (1 + 1e-7))), rel=1e-9)
    assert stats.binomial_exact(3, 10, 0.5) == pytest.approx(0.34375)
    assert stats.binomial_exact(0, 1000, 0.00025) == pytest.approx(1.0)
    assert stats.binomial_exact(12, 1000, 0.00025) < 1e-12
    assert stats.binomial_exact(0, 5, 0.0) == 1.0 and stats.binomial_exact(1, 5, 0.0) == 0.0
    with pytest.raises(ValueError):
        stats.binomial_exact(3, 2, 0.5)


def test_fishers_test_on_large_tables_sums_the_same_in_floating_point(monkeypatch):
    """Above LARGE_TABLE runs the hypergeometric probabilities come from log-gammas; they give the exact sum's
    p-value to 1e-9 (checked by lifting the threshold), in a fraction of its time."""
    fast = [stats.fisher_exact(k, 1000, j, 1000) for k, j in ((955, 970), (235, 999), (1000, 1000), (3, 0))]
    monkeypatch.setattr(stats, "LARGE_TABLE", 10 ** 9)
    exact = [stats.fisher_exact(k, 1000, j, 1000) for k, j in ((955, 970), (235, 999), (1000, 1000), (3, 0))]
    assert fast == pytest.approx(exact, rel=1e-9, abs=1e-300)
