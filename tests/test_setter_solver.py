"""Setter-Solver: the flow's invertibility and density, the judge, the update schedule,
the three losses and exact restore."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from teachgym.checks import check_teacher
from teachgym.errors import TeachgymUsageError
from teachgym.tasks import Continuous, Integer, TaskSpace
from teachgym.teachers import Outcome, load_teacher, make_teacher, save_teacher
from teachgym.teachers.realnvp import ConditionalRealNVP, coupling_order
from teachgym.teachers.setter_solver import SAMPLE_BATCH, SetterSolverTeacher
from tests.conftest import drive_with_success

UNIT2 = TaskSpace({"x": Continuous(0.0, 1.0), "y": Continuous(0.0, 1.0)})
MIXED = TaskSpace({"h": Continuous(-1.0, 3.0), "k": Integer(0, 4), "w": Continuous(0.0, 2.0)})
SMALL = {"hidden_size": 16, "judge_layers": (16, 16)}


def small(space: TaskSpace = UNIT2, seed: int = 0, **params) -> SetterSolverTeacher:
    teacher = make_teacher("setter-solver", space, seed=seed, **{**SMALL, **params})
    assert isinstance(teacher, SetterSolverTeacher)
    return teacher


def flow(d: int, seed: int = 0) -> ConditionalRealNVP:
    return ConditionalRealNVP(d, 16, 3, 3, np.random.default_rng(seed))


def spread_flow(d: int) -> ConditionalRealNVP:
    """A flow whose goals spread over (0, 1) (an untrained one packs them near 0.5)."""
    setter = flow(d)
    with torch.no_grad():
        for coupling in setter.couplings:
            coupling.nets.weights[-1].mul_(5.0)
    return setter


@pytest.mark.parametrize("d", [1, 2, 3, 5])
def test_inverse_undoes_forward_and_both_give_the_same_density(d):
    setter = spread_flow(d)
    rng = np.random.default_rng(d)
    z = torch.from_numpy(rng.standard_normal((50, d)))
    f = torch.from_numpy(rng.uniform(1e-8, 1.0, (50, 1)))
    with torch.no_grad():
        goals, log_p = setter(z, f)
        back, log_p_back = setter.inverse(goals, f)
    assert torch.all((goals > 0) & (goals < 1))
    assert goals.std() > 0.02  # spread, so the check is not on a degenerate map
    torch.testing.assert_close(back, z, atol=1e-7, rtol=0)
    torch.testing.assert_close(log_p_back, log_p, atol=1e-7, rtol=0)


def test_log_density_matches_a_numerical_jacobian():
    setter = spread_flow(2)
    z = torch.tensor([[0.3, -0.7]], dtype=torch.float64)
    f = torch.tensor([[0.6]], dtype=torch.float64)
    eps = 1e-6
    with torch.no_grad():
        _, log_p = setter(z, f)
        columns = []
        for i in range(2):
            step = torch.zeros_like(z)
            step[0, i] = eps
            plus, _ = setter(z + step, f)
            minus, _ = setter(z - step, f)
            columns.append(((plus - minus) / (2 * eps))[0])
    jacobian = torch.stack(columns, dim=1)
    log_normal = -0.5 * float((z**2).sum()) - np.log(2 * np.pi)
    expected = log_normal - float(torch.log(torch.abs(torch.det(jacobian))))
    assert float(log_p[0]) == pytest.approx(expected, abs=1e-5)


def test_coupling_order_moves_each_half_then_the_even_coordinates():
    assert coupling_order(4) == [([0, 1], [2, 3]), ([2, 3], [0, 1]), ([1, 3], [0, 2])]
    assert coupling_order(3) == [([0], [1, 2]), ([1, 2], [0]), ([1], [0, 2])]
    assert coupling_order(1) == [([], [0]), ([], [0])]  # nothing kept but the feasibility


def test_the_judge_learns_a_separable_set_with_binary_cross_entropy():
    teacher = small()
    rng = np.random.default_rng(0)
    goals = rng.random((200, 2))
    won = goals[:, 0] > 0.5
    tasks = [{"x": float(g[0]), "y": float(g[1])} for g in goals]

    def bce() -> float:
        p = np.clip(teacher.judge_probability(tasks), 1e-12, 1 - 1e-12)
        return float(-np.mean(np.where(won, np.log(p), np.log(1 - p))))

    before = bce()
    inputs, labels = torch.from_numpy(goals), torch.from_numpy(won.astype(float)).reshape(-1, 1)
    losses = [teacher._judge_step(inputs, labels) for _ in range(500)]
    assert losses[0] == pytest.approx(before)
    assert bce() < 0.5 * before and losses[-1] < losses[0]
    p = teacher.judge_probability(tasks)
    assert p[won].mean() > 0.65 > 0.35 > p[~won].mean()


def test_validity_makes_achieved_goals_likely_and_coverage_spreads_the_setter():
    teacher = small(gradient_steps=30, learning_rate=3e-3)
    rng = np.random.default_rng(1)
    target = np.array([0.8, 0.3])
    goals = np.clip(target + 0.02 * rng.standard_normal((64, 2)), 0.01, 0.99)
    feasibilities = rng.uniform(1e-8, 1.0, 64)
    f = torch.from_numpy(feasibilities).reshape(-1, 1)

    def log_density() -> float:
        with torch.no_grad():
            return float(teacher.setter.inverse(torch.from_numpy(goals), f)[1].mean())

    before = log_density()
    teacher.goals, teacher.feasibilities = goals, feasibilities
    teacher.successes = np.ones(64, dtype=bool)
    teacher.train()
    assert log_density() > before + 1.0
    assert np.isfinite(list(teacher.losses.values())).all()


def test_an_update_without_success_trains_on_feasibility_and_coverage_only():
    teacher = small()
    rng = np.random.default_rng(2)
    teacher.goals, teacher.feasibilities = rng.random((20, 2)), rng.random(20)
    teacher.successes = np.zeros(20, dtype=bool)
    before = [p.detach().clone() for p in teacher.setter.parameters()]
    teacher.train()
    assert np.isnan(teacher.losses["validity"])
    assert np.isfinite(teacher.losses["feasibility"]) and np.isfinite(teacher.losses["coverage"])
    after = list(teacher.setter.parameters())
    assert all(torch.isfinite(p).all() for p in after)
    assert any(not torch.equal(a, b) for a, b in zip(before, after, strict=True))


def test_updates_come_every_update_frequency_episodes_on_the_goals_set():
    teacher = small(update_frequency=10)
    tasks = [teacher.sample() for _ in range(3)]
    for task, success in zip(reversed(tasks), (True, False, True), strict=True):
        teacher.update(task, Outcome(1.0, success=success))
    assert len(teacher.goals) == 3 and teacher.successes.tolist() == [True, False, True]
    assert np.allclose([teacher.task_space.to_vector(t) for t in reversed(tasks)], teacher.goals)
    assert not teacher.pending
    teacher.update({"x": 0.5, "y": 0.5}, Outcome(0.0, success=False))  # not set: not learned
    assert len(teacher.goals) == 3
    for _ in range(5):
        teacher.update(teacher.sample(), Outcome(0.0, success=False))
    assert teacher.n_trainings == 0
    teacher.update(teacher.sample(), Outcome(0.0, success=True))  # the 10th episode
    assert teacher.n_trainings == 1 and len(teacher.goals) == 0
    assert len(teacher._upcoming) == 0  # goals of the old setter are discarded


def test_feasibilities_are_uniform_and_goals_are_set_in_batches():
    teacher = small()
    for _ in range(5 * SAMPLE_BATCH):
        teacher.sample()
    feasibilities = [f for proposals in teacher.pending.values() for _, f in proposals]
    assert len(feasibilities) == 5 * SAMPLE_BATCH
    assert np.mean(feasibilities) == pytest.approx(0.5, abs=0.05)
    assert min(feasibilities) > 0.0 and max(feasibilities) < 1.0


def test_restore_continues_exactly_through_trainings(tmp_path):
    original = small(MIXED, seed=4, update_frequency=20)
    drive_with_success(original, 50, 0)
    original.sample()  # one task still out
    assert original.n_trainings == 2 and original.pending and len(original._upcoming)
    save_teacher(original, tmp_path / "ss")
    restored = load_teacher(tmp_path / "ss")
    assert drive_with_success(restored, 60, 1) == drive_with_success(original, 60, 1)
    assert original.n_trainings == 5
    probe = [{"h": 0.0, "k": 2, "w": 1.0}]
    assert restored.judge_probability(probe) == original.judge_probability(probe)


def test_preset_building_and_torch_global_generator():
    params = make_teacher("setter-solver", UNIT2, preset="teachmyagent").get_params()
    assert (params["update_frequency"], params["validity_noise"], params["hidden_size"]) == (
        50,
        0.1,
        64,
    )
    assert params["judge_layers"] == [64, 64]
    defaults = make_teacher("setter-solver", UNIT2).get_params()
    assert (defaults["n_blocks"], defaults["layers_per_block"], defaults["hidden_size"]) == (
        3,
        3,
        128,
    )
    assert make_teacher("setter-solver", UNIT2, preset="skills").get_params()["n_blocks"] == 1
    check_teacher(SetterSolverTeacher.from_preset("skills", MIXED, seed=1), episodes=120)
    state = torch.random.get_rng_state()
    teacher = small(update_frequency=5)
    for _ in range(10):
        teacher.update(teacher.sample(), Outcome(1.0, success=True))
    assert teacher.n_trainings == 2
    assert torch.equal(torch.random.get_rng_state(), state)


def test_setter_solver_refuses_bad_settings():
    bad = [
        ({"update_frequency": 0}, TeachgymUsageError, "update_frequency"),
        ({"validity_noise": -0.1}, TeachgymUsageError, "validity_noise"),
        ({"judge_layers": []}, TypeError, "judge_layers"),
        ({"hidden_size": 1.5}, TypeError, "hidden_size"),
        ({"learning_rate": 0.0}, TeachgymUsageError, "learning_rate"),
    ]
    for params, error, match in bad:
        with pytest.raises(error, match=match):
            make_teacher("setter-solver", UNIT2, **params)
    with pytest.raises(ValueError, match="other layer sizes"):
        small(hidden_size=8).load_state_dict(small().state_dict())
