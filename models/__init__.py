"""The domain: pure, deterministic, no I/O. Workflows and activities both import it."""
