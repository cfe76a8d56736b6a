"""PAIRED: the adversary designers learn from regret; the protagonist/antagonist student."""

from __future__ import annotations

import functools

import numpy as np
import pytest
from stable_baselines3.common.callbacks import BaseCallback

from teachgym.agents import PairedStudent, make_student, student_names
from teachgym.curriculum import Curriculum
from teachgym.tasks import LEVEL_SEED, Continuous, IntArray, Integer, TaskSpace
from teachgym.teachers import Outcome, make_teacher
from teachgym.teachers.level_buffer import level_key
from teachgym.teachers.paired import VectorDesigner, WallSequenceDesigner
from tests.toy_env import CountdownEnv

BOX = TaskSpace({"a": Continuous(0.0, 1.0), "b": Continuous(-5.0, 5.0)})
MAZE = TaskSpace({"walls": IntArray((4, 4)), "goal_x": Integer(0, 3)})


def train(teacher, regret_of, levels: int) -> list[float]:
    regrets = []
    for _ in range(levels):
        task = teacher.sample()
        regret = regret_of(task)
        regrets.append(regret)
        teacher.update(task, Outcome(0.0, score=regret))
    return regrets


def test_vector_adversary_moves_towards_high_regret_levels():
    teacher = make_teacher("paired", BOX, seed=0, batch_size=8, learning_rate=0.05)
    assert isinstance(teacher.designer, VectorDesigner)
    regrets = train(teacher, lambda t: t["a"], 1600)  # regret grows with parameter a
    assert np.mean(regrets[-200:]) > np.mean(regrets[:200]) + 0.15
    assert teacher.diagnostics()["adversary_updates"] == 200


def test_wall_adversary_learns_where_walls_raise_regret():
    teacher = make_teacher("paired", MAZE, seed=0, n_walls=4, batch_size=8, learning_rate=0.5)
    assert isinstance(teacher.designer, WallSequenceDesigner)
    first = teacher.sample()
    assert np.sum(first["walls"]) <= 4 and LEVEL_SEED in first

    def top_row_walls(task) -> float:
        return float(np.sum(task["walls"][0]))

    teacher.update(first, Outcome(0.0, score=top_row_walls(first)))
    regrets = train(teacher, top_row_walls, 1200)
    assert np.mean(regrets[-200:]) > np.mean(regrets[:200]) + 0.5


def test_paired_designer_choice_and_bad_settings():
    assert make_teacher("paired", BOX).designer_kind == "vector"
    assert make_teacher("paired", MAZE).designer_kind == "walls"
    with pytest.raises(ValueError, match="exactly one binary IntArray"):
        make_teacher("paired", BOX, designer="walls")
    with pytest.raises(ValueError, match="designer must be"):
        make_teacher("paired", BOX, designer="gan")
    with pytest.raises(ValueError, match="learning_rate"):
        make_teacher("paired", BOX, learning_rate=0.0)
    with pytest.raises(ValueError, match="needs a regret score"):
        make_teacher("paired", BOX).update(make_teacher("paired", BOX).sample(), Outcome(1.0))


def test_paired_student_refuses_other_teachers():
    student = PairedStudent(functools.partial(CountdownEnv), n_envs=2, n_steps=16, batch_size=16)
    with pytest.raises(ValueError, match="'paired' teacher"):
        student.learn(Curriculum(make_teacher("random", CountdownEnv.task_space)), 10)


@pytest.mark.slow
def test_paired_student_reports_regret_of_both_students(tmp_path):
    teacher = make_teacher("paired", CountdownEnv.task_space, seed=0, batch_size=4)
    student = PairedStudent(
        functools.partial(CountdownEnv),
        levels_per_round=4,
        steps_per_round=256,
        n_envs=2,
        n_steps=32,
        batch_size=32,
        n_epochs=1,
    )
    reports = []
    student.learn(Curriculum(teacher, listeners=[reports.append]), 768)
    assert student.steps_done == 768 and len(reports) > 0
    assert teacher.n_updates == len(reports) and not teacher.designs
    assert all(r.outcome.score is not None and np.isfinite(r.outcome.score) for r in reports)
    # The antagonist's best return minus the protagonist's mean return on the level.
    last = reports[-1]
    key_returns = student._cycles["antagonist"].returns
    mine = student._cycles["protagonist"].returns
    key = level_key(last.task)
    assert last.outcome.score == pytest.approx(max(key_returns[key]) - np.mean(mine[key]))
    student.save(tmp_path / "s", teacher)
    settings = {"levels_per_round": 4, "steps_per_round": 256, "n_envs": 2, "n_steps": 32}
    restored = PairedStudent(functools.partial(CountdownEnv), **settings, batch_size=32, n_epochs=1)
    assert restored.load(tmp_path / "s") is not None
    other = PairedStudent(functools.partial(CountdownEnv), **settings, batch_size=16, n_epochs=1)
    with pytest.raises(ValueError, match=r"other settings \(batch_size: 32 -> 16\)"):
        other.load(tmp_path / "s")
    observation = np.array([0.0, 0.5], dtype=np.float32)
    assert restored.act(observation) == student.act(observation)
    student.close()


def test_make_student_builds_the_paired_student():
    assert "paired-ppo" in student_names() and "paired" not in student_names()
    student = make_student("paired-ppo", functools.partial(CountdownEnv), levels_per_round=3)
    assert isinstance(student, PairedStudent) and student.levels_per_round == 3


class CountCalls(BaseCallback):
    """Counts the rollouts of the model it is attached to."""

    def __init__(self) -> None:
        super().__init__()
        self.models: set[int] = set()

    def _on_rollout_end(self) -> None:
        self.models.add(id(self.model))

    def _on_step(self) -> bool:
        return True


@pytest.mark.slow
def test_lstm_paired_students_and_callbacks_of_the_protagonist_only():
    teacher = make_teacher("paired", CountdownEnv.task_space, seed=0, batch_size=4)
    curve = CountCalls()
    student = PairedStudent(
        functools.partial(CountdownEnv), levels_per_round=4, steps_per_round=64,
        algo="recurrent-ppo", protagonist_callbacks=[curve], n_envs=2, n_steps=16,
        batch_size=16, n_epochs=1,
    )  # fmt: skip
    reports = []
    student.learn(Curriculum(teacher, listeners=[reports.append]), 128)
    assert student.protagonist.recurrent and student.antagonist.recurrent
    assert reports and all(np.isfinite(r.outcome.score) for r in reports)
    # The callback saw the protagonist's rollouts and none of the antagonist's.
    assert curve.models == {id(student.protagonist.model)}
    assert student.get_params()["algo"] == "recurrent-ppo"
    with pytest.raises(ValueError, match="algo must be one of"):
        PairedStudent(functools.partial(CountdownEnv), algo="sac")
    student.close()
