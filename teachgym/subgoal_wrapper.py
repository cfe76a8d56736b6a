"""Apply an LLM-subgoal teacher's chain to an environment during training.

Source: "Words as Beacons" (Ruiz-Gonzalez et al., 2024; docs/references.md
[ruizgonzalez2024]). A within-episode curriculum: at each reset the wrapper asks
the teacher (:class:`~teachgym.teachers.llm_subgoal.SubgoalTeacher`) for the
layout's chain (once per layout: the teacher caches), then at each step:

- adds the current subgoal to the observation under the key ``"subgoal"``
  (a sentinel of zeros when none remains, or when the wrapper runs without a
  teacher), in one of the encodings of :data:`ENCODINGS`;
- pays ``alpha * (1 - steps_since_last_subgoal / max_steps)`` (alpha = 0.2) when
  the current subgoal is met, once per subgoal, in order. A subgoal is met when
  the agent stands on its cell or the cell's content changed (the env's predicate).

Deployment and evaluation run without guidance: ``SubgoalWrapper(env, teacher=None)``
keeps the observation space, shows the sentinel and pays nothing, and never
queries a model. ``hide_probability`` shows the sentinel during a share of the
training episodes (bonus still paid), so that a policy also acts well without it.

To compose with a task-level teacher, put this wrapper *outside* the curriculum
wrapper (``SubgoalWrapper(CurriculumWrapper(env, teacher), subgoal_teacher)``): the
task-level teacher then learns from the environment's own returns, without the bonus.

The environment is reached through :class:`SubgoalEnv` (what the MiniGrid family
offers: ``describe``, ``oracle_subgoals``, ``subgoal_met``, agent pose and
``max_steps``); subgoals travel as plain dicts and become
:class:`~teachgym.subgoals.Subgoal` records, which validate them again.
"""

from __future__ import annotations

from typing import Any, Protocol, SupportsFloat

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from teachgym.subgoals import COLORS, OBJECT_TYPES, STATES, SUBGOAL_KINDS, Subgoal
from teachgym.teachers.llm_subgoal import SubgoalTeacher, make_embedder

ENCODINGS: tuple[str, ...] = ("relative", "object", "embedding", "none")
"""How the current subgoal is shown to the agent:

- ``relative``: (ahead, right, active): the subgoal cell's offset in the agent's
  frame (cells ahead of it and to its right, divided by :data:`RELATIVE_SCALE`,
  clipped to [-8, 8]) and 1 while a subgoal is active;
- ``object``: active flag, then one-hot kind (4), object type (11), colour (6), state (3);
- ``embedding``: active flag, then a 384-d sentence embedding of the instruction
  (e.g. "open the red door at (4, 1)"; :mod:`~teachgym.teachers.llm_subgoal.embedding`);
- ``none``: no observation key: the teacher only pays the bonus.
"""

RELATIVE_SCALE = 4.0
DEFAULT_ALPHA = 0.2
"""Bonus scale alpha of the published method (docs/references.md [ruizgonzalez2024])."""

_OBJECT_WIDTH = 1 + len(SUBGOAL_KINDS) + len(OBJECT_TYPES) + len(COLORS) + len(STATES)
_DIRECTIONS = ((1, 0), (0, 1), (-1, 0), (0, -1))


class SubgoalEnv(Protocol):
    """What the wrapper needs from the (unwrapped) environment."""

    agent_pos: Any
    agent_dir: int
    max_steps: int

    def describe(self) -> str: ...
    def oracle_subgoals(self) -> list[Subgoal]: ...
    def subgoal_met(self, subgoal: Subgoal) -> bool: ...


def _subgoal_env(env: gym.Env[Any, Any]) -> SubgoalEnv:
    inner = env.unwrapped
    for attribute in ("describe", "oracle_subgoals", "subgoal_met", "agent_pos", "max_steps"):
        if not hasattr(inner, attribute):
            raise TypeError(
                f"SubgoalWrapper needs an environment with {attribute!r} (the teachgym MiniGrid "
                f"family has describe/oracle_subgoals/subgoal_met); got {type(inner).__name__}"
            )
    return inner  # type: ignore[return-value]


class SubgoalWrapper(gym.Wrapper[dict[str, Any], Any, dict[str, Any], Any]):
    """Subgoal observation and bonus from a :class:`SubgoalTeacher` (see the module docstring).

    Args:
        env: an environment satisfying :class:`SubgoalEnv` with a Dict observation space.
        teacher: the subgoal teacher; ``None`` for deployment/evaluation (sentinel, no bonus).
        encoding: one of :data:`ENCODINGS`.
        alpha: bonus scale (>= 0).
        hide_probability: share of training episodes that show the sentinel, in [0, 1].
        embedder: ``"hashing"`` or ``"minilm"`` for the ``embedding`` encoding.
    """

    def __init__(
        self,
        env: gym.Env[Any, Any],
        teacher: SubgoalTeacher | None,
        encoding: str = "relative",
        alpha: float = DEFAULT_ALPHA,
        hide_probability: float = 0.0,
        embedder: str = "hashing",
    ) -> None:
        super().__init__(env)
        if encoding not in ENCODINGS:
            raise ValueError(f"encoding must be one of {ENCODINGS}, got {encoding!r}")
        if not (np.isfinite(alpha) and alpha >= 0):
            raise ValueError(f"alpha must be a finite number >= 0, got {alpha!r}")
        if not 0.0 <= hide_probability <= 1.0:
            raise ValueError(f"hide_probability must be in [0, 1], got {hide_probability!r}")
        self.grid_env = _subgoal_env(env)
        if not isinstance(env.observation_space, spaces.Dict):
            raise TypeError("SubgoalWrapper needs a Dict observation space")
        self.teacher = teacher
        self.encoding = encoding
        self.alpha = float(alpha)
        self.hide_probability = float(hide_probability)
        self.embedder = make_embedder(embedder) if encoding == "embedding" else None
        if encoding != "none":
            self.observation_space = spaces.Dict(
                {**env.observation_space.spaces, "subgoal": self._subgoal_space()}
            )
        self.chain: list[Subgoal] = []
        self.done = 0
        self.steps = 0
        self.last_met = 0
        self.hidden = False
        self._rng = np.random.default_rng()

    def _subgoal_space(self) -> spaces.Box:
        if self.encoding == "relative":
            return spaces.Box(-8.0, 8.0, (3,), np.float32)
        if self.encoding == "object":
            return spaces.Box(0.0, 1.0, (_OBJECT_WIDTH,), np.float32)
        assert self.embedder is not None
        return spaces.Box(-1.0, 1.0, (1 + self.embedder.dim,), np.float32)

    @property
    def current(self) -> Subgoal | None:
        """The subgoal the agent works towards now (``None`` when none remains)."""
        return self.chain[self.done] if self.done < len(self.chain) else None

    def _encode(self) -> np.ndarray:
        space = self.observation_space.spaces["subgoal"]  # type: ignore[attr-defined]
        out = np.zeros(space.shape, dtype=np.float32)
        subgoal = self.current
        if subgoal is None or self.hidden:
            return out
        out[-1 if self.encoding == "relative" else 0] = 1.0
        if self.encoding == "relative":
            dx = subgoal.pos[0] - int(self.grid_env.agent_pos[0])
            dy = subgoal.pos[1] - int(self.grid_env.agent_pos[1])
            fx, fy = _DIRECTIONS[int(self.grid_env.agent_dir)]
            out[0] = (dx * fx + dy * fy) / RELATIVE_SCALE
            out[1] = (dx * -fy + dy * fx) / RELATIVE_SCALE
            np.clip(out, -8.0, 8.0, out=out)
        elif self.encoding == "object":
            offsets = np.cumsum([1, len(SUBGOAL_KINDS), len(OBJECT_TYPES), len(COLORS)])
            type_code, color_code, state_code = subgoal.code
            out[offsets[0] + SUBGOAL_KINDS.index(subgoal.kind)] = 1.0
            out[offsets[1] + type_code] = 1.0
            out[offsets[2] + color_code] = 1.0
            out[offsets[3] + state_code] = 1.0
        else:
            assert self.embedder is not None
            out[1:] = self.embedder.embed(subgoal.describe())
        return out

    def _observe(self, observation: dict[str, Any]) -> dict[str, Any]:
        if self.encoding == "none":
            return observation
        return {**observation, "subgoal": self._encode()}

    def _advance(self) -> int:
        """Move past every subgoal met now, in order; returns how many."""
        start = self.done
        while self.current is not None and self.grid_env.subgoal_met(self.current):
            self.done += 1
        return self.done - start

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        observation, info = self.env.reset(seed=seed, options=options)
        if seed is not None:
            self._rng = np.random.default_rng(seed)
        self.chain, self.done, self.steps, self.last_met = [], 0, 0, 0
        self.hidden = False
        if self.teacher is not None:
            oracle = [s.to_dict() for s in self.grid_env.oracle_subgoals()]
            proposal = self.teacher.propose(self.grid_env.describe(), oracle)
            self.chain = [Subgoal.from_dict(s) for s in proposal.subgoals]
            self._advance()  # subgoals met before the first step earn nothing
            self.hidden = bool(self.hide_probability and self._rng.random() < self.hide_probability)
            info = {**info, "subgoal_source": proposal.source, "subgoals_total": len(self.chain)}
        return self._observe(observation), info

    def step(self, action: Any) -> tuple[dict[str, Any], SupportsFloat, bool, bool, dict[str, Any]]:
        observation, reward, terminated, truncated, info = self.env.step(action)
        self.steps += 1
        bonus = 0.0
        if self.teacher is not None:
            for _ in range(self._advance()):
                since = self.steps - self.last_met
                bonus += self.alpha * (1.0 - since / self.grid_env.max_steps)
                self.last_met = self.steps
            info = {**info, "subgoal_bonus": bonus, "subgoals_done": self.done}
        return self._observe(observation), float(reward) + bonus, terminated, truncated, info
