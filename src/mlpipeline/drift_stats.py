"""Drift statistics per feature: PSI over reference quantile bins, and a two-sample KS test.

PSI = sum over bins of (cur - ref) * ln(cur / ref). Bins are the reference's
quantiles, so each holds about the same share of reference rows, and the
outer edges are open so no current value falls outside. Empty bins get a
small epsilon instead of a zero that would make the logarithm infinite.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

EPSILON = 1e-4
BINS = 10


@dataclass(frozen=True)
class FeatureDrift:
    feature: str
    psi: float
    ks_pvalue: float


def psi(reference: np.ndarray, current: np.ndarray, bins: int = BINS) -> float:
    inner = np.unique(np.quantile(reference, np.linspace(0, 1, bins + 1))[1:-1])
    edges = np.concatenate(([-np.inf], inner, [np.inf]))
    ref_share = np.histogram(reference, edges)[0] / len(reference)
    cur_share = np.histogram(current, edges)[0] / len(current)
    ref_share = np.clip(ref_share, EPSILON, None)
    cur_share = np.clip(cur_share, EPSILON, None)
    return float(np.sum((cur_share - ref_share) * np.log(cur_share / ref_share)))


def feature_drift(feature: str, reference: np.ndarray, current: np.ndarray) -> FeatureDrift:
    from scipy.stats import ks_2samp

    return FeatureDrift(feature, psi(reference, current), float(ks_2samp(reference, current).pvalue))


def drifted(figures: FeatureDrift, psi_threshold: float, ks_pvalue_threshold: float) -> bool:
    # Both must agree: PSI alone is noisy on small samples (tens of rows give
    # PSI near 0.2 by chance over 10 bins), and KS alone flags tiny shifts on
    # large ones. A real shift moves both.
    return figures.psi >= psi_threshold and figures.ks_pvalue < ks_pvalue_threshold
