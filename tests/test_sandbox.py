"""Tests of mgcourse.grader.sandbox: the operating-system boundary around a student's code.

Each test runs a small Python program inside the same sandbox a student's kernel
gets (:class:`~mgcourse.grader.sandbox.Sandbox`) and checks from outside what it
could and could not do.
"""

from __future__ import annotations

import ast
import json
import os
import secrets
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from mgcourse.grader import sandbox as sandbox_module
from mgcourse.grader.kernel import exposed_paths
from mgcourse.grader.sandbox import Limits, Sandbox, SandboxError

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def course(tmp_path: Path) -> Path:
    """A stand-in course folder with a secret, outside the sandbox's view."""
    root = tmp_path / "course"
    (root / "solutions").mkdir(parents=True)
    (root / "solutions" / "master.ipynb").write_text("SECRET-HIDDEN-TEST", encoding="utf-8")
    (root / "nbgrader_config.py").write_text("c = get_config()\n", encoding="utf-8")
    return root


def run_inside(course: Path, tmp_path: Path, code: str, limits: Limits | None = None,
               timeout: float = 60) -> tuple[subprocess.CompletedProcess[str], Sandbox]:
    """Run ``code`` with Python inside a fresh sandbox that hides ``course`` and the repository."""
    work, runtime = tmp_path / "work", tmp_path / "runtime"
    work.mkdir(parents=True, exist_ok=True)
    runtime.mkdir(parents=True, exist_ok=True)
    hide = [course, REPO, tmp_path]
    box = Sandbox(work, runtime, limits or Limits(), exposed_paths(hide), hide)
    box.make_cgroup()
    command = box.command([sys.executable, "-c", code])
    env = {**os.environ, "MGCOURSE_DB_URL": "postgresql://grader:s3cret@127.0.0.1/gradebook"}
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=env, check=False)
    finally:
        box.sweep()
    return done, box


def test_the_boundary_can_be_set_up_here() -> None:
    Sandbox.check()


def test_without_bubblewrap_grading_refuses_and_says_why(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sandbox_module.shutil, "which", lambda name: None)
    with pytest.raises(SandboxError, match="bubblewrap"):
        Sandbox.check()


def test_limits_reject_bad_values() -> None:
    with pytest.raises(ValueError, match="memory_mb = 10"):
        Limits(memory_mb=10)
    with pytest.raises(ValueError, match="processes = 1"):
        Limits(processes=1)


PROBE = r"""
import json, os, socket, sys
seen = {}
def attempt(name, action):
    try:
        seen[name] = repr(action())[:200]
    except BaseException as error:
        seen[name] = "blocked: " + type(error).__name__
attempt("master", lambda: open(COURSE + "/solutions/master.ipynb").read())
attempt("config", lambda: open(COURSE + "/nbgrader_config.py").read())
attempt("course_listing", lambda: os.listdir(COURSE))
attempt("repo_solutions", lambda: os.listdir(REPO + "/solutions"))
attempt("repo_tests", lambda: os.listdir(REPO + "/tests"))
attempt("home", lambda: os.listdir(os.path.expanduser("~root")))
attempt("write_etc", lambda: open("/etc/mgcourse-test", "w"))
attempt("write_work", lambda: open("answer.txt", "w").write("ok"))
attempt("tcp", lambda: socket.create_connection(("127.0.0.1", PORT), timeout=2))
attempt("processes", lambda: sorted(int(p) for p in os.listdir("/proc") if p.isdigit()))
attempt("environ", lambda: open("/proc/self/environ").read())
attempt("uid", lambda: os.getuid())
import numpy, mgcourse.indices
seen["imports"] = "ok"
print(json.dumps(seen))
"""


@pytest.fixture
def listener() -> Iterator[int]:
    """A TCP server on 127.0.0.1 that records whether anyone connected."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.2)
    port = server.getsockname()[1]
    stop = threading.Event()
    connected: list[bool] = []

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
                connected.append(True)
                conn.close()
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield port
    stop.set()
    thread.join(timeout=2)
    server.close()
    assert not connected, "a sandboxed process reached 127.0.0.1"


def test_no_network_no_course_no_other_processes_and_a_clean_environment(
    course: Path, tmp_path: Path, listener: int
) -> None:
    code = f"COURSE = {str(course)!r}; REPO = {str(REPO)!r}; PORT = {listener}\n" + PROBE
    done, _ = run_inside(course, tmp_path / "box", code)
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    for name in ("master", "config", "repo_solutions", "repo_tests", "tcp"):
        assert seen[name].startswith("blocked"), (name, seen[name])
    assert seen["course_listing"] == "[]"  # an empty folder stands where the course was
    # the grader's home is empty but for the Python installation that may live there
    home = [] if seen["home"].startswith("blocked") else ast.literal_eval(seen["home"])
    assert set(home) <= {Path(p).relative_to(Path.home()).parts[0] for p in exposed_paths([])
                         if Path(p).is_relative_to(Path.home())}
    assert seen["write_etc"].startswith("blocked")
    assert seen["write_work"] == "2"
    assert (tmp_path / "box" / "work" / "answer.txt").read_text() == "ok"
    assert seen["processes"] in ("[1, 2]", "[1, 2, 3]")  # bwrap's init, python (and maybe a helper)
    assert "s3cret" not in seen["environ"] and "MGCOURSE" not in seen["environ"]
    assert seen["uid"] == "65534"
    assert seen["imports"] == "ok"
    assert "SECRET-HIDDEN-TEST" not in done.stdout + done.stderr


def test_memory_cap(course: Path, tmp_path: Path) -> None:
    code = "try:\n    x = bytearray(600 * 1024 * 1024)\n    print('allocated')\nexcept MemoryError:\n" \
           "    print('MemoryError')\n"
    done, _ = run_inside(course, tmp_path, code, Limits(memory_mb=300))
    assert done.stdout.strip() == "MemoryError"


def test_process_cap_stops_a_fork_bomb(course: Path, tmp_path: Path) -> None:
    code = (
        "import os, time\nn = 0\ntry:\n    while n < 500:\n        if os.fork() == 0:\n"
        "            time.sleep(30)\n            os._exit(0)\n        n += 1\n"
        "except OSError as error:\n    print('stopped at', n, type(error).__name__)\n"
    )
    start = time.monotonic()
    done, _ = run_inside(course, tmp_path, code, Limits(processes=20))
    assert "stopped at" in done.stdout, done.stdout + done.stderr
    assert int(done.stdout.split()[2]) < 20
    assert time.monotonic() - start < 30  # the sleeping children did not hold the sandbox open


def test_file_size_cap(course: Path, tmp_path: Path) -> None:
    code = (
        "try:\n    with open('big', 'wb') as f:\n        f.write(b'x' * (3 * 1024 * 1024))\n"
        "    print('wrote')\nexcept OSError as error:\n    print('refused', error.errno)\n"
    )
    done, _ = run_inside(course, tmp_path, code, Limits(file_mb=1))
    assert done.stdout.startswith("refused"), done.stdout + done.stderr
    assert (tmp_path / "work" / "big").stat().st_size <= 1024 * 1024


def test_cpu_time_cap(course: Path, tmp_path: Path) -> None:
    start = time.monotonic()
    done, _ = run_inside(course, tmp_path, "while True:\n    pass\n", Limits(cpu_seconds=2), timeout=60)
    assert done.returncode != 0
    assert time.monotonic() - start < 30


def test_no_process_outlives_the_sandbox(course: Path, tmp_path: Path) -> None:
    marker = f"mgcourse-orphan-{secrets.token_hex(4)}"
    code = (
        "import subprocess, sys\n"
        f"subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(120)', {marker!r}],"
        " start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
        "import ctypes\nlibc = ctypes.CDLL(None)\n"
        "if libc.fork() == 0:\n    libc.setsid()\n"
        f"    import os; os.execv(sys.executable, [sys.executable, '-c', 'import time; time.sleep(120)', "
        f"{marker!r}])\n"
        "print('detached')\n"
    )
    done, box = run_inside(course, tmp_path, code)
    assert "detached" in done.stdout
    time.sleep(0.5)
    survivors = subprocess.run(["pgrep", "-f", marker], capture_output=True, text=True, check=False)
    assert survivors.stdout.strip() == "", f"left running: {survivors.stdout}"
    assert box.cgroup is None  # swept and removed
