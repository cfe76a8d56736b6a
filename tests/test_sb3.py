"""SB3 students through the vector-env curriculum path (real training: marked slow)."""

from __future__ import annotations

import functools
from collections import defaultdict

import numpy as np
import pytest
from stable_baselines3.common.callbacks import BaseCallback

from teachgym.agents import SB3Student, make_student
from teachgym.curriculum import EPISODE_INFO_KEY, Curriculum
from teachgym.envs import env_factory
from teachgym.errors import UnknownParameterError
from teachgym.evaluation import evaluate
from teachgym.state_io import CorruptStateError
from tests.toy_env import CountdownEnv, RecordingTeacher


class MonitorEpisodes(BaseCallback):
    """Collects what SB3's Monitor saw finish, per sub-environment."""

    def __init__(self):
        super().__init__()
        self.per_env: dict[int, list[tuple[dict, float]]] = defaultdict(list)

    def _on_step(self) -> bool:
        for i, info in enumerate(self.locals["infos"]):
            if "episode" in info:
                self.per_env[i].append((info[EPISODE_INFO_KEY]["task"], info["episode"]["r"]))
        return True


@pytest.mark.slow
@pytest.mark.parametrize("vec_env", ["subproc", "dummy"])
def test_ppo_curriculum_accounting_is_exact(vec_env):
    teacher = RecordingTeacher(CountdownEnv.task_space, seed=0)
    monitor = MonitorEpisodes()
    student = SB3Student(
        functools.partial(CountdownEnv),
        algo="ppo",
        n_envs=3,
        vec_env=vec_env,
        callbacks=[monitor],
        n_steps=64,
        batch_size=64,
        n_epochs=1,
    )
    sent: dict[int, list[dict]] = defaultdict(list)
    curriculum = Curriculum(teacher)
    student.learn(curriculum, 100)  # builds the vec env
    send = student.venv.controller.send
    student.venv.controller.send = lambda i, t: (sent[i].append(t), send(i, t))
    teacher.updates.clear()
    monitor.per_env.clear()
    student.learn(curriculum, 3000)
    total_monitor = sum(len(v) for v in monitor.per_env.values())
    assert total_monitor == len(teacher.updates) > 300
    # Every episode SB3's Monitor saw reached the teacher once, with its own return.
    monitor_pairs = sorted((str(t), r) for v in monitor.per_env.values() for t, r in v)
    teacher_pairs = sorted((str(t), o.episode_return) for t, o in teacher.updates)
    assert [t for t, _ in monitor_pairs] == [t for t, _ in teacher_pairs]
    np.testing.assert_allclose(
        [r for _, r in monitor_pairs], [r for _, r in teacher_pairs], atol=1e-5
    )
    # Each sub-environment ran exactly the tasks handed to it, in order (after the first
    # two it already held when the send hook was installed).
    for i, episodes in monitor.per_env.items():
        ran = [t for t, _ in episodes]
        assert ran[2:] == sent[i][: len(ran) - 2]
    student.close()


@pytest.mark.slow
@pytest.mark.parametrize("algo", ["ppo", "sac"])
def test_sb3_student_saves_resumes_and_evaluates(algo, tmp_path):
    env_fn = functools.partial(CountdownEnv, continuous=algo == "sac")
    teacher = RecordingTeacher(CountdownEnv.task_space, seed=0)
    kwargs = {"n_steps": 64, "batch_size": 32} if algo == "ppo" else {"learning_starts": 50}
    student = make_student(algo, env_fn, seed=0, **kwargs)
    student.learn(Curriculum(teacher), 300)
    student.save(tmp_path / "ckpt", make_teacher_for_save())
    returns = evaluate(
        student, [{"length": 4, "bonus": 1.0}, {"length": 2, "bonus": 0.5}], episodes_per_task=2
    ).returns
    assert returns.shape == (2, 2) and np.all(returns > 0)
    restored = make_student(algo, env_fn, seed=0, **kwargs)
    saved_teacher = restored.load(tmp_path / "ckpt")
    assert restored.steps_done == student.steps_done >= 300
    assert saved_teacher is not None and saved_teacher.name == "random"
    np.testing.assert_array_equal(
        evaluate(restored, [{"length": 4, "bonus": 1.0}], episodes_per_task=1).returns,
        evaluate(student, [{"length": 4, "bonus": 1.0}], episodes_per_task=1).returns,
    )
    restored.learn(Curriculum(saved_teacher), 100)
    assert restored.steps_done >= student.steps_done + 100
    student.close()
    restored.close()


def make_teacher_for_save():
    from teachgym.teachers import make_teacher

    return make_teacher("random", CountdownEnv.task_space, seed=3)


def test_corrupted_sb3_checkpoint_is_a_clear_error(tmp_path):
    student = make_student("ppo", functools.partial(CountdownEnv))
    (tmp_path / "student.json").write_text('{"student": "sb3", "config": {}, "steps_done": 5}')
    (tmp_path / "model.zip").write_bytes(b"not a zip")
    with pytest.raises(CorruptStateError, match=r"model.zip.*corrupted"):
        student.load(tmp_path)


def test_unknown_student_and_bad_hyperparameter():
    env_fn = functools.partial(CountdownEnv)
    with pytest.raises(ValueError, match="unknown student 'ppo2'"):
        make_student("ppo2", env_fn)
    with pytest.raises(UnknownParameterError, match="PPO has no hyperparameter 'not_a_p") as error:
        make_student("ppo", env_fn, not_a_parameter=1)  # refused before anything is built
    assert error.value.parameter == "not_a_parameter" and "n_steps" in str(error.value)
    with pytest.raises(TypeError, match="n_envs must be an integer"):
        make_student("ppo", env_fn, n_envs="4")
    student = make_student("ppo", env_fn, policy_kwargs={"not_a_policy_argument": 1})
    with pytest.raises(ValueError, match="bad hyperparameter for SB3 PPO"):
        student.learn(Curriculum(RecordingTeacher(student.env_fn().unwrapped.task_space)), 10)
    sac = make_student("sac", functools.partial(CountdownEnv))
    with pytest.raises(ValueError, match=r"SB3 SAC cannot be used here.*Discrete"):
        sac.learn(Curriculum(RecordingTeacher(CountdownEnv.task_space)), 10)
    with pytest.raises(ValueError, match="LearnabilityGrid"):
        make_student("simulated", functools.partial(CountdownEnv))
    with pytest.raises(ValueError, match=r"'ppo' cannot learn on .*only \['simulated'\]"):
        make_student("ppo", env_factory("teachgym/LearnabilityGrid-v0"))


def test_minigrid_observations_get_the_minigrid_cnn_by_default():
    pytest.importorskip("minigrid")
    from teachgym.agents.minigrid_cnn import MiniGridCNN
    from teachgym.teachers import make_teacher

    env_fn = env_factory("teachgym/DoorKey-v0")
    student = make_student("ppo", env_fn, n_envs=1, n_steps=16, batch_size=16)
    teacher = make_teacher("random", env_fn().unwrapped.task_space, seed=0)
    student.learn(Curriculum(teacher), 16)
    assert isinstance(student.model.policy.features_extractor, MiniGridCNN)
    grid = make_student("ppo", functools.partial(CountdownEnv), n_steps=16)
    grid.learn(Curriculum(make_teacher("random", grid.env_fn().unwrapped.task_space)), 16)
    assert not isinstance(grid.model.policy.features_extractor, MiniGridCNN)
    student.close()
    grid.close()


def test_classes_in_policy_kwargs_are_saved_by_name_and_load_back(tmp_path):
    import json

    import torch

    env_fn = functools.partial(CountdownEnv)
    policy_kwargs = {"activation_fn": torch.nn.ReLU, "net_arch": [8]}
    student = make_student("ppo", env_fn, seed=0, n_steps=32, policy_kwargs=policy_kwargs)
    student.learn(Curriculum(RecordingTeacher(CountdownEnv.task_space)), 64)
    student.save(tmp_path / "ckpt")
    config = json.loads((tmp_path / "ckpt" / "student.json").read_text())["config"]
    assert config["policy_kwargs"]["activation_fn"] == "torch.nn.modules.activation:ReLU"
    # Rebuilt from the saved config (plain strings, as a suite or the CLI gives them), from
    # the class itself and from its dotted name, the student loads the checkpoint.
    rebuilt = [
        SB3Student(env_fn, **config),  # get_params' contract
        make_student("ppo", env_fn, seed=0, n_steps=32, policy_kwargs=policy_kwargs),
        make_student(
            "ppo",
            env_fn,
            seed=0,
            n_steps=32,
            policy_kwargs={"activation_fn": "torch.nn.ReLU", "net_arch": [8]},
        ),
    ]
    for restored in rebuilt:
        assert restored.algo_kwargs["policy_kwargs"]["activation_fn"] is torch.nn.ReLU
        restored.load(tmp_path / "ckpt")
        assert restored.model.policy.activation_fn is torch.nn.ReLU
        restored.close()
    other = make_student("ppo", env_fn, seed=0, n_steps=32, policy_kwargs={"net_arch": [8]})
    with pytest.raises(ValueError, match=r"other settings.*activation_fn"):
        other.load(tmp_path / "ckpt")
    student.close()


def test_a_class_that_cannot_be_imported_by_name_is_refused_before_anything_is_saved(tmp_path):
    import torch

    class LocalReLU(torch.nn.ReLU):
        """A ReLU defined inside this test, so no module path imports it."""

    student = make_student(
        "ppo",
        functools.partial(CountdownEnv),
        n_steps=32,
        policy_kwargs={"activation_fn": LocalReLU},
    )
    student.learn(Curriculum(RecordingTeacher(CountdownEnv.task_space)), 32)  # it trains
    with pytest.raises(ValueError, match=r"LocalReLU'.*cannot be imported.*top level of") as error:
        student.save(tmp_path / "ckpt")
    assert "\n" not in str(error.value)
    assert not (tmp_path / "ckpt").exists()
    student.close()
    with pytest.raises(ValueError, match=r"policy_kwargs.activation_fn 'torch.nn.NoSuch'.*no att"):
        make_student(
            "ppo",
            functools.partial(CountdownEnv),
            policy_kwargs={"activation_fn": "torch.nn.NoSuch"},
        )
    with pytest.raises(ValueError, match=r"policy 'no_such_module:Policy': cannot import"):
        make_student("ppo", functools.partial(CountdownEnv), policy="no_such_module:Policy")
