"""``teachgym/WebForm-v0``: browser-free procedurally generated web forms.

An instruction (key/value fields such as ``username: alice``) must be carried out on a
generated form, then the form submitted. The whole page is simulated in pure Python
(:mod:`.form`); :mod:`.html` renders the very same form as real HTML and
:mod:`.browser` replays actions in headless Chromium to check parity.

Sources (Gur et al., ICLR 2019, QWeb; docs/references.md [gur2019qweb]): the QWeb
factored actions ``click(element)`` and
``type(element, field)`` with the typed text an instruction value; element features
(tag, text, value, placeholder, class, focus, geometry) and element x field word
overlap; the ±1 terminal reward and the potential-based shaping with
Φ = fraction of instruction fields holding the right value; the warm-start and
sub-instruction curricula (task parameters here). Deviation: ``select(element,
field)`` picks the option whose text is the field's value, rather than clicking
through the option list.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from gymnasium import spaces

from teachgym.envs.task_env import TaskEnv, TestSet
from teachgym.envs.webform.encoding import ViewEncoder, WebFormCodec
from teachgym.envs.webform.form import ACTION_KINDS, Action, Form, FormSimulator
from teachgym.envs.webform.generator import (
    CATEGORICAL_LEVELS,
    FORM_PRESETS,
    FORM_SUBSPACES,
    HARD_VERSION,
    MAX_PAGE_ELEMENTS,
    POPUP_STYLES,
    WEBFORM_NUMERIC_TASK_SPACE,
    WEBFORM_TASK_SPACE,
    categorical_task,
    generate_form,
    hard_tasks,
    numeric_task,
    preset_task,
)
from teachgym.envs.webform.html import render_html
from teachgym.task_ranges import clip_task, narrow_space
from teachgym.tasks import Task

REWARD_MODES = ("sparse", "partial")
ACTION_MODES = ("flat", "dict")


class WebFormEnv(TaskEnv[dict[str, np.ndarray], Any]):
    """Fill a generated web form from a key/value instruction, then submit it.

    Args:
        task: a task fixed for every episode (see :data:`.generator.WEBFORM_TASK_SPACE`).
        preset: name of a preset task (``login``, ``search``, ``book_flight``,
            ``profile``) to fix instead of ``task``.
        action_mode: ``"flat"`` (``Discrete`` with :meth:`action_masks`, for
            sb3-contrib's MaskablePPO) or ``"dict"`` (kind, element, field).
        reward: ``"sparse"``: +1 for a successful submission, -1 for a failed one or
            when the step limit is reached; ``"partial"``: a failure earns
            Phi - 1 instead (Phi = fraction of instruction fields holding the right value).
        shaping: add the potential-based term gamma * Phi(s') - Phi(s) each step (Phi(s') = 0
            at the end of an episode), which keeps the optimal policy unchanged.
        gamma: the gamma of the shaping term (use the agent's discount).
        horizon_factor, horizon_slack: the episode ends (truncated) after
            ``ceil(horizon_factor * optimal) + horizon_slack`` steps, where
            ``optimal`` is the length of the oracle's plan.
        max_elements, max_fields, tokens_per_text, vocab_size: observation sizes
            (see :mod:`.encoding`); the defaults fit every task of the task space.
        render_mode: ``"html"`` (the page as an HTML document) or ``"ansi"`` (text).
        numeric_tasks: use :data:`.generator.WEBFORM_NUMERIC_TASK_SPACE` (categorical
            parameters as integer levels) so numeric-only teachers can drive the env;
            ``task`` and presets are then given and echoed in that form.
        fresh_values: draw text, password and email values afresh each episode
            instead of from the vocabulary's small pools (see ``generate_form``).
        unlabelled: probability in [0, 1] that one instruction input, select or radio
            group of a form has no label, placeholder or caption (see
            ``generate_form``); 0 keeps every field labelled.
        popup_style: the pop-up of tasks with ``popup``: ``"notice"`` (open at the
            start, one close button) or ``"confirm"`` (opens when an input takes the
            focus, with a harmful button beside the safe one; see ``generate_form``).
        fresh_choices: radio options and checkbox labels are made-up words each
            episode, as MiniWoB++ draws them (see ``generate_form``).
        preselected: probability in [0, 1] that a select starts on its first option
            instead of its prompt, as MiniWoB++'s prompt-less selects (see
            ``generate_form``); 0 keeps every select on its prompt.
        confirm_password: probability in [0, 1] that an asked password field is
            followed by its ``verify password`` confirmation field, as MiniWoB++'s
            ``enter-password`` (see ``generate_form``); 0 adds none.
        ranges: narrow the task space teachers see, per parameter a ``[low, high]``
            range, one held value or a list of choices (:mod:`teachgym.task_ranges`; in
            the numeric view categorical parameters take their integer levels), e.g.
            ``{"n_fields": [1, 5], "popup": False}``; tasks must then lie inside.

    Test sets (each task with its ``level_seed``): ``presets-x10`` (each preset with
    level seeds 0..9) and ``uniform-50`` (50 uniform tasks, seed 0), both version 2
    (their tasks name ``date_picker`` and ``flight_results``), and ``hard`` (version
    :data:`.generator.HARD_VERSION`, :func:`.generator.hard_tasks`: 40 large forms with
    distractors, decoys, paraphrases, pages and pop-ups, and the ``book_flight`` and
    ``profile`` presets). With ``ranges`` their tasks are clipped into the ranges
    (:func:`teachgym.task_ranges.clip_task`).

    Bandit teachers' arms: :meth:`bandit_subspaces` publishes
    :data:`.generator.FORM_SUBSPACES` (difficulty sub-spaces around the presets), which
    suites and ``teachgym train`` give to a bandit teacher not told its ``subspaces``.

    Success (``info["is_success"]`` at the end): submitted with every instruction
    field right and every other control (decoys, distractor inputs, fields the
    instruction does not ask for) at its initial value.

    Invalid actions: an action that does nothing here (element not actionable,
    wrong element kind, padding slot, value the input refuses) is a documented
    no-op that still costs a step; ``info["action_valid"]`` is ``False``.
    :meth:`action_masks` marks exactly the valid flat actions. An action outside the
    action space (out-of-range index, malformed dict) raises ``ValueError``.
    """

    metadata: dict[str, Any] = {"render_modes": ["html", "ansi"], "render_fps": 4}
    task_space = WEBFORM_TASK_SPACE
    default_task: Task = FORM_PRESETS["login"]
    return_bounds = (-1.0, 1.0)
    mastery_return = 0.0

    def __init__(
        self,
        task: dict[str, Any] | None = None,
        preset: str | None = None,
        action_mode: str = "flat",
        reward: str = "sparse",
        shaping: bool = False,
        gamma: float = 0.99,
        horizon_factor: float = 2.0,
        horizon_slack: int = 2,
        max_elements: int = MAX_PAGE_ELEMENTS,
        max_fields: int = 20,
        tokens_per_text: int = 6,
        vocab_size: int = 1024,
        render_mode: str | None = None,
        numeric_tasks: bool = False,
        fresh_values: bool = False,
        unlabelled: float = 0.0,
        popup_style: str = "notice",
        fresh_choices: bool = False,
        ranges: dict[str, Any] | None = None,
        preselected: float = 0.0,
        confirm_password: float = 0.0,
    ) -> None:
        self.numeric_tasks = bool(numeric_tasks)
        self.fresh_values = bool(fresh_values)
        if not (isinstance(unlabelled, float | int) and 0.0 <= unlabelled <= 1.0):
            raise ValueError(f"unlabelled must be a probability in [0, 1], got {unlabelled!r}")
        if popup_style not in POPUP_STYLES:
            raise ValueError(f"popup_style must be one of {POPUP_STYLES}, got {popup_style!r}")
        if not (isinstance(preselected, float | int) and 0.0 <= preselected <= 1.0):
            raise ValueError(f"preselected must be a probability in [0, 1], got {preselected!r}")
        if not (isinstance(confirm_password, float | int) and 0.0 <= confirm_password <= 1.0):
            raise ValueError(
                f"confirm_password must be a probability in [0, 1], got {confirm_password!r}"
            )
        self.unlabelled = float(unlabelled)
        self.confirm_password = float(confirm_password)
        self.preselected = float(preselected)
        self.popup_style = popup_style
        self.fresh_choices = bool(fresh_choices)
        if self.numeric_tasks:
            self.task_space = WEBFORM_NUMERIC_TASK_SPACE
            self.default_task = numeric_task(FORM_PRESETS["login"])
        self.full_task_space = self.task_space
        self.ranges = dict(ranges or {})
        self.task_space = narrow_space(self.full_task_space, self.ranges, "WebFormEnv")
        if self.ranges:
            self.default_task = clip_task(self.default_task, self.task_space, self.full_task_space)
        if preset is not None:
            if task is not None:
                raise ValueError("give either task= or preset=, not both")
            task = self._preset(preset)
        if action_mode not in ACTION_MODES:
            raise ValueError(f"action_mode must be one of {ACTION_MODES}, got {action_mode!r}")
        if reward not in REWARD_MODES:
            raise ValueError(f"reward must be one of {REWARD_MODES}, got {reward!r}")
        if not (isinstance(gamma, float | int) and 0.0 < gamma <= 1.0):
            raise ValueError(f"gamma must be in (0, 1], got {gamma!r}")
        if not (isinstance(horizon_factor, float | int) and horizon_factor >= 1.0):
            raise ValueError(f"horizon_factor must be a number >= 1, got {horizon_factor!r}")
        if not (isinstance(horizon_slack, int) and horizon_slack >= 0):
            raise ValueError(f"horizon_slack must be an integer >= 0, got {horizon_slack!r}")
        if render_mode not in (None, *self.metadata["render_modes"]):
            raise ValueError(f"render_mode must be None, 'html' or 'ansi', got {render_mode!r}")
        super().__init__(task)
        self.codec = WebFormCodec(max_elements, max_fields, tokens_per_text, vocab_size)
        self.action_mode = action_mode
        self.reward_mode = reward
        self.shaping = bool(shaping)
        self.gamma = float(gamma)
        self.horizon_factor = float(horizon_factor)
        self.horizon_slack = horizon_slack
        self.render_mode = render_mode
        self.observation_space = self.codec.observation_space  # type: ignore[assignment]
        self.action_space: spaces.Space[Any] = (
            self.codec.flat_action_space if action_mode == "flat" else self.codec.dict_action_space
        )
        self.form: Form | None = None
        self.sim: FormSimulator | None = None
        self._view: ViewEncoder | None = None
        self.max_steps = 0
        self._steps = 0
        self._potential = 0.0
        self._done = True

    # -- episode ------------------------------------------------------------------
    def _preset(self, name: str) -> Task:
        task = preset_task(name)
        return numeric_task(task) if self.numeric_tasks else task

    def _reset_task(self, task: Task) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
        form = generate_form(
            categorical_task(task) if self.numeric_tasks else task,
            self.level_rng,
            fresh_values=self.fresh_values,
            unlabelled=self.unlabelled,
            popup_style=self.popup_style,
            fresh_choices=self.fresh_choices,
            preselected=self.preselected,
            confirm_password=self.confirm_password,
        )
        sim = FormSimulator(form)
        self._view = ViewEncoder(self.codec, form, sim)
        self.form, self.sim = form, sim
        self.max_steps = math.ceil(self.horizon_factor * len(form.oracle)) + self.horizon_slack
        self._steps = 0
        self._potential = sim.potential()
        self._done = False
        info = {
            "instruction": form.instruction_text(),
            "optimal_steps": len(form.oracle),
            "max_steps": self.max_steps,
        }
        return self._view.observation(1.0), info

    def step(self, action: Any) -> tuple[dict[str, np.ndarray], float, bool, bool, dict[str, Any]]:
        if self._done or self.sim is None or self._view is None:
            raise RuntimeError("the web-form episode is over: call reset() before step()")
        kind, slot, field = self._decode(action)
        sim_action = self._to_sim_action(kind, slot, field)
        valid = sim_action is not None and self.sim.apply(sim_action)
        if valid and sim_action is not None:
            self._view.after_action(sim_action)
        self._steps += 1
        terminated = self.sim.submitted
        truncated = not terminated and self._steps >= self.max_steps
        self._done = terminated or truncated
        changes_values = valid and kind in ("click", "type", "select")
        potential = self.sim.potential() if changes_values else self._potential
        reward = 0.0
        info: dict[str, Any] = {"action_valid": bool(valid), "potential": potential}
        if self._done:
            success = terminated and self.sim.success()
            info["is_success"] = success
            if success:
                reward = 1.0
            elif self.reward_mode == "partial":
                reward = potential - 1.0
            else:
                reward = -1.0
        if self.shaping:
            reward += self.gamma * (0.0 if self._done else potential) - self._potential
        self._potential = potential
        steps_left = 1.0 - self._steps / self.max_steps
        return self._view.observation(steps_left), reward, terminated, truncated, info

    # -- actions ------------------------------------------------------------------
    def _decode(self, action: Any) -> tuple[str, int, int]:
        if self.action_mode == "dict":
            return self.codec.decode_dict(action)
        if type(action) is int or isinstance(action, np.integer):
            return self.codec.decode_flat(int(action))
        if isinstance(action, np.ndarray) and action.ndim == 0 and action.dtype.kind in "iu":
            return self.codec.decode_flat(int(action))
        raise ValueError(f"a flat web-form action must be a scalar integer, got {action!r}")

    def _to_sim_action(self, kind: str, slot: int, field: int) -> Action | None:
        """Slot-based action -> simulator action; ``None`` for a padding slot or field."""
        assert self._view is not None and self.form is not None
        if kind in ("click", "type", "select"):
            slots = self._view.slots()
            if slot >= len(slots):
                return None
            if kind != "click" and field >= len(self.form.fields):
                return None
            return Action(kind, int(slots[slot]), field if kind != "click" else -1)
        return Action(kind)

    def action_masks(self) -> np.ndarray:
        """Boolean mask over the flat actions (True = the action does something now).

        In ``dict`` mode it describes the same actions in the flat layout
        (:meth:`encode_action` converts).
        """
        if self._view is None:
            raise RuntimeError("call reset() before action_masks()")
        if self._done:
            return np.zeros(self.codec.n_actions, dtype=bool)
        return self._view.action_mask()

    def encode_action(self, kind: str, element_id: int = -1, field: int = -1) -> Any:
        """The env action (flat index or dict) for a simulator action on element ``element_id``.

        Raises ``ValueError`` if the element is not in the current view.
        """
        slot = -1
        if kind in ("click", "type", "select"):
            assert self._view is not None
            found = np.flatnonzero(self._view.slots() == element_id)
            if len(found) == 0:
                raise ValueError(f"element {element_id} is not in the current view")
            slot = int(found[0])
        if self.action_mode == "flat":
            return self.codec.encode_flat(kind, slot, field)
        return {"kind": ACTION_KINDS.index(kind), "element": max(slot, 0), "field": max(field, 0)}

    # -- views --------------------------------------------------------------------
    def render(self) -> str | None:
        if self.render_mode is None or self.form is None or self.sim is None:
            return None
        if self.render_mode == "html":
            return render_html(self.form, self.sim)
        return describe_view(self.form, self.sim)

    def test_sets(self) -> dict[str, TestSet]:
        """``presets-x10``, ``uniform-50`` and ``hard`` (class docstring)."""
        tasks = [
            {**self._preset(name), "level_seed": seed}
            for name in FORM_PRESETS
            for seed in range(10)
        ]
        hard = [numeric_task(t) if self.numeric_tasks else t for t in hard_tasks()]
        return {
            "presets-x10": TestSet("presets-x10", 2, self._clipped(tasks)),
            "uniform-50": TestSet("uniform-50", 2, self.task_space.uniform_set(50, seed=0)),
            "hard": TestSet("hard", HARD_VERSION, self._clipped(hard)),
        }

    def _clipped(self, tasks: list[Task]) -> list[Task]:
        if not self.ranges:
            return tasks
        return [clip_task(t, self.task_space, self.full_task_space) for t in tasks]

    def bandit_subspaces(self) -> dict[str, dict[str, Any]]:
        """Named sub-spaces for bandit teachers' arms: :data:`.generator.FORM_SUBSPACES`
        (categorical choices as integer levels in the numeric view); none when ``ranges``
        narrow the space, since the sub-spaces are written for the full one."""
        if self.ranges:
            return {}
        if not self.numeric_tasks:
            return {name: dict(spec) for name, spec in FORM_SUBSPACES.items()}
        return {
            name: {
                k: CATEGORICAL_LEVELS[k].index(v) if k in CATEGORICAL_LEVELS else v
                for k, v in spec.items()
            }
            for name, spec in FORM_SUBSPACES.items()
        }


def describe_view(form: Form, sim: FormSimulator) -> str:
    """A plain-text picture of the current view: the instruction, then one line per element."""
    lines = [form.instruction_text()]
    for e in form.elements:
        if not sim.displayed(e.eid):
            continue
        mark = "*" if sim.actionable(e.eid) else " "
        value = sim.element_value(e.eid)
        state = " [x]" if sim.checked(e.eid) else ""
        lines.append(
            f"{mark} e{e.eid:<3} row {e.row:<3} {e.tag:<6} {e.input_type:<8} "
            f"{e.text or e.placeholder!r}{f' = {value!r}' if value else ''}{state}"
        )
    return "\n".join(lines)
