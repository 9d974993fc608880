"""When things happen and how long they last: times of day and call durations."""

from __future__ import annotations

import numpy as np

from fraudwall.simulate.params import CALL_MEDIAN_S, CALL_SIGMA, profile_cdf

MAX_CALL_S = 4 * 3600


def sample_seconds(rng: np.random.Generator, n: int, cdf: np.ndarray) -> np.ndarray:
    """``n`` seconds of the day (0..86399) following an hour-of-day profile's CDF."""
    hour = np.searchsorted(cdf, rng.random(n), side="right")
    return np.minimum(hour, 23) * 3600 + rng.integers(0, 3600, size=n)


def sample_in_profile(rng: np.random.Generator, n: int, weights: np.ndarray) -> np.ndarray:
    """Like :func:`sample_seconds` with raw hour weights."""
    return sample_seconds(rng, n, profile_cdf(weights))


def talk_time(
    rng: np.random.Generator,
    n: int,
    median_s: float = CALL_MEDIAN_S,
    sigma: float = CALL_SIGMA,
    lo: int = 1,
    hi: int = MAX_CALL_S,
) -> np.ndarray:
    """Durations of answered calls: lognormal around ``median_s``, clipped to ``[lo, hi]``."""
    d = np.exp(rng.normal(np.log(median_s), sigma, size=n))
    return np.clip(np.rint(d), lo, hi).astype(np.int64)


def durations(
    rng: np.random.Generator,
    p_unanswered: np.ndarray | float,
    n: int,
    median_s: float = CALL_MEDIAN_S,
    sigma: float = CALL_SIGMA,
) -> np.ndarray:
    """Call durations: 0 with probability ``p_unanswered`` (per call), else :func:`talk_time`."""
    d = talk_time(rng, n, median_s, sigma)
    d[rng.random(n) < p_unanswered] = 0
    return d


def mixed_durations(
    rng: np.random.Generator,
    n: int,
    p_unanswered: float,
    short: tuple[int, int],
    p_long: float,
    long_median_s: float,
) -> np.ndarray:
    """Durations of strangers' calls: unanswered, hung up after a few seconds, or long."""
    u = rng.random(n)
    d = rng.integers(short[0], short[1] + 1, size=n).astype(np.int64)
    d[u < p_unanswered] = 0
    long = u >= 1.0 - p_long
    d[long] = talk_time(rng, int(long.sum()), long_median_s, 0.6, lo=120)
    return d
