"""MiniWoB++ form tasks through the web-form family's observation and action encoding.

``MiniWoBFormEnv`` runs a real MiniWoB++ task (``pip install miniwob``; Debian's
``chromium`` and ``chromium-driver``) and presents it exactly as
:class:`~teachgym.envs.webform.WebFormEnv` presents its simulated forms: the same
padded ``Dict`` observation (built by :class:`~.encoding.WebFormCodec`) and the same
flat actions with a mask. A policy trained on ``WebForm-v0`` can therefore be
evaluated zero-shot on pages nobody here wrote, and the MiniWoB++ task list is the
categorical task space ``miniwob_task`` for a teacher.

Mapping (MiniWoB++, Liu et al., ICLR 2018; docs/references.md [liu2018miniwob]: DOM
elements with ref, parent, geometry, tag,
text, value, id, classes, flags; key/value fields extracted from the utterance):

- elements: the visible leaves and the controls (``input``, ``button``, ``select``,
  ``textarea``, ``a``) inside ``#area`` (the task area below the instruction), in
  DOM order; text pseudo-elements become ``span``; an element's *context* is the
  closest text to its left on the same line or just above it (MiniWoB++ forms put
  labels above inputs, WebForm-v0 to their left);
- a pop-up (``#popup`` inside the task area, as ``login-user-popup`` opens when an
  input takes the focus) is encoded as WebForm-v0 encodes its own: its elements come
  first with the in-pop-up flag, the page's elements are flagged as covered, the
  status says a pop-up is open, and its dismiss button (Cancel, Close, ...) gets the
  ``close`` role; the pop-up's OK button never gets the ``submit`` role;
- a page button (not in a pop-up) whose text is a submit word (submit, login,
  search, ok, ...) gets the ``submit`` role; the flat ``submit`` action clicks it;
- instruction fields: MiniWoB++'s own extraction, except that a value its extractor
  names ``target`` is keyed by what the utterance says it goes into: ``text`` for
  "into the text field", and ``password`` plus ``verify password`` for "the
  password ... into both text fields" (WebForm-v0 fills one control per field);
- ``click(e)`` is ``CLICK_ELEMENT``; ``type(e, f)`` replaces the input's value as
  WebForm-v0 does: ``CLICK_ELEMENT``, ``PRESS_KEY C-a``, ``TYPE_TEXT`` (MiniWoB++'s
  typing alone appends); ``select`` and scrolling have no counterpart (masked);
- reward (``reward="binary"``, the published standard): +1 if MiniWoB++'s raw
  reward is positive at the end, else -1; ``reward="time-decayed"``: MiniWoB++'s
  own reward (a success scaled down by the time it took), -1 on truncation;
- time: MiniWoB++ ends an episode itself when the task's time limit passes
  (``core.EPISODE_MAX_TIME``: 10 s by default, 15 s on ``enter-password`` and
  ``login-user-popup``), which counts as a failure; the bridge also truncates after
  ``max_steps`` actions;
- a browser that crashes or stops answering raises :class:`MiniWoBBrowserError`
  (the episode is lost); the next ``reset()`` starts a new browser.

This env is not registered in the catalog (it needs a browser and about 1 GB per
instance); build it directly. One MiniWoB++ instance is open at a time: changing the
task closes the previous one.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from typing import Any

import numpy as np

from teachgym.envs.task_env import TaskEnv
from teachgym.envs.webform.browser import chromium_paths, chromium_unavailable_reason
from teachgym.envs.webform.encoding import (
    COVERED,
    FOCUSED,
    GEOMETRY,
    HAS_VALUE,
    IN_POPUP,
    IN_VIEWPORT,
    INPUT_TYPES,
    N_ELEMENT_FEATURES,
    N_OVERLAP,
    ROLES,
    TAGS,
    WebFormCodec,
)
from teachgym.envs.webform.vocabulary import FIELD_TYPES, word_set
from teachgym.tasks import Categorical, Task, TaskSpace

MINIWOB_FORM_TASKS = ("login-user", "enter-text", "enter-password", "login-user-popup")
"""MiniWoB++ tasks whose instruction is key/value fields filled by typing and clicking."""
SUBMIT_WORDS = frozenset({"submit", "login", "log", "search", "sign", "book", "ok", "send"})
CLOSE_WORDS = frozenset({"cancel", "close", "dismiss", "no"})
"""Words of a pop-up button that dismisses the pop-up (its ``close`` role)."""
REWARDS = ("binary", "time-decayed")
_BOTH_FIELDS = re.compile(r'password "(.*)" into both text fields')
_TEXT_FIELD = re.compile(r'"(.*)" into the text field')
TASK_AREA_PX = 160.0
"""Width (and the height below the instruction) of MiniWoB++'s task area in pixels."""
_TEXT_LIKE_INPUTS = frozenset({"text", "password", "email", "number", "date", "tel", "search"})


def miniwob_unavailable_reason() -> str | None:
    """Why MiniWoB++ cannot run here, or ``None`` if it can."""
    reason = chromium_unavailable_reason()
    if reason is not None:
        return reason
    try:
        import miniwob  # noqa: F401  (only checks that it is installed)
    except ImportError:
        return "miniwob is not installed: pip install 'teachgym[miniwob]'"
    return None


class MiniWoBBrowserError(RuntimeError):
    """The MiniWoB++ browser crashed or stopped answering; ``reset()`` starts a new one."""


def instruction_fields(utterance: str, fields: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """MiniWoB++'s extracted ``(key, value)`` fields, keyed as WebForm-v0 keys them.

    A ``target`` value gets the key the utterance names (see the module docstring);
    every other field is kept as extracted.
    """
    if [key for key, _ in fields] != ["target"]:
        return fields
    value = fields[0][1]
    if _BOTH_FIELDS.search(utterance):
        return [("password", value), ("verify password", value)]
    if _TEXT_FIELD.search(utterance):
        return [("text", value)]
    return fields


def _area_elements(dom: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Visible leaves and controls inside ``#area``: the pop-up's first, then the page's,
    each in DOM order; every one is a copy with ``in_popup`` set."""
    by_ref = {int(e["ref"]): e for e in dom}
    area_refs = {int(e["ref"]) for e in dom if e["id"] == "area"}
    popup_refs = {int(e["ref"]) for e in dom if e["id"] == "popup"}

    def ancestors(element: dict[str, Any]) -> set[int]:
        found, parent = set(), int(element["parent"])
        while parent and parent not in found:
            found.add(parent)
            parent = int(by_ref[parent]["parent"]) if parent in by_ref else 0
        return found

    popup: list[dict[str, Any]] = []
    page: list[dict[str, Any]] = []
    for e in dom:
        tag = str(e["tag"]).lower()
        control = tag.startswith(("input", "button", "select", "textarea", "a"))
        leaf = bool(e["flags"][3]) and bool(str(e["text"]).strip())
        above = ancestors(e)
        if (control or leaf) and float(e["width"][0]) > 0 and above & area_refs:
            in_popup = bool(above & popup_refs)
            (popup if in_popup else page).append({**e, "in_popup": in_popup})
    return popup + page


def _role(element: dict[str, Any]) -> str:
    """``submit`` for a page button with a submit word, ``close`` for a pop-up button
    with a dismiss word, else ``""``."""
    if _kind(element)[0] != "button":
        return ""
    text = word_set(str(element["text"]))
    if element["in_popup"]:
        return "close" if text & CLOSE_WORDS else ""
    return "submit" if text & SUBMIT_WORDS else ""


def _kind(element: dict[str, Any]) -> tuple[str, str]:
    """MiniWoB++ tag -> (WebForm-v0 tag, input type)."""
    tag = str(element["tag"]).lower()
    if tag.startswith("input_"):
        input_type = tag.split("_", 1)[1]
        if input_type in ("checkbox", "radio"):
            return "input", input_type
        return "input", input_type if input_type in INPUT_TYPES else "text"
    if tag == "textarea":
        return "input", "text"
    if tag in ("button", "select", "label", "a"):
        return tag, ""
    return "span", ""


class MiniWoBFormEnv(TaskEnv[dict[str, np.ndarray], int]):
    """A MiniWoB++ form task with WebForm-v0's observation and flat actions.

    Args:
        task: fixed ``{"miniwob_task": name}`` (default ``login-user``).
        max_elements, max_fields, tokens_per_text, vocab_size: must equal those of the
            ``WebFormEnv`` the policy was trained on.
        max_steps: actions per episode before truncation.
        reward: ``"binary"`` (±1, the default) or ``"time-decayed"`` (MiniWoB++'s own).
        make_env: builds the MiniWoB++ Gymnasium env of a task name (default: Chromium
            through ``miniwob``; also what replaces a crashed browser).
    """

    metadata: dict[str, Any] = {"render_modes": []}
    task_space = TaskSpace({"miniwob_task": Categorical(MINIWOB_FORM_TASKS)})
    default_task: Task = {"miniwob_task": "login-user"}
    return_bounds = (-1.0, 1.0)
    mastery_return = 0.0

    def __init__(
        self,
        task: dict[str, Any] | None = None,
        max_elements: int = 12,
        max_fields: int = 3,
        tokens_per_text: int = 6,
        vocab_size: int = 1024,
        max_steps: int = 10,
        reward: str = "binary",
        make_env: Callable[[str], Any] | None = None,
    ) -> None:
        if make_env is None:
            reason = miniwob_unavailable_reason()
            if reason is not None:
                raise RuntimeError(f"MiniWoBFormEnv cannot run: {reason}")
        if not (isinstance(max_steps, int) and max_steps >= 1):
            raise ValueError(f"max_steps must be an integer >= 1, got {max_steps!r}")
        if reward not in REWARDS:
            raise ValueError(f"reward must be one of {list(REWARDS)}, got {reward!r}")
        super().__init__(task)
        self.reward_mode = reward
        self._make_env = make_env or _chromium_env
        self.codec = WebFormCodec(max_elements, max_fields, tokens_per_text, vocab_size)
        self.observation_space = self.codec.observation_space  # type: ignore[assignment]
        self.action_space = self.codec.flat_action_space  # type: ignore[assignment]
        self.max_steps = max_steps
        self._subdomain: str | None = None
        self._env: Any = None
        self._elements: list[dict[str, Any]] = []
        self._fields: list[tuple[str, str]] = []
        self._steps = 0
        self._done = True

    def _open(self, subdomain: str) -> None:
        if subdomain == self._subdomain:
            return
        self.close()
        self._env = self._make_env(subdomain)
        self._subdomain = subdomain

    def _call(self, what: str, method: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Run one MiniWoB++ call; a dead or failing browser is closed and reported.

        miniwob runs the browser in a worker thread that records a failure as
        ``instance.died`` (and never answers again once the thread is gone), so the
        flag is checked before and after the call.
        """
        if _browser_dead(self._env):
            self._discard()
            raise MiniWoBBrowserError(
                f"the MiniWoB++ browser is no longer running (before {what}); "
                "reset() starts a new one"
            )
        try:
            result = method(*args, **kwargs)
        except Exception as exc:
            self._discard()
            raise MiniWoBBrowserError(
                f"the MiniWoB++ browser failed during {what} ({type(exc).__name__}: {exc}); "
                "reset() starts a new one"
            ) from exc
        if _browser_dead(self._env):
            self._discard()
            raise MiniWoBBrowserError(
                f"the MiniWoB++ browser crashed during {what}; reset() starts a new one"
            )
        return result

    def _discard(self) -> None:
        """Drop the browser without waiting on it (it may be unresponsive)."""
        self._env, self._subdomain, self._done = None, None, True

    def _reset_task(self, task: Task) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
        self._open(str(task["miniwob_task"]))
        seed = int(self.level_rng.integers(1 << 31))
        observation, _ = self._call("reset", self._env.reset, seed=seed)
        self._steps = 0
        self._done = False
        self._fields = instruction_fields(
            str(observation["utterance"]), [(str(k), str(v)) for k, v in observation["fields"]]
        )[: self.codec.F]
        self._read(observation)
        return self._observation(), {"instruction": str(observation["utterance"])}

    def _read(self, observation: dict[str, Any]) -> None:
        self._elements = _area_elements(list(observation["dom_elements"]))[: self.codec.E]

    def _observation(self) -> dict[str, np.ndarray]:
        codec = self.codec
        E, F = codec.E, codec.F
        tokens = codec.tokens
        obs: dict[str, np.ndarray] = {}
        for key, space in codec.observation_space.items():
            assert space.shape is not None and space.dtype is not None
            obs[key] = np.zeros(space.shape, dtype=space.dtype)
        texts = [str(e["text"]) for e in self._elements]
        boxes = [
            (float(e["left"][0]), float(e["top"][0]), float(e["width"][0]), float(e["height"][0]))
            for e in self._elements
        ]
        top_of_area = min((b[1] for b in boxes), default=0.0)
        popup_open = any(e["in_popup"] for e in self._elements)
        for slot, element in enumerate(self._elements):
            tag, input_type = _kind(element)
            features = obs["element_features"][slot]
            features[TAGS.index(tag)] = 1.0
            if input_type:
                features[len(TAGS) + INPUT_TYPES.index(input_type)] = 1.0
            role = _role(element)
            if role:
                features[len(TAGS) + len(INPUT_TYPES) + ROLES.index(role)] = 1.0
            features[FOCUSED] = float(element["flags"][0])
            features[IN_POPUP] = float(element["in_popup"])
            features[COVERED] = float(popup_open and not element["in_popup"])
            features[IN_VIEWPORT] = 1.0
            features[HAS_VALUE] = float(bool(str(element["value"])))
            left, top, width, height = boxes[slot]
            features[GEOMETRY : GEOMETRY + 4] = (
                left / TASK_AREA_PX,
                (top - top_of_area) / TASK_AREA_PX,
                width / TASK_AREA_PX,
                height / TASK_AREA_PX,
            )
            obs["element_tokens"][slot] = tokens(texts[slot])
            obs["element_value_tokens"][slot] = tokens(str(element["value"]))
            obs["element_class_tokens"][slot] = tokens(str(element["classes"]), 2)
            obs["element_mask"][slot] = 1.0
        for index, (key, value) in enumerate(self._fields):
            obs["field_key_tokens"][index] = tokens(key)
            obs["field_value_tokens"][index] = tokens(value)
            obs["field_features"][index, FIELD_TYPES.index("text")] = 1.0
            obs["field_mask"][index] = 1.0
            key_words, value_words = word_set(key), word_set(value)
            for slot, element in enumerate(self._elements):
                own = word_set(texts[slot])
                context = word_set(self._context(slot, texts, boxes))
                overlap = obs["overlap"][slot, index]
                overlap[0] = len(key_words & own) / max(len(key_words), 1)
                overlap[1] = len(key_words & context) / max(len(key_words), 1)
                overlap[2] = len(value_words & own) / max(len(value_words), 1)
                overlap[3] = float(bool(value) and str(element["value"]) == value)
        obs["status"][:] = (0.0, 1.0, float(popup_open), 0.0, 1.0 - self._steps / self.max_steps)
        assert obs["overlap"].shape == (E, F, N_OVERLAP)
        assert obs["element_features"].shape == (E, N_ELEMENT_FEATURES)
        return obs

    @staticmethod
    def _context(
        slot: int, texts: list[str], boxes: list[tuple[float, float, float, float]]
    ) -> str:
        """The closest text left of the element on its line, else just above it."""
        left, top, _, height = boxes[slot]
        best, best_distance = "", float("inf")
        for other, (o_left, o_top, o_width, o_height) in enumerate(boxes):
            if other == slot or not texts[other].strip():
                continue
            same_line = abs((o_top + o_height / 2) - (top + height / 2)) < height / 2
            if same_line and o_left + o_width <= left + 1:
                distance = left - (o_left + o_width)
            elif o_top + o_height <= top + 1 and top - (o_top + o_height) < 32:
                distance = 1000 + top - (o_top + o_height)
            else:
                continue
            if distance < best_distance:
                best, best_distance = texts[other], distance
        return best

    def action_masks(self) -> np.ndarray:
        """Boolean mask over the flat actions (see the module docstring for the mapping)."""
        codec = self.codec
        E, F = codec.E, codec.F
        mask = np.zeros(codec.n_actions, dtype=bool)
        if self._done:
            return mask
        n_fields = len(self._fields)
        popup_open = any(e["in_popup"] for e in self._elements)
        for slot, element in enumerate(self._elements):
            if popup_open and not element["in_popup"]:
                continue  # under the pop-up, as in WebForm-v0
            tag, input_type = _kind(element)
            mask[slot] = tag != "span"
            if tag == "input" and input_type in _TEXT_LIKE_INPUTS:
                mask[E + slot * F : E + slot * F + n_fields] = True
        mask[E + 2 * E * F + 2] = not popup_open and self._submit_slot() is not None
        return mask

    def _submit_slot(self) -> int | None:
        for slot, element in enumerate(self._elements):
            if _role(element) == "submit":
                return slot
        return None

    def step(self, action: Any) -> tuple[dict[str, np.ndarray], float, bool, bool, dict[str, Any]]:
        if self._done:
            raise RuntimeError("the MiniWoB++ episode is over: call reset() before step()")
        kind, slot, field = self.codec.decode_flat(int(action))
        valid = bool(self.action_masks()[int(action)])
        if kind == "submit" and valid:
            kind, slot = "click", self._submit_slot() or 0
        self._steps += 1
        reward, terminated = 0.0, False
        info: dict[str, Any] = {"action_valid": valid}
        raw: dict[str, Any] = {}
        env_reward = -1.0
        if valid:
            ref = int(self._elements[slot]["ref"])
            unwrapped = self._env.unwrapped
            commands = [unwrapped.create_action("CLICK_ELEMENT", ref=ref)]
            if kind == "type":
                select_all = unwrapped.action_space_config.allowed_keys.index("C-a")
                commands.append(unwrapped.create_action("PRESS_KEY", key=select_all))
                commands.append(unwrapped.create_action("TYPE_TEXT", text=self._fields[field][1]))
            for command in commands:
                observation, env_reward, terminated, _, raw = self._call(
                    kind, self._env.step, command
                )
                if terminated:
                    break
            if not terminated:
                self._read(observation)
        truncated = not terminated and self._steps >= self.max_steps
        self._done = terminated or truncated
        if self._done:
            info["is_success"] = bool(terminated and float(raw.get("raw_reward", 0.0)) > 0)
            if self.reward_mode == "time-decayed" and terminated:
                reward = float(env_reward)
            else:
                reward = 1.0 if info["is_success"] else -1.0
            if terminated:
                info["miniwob_reason"] = raw.get("reason")
        return self._observation(), reward, terminated, truncated, info

    def close(self) -> None:
        if self._env is not None:
            env, self._env, self._subdomain = self._env, None, None
            if not _browser_dead(env):
                env.close()


def _browser_dead(env: Any) -> bool:
    """Whether miniwob's browser worker has failed (``instance.died``) or its thread is gone."""
    instance = getattr(getattr(env, "unwrapped", None), "instance", None)
    if instance is None:
        return False
    thread_gone = bool(getattr(instance, "threading", False)) and not instance.is_alive()
    return bool(getattr(instance, "died", False)) or thread_gone


def _chromium_env(subdomain: str) -> Any:
    """MiniWoB++'s Gymnasium env of ``subdomain`` in headless Chromium."""
    import gymnasium as gym
    import miniwob

    paths = chromium_paths()
    assert paths is not None
    os.environ.setdefault("MINIWOB_CHROME_BINARY", paths[0])
    os.environ.setdefault("MINIWOB_CHROMEDRIVER", paths[1])
    gym.register_envs(miniwob)
    return gym.make(f"miniwob/{subdomain}-v1")
