"""The public checkers pass on every registered piece and catch broken ones."""

from __future__ import annotations

import functools
import importlib
from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np
import pytest

from teachgym.agents import student_names
from teachgym.agents.student import Student
from teachgym.checks import ContractError, check_student, check_task_env, check_teacher
from teachgym.checks.teachers import CHECK_TASK_SPACE
from teachgym.curriculum import Curriculum, CurriculumWrapper
from teachgym.envs import env_catalog, env_factory
from teachgym.envs.webform import WebFormEnv
from teachgym.tasks import Continuous, Task, TaskSpace
from teachgym.teachers import Outcome, Teacher, teacher_names
from teachgym.teachers.random_teacher import RandomTeacher
from tests.conftest import EXPERT_KNOWLEDGE, SCHEDULES, build_teacher
from tests.toy_env import CountdownEnv

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


# -- environments -------------------------------------------------------------------
@pytest.mark.parametrize("env_id", [info.env_id for info in env_catalog()])
def test_every_registered_env_keeps_the_task_env_contract(env_id):
    env = gym.make(env_id)
    check_task_env(env)
    env.close()


class NoEcho(CountdownEnv):
    def _reset_task(self, task):
        return self._obs(), {}

    def reset(self, *, seed=None, options=None):
        observation, info = super().reset(seed=seed, options=options)
        del info["task"]
        return observation, info


class AcceptsAnything(CountdownEnv):
    def reset(self, *, seed=None, options=None):
        task = dict((options or {}).get("task") or self.default_task)
        if isinstance(task.get("length"), int) and task.get("level_seed", 0) >= 0:
            return super().reset(seed=seed, options={"task": task})
        self.task = task
        return self._obs_default(), {"task": task}

    def _obs_default(self):
        return np.zeros(2, dtype=np.float32)


class Unpinned(CountdownEnv):
    """Draws its 'content' (the first observation) from np_random, ignoring level_seed."""

    def _reset_task(self, task):
        self.t = 0
        return np.array([self.np_random.random(), 0.0], dtype=np.float32), {}


class ChangingSpaces(CountdownEnv):
    def _reset_task(self, task):
        self.action_space = gym.spaces.Discrete(1 + task["length"])
        return super()._reset_task(task)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (NoEcho(), r"did not echo the task in info\['task'\]"),
        (AcceptsAnything(), "accepted a task with parameter 'length' missing"),
        (Unpinned(), "the level_seed must pin the procedural content"),
        (ChangingSpaces(), "changed its spaces on task"),
    ],
)
def test_check_task_env_names_the_broken_contract(env, message):
    with pytest.raises(ContractError, match=message):
        check_task_env(env, gymnasium_check=False)


def test_declared_start_noise_is_checked_under_one_reset_seed():
    class NoisyStart(Unpinned):
        start_noise = True

        def _reset_task(self, task):  # content from level_rng, plus start noise
            self.t = 0
            content = float(self.level_rng.random())
            return np.array([content, self.np_random.random()], dtype=np.float32), {}

    class CarriesOver(NoisyStart):
        """Its level depends on the levels before it, so level_seed cannot pin it."""

        resets = 0

        def _reset_task(self, task):
            self.resets += 1
            observation, info = super()._reset_task(task)
            observation[0] = (observation[0] + 0.1 * self.resets) % 1.0
            return observation, info

    check_task_env(NoisyStart(), gymnasium_check=False)
    with pytest.raises(ContractError, match="gave different observations"):
        check_task_env(CarriesOver(), gymnasium_check=False)
    with pytest.raises(TypeError, match=r"gymnasium\.Env"):
        check_task_env("teachgym/DoorKey-v0")  # type: ignore[arg-type]


# -- teachers -----------------------------------------------------------------------
@pytest.mark.parametrize("name", teacher_names())
def test_every_registered_teacher_keeps_the_teacher_contract(name):
    if name in EXPERT_KNOWLEDGE or name in SCHEDULES:  # cannot start on its defaults alone
        check_teacher(build_teacher(name, CHECK_TASK_SPACE))
    else:
        check_teacher(name)


class Forgetful(RandomTeacher):
    """Learns a running mean it neither saves nor restores, and samples from it."""

    name = "check-forgetful"

    def __init__(self, task_space, seed=None, binary_density=None):
        super().__init__(task_space, seed, binary_density)
        self.mean = 0.0

    def _sample(self):
        task = super()._sample()
        return task if self.mean < 0.3 else self.task_space.sample(np.random.default_rng(7))

    def _update(self, task, outcome):
        self.mean = 0.9 * self.mean + 0.1 * outcome.episode_return


class HiddenSetting(RandomTeacher):
    name = "check-hidden"

    def __init__(self, task_space, seed=None, binary_density=None, low_only=False):
        super().__init__(task_space, seed, binary_density)
        self.low_only = low_only

    def get_params(self):  # hides a setting from the hyperparameters it reports
        return {k: v for k, v in super().get_params().items() if k != "low_only"}

    def _sample(self):
        task = super()._sample()
        return {k: (v / 2 if self.low_only else v) for k, v in task.items()}


class OutOfRange(RandomTeacher):
    name = "check-out-of-range"

    def _sample(self):
        return {**super()._sample(), "x": 5.0}


class UnseededTeacher(RandomTeacher):
    name = "check-unseeded"

    def _sample(self):
        return self.task_space.sample(np.random.default_rng())


@pytest.mark.parametrize(
    ("teacher", "message"),
    [
        (Forgetful, "continues differently from the original"),
        (HiddenSetting(TaskSpace({"x": Continuous(0.0, 1.0)}), 0, low_only=True), "samples other"),
        (OutOfRange, "sample\\(\\) returned an invalid task"),
        (UnseededTeacher, "draw all randomness from self.rng"),
    ],
)
def test_check_teacher_names_the_broken_contract(teacher, message):
    with pytest.raises(ContractError, match=message):
        check_teacher(teacher)


def test_check_teacher_refuses_what_it_cannot_check():
    with pytest.raises(ValueError, match="unknown teacher 'nope'"):
        check_teacher("nope")
    with pytest.raises(TypeError, match="teacher name, a Teacher subclass or a Teacher"):
        check_teacher(3)  # type: ignore[arg-type]
    trained = RandomTeacher(TaskSpace({"x": Continuous(0.0, 1.0)}), seed=0)
    trained.update(trained.sample(), Outcome(1.0))
    with pytest.raises(ValueError, match="untrained teacher"):
        check_teacher(trained)
    with pytest.raises(ValueError, match="seeded teacher"):
        check_teacher(RandomTeacher(TaskSpace({"x": Continuous(0.0, 1.0)}), seed=None))


# -- students -----------------------------------------------------------------------
COUNTDOWN = functools.partial(CountdownEnv)
CONTINUOUS = functools.partial(CountdownEnv, continuous=True)
OFF_POLICY = {"n_envs": 2, "learning_starts": 16}
STUDENT_CHECKS: dict[str, tuple[Any, dict[str, Any], bool]] = {
    "simulated": (env_factory("teachgym/LearnabilityGrid-v0"), {}, True),
    "paired-ppo": (
        COUNTDOWN,
        {"levels_per_round": 4, "steps_per_round": 32, "n_envs": 2, "n_steps": 8, "batch_size": 8},
        False,
    ),
    "ppo": (COUNTDOWN, {"n_envs": 2, "n_steps": 8, "batch_size": 8}, True),
    "recurrent-ppo": (COUNTDOWN, {"n_envs": 2, "n_steps": 8, "batch_size": 8}, True),
    "maskable-ppo": (
        functools.partial(WebFormEnv),
        {
            "n_envs": 2,
            "n_steps": 8,
            "batch_size": 8,
            "policy_kwargs": {"embed_dim": 8, "hidden_dim": 8},
        },
        True,
    ),
    "a2c": (COUNTDOWN, {"n_envs": 2, "n_steps": 4}, True),
    "dqn": (COUNTDOWN, OFF_POLICY, True),
    "sac": (CONTINUOUS, OFF_POLICY, True),
    "td3": (CONTINUOUS, OFF_POLICY, True),
    "ddpg": (CONTINUOUS, OFF_POLICY, True),
}
"""A tiny environment and configuration per student; every registered name needs one."""


@pytest.mark.parametrize("name", student_names())
def test_every_registered_student_reports_each_episode_once(name):
    assert name in STUDENT_CHECKS, f"add a tiny check configuration for student {name!r}"
    env_fn, kwargs, per_episode = STUDENT_CHECKS[name]
    check_student(name, env_fn, total_steps=64, per_episode=per_episode, **kwargs)


def test_the_example_gymnasium_vector_student_reports_each_episode_once(monkeypatch):
    monkeypatch.syspath_prepend(str(EXAMPLES))
    student_class = importlib.import_module("cleanrl_student").CleanRLStudent
    check_student(lambda env_fn: student_class(env_fn, seed=0, num_envs=3), COUNTDOWN, 60)


class ScriptedStudent(Student):
    """Plays ``CountdownEnv`` with action 0 on one env and misreports on purpose."""

    name = "check-scripted"
    fault = ""

    def learn(self, curriculum, total_steps, progress=None):
        env = CurriculumWrapper(self.env_fn(), curriculum)
        episode, task = 0, None
        env.reset()
        for _ in range(total_steps):
            _, _, terminated, truncated, info = env.step(0)
            self.steps_done += 1
            if not (terminated or truncated):
                continue
            episode += 1
            if self.fault == "twice":
                curriculum.report_info(info)
            if self.fault == "replay":
                task = task or env.current_task
                env.curriculum = Curriculum(_Silent(curriculum.teacher.task_space))
                env.reset(options={"task": task})
                continue
            env.reset()

    def act(self, observation, deterministic=True):
        return 0

    def _save_model(self, directory):
        """This double has no model to save."""

    def _load_model(self, directory):
        """This double has no model to load."""


class _Silent(Teacher):
    name = "check-silent"

    def _sample(self) -> Task:
        return self.task_space.sample(self.rng)

    def _update(self, task, outcome):
        """This test teacher ignores outcomes."""


class LosingWrapper(CurriculumWrapper):
    def step(self, action):
        observation, reward, terminated, truncated, info = gym.Wrapper.step(self, action)
        self.lost = getattr(self, "lost", 0) + bool(terminated or truncated)
        if self.lost % 2 == 0:
            self.curriculum.report_info(info)
        return observation, reward, terminated, truncated, info


class Losing(ScriptedStudent):
    def learn(self, curriculum, total_steps, progress=None):
        env = LosingWrapper(self.env_fn(), curriculum)
        env.reset()
        for _ in range(total_steps):
            _, _, terminated, truncated, _ = env.step(0)
            if terminated or truncated:
                env.reset()


@pytest.mark.parametrize(
    ("fault", "message"),
    [
        ("twice", "reported more than once"),
        ("replay", "ran in more than one episode"),
    ],
)
def test_check_student_catches_double_and_missing_reports(fault, message):
    student_class = type("Faulty", (ScriptedStudent,), {"fault": fault})
    with pytest.raises(ContractError, match=message):
        check_student(student_class, COUNTDOWN, 40)


def test_check_student_catches_lost_episodes_and_needs_finished_ones():
    with pytest.raises(ContractError, match=r"finished task\(s\) never reached the teacher"):
        check_student(Losing, COUNTDOWN, 40)
    check_student(ScriptedStudent, COUNTDOWN, 40)  # the honest script passes
    with pytest.raises(ValueError, match="no episode finished in 1 steps"):
        check_student(
            ScriptedStudent, functools.partial(CountdownEnv, task={"length": 12, "bonus": 0.5}), 1
        )


class ClaimsValues(ScriptedStudent):
    """Declares values it never gives."""

    provides_values = True


def test_check_student_catches_a_student_that_declares_values_it_does_not_give():
    with pytest.raises(ContractError, match="declares provides_values, but a report had no value"):
        check_student(ClaimsValues, COUNTDOWN, 40)


class ClaimsTaskValues(ScriptedStudent):
    """Declares a critic of tasks it never gives the curriculum."""

    provides_task_values = True


def test_check_student_catches_a_student_that_declares_a_task_critic_it_does_not_give():
    with pytest.raises(ContractError, match="declares provides_task_values, but gave the"):
        check_student(ClaimsTaskValues, COUNTDOWN, 40)
