"""Leaving a short-lived process that used a Temporal client."""

from __future__ import annotations

import os
import sys
from typing import NoReturn


def exit_now(code: int) -> NoReturn:
    """Flush and exit without interpreter teardown.

    A process that used a Temporal client can abort at teardown with "Fatal Python
    error: PyGILState_Release" (temporalio/sdk-python#300, open upstream), which would
    turn a success into a crash; the work is done by now, so skip the teardown.
    """
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
