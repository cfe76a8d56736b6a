"""The teachgym command: list, train, resume, and one-line errors."""

from __future__ import annotations

import json

import pytest

from teachgym import cli
from teachgym.cli import main
from teachgym.errors import TeachgymUsageError


def test_list_shows_envs_teachers_and_task_spaces(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    assert "teachgym/LearnabilityGrid-v0" in out and "x0: a real number in [0.0, 1.0]" in out
    assert "random" in out and "ppo" in out


def test_train_writes_model_teacher_log_and_evaluation(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["train", "--steps", "2500", "--out", str(out), "--quiet"]) == 0
    assert (out / "checkpoint" / "teacher.json").exists()
    assert (out / "checkpoint" / "competence.npz").exists()
    lines = (out / "episodes.jsonl").read_text().splitlines()
    assert len(lines) == 2500
    first = json.loads(lines[0])
    assert set(first) >= {"task", "episode_return", "length", "success"}
    evaluation = json.loads((out / "evaluation.json").read_text())
    assert len(evaluation["returns"]) == 100 and 0 <= evaluation["percent_mastered"] <= 100
    # Resume to a larger budget continues from the checkpoint.
    assert main(["train", "--steps", "3000", "--out", str(out), "--quiet", "--resume"]) == 0
    assert "resumed from" in capsys.readouterr().out
    assert len((out / "episodes.jsonl").read_text().splitlines()) == 3000


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["train", "--env", "Nope-v0"], "unknown environment 'Nope-v0'"),
        (["train", "--teacher", "nope"], "unknown teacher 'nope'"),
        (["train", "--student", "nope"], "unknown student 'nope'"),
        (["train", "--teacher-param", "fit_rate=3"], "no hyperparameter 'fit_rate'"),
        (["train", "--teacher-param", "oops"], "key=value"),
        (["train", "--env-param", "dims=0"], "dims must be an integer >= 1"),
        (["train", "--env-param", "dims=2.5"], "dims must be an integer >= 1, got 2.5"),
        (["train", "--env-param", "task_kind=set"], "task_kind must be one of"),
        (["train", "--student-param", "forget_every=2.5"], "forget_every must be an integer"),
        (["train", "--steps", "-1"], "--steps must be >= 0"),
        (["train", "--student", "ppo"], "student 'ppo' cannot learn on teachgym/Learnabil"),
        (["train", "--teacher", "plr", "--student", "simulated"], "use 'ppo' or 'a2c'"),
        (
            ["train", "--env", "teachgym/Maze-v0", "--teacher", "paired", "--student", "ppo"],
            "needs a regret score per episode, which student 'ppo' (SB3 PPO) cannot give",
        ),
    ],
)
def test_user_mistakes_are_one_clear_line(argv, message, capsys, tmp_path):
    assert main([*argv, "--out", str(tmp_path / "x"), "--quiet"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("teachgym: error:") and message in err and "\n" not in err
    assert not (tmp_path / "x").exists()  # refused before anything ran or was written


def test_corrupted_checkpoint_on_resume(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["train", "--steps", "10", "--out", str(out), "--quiet"]) == 0
    (out / "checkpoint" / "teacher.json").write_text("{broken")
    assert main(["train", "--steps", "20", "--out", str(out), "--quiet", "--resume"]) == 2
    assert "corrupted" in capsys.readouterr().err


def test_only_usage_errors_become_one_line(monkeypatch, capsys):
    def usage_mistake(args):
        raise TeachgymUsageError("no such thing;\n pick another")

    def bug(args):
        raise RuntimeError("a bug in teachgym")

    monkeypatch.setattr(cli, "cmd_list", usage_mistake)
    assert main(["list"]) == 2
    err = capsys.readouterr().err
    assert err == "teachgym: error: no such thing; pick another\n"

    assert main(["--debug", "list"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" in err and err.endswith("teachgym: error: no such thing; pick another\n")

    monkeypatch.setattr(cli, "cmd_list", bug)
    with pytest.raises(RuntimeError, match="a bug in teachgym"):
        main(["list"])


def test_argparse_mistakes_exit_2(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["train", "--steps", "many"])
    assert stop.value.code == 2
    assert "invalid int value" in capsys.readouterr().err
