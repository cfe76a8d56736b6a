"""The process-global random generators Stable-Baselines3 draws from, owned by one student.

SB3 draws from global generators: torch's default CPU generator (weight
initialisation, action sampling), NumPy's legacy global generator (PPO's minibatch
permutations, replay-buffer sampling) and Python's ``random``; its constructor
seeds all three. :class:`OwnedGlobalRandom` gives a student its own copy of that
state: :meth:`~OwnedGlobalRandom.active` swaps it in while the student trains and
swaps it out afterwards, so training continues identically whatever the process
did in between (evaluation, another student, a save and a reload in a new process),
and the caller's generators are left exactly as they were.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch


@dataclass
class GlobalRandomState:
    """One snapshot of the three global generators."""

    python: Any
    numpy: Any
    torch: torch.Tensor

    @classmethod
    def capture(cls) -> GlobalRandomState:
        return cls(random.getstate(), np.random.get_state(), torch.get_rng_state())

    def apply(self) -> None:
        random.setstate(self.python)
        np.random.set_state(self.numpy)
        torch.set_rng_state(self.torch)


class OwnedGlobalRandom:
    """The global-generator state one student trains with (``None`` until first used)."""

    def __init__(self) -> None:
        self.state: GlobalRandomState | None = None

    @contextmanager
    def active(self, torch_threads: int | None = None) -> Iterator[None]:
        """Within the block the global generators (and torch's CPU thread count, if given)
        are the student's; on exit the student keeps what the block left and the caller's
        state comes back. Before the first use the block starts from the caller's state."""
        outer = GlobalRandomState.capture()
        outer_threads = torch.get_num_threads()
        if self.state is not None:
            self.state.apply()
        if torch_threads is not None:
            torch.set_num_threads(torch_threads)
        try:
            yield
        finally:
            self.state = GlobalRandomState.capture()
            outer.apply()
            if torch.get_num_threads() != outer_threads:
                torch.set_num_threads(outer_threads)


@contextmanager
def isolated_global_random() -> Iterator[None]:
    """Whatever the block does to the global generators is undone on exit."""
    outer = GlobalRandomState.capture()
    try:
        yield
    finally:
        outer.apply()
