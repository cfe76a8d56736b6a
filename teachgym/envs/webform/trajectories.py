"""Scripted and random action sequences over forms (for parity checks and tests).

Three kinds: ``oracle`` (the generator's plan), ``perturbed`` (the plan with random
actions, valid or not, slipped in) and ``random`` (mostly valid random actions, some
arbitrary ones that are usually no-ops).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from teachgym.envs.webform.form import ACTION_KINDS, Action, Form, FormSimulator
from teachgym.envs.webform.generator import FORM_PRESETS, WEBFORM_TASK_SPACE, generate_form
from teachgym.tasks import Task

TRAJECTORY_KINDS = ("oracle", "perturbed", "random")


def valid_actions(sim: FormSimulator) -> list[Action]:
    """Every action that does something in the simulator's current state."""
    form = sim.form
    out: list[Action] = []
    n_fields = len(form.fields)
    for e in form.elements:
        if not sim.actionable(e.eid):
            continue
        if e.tag != "span":
            out.append(Action("click", e.eid))
        for j in range(n_fields):
            if sim.can_type(e.eid, j):
                out.append(Action("type", e.eid, j))
            if sim.select_option(e.eid, j) > 0:
                out.append(Action("select", e.eid, j))
    for kind in ("scroll_up", "scroll_down", "submit"):
        if sim.clone().apply(Action(kind)):
            out.append(Action(kind))
    return out


def arbitrary_action(form: Form, rng: np.random.Generator) -> Action:
    """Any action on any element and field of ``form`` (often a no-op)."""
    kind = ACTION_KINDS[int(rng.integers(len(ACTION_KINDS)))]
    return Action(kind, int(rng.integers(len(form.elements))), int(rng.integers(len(form.fields))))


def random_trajectory(
    form: Form, rng: np.random.Generator, length: int = 30, arbitrary_share: float = 0.2
) -> list[Action]:
    """Up to ``length`` actions: valid ones drawn uniformly (submit only rarely), with
    probability ``arbitrary_share`` an arbitrary one instead. Stops after a submission."""
    sim = FormSimulator(form)
    actions: list[Action] = []
    while len(actions) < length and not sim.submitted:
        if rng.random() < arbitrary_share:
            action = arbitrary_action(form, rng)
        else:
            choices = valid_actions(sim)
            ending = [
                a
                for a in choices
                if a.kind == "submit"
                or (a.element >= 0 and form.elements[a.element].role == "submit")
            ]
            if ending and rng.random() < 0.9:
                choices = [a for a in choices if a not in ending] or choices
            action = choices[int(rng.integers(len(choices)))]
        sim.apply(action)
        actions.append(action)
    return actions


def perturbed_oracle(form: Form, rng: np.random.Generator, n_noise: int = 4) -> list[Action]:
    """The oracle's plan with ``n_noise`` arbitrary actions inserted at random places."""
    plan = list(form.oracle)
    for _ in range(n_noise):
        plan.insert(int(rng.integers(len(plan))), arbitrary_action(form, rng))
    return plan


@dataclass(frozen=True)
class Trajectory:
    """A task (with ``level_seed``), its form, an action sequence and how it was made."""

    task: Task
    form: Form
    actions: list[Action]
    kind: str


VARIANTS: dict[str, dict[str, Any]] = {
    "default": {},
    "miniwob": {"unlabelled": 0.5, "popup_style": "confirm", "fresh_choices": True},
    "autocomplete": {},
    "date_picker": {},
    "flight_results": {},
    "confirm_password": {"confirm_password": 1.0},
}
"""Named ``generate_form`` options for parity suites: the defaults, the MiniWoB++
widgets (an unlabelled field on half the forms, confirmation pop-ups, made-up option
and checkbox words), ``autocomplete`` (the defaults; every task has an
autocomplete field), ``date_picker`` (the defaults; every task has a date picker) and
``flight_results`` (the defaults; every task has a date picker, an autocomplete field
(From and To on a flight form) and a flight-results page) and ``confirm_password``
(every task a login form whose asked password is followed by its ``verify password``
confirmation field)."""


def form_of(task: Task, **options: Any) -> Form:
    """The form ``WebFormEnv`` builds for a task carrying ``level_seed`` (``options``:
    the env's ``generate_form`` options, e.g. ``popup_style``)."""
    if task.get("level_seed") is None:
        raise ValueError("form_of needs a task with a 'level_seed' to pin the form")
    return generate_form(
        WEBFORM_TASK_SPACE.validate(task), np.random.default_rng(task["level_seed"]), **options
    )


def trajectory_suite(n: int, seed: int = 0, variant: str = "default") -> list[Trajectory]:
    """``n`` trajectories across the difficulty range: the presets first, then uniform
    random tasks; the kinds cycle through oracle, perturbed and random. ``variant``
    names the generator options (:data:`VARIANTS`); with ``"miniwob"`` every task has
    a pop-up, so each confirmation pop-up is replayed."""
    if variant not in VARIANTS:
        raise ValueError(f"unknown trajectory variant {variant!r}; known: {sorted(VARIANTS)}")
    options = VARIANTS[variant]
    rng = np.random.default_rng(seed)
    tasks = [dict(task) for task in FORM_PRESETS.values()]
    while len(tasks) < n:
        tasks.append(WEBFORM_TASK_SPACE.sample(rng))
    out = []
    for i, task in enumerate(tasks[:n]):
        task["level_seed"] = seed * 100_003 + i
        if variant == "miniwob":
            task["popup"] = True
        if variant == "autocomplete":
            task["autocomplete"] = True
        if variant in ("date_picker", "flight_results"):
            task["date_picker"] = True
        if variant == "flight_results":
            task["flight_results"] = task["autocomplete"] = True
        if variant == "confirm_password":  # a password field on every form
            task["theme"], task["field_types"] = "login", "login"
            task["n_fields"], task["required_fraction"] = max(task["n_fields"], 2), 1.0
        form = form_of(task, **options)
        kind = TRAJECTORY_KINDS[i % len(TRAJECTORY_KINDS)]
        if kind == "oracle":
            actions = list(form.oracle)
        elif kind == "perturbed":
            actions = perturbed_oracle(form, rng)
        else:
            actions = random_trajectory(form, rng)
        out.append(Trajectory(task, form, actions, kind))
    return out
