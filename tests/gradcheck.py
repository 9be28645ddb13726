"""Central-difference gradient checks shared by the cell tests (test_gru.py, test_lru.py): the differences of a loss
over every entry of the named parameters, and the assertion that the hand-written gradient agrees with them."""

from collections.abc import Callable

import numpy as np


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(a) + np.linalg.norm(b), 1e-30))


def central_differences(loss: Callable[[], float], params: dict[str, np.ndarray], names,
                        eps: float = 1e-6) -> dict[str, np.ndarray]:
    """{name: (loss(p + eps) - loss(p - eps)) / (2 eps)} entry by entry; `loss` reads `params`, changed in place and
    restored."""
    grads = {}
    for name in names:
        p, g = params[name], np.zeros_like(params[name])
        for i in np.ndindex(p.shape):
            old = p[i]
            p[i] = old + eps
            plus = loss()
            p[i] = old - eps
            minus = loss()
            p[i] = old
            g[i] = (plus - minus) / (2 * eps)
        grads[name] = g
    return grads


def assert_gradients_agree(grads: dict, numeric: dict, params: dict, task: str, tolerance: float) -> None:
    """Every parameter's gradient has its shape, is not vanishing (else the check is vacuous), and agrees with the
    central differences to `tolerance` in relative error."""
    for name, grad in grads.items():
        assert grad.shape == params[name].shape
        assert np.linalg.norm(numeric[name]) > 1e-8, f"{name}: the gradient vanishes, the check would be vacuous"
        err = relative_error(grad, numeric[name])
        assert err < tolerance, f"{task} {name}: relative error {err:.2e}"
