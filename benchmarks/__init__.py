"""Benchmarks of evidence-tui at scale (``make bench``); never part of ``make test``."""
