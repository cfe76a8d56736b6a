"""ALP-GMM, Covar-GMM and RIAC: the algorithm pinned on hand-made data."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.mixture import GaussianMixture

from teachgym.agents.simulated import SimulatedStudent
from teachgym.curriculum import Curriculum
from teachgym.envs import env_factory
from teachgym.tasks import Continuous, Integer, TaskSpace
from teachgym.teachers import Outcome, load_teacher, make_teacher, save_teacher
from teachgym.teachers.alp_gmm import ALPGMMTeacher
from teachgym.teachers.covar_gmm import CovarGMMTeacher
from teachgym.teachers.learning_progress import ProportionalChoice
from teachgym.teachers.mixture import Mixture, fit_best_mixture
from teachgym.teachers.nearest_alp import MIN_KNOWN_TASKS, NearestNeighbourALP
from teachgym.teachers.riac import RIACTeacher, window_alp

LP_TEACHERS = ("alp-gmm", "covar-gmm", "riac")
SPACE = TaskSpace({"h": Continuous(0.0, 3.0), "s": Continuous(0.0, 6.0), "k": Integer(1, 9)})
UNIT2 = TaskSpace({"x": Continuous(0.0, 1.0), "y": Continuous(0.0, 1.0)})


def vec_task(x: float, y: float) -> dict[str, float]:
    return {"x": x, "y": y}


def drive(teacher, episodes: int, seed: int = 0) -> list[dict]:
    """Sample/update with a return that grows with the episode count near the origin."""
    rng = np.random.default_rng(seed)
    tasks = []
    for i in range(episodes):
        task = teacher.sample()
        tasks.append(task)
        vector = teacher.task_space.to_vector(task)
        ret = float(np.exp(-4 * vector.sum()) * i / episodes + rng.normal(0, 0.01))
        teacher.update(task, Outcome(ret))
    return tasks


def hand_made_mixture(means: list[list[float]], task_dim: int, std: float = 1e-3) -> Mixture:
    means_array = np.array(means, dtype=np.float64)
    k, n = means_array.shape
    return Mixture(
        weights=np.full(k, 1.0 / k),
        means=means_array,
        covariances=np.stack([np.eye(n) * std**2] * k),
        task_dim=task_dim,
        criterion_values=np.zeros(1),
    )


def nearest_mean(teacher, tasks, means: np.ndarray) -> np.ndarray:
    vectors = np.array([teacher.task_space.to_vector(t) for t in tasks])
    return np.argmin(((vectors[:, None, :] - means[None]) ** 2).sum(-1), axis=1)


# -- ALP from the nearest previously seen task ---------------------------------------
def test_alp_is_distance_to_the_nearest_previous_task_return():
    history = NearestNeighbourALP(dim=2)
    known = [((0.1, 0.1), 0.5), ((0.9, 0.9), 0.2), ((0.1, 0.9), 0.7)]
    known += [((0.5, 0.5), 0.4), ((0.9, 0.1), 0.1), ((0.3, 0.3), 0.3)]
    assert len(known) == MIN_KNOWN_TASKS
    alps = [history.add(np.array(task), ret) for task, ret in known]
    assert alps == [0.0] * MIN_KNOWN_TASKS  # too few tasks known
    assert history.add(np.array([0.85, 0.88]), 0.9) == pytest.approx(0.7)  # nearest (0.9, 0.9)
    assert history.add(np.array([0.12, 0.1]), 0.0) == pytest.approx(0.5)  # nearest (0.1, 0.1)
    # the new point now counts: (0.85, 0.88) is nearer to (0.86, 0.88) than (0.9, 0.9)
    assert history.add(np.array([0.86, 0.88]), 1.0) == pytest.approx(0.1)
    np.testing.assert_allclose(history.alps[-3:], [0.7, 0.5, 0.1])


def test_nearest_neighbour_across_tree_and_buffer_matches_brute_force():
    rng = np.random.default_rng(3)
    history = NearestNeighbourALP(dim=3, rebuild_every=7)
    for _ in range(100):
        history.add(rng.random(3), float(rng.random()))
    assert 0 < history.n_tree < history.size  # some points in the tree, some in the buffer
    for query in rng.random((50, 3)):
        brute = int(np.argmin(((history.tasks - query) ** 2).sum(axis=1)))
        assert history.nearest(query) == brute


def test_alp_gmm_computes_alp_on_rescaled_returns():
    teacher = make_teacher("alp-gmm", UNIT2, seed=0, return_bounds=(-150, 350))
    for i in range(MIN_KNOWN_TASKS):
        teacher.update(vec_task(0.1 * i, 0.0), Outcome(100.0))
    teacher.update(vec_task(0.5, 0.01), Outcome(350.0))  # nearest (0.5, 0) had 100 -> 0.5
    np.testing.assert_allclose(teacher.history.returns[:2], [0.5, 0.5])
    assert teacher.history.alps[-1] == pytest.approx(0.5)


# -- bootstrap, fits, component choice, clipping ----------------------------------------
def test_bootstrap_is_uniform_and_lasts_fit_rate_episodes():
    teacher = make_teacher("alp-gmm", UNIT2, seed=4, fit_rate=50, potential_ks=[1, 2])
    replica = np.random.default_rng(4)
    replica.integers(2**31 - 1)  # the draw of the mixtures' k-means seed
    for episode in range(50):
        assert teacher.bootstrapping and teacher.n_fits == 0
        task = teacher.sample()
        assert task == UNIT2.sample(replica)
        teacher.update(task, Outcome(float(episode)))
    assert not teacher.bootstrapping and teacher.n_fits == 1
    drive(teacher, 49)
    assert teacher.n_fits == 1
    drive(teacher, 1)
    assert teacher.n_fits == 2


def test_fit_uses_the_last_fit_rate_points_of_task_and_alp():
    teacher = make_teacher("alp-gmm", UNIT2, seed=1, fit_rate=40, potential_ks=[1, 2, 3])
    drive(teacher, 120)
    data = np.column_stack([teacher.history.tasks[-40:], teacher.history.alps[-40:]])
    expected = fit_best_mixture(data, [1, 2, 3], "aic", teacher._mixture_seed, 2)
    assert teacher.mixture is not None
    np.testing.assert_array_equal(teacher.mixture.means, expected.means)
    np.testing.assert_array_equal(teacher.mixture.covariances, expected.covariances)


def test_components_are_chosen_in_proportion_to_mean_alp():
    teacher = make_teacher(
        "alp-gmm", UNIT2, seed=2, fit_rate=10, potential_ks=[1], random_task_ratio=0.0
    )
    drive(teacher, 10)
    means = [[0.2, 0.2, 0.0], [0.5, 0.5, 1.0], [0.8, 0.8, 3.0]]  # [task, mean ALP]
    teacher._set_mixture(hand_made_mixture(means, task_dim=2))
    tasks = [teacher.sample() for _ in range(4000)]
    counts = np.bincount(nearest_mean(teacher, tasks, np.array(means)[:, :2]), minlength=3)
    np.testing.assert_allclose(counts / 4000, [0.0, 0.25, 0.75], atol=0.03)
    teacher._set_mixture(hand_made_mixture([[0.2, 0.2, 0.0], [0.8, 0.8, 0.0]], task_dim=2))
    tasks = [teacher.sample() for _ in range(2000)]  # all ALPs zero: uniform choice
    share = np.bincount(nearest_mean(teacher, tasks, np.array([[0.2, 0.2], [0.8, 0.8]])))
    assert share[0] / 2000 == pytest.approx(0.5, abs=0.04)


def test_random_task_ratio_mixes_uniform_tasks_in():
    teacher = make_teacher(
        "alp-gmm", UNIT2, seed=2, fit_rate=10, potential_ks=[1], random_task_ratio=0.3
    )
    drive(teacher, 10)
    teacher._set_mixture(hand_made_mixture([[0.5, 0.5, 1.0]], task_dim=2))
    tasks = [teacher.sample() for _ in range(3000)]
    far = np.mean([abs(t["x"] - 0.5) + abs(t["y"] - 0.5) > 0.02 for t in tasks])
    assert far == pytest.approx(0.3 * (1 - 0.04**2), abs=0.03)


def test_samples_outside_the_bounds_are_clipped():
    teacher = make_teacher(
        "alp-gmm", SPACE, seed=0, fit_rate=10, potential_ks=[1], random_task_ratio=0.0
    )
    drive(teacher, 10)
    # normalised h at 1.5 (above 3.0), s at -0.5 (below 0.0), k at 2 (above 9)
    teacher._set_mixture(hand_made_mixture([[1.5, -0.5, 2.0, 1.0]], task_dim=3))
    for _ in range(20):
        assert teacher.sample() == {"h": 3.0, "s": 0.0, "k": 9}


def test_proportional_choice_ignores_zero_and_negative_values():
    rng = np.random.default_rng(0)
    choice = ProportionalChoice([0.0, -2.0, 1.0, 3.0])
    np.testing.assert_allclose(choice.probabilities, [0, 0, 0.25, 0.75])
    draws = np.bincount([choice.draw(rng) for _ in range(4000)], minlength=4)
    assert draws[0] == draws[1] == 0 and draws[3] / 4000 == pytest.approx(0.75, abs=0.03)
    np.testing.assert_allclose(ProportionalChoice([0.0, 0.0]).probabilities, [0.5, 0.5])


# -- model selection ----------------------------------------------------------------------
def independent_scores(data: np.ndarray, ks, seed: int, criterion: str) -> list[float]:
    models = [GaussianMixture(k, covariance_type="full", random_state=seed).fit(data) for k in ks]
    return [getattr(m, criterion)(data) for m in models]


def test_aic_and_bic_keep_the_mixture_with_the_lowest_criterion():
    data = np.random.default_rng(0).random((40, 3))
    ks = list(range(1, 9))
    for criterion in ("aic", "bic"):
        scores = independent_scores(data, ks, 7, criterion)
        mixture = fit_best_mixture(data, ks, criterion, 7, task_dim=2)
        np.testing.assert_allclose(mixture.criterion_values, scores)
        assert mixture.n_components == ks[int(np.argmin(scores))]
    # on 40 uniform points BIC's heavier penalty keeps one component, AIC several
    assert fit_best_mixture(data, ks, "bic", 7, task_dim=2).n_components == 1
    assert fit_best_mixture(data, ks, "aic", 7, task_dim=2).n_components > 1


def test_aicc_adds_the_small_sample_penalty_and_forbids_too_many_parameters():
    data = np.random.default_rng(0).random((40, 3))
    mixture = fit_best_mixture(data, [1, 2, 4], "aicc", 7, task_dim=2)
    aic = independent_scores(data, [1, 2, 4], 7, "aic")
    p = [9, 19]  # free parameters of 1 and 2 full-covariance components in 3-D
    expected = [aic[i] + 2 * p[i] * (p[i] + 1) / (40 - p[i] - 1) for i in range(2)]
    np.testing.assert_allclose(mixture.criterion_values[:2], expected)
    assert mixture.criterion_values[2] == np.inf  # 39 parameters for 40 points


def test_three_separated_clusters_give_three_components():
    rng = np.random.default_rng(0)
    centres = np.array([[0.2, 0.2, 0.0], [0.8, 0.3, 0.5], [0.5, 0.8, 1.0]])
    data = np.concatenate([c + rng.normal(0, 0.03, (80, 3)) for c in centres])
    for criterion in ("aic", "bic", "aicc"):
        assert fit_best_mixture(data, range(1, 7), criterion, 0, task_dim=2).n_components == 3


# -- Covar-GMM ------------------------------------------------------------------------------
def test_covar_gmm_fits_task_time_and_competence_of_the_window():
    teacher = make_teacher("covar-gmm", UNIT2, seed=0, fit_rate=20, potential_ks=[1, 2])
    tasks = drive(teacher, 20)
    np.testing.assert_allclose(teacher.window[:, 2], np.arange(20) / 20)
    np.testing.assert_allclose(teacher.window[:, :2], [UNIT2.to_vector(t) for t in tasks])
    assert teacher.n_fits == 1 and teacher.mixture is not None


def test_covar_gmm_weights_components_by_positive_time_competence_covariance():
    teacher = make_teacher(
        "covar-gmm", UNIT2, seed=0, fit_rate=10, potential_ks=[1], random_task_ratio=0.0
    )
    drive(teacher, 10)
    mixture = hand_made_mixture([[0.2, 0.2, 0.5, 0.5], [0.8, 0.8, 0.5, 0.5]] * 2, task_dim=2)
    mixture.means[2:, :2] = [[0.2, 0.8], [0.8, 0.2]]
    mixture.covariances[:, 2, 3] = mixture.covariances[:, 3, 2] = [-1e-7, 0.0, 1e-7, 3e-7]
    teacher._set_mixture(mixture)
    np.testing.assert_allclose(teacher._component_choice.probabilities, [0, 0, 0.25, 0.75])
    absolute = make_teacher("covar-gmm", UNIT2, seed=0, absolute_lp=True)
    np.testing.assert_allclose(absolute.component_progress(mixture), [1e-7, 0, 1e-7, 3e-7])


# -- RIAC -----------------------------------------------------------------------------------
def test_window_alp_compares_older_and_newer_halves():
    assert window_alp(np.array([0.0, 1.0]), 10) == 0.0
    assert window_alp(np.array([0.0, 0.0, 1.0, 1.0]), 10) == pytest.approx(1.0)
    assert window_alp(np.array([5.0, 0.0, 1.0, 2.0, 3.0]), 4) == pytest.approx(2.0)
    assert window_alp(np.array([0.0, 1.0, 2.0]), 10) == pytest.approx(1.5)  # [0] vs [1, 2]


def riac_stream(teacher, episodes: int, seed: int = 0) -> None:
    """Left half (x < 0.5) improves with time, the right half never does."""
    rng = np.random.default_rng(seed)
    for i in range(episodes):
        x, y = rng.random(2)
        teacher.update(vec_task(x, y), Outcome(i / episodes if x < 0.5 else 0.0))


def test_riac_splits_a_full_region_where_progress_differs():
    teacher = make_teacher("riac", UNIT2, seed=0, max_region_size=100)
    riac_stream(teacher, 100)
    assert len(teacher.regions) == 1
    riac_stream(teacher, 1)
    assert teacher.n_splits == 1 and len(teacher.regions) == 3
    root, first, second = teacher.regions
    assert root.children == (1, 2) and len(first.returns) + len(second.returns) == 101
    assert min(len(first.returns), len(second.returns)) >= 100 / 20
    side = first.high - first.low
    assert np.all(side >= 1 / 6) and np.all(second.high - second.low >= 1 / 6)
    riac_stream(teacher, 400, seed=1)
    data = teacher.plot_data()
    leaves = data["is_leaf"]
    left = data["high"][:, 0] <= 0.5
    assert data["alp"][leaves & left].max() > data["alp"][leaves & ~left].max()
    tasks = [teacher.sample() for _ in range(2000)]
    assert np.mean([t["x"] < 0.5 for t in tasks]) > 0.6


def test_riac_forgets_the_oldest_pairs_when_no_split_is_valid():
    teacher = make_teacher("riac", UNIT2, seed=0, max_region_size=100, min_dims_range_ratio=0.6)
    riac_stream(teacher, 101)
    assert teacher.n_splits == 0 and len(teacher.regions) == 1
    assert len(teacher.regions[0].returns) == 101 - 25


def test_riac_mutates_the_lowest_return_task_of_a_region():
    teacher = make_teacher(
        "riac", UNIT2, seed=0, mutation_ratio=1.0, random_task_ratio=0.0, mutation_std=0.0
    )
    for x, ret in [(0.3, 0.5), (0.7, -1.0), (0.9, 0.2)]:
        teacher.update(vec_task(x, 0.4), Outcome(ret))
    assert teacher.sample() == pytest.approx(vec_task(0.7, 0.4), abs=1e-6)


# -- all three: space checks, hyperparameters, presets, state --------------------------------
@pytest.mark.parametrize("name", LP_TEACHERS)
def test_categorical_and_array_parameters_are_refused_by_name(name, mixed_space):
    with pytest.raises(ValueError, match=r"continuous and integer parameters only.*'color'"):
        make_teacher(name, mixed_space)


@pytest.mark.parametrize(
    ("name", "bad", "message"),
    [
        ("alp-gmm", {"preset": "fast"}, "unknown preset 'fast'"),
        ("alp-gmm", {"fit_rate": 0}, "fit_rate must be an integer >= 1"),
        ("alp-gmm", {"fit_rate": 5, "potential_ks": [2, 8]}, "potential_ks must be distinct"),
        ("alp-gmm", {"potential_ks": [2.5]}, "potential_ks must be distinct"),
        ("alp-gmm", {"random_task_ratio": 1.5}, r"random_task_ratio must be a number in \[0, 1\]"),
        ("alp-gmm", {"criterion": "waic"}, "criterion must be one of"),
        ("alp-gmm", {"return_bounds": (1, 1)}, "low < high"),
        ("covar-gmm", {"return_bounds": "wide"}, "pair"),
        ("covar-gmm", {"absolute_lp": "yes"}, "absolute_lp must be true or false"),
        ("riac", {"max_region_size": 1}, "max_region_size must be an integer >= 2"),
        ("riac", {"random_task_ratio": 0.8, "mutation_ratio": 0.5}, "must be <= 1"),
        ("riac", {"min_region_size": 150}, "min_region_size must be"),
    ],
)
def test_bad_hyperparameters_are_explained(name, bad, message):
    with pytest.raises(ValueError, match=message):
        make_teacher(name, UNIT2, **bad)


def test_presets_set_the_published_values_and_arguments_override_them():
    paper = make_teacher("alp-gmm", UNIT2)
    assert (paper.fit_rate, paper.potential_ks, paper.random_task_ratio) == (
        250,
        tuple(range(2, 11)),
        0.2,
    )
    tma = make_teacher("alp-gmm", UNIT2, preset="teachmyagent", fit_rate=100)
    assert (tma.fit_rate, tma.potential_ks, tma.random_task_ratio) == (
        100,
        tuple(range(2, 10)),
        0.05,
    )
    riac = make_teacher("riac", UNIT2, preset="teachmyagent")
    assert (riac.max_region_size, riac.split_attempts) == (150, 75)
    assert isinstance(riac, RIACTeacher) and isinstance(paper, ALPGMMTeacher)
    assert isinstance(make_teacher("covar-gmm", UNIT2, preset="teachmyagent"), CovarGMMTeacher)


@pytest.mark.parametrize(
    ("name", "hyperparameters"),
    [
        ("alp-gmm", {"fit_rate": 60, "potential_ks": [1, 2, 3], "return_bounds": [-1, 2]}),
        ("alp-gmm", {"preset": "teachmyagent", "criterion": "bic"}),
        ("covar-gmm", {"fit_rate": 60, "potential_ks": [1, 2, 3], "absolute_lp": True}),
        ("riac", {"max_region_size": 60}),
    ],
)
def test_restored_teacher_samples_the_same_tasks_after_fits(name, hyperparameters, tmp_path):
    original = make_teacher(name, SPACE, seed=11, **hyperparameters)
    drive(original, 437)  # mid-window: several fits / splits done, the next one pending
    save_teacher(original, tmp_path / "t")
    restored = load_teacher(tmp_path / "t")
    assert restored.get_params() == original.get_params()
    assert restored.diagnostics() == original.diagnostics()
    assert drive(original, 400, seed=5) == drive(restored, 400, seed=5)
    state_a, state_b = original.state_dict(), restored.state_dict()
    assert state_a["rng"] == state_b["rng"]


@pytest.mark.parametrize("name", LP_TEACHERS)
def test_inconsistent_saved_state_is_refused(name):
    teacher = make_teacher(name, UNIT2, seed=0)
    drive(teacher, 30)
    state = teacher.state_dict()
    key = {"alp-gmm": "history", "covar-gmm": "window", "riac": "regions"}[name]
    if name == "covar-gmm":
        broken = {**state, key: np.zeros((3, 3))}
    else:
        broken = {**state, key: {**state[key], "returns": np.zeros(2)}}
    with pytest.raises(ValueError, match=r"inconsistent|shape"):
        make_teacher(name, UNIT2, seed=0).load_state_dict(broken)
    with pytest.raises(ValueError, match="lacks the entry"):
        make_teacher(name, UNIT2, seed=0).load_state_dict(
            {k: v for k, v in state.items() if k != key}
        )


@pytest.mark.filterwarnings("error")
@pytest.mark.parametrize("name", LP_TEACHERS)
def test_a_space_with_a_single_task_works_without_warnings(name):
    space = TaskSpace({"k": Integer(3, 3)})
    small = {"max_region_size": 20} if name == "riac" else {"fit_rate": 20, "potential_ks": [1, 3]}
    teacher = make_teacher(name, space, seed=0, **small)
    for _ in range(60):
        task = teacher.sample()
        assert task == {"k": 3}
        teacher.update(task, Outcome(1.0))
    if name != "riac":
        assert teacher.n_fits == 3


@pytest.mark.parametrize("name", LP_TEACHERS)
def test_plot_data_describes_the_model_and_history(name):
    teacher = make_teacher(name, UNIT2, seed=0)
    drive(teacher, 300)
    data = teacher.plot_data()
    assert all(isinstance(v, np.ndarray) for v in data.values())
    assert data["tasks"].shape[1] == 2
    if name == "riac":
        assert data["low"].shape == data["high"].shape == (len(teacher.regions), 2)
    else:
        k = teacher.mixture.n_components
        assert data["means"].shape == (k, 2) and data["covariances"].shape == (k, 2, 2)
        assert teacher.diagnostics()["n_components"] == k


@pytest.mark.parametrize("name", LP_TEACHERS)
def test_learning_progress_teachers_focus_on_the_learnable_corner(name):
    """On the 2-D learnability grid only cells near the origin can progress at first."""
    student = SimulatedStudent(env_factory("teachgym/LearnabilityGrid-v0"))
    grid = student.grid
    teacher = make_teacher(name, grid.task_space, seed=0, return_bounds=grid.return_bounds)
    tasks: list[dict] = []
    student.learn(Curriculum(teacher, listeners=[lambda record: tasks.append(record.task)]), 1500)
    late = [task["x0"] + task["x1"] < 0.6 for task in tasks[1000:]]
    assert len(tasks) == 1500 and len(late) == 500
    assert np.mean(late) > 0.3  # uniform sampling puts 18 % of tasks there


def test_alp_history_keeps_at_most_its_limit_and_forgets_the_oldest_tasks():
    history = NearestNeighbourALP(dim=1, rebuild_every=4, limit=10)
    for i in range(25):
        history.add(np.array([i / 100]), float(i))
        assert len(history) <= 10
    assert history.n_added == 25
    assert history.returns.tolist() == [float(i) for i in range(25 - len(history), 25)]
    # the nearest task to 0.0 is now the oldest kept one, not the forgotten first task
    assert history.returns[history.nearest(np.array([0.0]))] == history.returns[0] > 0
    restored = NearestNeighbourALP(dim=1, rebuild_every=4, limit=10)
    restored.load_state_dict(history.state_dict())
    assert restored.n_added == 25
    assert restored.add(np.array([0.333]), 7.0) == history.add(np.array([0.333]), 7.0)
    with pytest.raises(ValueError, match="more than the limit"):
        NearestNeighbourALP(dim=1, rebuild_every=2, limit=5).load_state_dict(history.state_dict())
