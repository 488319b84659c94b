"""Customer care: why orders were cancelled or backordered, complaints, satisfaction."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date, timedelta

from pydantic import BaseModel, Field

from models.analytics import OrderRecord, rate


class ReasonCount(BaseModel):
    status: str  # CANCELLED or REJECTED
    reason: str
    count: int


def _reason(text: str | None) -> str:
    # Free text from customers and ops: the same words with other spacing or case are one reason.
    return " ".join((text or "no reason given").split()).lower()


def cancellation_reasons(records: Iterable[OrderRecord]) -> list[ReasonCount]:
    """Cancelled and rejected orders per reason, most frequent first."""
    counts = Counter(
        (r.status, _reason(r.cancel_reason))
        for r in records
        if r.status in ("CANCELLED", "REJECTED")
    )
    rows = [ReasonCount(status=s, reason=why, count=n) for (s, why), n in counts.items()]
    return sorted(rows, key=lambda row: (-row.count, row.status, row.reason))


class Backorders(BaseModel):
    orders: int = 0  # orders that were ever backordered
    by_sku: dict[str, int] = Field(default_factory=dict)  # the short SKUs that caused them
    by_decision: dict[str, int] = Field(default_factory=dict)  # wait, substitute, cancel, none
    cancelled: int = 0  # of them, how many ended cancelled
    fulfilled: int = 0  # of them, how many got their stock (reserved or later)


def backorder_reasons(records: Iterable[OrderRecord]) -> Backorders:
    found = Backorders()
    skus: Counter[str] = Counter()
    decisions: Counter[str] = Counter()
    for r in records:
        if not r.ever("BACKORDERED"):
            continue
        found.orders += 1
        skus.update(set(r.backorder_skus))
        decisions[r.backorder_decision or "none"] += 1
        found.cancelled += r.status == "CANCELLED"
        backordered = r.first("BACKORDERED")
        found.fulfilled += any(
            e.event == "RESERVED" and backordered is not None and e.at >= backordered
            for e in r.events
        )
    found.by_sku = dict(sorted(skus.items(), key=lambda kv: (-kv[1], kv[0])))
    found.by_decision = dict(sorted(decisions.items()))
    return found


class CategoryCount(BaseModel):
    category: str
    count: int


class WeekCount(BaseModel):
    week: date  # the Monday the week starts on
    category: str
    count: int


def week_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def complaint_categories(records: Iterable[OrderRecord]) -> list[CategoryCount]:
    counts = Counter(c.category for r in records for c in r.complaints)
    return [
        CategoryCount(category=c, count=n)
        for c, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    ]


def complaint_trend(records: Iterable[OrderRecord]) -> list[WeekCount]:
    """Complaints per week and category, oldest week first."""
    counts = Counter((week_of(c.at.date()), c.category) for r in records for c in r.complaints)
    return [WeekCount(week=w, category=c, count=n) for (w, c), n in sorted(counts.items())]


class Satisfaction(BaseModel):
    surveys_sent: int
    answered: int
    response_rate: float
    mean_score: float  # 0 when nobody answered
    scores: dict[int, int]  # 1..5 -> how many answered so
    unhappy: int  # answered 1 or 2


def satisfaction(records: Iterable[OrderRecord]) -> Satisfaction:
    sent = answered = 0
    scores = dict.fromkeys(range(1, 6), 0)
    for r in records:
        sent += r.survey_sent
        if r.survey_score is not None:
            answered += 1
            scores[r.survey_score] = scores.get(r.survey_score, 0) + 1
    total = sum(score * n for score, n in scores.items())
    return Satisfaction(
        surveys_sent=sent,
        answered=answered,
        response_rate=rate(answered, sent),
        mean_score=total / answered if answered else 0.0,
        scores=scores,
        unhappy=scores[1] + scores[2],
    )
