"""The ``openai`` backend: any OpenAI-compatible chat-completions server.

Works with Ollama (``http://127.0.0.1:11434/v1``), vLLM, llama.cpp's
``llama-server``, llama-cpp-python's ``python -m llama_cpp.server`` and hosted
APIs. Standard library only (``urllib``).

**Structured output is negotiated.** Servers differ in the ``response_format``
they accept, so the backend tries, in order (:data:`RESPONSE_FORMATS`):

1. ``json_schema``: ``{"type": "json_schema", "json_schema": {"name", "schema",
   "strict"}}`` (OpenAI, vLLM, Ollama, llama.cpp's ``llama-server``);
2. ``json_object+schema``: ``{"type": "json_object", "schema": ...}``
   (llama-cpp-python's server, which answers ``json_schema`` with HTTP 500 and a
   validation error, but decodes under a grammar built from this schema);
3. ``json_object``: ``{"type": "json_object"}`` (JSON, no schema);
4. ``text``: no ``response_format``; the schema is in the system prompt only.

A server *rejects* a request when it answers with a 4xx status (other than 408 and
429) or a 5xx whose body is a validation error (:func:`is_rejection`). A rejected
request is never sent again: the backend steps down to the next format at once
(not counted as a retry), and remembers the format that worked for that server
(``base_url`` and ``model``) in :data:`NEGOTIATED`, shared by every backend of the
process. HTTP 401, 403 and 404 are not about the format: they fail at once.

**Transient failures** (connection errors, timeouts, HTTP 408, 429 and 5xx that are
not validation errors) are retried up to ``max_retries`` times with exponential
backoff (``backoff * 2**k`` seconds). The default timeout, 180 s per attempt, fits
a model on a CPU, whose answers take tens of seconds; raise it for larger models.

``transport`` (default ``urllib.request.urlopen``) and ``sleep`` (default
``time.sleep``) can be replaced, so the retry and timeout logic can be driven by a
simulated server and clock.

The API key is read from the environment variable ``api_key_env`` when the backend
is built, kept in a private attribute, sent only in the ``Authorization`` header,
and removed from every error message (a server may echo it). It never appears in
``repr``, logs, cache entries or saved state.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

from teachgym.teachers.llm_subgoal.backends import BackendError
from teachgym.teachers.llm_subgoal.prompt import Query

logger = logging.getLogger(__name__)

RESPONSE_FORMATS: tuple[str, ...] = ("json_schema", "json_object+schema", "json_object", "text")
"""Structured-output forms, in the order they are tried (module docstring)."""

NEGOTIATED: dict[tuple[str, str], str] = {}
"""(base_url, model) -> the response format that server last accepted."""

RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
FATAL_STATUSES = frozenset({401, 403, 404})
"""Refusals that no other form of the request can change (authentication, address, model)."""

_VALIDATION = re.compile(
    r"validation error|input should be|response_format|json_schema|not supported|unsupported"
    r"|extra inputs are not permitted|unrecognized request argument",
    re.IGNORECASE,
)
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


def is_rejection(status: int, body: str) -> bool:
    """Whether an HTTP error means "this request is refused" rather than "try later".

    A 4xx other than 408 (timeout) and 429 (rate limit) is a refusal; so is a 5xx
    whose body reads like a validation error (some servers answer a request they
    cannot validate with HTTP 500).
    """
    if 400 <= status < 500:
        return status not in RETRY_STATUSES
    return bool(_VALIDATION.search(body))


def response_format(form: str, query: Query) -> dict[str, Any] | None:
    """The ``response_format`` field of one of :data:`RESPONSE_FORMATS` (``None``: omitted)."""
    if form == "json_schema":
        name = f"teachgym_{query.kind}"
        schema = {"name": name, "schema": query.schema, "strict": True}
        return {"type": "json_schema", "json_schema": schema}
    if form == "json_object+schema":
        return {"type": "json_object", "schema": query.schema}
    if form == "json_object":
        return {"type": "json_object"}
    if form == "text":
        return None
    raise ValueError(f"response format must be one of {RESPONSE_FORMATS}, got {form!r}")


class OpenAIBackend:
    """Chat completions from an OpenAI-compatible server (module docstring).

    Args:
        base_url: the API root, e.g. ``http://127.0.0.1:11434/v1``.
        model: the model name the server knows.
        api_key_env: name of the environment variable holding the API key (unset or
            empty: no ``Authorization`` header, as local servers need none).
        timeout: seconds per attempt.
        max_retries: further attempts after the first, on transient failures (>= 0).
        backoff: seconds before the first retry; doubled each time.
        max_tokens: answer length limit (tokens).
        response_format: the first form to try (one of :data:`RESPONSE_FORMATS`);
            the one remembered for this server, if any, comes first.
        transport: sends one request (see :data:`Transport`); default ``urlopen``.
        sleep: waits between attempts (seconds); default ``time.sleep``.
    """

    name = "openai"

    def __init__(
        self,
        base_url: str,
        model: str,
        api_key_env: str = "OPENAI_API_KEY",
        timeout: float = 180.0,
        max_retries: int = 2,
        backoff: float = 2.0,
        max_tokens: int = 512,
        response_format: str = "json_schema",
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
        if response_format not in RESPONSE_FORMATS:
            raise ValueError(
                f"response_format must be one of {RESPONSE_FORMATS}, got {response_format!r}"
            )
        self.base_url = base_url.rstrip("/")
        self.model = model
        self.api_key_env = api_key_env
        self.timeout = float(timeout)
        self.max_retries = max_retries
        self.backoff = float(backoff)
        self.max_tokens = int(max_tokens)
        self.first_format = response_format
        self._transport = transport
        self._sleep = sleep
        self.__api_key = os.environ.get(api_key_env, "")
        self._rejected: set[str] = set()
        self.attempts = 0
        """HTTP requests sent so far (retries and re-asked forms included)."""
        self.rejections = 0
        """Requests the server refused (each stepped down to a plainer form)."""

    def __repr__(self) -> str:
        return (
            f"OpenAIBackend(base_url={self.base_url!r}, model={self.model!r}, "
            f"api_key_env={self.api_key_env!r})"
        )

    @property
    def response_format(self) -> str:
        """The form the next request uses: the one negotiated with this server, if any."""
        return NEGOTIATED.get((self.base_url, self.model), self.first_format)

    def _redact(self, text: str) -> str:
        return text.replace(self.__api_key, REDACTED) if self.__api_key else text

    def _body(self, query: Query, form: str) -> dict[str, Any]:
        body: dict[str, Any] = {
            "model": self.model,
            "messages": [
                {"role": "system", "content": query.system},
                {"role": "user", "content": query.user},
            ],
            "temperature": 0,
            "max_tokens": self.max_tokens,
        }
        field = response_format(form, query)
        if field is not None:
            body["response_format"] = field
        return body

    def _post(self, data: bytes) -> bytes:
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self.__api_key:
            headers["Authorization"] = f"Bearer {self.__api_key}"
        request = urllib.request.Request(
            f"{self.base_url}/chat/completions", data=data, headers=headers, method="POST"
        )
        self.attempts += 1
        return self._transport(request, self.timeout)

    def complete(self, query: Query) -> str:
        """The answer text.

        Raises:
            BackendError: once the retries are spent, when every form was refused, or
                when the server refuses what no form changes (HTTP 401, 403, 404).
        """
        form = self.response_format
        problem = ""
        attempt = 0
        while attempt <= self.max_retries:
            data = json.dumps(self._body(query, form), sort_keys=True).encode("utf-8")
            digest = hashlib.sha256(data).hexdigest()
            if digest in self._rejected:
                raise BackendError(
                    f"{self.base_url} refused this exact request before (form {form!r}); "
                    "not sending it again"
                )
            try:
                raw = self._post(data)
            except urllib.error.HTTPError as exc:
                detail = self._redact(exc.read(_BODY_LIMIT).decode("utf-8", "replace"))
                problem = f"HTTP {exc.code} from {self.base_url}: {detail}"
                if exc.code in FATAL_STATUSES:
                    raise BackendError(problem) from None
                if is_rejection(exc.code, detail):
                    self._rejected.add(digest)
                    self.rejections += 1
                    later = RESPONSE_FORMATS[RESPONSE_FORMATS.index(form) + 1 :]
                    if not later:
                        raise BackendError(f"{problem} (refused in every form)") from None
                    NEGOTIATED[(self.base_url, self.model)] = later[0]
                    logger.warning(
                        "%s; response format %r refused, asking again with %r",
                        problem,
                        form,
                        later[0],
                    )
                    form = later[0]
                    continue  # not a failed attempt: the same question in a plainer form
            except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
                reason = getattr(exc, "reason", exc)
                problem = self._redact(f"no reply from {self.base_url}: {reason}")
            else:
                NEGOTIATED[(self.base_url, self.model)] = form
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
