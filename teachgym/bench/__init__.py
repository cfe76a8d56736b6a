"""The benchmark library: suites that compare teachers, their runner, statistics, reports.

``teachgym bench SUITE --out DIR`` runs a suite (:mod:`~teachgym.bench.suite`,
:mod:`~teachgym.bench.suites`, :mod:`~teachgym.bench.runner`,
:mod:`~teachgym.bench.training`, :mod:`~teachgym.bench.run_directory`);
``teachgym report DIR`` analyses it (:mod:`~teachgym.bench.results`,
:mod:`~teachgym.bench.statistics`, :mod:`~teachgym.bench.plots`,
:mod:`~teachgym.bench.report`). The measurement scripts that print figures live in
the repository's ``benchmarks/`` folder, outside the package.
"""
