"""Torch networks of a teacher as numpy state: the shared helper of the torch teachers.

Torch teachers (GoalGAN, Setter-Solver) keep their whole state in the teacher's
``state_dict`` as numpy arrays, saved by :mod:`teachgym.state_io` (JSON + ``.npz``,
never pickle or ``torch.save``). This module holds what they share:

- :func:`require_torch`: the clear error when torch (the ``torch`` extra) is missing;
- :func:`seeded_linear`: a linear layer whose initial weights are drawn from the
  teacher's own ``numpy.random.Generator``, so building a teacher never draws from (or
  changes) torch's global generator;
- :func:`module_state` / :func:`load_module_state` and :func:`optimizer_state` /
  :func:`load_optimizer_state`: parameters and optimizer moments (Adam, RMSprop, ...)
  to and from plain dicts of numpy arrays, restored bit for bit.

torch is imported inside the functions, so importing this module imports no torch.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import torch

TORCH_EXTRA = "torch"
"""The optional dependency group (``pip install 'teachgym[torch]'``) torch teachers need."""

INITIALISATIONS = ("xavier-uniform", "truncated-normal")
"""Weight initialisations of :func:`seeded_linear` (biases always start at zero):
``"xavier-uniform"`` (TensorFlow's dense layers) or ``"truncated-normal"`` (Sonnet 1's
``Linear``)."""


def require_torch(owner: str) -> None:
    """Raise a clear ``ImportError`` (with the install command) if torch cannot be imported."""
    try:
        import torch  # noqa: F401
    except ImportError as exc:
        raise ImportError(
            f"{owner} needs torch: pip install 'teachgym[{TORCH_EXTRA}]' (install a CPU "
            f"build of torch first, see the README) ({exc})"
        ) from exc


def check_layer_sizes(owner: str, name: str, layers: Any) -> tuple[int, ...]:
    """Hidden layer sizes of a network: a non-empty sequence of positive integers."""
    from teachgym.validation import check_int

    if isinstance(layers, str | bytes) or not isinstance(layers, Sequence) or not layers:
        raise TypeError(f"{owner}: {name} must be a non-empty list of layer sizes, got {layers!r}")
    return tuple(check_int(owner, f"{name}[{i}]", size, minimum=1) for i, size in enumerate(layers))


def initial_weights(
    fan_in: int, fan_out: int, rng: np.random.Generator, init: str = "xavier-uniform"
) -> np.ndarray:
    """A weight matrix of shape ``(fan_out, fan_in)`` drawn from ``rng``.

    ``"xavier-uniform"``: U(-a, a) with a = sqrt(6 / (fan_in + fan_out)) (Glorot and
    Bengio 2010; TensorFlow's ``xavier_initializer``). ``"truncated-normal"``: normal with
    standard deviation 1 / sqrt(fan_in), redrawn beyond two standard deviations (Sonnet's
    default ``Linear`` initialiser).
    """
    if init == "xavier-uniform":
        bound = math.sqrt(6.0 / max(fan_in + fan_out, 1))
        return rng.uniform(-bound, bound, size=(fan_out, fan_in))
    if init == "truncated-normal":
        return truncated_normal((fan_out, fan_in), 1.0 / math.sqrt(max(fan_in, 1)), rng)
    raise ValueError(f"unknown initialisation {init!r}; known: {INITIALISATIONS}")


def truncated_normal(shape: tuple[int, ...], std: float, rng: np.random.Generator) -> np.ndarray:
    """Normal draws of standard deviation ``std``, redrawn beyond two standard deviations."""
    draws = rng.standard_normal(shape)
    outside = np.abs(draws) > 2.0
    while outside.any():
        draws[outside] = rng.standard_normal(int(outside.sum()))
        outside = np.abs(draws) > 2.0
    return draws * std


def seeded_linear(
    fan_in: int,
    fan_out: int,
    rng: np.random.Generator,
    init: str = "xavier-uniform",
    dtype: torch.dtype | None = None,
) -> torch.nn.Linear:
    """A ``torch.nn.Linear(fan_in, fan_out)`` with weights from :func:`initial_weights` and
    zero biases, built without touching torch's global random generator."""
    import torch

    layer = torch.nn.utils.skip_init(torch.nn.Linear, fan_in, fan_out, dtype=dtype)
    with torch.no_grad():
        layer.weight.copy_(torch.from_numpy(initial_weights(fan_in, fan_out, rng, init)))
        layer.bias.zero_()
    return layer


def module_state(module: torch.nn.Module) -> dict[str, np.ndarray]:
    """The module's parameters and buffers as numpy copies, by their ``state_dict`` names."""
    return {
        name: tensor.detach().cpu().numpy().copy() for name, tensor in module.state_dict().items()
    }


def load_module_state(module: torch.nn.Module, arrays: Mapping[str, Any], owner: str) -> None:
    """Restore :func:`module_state` into ``module`` exactly.

    Raises:
        ValueError: if the names or shapes differ from the module's (a state saved with
            other network sizes, or another network).
    """
    import torch

    expected = module.state_dict()
    if set(arrays) != set(expected):
        missing = sorted(set(expected) - set(arrays))
        unknown = sorted(set(arrays) - set(expected))
        raise ValueError(
            f"saved {owner} weights do not fit this network (missing {missing}, unknown "
            f"{unknown}); was it saved with other layer sizes?"
        )
    tensors = {}
    for name, tensor in expected.items():
        array = np.asarray(arrays[name])
        if array.shape != tuple(tensor.shape):
            raise ValueError(
                f"saved {owner} weight {name!r} has shape {array.shape}, the network "
                f"{tuple(tensor.shape)}; was it saved with other layer sizes?"
            )
        dtype = tensor.detach().cpu().numpy().dtype
        tensors[name] = torch.from_numpy(array.astype(dtype, copy=True))
    module.load_state_dict(tensors)


def optimizer_state(optimizer: torch.optim.Optimizer) -> list[dict[str, Any]]:
    """Per-parameter optimizer state (moments, step counts) as numpy arrays and numbers,
    one dict per parameter in the optimizer's order (empty before the first step).

    The hyperparameters (learning rate, betas, ...) are not saved: the teacher rebuilds
    the optimizer from its own hyperparameters.
    """
    state = optimizer.state_dict()["state"]
    n_params = sum(len(group["params"]) for group in optimizer.param_groups)
    out: list[dict[str, Any]] = []
    for index in range(n_params):
        entries = state.get(index, {})
        out.append(
            {
                key: value.detach().cpu().numpy().copy() if hasattr(value, "detach") else value
                for key, value in entries.items()
            }
        )
    return out


def load_optimizer_state(
    optimizer: torch.optim.Optimizer, saved: list[Mapping[str, Any]], owner: str
) -> None:
    """Restore :func:`optimizer_state` into ``optimizer`` (built on the same parameters).

    Raises:
        ValueError: if the number of parameters or a moment's shape differs.
    """
    import torch

    params = [p for group in optimizer.param_groups for p in group["params"]]
    if len(saved) != len(params):
        raise ValueError(
            f"saved {owner} optimizer state has {len(saved)} parameters, the network {len(params)}"
        )
    state: dict[int, dict[str, Any]] = {}
    for index, (entries, param) in enumerate(zip(saved, params, strict=True)):
        restored: dict[str, Any] = {}
        for key, value in entries.items():
            if isinstance(value, np.ndarray):
                if value.ndim and value.shape != tuple(param.shape):
                    raise ValueError(
                        f"saved {owner} optimizer entry {key!r} of parameter {index} has shape "
                        f"{value.shape}, the parameter {tuple(param.shape)}"
                    )
                restored[key] = torch.from_numpy(value.copy())
            else:
                restored[key] = value
        if restored:
            state[index] = restored
    optimizer.load_state_dict(
        {"state": state, "param_groups": optimizer.state_dict()["param_groups"]}
    )
