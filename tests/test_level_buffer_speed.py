"""The level-buffer speed benchmark runs its cycles on a full buffer and prints a cost."""

from __future__ import annotations

from tests.bench_scripts import load_script

level_buffer_speed = load_script("level_buffer_speed")


def test_each_capacity_prints_a_positive_cost_per_cycle(capsys):
    level_buffer_speed.main(["--capacities", "4", "16", "--cycles", "20"])
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in lines] == ["capacity     4", "capacity    16"]
    assert all(float(line.split(":")[1].split()[0]) > 0 for line in lines)
