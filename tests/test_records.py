"""Tests of mgcourse.grader.records: submission digests (the gradebook is tested through the runner)."""

from __future__ import annotations

import os
from pathlib import Path

from mgcourse.grader.records import submission_digest


def test_submission_digest(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x.ipynb").write_text("one")
    first = submission_digest(tmp_path / "a")
    assert submission_digest(tmp_path / "a") == first
    (tmp_path / "a" / "x.ipynb").write_text("two")
    assert submission_digest(tmp_path / "a") != first
    (tmp_path / "a" / "x.ipynb").write_text("one")
    (tmp_path / "a" / "link").symlink_to(tmp_path)  # links are not followed
    assert submission_digest(tmp_path / "a") == first
    os.rename(tmp_path / "a" / "x.ipynb", tmp_path / "a" / "y.ipynb")
    assert submission_digest(tmp_path / "a") != first
