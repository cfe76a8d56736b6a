"""Benchmarks: suites that compare teachers, their runner, statistics and reports; scripts.

``teachgym bench SUITE --out DIR`` runs a suite (:mod:`~teachgym.benchmarks.suite`,
:mod:`~teachgym.benchmarks.presets`, :mod:`~teachgym.benchmarks.runner`,
:mod:`~teachgym.benchmarks.training`, :mod:`~teachgym.benchmarks.run_directory`);
``teachgym report DIR`` analyses it (:mod:`~teachgym.benchmarks.results`,
:mod:`~teachgym.benchmarks.statistics`, :mod:`~teachgym.benchmarks.plots`,
:mod:`~teachgym.benchmarks.report`). Scripts that print figures run as
``python -m teachgym.benchmarks.<name>`` (``scaling``, ``ray_parity``, ``learnability``).
"""
