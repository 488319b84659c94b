"""Benchmarks: `python -m bench.throughput` (see bench/results/ for recorded runs)."""
