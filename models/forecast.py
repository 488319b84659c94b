"""Daily demand forecast for one SKU in one warehouse, from its daily history.

The method depends on how much history there is (`series[i]` is day i, oldest first):

- two full weeks or more: Holt-Winters exponential smoothing with a level, an additive
  trend and a multiplicative weekly seasonal factor. It starts from the first two weeks
  (level and trend from their means, each weekday's factor from the detrended first
  weeks) and then walks the rest of the history, one step-ahead forecast per day;
- one to two weeks: simple exponential smoothing of the deseasonalised series, with a
  day-of-week index (the weekday's mean over the overall mean);
- under a week: simple exponential smoothing, no seasonality;
- no history: zero demand, zero error.

`sigma` is the standard deviation of the one-step-ahead residuals about zero (their root
mean square), the forecast error that safety stock covers. Pure and deterministic.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from pydantic import BaseModel

WEEK = 7
EPS = 1e-9


class Smoothing(BaseModel):
    alpha: float = 0.3  # level
    beta: float = 0.05  # trend: slow, so one busy week does not become a trend
    gamma: float = 0.2  # weekly factors


class Forecast(BaseModel):
    method: str  # holt-winters, ses-weekday-index, ses, no-history
    per_day: list[float]  # the next days, from tomorrow on; never negative
    sigma: float  # std dev of one-step-ahead residuals (units per day)
    level: float
    trend: float

    @property
    def daily(self) -> float:
        """Mean forecast daily demand over the horizon."""
        return sum(self.per_day) / len(self.per_day) if self.per_day else 0.0

    def demand_over(self, days: int) -> float:
        return sum(self.per_day[:days])


def forecast(series: Sequence[float], horizon: int, smoothing: Smoothing | None = None) -> Forecast:
    s = smoothing or Smoothing()
    history = [max(0.0, float(y)) for y in series]
    if not history:
        return Forecast(method="no-history", per_day=[0.0] * horizon, sigma=0.0, level=0, trend=0)
    if len(history) >= 2 * WEEK:
        return _holt_winters(history, horizon, s)
    index = _weekday_index(history) if len(history) >= WEEK else [1.0] * WEEK
    return _ses(history, horizon, s.alpha, index)


def _rms(residuals: list[float]) -> float:
    return math.sqrt(sum(e * e for e in residuals) / len(residuals)) if residuals else 0.0


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values)


def _normalised(factors: list[float]) -> list[float]:
    mean = _mean(factors)
    return [f / mean for f in factors] if mean > EPS else [1.0] * len(factors)


def _weekday_index(history: list[float]) -> list[float]:
    overall = _mean(history)
    if overall <= EPS:
        return [1.0] * WEEK
    return _normalised([_mean(history[d::WEEK]) / overall for d in range(WEEK)])


def _ses(history: list[float], horizon: int, alpha: float, index: list[float]) -> Forecast:
    def season(t: int) -> float:
        return index[t % WEEK]

    level = history[0] / season(0) if season(0) > EPS else history[0]
    residuals = []
    for t in range(1, len(history)):
        residuals.append(history[t] - level * season(t))
        if season(t) > EPS:
            level += alpha * (history[t] / season(t) - level)
    n = len(history)
    per_day = [max(0.0, level * season(n + h)) for h in range(horizon)]
    method = "ses" if all(abs(i - 1.0) < EPS for i in index) else "ses-weekday-index"
    return Forecast(method=method, per_day=per_day, sigma=_rms(residuals), level=level, trend=0)


def _initial_state(history: list[float]) -> tuple[float, float, list[float]]:
    """Level and trend at the end of week one, and the weekly factors, from weeks one and two."""
    week1, week2 = _mean(history[:WEEK]), _mean(history[WEEK : 2 * WEEK])
    trend = (week2 - week1) / WEEK
    centre = (WEEK - 1) / 2  # each weekly mean is the level in the middle of its week
    factors = []
    for d in range(WEEK):
        ratios = []
        for mean, y in ((week1, history[d]), (week2, history[WEEK + d])):
            expected = mean + trend * (d - centre)
            ratios.append(y / expected if expected > EPS else 1.0)
        factors.append(_mean(ratios))
    return week1 + trend * centre, trend, _normalised(factors)


def _holt_winters(history: list[float], horizon: int, s: Smoothing) -> Forecast:
    level, trend, factors = _initial_state(history)
    residuals = []
    for t in range(WEEK, len(history)):
        y, factor = history[t], factors[t % WEEK]
        residuals.append(y - (level + trend) * factor)
        previous = level
        deseasonalised = y / factor if factor > EPS else level + trend
        level = s.alpha * deseasonalised + (1 - s.alpha) * (level + trend)
        trend = s.beta * (level - previous) + (1 - s.beta) * trend
        if level > EPS:
            factors[t % WEEK] = s.gamma * (y / level) + (1 - s.gamma) * factor
    n = len(history)
    per_day = [
        max(0.0, (level + (h + 1) * trend) * factors[(n + h) % WEEK]) for h in range(horizon)
    ]
    return Forecast(
        method="holt-winters", per_day=per_day, sigma=_rms(residuals), level=level, trend=trend
    )
