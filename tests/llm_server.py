"""A small OpenAI-compatible chat-completions server for the protocol tests.

It runs on 127.0.0.1 in a background thread. Each request pops the next
behaviour from ``script`` (the last one repeats): ``"planner"`` answers with the
offline planner, ``"malformed"`` with text that is not JSON, ``"out-of-bounds"``
with a subgoal outside the grid, ``"500"`` with an HTTP 500 error that echoes the
request headers (to check that the API key never leaks), ``"400-format"`` with an
HTTP 400 when ``response_format`` is sent, ``"garbage"`` with a body that is not a chat completion,
``"task-bad"`` with an out-of-range task, and ``"reply:<text>"`` with ``<text>`` as the
answer's content, verbatim (an empty text included).

Behaviours seen on real servers (the reply bodies are theirs, shortened):

- ``"llama-cpp-server"``: llama-cpp-python's ``python -m llama_cpp.server`` (0.3):
  ``response_format`` of type ``json_schema`` is answered with HTTP 500 and a pydantic
  validation error; ``json_object`` (with or without ``schema``) and plain text are
  answered (from the planner);
- ``"json-object-only"``: a server that knows ``json_object`` but neither
  ``json_schema`` nor a ``schema`` field (HTTP 400, "extra inputs are not permitted");
- ``"422"``: a server that refuses every request as invalid (HTTP 422);
- ``"401"``: a server that wants another API key.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from teachgym.teachers.llm_subgoal import GROUNDED_TEMPLATE_VERSION, PlannerBackend, Query

LLAMA_CPP_SERVER_500 = json.dumps(
    {
        "error": {
            "message": "1 validation error:\n  {'type': 'literal_error', 'loc': ('body', "
            "'response_format', 'type'), 'msg': \"Input should be 'text' or 'json_object'\", "
            "'input': 'json_schema', 'ctx': {'expected': \"'text' or 'json_object'\"}}\n\n"
            '  File "llama_cpp/server/app.py", line 376, in create_chat_completion\n'
            "    POST /v1/chat/completions",
            "type": "internal_server_error",
            "param": None,
            "code": None,
        }
    }
).encode()
"""The reply of llama-cpp-python's server to ``response_format`` ``json_schema``."""


class ChatServer:
    def __init__(self, script: list[str]) -> None:
        self.script = list(script)
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                """Silence the default stderr log."""

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                server.requests.append(body)
                server.headers.append(dict(self.headers))
                behaviour = server.script.pop(0) if len(server.script) > 1 else server.script[0]
                server.reply(self, behaviour, body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> ChatServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    @staticmethod
    def _send(handler: BaseHTTPRequestHandler, status: int, payload: bytes) -> None:
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(payload)))
        handler.end_headers()
        try:
            handler.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            return

    def reply(self, handler: BaseHTTPRequestHandler, behaviour: str, body: dict[str, Any]) -> None:
        if behaviour == "500":
            echo = json.dumps({"error": "internal", "headers": dict(handler.headers)})
            self._send(handler, 500, echo.encode())
            return
        form = body.get("response_format")
        if behaviour == "400-format" and form is not None:
            self._send(handler, 400, b'{"error": "response_format is not supported"}')
            return
        if behaviour == "llama-cpp-server" and form is not None and form["type"] == "json_schema":
            self._send(handler, 500, LLAMA_CPP_SERVER_500)
            return
        if behaviour == "json-object-only" and form is not None and set(form) != {"type"}:
            self._send(
                handler, 400, b'{"error": "response_format: extra inputs are not permitted"}'
            )
            return
        if behaviour == "json-object-only" and form is not None and form["type"] != "json_object":
            self._send(handler, 400, b'{"error": "response_format: json_schema is not supported"}')
            return
        if behaviour == "422":
            self._send(handler, 422, b'{"detail": "invalid request"}')
            return
        if behaviour == "401":
            self._send(handler, 401, b'{"error": "invalid API key"}')
            return
        if behaviour == "garbage":
            self._send(handler, 200, b"<html>not json</html>")
            return
        user = body["messages"][1]["content"]
        content = self.answer(behaviour, user)
        reply = {"choices": [{"message": {"role": "assistant", "content": content}}]}
        self._send(handler, 200, json.dumps(reply).encode())

    @staticmethod
    def answer(behaviour: str, user: str) -> str:
        if behaviour.startswith("reply:"):
            return behaviour[len("reply:") :]
        if behaviour == "malformed":
            return '{"subgoals": [{"kind": "open", '
        if user.startswith("Layout:\n"):
            description = user[len("Layout:\n") :].split("\n\n")[0]
            template = GROUNDED_TEMPLATE_VERSION if "\n\nObject ids:\n" in user else "test"
            if behaviour == "out-of-bounds":
                return json.dumps(
                    {
                        "subgoals": [
                            {"kind": "open", "obj_type": "door", "color": "red", "pos": [99, 1]}
                        ]
                    }
                )
            query = Query("subgoals", template, "", "", {}, description)
            return PlannerBackend().complete(query)
        summary = user.split("\n\nPropose the next task.")[0]
        if behaviour == "task-bad":
            return json.dumps({"task": {"h": 99.0}})
        return PlannerBackend().complete(Query("task", "test", "", "", {}, summary))
