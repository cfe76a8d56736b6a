"""The ``webrl`` teacher: new tasks from failed ones, kept when the student's critic
puts them in WebRL's band; its offline and language-model generators; the task critic
students give through the curriculum."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np
import pytest

import teachgym.envs  # noqa: F401
from teachgym.agents import make_student
from teachgym.agents.student import Student, incompatibility
from teachgym.agents.task_critic import ResetCritic
from teachgym.checks import check_teacher
from teachgym.checks.teachers import CHECK_TASK_SPACE
from teachgym.cli import main
from teachgym.curriculum import Curriculum
from teachgym.envs import env_factory
from teachgym.errors import TeachgymUsageError
from teachgym.tasks import (
    LEVEL_SEED,
    Categorical,
    Continuous,
    Fixed,
    IntArray,
    Integer,
    TaskSpace,
    When,
)
from teachgym.teachers import Outcome, load_teacher, make_teacher, save_teacher
from teachgym.teachers.self_evolving import SelfEvolvingTeacher
from tests.toy_env import COUNTDOWN_ID

CATEGORICAL = TaskSpace(
    {
        "color": Categorical(("red", "green", "blue")),
        "k": Integer(0, 3),
        "scale": Fixed(1.0, 0.5, 2.0),
    }
)
CONDITIONAL = TaskSpace(
    {
        "family": Categorical(("rooms", "maze")),
        "size": Integer(3, 8),
        "lava": Continuous(0.0, 1.0),
        "walls": IntArray((3, 3)),
    },
    {"size": When("family", "rooms"), "walls": When("family", "maze")},
)
BOX = TaskSpace({"a": Continuous(-5.0, 5.0), "b": Continuous(0.0, 1.0)})
SPACES = {
    "numeric": CHECK_TASK_SPACE,
    "categorical": CATEGORICAL,
    "conditional": CONDITIONAL,
    "box": BOX,
}


def mean_critic(space: TaskSpace):
    """A fake critic: the mean of the task vector (in [0, 1])."""
    return lambda tasks: [float(space.to_vector(t).mean()) if space.dim else 0.5 for t in tasks]


def drive(teacher, episodes: int, success) -> list[dict]:
    """Sample and report ``episodes`` episodes; ``success(task) -> bool``."""
    tasks = []
    for _ in range(episodes):
        task = teacher.sample()
        tasks.append(task)
        teacher.update(task, Outcome(0.0, success=bool(success(task))))
    return tasks


@pytest.mark.parametrize("name", sorted(SPACES))
def test_webrl_keeps_the_teacher_contract(name):
    check_teacher("webrl", SPACES[name], episodes=200)


@pytest.mark.parametrize("name", sorted(SPACES))
def test_generated_tasks_are_valid_small_edits_of_failed_ones(name):
    space = SPACES[name]
    teacher = make_teacher("webrl", space, seed=1, random_task_ratio=0.0, n_edits=1)
    teacher.set_task_critic(mean_critic(space))
    failed: list[dict] = []

    def success(task):
        ok = bool(teacher.rng.random() < 0.3)
        if not ok:
            failed.append(task)
        return ok

    generated = 0
    for _ in range(300):
        before = teacher.counts["generated_samples"]
        task = teacher.sample()
        assert space.validate(task) == task
        if teacher.counts["generated_samples"] > before:
            generated += 1
            assert LEVEL_SEED in task
            bare = {k: v for k, v in task.items() if k != LEVEL_SEED}
            # one edit (and the parameters a switched family turns on) away from a failure
            assert any(_edit_distance(space, bare, f) <= 1 for f in failed)
        teacher.update(task, Outcome(0.0, success=success(task)))
    assert generated > 100
    if "scale" in space.parameters:
        assert all(t["scale"] == 1.0 for t in failed)


def _edit_distance(space: TaskSpace, a: dict, b: dict) -> int:
    """Parameters that differ, counting a switched family as one edit."""
    if "family" in space.parameters and a["family"] != b["family"]:
        return 1
    return sum(a.get(n) != b.get(n) for n in space.names if n in a or n in b)


def test_the_critic_filter_drops_and_counts_candidates_outside_the_band():
    space = TaskSpace({"x": Continuous(0.0, 1.0), "y": Continuous(0.0, 1.0)})
    teacher = make_teacher("webrl", space, seed=0, random_task_ratio=0.5)
    assert teacher.value_band == [0.05, 0.75]  # WebRL's
    valued: list[tuple[dict, float]] = []

    def critic(tasks):
        values = [t["x"] for t in tasks]
        valued.extend(zip(tasks, values, strict=True))
        return np.array(values)

    teacher.set_task_critic(critic)
    played = drive(teacher, 400, success=lambda task: False)
    assert valued, "the critic was never asked"
    generated = [t for t in played if LEVEL_SEED in t]
    assert generated and all(0.05 <= t["x"] <= 0.75 for t in generated)
    counts = teacher.diagnostics()
    assert counts["below_band"] == sum(v < 0.05 for _, v in valued) > 0
    assert counts["above_band"] == sum(v > 0.75 for _, v in valued) > 0
    assert counts["candidates"] == len(valued)
    assert counts["kept"] <= len(valued) - counts["below_band"] - counts["above_band"]


def test_value_bounds_map_return_valued_critics_to_the_band():
    space = TaskSpace({"x": Continuous(0.0, 1.0)})
    teacher = make_teacher("webrl", space, seed=0, random_task_ratio=0.0, value_bounds=[-1, 1])
    teacher.set_task_critic(lambda tasks: [2 * t["x"] - 1 for t in tasks])  # a ±1 return
    played = drive(teacher, 300, success=lambda task: False)
    generated = [t["x"] for t in played if LEVEL_SEED in t]
    assert generated and min(generated) >= 0.05 and max(generated) <= 0.75
    assert min(generated) < 0.5  # the raw values 2x - 1 would put only x >= 0.525 in the band
    assert teacher.counts["above_band"] > 0


def test_a_round_queues_distinct_tasks_spread_apart():
    space = TaskSpace({"k": Integer(0, 2), "c": Categorical(("a", "b"))})
    teacher = make_teacher("webrl", space, seed=0, random_task_ratio=0.0, value_band=None)
    drive(teacher, 1, success=lambda task: False)
    assert teacher.failures and not teacher.queue
    teacher.sample()
    keys = [json.dumps({k: t[k] for k in space.names}) for t in teacher.queue]
    assert len(keys) == len(set(keys))  # only 6 distinct tasks exist: duplicates dropped
    assert teacher.counts["duplicates"] > 0


def test_nothing_kept_means_uniform_tasks_then_a_retry():
    space = TaskSpace({"x": Continuous(0.0, 1.0)})
    teacher = make_teacher(
        "webrl", space, seed=0, random_task_ratio=0.0, generation_turns=1, tasks_per_turn=5
    )
    calls = []
    teacher.set_task_critic(lambda tasks: calls.append(len(tasks)) or [0.99] * len(tasks))
    drive(teacher, 11, success=lambda task: False)
    # the round at the 2nd sample keeps nothing: 5 uniform tasks, then a round at the 7th
    assert calls == [15, 15]
    assert teacher.counts["generated_samples"] == 0 and teacher.counts["above_band"] == 30


def test_sampling_without_a_critic_is_refused_unless_the_filter_is_off():
    teacher = make_teacher("webrl", CHECK_TASK_SPACE, seed=0)
    with pytest.raises(TeachgymUsageError, match="provide_task_values"):
        teacher.sample()
    free = make_teacher("webrl", CHECK_TASK_SPACE, seed=0, value_band=None)
    assert not free.requires_task_values
    drive(free, 50, success=lambda task: False)
    assert free.counts["kept"] > 0


class NoCriticStudent(Student):
    name = "no-critic"

    def learn(self, curriculum, total_steps, progress=None):
        self.check_teacher(curriculum.teacher)

    def act(self, observation, deterministic=True):
        return 0

    def _save_model(self, directory: Path) -> None:
        return None

    def _load_model(self, directory: Path) -> None:
        return None


def test_a_student_without_a_task_critic_is_refused_in_one_line():
    student = NoCriticStudent(env_factory("teachgym/LearnabilityGrid-v0"))
    teacher = make_teacher("webrl", CHECK_TASK_SPACE, seed=0)
    problem = incompatibility(teacher, student)
    assert problem is not None and "\n" not in problem
    assert "value candidate tasks before they are played" in problem and "'ppo'" in problem
    with pytest.raises(TeachgymUsageError, match="value_band=None"):
        student.learn(Curriculum(teacher), 10)
    assert (
        incompatibility(make_teacher("webrl", CHECK_TASK_SPACE, value_band=None), student) is None
    )


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"generator": "gpt"}, "generator must be one of"),
        ({"value_band": [0.8, 0.1]}, "value_band needs low <= high"),
        ({"value_band": 0.5}, "value_band must be a pair"),
        ({"value_bounds": [1, 1]}, "value_bounds needs low < high"),
        ({"seed_tasks": 0}, "seed_tasks must be an integer >= 1"),
        ({"random_task_ratio": 1.5}, "random_task_ratio must be a finite number"),
        ({"edit_weights": {"nope": 1.0}}, "edit weight for unknown parameter 'nope'"),
        ({"generator": "llm", "backend": "planner"}, "needs a backend among"),
    ],
)
def test_bad_hyperparameters_are_one_line_errors(params, message):
    with pytest.raises(TeachgymUsageError, match=message) as error:
        make_teacher("webrl", CHECK_TASK_SPACE, **params)
    assert "\n" not in str(error.value)


def test_saved_mid_round_the_teacher_continues_exactly(tmp_path):
    space = CONDITIONAL
    teacher = make_teacher("webrl", space, seed=3)
    teacher.set_task_critic(mean_critic(space))
    drive(teacher, 60, success=lambda task: task.get("lava", 0) < 0.4)
    assert teacher.queue and teacher.failures
    save_teacher(teacher, tmp_path / "t")
    restored = load_teacher(tmp_path / "t")
    assert isinstance(restored, SelfEvolvingTeacher)
    restored.set_task_critic(mean_critic(space))
    rule = lambda task: task.get("lava", 0) < 0.4  # noqa: E731
    assert drive(restored, 80, rule) == drive(teacher, 80, rule)
    assert restored.diagnostics() == teacher.diagnostics()


# -- the students' task critics --------------------------------------------------------
def test_the_simulated_students_critic_gives_each_tasks_competence():
    env_fn = env_factory("teachgym/LearnabilityGrid-v0")
    student = make_student("simulated", env_fn, seed=0)
    student.table.values[0, 0] = 40
    student.table.values[3, 2] = 90
    tasks = [{"x0": 0.01, "x1": 0.01}, {"x0": 0.35, "x1": 0.25}, {"x0": 0.99, "x1": 0.99}]
    assert student.task_critic(tasks).tolist() == [0.4, 0.9, 0.0]


def test_an_sb3_critic_values_the_reset_observation_of_each_task():
    from teachgym.agents.sb3_values import initial_state_values

    env_fn = env_factory(COUNTDOWN_ID)
    student = make_student("ppo", env_fn, seed=0, n_envs=1, n_steps=16, batch_size=16)
    with pytest.raises(RuntimeError, match="no model yet"):
        student.task_critic([{"length": 3, "bonus": 0.5}])
    teacher = make_teacher("random", env_fn().unwrapped.task_space, seed=0)
    student.learn(Curriculum(teacher), 16)
    tasks = [{"length": 2, "bonus": 0.9}, {"length": 9, "bonus": 0.2}]
    scratch = env_fn()
    observations = [scratch.reset(seed=0, options={"task": t})[0] for t in tasks]
    expected = initial_state_values(student.model, observations)
    np.testing.assert_allclose(student.task_critic(tasks), expected)
    student.close()


class CountingEnv(gym.Env):
    """Counts resets; its observation is the task's x."""

    observation_space = gym.spaces.Box(0.0, 1.0, shape=(1,))
    action_space = gym.spaces.Discrete(2)

    def __init__(self) -> None:
        self.resets: list[Any] = []

    def reset(self, *, seed=None, options=None):
        self.resets.append(seed)
        return np.array([options["task"]["x"]], dtype=np.float32), {}


def test_a_reset_critic_builds_one_env_and_resets_with_one_seed():
    built: list[CountingEnv] = []

    def env_fn():
        built.append(CountingEnv())
        return built[-1]

    critic = ResetCritic(env_fn, lambda obs, infos: [2 * o[0] for o in obs], seed=7)
    assert critic([]).shape == (0,) and not built  # nothing built before it is needed
    np.testing.assert_allclose(critic([{"x": 0.25}, {"x": 0.5}]), [0.5, 1.0])
    critic([{"x": 0.1}])
    assert len(built) == 1 and built[0].resets == [7, 7, 7]
    bad = ResetCritic(env_fn, lambda obs, infos: [1.0], seed=0)
    with pytest.raises(ValueError, match="returned 1 values for 2"):
        bad([{"x": 0.1}, {"x": 0.2}])


# -- end to end through the command line ---------------------------------------------
def test_train_webrl_with_the_simulated_student(tmp_path):
    out = tmp_path / "run"
    assert (
        main(["train", "--teacher", "webrl", "--steps", "600", "--out", str(out), "--quiet"]) == 0
    )
    state = json.loads((out / "checkpoint" / "teacher.json").read_text())
    assert state["teacher"] == "webrl"
    counts = state["counts"]
    assert counts["rounds"] > 0 and counts["kept"] > 0 and counts["generated_samples"] > 0
    episodes = [json.loads(line) for line in (out / "episodes.jsonl").read_text().splitlines()]
    assert len(episodes) == 600
    assert (
        main(
            [
                "train",
                "--teacher",
                "webrl",
                "--steps",
                "800",
                "--out",
                str(out),
                "--quiet",
                "--resume",
            ]
        )
        == 0
    )
    assert len((out / "episodes.jsonl").read_text().splitlines()) == 800


def test_train_webrl_with_sb3_ppo(tmp_path):
    out = tmp_path / "run"
    argv = [
        "train",
        "--env",
        COUNTDOWN_ID,
        "--teacher",
        "webrl",
        "--student",
        "ppo",
        "--steps",
        "256",
        "--student-param",
        "n_envs=2",
        "--student-param",
        "n_steps=32",
        "--student-param",
        "batch_size=32",
        "--teacher-param",
        "value_band=[-10, 10]",
        "--out",
        str(out),
        "--quiet",
    ]
    assert main(argv) == 0
    counts = json.loads((out / "checkpoint" / "teacher.json").read_text())["counts"]
    assert counts["rounds"] > 0 and counts["kept"] > 0 and counts["generated_samples"] > 0


def test_the_command_line_refuses_a_student_without_a_task_critic(tmp_path, capsys):
    argv = ["train", "--env", "teachgym/Maze-v0", "--teacher", "webrl", "--student", "paired-ppo"]
    assert main([*argv, "--out", str(tmp_path / "x"), "--quiet"]) == 2
    err = capsys.readouterr().err.strip()
    assert "value candidate tasks before they are played" in err and "\n" not in err


# -- the language-model generator, against the loopback server ------------------------
LLM_SPACE = TaskSpace(
    {"h": Continuous(0.0, 3.0), "k": Integer(1, 9), "mode": Categorical(("a", "b"))}
)
KEY = "sk-test-SECRET-webrl"
KEY_ENV = "TEACHGYM_TEST_API_KEY"
GOOD = {"h": 1.0, "k": 2, "mode": "a"}
ALSO_GOOD = {"h": 2.5, "k": 8, "mode": "b"}


def reply(payload: Any) -> str:
    return "reply:" + (payload if isinstance(payload, str) else json.dumps(payload))


@pytest.fixture
def llm_options(monkeypatch):
    from teachgym.teachers.llm_subgoal import openai_backend

    monkeypatch.setenv(KEY_ENV, KEY)
    monkeypatch.setattr(openai_backend, "NEGOTIATED", {})
    return {"model": "test-model", "api_key_env": KEY_ENV, "backoff": 0.0, "max_retries": 0}


@pytest.mark.protocol
def test_the_llm_generator_validates_counts_and_survives_bad_answers(llm_options, tmp_path):
    from tests.llm_server import ChatServer

    script = [
        reply(
            {
                "tasks": [
                    GOOD,
                    {"h": 99.0, "k": 2, "mode": "a"},  # out of range
                    {"h": 1.0, "k": 2},  # a key missing
                    {**GOOD, "speed": 3},  # a key the space lacks
                    ALSO_GOOD,
                ]
            }
        ),
        "malformed",  # cut-off JSON
        reply(""),  # an empty reply
        reply({"task": GOOD}),  # the wrong key
        reply({"tasks": []}),  # nothing in it
        reply("[1, 2]"),  # not an object
        "401",  # the backend fails
    ]
    with ChatServer(script) as server:
        teacher = make_teacher(
            "webrl",
            LLM_SPACE,
            seed=0,
            generator="llm",
            backend_options={**llm_options, "base_url": server.url},
            random_task_ratio=0.0,
            generation_turns=1,
            seed_tasks=3,
            tasks_per_turn=4,
        )
        teacher.set_task_critic(lambda tasks: [0.5] * len(tasks))
        played = drive(teacher, 60, success=lambda task: False)
        question = server.requests[0]["messages"][1]["content"]
    assert "tasks the student failed:" in question and "Write 4 new tasks" in question
    counts = teacher.diagnostics()
    assert counts["queries"] == counts["rounds"] >= 8
    assert counts["valid_tasks"] == 2 and counts["invalid_tasks"] == 3
    assert counts["invalid_answers"] == 5 and counts["backend_errors"] == counts["queries"] - 6
    assert counts["fallback_turns"] == counts["queries"] - 1  # the offline generator stood in
    assert all(LLM_SPACE.validate(t) == t for t in played)
    bare = [{k: t[k] for k in LLM_SPACE.names} for t in played if LEVEL_SEED in t]
    assert GOOD in bare and ALSO_GOOD in bare
    save_teacher(teacher, tmp_path / "t")
    for suffix in (".json", ".npz"):
        assert KEY.encode() not in (tmp_path / f"t{suffix}").read_bytes()
    restored = load_teacher(tmp_path / "t")
    assert restored.diagnostics() == counts


@pytest.mark.protocol
def test_the_llm_generator_keeps_the_teacher_contract(llm_options):
    from tests.llm_server import ChatServer

    with ChatServer([reply({"tasks": [GOOD, ALSO_GOOD, {"h": -1.0, "k": 1, "mode": "b"}]})]) as s:
        teacher = SelfEvolvingTeacher(
            LLM_SPACE,
            seed=0,
            generator="llm",
            backend_options={**llm_options, "base_url": s.url},
        )
        check_teacher(teacher, episodes=100)
        assert len(s.requests) > 0


def test_suites_and_the_command_line_pass_the_envs_return_bounds_as_value_bounds():
    from teachgym.bench.suite import teacher_params_on

    web = gym.make("teachgym/WebForm-v0").unwrapped
    assert teacher_params_on(web, "webrl", {}) == {"value_bounds": [-1.0, 1.0]}
    assert teacher_params_on(web, "webrl", {"value_bounds": None}) == {"value_bounds": None}
    assert "return_bounds" not in teacher_params_on(web, "alp-gmm", {})  # only when declared
    teacher = make_teacher("webrl", web.task_space, **teacher_params_on(web, "webrl", {}))
    teacher.set_task_critic(lambda tasks: [0.0] * len(tasks))  # V = 0: success 0.5
    assert teacher.critic_values([web.default_task]).tolist() == [0.5]


def test_a_hand_written_loop_gives_its_critic_through_the_curriculum():
    from teachgym.curriculum import CurriculumWrapper

    env = gym.make("teachgym/LearnabilityGrid-v0")
    teacher = make_teacher("webrl", env.unwrapped.task_space, seed=0, random_task_ratio=0.0)
    curriculum = Curriculum(teacher)
    asked: list[int] = []
    curriculum.provide_task_values(lambda tasks: asked.append(len(tasks)) or [0.5] * len(tasks))
    wrapped = CurriculumWrapper(env, curriculum)
    for _ in range(30):
        wrapped.reset()
        wrapped.step(0)
    assert asked and teacher.counts["generated_samples"] > 0
    curriculum.provide_task_values(None)
    with pytest.raises(TeachgymUsageError, match="none was given"):
        teacher.sample()
