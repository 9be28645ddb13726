"""The suite's statistics, in one place: Wilson intervals for success rates, and medians with their range."""

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
