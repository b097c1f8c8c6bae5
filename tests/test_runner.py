"""Tests of mgcourse.grader.runner: the parallel, sandboxed, resumable grader.

The hostile course (``fixtures/submissions.py`` and ``fixtures/attacks.py``) has
one submission per failure mode (an infinite loop, a loop that ignores
interrupts, huge output, a kernel that exits, ``sys.exit``, a memory bomb,
deleted / duplicated / edited test cells, edited read-only cells, changed
metadata, invalid JSON, nbformat 3, a missing and a renamed notebook, extra
files) and per attack (see ``fixtures/attacks.py``). It is graded once per
session on two worker processes (``fixtures/courses.py``); each case then checks
its recorded outcome. ``tests/test_cheating.py`` checks what the attacks could
not do to anyone else.
"""

from __future__ import annotations

import contextlib
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

from fixtures.attacks import ATTACKS
from fixtures.courses import HOSTILE_OPTIONS, GradedCourse, assignment1_course, hostile_course
from fixtures.submissions import (
    ADD_TWO,
    ASSIGNMENT,
    POINTS,
    SUBMISSIONS,
    filled,
    find,
    make_course,
    with_answer,
    write,
)
from mgcourse.grader import kernel as kernel_module
from mgcourse.grader import runner
from mgcourse.grader.course import Course, GradingError
from mgcourse.grader.kernel import KernelPool, KernelSettings
from mgcourse.grader.master import load_master
from mgcourse.grader.records import find_submissions, load_records
from mgcourse.grader.release import release
from mgcourse.grader.results import GradeOptions, SubmissionResult
from mgcourse.grader.runner import grade_assignment
from mgcourse.grader.sandbox import Limits

#: Every submission of the hostile course.
CASES = {**SUBMISSIONS, **ATTACKS}

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
    with Course.load(root).gradebook() as gradebook:
        submission = gradebook.find_submission(assignment, student)
        return {
            str(grade.name): (float(grade.score), grade.manual_score)
            for notebook in submission.notebooks
            for grade in notebook.grades
        }


def _submission_count(root: Path, assignment: str) -> dict[str, int]:
    """Student id → number of gradebook grades of the assignment (each cell exactly once)."""
    with Course.load(root).gradebook() as gradebook:
        return {
            str(s.student.id): sum(len(nb.grades) for nb in s.notebooks)
            for s in gradebook.assignment_submissions(assignment)
        }


# ======================================================================= the kernel sandbox (no kernel)


def test_worker_gets_a_memory_cap_and_its_own_session() -> None:
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(1, mp_context=context, initializer=runner._worker_init) as pool:
        soft, _ = pool.submit(resource.getrlimit, resource.RLIMIT_AS).result()
        session = pool.submit(os.getsid, 0).result()
    assert soft == runner.WORKER_MEMORY_MB * 1024 * 1024
    assert session != os.getsid(0)


# ======================================================================= the hostile course


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> GradedCourse:
    return hostile_course(tmp_path_factory)


@pytest.mark.nbgrader
@pytest.mark.parametrize("student", sorted(CASES))
def test_hostile_submission_outcome(hostile: GradedCourse, student: str) -> None:
    case = CASES[student]
    result = hostile.results[student]
    assert {c.grade_id: c.score for c in result.cells} == case.scores, result.cells
    assert {c.grade_id: c.max_score for c in result.cells} == POINTS
    assert result.outcome == case.outcome, result.flags
    assert case.flags <= {f.kind for f in result.flags}, result.flags
    statuses = {c.grade_id: c.status for c in result.cells}
    assert {k: statuses[k] for k in case.statuses} == case.statuses
    assert result.score == sum(case.scores.values())


@pytest.mark.nbgrader
@pytest.mark.parametrize("student", sorted(CASES))
def test_hostile_submission_grades_reach_the_gradebook_and_the_record(
    hostile: GradedCourse, student: str
) -> None:
    scores = _gradebook_scores(hostile.root, ASSIGNMENT, student)
    assert {k: v[0] for k, v in scores.items()} == CASES[student].scores
    record = load_records(Course.load(hostile.root), ASSIGNMENT)[student]
    assert record.to_json() == hostile.results[student].to_json()


@pytest.mark.nbgrader
def test_clean_submissions_are_not_flagged(hostile: GradedCourse) -> None:
    for student in ("good", "victim", "blank", "wrong", "huge_output", "sys_exit", "nbformat3", "extra_files",
                    "long_chain"):
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
def test_attempts_to_read_the_course_find_nothing_and_are_flagged(hostile: GradedCourse) -> None:
    result = hostile.results["read_course"]
    findings = " ".join(f.detail for f in result.flags if f.kind == "suspicious_code")
    assert "imports subprocess" in findings and "imports sqlite3" in findings
    nb = nbformat.read(
        str(hostile.root / "grading" / "autograded" / "read_course" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"),
        as_version=4,
    )
    text = "".join(o.get("text", "") for o in find(nb, "double_solution").outputs)
    # the master by its path and relatively, the kernel's report: none of them exist in the sandbox
    assert text.count("blocked: FileNotFoundError") >= 3, text
    assert "BEGIN SOLUTION" not in text and "did you multiply" not in text
    errors = [e.evalue for e in result.errors]
    assert not any("BEGIN" in e for e in errors)


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
@pytest.mark.nbgrader
def test_one_bad_submission_does_not_affect_the_others(hostile: GradedCourse) -> None:
    # every submission has its own result and the good one is untouched by its neighbours
    assert set(hostile.results) == set(CASES)
    assert hostile.results["good"].score == 3.0 and hostile.results["good"].flags == []
    assert all(r.outcome != "failed" for r in hostile.results.values())


# ======================================================================= sandbox facts, seen from the kernel


@pytest.fixture(scope="module")
def probe(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """What a submission sees of its environment (printed as JSON by a student cell)."""
    root = make_course(tmp_path_factory.mktemp("probe") / "course")
    course = Course.load(root)
    release(course, ASSIGNMENT)
    student = nbformat.read(str(root / "exercises" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"), as_version=4)
    code = (
        "import json, os, resource, sys\n"
        "print('PROBE', json.dumps({'as': resource.getrlimit(resource.RLIMIT_AS)[0], "
        "'cpu': resource.getrlimit(resource.RLIMIT_CPU)[0], 'cwd': os.getcwd(), "
        "'files': sorted(os.listdir('.')), 'root': os.environ.get('MGCOURSE_COURSE_ROOT'), "
        "'db': os.environ.get('MGCOURSE_DB_URL'), 'env': sorted(os.environ), 'pid': os.getpid(), "
        "'nproc': resource.getrlimit(resource.RLIMIT_NPROC)[0]}))\n"
    )
    answer = code + find(filled(student), "double_solution").source
    folder = root / "grading" / "submitted" / "probe" / ASSIGNMENT
    write(folder, with_answer(student, "double_solution", answer))
    options = GradeOptions(workers=1, timeout=30, memory_mb=700)
    [result] = grade_assignment(course, ASSIGNMENT, options=options)
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
    assert probe["root"] is None and probe["db"] is None
    assert "MGCOURSE_DB_URL" not in probe["env"]  # type: ignore[operator]
    assert isinstance(probe["pid"], int) and probe["pid"] < 10  # its own PID namespace


# ======================================================================= resume, force, manual grades


@pytest.fixture
def small_course(tmp_path: Path) -> Path:
    """The tiny course with three ordinary submissions."""
    root = make_course(tmp_path / "course")
    release(Course.load(root), ASSIGNMENT)
    student = nbformat.read(str(root / "exercises" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"), as_version=4)
    wrong = with_answer(student, "double_solution", ADD_TWO)
    for student_id, nb in (("ann", filled(student)), ("ben", wrong), ("cat", student)):
        write(root / "grading" / "submitted" / student_id / ASSIGNMENT, nb)
    return root


def _grade(root: Path, **kwargs: object) -> list[SubmissionResult]:
    return grade_assignment(Course.load(root), ASSIGNMENT, **kwargs)  # type: ignore[arg-type]


OPTIONS = GradeOptions(workers=2, timeout=30, memory_mb=1000)
EXPECTED = {"ann": 3.0, "ben": 1.0, "cat": 0.0}


@pytest.mark.nbgrader
def test_interrupted_grading_resumes_without_losing_or_duplicating(
    small_course: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[str] = []
    scratch: list[str] = []
    mkdtemp = runner.tempfile.mkdtemp

    def recording_mkdtemp(**kwargs: str) -> str:
        scratch.append(mkdtemp(**kwargs))
        return scratch[-1]

    monkeypatch.setattr(runner.tempfile, "mkdtemp", recording_mkdtemp)

    def stop_after_first(result: SubmissionResult) -> None:
        seen.append(result.student)
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        _grade(small_course, options=OPTIONS, progress=stop_after_first)
    [first] = seen
    assert set(load_records(Course.load(small_course), ASSIGNMENT)) == {first}
    assert _submission_count(small_course, ASSIGNMENT) == {first: 2}
    assert not list(Path(small_course / "grading" / "autograded").glob(f"*/.{ASSIGNMENT}.*"))
    assert scratch and not Path(scratch[0]).exists()  # the private copies are gone

    results = {r.student: r for r in _grade(small_course, options=OPTIONS)}
    assert results[first].skipped
    assert {s for s, r in results.items() if not r.skipped} == set(EXPECTED) - {first}
    assert {s: r.score for s, r in results.items()} == EXPECTED
    assert _submission_count(small_course, ASSIGNMENT) == {s: 2 for s in EXPECTED}
    again = _grade(small_course, options=OPTIONS)
    assert all(r.skipped for r in again)


@pytest.mark.nbgrader
def test_changed_submission_is_graded_again(small_course: Path) -> None:
    _grade(small_course, options=OPTIONS, students=["ben"])
    exercise = small_course / "exercises" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    student = nbformat.read(str(exercise), as_version=4)
    write(small_course / "grading" / "submitted" / "ben" / ASSIGNMENT, filled(student))  # resubmitted
    [result] = _grade(small_course, options=OPTIONS, students=["ben"])
    assert not result.skipped and result.score == 3.0
    assert _gradebook_scores(small_course, ASSIGNMENT, "ben")["test_double"][0] == 2.0


@pytest.mark.nbgrader
def test_manual_grades_survive_a_forced_regrade(small_course: Path) -> None:
    _grade(small_course, options=OPTIONS, students=["ben"])
    course = Course.load(small_course)
    with course.gradebook() as gradebook:
        grade = gradebook.find_grade("test_double", ASSIGNMENT, ASSIGNMENT, "ben")
        grade.manual_score = 1.5  # partial credit given by hand
        gradebook.db.commit()
    force = GradeOptions(workers=1, timeout=30, memory_mb=1000, force=True)
    [result] = _grade(small_course, options=force, students=["ben"])
    assert not result.skipped
    with course.gradebook() as gradebook:
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
    monkeypatch.setattr(runner, "WORKER_MEMORY_MB", 30)
    results = _grade(small_course, options=OPTIONS, students=["ann", "cat"])
    assert {r.student: r.outcome for r in results} == {"ann": "failed", "cat": "failed"}
    assert all(r.error for r in results)
    assert {s: r.outcome for s, r in load_records(Course.load(small_course), ASSIGNMENT).items()} == {
        "ann": "failed", "cat": "failed"}
    assert _submission_count(small_course, ASSIGNMENT) == {}
    monkeypatch.undo()
    results = _grade(small_course, options=OPTIONS, students=["ann", "cat"])
    assert {r.student: (r.outcome, r.skipped) for r in results} == {
        "ann": ("graded", False), "cat": ("graded", False)}


@pytest.mark.nbgrader
def test_a_worker_that_dies_breaks_no_other_submission(
    small_course: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fixtures.submissions import WorkerBomb

    run_jobs = runner._run_jobs

    def with_a_bomb(jobs: list[runner.GradingJob], workers: int) -> Iterator[SubmissionResult]:
        bomb = dataclasses.replace(jobs[0], student="bomb", master=WorkerBomb())  # type: ignore[arg-type]
        yield from run_jobs([bomb, *jobs], workers)

    monkeypatch.setattr(runner, "_run_jobs", with_a_bomb)
    results = {r.student: r for r in _grade(small_course, options=OPTIONS)}
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
    transport = kernel_module._transport
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

    monkeypatch.setattr(kernel_module, "_transport", first_unbindable)
    # in this process, one submission at a time, so that the patched transport is used
    monkeypatch.setattr(
        runner, "_run_jobs", lambda jobs, workers: (runner.grade_submission(j) for j in jobs)
    )
    [ann] = _grade(small_course, options=OPTIONS, students=["ann"])
    assert (ann.outcome, ann.score, len(starts)) == ("graded", EXPECTED["ann"], 2)

    monkeypatch.setattr(kernel_module, "_transport", unbindable)
    [cat] = _grade(small_course, options=OPTIONS, students=["cat"])
    assert cat.outcome == "failed" and cat.error is not None
    assert "Kernel died before replying to kernel_info" in cat.error
    assert "ZMQError" in cat.error  # the kernel's own last words, from its log


def _sandbox_processes() -> set[int]:
    """Process ids of running sandboxed kernels started from this process's workers."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                command = (entry / "cmdline").read_bytes()
                if b"ipykernel_launcher" in command and b"/runtime/connection.json" in command:
                    found.add(int(entry.name))
    return found


def _assert_no_new_sandboxes(before: set[int], seconds: float = 10) -> None:
    """No sandboxed kernel beyond ``before`` is still running (after a grace period)."""
    deadline = time.monotonic() + seconds
    while _sandbox_processes() - before and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _sandbox_processes() - before == set()


def test_the_kernel_pool_starts_the_next_kernel_ahead_and_uses_each_once() -> None:
    import shutil
    import tempfile

    from jupyter_core.utils import run_sync

    tmp_path = Path(tempfile.mkdtemp(prefix="mgk-"))  # short: socket paths must fit in 100 bytes

    before = _sandbox_processes()
    hide = (str(tmp_path),)
    settings = KernelSettings(Limits(memory_mb=1000), hide, kernel_module.exposed_paths([tmp_path]))
    pool = KernelPool()
    try:
        first = pool.take(settings, tmp_path, ahead=True)
        spare = pool._spare
        assert spare is not None and spare.folder != first.folder
        second = pool.take(settings, tmp_path, ahead=True)
        assert second is spare  # the kernel started ahead is used, once
        assert pool._spare is not None and pool._spare not in (first, second)
        smaller = dataclasses.replace(settings, limits=Limits(memory_mb=900))
        other = pool.take(smaller, tmp_path, ahead=False)
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
        shutil.rmtree(tmp_path, ignore_errors=True)
    _assert_no_new_sandboxes(before)


def test_workers_fork_only_from_a_single_threaded_process() -> None:
    assert runner._start_method() == ("fork" if threading.active_count() == 1 else "spawn")
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert runner._start_method() == "spawn"
    finally:
        stop.set()
        thread.join()


@pytest.mark.nbgrader
def test_no_kernel_outlives_grading(small_course: Path) -> None:
    before = _sandbox_processes()
    results = _grade(small_course, options=OPTIONS)
    assert {r.student: r.score for r in results} == EXPECTED
    _assert_no_new_sandboxes(before)


@pytest.mark.nbgrader
def test_grading_an_unreleased_assignment(small_course: Path) -> None:
    with pytest.raises(GradingError, match="release it first"):
        grade_assignment(Course.load(small_course), "nope", options=OPTIONS)


@pytest.mark.nbgrader
def test_grading_an_unknown_student(small_course: Path) -> None:
    with pytest.raises(KeyError, match="zed"):
        _grade(small_course, options=OPTIONS, students=["ann", "zed"])


@pytest.mark.nbgrader
def test_find_submissions_and_master(small_course: Path) -> None:
    course = Course.load(small_course)
    assert list(find_submissions(course, ASSIGNMENT)) == ["ann", "ben", "cat"]
    master = load_master(course, ASSIGNMENT)
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
        # a cell scored part by part ends with a number (status partial); the others fail an assert
        assert all(c.status == "partial" or (c.status == "failed" and c.message)
                   for c in result.cells if c.grade_id in zero), name


@pytest.mark.nbgrader
def test_assignment1_records_and_autograded_notebooks(assignment1: GradedCourse) -> None:
    records = load_records(Course.load(assignment1.root), "assignment1")
    assert set(records) == set(assignment1.results)
    for student in records:
        folder = assignment1.root / "grading" / "autograded" / student / "assignment1"
        assert sorted(p.name for p in folder.iterdir()) == ["assignment1.ipynb", "cohort.csv"]


def test_kernel_sockets_are_unguessable_files_in_the_kernels_folder(tmp_path: Path) -> None:
    first, second = kernel_module._transport(tmp_path), kernel_module._transport(tmp_path)
    assert first["transport"] == "ipc" and Path(first["ip"]).parent == tmp_path
    assert first["ip"] != second["ip"]
    # a folder too deep for a Unix socket's path: the kernel has no network, so no TCP fallback
    with pytest.raises(OSError, match="too deep"):
        kernel_module._transport(tmp_path / ("x" * 100))
