"""The MiniWoB++ bridge: a real MiniWoB++ form through WebForm-v0's encoding.

Skipped with the reason when miniwob, Selenium, Chromium or chromedriver is missing
(``pip install 'teachgym[miniwob]'``; ``apt-get install chromium chromium-driver``).
"""

from __future__ import annotations

import numpy as np
import pytest

from teachgym.envs.webform.encoding import INPUT_TYPES, TAGS
from teachgym.envs.webform.miniwob_bridge import MiniWoBFormEnv, miniwob_unavailable_reason

REASON = miniwob_unavailable_reason()


@pytest.mark.skipif(REASON is not None, reason=f"MiniWoB++ cannot run here: {REASON}")
def test_login_user_through_the_webform_encoding():
    env = MiniWoBFormEnv()
    try:
        obs, info = env.reset(seed=0)
        assert info["task"] == {"miniwob_task": "login-user"}
        assert "username" in info["instruction"]
        assert obs["field_mask"].sum() == 2 and obs["element_mask"].sum() >= 5
        assert env.observation_space.contains(obs)
        mask = env.action_masks()
        E, F = env.codec.E, env.codec.F
        password_column = len(TAGS) + INPUT_TYPES.index("password")
        inputs = np.flatnonzero(obs["element_features"][:, TAGS.index("input")])
        assert len(inputs) == 2 and obs["element_features"][inputs[1], password_column] == 1.0
        actions = []
        for field in range(2):  # the input whose label (above it) names the field
            slot = int(inputs[np.argmax(obs["overlap"][inputs, field, 1])])
            actions.append(E + slot * F + field)
        actions.append(E + 2 * E * F + 2)  # submit: clicks the Login button
        assert all(mask[a] for a in actions)
        assert not mask[E + 2 * E * F]  # no scrolling in MiniWoB++
        for action in actions:
            obs, reward, terminated, _, info = env.step(action)
        assert terminated and reward == 1.0 and info["is_success"]
        with pytest.raises(RuntimeError, match="reset"):
            env.step(actions[0])
    finally:
        env.close()


def test_bridge_reports_what_is_missing(monkeypatch):
    monkeypatch.setenv("TEACHGYM_CHROMIUM", "/nonexistent/chromium")
    with pytest.raises(RuntimeError, match="apt-get install chromium"):
        MiniWoBFormEnv()
