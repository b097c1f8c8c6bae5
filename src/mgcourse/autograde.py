"""Autograde every submission of an assignment in parallel, each one isolated.

:func:`grade_assignment` grades ``grading/submitted/<student>/<assignment>`` on
several worker processes (a ``ProcessPoolExecutor``). Every submission is graded
in a private folder outside the course, by a fresh kernel (each worker starts
the next one while the current notebook runs) that runs with a memory cap, a
CPU-time cap, a per-cell time limit and an audit hook that denies reading the
course's solutions, the gradebook and the other submissions. The grader talks to
each kernel over Unix sockets in the kernel's private folder, so kernels starting
at the same time never race for a TCP port. Workers never touch
the gradebook: they return a :class:`SubmissionResult` and the parent process
alone writes the grades, one transaction per submission, so an interrupted run
loses nothing and a second run resumes where the first stopped.

The worker runs the same steps as nbgrader's ``Autograde`` converter, built from
nbgrader's own pieces (``DeduplicateIds``, ``Execute``, ``LimitOutput``,
``IgnorePattern``, ``determine_grade``), with locked cells restored from a
snapshot of the gradebook (:func:`load_master`) the way nbgrader's
``OverwriteCells`` restores them, plus what nbgrader does not do:

* a deleted test cell scores 0 and is flagged (nbgrader only logs a warning);
* duplicated test cells, edited read-only cells and changed nbgrader metadata
  are detected and flagged, not just silently repaired;
* before every test cell the kernel's audit hook restores numpy, builtins, the
  helpers the tests import and IPython's execution machinery from a snapshot
  taken before any student code ran, and reports what it had to repair; after
  the test cell a second check and a "canary" assertion verify that a failing
  assertion still produces an error. A test cell whose checks could not be
  verified scores 0 and the submission is flagged for review;
* a cell that never ran because the kernel died or stopped responding scores 0
  (nbgrader would give full points to a test cell without output);
* output is limited while it arrives, not only afterwards.

The sandboxed kernel itself lives in :mod:`mgcourse.sandbox`; it is started
only through the kernel specification that :func:`grade_submission` writes.

Notes
-----
The in-kernel checks are defence in depth, not a security boundary: student code
runs in the same process as the test cells. Anything they cannot vouch for is
flagged for manual review rather than trusted.
"""

from __future__ import annotations

import ast
import atexit
import contextlib
import dataclasses
import hashlib
import json
import os
import re
import secrets
import shutil
import signal
import sys
import tempfile
import threading
import time
import warnings
from collections import Counter
from collections.abc import Callable, Generator, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from mgcourse.sandbox import PROCESS_EVENTS, SANDBOX_ENV

if TYPE_CHECKING:
    from nbformat import NotebookNode
    from traitlets.config import Config

__all__ = [
    "EXCHANGE_FILES",
    "KERNEL_NAME",
    "WORKER_HEADROOM_MB",
    "CellResult",
    "Flag",
    "GradeOptions",
    "GradingJob",
    "Master",
    "MasterCell",
    "MasterNotebook",
    "StudentError",
    "SubmissionResult",
    "assertion_messages",
    "find_submissions",
    "grade_assignment",
    "grade_submission",
    "load_master",
    "load_records",
    "record_path",
    "scan_source",
    "submission_digest",
    "visible_source",
]

#: Name of the sandboxed kernel specification written for every submission.
KERNEL_NAME: Final = "mgcourse-sandbox"
#: Address space the worker process may use on top of the kernel's cap [MB].
WORKER_HEADROOM_MB: Final = 2048
#: Seconds the kernel may take to show it stopped after an interrupt.
_IOPUB_GRACE: Final = 15
#: How many kernels a notebook may start when one dies before running any code.
_KERNEL_STARTS: Final = 2
#: Folder under ``grading/`` holding one JSON record per graded submission.
RECORDS_DIR: Final = "records"
_HIDDEN_BEGIN: Final = "### BEGIN HIDDEN TESTS"
_HIDDEN_END: Final = "### END HIDDEN TESTS"
# ======================================================================= data model


@dataclass(frozen=True)
class GradeOptions:
    """How to grade: parallelism and the limits every submission runs under.

    Parameters
    ----------
    workers : int, default 2
        Worker processes grading submissions in parallel.
    timeout : float, optional
        Time limit of one cell [s]; defaults to the course's
        ``ExecutePreprocessor.timeout`` (60 s in ``nbgrader_config.py``).
    memory_mb : int, default 2048
        Address-space cap of the kernel process [MB]; the worker process gets
        this plus :data:`WORKER_HEADROOM_MB`.
    output_limit : int, default 1_000_000
        Characters of output kept per cell; the rest is dropped as it arrives.
    force : bool, default False
        Grade submissions again even if they are already graded and unchanged.
    """

    workers: int = 2
    timeout: float | None = None
    memory_mb: int = 2048
    output_limit: int = 1_000_000
    force: bool = False

    def __post_init__(self) -> None:
        if self.workers < 1:
            raise ValueError(f"workers = {self.workers!r}: need at least 1 worker process")
        if self.timeout is not None and not self.timeout > 0:
            raise ValueError(f"timeout = {self.timeout!r} s: the cell time limit must be > 0 s")
        if self.memory_mb < 100:
            raise ValueError(f"memory_mb = {self.memory_mb!r} MB: the memory cap must be ≥ 100 MB")
        if self.output_limit < 1000:
            raise ValueError(
                f"output_limit = {self.output_limit!r} characters: must be ≥ 1000 characters"
            )


@dataclass(frozen=True)
class Flag:
    """Something about a submission worth recording.

    Parameters
    ----------
    kind : str
        Category, e.g. ``"timeout"``, ``"deleted_cell"``, ``"tampering"``.
    detail : str
        One sentence an instructor (and the student) can read.
    cell : str, optional
        ``grade_id`` (or ``"cell N"``) of the cell concerned.
    review : bool, default True
        Whether the submission needs a human look; notes (``False``) are only
        recorded.
    """

    kind: str
    detail: str
    cell: str | None = None
    review: bool = True


@dataclass(frozen=True)
class CellResult:
    """Outcome of one graded (test) cell.

    Parameters
    ----------
    notebook : str
        Notebook name without ``.ipynb``.
    grade_id : str
        The test cell's ``grade_id``.
    score : float or None
        Points the autograder gives; ``None`` if the cell needs manual grading.
    max_score : float
        Points available.
    status : str
        ``passed``, ``partial``, ``failed`` (an assertion failed), ``error``
        (another exception), ``timeout``, ``not_run``, ``deleted``, ``missing``
        (no readable notebook), ``untrusted`` (the grading environment was
        tampered with) or ``manual``.
    ename : str, optional
        Exception name of the error the cell raised.
    message : str, optional
        The test's own assertion message that the error carried, if any.
    detail : str, optional
        First line of the error message, for instructors only (it may quote
        hidden test values).
    """

    notebook: str
    grade_id: str
    score: float | None
    max_score: float
    status: str
    ename: str | None = None
    message: str | None = None
    detail: str | None = None


@dataclass(frozen=True)
class StudentError:
    """An error raised by one of the student's own cells."""

    notebook: str
    cell: str
    ename: str
    evalue: str


@dataclass
class SubmissionResult:
    """Everything recorded about grading one submission.

    Parameters
    ----------
    student, assignment : str
        Whose submission of what.
    outcome : str
        ``graded`` (clean), ``flagged`` (graded, needs review) or ``failed``
        (could not be graded; nothing was written to the gradebook).
    score, max_score : float
        Autograded points and points available.
    seconds : float
        Wall-clock time spent grading [s].
    cells : list of CellResult
        One entry per test cell, in notebook order.
    flags : list of Flag
        Review flags and notes.
    errors : list of StudentError
        Errors raised by the student's own cells.
    comments : dict
        ``"notebook/grade_id"`` → automatic comment of a solution cell.
    digest : str
        SHA-256 of the submitted files, to notice a re-collected submission.
    timestamp : str, optional
        Submission time from ``timestamp.txt``.
    seconds_late : float
        How late the submission was against the assignment's due date (and
        the student's extension) [s]; 0 if on time or without a due date.
    late_penalty : float
        Points taken off by the course's late-submission policy (nbgrader's
        ``AssignLatePenalties.plugin_class``), never more than the score.
    error : str, optional
        Why grading failed (``outcome == "failed"``).
    skipped : bool
        True if this run did not grade it again (already graded, unchanged).
    output : str, optional
        Folder holding the autograded files before they are installed.
    """

    student: str
    assignment: str
    outcome: str
    score: float = 0.0
    max_score: float = 0.0
    seconds: float = 0.0
    cells: list[CellResult] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)
    errors: list[StudentError] = field(default_factory=list)
    comments: dict[str, str | None] = field(default_factory=dict)
    digest: str = ""
    timestamp: str | None = None
    seconds_late: float = 0.0
    late_penalty: float = 0.0
    error: str | None = None
    skipped: bool = False
    output: str | None = None

    @property
    def needs_review(self) -> bool:
        """True if any flag asks for a human look or grading failed."""
        return self.outcome == "failed" or any(flag.review for flag in self.flags)

    def to_json(self) -> dict[str, Any]:
        """A JSON-serialisable dict (the record written to ``grading/records``)."""
        data = dataclasses.asdict(self)
        data.pop("skipped")
        data.pop("output")
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SubmissionResult:
        """Rebuild a result from :meth:`to_json` output."""
        known = {f.name for f in dataclasses.fields(cls)}
        kwargs = {key: value for key, value in data.items() if key in known}
        kwargs["cells"] = [CellResult(**cell) for cell in data.get("cells", [])]
        kwargs["flags"] = [Flag(**flag) for flag in data.get("flags", [])]
        kwargs["errors"] = [StudentError(**error) for error in data.get("errors", [])]
        return cls(**kwargs)


@dataclass(frozen=True)
class MasterCell:
    """A cell of the master as nbgrader recorded it in the gradebook."""

    grade_id: str
    cell_type: str
    locked: bool
    source: str
    checksum: str | None
    grade: bool = False
    solution: bool = False
    task: bool = False
    points: float | None = None

    def metadata(self) -> dict[str, Any]:
        """The ``nbgrader`` cell metadata this cell must carry."""
        meta: dict[str, Any] = {
            "grade": self.grade,
            "grade_id": self.grade_id,
            "locked": self.locked,
            "schema_version": 3,
            "solution": self.solution,
        }
        if self.task:
            meta["task"] = True
        if self.points is not None:
            meta["points"] = self.points
        if self.checksum:
            meta["checksum"] = self.checksum
        return meta


@dataclass(frozen=True)
class MasterNotebook:
    """One notebook of an assignment, with what the sandbox must protect."""

    name: str
    cells: tuple[MasterCell, ...]
    kernelspec: dict[str, Any] = field(default_factory=dict)
    #: ``alias → (module, attribute or None)`` bound by the locked cells' imports.
    aliases: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    #: Modules the locked cells import (snapshot in the kernel before student code).
    modules: tuple[str, ...] = ()

    def cell(self, grade_id: str) -> MasterCell | None:
        """The master cell with this ``grade_id``, if any."""
        return next((cell for cell in self.cells if cell.grade_id == grade_id), None)

    @property
    def grade_cells(self) -> tuple[MasterCell, ...]:
        """The graded cells, in notebook order."""
        return tuple(cell for cell in self.cells if cell.grade)


@dataclass(frozen=True)
class Master:
    """Snapshot of an assignment's master in the gradebook, passed to workers."""

    assignment: str
    notebooks: tuple[MasterNotebook, ...]
    #: ``(relative path, absolute path)`` of the source folder's other files (data).
    data_files: tuple[tuple[str, str], ...] = ()

    @property
    def max_score(self) -> float:
        """Points available in the whole assignment."""
        return sum(cell.points or 0.0 for nb in self.notebooks for cell in nb.grade_cells)


@dataclass(frozen=True)
class GradingJob:
    """What a worker process needs to grade one submission (picklable)."""

    assignment: str
    student: str
    submission: str  # folder grading/submitted/<student>/<assignment>
    jobdir: str  # private folder outside the course
    root: str
    master: Master
    timeout: float
    memory_mb: int
    output_limit: int
    deny: tuple[str, ...]
    digest: str = ""
    timestamp: str | None = None


# ======================================================================= small helpers


def visible_source(source: str) -> str:
    """A test cell's source as students see it: without its hidden tests.

    Parameters
    ----------
    source : str
        Test cell source from the master or the gradebook.

    Returns
    -------
    str
        ``source`` without the lines from ``### BEGIN HIDDEN TESTS`` to
        ``### END HIDDEN TESTS`` (inclusive), exactly as nbgrader's
        ``ClearHiddenTests`` removes them.

    Examples
    --------
    >>> visible_source("a = 1\\n### BEGIN HIDDEN TESTS\\nb = 2\\n### END HIDDEN TESTS\\n")
    'a = 1\\n'
    """
    lines: list[str] = []
    hidden = False
    for line in source.split("\n"):  # exactly as nbgrader, so checksums agree
        if _HIDDEN_BEGIN in line:
            hidden = True
        elif _HIDDEN_END in line:
            hidden = False
        elif not hidden:
            lines.append(line)
    return "\n".join(lines)


def _normalise(source: str) -> str:
    return "\n".join(line.rstrip() for line in source.strip().splitlines())


def _string_value(node: ast.AST) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):  # keep the literal parts of an f-string
        parts = [v.value for v in node.values if isinstance(v, ast.Constant)]
        text = "".join(str(part) for part in parts).strip()
        return text or None
    return None


def assertion_messages(source: str) -> list[str]:
    """The messages a test cell's checks fail with, in source order.

    Parameters
    ----------
    source : str
        Test cell source (Python).

    Returns
    -------
    list of str
        Messages of ``assert ..., "message"``, of ``err_msg="message"``
        keywords (``numpy.testing``) and of ``raise AssertionError("message")``;
        duplicates removed. Empty if the source does not parse.

    Examples
    --------
    >>> assertion_messages('assert x == 1, "did you add one?"')
    ['did you add one?']
    """
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    found: list[str] = []
    for node in ast.walk(tree):
        candidates: list[ast.AST] = []
        if isinstance(node, ast.Assert) and node.msg is not None:
            candidates.append(node.msg)
        elif isinstance(node, ast.Call):
            candidates += [kw.value for kw in node.keywords if kw.arg == "err_msg"]
        elif isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
            func = node.exc.func
            if isinstance(func, ast.Name) and func.id == "AssertionError":
                candidates += node.exc.args[:1]
        for candidate in candidates:
            text = _string_value(candidate)
            if text and text not in found:
                found.append(text)
    # ast.walk is breadth first; restore source order
    return sorted(found, key=lambda text: _find_position(source, text))


def _find_position(source: str, text: str) -> int:
    position = source.find(text[:40])
    return position if position >= 0 else len(source)


def _builtin_names(source: str) -> tuple[str, ...]:
    """Names a cell reads that are builtins (``len``, ``isinstance``, ...)."""
    import builtins

    try:
        tree = ast.parse(source)
    except SyntaxError:
        return ()
    names = {
        node.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)
    }
    return tuple(sorted(name for name in names if hasattr(builtins, name)))


def _imports(source: str) -> tuple[dict[str, tuple[str, str | None]], list[str]]:
    """Aliases bound and modules imported by the import statements of a cell."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return {}, []
    aliases: dict[str, tuple[str, str | None]] = {}
    modules: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for name in node.names:
                modules.append(name.name)
                if name.asname:
                    aliases[name.asname] = (name.name, None)
                else:
                    top = name.name.split(".")[0]
                    aliases[top] = (top, None)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules.append(node.module)
            for name in node.names:
                if name.name != "*":
                    aliases[name.asname or name.name] = (node.module, name.name)
    return aliases, modules


def _walk(folder: Path) -> list[Path]:
    """Every file and symbolic link under ``folder``, sorted; links are never followed."""
    found: list[Path] = []
    for directory, subdirectories, files in os.walk(folder, followlinks=False):
        here = Path(directory)
        found += [here / name for name in files]
        found += [here / name for name in subdirectories if (here / name).is_symlink()]
    return sorted(found)


def submission_digest(folder: Path) -> str:
    """SHA-256 over the relative paths and contents of every file in ``folder``.

    Parameters
    ----------
    folder : pathlib.Path
        A submission folder.

    Returns
    -------
    str
        Hex digest; equal digests mean identical submissions.
    """
    digest = hashlib.sha256()
    for path in _walk(Path(folder)):
        if path.is_symlink() or not path.is_file():
            continue
        digest.update(str(path.relative_to(folder)).encode("utf-8", "surrogateescape"))
        digest.update(b"\0")
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        digest.update(b"\0")
    return digest.hexdigest()


# ======================================================================= the worker


#: Files that collecting (or nbgrader's exchange) adds to a submission; they travel with
#: it to the autograded and feedback folders, where ``nbgrader release_feedback`` needs them.
EXCHANGE_FILES: Final = ("timestamp.txt", "submission_secret.txt")
#: Largest notebook file the worker reads [bytes].
_MAX_NOTEBOOK_BYTES: Final = 50 * 1024 * 1024
#: Exception names the executor writes into cells it could not run normally.
_TIMEOUT: Final = "CellTimeoutError"
_DEAD: Final = "DeadKernelError"
_NOT_RUN: Final = "NotRun"


def _error_output(ename: str, evalue: str) -> NotebookNode:
    from nbformat.v4 import new_output

    output: NotebookNode = new_output(  # type: ignore[no-untyped-call]
        "error", ename=ename, evalue=evalue, traceback=[f"{ename}: {evalue}"]
    )
    return output


def _content_size(content: Mapping[str, Any]) -> int:
    size = len(str(content.get("text", "")))
    for value in dict(content.get("data", {})).values():
        size += len(value) if isinstance(value, str) else len(json.dumps(value))
    return size


_EXECUTOR: type | None = None


def _executor_class() -> type:
    """nbgrader's ``Execute`` preprocessor with guards, limits and failure handling.

    Built on first use so that the kernel process, which imports this module,
    never imports nbgrader.
    """
    global _EXECUTOR
    if _EXECUTOR is not None:
        return _EXECUTOR
    from jupyter_core.utils import ensure_async, run_sync
    from nbclient import NotebookClient
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
    from nbformat.v4 import new_code_cell, new_output
    from nbgrader import utils
    from nbgrader.preprocessors import Execute

    class GuardedExecute(Execute):  # type: ignore[misc]
        """Run a notebook; guard every test cell; survive timeouts and dead kernels."""

        def prepare(self, notebook: MasterNotebook, output_limit: int, **settings: Any) -> None:
            self.settings = settings
            for name, value in settings.items():
                setattr(self, name, value)
            self.master_notebook = notebook
            self.output_limit = output_limit
            self.used: dict[int, int] = {}
            self.truncated: dict[int, int] = {}
            self.graded_indices: set[int] = set()
            self.nonces: dict[str, tuple[str, str]] = {}  # nonce → (kind, grade_id)
            self.canaries: dict[str, bool] = {}  # grade_id → canary behaved
            self.stopped: str | None = None
            self.exit_status: int | None = None
            self.baseline_nonce = secrets.token_hex(8)
            self.answered = False  # the kernel replied to its first request (no student code ran before)

        # -------------------------------------------------------- output limit

        def output(
            self, outs: list[Any], msg: dict[str, Any], display_id: str | None, cell_index: int
        ) -> Any:
            kind = msg["msg_type"]
            keep = kind == "error" or (kind == "execute_result" and cell_index in self.graded_indices)
            if not keep:
                used = self.used.get(cell_index, 0) + _content_size(msg.get("content", {}))
                self.used[cell_index] = used
                if used > self.output_limit:
                    if cell_index not in self.truncated:
                        self.truncated[cell_index] = 0
                        outs.append(new_output(  # type: ignore[no-untyped-call]
                            "stream", name="stdout",
                            text=f"\n[output truncated: more than {self.output_limit} characters]\n",
                        ))
                    self.truncated[cell_index] += _content_size(msg.get("content", {}))
                    return None
            return super().output(outs, msg, display_id, cell_index)

        # -------------------------------------------------------- execution

        def preprocess(
            self, nb: NotebookNode, resources: Any = None, km: Any = None
        ) -> tuple[NotebookNode, Any]:
            NotebookClient.__init__(self, nb, km)  # reloads the configuration: apply ours again
            for name, value in self.settings.items():
                setattr(self, name, value)
            self.reset_execution_trackers()
            self._check_assign_resources(resources)
            run_sync(self._run)()
            return self.nb, self.resources

        def _stop(self, cell: NotebookNode, error: BaseException) -> None:
            process = getattr(getattr(self.km, "provisioner", None), "process", None)
            with contextlib.suppress(Exception):
                if process is not None:
                    self.exit_status = process.wait(timeout=5)
            if isinstance(error, DeadKernelError):
                self.stopped = _DEAD
                evalue = "the kernel stopped while this cell ran"
                if self.exit_status is not None and self.exit_status < 0:
                    evalue += f" (killed by signal {signal.Signals(-self.exit_status).name})"
                elif self.exit_status is not None:
                    evalue += f" (exit status {self.exit_status})"
            else:
                self.stopped = _TIMEOUT
                evalue = (
                    f"the cell ran longer than {self.timeout} s and did not stop when "
                    "interrupted; the kernel was stopped"
                )
            if not any(o.get("ename") == self.stopped for o in cell.get("outputs", [])):
                cell.setdefault("outputs", []).append(_error_output(self.stopped, evalue))

        async def _snippet(self, code: str) -> NotebookNode | None:
            """Run grader code in the kernel, outside the notebook's cells."""
            cell: NotebookNode = new_code_cell(code)  # type: ignore[no-untyped-call]
            self.nb.cells.append(cell)
            index = len(self.nb.cells) - 1
            self.used[index] = 0
            try:
                await self.async_execute_cell(cell, index, execution_count=None, store_history=False)
            except (DeadKernelError, CellTimeoutError) as error:
                self._stop(cell, error)
                return None
            finally:
                self.nb.cells.pop(index)
            return cell

        async def _run(self) -> None:
            # The kernel was started (by _Kernel.start) with its log and folder; stop it afterwards.
            async with self.async_setup_kernel(cleanup_kc=True):
                await self._run_cells()

        async def _run_cells(self) -> None:
            assert self.kc is not None
            msg_id = await ensure_async(self.kc.kernel_info())
            info = await self.async_wait_for_reply(msg_id)
            self.answered = True
            if info is not None and "language_info" in info["content"]:
                self.nb.metadata["language_info"] = info["content"]["language_info"]
            await self._snippet(f"__import__('sys').audit('mgcourse.baseline', {self.baseline_nonce!r})")
            aliases = dict(self.master_notebook.aliases)
            cells = list(self.nb.cells)
            self.graded_indices = {i for i, c in enumerate(cells) if utils.is_grade(c)}
            count = 0
            for index, cell in enumerate(cells):
                if cell.cell_type != "code" or not cell.source.strip():
                    continue
                graded = index in self.graded_indices
                grade_id = str(cell.metadata.get("nbgrader", {}).get("grade_id", f"cell {index + 1}"))
                if self.stopped is not None:
                    if graded:
                        cell.outputs = [_error_output(_NOT_RUN, "not run: the kernel had stopped")]
                    continue
                if graded:
                    nonce = secrets.token_hex(8)
                    self.nonces[nonce] = ("guard", grade_id)
                    names = _builtin_names(cell.source)
                    await self._snippet(
                        f"__import__('sys').audit('mgcourse.guard', {nonce!r}, {names!r}, {aliases!r})"
                    )
                    if self.stopped is not None:
                        cell.outputs = [_error_output(_NOT_RUN, "not run: the kernel had stopped")]
                        continue
                count += 1
                try:
                    await self.async_execute_cell(cell, index, execution_count=count)
                except (DeadKernelError, CellTimeoutError) as error:
                    self._stop(cell, error)
                if graded and self.stopped is None:
                    # One round trip: the check, then a failing assertion that must show as an error.
                    nonce, canary_nonce = secrets.token_hex(8), secrets.token_hex(8)
                    self.nonces[nonce] = ("check", grade_id)
                    canary = await self._snippet(
                        f"__import__('sys').audit('mgcourse.check', {nonce!r})\n"
                        f"assert False, 'mgcourse canary {canary_nonce}'"
                    )
                    if canary is not None:
                        self.canaries[grade_id] = any(
                            o.get("output_type") == "error"
                            and o.get("ename") == "AssertionError"
                            and canary_nonce in str(o.get("evalue", ""))
                            for o in canary.outputs
                        )

    _EXECUTOR = GuardedExecute
    return GuardedExecute


# ----------------------------------------------------------------------- static scan

_SUSPICIOUS_CALLS: Final = {
    "sys.settrace", "sys.setprofile", "sys._getframe", "sys.addaudithook", "threading.settrace",
    "inspect.currentframe", "inspect.stack", "inspect.getouterframes", "gc.get_objects",
    "gc.get_referrers", "os._exit", "os.kill", "signal.signal", "os.system", "os.popen",
    "importlib.reload", "get_ipython", "setattr", "delattr", "__import__",
}
_SUSPICIOUS_IMPORTS: Final = frozenset(
    {"ctypes", "gc", "inspect", "subprocess", "signal", "threading", "multiprocessing",
     "importlib", "sqlite3", "pty", "builtins", "IPython", "ipykernel", "nbgrader"}
)
_SUSPICIOUS_DUNDERS: Final = frozenset(
    {"__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__", "__bool__", "__array__",
     "__array_ufunc__", "__array_function__", "__float__", "__index__", "__instancecheck__"}
)
_PROTECTED_ROOTS: Final = frozenset(
    {"np", "numpy", "math", "builtins", "__builtins__", "sys", "os", "IPython", "scipy",
     "mgcourse", "operator", "unittest", "pytest"}
)
_COURSE_PATH: Final = re.compile(
    r"(^|[/\\])(solutions|grading|autograded|submitted|gradebook\.db)([/\\]|$)|gradebook|\.\./\.\."
)


def _dotted(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return None if base is None else f"{base}.{node.attr}"
    if isinstance(node, ast.Call):
        return _dotted(node.func)
    return None


def _root(node: ast.AST) -> str | None:
    while isinstance(node, ast.Attribute | ast.Subscript | ast.Call):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else None


def scan_source(source: str, protected: frozenset[str] = _PROTECTED_ROOTS) -> list[str]:
    """Constructs in student code that could fool tests or reach outside the submission.

    Parameters
    ----------
    source : str
        A student's code cell (IPython magics are translated first).
    protected : frozenset of str
        Names of modules (and module aliases) whose attributes students must not set.

    Returns
    -------
    list of str
        One sentence per finding, with its line number; empty for ordinary code.

    Examples
    --------
    >>> scan_source("import numpy as np\\nnp.testing.assert_allclose = print")
    ['line 2: assigns to np.testing.assert_allclose']
    """
    with contextlib.suppress(Exception):
        from IPython.core.inputtransformer2 import TransformerManager

        source = TransformerManager().transform_cell(source)  # type: ignore[no-untyped-call]
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return []
    findings: list[str] = []
    magics = {  # get_ipython() calls that IPython writes for %magics
        id(node.value) for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and node.attr in ("run_line_magic", "run_cell_magic")
    }

    def add(node: ast.AST, text: str) -> None:
        entry = f"line {getattr(node, 'lineno', '?')}: {text}"
        if entry not in findings:
            findings.append(entry)

    for node in ast.walk(tree):
        targets: list[ast.AST] = []
        if isinstance(node, ast.Assign):
            targets = list(node.targets)
        elif isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets = [node.target]
        elif isinstance(node, ast.Delete):
            targets = list(node.targets)
        for target in targets:
            if isinstance(target, ast.Attribute | ast.Subscript) and _root(target) in protected:
                add(node, f"assigns to {_dotted(target) or ast.unparse(target)}")
            if isinstance(target, ast.Subscript) and _dotted(target.value) in ("sys.modules", "__builtins__"):
                add(node, f"assigns to {ast.unparse(target)}")
            if isinstance(target, ast.Name) and target.id in ("__builtins__", "__import__"):
                add(node, f"rebinds {target.id}")
        if isinstance(node, ast.Call) and id(node) not in magics:
            name = _dotted(node.func)
            if name in _SUSPICIOUS_CALLS or (name or "").startswith(("ctypes.", "subprocess.")):
                if name in ("setattr", "delattr") and not (node.args and _root(node.args[0]) in protected):
                    continue
                add(node, f"calls {name}()")
        if isinstance(node, ast.Import | ast.ImportFrom):
            modules = (
                [alias.name for alias in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            )
            for module in modules:
                if module.split(".")[0] in _SUSPICIOUS_IMPORTS:
                    add(node, f"imports {module}")
        if isinstance(node, ast.FunctionDef) and node.name in _SUSPICIOUS_DUNDERS:
            add(node, f"defines {node.name} (objects that compare or convert specially can pass checks)")
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and _COURSE_PATH.search(node.value):
            add(node, f"refers to the path {node.value[:80]!r}")
    return findings


# ----------------------------------------------------------------------- one notebook


@dataclass
class _NotebookOutcome:
    cells: list[CellResult] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)
    errors: list[StudentError] = field(default_factory=list)
    comments: dict[str, str | None] = field(default_factory=dict)
    notebook: NotebookNode | None = None


def _zero(master_nb: MasterNotebook, status: str) -> list[CellResult]:
    return [
        CellResult(master_nb.name, cell.grade_id, 0.0, float(cell.points or 0), status)
        for cell in master_nb.grade_cells
    ]


def _read_notebook(path: Path, name: str, outcome: _NotebookOutcome) -> NotebookNode | None:
    """Read a submitted notebook as nbformat 4, recording why it could not be read."""
    import nbformat

    def unreadable(reason: str) -> None:
        outcome.flags.append(Flag(
            "invalid_notebook", f"{path.name} could not be read ({reason}); every test scores 0", name
        ))

    size = path.stat().st_size
    if size > _MAX_NOTEBOOK_BYTES:
        unreadable(f"{size / 1e6:.0f} MB is larger than {_MAX_NOTEBOOK_BYTES / 1e6:.0f} MB")
        return None
    raw = path.read_bytes()
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as error:
        unreadable(f"not valid JSON: {str(error)[:120]}")
        return None
    if not isinstance(data, dict) or ("cells" not in data and "worksheets" not in data):
        unreadable("not a Jupyter notebook")
        return None
    version = data.get("nbformat")
    try:
        nb: NotebookNode = nbformat.reads(raw.decode("utf-8"), as_version=4)  # type: ignore[no-untyped-call]
    except Exception as error:
        unreadable(f"{type(error).__name__}: {str(error)[:120]}")
        return None
    if isinstance(version, int) and version < 4:
        outcome.flags.append(Flag(
            "old_format", f"{path.name} was in nbformat {version}; it was converted to nbformat 4",
            name, review=False,
        ))
    try:
        for cell in nb.cells:
            if cell.get("cell_type") not in ("code", "markdown", "raw"):
                raise ValueError(f"cell of type {cell.get('cell_type')!r}")
            if not isinstance(cell.get("source", ""), str):
                cell["source"] = "".join(cell.get("source", []))
            if not isinstance(cell.get("metadata"), dict):
                cell["metadata"] = nbformat.NotebookNode()  # type: ignore[no-untyped-call]
            if cell.cell_type == "code":
                cell["outputs"] = []
                cell["execution_count"] = None
    except Exception as error:
        unreadable(f"{type(error).__name__}: {str(error)[:120]}")
        return None
    return nb


def _released_checksum(master: MasterCell) -> str:
    """The checksum nbgrader wrote into the student version of a cell."""
    import nbformat
    from nbgrader import utils

    source = visible_source(master.source) if master.grade and master.locked else master.source
    meta = {key: value for key, value in master.metadata().items() if key != "checksum"}
    cell = nbformat.from_dict(  # type: ignore[no-untyped-call]
        {"cell_type": master.cell_type, "source": source, "metadata": {"nbgrader": meta}}
    )
    return str(utils.compute_checksum(cell))


def _restore_cells(nb: NotebookNode, master_nb: MasterNotebook, outcome: _NotebookOutcome) -> None:
    """Restore locked cells and nbgrader metadata from the master, recording every change.

    The same repairs as nbgrader's ``OverwriteCells`` (cell type, locked flag,
    points, checksum, source of locked cells), from the gradebook snapshot.
    """
    from nbgrader import utils
    from nbgrader.preprocessors import DeduplicateIds

    def grade_id_of(cell: NotebookNode) -> str | None:
        meta = cell.metadata.get("nbgrader")
        value = meta.get("grade_id") if isinstance(meta, dict) else None
        return str(value) if value is not None else None

    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader")
        if meta is None:
            continue
        if not isinstance(meta, dict) or "grade_id" not in meta:
            if isinstance(meta, dict) and (meta.get("grade") or meta.get("points")):
                outcome.flags.append(Flag("unknown_cell", "a cell claims points without an id; not graded"))
            del cell.metadata["nbgrader"]
            continue
        meta["grade_id"] = str(meta["grade_id"])
        for key in ("grade", "solution", "locked"):
            meta.setdefault(key, False)
    counts = Counter(gid for cell in nb.cells if (gid := grade_id_of(cell)) is not None)
    for gid, count in sorted(counts.items()):
        known = master_nb.cell(gid)
        if count > 1 and known is not None:
            kind = "test cell" if known.grade else "cell"
            outcome.flags.append(Flag(
                "duplicated_cell",
                f"the {kind} {gid} appears {count} times; only the last copy is graded",
                gid,
            ))
    # nbgrader keeps the last copy and strips the metadata of the others
    DeduplicateIds().preprocess(nb, {})
    present: set[str] = set()
    for cell in nb.cells:
        gid = grade_id_of(cell)
        if gid is None:
            continue
        master = master_nb.cell(gid)
        meta = cell.metadata["nbgrader"]
        if master is None:
            if meta.get("grade") or meta.get("points"):
                outcome.flags.append(Flag(
                    "unknown_cell", f"a cell claims points under the unknown id {gid!r}; not graded", gid
                ))
            del cell.metadata["nbgrader"]
            continue
        present.add(gid)
        changed = [
            key for key, expected in (
                ("cell_type", master.cell_type), ("grade", master.grade),
                ("solution", master.solution), ("locked", master.locked),
            )
            if (cell.cell_type if key == "cell_type" else bool(meta.get(key))) != expected
        ]
        if master.grade and float(meta.get("points", -1) or 0) != float(master.points or 0):
            changed.append("points")
        stored = meta.get("checksum")
        if stored is not None and master.checksum and stored != _released_checksum(master):
            changed.append("checksum")
        if changed:
            outcome.flags.append(Flag(
                "changed_metadata",
                f"the nbgrader metadata of {gid} was changed ({', '.join(changed)}); restored",
                gid,
            ))
        if cell.cell_type != master.cell_type:
            cell.cell_type = master.cell_type
            if master.cell_type == "code":
                cell["outputs"] = []
                cell["execution_count"] = None
            else:
                cell.pop("outputs", None)
                cell.pop("execution_count", None)
        cell.metadata["nbgrader"] = master.metadata()
        if master.locked:
            shown = visible_source(master.source) if master.grade else master.source
            if _normalise(cell.source) != _normalise(shown):
                kind = "test cell" if master.grade else "read-only cell"
                outcome.flags.append(Flag(
                    "edited_cell", f"the {kind} {gid} was edited; the original was restored", gid
                ))
            cell.source = master.source
            if utils.compute_checksum(cell) != master.checksum and master.checksum:
                raise RuntimeError(f"inconsistent checksum for cell {gid} in the gradebook")
    for master in master_nb.cells:
        if master.grade_id in present:
            continue
        if master.grade:
            outcome.flags.append(Flag(
                "deleted_cell", f"the test cell {master.grade_id} was deleted; it scores 0", master.grade_id
            ))
        elif master.locked:
            outcome.flags.append(Flag(
                "deleted_cell", f"the read-only cell {master.grade_id} was deleted", master.grade_id
            ))
        elif master.solution:
            outcome.flags.append(Flag(
                "deleted_cell", f"the answer cell {master.grade_id} is missing", master.grade_id,
                review=False,
            ))
    nb.metadata["kernelspec"] = dict(master_nb.kernelspec) or nb.metadata.get("kernelspec", {})


def _read_report(path: Path) -> list[tuple[str, str, list[str]]]:
    entries: list[tuple[str, str, list[str]]] = []
    if not path.is_file():
        return entries
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        with contextlib.suppress(ValueError, SyntaxError, TypeError):
            event, nonce, items = ast.literal_eval(line)
            entries.append((str(event), str(nonce), [str(item) for item in items]))
    return entries


def _cell_label(cell: NotebookNode, index: int) -> str:
    meta = cell.metadata.get("nbgrader", {})
    if isinstance(meta, dict) and meta.get("grade_id"):
        return str(meta["grade_id"])
    return f"cell {index + 1}"


def _sandbox_settings(job: GradingJob, master_nb: MasterNotebook) -> dict[str, Any]:
    """The kernel's limits and protected paths: the same for every submission of a notebook."""
    n_cells = sum(1 for cell in master_nb.cells if cell.cell_type == "code")
    return {
        "deny": [*job.deny, os.path.realpath(Path(job.jobdir).parent)],
        "memory_mb": job.memory_mb,
        "cpu_seconds": int(60 + (n_cells + 4) * job.timeout * 1.5),
        "file_mb": 64,
        "modules": list(master_nb.modules),
        "parent": os.getpid(),
    }


#: The longest path of a Unix socket that every platform accepts (``sun_path`` is 104–108 bytes).
_SOCKET_PATH_MAX: Final = 100


def _transport(kdir: Path) -> dict[str, str]:
    """How a kernel and the grader talk: Unix sockets in the kernel's private folder.

    TCP ports are chosen by the grader and bound by the kernel a moment later;
    with several kernels starting at once, another process can take a port in
    between and the kernel dies on start-up ("Address already in use"). A
    socket file in a folder of its own cannot be taken. Its name carries a
    random part, so it cannot be guessed either. A folder too deep for a
    socket path falls back to TCP on 127.0.0.1.
    """
    ip = str(kdir / f"ipc-{secrets.token_hex(6)}")
    if len(os.fsencode(ip)) + len("-65535") > _SOCKET_PATH_MAX:
        return {"transport": "tcp", "ip": "127.0.0.1"}
    return {"transport": "ipc", "ip": ip}


@dataclass
class _Kernel:
    """A started sandboxed kernel and the private folder it runs in.

    ``folder/work`` is the kernel's working directory and the only place under
    the grading scratch folder it may read; ``folder/kernel`` holds its
    specification, log and report.
    """

    settings: Mapping[str, Any]  # as given to :meth:`start`, without the paths
    folder: Path
    manager: Any  # jupyter_client.AsyncKernelManager

    @property
    def work(self) -> Path:
        return self.folder / "work"

    @property
    def report(self) -> Path:
        return self.folder / "kernel" / "report.txt"

    @classmethod
    def start(cls, settings: Mapping[str, Any], folder: Path) -> _Kernel:
        """Launch a sandboxed kernel in ``folder`` (returns once the process runs)."""
        from jupyter_client.kernelspec import KernelSpecManager
        from jupyter_client.manager import AsyncKernelManager
        from jupyter_core.utils import run_sync

        work, kdir = folder / "work", folder / "kernel"
        work.mkdir(parents=True)
        kdir.mkdir()
        full = {**settings, "report": str(kdir / "report.txt"), "allow": [os.path.realpath(work)]}
        package_parent = str(Path(__file__).resolve().parents[1])
        pythonpath = os.pathsep.join(p for p in (package_parent, os.environ.get("PYTHONPATH")) if p)
        spec = {
            "argv": [sys.executable, "-m", "mgcourse.sandbox", "-f", "{connection_file}",
                     "--HistoryManager.hist_file=:memory:"],
            "display_name": "mgcourse grading sandbox",
            "language": "python",
            "env": {
                SANDBOX_ENV: json.dumps(full),
                "PYTHONPATH": pythonpath,
                "OPENBLAS_NUM_THREADS": "1",
                "OMP_NUM_THREADS": "1",
                "MKL_NUM_THREADS": "1",
                "MALLOC_ARENA_MAX": "2",
                "PYTHONDONTWRITEBYTECODE": "1",
                "PWD": str(work),
                "OLDPWD": str(work),
            },
        }
        spec_dir = kdir / "kernels" / KERNEL_NAME
        spec_dir.mkdir(parents=True)
        (spec_dir / "kernel.json").write_text(json.dumps(spec, indent=1), encoding="utf-8")
        manager = AsyncKernelManager(
            kernel_name=KERNEL_NAME,
            kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(kdir / "kernels")]),
            # in the private folder, not Jupyter's runtime folder where other kernels could find it
            connection_file=str(kdir / "connection.json"),
            **_transport(kdir),
        )
        with open(kdir / "kernel.log", "ab") as log:
            run_sync(manager.start_kernel)(cwd=str(work), stdout=log, stderr=log)
        return cls(dict(settings), folder, manager)

    def log_tail(self) -> str:
        """The last line the kernel wrote to its log (its error, when it died), or ''."""
        with contextlib.suppress(OSError):
            lines = (self.folder / "kernel" / "kernel.log").read_text(errors="replace").splitlines()
            return next((line.strip()[:200] for line in reversed(lines) if line.strip()), "")
        return ""

    def alive(self) -> bool:
        """True while the kernel process runs."""
        from jupyter_core.utils import run_sync

        try:
            return bool(run_sync(self.manager.is_alive)())
        except Exception:
            return False

    def stop(self) -> None:
        """Kill the kernel if it still runs (idempotent)."""
        from jupyter_core.utils import run_sync

        with contextlib.suppress(Exception):
            if self.alive():
                run_sync(self.manager.shutdown_kernel)(now=True)
        with contextlib.suppress(Exception):
            run_sync(self.manager.cleanup_resources)()


class _KernelPool:
    """Start the next notebook's kernel while the current notebook runs.

    Starting a kernel (a new Python process importing IPython, numpy and the
    modules the tests use) is most of the fixed cost of grading a notebook. A
    grading worker keeps one spare kernel, started as soon as the previous one
    is taken, so the next submission finds it ready. A spare is used only for a
    notebook with the same sandbox settings, and only once: every notebook still
    runs in a fresh process.
    """

    def __init__(self) -> None:
        self._spare: _Kernel | None = None
        self._count = 0

    def _start(self, settings: Mapping[str, Any], scratch: Path) -> _Kernel:
        self._count += 1
        return _Kernel.start(settings, scratch / f"kernel-{os.getpid()}-{self._count:05d}")

    def take(self, settings: Mapping[str, Any], scratch: Path, *, ahead: bool) -> _Kernel:
        """A started kernel for ``settings``; with ``ahead``, start the next one too.

        ``settings`` name the scratch folder among the denied paths, so a spare
        started for another grading run is never used.
        """
        spare, self._spare = self._spare, None
        if spare is not None and spare.settings == settings and spare.alive():
            kernel = spare
        else:
            if spare is not None:
                spare.stop()
            kernel = self._start(settings, scratch)
        if ahead:
            try:
                self._spare = self._start(settings, scratch)
            except Exception:
                self._spare = None  # the next notebook starts its own kernel
        return kernel

    def close(self) -> None:
        """Stop the spare kernel (at the end of a worker's life)."""
        spare, self._spare = self._spare, None
        if spare is not None:
            spare.stop()


#: The grading worker's kernel pool (set by :func:`_worker_init`; ``None`` elsewhere,
#: so a direct call of :func:`grade_submission` leaves no kernel behind).
_POOL: _KernelPool | None = None


def _grade_notebook(
    job: GradingJob, master_nb: MasterNotebook, path: Path | None, jobdir: Path, config: Config
) -> _NotebookOutcome:
    from nbgrader import utils
    from nbgrader.preprocessors import IgnorePattern, LimitOutput

    outcome = _NotebookOutcome()
    name = master_nb.name
    if path is None:
        outcome.flags.append(Flag(
            "missing_notebook", f"{name}.ipynb was not submitted; every test scores 0", name
        ))
        outcome.cells = _zero(master_nb, "missing")
        return outcome
    nb = _read_notebook(path, name, outcome)
    if nb is None:
        outcome.cells = _zero(master_nb, "missing")
        return outcome
    _restore_cells(nb, master_nb, outcome)
    protected = _PROTECTED_ROOTS | {alias for alias, (_, attr) in master_nb.aliases.items() if attr is None}
    for index, cell in enumerate(nb.cells):
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "code" and not meta.get("locked"):
            for finding in scan_source(cell.source, protected):
                outcome.flags.append(Flag("suspicious_code", finding, _cell_label(cell, index)))

    executor: Any = None
    report = jobdir / "kernel" / name / "report.txt"  # none: no kernel ran
    if any(utils.is_grade(cell) for cell in nb.cells):
        executor, report = _execute(job, master_nb, nb, jobdir, config)
        LimitOutput(config=config).preprocess(nb, {})
        ignore = IgnorePattern(config=config)
        if ignore.enabled:
            ignore.preprocess(nb, {})
    outcome.notebook = nb
    outcome.flags += _execution_flags(nb, executor, report, name, job)
    untrusted = _untrusted_cells(executor, report, outcome) if executor else set()
    messages = {cell.grade_id: assertion_messages(cell.source) for cell in master_nb.grade_cells}

    cells_by_id: dict[str, NotebookNode] = {}
    for index, cell in enumerate(nb.cells):
        meta = cell.metadata.get("nbgrader", {})
        gid = meta.get("grade_id") if isinstance(meta, dict) else None
        if gid is not None:
            cells_by_id.setdefault(str(gid), cell)
        if cell.cell_type == "code" and not (isinstance(meta, dict) and meta.get("locked")):
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error":
                    outcome.errors.append(StudentError(
                        name, _cell_label(cell, index), str(output.get("ename", "")),
                        str(output.get("evalue", ""))[:300],
                    ))
        if isinstance(meta, dict) and utils.is_solution(cell) and master_nb.cell(str(gid)) is not None:
            same = utils.compute_checksum(cell) == meta.get("checksum")
            outcome.comments[f"{name}/{gid}"] = "No response." if same and not utils.is_task(cell) else None
    for master in master_nb.grade_cells:
        outcome.cells.append(_cell_result(master, cells_by_id.get(master.grade_id), name,
                                          master.grade_id in untrusted, messages[master.grade_id]))
    return outcome


def _execute(
    job: GradingJob, master_nb: MasterNotebook, nb: NotebookNode, jobdir: Path, config: Config
) -> tuple[Any, Path]:
    """Run ``nb`` (in place) in a sandboxed kernel → (executor, kernel report).

    A kernel that dies before it answers its first request has run no student
    code (and nothing of ``nb`` has changed), so it is not the submission's
    fault: a second, fresh kernel is started. If that one dies too, the error
    names the reason from the kernel's log.
    """
    scratch = Path(job.jobdir).parent
    settings = _sandbox_settings(job, master_nb)
    for attempt in range(_KERNEL_STARTS):
        if _POOL is not None:
            kernel = _POOL.take(settings, scratch, ahead=True)
        else:
            kernel = _Kernel.start(settings, jobdir / "kernel" / master_nb.name / f"start-{attempt + 1}")
        executor = _executor_class()(config=config)
        executor.prepare(
            master_nb, job.output_limit, timeout=max(1, int(-(-job.timeout // 1))),
            interrupt_on_timeout=True, iopub_timeout=_IOPUB_GRACE, raise_on_iopub_timeout=True,
            startup_timeout=120, shutdown_kernel="immediate", allow_errors=True,
            record_timing=False, extra_arguments=[],
        )
        try:
            for relative, source in job.master.data_files:
                (kernel.work / relative).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(source, kernel.work / relative)
            executor.preprocess(nb, {"metadata": {"path": str(kernel.work)}}, km=kernel.manager)
            return executor, kernel.report
        except Exception as error:
            # nbclient leaves its exit-time clean-up registered when the client never connected
            atexit.unregister(executor._cleanup_kernel)
            if executor.answered or attempt + 1 == _KERNEL_STARTS:
                reason = kernel.log_tail()
                raise RuntimeError(f"{error}{f' ({reason})' if reason else ''}") from error
        finally:
            kernel.stop()
    raise AssertionError("unreachable")  # pragma: no cover


def _cell_result(
    master: MasterCell, cell: NotebookNode | None, notebook: str, untrusted: bool, messages: list[str]
) -> CellResult:
    from nbgrader import utils

    top = float(master.points or 0)
    if cell is None:
        return CellResult(notebook, master.grade_id, 0.0, top, "deleted")
    score, _ = utils.determine_grade(cell)
    outputs = cell.get("outputs", [])
    error = next((o for o in outputs if o.get("output_type") == "error"), None)
    streams = (o for o in outputs if o.get("output_type") == "stream")
    stderr = next((o for o in streams if o.get("name") == "stderr"), None)
    ename: str | None = None
    evalue = ""
    if error is not None:
        ename, evalue = str(error.get("ename", "")), str(error.get("evalue", ""))
    elif stderr is not None:
        ename, evalue = "stderr", str(stderr.get("text", ""))
    message = max((m for m in messages if m in evalue), key=len, default=None)
    detail = evalue.strip().splitlines()[0][:300] if evalue.strip() else None
    if untrusted:
        return CellResult(notebook, master.grade_id, 0.0, top, "untrusted", ename, message, detail)
    if score is None:
        status = "manual"
    elif ename == _TIMEOUT:
        status = "timeout"
    elif ename == _NOT_RUN:
        status = "not_run"
    elif ename == "AssertionError":
        status = "failed"
    elif ename is not None and float(score) == 0:
        status = "error"
    elif float(score) >= top:
        status = "passed"
    else:
        status = "partial"
    points = None if score is None else float(score)
    return CellResult(notebook, master.grade_id, points, top, status, ename, message, detail)


def _execution_flags(
    nb: NotebookNode, executor: Any, report: Path, name: str, job: GradingJob
) -> list[Flag]:
    flags: list[Flag] = []
    for index, cell in enumerate(nb.cells):
        label = _cell_label(cell, index)
        names = {str(o.get("ename")) for o in cell.get("outputs", []) if o.get("output_type") == "error"}
        if _TIMEOUT in names:
            detail = f"{label} ran longer than the limit of {job.timeout:g} s and was stopped"
            if any("kernel was stopped" in str(o.get("evalue")) for o in cell.get("outputs", [])):
                detail += "; it ignored the interrupt, so the later cells were not run and score 0"
            flags.append(Flag("timeout", detail, label))
        if "MemoryError" in names:
            flags.append(Flag("memory", f"{label} ran out of memory (limit {job.memory_mb} MB)", label))
        if _DEAD in names:
            detail = next(str(o.get("evalue")) for o in cell.outputs if o.get("ename") == _DEAD)
            flags.append(Flag(
                "kernel_died", f"{detail} in {label} (a crash, os._exit, exit() or the memory limit); "
                "later cells were not run and their tests score 0", label,
            ))
        if "SystemExit" in names:
            flags.append(Flag("system_exit", f"{label} called sys.exit(); the cells after it still ran",
                              label, review=False))
    if executor is not None:
        for index, dropped in sorted(executor.truncated.items()):
            if index < len(nb.cells):
                flags.append(Flag(
                    "output_truncated",
                    f"the output of {_cell_label(nb.cells[index], index)} was cut at "
                    f"{job.output_limit} characters ({dropped} more were dropped)",
                    _cell_label(nb.cells[index], index), review=False,
                ))
    seen: set[str] = set()
    for event, _, items in _read_report(report):
        if event in ("denied", "noted", "replayed"):
            for item in items:
                if item in seen:
                    continue
                seen.add(item)
                kind = {"open": "file_access", "sqlite3.connect": "file_access"}.get(
                    item.split(":")[0], "file_access" if item.startswith(("os.", "shutil.")) else "sandbox"
                )
                if item.split(":")[0] in PROCESS_EVENTS:
                    kind = "process"
                verb = {"denied": "was denied", "noted": "was noticed", "replayed": "was ignored"}[event]
                flags.append(Flag(kind, f"{item} {verb} while grading {name}"))
    return flags


def _untrusted_cells(executor: Any, report: Path, outcome: _NotebookOutcome) -> set[str]:
    """Test cells whose result cannot be trusted; their tampering findings become flags."""
    entries = _read_report(report)
    reported = {
        nonce: (event, items) for event, nonce, items in entries if event in ("guard", "check", "baseline")
    }
    if executor.baseline_nonce not in reported and executor.stopped is None:
        raise RuntimeError("the sandboxed kernel did not confirm its baseline")
    untrusted: set[str] = set()
    seen: set[str] = set()
    for nonce, (kind, grade_id) in executor.nonces.items():
        event, items = reported.get(nonce, (None, []))
        if event is None:
            if executor.stopped is None:
                untrusted.add(grade_id)
                outcome.flags.append(Flag(
                    "tampering", f"the grader's {kind} around {grade_id} did not run: the grading "
                    "environment was altered; the test scores 0", grade_id,
                ))
            continue
        for item in items:
            background = "background thread" in item
            if kind == "check" and not background and "built-in" not in item:
                untrusted.add(grade_id)
                text = f"{item} while {grade_id} ran; the test scores 0"
            else:
                restored = kind == "guard" and not background
                text = f"{item} (restored before {grade_id} ran)" if restored else item
            if text not in seen:
                seen.add(text)
                outcome.flags.append(Flag("tampering", text, grade_id))
    for grade_id, behaved in executor.canaries.items():
        if not behaved:
            untrusted.add(grade_id)
            outcome.flags.append(Flag(
                "tampering", f"a failing check after {grade_id} did not raise an error: errors are "
                "being hidden; the test scores 0", grade_id,
            ))
    return untrusted


# ----------------------------------------------------------------------- one submission


def _worker_init(address_space_mb: int) -> None:
    """Worker start-up: own session (Ctrl-C reaches only the parent), a memory cap, a kernel pool."""
    import faulthandler
    import resource
    from multiprocessing.util import Finalize

    global _POOL
    faulthandler.disable()  # a crashing worker is the submission's recorded failure, not a dump
    with contextlib.suppress(OSError):
        os.setsid()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for name in ("MGCOURSE_COURSE_ROOT", "MGCOURSE_DB_URL", "OLDPWD"):  # kernels inherit these
        os.environ.pop(name, None)
    limit = address_space_mb * 1024 * 1024
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    _POOL = _KernelPool()
    Finalize(_POOL, _POOL.close, exitpriority=10)  # stop the spare kernel when the worker exits


def grade_submission(job: GradingJob) -> SubmissionResult:
    """Grade one submission in a private folder (runs in a worker process).

    Parameters
    ----------
    job : GradingJob
        The submission, the master snapshot and the limits.

    Returns
    -------
    SubmissionResult
        Never raises: a submission that cannot be graded comes back with
        ``outcome == "failed"`` and the reason in ``error``. The autograded
        files are left in ``<job.jobdir>/out`` (``result.output``) for the
        parent to install.
    """
    start = time.monotonic()
    jobdir = Path(job.jobdir)
    jobdir.mkdir(parents=True, exist_ok=True)
    (jobdir / "pid").write_text(str(os.getpid()), encoding="utf-8")
    try:
        result = _grade(job, jobdir)
    except Exception as error:
        result = SubmissionResult(
            job.student, job.assignment, "failed", max_score=job.master.max_score,
            digest=job.digest, timestamp=job.timestamp,
            error=f"{type(error).__name__}: {error}"[:2000],
        )
    result.seconds = round(time.monotonic() - start, 3)
    return result


def _grade(job: GradingJob, jobdir: Path) -> SubmissionResult:
    import nbformat

    from mgcourse.grading import load_config

    config = load_config(Path(job.root))
    out = jobdir / "out"
    out.mkdir(parents=True, exist_ok=True)
    for relative, source in job.master.data_files:
        (out / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(source, out / relative)
    submitted = Path(job.submission)
    for name in EXCHANGE_FILES:
        if (submitted / name).is_file() and not (submitted / name).is_symlink():
            shutil.copyfile(submitted / name, out / name)
    flags: list[Flag] = []
    files = _walk(submitted)
    notebooks = {p.name: p for p in sorted(submitted.glob("*.ipynb")) if p.is_file() and not p.is_symlink()}
    paths: dict[str, Path | None] = {
        nb.name: notebooks.get(f"{nb.name}.ipynb") for nb in job.master.notebooks
    }
    missing = [name for name, path in paths.items() if path is None]
    unmatched = sorted(name for name in notebooks if name not in {f"{n}.ipynb" for n in paths})
    if len(missing) == 1 and len(unmatched) == 1:
        paths[missing[0]] = notebooks[unmatched[0]]
        flags.append(Flag(
            "renamed_notebook",
            f"the notebook was submitted as {unmatched[0]!r}; it was graded as {missing[0]}.ipynb",
            missing[0],
        ))
    used = {path for path in paths.values() if path is not None}
    extras = [
        p.relative_to(submitted).as_posix() for p in files
        if p.is_file() and not p.is_symlink() and p not in used and p.name not in EXCHANGE_FILES
        and ".ipynb_checkpoints" not in p.parts
    ]
    if extras:
        shown = ", ".join(extras[:8]) + (", …" if len(extras) > 8 else "")
        flags.append(Flag(
            "extra_files",
            f"{len(extras)} other submitted file(s) were ignored ({shown}): only the notebooks "
            "are graded, data files come from the course",
            review=False,
        ))
    links = [p.relative_to(submitted).as_posix() for p in files if p.is_symlink()]
    if links:
        shown = ", ".join(links[:8])
        flags.append(Flag("symlink", f"symbolic links in the submission were ignored: {shown}"))

    result = SubmissionResult(
        job.student, job.assignment, "graded", digest=job.digest, timestamp=job.timestamp,
        output=str(out),
    )
    result.flags = flags
    for master_nb in job.master.notebooks:
        outcome = _grade_notebook(job, master_nb, paths[master_nb.name], jobdir, config)
        result.cells += outcome.cells
        result.flags += outcome.flags
        result.errors += outcome.errors
        result.comments.update(outcome.comments)
        if outcome.notebook is not None:
            nbformat.write(outcome.notebook, str(out / f"{master_nb.name}.ipynb"))  # type: ignore[no-untyped-call]
    result.score = sum(cell.score or 0.0 for cell in result.cells)
    result.max_score = sum(cell.max_score for cell in result.cells)
    if any(flag.review for flag in result.flags):
        result.outcome = "flagged"
    return result


# ======================================================================= the parent process


def _course_paths(root: Path, config: Config) -> dict[str, Path]:
    directory = config.CourseDirectory
    grading = (root / str(directory.autograded_directory)).parent
    return {
        "source": root / str(directory.source_directory),
        "submitted": root / str(directory.submitted_directory),
        "autograded": root / str(directory.autograded_directory),
        "feedback": root / str(directory.feedback_directory),
        "records": grading / RECORDS_DIR,
        "grading": grading,
    }


def record_path(assignment: str, student: str, root: Path, config: Config | None = None) -> Path:
    """Where the JSON record of one graded submission lives.

    Parameters
    ----------
    assignment, student : str
        Which submission.
    root : pathlib.Path
        Course directory.
    config : traitlets.config.Config, optional
        The course configuration (loaded from ``root`` if omitted).

    Returns
    -------
    pathlib.Path
        ``<root>/grading/records/<assignment>/<student>.json``.
    """
    from mgcourse.grading import load_config

    root = Path(root).resolve()
    config = config if config is not None else load_config(root)
    return _course_paths(root, config)["records"] / assignment / f"{student}.json"


def load_records(assignment: str, root: Path, config: Config | None = None) -> dict[str, SubmissionResult]:
    """The grading records of an assignment, by student id (unreadable records are skipped).

    Parameters
    ----------
    assignment : str
        Assignment name.
    root : pathlib.Path
        Course directory.
    config : traitlets.config.Config, optional
        The course configuration (loaded from ``root`` if omitted).

    Returns
    -------
    dict of str to SubmissionResult
    """
    folder = record_path(assignment, "_", root, config).parent
    records: dict[str, SubmissionResult] = {}
    for path in sorted(folder.glob("*.json")):
        with contextlib.suppress(ValueError, TypeError, KeyError, OSError):
            records[path.stem] = SubmissionResult.from_json(json.loads(path.read_text(encoding="utf-8")))
    return records


def find_submissions(assignment: str, root: Path, config: Config | None = None) -> dict[str, Path]:
    """Submitted folders ``grading/submitted/<student>/<assignment>``, by student id.

    Parameters
    ----------
    assignment : str
        Assignment name.
    root : pathlib.Path
        Course directory.
    config : traitlets.config.Config, optional
        The course configuration (loaded from ``root`` if omitted).

    Returns
    -------
    dict of str to pathlib.Path
        Sorted by student id.
    """
    from mgcourse.grading import load_config

    root = Path(root).resolve()
    config = config if config is not None else load_config(root)
    submitted = _course_paths(root, config)["submitted"]
    found = {
        folder.parent.name: folder
        for folder in sorted(submitted.glob(f"*/{assignment}"))
        if folder.is_dir() and not folder.parent.name.startswith(".")
    }
    return dict(sorted(found.items()))


def _master_order(path: Path) -> list[str]:
    with contextlib.suppress(Exception):
        data = json.loads(path.read_text(encoding="utf-8"))
        return [
            str(cell["metadata"]["nbgrader"]["grade_id"])
            for cell in data.get("cells", [])
            if isinstance(cell.get("metadata", {}).get("nbgrader"), dict)
            and "grade_id" in cell["metadata"]["nbgrader"]
        ]
    return []


def load_master(assignment: str, root: Path, config: Config | None = None) -> Master:
    """Snapshot of an assignment's master from the gradebook (what workers restore from).

    Parameters
    ----------
    assignment : str
        Assignment name; it must have been released (so it is in the gradebook).
    root : pathlib.Path
        Course directory.
    config : traitlets.config.Config, optional
        The course configuration (loaded from ``root`` if omitted).

    Returns
    -------
    Master
        Every notebook's cells (source with hidden tests, checksum, points), the
        aliases its read-only cells import, and the data files to copy.

    Raises
    ------
    mgcourse.grading.GradingError
        If the assignment is not in the gradebook.
    """
    from nbgrader.api import Gradebook, MissingEntry
    from nbgrader.utils import find_all_files

    from mgcourse.grading import GradingError, _scripts_on_path, load_config

    root = Path(root).resolve()
    config = config if config is not None else load_config(root)
    directory = config.CourseDirectory
    source = _course_paths(root, config)["source"] / assignment
    notebooks: list[MasterNotebook] = []
    with _scripts_on_path(), Gradebook(str(directory.db_url), str(directory.course_id)) as gradebook:
        try:
            record = gradebook.find_assignment(assignment)
        except MissingEntry:
            raise GradingError(
                f"assignment {assignment!r} is not in the gradebook: release it first "
                f"(mgcourse release {assignment})"
            ) from None
        for notebook in record.notebooks:
            grade = {cell.name: float(cell.max_score) for cell in notebook.grade_cells}
            task = {cell.name: float(cell.max_score) for cell in notebook.task_cells}
            solution = {cell.name for cell in notebook.solution_cells}
            cells = [
                MasterCell(
                    grade_id=str(cell.name), cell_type=str(cell.cell_type), locked=bool(cell.locked),
                    source=str(cell.source or ""), checksum=cell.checksum, grade=cell.name in grade,
                    solution=cell.name in solution, task=cell.name in task,
                    points=grade.get(cell.name, task.get(cell.name)),
                )
                for cell in notebook.source_cells
            ]
            order = _master_order(source / f"{notebook.name}.ipynb")
            cells.sort(key=lambda c: order.index(c.grade_id) if c.grade_id in order else len(order))
            aliases: dict[str, tuple[str, str | None]] = {}
            modules: list[str] = []
            for cell in cells:
                if cell.cell_type == "code" and cell.locked:
                    cell_aliases, cell_modules = _imports(cell.source)
                    if not cell.grade:
                        aliases.update(cell_aliases)
                    modules += [m for m in cell_modules if m not in modules]
            kernelspec: dict[str, Any] = {}
            with contextlib.suppress(ValueError, TypeError):
                kernelspec = dict(json.loads(notebook.kernelspec or "{}"))
            notebooks.append(MasterNotebook(
                str(notebook.name), tuple(cells), kernelspec, aliases, tuple(modules)
            ))
    from nbgrader.coursedir import CourseDirectory

    ignore = [*CourseDirectory(config=config).ignore, "*.ipynb"]
    data = tuple(
        (os.path.relpath(path, source), str(Path(path).resolve()))
        for path in sorted(find_all_files(str(source), ignore))
    ) if source.is_dir() else ()
    return Master(assignment, tuple(sorted(notebooks, key=lambda nb: nb.name)), data)


def _deny_list(root: Path, config: Config) -> tuple[str, ...]:
    from jupyter_core.paths import jupyter_runtime_dir

    paths = _course_paths(root, config)
    # the runtime folder holds the connection files (keys) of every other Jupyter kernel
    deny = [paths["source"], paths["grading"], root / "tests", root / ".git", Path(jupyter_runtime_dir())]
    package_repo = Path(__file__).resolve().parents[2]  # the course repository, if installed from it
    if (package_repo / "nbgrader_config.py").is_file():
        deny += [package_repo / name for name in ("solutions", "grading", "tests", ".git")]
    db_url = str(config.CourseDirectory.db_url)
    if db_url.startswith("sqlite:///"):
        deny.append(Path(db_url[len("sqlite:///"):]))
    return tuple(dict.fromkeys(os.path.realpath(path) for path in deny))


def _read_timestamp(folder: Path) -> str | None:
    path = folder / "timestamp.txt"
    if not path.is_file():
        return None
    text = path.read_text(encoding="utf-8", errors="replace").strip()
    return text or None


@contextlib.contextmanager
def _deferred_interrupt() -> Iterator[None]:
    """Hold Ctrl-C until the block is done (so one submission's writes are all or nothing)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: received.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        if received:
            raise KeyboardInterrupt


def _install(result: SubmissionResult, dest: Path) -> None:
    """Move a worker's autograded files into ``grading/autograded/<student>/<assignment>``."""
    if result.output is None or not Path(result.output).is_dir():
        return
    dest.parent.mkdir(parents=True, exist_ok=True)
    tag = secrets.token_hex(4)
    staging = dest.parent / f".{dest.name}.new-{tag}"
    shutil.copytree(result.output, staging)
    if dest.exists():
        old = dest.parent / f".{dest.name}.old-{tag}"
        os.rename(dest, old)
        os.rename(staging, dest)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.rename(staging, dest)


def _write_record(result: SubmissionResult, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    temporary.write_text(json.dumps(result.to_json(), indent=1, ensure_ascii=False), encoding="utf-8")
    os.replace(temporary, path)


def _store(result: SubmissionResult, gradebook: Any, root: Path, config: Config) -> None:
    """Write one result: autograded files, then grades (one transaction), then the record.

    The record is written last: a submission without a record is graded again
    on the next run, and writing its grades again changes nothing.
    """
    from nbgrader.utils import parse_utc

    paths = _course_paths(root, config)
    record = paths["records"] / result.assignment / f"{result.student}.json"
    if result.outcome == "failed":
        _write_record(result, record)
        return
    _install(result, paths["autograded"] / result.student / result.assignment)
    kwargs: dict[str, Any] = {}
    if result.timestamp:
        with contextlib.suppress(ValueError, OverflowError):
            kwargs["timestamp"] = parse_utc(result.timestamp)
    with warnings.catch_warnings():
        # nbgrader 0.9.6 triggers SQLAlchemy autoflush warnings when it creates a submission
        warnings.filterwarnings("ignore", message="Object of type <Submitted")
        gradebook.update_or_create_student(result.student)
        gradebook.update_or_create_submission(result.assignment, result.student, **kwargs)
    try:
        review = result.needs_review
        for cell in result.cells:
            grade = gradebook.find_grade(cell.grade_id, cell.notebook, result.assignment, result.student)
            grade.auto_score = cell.score
            grade.needs_manual_grade = bool(
                grade.manual_score is not None or cell.score is None or review
            )
        for key, text in result.comments.items():
            notebook, grade_id = key.split("/", 1)
            comment = gradebook.find_comment(grade_id, notebook, result.assignment, result.student)
            comment.auto_comment = text
        _late_penalties(result, gradebook, config)
        gradebook.db.commit()
    except BaseException:
        gradebook.db.rollback()
        raise
    _write_record(result, record)


def _late_penalties(result: SubmissionResult, gradebook: Any, config: Config) -> None:
    """Apply the course's late-submission policy, as nbgrader's ``AssignLatePenalties`` does.

    The penalty of each notebook comes from the configured plugin (by default
    nbgrader's ``LateSubmissionPlugin``, whose ``penalty_method`` is ``none``
    or ``zero``), is clipped to ``[0, notebook score]``, and is reset to none
    when the submission is on time. ``result`` gets the totals.
    """
    from nbgrader.preprocessors import AssignLatePenalties

    submission = gradebook.find_submission(result.assignment, result.student)
    gradebook.db.flush()
    gradebook.db.expire(submission)
    seconds = float(submission.total_seconds_late or 0.0)
    assigner = AssignLatePenalties(config=config)
    assigner.init_plugin()
    total = 0.0
    for notebook in submission.notebooks:
        gradebook.db.expire(notebook)
        notebook.late_submission_penalty = None
        if seconds > 0:
            penalty = assigner.plugin_inst.late_submission_penalty(result.student, notebook.score, seconds)
            if penalty is not None:
                penalty = min(max(float(penalty), 0.0), float(notebook.score))
                notebook.late_submission_penalty = penalty
                total += penalty
    result.seconds_late = seconds
    result.late_penalty = total


def _failed(job: GradingJob, reason: str) -> SubmissionResult:
    return SubmissionResult(
        job.student, job.assignment, "failed", max_score=job.master.max_score, digest=job.digest,
        timestamp=job.timestamp, error=reason,
    )


def _deadline(job: GradingJob) -> float:
    """Wall-clock seconds after which a worker grading ``job`` is presumed stuck."""
    cells = sum(1 for nb in job.master.notebooks for c in nb.cells if c.cell_type == "code")
    tests = sum(len(nb.grade_cells) for nb in job.master.notebooks)
    return 300 + 2 * (cells + 3 * tests + 2) * (job.timeout + _IOPUB_GRACE)


def _kill_pool(executor: Any) -> None:
    for process in list(getattr(executor, "_processes", {}).values()):
        with contextlib.suppress(Exception):
            process.kill()


def _start_method() -> str:
    """How to start grading workers: ``fork`` when it is safe, else ``spawn``.

    A forked worker starts at once with nbgrader already imported (a spawned
    one spends seconds importing it), but forking is safe only from a process
    with a single thread: a lock held by another thread would stay locked in
    the child forever.
    """
    import multiprocessing

    if threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods():
        return "fork"
    return "spawn"


def _pool_pass(
    jobs: Sequence[GradingJob], workers: int, address_space_mb: int,
    on_broken: Callable[[GradingJob], None] | None,
) -> Generator[SubmissionResult, None, None]:
    """Grade ``jobs`` on a fresh pool, yielding results as they complete.

    Jobs caught in a crashed pool go to ``on_broken`` (to be retried alone);
    with ``on_broken=None`` they come back as failed.
    """
    import multiprocessing
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    executor = ProcessPoolExecutor(
        max_workers=max(1, min(workers, len(jobs))),
        mp_context=multiprocessing.get_context(_start_method()),
        initializer=_worker_init,
        initargs=(address_space_mb,),
    )
    futures = {executor.submit(grade_submission, job): job for job in jobs}
    overdue: set[str] = set()
    clean = False
    try:
        remaining = set(futures)
        while remaining:
            done, remaining = wait(remaining, timeout=1.0, return_when=FIRST_COMPLETED)
            for future in sorted(done, key=lambda f: futures[f].student):
                job = futures[future]
                try:
                    result = future.result()
                except Exception as error:
                    if job.jobdir in overdue:
                        limit = _deadline(job)
                        result = _failed(job, f"grading took longer than {limit:.0f} s and was stopped")
                    elif on_broken is not None:
                        on_broken(job)
                        continue
                    else:
                        result = _failed(job, f"the grading process crashed ({type(error).__name__})")
                yield result
            now = time.time()
            for future in remaining:
                job = futures[future]
                pid_file = Path(job.jobdir) / "pid"
                if job.jobdir in overdue or not pid_file.is_file():
                    continue
                if now - pid_file.stat().st_mtime > _deadline(job):
                    overdue.add(job.jobdir)
                    with contextlib.suppress(OSError, ValueError):
                        os.kill(int(pid_file.read_text(encoding="utf-8")), signal.SIGKILL)
        clean = True
    finally:
        if clean:
            executor.shutdown(wait=True)
        else:
            _kill_pool(executor)
            executor.shutdown(wait=False, cancel_futures=True)


def _run_jobs(jobs: Sequence[GradingJob], options: GradeOptions) -> Generator[SubmissionResult, None, None]:
    retry: list[GradingJob] = []
    address_space = options.memory_mb + WORKER_HEADROOM_MB
    if jobs:
        yield from _pool_pass(jobs, options.workers, address_space, retry.append)
    for job in retry:  # alone, so a crash is the submission's own
        shutil.rmtree(job.jobdir, ignore_errors=True)
        yield from _pool_pass([job], 1, address_space, None)


def grade_assignment(
    assignment: str,
    root: Path,
    *,
    students: Sequence[str] | None = None,
    options: GradeOptions | None = None,
    progress: Callable[[SubmissionResult], None] | None = None,
) -> list[SubmissionResult]:
    """Autograde every submission of an assignment, in parallel and resumably.

    Parameters
    ----------
    assignment : str
        Assignment name (released, so it is in the gradebook).
    root : pathlib.Path
        Course directory.
    students : sequence of str, optional
        Grade only these student ids (default: every submission).
    options : GradeOptions, optional
        Workers, limits and ``force``.
    progress : callable, optional
        Called with each result as soon as it is stored (skipped submissions
        too, with ``skipped=True``).

    Returns
    -------
    list of SubmissionResult
        One per submission, in the order they finished.

    Raises
    ------
    mgcourse.grading.GradingError
        If the assignment is not in the gradebook.
    KeyError
        If ``students`` names a student without a submission.
    KeyboardInterrupt
        If interrupted; every result stored before stays stored, and the next
        run grades only what is missing.

    Notes
    -----
    A submission is skipped (unless ``options.force``) when its record says it
    was graded, its files are unchanged (same digest) and the gradebook has the
    submission. Grades are written with nbgrader's gradebook API: only
    ``auto_score`` changes, so manual scores survive a re-grade.
    """
    from nbgrader.api import Gradebook

    from mgcourse.grading import _scripts_on_path, load_config

    options = options if options is not None else GradeOptions()
    root = Path(root).resolve()
    config = load_config(root)
    master = load_master(assignment, root, config)
    submissions = find_submissions(assignment, root, config)
    if students is not None:
        unknown = sorted(set(students) - set(submissions))
        if unknown:
            raise KeyError(f"no submission of {assignment!r} for student(s) {', '.join(unknown)}")
        submissions = {s: submissions[s] for s in submissions if s in set(students)}
    from nbgrader.preprocessors import Execute

    timeout = float(options.timeout or Execute(config=config).timeout or 60)
    records = load_records(assignment, root, config)
    paths = _course_paths(root, config)
    deny = _deny_list(root, config)
    directory = config.CourseDirectory
    results: list[SubmissionResult] = []
    with _scripts_on_path(), Gradebook(str(directory.db_url), str(directory.course_id)) as gradebook:
        in_gradebook = {str(s.student.id) for s in gradebook.assignment_submissions(assignment)}
        scratch = Path(tempfile.mkdtemp(prefix="mgcourse-grade-"))
        try:
            jobs: list[GradingJob] = []
            for index, (student, folder) in enumerate(submissions.items()):
                digest = submission_digest(folder)
                record = records.get(student)
                if (
                    not options.force and record is not None and record.outcome != "failed"
                    and record.digest == digest and student in in_gradebook
                    and (paths["autograded"] / student / assignment).is_dir()
                ):
                    record.skipped = True
                    results.append(record)
                    if progress is not None:
                        progress(record)
                    continue
                safe = re.sub(r"[^A-Za-z0-9_.-]", "_", student)[:40]
                jobs.append(GradingJob(
                    assignment, student, str(folder), str(scratch / f"{index:05d}-{safe}"), str(root),
                    master, timeout, options.memory_mb, options.output_limit, deny, digest,
                    _read_timestamp(folder),
                ))
            with contextlib.closing(_run_jobs(jobs, options)) as finished:  # closing stops the workers
                for result in finished:
                    with _deferred_interrupt():
                        _store(result, gradebook, root, config)
                    results.append(result)
                    if progress is not None:
                        progress(result)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    return results

