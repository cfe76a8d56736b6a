"""SPDL: the Gaussian algebra, the constrained step on hand-made values, the schedule,
the values a student reports, state and errors."""

from __future__ import annotations

import functools

import numpy as np
import pytest
from scipy.optimize import check_grad

from teachgym.agents import make_student
from teachgym.checks import check_teacher
from teachgym.curriculum import Curriculum
from teachgym.envs import env_factory
from teachgym.errors import TeachgymUsageError
from teachgym.tasks import Categorical, Continuous, Integer, TaskSpace
from teachgym.teachers import Outcome, load_teacher, make_teacher, save_teacher
from teachgym.teachers.spdl import (
    SPDLTeacher,
    kl_divergence,
    kl_from_gradient,
    kl_to_gradient,
    log_density,
    pack,
    unpack,
    weighted_value,
)
from tests.toy_env import CountdownEnv

SPACE = TaskSpace({"x": Continuous(0.0, 1.0), "y": Continuous(-2.0, 2.0)})


def gaussian(mean, chol) -> np.ndarray:
    return pack(np.asarray(mean, float), np.asarray(chol, float))


def test_parameters_pack_and_unpack_mean_and_cholesky():
    chol = np.array([[0.3, 0.0], [0.1, 0.2]])
    mean, back = unpack(gaussian([0.1, 0.7], chol), 2)
    assert np.allclose(mean, [0.1, 0.7]) and np.allclose(back, chol)


def test_kl_and_log_density_match_closed_forms():
    p, q = gaussian([0.0], [[1.0]]), gaussian([1.0], [[2.0]])
    assert kl_divergence(p, q, 1) == pytest.approx(np.log(2.0) + 2.0 / 8.0 - 0.5)
    assert kl_divergence(p, p, 1) == pytest.approx(0.0)
    assert log_density(p, np.array([[0.5]]))[0] == pytest.approx(-0.125 - 0.5 * np.log(2 * np.pi))


def test_analytic_gradients_match_finite_differences():
    rng = np.random.default_rng(0)
    d = 3
    theta = gaussian(rng.random(d), np.tril(rng.random((d, d)) * 0.2) + 0.3 * np.eye(d))
    other = gaussian(rng.random(d), np.tril(rng.random((d, d)) * 0.2) + 0.2 * np.eye(d))
    assert (
        check_grad(
            lambda t: kl_divergence(t, other, d), lambda t: kl_to_gradient(t, other, d), theta
        )
        < 1e-5
    )
    assert (
        check_grad(
            lambda t: kl_divergence(other, t, d), lambda t: kl_from_gradient(t, other, d), theta
        )
        < 1e-5
    )
    contexts, values = rng.random((40, d)), rng.random(40)
    old = log_density(other, contexts)
    value = weighted_value(theta, contexts, old, values)
    assert value[0] > 0
    error = check_grad(
        lambda t: weighted_value(t, contexts, old, values)[0],
        lambda t: weighted_value(t, contexts, old, values)[1],
        theta,
    )
    assert error < 1e-4 * np.linalg.norm(value[1])


def spdl(**kwargs) -> SPDLTeacher:
    params = {"initial_task": {"x": 0.5, "y": 0.0}, "initial_std": 0.1}
    return SPDLTeacher(SPACE, seed=0, **{**params, **kwargs})


def test_the_step_moves_toward_higher_values_within_the_trust_region():
    teacher = spdl(max_kl=0.05)
    rng = np.random.default_rng(1)
    contexts = np.clip(teacher.mean + 0.1 * rng.standard_normal((500, 2)), 0, 1)
    values = contexts[:, 0]  # higher x is better; y does not matter
    old = teacher.theta.copy()
    new = teacher.constrained_step(contexts, values, alpha=0.0)
    assert 0 < kl_divergence(old, new, 2) <= 0.05
    assert kl_divergence(old, old + 2 * (new - old), 2) > 0.05  # the bound is what stops it
    shift = unpack(new, 2)[0] - unpack(old, 2)[0]
    assert shift[0] > 0.005 and abs(shift[1]) < shift[0] / 3
    assert (
        teacher.objective(new, contexts, values, 0.0)[0]
        > teacher.objective(old, contexts, values, 0.0)[0]
    )


def test_with_flat_values_the_penalty_pulls_toward_the_target():
    teacher = spdl(max_kl=0.2, target_task={"x": 0.9, "y": 1.6}, target_std=0.05)
    rng = np.random.default_rng(2)
    contexts = np.clip(teacher.mean + 0.1 * rng.standard_normal((300, 2)), 0, 1)
    before = teacher.kl_to_target()
    new = teacher.constrained_step(contexts, np.ones(300), alpha=1.0)
    assert kl_divergence(teacher.theta, new, 2) <= 0.2
    teacher.theta = new
    assert teacher.kl_to_target() < before
    assert np.all(teacher.mean > [0.5, 0.5])  # toward (0.9, 0.9) in normalised units


def test_updates_follow_the_step_schedule_and_empty_the_buffer():
    teacher = spdl(update_frequency=10, update_offset=25)
    for _ in range(4):  # 24 steps: the multiples 10 and 20 are before the offset
        teacher.update(teacher.sample(), Outcome(1.0, length=6, value=1.0))
    assert teacher.n_iterations == 0 and len(teacher.values) == 4
    teacher.update(teacher.sample(), Outcome(1.0, length=6, value=1.0))  # 30: due
    assert teacher.n_iterations == 1 and teacher.values == []
    teacher.update(teacher.sample(), Outcome(1.0, length=9, value=1.0))  # 39: not due
    assert teacher.n_iterations == 1
    teacher.update(teacher.sample(), Outcome(1.0, length=25, value=1.0))  # 64: one update
    assert teacher.n_iterations == 2


def test_the_buffer_keeps_the_most_recent_contexts():
    teacher = spdl(buffer_size=3)
    for value in range(5):
        teacher.update(teacher.sample(), Outcome(0.0, value=float(value)))
    assert teacher.values == [2.0, 3.0, 4.0] and len(teacher.contexts) == 3


def test_alpha_follows_the_reference_alpha_function():
    teacher = spdl(update_frequency=1, update_offset=0, alpha_offset=2, zeta=0.5)
    teacher.update(teacher.sample(), Outcome(0.0, value=3.0))
    assert teacher.alpha == 0.0  # first update: before the alpha offset
    kl = teacher.kl_to_target()
    teacher.update(teacher.sample(), Outcome(0.0, value=3.0))
    assert teacher.alpha == pytest.approx(0.5 * 3.0 / kl)
    teacher.update(teacher.sample(), Outcome(0.0, value=-1.0))
    assert teacher.alpha == 0.0  # negative performance counts as 0
    average = spdl(update_frequency=2, update_offset=0, use_average_return=True, zeta=1.0)
    average.update(average.sample(), Outcome(4.0, value=100.0))
    kl = average.kl_to_target()
    average.update(average.sample(), Outcome(2.0, value=100.0))
    assert average.alpha == pytest.approx(3.0 / kl)  # mean return, not mean value


def test_std_floor_applies_while_far_from_the_target():
    teacher = spdl(
        initial_std=0.01, update_frequency=1, update_offset=0, std_lower_bound=0.05, kl_threshold=0
    )
    teacher.update(teacher.sample(), Outcome(0.0, value=0.0))
    assert np.all(np.diag(unpack(teacher.theta, 2)[1]) >= 0.05 - 1e-12)


def test_samples_are_clipped_to_the_space_and_integers_rounded():
    space = TaskSpace({"x": Continuous(0.0, 1.0), "k": Integer(0, 3)})
    teacher = SPDLTeacher(space, seed=0, initial_task={"x": 0.0, "k": 3}, initial_std=0.5)
    tasks = [teacher.sample() for _ in range(200)]
    assert all(0.0 <= t["x"] <= 1.0 and t["k"] in range(4) for t in tasks)
    assert sum(t["x"] == 0.0 for t in tasks) > 50  # half the mass is clipped to the bound


def test_needs_a_value_and_spdl_returns_uses_the_return():
    teacher = make_teacher("spdl", SPACE, seed=0)
    with pytest.raises(ValueError, match="needs the student's value"):
        teacher.update(teacher.sample(), Outcome(1.0))
    returns = make_teacher("spdl-returns", SPACE, seed=0)
    task = returns.sample()
    returns.update(task, Outcome(1.5, value=9.0))
    assert returns.values == [1.5]


def test_defaults_and_teachmyagent_preset():
    default = make_teacher("spdl", SPACE)
    assert (default.update_frequency, default.update_offset) == (100_000, 200_000)
    assert (default.max_kl, default.zeta, default.alpha_offset) == (0.1, 0.05, 0)
    assert default.buffer_size == 1000
    assert np.allclose(np.diag(default.covariance), 0.01)  # std 10 % of each range
    tma = make_teacher("spdl", SPACE, preset="teachmyagent")
    assert (tma.update_frequency, tma.alpha_offset, tma.zeta) == (50_000, 10, 0.25)
    assert tma.use_average_return


def test_bad_hyperparameters_are_clear_errors():
    with pytest.raises(TeachgymUsageError, match="go together"):
        make_teacher("spdl", SPACE, std_lower_bound=0.1)
    with pytest.raises(TeachgymUsageError, match="one value per task dimension"):
        make_teacher("spdl", SPACE, initial_std=[0.1, 0.2, 0.3])
    with pytest.raises(TeachgymUsageError, match="max_kl"):
        make_teacher("spdl", SPACE, max_kl=0)
    with pytest.raises(TeachgymUsageError, match="'y'"):
        make_teacher("spdl", SPACE, target_task={"x": 0.5, "y": 5.0})
    with pytest.raises(TeachgymUsageError, match="continuous and integer parameters only"):
        make_teacher("spdl", TaskSpace({"c": Categorical(("a", "b"))}))


@pytest.mark.parametrize("name", ["spdl", "spdl-returns"])
def test_keeps_the_teacher_contract_while_it_updates(name):
    space = TaskSpace({"x": Continuous(-1.0, 2.0), "y": Continuous(0.0, 1.0), "k": Integer(0, 4)})
    teacher = make_teacher(name, space, seed=0, update_frequency=200, update_offset=400)
    check_teacher(teacher)


def test_saved_state_restores_distribution_and_buffer_exactly(tmp_path):
    teacher = spdl(update_frequency=30, update_offset=30)
    for _ in range(100):
        task = teacher.sample()
        teacher.update(task, Outcome(task["x"], length=1, value=task["x"]))
    assert teacher.n_iterations == 3 and teacher.values
    save_teacher(teacher, tmp_path / "spdl")
    restored = load_teacher(tmp_path / "spdl")
    assert np.array_equal(restored.theta, teacher.theta)
    for _ in range(40):
        task = teacher.sample()
        assert restored.sample() == task
        for t in (teacher, restored):
            t.update(task, Outcome(task["x"], length=1, value=task["x"]))
    assert np.array_equal(restored.theta, teacher.theta) and restored.n_iterations == 4


def test_simulated_student_reports_its_competence_as_the_value():
    grid = env_factory("teachgym/LearnabilityGrid-v0")
    space = grid().unwrapped.task_space  # type: ignore[attr-defined]
    origin = space.from_vector([0.02] * space.dim)  # the one cell learnable from the start
    teacher = make_teacher(
        "spdl", space, seed=0, initial_task=origin, update_frequency=100, update_offset=100
    )
    student = make_student("simulated", grid, teacher=teacher)
    student.learn(Curriculum(teacher), 250)
    assert teacher.n_iterations == 2
    assert len(teacher.values) == 50 and max(teacher.values) > 0
    # The value of an episode is the competence before it practised: the last ones match
    # the table minus this episode's practice, never more than the table.
    table = student.table.values / 100.0
    cells = [student.grid.cell_of(space.from_vector(c)) for c in teacher.contexts]
    assert all(v <= table[cell] for v, cell in zip(teacher.values, cells, strict=True))


def test_students_without_values_are_refused_with_the_fix():
    teacher = make_teacher("spdl", CountdownEnv.task_space, seed=0)
    with pytest.raises(TeachgymUsageError, match=r"needs the student's value.*'spdl-returns'"):
        make_student("paired-ppo", functools.partial(CountdownEnv), teacher=teacher)
    returns = make_teacher("spdl-returns", CountdownEnv.task_space, seed=0)
    assert not returns.requires_value
