"""Tests of mgcourse.autograde: the parallel, sandboxed, resumable grader.

The hostile course (``fixtures/submissions.py``) has one submission per failure
mode: an infinite loop, a loop that ignores interrupts, huge output, a kernel that
exits, ``sys.exit``, a memory bomb, deleted / duplicated / edited test cells,
edited read-only cells, changed metadata, invalid JSON, nbformat 3, a missing and
a renamed notebook, extra files, monkeypatched numpy, builtins and IPython, and
attempts to read the course's files. It is graded once per session on two worker
processes (``fixtures/courses.py``); each case then checks its recorded outcome.
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import json
import multiprocessing
import os
import resource
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell

from fixtures.courses import HOSTILE_OPTIONS, GradedCourse, assignment1_course, hostile_course
from fixtures.submissions import (
    ADD_TWO,
    ASSIGNMENT,
    POINTS,
    SUBMISSIONS,
    filled,
    find,
    make_course,
    tiny_master,
    with_answer,
    write,
)
from mgcourse import autograde
from mgcourse.autograde import (
    CellResult,
    Flag,
    GradeOptions,
    MasterCell,
    MasterNotebook,
    SubmissionResult,
    _NotebookOutcome,
    _read_notebook,
    _restore_cells,
    _worker_init,
    assertion_messages,
    find_submissions,
    grade_assignment,
    load_master,
    load_records,
    scan_source,
    submission_digest,
    visible_source,
)
from mgcourse.grading import GradingError, load_config, release
from mgcourse.sandbox import _Sandbox

pytestmark = pytest.mark.filterwarnings(
    # nbgrader 0.9.6's gradebook triggers SQLAlchemy autoflush warnings
    "ignore:Object of type <Submitted:sqlalchemy.exc.SAWarning"
)


@pytest.fixture(autouse=True)
def _course_from_arguments(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every function gets its course explicitly; ignore the environment's course and gradebook."""
    monkeypatch.delenv("MGCOURSE_DB_URL", raising=False)
    monkeypatch.delenv("MGCOURSE_COURSE_ROOT", raising=False)


def _gradebook_scores(root: Path, assignment: str, student: str) -> dict[str, tuple[float, float | None]]:
    """grade_id → (score, manual score) in the gradebook."""
    from nbgrader.api import Gradebook

    config = load_config(root)
    with Gradebook(str(config.CourseDirectory.db_url), "mgcourse") as gradebook:
        submission = gradebook.find_submission(assignment, student)
        return {
            str(grade.name): (float(grade.score), grade.manual_score)
            for notebook in submission.notebooks
            for grade in notebook.grades
        }


def _submission_count(root: Path, assignment: str) -> dict[str, int]:
    """Student id → number of gradebook grades of the assignment (each cell exactly once)."""
    from nbgrader.api import Gradebook

    config = load_config(root)
    with Gradebook(str(config.CourseDirectory.db_url), "mgcourse") as gradebook:
        return {
            str(s.student.id): sum(len(nb.grades) for nb in s.notebooks)
            for s in gradebook.assignment_submissions(assignment)
        }


# ======================================================================= pure helpers


def test_visible_source_drops_the_hidden_region() -> None:
    source = 'a = 1\n### BEGIN HIDDEN TESTS\nassert a == 1, "secret"\n### END HIDDEN TESTS\nb = 2\n'
    assert visible_source(source) == "a = 1\nb = 2\n"
    assert visible_source("no hidden tests\n") == "no hidden tests\n"


def test_assertion_messages_in_source_order() -> None:
    source = (
        'raise AssertionError("first")\n'
        'assert x, "second"\n'
        'np.testing.assert_allclose(a, b, err_msg="third")\n'
        'assert y, (\n    "fourth"\n)\n'
        'assert z, f"fifth {z}"\n'
        'assert w, "second"\n'
    )
    assert assertion_messages(source) == ["first", "second", "third", "fourth", "fifth"]
    assert assertion_messages("this is not python (") == []


def test_assertion_messages_of_a_real_test_cell() -> None:
    from fixtures.submissions import TEST_DOUBLE

    assert assertion_messages(TEST_DOUBLE) == [
        "double(0) should be 0",
        "did you multiply by two rather than add two?",
    ]


@pytest.mark.parametrize(
    ("code", "finding"),
    [
        ("import numpy as np\nnp.testing.assert_allclose = print", "assigns to np.testing.assert_allclose"),
        ("import builtins\nbuiltins.len = lambda x: 3", "assigns to builtins.len"),
        ("import sys\nsys.modules['numpy'] = None", "assigns to sys.modules['numpy']"),
        ("setattr(np, 'isclose', print)", "calls setattr()"),
        ("get_ipython().ast_transformers.append(1)", "calls get_ipython()"),
        ("import ctypes", "imports ctypes"),
        ("import os\nos._exit(0)", "calls os._exit()"),
        ("class Liar:\n    def __eq__(self, other):\n        return True", "defines __eq__"),
        ("open('../../solutions/a1/a1.ipynb')", "refers to the path"),
        ("import sys\nsys.settrace(None)", "calls sys.settrace()"),
    ],
)
def test_scan_source_finds_suspicious_code(code: str, finding: str) -> None:
    assert any(finding in line for line in scan_source(code)), scan_source(code)


def test_scan_source_accepts_ordinary_student_code() -> None:
    code = (
        "%matplotlib inline\nimport numpy as np\nfrom scipy.optimize import brentq\n"
        "def f(x):\n    total = sum(x)\n    return np.log10(total) / len(x)\n"
        "values = {'a': 1}\nvalues['a'] = 2\nresult = f(np.array([1.0, 2.0]))\nprint(result)\n"
    )
    assert scan_source(code) == []
    assert scan_source("this is ( not python") == []


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


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"workers": 0}, "workers = 0"),
        ({"timeout": 0.0}, "timeout = 0.0 s"),
        ({"timeout": -5.0}, "timeout = -5.0 s"),
        ({"memory_mb": 10}, "memory_mb = 10 MB"),
        ({"output_limit": 5}, "output_limit = 5 characters"),
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


# ======================================================================= restoring cells (no kernel)


def _master_notebook() -> MasterNotebook:
    from nbgrader.utils import compute_checksum

    cells = []
    for cell in tiny_master().cells:
        meta = cell.metadata["nbgrader"]
        checksum = compute_checksum(cell) if meta["locked"] or meta["solution"] else None
        cells.append(MasterCell(
            meta["grade_id"], cell.cell_type, meta["locked"], cell.source, checksum,
            grade=meta["grade"], solution=meta["solution"], points=meta.get("points"),
        ))
    return MasterNotebook("tiny", tuple(cells), aliases={"np": ("numpy", None)}, modules=("numpy",))


def _student() -> nbformat.NotebookNode:
    """The student version: hidden tests removed, as nbgrader generates it."""
    nb = tiny_master()
    for cell in nb.cells:
        if cell.metadata["nbgrader"]["grade"]:
            cell.source = visible_source(cell.source)
    return filled(nb)


def _restore(nb: nbformat.NotebookNode) -> _NotebookOutcome:
    outcome = _NotebookOutcome()
    _restore_cells(nb, _master_notebook(), outcome)
    return outcome


def test_restore_an_untouched_notebook_restores_hidden_tests_silently() -> None:
    nb = _student()
    outcome = _restore(nb)
    assert outcome.flags == []
    assert "BEGIN HIDDEN TESTS" in find(nb, "test_double").source


def test_restore_flags_a_deleted_test_cell_and_a_deleted_read_only_cell() -> None:
    nb = _student()
    nb.cells = [c for c in nb.cells if c.metadata["nbgrader"]["grade_id"] not in ("test_half", "intro")]
    kinds = {(f.kind, f.cell) for f in _restore(nb).flags}
    assert kinds == {("deleted_cell", "test_half"), ("deleted_cell", "intro")}


def test_restore_keeps_the_last_of_duplicated_cells() -> None:
    nb = _student()
    nb.cells.append(copy.deepcopy(find(nb, "test_half")))
    flags = _restore(nb).flags
    assert [f.kind for f in flags] == ["duplicated_cell"]
    graded = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "test_half"]
    assert len(graded) == 1 and graded[0] is nb.cells[-1]


def test_restore_undoes_edits_and_metadata_changes() -> None:
    nb = _student()
    find(nb, "test_double").source = "pass"
    find(nb, "setup").source = "DATA = []"
    find(nb, "test_half").metadata["nbgrader"].update(points=50, grade=False, locked=False)
    find(nb, "intro").cell_type = "raw"
    flags = {(f.kind, f.cell) for f in _restore(nb).flags}
    assert flags == {
        ("edited_cell", "test_double"), ("edited_cell", "setup"),
        ("changed_metadata", "test_half"), ("changed_metadata", "intro"),
    }
    assert find(nb, "test_double").source == tiny_master().cells[3].source
    assert find(nb, "setup").source == tiny_master().cells[1].source
    assert find(nb, "test_half").metadata["nbgrader"]["points"] == 1
    assert find(nb, "intro").cell_type == "markdown"


def test_restore_ignores_cells_with_unknown_or_broken_metadata() -> None:
    nb = _student()
    nb.cells.append(new_code_cell("x = 1", metadata={"nbgrader": {"grade_id": "bonus", "grade": True,
                                                                "points": 99}}))
    nb.cells.append(new_markdown_cell("hi", metadata={"nbgrader": "not a dict"}))
    nb.cells.append(new_code_cell("y = 1", metadata={"nbgrader": {"grade": True, "points": 5}}))
    flags = _restore(nb).flags
    assert [f.kind for f in flags] == ["unknown_cell", "unknown_cell"]
    assert all("nbgrader" not in cell.metadata for cell in nb.cells[-3:])


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("{ not json", "not valid JSON"),
        ('{"hello": "world"}', "not a Jupyter notebook"),
        ("[1, 2, 3]", "not a Jupyter notebook"),
        ('{"cells": [{"cell_type": "sql", "id": "a", "source": "", "metadata": {}}], "metadata": {}, '
         '"nbformat": 4, "nbformat_minor": 5}', "cell of type 'sql'"),
    ],
)
def test_read_notebook_records_why_it_cannot(tmp_path: Path, content: str, reason: str) -> None:
    path = tmp_path / "tiny.ipynb"
    path.write_text(content, encoding="utf-8")
    outcome = _NotebookOutcome()
    assert _read_notebook(path, "tiny", outcome) is None
    assert [f.kind for f in outcome.flags] == ["invalid_notebook"]
    assert reason in outcome.flags[0].detail


def test_read_notebook_upgrades_nbformat_3(tmp_path: Path) -> None:
    path = tmp_path / "tiny.ipynb"
    path.write_text(json.dumps(nbformat.convert(_student(), 3)), encoding="utf-8")
    outcome = _NotebookOutcome()
    nb = _read_notebook(path, "tiny", outcome)
    assert nb is not None and nb.nbformat == 4
    assert [f.kind for f in outcome.flags] == ["old_format"] and not outcome.flags[0].review
    assert find(nb, "double_solution").metadata["nbgrader"]["solution"] is True


# ======================================================================= the kernel sandbox (no kernel)


def test_sandbox_resolves_paths_like_realpath_and_denies_by_prefix(tmp_path: Path) -> None:
    allowed, denied = tmp_path / "work", tmp_path / "secret"
    allowed.mkdir()
    denied.mkdir()
    (allowed / "sneaky").symlink_to(denied)
    sandbox = _Sandbox({"report": str(tmp_path / "report.txt"), "allow": [str(allowed)],
                        "deny": [str(tmp_path)], "modules": []})
    assert sandbox._realpath(str(allowed / "sneaky" / "x")) == os.path.realpath(denied / "x")
    assert sandbox._realpath(str(allowed / ".." / "work" / "." / "a")) == str(allowed / "a")
    assert sandbox._denied(str(allowed / "data.txt")) is None
    assert sandbox._denied(str(allowed / "sneaky" / "answers.ipynb")) is not None
    assert sandbox._denied(str(tmp_path / "report.txt")) is not None
    assert sandbox._denied(os.fsencode(str(denied))) is not None
    assert sandbox._denied(3) is None  # file descriptors are not paths
    assert sandbox._denied("/usr/lib") is None


def test_worker_gets_a_memory_cap_and_its_own_session() -> None:
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(1, mp_context=context, initializer=_worker_init, initargs=(3000,)) as pool:
        soft, _ = pool.submit(resource.getrlimit, resource.RLIMIT_AS).result()
        session = pool.submit(os.getsid, 0).result()
    assert soft == 3000 * 1024 * 1024
    assert session != os.getsid(0)


# ======================================================================= the hostile course


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> GradedCourse:
    return hostile_course(tmp_path_factory)


@pytest.mark.nbgrader
@pytest.mark.parametrize("student", sorted(SUBMISSIONS))
def test_hostile_submission_outcome(hostile: GradedCourse, student: str) -> None:
    case = SUBMISSIONS[student]
    result = hostile.results[student]
    assert {c.grade_id: c.score for c in result.cells} == case.scores, result.cells
    assert {c.grade_id: c.max_score for c in result.cells} == POINTS
    assert result.outcome == case.outcome, result.flags
    assert case.flags <= {f.kind for f in result.flags}, result.flags
    statuses = {c.grade_id: c.status for c in result.cells}
    assert {k: statuses[k] for k in case.statuses} == case.statuses
    assert result.score == sum(case.scores.values())


@pytest.mark.nbgrader
@pytest.mark.parametrize("student", sorted(SUBMISSIONS))
def test_hostile_submission_grades_reach_the_gradebook_and_the_record(
    hostile: GradedCourse, student: str
) -> None:
    scores = _gradebook_scores(hostile.root, ASSIGNMENT, student)
    assert {k: v[0] for k, v in scores.items()} == SUBMISSIONS[student].scores
    record = load_records(ASSIGNMENT, hostile.root)[student]
    assert record.to_json() == hostile.results[student].to_json()


@pytest.mark.nbgrader
def test_clean_submissions_are_not_flagged(hostile: GradedCourse) -> None:
    for student in ("good", "blank", "wrong", "huge_output", "sys_exit", "nbformat3", "extra_files"):
        assert not [f for f in hostile.results[student].flags if f.review], student


@pytest.mark.nbgrader
def test_failing_checks_record_the_tests_own_message(hostile: GradedCourse) -> None:
    cell = hostile.results["wrong"].cells[0]
    assert (cell.status, cell.ename) == ("failed", "AssertionError")
    assert cell.message == "did you multiply by two rather than add two?"
    blank = hostile.results["blank"].cells[0]
    assert (blank.ename, blank.message) == ("NotImplementedError", None)
    assert hostile.results["blank"].errors == []  # the stubs raise only when the tests call them
    exits = [(e.cell, e.ename) for e in hostile.results["sys_exit"].errors]
    assert exits == [("half_solution", "SystemExit")]


@pytest.mark.nbgrader
def test_autograded_notebook_holds_the_restored_hidden_tests(hostile: GradedCourse) -> None:
    folder = hostile.root / "grading" / "autograded" / "edited_test" / ASSIGNMENT
    assert sorted(p.name for p in folder.iterdir()) == ["data.txt", f"{ASSIGNMENT}.ipynb"]
    nb = nbformat.read(str(folder / f"{ASSIGNMENT}.ipynb"), as_version=4)
    test = find(nb, "test_double")
    assert "BEGIN HIDDEN TESTS" in test.source and "nothing to check" not in test.source
    assert test.outputs[0]["ename"] == "AssertionError"
    assert (folder / "data.txt").read_text() == "1 2 3\n"  # the course's data, not the student's


@pytest.mark.nbgrader
def test_deleted_test_cell_is_not_added_back(hostile: GradedCourse) -> None:
    folder = hostile.root / "grading" / "autograded" / "deleted_test" / ASSIGNMENT
    nb = nbformat.read(str(folder / f"{ASSIGNMENT}.ipynb"), as_version=4)
    ids = [c.metadata.get("nbgrader", {}).get("grade_id") for c in nb.cells]
    assert "test_double" not in ids and "test_half" in ids


@pytest.mark.nbgrader
def test_huge_output_is_cut_while_it_arrives(hostile: GradedCourse) -> None:
    folder = hostile.root / "grading" / "autograded" / "huge_output" / ASSIGNMENT
    assert (folder / f"{ASSIGNMENT}.ipynb").stat().st_size < 3 * HOSTILE_OPTIONS.output_limit
    nb = nbformat.read(str(folder / f"{ASSIGNMENT}.ipynb"), as_version=4)
    text = "".join(o.get("text", "") for o in find(nb, "double_solution").outputs)
    assert "output truncated" in text


@pytest.mark.nbgrader
def test_attempts_to_read_the_course_are_denied_and_flagged(hostile: GradedCourse) -> None:
    result = hostile.results["read_course"]
    denied = " ".join(f.detail for f in result.flags if f.kind in ("file_access", "process"))
    root = str(hostile.root.resolve())
    assert f"open: {root}/solutions/{ASSIGNMENT}/{ASSIGNMENT}.ipynb was denied" in denied
    assert f"sqlite3.connect: {root}/grading/gradebook.db was denied" in denied
    assert "os.listdir" in denied and "subprocess.Popen" in denied
    assert "connection.json was denied" in denied
    assert "/environ was denied" in denied and "/net/unix was denied" in denied  # other processes, sockets
    nb = nbformat.read(
        str(hostile.root / "grading" / "autograded" / "read_course" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"),
        as_version=4,
    )
    text = "".join(o.get("text", "") for o in find(nb, "double_solution").outputs)
    # master, report, connection file, the grader's environment, the socket table, gradebook,
    # listdir .., listdir of the runtime folder, cat
    assert text.count("blocked: PermissionError") == 9
    assert "blocked: FileNotFoundError" in text  # ../../.. from the private copy leads nowhere
    assert "BEGIN SOLUTION" not in text


@pytest.mark.nbgrader
def test_memory_cap_stops_the_bomb_and_the_cell_says_so(hostile: GradedCourse) -> None:
    flags = [f for f in hostile.results["memory_bomb"].flags if f.kind == "memory"]
    assert flags and "500 MB" in flags[0].detail
    errors = hostile.results["memory_bomb"].errors
    assert (errors[0].cell, errors[0].ename) == ("double_solution", "MemoryError")


@pytest.mark.nbgrader
def test_kernel_crash_and_unstoppable_loop_leave_later_tests_unrun(hostile: GradedCourse) -> None:
    died = [f for f in hostile.results["kernel_exit"].flags if f.kind == "kernel_died"]
    assert died and "exit status 1" in died[0].detail and died[0].cell == "half_solution"
    crashed = [f for f in hostile.results["segfault"].flags if f.kind == "kernel_died"]
    assert crashed and "killed by signal SIGSEGV" in crashed[0].detail
    stuck = hostile.results["loop_ignores_interrupt"]
    assert [c.status for c in stuck.cells] == ["not_run", "not_run"]


@pytest.mark.nbgrader
def test_tampering_is_undone_before_the_test_runs(hostile: GradedCourse) -> None:
    details = {s: " | ".join(f.detail for f in hostile.results[s].flags if f.kind == "tampering")
               for s in ("patch_numpy", "patch_numpy_deep", "patch_builtins", "patch_helper", "rebind_np",
                         "swallow_errors", "hide_tracebacks", "blank_test_cells")}
    assert "numpy.testing.assert_allclose was replaced (restored before test_double ran)" in details[
        "patch_numpy"]
    assert "numpy.testing._private.utils.assert_array_compare" in details["patch_numpy_deep"]
    assert "builtins.AssertionError was replaced" in details["patch_builtins"]
    assert "math.isclose was replaced" in details["patch_helper"]
    assert "the name 'isclose' no longer referred to math.isclose" in details["patch_helper"]
    assert "the built-in 'isinstance' that the test uses was redefined" in details["patch_builtins"]
    assert "the name 'np' no longer referred to numpy" in details["rebind_np"]
    assert "custom exception handler" in details["swallow_errors"]
    assert "showtraceback was replaced" in details["hide_tracebacks"]
    assert "did not run" in details["blank_test_cells"]
    assert "errors are being hidden" in details["blank_test_cells"]


@pytest.mark.nbgrader
def test_one_bad_submission_does_not_affect_the_others(hostile: GradedCourse) -> None:
    # every submission has its own result and the good one is untouched by its neighbours
    assert set(hostile.results) == set(SUBMISSIONS)
    assert hostile.results["good"].score == 3.0 and hostile.results["good"].flags == []
    assert all(r.outcome != "failed" for r in hostile.results.values())


# ======================================================================= sandbox facts, seen from the kernel


@pytest.fixture(scope="module")
def probe(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """What a submission sees of its environment (printed as JSON by a student cell)."""
    root = make_course(tmp_path_factory.mktemp("probe") / "course")
    release(ASSIGNMENT, root)
    student = nbformat.read(str(root / "exercises" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"), as_version=4)
    code = (
        "import json, os, resource, sys\n"
        "print('PROBE', json.dumps({'as': resource.getrlimit(resource.RLIMIT_AS)[0], "
        "'cpu': resource.getrlimit(resource.RLIMIT_CPU)[0], 'cwd': os.getcwd(), "
        "'files': sorted(os.listdir('.')), 'root': os.environ.get('MGCOURSE_COURSE_ROOT'), "
        "'db': os.environ.get('MGCOURSE_DB_URL'), 'sandbox': os.environ.get('MGCOURSE_SANDBOX')}))\n"
    )
    answer = code + find(filled(student), "double_solution").source
    folder = root / "grading" / "submitted" / "probe" / ASSIGNMENT
    write(folder, with_answer(student, "double_solution", answer))
    [result] = grade_assignment(ASSIGNMENT, root, options=GradeOptions(workers=1, timeout=30, memory_mb=700))
    assert result.outcome == "graded" and result.score == 3.0, result
    nb = nbformat.read(str(root / "grading" / "autograded" / "probe" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"),
                       as_version=4)
    text = "".join(o.get("text", "") for o in find(nb, "double_solution").outputs)
    data: dict[str, object] = json.loads(text.split("PROBE", 1)[1])
    data["course"] = str(root.resolve())
    return data


@pytest.mark.nbgrader
def test_kernel_runs_under_the_memory_and_cpu_caps(probe: dict[str, object]) -> None:
    assert probe["as"] == 700 * 1024 * 1024
    assert isinstance(probe["cpu"], int) and probe["cpu"] > 0


@pytest.mark.nbgrader
def test_kernel_runs_in_a_private_copy_outside_the_course(probe: dict[str, object]) -> None:
    assert probe["files"] == ["data.txt"]  # only the course's data files, not the notebook
    assert not str(probe["cwd"]).startswith(str(probe["course"]))
    assert probe["root"] is None and probe["db"] is None and probe["sandbox"] is None


# ======================================================================= resume, force, manual grades


@pytest.fixture
def small_course(tmp_path: Path) -> Path:
    """The tiny course with three ordinary submissions."""
    root = make_course(tmp_path / "course")
    release(ASSIGNMENT, root)
    student = nbformat.read(str(root / "exercises" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"), as_version=4)
    wrong = with_answer(student, "double_solution", ADD_TWO)
    for student_id, nb in (("ann", filled(student)), ("ben", wrong), ("cat", student)):
        write(root / "grading" / "submitted" / student_id / ASSIGNMENT, nb)
    return root


OPTIONS = GradeOptions(workers=2, timeout=30, memory_mb=1000)
EXPECTED = {"ann": 3.0, "ben": 1.0, "cat": 0.0}


@pytest.mark.nbgrader
def test_interrupted_grading_resumes_without_losing_or_duplicating(
    small_course: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[str] = []
    scratch: list[str] = []
    mkdtemp = autograde.tempfile.mkdtemp

    def recording_mkdtemp(**kwargs: str) -> str:
        scratch.append(mkdtemp(**kwargs))
        return scratch[-1]

    monkeypatch.setattr(autograde.tempfile, "mkdtemp", recording_mkdtemp)

    def stop_after_first(result: SubmissionResult) -> None:
        seen.append(result.student)
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        grade_assignment(ASSIGNMENT, small_course, options=OPTIONS, progress=stop_after_first)
    [first] = seen
    assert set(load_records(ASSIGNMENT, small_course)) == {first}
    assert _submission_count(small_course, ASSIGNMENT) == {first: 2}
    assert not list(Path(small_course / "grading" / "autograded").glob(f"*/.{ASSIGNMENT}.*"))
    assert scratch and not Path(scratch[0]).exists()  # the private copies are gone

    results = {r.student: r for r in grade_assignment(ASSIGNMENT, small_course, options=OPTIONS)}
    assert results[first].skipped
    assert {s for s, r in results.items() if not r.skipped} == set(EXPECTED) - {first}
    assert {s: r.score for s, r in results.items()} == EXPECTED
    assert _submission_count(small_course, ASSIGNMENT) == {s: 2 for s in EXPECTED}
    again = grade_assignment(ASSIGNMENT, small_course, options=OPTIONS)
    assert all(r.skipped for r in again)


@pytest.mark.nbgrader
def test_changed_submission_is_graded_again(small_course: Path) -> None:
    grade_assignment(ASSIGNMENT, small_course, options=OPTIONS, students=["ben"])
    exercise = small_course / "exercises" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    student = nbformat.read(str(exercise), as_version=4)
    write(small_course / "grading" / "submitted" / "ben" / ASSIGNMENT, filled(student))  # resubmitted
    [result] = grade_assignment(ASSIGNMENT, small_course, options=OPTIONS, students=["ben"])
    assert not result.skipped and result.score == 3.0
    assert _gradebook_scores(small_course, ASSIGNMENT, "ben")["test_double"][0] == 2.0


@pytest.mark.nbgrader
def test_manual_grades_survive_a_forced_regrade(small_course: Path) -> None:
    from nbgrader.api import Gradebook

    grade_assignment(ASSIGNMENT, small_course, options=OPTIONS, students=["ben"])
    config = load_config(small_course)
    with Gradebook(str(config.CourseDirectory.db_url), "mgcourse") as gradebook:
        grade = gradebook.find_grade("test_double", ASSIGNMENT, ASSIGNMENT, "ben")
        grade.manual_score = 1.5  # partial credit given by hand
        gradebook.db.commit()
    force = GradeOptions(workers=1, timeout=30, memory_mb=1000, force=True)
    [result] = grade_assignment(ASSIGNMENT, small_course, options=force, students=["ben"])
    assert not result.skipped
    with Gradebook(str(config.CourseDirectory.db_url), "mgcourse") as gradebook:
        grade = gradebook.find_grade("test_double", ASSIGNMENT, ASSIGNMENT, "ben")
        assert (grade.manual_score, grade.auto_score, grade.score) == (1.5, 0.0, 1.5)
        assert grade.needs_manual_grade
        untouched = gradebook.find_grade("test_half", ASSIGNMENT, ASSIGNMENT, "ben")
        assert (untouched.manual_score, untouched.score, untouched.needs_manual_grade) == (None, 1.0, False)


@pytest.mark.nbgrader
def test_a_crashing_worker_is_recorded_as_failed_and_retried_next_time(
    small_course: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a worker that cannot even start: 30 MB of address space
    monkeypatch.setattr(autograde, "WORKER_HEADROOM_MB", 30 - OPTIONS.memory_mb)
    results = grade_assignment(ASSIGNMENT, small_course, options=OPTIONS, students=["ann", "cat"])
    assert {r.student: r.outcome for r in results} == {"ann": "failed", "cat": "failed"}
    assert all(r.error for r in results)
    assert {s: r.outcome for s, r in load_records(ASSIGNMENT, small_course).items()} == {
        "ann": "failed", "cat": "failed"}
    assert _submission_count(small_course, ASSIGNMENT) == {}
    monkeypatch.undo()
    results = grade_assignment(ASSIGNMENT, small_course, options=OPTIONS, students=["ann", "cat"])
    assert {r.student: (r.outcome, r.skipped) for r in results} == {
        "ann": ("graded", False), "cat": ("graded", False)}


@pytest.mark.nbgrader
def test_a_worker_that_dies_breaks_no_other_submission(
    small_course: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fixtures.submissions import WorkerBomb

    run_jobs = autograde._run_jobs

    def with_a_bomb(jobs: list[autograde.GradingJob], options: GradeOptions) -> Iterator[SubmissionResult]:
        bomb = dataclasses.replace(jobs[0], student="bomb", master=WorkerBomb())  # type: ignore[arg-type]
        yield from run_jobs([bomb, *jobs], options)

    monkeypatch.setattr(autograde, "_run_jobs", with_a_bomb)
    results = {r.student: r for r in grade_assignment(ASSIGNMENT, small_course, options=OPTIONS)}
    assert results["bomb"].outcome == "failed"
    assert "the grading process crashed (BrokenProcessPool)" in (results["bomb"].error or "")
    assert {s: (r.outcome, r.score) for s, r in results.items() if s != "bomb"} == {
        s: ("graded", score) for s, score in EXPECTED.items()}
    assert _submission_count(small_course, ASSIGNMENT) == {s: 2 for s in EXPECTED}


@pytest.mark.nbgrader
def test_a_kernel_that_dies_on_start_up_is_replaced(
    small_course: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A kernel that cannot bind its sockets dies before it runs any code: not the student's fault.
    transport = autograde._transport
    starts: list[Path] = []

    def unbindable(kdir: Path) -> dict[str, str]:
        return {"transport": "ipc", "ip": str(kdir / "no such folder" / "ipc")}

    def first_unbindable(kdir: Path) -> dict[str, str]:
        starts.append(kdir)
        if len(starts) == 1:
            return unbindable(kdir)
        chosen = transport(kdir)
        assert chosen["transport"] == "ipc"  # a socket file in the kernel's own folder, not a TCP port
        return chosen

    monkeypatch.setattr(autograde, "_transport", first_unbindable)
    # in this process, one submission at a time, so that the patched transport is used
    monkeypatch.setattr(
        autograde, "_run_jobs", lambda jobs, options: (autograde.grade_submission(j) for j in jobs)
    )
    [ann] = grade_assignment(ASSIGNMENT, small_course, options=OPTIONS, students=["ann"])
    assert (ann.outcome, ann.score, len(starts)) == ("graded", EXPECTED["ann"], 2)

    monkeypatch.setattr(autograde, "_transport", unbindable)
    [cat] = grade_assignment(ASSIGNMENT, small_course, options=OPTIONS, students=["cat"])
    assert cat.outcome == "failed" and cat.error is not None
    assert "Kernel died before replying to kernel_info" in cat.error
    assert "ZMQError" in cat.error  # the kernel's own last words, from its log


def test_the_sandbox_denies_other_processes_proc_entries_but_not_its_own(tmp_path: Path) -> None:
    from mgcourse.sandbox import _Sandbox

    sandbox = _Sandbox({"report": str(tmp_path / "report.txt"), "allow": [], "deny": [], "modules": []})
    me, parent = os.getpid(), os.getppid()
    for own in ("/proc/self/status", "/proc/self", f"/proc/{me}", "/proc/cpuinfo", "/proc"):
        assert sandbox._denied(own) is None, own
    assert sandbox._denied(f"/proc/{parent}/environ") == f"/proc/{parent}/environ"
    assert sandbox._denied("/proc/net/unix") == f"/proc/{me}/net/unix"  # via /proc/self
    assert sandbox._denied("/proc/thread-self/net/tcp") is not None


def test_kernel_sockets_are_unguessable_files_in_the_kernels_folder(tmp_path: Path) -> None:
    first, second = autograde._transport(tmp_path), autograde._transport(tmp_path)
    assert first["transport"] == "ipc" and Path(first["ip"]).parent == tmp_path
    assert first["ip"] != second["ip"]
    # a folder too deep for a Unix socket's path: TCP on the loopback interface
    assert autograde._transport(tmp_path / ("x" * 100)) == {"transport": "tcp", "ip": "127.0.0.1"}


def _sandbox_processes() -> set[int]:
    """Process ids of running sandboxed kernels started from this process's workers."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                if b"mgcourse.sandbox" in (entry / "cmdline").read_bytes():
                    found.add(int(entry.name))
    return found


def _assert_no_new_sandboxes(before: set[int], seconds: float = 10) -> None:
    """No sandboxed kernel beyond ``before`` is still running (after a grace period)."""
    deadline = time.monotonic() + seconds
    while _sandbox_processes() - before and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _sandbox_processes() - before == set()


def test_the_kernel_pool_starts_the_next_kernel_ahead_and_uses_each_once(tmp_path: Path) -> None:
    from jupyter_core.utils import run_sync

    before = _sandbox_processes()
    settings = {"deny": [str(tmp_path)], "memory_mb": 1000, "cpu_seconds": 300, "file_mb": 64,
                "modules": [], "parent": os.getpid()}
    pool = autograde._KernelPool()
    try:
        first = pool.take(settings, tmp_path, ahead=True)
        spare = pool._spare
        assert spare is not None and spare.folder != first.folder
        second = pool.take(settings, tmp_path, ahead=True)
        assert second is spare  # the kernel started ahead is used, once
        assert pool._spare is not None and pool._spare not in (first, second)
        other = pool.take({**settings, "memory_mb": 900}, tmp_path, ahead=False)
        assert other.folder not in (first.folder, second.folder)  # different limits: a new kernel
        assert pool._spare is None
        for kernel in (first, second, other):
            assert run_sync(kernel.manager.is_alive)()
            assert kernel.work.is_dir() and kernel.work.parent.parent == tmp_path
            kernel.stop()
            kernel.stop()  # idempotent
            assert not run_sync(kernel.manager.is_alive)()
    finally:
        pool.close()
    _assert_no_new_sandboxes(before)


def test_workers_fork_only_from_a_single_threaded_process() -> None:
    assert autograde._start_method() == ("fork" if threading.active_count() == 1 else "spawn")
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert autograde._start_method() == "spawn"
    finally:
        stop.set()
        thread.join()


@pytest.mark.nbgrader
def test_no_kernel_outlives_grading(small_course: Path) -> None:
    before = _sandbox_processes()
    results = grade_assignment(ASSIGNMENT, small_course, options=OPTIONS)
    assert {r.student: r.score for r in results} == EXPECTED
    _assert_no_new_sandboxes(before)


@pytest.mark.nbgrader
def test_grading_an_unreleased_assignment(small_course: Path) -> None:
    with pytest.raises(GradingError, match="release it first"):
        grade_assignment("nope", small_course, options=OPTIONS)


@pytest.mark.nbgrader
def test_grading_an_unknown_student(small_course: Path) -> None:
    with pytest.raises(KeyError, match="zed"):
        grade_assignment(ASSIGNMENT, small_course, options=OPTIONS, students=["ann", "zed"])


@pytest.mark.nbgrader
def test_find_submissions_and_master(small_course: Path) -> None:
    assert list(find_submissions(ASSIGNMENT, small_course)) == ["ann", "ben", "cat"]
    master = load_master(ASSIGNMENT, small_course)
    [notebook] = master.notebooks
    assert [c.grade_id for c in notebook.grade_cells] == ["test_double", "test_half"]
    assert "BEGIN HIDDEN TESTS" in notebook.cell("test_double").source  # type: ignore[union-attr]
    assert notebook.aliases["np"] == ("numpy", None)
    assert master.max_score == 3.0
    assert [rel for rel, _ in master.data_files] == ["data.txt"]


# ======================================================================= the real assignment 1


@pytest.fixture(scope="module")
def assignment1(tmp_path_factory: pytest.TempPathFactory) -> GradedCourse:
    return assignment1_course(tmp_path_factory)


@pytest.mark.nbgrader
def test_assignment1_scores_match_the_round_trip_expectations(assignment1: GradedCourse) -> None:
    from test_assignment1 import ASSIGNMENT as ASSIGNMENT1

    results = assignment1.results
    assert results["full"].score == 20 and results["full"].outcome == "graded"
    assert results["blank"].score == 0 and results["blank"].outcome == "graded"
    for name, wrong in ASSIGNMENT1.wrong.items():
        result = results[f"wrong_{name}"]
        zero = {c.grade_id for c in result.cells if c.score == 0}
        assert zero == wrong.zero, name
        assert result.outcome == "graded", result.flags
        assert all(c.status == "failed" and c.message for c in result.cells if c.grade_id in zero), name


@pytest.mark.nbgrader
def test_assignment1_records_and_autograded_notebooks(assignment1: GradedCourse) -> None:
    records = load_records("assignment1", assignment1.root)
    assert set(records) == set(assignment1.results)
    for student in records:
        folder = assignment1.root / "grading" / "autograded" / student / "assignment1"
        assert sorted(p.name for p in folder.iterdir()) == ["assignment1.ipynb", "cohort.csv"]
