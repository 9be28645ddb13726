"""The curse of memory: the closed forms against explicit sums over the kernel, Monte Carlo and finite differences,
the committed memory_curse.json against the code, and the command line."""

import json
from pathlib import Path

import numpy as np
import pytest
from cli_helpers import assert_one_line_error, run_main, run_script

from rnnpath.analyses import memory_curse as mc

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = "rnnpath analyze memory"
DOC = json.loads((ROOT / "results" / "memory_curse.json").read_text())

# ----------------------------------------------------------------------------------------------------------------
# closed forms against the explicit sums


@pytest.mark.parametrize("a, b, rho", [(0.7, 0.5, 0.3), (0.9, 0.2, 0.0), (0.3, 0.95, 0.9), (0.0, 0.6, 0.5)])
def test_S_is_the_double_sum(a, b, rho):
    k = np.arange(600)
    direct = np.sum(a ** k[:, None] * b ** k[None, :] * rho ** np.abs(k[:, None] - k[None, :]))
    assert mc.S(a, b, rho) == pytest.approx(direct, rel=1e-12)


CASES = [(lam, lam_star, rho, normalised) for lam, lam_star in ((0.5, 0.8), (0.9, 0.7), (0.97, 0.95))
         for rho in (0.0, 0.5, 0.9) for normalised in (False, True)]


@pytest.mark.parametrize("lam, lam_star, rho, normalised", CASES)
def test_closed_forms_equal_the_sums_over_the_kernel(lam, lam_star, rho, normalised):
    sums = mc.series_moments(lam, lam_star, rho, normalised, n_terms=1500)  # 0.97^1500 ~ 1e-20
    assert mc.second_moment(lam, rho, normalised) == pytest.approx(sums["second_moment"], rel=1e-9)
    assert mc.loss(lam, lam_star, rho, normalised) == pytest.approx(sums["loss"], rel=1e-9)
    assert mc.sensitivity(lam, rho, normalised) == pytest.approx(sums["sensitivity"], rel=1e-9)


def test_known_iid_forms():
    lam = np.array([0.1, 0.5, 0.9, 0.999])
    assert np.allclose(mc.second_moment(lam), 1 / (1 - lam**2))
    assert np.allclose(mc.second_moment(lam, 0.0, True), 1.0)
    assert np.allclose(mc.sensitivity(lam), (1 + lam**2) / (1 - lam**2) ** 3)
    assert np.allclose(mc.sensitivity(lam, 0.0, True), 1 / (1 - lam**2) ** 2)
    assert np.allclose(mc.loss(lam, 0.5), 0.5 * (1 / (1 - lam**2) - 2 / (1 - 0.5 * lam) + 1 / 0.75))


@pytest.mark.parametrize("lam, lam_star, rho, normalised", [(0.9, 0.8, 0.0, False), (0.8, 0.9, 0.5, True),
                                                            (0.9, 0.85, 0.9, False)])
def test_closed_forms_match_monte_carlo(lam, lam_star, rho, normalised):
    check = mc.monte_carlo_check(lam, lam_star, rho, normalised, n=4000, seed=7)
    for name in ("second_moment", "loss", "sensitivity"):
        c = check[name]
        assert abs(c["estimate"] - c["formula"]) < 4 * c["stderr"], (name, c)


def test_monte_carlo_derivative_is_the_derivative_of_the_simulation():
    """The forward-mode s = dh/dlambda of simulate equals a central difference of h in lambda (same inputs)."""
    for normalised in (False, True):
        runs = [mc.simulate(lam, 0.5, 0.5, normalised, 50, 40, np.random.default_rng(3))
                for lam in (0.7 - 1e-6, 0.7, 0.7 + 1e-6)]
        fd = (runs[2]["h"] - runs[0]["h"]) / 2e-6
        np.testing.assert_allclose(runs[1]["dh_dlambda"], fd, rtol=1e-6, atol=1e-8)


# ----------------------------------------------------------------------------------------------------------------
# the loss landscape and its curvature


@pytest.mark.parametrize("variant", list(mc.VARIANTS))
@pytest.mark.parametrize("rho", [0.0, 0.9])
@pytest.mark.parametrize("lam_star", [0.5, 0.9, 0.99])
def test_curvature_is_the_second_derivative_of_the_loss(variant, rho, lam_star):
    normalised, parameter = mc.VARIANTS[variant]
    if parameter == "nu":
        theta = float(mc.nu_of_lambda(lam_star))
        f = lambda t: mc.loss(mc.lambda_of_nu(t), lam_star, rho, normalised)
        step = 1e-3
    else:
        theta = lam_star
        f = lambda t: mc.loss(t, lam_star, rho, normalised)
        step = 1e-3 * (1 - lam_star)
    fd = (f(theta + step) - 2 * f(theta) + f(theta - step)) / step**2
    assert mc.curvature_at_optimum(lam_star, rho, variant) == pytest.approx(fd, rel=1e-4)


@pytest.mark.parametrize("normalised", [False, True])
def test_the_teacher_is_the_only_minimum(normalised):
    lam = np.linspace(0.0, 0.9995, 4000)
    for lam_star in (0.3, 0.9, 0.99):
        values = mc.loss(lam, lam_star, 0.5, normalised)
        assert mc.loss(lam_star, lam_star, 0.5, normalised) == pytest.approx(0.0, abs=1e-9)
        assert np.all(values[np.abs(lam - lam_star) > 1e-3] > 0)
        assert abs(lam[np.argmin(values)] - lam_star) < 1e-3


def test_reparametrisation_maps_the_unit_interval():
    nu = np.array([-10.0, -2.0, 0.0, 1.5])
    lam = mc.lambda_of_nu(nu)
    assert np.all((lam > 0) & (lam < 1)) and np.all(np.diff(lam) < 0)
    np.testing.assert_allclose(mc.nu_of_lambda(lam), nu)


def test_both_fixes_bound_the_curvature_at_one_quarter():
    lam = 1 - np.logspace(-1, -6, 6)
    c = mc.curvature_at_optimum(lam, 0.0, "both fixes")
    assert np.all(c < 0.25) and c[-1] == pytest.approx(0.25, rel=1e-5)


# ----------------------------------------------------------------------------------------------------------------
# the committed results file


def test_committed_file_is_what_the_code_computes():
    fresh = json.loads(json.dumps(mc.compute()))  # through JSON, as the file is

    def close(a, b):
        if isinstance(a, dict):
            return a.keys() == b.keys() and all(close(a[k], b[k]) for k in a)
        if isinstance(a, list):
            return len(a) == len(b) and all(close(x, y) for x, y in zip(a, b, strict=True))
        if isinstance(a, float):
            return a == pytest.approx(b, rel=1e-12)
        return a == b

    assert DOC["environment"]["blas"]  # which BLAS made it (the Monte Carlo sums round by kernel)
    assert close({k: v for k, v in fresh.items() if k != "environment"},
                 {k: v for k, v in DOC.items() if k != "environment"})


def test_the_prose_about_the_curse_of_memory_holds():
    """README: the curvature at the optimum grows like (1 - lambda*)^-3 plain, ^-2 normalised, ^-1 reparametrised,
    and stays bounded (near 1/4 for i.i.d. inputs) with both fixes; correlated inputs raise every curvature;
    the Monte Carlo estimates agree with the closed forms within 3 standard errors."""
    slopes = DOC["curvature_exponent_in_1_minus_lambda_star"]
    for variant, expected in (("plain", -3), ("normalised inputs", -2), ("reparametrised", -1), ("both fixes", 0)):
        assert slopes[variant]["0.0"] == pytest.approx(expected, abs=0.02), variant
        assert slopes[variant]["0.9"] == pytest.approx(expected, abs=0.1), variant
        for lam_star in DOC["lambda_stars"]:
            assert mc.curvature_of(DOC, variant, 0.9, lam_star) > mc.curvature_of(DOC, variant, 0.0, lam_star)
    assert all(abs(mc.curvature_of(DOC, "both fixes", 0.0, s) - 0.25) < 0.002 for s in DOC["lambda_stars"])
    for check in DOC["monte_carlo"]:
        for name in ("second_moment", "loss", "sensitivity"):
            c = check[name]
            assert abs(c["estimate"] - c["formula"]) < 3 * c["stderr"]


# ----------------------------------------------------------------------------------------------------------------
# command line


def test_run_and_plot(tmp_path):
    out, png = tmp_path / "m.json", tmp_path / "m.png"
    assert run_main(mc.main, ["run", "--out", out])[0] == 0
    assert run_main(mc.main, ["plot", "--results", out, "--out", png])[0] == 0
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "exponent in 1 - lambda*" in mc.readme_block(mc.load(str(out)))


def test_help_explains_every_subcommand():
    code, out, _ = run_main(mc.main, ["--help"])
    assert code == 0 and all(t in out for t in ("run", "plot", "normalisation", "exp(-exp(nu))"))
    for sub, flags in (("run", ("--out",)), ("plot", ("--results", "--out"))):
        code, out, _ = run_main(mc.main, [sub, "--help"])
        assert code == 0 and all(flag in out for flag in flags)


@pytest.mark.parametrize("args, fragments", [
    (["run", "--out", "no/such/folder/m.json"], ["does not exist"]),
    (["plot", "--results", "no_such_file.json"], ["not found"]),
    (["plot", "--results", "README.md"], ["not valid JSON"]),
    (["plot", "--results", "results/bytedmd.json"], ["not a results file"]),
    (["run", "--lambda", "0.9"], ["unrecognized arguments"]),
    ([], ["required"]),
])
def test_bad_input_is_one_line(args, fragments, monkeypatch):
    monkeypatch.chdir(ROOT)
    code, out, err = run_main(mc.main, args)
    lines = err.strip().splitlines()
    assert code == 2 and out == "" and len(lines) == 1 and lines[0].startswith(f"{SCRIPT}: error:"), err
    assert all(f in lines[0] for f in fragments), lines[0]


def test_a_file_with_a_part_missing_is_one_line(tmp_path):
    broken = dict(DOC)
    del broken["curvature_exponent_in_1_minus_lambda_star"]
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(broken))
    code, _, err = run_main(mc.main, ["plot", "--results", path, "--out", tmp_path / "x.png"])
    assert code == 2 and len(err.strip().splitlines()) == 1 and "incomplete" in err


def test_the_script_fails_in_one_line_as_a_user_sees_it():
    proc = run_script(SCRIPT, "run", "--out", "no/such/folder/m.json")
    assert proc.returncode == 2
    assert_one_line_error(proc, SCRIPT, "does not exist")
