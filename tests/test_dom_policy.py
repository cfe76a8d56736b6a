"""The DOM-aware MaskablePPO policy for the web-form family."""

from __future__ import annotations

import numpy as np
import pytest
import torch

pytest.importorskip("sb3_contrib", reason="sb3-contrib is in teachgym[web]")
from sb3_contrib import MaskablePPO
from stable_baselines3.common.vec_env import DummyVecEnv

from teachgym.agents.dom_policy import DomActorCriticPolicy, DomFeaturesExtractor
from teachgym.envs.webform import WebFormEnv, preset_task

SMALL = {"max_elements": 12, "max_fields": 3}


def small_env(**changes) -> WebFormEnv:
    return WebFormEnv(task={**preset_task("login"), **changes}, **SMALL)


def test_policy_scores_every_flat_action_and_respects_masks():
    env = small_env(n_fields=3, label_style="mixed")
    model = MaskablePPO(DomActorCriticPolicy, env, n_steps=32, batch_size=32, seed=0)
    obs, _ = env.reset(seed=0)
    tensor, _ = model.policy.obs_to_tensor(obs)
    features = model.policy.extract_features(tensor)
    assert features.shape == (1, env.codec.n_actions + 64)
    for _ in range(30):
        mask = env.action_masks()
        action, _ = model.predict(obs, action_masks=mask)
        assert mask[int(action)]
        obs, _, terminated, truncated, _ = env.step(int(action))
        if terminated or truncated:
            obs, _ = env.reset()
    model.learn(64)  # one PPO update runs through evaluate_actions
    assert model.num_timesteps >= 64


def test_pair_scores_follow_the_element_field_pairs():
    env = small_env(n_fields=2, label_style="placeholder", n_distractors=0)
    extractor = DomFeaturesExtractor(env.observation_space)
    obs, _ = env.reset(seed=1)
    batch = {k: torch.as_tensor(v[None]).float() for k, v in obs.items()}
    swapped = {k: v.clone() for k, v in batch.items()}
    for key in ("field_key_tokens", "field_value_tokens", "field_features", "field_mask"):
        swapped[key] = batch[key][:, [1, 0, 2]]
    swapped["overlap"] = batch["overlap"][:, :, [1, 0, 2]]
    E, F = env.codec.E, env.codec.F
    with torch.no_grad():
        logits = extractor(batch)[0, : env.codec.n_actions]
        logits_swapped = extractor(swapped)[0, : env.codec.n_actions]
    typing = logits[E : E + E * F].reshape(E, F)
    typing_swapped = logits_swapped[E : E + E * F].reshape(E, F)
    torch.testing.assert_close(typing[:, 0], typing_swapped[:, 1])  # equivariant in fields
    torch.testing.assert_close(logits[:E], logits_swapped[:E])  # clicks do not care


def dense_scores(extractor: DomFeaturesExtractor, obs: dict[str, torch.Tensor]) -> torch.Tensor:
    """The action logits computed on every slot and pair, absent ones included."""
    x = extractor
    elements = x.element_encoder(
        torch.cat(
            [
                x._bag(obs["element_tokens"]),
                x._bag(obs["element_value_tokens"]),
                x._bag(obs["element_class_tokens"]),
                obs["element_features"],
            ],
            dim=-1,
        )
    ) * obs["element_mask"].unsqueeze(-1)
    fields = x.field_encoder(
        torch.cat(
            [
                x._bag(obs["field_key_tokens"]),
                x._bag(obs["field_value_tokens"]),
                obs["field_features"],
            ],
            dim=-1,
        )
    ) * obs["field_mask"].unsqueeze(-1)
    pairs = torch.relu(
        x.pair_element(elements).unsqueeze(2)
        + x.pair_field(fields).unsqueeze(1)
        + x.pair_overlap(obs["overlap"])
    )
    scores = x.pair_scores(pairs)
    for_field = scores[..., 2].masked_fill((obs["field_mask"] < 0.5).unsqueeze(1), -1e4)
    click = x.click_score(elements).squeeze(-1) + torch.logsumexp(for_field, dim=-1)
    batch = click.shape[0]
    return torch.cat(
        [click, scores[..., 0].reshape(batch, -1), scores[..., 1].reshape(batch, -1)], dim=-1
    )


def test_only_present_slots_are_encoded_and_allowed_actions_score_as_dense():
    env = WebFormEnv()
    extractor = DomFeaturesExtractor(env.observation_space)
    rng = np.random.default_rng(3)
    observations, masks = [], []
    for _ in range(6):  # pages of different sizes in one batch
        task = env.task_space.sample(rng)
        task.update(n_fields=int(rng.integers(1, 8)), n_distractors=int(rng.integers(0, 20)))
        obs, _ = env.reset(seed=int(rng.integers(1000)), options={"task": task})
        observations.append(obs)
        masks.append(env.action_masks())
    batch = {k: torch.as_tensor(np.stack([o[k] for o in observations])).float() for k in obs}
    allowed = torch.as_tensor(np.stack(masks))
    sizes = batch["element_mask"].sum(1)
    assert sizes.min() < sizes.max() < env.codec.E  # absent slots in every observation
    with torch.no_grad():
        packed = extractor(batch)[:, : env.codec.n_actions - 3]
        dense = dense_scores(extractor, batch)
    torch.testing.assert_close(packed[allowed[:, :-3]], dense[allowed[:, :-3]])
    assert allowed[:, :-3].any(1).all()


def test_policy_rejects_the_dict_action_mode():
    env = WebFormEnv(action_mode="dict", **SMALL)
    with pytest.raises(ValueError, match="action_mode='flat'"):
        DomActorCriticPolicy(env.observation_space, env.action_space, lambda _: 3e-4)


@pytest.mark.slow
def test_maskable_ppo_learns_one_field_forms():
    task = {**preset_task("login"), "n_fields": 1, "n_distractors": 2, "label_style": "mixed"}
    venv = DummyVecEnv([lambda: WebFormEnv(task=task, **SMALL) for _ in range(4)])
    venv.seed(0)
    torch.set_num_threads(1)
    model = MaskablePPO(DomActorCriticPolicy, venv, n_steps=64, batch_size=128, gamma=0.95, seed=0)

    def success_rate() -> float:
        env = WebFormEnv(task=task, **SMALL)
        obs, _ = env.reset(seed=123)
        wins = 0
        for _ in range(50):
            while True:
                action, _ = model.predict(obs, deterministic=True, action_masks=env.action_masks())
                obs, _, terminated, truncated, info = env.step(int(action))
                if terminated or truncated:
                    wins += info["is_success"]
                    obs, _ = env.reset()
                    break
        return wins / 50

    before = success_rate()
    model.learn(LEARN_STEPS)
    after = success_rate()
    assert after >= 0.8 and after > before + 0.3, (before, after)


LEARN_STEPS = 6_000
