"""A local SMTP server that keeps every mail it accepts as an .eml file (aiosmtpd).

`starter.py up` runs one on OMS_SMTP_PORT (1025) when OMS_SMTP_HOST is this machine, so
the demo's mails land in `.oms/mail/`; tests run one on a free port. It answers like a
mail server would for the sandbox addresses: a recipient containing `bounce` is refused
for good (550), one containing `flaky` is refused for now (451) twice, then accepted.

    python -m workers.smtp_sink [--port 1025] [--dir .oms/mail]
"""

from __future__ import annotations

import argparse
import os
import time
import uuid
from collections import Counter
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

from workers.settings import PROJECT_ROOT

MAIL_DIR = PROJECT_ROOT / ".oms" / "mail"
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
FLAKY_REFUSALS = 2


class _KeepMail:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._refused: Counter[str] = Counter()

    async def handle_RCPT(  # noqa: N802  (aiosmtpd's hook name)
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if "bounce" in address:
            return "550 5.1.1 mailbox unavailable"
        if "flaky" in address and self._refused[address] < FLAKY_REFUSALS:
            self._refused[address] += 1
            return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.directory.mkdir(parents=True, exist_ok=True)
        name = f"{time.time_ns()}-{uuid.uuid4().hex[:8]}.eml"
        partial = self.directory / f".{name}.part"
        partial.write_bytes(envelope.original_content or envelope.content)
        os.replace(partial, self.directory / name)  # readers never see half a mail
        return "250 2.0.0 kept"


class SmtpSink:
    def __init__(self, directory: Path = MAIL_DIR, *, host: str = "127.0.0.1", port: int = 1025):
        self.directory, self.host, self.port = directory, host, port
        self._controller = Controller(_KeepMail(directory), hostname=host, port=port)

    def start(self) -> SmtpSink:
        """Serve on a thread of its own; raises if the port is taken."""
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    def messages(self) -> list[EmailMessage]:
        return read_mail(self.directory)


def read_mail(directory: Path) -> list[EmailMessage]:
    """The kept mails, oldest first."""
    if not directory.exists():
        return []
    mails = []
    for path in sorted(directory.glob("*.eml")):
        mail = message_from_bytes(path.read_bytes(), policy=policy.default)
        assert isinstance(mail, EmailMessage)  # what policy.default makes
        mails.append(mail)
    return mails


def is_local(host: str) -> bool:
    return host in LOCAL_HOSTS


def main() -> None:
    parser = argparse.ArgumentParser(description="Keep every mail sent here as an .eml file.")
    parser.add_argument("--port", type=int, default=1025)
    parser.add_argument("--dir", type=Path, default=MAIL_DIR)
    args = parser.parse_args()
    sink = SmtpSink(args.dir, port=args.port).start()
    print(f"SMTP sink on 127.0.0.1:{args.port}, mail kept in {args.dir}; Ctrl-C stops")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        sink.stop()


if __name__ == "__main__":
    main()
