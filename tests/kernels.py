"""Comparing what the code computes now with what a committed file holds, on any CPU.

The same code gives the same bits only under the same BLAS library, version and kernel on the same CPU model with
the same SIMD extensions (rp.same_kernel): OpenBLAS picks its kernels by CPU, the kernels round differently in the
last digit, and so does one kernel on two CPU models, as do numpy's own loops (tanh, exp) on CPUs with and without
AVX-512. Where the running kernel on this CPU model with these extensions made the file,
a retrain must equal it exactly; elsewhere it must agree to a stated relative tolerance, which the last-digit
differences (about 1e-16 per product in float64, 6e-8 in float32) stay far below over the first epochs, before they
have grown, and which a real change of the code (a different loss, gradient or init) misses by orders of magnitude.
"""

import numpy as np
import pytest

import rnn_pathological as rp

# Measured between OpenBLAS's Haswell and SkylakeX kernels: at most 5e-13 relative after the first two epochs of the
# headline runs, 1e-12 on an orthogonal init; a 1e-9 tolerance leaves three orders of magnitude of margin either way.
RTOL = 1e-9
# A float32 run rounds every product to 24 bits, so two kernels' first epochs part in the 7th or 8th digit (5e-8
# relative measured on family_float32's and sutskever_lr's records); 1e-5 keeps two orders of margin and still
# misses a real change of the code (a different loss or init moves the first epoch's loss by far more).
RTOL_FLOAT32 = 1e-5


def rtol_for(config: dict) -> float:
    """The cross-kernel tolerance of a record trained with `config`: RTOL_FLOAT32 for --dtype float32, else RTOL."""
    return RTOL_FLOAT32 if rp.full_config(config)["dtype"] == "float32" else RTOL


def assert_same_numbers(actual, desired, environment: dict | None, rtol: float = RTOL, where: str = "") -> None:
    """actual == desired exactly where the BLAS that made `desired` (its file's environment block) is the one running
    now; otherwise every float equal to rtol, and the rest (dict keys, lengths, ints, strings, None) exactly."""
    _compare(actual, desired, where, 0.0 if rp.same_kernel(environment) else rtol)


def _compare(actual, desired, where: str, rtol: float) -> None:
    if isinstance(desired, np.ndarray) or isinstance(actual, np.ndarray):
        actual, desired = np.asarray(actual).tolist(), np.asarray(desired).tolist()
    if isinstance(desired, dict):
        assert isinstance(actual, dict) and actual.keys() == desired.keys(), where
        for key in desired:
            _compare(actual[key], desired[key], f"{where}/{key}", rtol)
    elif isinstance(desired, (list, tuple)):
        assert isinstance(actual, (list, tuple)) and len(actual) == len(desired), where
        for i, (a, d) in enumerate(zip(actual, desired, strict=True)):
            _compare(a, d, f"{where}[{i}]", rtol)
    elif isinstance(desired, float) and rtol > 0:
        assert actual == pytest.approx(desired, rel=rtol, abs=0.0), f"{where}: {actual!r} != {desired!r}"
    else:
        assert actual == desired, f"{where}: {actual!r} != {desired!r}"
