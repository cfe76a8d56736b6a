"""Torch networks and optimizers saved as numpy arrays, restored bit for bit."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
import torch

from teachgym.errors import TeachgymUsageError
from teachgym.state_io import load_state, save_state
from teachgym.tasks import Categorical, Continuous, TaskSpace
from teachgym.teachers import Outcome, make_teacher
from teachgym.teachers.torch_state import (
    initial_weights,
    load_module_state,
    load_optimizer_state,
    module_state,
    optimizer_state,
    seeded_linear,
)


def network(seed: int, dtype=torch.float32) -> torch.nn.Sequential:
    rng = np.random.default_rng(seed)
    return torch.nn.Sequential(
        seeded_linear(3, 8, rng, dtype=dtype),
        torch.nn.Tanh(),
        seeded_linear(8, 1, rng, dtype=dtype),
    )


def step(model: torch.nn.Module, optimizer: torch.optim.Optimizer, seed: int) -> None:
    x = torch.as_tensor(np.random.default_rng(seed).random((16, 3)), dtype=torch.float32)
    loss = (model(x.to(next(model.parameters()).dtype)) ** 2).mean()
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()


@pytest.mark.parametrize(
    "make_optimizer",
    [
        lambda p: torch.optim.Adam(p, lr=3e-4),
        lambda p: torch.optim.RMSprop(p, lr=1e-3, alpha=0.9, eps=1e-10),
    ],
)
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_module_and_optimizer_state_round_trip_through_numpy_files(make_optimizer, dtype, tmp_path):
    model = network(0, dtype)
    optimizer = make_optimizer(model.parameters())
    for i in range(3):
        step(model, optimizer, i)
    save_state({"net": module_state(model), "opt": optimizer_state(optimizer)}, tmp_path / "s")
    saved = load_state(tmp_path / "s")
    twin = network(1, dtype)  # other initial weights, overwritten by the restore
    twin_optimizer = make_optimizer(twin.parameters())
    load_module_state(twin, saved["net"], "test")
    load_optimizer_state(twin_optimizer, saved["opt"], "test")
    for i in range(3, 6):
        step(model, optimizer, i)
        step(twin, twin_optimizer, i)
    for a, b in zip(model.parameters(), twin.parameters(), strict=True):
        assert a.dtype == dtype and torch.equal(a, b)


def test_fresh_optimizer_state_is_empty_and_restores_as_empty():
    model = network(0)
    optimizer = torch.optim.Adam(model.parameters())
    state = optimizer_state(optimizer)
    assert state == [{}, {}, {}, {}]
    load_optimizer_state(optimizer, state, "test")
    assert not optimizer.state_dict()["state"]


def test_mismatched_states_are_refused():
    model = network(0)
    wide = torch.nn.Sequential(seeded_linear(3, 9, np.random.default_rng(0)))
    with pytest.raises(ValueError, match="missing"):
        load_module_state(wide, module_state(model), "test")
    narrow = torch.nn.Sequential(seeded_linear(3, 8, np.random.default_rng(0)))
    with pytest.raises(ValueError, match="shape"):
        load_module_state(wide, module_state(narrow), "test")
    optimizer = torch.optim.Adam(model.parameters())
    step(model, optimizer, 0)
    with pytest.raises(ValueError, match="4 parameters"):
        load_optimizer_state(torch.optim.Adam(wide.parameters()), optimizer_state(optimizer), "t")


def test_seeded_layers_come_from_the_numpy_generator_only():
    before = torch.random.get_rng_state()
    a, b = network(5), network(5)
    assert torch.equal(torch.random.get_rng_state(), before)
    for p, q in zip(a.parameters(), b.parameters(), strict=True):
        assert torch.equal(p, q)
    assert torch.all(a[0].bias == 0)
    bound = np.sqrt(6 / (3 + 8))
    assert np.abs(a[0].weight.detach().numpy()).max() <= bound
    normal = initial_weights(400, 300, np.random.default_rng(0), "truncated-normal")
    assert np.abs(normal).max() <= 2 / np.sqrt(400)
    assert normal.std() == pytest.approx(0.88 / np.sqrt(400), rel=0.02)  # 2-sigma truncation
    with pytest.raises(ValueError, match="unknown initialisation"):
        initial_weights(2, 2, np.random.default_rng(0), "he")


@pytest.mark.parametrize(
    ("name", "module"), [("goal-gan", "goal_gan"), ("setter-solver", "setter_solver")]
)
def test_torch_teachers_import_torch_when_built_and_need_success(name, module):
    code = f"import sys, teachgym.teachers.{module}; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
    teacher = make_teacher(name, TaskSpace({"x": Continuous(0.0, 1.0)}))
    assert teacher.extras == ("torch",) and teacher.requires_success
    with pytest.raises(ValueError, match="learns from success"):
        teacher.update(teacher.sample(), Outcome(1.0))
    with pytest.raises(TeachgymUsageError, match="categorical_encoding='one-hot'"):
        make_teacher(name, TaskSpace({"c": Categorical(("a", "b"))}))


@pytest.mark.parametrize("name", ["goal-gan", "setter-solver"])
@pytest.mark.parametrize("encoding", ["one-hot", "ordinal"])
def test_torch_teachers_run_on_categorical_parameters_with_an_encoding(name, encoding):
    import gymnasium as gym

    from teachgym.checks import check_teacher

    space = gym.make("teachgym/MiniGridFamily-v0").unwrapped.task_space
    teacher = make_teacher(name, space, seed=0, preset="skills", categorical_encoding=encoding)
    assert teacher.encoding.dim > len(space.names) or encoding == "ordinal"
    check_teacher(teacher, episodes=60)
