"""Regret-based teachers driving SB3 PPO: scored reports, the Robust PLR switch, replays."""

from __future__ import annotations

import functools

import numpy as np
import pytest
import torch
from gymnasium import spaces
from stable_baselines3.common.callbacks import BaseCallback

from teachgym.agents import SB3Student
from teachgym.agents.callbacks import StopAfterTrainedSteps
from teachgym.agents.robust_ppo import MaskedRolloutBuffer, RobustPPO
from teachgym.curriculum import EPISODE_INFO_KEY, Curriculum, TaskFeedController, TaskFeedWrapper
from teachgym.tasks import LEVEL_SEED
from teachgym.teachers import Outcome, make_teacher
from teachgym.teachers.level_replay import LevelReplayTeacher
from teachgym.teachers.level_scores import EpisodeTrace
from tests.toy_env import CountdownEnv

PPO_KWARGS = {"n_steps": 16, "batch_size": 16, "n_epochs": 1}


class RecordingEnv(CountdownEnv):
    """Remembers the task of every episode it actually ran."""

    ran: list[dict] = []

    def _reset_task(self, task):
        RecordingEnv.ran.append(dict(task))
        return super()._reset_task(task)


class MonitorCount(BaseCallback):
    def __init__(self):
        super().__init__()
        self.finished = 0

    def _on_step(self) -> bool:
        self.finished += sum(EPISODE_INFO_KEY in info for info in self.locals["infos"])
        return True


def parameters(student: SB3Student) -> list[torch.Tensor]:
    assert student.model is not None
    return [p.detach().clone() for p in student.model.policy.parameters()]


def test_deferred_vec_path_refills_at_once_and_reports_later():
    # A teacher that requires a score declares it; the vector path then leaves its reports
    # to the student that scores them, and still refills the sub-environment at once.
    teacher = make_teacher("plr", CountdownEnv.task_space, seed=0)
    curriculum = Curriculum(teacher)
    sent: list[int] = []
    controller = TaskFeedController(curriculum, 2, lambda index, task: sent.append(index))
    assert controller.defers_reports
    info = {
        EPISODE_INFO_KEY: {
            "task": {"length": 2, "bonus": 0.1, LEVEL_SEED: 7},
            "return": 0.2,
            "length": 2,
            "success": True,
        }
    }
    assert controller.after_step([info, {}]) == []
    assert curriculum.episodes_reported == 0
    assert sent == [0] and curriculum.tasks_sampled == 1
    record = curriculum.report_info(info, env_index=0, score=0.5)
    assert record is not None and record.outcome.score == 0.5
    # A teacher that needs no score is reported at the step that ended the episode.
    plain = Curriculum(make_teacher("random", CountdownEnv.task_space, seed=0))
    immediate = TaskFeedController(plain, 2, lambda index, task: sent.append(index))
    assert not immediate.defers_reports
    records = immediate.after_step([{}, info])
    assert [r.env_index for r in records] == [1] and plain.episodes_reported == 1
    assert sent == [0, 1]


@pytest.mark.slow
@pytest.mark.parametrize("name", ["plr", "robust-plr", "accel"])
def test_every_episode_is_reported_once_with_a_score_over_its_whole_length(name):
    teacher = make_teacher(name, CountdownEnv.task_space, seed=0, capacity=30, min_fill=0.1)
    assert isinstance(teacher, LevelReplayTeacher)
    lengths: list[tuple[int, int]] = []
    score = teacher.episode_score

    def recording_score(task, trace: EpisodeTrace) -> float:
        assert trace.advantages is not None
        lengths.append((len(trace.advantages), task["length"]))
        return score(task, trace)

    teacher.episode_score = recording_score  # type: ignore[method-assign]
    counter = MonitorCount()
    student = SB3Student(
        functools.partial(CountdownEnv), n_envs=3, callbacks=[counter], seed=1, **PPO_KWARGS
    )
    outcomes: list[Outcome] = []
    curriculum = Curriculum(teacher, listeners=[lambda r: outcomes.append(r.outcome)])
    student.learn(curriculum, 1500)
    assert len(outcomes) == counter.finished == len(lengths) > 100
    assert all(o.score is not None and np.isfinite(o.score) for o in outcomes)
    # Episodes span rollouts of 16 steps: each trace still covers the whole episode.
    assert all(n == o.length for (n, _), o in zip(lengths, outcomes, strict=True))
    assert any(n > 1 for n, _ in lengths)
    assert isinstance(student.model, RobustPPO) == teacher.robust
    student.close()


@pytest.mark.slow
def test_robust_plr_takes_no_gradient_step_on_new_levels():
    # replay_prob 0: every level is new, so every rollout is exploratory.
    robust = make_teacher("robust-plr", CountdownEnv.task_space, seed=0, replay_prob=0.0)
    student = SB3Student(functools.partial(CountdownEnv), n_envs=2, **PPO_KWARGS)
    student.learn(Curriculum(robust), 16)
    before = parameters(student)
    student.learn(Curriculum(robust), 200)
    assert robust.diagnostics()["buffer_size"] > 0  # the levels were scored
    assert all(torch.equal(a, b) for a, b in zip(before, parameters(student), strict=True))
    # The same run with plain PLR does change the weights.
    plain = make_teacher("plr", CountdownEnv.task_space, seed=0, replay_prob=0.0)
    other = SB3Student(functools.partial(CountdownEnv), n_envs=2, **PPO_KWARGS)
    other.learn(Curriculum(plain), 16)
    start = parameters(other)
    other.learn(Curriculum(plain), 200)
    assert not all(torch.equal(a, b) for a, b in zip(start, parameters(other), strict=True))


@pytest.mark.slow
def test_robust_ppo_masks_exactly_the_exploratory_transitions():
    teacher = make_teacher(
        "robust-plr", CountdownEnv.task_space, seed=0, min_fill=0.05, capacity=20
    )
    student = SB3Student(functools.partial(CountdownEnv), n_envs=2, **PPO_KWARGS)
    student.learn(Curriculum(teacher), 2000)
    model = student.model
    assert isinstance(model, RobustPPO)
    kept = model.keep.mean()
    assert 0.0 < kept < 1.0  # a mix of replayed and new levels in the last rollout
    # Only kept transitions count as trained on: fewer than the steps collected.
    assert 0 < model.trained_steps < model.num_timesteps


@pytest.mark.slow
def test_a_trained_step_budget_stops_robust_ppo_after_that_many_kept_transitions():
    budget, n_envs = 300, 2
    stopper = StopAfterTrainedSteps(budget)
    teacher = make_teacher("robust-plr", CountdownEnv.task_space, seed=0, min_fill=0.1, capacity=20)
    student = SB3Student(
        functools.partial(CountdownEnv), n_envs=n_envs, callbacks=[stopper], **PPO_KWARGS
    )
    student.learn(Curriculum(teacher), 20 * budget)
    model = student.model
    assert isinstance(model, RobustPPO)
    rollout = PPO_KWARGS["n_steps"] * n_envs
    # Stopped at the first rollout boundary past the budget, long before the 20x cap;
    # the new levels it only scored cost extra environment steps.
    assert budget <= model.trained_steps < budget + rollout
    assert model.trained_steps < model.num_timesteps < 20 * budget
    student.close()


@pytest.mark.slow
def test_no_random_level_sneaks_into_a_replay_rollout_on_auto_reset():
    RecordingEnv.ran = []
    teacher = make_teacher(
        "plr", CountdownEnv.task_space, seed=0, capacity=8, min_fill=1.0, replay_prob=1.0
    )
    handed_out: list[tuple[str, bool]] = []
    sample = teacher.sample

    def recording_sample() -> dict:
        task = sample()
        handed_out.append((str(sorted(task.items())), task in teacher.buffer))
        return task

    teacher.sample = recording_sample  # type: ignore[method-assign]
    n_envs = 3
    student = SB3Student(functools.partial(RecordingEnv), n_envs=n_envs, **PPO_KWARGS)
    student.learn(Curriculum(teacher), 1200)
    ran = [str(sorted(t.items())) for t in RecordingEnv.ran]
    assert all(LEVEL_SEED in t for t in RecordingEnv.ran)
    # Each sub-environment holds exactly one handed-out task it has not run yet; every
    # auto-reset ran a handed-out task, never a default or freshly random level.
    assert len(ran) == len(handed_out) - n_envs > 100
    remaining = [key for key, _ in handed_out]
    for key in ran:
        remaining.remove(key)  # raises if an episode ran a level nobody handed out
    # Once full, only replays are handed out, and those are what the envs ran.
    replays = [key for key, was_replay in handed_out if was_replay]
    assert len(replays) > 50
    assert set(ran[-len(replays) + n_envs :]) <= set(replays)
    # The guard itself: a sub-environment without a handed-out task refuses to reset.
    guarded = TaskFeedWrapper(CountdownEnv(), require_task=True)
    with pytest.raises(RuntimeError, match="no next task"):
        guarded.reset()
    student.close()


def test_off_policy_students_refuse_teachers_that_need_scores():
    teacher = make_teacher("plr", CountdownEnv.task_space, seed=0)
    student = SB3Student(functools.partial(CountdownEnv, continuous=True), algo="sac")
    with pytest.raises(ValueError, match="use 'ppo' or 'a2c'"):
        student.learn(Curriculum(teacher), 10)


def test_masked_rollout_buffer_yields_exactly_the_kept_transitions():
    n_steps, n_envs = 5, 3
    buffer = MaskedRolloutBuffer(
        n_steps, spaces.Box(0.0, 10.0, (2,)), spaces.Discrete(2), n_envs=n_envs
    )
    for t in range(n_steps):
        obs = np.array([[t, e] for e in range(n_envs)], dtype=np.float32)
        buffer.add(obs, np.zeros((n_envs, 1)), np.zeros(n_envs), np.zeros(n_envs, dtype=bool),
                   torch.zeros(n_envs), torch.zeros(n_envs))  # fmt: skip
    buffer.compute_returns_and_advantage(torch.zeros(n_envs), np.zeros(n_envs, dtype=bool))
    keep = np.zeros((n_steps, n_envs), dtype=bool)
    keep[1:4, 0] = True
    keep[0, 2] = True
    buffer.keep[...] = keep
    seen = {(int(o[0]), int(o[1])) for batch in buffer.get(2) for o in batch.observations.numpy()}
    assert seen == {(t, e) for t in range(n_steps) for e in range(n_envs) if keep[t, e]}


def test_ppo_reports_each_episode_with_its_mean_absolute_advantage_for_dump():
    teacher = make_teacher("dump", CountdownEnv.task_space, seed=0, cells=2)
    traces: list[EpisodeTrace] = []
    score = teacher.episode_score

    def recording_score(task, trace: EpisodeTrace) -> float:
        traces.append(trace)
        return score(task, trace)

    teacher.episode_score = recording_score  # type: ignore[method-assign]
    student = SB3Student(functools.partial(CountdownEnv), n_envs=2, seed=0, **PPO_KWARGS)
    outcomes: list[Outcome] = []
    student.learn(Curriculum(teacher, listeners=[lambda r: outcomes.append(r.outcome)]), 200)
    assert len(outcomes) == len(traces) > 10
    for outcome, trace in zip(outcomes, traces, strict=True):
        assert trace.advantages is not None
        assert outcome.score == pytest.approx(float(np.mean(np.abs(trace.advantages))))
    assert teacher.pulls.sum() == len(outcomes)
    student.close()
