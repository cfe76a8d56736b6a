"""The README's Python quickstart runs as written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"


@pytest.mark.slow
def test_readme_quickstart_runs(tmp_path, monkeypatch, capsys):
    code = re.search(r"## Quickstart\n[^#]*?```python\n(.*?)```", README.read_text(), re.S)
    assert code is not None
    monkeypatch.chdir(tmp_path)
    exec(compile(code.group(1), "README-quickstart", "exec"), {})
    out = capsys.readouterr().out
    mastered: dict[str, list[float]] = {}
    episodes: dict[str, list[int]] = {}
    for name, count, percent in re.findall(r"(\w+): (\d+) episodes, ([\d.]+) % mastered", out):
        mastered.setdefault(name, []).append(float(percent))
        episodes.setdefault(name, []).append(int(count))
    assert set(mastered) == {"random", "riac"}
    assert all(counts == [2500, 5000, 7500, 10000] for counts in episodes.values())
    riac = mastered["riac"]
    assert riac == sorted(riac) and riac[-1] > riac[0]  # the figure moves with training
    assert riac[-1] > mastered["random"][-1]  # and the teacher beats random
    assert "{'x0': 0.3, 'x1': 0.7}" in out
    for name in mastered:
        checkpoint = tmp_path / "runs" / f"quickstart-{name}"
        assert (checkpoint / "student.json").exists() and (checkpoint / "teacher.json").exists()


def test_readme_opens_with_the_two_commands():
    text = README.read_text()
    assert "make demo" in text.split("## Quickstart")[0] and "make test" in text
    assert "make test" in (README.parent / ".ci" / "run").read_text()
