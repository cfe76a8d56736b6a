"""teachgym environments: procedurally parameterized worlds with a task space.

Importing this package registers every environment id with Gymnasium. This
layer knows task spaces only: it never imports teachers, agents or benchmarks.
"""

from teachgym.envs.learnability_grid import LearnabilityGridEnv
from teachgym.envs.registration import (
    EnvFactory,
    EnvInfo,
    env_catalog,
    env_factory,
    env_info,
    register_env,
)
from teachgym.envs.task_env import TaskEnv, TestSet
from teachgym.envs.webform import WebFormEnv

register_env(
    "teachgym/LearnabilityGrid-v0",
    LearnabilityGridEnv,
    "Toy testbed of the ALP-GMM paper: one-step episodes on a grid of cells whose "
    "competences are a simulated student (no neural network).",
)

register_env(
    "teachgym/WebForm-v0",
    WebFormEnv,
    "Procedurally generated web forms filled from a key/value instruction, simulated in "
    "pure Python (presets: login, search, book_flight, profile); HTML + Chromium parity.",
)

__all__ = [
    "EnvFactory",
    "EnvInfo",
    "env_factory",
    "LearnabilityGridEnv",
    "TaskEnv",
    "TestSet",
    "WebFormEnv",
    "env_catalog",
    "env_info",
    "register_env",
]
