"""Grading through the procrastinate queue on a real PostgreSQL server (``tests/postgres.py``).

The tiny course (``fixtures/submissions.py``) with full, wrong, blank and slow
submissions is graded locally once; every queue scenario must give the same
score and status for every cell. Workers are ``mgcourse worker`` processes; the
course's gradebook stays SQLite, written only by the collecting process.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import nbformat
import psycopg
import pytest

from fixtures.submissions import ADD_TWO, ASSIGNMENT, filled, find, make_course, with_answer, write
from mgcourse.grader.cli import main
from mgcourse.grader.course import Course
from mgcourse.grader.queue import QueueError, connection_url, grade_queued, run_worker
from mgcourse.grader.records import load_records
from mgcourse.grader.release import release
from mgcourse.grader.results import GradeOptions, SubmissionResult
from mgcourse.grader.runner import grade_assignment
from postgres import PostgresServer, postgres_server

pytestmark = [
    pytest.mark.nbgrader,
    pytest.mark.filterwarnings("ignore:Object of type <Submitted:sqlalchemy.exc.SAWarning"),
]

OPTIONS = GradeOptions(workers=2, timeout=30, memory_mb=1000)
LEASE = 3.0
#: A correct submission that spends SLOW seconds in its first answer cell (after writing ``started``).
SLOW = 6

Cells = dict[str, dict[str, tuple[float | None, float, str]]]


def _course(root: Path) -> Path:
    make_course(root)
    release(Course.load(root), ASSIGNMENT)
    student = nbformat.read(str(root / "exercises" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"), as_version=4)
    slow = filled(student)
    answer = find(slow, "double_solution")
    answer.source = f"import time\nopen('started', 'w').close()\ntime.sleep({SLOW})\n" + answer.source
    notebooks = {"ann": filled(student), "ben": with_answer(student, "double_solution", ADD_TWO),
                 "cat": student, "sam": slow}
    for student_id, nb in notebooks.items():
        write(root / "grading" / "submitted" / student_id / ASSIGNMENT, nb)
    return root


def cells(results: list[SubmissionResult]) -> Cells:
    return {r.student: {c.grade_id: (c.score, c.max_score, c.status) for c in r.cells} for r in results}


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _course(tmp_path_factory.mktemp("queue") / "course")


@pytest.fixture(scope="module")
def local(template: Path, tmp_path_factory: pytest.TempPathFactory) -> Cells:
    """Scores of local grading, the reference."""
    root = tmp_path_factory.mktemp("local") / "course"
    shutil.copytree(template, root)
    graded = cells(grade_assignment(Course.load(root), ASSIGNMENT, options=OPTIONS))
    assert {s: sum(score or 0 for score, _, _ in c.values()) for s, c in graded.items()} == {
        "ann": 3.0, "ben": 1.0, "cat": 0.0, "sam": 3.0}
    return graded


@pytest.fixture(scope="module")
def server() -> Iterator[PostgresServer]:
    with postgres_server() as running:
        yield running


@pytest.fixture
def setup(template: Path, tmp_path: Path, server: PostgresServer,
          request: pytest.FixtureRequest) -> tuple[Path, str]:
    root = tmp_path / "course"
    shutil.copytree(template, root)
    name = "q_" + "".join(ch if ch.isalnum() else "_" for ch in request.node.name.lower())[:50]
    return root, server.create_database(name)


class Workers:
    """``mgcourse worker`` processes, stopped (and their children killed) at the end."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.processes: list[subprocess.Popen[bytes]] = []

    def start(self) -> subprocess.Popen[bytes]:
        env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}
        process = subprocess.Popen(
            [sys.executable, "-m", "mgcourse.grader.cli", "worker", "--queue", self.url,
             "--lease", str(LEASE)],
            env=env, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        self.processes.append(process)
        return process

    def close(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


@pytest.fixture
def workers(setup: tuple[Path, str]) -> Iterator[Workers]:
    pool = Workers(setup[1])
    try:
        yield pool
    finally:
        pool.close()


def query(url: str, sql: str, *args: object) -> list[tuple[object, ...]]:
    with psycopg.connect(connection_url(url), autocommit=True) as connection:
        return list(connection.execute(sql, args).fetchall())  # type: ignore[call-overload]


def gradebook_totals(root: Path) -> dict[str, float]:
    with Course.load(root).gradebook() as gradebook:
        return {str(s.student.id): float(s.score) for s in gradebook.assignment_submissions(ASSIGNMENT)}


@pytest.mark.parametrize("count", [1, 2])
def test_workers_grade_like_local_grading(setup: tuple[Path, str], workers: Workers, local: Cells,
                                          count: int) -> None:
    root, url = setup
    for _ in range(count):
        workers.start()
    results = grade_queued(Course.load(root), ASSIGNMENT, url, options=OPTIONS, lease=LEASE)
    assert cells(results) == local
    assert gradebook_totals(root) == {s: sum(v[0] or 0 for v in c.values()) for s, c in local.items()}
    assert {r.student for r in load_records(Course.load(root), ASSIGNMENT).values()} == set(local)
    rows = query(url, "SELECT worker FROM mgcourse_grading_results")
    assert len(rows) == len(local)
    assert len({row[0] for row in rows}) <= count
    assert (root / "grading" / "autograded" / "ann" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").is_file()
    assert (root / "grading" / "autograded" / "ann" / ASSIGNMENT / "data.txt").is_file()


def test_killed_worker_gives_its_job_back_and_it_is_graded_once(
        setup: tuple[Path, str], workers: Workers, local: Cells) -> None:
    root, url = setup
    first = workers.start()
    outcome: list[list[SubmissionResult]] = []
    collector = threading.Thread(target=lambda: outcome.append(grade_queued(
        Course.load(root), ASSIGNMENT, url, students=["sam"], options=OPTIONS, lease=LEASE, poll=0.2)))
    collector.start()
    deadline = time.monotonic() + 120
    started = Path(tempfile.gettempdir()).glob(f"mgcourse-worker-*/kernel-{first.pid}-*/work/started")
    while not list(started):  # the kernel is inside the sleeping answer cell
        assert time.monotonic() < deadline, "the worker did not reach the answer cell"
        time.sleep(0.1)
        started = Path(tempfile.gettempdir()).glob(f"mgcourse-worker-*/kernel-{first.pid}-*/work/started")
    assert query(url, "SELECT count(*) FROM procrastinate_jobs WHERE status = 'doing'") == [(1,)]
    os.kill(first.pid, signal.SIGKILL)
    first.wait()
    assert not query(url, "SELECT 1 FROM mgcourse_grading_results")
    second = workers.start()
    collector.join(timeout=120)
    assert not collector.is_alive()
    [results] = outcome
    assert cells(results) == {"sam": local["sam"]}
    [(worker, )] = query(url, "SELECT worker FROM mgcourse_grading_results")
    assert str(worker).endswith(f":{second.pid}")
    taken = query(url, "SELECT count(*) FROM procrastinate_events WHERE type = 'started'")
    assert taken == [(2,)]  # taken twice: by the killed worker, then by the second
    assert gradebook_totals(root) == {"sam": 3.0}


def test_interrupted_collection_resumes_without_grading_again(
        setup: tuple[Path, str], workers: Workers, local: Cells) -> None:
    root, url = setup
    workers.start()
    seen: list[str] = []

    def stop_after_first(result: SubmissionResult) -> None:
        seen.append(result.student)
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        grade_queued(Course.load(root), ASSIGNMENT, url, options=OPTIONS, lease=LEASE, poll=0.2,
                     progress=stop_after_first)
    assert set(load_records(Course.load(root), ASSIGNMENT)) == set(seen)
    deadline = time.monotonic() + 120
    while query(url, "SELECT count(*) FROM mgcourse_grading_results") != [(len(local),)]:
        assert time.monotonic() < deadline, "the workers did not finish the enqueued jobs"
        time.sleep(0.2)
    workers.close()  # no worker left: resuming must only collect
    results = grade_queued(Course.load(root), ASSIGNMENT, url, options=OPTIONS, lease=LEASE, poll=0.2)
    assert [r.student for r in results if r.skipped] == seen
    assert cells([r for r in results if not r.skipped]) == {s: c for s, c in local.items() if s not in seen}
    assert gradebook_totals(root) == {s: sum(v[0] or 0 for v in c.values()) for s, c in local.items()}
    assert query(url, "SELECT count(*) FROM procrastinate_events WHERE type = 'started'") == [(len(local),)]


def test_queue_url_must_be_postgresql() -> None:
    with pytest.raises(ValueError, match=r"sqlite:///x\.db"):
        connection_url("sqlite:///x.db")
    assert connection_url("postgresql+psycopg2://u@127.0.0.1:5/db") == "postgresql://u@127.0.0.1:5/db"


def test_unreachable_queue_is_a_clear_error(template: Path, tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    url = f"postgresql://nobody@127.0.0.1:{_closed_port()}/grading"
    with pytest.raises(QueueError, match="cannot reach the queue's database"):
        run_worker(url, unsandboxed=True)
    root = tmp_path / "course"
    shutil.copytree(template, root)
    assert main(["--root", str(root), "grade", ASSIGNMENT, "--queue", url]) == 2
    assert "cannot reach the queue's database" in capsys.readouterr().err
    assert not load_records(Course.load(root), ASSIGNMENT)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
