"""The curse of memory (Zucchet et al. 2024, Figures 1 and 3 of the summary in seed 001), in closed form.

    python -m rnnpath analyze memory run --out memory_curse.json   # closed forms + Monte Carlo check -> JSON
    python -m rnnpath analyze memory plot                          # memory_curse.json -> viz/curse_of_memory.png

Vanishing and exploding gradients are not the whole difficulty of long memory. Take the smallest recurrent network,
one linear unit h_{t+1} = lambda h_t + x_t with 0 <= lambda < 1 and h_0 = 0, driven by zero-mean, unit-variance
inputs x_t whose autocorrelation is E[x_t x_{t+m}] = rho^|m| (rho = 0: i.i.d.). Its gradients never explode, yet
as lambda -> 1, the memory it keeps, h_t = sum_k lambda^k x_{t-1-k}, becomes ever more sensitive to lambda: a
small change of lambda moves h_t by a lot. In a teacher-student task (the teacher has lambda*, the student learns
lambda) the loss landscape around the teacher gets sharper as lambda* -> 1: a learning rate that works for a short
memory overshoots a long one.

Zucchet et al. analyse two fixes, both used by deep state-space models such as the LRU:
  input normalisation   h_{t+1} = lambda h_t + sqrt(1 - lambda^2) x_t, which keeps E[h^2] = 1 for i.i.d. inputs;
  reparametrisation     lambda = exp(-exp(nu)), learning nu: near lambda = 1 a step in nu is a step of about
                        (1 - lambda) |d nu| in lambda, so the sensitivity is divided by the scale of the memory.
Each is examined alone and together; the loss against nu is the same function of lambda, drawn on the nu axis.

Everything below is in closed form, for the stationary state (t -> infinity), and checked against two independent
oracles in the tests: the explicit sums over the kernel w_k = gain(lambda) lambda^k (truncated where the terms
vanish) and a Monte Carlo simulation of the recurrence with its forward-mode derivative.

Sections, in dependency order: closed forms, the explicit sums and Monte Carlo (the oracles), the results file,
figure, README block, command line.
"""

from __future__ import annotations

import os

import numpy as np
from matplotlib.figure import Figure

import rnn_pathological as rp
from rnnpath import files
from rnnpath.analyses.base import Analysis, Command, Option, drawer
from rnnpath.text import markdown_table

PROG = "rnnpath analyze memory"
SCHEMA_VERSION = 1

# ----------------------------------------------------------------------------------------------------------------
# closed forms
#
# With h_t = sum_k w_k x_{t-1-k}, every second moment is a double sum over the kernel against the input
# covariance rho^|j-k|. The basic one, for kernels a^j and b^k, splits into j = k, j > k and j < k:
#
#   S(a, b) = sum_{j,k >= 0} a^j b^k rho^|j-k|
#           = 1/(1 - ab) [1 + a rho/(1 - a rho) + b rho/(1 - b rho)]
#           = (1 - ab rho^2) / ((1 - ab)(1 - a rho)(1 - b rho)).
#
# A student (lambda) and a teacher (lambda*) of the same family, with gain g (1, or sqrt(1 - lambda^2) when inputs
# are normalised), have E[h h*] = g(lambda) g(lambda*) S(lambda, lambda*); call it F(lambda, lambda*). Then
#
#   E[h^2] = F(lambda, lambda),   L(lambda) = 1/2 E[(h - h*)^2] = 1/2 [F(l, l) - 2 F(l, l*) + F(l*, l*)],
#   E[(dh/dlambda)^2] = d^2 F(a, b) / da db at a = b = lambda   (the derivative of h is linear in the inputs too),
#
# and at the optimum the residual h - h* is 0, so the curvature of the loss is the sensitivity itself:
# L''(lambda*) = E[(dh/dlambda)^2] at lambda*. For a parameter theta with lambda = lambda(theta) it is multiplied
# by (dlambda/dtheta)^2; for lambda = exp(-exp(nu)), dlambda/dnu = lambda ln(lambda).

VARIANTS = {  # name -> (inputs normalised, parameter learned)
    "plain": (False, "lambda"),
    "normalised inputs": (True, "lambda"),
    "reparametrised": (False, "nu"),
    "both fixes": (True, "nu"),
}


def S(a, b, rho: float = 0.0):
    """sum_{j,k} a^j b^k rho^|j-k| = (1 - ab rho^2) / ((1 - ab)(1 - a rho)(1 - b rho)); a, b in [0, 1)."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return (1 - a * b * rho**2) / ((1 - a * b) * (1 - a * rho) * (1 - b * rho))


def gain(lam, normalised: bool):
    """The factor on the input: 1, or sqrt(1 - lambda^2) with input normalisation."""
    lam = np.asarray(lam, dtype=float)
    return np.sqrt(1 - lam**2) if normalised else np.ones_like(lam)


def second_moment(lam, rho: float = 0.0, normalised: bool = False):
    """E[h^2] = g^2 S(lambda, lambda) = g^2 (1 + lambda rho) / ((1 - lambda^2)(1 - lambda rho)).
    i.i.d.: 1 / (1 - lambda^2), or exactly 1 normalised."""
    return gain(lam, normalised) ** 2 * S(lam, lam, rho)


def loss(lam, lam_star: float, rho: float = 0.0, normalised: bool = False):
    """Teacher-student loss 1/2 E[(h - h*)^2] of a student lambda (any shape) against a teacher lambda*, both with
    or both without input normalisation. i.i.d., plain: 1/2 [1/(1 - l^2) - 2/(1 - l l*) + 1/(1 - l*^2)]."""
    g, g_star = gain(lam, normalised), gain(lam_star, normalised)
    cross = g * g_star * S(lam, lam_star, rho)
    return 0.5 * (g**2 * S(lam, lam, rho) - 2 * cross + g_star**2 * S(lam_star, lam_star, rho))


def sensitivity(lam, rho: float = 0.0, normalised: bool = False):
    """E[(dh/dlambda)^2], the mixed derivative of F at a = b = lambda. With u = lambda rho / (1 - lambda rho),
    u' = rho / (1 - lambda rho)^2 and q = 1 - lambda^2, differentiating S term by term gives

        S       = (1 + 2u) / q
        dS/da   = lambda (1 + 2u) / q^2 + u' / q
        d2S/dadb = (1 + lambda^2)(1 + 2u) / q^3 + 2 lambda u' / q^2.

    Plain inputs: E[(dh/dlambda)^2] = d2S/dadb; i.i.d., (1 + lambda^2) / (1 - lambda^2)^3, which grows like
    1 / (4 (1 - lambda)^3). Normalised (g = sqrt(q), g' = -lambda / g):
    g'^2 S + 2 g g' dS/da + g^2 d2S/dadb = lambda^2 S / q - 2 lambda dS/da + q d2S/dadb; i.i.d., 1 / (1 - lambda^2)^2.
    """
    lam = np.asarray(lam, dtype=float)
    q = 1 - lam**2
    u = lam * rho / (1 - lam * rho)
    du = rho / (1 - lam * rho) ** 2
    S0 = (1 + 2 * u) / q
    Sa = lam * (1 + 2 * u) / q**2 + du / q
    Sab = (1 + lam**2) * (1 + 2 * u) / q**3 + 2 * lam * du / q**2
    if not normalised:
        return Sab
    return lam**2 * S0 / q - 2 * lam * Sa + q * Sab


def lambda_of_nu(nu):
    """lambda = exp(-exp(nu)): every real nu gives a lambda in (0, 1); nu -> -infinity is lambda -> 1."""
    return np.exp(-np.exp(np.asarray(nu, dtype=float)))


def nu_of_lambda(lam):
    return np.log(-np.log(np.asarray(lam, dtype=float)))


def curvature_at_optimum(lam_star, rho: float = 0.0, variant: str = "plain"):
    """d^2 L / dtheta^2 at theta = theta*, theta = lambda or nu as the variant says: the sensitivity at lambda*,
    times (lambda* ln lambda*)^2 for nu. i.i.d.: plain (1 + l^2)/(1 - l^2)^3, normalised 1/(1 - l^2)^2,
    reparametrised l^2 ln(l)^2 (1 + l^2)/(1 - l^2)^3 ~ 1/(4 (1 - l)), both l^2 ln(l)^2/(1 - l^2)^2 -> 1/4."""
    normalised, parameter = VARIANTS[variant]
    lam_star = np.asarray(lam_star, dtype=float)
    curvature = sensitivity(lam_star, rho, normalised)
    if parameter == "nu":
        curvature = curvature * (lam_star * np.log(lam_star)) ** 2
    return curvature


# ----------------------------------------------------------------------------------------------------------------
# the oracles: explicit sums over the kernel, and Monte Carlo


def kernel(lam: float, n_terms: int, normalised: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """w_k = g(lambda) lambda^k and dw_k/dlambda for k = 0 .. n_terms - 1: h_t = sum_k w_k x_{t-1-k}."""
    k = np.arange(n_terms)
    g = float(gain(lam, normalised))
    dg = -lam / g if normalised else 0.0
    powers = lam**k
    d_powers = np.where(k > 0, k * lam ** np.maximum(k - 1, 0), 0.0)
    return g * powers, dg * powers + g * d_powers


def covariance(n_terms: int, rho: float) -> np.ndarray:
    """(n_terms, n_terms) input covariance rho^|j-k|."""
    k = np.arange(n_terms)
    return rho ** np.abs(k[:, None] - k[None, :]) if rho else np.eye(n_terms)


def series_moments(lam: float, lam_star: float, rho: float = 0.0, normalised: bool = False,
                   n_terms: int = 2000) -> dict[str, float]:
    """E[h^2], the loss and E[(dh/dlambda)^2] as quadratic forms of the truncated kernels against the covariance:
    the sums the closed forms evaluate, term by term."""
    C = covariance(n_terms, rho)
    w, dw = kernel(lam, n_terms, normalised)
    w_star, _ = kernel(lam_star, n_terms, normalised)
    e = w - w_star
    return {"second_moment": float(w @ C @ w), "loss": float(0.5 * e @ C @ e), "sensitivity": float(dw @ C @ dw)}


def simulate(lam: float, lam_star: float, rho: float, normalised: bool, n: int, steps: int,
             rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Run n independent sequences of `steps` steps of student, teacher and dh/dlambda; the final values, (n,) each.

    Inputs: a stationary AR(1) process x_{t+1} = rho x_t + sqrt(1 - rho^2) eps_t, x_0 ~ N(0, 1), which has unit
    variance and autocorrelation rho^|m|. The derivative s = dh/dlambda is carried forward in the same loop:
    differentiating h_{t+1} = lambda h_t + g x_t gives s_{t+1} = h_t + lambda s_t + g' x_t.
    """
    g, g_star = float(gain(lam, normalised)), float(gain(lam_star, normalised))
    dg = -lam / g if normalised else 0.0
    x = rng.standard_normal(n)
    h, h_star, s = np.zeros(n), np.zeros(n), np.zeros(n)
    for _ in range(steps):
        h, h_star, s = lam * h + g * x, lam_star * h_star + g_star * x, h + lam * s + dg * x
        x = rho * x + np.sqrt(1 - rho**2) * rng.standard_normal(n)
    return {"h": h, "h_star": h_star, "dh_dlambda": s}


def monte_carlo_check(lam: float, lam_star: float, rho: float, normalised: bool, n: int, seed: int) -> dict:
    """Monte Carlo estimates of E[h^2], the loss and E[(dh/dlambda)^2] with their standard errors, beside the
    closed forms. Enough steps that lambda^steps < 1e-8, so the start h_0 = 0 is forgotten."""
    steps = int(np.ceil(np.log(1e-8) / np.log(max(lam, lam_star)))) + 50
    sim = simulate(lam, lam_star, rho, normalised, n, steps, np.random.default_rng(seed))
    samples = {"second_moment": sim["h"] ** 2, "loss": 0.5 * (sim["h"] - sim["h_star"]) ** 2,
               "sensitivity": sim["dh_dlambda"] ** 2}
    formulas = {"second_moment": second_moment(lam, rho, normalised), "loss": loss(lam, lam_star, rho, normalised),
                "sensitivity": sensitivity(lam, rho, normalised)}
    out = {"lambda": lam, "lambda_star": lam_star, "rho": rho, "normalised": normalised, "n": n, "steps": steps}
    for name, x in samples.items():
        out[name] = {"formula": float(formulas[name]), "estimate": float(x.mean()),
                     "stderr": float(x.std(ddof=1) / np.sqrt(n))}
    return out


# ----------------------------------------------------------------------------------------------------------------
# the results file

LAMBDA_STARS = (0.9, 0.99, 0.999, 0.9999)  # teacher memories, 1 / (1 - lambda*) = 10 .. 10,000 steps
RHOS = (0.0, 0.5, 0.9)  # input autocorrelations
MONTE_CARLO = {"n": 20000, "seed": 0,  # (lambda, lambda*, rho, normalised): memories of 10-20 steps keep it fast
               "cases": ((0.9, 0.8, 0.0, False), (0.95, 0.9, 0.0, False), (0.95, 0.9, 0.5, False),
                         (0.95, 0.9, 0.5, True), (0.9, 0.95, 0.9, True))}


def power_law_exponent(xs, ys) -> float:
    """Least-squares slope of log y against log x."""
    return float(np.polyfit(np.log(xs), np.log(ys), 1)[0])


def compute() -> dict:
    """Every number of the README section and the figure's checks: sensitivity, curvature at the optimum per
    variant and input correlation, the exponents of the curvature in 1 - lambda*, and the Monte Carlo check."""
    lam = np.array(LAMBDA_STARS)
    sensitivity_rows = [{"rho": rho, "lambda": float(l),
                         "second_moment": float(second_moment(l, rho)),
                         "sensitivity": float(sensitivity(l, rho)),
                         "second_moment_normalised": float(second_moment(l, rho, True)),
                         "sensitivity_normalised": float(sensitivity(l, rho, True))}
                        for rho in RHOS for l in lam]
    curvature_rows, exponents = [], {}
    for variant in VARIANTS:
        exponents[variant] = {}
        for rho in RHOS:
            c = curvature_at_optimum(lam, rho, variant)
            curvature_rows += [{"variant": variant, "rho": rho, "lambda_star": float(l), "curvature": float(v)}
                               for l, v in zip(lam, c, strict=True)]
            exponents[variant][str(rho)] = power_law_exponent(1 - lam, c)
    n, seed = MONTE_CARLO["n"], MONTE_CARLO["seed"]
    checks = [monte_carlo_check(*case, n=n, seed=seed + i) for i, case in enumerate(MONTE_CARLO["cases"])]
    return {
        "schema_version": SCHEMA_VERSION,
        "source": "Zucchet et al. (NeurIPS 2024), the curse of memory, seed 001",
        "environment": rp.environment(),
        "setup": ("h_{t+1} = lambda h_t + g x_t, stationary, E[x_t x_{t+m}] = rho^|m|, unit variance; teacher "
                  "lambda*, loss 1/2 E[(h - h*)^2]; g = 1 or sqrt(1 - lambda^2); theta = lambda or nu with "
                  "lambda = exp(-exp(nu))"),
        "lambda_stars": list(LAMBDA_STARS),
        "rhos": list(RHOS),
        "sensitivity": sensitivity_rows,
        "curvature": curvature_rows,
        "curvature_exponent_in_1_minus_lambda_star": exponents,
        "monte_carlo": checks,
    }


def load(path: str) -> dict:
    """A results file of `run`, checked enough that a figure or a README block can be drawn from it (ValueError)."""
    return files.load_document(path, SCHEMA_VERSION, "curvature", PROG)


def curvature_of(doc: dict, variant: str, rho: float, lam_star: float) -> float:
    return next(r["curvature"] for r in doc["curvature"]
                if (r["variant"], r["rho"], r["lambda_star"]) == (variant, rho, lam_star))


# ----------------------------------------------------------------------------------------------------------------
# figure (matplotlib's object-oriented API on an Agg canvas: no display, no pyplot state)

TEACHER_COLOURS = ("tab:green", "tab:blue", "tab:purple", "tab:red")
LANDSCAPE_TEACHERS = (0.9, 0.99, 0.999)  # drawn on a linear lambda axis, where 0.9999 would be a hairline
LANDSCAPE_FROM = 0.8
VARIANT_STYLES = {"plain": ("tab:red", "o-"), "normalised inputs": ("tab:orange", "s-"),
                  "reparametrised": ("tab:blue", "^-"), "both fixes": ("tab:green", "D-")}


def plot(doc: dict) -> Figure:
    """Six panels: sensitivity against lambda (with the Monte Carlo points), the loss landscape of each variant for
    teachers approaching 1, and the curvature at the optimum against 1 - lambda*."""
    fig = Figure(figsize=(15, 9), layout="constrained")
    axes = fig.subplots(2, 3)
    ax_sens = axes[0, 0]
    one_minus = np.logspace(-4, 0, 200)[:-1]
    for rho, ls in zip(doc["rhos"], ("-", "--", ":"), strict=True):
        ax_sens.loglog(one_minus, sensitivity(1 - one_minus, rho), color="tab:red", ls=ls,
                       label=f"E[(dh/dlambda)^2], rho = {rho}")
        ax_sens.loglog(one_minus, second_moment(1 - one_minus, rho), color="tab:blue", ls=ls,
                       label=f"E[h^2], rho = {rho}")
        ax_sens.loglog(one_minus, sensitivity(1 - one_minus, rho, True), color="tab:orange", ls=ls,
                       label=f"E[(dh/dlambda)^2] normalised, rho = {rho}")
    for check in doc["monte_carlo"]:
        colour = "tab:orange" if check["normalised"] else "tab:red"
        ax_sens.errorbar(1 - check["lambda"], check["sensitivity"]["estimate"], 3 * check["sensitivity"]["stderr"],
                         fmt="o", color=colour, mfc="white", ms=6, zorder=5)
    ax_sens.set_xlabel("1 - lambda   (memory about 1 / (1 - lambda) steps)")
    ax_sens.set_title("how much h moves when lambda moves\n(circles: Monte Carlo, 3 standard errors)", fontsize=10)
    ax_sens.invert_xaxis()
    ax_sens.legend(fontsize=6.5, ncol=1)
    landscapes = [("plain", axes[0, 1]), ("normalised inputs", axes[0, 2]), ("reparametrised", axes[1, 0]),
                  ("both fixes", axes[1, 1])]
    nu = np.linspace(-9, 1, 1000)
    lam_grid = np.linspace(LANDSCAPE_FROM, 1, 4001)[:-1]  # linear in lambda: a basin's width reads off directly
    lam_grid = np.union1d(lam_grid, 1 - np.logspace(-6, -2, 400))  # dense where the long memories' basins are
    for variant, ax in landscapes:
        normalised, parameter = VARIANTS[variant]
        for lam_star, colour in zip(LANDSCAPE_TEACHERS, TEACHER_COLOURS, strict=False):
            if parameter == "nu":
                ax.semilogy(nu, loss(lambda_of_nu(nu), lam_star, 0.0, normalised), color=colour,
                            label=f"lambda* = {lam_star} (nu* = {float(nu_of_lambda(lam_star)):.2f})")
                ax.axvline(float(nu_of_lambda(lam_star)), color=colour, lw=0.6, ls=":")
            else:
                ax.semilogy(lam_grid, loss(lam_grid, lam_star, 0.0, normalised), color=colour,
                            label=f"lambda* = {lam_star}")
                ax.axvline(lam_star, color=colour, lw=0.6, ls=":")
        if parameter == "nu":
            ax.set_xlabel("nu   (lambda = exp(-exp(nu)); memory grows to the left)")
        else:
            ax.set_xlabel(f"lambda   (from {LANDSCAPE_FROM}; memory grows to the right)")
            ax.set_xlim(LANDSCAPE_FROM, 1)
        ax.set_ylim(1e-6, 1e5 if not normalised else 10)
        ax.set_ylabel("loss 1/2 E[(h - h*)^2]")
        ax.set_title(f"loss landscape, {variant}" + (", learning nu" if parameter == "nu" else ", learning lambda")
                     + ("\ninputs scaled by sqrt(1 - lambda^2)" if normalised else "\nraw inputs"), fontsize=10)
        ax.legend(fontsize=7)
    ax_curv = axes[1, 2]
    stars = np.array(doc["lambda_stars"])
    for variant, (colour, line_style) in VARIANT_STYLES.items():
        for rho, alpha in ((0.0, 1.0), (0.9, 0.45)):
            values = [curvature_of(doc, variant, rho, s) for s in doc["lambda_stars"]]
            slope = doc["curvature_exponent_in_1_minus_lambda_star"][variant][str(rho)]
            ax_curv.loglog(1 - stars, values, line_style, color=colour, alpha=alpha,
                           label=f"{variant}, rho = {rho}: slope {slope:.2f}")
    ax_curv.invert_xaxis()
    ax_curv.set_xlabel("1 - lambda* (teacher)")
    ax_curv.set_ylabel("d^2 L / d theta^2 at the optimum (theta = lambda or nu)")
    ax_curv.set_title("sharpness of the optimum as the teacher's memory grows", fontsize=10)
    ax_curv.legend(fontsize=7)
    for ax in axes.ravel():
        ax.grid(alpha=0.3, which="both")
    fig.suptitle("The curse of memory (Zucchet et al. 2024): a linear unit h_(t+1) = lambda h_t + x_t learning a "
                 "teacher lambda*, i.i.d. inputs unless rho says otherwise", fontsize=12)
    return fig


# ----------------------------------------------------------------------------------------------------------------
# README block (rnnpath report collects it)


def readme_block(doc: dict) -> str:
    """The curse-of-memory section's numbers and the sentences that read them: sensitivity, the curvature at the
    optimum of each variant and its exponent in 1 - lambda*, correlated inputs, the Monte Carlo check."""
    stars = doc["lambda_stars"]
    lo, hi = stars[0], stars[-1]
    slopes = doc["curvature_exponent_in_1_minus_lambda_star"]
    sens = {(r["rho"], r["lambda"]): r for r in doc["sensitivity"]}

    def curv(variant, rho=0.0, s=None):
        return curvature_of(doc, variant, rho, s)

    iid_lo, iid_hi = sens[0.0, lo], sens[0.0, hi]
    findings = [(
        f"**Sensitivity.** With i.i.d. inputs the state's variance E[h^2] grows from {iid_lo['second_moment']:.3g} at "
        f"lambda = {lo} to {iid_hi['second_moment']:.3g} at {hi}, while E[(dh/dlambda)^2] grows from "
        f"{iid_lo['sensitivity']:.3g} to {iid_hi['sensitivity']:.3g}: a memory 1 / (1 - lambda) "
        f"{(1 - lo) / (1 - hi):.0f} times longer has {iid_hi['second_moment'] / iid_lo['second_moment']:.0f} times "
        f"the variance and {iid_hi['sensitivity'] / iid_lo['sensitivity']:.2g} times the sensitivity.")]
    for variant, meaning in (("plain", "raw inputs, learning lambda"),
                             ("normalised inputs", "normalisation alone"),
                             ("reparametrised", "the reparametrisation alone"),
                             ("both fixes", "normalisation and reparametrisation together")):
        slope = slopes[variant]["0.0"]
        if abs(slope) < 0.05:
            growth = (f"stays at {curv(variant, s=lo):.3g} to {curv(variant, s=hi):.3g} "
                      f"(exponent {round(slope, 2) + 0.0:.2f}): the curse is lifted")
        else:
            growth = (f"grows like (1 - lambda*)^{slope:.2f}, from {curv(variant, s=lo):.3g} at lambda* = {lo} "
                      f"to {curv(variant, s=hi):.3g} at {hi}")
        findings.append(f"**{variant.capitalize()}** ({meaning}): the curvature at the optimum {growth}.")
    rho = max(doc["rhos"])
    factors = [curv(v, rho, hi) / curv(v, 0.0, hi) for v in VARIANTS]
    by = (f"{min(factors):.1f} times in every variant" if max(factors) - min(factors) < 0.05
          else f"{min(factors):.1f} to {max(factors):.1f} times")
    findings.append(f"**Correlated inputs** (rho = {rho}) raise every curvature at lambda* = {hi}, by {by} "
                    f"((1 + rho) / (1 - rho) = {(1 + rho) / (1 - rho):.1f}, the input's long-run variance); the "
                    f"exponents stay within {max(abs(slopes[v][str(rho)] - slopes[v]['0.0']) for v in VARIANTS):.2f} "
                    f"of the i.i.d. ones: at this rho, no larger than any lambda* of the table, correlation raises the "
                    "curves but hardly changes how fast they grow. Inputs correlated for longer than the memory (rho "
                    "near or above lambda*) are not measured here, and there the growth can differ.")
    worst = max(abs(c[name]["estimate"] - c[name]["formula"]) / c[name]["stderr"]
                for c in doc["monte_carlo"] for name in ("second_moment", "loss", "sensitivity"))
    n = doc["monte_carlo"][0]["n"]
    findings.append(f"**Monte Carlo check** ({len(doc['monte_carlo'])} cases of (lambda, lambda*, rho, normalised), "
                    f"{n:,} sequences each): every estimate of E[h^2], the loss and E[(dh/dlambda)^2] lies within "
                    f"{worst:.1f} standard errors of its closed form. The cases reach lambda = "
                    f"{max(max(c['lambda'], c['lambda_star']) for c in doc['monte_carlo'])}; the longer memories of "
                    "the tables rest on the closed forms, which the tests also check against the kernel sums.")
    lines = [f"- {text}" for text in findings]
    rows = []
    for r in doc["rhos"]:
        rows.append([f"E[h^2], rho = {r}", *(f"{sens[r, s]['second_moment']:.3g}" for s in stars)])
        rows.append([f"E[(dh/dlambda)^2], rho = {r}", *(f"{sens[r, s]['sensitivity']:.3g}" for s in stars)])
        rows.append([f"same, inputs normalised, rho = {r}",
                     *(f"{sens[r, s]['sensitivity_normalised']:.3g}" for s in stars)])
    lines += ["", "Sensitivity of the state to lambda (stationary, unit-variance inputs with autocorrelation rho):", "",
              markdown_table(["", *(f"lambda = {s}" for s in stars)], rows), ""]
    rows = [[variant, r, *(f"{curv(variant, r, s):.3g}" for s in stars),
             f"{round(slopes[variant][str(r)], 2) + 0.0:.2f}"] for variant in VARIANTS for r in (0.0, rho)]
    lines += [("Curvature of the loss at the optimum, d^2 L / d theta^2 (theta = lambda, or nu for the "
               "reparametrised variants), as the teacher's memory grows:"), "",
              markdown_table(["variant", "rho", *(f"lambda* = {s}" for s in stars), "exponent in 1 - lambda*"],
                                rows)]
    return "\n".join(lines)


# ----------------------------------------------------------------------------------------------------------------
# command line



ANALYSIS = Analysis(PROG, __doc__, (
    Command("run", "closed forms and the Monte Carlo check -> a JSON results file",
            "Compute the sensitivity, the curvature at the optimum of every variant and the Monte Carlo check (a few "
            "seconds), and write them atomically.",
            (Option("--out", default="results/memory_curse.json", help="results file (default: %(default)s)"),),
            make=lambda args, _: compute()),
    Command("plot", "draw a results file -> a PNG",
            "Draw the six panels: sensitivity, four loss landscapes, curvature.",
            (Option("--results", default="results/memory_curse.json",
                    help="results file of run (default: %(default)s)"),
             Option("--out", default=os.path.join("viz", "curse_of_memory.png"), help="PNG (default: %(default)s)")),
            make=drawer(plot, PROG), read=lambda args: load(args.results)),
))


# the module's command line, as `python -m rnnpath analyze memory` runs it
build_parser, main = ANALYSIS.build_parser, rp.script_main(ANALYSIS.main)
