"""Tests of the ``mgcourse`` command line and of collecting and releasing behind it."""

from __future__ import annotations

import csv
import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import nbformat
import pytest

from fixtures.courses import GradedCourse, copy_course, hostile_course
from fixtures.submissions import ASSIGNMENT, filled, make_course, with_answer, write
from mgcourse.grader import cli
from mgcourse.grader.collect import DEFAULT_NAMED_REGEXP, collect
from mgcourse.grader.course import Course, scripts_on_path
from mgcourse.grader.records import load_records
from mgcourse.grader.release import find_leaks, release, release_checked
from mgcourse.grader.results import SubmissionResult

pytestmark = pytest.mark.filterwarnings(
    # nbgrader 0.9.6's gradebook triggers SQLAlchemy autoflush warnings
    "ignore:Object of type <Submitted:sqlalchemy.exc.SAWarning"
)
MGCOURSE = Path(sys.executable).with_name("mgcourse")


@pytest.fixture(autouse=True)
def _course_from_arguments(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MGCOURSE_DB_URL", raising=False)
    monkeypatch.delenv("MGCOURSE_COURSE_ROOT", raising=False)


def run(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    status = cli.main([str(arg) for arg in args])
    out, err = capsys.readouterr()
    return status, out, err


@pytest.fixture
def course(tmp_path: Path) -> Path:
    return make_course(tmp_path / "course")


def student_version(root: Path) -> nbformat.NotebookNode:
    return nbformat.read(str(root / "exercises" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"), as_version=4)


def records(root: Path, assignment: str = ASSIGNMENT) -> dict[str, SubmissionResult]:
    return load_records(Course.load(root), assignment)


# ----------------------------------------------------------------- help and usage errors


@pytest.mark.parametrize("command", [[], ["release"], ["collect"], ["grade"], ["feedback"], ["report"]])
def test_help_explains_each_command_with_examples(
    capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    status, out, _ = run(capsys, *command, "--help")
    assert status == 0
    assert "usage: mgcourse" in out
    assert "example" in out or "typical round" in out


def test_grade_help_names_the_limits(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "grade", "--help")
    for option in ("--workers N", "--timeout S", "--memory MB", "--budget S", "--unsafe-no-sandbox",
                   "--force", "--student ID"):
        assert option in out


def test_console_script_is_installed() -> None:
    proc = subprocess.run([MGCOURSE, "--help"], capture_output=True, text=True, check=False)
    assert proc.returncode == 0 and "release" in proc.stdout and "exit status" in proc.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "required"),
        (["grade"], "required"),
        (["frobnicate"], "invalid choice"),
        (["grade", ASSIGNMENT, "--workers", "two"], "invalid int value"),
    ],
)
def test_argparse_usage_errors_exit_2(
    capsys: pytest.CaptureFixture[str], course: Path, args: list[str], message: str
) -> None:
    status, _, err = run(capsys, "--root", course, *args)
    assert status == 2 and message in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["grade", "nope"], "unknown assignment 'nope'"),
        (["grade", ASSIGNMENT, "--workers", "0"], "workers = 0"),
        (["grade", ASSIGNMENT, "--memory", "5"], "memory_mb = 5 MB"),
        (["grade", ASSIGNMENT, "--budget", "0"], "budget = 0.0 s"),
        (["collect", ASSIGNMENT, "/no/such/folder"], "no such file or folder"),
        (["collect", ASSIGNMENT, ".", "--pattern", "(?P<student_id>.*)"], "file_id"),
        (["feedback", "nope"], "unknown assignment"),
        (["report", "nope"], "unknown assignment"),
        (["release", "nope"], "unknown assignment"),
    ],
)
def test_our_usage_errors_exit_2(
    capsys: pytest.CaptureFixture[str], course: Path, args: list[str], message: str
) -> None:
    status, _, err = run(capsys, "--root", course, *args)
    assert status == 2, err
    assert message in err


def test_root_must_be_a_course(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    status, _, err = run(capsys, "--root", tmp_path, "report", ASSIGNMENT)
    assert status == 2 and "no nbgrader_config.py" in err


@pytest.mark.nbgrader
def test_grading_an_unreleased_assignment_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], course: Path
) -> None:
    write(course / "grading" / "submitted" / "ann" / ASSIGNMENT, nbformat.v4.new_notebook())
    status, _, err = run(capsys, "--root", course, "grade", ASSIGNMENT)
    assert status == 2 and "release it first" in err


# ----------------------------------------------------------------- release


@pytest.mark.nbgrader
def test_release_reports_added_changed_and_unchanged(
    capsys: pytest.CaptureFixture[str], course: Path
) -> None:
    status, out, _ = run(capsys, "--root", course, "release")
    assert status == 0
    assert f"{ASSIGNMENT}: 2 added (data.txt, {ASSIGNMENT}.ipynb)" in out
    status, out, _ = run(capsys, "--root", course, "release", ASSIGNMENT)
    assert status == 0 and f"{ASSIGNMENT}: 2 unchanged" in out
    (course / "solutions" / ASSIGNMENT / "data.txt").write_text("4 5 6\n", encoding="utf-8")
    (course / "solutions" / ASSIGNMENT / "extra.csv").write_text("a,b\n", encoding="utf-8")
    status, out, _ = run(capsys, "--root", course, "release", ASSIGNMENT)
    assert status == 0
    assert "1 added (extra.csv); 1 changed (data.txt); 1 unchanged" in out
    assert (course / "exercises" / ASSIGNMENT / "data.txt").read_text() == "4 5 6\n"


@pytest.mark.nbgrader
def test_release_refuses_to_leak_and_writes_nothing(capsys: pytest.CaptureFixture[str], course: Path) -> None:
    run(capsys, "--root", course, "release", ASSIGNMENT)
    before = (course / "exercises" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_bytes()
    # a data file that quotes a line of the solution would reach students
    (course / "solutions" / ASSIGNMENT / "hint.txt").write_text("try: return x / 2\n", encoding="utf-8")
    status, _, err = run(capsys, "--root", course, "release", ASSIGNMENT)
    assert status == 1
    assert "REFUSED" in err and "hint.txt: 'return x / 2'" in err
    assert not (course / "exercises" / ASSIGNMENT / "hint.txt").exists()
    assert (course / "exercises" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_bytes() == before


def _gradebook_assignments(root: Path) -> list[str]:
    from nbgrader.api import Gradebook

    # a new gradebook runs nbgrader's `alembic` from PATH
    with scripts_on_path(), Gradebook(f"sqlite:///{root / 'grading' / 'gradebook.db'}", "mgcourse") as gb:
        return [str(a.name) for a in gb.assignments]


@pytest.mark.nbgrader
def test_a_refused_release_leaves_the_gradebook_alone(
    capsys: pytest.CaptureFixture[str], course: Path
) -> None:
    (course / "solutions" / ASSIGNMENT / "hint.txt").write_text("try: return x / 2\n", encoding="utf-8")
    status, _, err = run(capsys, "--root", course, "release", ASSIGNMENT)
    assert status == 1 and "REFUSED" in err
    assert not (course / "exercises" / ASSIGNMENT).exists()
    assert not (course / "grading" / "gradebook.db").exists()  # not even created
    assert _gradebook_assignments(course) == []  # nothing to grade against
    (course / "solutions" / ASSIGNMENT / "hint.txt").unlink()
    status, _, _ = run(capsys, "--root", course, "release", ASSIGNMENT)
    assert status == 0 and _gradebook_assignments(course) == [ASSIGNMENT]


@pytest.mark.nbgrader
def test_release_records_the_due_date(capsys: pytest.CaptureFixture[str], course: Path) -> None:
    import datetime

    from nbgrader.api import Gradebook

    status, out, _ = run(capsys, "--root", course, "release", ASSIGNMENT, "--duedate", "2026-12-01 17:00")
    assert status == 0 and f"{ASSIGNMENT}: due 2026-12-01 17:00" in out
    with Gradebook(f"sqlite:///{course / 'grading' / 'gradebook.db'}", "mgcourse") as gradebook:
        assert gradebook.find_assignment(ASSIGNMENT).duedate == datetime.datetime(2026, 12, 1, 17, 0)
    status, _, err = run(capsys, "--root", course, "release", ASSIGNMENT, "--duedate", "next friday-ish")
    assert status == 2 and "due date = 'next friday-ish'" in err and "2026-12-01 17:00" in err
    status, _, err = run(capsys, "--root", course, "release", "--duedate", "2026-12-01")
    assert status == 2 and "--duedate needs exactly one ASSIGNMENT" in err


@pytest.mark.nbgrader
def test_release_checked_of_the_real_assignments_is_clean(tmp_path: Path) -> None:
    repo = Path(__file__).resolve().parents[1]
    root = tmp_path / "course"
    root.mkdir()
    shutil.copy(repo / "nbgrader_config.py", root)
    shutil.copytree(repo / "solutions" / "assignment5", root / "solutions" / "assignment5")
    shutil.copytree(repo / "exercises" / "assignment5", root / "exercises" / "assignment5")
    report = release_checked(Course.load(root), "assignment5")
    assert report.leaks == [] and report.unchanged == ["assignment5.ipynb"]


def test_find_leaks_sees_markers_and_lines_in_notebook_outputs(tmp_path: Path) -> None:
    master = tmp_path / "master.ipynb"
    nbformat.write(filled(nbformat.v4.new_notebook()), str(master))
    from fixtures.submissions import tiny_master

    nbformat.write(tiny_master(), str(master))
    out = tmp_path / "out"
    out.mkdir()
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "x = 1", outputs=[nbformat.v4.new_output("stream", name="stdout", text="return 2 * x\n")])])
    nbformat.write(nb, str(out / "student.ipynb"))
    (out / "page.html").write_text("<p>### BEGIN HIDDEN TESTS</p>", encoding="utf-8")
    leaks = find_leaks(out, [master])
    assert "student.ipynb: 'return 2 * x'" in leaks
    assert "page.html: marker 'BEGIN HIDDEN TESTS'" in leaks


# ----------------------------------------------------------------- collect


@pytest.fixture
def released(course: Path) -> Path:
    release(Course.load(course), ASSIGNMENT)
    return course


def _nb_bytes(root: Path) -> bytes:
    path = root / "nb.ipynb"
    nbformat.write(filled(student_version(root)), str(path))
    data = path.read_bytes()
    path.unlink()
    return data


@pytest.mark.nbgrader
def test_collect_from_student_folders(
    capsys: pytest.CaptureFixture[str], released: Path, tmp_path: Path
) -> None:
    source = tmp_path / "handed-in"
    data = _nb_bytes(released)
    (source / "alice").mkdir(parents=True)
    (source / "alice" / f"{ASSIGNMENT}.ipynb").write_bytes(data)
    (source / "alice" / ".ipynb_checkpoints").mkdir()
    (source / "alice" / ".ipynb_checkpoints" / "old.ipynb").write_bytes(data)
    (source / "bob" / ASSIGNMENT).mkdir(parents=True)  # nested in the assignment's folder
    (source / "bob" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").write_bytes(data)
    (source / "bob" / ASSIGNMENT / "notes.txt").write_text("hi")
    (source / "carol").mkdir()
    (source / "carol" / "essay.docx").write_bytes(b"PK")
    (source / "README.txt").write_text("downloaded from the LMS")
    (source / "-rf").mkdir()
    (source / "-rf" / f"{ASSIGNMENT}.ipynb").write_bytes(data)

    status, out, _ = run(capsys, "--root", released, "collect", ASSIGNMENT, source)
    assert status == 1  # something was skipped
    assert f"collected alice: {ASSIGNMENT}.ipynb (new)" in out
    assert f"collected bob: notes.txt, {ASSIGNMENT}.ipynb (new)" in out
    assert "skipped   carol: no notebook among the files" in out
    assert "skipped   README.txt: does not match the LMS naming pattern" in out
    assert "'-rf' is not a valid student id" in out
    submitted = released / "grading" / "submitted"
    assert sorted(p.name for p in submitted.iterdir()) == ["alice", "bob"]
    assert (submitted / "bob" / ASSIGNMENT / "notes.txt").read_text() == "hi"
    assert not (submitted / "alice" / ASSIGNMENT / ".ipynb_checkpoints").exists()

    report = collect(Course.load(released), ASSIGNMENT, source)  # again: nothing changed
    statuses = {(s, status) for s, _, status in report.collected}
    assert statuses == {("alice", "unchanged"), ("bob", "unchanged")}
    (source / "alice" / f"{ASSIGNMENT}.ipynb").write_bytes(data.replace(b"2 * x", b"x + x"))
    report = collect(Course.load(released), ASSIGNMENT, source)
    assert ("alice", [f"{ASSIGNMENT}.ipynb"], "updated") in report.collected


def _lms_zip(path: Path, data: bytes) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(f"ps1_alice_attempt_2024-03-01-10-00-00_{ASSIGNMENT}.ipynb", data)
        archive.writestr(f"ps1_alice_attempt_2024-03-02-09-30-00_{ASSIGNMENT}.ipynb", data + b" ")  # newer
        archive.writestr(f"ps1_bob_attempt_2024-03-01-11-00-00_{ASSIGNMENT}.ipynb", data)
        archive.writestr("ps1_bob_attempt_2024-03-01-11-00-00_notes.txt", "not a notebook")
        archive.writestr(f"ps1_dave_attempt_2024-03-01-11-00-00_{ASSIGNMENT} (1).ipynb", data)
        archive.writestr(f"../ps1_evil_attempt_2024-03-01-11-00-00_{ASSIGNMENT}.ipynb", data)
        archive.writestr("random.ipynb", data)
        inner = f"ps1_erin_attempt_2024-03-01-12-00-00_{ASSIGNMENT}.ipynb"
        nested = path.with_name("nested.zip")
        with zipfile.ZipFile(nested, "w") as small:
            small.writestr(inner, data)
        archive.write(nested, "erin.zip")
    return path


@pytest.mark.nbgrader
def test_collect_from_an_lms_zip(capsys: pytest.CaptureFixture[str], released: Path, tmp_path: Path) -> None:
    archive = _lms_zip(tmp_path / "download.zip", _nb_bytes(released))
    status, out, _ = run(capsys, "--root", released, "collect", ASSIGNMENT, archive)
    assert status == 1
    submitted = released / "grading" / "submitted"
    assert sorted(p.name for p in submitted.iterdir()) == ["alice", "bob", "dave", "erin"]
    alice = submitted / "alice" / ASSIGNMENT
    assert sorted(p.name for p in alice.iterdir()) == ["timestamp.txt", f"{ASSIGNMENT}.ipynb"]
    assert (alice / "timestamp.txt").read_text().startswith("2024-03-02 09:30:00")
    assert (alice / f"{ASSIGNMENT}.ipynb").read_bytes().endswith(b" ")  # the newer upload
    assert "a later upload of tiny.ipynb was kept" in out
    assert "unsafe path in the archive" in out
    assert "skipped   random.ipynb: does not match the LMS naming pattern" in out
    assert f"dave: {ASSIGNMENT} (1).ipynb is not one of the assignment's notebooks" in out
    assert not (tmp_path / f"ps1_evil_attempt_2024-03-01-11-00-00_{ASSIGNMENT}.ipynb").exists()


def _exchange_submission(exchange: Path, student: str, when: str, data: bytes) -> Path:
    """A submission as ``nbgrader submit`` leaves it in the exchange's inbound folder."""
    folder = exchange / "mgcourse" / "inbound" / f"{student}+{ASSIGNMENT}+{when}+{student[:3]}xyz"
    folder.mkdir(parents=True)
    (folder / f"{ASSIGNMENT}.ipynb").write_bytes(data)
    (folder / "timestamp.txt").write_text(when, encoding="utf-8")
    return folder


@pytest.mark.nbgrader
def test_collect_from_nbgraders_exchange(
    capsys: pytest.CaptureFixture[str], released: Path, tmp_path: Path
) -> None:
    exchange = tmp_path / "exchange"
    data = _nb_bytes(released)
    _exchange_submission(exchange, "alice", "2026-11-30 10:00:00.000000 UTC", data)
    _exchange_submission(exchange, "alice", "2026-11-30 11:00:00.000000 UTC", data + b" ")  # newer
    _exchange_submission(exchange, "bob", "2026-11-29 09:00:00.000000 UTC", data)
    _exchange_submission(exchange, "-rf", "2026-11-29 09:00:00.000000 UTC", data)
    status, out, _ = run(capsys, "--root", released, "collect", ASSIGNMENT, "--exchange", exchange)
    assert status == 1  # the invalid id was skipped
    assert f"collected alice: timestamp.txt, {ASSIGNMENT}.ipynb (new)" in out
    assert "'-rf' is not a valid student id" in out
    alice = released / "grading" / "submitted" / "alice" / ASSIGNMENT
    assert (alice / f"{ASSIGNMENT}.ipynb").read_bytes().endswith(b" ")  # the newest submission
    assert (alice / "timestamp.txt").read_text() == "2026-11-30 11:00:00.000000 UTC"
    assert sorted(p.name for p in (released / "grading" / "submitted").iterdir()) == ["alice", "bob"]

    # the course's Exchange.root is the default; a course without one gets a usage error
    with (released / "nbgrader_config.py").open("a", encoding="utf-8") as config:
        config.write(f"\nc.Exchange.root = {str(exchange)!r}\n")
    status, out, _ = run(capsys, "--root", released, "collect", ASSIGNMENT, "--exchange")
    assert "(unchanged)" in out and "alice" in out
    status, _, err = run(capsys, "--root", released, "collect", ASSIGNMENT, "--exchange", tmp_path / "none")
    assert status == 2 and "exchange = " in err and "Course not found" in err
    status, _, err = run(capsys, "--root", released, "collect", ASSIGNMENT)
    assert status == 2 and "either SOURCE" in err


@pytest.mark.nbgrader
def test_late_submissions_get_the_courses_penalty(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    from nbgrader.api import Gradebook

    root = make_course(tmp_path / "course")
    with (root / "nbgrader_config.py").open("a", encoding="utf-8") as config:
        config.write('\nc.LateSubmissionPlugin.penalty_method = "zero"\n')
    run(capsys, "--root", root, "release", ASSIGNMENT, "--duedate", "2026-12-01 17:00")
    times = {"early": "2026-12-01 16:59:00", "late": "2026-12-01 19:00:00", "undated": None}
    for student, when in times.items():
        folder = root / "grading" / "submitted" / student / ASSIGNMENT
        write(folder, filled(student_version(root)))
        if when is not None:
            (folder / "timestamp.txt").write_text(when, encoding="utf-8")
    status, out, _ = run(capsys, "--root", root, "grade", ASSIGNMENT, "--workers", "1")
    assert status == 0
    assert "late" in out and "2.0 h late, 3 points off" in out
    lateness = records(root)
    assert {s: (r.seconds_late, r.late_penalty) for s, r in lateness.items()} == {
        "early": (0.0, 0.0), "late": (7200.0, 3.0), "undated": (0.0, 0.0)}
    with Gradebook(f"sqlite:///{root / 'grading' / 'gradebook.db'}", "mgcourse") as gradebook:
        scores = {str(s.student.id): (float(s.score), float(s.late_submission_penalty))
                  for s in gradebook.assignment_submissions(ASSIGNMENT)}
    assert scores == {"early": (3.0, 0.0), "late": (3.0, 3.0), "undated": (3.0, 0.0)}
    status, _, _ = run(capsys, "--root", root, "report", ASSIGNMENT)
    with (root / "grading" / "reports" / f"{ASSIGNMENT}-grades.csv").open(encoding="utf-8") as handle:
        rows = {row["student_id"]: row for row in csv.DictReader(handle)}
    late = rows["late"]
    assert (late["raw_score"], late["late_submission_penalty"], late["score"]) == ("3", "3", "0")
    assert late["duedate"].startswith("2026-12-01 17:00")
    assert (rows["early"]["raw_score"], rows["early"]["score"]) == ("3", "3")
    run(capsys, "--root", root, "feedback", ASSIGNMENT)
    page = root / "grading" / "feedback" / "{}" / ASSIGNMENT / f"{ASSIGNMENT}.html"
    late_page = Path(str(page).format("late")).read_text(encoding="utf-8")
    assert "Handed in 2.0 h after the due date: 3 points off, 0 / 3 after the late penalty." in late_page
    assert "due date" not in Path(str(page).format("early")).read_text(encoding="utf-8")


def test_default_pattern_is_nbgraders_documented_one() -> None:
    import re

    match = re.match(DEFAULT_NAMED_REGEXP, "/x/ps1_bitdiddle_attempt_2016-01-30-15-00-00_problem1.ipynb")
    assert match is not None
    assert match.group("student_id", "timestamp", "file_id") == (
        "bitdiddle", "2016-01-30-15-00-00", "problem1.ipynb"
    )


# ----------------------------------------------------------------- grade, feedback, report


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> GradedCourse:
    return hostile_course(tmp_path_factory)


@pytest.mark.nbgrader
def test_grade_prints_one_line_per_submission_and_exits_1_when_flagged(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    root = make_course(tmp_path / "course")
    release(Course.load(root), ASSIGNMENT)
    student = student_version(root)
    write(root / "grading" / "submitted" / "ann" / ASSIGNMENT, filled(student))
    loop = with_answer(student, "double_solution", "while True:\n    pass\n")
    write(root / "grading" / "submitted" / "ben" / ASSIGNMENT, loop)
    status, out, _ = run(capsys, "--root", root, "grade", ASSIGNMENT, "--timeout", "5", "--memory", "800")
    assert status == 1
    lines = out.splitlines()
    assert lines[0] == f"grading 2 submission(s) of {ASSIGNMENT} on 2 worker(s)"
    ann = next(line for line in lines if " ann " in line)
    ben = next(line for line in lines if " ben " in line)
    assert "3/3" in ann and ann.endswith("graded")
    assert "1/3" in ben and "FLAGGED: double_solution ran longer than the limit of 5 s" in ben
    assert lines[-1].startswith("done in") and "1 graded, 1 flagged for review, 0 failed" in lines[-1]

    status, out, _ = run(capsys, "--root", root, "grade", ASSIGNMENT, "--student", "ann")
    assert status == 0 and "skipped (already graded and unchanged" in out


@pytest.mark.nbgrader
def test_grade_is_interrupted_by_ctrl_c_and_resumes(tmp_path: Path) -> None:
    root = make_course(tmp_path / "course")
    release(Course.load(root), ASSIGNMENT)
    student = student_version(root)
    answer = "import time\ntime.sleep(3)\n" + filled(student).cells[4].source
    slow = with_answer(student, "half_solution", answer)
    students = ["ann", "ben", "cat", "dan"]
    for student_id in students:
        write(root / "grading" / "submitted" / student_id / ASSIGNMENT, slow)
    env = {k: v for k, v in os.environ.items() if not k.startswith("MGCOURSE_")}
    command = [str(MGCOURSE), "--root", str(root), "grade", ASSIGNMENT, "--workers", "1", "--timeout", "60"]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    assert proc.stdout is not None
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:  # wait for the first graded submission, then press Ctrl-C
        line = proc.stdout.readline()
        if line.startswith("[1/4]"):
            break
        assert line, proc.stderr.read() if proc.stderr else ""
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "interrupted: " in err and "run the same command again" in err
    first = records(root)
    assert 1 <= len(first) < len(students)

    proc2 = subprocess.run(command, capture_output=True, text=True, env=env, timeout=600, check=False)
    assert proc2.returncode == 0, proc2.stdout + proc2.stderr
    assert proc2.stdout.count("skipped (already graded") == len(first)
    assert proc2.stdout.count(" graded\n") == len(students) - len(first)
    final = records(root)
    assert sorted(final) == students and all(r.score == 3.0 for r in final.values())


@pytest.mark.nbgrader
def test_feedback_and_report_commands(
    capsys: pytest.CaptureFixture[str], graded: GradedCourse, tmp_path: Path
) -> None:
    root = copy_course(graded, tmp_path / "course")
    status, out, _ = run(capsys, "--root", root, "feedback", ASSIGNMENT, "--student", "wrong")
    assert status == 0
    page = root / "grading" / "feedback" / "wrong" / ASSIGNMENT / f"{ASSIGNMENT}.html"
    assert out.strip() == f"wrong: {page}" and page.is_file()
    status, out, _ = run(capsys, "--root", root, "report", ASSIGNMENT, "--out", tmp_path / "out")
    assert status == 0
    assert (tmp_path / "out" / f"{ASSIGNMENT}-grades.csv").is_file()
    assert (tmp_path / "out" / f"{ASSIGNMENT}-report.html").is_file()
    assert f"report: {tmp_path / 'out' / f'{ASSIGNMENT}-report.html'}" in out


@pytest.mark.nbgrader
def test_feedback_before_grading(capsys: pytest.CaptureFixture[str], released: Path) -> None:
    status, out, _ = run(capsys, "--root", released, "feedback", ASSIGNMENT)
    assert status == 1 and "run `mgcourse grade tiny` first" in out


@pytest.mark.nbgrader
def test_an_assignment_of_two_notebooks_named_otherwise_goes_through_every_command(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from fixtures.submissions import ADD_TWO, tiny_master

    root = make_course(tmp_path / "course")
    source = root / "solutions" / "pair"
    for part in ("part_a", "part_b"):
        write(source, tiny_master(), f"{part}.ipynb")
    (source / "data.txt").write_text("1 2 3\n", encoding="utf-8")
    status, out, _ = run(capsys, "--root", root, "release", "pair")
    assert status == 0, out
    released = {part: nbformat.read(str(root / "exercises" / "pair" / f"{part}.ipynb"), as_version=4)
                for part in ("part_a", "part_b")}
    submitted = root / "grading" / "submitted" / "ann" / "pair"
    write(submitted, filled(released["part_a"]), "part_a.ipynb")
    write(submitted, with_answer(released["part_b"], "double_solution", ADD_TWO), "part_b.ipynb")

    status, out, _ = run(capsys, "--root", root, "grade", "pair")
    assert status == 0 and "4/6" in next(line for line in out.splitlines() if " ann " in line)

    status, out, _ = run(capsys, "--root", root, "feedback", "pair")
    assert status == 0
    folder = root / "grading" / "feedback" / "ann" / "pair"
    # named like the notebooks: nbgrader's release_feedback releases one page per notebook
    assert sorted(p.name for p in folder.glob("*.html")) == ["part_a.html", "part_b.html"]
    part_a, part_b = ((folder / f"{part}.html").read_text(encoding="utf-8") for part in ("part_a", "part_b"))
    assert "Score: 4 / 6" in part_a and "Score: 4 / 6" in part_b  # the whole assignment on each page
    assert "This page covers part_a.ipynb: 3 / 3 points" in part_a
    assert "This page covers part_b.ipynb: 1 / 3 points" in part_b
    assert "did you multiply by two rather than add two?" in part_b
    assert "did you multiply by two" not in part_a

    status, out, _ = run(capsys, "--root", root, "report", "pair")
    assert status == 0
    with (root / "grading" / "reports" / "pair-grades.csv").open(encoding="utf-8") as handle:
        [row] = list(csv.DictReader(handle))
    assert (row["student_id"], row["raw_score"]) == ("ann", "4")
    assert (row["part_a/test_double"], row["part_b/test_double"], row["part_b/test_half"]) == ("2", "0", "1")
    report = (root / "grading" / "reports" / "pair-report.html").read_text(encoding="utf-8")
    common = "<td>1</td><td>part_b/test_double</td><td>“did you multiply by two rather than add two?”</td>"
    assert common in report
