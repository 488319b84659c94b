"""`python -m workers`: one worker process against TEMPORAL_ADDRESS; run several to scale."""

from __future__ import annotations

import asyncio
import contextlib
import signal

from workers.logging import configure_logging
from workers.settings import load_settings
from workers.worker import serve


async def _main() -> None:
    settings = load_settings()
    configure_logging(settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await serve(settings, stop=stop)


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_main())
