"""The runner: grade one submission, or a whole class on several worker processes.

For every notebook of a submission the runner

* restores locked cells and nbgrader metadata from the master snapshot
  (:func:`~mgcourse.grader.master.restore_cells`), recording every change;
* runs the student's cells, in order, in a sandboxed kernel
  (:mod:`mgcourse.grader.kernel`), with a time limit per cell and a wall-clock
  budget for the whole submission;
* runs every test cell in the checker (:mod:`mgcourse.grader.checker`), a
  separate process that gets the student's values as plain data, and writes the
  checker's outcome into the test cell the way nbgrader would see it (an error,
  or a number for partial credit), so nbgrader's ``determine_grade`` scores it.

The runner itself never executes student code and never decodes the kernel's
replies: it forwards them to the checker as text. Workers never write the
gradebook either; they return a :class:`~mgcourse.grader.results.SubmissionResult`
and the parent process stores it (:func:`~mgcourse.grader.records.store_result`).
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import re
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Generator, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError

from mgcourse.grader.checker import Checker, CheckerGone
from mgcourse.grader.course import Course
from mgcourse.grader.kernel import KernelPool, KernelSettings, SandboxedKernel, exposed_paths
from mgcourse.grader.master import (
    Master,
    MasterCell,
    MasterNotebook,
    NotebookOutcome,
    load_master,
    read_notebook,
    restore_cells,
)
from mgcourse.grader.plain import MIME
from mgcourse.grader.records import (
    EXCHANGE_FILES,
    find_submissions,
    load_records,
    read_timestamp,
    store_result,
    submission_digest,
    walk_files,
)
from mgcourse.grader.results import CellResult, Flag, GradeOptions, StudentError, SubmissionResult
from mgcourse.grader.sandbox import Limits, Sandbox
from mgcourse.grader.scan import assertion_messages, scan_source

if TYPE_CHECKING:
    from nbformat import NotebookNode

__all__ = ["GradingJob", "grade_assignment", "grade_submission", "use_kernel_pool"]

#: Address space the worker process may use [MB] (student code never runs in it).
WORKER_MEMORY_MB: Final = 4096
#: Seconds the kernel may take to show it stopped after an interrupt.
_IOPUB_GRACE: Final = 10
#: How many kernels a notebook may start when one dies before running any code.
_KERNEL_STARTS: Final = 2
#: Exception names written into cells that could not run normally.
TIMEOUT: Final = "CellTimeoutError"
DEAD: Final = "DeadKernelError"
NOT_RUN: Final = "NotRun"
BUDGET: Final = "BudgetExceeded"
#: The code a kernel runs to answer the checker: plain data only, published as display data.
_SERVE: Final = "__import__('mgcourse.grader.plain', fromlist=['serve']).serve({request!r})"


@dataclass(frozen=True)
class GradingJob:
    """What a worker needs to grade one submission (picklable)."""

    assignment: str
    student: str
    submission: str  # folder grading/submitted/<student>/<assignment>
    jobdir: str  # private folder outside the course
    master: Master
    timeout: float
    budget: float
    output_limit: int
    kernel: KernelSettings
    digest: str = ""
    timestamp: str | None = None
    nbconfig: dict[str, Any] = field(default_factory=dict)


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


def cell_label(cell: NotebookNode, index: int) -> str:
    """A cell's ``grade_id``, or ``cell N``."""
    meta = cell.metadata.get("nbgrader", {})
    if isinstance(meta, dict) and meta.get("grade_id"):
        return str(meta["grade_id"])
    return f"cell {index + 1}"


# ======================================================================= one notebook


class GradingClient(NotebookClient):
    """nbclient's executor with output limited while it arrives and timeouts recorded."""

    def __init__(self, nb: NotebookNode, km: Any, output_limit: int, **kwargs: Any) -> None:
        super().__init__(nb, km=km, **kwargs)
        self.output_limit = output_limit
        self.used: dict[int, int] = {}
        self.truncated: dict[int, int] = {}
        self.timed_out = False

    def output(self, outs: list[Any], msg: dict[str, Any], display_id: str | None, cell_index: int) -> Any:
        from nbformat.v4 import new_output

        if msg["msg_type"] != "error":
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

    async def _async_handle_timeout(self, timeout: int, cell: NotebookNode | None = None) -> Any:
        self.timed_out = True
        return await super()._async_handle_timeout(timeout, cell)


@dataclass
class _Run:
    """The state of one notebook's run: kernel client, checker, clock."""

    job: GradingJob
    client: GradingClient
    checker: Checker
    deadline: float  # time.monotonic() when the submission's budget ends
    stopped: str | None = None  # TIMEOUT, DEAD or BUDGET once the kernel cannot go on
    detail: str = ""
    answered: bool = False
    trouble: str | None = None  # TIMEOUT, BUDGET or DEAD while the current test called into the kernel
    unplain: list[tuple[str, str]] = field(default_factory=list)  # (grade id, what)
    deliberate: list[tuple[str, str]] = field(default_factory=list)

    def remaining(self) -> float:
        return self.deadline - time.monotonic()

    async def execute(self, cell: NotebookNode, index: int, *, history: bool = True) -> None:
        """Run one cell in the kernel within the cell limit and what is left of the budget."""
        limit = min(self.job.timeout, self.remaining())
        if limit <= 0:
            self.stop(BUDGET, cell)
            return
        self.client.timeout = max(1, int(-(-limit // 1)))
        self.client.timed_out = False
        try:
            await self.client.async_execute_cell(cell, index, store_history=history)
        except DeadKernelError:
            self.stop(DEAD, cell)
        except CellTimeoutError:  # the kernel ignored the interrupt
            self.stop(TIMEOUT, cell)
        else:
            if self.client.timed_out:
                stop = BUDGET if self.remaining() <= 0 else None
                ename = stop or TIMEOUT
                cell.setdefault("outputs", []).append(_error_output(
                    ename, f"the cell ran longer than {limit:.0f} s and was interrupted"
                ))
                if stop:
                    self.stop(stop, cell)

    def exit_status(self) -> str:
        """How the kernel's sandbox ended, e.g. " (exit status 1)" or " (killed by signal SIGSEGV)"."""
        process = getattr(getattr(self.client.km, "provisioner", None), "process", None)
        try:
            status = process.wait(timeout=5) if process is not None else None
        except Exception:
            return ""
        if status is None:
            return ""
        if status < 0 or status > 128:  # bubblewrap reports a signal as 128 + its number
            with contextlib.suppress(ValueError):
                return f" (killed by signal {signal.Signals(abs(status) % 128).name})"
        return f" (exit status {status})"

    def stop(self, reason: str, cell: NotebookNode) -> None:
        self.stopped = reason
        self.detail = {
            DEAD: f"the kernel stopped while this cell ran{self.exit_status() if reason == DEAD else ''}",
            TIMEOUT: f"the cell ran longer than {self.job.timeout:g} s and did not stop when "
                     "interrupted; the kernel was stopped",
            BUDGET: f"the submission used up its time budget of {self.job.budget:g} s",
        }[reason]
        if not any(o.get("ename") == reason for o in cell.get("outputs", [])):
            cell.setdefault("outputs", []).append(_error_output(reason, self.detail))

    async def ask_kernel(self, request: Mapping[str, Any]) -> dict[str, Any]:
        """Run one checker request in the kernel; the reply stays text for the checker to decode."""
        from nbformat.v4 import new_code_cell

        cell: NotebookNode = new_code_cell(_SERVE.format(request=json.dumps(request)))  # type: ignore[no-untyped-call]
        self.client.nb.cells.append(cell)
        index = len(self.client.nb.cells) - 1
        try:
            await self.execute(cell, index, history=False)
        finally:
            self.client.nb.cells.pop(index)
        stopped = {TIMEOUT, BUDGET, DEAD}
        trouble = next((str(o["ename"]) for o in cell.get("outputs", []) if o.get("ename") in stopped), None)
        if trouble is not None or self.stopped is not None:
            self.trouble = trouble or self.stopped
            return {"error": [self.trouble, "the student's code did not finish when the test called it"]}
        for output in cell.get("outputs", []):
            text = output.get("data", {}).get(MIME) if output.get("output_type") == "display_data" else None
            if isinstance(text, str):
                with contextlib.suppress(ValueError):
                    answer = json.loads(text)
                    if isinstance(answer, dict):
                        return answer
        error = next((o for o in cell.get("outputs", []) if o.get("output_type") == "error"), None)
        if error is not None:
            return {"error": [str(error.get("ename", "Error")), str(error.get("evalue", ""))[:500]]}
        return {"error": ["RuntimeError", "the student's kernel gave no answer"]}

    async def test(self, cell: NotebookNode, grade_id: str) -> None:
        """Run a test cell in the checker, answering its requests from the kernel."""
        from nbformat.v4 import new_output

        self.trouble = None
        self.checker.send({"op": "test", "source": cell.source})
        while True:
            try:
                message = self.checker.receive(timeout=max(1.0, min(self.job.timeout, self.remaining() + 1)))
            except CheckerGone as error:
                raise RuntimeError(f"the checker stopped while running {grade_id}: {error}") from None
            if message.get("op") == "done":
                break
            if self.stopped is not None:
                answer: dict[str, Any] = {"error": [self.stopped, self.detail]}
            else:
                answer = await self.ask_kernel({k: message.get(k) for k in ("op", "names", "ref", "args",
                                                                            "kwargs")})
            self.checker.send(answer)
        cell.outputs = []
        if message.get("stdout"):
            cell.outputs.append(new_output(  # type: ignore[no-untyped-call]
                "stream", name="stdout", text=str(message["stdout"])))
        for what in message.get("unplain") or []:
            self.unplain.append((grade_id, str(what)))
        for what in message.get("deliberate") or []:
            self.deliberate.append((grade_id, str(what)))
        if self.trouble is not None:  # the test's call into the kernel timed out or stopped it
            detail = "the test called your code, which ran longer than the time limit or stopped the kernel"
            cell.outputs.append(_error_output(self.trouble, detail))
        elif message.get("status") != "ok":
            ename = str(message.get("ename") or "Error")
            cell.outputs.append(_error_output(ename, str(message.get("evalue") or "")))
        elif isinstance(message.get("result"), int | float):
            cell.outputs.append(new_output(  # type: ignore[no-untyped-call]
                "execute_result", data={"text/plain": repr(float(message["result"]))}, execution_count=None,
                metadata={}))

    async def setup(self, cell: NotebookNode, index: int) -> None:
        """A read-only cell: in the kernel, and in the checker when it needs only the master's names."""
        await self.execute(cell, index)
        self.checker.send({"op": "setup", "source": cell.source})
        message = self.checker.receive(timeout=max(10.0, self.job.timeout))
        if message.get("status") == "error":
            raise RuntimeError(
                f"the master's read-only cell {cell_label(cell, index)} failed in the checker: "
                f"{message.get('ename')}: {str(message.get('evalue'))[:200]}"
            )

    async def run(self, nb: NotebookNode) -> None:
        from jupyter_core.utils import ensure_async
        from nbgrader import utils

        async with self.client.async_setup_kernel(cleanup_kc=True):
            assert self.client.kc is not None
            msg_id = await ensure_async(self.client.kc.kernel_info())
            info = await self.client.async_wait_for_reply(msg_id)
            self.answered = True
            if info is not None and "language_info" in info["content"]:
                nb.metadata["language_info"] = info["content"]["language_info"]
            for index, cell in enumerate(list(nb.cells)):
                if cell.cell_type != "code" or not cell.source.strip():
                    continue
                graded = utils.is_grade(cell)
                if self.stopped is not None:
                    if graded:
                        cell.outputs = [_error_output(NOT_RUN, f"not run: {self.detail}")]
                    continue
                if graded:
                    await self.test(cell, cell_label(cell, index))
                elif utils.is_locked(cell):
                    await self.setup(cell, index)
                else:
                    await self.execute(cell, index)


def _zero(master_nb: MasterNotebook, status: str) -> list[CellResult]:
    return [
        CellResult(master_nb.name, cell.grade_id, 0.0, float(cell.points or 0), status)
        for cell in master_nb.grade_cells
    ]


def _execute(job: GradingJob, master_nb: MasterNotebook, nb: NotebookNode, jobdir: Path,
             pool: KernelPool | None) -> _Run:
    """Run ``nb`` (in place): student cells in a sandboxed kernel, tests in a checker.

    A kernel that dies before it answers its first request has run no student
    code, so it is not the submission's fault: a second kernel is started.
    """
    scratch = Path(job.jobdir).parent
    checker_dir = jobdir / "checker" / master_nb.name
    checker_dir.mkdir(parents=True)
    for relative, source in job.master.data_files:
        (checker_dir / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(source, checker_dir / relative)
    from jupyter_core.utils import run_sync

    for attempt in range(_KERNEL_STARTS):
        if pool is not None:
            kernel = pool.take(job.kernel, scratch, ahead=True)
        else:
            folder = jobdir / "kernel" / master_nb.name / f"start-{attempt}"
            kernel = SandboxedKernel.start(job.kernel, folder)
        checker = Checker(str(checker_dir), master_nb.modules)
        client = GradingClient(
            nb, kernel.manager, job.output_limit, timeout=int(job.timeout), interrupt_on_timeout=True,
            iopub_timeout=_IOPUB_GRACE, raise_on_iopub_timeout=True, startup_timeout=120,
            # after an interrupt, go on at once with an error reply: a kernel that ignores the
            # interrupt then fails the wait for its output and is stopped
            error_on_timeout={"ename": TIMEOUT, "evalue": "the cell was interrupted", "traceback": []},
            shutdown_kernel="immediate", allow_errors=True, record_timing=False,
            resources={"metadata": {"path": str(kernel.work)}},
        )
        run = _Run(job, client, checker, time.monotonic() + job.budget)
        try:
            for relative, source in job.master.data_files:
                (kernel.work / relative).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(source, kernel.work / relative)
            run_sync(run.run)(nb)
            return run
        except Exception as error:
            if run.answered or attempt + 1 == _KERNEL_STARTS:
                reason = kernel.log_tail()
                raise RuntimeError(f"{error}{f' ({reason})' if reason else ''}") from error
        finally:
            atexit.unregister(client._cleanup_kernel)  # nbclient's exit-time clean-up: the kernel is ours
            checker.close()
            left = kernel.stop()
            if left:
                run.detail += f" ({left} leftover process(es) were killed)"
    raise AssertionError("unreachable")  # pragma: no cover


def _cell_result(
    master: MasterCell, cell: NotebookNode | None, notebook: str, messages: list[str]
) -> CellResult:
    from nbgrader import utils

    top = float(master.points or 0)
    if cell is None:
        return CellResult(notebook, master.grade_id, 0.0, top, "deleted")
    score, _ = utils.determine_grade(cell)
    outputs = cell.get("outputs", [])
    error = next((o for o in outputs if o.get("output_type") == "error"), None)
    ename: str | None = None
    evalue = ""
    if error is not None:
        ename, evalue = str(error.get("ename", "")), str(error.get("evalue", ""))
    printed = "".join(str(o.get("text", "")) for o in outputs if o.get("output_type") == "stream")
    # a failing assert raises its message; a cell scored part by part prints why each part was
    # not right: the first one is named
    message = max((m for m in messages if m in evalue), key=len, default=None)
    if message is None:
        message = min((m for m in messages if m in printed), key=printed.find, default=None)
    detail = evalue.strip().splitlines()[0][:300] if evalue.strip() else None
    if score is None:
        status = "manual"
    elif ename in (TIMEOUT, BUDGET):
        status = "timeout"
    elif ename == NOT_RUN:
        status = "not_run"
    elif ename == "AssertionError":
        status = "failed"
    elif ename is not None and float(score) == 0:
        status = "error"
    elif float(score) >= top:
        status = "passed"
    else:
        status = "partial"
    points = None if score is None else min(max(float(score), 0.0), top)
    return CellResult(notebook, master.grade_id, points, top, status, ename, message, detail)


def _execution_flags(nb: NotebookNode, run: _Run | None, name: str, job: GradingJob) -> list[Flag]:
    flags: list[Flag] = []
    for index, cell in enumerate(nb.cells):
        label = cell_label(cell, index)
        errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        names = {str(o.get("ename")) for o in errors}
        if TIMEOUT in names:
            detail = f"{label} ran longer than the limit of {job.timeout:g} s and was stopped"
            if any("kernel was stopped" in str(o.get("evalue")) for o in errors):
                detail += "; it ignored the interrupt, so the later cells were not run and score 0"
            flags.append(Flag("timeout", detail, label))
        if BUDGET in names:
            flags.append(Flag("budget", f"the submission reached its time budget of {job.budget:g} s in "
                                        f"{label}; it was stopped and the later tests score 0", label))
        if "MemoryError" in names:
            flags.append(Flag("memory", f"{label} ran out of memory (limit {job.kernel.limits.memory_mb} MB)",
                              label))
        if DEAD in names:
            detail = next(str(o.get("evalue")) for o in errors if o.get("ename") == DEAD)
            flags.append(Flag(
                "kernel_died", f"{detail} in {label} (a crash, os._exit, exit() or a limit); "
                "later cells were not run and their tests score 0", label,
            ))
        if "SystemExit" in names:
            flags.append(Flag("system_exit", f"{label} called sys.exit(); the cells after it still ran",
                              label, review=False))
    if run is not None:
        for index, dropped in sorted(run.client.truncated.items()):
            if index < len(nb.cells):
                flags.append(Flag(
                    "output_truncated",
                    f"the output of {cell_label(nb.cells[index], index)} was cut at "
                    f"{job.output_limit} characters ({dropped} more were dropped)",
                    cell_label(nb.cells[index], index), review=False,
                ))
        for grade_id, what in dict.fromkeys(run.deliberate):
            flags.append(Flag("not_plain_data", f"{grade_id} was given an answer that imitates plain data "
                                                f"({what[:120]}); the test scores 0", grade_id))
        for grade_id, what in dict.fromkeys(run.unplain):
            if (grade_id, what) not in run.deliberate:
                flags.append(Flag("not_plain_data", f"{grade_id}: {what[:160]} is not plain data",
                                  grade_id, review=False))
    return flags


def _grade_notebook(job: GradingJob, master_nb: MasterNotebook, path: Path | None, jobdir: Path,
                    pool: KernelPool | None) -> NotebookOutcome:
    from nbgrader import utils

    outcome = NotebookOutcome()
    name = master_nb.name
    if path is None:
        outcome.flags.append(Flag(
            "missing_notebook", f"{name}.ipynb was not submitted; every test scores 0", name
        ))
        outcome.cells = _zero(master_nb, "missing")
        return outcome
    nb = read_notebook(path, name, outcome)
    if nb is None:
        outcome.cells = _zero(master_nb, "missing")
        return outcome
    restore_cells(nb, master_nb, outcome)
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and not utils.is_locked(cell):
            for finding in scan_source(cell.source):
                outcome.flags.append(Flag("suspicious_code", finding, cell_label(cell, index)))
    run = _execute(job, master_nb, nb, jobdir, pool) if any(utils.is_grade(c) for c in nb.cells) else None
    outcome.notebook = nb
    outcome.flags += _execution_flags(nb, run, name, job)
    cells_by_id: dict[str, NotebookNode] = {}
    for index, cell in enumerate(nb.cells):
        meta = cell.metadata.get("nbgrader", {})
        gid = meta.get("grade_id") if isinstance(meta, dict) else None
        if gid is not None:
            cells_by_id.setdefault(str(gid), cell)
        if cell.cell_type == "code" and not utils.is_locked(cell):
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error":
                    outcome.errors.append(StudentError(
                        name, cell_label(cell, index), str(output.get("ename", ""))[:100],
                        str(output.get("evalue", ""))[:300],
                    ))
        if isinstance(meta, dict) and utils.is_solution(cell) and master_nb.cell(str(gid)) is not None:
            same = utils.compute_checksum(cell) == meta.get("checksum")
            outcome.comments[f"{name}/{gid}"] = "No response." if same and not utils.is_task(cell) else None
    deliberate = {grade_id for grade_id, _ in (run.deliberate if run else [])}
    for master in master_nb.grade_cells:
        messages = assertion_messages(master.source)
        result = _cell_result(master, cells_by_id.get(master.grade_id), name, messages)
        if master.grade_id in deliberate and result.score:
            result = CellResult(name, master.grade_id, 0.0, result.max_score, "untrusted", result.ename,
                                result.message, result.detail)
        outcome.cells.append(result)
    return outcome


# ======================================================================= one submission

#: The worker's kernel pool (set by :func:`_worker_init`).
_POOL: KernelPool | None = None


def _worker_init() -> None:
    """Worker start-up: own session (Ctrl-C reaches only the parent), a memory cap, a kernel pool."""
    import faulthandler
    import resource
    from multiprocessing.util import Finalize

    global _POOL
    faulthandler.disable()
    with contextlib.suppress(OSError):
        os.setsid()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for name in ("MGCOURSE_COURSE_ROOT", "MGCOURSE_DB_URL", "OLDPWD"):
        os.environ.pop(name, None)
    limit = WORKER_MEMORY_MB * 1024 * 1024
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    soft = limit if hard == resource.RLIM_INFINITY else min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
    _POOL = KernelPool()
    Finalize(_POOL, _POOL.close, exitpriority=10)


def use_kernel_pool(pool: KernelPool | None) -> None:
    """Let :func:`grade_submission` keep a spare kernel in ``pool`` (a process grading job after job)."""
    global _POOL
    _POOL = pool


def grade_submission(job: GradingJob) -> SubmissionResult:
    """Grade one submission in a private folder (runs in a worker process).

    Returns
    -------
    SubmissionResult
        Never raises: a submission that cannot be graded comes back with
        ``outcome == "failed"`` and the reason in ``error``. The autograded
        files are left in ``<job.jobdir>/out`` for the parent to install.
    """
    start = time.monotonic()
    jobdir = Path(job.jobdir)
    jobdir.mkdir(parents=True, exist_ok=True)
    (jobdir / "pid").write_text(str(os.getpid()), encoding="utf-8")
    try:
        result = _grade(job, jobdir)
    except Exception as error:
        result = _failed(job, f"{type(error).__name__}: {error}"[:2000])
    result.seconds = round(time.monotonic() - start, 3)
    return result


def _grade(job: GradingJob, jobdir: Path) -> SubmissionResult:
    import nbformat

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
    files = walk_files(submitted)
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
            "extra_files", f"{len(extras)} other submitted file(s) were ignored ({shown}): only the "
            "notebooks are graded, data files come from the course", review=False,
        ))
    links = [p.relative_to(submitted).as_posix() for p in files if p.is_symlink()]
    if links:
        shown = ", ".join(links[:8])
        flags.append(Flag("symlink", f"symbolic links in the submission were ignored: {shown}"))
    result = SubmissionResult(
        job.student, job.assignment, "graded", digest=job.digest, timestamp=job.timestamp, output=str(out)
    )
    result.flags = flags
    for master_nb in job.master.notebooks:
        outcome = _grade_notebook(job, master_nb, paths[master_nb.name], jobdir, _POOL)
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


def _failed(job: GradingJob, reason: str) -> SubmissionResult:
    return SubmissionResult(
        job.student, job.assignment, "failed", max_score=job.master.max_score, digest=job.digest,
        timestamp=job.timestamp, error=reason,
    )


# ======================================================================= the parent process


def hidden_paths(course: Course) -> tuple[str, ...]:
    """Folders a student's kernel must not see: the course, its gradebook, the exchange, Jupyter's runtime."""
    from jupyter_core.paths import jupyter_runtime_dir

    hide = [course.root, course.grading, course.source, Path(jupyter_runtime_dir()),
            Path(tempfile.gettempdir())]
    package_repo = Path(__file__).resolve().parents[3]  # the course repository, if installed from it
    if (package_repo / "nbgrader_config.py").is_file():
        hide.append(package_repo)
    if course.db_url.startswith("sqlite:///"):
        hide.append(Path(course.db_url[len("sqlite:///"):]).parent)
    exchange = getattr(course.config.Exchange, "root", None)
    if isinstance(exchange, str) and exchange:
        hide.append(Path(exchange))
    return tuple(dict.fromkeys(os.path.realpath(path) for path in hide))


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


def keep_result(
    course: Course, gradebook: Any, result: SubmissionResult, results: list[SubmissionResult],
    progress: Callable[[SubmissionResult], None] | None,
) -> None:
    """Store one graded submission (Ctrl-C waits until it is all written), then report it."""
    with _deferred_interrupt():
        store_result(course, result, gradebook)
    results.append(result)
    if progress is not None:
        progress(result)


def _deadline(job: GradingJob) -> float:
    """Wall-clock seconds after which a worker grading ``job`` is presumed stuck."""
    return job.budget * max(1, len(job.master.notebooks)) + 2 * (job.timeout + _IOPUB_GRACE) + 120


def _kill_pool(executor: Any) -> None:
    for process in list(getattr(executor, "_processes", {}).values()):
        with contextlib.suppress(Exception):
            process.kill()


def _start_method() -> str:
    """``fork`` when it is safe (a single thread), else ``spawn``."""
    import multiprocessing

    if threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods():
        return "fork"
    return "spawn"


def _pool_pass(
    jobs: Sequence[GradingJob], workers: int, on_broken: Callable[[GradingJob], None] | None,
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


def _run_jobs(jobs: Sequence[GradingJob], workers: int) -> Generator[SubmissionResult, None, None]:
    retry: list[GradingJob] = []
    if jobs:
        yield from _pool_pass(jobs, workers, retry.append)
    for job in retry:  # alone, so a crash is the submission's own
        shutil.rmtree(job.jobdir, ignore_errors=True)
        yield from _pool_pass([job], 1, None)


def kernel_settings(course: Course, options: GradeOptions, timeout: float) -> KernelSettings:
    """The sandbox every kernel of a grading run gets; checks that the boundary can be set up."""
    if not options.unsandboxed:
        Sandbox.check()
    hide = hidden_paths(course)
    n_cpu = int(options.budget + 60)
    limits = Limits(memory_mb=options.memory_mb, processes=options.processes, file_mb=options.file_mb,
                    cpu_seconds=max(n_cpu, int(timeout) + 10))
    return KernelSettings(limits, hide, exposed_paths([Path(p) for p in hide]), not options.unsandboxed)


def graded_students(gradebook: Any, assignment: str) -> set[str]:
    """Ids of the students with a submission of ``assignment`` in the gradebook."""
    if not any(a.name == assignment for a in gradebook.assignments):
        return set()
    return {str(s.student.id) for s in gradebook.assignment_submissions(assignment)}


def make_jobs(
    course: Course, assignment: str, options: GradeOptions, students: Sequence[str] | None, scratch: Path,
    in_gradebook: set[str],
) -> tuple[list[GradingJob], list[SubmissionResult]]:
    """The jobs to grade, and the records of submissions that are already graded and unchanged."""
    from nbgrader.preprocessors import Execute

    master = load_master(course, assignment)
    submissions = find_submissions(course, assignment)
    if students is not None:
        unknown = sorted(set(students) - set(submissions))
        if unknown:
            raise KeyError(f"no submission of {assignment!r} for student(s) {', '.join(unknown)}")
        submissions = {s: submissions[s] for s in submissions if s in set(students)}
    timeout = float(options.timeout or Execute(config=course.config).timeout or 60)
    settings = kernel_settings(course, options, timeout)
    records = load_records(course, assignment)
    jobs: list[GradingJob] = []
    skipped: list[SubmissionResult] = []
    for index, (student, folder) in enumerate(submissions.items()):
        digest = submission_digest(folder)
        record = records.get(student)
        if (
            not options.force and record is not None and record.outcome != "failed"
            and record.digest == digest and student in in_gradebook
            and (course.autograded / student / assignment).is_dir()
        ):
            record.skipped = True
            skipped.append(record)
            continue
        safe = re.sub(r"[^A-Za-z0-9_.-]", "_", student)[:40]
        jobs.append(GradingJob(
            assignment, student, str(folder), str(scratch / f"{index:05d}-{safe}"), master, timeout,
            options.budget, options.output_limit, settings, digest, read_timestamp(folder),
        ))
    return jobs, skipped


def grade_assignment(
    course: Course,
    assignment: str,
    *,
    students: Sequence[str] | None = None,
    options: GradeOptions | None = None,
    progress: Callable[[SubmissionResult], None] | None = None,
) -> list[SubmissionResult]:
    """Autograde every submission of an assignment, in parallel, isolated and resumably.

    Parameters
    ----------
    course : Course
        The course.
    assignment : str
        Assignment name (released, so it is in the gradebook).
    students : sequence of str, optional
        Grade only these student ids (default: every submission).
    options : GradeOptions, optional
        Workers, limits, budget and ``force``.
    progress : callable, optional
        Called with each result as soon as it is stored (skipped ones too).

    Returns
    -------
    list of SubmissionResult
        One per submission, in the order they finished.

    Raises
    ------
    mgcourse.grader.sandbox.SandboxError
        If the isolation boundary cannot be set up (and ``options.unsandboxed`` is off).
    mgcourse.grader.course.GradingError
        If the assignment is not in the gradebook.
    KeyError
        If ``students`` names a student without a submission.
    """
    options = options if options is not None else GradeOptions()
    results: list[SubmissionResult] = []
    with course.gradebook() as gradebook:
        in_gradebook = graded_students(gradebook, assignment)
        scratch = Path(tempfile.mkdtemp(prefix="mgcourse-grade-"))
        try:
            jobs, skipped = make_jobs(course, assignment, options, students, scratch, in_gradebook)
            for record in skipped:
                results.append(record)
                if progress is not None:
                    progress(record)
            with contextlib.closing(_run_jobs(jobs, options.workers)) as finished:
                for result in finished:
                    keep_result(course, gradebook, result, results, progress)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    return results


if __name__ == "__main__":  # pragma: no cover
    sys.exit("use the mgcourse command: mgcourse grade ASSIGNMENT")
