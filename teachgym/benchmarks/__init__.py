"""Benchmarks: scripts and (later) suites that compare teachers and measure speed.

Run a benchmark as ``python -m teachgym.benchmarks.<name>``; each prints its figures.
"""
