"""No customer's name, email, phone or street reaches the logs, whoever logs it and how.

Real output: `configure_logging` writing to a stream, structlog and standard-library
loggers alike (the SDK and `workflow.logger` log through the standard library).
"""

from __future__ import annotations

import io
import json
import logging
import sys
from collections.abc import Callable, Iterator

import pytest
import structlog
from pydantic import ValidationError

from models.order import OrderDocument
from workers.logging import MASK, configure_logging, mask_personal_data
from workers.settings import Settings

NAME, EMAIL, PHONE, STREET = (
    "Wang Xiaoming",
    "wang.xm@example.org",
    "+86 139 1234 5678",
    "88 Nanjing Rd",
)
PERSONAL = (NAME, EMAIL, PHONE, STREET, "Xiaoming", "1234 5678", "Nanjing Rd")


@pytest.fixture
def customer_order(make_order: Callable[..., OrderDocument]) -> OrderDocument:
    order = make_order(recipient=NAME, phone=PHONE, street=STREET)
    customer = order.customer.model_copy(update={"name": NAME, "email": EMAIL, "phone": PHONE})
    return order.model_copy(update={"customer": customer})


@pytest.fixture(params=["json", "console"])
def output(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[io.StringIO]:
    """What configure_logging writes, in either format; the logging setup is put back after."""
    stream = io.StringIO()
    root = logging.getLogger()
    handlers, level, config = root.handlers[:], root.level, structlog.get_config()
    monkeypatch.setattr(sys, "stderr", stream)
    configure_logging(Settings(oms_log_format=request.param))
    try:
        yield stream
    finally:
        root.handlers[:], root.level = handlers, level
        structlog.configure(**config)


def assert_no_personal_data(text: str) -> None:
    assert text.strip(), "nothing was logged"
    for secret in PERSONAL:
        assert secret not in text, f"{secret!r} leaked into the logs:\n{text}"


def test_structured_fields_are_masked_by_name(
    output: io.StringIO, customer_order: OrderDocument
) -> None:
    log = structlog.get_logger("test.masking")
    log.info("placed", order_id="SO-1", name=NAME, customer_email=EMAIL, phoneNumber=PHONE)
    log.info("shipping", shipping_address=customer_order.shipping_address.model_dump())
    log.info("document", order=customer_order, customer=customer_order.customer)
    assert_no_personal_data(output.getvalue())
    assert "SO-1" in output.getvalue()  # what is not personal stays readable


def test_emails_and_phones_in_free_text_are_masked(output: io.StringIO) -> None:
    structlog.get_logger("test.masking").warning(f"could not reach {EMAIL} or {PHONE}")
    logging.getLogger("temporalio.activity").info("notify %s by sms at %s", EMAIL, PHONE)
    assert_no_personal_data(output.getvalue())
    assert MASK in output.getvalue()


def test_standard_library_records_and_exceptions_are_masked(
    output: io.StringIO, order_data: dict[str, object]
) -> None:
    order_data["customer"] = {"customer_id": "C-1", "name": NAME, "email": EMAIL, "phone": PHONE}
    order_data["shipping_address"] = {"street": STREET, "recipient": NAME, "phone": PHONE}
    try:
        OrderDocument.model_validate(order_data)  # the error message repeats its input
    except ValidationError:
        logging.getLogger("temporalio.worker").exception("activity failed")
    assert_no_personal_data(output.getvalue())
    assert "ValidationError" in output.getvalue()  # the error itself is still there


def test_dates_addresses_of_servers_and_amounts_are_left_alone() -> None:
    event = {
        "event": "booked",
        "at": "2026-12-03T10:00:00+00:00",
        "temporal": "127.0.0.1:7233",
        "temporal_address": "127.0.0.1:7233",
        "amount": "119.80",
        "tracking_number": "SF1234567890",
    }
    assert mask_personal_data(None, "info", dict(event)) == event


def test_json_lines_stay_json(output: io.StringIO) -> None:
    structlog.get_logger("test.masking").info("placed", email=EMAIL)
    line = output.getvalue().strip().splitlines()[-1]
    if line.startswith("{"):
        assert json.loads(line)["email"] == MASK
