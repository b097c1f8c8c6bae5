"""TODO docstring."""

from __future__ import annotations

import ast
import atexit
import contextlib
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
from collections.abc import Callable, Generator, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from mgcourse.grader.master import (
    Master,
    MasterCell,
    MasterNotebook,
    load_master,
    read_notebook,
    restore_cells,
)
from mgcourse.grader.records import (
    EXCHANGE_FILES,
    course_paths,
    find_submissions,
    load_records,
    read_timestamp,
    store_result,
    submission_digest,
    walk_files,
)
from mgcourse.grader.results import CellResult, Flag, GradeOptions, StudentError, SubmissionResult
from mgcourse.grader.scan import PROTECTED_ROOTS, assertion_messages, scan_source

if TYPE_CHECKING:
    from nbformat import NotebookNode
    from traitlets.config import Config

#: Name of the sandboxed kernel specification written for every submission.
KERNEL_NAME: Final = "mgcourse-sandbox"


#: Address space the worker process may use on top of the kernel's cap [MB].
WORKER_HEADROOM_MB: Final = 2048


#: Seconds the kernel may take to show it stopped after an interrupt.
_IOPUB_GRACE: Final = 15


#: How many kernels a notebook may start when one dies before running any code.
_KERNEL_STARTS: Final = 2


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


#: Exception names the executor writes into cells it could not run normally.
_TIMEOUT: Final = "CellTimeoutError"


_DEAD: Final = "DeadKernelError"


_NOT_RUN: Final = "NotRun"


def _zero(master_nb: MasterNotebook, status: str) -> list[CellResult]:
    return [
        CellResult(master_nb.name, cell.grade_id, 0.0, float(cell.points or 0), status)
        for cell in master_nb.grade_cells
    ]


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


def _grade_notebook(
    job: GradingJob, master_nb: MasterNotebook, path: Path | None, jobdir: Path, config: Config
) -> NotebookOutcome:
    from nbgrader import utils
    from nbgrader.preprocessors import IgnorePattern, LimitOutput

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
    protected = PROTECTED_ROOTS | {alias for alias, (_, attr) in master_nb.aliases.items() if attr is None}
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


def _deny_list(root: Path, config: Config) -> tuple[str, ...]:
    from jupyter_core.paths import jupyter_runtime_dir

    paths = course_paths(root, config)
    # the runtime folder holds the connection files (keys) of every other Jupyter kernel
    deny = [paths["source"], paths["grading"], root / "tests", root / ".git", Path(jupyter_runtime_dir())]
    package_repo = Path(__file__).resolve().parents[2]  # the course repository, if installed from it
    if (package_repo / "nbgrader_config.py").is_file():
        deny += [package_repo / name for name in ("solutions", "grading", "tests", ".git")]
    db_url = str(config.CourseDirectory.db_url)
    if db_url.startswith("sqlite:///"):
        deny.append(Path(db_url[len("sqlite:///"):]))
    return tuple(dict.fromkeys(os.path.realpath(path) for path in deny))


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

    from mgcourse.grading import load_config, scripts_on_path

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
    paths = course_paths(root, config)
    deny = _deny_list(root, config)
    directory = config.CourseDirectory
    results: list[SubmissionResult] = []
    with scripts_on_path(), Gradebook(str(directory.db_url), str(directory.course_id)) as gradebook:
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
                    read_timestamp(folder),
                ))
            with contextlib.closing(_run_jobs(jobs, options)) as finished:  # closing stops the workers
                for result in finished:
                    with _deferred_interrupt():
                        store_result(result, gradebook, root, config)
                    results.append(result)
                    if progress is not None:
                        progress(result)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    return results


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


#: The longest path of a Unix socket that every platform accepts (``sun_path`` is 104–108 bytes).
_SOCKET_PATH_MAX: Final = 100


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


def _untrusted_cells(executor: Any, report: Path, outcome: NotebookOutcome) -> set[str]:
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

        async def run_app(self) -> None:
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

