"""Observation and reward normalisation of an SB3 student, saved as ``.npz``.

Stable-Baselines3's ``VecNormalize`` (docs/references.md [raffin2021sb3]) keeps running
means and variances of the observations and of the discounted returns; training sees
observations standardised and clipped, and rewards divided by the returns' standard
deviation. rl-baselines3-zoo's tuned PPO for ``BipedalWalker-v3`` uses it
(``normalize: true``; docs/references.md [raffin2020zoo]).

The policy learns on normalised observations, so it must act on them too: a student's
evaluation normalises each observation with the training statistics, frozen
(:meth:`NormalizationState.normalize_observations`), and a checkpoint keeps them.
Only flat ``Box`` observations are supported.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from gymnasium import spaces
from stable_baselines3.common.running_mean_std import RunningMeanStd
from stable_baselines3.common.vec_env import VecEnv, VecNormalize

from teachgym.errors import TeachgymUsageError
from teachgym.state_io import CorruptStateError

NORMALIZATION_FILE = "normalization.npz"
OPTIONS = ("norm_obs", "norm_reward", "clip_obs", "clip_reward", "epsilon")
"""``VecNormalize`` arguments a student's ``normalize`` mapping may set (its ``gamma`` is
the algorithm's)."""
_ARRAYS = ("obs_mean", "obs_var", "obs_count", "ret_mean", "ret_var", "ret_count", "returns")


def normalize_options(normalize: bool | Mapping[str, Any]) -> dict[str, Any] | None:
    """``VecNormalize`` keyword arguments for a student's ``normalize`` value: ``None``
    for ``False``, SB3's defaults for ``True``, else the mapping's (keys in :data:`OPTIONS`).

    Raises:
        TeachgymUsageError: for a key ``VecNormalize`` has not, or a value of a wrong type.
    """
    if normalize is False:
        return None
    if normalize is True:
        return {}
    if not isinstance(normalize, Mapping):
        raise TeachgymUsageError(
            f"normalize must be true, false or a mapping of VecNormalize options {list(OPTIONS)}, "
            f"got {normalize!r}"
        )
    unknown = sorted(set(normalize) - set(OPTIONS))
    if unknown:
        raise TeachgymUsageError(
            f"normalize: VecNormalize has no option {unknown[0]!r}; the options are {list(OPTIONS)}"
        )
    for key, value in normalize.items():
        flag = key.startswith("norm_")
        valid = isinstance(value, bool) if flag else _positive_number(value)
        if not valid:
            wanted = "true or false" if flag else "a number > 0"
            raise TeachgymUsageError(f"normalize: {key} must be {wanted}, got {value!r}")
    return dict(normalize)


def _positive_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value > 0


def check_observation_space(space: spaces.Space[Any]) -> None:
    """Refuse observation spaces the normaliser does not handle (anything but a flat Box)."""
    if not isinstance(space, spaces.Box) or len(space.shape) != 1:
        raise TeachgymUsageError(
            f"normalize works on flat Box observations, this environment observes {space}; "
            "use normalize=False"
        )


@dataclass
class NormalizationState:
    """The running statistics of a ``VecNormalize`` and the settings it applies them with.

    Attributes:
        obs: running mean and variance of the observations, shape ``(obs_dim,)``.
        ret: running mean and variance of the discounted returns (scalar).
        returns: each sub-environment's discounted return so far, shape ``(n_envs,)``.
        options: the ``VecNormalize`` keyword arguments (:func:`normalize_options`).
    """

    obs: RunningMeanStd
    ret: RunningMeanStd
    returns: np.ndarray
    options: dict[str, Any]

    @classmethod
    def new(cls, venv: VecEnv, options: dict[str, Any]) -> NormalizationState:
        """Fresh statistics for ``venv`` (``VecNormalize``'s starting values)."""
        space = venv.observation_space
        check_observation_space(space)
        obs = RunningMeanStd(shape=(int(space.shape[0]),))  # type: ignore[index]
        return cls(obs, RunningMeanStd(shape=()), np.zeros(venv.num_envs), options)

    def wrap(self, venv: VecEnv, gamma: float) -> VecNormalize:
        """A ``VecNormalize`` around ``venv`` that updates these statistics in place (they
        are shared, so the acting policy follows the training) and continues the saved
        discounted returns."""
        wrapper = VecNormalize(venv, gamma=gamma, **self.options)
        wrapper.obs_rms = self.obs  # type: ignore[assignment]
        wrapper.ret_rms = self.ret
        if self.returns.shape == (venv.num_envs,):
            wrapper.returns = self.returns.copy()
        return wrapper

    def normalize_observations(self, batch: np.ndarray) -> np.ndarray:
        """``batch`` ``(n, obs_dim)`` standardised and clipped as the training saw it, with
        the statistics frozen (what ``VecNormalize.normalize_obs`` does)."""
        if not self.options.get("norm_obs", True):
            return batch
        epsilon = float(self.options.get("epsilon", 1e-8))
        clip = float(self.options.get("clip_obs", 10.0))
        scaled = (np.asarray(batch) - self.obs.mean) / np.sqrt(self.obs.var + epsilon)
        return np.clip(scaled, -clip, clip).astype(np.float32)

    def save(self, directory: Path, wrapper: VecEnv | None = None) -> None:
        """Write the statistics to ``directory / NORMALIZATION_FILE``, with the discounted
        returns of ``wrapper`` (the ``VecNormalize`` training now) if there is one."""
        if isinstance(wrapper, VecNormalize):
            self.returns = np.asarray(wrapper.returns, dtype=np.float64).copy()
        tmp = directory / (NORMALIZATION_FILE + ".tmp.npz")
        np.savez(
            tmp,
            obs_mean=self.obs.mean,
            obs_var=self.obs.var,
            obs_count=np.float64(self.obs.count),
            ret_mean=self.ret.mean,
            ret_var=self.ret.var,
            ret_count=np.float64(self.ret.count),
            returns=self.returns,
        )
        tmp.replace(directory / NORMALIZATION_FILE)

    @classmethod
    def load(
        cls, directory: Path, options: dict[str, Any], space: spaces.Space[Any]
    ) -> NormalizationState:
        """The statistics saved in ``directory`` by :meth:`save`, for observations of ``space``.

        Raises:
            CorruptStateError: the file is missing, unreadable or of the wrong shapes.
        """
        check_observation_space(space)
        obs_dim = int(space.shape[0])  # type: ignore[index]
        path = directory / NORMALIZATION_FILE
        if not path.exists():
            raise CorruptStateError(
                f"no normalisation statistics at {path} for a student with normalize set; "
                "the checkpoint is incomplete, delete it to start over"
            )
        try:
            with np.load(path, allow_pickle=False) as data:
                arrays = {name: np.array(data[name], dtype=np.float64) for name in _ARRAYS}
        except (OSError, ValueError, KeyError) as exc:
            raise CorruptStateError(
                f"{path} cannot be read ({type(exc).__name__}: {exc}); the checkpoint is "
                "corrupted, delete it to start over"
            ) from None
        if arrays["obs_mean"].shape != (obs_dim,) or arrays["obs_var"].shape != (obs_dim,):
            raise CorruptStateError(
                f"{path} holds statistics of {arrays['obs_mean'].shape} observations, this "
                f"student observes ({obs_dim},); the checkpoint is corrupted, delete it"
            )
        obs, ret = RunningMeanStd(shape=(obs_dim,)), RunningMeanStd(shape=())
        obs.mean, obs.var, obs.count = (
            arrays["obs_mean"],
            arrays["obs_var"],
            float(arrays["obs_count"]),
        )
        ret.mean, ret.var, ret.count = (
            arrays["ret_mean"],
            arrays["ret_var"],
            float(arrays["ret_count"]),
        )
        return cls(obs, ret, arrays["returns"], options)
