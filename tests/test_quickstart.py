"""The PPO quickstart of ``docs/quickstart.md`` runs as written (at a tiny budget here;
``benchmarks/quickstart_minigrid.py`` measures its figures)."""

from __future__ import annotations

import re

import pytest

from tests.bench_scripts import load_script


def test_quickstart_declares_its_budgets_from_zero():
    code = load_script("quickstart_minigrid").snippet()
    budgets = eval(re.search(r"^BUDGETS = (.*)$", code, re.M).group(1))  # a tuple literal
    assert budgets[0] == 0 and list(budgets) == sorted(budgets) and budgets[-1] > 0
    assert 'make_student("ppo"' in code and "evaluate(student, test_set)" in code


@pytest.mark.slow
def test_quickstart_runs_and_prints_one_figure_per_budget(capsys):
    load_script("quickstart_minigrid").run((0, 256))
    out = capsys.readouterr().out
    lines = re.findall(r"^ *(\d+) steps: +([\d.]+) % of the ladder mastered", out, re.M)
    assert len(lines) == 2  # one evaluation per budget
    (untrained, _), (trained, _) = lines
    assert int(untrained) == 0 and int(trained) >= 256
    assert all(0.0 <= float(figure) <= 100.0 for _, figure in lines)
