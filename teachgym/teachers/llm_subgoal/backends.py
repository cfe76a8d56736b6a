"""Answer sources for the LLM teachers: the backend protocol and its four backends.

A backend turns a :class:`~.prompt.Query` into answer text (JSON expected). The
teacher parses and checks that text; a backend never interprets it.

- ``planner``: deterministic, offline; derives the answer from the query's
  canonical text (:mod:`.planner` for layouts, :mod:`.task_summary` for results).
- ``noisy-oracle``: the oracle chain with each subgoal replaced, with probability
  ``1 - accuracy``, by another subgoal on another object of the layout (valid but
  wrong), as the published work studied subgoal quality (docs/references.md
  [ruizgonzalez2024]).
- ``openai``: any OpenAI-compatible chat-completions server (:mod:`.openai_backend`).
- ``llama-cpp``: an in-process GGUF model through the optional llama-cpp-python.
"""

from __future__ import annotations

import hashlib
import json
import os
from typing import Any, Protocol, runtime_checkable

import numpy as np

from teachgym.subgoals import KIND_OBJECTS
from teachgym.teachers.llm_subgoal.answer import answer_text
from teachgym.teachers.llm_subgoal.grounded import GROUNDED_TEMPLATE_VERSION, grounded_answer_text
from teachgym.teachers.llm_subgoal.layout_text import parse_layout
from teachgym.teachers.llm_subgoal.planner import plan_subgoals
from teachgym.teachers.llm_subgoal.prompt import Query
from teachgym.teachers.llm_subgoal.task_summary import plan_task


def chain_answer(subgoals: list[dict[str, Any]], query: Query) -> str:
    """The answer text of a chain in the form ``query``'s template asks for."""
    if query.template_version == GROUNDED_TEMPLATE_VERSION:
        return grounded_answer_text(subgoals, parse_layout(query.source_text))
    return answer_text(subgoals)


class BackendError(RuntimeError):
    """A backend could not produce an answer (server down, timeouts, bad reply)."""


class BackendUnavailableError(RuntimeError):
    """A backend cannot be used here (optional dependency or model file missing)."""


@runtime_checkable
class Backend(Protocol):
    """What the teachers need from an answer source.

    ``name`` and ``model`` identify the answer source in cache keys.
    """

    name: str
    model: str

    def complete(self, query: Query) -> str:
        """The answer text for ``query``; raises :class:`BackendError` when none comes."""
        ...


class PlannerBackend:
    """Deterministic offline answers derived from the query's canonical text."""

    name = "planner"
    model = "planner-v1"

    def complete(self, query: Query) -> str:
        if query.kind == "subgoals":
            return chain_answer(plan_subgoals(parse_layout(query.source_text)), query)
        if query.kind != "task":
            raise BackendError(f"the planner backend does not answer {query.kind} questions")
        return json.dumps({"task": plan_task(query.source_text)})

    def __repr__(self) -> str:
        return "PlannerBackend()"


def _text_seed(seed: int, text: str) -> int:
    digest = hashlib.sha256(f"{seed}\n{text}".encode()).digest()
    return int.from_bytes(digest[:8], "little")


class NoisyOracleBackend:
    """The oracle chain, each subgoal wrong with probability ``1 - accuracy``.

    A wrong subgoal names another object of the layout (with a kind that fits it),
    so it passes validation and misleads the student, as a plausible model error
    would. The corruption is a deterministic function of (seed, layout), so one
    layout always gets the same chain. A subgoal stays right when the layout has
    no other object to point at.

    Args:
        accuracy: probability in [0, 1] that each subgoal is kept.
        seed: seed of the corruption.
    """

    name = "noisy-oracle"

    def __init__(self, accuracy: float = 1.0, seed: int = 0) -> None:
        if not (isinstance(accuracy, int | float) and 0.0 <= float(accuracy) <= 1.0):
            raise ValueError(f"noisy-oracle accuracy must be a number in [0, 1], got {accuracy!r}")
        self.accuracy = float(accuracy)
        self.seed = int(seed)
        self.model = f"accuracy={self.accuracy:g},seed={self.seed}"

    def complete(self, query: Query) -> str:
        if query.kind != "subgoals":
            raise BackendError("the noisy-oracle backend answers subgoal questions only")
        if query.reference is None:
            raise BackendError(
                "the noisy-oracle backend needs the oracle chain: pass the environment's "
                "oracle subgoals with the query"
            )
        layout = parse_layout(query.source_text)
        rng = np.random.default_rng(_text_seed(self.seed, query.source_text))
        others = sorted(
            (obj for obj in layout.objects.values() if obj.obj_type != "floor"),
            key=lambda o: (o.pos[1], o.pos[0]),
        )
        chain = []
        for subgoal in query.reference:
            keep = rng.random() < self.accuracy
            choices = [o for o in others if o.pos != tuple(subgoal["pos"])]
            if keep or not choices:
                chain.append(dict(subgoal))
                continue
            obj = choices[int(rng.integers(len(choices)))]
            kinds = [k for k in ("go to", "pick up", "open") if obj.obj_type in KIND_OBJECTS[k]]
            kind = kinds[int(rng.integers(len(kinds)))]
            chain.append(
                {"kind": kind, "obj_type": obj.obj_type, "color": obj.color, "pos": list(obj.pos)}
            )
        return chain_answer(chain, query)

    def __repr__(self) -> str:
        return f"NoisyOracleBackend(accuracy={self.accuracy:g}, seed={self.seed})"


class LlamaCppBackend:
    """An in-process GGUF model through llama-cpp-python (optional dependency).

    Args:
        model_path: path of a local ``.gguf`` file.
        n_ctx: context length (tokens); ``max_tokens``: answer length limit (tokens).

    Raises:
        BackendUnavailableError: if llama-cpp-python is not installed or the file is missing.
    """

    name = "llama-cpp"

    def __init__(self, model_path: str, n_ctx: int = 4096, max_tokens: int = 512) -> None:
        try:
            import llama_cpp
        except ImportError:
            raise BackendUnavailableError(
                "the llama-cpp backend needs the optional package llama-cpp-python "
                "(pip install 'teachgym[llm-local]'; it may compile llama.cpp), or use the "
                "'openai' backend with a llama.cpp server, or the offline 'planner' backend"
            ) from None
        if not os.path.isfile(model_path):
            raise BackendUnavailableError(
                f"the llama-cpp backend needs a local GGUF model file; {model_path!r} is missing"
            )
        self.model = os.path.basename(model_path)
        self.max_tokens = int(max_tokens)
        self._llama = llama_cpp.Llama(model_path=model_path, n_ctx=n_ctx, verbose=False)

    def complete(self, query: Query) -> str:
        try:
            reply: Any = self._llama.create_chat_completion(
                messages=[
                    {"role": "system", "content": query.system},
                    {"role": "user", "content": query.user},
                ],
                response_format={"type": "json_object", "schema": query.schema},
                temperature=0.0,
                max_tokens=self.max_tokens,
            )
            content = reply["choices"][0]["message"]["content"]
        except (KeyError, IndexError, TypeError, ValueError, RuntimeError) as exc:
            raise BackendError(
                f"llama-cpp produced no answer: {type(exc).__name__}: {exc}"
            ) from None
        if not isinstance(content, str):
            raise BackendError("llama-cpp returned a reply without text content")
        return content

    def __repr__(self) -> str:
        return f"LlamaCppBackend(model={self.model!r})"
