"""The comparison's statistics on inputs whose answers were worked out by hand (or published)."""

from __future__ import annotations

import math

import pytest

from optimizer.analysis import ab


def test_a_mean_has_a_normal_95_percent_interval() -> None:
    # mean 3, s^2 = 10/4 = 2.5, se = sqrt(2.5 / 5) = 0.70711, 1.95996 * 0.70711 = 1.38590
    found = ab.mean([1, 2, 3, 4, 5])
    assert found is not None and found.n == 5 and found.value == 3
    assert found.low == pytest.approx(1.61410, abs=1e-5)
    assert found.high == pytest.approx(4.38590, abs=1e-5)
    one = ab.mean([7])
    assert one is not None and one.low == -math.inf and one.high == math.inf  # no spread known
    assert ab.mean([]) is None


def test_a_difference_of_means_uses_welchs_standard_error() -> None:
    # 6 - 3 = 3; se = sqrt(2.5/5 + 10/5) = sqrt(2.5) = 1.58114; 1.95996 * 1.58114 = 3.09898
    found = ab.mean_difference([1, 2, 3, 4, 5], [2, 4, 6, 8, 10])
    assert found is not None and found.value == 3
    assert (found.low, found.high) == pytest.approx((-0.09898, 6.09898), abs=1e-5)
    assert found.includes_zero
    # 30 each, s^2 = 30/29 = 1.03448 in both: se = sqrt(2 * 1.03448 / 30) = 0.26261,
    # 1.95996 * 0.26261 = 0.51471
    clear = ab.mean_difference([10] * 15 + [12] * 15, [13] * 15 + [15] * 15)
    assert clear is not None and clear.value == 3
    assert (clear.low, clear.high) == pytest.approx((2.48529, 3.51471), abs=1e-5)
    assert not clear.includes_zero
    assert ab.mean_difference([1], [1, 2]) is None


def test_a_proportion_has_a_wilson_interval() -> None:
    # 5/10: centre (0.5 + 0.19207) / 1.38415 = 0.5; half 1.95996 * sqrt(0.025 + 0.0096) / 1.38415
    assert ab.wilson(5, 10) == pytest.approx((0.23659, 0.76341), abs=1e-5)
    # 0/10: [0, 2 * 0.19207 / 1.38415]: not the zero-width interval of the normal approximation
    assert ab.wilson(0, 10) == pytest.approx((0.0, 0.27753), abs=1e-5)
    found = ab.proportion(5, 10)
    assert found is not None and found.value == 0.5 and found.n == 10
    assert ab.proportion(0, 0) is None


def test_a_difference_of_proportions_is_newcombes_interval() -> None:
    # Newcombe (1998), Statistics in Medicine 17:873, example (a): 56/70 - 48/80 = 0.2000,
    # method 10 (score, no continuity correction): 0.0524 to 0.3339.
    found = ab.proportion_difference(48, 80, 56, 70)
    assert found is not None and found.value == pytest.approx(0.2)
    assert (found.low, found.high) == pytest.approx((0.0524, 0.3339), abs=1e-4)
    both_zero = ab.proportion_difference(0, 40, 0, 40)
    assert both_zero is not None and both_zero.includes_zero and both_zero.high > 0.05
    assert ab.proportion_difference(0, 0, 1, 2) is None


def test_the_verdict_says_when_there_are_too_few_results_to_tell() -> None:
    clear = ab.Difference(3, 2.5, 3.5)
    assert ab.verdict(29, 100, clear, "higher").startswith("too few results to tell")
    assert ab.verdict(30, 30, None, "higher").startswith("too few results to tell")
    assert ab.verdict(30, 30, ab.Difference(1, -0.5, 2.5), "higher").startswith(
        "no clear difference"
    )
    assert ab.verdict(30, 30, clear, "higher") == "higher (better)"
    assert ab.verdict(30, 30, clear, "lower") == "higher (worse)"
    assert ab.verdict(30, 30, ab.Difference(-3, -3.5, -2.5), "lower") == "lower (better)"
    assert ab.verdict(30, 30, clear, "") == "higher"
    assert ab.verdict(10, 10, clear, "higher", minimum=10) == "higher (better)"
