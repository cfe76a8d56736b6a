"""`teachgym train` survives interruption: periodic checkpoints, clean SIGINT/SIGTERM saves,
exact resume with the episode log continued, and refusals that name what differs."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from teachgym.cli import main
from teachgym.episode_log import EpisodeLog
from tests.toy_env import COUNTDOWN_ID

TRAIN = ["train", "--steps", "3000", "--checkpoint-every", "1000", "--quiet"]
PPO_ACCEL = [
    "train",
    *("--env", COUNTDOWN_ID, "--teacher", "accel", "--student", "ppo"),
    *("--student-param", "n_steps=16", "--student-param", "n_envs=2"),
    *("--student-param", "batch_size=16", "--checkpoint-every", "32", "--quiet"),
]


def episodes(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "episodes.jsonl").read_text().splitlines()]


def steps_saved(out: Path) -> int:
    return json.loads((out / "checkpoint" / "student.json").read_text())["steps_done"]


@pytest.fixture(scope="module")
def straight(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("straight") / "run"
    assert main([*TRAIN, "--out", str(out)]) == 0
    return out


def signal_at_episode(monkeypatch, index: int, signum: int) -> None:
    """Send ``signum`` to this process when the episode log writes episode ``index``."""
    write = EpisodeLog.__call__

    def hooked(self, record):
        write(self, record)
        if record.index == index:
            os.kill(os.getpid(), signum)

    monkeypatch.setattr(EpisodeLog, "__call__", hooked)


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_saves_a_checkpoint_and_resume_finishes_the_same_run(
    signum, code, straight, tmp_path, monkeypatch, capsys
):
    out = tmp_path / "run"
    signal_at_episode(monkeypatch, 1500, signum)
    with pytest.raises(SystemExit) as stopped:
        main([*TRAIN, "--out", str(out)])
    assert stopped.value.code == code
    err = capsys.readouterr().err
    assert "Traceback" not in err
    last = err.strip().splitlines()[-1]
    assert "interrupted at step 2000 of 3000; checkpoint saved" in last
    assert last.endswith(f"--out {out} --resume")
    # The piece under way finished: checkpoint and log agree.
    assert steps_saved(out) == 2000 and len(episodes(out)) == 2000
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    monkeypatch.undo()
    assert main([*TRAIN, "--out", str(out), "--resume"]) == 0
    assert "resumed from" in capsys.readouterr().out
    assert episodes(out) == episodes(straight)
    assert (out / "evaluation.json").read_text() == (straight / "evaluation.json").read_text()


def test_a_kill_loses_only_the_work_after_the_last_checkpoint(straight, tmp_path):
    out = tmp_path / "run"
    script = textwrap.dedent(
        f"""
        import os, signal, sys
        from teachgym.cli import main
        from teachgym.episode_log import EpisodeLog
        write = EpisodeLog.__call__
        def hooked(self, record):
            write(self, record)
            if record.index == 1500:
                self._handle.flush()  # the half-done work reaches the log, then dies
                os.kill(os.getpid(), signal.SIGKILL)
        EpisodeLog.__call__ = hooked
        sys.exit(main({[*TRAIN, "--out", str(out)]!r}))
        """
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    killed = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True)
    assert killed.returncode == -signal.SIGKILL
    assert steps_saved(out) == 1000 and len(episodes(out)) > 1000
    assert main([*TRAIN, "--out", str(out), "--resume"]) == 0
    # Episodes after the checkpoint were dropped from the log, not duplicated.
    assert episodes(out) == episodes(straight)


@pytest.mark.slow
def test_accel_with_ppo_resumes_exactly_from_the_command_line(tmp_path, capsys):
    whole, halves = tmp_path / "whole", tmp_path / "halves"
    assert main([*PPO_ACCEL, "--steps", "128", "--out", str(whole)]) == 0
    assert main([*PPO_ACCEL, "--steps", "64", "--out", str(halves)]) == 0
    assert main([*PPO_ACCEL, "--steps", "128", "--out", str(halves), "--resume"]) == 0
    assert "forbids" not in capsys.readouterr().err
    meta = json.loads((halves / "checkpoint" / "student.json").read_text())
    assert meta["model_class"] == "RobustPPO" and meta["steps_done"] == 128
    # Scores come from the value head: the same log means the same learning.
    assert episodes(halves) == episodes(whole)
    assert all(e["score"] is not None for e in episodes(whole))
    assert (halves / "evaluation.json").read_text() == (whole / "evaluation.json").read_text()


def test_ppo_steps_are_rounded_to_whole_rollouts_and_say_so(tmp_path, capsys):
    argv = [*PPO_ACCEL, "--steps", "40", "--out", str(tmp_path / "r")]
    assert main(argv) == 0
    assert "trains in whole rollouts of 32 steps; --steps 40 becomes 64" in capsys.readouterr().out
    assert steps_saved(tmp_path / "r") == 64


@pytest.fixture(scope="module")
def small_run(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("small") / "run"
    assert main(["train", "--steps", "50", "--quiet", "--out", str(out)]) == 0
    return out


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--student", "ppo"], "--student 'ppo' (the checkpoint has 'simulated')"),
        (["--teacher", "alp-gmm"], "--teacher 'alp-gmm' (the checkpoint has 'random')"),
        (["--env-param", "dims=3"], "--env-param {dims=3} (the checkpoint has {})"),
        (["--seed", "4"], "--seed 4 (the checkpoint has 0)"),
    ],
)
def test_resume_refuses_other_settings_before_touching_anything(extra, message, small_run, capsys):
    before = {p.name: p.read_bytes() for p in small_run.iterdir() if p.is_file()}
    assert (
        main(["train", "--steps", "80", "--quiet", "--out", str(small_run), "--resume", *extra])
        == 2
    )
    err = capsys.readouterr().err.strip()
    assert message in err and "\n" not in err
    assert {p.name: p.read_bytes() for p in small_run.iterdir() if p.is_file()} == before


def test_a_used_out_needs_resume_and_resume_without_checkpoint_starts_fresh(
    small_run, tmp_path, capsys
):
    assert main(["train", "--steps", "80", "--quiet", "--out", str(small_run)]) == 2
    assert "already holds a run" in capsys.readouterr().err
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    (fresh / "episodes.jsonl").write_text('{"episode": 0}\n{"episode": 1}\n')  # killed early
    assert main(["train", "--steps", "30", "--quiet", "--out", str(fresh), "--resume"]) == 0
    assert f"no checkpoint in {fresh}: starting fresh" in capsys.readouterr().out
    assert [e["episode"] for e in episodes(fresh)] == list(range(30))


def test_a_resume_continues_the_episode_indices(small_run, tmp_path, capsys):
    import shutil

    out = tmp_path / "run"
    shutil.copytree(small_run, out)
    assert main(["train", "--steps", "80", "--quiet", "--out", str(out), "--resume"]) == 0
    assert [e["episode"] for e in episodes(out)] == list(range(80))


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--teacher-param", "seed=5"], "--teacher-param seed=... is not a teacher hyperparameter"),
        (["--student", "ppo", "--student-param", "seed=3"], "(use --seed)"),
        (["--env-param", "dim=3"], "--env-param 'dim' is not a parameter of"),
        (["--eval-episodes", "0"], "--eval-episodes must be >= 1"),
        (["--checkpoint-every", "0"], "--checkpoint-every must be >= 1"),
    ],
)
def test_train_mistakes_are_one_line_before_anything_runs(argv, message, tmp_path, capsys):
    out = tmp_path / "x"
    assert main(["train", "--quiet", "--out", str(out), *argv]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("teachgym: error:") and message in err and "\n" not in err
    assert not out.exists()


def test_out_naming_a_file_is_one_line(tmp_path, capsys):
    target = tmp_path / "afile"
    target.write_text("keep me")
    assert main(["train", "--quiet", "--out", str(target)]) == 2
    assert "is a file, not a directory" in capsys.readouterr().err
    assert target.read_text() == "keep me"


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        ("model", r"model\.zip cannot be loaded"),
        ("list", r"student\.json is corrupted"),
        ("negative", r"non-negative integer 'steps_done'"),
        ("n_envs", r"n_envs: 2 -> 3"),
    ],
)
def test_a_damaged_ppo_checkpoint_is_one_line_on_resume(damage, message, tmp_path, capsys):
    out = tmp_path / "run"
    assert main([*PPO_ACCEL, "--steps", "32", "--out", str(out)]) == 0
    checkpoint = out / "checkpoint"
    argv = [*PPO_ACCEL, "--steps", "64", "--out", str(out), "--resume"]
    if damage == "model":
        data = (checkpoint / "model.zip").read_bytes()
        (checkpoint / "model.zip").write_bytes(data[: len(data) // 2])
    elif damage == "list":
        (checkpoint / "student.json").write_text("[]")
    elif damage == "negative":
        meta = json.loads((checkpoint / "student.json").read_text())
        (checkpoint / "student.json").write_text(json.dumps({**meta, "steps_done": -50}))
    else:  # the run's settings say n_envs=2, a hand-edited run.json says 3
        run = json.loads((out / "run.json").read_text())
        run["student_param"] = [p.replace("n_envs=2", "n_envs=3") for p in run["student_param"]]
        (out / "run.json").write_text(json.dumps(run))
        argv = [a.replace("n_envs=2", "n_envs=3") for a in argv]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("teachgym: error:") and "\n" not in err
    assert __import__("re").search(message, err)


def test_a_kill_between_the_two_renames_of_a_checkpoint_swap_is_recovered(small_run, tmp_path):
    import shutil

    out = tmp_path / "run"
    shutil.copytree(small_run, out)
    # The new checkpoint was complete and the old one moved aside: neither is in place.
    (out / "checkpoint").rename(out / "checkpoint.new")
    shutil.copytree(out / "checkpoint.new", out / "checkpoint.old")
    assert main(["train", "--steps", "80", "--quiet", "--out", str(out), "--resume"]) == 0
    assert [e["episode"] for e in episodes(out)] == list(range(80))
    assert sorted(p.name for p in out.iterdir() if p.name.startswith("checkpoint")) == [
        "checkpoint"
    ]


def test_resume_accepts_the_short_env_id_and_refuses_a_corrupted_run_json(
    small_run, tmp_path, capsys
):
    import shutil

    out = tmp_path / "run"
    shutil.copytree(small_run, out)
    argv = ["train", "--steps", "60", "--quiet", "--out", str(out), "--resume"]
    assert main([*argv, "--env", "LearnabilityGrid-v0"]) == 0
    (out / "run.json").write_text("{half")
    assert main([*argv, "--steps", "70"]) == 2
    assert "run.json is corrupted" in capsys.readouterr().err
