"""The ``maskable-ppo`` student: MaskablePPO with the DOM-aware policy through the curriculum."""

from __future__ import annotations

import functools

import gymnasium as gym
import numpy as np
import pytest

pytest.importorskip("sb3_contrib", reason="sb3-contrib is in teachgym[web]")

from teachgym.agents.dom_policy import DomActorCriticPolicy
from teachgym.agents.registry import make_student, student_names
from teachgym.curriculum import Curriculum
from teachgym.envs.webform import WebFormEnv
from teachgym.evaluation import evaluate
from teachgym.tasks import Categorical, Continuous, Integer, TaskSpace
from teachgym.teachers.registry import make_teacher

SMALL_FORMS = TaskSpace(
    {
        "n_fields": Integer(1, 3),
        "field_types": Categorical(("login",)),
        "theme": Categorical(("login",)),
        "n_options": Integer(2, 2),
        "n_distractors": Integer(0, 3),
        "n_decoys": Integer(0, 0),
        "label_style": Categorical(("label", "placeholder", "mixed")),
        "paraphrase": Continuous(0.0, 0.5),
        "order": Categorical(("page", "shuffled")),
        "n_pages": Integer(1, 1),
        "viewport_rows": Integer(64, 64),
        "popup": Categorical((False,)),
        "autocomplete": Categorical((False,)),
        "date_picker": Categorical((False,)),
        "flight_results": Categorical((False,)),
        "warm_start": Continuous(0.0, 1.0),
        "required_fraction": Continuous(0.5, 1.0),
    }
)
"""WebForm tasks small enough for 12 element slots and 3 field slots."""
PPO_SMALL = {"n_steps": 256, "batch_size": 128, "n_epochs": 2}


class ActionLog(gym.Wrapper):
    """Records whether each action the student took was valid."""

    def __init__(self, env: gym.Env, log: list[bool]) -> None:
        super().__init__(env)
        self.log = log

    def step(self, action):
        result = self.env.step(action)
        self.log.append(bool(result[4]["action_valid"]))
        return result


def small_form_env(log: list[bool]) -> gym.Env:
    return ActionLog(WebFormEnv(max_elements=12, max_fields=3), log)


def test_maskable_ppo_is_a_registered_student():
    assert "maskable-ppo" in student_names()


def test_masks_reach_the_policy_through_the_curriculum_vector_path():
    log: list[bool] = []
    teacher = make_teacher(
        "alp-gmm", SMALL_FORMS, seed=0, categorical_encoding="one-hot", fit_rate=20
    )
    student = make_student(
        "maskable-ppo", functools.partial(small_form_env, log), seed=0, n_envs=2,
        teacher=teacher, **PPO_SMALL,
    )  # fmt: skip
    try:
        student.learn(Curriculum(teacher), 2048)
        assert isinstance(student.model.policy, DomActorCriticPolicy)
        assert student.steps_done == 2048 and len(log) == 2048
        # Unmasked, a random flat action on these pages is mostly invalid.
        assert all(log), f"{log.count(False)} invalid actions taken"
        assert student.uses_action_masks
        # Evaluation passes each environment's masks too.
        log.clear()
        task = SMALL_FORMS.sample(np.random.default_rng(0))
        evaluate(student, [task], functools.partial(small_form_env, log), episodes_per_task=3)
        assert log and all(log)
    finally:
        student.close()


def test_an_unmasked_random_policy_would_take_invalid_actions():
    """The check above could fail: most flat actions on a small form are invalid."""
    env = WebFormEnv(max_elements=12, max_fields=3)
    env.reset(seed=0, options={"task": SMALL_FORMS.sample(np.random.default_rng(0))})
    assert env.action_masks().mean() < 0.5
