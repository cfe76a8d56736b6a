"""The ``openai`` backend: any OpenAI-compatible chat-completions server.

Works with Ollama (``http://127.0.0.1:11434/v1``), vLLM, llama.cpp's
``llama-server`` and hosted APIs. Standard library only
(``urllib``). Behaviour:

- ``POST {base_url}/chat/completions`` with the system and user messages,
  temperature 0 and ``response_format`` = the query's JSON schema
  (constrained decoding). A server that rejects ``response_format`` with
  HTTP 400 is asked again without it, and not sent it again.
- Each attempt has a timeout (seconds); connection errors, timeouts, HTTP 408,
  429 and 5xx are retried up to ``max_retries`` times with exponential backoff
  (``backoff * 2**k`` seconds). Other HTTP errors fail at once.
- ``transport`` (default ``urllib.request.urlopen``) and ``sleep`` (default
  ``time.sleep``) can be replaced, so the retry and timeout logic can be driven
  by a simulated server and clock.
- The API key is read from the environment variable ``api_key_env`` when the
  backend is built, kept in a private attribute, sent only in the
  ``Authorization`` header, and removed from every error message (a server may
  echo it). It never appears in ``repr``, logs, cache entries or saved state.
"""

from __future__ import annotations

import json
import logging
import os
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

from teachgym.teachers.llm_subgoal.backends import BackendError
from teachgym.teachers.llm_subgoal.prompt import Query

logger = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
REDACTED = "[redacted]"
_BODY_LIMIT = 300
"""Characters of an error reply quoted in messages."""

Transport = Callable[[urllib.request.Request, float], bytes]
"""Sends a request with a timeout (seconds) and returns the reply body; fails like
``urllib.request.urlopen`` (``HTTPError``, ``URLError``, ``TimeoutError``)."""


def urlopen_transport(request: urllib.request.Request, timeout: float) -> bytes:
    """The default :data:`Transport`: ``urllib.request.urlopen``."""
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return bytes(response.read())


class OpenAIBackend:
    """Chat completions from an OpenAI-compatible server.

    Args:
        base_url: the API root, e.g. ``http://127.0.0.1:11434/v1``.
        model: the model name the server knows.
        api_key_env: name of the environment variable holding the API key (unset or
            empty: no ``Authorization`` header, as local servers need none).
        timeout: seconds per attempt.
        max_retries: further attempts after the first (>= 0).
        backoff: seconds before the first retry; doubled each time.
        max_tokens: answer length limit (tokens).
        json_schema: send the answer schema as ``response_format``.
        transport: sends one request (see :data:`Transport`); default ``urlopen``.
        sleep: waits between attempts (seconds); default ``time.sleep``.
    """

    name = "openai"

    def __init__(
        self,
        base_url: str,
        model: str,
        api_key_env: str = "OPENAI_API_KEY",
        timeout: float = 60.0,
        max_retries: int = 3,
        backoff: float = 1.0,
        max_tokens: int = 512,
        json_schema: bool = True,
        transport: Transport = urlopen_transport,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not isinstance(base_url, str) or not base_url.startswith(("http://", "https://")):
            raise ValueError(f"base_url must start with http:// or https://, got {base_url!r}")
        if not isinstance(model, str) or not model:
            raise ValueError("the openai backend needs a model name")
        if (
            not timeout > 0
            or not backoff >= 0
            or not (isinstance(max_retries, int) and max_retries >= 0)
        ):
            raise ValueError(
                f"need timeout > 0, backoff >= 0 and an integer max_retries >= 0; got "
                f"{timeout}, {backoff}, {max_retries}"
            )
        self.base_url = base_url.rstrip("/")
        self.model = model
        self.api_key_env = api_key_env
        self.timeout = float(timeout)
        self.max_retries = max_retries
        self.backoff = float(backoff)
        self.max_tokens = int(max_tokens)
        self.json_schema = bool(json_schema)
        self._transport = transport
        self._sleep = sleep
        self.__api_key = os.environ.get(api_key_env, "")
        self.attempts = 0
        """HTTP requests sent so far (retries included)."""

    def __repr__(self) -> str:
        return (
            f"OpenAIBackend(base_url={self.base_url!r}, model={self.model!r}, "
            f"api_key_env={self.api_key_env!r})"
        )

    def _redact(self, text: str) -> str:
        return text.replace(self.__api_key, REDACTED) if self.__api_key else text

    def _body(self, query: Query) -> dict[str, Any]:
        body: dict[str, Any] = {
            "model": self.model,
            "messages": [
                {"role": "system", "content": query.system},
                {"role": "user", "content": query.user},
            ],
            "temperature": 0,
            "max_tokens": self.max_tokens,
        }
        if self.json_schema:
            body["response_format"] = {
                "type": "json_schema",
                "json_schema": {
                    "name": f"teachgym_{query.kind}",
                    "schema": query.schema,
                    "strict": True,
                },
            }
        return body

    def _post(self, body: dict[str, Any]) -> bytes:
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self.__api_key:
            headers["Authorization"] = f"Bearer {self.__api_key}"
        request = urllib.request.Request(
            f"{self.base_url}/chat/completions",
            data=json.dumps(body).encode("utf-8"),
            headers=headers,
            method="POST",
        )
        self.attempts += 1
        return self._transport(request, self.timeout)

    def complete(self, query: Query) -> str:
        """The answer text; raises :class:`BackendError` once the retries are spent."""
        problem = ""
        attempt = 0
        while attempt <= self.max_retries:
            try:
                raw = self._post(self._body(query))
            except urllib.error.HTTPError as exc:
                detail = self._redact(exc.read(_BODY_LIMIT).decode("utf-8", "replace"))
                problem = f"HTTP {exc.code} from {self.base_url}: {detail}"
                if exc.code == 400 and self.json_schema:
                    logger.warning("%s; asking again without response_format", problem)
                    self.json_schema = False
                    continue  # not a failed attempt: the same question in a plainer form
                if exc.code not in RETRY_STATUSES:
                    raise BackendError(problem) from None
            except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
                reason = getattr(exc, "reason", exc)
                problem = self._redact(f"no reply from {self.base_url}: {reason}")
            else:
                return self._content(raw)
            attempt += 1
            logger.warning("attempt %d of %d failed: %s", attempt, self.max_retries + 1, problem)
            if attempt <= self.max_retries:
                self._sleep(self.backoff * 2 ** (attempt - 1))
        raise BackendError(f"{problem} (gave up after {self.max_retries + 1} attempts)")

    def _content(self, raw: bytes) -> str:
        try:
            reply = json.loads(raw.decode("utf-8"))
            content = reply["choices"][0]["message"]["content"]
        except (UnicodeDecodeError, json.JSONDecodeError, KeyError, IndexError, TypeError) as exc:
            excerpt = self._redact(raw[:_BODY_LIMIT].decode("utf-8", "replace"))
            raise BackendError(
                f"{self.base_url} sent a reply that is not a chat completion "
                f"({type(exc).__name__}): {excerpt!r}"
            ) from None
        if not isinstance(content, str):
            raise BackendError(f"{self.base_url} sent a chat completion without text content")
        return content
