"""Notification providers: real SMTP for email and ops alerts, simulated SMS and app push.

Every provider has the one method a real provider's client would have:
`send(recipient, subject, body) -> provider message id`. Failures say whether sending
again can help:

    DeliveryError            base class; never raised itself
    ├── TransientFailure     not delivered, try again later (SMTP 4xx, server unreachable)
    ├── PermanentFailure     not delivered, never will be (SMTP 5xx, unknown recipient)
    └── UncertainDelivery    the connection broke mid-send: it may have arrived, so the
                             sender does not send again (at most once beats twice)

The simulators follow the sandbox habit (like `tok_decline`): a recipient containing
`bounce` fails permanently, one containing `flaky` fails transiently twice per message
and then goes through. The local SMTP sink (workers/smtp_sink.py) answers the same way.
"""

from __future__ import annotations

import smtplib
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Protocol

from sqlalchemy import Engine, Text, select
from sqlmodel import Field, SQLModel

from activities.db import reading
from activities.sqltypes import UtcDateTime, utcnow

BOUNCE, FLAKY = "bounce", "flaky"
FLAKY_FAILURES = 2
SMTP_TIMEOUT_S = 10.0


class DeliveryError(Exception):
    pass


class TransientFailure(DeliveryError):
    pass


class PermanentFailure(DeliveryError):
    pass


class UncertainDelivery(DeliveryError):
    pass


class Provider(Protocol):
    def send(self, recipient: str, subject: str, body: str) -> str: ...


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    sender: str  # the From address


class EmailProvider:
    """One SMTP conversation per message; the Message-ID is the provider id."""

    def __init__(self, config: SmtpConfig, *, timeout_s: float = SMTP_TIMEOUT_S) -> None:
        self._config = config
        self._timeout_s = timeout_s

    def send(self, recipient: str, subject: str, body: str) -> str:
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = self._config.sender, recipient, subject
        domain = self._config.sender.rpartition("@")[2] or None
        message["Message-ID"] = make_msgid(domain=domain)
        message["Date"] = formatdate(usegmt=True)
        message.set_content(body)
        try:
            smtp = smtplib.SMTP(self._config.host, self._config.port, timeout=self._timeout_s)
        except OSError as error:  # refused, unreachable, greeting timed out: nothing was sent
            raise TransientFailure(f"SMTP server unreachable: {error}") from error
        with smtp:
            try:
                refused = smtp.send_message(message)
            except smtplib.SMTPRecipientsRefused as error:
                code, reply = next(iter(error.recipients.values()))
                raise _by_code(code, reply) from error
            except smtplib.SMTPResponseException as error:  # sender or data refused
                raise _by_code(error.smtp_code, error.smtp_error) from error
            except (OSError, smtplib.SMTPException) as error:
                raise UncertainDelivery(f"SMTP connection broke while sending: {error}") from error
        if refused:  # only with several recipients; we send to one
            raise PermanentFailure(f"recipient refused: {refused}")
        return str(message["Message-ID"])


def _by_code(code: int, reply: bytes | str) -> DeliveryError:
    text = reply.decode(errors="replace") if isinstance(reply, bytes) else reply
    kind = PermanentFailure if code >= 500 else TransientFailure
    return kind(f"SMTP {code}: {text}")


class OpsMail:
    """Ops alerts by email: the outbox's role name (`ops`) goes to the ops address."""

    def __init__(self, email: EmailProvider, *, ops_address: str) -> None:
        self._email = email
        self._ops_address = ops_address

    def send(self, recipient: str, subject: str, body: str) -> str:
        address = recipient if "@" in recipient else self._ops_address
        return self._email.send(address, subject, body)


class SimulatedDelivery(SQLModel, table=True):
    """What the simulated SMS and push providers delivered, as their dashboards would show."""

    __tablename__ = "simulated_deliveries"
    id: int | None = Field(default=None, primary_key=True)
    provider_id: str = Field(unique=True)
    channel: str = Field(index=True)
    recipient: str
    subject: str
    body: str = Field(sa_type=Text)
    delivered_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)


DELIVERIES = SimulatedDelivery.__table__


def create_delivery_table(engine: Engine) -> None:
    DELIVERIES.create(engine, checkfirst=True)  # type: ignore[attr-defined]


class _Simulator:
    channel = ""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._failures: Counter[tuple[str, str]] = Counter()  # per recipient and message

    def send(self, recipient: str, subject: str, body: str) -> str:
        if BOUNCE in recipient:
            raise PermanentFailure(f"{self.channel}: unknown recipient")
        if FLAKY in recipient and self._failures[recipient, body] < FLAKY_FAILURES:
            self._failures[recipient, body] += 1
            raise TransientFailure(f"{self.channel}: provider busy, try again")
        provider_id = f"{self.channel}-{uuid.uuid4().hex[:16]}"
        row = {
            "provider_id": provider_id,
            "channel": self.channel,
            "recipient": recipient,
            "subject": subject,
            "body": body,
            "delivered_at": utcnow(),
        }
        with self._engine.begin() as connection:
            connection.execute(DELIVERIES.insert().values(**row))
        return provider_id


class SimulatedSms(_Simulator):
    channel = "sms"


class SimulatedPush(_Simulator):
    """App push to the customer's devices; the recipient is the customer id."""

    channel = "push"


def simulated_deliveries(engine: Engine, *, channel: str) -> list[dict[str, object]]:
    query = select(DELIVERIES).where(DELIVERIES.c.channel == channel).order_by(DELIVERIES.c.id)
    with reading(engine) as connection:
        return [dict(row) for row in connection.execute(query).mappings()]


def standard_providers(
    engine: Engine, *, smtp: SmtpConfig, ops_address: str
) -> dict[str, Provider]:
    """The provider for each outbox channel."""
    email = EmailProvider(smtp)
    return {
        "email": email,
        "ops": OpsMail(email, ops_address=ops_address),
        "sms": SimulatedSms(engine),
        "push": SimulatedPush(engine),
    }
