"""Students: the student protocol, the SB3 adapter and the simulated student.

``make_student(name, env_fn, seed=..., **params)`` builds a registered student
(:func:`student_names`: ``simulated`` for the learnability grid, ``paired-ppo``
(protagonist + antagonist PPO for the ``paired`` teacher), and the SB3
algorithms ``a2c, ddpg, dqn, ppo, sac, td3``) or any ``"package.module:Class"``
subclass of :class:`Student`. The classes below are imported on first use, so
importing this package does not import torch or Stable-Baselines3.
"""

from __future__ import annotations

from teachgym.agents.registry import (
    SB3_ALGORITHMS,
    make_student,
    register_student,
    student_class,
    student_names,
    student_parameters,
)
from teachgym.agents.student import EnvFn, Student
from teachgym.lazy import lazy_getattr

_LAZY = {
    "PairedStudent": "teachgym.agents.paired",
    "RobustPPO": "teachgym.agents.robust_ppo",
    "SB3Student": "teachgym.agents.sb3_student",
    "SimulatedStudent": "teachgym.agents.simulated",
}


__getattr__ = lazy_getattr(__name__, _LAZY)


__all__ = [
    "SB3_ALGORITHMS",
    "EnvFn",
    "PairedStudent",
    "RobustPPO",
    "SB3Student",
    "SimulatedStudent",
    "Student",
    "make_student",
    "register_student",
    "student_class",
    "student_names",
    "student_parameters",
]
