"""Tests of mgcourse.grader.results: options and the record of one graded submission."""

from __future__ import annotations

import json

import pytest

from mgcourse.grader.results import CellResult, Flag, GradeOptions, SubmissionResult


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"workers": 0}, "workers = 0"),
        ({"timeout": 0.0}, "timeout = 0.0 s"),
        ({"timeout": -5.0}, "timeout = -5.0 s"),
        ({"memory_mb": 10}, "memory_mb = 10 MB"),
        ({"output_limit": 5}, "output_limit = 5 characters"),
        ({"budget": 0.0}, "budget = 0.0 s"),
        ({"processes": 2}, "processes = 2"),
        ({"file_mb": 0}, "file_mb = 0 MB"),
    ],
)
def test_grade_options_reject_bad_values(kwargs: dict[str, float], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        GradeOptions(**kwargs)  # type: ignore[arg-type]


def test_submission_result_json_round_trip() -> None:
    result = SubmissionResult(
        "alice", "tiny", "flagged", 1.0, 3.0, 2.5,
        cells=[CellResult("tiny", "test_double", 0.0, 2.0, "failed", "AssertionError", "did you?", "x")],
        flags=[Flag("timeout", "slow", "double_solution"), Flag("extra_files", "x", review=False)],
        comments={"tiny/double_solution": None}, digest="abc", skipped=True, output="/tmp/x",
    )
    data = json.loads(json.dumps(result.to_json()))
    assert "skipped" not in data and "output" not in data
    again = SubmissionResult.from_json(data)
    assert again.cells == result.cells and again.flags == result.flags
    assert (again.student, again.score, again.digest, again.skipped) == ("alice", 1.0, "abc", False)
    assert again.needs_review
    assert not SubmissionResult("bob", "tiny", "graded", flags=[Flag("x", "y", review=False)]).needs_review
    assert SubmissionResult("bob", "tiny", "failed").needs_review
