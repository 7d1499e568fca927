"""Benchmarks: run as ``python -m bench.<name>`` from the repo root (never as timed tests)."""
