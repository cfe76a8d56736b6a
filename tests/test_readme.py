"""The README's Python quickstart runs as written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"


@pytest.mark.slow
def test_readme_quickstart_runs(tmp_path, monkeypatch, capsys):
    code = re.search(r"## Quickstart\n\n```python\n(.*?)```", README.read_text(), re.S)
    assert code is not None
    monkeypatch.chdir(tmp_path)
    exec(compile(code.group(1), "README-quickstart", "exec"), {})
    out = capsys.readouterr().out
    assert "mean greedy return" in out and "{'x0': 0.3, 'x1': 0.7}" in out
    assert (tmp_path / "runs" / "quickstart" / "model.zip").exists()


def test_readme_opens_with_the_two_commands():
    text = README.read_text()
    assert "make demo" in text.split("## Quickstart")[0] and "make test" in text
    assert "make test" in (README.parent / ".ci" / "run").read_text()
