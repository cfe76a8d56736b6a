"""CLUTR (Azad et al., 2023): PAIRED's adversary acting in a learned latent space of levels.

CLUTR (docs/references.md [azad2023]) splits PAIRED's adversary in two:

1. stage one, unsupervised: a recurrent VAE of random levels
   (:class:`~teachgym.teachers.clutr_vae.ClutrVAE`, latent 64 in [-4, 4]), trained
   once (``teachgym train-vae``, or here on first use for ``vae_steps`` steps) and then
   frozen;
2. stage two: the adversary is a one-step bandit. Each level is one action, a latent
   ``z`` in [-4, 4]^64, and the frozen decoder turns it into the level, so every level
   it designs is valid for the task space. Its reward is the level's regret, the
   antagonist's best return minus the protagonist's mean return on it, which
   :class:`teachgym.agents.paired.PairedStudent` (student ``paired-ppo``) measures.

Everything of stage two is PAIRED's teacher (:class:`~teachgym.teachers.paired.PairedTeacher`):
the batch of designed levels, REINFORCE with a running-mean regret baseline, the
state. Only the designer differs: a diagonal Gaussian over the latent box, starting at
the VAE's prior (mean 0, standard deviation 1).

Deviation: the paper's adversary is a PPO policy on the latent; here, as for PAIRED's
``vector`` designer, it is a Gaussian trained by REINFORCE. The teacher learns from
tasks drawn from the task space only (it never builds an environment).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from teachgym.errors import TeachgymUsageError
from teachgym.tasks import Task, TaskSpace
from teachgym.teachers.paired import PairedTeacher, VectorDesigner
from teachgym.teachers.torch_state import TORCH_EXTRA, require_torch
from teachgym.validation import check_int

if TYPE_CHECKING:
    from teachgym.teachers.clutr_vae import ClutrVAE

LATENT_BOUND = 4.0
"""The latent box of CLUTR's VAE, [-4, 4] per coordinate."""
DEFAULT_VAE_STEPS = 2000
"""Adam steps (batches of 64 random tasks) of a VAE trained on first use."""


class ClutrTeacher(PairedTeacher):
    """CLUTR's adversary: regret-driven latents decoded by a frozen recurrent VAE.

    Args:
        task_space: any space; a maze-like one (one binary wall map, discrete other
            parameters) is encoded as sorted placements, any other as its normalised
            vector (:mod:`teachgym.teachers.level_codec`).
        seed: seed of the teacher's generator (and of a VAE trained on first use).
        vae: a VAE saved by ``teachgym train-vae`` / :meth:`ClutrVAE.save` (the path of
            its ``.json``, with or without the suffix); ``None``: train one on the first
            level asked for, for ``vae_steps`` steps.
        vae_steps: the training budget of a VAE trained on first use.
        learning_rate: REINFORCE step size of the adversary.
        batch_size: designed levels per adversary update.

    Raises:
        TeachgymUsageError: for a VAE file of another task space, or a bad budget.
        ImportError: without torch (the ``torch`` extra).
    """

    name = "clutr"
    extras = (TORCH_EXTRA,)
    param_attributes = {"vae": "vae_file"}

    def __init__(
        self,
        task_space: TaskSpace,
        seed: int | None = None,
        vae: str | None = None,
        vae_steps: int = DEFAULT_VAE_STEPS,
        learning_rate: float = 0.05,
        batch_size: int = 16,
    ) -> None:
        require_torch("teacher 'clutr'")
        from teachgym.teachers.clutr_vae import LATENT_DIM, ClutrVAE

        super().__init__(
            task_space, seed, designer="vector", learning_rate=learning_rate, batch_size=batch_size
        )
        self.vae_steps = check_int("teacher 'clutr'", "vae_steps", vae_steps, 1)
        if vae is not None and not isinstance(vae, str | Path):
            raise TypeError(f"vae must be the path of a saved VAE or None, got {vae!r}")
        self.vae_file = None if vae is None else str(vae)
        self.vae: ClutrVAE | None = None
        """The frozen VAE (``None`` until first use when trained here)."""
        latent = LATENT_DIM
        if self.vae_file is not None:
            try:
                self.vae = ClutrVAE.load(self.vae_file, task_space)
            except FileNotFoundError:
                raise TeachgymUsageError(
                    f"teacher 'clutr': no VAE at {self.vae_file!r}; train one with "
                    "'teachgym train-vae' or leave vae unset to train on first use"
                ) from None
            latent = self.vae.latent
        self.designer = VectorDesigner(
            task_space,
            self.learning_rate,
            dim=latent,
            low=-LATENT_BOUND,
            high=LATENT_BOUND,
            decode=self._decode,
            std=1.0,
        )

    def _frozen_vae(self) -> ClutrVAE:
        if self.vae is None:
            from teachgym.teachers.clutr_vae import train_vae

            seed = int(self.rng.integers(2**31))
            self.vae = train_vae(self.task_space, self.vae_steps, seed=seed)
        return self.vae

    def _decode(self, z: np.ndarray) -> Task:
        return self._frozen_vae().decode(z[None, :])[0]

    def diagnostics(self) -> dict[str, Any]:
        return {
            **super().diagnostics(),
            "vae_steps_trained": 0 if self.vae is None else self.vae.steps_trained,
        }

    def state_dict(self) -> dict[str, Any]:
        """PAIRED's state plus the frozen VAE's weights (so a restore needs no file)."""
        return {**super().state_dict(), "vae": None if self.vae is None else self.vae.state()}

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        from teachgym.teachers.clutr_vae import ClutrVAE

        super().load_state_dict(state)
        saved = state.get("vae")
        try:
            if saved is not None:
                self.vae = ClutrVAE.from_state(saved, self.task_space)
            elif self.vae_file is None:
                self.vae = None
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"saved 'clutr' state holds no usable VAE: {exc}") from None
