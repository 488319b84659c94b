"""Thin orchestration: sequencing, timers, signals, updates, queries, compensation."""
