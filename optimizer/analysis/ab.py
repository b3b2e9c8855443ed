"""The statistics of a prompt experiment: means and proportions with 95% intervals, and the
difference of each variant from the control with its own interval.

    means        normal approximation, mean +- 1.96 * s / sqrt(n); a difference of two means
                 by Welch's standard error sqrt(s1^2/n1 + s2^2/n2) (unequal variances), with
                 z = 1.96 rather than Student's t: below MIN_RESULTS we do not call it anyway
    proportions  Wilson score interval; a difference by Newcombe's hybrid score method
                 (Newcombe 1998, method 10), which stays inside [-1, 1] and behaves at 0 and 1
                 where the plain normal approximation gives a zero-width interval

https://en.wikipedia.org/wiki/Binomial_proportion_confidence_interval#Wilson_score_interval
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

Z95 = 1.959963984540054  # the two-sided 95% quantile of the normal distribution
# Below this many results in either variant the comparison says "too few results to tell".
MIN_RESULTS = 30


@dataclass(frozen=True)
class Estimate:
    """A mean (or a proportion) and its 95% interval over n results."""

    n: int
    value: float
    low: float
    high: float


@dataclass(frozen=True)
class Difference:
    """variant - control, and its 95% interval."""

    value: float
    low: float
    high: float

    @property
    def includes_zero(self) -> bool:
        return self.low <= 0 <= self.high


def mean(values: Sequence[float]) -> Estimate | None:
    n = len(values)
    if n == 0:
        return None
    average = sum(values) / n
    half = Z95 * math.sqrt(_variance(values) / n) if n > 1 else math.inf
    return Estimate(n, average, average - half, average + half)


def proportion(successes: int, n: int) -> Estimate | None:
    if n == 0:
        return None
    low, high = wilson(successes, n)
    return Estimate(n, successes / n, low, high)


def wilson(successes: int, n: int, z: float = Z95) -> tuple[float, float]:
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def mean_difference(control: Sequence[float], variant: Sequence[float]) -> Difference | None:
    """Welch: the standard error of the difference without assuming equal variances."""
    if len(control) < 2 or len(variant) < 2:
        return None
    value = sum(variant) / len(variant) - sum(control) / len(control)
    se = math.sqrt(_variance(control) / len(control) + _variance(variant) / len(variant))
    return Difference(value, value - Z95 * se, value + Z95 * se)


def proportion_difference(
    control_successes: int, control_n: int, variant_successes: int, variant_n: int
) -> Difference | None:
    """Newcombe's hybrid score interval for p_variant - p_control."""
    if control_n == 0 or variant_n == 0:
        return None
    p1, p2 = control_successes / control_n, variant_successes / variant_n
    low1, high1 = wilson(control_successes, control_n)
    low2, high2 = wilson(variant_successes, variant_n)
    value = p2 - p1
    low = value - math.sqrt((p2 - low2) ** 2 + (high1 - p1) ** 2)
    high = value + math.sqrt((high2 - p2) ** 2 + (p1 - low1) ** 2)
    return Difference(value, low, high)


def verdict(
    control_n: int,
    variant_n: int,
    difference: Difference | None,
    better: str = "",
    minimum: int = MIN_RESULTS,
) -> str:
    """What the comparison can say. better: "higher" or "lower" is better; "" for neither."""
    if difference is None or min(control_n, variant_n) < minimum:
        return f"too few results to tell (fewer than {minimum} in a variant)"
    if difference.includes_zero:
        return "no clear difference (the interval includes 0)"
    direction = "higher" if difference.value > 0 else "lower"
    if not better:
        return direction
    return f"{direction} (better)" if direction == better else f"{direction} (worse)"


def _variance(values: Sequence[float]) -> float:
    """The sample variance (n - 1)."""
    average = sum(values) / len(values)
    return sum((v - average) ** 2 for v in values) / (len(values) - 1)
