"""Any Stable-Baselines3 algorithm as a teachgym student.

A checkpoint (:meth:`Student.save`) holds everything the rest of the training
depends on, so a run saved, reloaded in a new process and continued gives the
same result as the uninterrupted run (DummyVecEnv, CPU): ``model.zip`` (weights,
optimiser, SB3's counters, last observations and episode starts, episode-info
buffer), the replay buffer of off-policy algorithms, and ``training_state.pkl``
with the sub-environments (episodes in progress, their tasks, Monitor counters,
random generators), the student's global random generators
(:mod:`teachgym.agents.global_random`) and the episode-scoring callback's traces
of episodes that span rollouts. ``student.json`` names the model's class
(``RobustPPO`` for robust regret teachers), which the checkpoint reloads as. A student
with ``normalize`` set also saves its running observation and return statistics
(``normalization.npz``, :mod:`teachgym.agents.sb3_normalize`).

Where the sub-environments cannot be pickled (``vec_env="subproc"``, Box2D
walkers mid-episode) the resumed run is not identical: each episode in progress
restarts from its beginning on the task it was running, the next tasks are kept,
the environments are re-seeded with ``seed + steps_done``, and nothing was
reported for the abandoned partial episodes. No episode is reported twice or
lost and the teacher is asked for no extra task, so the teacher's state is the
saved one. On a GPU, or with torch kernels that are not deterministic, the weights may
differ in the last bits while the bookkeeping above still holds.
Learning-rate schedules follow SB3's own rule (progress within one
``learn`` call), so constant schedules (the defaults) resume exactly.
Checkpoints are pickles: only load checkpoints you trust.
"""

from __future__ import annotations

import inspect
import math
import pickle
import zipfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

import cloudpickle
import numpy as np
import torch
from gymnasium import spaces
from stable_baselines3 import A2C, DDPG, DQN, PPO, SAC, TD3
from stable_baselines3.common.base_class import BaseAlgorithm
from stable_baselines3.common.callbacks import BaseCallback
from stable_baselines3.common.off_policy_algorithm import OffPolicyAlgorithm
from stable_baselines3.common.type_aliases import TrainFrequencyUnit
from stable_baselines3.common.vec_env import VecEnv

from teachgym.agents.global_random import OwnedGlobalRandom, isolated_global_random
from teachgym.agents.level_replay import LevelScoringCallback
from teachgym.agents.policy import RecurrentSB3Policy, SB3Policy
from teachgym.agents.robust_ppo import RobustPPO, RobustUpdates
from teachgym.agents.sb3_normalize import (
    NormalizationState,
    normalize_options,
)
from teachgym.agents.sb3_values import initial_state_values, value_function
from teachgym.agents.sb3_vec import CurriculumVecEnv, make_curriculum_vec_env
from teachgym.agents.student import STUDENT_META, EnvFn, ProgressFn, Student
from teachgym.agents.task_critic import ResetCritic
from teachgym.curriculum import Curriculum
from teachgym.entry_points import class_named
from teachgym.errors import TeachgymUsageError, UnknownParameterError
from teachgym.params import constructor_defaults, get_params, json_ready
from teachgym.state_io import CorruptStateError
from teachgym.teachers.capabilities import ADVANTAGE, LEARNING_POTENTIAL

ALGORITHMS: dict[str, type[BaseAlgorithm]] = {
    "a2c": A2C,
    "ddpg": DDPG,
    "dqn": DQN,
    "ppo": PPO,
    "sac": SAC,
    "td3": TD3,
}
RECURRENT_PPO = "recurrent-ppo"
"""sb3-contrib's RecurrentPPO (an LSTM actor-critic) updating on whole environment
rollouts (:mod:`teachgym.agents.whole_rollout_ppo`; needs ``teachgym[web]``)."""
MASKABLE_PPO = "maskable-ppo"
"""sb3-contrib's MaskablePPO (PPO over the valid actions the env's ``action_masks()``
marks; needs ``teachgym[web]``)."""
ALGORITHM_NAMES = (*ALGORITHMS, RECURRENT_PPO, MASKABLE_PPO)
"""Every algorithm :class:`SB3Student` trains."""
_ON_POLICY = ("a2c", "ppo", RECURRENT_PPO, MASKABLE_PPO)
_ROBUST = ("ppo", RECURRENT_PPO)
"""Algorithms with a robust twin (no gradient step on the levels a teacher only scores)."""
_SAVED_CLASSES: list[type[BaseAlgorithm]] = [*ALGORITHMS.values(), RobustPPO]


def _recurrent_classes() -> tuple[type[BaseAlgorithm], type[BaseAlgorithm], type[BaseAlgorithm]]:
    """The whole-rollout ``RecurrentPPO``, its robust twin and sb3-contrib's own
    ``RecurrentPPO`` (older checkpoints name it), imported on first use (sb3-contrib is
    optional)."""
    try:
        from sb3_contrib import RecurrentPPO

        from teachgym.agents.robust_recurrent_ppo import RobustRecurrentPPO
        from teachgym.agents.whole_rollout_ppo import WholeRolloutRecurrentPPO
    except ImportError as exc:
        raise TeachgymUsageError(
            f"the {RECURRENT_PPO!r} student needs sb3-contrib: pip install 'teachgym[web]' ({exc})"
        ) from None
    return WholeRolloutRecurrentPPO, RobustRecurrentPPO, RecurrentPPO


def _maskable_class() -> type[BaseAlgorithm]:
    """sb3-contrib's ``MaskablePPO``, imported on first use (sb3-contrib is optional)."""
    try:
        from sb3_contrib import MaskablePPO
    except ImportError as exc:
        raise TeachgymUsageError(
            f"the {MASKABLE_PPO!r} student needs sb3-contrib: pip install 'teachgym[web]' ({exc})"
        ) from None
    return MaskablePPO


def algorithm_class(algo: str, robust: bool = False) -> type[BaseAlgorithm]:
    """The SB3 class of ``algo`` (one of :data:`ALGORITHM_NAMES`), or its robust twin."""
    if algo == MASKABLE_PPO:
        return _maskable_class()
    if algo == RECURRENT_PPO:
        plain, robust_twin, _ = _recurrent_classes()
        return robust_twin if robust else plain
    return RobustPPO if robust and algo == "ppo" else ALGORITHMS[algo]


def model_classes(algo: str) -> dict[str, type[BaseAlgorithm]]:
    """The classes a checkpoint of ``algo`` may name in ``student.json`` (``model_class``)."""
    classes = list(_SAVED_CLASSES)
    if algo == RECURRENT_PPO:
        classes += list(_recurrent_classes())
    if algo == MASKABLE_PPO:
        classes.append(_maskable_class())
    return {cls.__name__: cls for cls in classes}


MODEL_FILE = "model.zip"
REPLAY_BUFFER_FILE = "replay_buffer.pkl"
TRAINING_STATE_FILE = "training_state.pkl"
_SET_BY_STUDENT = ("policy", "env", "seed", "verbose")
"""Algorithm arguments :class:`SB3Student` passes itself."""


def _class_valued(key: str) -> bool:
    """Whether SB3 reads a class at hyperparameter ``key`` (``activation_fn``,
    ``features_extractor_class``, ``optimizer_class``, ``replay_buffer_class``, ...)."""
    return key == "activation_fn" or key.endswith("_class")


def with_classes(params: Mapping[str, Any], path: str = "") -> dict[str, Any]:
    """``params`` (algorithm hyperparameters) with the class names given at class-valued
    keys, at any depth (``policy_kwargs.activation_fn``), imported: ``"torch.nn.ReLU"`` or
    ``"torch.nn:ReLU"`` as config files and the command line give them, and as checkpoints
    record classes (:func:`~teachgym.params.json_ready`).

    Raises:
        TeachgymUsageError: for a name that does not import as a class.
    """
    out: dict[str, Any] = {}
    for key, value in params.items():
        if isinstance(value, str) and _class_valued(key):
            value = class_named(value, f"{path}{key}")
        elif isinstance(value, Mapping):
            value = with_classes(value, f"{path}{key}.")
        out[key] = value
    return out


def algorithm_parameters(algo: str) -> dict[str, Any]:
    """Constructor parameters of SB3 algorithm ``algo`` users may set, with defaults."""
    params = constructor_defaults(algorithm_class(algo), skip=_SET_BY_STUDENT)
    return {k: v for k, v in params.items() if not k.startswith("_")}


@contextmanager
def torch_threads(n: int) -> Iterator[None]:
    """Limit torch to ``n`` CPU threads inside the block, restoring the previous limit."""
    before = torch.get_num_threads()
    if before != n:
        torch.set_num_threads(n)
    try:
        yield
    finally:
        if before != n:
            torch.set_num_threads(before)


class _ProgressCallback(BaseCallback):
    def __init__(self, progress: ProgressFn) -> None:
        super().__init__()
        self.progress = progress

    def _on_step(self) -> bool:
        self.progress(self.training_env.num_envs)
        return True


def default_policy(observation_space: spaces.Space[Any], recurrent: bool = False) -> str:
    """SB3 policy name: ``MultiInputPolicy`` for dict observations, else ``MlpPolicy``
    (``MultiInputLstmPolicy`` / ``MlpLstmPolicy`` for a recurrent algorithm)."""
    name = "MultiInputPolicy" if isinstance(observation_space, spaces.Dict) else "MlpPolicy"
    return name.replace("Policy", "LstmPolicy") if recurrent else name


MINIGRID_KEYS = frozenset({"image", "direction", "mission"})
DOM_KEYS = frozenset({"element_tokens", "field_key_tokens", "overlap", "element_mask"})
"""Observation keys of the web-form family, which the DOM-aware policy reads."""


def default_masked_policy(observation_space: spaces.Space[Any]) -> str | type[Any]:
    """MaskablePPO's policy for an observation space: the DOM-aware actor-critic
    (:class:`~teachgym.agents.dom_policy.DomActorCriticPolicy`) for web-form observations,
    else sb3-contrib's ``MultiInputPolicy`` / ``MlpPolicy``."""
    if isinstance(observation_space, spaces.Dict) and set(observation_space.spaces) >= DOM_KEYS:
        from teachgym.agents.dom_policy import DomActorCriticPolicy

        return DomActorCriticPolicy
    return default_policy(observation_space)


def default_policy_kwargs(observation_space: spaces.Space[Any]) -> dict[str, Any] | None:
    """``policy_kwargs`` suited to an observation space: the MiniGrid family's CNN for its
    ``{"image", "direction", "mission"}`` observation, else ``None`` (SB3's default)."""
    if (
        isinstance(observation_space, spaces.Dict)
        and set(observation_space.spaces) == MINIGRID_KEYS
    ):
        from teachgym.agents.minigrid_cnn import minigrid_policy_kwargs

        return minigrid_policy_kwargs()
    return None


class SB3Student(Student):
    """A Stable-Baselines3 algorithm trained through the vector-env curriculum path.

    Args:
        env_fn: builds one environment (picklable for ``vec_env="subproc"``).
        algo: one of ``a2c, ddpg, dqn, ppo, sac, td3``, ``maskable-ppo`` (sb3-contrib's
            MaskablePPO: it acts only among the actions the env's ``action_masks()`` marks
            valid, in training through the curriculum's vector env and in evaluation; web-form
            observations get the DOM-aware policy by default) or ``recurrent-ppo`` (sb3-contrib's
            RecurrentPPO, an LSTM policy, updating on whole environment rollouts so
            ``batch_size`` is a multiple of ``n_steps``; evaluation carries its state per
            episode).
        n_envs: number of sub-environments (default 4 for on-policy, 1 otherwise).
        vec_env: ``"dummy"`` (in-process, fastest on 2 cores) or ``"subproc"``.
        seed: seed of the algorithm and the environments.
        policy: SB3 policy name or class, or a class's ``"package.module:Class"`` (default
            from the observation space; MiniGrid observations also get the MiniGrid CNN
            unless ``policy_kwargs`` is given).
        torch_threads: torch CPU threads while learning and acting (restored after);
            1 is fastest for small networks on few cores.
        normalize: wrap the training vector env in SB3's ``VecNormalize`` (running
            standardisation of the observations, rewards scaled by the running standard
            deviation of the discounted return; its ``gamma`` is the algorithm's), as
            rl-baselines3-zoo's ``normalize``: ``True`` with SB3's defaults, or a mapping of
            ``norm_obs``, ``norm_reward``, ``clip_obs``, ``clip_reward``, ``epsilon``. The
            student then acts (in evaluation too) on observations normalised with the
            training statistics, frozen. Flat ``Box`` observations only.
        callbacks: extra SB3 callbacks for every ``learn`` call.
        **algo_kwargs: hyperparameters passed to the algorithm's constructor; names the
            algorithm does not take are refused here, before anything is built. Classes
            (``policy_kwargs={"activation_fn": torch.nn.ReLU}``) may also be given by name,
            ``"torch.nn.ReLU"`` or ``"torch.nn:ReLU"``, at ``activation_fn`` and the keys
            ending in ``_class``; a checkpoint records them as ``"module:QualName"``, so
            they must be importable by that name to be saved.

    Raises:
        TeachgymUsageError: for an unknown algorithm or algorithm hyperparameter, a class
            name that does not import, or a bad value of ``n_envs``, ``vec_env``,
            ``torch_threads`` or ``normalize``.
        TypeError: for arguments of the wrong type.
    """

    name = "sb3"
    provides_values = True
    provides_task_values = True
    resumable_changes = frozenset({"torch_threads", "tensorboard_log", "verbose"})

    def __init__(
        self,
        env_fn: EnvFn,
        algo: str = "ppo",
        n_envs: int | None = None,
        vec_env: Literal["dummy", "subproc"] = "dummy",
        seed: int = 0,
        policy: str | type[Any] | None = None,
        torch_threads: int = 1,
        callbacks: list[BaseCallback] | None = None,
        normalize: bool | Mapping[str, Any] = False,
        **algo_kwargs: Any,
    ) -> None:
        super().__init__(env_fn, seed)
        if not isinstance(algo, str):
            raise TypeError(f"algo must be a string, got {type(algo).__name__}")
        key = algo.lower()
        if key not in ALGORITHM_NAMES:
            raise TeachgymUsageError(
                f"unknown SB3 algorithm {algo!r}; known: {sorted(ALGORITHM_NAMES)}"
            )
        allowed = algorithm_parameters(key)
        unknown = sorted(set(algo_kwargs) - set(allowed))
        if unknown:
            raise UnknownParameterError(
                f"SB3 {key.upper()} has no hyperparameter {unknown[0]!r}; SB3Student takes "
                f"{sorted(constructor_defaults(SB3Student, skip=('env_fn', 'algo')))} and "
                f"{key.upper()} takes {sorted(allowed)}",
                parameter=unknown[0],
            )
        for label, value in (("n_envs", n_envs), ("torch_threads", torch_threads)):
            if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
                raise TypeError(f"{label} must be an integer, got {value!r}")
            if value is not None and value < 1:
                raise TeachgymUsageError(f"{label} must be >= 1, got {value}")
        if vec_env not in ("dummy", "subproc"):
            raise TeachgymUsageError(f"vec_env must be 'dummy' or 'subproc', got {vec_env!r}")
        self._normalize_options = normalize_options(normalize)
        self.normalize = normalize
        self.algo = key
        self.on_policy = key in _ON_POLICY
        self.score_kinds = (
            frozenset({LEARNING_POTENTIAL, ADVANTAGE}) if self.on_policy else frozenset()
        )
        self.supports_robust_updates = key in _ROBUST  # as RobustPPO / RobustRecurrentPPO
        self.n_envs = n_envs if n_envs is not None else (4 if self.on_policy else 1)
        self.vec_env = vec_env
        if isinstance(policy, str) and ("." in policy or ":" in policy):
            policy = class_named(policy, "policy")  # SB3's own names have no dots
        self.policy = policy
        self.torch_threads = torch_threads
        self.callbacks = list(callbacks or [])
        self.algo_kwargs = with_classes(algo_kwargs)
        self.venv: CurriculumVecEnv | None = None
        self.model: BaseAlgorithm | None = None
        self.scoring = LevelScoringCallback()
        """Reports episodes with scores for teachers that require one (on-policy only)."""
        self.random = OwnedGlobalRandom()
        """The global random generators this student trains with."""
        self._bound = False
        self._restore: dict[str, Any] | None = None
        self._memory: RecurrentSB3Policy | None = None
        self.task_critic = ResetCritic(env_fn, self._reset_values, seed)
        """Values candidate tasks for teachers that require task values: the model's value
        of a scratch environment's reset on each (:mod:`teachgym.agents.task_critic`)."""
        self.normalization: NormalizationState | None = None
        """The running statistics the policy's observations are normalised with (``None``
        without ``normalize`` or before the first :meth:`learn` / :meth:`load`)."""
        self._training_env: VecEnv | None = None

    def _reset_values(self, observations: list[Any], infos: list[dict[str, Any]]) -> np.ndarray:
        preprocess = self._preprocess
        if preprocess is not None and observations:
            observations = list(preprocess(np.stack(observations)))
        return initial_state_values(self._acting_model(), observations)

    def describe(self) -> str:
        return f"{self.algo!r} (SB3 {self.algo.upper()})"

    def get_params(self) -> dict[str, Any]:
        """The student's own arguments (not ``callbacks``) and the algorithm's, JSON-ready."""
        own = get_params(self, skip=("env_fn", "callbacks"))
        return {**own, **json_ready(self.algo_kwargs)}

    def _hyperparameter(self, name: str) -> Any:
        if name in self.algo_kwargs:
            return self.algo_kwargs[name]
        if self.model is not None and hasattr(self.model, name):
            return getattr(self.model, name)
        return inspect.signature(algorithm_class(self.algo).__init__).parameters[name].default

    @property
    def step_granularity(self) -> int:
        """One rollout (``n_steps * n_envs``) on-policy; ``train_freq * n_envs`` off-policy
        when the frequency counts steps (1 when it counts episodes)."""
        if self.on_policy:
            return int(self._hyperparameter("n_steps")) * self.n_envs
        frequency = self._hyperparameter("train_freq")
        if hasattr(frequency, "unit"):
            if frequency.unit != TrainFrequencyUnit.STEP:
                return 1
            frequency = frequency.frequency
        elif isinstance(frequency, tuple | list):
            if frequency[1] != "step":
                return 1
            frequency = frequency[0]
        return int(frequency) * self.n_envs

    def rounded_steps(self, steps: int) -> int:
        granularity = self.step_granularity
        return math.ceil(steps / granularity) * granularity if steps > 0 else 0

    def _checkpoint_meta(self) -> dict[str, Any]:
        return {} if self.model is None else {"model_class": type(self.model).__name__}

    def _ensure(self, curriculum: Curriculum) -> BaseAlgorithm:
        if self.venv is None:
            restore = self._restore
            snapshot = None if restore is None else restore.get("envs")
            exact = snapshot is not None and self.vec_env == "dummy"
            seed: int | None = self.seed
            if restore is not None:
                seed = None if exact else self.seed + self.steps_done
            self.venv = make_curriculum_vec_env(
                self.env_fn, curriculum, self.n_envs, self.vec_env, seed=seed
            )
            self._training_env = self._normalized(self.venv)
            if restore is not None:
                self._restore = None
                if exact:
                    assert snapshot is not None
                    self.venv.restore(snapshot)
                else:
                    self.venv.restart_on(restore["held_tasks"])
                    self.scoring.drop_partial_episodes()
                if self.model is not None:
                    self.model.set_env(self._training_env, force_reset=not exact)
                    self._bound = True
        else:
            self.venv.curriculum = curriculum
        if self.model is None:
            recurrent = self.algo == RECURRENT_PPO
            space = self.venv.observation_space
            if self.policy is not None:
                policy: str | type[Any] = self.policy
            elif self.algo == MASKABLE_PPO:
                policy = default_masked_policy(space)
            else:
                policy = default_policy(space, recurrent)
            kwargs = dict(self.algo_kwargs)
            if self.policy is None and "policy_kwargs" not in kwargs:
                suited = default_policy_kwargs(self.venv.observation_space)
                if suited is not None:
                    kwargs["policy_kwargs"] = suited
            # Robust PLR / ACCEL: no gradient step on new levels
            algorithm = algorithm_class(self.algo, robust=curriculum.teacher.robust)
            try:
                self.model = algorithm(
                    policy, self._training_env, seed=self.seed, verbose=0, **kwargs
                )
            except TypeError as exc:
                raise TeachgymUsageError(
                    f"bad hyperparameter for SB3 {self.algo.upper()}: {exc}"
                ) from None
            except AssertionError as exc:  # SB3 asserts on unsupported spaces
                raise TeachgymUsageError(
                    f"SB3 {self.algo.upper()} cannot be used here: {exc}"
                ) from None
            self._bound = True
        elif not self._bound:
            assert self._training_env is not None  # built with self.venv above
            self.model.set_env(self._training_env)
            self._bound = True
        if curriculum.teacher.robust and not isinstance(self.model, RobustUpdates):
            raise TeachgymUsageError(
                f"teacher {curriculum.teacher.name!r} forbids gradient steps on new levels, but "
                f"this student's model is a {type(self.model).__name__} (it was built or saved "
                "for another teacher); start a new run for this teacher"
            )
        wants_values = curriculum.teacher.requires_value
        values = value_function(self.model, self._preprocess) if wants_values else None
        self.venv.provide_values(values)
        return self.model

    def _normalized(self, venv: CurriculumVecEnv) -> VecEnv:
        """``venv`` in a ``VecNormalize`` that continues from :attr:`normalization` (new
        statistics the first time), or ``venv`` itself without ``normalize``."""
        options = self._normalize_options
        if options is None:
            return venv
        if self.normalization is None:
            self.normalization = NormalizationState.new(venv, options)
        return self.normalization.wrap(venv, float(self._hyperparameter("gamma")))

    @property
    def _preprocess(self) -> Callable[[Any], Any] | None:
        """What the policy's observations go through before ``predict``: the training
        normalisation (frozen), or nothing."""
        return None if self.normalization is None else self.normalization.normalize_observations

    def learn(
        self, curriculum: Curriculum, total_steps: int, progress: ProgressFn | None = None
    ) -> None:
        self.check_teacher(curriculum.teacher)
        if curriculum.teacher.requires_task_values:
            curriculum.provide_task_values(self.task_critic)
        with self.random.active(self.torch_threads):
            model = self._ensure(curriculum)
            callbacks = list(self.callbacks)
            if curriculum.teacher.requires_score:
                callbacks.append(self.scoring)
            if progress is not None:
                callbacks.append(_ProgressCallback(progress))
            before = model.num_timesteps
            model.learn(total_steps, callback=callbacks, reset_num_timesteps=False)
            self.steps_done += model.num_timesteps - before

    @property
    def recurrent(self) -> bool:
        """Whether the policy is recurrent: evaluation then passes each observation's slot
        and episode start to :meth:`act_batch`, so the LSTM state follows each episode."""
        return self.algo == RECURRENT_PPO

    def _acting_model(self) -> BaseAlgorithm:
        if self.model is None:
            raise RuntimeError("the student has no model yet: call learn() or load() first")
        return self.model

    def act(self, observation: Any, deterministic: bool = True) -> Any:
        """One action; a recurrent policy carries its state from call to call (slot 0 of
        :meth:`act_batch`)."""
        if self.recurrent or self.normalization is not None:
            return self.act_batch([observation], deterministic)[0]
        with torch_threads(self.torch_threads):
            action, _ = self._acting_model().predict(observation, deterministic=deterministic)
        return action

    @property
    def uses_action_masks(self) -> bool:
        """Whether the policy acts among valid actions only: evaluation then passes each
        environment's ``action_masks()`` to :meth:`act_batch` (``maskable-ppo``)."""
        return self.algo == MASKABLE_PPO

    def act_batch(
        self,
        observations: Sequence[Any],
        deterministic: bool = True,
        slots: Sequence[int] | None = None,
        episode_starts: Sequence[bool] | None = None,
        action_masks: np.ndarray | None = None,
    ) -> list[Any]:
        """Actions for several observations; ``slots`` and ``episode_starts`` matter only
        to a recurrent policy (:class:`~teachgym.agents.policy.RecurrentSB3Policy`),
        ``action_masks`` (one row of valid actions per observation) only to ``maskable-ppo``."""
        model = self._acting_model()
        with torch_threads(self.torch_threads):
            if not self.recurrent:
                policy = SB3Policy(model, preprocess=self._preprocess)
                return policy.act_batch(observations, deterministic, action_masks)
            if self._memory is None or self._memory.model is not model:
                self._memory = RecurrentSB3Policy(model, preprocess=self._preprocess)
            return self._memory.act_batch(
                observations, deterministic, slots=slots, episode_starts=episode_starts
            )

    def _save_model(self, directory: Path) -> None:
        if self.model is None:
            raise RuntimeError("nothing to save: the student has not learned yet")
        tmp = directory / "model.tmp.zip"
        self.model.save(tmp)
        tmp.replace(directory / MODEL_FILE)
        if isinstance(self.model, OffPolicyAlgorithm):
            tmp = directory / (REPLAY_BUFFER_FILE + ".tmp")
            self.model.save_replay_buffer(tmp)
            tmp.replace(directory / REPLAY_BUFFER_FILE)
        if self.normalization is not None:
            self.normalization.save(directory, self._training_env)
        state = {
            "random": self.random.state,
            "envs": None if self.venv is None else self.venv.snapshot(),
            "held_tasks": (
                [(None, None)] * self.n_envs if self.venv is None else self.venv.held_tasks()
            ),
            "scoring": self.scoring.state_dict(),
        }
        tmp = directory / (TRAINING_STATE_FILE + ".tmp")
        tmp.write_bytes(cloudpickle.dumps(state))
        tmp.replace(directory / TRAINING_STATE_FILE)

    def _model_class(self, directory: Path) -> type[BaseAlgorithm]:
        meta_path = directory / STUDENT_META
        name = None
        if meta_path.exists():
            name = self.read_meta(directory).get("model_class")
        if name is None:
            return algorithm_class(self.algo)
        known = model_classes(self.algo)
        # Checkpoints of recurrent-ppo made before the whole-rollout update name RecurrentPPO.
        base = known["RecurrentPPO"] if self.algo == RECURRENT_PPO else algorithm_class(self.algo)
        if name not in known or not issubclass(known[name], base):
            raise CorruptStateError(
                f"{meta_path} names model class {name!r}, which is not an SB3 "
                f"{self.algo.upper()} class; the checkpoint is corrupted, delete it to start over"
            )
        return known[name]

    def _load_model(self, directory: Path) -> None:
        """Load ``model.zip`` and the training state (pickles: only load checkpoints you
        trust); training continues from them at the next :meth:`learn`."""
        path = directory / MODEL_FILE
        if not path.exists():
            raise CorruptStateError(f"no SB3 model at {path}; the checkpoint is incomplete")
        model_class = self._model_class(directory)
        try:
            with isolated_global_random():  # SB3 seeds the global generators when loading
                model = model_class.load(path, device="cpu")
                replay = directory / REPLAY_BUFFER_FILE
                if isinstance(model, OffPolicyAlgorithm) and replay.exists():
                    model.load_replay_buffer(replay)
        except (
            zipfile.BadZipFile,
            EOFError,
            KeyError,
            ValueError,
            RuntimeError,
            AssertionError,
            pickle.UnpicklingError,
            OSError,
        ) as exc:
            raise CorruptStateError(
                f"{path} cannot be loaded ({type(exc).__name__}: {exc}); the checkpoint is "
                "corrupted, delete it to start over"
            ) from None
        if model.n_envs != self.n_envs:
            raise TeachgymUsageError(
                f"{path} was trained with n_envs={model.n_envs}, this student has "
                f"n_envs={self.n_envs}; resume with the same n_envs"
            )
        restore = self._read_training_state(directory)
        if self._normalize_options is not None:
            self.normalization = NormalizationState.load(
                directory, self._normalize_options, model.observation_space
            )
        if self.venv is not None:
            self.venv.close()
            self.venv = None
            self._training_env = None
        self.model, self._bound = model, False
        self.random.state = restore.get("random")
        self.scoring.load_state_dict(restore.get("scoring"))
        self._restore = restore

    def _read_training_state(self, directory: Path) -> dict[str, Any]:
        path = directory / TRAINING_STATE_FILE
        if not path.exists():  # a checkpoint of an earlier version: restart the episodes
            return {"held_tasks": [(None, None)] * self.n_envs}
        try:
            state = pickle.loads(path.read_bytes())
        except (pickle.UnpicklingError, EOFError, AttributeError, ImportError, ValueError) as exc:
            raise CorruptStateError(
                f"{path} cannot be read ({type(exc).__name__}: {exc}); the checkpoint is "
                "corrupted, delete it to start over"
            ) from None
        held = state.get("held_tasks") if isinstance(state, dict) else None
        if not isinstance(held, list) or len(held) != self.n_envs:
            raise CorruptStateError(
                f"{path} does not hold the state of {self.n_envs} sub-environments; the "
                "checkpoint is corrupted, delete it to start over"
            )
        return state

    def close(self) -> None:
        super().close()
        self.task_critic.close()
        if self.venv is not None:
            self.venv.close()
            self.venv = None
            self._training_env = None
            self._bound = False
