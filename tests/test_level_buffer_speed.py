"""The level-buffer speed benchmark cycles a full buffer and prints one line per capacity.

The cost it prints is a measurement for the README, not asserted here; what is
tested is that the cycles it times do the work they claim on a full buffer.
"""

from __future__ import annotations

from teachgym.tasks import LEVEL_SEED
from tests.bench_scripts import load_script

level_buffer_speed = load_script("level_buffer_speed")


def test_the_timed_cycles_keep_the_buffer_full_and_replace_low_scoring_levels():
    capacity, cycles = 8, 40
    buffer, run = level_buffer_speed.full_buffer(capacity, cycles)
    assert len(buffer) == capacity and buffer.clock == capacity
    first_members = {level[LEVEL_SEED] for level in buffer.levels}
    admitted = run()
    assert buffer.clock == capacity + 2 * cycles
    assert len(buffer) == capacity
    seeds = [level[LEVEL_SEED] for level in buffer.levels]
    assert len(set(seeds)) == capacity
    assert all(buffer.index_of(level) == i for i, level in enumerate(buffer.levels))
    # New levels beat the lowest-support member only sometimes (uniform random scores).
    assert 0 < admitted < cycles
    assert len(set(seeds) - first_members) <= admitted
    assert set(seeds) - first_members, "no new level ever entered the full buffer"


def test_each_capacity_prints_one_line(capsys):
    level_buffer_speed.main(["--capacities", "4", "16", "--cycles", "20"])
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in lines] == ["capacity     4", "capacity    16"]
    assert all(line.endswith("µs per replay + new level") for line in lines)
