"""Cancellation and backorder reasons, complaint categories and trend, satisfaction."""

from __future__ import annotations

from datetime import date

from models.analytics import ComplaintRecord
from models.analytics_care import (
    backorder_reasons,
    cancellation_reasons,
    complaint_categories,
    complaint_trend,
    satisfaction,
)
from tests.unit.test_analytics import at, placed


def test_cancellation_reasons_are_counted_alike_whatever_their_spacing_or_case() -> None:
    records = [
        placed("A", "CANCELLED", cancel_reason="Changed my  mind"),
        placed("B", "CANCELLED", cancel_reason="changed my mind"),
        placed("C", "CANCELLED", cancel_reason="payment not completed within the window"),
        placed("D", "REJECTED", cancel_reason="unknown SKU NOPE"),
        placed("E", "CANCELLED"),
        placed("F", "DELIVERED", cancel_reason="ignored: not cancelled"),
    ]

    rows = [(r.status, r.reason, r.count) for r in cancellation_reasons(records)]

    assert rows == [
        ("CANCELLED", "changed my mind", 2),
        ("CANCELLED", "no reason given", 1),
        ("CANCELLED", "payment not completed within the window", 1),
        ("REJECTED", "unknown sku nope", 1),
    ]


def test_backorders_by_short_sku_decision_and_outcome() -> None:
    records = [
        placed(
            "A",
            steps={"BACKORDERED": 1, "RESERVED": 30},
            backorder_skus=["HOM-007"],
            backorder_decision="wait",
        ),
        placed(
            "B",
            "CANCELLED",
            steps={"BACKORDERED": 1, "CANCELLED": 2},
            backorder_skus=["HOM-007", "TEA-9"],
            backorder_decision="cancel",
        ),
        placed("C", "BACKORDERED", steps={"BACKORDERED": 1}, backorder_skus=["TEA-9"]),
        placed("D", steps={"RESERVED": 1}),  # never backordered
    ]

    found = backorder_reasons(records)

    assert found.orders == 3
    assert found.by_sku == {"HOM-007": 2, "TEA-9": 2}
    assert found.by_decision == {"cancel": 1, "none": 1, "wait": 1}
    assert (found.cancelled, found.fulfilled) == (1, 1)


def test_complaints_by_category_and_by_week() -> None:
    def complaints(*items: tuple[str, float]) -> list[ComplaintRecord]:
        return [ComplaintRecord(category=c, at=at(h)) for c, h in items]

    records = [
        placed("A", complaints=complaints(("late", 1), ("damaged", 2))),
        placed("B", complaints=complaints(("late", 24 * 6))),  # Monday 7 Dec: the next week
        placed("C", complaints=complaints(("late", 24 * 7))),
        placed("D"),
    ]

    assert [(c.category, c.count) for c in complaint_categories(records)] == [
        ("late", 3),
        ("damaged", 1),
    ]
    assert [(w.week, w.category, w.count) for w in complaint_trend(records)] == [
        (date(2026, 11, 30), "damaged", 1),
        (date(2026, 11, 30), "late", 1),
        (date(2026, 12, 7), "late", 2),
    ]


def test_satisfaction_scores_response_rate_and_unhappy_customers() -> None:
    records = [
        placed("A", survey_sent=True, survey_score=5),
        placed("B", survey_sent=True, survey_score=4),
        placed("C", survey_sent=True, survey_score=1),
        placed("D", survey_sent=True),
        placed("E"),
    ]

    found = satisfaction(records)

    assert (found.surveys_sent, found.answered, found.response_rate) == (4, 3, 0.75)
    assert found.mean_score == 10 / 3
    assert found.scores == {1: 1, 2: 0, 3: 0, 4: 1, 5: 1} and found.unhappy == 1


def test_satisfaction_without_answers_is_zero_not_an_error() -> None:
    found = satisfaction([placed("A")])

    assert (found.surveys_sent, found.answered, found.mean_score, found.response_rate) == (
        0,
        0,
        0.0,
        0.0,
    )
