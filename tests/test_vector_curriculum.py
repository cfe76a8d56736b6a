"""The curriculum on Gymnasium's own vector envs: exact accounting in every autoreset mode."""

from __future__ import annotations

import functools
import re
from collections import Counter
from pathlib import Path

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.vector import AutoresetMode, SyncVectorEnv

from teachgym.curriculum import Curriculum, EpisodeRecord, TaskFeedWrapper
from teachgym.errors import TeachgymUsageError
from teachgym.vector_curriculum import (
    CurriculumVectorWrapper,
    make_curriculum_vector_env,
    unbatch_info,
)
from tests.bench_scripts import BENCHMARKS, load_script
from tests.toy_env import CountdownEnv, RecordingTeacher

NUM_ENVS = 3
EPISODES = 40


def key(task: dict) -> tuple:
    return (task["length"], task["bonus"])


def run_episodes(envs: CurriculumVectorWrapper, mode: AutoresetMode, episodes: int):
    """Always action 0 (episodes last ``length`` steps). Returns each sub-environment's
    episode returns summed from the vector env's own rewards, and which sub-environments
    finished at the last step."""
    returns: list[list[float]] = [[] for _ in range(envs.num_envs)]
    running = np.zeros(envs.num_envs)
    envs.reset(seed=0)
    while sum(map(len, returns)) < episodes:
        _, rewards, terminations, truncations, _ = envs.step(np.zeros(envs.num_envs, np.int64))
        running += rewards
        finished = terminations | truncations
        for i in np.flatnonzero(finished):
            returns[i].append(float(running[i]))
            running[i] = 0.0
        if mode == AutoresetMode.DISABLED and finished.any():
            envs.reset(options={"reset_mask": finished})
    return returns, finished


@pytest.mark.parametrize("vectorization_mode", ["sync", "async"])
@pytest.mark.parametrize("mode", list(AutoresetMode))
def test_every_finished_episode_reaches_the_teacher_exactly_once(vectorization_mode, mode):
    teacher = RecordingTeacher(CountdownEnv.task_space, seed=3)
    records: list[EpisodeRecord] = []
    envs = make_curriculum_vector_env(
        functools.partial(CountdownEnv),
        Curriculum(teacher, listeners=[records.append]),
        num_envs=NUM_ENVS,
        vectorization_mode=vectorization_mode,
        autoreset_mode=mode,
    )
    try:
        env_returns, just_finished = run_episodes(envs, mode, EPISODES)
    finally:
        envs.close()
    finished = sum(map(len, env_returns))
    assert finished >= EPISODES
    assert len(teacher.updates) == finished == len(records)
    for task, outcome in teacher.updates:  # CountdownEnv: return = length * bonus with action 0
        assert outcome.length == task["length"]
        assert outcome.episode_return == pytest.approx(task["length"] * task["bonus"])
        assert outcome.success is True
    for i in range(NUM_ENVS):  # the teacher heard each sub-env's episodes, in order
        heard = [r.outcome.episode_return for r in records if r.env_index == i]
        assert heard == pytest.approx(env_returns[i])
    # every reported task was sampled, each reported once; the rest are running or waiting
    reported = Counter(key(task) for task, _ in teacher.updates)
    sampled = Counter(key(task) for task in teacher.sampled)
    assert max(reported.values()) == 1 and not reported - sampled
    # NEXT_STEP: a sub-env that finished at the last step resets (takes its task) next step
    not_yet_reset = just_finished.sum() if mode == AutoresetMode.NEXT_STEP else 0
    assert len(teacher.sampled) == finished + 2 * NUM_ENVS - not_yet_reset
    assert [task for task, _ in teacher.updates] == [r.task for r in records]


def test_next_step_mode_feeds_the_task_at_the_reset_step_not_before():
    teacher = RecordingTeacher(CountdownEnv.task_space, seed=0)
    envs = make_curriculum_vector_env(functools.partial(CountdownEnv), teacher, num_envs=1)
    envs.reset(seed=0)
    first, waiting = teacher.sampled
    for _ in range(first["length"] - 1):
        envs.step(np.zeros(1, np.int64))
    *_, info = envs.step(np.zeros(1, np.int64))  # the episode ends: reported, no refill yet
    assert teacher.updates[-1][0] == first and len(teacher.sampled) == 2
    assert envs.controller.next_tasks == [waiting]
    _, reward, *_, info = envs.step(np.zeros(1, np.int64))  # the auto-reset runs `waiting`
    assert reward[0] == 0.0 and unbatch_info(info, 0)["task"] == waiting
    assert len(teacher.sampled) == 3 and envs.controller.next_tasks == [teacher.sampled[-1]]
    envs.close()


def test_explicit_task_runs_everywhere_and_keeps_the_next_tasks():
    teacher = RecordingTeacher(CountdownEnv.task_space, seed=0)
    envs = make_curriculum_vector_env(
        functools.partial(CountdownEnv), teacher, num_envs=2, autoreset_mode="Disabled"
    )
    explicit = {"length": 2, "bonus": 0.25}
    _, info = envs.reset(options={"task": explicit})
    assert [unbatch_info(info, i)["task"] for i in range(2)] == [explicit, explicit]
    pending = list(envs.controller.next_tasks)
    assert pending == teacher.sampled and len(pending) == 2
    envs.step(np.zeros(2, np.int64))
    *_, terminations, _, _ = envs.step(np.zeros(2, np.int64))
    assert terminations.all() and [t for t, _ in teacher.updates] == [explicit, explicit]
    _, info = envs.reset(options={"reset_mask": np.array([False, True])})
    assert unbatch_info(info, 1)["task"] == pending[1]
    assert envs.controller.next_tasks == [pending[0], teacher.sampled[-1]]
    envs.close()


class ScoreTeacher(RecordingTeacher):
    """Needs a student's score with every episode."""

    name = "score-counting"
    requires_score = True


def test_a_teacher_that_needs_scores_gets_them_from_the_student():
    teacher = ScoreTeacher(CountdownEnv.task_space, seed=0)
    envs = make_curriculum_vector_env(
        functools.partial(CountdownEnv), teacher, num_envs=2, autoreset_mode="SameStep"
    )
    envs.reset(seed=0)
    finished = 0
    for _ in range(30):
        *_, terminations, truncations, _ = envs.step(np.zeros(2, np.int64))
        finished += int((terminations | truncations).sum())
    assert teacher.updates == [] and len(envs.unscored_episodes) == finished > 3
    assert len(teacher.sampled) == finished + 4  # refilled at once all the same
    for env_index, info in envs.unscored_episodes:
        envs.controller.report(info, env_index, score=float(info["teachgym_episode"]["length"]))
    assert [o.score for _, o in teacher.updates] == [float(t["length"]) for t, _ in teacher.updates]
    assert len(teacher.updates) == finished
    envs.close()


class SilentCountdown(CountdownEnv):
    """Reports success only on some episodes (``info`` without ``is_success`` otherwise)."""

    def step(self, action):
        observation, reward, terminated, truncated, info = super().step(action)
        if self.task["length"] % 2:
            info = {}
        return observation, reward, terminated, truncated, info


def test_batched_infos_keep_unknown_success_unknown():
    teacher = RecordingTeacher(CountdownEnv.task_space, seed=0)
    envs = CurriculumVectorWrapper(
        SyncVectorEnv(
            [lambda: TaskFeedWrapper(SilentCountdown(), require_task=True)] * 4,
            autoreset_mode=AutoresetMode.SAME_STEP,
        ),
        teacher,
    )
    envs.reset(seed=0)
    for _ in range(60):
        envs.step(np.zeros(4, np.int64))
    assert len(teacher.updates) > 10
    for task, outcome in teacher.updates:
        assert outcome.success is (None if task["length"] % 2 else True)
    envs.close()


def test_unbatch_info_respects_masks_and_nesting():
    infos = {
        "a": np.array([1, 2]),
        "_a": np.array([True, False]),
        "nested": {"x": np.array([[1.0, 2.0], [3.0, 4.0]]), "_x": np.array([False, True])},
        "_nested": np.array([True, True]),
    }
    assert unbatch_info(infos, 0) == {"a": 1, "nested": {}}
    second = unbatch_info(infos, 1)
    assert list(second) == ["nested"] and second["nested"]["x"].tolist() == [3.0, 4.0]
    assert type(unbatch_info(infos, 0)["a"]) is int


def test_sub_environments_without_a_task_feed_are_a_clear_error():
    plain = SyncVectorEnv([lambda: CountdownEnv()] * 2)
    with pytest.raises(TypeError, match="TaskFeedWrapper"):
        CurriculumVectorWrapper(plain, RecordingTeacher(CountdownEnv.task_space))
    with pytest.raises(TypeError, match="VectorEnv"):
        CurriculumVectorWrapper(gym.make("CartPole-v1"), RecordingTeacher(CountdownEnv.task_space))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"num_envs": 0}, "num_envs"),
        ({"vectorization_mode": "ray"}, "vectorization_mode"),
        ({"autoreset_mode": "sometimes"}, "NextStep"),
    ],
)
def test_bad_arguments_name_the_argument(kwargs, message):
    with pytest.raises(TeachgymUsageError, match=message):
        make_curriculum_vector_env(
            functools.partial(CountdownEnv), RecordingTeacher(CountdownEnv.task_space), **kwargs
        )


def test_contributing_training_loop_runs_as_written(capsys):
    guide = (Path(__file__).resolve().parent.parent / "CONTRIBUTING.md").read_text()
    code = re.search(r"## Add a student\n.*?```python\n(.*?)```", guide, re.S)
    assert code is not None
    exec(compile(code.group(1), "CONTRIBUTING-training-loop", "exec"), {})
    reported = int(capsys.readouterr().out.split()[0])
    # one-step episodes, each followed by its reset step (NEXT_STEP): 4 envs x 100 steps / 2
    assert reported == 200


def test_speed_script_measures_both_modes_and_counts_the_episodes(monkeypatch):
    monkeypatch.syspath_prepend(str(BENCHMARKS))  # as `python benchmarks/<script>.py` runs
    script = load_script("vector_curriculum_speed")
    rows = script.measure(["teachgym/LearnabilityGrid-v0"], steps=4, rounds=1, num_envs=2)
    assert [row["mode"] for row in rows] == ["sync", "async"]
    # one-step episodes with next-step resets: steps 1 and 3 end one episode per sub-env
    assert all(row["episodes_reported"] == 4 for row in rows)
    assert all(row["plain_steps_per_s"] > 0 and row["teacher_steps_per_s"] > 0 for row in rows)
    assert "with teacher" in script.format_rows(rows).splitlines()[0]
    with pytest.raises(SystemExit):
        script.main(["--steps", "0"])


class ValueTeacher(RecordingTeacher):
    name = "value-counting"
    requires_value = True


@pytest.mark.parametrize("mode", list(AutoresetMode))
def test_a_teacher_that_needs_values_gets_the_students_value_of_each_reset(mode):
    teacher = ValueTeacher(CountdownEnv.task_space, seed=0)
    envs = make_curriculum_vector_env(
        functools.partial(CountdownEnv), teacher, num_envs=NUM_ENVS, autoreset_mode=mode
    )
    seen: list[np.ndarray] = []

    def value_fn(observations):  # a stand-in critic: 10 x the bonus it observes at reset
        seen.extend(observations)
        return [10.0 * float(o[1]) for o in observations]

    envs.provide_values(value_fn)
    run_episodes(envs, mode, 20)
    envs.close()
    assert len(teacher.updates) >= 20 and len(seen) == len(teacher.updates)
    assert all(np.asarray(o)[0] == 0.0 for o in seen)  # reset observations (step 0)
    for task, outcome in teacher.updates:
        assert outcome.value == pytest.approx(10.0 * task["bonus"], rel=1e-6)


def test_without_a_value_function_such_a_teacher_refuses_the_episode():
    envs = make_curriculum_vector_env(
        functools.partial(CountdownEnv), ValueTeacher(CountdownEnv.task_space), num_envs=2
    )
    with pytest.raises(ValueError, match="needs the student's value"):
        run_episodes(envs, AutoresetMode.NEXT_STEP, 4)
    envs.close()
