"""CLUTR's stage one: a recurrent VAE of a task space's levels (torch).

CLUTR (docs/references.md [azad2023]) first learns a latent space of levels: a
recurrent VAE trained on random tasks, each written as a sequence with its placements
sorted (:mod:`teachgym.teachers.level_codec`). Published settings kept here: LSTM
encoder and decoder, a 64-dimensional latent, and the latent squashed by a scaled tanh
into [-4, 4] (the box the adversary then acts in).

Network (:class:`SequenceVAE`): an embedding of each token (mazes) or a linear map of
each value (numeric spaces) feeds an LSTM encoder; its last hidden state gives the
posterior mean ``4 tanh(W h)`` and log-variance. The decoder is an autoregressive LSTM,
as CLUTR's (a Bowman et al. 2016 sentence VAE): its input at every step is the latent
beside the embedding of the previous step's token (a learned start vector at the first
step) and a learned embedding of the step's position, its first state a linear map of
the latent. Training feeds it the true previous tokens (teacher forcing) with
``word_dropout`` of their embedding's entries zeroed (CLUTR: 0.3), so the latent must
carry the level; decoding feeds back its own greedy choices. It outputs the logits of
each position's token (masked to the tokens the position allows, so every decoded level
is valid) or each value (through a sigmoid, into [0, 1]). Loss:
``reconstruction_weight`` (CLUTR: 79) times the cross-entropy (or squared error), plus
``kl_weight`` times the KL divergence to the unit Gaussian, the weight ramped up from 0
over the first half of training (KL annealing). Adam.

Deviations: fixed-length sequences (wall slots padded with a padding token) instead of
CLUTR's variable-length ones with an end token; the hidden size (128), embedding size
(32, CLUTR 300), batch (64, CLUTR 32) and learning rate (1e-3, CLUTR 5e-5) are this
implementation's, chosen to train in minutes on a CPU where CLUTR trains for 1M
batches.

Weights start from a seeded torch generator and the reparameterisation noise and the
training tasks come from a numpy generator, so training is deterministic for a seed
and never touches torch's global generator. :class:`ClutrVAE` saves as JSON + ``.npz``
(:mod:`teachgym.state_io`), never pickle. This module imports torch;
:mod:`teachgym.teachers.clutr` imports it lazily.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, cast

import numpy as np
import torch
from torch import nn

from teachgym.state_io import CorruptStateError, load_state, save_state
from teachgym.tasks import Task, TaskSpace
from teachgym.teachers.level_codec import LevelCodec, TokenCodec, level_codec
from teachgym.teachers.torch_state import load_module_state, module_state
from teachgym.validation import check_int, check_real

LATENT_DIM = 64
"""CLUTR's latent size."""
LATENT_BOUND = 4.0
"""The scaled tanh bounds every latent coordinate to [-4, 4]."""
RECONSTRUCTION_WEIGHT = 79.0
"""CLUTR's weight of the reconstruction term against the KL term (its ``--recons-weight``)."""
WORD_DROPOUT = 0.3
"""CLUTR's dropout on the decoder's previous-token inputs (its ``--dropout``)."""
FORMAT_FAMILY = "teachgym-clutr-vae-"
FORMAT = FORMAT_FAMILY + "2"
"""The ``format`` entry of a saved VAE."""


class SequenceVAE(nn.Module):
    """The recurrent VAE (module docstring).

    Args:
        length: steps per sequence.
        vocabulary: tokens per step (``None``: one value in [0, 1] per step).
        allowed: bool ``(length, vocabulary)`` of the tokens each step allows (tokens only).
        latent: latent size.
        hidden: LSTM hidden size.
        embedding: token / position embedding size.
    """

    def __init__(
        self,
        length: int,
        vocabulary: int | None,
        allowed: np.ndarray | None,
        latent: int = LATENT_DIM,
        hidden: int = 128,
        embedding: int = 32,
    ) -> None:
        super().__init__()
        self.length, self.vocabulary, self.latent = length, vocabulary, latent
        self.embed: nn.Module = (
            nn.Embedding(vocabulary, embedding) if vocabulary else nn.Linear(1, embedding)
        )
        self.encoder = nn.LSTM(embedding, hidden, batch_first=True)
        self.to_mean = nn.Linear(hidden, latent)
        self.to_log_var = nn.Linear(hidden, latent)
        self.position = nn.Embedding(length, embedding)
        self.start = nn.Parameter(torch.zeros(embedding))
        self.to_state = nn.Linear(latent, 2 * hidden)
        self.decoder = nn.LSTM(latent + 2 * embedding, hidden, batch_first=True)
        self.head = nn.Linear(hidden, vocabulary or 1)
        mask = np.zeros((length, vocabulary or 1), dtype=np.float32)
        if allowed is not None:
            mask[~allowed] = -1e9
        self.register_buffer("mask", torch.from_numpy(mask), persistent=False)

    def encode(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Posterior mean (in [-4, 4]) and log-variance, each ``(batch, latent)``."""
        _, (h, _) = self.encoder(self._embed(x))
        last = h[-1]
        return LATENT_BOUND * torch.tanh(self.to_mean(last)), self.to_log_var(last)

    def _embed(self, x: torch.Tensor) -> torch.Tensor:
        """Embeddings ``(batch, steps, embedding)`` of tokens or values ``(batch, steps)``."""
        return self.embed(x) if self.vocabulary else self.embed(x.unsqueeze(-1))

    def decode(
        self, z: torch.Tensor, x: torch.Tensor | None = None, word_dropout: float = 0.0
    ) -> torch.Tensor:
        """Masked logits ``(batch, length, vocabulary)``, or values ``(batch, length)``.

        With ``x`` (the true sequences) each step sees the true previous token (teacher
        forcing), with ``word_dropout`` of its embedding zeroed; without, each step sees
        the decoder's own greedy choice of the step before."""
        batch = z.shape[0]
        h0, c0 = torch.tanh(self.to_state(z)).chunk(2, dim=-1)
        state = (h0.unsqueeze(0).contiguous(), c0.unsqueeze(0).contiguous())
        start = self.start.expand(batch, 1, -1)
        if x is not None:
            previous = torch.cat([start, self._embed(x[:, :-1])], dim=1)
            previous = nn.functional.dropout(previous, word_dropout, training=word_dropout > 0)
            steps = self.position.weight.unsqueeze(0).expand(batch, -1, -1)
            inputs = torch.cat([z.unsqueeze(1).expand(-1, self.length, -1), previous, steps], -1)
            out, _ = self.decoder(inputs, state)
            logits = self.head(out) + self.mask
            return logits if self.vocabulary else torch.sigmoid(logits.squeeze(-1))
        outputs, previous = [], start
        for step in range(self.length):
            position = self.position.weight[step].expand(batch, 1, -1)
            out, state = self.decoder(torch.cat([z.unsqueeze(1), previous, position], -1), state)
            logits = self.head(out[:, 0]) + cast(torch.Tensor, self.mask)[step]
            if self.vocabulary:
                outputs.append(logits)
                previous = self._embed(logits.argmax(dim=-1, keepdim=True))
            else:
                value = torch.sigmoid(logits)
                outputs.append(value[:, 0])
                previous = self._embed(value)
        return torch.stack(outputs, dim=1)


class ClutrVAE:
    """A trained VAE with its codec: tasks to latents and latents to tasks.

    Args:
        task_space: the space the levels belong to.
        latent, hidden, embedding: network sizes (:class:`SequenceVAE`).
        max_walls: wall tokens of a maze codec (``None``: PAIRED's wall budget, 50, or
            every cell of a smaller map).
        seed: seed of the initial weights.
    """

    def __init__(
        self,
        task_space: TaskSpace,
        latent: int = LATENT_DIM,
        hidden: int = 128,
        embedding: int = 32,
        max_walls: int | None = None,
        seed: int = 0,
    ) -> None:
        owner = "CLUTR's VAE"
        self.config = {
            "latent": check_int(owner, "latent", latent, 1),
            "hidden": check_int(owner, "hidden", hidden, 1),
            "embedding": check_int(owner, "embedding", embedding, 1),
            "seed": check_int(owner, "seed", seed, 0),
        }
        if max_walls is not None:
            max_walls = check_int(owner, "max_walls", max_walls, 1)
        self.task_space = task_space
        self.codec: LevelCodec = level_codec(task_space, max_walls)
        if isinstance(self.codec, TokenCodec):
            self.config["max_walls"] = self.codec.max_walls
        tokens = isinstance(self.codec, TokenCodec)
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            self.model = SequenceVAE(
                self.codec.length,
                self.codec.vocabulary if isinstance(self.codec, TokenCodec) else None,
                self.codec.allowed if isinstance(self.codec, TokenCodec) else None,
                latent,
                hidden,
                embedding,
            )
        self.tokens = tokens
        self.steps_trained = 0

    @property
    def latent(self) -> int:
        return int(self.config["latent"])

    def _batch(self, tasks: Sequence[Task]) -> torch.Tensor:
        encoded = np.stack([self.codec.encode(self.task_space.validate(t)) for t in tasks])
        return torch.from_numpy(encoded)

    def decode(self, z: np.ndarray) -> list[Task]:
        """The level of each latent (rows of ``z``, shape ``(n, latent)``, clipped to
        [-4, 4]); every level is valid for the task space."""
        z = np.clip(np.asarray(z, dtype=np.float32).reshape(-1, self.latent), -4.0, 4.0)
        with torch.no_grad():
            out = self.model.decode(torch.from_numpy(z))
        rows = out.argmax(dim=-1).numpy() if self.tokens else out.numpy()
        return [self.codec.decode(row) for row in rows]

    def encode(self, tasks: Sequence[Task]) -> np.ndarray:
        """Posterior means of ``tasks``, shape ``(n, latent)``."""
        with torch.no_grad():
            mean, _ = self.model.encode(self._batch(tasks))
        return np.asarray(mean.numpy(), dtype=np.float64)

    def train(
        self,
        steps: int,
        rng: np.random.Generator,
        batch_size: int = 64,
        learning_rate: float = 1e-3,
        kl_weight: float = 1.0,
        kl_anneal: float = 0.5,
        reconstruction_weight: float = RECONSTRUCTION_WEIGHT,
        word_dropout: float = WORD_DROPOUT,
        progress: Callable[[int, float], None] | None = None,
    ) -> list[float]:
        """``steps`` Adam steps on batches of fresh random tasks (:meth:`random_task` of
        the codec) drawn from ``rng``; ``progress(step, loss)`` after each. The KL weight
        ramps linearly from 0 to ``kl_weight`` over the first ``kl_anneal`` share of the
        steps (KL annealing, Bowman et al. 2016, against a collapsed posterior);
        ``reconstruction_weight`` weighs the reconstruction term and ``word_dropout`` is
        the share of the decoder's previous-token inputs zeroed (module docstring).
        Returns the losses."""
        owner = "CLUTR's VAE"
        steps = check_int(owner, "steps", steps, 0)
        batch_size = check_int(owner, "batch_size", batch_size, 1)
        learning_rate = check_real(owner, "learning_rate", learning_rate, above=0.0)
        kl_weight = check_real(owner, "kl_weight", kl_weight, minimum=0.0)
        kl_anneal = check_real(owner, "kl_anneal", kl_anneal, minimum=0.0, maximum=1.0)
        reconstruction_weight = check_real(
            owner, "reconstruction_weight", reconstruction_weight, above=0.0
        )
        word_dropout = check_real(owner, "word_dropout", word_dropout, minimum=0.0, maximum=1.0)
        ramp = kl_anneal * steps
        optimiser = torch.optim.Adam(self.model.parameters(), lr=learning_rate)
        losses = []
        for step in range(steps):
            x = self._batch([self.codec.random_task(rng) for _ in range(batch_size)])
            noise = torch.from_numpy(rng.standard_normal((batch_size, self.latent)).astype("f4"))
            mean, log_var = self.model.encode(x)
            z = mean + torch.exp(0.5 * log_var) * noise
            with torch.random.fork_rng(devices=[]):
                torch.manual_seed(int(rng.integers(2**31)))  # the word dropout's draws
                out = self.model.decode(z, x, word_dropout)
            if self.tokens:
                rebuilt = nn.functional.cross_entropy(out.transpose(1, 2), x, reduction="none")
            else:
                rebuilt = (out - x) ** 2
            kl = -0.5 * (1 + log_var - mean**2 - log_var.exp()).sum(dim=1)
            beta = kl_weight * min(1.0, (step + 1) / ramp) if ramp > 0 else kl_weight
            loss = (reconstruction_weight * rebuilt.sum(dim=1) + beta * kl).mean()
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            losses.append(float(loss.detach()))
            self.steps_trained += 1
            if progress is not None:
                progress(step + 1, losses[-1])
        return losses

    def reconstruction(self, tasks: Sequence[Task], rng: np.random.Generator) -> dict[str, float]:
        """How well ``tasks`` come back through the posterior mean, beside the chance
        level of latents drawn from the prior (clipped to [-4, 4]) for the same tasks.

        Tokens: ``accuracy`` (share of positions decoded right), ``exact`` (share of tasks
        decoded exactly) and ``prior_accuracy``; values: ``error`` (mean absolute error of
        the normalised vector) and ``prior_error``.
        """
        x = self._batch(tasks).numpy()
        back = np.stack([self.codec.encode(t) for t in self.decode(self.encode(tasks))])
        prior = rng.standard_normal((len(tasks), self.latent))
        chance = np.stack([self.codec.encode(t) for t in self.decode(prior)])
        if self.tokens:
            return {
                "accuracy": float(np.mean(back == x)),
                "exact": float(np.mean(np.all(back == x, axis=1))),
                "prior_accuracy": float(np.mean(chance == x)),
            }
        return {
            "error": float(np.mean(np.abs(back - x))),
            "prior_error": float(np.mean(np.abs(chance - x))),
        }

    # -- saving -------------------------------------------------------------
    def state(self) -> dict[str, Any]:
        """The VAE as a JSON-ready tree of numbers and numpy arrays."""
        return {
            "format": FORMAT,
            "config": dict(self.config),
            "task_space": self.task_space.to_dict(),
            "steps_trained": self.steps_trained,
            "weights": module_state(self.model),
        }

    @classmethod
    def from_state(cls, state: Mapping[str, Any], task_space: TaskSpace) -> ClutrVAE:
        """Rebuild :meth:`state` exactly.

        Raises:
            ValueError: for a state of another format or another task space.
        """
        found = state.get("format")
        if isinstance(found, str) and found.startswith(FORMAT_FAMILY) and found != FORMAT:
            raise ValueError(
                f"this VAE has format {found!r}, a network this teachgym no longer builds "
                f"(it reads {FORMAT!r}); train a new one with `teachgym train-vae`"
            )
        if found != FORMAT:
            raise ValueError(f"not a CLUTR VAE (format {found!r}, want {FORMAT!r})")
        if TaskSpace.from_dict(state["task_space"]) != task_space:
            raise ValueError(
                "this VAE was trained on another task space "
                f"({TaskSpace.from_dict(state['task_space'])!r}); train one for {task_space!r}"
            )
        vae = cls(task_space, **{k: int(v) for k, v in state["config"].items()})
        load_module_state(vae.model, state["weights"], "CLUTR VAE")
        vae.steps_trained = int(state["steps_trained"])
        return vae

    def save(self, stem: str | Path) -> None:
        """Write ``<stem>.json`` and ``<stem>.npz``."""
        save_state(self.state(), stem)

    @classmethod
    def load(cls, stem: str | Path, task_space: TaskSpace) -> ClutrVAE:
        """Read a VAE saved by :meth:`save` (``stem`` with or without ``.json``).

        Raises:
            CorruptStateError: if the files cannot be read or do not hold a VAE of
                ``task_space``.
            FileNotFoundError: if there is no such file.
        """
        path = Path(stem)
        if path.suffix in (".json", ".npz"):
            path = path.with_suffix("")
        state = load_state(path)
        try:
            return cls.from_state(state, task_space)
        except (KeyError, TypeError, ValueError) as exc:
            raise CorruptStateError(f"{path}.json: {exc}") from None


def train_vae(
    task_space: TaskSpace,
    steps: int,
    seed: int = 0,
    progress: Callable[[int, float], None] | None = None,
    **options: Any,
) -> ClutrVAE:
    """A :class:`ClutrVAE` of ``task_space`` trained for ``steps`` Adam steps, all draws
    from ``seed``. ``options``: network sizes and ``max_walls`` for the VAE, and
    ``batch_size``, ``learning_rate``, ``kl_weight``, ``kl_anneal`` for
    :meth:`ClutrVAE.train`."""
    network = {
        k: options.pop(k) for k in ("latent", "hidden", "embedding", "max_walls") if k in options
    }
    vae = ClutrVAE(task_space, seed=seed, **network)
    vae.train(steps, np.random.default_rng(seed), progress=progress, **options)
    return vae


HELD_OUT_TASKS = 200
"""Random tasks :func:`fit_and_save` measures the reconstruction on (none seen in training)."""


def fit_and_save(
    task_space: TaskSpace,
    steps: int,
    out: str | Path,
    seed: int = 0,
    quiet: bool = False,
    **options: Any,
) -> dict[str, float]:
    """Train a VAE with a progress bar (:func:`train_vae`), save it to ``out`` (``.json`` +
    ``.npz``), and measure its reconstruction of :data:`HELD_OUT_TASKS` random tasks
    drawn from ``seed + 1`` (:meth:`ClutrVAE.reconstruction`)."""
    from tqdm import tqdm

    with tqdm(total=steps, unit="batch", disable=quiet) as bar:

        def progress(step: int, loss: float) -> None:
            bar.update(1)
            bar.set_postfix(loss=f"{loss:.2f}", refresh=False)

        vae = train_vae(task_space, steps, seed=seed, progress=progress, **options)
    stem = Path(out)
    if stem.suffix in (".json", ".npz"):
        stem = stem.with_suffix("")
    vae.save(stem)
    rng = np.random.default_rng(seed + 1)
    held_out = [vae.codec.random_task(rng) for _ in range(HELD_OUT_TASKS)]
    return vae.reconstruction(held_out, rng)
