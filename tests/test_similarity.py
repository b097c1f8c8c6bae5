"""Tests of mgcourse.grader.similarity: copies are found, honest and blank work is not."""

from __future__ import annotations

import copy
import time
from pathlib import Path

import nbformat
import pytest

from fixtures.submissions import ASSIGNMENT, find, make_course, tiny_master, write
from mgcourse.grader.course import Course
from mgcourse.grader.similarity import (
    SimilarityOptions,
    answer_cells,
    answer_tokens,
    compare_answers,
    find_similar,
)

STARTER = '''def status(mg_mmol):
    """Classify serum magnesium [mmol/L]."""
    # YOUR CODE HERE
    raise NotImplementedError()
'''
ORIGINAL = '''def status(mg_mmol):
    """Classify serum magnesium [mmol/L]."""
    # low below 0.70, high above 1.10
    if mg_mmol < 0.70:
        label = "low"
    elif mg_mmol > 1.10:
        label = "high"
    else:
        label = "normal"
    return label


levels = [status(value) for value in (0.5, 0.9, 1.3)]
'''
#: The same code with every name changed, other comments and spacing, and no docstring.
RENAMED = '''def status(m):
    if m<0.70:   # too low
        result = "LOW"
    elif m>1.10:
        result = "HIGH"
    else:
        result = "NORMAL"
    return result

out = [status(x) for x in (0.5, 0.9, 1.3)]
'''
#: An honest solution of the same task, written differently.
HONEST = '''def status(mg_mmol):
    """Classify serum magnesium [mmol/L]."""
    bounds = {"low": (0.0, 0.70), "normal": (0.70, 1.10)}
    for name, (lower, upper) in bounds.items():
        if lower <= mg_mmol < upper:
            return name
    return "high"


levels = list(map(status, [0.5, 0.9, 1.3]))
'''
OPTIONS = SimilarityOptions(min_tokens=10)


def test_tokens_drop_comments_docstrings_and_spacing_and_rename_in_order() -> None:
    assert answer_tokens('x = np.log10(glucose)  # decimal\n"""bare string"""\n') == [
        "@0", "V1", "=", "V2", ".", "log10", "(", "V3", ")",
    ]
    assert answer_tokens("y = len('abc') + 2.5e3") == ["@0", "V1", "=", "len", "(", "S", ")", "+", "N"]
    assert answer_tokens(ORIGINAL) == answer_tokens(RENAMED)
    assert answer_tokens(ORIGINAL) != answer_tokens(HONEST)


def test_tokens_subtract_the_starter_code() -> None:
    assert answer_tokens(STARTER, STARTER) == []
    assert answer_tokens(STARTER.replace("# YOUR CODE HERE", "# not done yet"), STARTER) == []
    own = answer_tokens(ORIGINAL, STARTER)
    assert own[:3] == ["@1", "if", "V1"]  # the given def line is gone, the student's code is not
    assert "NotImplementedError" not in own


@pytest.mark.parametrize(
    "source",
    [
        "def f(x:\n    return (x",  # unclosed brackets
        "if x:\n        y = 1\n  z = 2\n",  # inconsistent dedent
        "s = 'unterminated\n",
        "x = " + ".".join(["a"] * 20_000) + "()" * 5_000,  # a long chain of attribute calls
        "(" * 50_000,  # deep nesting
        "\x00\ud800 = 1",
    ],
)
def test_tokens_of_any_text_are_bounded_and_never_raise(source: str) -> None:
    tokens = answer_tokens(source)
    assert isinstance(tokens, list) and len(tokens) <= 100_001


def _answers(**sources: str) -> dict[str, dict[str, str]]:
    return {student: {"tiny/status_solution": source} for student, source in sources.items()}


def test_identical_and_renamed_pairs_are_listed_honest_and_blank_are_not() -> None:
    answers = _answers(
        ann=ORIGINAL, bob=ORIGINAL, cy=RENAMED, dee=HONEST,
        blank1=STARTER, blank2=STARTER, empty1="", empty2="",
    )
    result = compare_answers(answers, {"tiny/status_solution": STARTER}, OPTIONS)
    pairs = {(p.first, p.second): p for p in result.pairs}
    assert set(pairs) == {("ann", "bob"), ("ann", "cy"), ("bob", "cy")}
    assert all(p.score == 1.0 and p.kind == "identical" for p in pairs.values())
    assert result.compared == ["ann", "bob", "cy", "dee"]
    assert result.too_short == ["blank1", "blank2", "empty1", "empty2"]


def test_a_near_copy_is_near_identical_and_the_threshold_is_configurable() -> None:
    near = ORIGINAL.replace("    return label\n", "    label = label.upper()\n    return label\n")
    answers = _answers(ann=ORIGINAL, bob=near, dee=HONEST)
    loose = compare_answers(answers, {"tiny/status_solution": STARTER}, SimilarityOptions(0.7, min_tokens=10))
    assert [(p.first, p.second, p.kind) for p in loose.pairs] == [("ann", "bob", "near-identical")]
    assert 0.7 <= loose.pairs[0].score < 1.0
    strict = compare_answers(answers, {"tiny/status_solution": STARTER},
                             SimilarityOptions(threshold=0.99, min_tokens=10))
    assert strict.pairs == []


def test_the_answer_most_of_the_class_gives_does_not_make_everyone_similar() -> None:
    answers = _answers(**{f"s{i:02d}": ORIGINAL for i in range(12)}, copy1=HONEST, copy2=HONEST)
    result = compare_answers(answers, {"tiny/status_solution": STARTER}, OPTIONS)
    assert [(p.first, p.second) for p in result.pairs] == [("copy1", "copy2")]


def test_the_same_code_in_different_cells_is_not_a_match() -> None:
    answers = {"ann": {"a/one": ORIGINAL}, "bob": {"a/two": ORIGINAL}}
    assert compare_answers(answers, options=OPTIONS).pairs == []


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"threshold": 0.0}, "threshold = 0.0"),
        ({"threshold": 1.5}, "threshold = 1.5"),
        ({"k": 0}, "k = 0 tokens"),
        ({"min_tokens": 0}, "min_tokens = 0 tokens"),
        ({"common": 0.0}, "common = 0.0"),
    ],
)
def test_options_out_of_range(options: dict[str, float], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        SimilarityOptions(**options)  # type: ignore[arg-type]


def test_five_hundred_students_take_seconds_not_minutes() -> None:
    variants = [ORIGINAL, RENAMED, HONEST]
    answers = {  # three answers, each made distinct by a line of its own
        f"s{i:03d}": {"tiny/status_solution": variants[i % 3] + f"\nq = {'+'.join(['q'] * (i % 40))}\n"}
        for i in range(500)
    }
    start = time.perf_counter()
    result = compare_answers(answers, {"tiny/status_solution": STARTER}, OPTIONS)
    assert len(result.compared) == 500
    assert time.perf_counter() - start < 60  # generous: the machine is shared


# ----------------------------------------------------------------- a course on disk


def _course(root: Path) -> Course:
    """``tiny`` with its student version and four submissions (two of them copies)."""
    make_course(root)
    master = tiny_master()
    released = copy.deepcopy(master)
    for grade_id in ("double_solution", "half_solution"):
        name = grade_id.split("_")[0]
        find(released, grade_id).source = (
            f"def {name}(x):\n    # YOUR CODE HERE\n    raise NotImplementedError()\n"
        )
    write(root / "exercises" / ASSIGNMENT, released)
    long_double = "def double(x):\n" + "".join(f"    x{i} = x * {i}\n" for i in range(8))
    long_double += "    return 2 * x\n"
    honest = "def double(y):\n    total = 0\n    for _ in range(2):\n        total = total + y\n"
    honest += "    return total\n"
    for student, source in {"ann": long_double, "bob": long_double, "cy": honest}.items():
        nb = copy.deepcopy(released)
        find(nb, "double_solution").source = source
        write(root / "grading" / "submitted" / student / ASSIGNMENT, nb)
    write(root / "grading" / "submitted" / "dan" / ASSIGNMENT, released)  # handed in unchanged
    graded = copy.deepcopy(released)  # ann's autograded notebook wins over her submitted one
    find(graded, "double_solution").source = long_double.replace("x", "z")
    write(root / "grading" / "autograded" / "ann" / ASSIGNMENT, graded)
    return Course.load(root)


def test_answer_cells_come_from_autograded_then_submitted_notebooks(tmp_path: Path) -> None:
    course = _course(tmp_path / "course")
    answers, starters = answer_cells(course, ASSIGNMENT)
    assert sorted(starters) == ["tiny/double_solution", "tiny/half_solution"]
    assert sorted(answers) == ["ann", "bob", "cy", "dan"]
    assert "z0 = z * 0" in answers["ann"]["tiny/double_solution"]
    assert answers["dan"] == starters


def test_find_similar_on_a_course(tmp_path: Path) -> None:
    course = _course(tmp_path / "course")
    result = find_similar(course, ASSIGNMENT, OPTIONS)
    assert [(p.first, p.second, p.kind) for p in result.pairs] == [("ann", "bob", "identical")]
    assert result.too_short == ["dan"]


def test_unreadable_notebooks_count_as_blank(tmp_path: Path) -> None:
    course = _course(tmp_path / "course")
    broken = course.submitted / "eve" / ASSIGNMENT
    broken.mkdir(parents=True)
    (broken / f"{ASSIGNMENT}.ipynb").write_text("[" * 100_000, encoding="utf-8")
    nested = course.submitted / "fay" / ASSIGNMENT
    nested.mkdir(parents=True)
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")]),
                   str(nested / f"{ASSIGNMENT}.ipynb"))
    result = find_similar(course, ASSIGNMENT, OPTIONS)
    assert {"eve", "fay"} <= set(result.too_short)
