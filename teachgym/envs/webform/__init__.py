"""The web-form family: generated forms simulated in pure Python, rendered as real HTML.

``teachgym/WebForm-v0`` (:class:`WebFormEnv`) is the one id of the family; its task
space (:data:`WEBFORM_TASK_SPACE`) holds the difficulty parameters and
:data:`FORM_PRESETS` names classic tasks. :mod:`.browser` (needs ``teachgym[web]`` and
Chromium) replays action sequences in headless Chromium to check parity.
"""

from teachgym.envs.webform.env import WebFormEnv
from teachgym.envs.webform.form import Action, Form, FormSimulator
from teachgym.envs.webform.generator import (
    FORM_PRESETS,
    WEBFORM_TASK_SPACE,
    generate_form,
    preset_task,
)
from teachgym.envs.webform.html import render_html

__all__ = [
    "FORM_PRESETS",
    "WEBFORM_TASK_SPACE",
    "Action",
    "Form",
    "FormSimulator",
    "WebFormEnv",
    "generate_form",
    "preset_task",
    "render_html",
]
