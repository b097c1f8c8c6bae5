"""The checker: runs the master's test cells in a process the student's code never touched.

Test cells keep nbgrader's format (``assert`` and ``numpy.testing`` against the
student's names). For each one the checker

1. finds the names the cell reads that neither it, the master's setup cells nor
   Python's builtins define (:func:`free_names`);
2. asks for their values from the student's kernel, through the runner, as plain
   data (:mod:`mgcourse.grader.plain`): numbers, strings, containers, numeric
   arrays and tables, each rebuilt here as an exact built-in or numpy type;
3. runs the cell. A student's function is a stand-in whose call sends plain
   arguments to the kernel and brings back plain data.

Read-only setup cells that use only the master's own names run here too, so
their values come from the master, not from the student's kernel.

The checker talks to the runner over a pipe, one JSON message at a time
(:class:`Checker` is the runner's end). It is started from a fork server that
has already imported numpy and the modules the master uses, so each submission
gets a fresh, clean process in milliseconds.
"""

from __future__ import annotations

import ast
import builtins
import contextlib
import io
import json
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any, Final

from mgcourse.grader.plain import PlainDataError, StudentFunction, StudentObject, decode, encode

__all__ = ["Checker", "CheckerGone", "StudentException", "TestOutcome", "free_names"]

#: Most characters of a test's printed output kept.
_MAX_STDOUT: Final = 20_000
#: Modules every checker has imported before it forks.
_PRELOAD: Final = ("numpy", "numpy.testing", "mgcourse.grader.plain", "json", "ast")


class StudentException(Exception):
    """An exception raised inside the student's kernel by one of their functions."""


class CheckerGone(RuntimeError):
    """The checker process stopped answering."""


@dataclass(frozen=True)
class TestOutcome:
    """What one test cell did in the checker.

    ``status`` is ``ok`` or ``error``; ``result`` is the cell's last expression
    when it is a number (partial credit, as in nbgrader).
    """

    status: str
    ename: str | None = None
    evalue: str | None = None
    stdout: str = ""
    result: float | None = None
    unplain: tuple[str, ...] = ()
    deliberate: tuple[str, ...] = ()


def free_names(source: str) -> list[str]:
    """Names a cell reads but does not bind itself (sorted); empty if it does not parse.

    Examples
    --------
    >>> free_names("x = f(a)\\nassert x > b, 'msg'")
    ['a', 'b', 'f']
    """
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return []
    loaded: set[str] = set()
    bound: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (loaded if isinstance(node.ctx, ast.Load) else bound).add(node.id)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            bound.add(node.name)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, ast.alias):
            bound.add((node.asname or node.name).split(".")[0])
        elif isinstance(node, ast.ExceptHandler) and node.name:
            bound.add(node.name)
    return sorted(loaded - bound)


# ======================================================================= the checker process


class _Session:
    """The checker's side: a namespace built from the master, and the pipe to the runner."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.namespace: dict[str, Any] = {"__name__": "__main__", "__builtins__": builtins}
        self.unplain: list[str] = []
        self.deliberate: list[str] = []

    def ask(self, request: dict[str, Any]) -> dict[str, Any]:
        self.conn.send_bytes(json.dumps(request).encode())
        answer = json.loads(self.conn.recv_bytes())
        if not isinstance(answer, dict):
            raise CheckerGone("malformed answer from the runner")
        return answer

    def function(self, label: str) -> Callable[[str, int], Any]:
        return lambda name, ref: StudentFunction(label, ref, self.call)

    def call(self, function: StudentFunction, args: list[Any], kwargs: dict[str, Any]) -> Any:
        """Call a student's function in their kernel with plain arguments."""
        named = {id(v): k for k, v in self.namespace.items() if not k.startswith("__")}
        answer = self.ask({"op": "call", "ref": function.ref, "args": encode(args, named=named, rebuild=True),
                           "kwargs": encode(kwargs, named=named, rebuild=True)})
        if "error" in answer:
            ename, evalue = ([*list(answer["error"]), "", ""])[:2]
            ename, evalue = str(ename)[:100], str(evalue)[:2000]
            kind = getattr(builtins, ename, None)
            if isinstance(kind, type) and issubclass(kind, Exception) and not issubclass(kind, Warning):
                raise kind(evalue)
            raise StudentException(f"{ename}: {evalue}")
        return self.value(f"{function.label}(...)", str(answer.get("value", "")))

    def value(self, label: str, text: str) -> Any:
        value = decode(text, label, self.function(label))
        if isinstance(value, StudentObject):
            self.unplain.append(f"{label}: {value.type_name}")
            if value.deliberate:
                self.deliberate.append(f"{label}: {value.type_name}")
        return value

    def unknown(self, source: str) -> list[str]:
        return [n for n in free_names(source) if n not in self.namespace and not hasattr(builtins, n)]

    def setup(self, source: str) -> dict[str, Any]:
        """Run a read-only cell that needs only the master's names; skip one that needs the student's."""
        if self.unknown(source):
            return {"status": "skipped"}
        outcome = self.run(source, fetch=False)
        return {"status": outcome.status, "ename": outcome.ename, "evalue": outcome.evalue}

    def run(self, source: str, *, fetch: bool = True) -> TestOutcome:
        self.unplain, self.deliberate = [], []
        local = dict(self.namespace)
        if fetch:
            names = self.unknown(source)
            if names:
                answer = self.ask({"op": "get", "names": names})
                for name, text in dict(answer.get("values", {})).items():
                    if name in names and isinstance(text, str):
                        try:
                            local[name] = self.value(name, text)
                        except PlainDataError as error:
                            self.unplain.append(f"{name}: {error}")
                            local[name] = StudentObject(name, "data that could not be read", -1, True)
        stdout = io.StringIO()
        result: Any = None
        try:
            tree = ast.parse(source)
            last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
            assert last is None or isinstance(last, ast.Expr)
            with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stdout):
                exec(compile(tree, "<test>", "exec"), local)
                if last is not None:
                    result = eval(compile(ast.Expression(last.value), "<test>", "eval"), local)
        except Exception as error:
            return TestOutcome(
                "error", type(error).__name__, _message(error), stdout.getvalue()[:_MAX_STDOUT],
                None, tuple(self.unplain), tuple(self.deliberate),
            )
        finally:
            fetched = set(free_names(source))
            for name, value in local.items():  # keep what the cell defined, never the student's values
                if name not in self.namespace and name not in fetched and not _from_student(value):
                    self.namespace[name] = value
        number = float(result) if type(result) in (int, float) else None  # type(True) is bool
        return TestOutcome("ok", None, None, stdout.getvalue()[:_MAX_STDOUT], number,
                           tuple(self.unplain), tuple(self.deliberate))


def _from_student(value: Any) -> bool:
    return isinstance(value, StudentObject | StudentFunction)


def _message(error: BaseException) -> str:
    text = str(error)
    if not text and isinstance(error, AssertionError) and error.__traceback__ is not None:
        # a bare assert: name the failing line
        frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename == "<test>"]
        text = f"line {frames[-1].lineno} of the test" if frames else ""
    return text[:2000]


def serve(conn: Connection, workdir: str) -> None:
    """The checker process's main loop (started through :class:`Checker`)."""
    os.chdir(workdir)
    os.environ["MPLBACKEND"] = "Agg"
    session = _Session(conn)
    while True:
        try:
            message = json.loads(conn.recv_bytes())
        except (EOFError, OSError):
            return
        op = message.get("op")
        if op == "setup":
            reply = session.setup(str(message["source"]))
        elif op == "test":
            outcome = session.run(str(message["source"]))
            reply = {"status": outcome.status, "ename": outcome.ename, "evalue": outcome.evalue,
                     "stdout": outcome.stdout, "result": outcome.result,
                     "unplain": list(outcome.unplain), "deliberate": list(outcome.deliberate)}
        else:
            return
        conn.send_bytes(json.dumps({"op": "done", **reply}).encode())


# ======================================================================= the fork server


def _zygote(address: str, preload: Sequence[str]) -> None:
    """Import what checkers need once, then fork one checker per connection.

    Runs until the process that started it is gone.
    """
    import importlib
    import select
    import socket

    for module in preload:
        with contextlib.suppress(Exception):
            importlib.import_module(module)
    parent = os.getppid()
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(address)
    server.listen(8)
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    while os.getppid() == parent:
        with contextlib.suppress(ChildProcessError):
            while os.waitpid(-1, os.WNOHANG)[0]:
                pass
        if not select.select([server], [], [], 1.0)[0]:
            continue
        client, _ = server.accept()
        if os.fork() == 0:
            server.close()
            conn = Connection(client.detach())
            try:
                start = json.loads(conn.recv_bytes())
                conn.send_bytes(json.dumps({"pid": os.getpid()}).encode())
                serve(conn, str(start["workdir"]))
            finally:
                os._exit(0)
        client.close()


# ======================================================================= the runner's end


class _ForkServer:
    """The worker's fork server of checkers (one per worker process, started on first use)."""

    def __init__(self, preload: Sequence[str]) -> None:
        import subprocess
        import tempfile

        self.folder = tempfile.mkdtemp(prefix="mgcourse-checker-")
        self.address = os.path.join(self.folder, "checker.sock")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "mgcourse.grader.checker", self.address, *_PRELOAD, *preload],
            stdout=subprocess.PIPE, stdin=subprocess.DEVNULL,
        )
        assert self.process.stdout is not None
        if self.process.stdout.readline().strip() != b"ready":
            raise CheckerGone("the checker's fork server did not start")

    def alive(self) -> bool:
        return self.process.poll() is None

    def connect(self) -> Connection:
        import socket

        client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        client.connect(self.address)
        return Connection(client.detach())

    def close(self) -> None:
        import shutil

        with contextlib.suppress(Exception):
            self.process.kill()
            self.process.wait(timeout=5)
        shutil.rmtree(self.folder, ignore_errors=True)


_SERVER: _ForkServer | None = None


def _fork_server(preload: Sequence[str]) -> _ForkServer:
    global _SERVER
    if _SERVER is None or not _SERVER.alive():
        _SERVER = _ForkServer(preload)
        import atexit

        atexit.register(_SERVER.close)
    return _SERVER


class Checker:
    """A checker process for one submission, and the runner's end of its pipe.

    Parameters
    ----------
    workdir : str
        Folder the checker runs in (a copy of the assignment's data files).
    preload : sequence of str
        Modules the master's setup cells import, imported once by the fork server.
    """

    def __init__(self, workdir: str, preload: Sequence[str] = ()) -> None:
        self.conn = _fork_server(preload).connect()
        self.send({"workdir": workdir})
        self.pid = int(self.receive(30.0)["pid"])

    def send(self, message: dict[str, Any]) -> None:
        """Send one message to the checker."""
        try:
            self.conn.send_bytes(json.dumps(message).encode())
        except OSError as error:
            raise CheckerGone(f"the checker stopped ({type(error).__name__})") from None

    def receive(self, timeout: float) -> dict[str, Any]:
        """The checker's next message; raises :class:`CheckerGone` after ``timeout`` s of silence."""
        if not self.conn.poll(timeout):
            raise CheckerGone(f"the checker did not answer within {timeout:g} s")
        try:
            message = json.loads(self.conn.recv_bytes())
        except (EOFError, OSError, ValueError) as error:
            raise CheckerGone(f"the checker stopped ({type(error).__name__})") from None
        if not isinstance(message, dict):
            raise CheckerGone("malformed message from the checker")
        return message

    def close(self) -> None:
        """Stop the checker process."""
        with contextlib.suppress(Exception):
            self.conn.close()
        with contextlib.suppress(OSError):
            os.kill(self.pid, 9)


if __name__ == "__main__":  # the fork server: python -m mgcourse.grader.checker ADDRESS MODULE...
    _zygote(sys.argv[1], sys.argv[2:])
