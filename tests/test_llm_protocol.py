"""Protocol tests: the ``openai`` backend against a real HTTP server on 127.0.0.1.

Timeouts and backoff are tested on a simulated server and clock (a transport and a
sleep injected into the backend), so no test relies on a short timeout holding.

The server (tests/llm_server.py) speaks the OpenAI chat-completions protocol and
answers from the planner, or misbehaves on purpose, so the real client path is
exercised: parsing, validation, fallback, retries, timeouts, cache hits and misses,
and that the API key never leaks. A test against a real model runs only when
``TEACHGYM_LLM_TEST_URL`` names a server (and ``TEACHGYM_LLM_TEST_MODEL`` a model).
"""

from __future__ import annotations

import io
import itertools
import json
import logging
import os
import urllib.error

import gymnasium as gym
import numpy as np
import pytest

import teachgym.envs  # noqa: F401
from teachgym.tasks import Continuous, Integer, TaskSpace
from teachgym.teachers import Outcome, load_teacher, make_teacher, save_teacher
from teachgym.teachers.llm_subgoal import (
    AnswerCache,
    BackendError,
    CacheMissError,
    OpenAIBackend,
    SubgoalTeacher,
    openai_backend,
    subgoal_query,
)
from tests.llm_server import ChatServer

pytestmark = pytest.mark.protocol

KEY = "sk-test-SECRET-0123456789"
KEY_ENV = "TEACHGYM_TEST_API_KEY"


def layout(seed: int = 0, env_id: str = "teachgym/KeyCorridor-v0", task=None):
    env = gym.make(env_id)
    env.reset(seed=seed, options={"task": task or {"num_rows": 2, "room_size": 4}})
    return env.unwrapped.describe(), [s.to_dict() for s in env.unwrapped.oracle_subgoals()]


def backend(url: str, **kwargs) -> OpenAIBackend:
    """A backend for the loopback server; waits between attempts are skipped, not slept."""
    options = {"api_key_env": KEY_ENV, "timeout": 30.0, "max_retries": 2, "backoff": 1.0}
    return OpenAIBackend(url, "test-model", **{**options, "sleep": skip_wait, **kwargs})


def skip_wait(seconds: float) -> None:
    """The backoff between attempts, not waited (the loopback server is not busy)."""


@pytest.fixture(autouse=True)
def api_key(monkeypatch):
    monkeypatch.setenv(KEY_ENV, KEY)


@pytest.fixture(autouse=True)
def fresh_negotiation(monkeypatch):
    """Each test meets its servers for the first time (ports may be reused)."""
    monkeypatch.setattr(openai_backend, "NEGOTIATED", {})


def test_planner_answers_pass_and_requests_follow_the_protocol():
    description, oracle = layout()
    with ChatServer(["planner"]) as server:
        teacher = SubgoalTeacher(backend(server.url))
        proposal = teacher.propose(description, oracle)
    assert proposal.source == "backend" and proposal.subgoals == oracle
    assert proposal.accuracy == 1.0
    body = server.requests[0]
    assert body["model"] == "test-model" and body["temperature"] == 0
    assert [m["role"] for m in body["messages"]] == ["system", "user"]
    assert description in body["messages"][1]["content"]
    assert body["response_format"]["type"] == "json_schema"
    assert server.headers[0]["Authorization"] == f"Bearer {KEY}"
    assert json.dumps(oracle[0]["pos"]) not in json.dumps(body["response_format"])
    assert "oracle" not in json.dumps(body) and '"state"' not in json.dumps(body)


@pytest.mark.parametrize("behaviour", ["malformed", "out-of-bounds"])
def test_invalid_answers_fall_back_to_the_planner_and_are_counted(behaviour):
    description, oracle = layout(1)
    with ChatServer([behaviour]) as server:
        teacher = SubgoalTeacher(backend(server.url))
        proposal = teacher.propose(description, oracle)
    assert proposal.source == "fallback" and proposal.subgoals == oracle
    assert "invalid answer" in (proposal.problem or "")
    assert teacher.diagnostics()["invalid_answers"] == 1
    assert teacher.diagnostics()["fallbacks"] == 1


def test_http_500_is_retried_then_succeeds():
    description, oracle = layout(2)
    with ChatServer(["500", "500", "planner"]) as server:
        client = backend(server.url)
        proposal = SubgoalTeacher(client).propose(description, oracle)
    assert proposal.source == "backend" and proposal.subgoals == oracle
    assert client.attempts == 3


def test_persistent_errors_give_up_after_bounded_retries_and_fall_back(caplog):
    description, oracle = layout(3)
    with caplog.at_level(logging.DEBUG), ChatServer(["500"]) as server:
        client = backend(server.url, max_retries=1)
        teacher = SubgoalTeacher(client)
        proposal = teacher.propose(description, oracle)
        with pytest.raises(BackendError, match=r"HTTP 500.*gave up after 2 attempts") as error:
            client.complete(subgoal_query(description))
    assert client.attempts == 4
    assert proposal.source == "fallback" and teacher.diagnostics()["backend_errors"] == 1
    assert KEY not in str(error.value) and "[redacted]" in str(error.value)
    assert KEY not in caplog.text and KEY not in repr(client) and KEY not in repr(teacher)


class SimulatedServer:
    """A transport on a simulated clock: each reply takes a scripted number of seconds.

    A reply slower than the attempt's timeout raises ``TimeoutError`` once the timeout
    has passed (as ``urlopen`` does); waits between attempts advance the same clock.
    """

    def __init__(self, script: list[tuple[float, str]], errors: list[int] = ()) -> None:
        self.script = list(script)
        self.errors = list(errors)
        self.now = 0.0
        self.timeouts: list[float] = []
        self.sleeps: list[float] = []
        self.formats: list[str] = []

    def __call__(self, request, timeout: float) -> bytes:
        self.formats += formats([json.loads(request.data)])
        if self.errors:
            status = self.errors.pop(0)
            body = io.BytesIO(b'{"error": "busy"}')
            raise urllib.error.HTTPError(request.full_url, status, "error", {}, body)
        delay, behaviour = self.script.pop(0) if len(self.script) > 1 else self.script[0]
        self.timeouts.append(timeout)
        if delay > timeout:
            self.now += timeout
            raise TimeoutError("timed out")
        self.now += delay
        user = json.loads(request.data)["messages"][1]["content"]
        content = ChatServer.answer(behaviour, user)
        return json.dumps({"choices": [{"message": {"content": content}}]}).encode()

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def simulated(server: SimulatedServer, **kwargs) -> OpenAIBackend:
    return backend("http://simulated/v1", transport=server, sleep=server.sleep, **kwargs)


def test_a_reply_slower_than_the_timeout_is_abandoned_and_retried():
    description, oracle = layout(4)
    # Seconds on the simulated server's clock: nothing here waits for real time.
    server = SimulatedServer([(150.0, "planner"), (10.0, "planner")])
    client = simulated(server, timeout=30.0, backoff=5.0)
    proposal = SubgoalTeacher(client).propose(description, oracle)
    assert proposal.source == "backend" and proposal.subgoals == oracle
    assert client.attempts == 2 and server.timeouts == [30.0, 30.0]
    assert server.sleeps == [5.0]
    assert server.now == pytest.approx(30.0 + 5.0 + 10.0)  # the slow reply was not awaited


def test_replies_that_always_time_out_give_up_after_exponential_backoff():
    description = layout(4)[0]
    server = SimulatedServer([(120.0, "planner")])
    client = simulated(server, timeout=10.0, max_retries=3, backoff=1.0)
    with pytest.raises(
        BackendError, match=r"no reply from http://simulated/v1: timed out \(gave up after 4"
    ):
        client.complete(subgoal_query(description))
    assert client.attempts == 4 and server.sleeps == [1.0, 2.0, 4.0]
    assert server.now == pytest.approx(4 * 10.0 + 7.0)
    teacher = SubgoalTeacher(simulated(SimulatedServer([(120.0, "planner")]), max_retries=0))
    proposal = teacher.propose(description, layout(4)[1])
    assert proposal.source == "fallback" and teacher.diagnostics()["backend_errors"] == 1


def test_a_slow_reply_within_the_timeout_is_awaited_not_retried():
    description, oracle = layout(4)
    server = SimulatedServer([(50.0, "planner")])
    client = simulated(server, timeout=60.0)
    proposal = SubgoalTeacher(client).propose(description, oracle)
    assert proposal.source == "backend" and proposal.subgoals == oracle
    assert client.attempts == 1 and server.sleeps == [] and server.now == 50.0


def test_unreachable_server_is_a_clear_backend_error():
    client = OpenAIBackend("http://127.0.0.1:9/v1", "m", timeout=30.0, max_retries=0)
    with pytest.raises(BackendError, match=r"no reply from http://127\.0\.0\.1:9/v1"):
        client.complete(subgoal_query(layout()[0]))


def formats(requests: list[dict]) -> list[str]:
    """The response format of each request, named as in ``RESPONSE_FORMATS``."""
    names = []
    for body in requests:
        form = body.get("response_format")
        if form is None:
            names.append("text")
        elif form["type"] == "json_object":
            names.append("json_object+schema" if "schema" in form else "json_object")
        else:
            names.append(form["type"])
    return names


def test_a_llama_cpp_server_500_on_json_schema_steps_down_to_json_object_with_schema():
    description, oracle = layout(5)
    with ChatServer(["llama-cpp-server"]) as server:
        client = backend(server.url, max_retries=0)  # the plainer question is not a retry
        teacher = SubgoalTeacher(client)
        proposal = teacher.propose(description, oracle)
        assert proposal.source == "backend" and proposal.subgoals == oracle
        assert formats(server.requests) == ["json_schema", "json_object+schema"]
        assert server.requests[1]["response_format"]["schema"]["required"] == ["subgoals"]
        assert client.response_format == "json_object+schema" and client.rejections == 1
        teacher.propose(*layout(6))  # remembered: the next question goes straight through
        other = backend(server.url)  # so does another backend for the same server
        other.complete(subgoal_query(layout(7)[0]))
        assert formats(server.requests)[2:] == ["json_object+schema"] * 2


def test_a_server_without_the_schema_field_is_asked_with_json_object():
    description, oracle = layout(5)
    with ChatServer(["json-object-only"]) as server:
        client = backend(server.url, max_retries=0)
        assert SubgoalTeacher(client).propose(description, oracle).subgoals == oracle
    assert formats(server.requests) == ["json_schema", "json_object+schema", "json_object"]
    assert "JSON schema" in server.requests[-1]["messages"][0]["content"]


def test_a_server_refusing_every_response_format_is_asked_in_plain_text():
    description, oracle = layout(5)
    with ChatServer(["400-format"]) as server:
        client = backend(server.url, max_retries=0)
        assert SubgoalTeacher(client).propose(description, oracle).subgoals == oracle
    assert formats(server.requests) == ["json_schema", "json_object+schema", "json_object", "text"]
    assert client.rejections == 3 and client.response_format == "text"
    assert '"subgoals"' in server.requests[-1]["messages"][0]["content"]  # the schema


def test_a_refused_request_is_never_sent_again():
    query = subgoal_query(layout(5)[0])
    with ChatServer(["422"]) as server:
        client = backend(server.url, max_retries=3)
        with pytest.raises(BackendError, match=r"HTTP 422 .*refused in every form"):
            client.complete(query)
        assert len(server.requests) == 4  # each form once, none repeated, no retries
        bodies = [json.dumps(b, sort_keys=True) for b in server.requests]
        assert len(set(bodies)) == 4
        with pytest.raises(BackendError, match="refused this exact request before"):
            client.complete(query)
        assert len(server.requests) == 4


def test_a_wrong_api_key_fails_at_once_without_trying_other_forms():
    with ChatServer(["401"]) as server:
        client = backend(server.url, max_retries=3)
        with pytest.raises(BackendError, match="HTTP 401"):
            client.complete(subgoal_query(layout()[0]))
        assert len(server.requests) == 1


@pytest.mark.parametrize(
    ("status", "body", "rejected"),
    [
        (400, "bad request", True),
        (422, "", True),
        (408, "", False),
        (429, "slow down", False),
        (500, "CUDA out of memory", False),
        (503, "loading model", False),
        (500, "1 validation error for ChatCompletionRequest", True),
        (500, "Input should be 'text' or 'json_object'", True),
    ],
)
def test_rejections_are_told_from_transient_failures(status, body, rejected):
    assert openai_backend.is_rejection(status, body) is rejected


def test_a_transient_500_is_retried_on_the_same_form_after_a_backoff():
    description, oracle = layout(2)
    server = SimulatedServer([(0.0, "planner")], errors=[500, 503])
    client = simulated(server, max_retries=2, backoff=3.0)
    proposal = SubgoalTeacher(client).propose(description, oracle)
    assert proposal.source == "backend" and client.attempts == 3 and client.rejections == 0
    assert server.sleeps == [3.0, 6.0] and server.formats == ["json_schema"] * 3


def test_a_reply_that_is_not_a_chat_completion_falls_back():
    description, oracle = layout(6)
    with ChatServer(["garbage"]) as server:
        teacher = SubgoalTeacher(backend(server.url, max_retries=0))
        proposal = teacher.propose(description, oracle)
    assert proposal.source == "fallback" and "not a chat completion" in (proposal.problem or "")


def test_cache_asks_each_layout_once_and_read_only_replays_it(tmp_path):
    path = tmp_path / "answers.sqlite"
    layouts = [layout(s) for s in range(3)]
    with ChatServer(["planner"]) as server:
        teacher = SubgoalTeacher(backend(server.url), AnswerCache(path, "read-write"))
        for description, oracle in layouts + layouts:
            teacher.propose(description, oracle)
        assert len(server.requests) == 3
        assert teacher.diagnostics()["cache_hits"] == 3
        replay = SubgoalTeacher(backend(server.url), AnswerCache(path, "read-only"))
        sources = [replay.propose(d, o).source for d, o in layouts]
        assert sources == ["cache"] * 3 and len(server.requests) == 3
        with pytest.raises(CacheMissError, match="read-only answer cache"):
            replay.propose(layout(7)[0])
    assert KEY.encode() not in path.read_bytes()


def test_llm_curriculum_through_the_server_validates_proposals_and_keeps_the_key_out(tmp_path):
    space = TaskSpace({"h": Continuous(0.0, 3.0), "k": Integer(1, 9)})
    options = {"base_url": "", "model": "m", "api_key_env": KEY_ENV, "backoff": 0.01}
    with ChatServer(["planner", "task-bad"]) as server:
        options["base_url"] = server.url
        teacher = make_teacher(
            "llm-curriculum",
            space,
            seed=0,
            backend="openai",
            backend_options=options,
            query_every=5,
            random_task_ratio=0.0,
        )
        ticks = itertools.count(step=5.0)  # each clock reading 5 s after the previous one
        teacher.clock = lambda: next(ticks)
        for i in range(10):
            task = teacher.sample()
            teacher.update(task, Outcome(float(i % 2), success=bool(i % 2)))
        assert len(server.requests) == 2
    diagnostics = teacher.diagnostics()
    assert diagnostics["queries"] == 2 and diagnostics["invalid_answers"] == 1
    assert diagnostics["model_answers"] == 2 and diagnostics["valid_answers"] == 1
    assert diagnostics["valid_share"] == 0.5 and diagnostics["seconds_per_query"] == 5.0
    assert teacher.proposal is None  # the out-of-range answer left uniform sampling
    save_teacher(teacher, tmp_path / "t")
    for suffix in (".json", ".npz"):
        assert KEY.encode() not in (tmp_path / f"t{suffix}").read_bytes()
    restored = load_teacher(tmp_path / "t")
    assert restored.state_dict()["hyperparameters"] == teacher.state_dict()["hyperparameters"]


@pytest.mark.skipif(
    not os.environ.get("TEACHGYM_LLM_TEST_URL"),
    reason="set TEACHGYM_LLM_TEST_URL (and TEACHGYM_LLM_TEST_MODEL) to test a real model",
)
def test_a_real_model_gives_a_usable_chain():
    description, oracle = layout(0, task={"num_rows": 1, "room_size": 3})
    client = OpenAIBackend(
        os.environ["TEACHGYM_LLM_TEST_URL"],
        os.environ.get("TEACHGYM_LLM_TEST_MODEL", "llama3.2"),
        api_key_env="TEACHGYM_LLM_TEST_KEY",
    )
    proposal = SubgoalTeacher(client).propose(description, oracle)
    assert proposal.subgoals and proposal.accuracy is not None
    assert np.isfinite(proposal.accuracy)
