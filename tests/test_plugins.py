"""Extension points: students, teachers and environments named as "package.module:Class".

The plugin classes live in a module written to a temporary directory outside the
package, exactly as a user's own code would.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import teachgym
from teachgym.agents import make_student, student_class, student_names
from teachgym.bench.suite import SuiteError, parse_suite
from teachgym.envs import env_factory, env_info
from teachgym.errors import TeachgymUsageError
from teachgym.tasks import Continuous, TaskSpace
from teachgym.teachers import (
    Outcome,
    Teacher,
    load_teacher,
    make_teacher,
    register_teacher,
    save_teacher,
    teacher_class,
    teacher_names,
)

REPO = Path(__file__).resolve().parent.parent
HEAVY = ("torch", "stable_baselines3", "minigrid", "pygame", "Box2D", "sklearn", "scipy")

PLUGIN = textwrap.dedent(
    '''
    """A user's own student, teacher and environment, outside teachgym."""

    from pathlib import Path

    import numpy as np
    from gymnasium import spaces

    from teachgym.agents import Student
    from teachgym.curriculum import CurriculumWrapper
    from teachgym.envs import TaskEnv
    from teachgym.tasks import Continuous, TaskSpace
    from teachgym.teachers import Teacher


    class CoinEnv(TaskEnv):
        """One-step episodes: reward 1 - |action - bias| for a coin of bias ``bias``."""

        task_space = TaskSpace({"bias": Continuous(0.0, 1.0)})
        default_task = {"bias": 0.5}
        mastery_return = 0.9

        def __init__(self, task=None):
            super().__init__(task)
            self.observation_space = spaces.Box(0.0, 1.0, shape=(1,), dtype=np.float32)
            self.action_space = spaces.Box(0.0, 1.0, shape=(1,), dtype=np.float32)

        def _reset_task(self, task):
            return np.array([task["bias"]], dtype=np.float32), {}

        def step(self, action):
            reward = 1.0 - abs(float(np.asarray(action).ravel()[0]) - self.task["bias"])
            return np.array([self.task["bias"]], dtype=np.float32), reward, True, False, {}


    class MeanStudent(Student):
        """Plays, for every observation, a running mean of the observations it trained on."""

        name = "mean"

        def __init__(self, env_fn, seed=0, step_size=0.5):
            super().__init__(env_fn, seed)
            self.step_size = step_size
            self.estimate = 0.0
            self.env = env_fn()

        def learn(self, curriculum, total_steps, progress=None):
            env = CurriculumWrapper(self.env, curriculum)
            observation, _ = env.reset()
            for _ in range(total_steps):
                value = float(np.asarray(observation, dtype=float).ravel()[0])
                self.estimate += self.step_size * (value - self.estimate)
                observation, _, terminated, truncated, _ = env.step(self.act(observation))
                self.steps_done += 1
                if progress is not None:
                    progress(1)
                if terminated or truncated:
                    observation, _ = env.reset()

        def act(self, observation, deterministic=True):
            space = self.env.action_space
            if isinstance(space, spaces.Discrete):
                return 0
            return np.full(space.shape, self.estimate, dtype=np.float32)

        def _save_model(self, directory):
            (Path(directory) / "estimate.txt").write_text(repr(self.estimate))

        def _load_model(self, directory):
            self.estimate = float((Path(directory) / "estimate.txt").read_text())


    class LowFirstTeacher(Teacher):
        """Draws uniform tasks, then squeezes them towards the low end by ``squeeze``."""

        name = "low-first"

        def __init__(self, task_space, seed=None, squeeze=0.5):
            super().__init__(task_space, seed)
            self.squeeze = squeeze

        def _sample(self):
            vector = self.rng.random(self.task_space.dim) * self.squeeze
            return self.task_space.from_vector(vector)

        def _update(self, task, outcome):

            """This test teacher ignores outcomes."""


    class NotAStudent:


        """Not a Student subclass: the entry point must be refused."""
    '''
)


@pytest.fixture
def plugin_dir(tmp_path, monkeypatch):
    directory = tmp_path / "plugins"
    directory.mkdir()
    (directory / "my_plugins.py").write_text(PLUGIN)
    monkeypatch.syspath_prepend(str(directory))
    yield directory
    sys.modules.pop("my_plugins", None)


def subprocess_env(*paths: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([*(str(p) for p in paths), str(REPO)])
    return env


def test_entry_points_build_students_teachers_and_envs(plugin_dir):
    env_fn = env_factory("my_plugins:CoinEnv")
    env = env_fn()
    assert type(env).__name__ == "CoinEnv"
    assert env_info("my_plugins:CoinEnv").summary.startswith("One-step episodes")
    teacher = make_teacher("my_plugins:LowFirstTeacher", env.task_space, seed=0, squeeze=0.2)
    assert all(teacher.sample()["bias"] <= 0.2 for _ in range(20))
    student = make_student("my_plugins:MeanStudent", env_fn, seed=0, step_size=1.0)
    assert student_class("my_plugins:MeanStudent") is type(student)
    with pytest.raises(TeachgymUsageError, match="no parameter 'step'"):
        make_student("my_plugins:MeanStudent", env_fn, step=1.0)
    with pytest.raises(TeachgymUsageError, match="no hyperparameter 'spread'"):
        make_teacher("my_plugins:LowFirstTeacher", env.task_space, spread=0.2)


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: make_student("no_such_module:Student", None), "cannot import module"),
        (lambda: make_student("my_plugins:Missing", None), "has no attribute 'Missing'"),
        (lambda: make_student("my_plugins:NotAStudent", None), "not a subclass of"),
        (lambda: make_student("my_plugins:LowFirstTeacher", None), "agents.student.Student"),
        (lambda: teacher_class("my_plugins:MeanStudent"), "teachers.base.Teacher"),
        (lambda: env_factory("my_plugins:MeanStudent"), "envs.task_env.TaskEnv"),
        (lambda: env_factory("my_plugins:CoinEnv", bias=2)(), "unexpected keyword"),
        (lambda: make_teacher("my plugins", None), "unknown teacher 'my plugins'"),
    ],
)
def test_bad_entry_points_are_usage_errors(plugin_dir, build, message):
    with pytest.raises(TeachgymUsageError, match=message):
        build()


def test_suite_validation_accepts_entry_points_and_names_bad_ones(plugin_dir):
    grid = {
        "envs": ["my_plugins:CoinEnv"],
        "teachers": ["random", "my_plugins:LowFirstTeacher"],
        "students": ["my_plugins:MeanStudent"],
        "seeds": 1,
        "budget": 10,
        "evaluation": {"every": 10},
    }
    suite = parse_suite(grid)
    assert {run.run_id for run in suite.runs} == {
        "CoinEnv__random__MeanStudent__seed0",
        "CoinEnv__LowFirstTeacher__MeanStudent__seed0",
    }
    with pytest.raises(SuiteError) as error:
        parse_suite({**grid, "students": ["my_plugins:Nope"]})
    assert error.value.key == "students[0].name" and "no attribute 'Nope'" in str(error.value)
    with pytest.raises(SuiteError) as error:
        parse_suite({**grid, "envs": ["my_plugins:LowFirstTeacher"]})
    assert error.value.key == "envs[0].id" and "TaskEnv" in str(error.value)


def test_bench_and_report_show_the_plugin_student_beside_a_builtin(plugin_dir, tmp_path):
    suite = tmp_path / "plugins.yaml"
    suite.write_text(
        textwrap.dedent(
            """
            name: plugins
            seeds: 1
            budget: 40
            evaluation: {every: 20}
            grids:
              - envs: [teachgym/LearnabilityGrid-v0]
                teachers: [random, "my_plugins:LowFirstTeacher"]
                students: [simulated, "my_plugins:MeanStudent"]
              - envs: ["my_plugins:CoinEnv"]
                teachers: ["my_plugins:LowFirstTeacher"]
                students: ["my_plugins:MeanStudent"]
            """
        )
    )
    out = tmp_path / "bench"
    env = subprocess_env(plugin_dir)
    command = [sys.executable, "-m", "teachgym.cli"]
    bench = subprocess.run(
        [*command, "bench", str(suite), "--out", str(out), "--no-report", "--quiet"],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert bench.returncode == 0, bench.stderr + bench.stdout
    assert "5 runs completed" in bench.stdout and "0 failed" in bench.stdout
    report = subprocess.run(
        [*command, "report", str(out), "--reps", "50"],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert report.returncode == 0, report.stderr
    rows = [line.split() for line in report.stdout.splitlines()]
    grid_rows = [row for row in rows if "LearnabilityGrid-v0" in row]
    students = {name for row in grid_rows for name in row if name in ("simulated", "MeanStudent")}
    assert students == {"simulated", "MeanStudent"}
    assert any("LowFirstTeacher" in row and "CoinEnv" in row for row in rows)
    done = json.loads(
        (out / "CoinEnv__LowFirstTeacher__MeanStudent__seed0" / "done.json").read_text()
    )
    assert done["step"] == 40


class SpreadTeacher(Teacher):
    """A teacher that overrides neither get_params nor the state methods."""

    name = "spread-test"

    def __init__(self, task_space: TaskSpace, seed: int | None = None, spread: float = 0.5):
        super().__init__(task_space, seed)
        self.spread = spread

    def _sample(self):
        return self.task_space.from_vector(self.rng.random(self.task_space.dim) * self.spread)

    def _update(self, task, outcome):
        """This test teacher ignores outcomes."""


def test_a_registered_teacher_is_saved_and_loaded_with_its_hyperparameters(tmp_path):
    register_teacher("spread-test", SpreadTeacher)
    assert "spread-test" in teacher_names()
    space = TaskSpace({"x": Continuous(0.0, 10.0), "y": Continuous(-1.0, 1.0)})
    teacher = make_teacher("spread-test", space, seed=4, spread=0.25)
    for _ in range(7):
        teacher.update(teacher.sample(), Outcome(1.0))
    save_teacher(teacher, tmp_path / "t")
    restored = load_teacher(tmp_path / "t")
    assert isinstance(restored, SpreadTeacher)
    assert restored.get_params() == {"seed": 4, "spread": 0.25} == teacher.get_params()
    assert restored.n_updates == 7
    assert [restored.sample() for _ in range(5)] == [teacher.sample() for _ in range(5)]
    with pytest.raises(TeachgymUsageError, match="already registered"):
        register_teacher("spread-test", "my_plugins:LowFirstTeacher")


def test_an_unregistered_entry_point_teacher_is_saved_under_its_entry_point(plugin_dir, tmp_path):
    space = TaskSpace({"x": Continuous(0.0, 1.0)})
    teacher = make_teacher("my_plugins:LowFirstTeacher", space, seed=1, squeeze=0.3)
    teacher.sample()
    save_teacher(teacher, tmp_path / "t")
    restored = load_teacher(tmp_path / "t")
    # "low-first" is the class's name but not registered: the state names the class
    assert restored.state_dict()["teacher"] == "my_plugins:LowFirstTeacher"
    assert restored.get_params() == {"seed": 1, "squeeze": 0.3}
    assert restored.sample() == teacher.sample()


def test_installed_plugins_appear_in_teachgym_list(plugin_dir, tmp_path):
    site = tmp_path / "site"
    info = site / "my_plugins-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: my-plugins\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(
        "[teachgym.students]\nmean = my_plugins:MeanStudent\n\n"
        "[teachgym.teachers]\nlow-first = my_plugins:LowFirstTeacher\n"
    )
    listing = subprocess.run(
        [sys.executable, "-m", "teachgym.cli", "list"],
        env=subprocess_env(plugin_dir, site),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert listing.returncode == 0, listing.stderr
    teachers = listing.stdout.split("Teachers:")[1].split("Students:")[0]
    students = listing.stdout.split("Students:")[1]
    assert "  low-first(squeeze=0.5)" in teachers.splitlines()
    assert "  mean(step_size=0.5)" in students.splitlines()
    assert "  simulated(forget_every=None, decay_every=None)" in students.splitlines()


def test_builtin_registries():
    assert {"simulated", "paired-ppo", "ppo", "a2c", "sac", "td3", "ddpg", "dqn"} <= set(
        student_names()
    )
    assert "paired" not in student_names() and "paired" in teacher_names()
    with pytest.raises(TeachgymUsageError, match="unknown student 'paired'"):
        student_class("paired")


def test_import_teachgym_and_make_teacher_stay_light():
    code = (
        "import sys, teachgym\n"
        "from teachgym.teachers import make_teacher\n"
        "from teachgym import TaskEnv, TestSet, env_factory, make_student\n"
        "space = teachgym.TaskSpace({'x': teachgym.Continuous(0.0, 1.0)})\n"
        "make_teacher('random', space).sample()\n"
        f"print([m for m in {HEAVY!r} if m in sys.modules])\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=subprocess_env(),
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    assert result.stdout.strip() == "[]"


def test_lazy_exports_are_the_real_objects():
    from teachgym.agents.registry import make_student as registry_make_student
    from teachgym.envs.task_env import TaskEnv

    assert teachgym.make_student is registry_make_student
    assert teachgym.TaskEnv is TaskEnv and teachgym.env_factory is env_factory
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        teachgym.nope  # noqa: B018


def test_catalog_entry_points_name_the_classes_gymnasium_builds():
    import gymnasium as gym

    from teachgym.envs import env_catalog
    from teachgym.envs.walkers.constants import EPISODE_STEPS

    for info in env_catalog():
        cls = info.env_class
        assert gym.spec(info.env_id).entry_point == info.entry_point
        assert f"{cls.__module__}:{cls.__qualname__}" == info.entry_point
        if "Walker" in info.env_id or "Tracks" in info.env_id:
            assert gym.spec(info.env_id).max_episode_steps == EPISODE_STEPS
    grid = env_factory("teachgym/LearnabilityGrid-v0")()
    assert np.asarray(grid.reset(seed=0)[0]).shape == (2,)


def test_list_shows_real_defaults_and_presets(capsys):
    from teachgym.cli import main

    assert main(["list"]) == 0
    out = capsys.readouterr().out
    lines = out.split("Teachers:")[1].splitlines()
    assert any(line.startswith("  alp-gmm(fit_rate=250, potential_ks=(2, 3,") for line in lines)
    assert any(
        line.startswith("  plr(score_function='positive_value_loss', capacity=1000,")
        for line in lines
    )
    assert "    presets: maze-accel, walker-accel" in lines
    assert any(line.startswith("  ppo(n_envs=4, vec_env='dummy'") for line in lines)
    assert any(line.startswith("  sac(n_envs=1,") for line in lines)
    assert "  simulated(forget_every=None, decay_every=None)" in lines
    assert "preset=None" not in out and "capacity=None" not in out


def test_a_state_that_names_a_preset_loads_with_the_preset_under_its_values(tmp_path):
    from teachgym.state_io import load_state, save_state
    from teachgym.teachers.level_replay import PLRTeacher

    space = TaskSpace({"x": Continuous(0.0, 1.0)})
    teacher = PLRTeacher.from_preset("maze-plr", space, seed=3, capacity=50)
    for _ in range(30):
        task = teacher.sample()
        teacher.update(task, Outcome(1.0, score=float(task["x"])))
    save_teacher(teacher, tmp_path / "t")
    state = load_state(tmp_path / "t")
    state["hyperparameters"] = {"seed": 3, "preset": "maze-plr", "capacity": 50}
    save_state(state, tmp_path / "t")
    restored = load_teacher(tmp_path / "t")
    assert restored.get_params() == teacher.get_params()
    assert restored.score_function == "max_mc" and restored.capacity == 50
    assert [restored.sample() for _ in range(10)] == [teacher.sample() for _ in range(10)]
