"""Bandit teachers: each value update and choice rule pinned on hand-made episodes."""

from __future__ import annotations

import numpy as np
import pytest

from teachgym.checks import check_teacher
from teachgym.tasks import Categorical, Continuous, IntArray, Integer, TaskSpace
from teachgym.teachers import Outcome, load_teacher, make_teacher, save_teacher
from teachgym.teachers.bandits.base import draw, epsilon_greedy, softmax
from teachgym.teachers.bandits.dump import DUMPTeacher
from teachgym.teachers.bandits.exp3s import Exp3STeacher, rescale
from teachgym.teachers.bandits.sec import SECTeacher
from teachgym.teachers.bandits.tscl import TSCLTeacher, slope
from teachgym.teachers.level_scores import EpisodeTrace

ARMS3 = TaskSpace({"level": Categorical(("a", "b", "c"))})
"""Three arms: arm i is the i-th choice."""
MIXED = TaskSpace(
    {
        "level": Categorical(("a", "b", "c")),
        "k": Integer(0, 2),
        "x": Continuous(0.0, 1.0),
        "walls": IntArray((2, 2)),
    }
)


def play(teacher, level: str, episode_return: float, score: float | None = None) -> None:
    teacher.update({"level": level}, Outcome(episode_return, score=score))


# -- choice rules -------------------------------------------------------------------------
def test_epsilon_greedy_shares_the_greedy_mass_among_ties():
    probabilities = epsilon_greedy(np.array([1.0, 3.0, 3.0, 0.0]), 0.2)
    assert probabilities == pytest.approx([0.05, 0.45, 0.45, 0.05])


def test_softmax_is_the_boltzmann_distribution():
    values = np.array([0.0, 1.0, 2.0])
    expected = np.exp(values / 0.5) / np.exp(values / 0.5).sum()
    assert softmax(values, 0.5) == pytest.approx(expected)
    assert softmax(np.array([1000.0, 0.0]), 1.0) == pytest.approx([1.0, 0.0])  # no overflow


def test_draw_follows_the_probabilities():
    rng = np.random.default_rng(0)
    counts = np.bincount([draw(np.array([0.2, 0.0, 0.8]), rng) for _ in range(5000)], minlength=3)
    assert counts[1] == 0 and abs(counts[0] / 5000 - 0.2) < 0.02


def test_slope_is_the_least_squares_slope():
    assert slope(np.array([0.0, 1.0, 2.0]), np.array([0.1, 0.2, 0.4])) == pytest.approx(0.15)
    assert slope(np.array([3.0, 3.0]), np.array([0.0, 1.0])) == 0.0


# -- TSCL ---------------------------------------------------------------------------------
def test_tscl_online_moves_q_toward_the_change_of_the_arm_score():
    teacher = TSCLTeacher.from_preset("online", ARMS3, seed=0)
    play(teacher, "b", 0.5)  # change 0.5 - 0 (first return)
    assert teacher.q == pytest.approx([0.0, 0.05, 0.0])
    play(teacher, "b", 0.7)  # change 0.2
    assert teacher.q[1] == pytest.approx(0.05 + 0.1 * (0.2 - 0.05))
    play(teacher, "a", -0.3)
    assert teacher.q[0] == pytest.approx(-0.03)
    # epsilon-greedy on |Q|: arm b (0.065) is greedy
    assert teacher.probabilities(teacher.choice_values()) == pytest.approx(
        [0.1 / 3, 0.9 + 0.1 / 3, 0.1 / 3]
    )
    signed = TSCLTeacher.from_preset("online", ARMS3, seed=0, absolute=False, alpha=1.0)
    play(signed, "a", -0.3)
    assert signed.probabilities(signed.choice_values()) == pytest.approx(
        [0.1 / 3, 0.45 + 0.1 / 3, 0.45 + 0.1 / 3]
    )


def test_tscl_naive_plays_one_arm_window_times_then_learns_its_slope():
    teacher = TSCLTeacher.from_preset("naive", ARMS3, seed=3, window=3)
    tasks = [teacher.sample() for _ in range(3)]
    assert len({t["level"] for t in tasks}) == 1  # one arm, three times in a row
    level = tasks[0]["level"]
    arm = "abc".index(level)
    for episode_return in (0.1, 0.2):
        play(teacher, level, episode_return)
    assert teacher.q[arm] == 0.0  # no fit before window scores
    play(teacher, level, 0.4)
    assert teacher.q[arm] == pytest.approx(0.1 * 0.15)


def test_tscl_window_q_is_the_slope_of_the_last_window_time_score_pairs():
    teacher = TSCLTeacher.from_preset("window", ARMS3, seed=0, window=2)
    assert list(teacher.q) == [1.0, 1.0, 1.0]  # optimistic until two scores
    play(teacher, "a", 0.0)  # time 0
    assert teacher.q[0] == 1.0
    play(teacher, "c", 0.5)  # time 1
    play(teacher, "a", 0.4)  # time 2: slope of (0, 0.0), (2, 0.4)
    assert teacher.q[0] == pytest.approx(0.2)
    play(teacher, "a", 0.4)  # time 3: the window keeps (2, 0.4), (3, 0.4)
    assert teacher.q[0] == pytest.approx(0.0)


def test_tscl_sampling_thompson_draws_one_kept_change_per_arm():
    teacher = TSCLTeacher.from_preset("sampling", ARMS3, seed=0, epsilon=0.0, window=2)
    play(teacher, "a", 0.2)  # change 0.2
    play(teacher, "b", 0.1)
    play(teacher, "b", 0.15)  # changes 0.1, 0.05
    draws = np.array([teacher.choice_values() for _ in range(400)])
    assert set(draws[:, 0]) == {0.2}
    assert set(np.round(draws[:, 1], 6)) == {0.1, 0.05}
    assert set(draws[:, 2]) == {1.0}  # never played: 1, so it is tried first
    assert {teacher.sample()["level"] for _ in range(20)} == {"c"}
    assert teacher.arm_values() == pytest.approx([0.2, 0.075, 1.0])
    mean = TSCLTeacher.from_preset("sampling", ARMS3, seed=0, choice="boltzmann", window=2)
    play(mean, "a", 0.2)
    assert mean.choice_values() == pytest.approx([0.2, 1.0, 1.0])


def test_tscl_boltzmann_uses_the_temperature():
    teacher = TSCLTeacher.from_preset("online", ARMS3, seed=0, choice="boltzmann", temperature=0.01)
    play(teacher, "c", 0.1)  # Q[c] = 0.01
    expected = np.exp(np.array([0.0, 0.0, 0.01]) / 0.01)
    assert teacher.probabilities(teacher.choice_values()) == pytest.approx(
        expected / expected.sum()
    )


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"variant": "greedy"}, "variant must be one of"),
        ({"choice": "ucb"}, "choice must be one of"),
        ({"variant": "online", "choice": "thompson"}, "use 'epsilon-greedy' or 'boltzmann'"),
        ({"variant": "window", "choice": "boltzmann", "window": 1}, "window must be an integer"),
        ({"alpha": 0.0}, "alpha must be a finite number"),
        ({"temperature": 0}, "temperature must be a finite number"),
        ({"epsilon": 1.5}, "epsilon must be a finite number"),
    ],
)
def test_tscl_refuses_bad_hyperparameters(params, match):
    with pytest.raises(ValueError, match=match):
        make_teacher("tscl", ARMS3, **params)


# -- every bandit teacher --------------------------------------------------------------
BANDIT_CONFIGS = [
    ("tscl", {"preset": "online"}),
    ("tscl", {"preset": "naive"}),
    ("tscl", {"preset": "window"}),
    ("tscl", {"preset": "sampling"}),
    ("tscl", {"variant": "sampling", "choice": "epsilon-greedy"}),
    ("exp3s", {}),
    ("exp3s", {"absolute": True, "beta": 0.1, "share": 0.01}),
    ("dump", {}),
    ("dump", {"signal": "return"}),
    ("sec", {}),
    ("sec", {"signal": "return", "batch_size": 4}),
]


@pytest.mark.parametrize(("name", "params"), BANDIT_CONFIGS)
def test_bandit_teachers_keep_the_contract_on_a_mixed_space(name, params):
    check_teacher(make_teacher(name, MIXED, seed=4, cells=3, **params), episodes=150)


@pytest.mark.parametrize(("name", "params"), BANDIT_CONFIGS)
def test_bandit_teachers_restore_exactly(name, params, tmp_path):
    rng = np.random.default_rng(0)
    teacher = make_teacher(name, MIXED, seed=2, cells=3, **params)

    def drive(t, n):
        tasks = []
        for _ in range(n):
            task = t.sample()
            tasks.append(task)
            t.update(task, Outcome(float(rng.random()), score=float(rng.random())))
        return tasks

    drive(teacher, 120)
    save_teacher(teacher, tmp_path / "t")
    restored = load_teacher(tmp_path / "t")
    for key, value in teacher.state_dict().items():
        assert np.array_equal(
            np.asarray(restored.state_dict()[key], dtype=object), np.asarray(value, dtype=object)
        ), key
    rng_state = rng.bit_generator.state
    first = drive(teacher, 60)
    rng.bit_generator.state = rng_state
    assert drive(restored, 60) == first


def test_bandit_teachers_learn_per_arm_over_subspaces():
    teacher = make_teacher(
        "tscl",
        MIXED,
        seed=0,
        preset="online",
        subspaces={"low": {"x": [0.0, 0.5]}, "high": {"x": [0.5, 1.0]}},
    )
    assert teacher.n_arms == 2
    task = teacher.sample()
    teacher.update({**task, "x": 0.75}, Outcome(1.0))
    assert teacher.q == pytest.approx([0.0, 0.1]) and list(teacher.pulls) == [0, 1]
    assert teacher.diagnostics()["best_arm"] == "high"


# -- Exp3.S ---------------------------------------------------------------------------
def test_exp3s_rescales_progress_by_the_quantiles_of_past_progress():
    history = np.arange(11, dtype=np.float64)  # 20th percentile 2, 80th 8
    assert rescale(1.0, history) == -1.0 and rescale(9.0, history) == 1.0
    assert rescale(5.0, history) == pytest.approx(0.0)
    assert rescale(6.5, history) == pytest.approx(2 * 4.5 / 6 - 1)
    assert rescale(3.0, np.zeros(0)) == 0.0  # nothing seen yet
    assert rescale(0.0, np.zeros(4)) == 0.0 and rescale(0.1, np.zeros(4)) == 1.0


def test_exp3s_policy_and_weight_update_match_the_formulas():
    teacher = Exp3STeacher(ARMS3, seed=0, eta=0.1, epsilon=0.3, share=0.2)
    assert teacher.probabilities() == pytest.approx([1 / 3] * 3)
    teacher.history = np.arange(11, dtype=np.float64)  # the progress 9 will rescale to 1
    teacher.n_progress = 11
    play(teacher, "b", 9.0)  # progress 9 - 0
    pi = np.full(3, 1 / 3)
    v = np.array([0.0, 0.1 * 1.0 / pi[1], 0.0])
    e = np.exp(v)
    expected = np.log(0.8 * e + 0.2 / 2 * (e.sum() - e))
    assert teacher.weights == pytest.approx(expected - expected.max())
    soft = np.exp(teacher.weights) / np.exp(teacher.weights).sum()
    assert teacher.probabilities() == pytest.approx(0.7 * soft + 0.1)
    assert teacher.history.size == 12 and teacher.history[-1] == 9.0


def test_exp3s_default_share_is_one_over_t_and_beta_reaches_every_arm():
    teacher = Exp3STeacher(ARMS3, seed=0, eta=0.5, beta=0.2)
    play(teacher, "a", 0.3)  # t = 1: alpha 1, no progress seen before: r = 0
    v = 0.5 * 0.2 / np.full(3, 1 / 3)  # beta / pi on every arm, equal
    e = np.exp(v)
    expected = np.log(e.sum() - e) - np.log(2)
    assert teacher.weights == pytest.approx(expected - expected.max())  # all equal: 0
    assert teacher.probabilities() == pytest.approx([1 / 3] * 3)


def test_exp3s_reservoir_keeps_a_bounded_sample():
    teacher = Exp3STeacher(ARMS3, seed=0, reservoir=5)
    for i in range(40):
        play(teacher, "abc"[i % 3], float(i))
    assert teacher.history.size == 5 and teacher.n_progress == 40


# -- DUMP -----------------------------------------------------------------------------
def test_dump_ucb_scores_and_softmax_probabilities():
    teacher = DUMPTeacher(ARMS3, seed=0, window=2)
    assert teacher.requires_score and teacher.score_kind == "mean-absolute-advantage"
    assert teacher.probabilities() == pytest.approx([1 / 3] * 3)  # all scores 0
    play(teacher, "a", 0.0, score=-0.4)  # |A| = 0.4
    play(teacher, "a", 0.0, score=0.2)
    play(teacher, "a", 0.0, score=0.6)  # the window keeps 0.2 and 0.6
    play(teacher, "c", 0.0, score=1.0)
    assert teacher.learnability == pytest.approx([0.4, 0.0, 1.0])
    bonus = np.sqrt(2 * np.log(5) / (np.array([3, 0, 1]) + 1))
    scores = np.array([0.4, 0.0, 1.0]) + bonus
    assert teacher.scores() == pytest.approx(scores)
    expected = np.exp((scores - scores.max()) / 0.1)
    assert teacher.probabilities() == pytest.approx(expected / expected.sum())


def test_dump_return_signal_needs_no_score():
    teacher = DUMPTeacher(ARMS3, seed=0, signal="return", c=0.0)
    assert not teacher.requires_score
    play(teacher, "b", 0.5)
    play(teacher, "b", 0.2)  # |0.5 - 0|, then |0.2 - 0.5|
    assert teacher.learnability[1] == pytest.approx(0.4)
    with pytest.raises(ValueError, match="needs a mean-absolute-advantage score"):
        play(DUMPTeacher(ARMS3, seed=0), "b", 0.5)


# -- SEC ------------------------------------------------------------------------------
def test_sec_td0_update_and_boltzmann_choice():
    teacher = SECTeacher(ARMS3, seed=0)
    play(teacher, "a", 0.0, score=0.8)
    assert teacher.q == pytest.approx([0.4, 0.0, 0.0])  # 0.5 * 0 + 0.5 * 0.8
    play(teacher, "a", 0.0, score=-0.2)
    assert teacher.q[0] == pytest.approx(0.5 * 0.4 + 0.5 * 0.2)
    expected = np.exp(np.array([0.3, 0.0, 0.0]))
    assert teacher.probabilities() == pytest.approx(expected / expected.sum())
    math = SECTeacher.from_preset("math", ARMS3)
    math.q = np.array([0.3, 0.0, 0.0])
    expected = np.exp(np.array([0.3, 0.0, 0.0]) / 0.4)
    assert math.probabilities() == pytest.approx(expected / expected.sum())
    assert SECTeacher.from_preset("framework", ARMS3).alpha == 0.1


def test_sec_batches_update_each_present_category_with_its_mean():
    teacher = SECTeacher(ARMS3, seed=0, batch_size=3, alpha=0.5)
    play(teacher, "a", 0.0, score=0.2)
    play(teacher, "a", 0.0, score=0.6)
    assert list(teacher.q) == [0.0, 0.0, 0.0]  # the batch is not full
    play(teacher, "c", 0.0, score=1.0)
    assert teacher.q == pytest.approx([0.5 * 0.4, 0.0, 0.5])  # b absent: unchanged


@pytest.mark.parametrize("name", ["dump", "sec"])
def test_advantage_teachers_refuse_a_bad_signal_and_students_without_advantages(name):
    from teachgym.agents.simulated import SimulatedStudent
    from teachgym.envs.learnability_grid import LearnabilityGridEnv

    with pytest.raises(ValueError, match=r"signal must be 'advantage'.*or 'return'"):
        make_teacher(name, ARMS3, signal="loss")
    student = SimulatedStudent(LearnabilityGridEnv, seed=0)
    teacher = make_teacher(name, student.grid.task_space)
    with pytest.raises(ValueError, match=r"needs a mean-absolute-advantage score.*signal='return'"):
        student.check_teacher(teacher)
    student.check_teacher(make_teacher(name, student.grid.task_space, signal="return"))


def test_advantage_score_is_the_mean_absolute_advantage_of_the_episode():
    teacher = make_teacher("dump", ARMS3)
    trace = EpisodeTrace(1.0, values=np.zeros(3), advantages=np.array([0.5, -1.0, 0.0]))
    assert teacher.episode_score({"level": "a"}, trace) == pytest.approx(0.5)
    with pytest.raises(ValueError, match="from the student's advantages"):
        teacher.episode_score({"level": "a"}, EpisodeTrace(1.0))
