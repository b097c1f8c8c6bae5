"""Every command of the instructor guide (``book/instructors.md``) runs, in the guide's order.

How the guide is read
---------------------
* Shell commands live only in fenced ``console`` blocks. A line starting with ``$ ``
  is a command (a trailing backslash continues it on the next line); any other line
  is sample output and is ignored. Besides ``console``, only ``python`` and ``text``
  blocks are allowed, so a command cannot hide in a block of another kind.
* A ``python`` block is a configuration snippet; its first line names the file it goes
  in: ``# in nbgrader_config.py`` (the course's) or ``# in
  /etc/jupyter/nbgrader_config.py`` (read by every user of a hub).
* A ``console`` block right after the MyST comment line ``% run as a student`` runs in
  a student's home folder; every other block runs in the course directory.

How it is run
-------------
Each ``## `` section of the guide is one test, in guide order, run from a fresh
temporary copy of the course (``nbgrader_config.py``, ``solutions/``, ``exercises/``)
with its own instructor and student home folders, no ``MGCOURSE_*`` variables and
``JUPYTER_CONFIG_PATH`` pointing at an empty temporary folder, which stands for
``/etc/jupyter``. Its blocks run in order. Every command goes through ``bash -c``,
with the venv's scripts first on ``PATH``; ``export NAME=VALUE`` also sets ``NAME``
for the later commands of the section. A python snippet is applied where it
stands: appended to the course's ``nbgrader_config.py``, after which every setting in
it must come out of :func:`mgcourse.grader.course.load_config`, or appended to the
stand-in for ``/etc/jupyter/nbgrader_config.py``.

What the test changes, all in the tables below
----------------------------------------------
* :data:`PLACEHOLDERS`: text replaced in every command and snippet (the exchange
  folder, the PostgreSQL address).
* :data:`COMMANDS`: whole command lines replaced by what runs instead (no ``sudo``,
  no network, a smaller benchmark), each with the reason.
* :data:`FIXTURES`: files the guide's commands read, built in the course directory
  before a section runs.
* :data:`CHECKS`: what must be true after a command (by program and subcommand), and
  which exit statuses it may end with (0 unless a check says otherwise).

A command whose program is not in :data:`RUNNABLE` must have an entry in
:data:`COMMANDS`; otherwise the test fails, so a command added to the guide is either
run or reported. Table entries that no longer match the guide fail too.

Without PostgreSQL server binaries (see ``tests/postgres.py``) a section stops at the
first command or snippet naming the PostgreSQL address and is skipped from there,
with the reason.
"""

from __future__ import annotations

import contextlib
import csv
import datetime
import html
import os
import re
import shlex
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat
import pytest
from traitlets.config import Config

from mgcourse.grader.course import Course, load_config
from mgcourse.grader.records import load_records
from mgcourse.grader.release import fill_from_master, find_leaks
from mgcourse.grader.results import SubmissionResult
from nbgrader_roundtrip import THIRD_PARTY_WARNINGS, find_cell
from postgres import INSTALL_HINT, PostgresServer, find_binaries, postgres_server

pytestmark = [pytest.mark.nbgrader, *THIRD_PARTY_WARNINGS]

REPO = Path(__file__).resolve().parents[1]
GUIDE = REPO / "book" / "instructors.md"
SCRIPTS = Path(sys.executable).parent
ASSIGNMENT = "assignment1"
NOTEBOOK = f"{ASSIGNMENT}.ipynb"
MASTER = REPO / "solutions" / ASSIGNMENT / NOTEBOOK
STUDENT_MARK = "% run as a student"
CONFIG_TARGETS = ("# in nbgrader_config.py", "# in /etc/jupyter/nbgrader_config.py")
ALLOWED_FENCES = ("console", "python", "text")
COMMAND_TIMEOUT = 600  # [s]

#: Programs whose commands run as written (after the placeholders are replaced).
RUNNABLE = frozenset({"mgcourse", "nbgrader", "mkdir", "chmod", "export"})

#: Text in the guide → name of the value the test puts in its place.
PLACEHOLDERS = {
    # a temporary folder: the test does not write to /srv
    "/srv/nbgrader/exchange": "exchange",
    # an empty database on a throwaway server on 127.0.0.1 (tests/postgres.py)
    "postgresql+psycopg2://grader@db.example.org/mgcourse": "postgres",
}


@dataclass(frozen=True)
class Mapped:
    """What runs instead of a command line of the guide, and why."""

    run: str
    why: str
    cwd: str = "course"  # "course" or "repo" (the checkout, for files only it has)


COMMANDS = {
    "sudo mkdir -p /srv/nbgrader/exchange": Mapped(
        "mkdir -p /srv/nbgrader/exchange", "no sudo: the test owns the temporary exchange"),
    "sudo chmod ugo+rwx,+t /srv/nbgrader/exchange": Mapped(
        "chmod ugo+rwx,+t /srv/nbgrader/exchange", "no sudo: the test owns the temporary exchange"),
    "pip install -r requirements.txt": Mapped(
        "python -m pip install --dry-run --no-deps --no-index --no-build-isolation -r requirements.txt",
        "offline and without changing the venv: every pin must already be installed", cwd="repo"),
    "python benchmarks/grading.py --students 60 --workers 2": Mapped(
        "python benchmarks/grading.py --students 4 --workers 2 --timeout 5",
        "a class of 4 (one of each kind) keeps the test short", cwd="repo"),
}

# ----------------------------------------------------------------- the students of the fixtures

#: LMS uploads in submissions.zip: student → (upload time, kind of notebook).
ZIP_UPLOADS = {
    "alice": ("2026-11-30-10-00-00", "full"),  # on time, every answer right
    "bob": ("2026-12-02-09-00-00", "full"),  # 16 h after the guide's due date
    "carol": ("2026-11-29-09-00-00", "blank"),  # the student version as released
}
#: The guide's due date and the lateness of bob's upload [s].
DUEDATE = datetime.datetime(2026, 12, 1, 17, 0)
BOB_LATE = 16 * 3600.0
#: In handed-in/: dave answered everything but replaced a test cell (flagged for review).
FOLDER_STUDENTS = ("dave",)
EDITED_TEST = "test_units"


def _master_points(*, autograded: bool) -> float:
    """Points of the master's graded cells: all of them, or only its test cells (graded automatically)."""
    meta = [c.metadata.get("nbgrader", {}) for c in nbformat.read(str(MASTER), as_version=4).cells]
    return float(sum(m["points"] for m in meta if m.get("grade") and not (autograded and m.get("solution"))))


#: Points of the assignment, and what the master's answers earn before any grading by hand.
MAX_SCORE = _master_points(autograded=False)
FULL_SCORE = _master_points(autograded=True)


def _notebook(kind: str) -> nbformat.NotebookNode:
    student = nbformat.read(str(REPO / "exercises" / ASSIGNMENT / NOTEBOOK), as_version=4)
    if kind == "blank":
        return student
    nb = fill_from_master(student, nbformat.read(str(MASTER), as_version=4))
    if kind == "edited_test":
        find_cell(nb, EDITED_TEST).source = "pass  # the checks are fine"
    return nb


def _make_zip(root: Path) -> None:
    with zipfile.ZipFile(root / "submissions.zip", "w") as archive:
        for student, (time, kind) in ZIP_UPLOADS.items():
            name = f"{ASSIGNMENT}_{student}_attempt_{time}_{NOTEBOOK}"
            archive.writestr(name, nbformat.writes(_notebook(kind)))


def _make_folders(root: Path) -> None:
    for student in FOLDER_STUDENTS:
        (root / "handed-in" / student).mkdir(parents=True)
        nbformat.write(_notebook("edited_test"), str(root / "handed-in" / student / NOTEBOOK))


#: Files the guide's commands read → what builds them in the course directory.
FIXTURES: dict[str, Callable[[Path], None]] = {"submissions.zip": _make_zip, "handed-in/": _make_folders}


# ----------------------------------------------------------------- reading the guide


@dataclass
class Block:
    kind: str  # console or python
    line: int  # of the opening fence, 1-based
    text: str
    student: bool = False

    def commands(self) -> list[str]:
        found: list[str] = []
        pending: str | None = None
        for raw in self.text.splitlines():
            if pending is not None:
                line = pending + " " + raw.strip()
            elif raw.startswith("$ "):
                line = raw[2:].strip()
            else:
                continue
            pending = line[:-1].rstrip() if line.endswith("\\") else None
            if pending is None:
                found.append(line)
        assert pending is None, f"guide line {self.line}: a command ends with a backslash"
        return found


@dataclass
class Section:
    title: str
    blocks: list[Block] = field(default_factory=list)

    def commands(self) -> list[str]:
        return [command for block in self.blocks if block.kind == "console" for command in block.commands()]


def read_guide(path: Path = GUIDE) -> tuple[list[Section], list[str]]:
    """The ``## `` sections of the guide with their blocks, and every problem found."""
    sections: list[Section] = []
    problems: list[str] = []
    lines = path.read_text(encoding="utf-8").splitlines()
    index = 0
    previous = ""  # last non-blank line outside a block
    while index < len(lines):
        line = lines[index]
        fence = re.match(r"^(`{3,}|~{3,})\s*(.*)$", line)
        if fence:
            marker, info = fence.group(1), fence.group(2).strip()
            end = next((j for j in range(index + 1, len(lines)) if lines[j].startswith(marker)), None)
            if end is None:
                problems.append(f"line {index + 1}: the block never closes")
                break
            kind = info.split()[0] if info else ""
            text = "\n".join(lines[index + 1 : end])
            if kind not in ALLOWED_FENCES:
                problems.append(f"line {index + 1}: a {info or 'plain'!r} block; use console, python or text")
            elif kind in ("console", "python"):
                block = Block(kind, index + 1, text, student=previous.strip() == STUDENT_MARK)
                if not sections:
                    problems.append(f"line {index + 1}: a {kind} block before the first '## ' section")
                else:
                    sections[-1].blocks.append(block)
            index = end + 1
            previous = ""
            continue
        if line.startswith("## "):
            sections.append(Section(line[3:].strip()))
        if line.strip():
            previous = line
        index += 1
    return sections, problems


SECTIONS, PROBLEMS = read_guide() if GUIDE.is_file() else ([], [f"{GUIDE} is missing"])


# ----------------------------------------------------------------- running a section


@dataclass
class Result:
    command: str  # as in the guide
    ran: str  # what ran
    status: int
    out: str
    err: str


@dataclass
class Run:
    """One section of the guide being run in a temporary course."""

    section: Section
    root: Path
    student_home: Path
    instructor_home: Path
    jupyter_config: Path
    exchange: Path
    stack: contextlib.ExitStack
    env: dict[str, str] = field(default_factory=dict)
    results: list[Result] = field(default_factory=list)
    done: list[str] = field(default_factory=list)  # commands and snippets run, as in the guide
    _server: PostgresServer | None = None
    _postgres: str | None = None

    def value(self, name: str) -> str:
        if name == "exchange":
            return str(self.exchange)
        assert name == "postgres", name
        if self._postgres is None:
            try:
                find_binaries()
            except pytest.fail.Exception:
                pytest.skip(f"the PostgreSQL part of '{self.section.title}' is not run: {INSTALL_HINT}")
            self._server = self.stack.enter_context(postgres_server())
            self._postgres = self._server.create_database("guide")
        return self._postgres

    def substitute(self, text: str) -> str:
        for placeholder, name in PLACEHOLDERS.items():
            if placeholder in text:
                text = text.replace(placeholder, self.value(name))
        return text

    def db_url(self) -> str | None:
        return self.env.get("MGCOURSE_DB_URL")


def _base_env(home: Path, jupyter_config: Path) -> dict[str, str]:
    env = {
        key: value for key, value in os.environ.items()
        if not key.startswith(("MGCOURSE_", "JUPYTER", "JPY_")) and key != "MPLBACKEND"
    }
    env["PATH"] = os.pathsep.join([str(SCRIPTS), env.get("PATH", "")])
    env["HOME"] = str(home)
    env["JUPYTER_CONFIG_PATH"] = str(jupyter_config)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def run_command(run: Run, command: str, student: bool) -> None:
    words = shlex.split(command)
    mapped = COMMANDS.get(command)
    if mapped is None and words[0] not in RUNNABLE:
        pytest.fail(
            f"the guide's command {command!r} is neither runnable as written ({', '.join(sorted(RUNNABLE))}) "
            "nor mapped in COMMANDS of tests/test_instructor_guide.py",
            pytrace=False,
        )
    ran = run.substitute(mapped.run if mapped else command)
    if student:
        cwd = run.student_home
    else:
        cwd = REPO if mapped is not None and mapped.cwd == "repo" else run.root
    env = dict(run.env)
    if student:
        env["HOME"] = str(run.student_home)
        env.pop("MGCOURSE_DB_URL", None)
    if words[0] == "export":
        for assignment in shlex.split(ran)[1:]:
            name, _, value = assignment.partition("=")
            run.env[name] = value
        run.results.append(Result(command, ran, 0, "", ""))
        run.done.append(command)
        return
    proc = subprocess.run(
        ["bash", "-c", ran], cwd=cwd, env=env, capture_output=True, text=True,
        timeout=COMMAND_TIMEOUT, check=False,
    )
    result = Result(command, ran, proc.returncode, proc.stdout, proc.stderr)
    run.results.append(result)
    check = check_for(words)
    assert proc.returncode in check.statuses, (
        f"`{command}` (ran `{ran}` in {cwd}{'; ' + mapped.why if mapped else ''}) exited with "
        f"{proc.returncode}, expected one of "
        f"{check.statuses}\n--- stdout\n{proc.stdout[-4000:]}\n--- stderr\n{proc.stderr[-4000:]}"
    )
    if check.then is not None:
        check.then(run, result)
    run.done.append(command)


def _settings(snippet: str) -> dict[str, dict[str, object]]:
    """Every ``c.Section.name = value`` a snippet sets."""
    config = Config()
    exec(compile(snippet, "<guide snippet>", "exec"), {"c": config, "get_config": lambda: config})
    return {section: dict(values) for section, values in config.items()}


def apply_snippet(run: Run, block: Block) -> None:
    first = block.text.splitlines()[0].strip() if block.text.strip() else ""
    assert first in CONFIG_TARGETS, (
        f"guide line {block.line}: a python block must start with one of {CONFIG_TARGETS}, not {first!r}"
    )
    snippet = run.substitute(block.text)
    expected = _settings(snippet)
    assert expected, f"guide line {block.line}: the snippet sets nothing"
    course = first == "# in nbgrader_config.py"
    path = (run.root if course else run.jupyter_config) / "nbgrader_config.py"
    with path.open("a", encoding="utf-8") as handle:
        handle.write("\n" + snippet + "\n")
    if course:  # what mgcourse reads
        loaded = load_config(run.root)
    else:  # what nbgrader reads from the stand-in for /etc/jupyter
        from traitlets.config.loader import PyFileConfigLoader

        loaded = PyFileConfigLoader(path.name, path=str(path.parent)).load_config()
    for section, values in expected.items():
        for name, value in values.items():
            assert loaded[section][name] == value, f"line {block.line}: {section}.{name} has no effect"
    run.done.append(block.text)


def run_section(section: Section, base: Path, stack: contextlib.ExitStack) -> Run:
    root = base / "course"
    root.mkdir(parents=True)
    shutil.copy(REPO / "nbgrader_config.py", root / "nbgrader_config.py")
    for folder in ("solutions", "exercises"):
        shutil.copytree(REPO / folder, root / folder, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    for build in FIXTURES.values():
        build(root)
    homes = [base / name for name in ("student", "instructor", "jupyter-config")]
    for folder in homes:
        folder.mkdir()
    run = Run(section, root, *homes, exchange=base / "exchange", stack=stack)
    run.env = _base_env(run.instructor_home, run.jupyter_config)
    for block in section.blocks:
        if block.kind == "python":
            apply_snippet(run, block)
        else:
            for command in block.commands():
                run_command(run, command, block.student)
    expected = [item for b in section.blocks for item in (b.commands() if b.kind == "console" else [b.text])]
    assert run.done == expected, "some command or snippet of the section was not run"
    return run


# ----------------------------------------------------------------- checks


@dataclass(frozen=True)
class Check:
    statuses: tuple[int, ...] = (0,)
    then: Callable[[Run, Result], None] | None = None


def gradebook(run: Run) -> Any:
    """The section's gradebook (nbgrader's ``Gradebook``, a context manager)."""
    from nbgrader.api import Gradebook

    config = load_config(run.root, run.db_url())
    return Gradebook(str(config.CourseDirectory.db_url), str(config.CourseDirectory.course_id))


def submitted(run: Run) -> Path:
    return run.root / "grading" / "submitted"


def records(run: Run) -> dict[str, SubmissionResult]:
    """The grading records of the guide's assignment in the section's course."""
    return load_records(Course.load(run.root), ASSIGNMENT)


def exchange_student() -> str:
    from nbgrader.utils import get_username

    return str(get_username())


def check_help(run: Run, result: Result) -> None:
    assert result.out.startswith("usage: mgcourse") and f"mgcourse grade {ASSIGNMENT}" in result.out


def check_release(run: Run, result: Result) -> None:
    assert re.search(rf"^{ASSIGNMENT}: .* -> {re.escape(str(run.root / 'exercises' / ASSIGNMENT))}$",
                     result.out, re.M), result.out
    released = run.root / "exercises" / ASSIGNMENT
    assert find_leaks(released, [MASTER]) == []
    with gradebook(run) as gb:
        assignment = gb.find_assignment(ASSIGNMENT)
        assert {nb.name for nb in assignment.notebooks} == {ASSIGNMENT}
        if "--duedate" in result.command:
            assert f"{ASSIGNMENT}: due " in result.out
            assert assignment.duedate == DUEDATE, "the guide's due date changed: update DUEDATE, ZIP_UPLOADS"


def check_collect(run: Run, result: Result) -> None:
    words = shlex.split(result.command)
    if "submissions.zip" in words:
        expected = set(ZIP_UPLOADS)
    elif "handed-in/" in words:
        expected = set(FOLDER_STUDENTS)
    else:
        assert "--exchange" in words, result.command
        expected = {exchange_student()}
    collected = set(re.findall(r"^collected (\S+): ", result.out, re.M))
    assert collected == expected, result.out
    assert f"{len(expected)} submission(s) collected, 0 item(s) skipped" in result.out
    for student in expected:
        assert (submitted(run) / student / ASSIGNMENT / NOTEBOOK).is_file()
    if "submissions.zip" in words:
        stamp = (submitted(run) / "bob" / ASSIGNMENT / "timestamp.txt").read_text()
        assert stamp.startswith("2026-12-02 09:00:00"), stamp


def check_grade(run: Run, result: Result) -> None:
    lines = [line for line in result.out.splitlines() if re.match(r"\[\s*\d+/\d+\]", line)]
    flagged = [line for line in lines if "FLAGGED" in line or "FAILED" in line]
    assert result.status == (1 if flagged else 0), result.out
    assert re.search(r"^done in \d+ s: \d+ graded, \d+ flagged for review, 0 failed", result.out, re.M)
    words = shlex.split(result.command)
    students = {
        p.parent.name for p in submitted(run).glob(f"*/{ASSIGNMENT}")
        if "--student" not in words or p.parent.name in words
    }
    assert len(lines) == len(students), result.out
    graded = records(run)
    config = load_config(run.root, run.db_url())
    zero_policy = config.LateSubmissionPlugin.penalty_method == "zero"
    with gradebook(run) as gb:
        for student in students:
            record = graded[student]
            submission = gb.find_submission(ASSIGNMENT, student)
            kind = ZIP_UPLOADS.get(student, ("", "full"))[1]
            raw = 0.0 if kind == "blank" else FULL_SCORE
            assert (record.score, record.max_score) == (raw, MAX_SCORE), (student, record)
            assert float(submission.score) == raw, student
            if student in FOLDER_STUDENTS:
                assert record.outcome == "flagged" and {f.kind for f in record.flags} >= {"edited_cell"}
                line = next(line for line in lines if f" {student} " in line)
                assert "FLAGGED" in line and EDITED_TEST in line, line
            else:
                assert record.outcome == "graded", (student, record.flags)
            if student == "bob" and assignment_has_duedate(gb):
                assert record.seconds_late == pytest.approx(BOB_LATE)
                penalty = FULL_SCORE if zero_policy else 0.0
                assert record.late_penalty == penalty
                assert float(submission.late_submission_penalty or 0) == penalty
            else:
                assert record.late_penalty == 0.0
    if "--force" in words:
        assert not any("skipped" in line for line in lines), result.out


def assignment_has_duedate(gb: Any) -> bool:
    return gb.find_assignment(ASSIGNMENT).duedate is not None


def check_feedback(run: Run, result: Result) -> None:
    feedback = run.root / "grading" / "feedback"
    for student, record in records(run).items():
        page = feedback / student / ASSIGNMENT / f"{ASSIGNMENT}.html"
        assert f"{student}: {page}" in result.out
        text = html.unescape(re.sub(r"<[^>]+>", " ", page.read_text(encoding="utf-8")))
        assert "test_units" in text and "points" in text
        if record.late_penalty > 0:  # the page gives the penalty and the score after it
            assert re.search(r"\blate\b", text, re.I), text
            assert f"{record.score - record.late_penalty:g} / {record.max_score:g}" in text, text
    assert find_leaks(feedback, [MASTER]) == []


def check_report(run: Run, result: Result) -> None:
    reports = run.root / "grading" / "reports"
    html_path = reports / f"{ASSIGNMENT}-report.html"
    assert html_path.is_file() and "<img" in html_path.read_text(encoding="utf-8")
    with (reports / f"{ASSIGNMENT}-grades.csv").open(encoding="utf-8") as handle:
        rows = {row["student_id"]: row for row in csv.DictReader(handle)}
    assert set(rows) == set(records(run))
    assert float(rows["alice"]["score"]) == FULL_SCORE and float(rows["carol"]["score"]) == 0.0
    assert {"test_units", "test_elemental_magnesium"} <= set(rows["alice"])
    with gradebook(run) as gb:
        for student, row in rows.items():  # nbgrader's export: score = raw score - late penalty
            submission = gb.find_submission(ASSIGNMENT, student)
            penalty = float(submission.late_submission_penalty or 0)
            assert float(row["raw_score"]) == float(submission.score), row
            assert float(row["late_submission_penalty"]) == penalty, row
            assert float(row["score"]) == max(0.0, float(submission.score) - penalty), row
    zero_policy = load_config(run.root).LateSubmissionPlugin.penalty_method == "zero"
    if zero_policy and "bob" in rows and rows["bob"]["duedate"]:
        bob = rows["bob"]
        assert (float(bob["raw_score"]), float(bob["late_submission_penalty"]), float(bob["score"])) == (
            FULL_SCORE, FULL_SCORE, 0.0), bob


def check_chmod(run: Run, result: Result) -> None:
    assert run.exchange.stat().st_mode & 0o7777 == 0o1777


def check_release_assignment(run: Run, result: Result) -> None:
    outbound = run.exchange / "mgcourse" / "outbound" / ASSIGNMENT
    for name in (NOTEBOOK, "cohort.csv"):
        assert (outbound / name).read_bytes() == (run.root / "exercises" / ASSIGNMENT / name).read_bytes()


def check_fetch(run: Run, result: Result) -> None:
    """The assignment arrived; then the student does the work (the master's answers)."""
    path = run.student_home / ASSIGNMENT / NOTEBOOK
    assert (run.student_home / ASSIGNMENT / "cohort.csv").is_file()
    master = nbformat.read(str(MASTER), as_version=4)
    nbformat.write(fill_from_master(nbformat.read(str(path), as_version=4), master), str(path))


def check_submit(run: Run, result: Result) -> None:
    inbound = run.exchange / "mgcourse" / "inbound"
    (folder,) = inbound.glob(f"{exchange_student()}+{ASSIGNMENT}+*")
    assert (folder / NOTEBOOK).read_bytes() == (run.student_home / ASSIGNMENT / NOTEBOOK).read_bytes()


def check_release_feedback(run: Run, result: Result) -> None:
    assert list((run.exchange / "mgcourse" / "feedback").glob("*.html")), result.err[-2000:]


def check_fetch_feedback(run: Run, result: Result) -> None:
    """The student gets exactly the page written for their submission."""
    pages = list((run.student_home / ASSIGNMENT / "feedback").glob(f"*/{ASSIGNMENT}.html"))
    mine = run.root / "grading" / "feedback" / exchange_student() / ASSIGNMENT / f"{ASSIGNMENT}.html"
    assert len(pages) == 1, result.err[-2000:]
    assert pages[0].read_bytes() == mine.read_bytes()


def check_pip(run: Run, result: Result) -> None:
    # the lock pins each package on a line of its own, its hashes continued after a backslash
    pins = re.findall(r"^nbgrader==([^\s\\]+)(?: \\)?$", (REPO / "requirements.txt").read_text(), re.M)
    assert pins, "requirements.txt does not pin nbgrader"
    assert f"Requirement already satisfied: nbgrader=={pins[0]}" in result.out


def check_benchmark(run: Run, result: Result) -> None:
    for label in ("(a) nbgrader autograde", "(b) mgcourse grade --workers 2", "(d) bare nbclient execution"):
        assert re.search(rf"^{re.escape(label)}\s+[\d.]+\s+[\d.]+", result.out, re.M), result.out
    assert "scores identical between (a) and (b): yes" in result.out
    assert "(c) speed-up (a)/(b): " in result.out


#: Program and subcommand → what must hold afterwards. "--help" anywhere: CHECK_HELP.
CHECKS = {
    "mgcourse release": Check(then=check_release),
    "mgcourse collect": Check(then=check_collect),
    "mgcourse grade": Check((0, 1), check_grade),  # 1: some submission is flagged for review
    "mgcourse feedback": Check(then=check_feedback),
    "mgcourse report": Check(then=check_report),
    "sudo chmod": Check(then=check_chmod),
    "nbgrader release_assignment": Check(then=check_release_assignment),
    "nbgrader fetch_assignment": Check(then=check_fetch),
    "nbgrader submit": Check(then=check_submit),
    "nbgrader release_feedback": Check(then=check_release_feedback),
    "nbgrader fetch_feedback": Check(then=check_fetch_feedback),
    "pip install": Check(then=check_pip),
    "python benchmarks/grading.py": Check(then=check_benchmark),
}
CHECK_HELP = Check(then=check_help)


def check_for(words: list[str]) -> Check:
    if "--help" in words:
        return CHECK_HELP
    for key in (" ".join(words[:2]), words[0]):
        if key in CHECKS:
            return CHECKS[key]
    return Check()


# ----------------------------------------------------------------- fixtures


class Runs:
    """Sections run at most once per module, in guide order, each in its own course."""

    def __init__(self, factory: pytest.TempPathFactory, stack: contextlib.ExitStack) -> None:
        self.factory = factory
        self.stack = stack
        self.done: dict[str, Run | BaseException] = {}

    def get(self, section: Section) -> Run:
        if section.title not in self.done:
            with pytest.MonkeyPatch.context() as mp:
                for name in ("MGCOURSE_COURSE_ROOT", "MGCOURSE_DB_URL"):
                    mp.delenv(name, raising=False)
                base = self.factory.mktemp("guide")
                try:
                    self.done[section.title] = run_section(section, base, self.stack)
                except BaseException as error:  # a skip or failure is replayed for later callers
                    self.done[section.title] = error
                    raise
        outcome = self.done[section.title]
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runs]:
    with contextlib.ExitStack() as stack:
        yield Runs(tmp_path_factory, stack)


@pytest.fixture(autouse=True)
def _no_course_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MGCOURSE_DB_URL", raising=False)
    monkeypatch.delenv("MGCOURSE_COURSE_ROOT", raising=False)


def section_with(command: str) -> Section:
    return next(s for s in SECTIONS if any(c.startswith(command) for c in s.commands()))


# ----------------------------------------------------------------- tests


def test_the_guide_is_readable() -> None:
    assert not PROBLEMS, "\n".join(PROBLEMS)
    assert SECTIONS and any(s.commands() for s in SECTIONS)


def test_the_tables_match_the_guide() -> None:
    text = GUIDE.read_text(encoding="utf-8")
    commands = {c for s in SECTIONS for c in s.commands()}
    stale = [c for c in COMMANDS if c not in commands]
    stale += [p for p in PLACEHOLDERS if p not in text]
    stale += [name for name in FIXTURES if not any(name in shlex.split(c) for c in commands)]
    assert not stale, f"entries of the tables no longer in the guide: {stale}"
    snippets = [b for s in SECTIONS for b in s.blocks if b.kind == "python"]
    assert all(b.text.splitlines()[0].strip() in CONFIG_TARGETS for b in snippets)


@pytest.mark.parametrize("section", SECTIONS, ids=[s.title for s in SECTIONS])
def test_every_command_of_the_section_runs(runs: Runs, section: Section) -> None:
    run = runs.get(section)
    assert len(run.done) == sum(len(b.commands()) if b.kind == "console" else 1 for b in section.blocks)
