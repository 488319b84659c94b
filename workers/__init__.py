"""Composition root: settings, logging, the data converter, and the worker process."""
