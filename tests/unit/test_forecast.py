"""Demand forecast: Holt-Winters on two weeks or more, smoothing with a weekday index below."""

from __future__ import annotations

import random

import pytest

from models.forecast import Smoothing, forecast

WEEKLY = [4, 4, 4, 4, 6, 10, 8]  # quiet weekdays, a busy weekend


def test_a_constant_series_forecasts_the_constant_with_no_error() -> None:
    outlook = forecast([5] * 28, horizon=7)

    assert outlook.method == "holt-winters"
    assert outlook.per_day == pytest.approx([5.0] * 7)
    assert outlook.sigma == pytest.approx(0.0, abs=1e-9)
    assert outlook.trend == pytest.approx(0.0, abs=1e-9)


def test_a_linear_trend_is_extrapolated_day_by_day() -> None:
    outlook = forecast([10 + 2 * t for t in range(28)], horizon=3)

    assert outlook.per_day == pytest.approx([66.0, 68.0, 70.0])
    assert outlook.trend == pytest.approx(2.0)
    assert outlook.sigma == pytest.approx(0.0, abs=1e-9)


def test_a_weekly_pattern_comes_back_on_the_right_weekdays() -> None:
    outlook = forecast(WEEKLY * 4, horizon=8)

    assert outlook.per_day == pytest.approx(WEEKLY + WEEKLY[:1])
    assert outlook.daily == pytest.approx(sum(WEEKLY + WEEKLY[:1]) / 8)
    assert outlook.sigma == pytest.approx(0.0, abs=1e-9)


def test_the_forecast_continues_the_week_where_the_history_stops() -> None:
    # History ends on the busy day (index 5): tomorrow is index 6 of the pattern.
    outlook = forecast((WEEKLY * 3)[:20], horizon=2)

    assert outlook.per_day == pytest.approx([WEEKLY[6], WEEKLY[0]])


def test_one_week_of_history_uses_smoothing_with_a_weekday_index() -> None:
    outlook = forecast(WEEKLY + WEEKLY[:3], horizon=7)

    assert outlook.method == "ses-weekday-index"
    assert outlook.per_day == pytest.approx(WEEKLY[3:] + WEEKLY[:3])
    assert outlook.sigma == pytest.approx(0.0, abs=1e-9)


def test_under_a_week_of_history_uses_plain_smoothing_and_measures_its_error() -> None:
    outlook = forecast([3, 5], horizon=2, smoothing=Smoothing(alpha=0.3))

    assert outlook.method == "ses"
    assert outlook.level == pytest.approx(3 + 0.3 * (5 - 3))
    assert outlook.per_day == pytest.approx([3.6, 3.6])
    assert outlook.sigma == pytest.approx(2.0)  # the one residual: 5 - 3


def test_no_history_forecasts_nothing() -> None:
    outlook = forecast([], horizon=4)

    assert outlook.method == "no-history"
    assert outlook.per_day == [0.0] * 4 and outlook.sigma == 0.0


def test_noisy_demand_forecasts_near_its_mean_with_an_error_near_its_spread() -> None:
    draw = random.Random(7)
    series = [max(0, round(draw.gauss(20, 3))) for _ in range(56)]

    outlook = forecast(series, horizon=7)

    assert 16 < outlook.daily < 24
    assert 2 < outlook.sigma < 6


def test_a_collapsing_trend_never_forecasts_negative_demand() -> None:
    outlook = forecast([60 - 4 * t for t in range(15)] + [0] * 3, horizon=30)

    assert min(outlook.per_day) >= 0.0


def test_demand_over_sums_the_first_days_of_the_horizon() -> None:
    outlook = forecast(WEEKLY * 2, horizon=10)

    assert outlook.demand_over(7) == pytest.approx(sum(WEEKLY))
