"""State files: JSON + npz round trip, corruption gives a clear error, no pickle."""

from __future__ import annotations

import numpy as np
import pytest

from teachgym.state_io import CorruptStateError, load_state, save_state


def test_round_trip_nested(tmp_path):
    state = {
        "a": 1,
        "b": [1.5, {"c": np.arange(6).reshape(2, 3)}],
        "rng": np.random.default_rng(3).bit_generator.state,
        "s": "text",
        "none": None,
        "f": np.float32(2.5),
    }
    save_state(state, tmp_path / "x")
    back = load_state(tmp_path / "x")
    assert np.array_equal(back["b"][1]["c"], state["b"][1]["c"])
    assert (
        back["rng"] == state["rng"] and back["a"] == 1 and back["f"] == 2.5 and back["none"] is None
    )


def test_corrupted_json_and_npz_are_reported(tmp_path):
    save_state({"x": np.ones(3)}, tmp_path / "s")
    (tmp_path / "s.json").write_text("{not json")
    with pytest.raises(CorruptStateError, match=r"s\.json.*corrupted"):
        load_state(tmp_path / "s")
    save_state({"x": np.ones(3)}, tmp_path / "s")
    (tmp_path / "s.npz").write_bytes(b"garbage")
    with pytest.raises(CorruptStateError, match=r"s\.npz.*corrupted"):
        load_state(tmp_path / "s")
    with pytest.raises(FileNotFoundError):
        load_state(tmp_path / "missing")


def test_object_arrays_and_unknown_types_are_refused(tmp_path):
    with pytest.raises(TypeError, match="object array"):
        save_state({"x": np.array([object()])}, tmp_path / "s")
    with pytest.raises(TypeError, match="unsupported type"):
        save_state({"x": {1, 2}}, tmp_path / "s")
