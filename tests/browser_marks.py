"""Skip marks for tests that need headless Chromium or the MiniWoB++ pages."""

from __future__ import annotations

import pytest

from teachgym.envs.webform.browser import chromium_unavailable_reason
from teachgym.envs.webform.miniwob_bridge import miniwob_unavailable_reason

CHROMIUM_REASON = chromium_unavailable_reason()
needs_chromium = pytest.mark.skipif(
    CHROMIUM_REASON is not None, reason=f"no headless Chromium: {CHROMIUM_REASON}"
)
MINIWOB_REASON = miniwob_unavailable_reason()
needs_miniwob = pytest.mark.skipif(
    MINIWOB_REASON is not None, reason=f"no MiniWoB++: {MINIWOB_REASON}"
)
