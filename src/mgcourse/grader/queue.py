"""Grading on many machines: a procrastinate job queue on PostgreSQL.

``mgcourse grade ASSIGNMENT --queue URL`` (:func:`grade_queued`) turns every
submission into a procrastinate job whose arguments hold all a worker needs as
plain JSON: the submitted files and the master snapshot with its data files
(base64), the limits and the time budget. ``mgcourse worker --queue URL``
(:func:`run_worker`, any number, on any machine with the package and
bubblewrap) takes jobs one at a time and grades them with
:func:`mgcourse.grader.runner.grade_submission`, the same sandbox and checker as
local grading. It never needs the course folder.

A worker writes its result, with the autograded files, into the table
``mgcourse_grading_results`` keyed by the job's key; ``ON CONFLICT DO NOTHING``
keeps the first result, so a job graded twice (a worker presumed dead that
was only slow) still counts once. A worker killed in the middle of a notebook
stops sending heartbeats; after ``lease`` seconds the collecting process gives
its job back to the queue (procrastinate's stalled-job retry). The collecting
process is the only one that writes nbgrader's gradebook, one transaction per
submission (:func:`mgcourse.grader.records.store_result`), as in local grading.

The job key is a digest of the submission's files, the master and the limits:
interrupted grading resumes by running the same command again, which enqueues
only what has no result and no job in the queue yet.
"""

from __future__ import annotations

import asyncio
import base64
import concurrent.futures
import contextlib
import dataclasses
import hashlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Final

from mgcourse.grader.course import Course
from mgcourse.grader.kernel import KernelPool, KernelSettings, exposed_paths
from mgcourse.grader.master import Master, MasterCell, MasterNotebook
from mgcourse.grader.records import walk_files
from mgcourse.grader.results import GradeOptions, SubmissionResult
from mgcourse.grader.runner import (
    GradingJob,
    grade_submission,
    graded_students,
    keep_result,
    make_jobs,
    use_kernel_pool,
)
from mgcourse.grader.sandbox import Limits, Sandbox

__all__ = ["QueueError", "connection_url", "grade_queued", "job_key", "job_payload", "run_worker"]

#: The procrastinate queue and task of grading jobs.
QUEUE: Final = "mgcourse-grading"
TASK: Final = "mgcourse.grade_submission"
#: Seconds without a heartbeat after which a worker's job goes back to the queue.
LEASE: Final = 30.0
_RESULTS: Final = """
CREATE TABLE IF NOT EXISTS mgcourse_grading_results (
    job_key text PRIMARY KEY,
    result jsonb NOT NULL,
    files jsonb NOT NULL,
    worker text NOT NULL,
    stored_at timestamptz NOT NULL DEFAULT now()
)"""
_SCHEMA_LOCK: Final = 7_164_531  # pg_advisory_lock key: one process creates the schema


class QueueError(RuntimeError):
    """The queue's database cannot be used (unreachable, or not PostgreSQL)."""


def connection_url(url: str) -> str:
    """A libpq connection string from a PostgreSQL URL (SQLAlchemy's ``+driver`` is dropped).

    Raises
    ------
    ValueError
        If ``url`` is not a ``postgresql://`` or ``postgres://`` URL.
    """
    match = re.match(r"^(postgres(?:ql)?)(\+[A-Za-z0-9_]+)?://", url)
    if match is None:
        raise ValueError(f"queue URL {url!r}: must be a PostgreSQL URL, postgresql://user@host:port/database")
    return "postgresql://" + url[match.end():]


# ======================================================================= payload


def _encode_files(folder: Path) -> dict[str, str]:
    return {
        path.relative_to(folder).as_posix(): base64.b64encode(path.read_bytes()).decode("ascii")
        for path in walk_files(folder) if path.is_file() and not path.is_symlink()
    }


def _decode_files(files: Mapping[str, str], folder: Path) -> None:
    root = folder.resolve()
    for relative, data in files.items():
        path = (folder / relative).resolve()
        if root not in path.parents:
            raise ValueError(f"file {relative!r} of a grading job lies outside its folder")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(data))


def _master_json(master: Master) -> dict[str, Any]:
    return {
        "assignment": master.assignment,
        "notebooks": [
            {"name": nb.name, "cells": [dataclasses.asdict(cell) for cell in nb.cells],
             "kernelspec": nb.kernelspec, "aliases": {k: list(v) for k, v in nb.aliases.items()},
             "modules": list(nb.modules)}
            for nb in master.notebooks
        ],
        "data": {relative: base64.b64encode(Path(source).read_bytes()).decode("ascii")
                 for relative, source in master.data_files},
    }


def _master_from_json(data: Mapping[str, Any], folder: Path) -> Master:
    _decode_files(data["data"], folder)
    notebooks = tuple(
        MasterNotebook(
            nb["name"], tuple(MasterCell(**cell) for cell in nb["cells"]), dict(nb["kernelspec"]),
            {k: (v[0], v[1]) for k, v in nb["aliases"].items()}, tuple(nb["modules"]),
        )
        for nb in data["notebooks"]
    )
    files = tuple((relative, str(folder / relative)) for relative in data["data"])
    return Master(data["assignment"], notebooks, files)


def job_payload(job: GradingJob) -> dict[str, Any]:
    """Everything a worker on another machine needs to grade ``job``, as plain JSON."""
    payload: dict[str, Any] = {
        "assignment": job.assignment, "student": job.student, "digest": job.digest,
        "timestamp": job.timestamp, "timeout": job.timeout, "budget": job.budget,
        "output_limit": job.output_limit, "limits": dataclasses.asdict(job.kernel.limits),
        "isolate": job.kernel.isolate, "master": _master_json(job.master),
        "submission": _encode_files(Path(job.submission)),
    }
    payload["key"] = job_key(payload)
    return payload


def job_key(payload: Mapping[str, Any]) -> str:
    """``assignment/student/<digest>``: the digest covers files, master and limits."""
    content = {k: v for k, v in payload.items() if k != "key"}
    digest = hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()[:32]
    return f"{payload['assignment']}/{payload['student']}/{digest}"


# ======================================================================= the worker


def _worker_hidden(scratch: Path) -> tuple[str, ...]:
    """What a worker's kernels must not see: its scratch, temporary and Jupyter runtime folders."""
    from jupyter_core.paths import jupyter_runtime_dir

    hide = [scratch, Path(tempfile.gettempdir()), Path(jupyter_runtime_dir()), Path.cwd()]
    return tuple(dict.fromkeys(os.path.realpath(path) for path in hide))


def _grade_payload(payload: Mapping[str, Any], scratch: Path, number: int) -> tuple[dict[str, Any],
                                                                                    dict[str, str]]:
    """Grade one job's payload in ``scratch`` (in the worker's grading thread)."""
    safe = re.sub(r"[^A-Za-z0-9_.-]", "_", str(payload["student"]))[:40]
    inputs = scratch / "inputs" / f"{number:05d}-{safe}"
    jobdir = scratch / f"{number:05d}-{safe}"
    try:
        _decode_files(payload["submission"], inputs / "submission")
        master = _master_from_json(payload["master"], inputs / "data")
        hide = _worker_hidden(scratch)
        settings = KernelSettings(Limits(**payload["limits"]), hide, exposed_paths([Path(p) for p in hide]),
                                  bool(payload["isolate"]))
        job = GradingJob(
            payload["assignment"], payload["student"], str(inputs / "submission"), str(jobdir), master,
            float(payload["timeout"]), float(payload["budget"]), int(payload["output_limit"]), settings,
            payload["digest"], payload["timestamp"],
        )
        result = grade_submission(job)
        files = _encode_files(Path(result.output)) if result.output and Path(result.output).is_dir() else {}
        result.output = None
        return result.to_json(), files
    finally:
        shutil.rmtree(inputs, ignore_errors=True)
        shutil.rmtree(jobdir, ignore_errors=True)


async def _grade_task(context: Any, payload: dict[str, Any]) -> None:
    """The procrastinate task: grade, then keep the first result for this key."""
    extra = context.additional_context
    key = str(payload["key"])
    async with await _connect(extra["url"]) as connection:
        cursor = await connection.execute("SELECT 1 FROM mgcourse_grading_results WHERE job_key = %s", (key,))
        if await cursor.fetchone() is not None:
            return  # graded already, by a worker that was presumed dead
    extra["count"][0] += 1
    loop = asyncio.get_running_loop()
    try:
        result, files = await loop.run_in_executor(
            extra["executor"], _grade_payload, payload, extra["scratch"], extra["count"][0]
        )
    except Exception as error:  # a job this worker cannot even unpack is failed, not retried forever
        reason = f"the worker could not grade it: {type(error).__name__}: {error}"
        failed = SubmissionResult(str(payload.get("student")), str(payload.get("assignment")), "failed",
                                  digest=str(payload.get("digest", "")), error=reason[:2000])
        result, files = failed.to_json(), {}
    async with await _connect(extra["url"]) as connection:
        await connection.execute(
            "INSERT INTO mgcourse_grading_results (job_key, result, files, worker) VALUES (%s, %s, %s, %s) "
            "ON CONFLICT (job_key) DO NOTHING",
            (key, json.dumps(result), json.dumps(files), extra["name"]),
        )


async def _connect(url: str) -> Any:
    import psycopg

    try:
        return await psycopg.AsyncConnection.connect(connection_url(url), autocommit=True)
    except psycopg.OperationalError as error:
        raise QueueError(f"cannot reach the queue's database: {str(error).strip()[:300]}") from None


def make_app(url: str) -> Any:
    """The procrastinate app of the grading queue at ``url``."""
    import procrastinate

    app = procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=connection_url(url)))
    app.task(name=TASK, queue=QUEUE, pass_context=True)(_grade_task)
    return app


async def _ensure_schema(app: Any, url: str) -> None:
    """Create procrastinate's tables and the results table, once, whoever comes first."""
    async with await _connect(url) as connection:
        await connection.execute("SELECT pg_advisory_lock(%s)", (_SCHEMA_LOCK,))
        try:
            cursor = await connection.execute("SELECT to_regclass('procrastinate_jobs') IS NOT NULL")
            row = await cursor.fetchone()
            if not (row and row[0]):
                await app.schema_manager.apply_schema_async()
            await connection.execute(_RESULTS)
        finally:
            await connection.execute("SELECT pg_advisory_unlock(%s)", (_SCHEMA_LOCK,))


def run_worker(url: str, *, name: str | None = None, lease: float = LEASE, scratch: Path | None = None,
               unsandboxed: bool = False) -> None:
    """Grade jobs from the queue at ``url`` until stopped (SIGINT or SIGTERM: after the current job).

    Parameters
    ----------
    url : str
        PostgreSQL URL of the queue.
    name : str, optional
        Worker name shown in the queue (default ``host:pid``).
    lease : float, default 30
        Seconds without a heartbeat after which this worker's job is given to another [s];
        the worker sends a heartbeat every ``lease / 3`` s.
    scratch : pathlib.Path, optional
        Private folder for submissions and kernels (default: a new temporary folder).
    unsandboxed : bool
        Accept jobs enqueued with ``--unsafe-no-sandbox``; otherwise the worker checks
        that bubblewrap works here and refuses to start if it does not.
    """
    if not lease >= 3:
        raise ValueError(f"lease = {lease!r} s: must be ≥ 3 s")
    if not unsandboxed:
        Sandbox.check()
    asyncio.run(_worker(url, name or f"{os.uname().nodename}:{os.getpid()}", lease, scratch))


async def _worker(url: str, name: str, lease: float, scratch: Path | None) -> None:
    async with await _connect(url):  # a clear error, before procrastinate's pool retries for 30 s
        pass
    app = make_app(url)
    own = scratch is None
    folder = Path(tempfile.mkdtemp(prefix="mgcourse-worker-")) if scratch is None else scratch
    executor = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="grading")
    pool = KernelPool()
    executor.submit(use_kernel_pool, pool).result()
    try:
        async with app.open_async():
            await _ensure_schema(app, url)
            await app.run_worker_async(
                queues=[QUEUE], name=name, concurrency=1, fetch_job_polling_interval=1.0,
                update_heartbeat_interval=lease / 3, stalled_worker_timeout=lease,
                additional_context={"url": url, "executor": executor, "scratch": folder, "name": name,
                                    "count": [0]},
            )
    finally:
        with contextlib.suppress(Exception):
            executor.submit(pool.close).result(timeout=60)
        executor.shutdown(wait=False)
        if own:
            shutil.rmtree(folder, ignore_errors=True)


# ======================================================================= the collecting process


def grade_queued(
    course: Course,
    assignment: str,
    url: str,
    *,
    students: Sequence[str] | None = None,
    options: GradeOptions | None = None,
    progress: Callable[[SubmissionResult], None] | None = None,
    lease: float = LEASE,
    poll: float = 0.5,
) -> list[SubmissionResult]:
    """Enqueue an assignment's submissions, wait for the workers, store every result.

    Parameters are those of :func:`mgcourse.grader.runner.grade_assignment`
    (``options.workers`` is not used: start ``mgcourse worker`` processes
    instead), plus ``url`` (PostgreSQL URL of the queue), ``lease`` (seconds
    without a heartbeat before a worker's job is given back) and ``poll`` [s].

    Returns
    -------
    list of SubmissionResult
        One per submission, in the order they were stored.
    """
    options = options if options is not None else GradeOptions()
    if not lease >= 3:
        raise ValueError(f"lease = {lease!r} s: must be ≥ 3 s")
    with course.gradebook() as gradebook:
        scratch = Path(tempfile.mkdtemp(prefix="mgcourse-collect-"))
        try:
            jobs, results = make_jobs(course, assignment, options, students, scratch,
                                      graded_students(gradebook, assignment))
            if progress is not None:
                for record in results:
                    progress(record)

            def store(result: SubmissionResult) -> None:
                keep_result(course, gradebook, result, results, progress)

            if jobs:
                asyncio.run(_enqueue_and_collect(url, jobs, scratch, store, options.force, lease, poll))
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    return results


async def _enqueue_and_collect(url: str, jobs: Sequence[GradingJob], scratch: Path,
                               store: Callable[[SubmissionResult], None], force: bool, lease: float,
                               poll: float) -> None:
    async with await _connect(url):  # a clear error, before procrastinate's pool retries for 30 s
        pass
    app = make_app(url)
    async with app.open_async():
        await _ensure_schema(app, url)
        async with await _connect(url) as connection:
            pending = await _enqueue(app, connection, jobs, force)
            while pending:
                for key, result in await _finished(connection, pending, scratch):
                    pending.pop(key)
                    store(result)
                for job in await app.job_manager.get_stalled_jobs(queue=QUEUE, seconds_since_heartbeat=lease):
                    await app.job_manager.retry_job(job)
                if pending:
                    await _requeue_lost(app, connection, pending)
                    await asyncio.sleep(poll)


async def _enqueue(app: Any, connection: Any, jobs: Sequence[GradingJob], force: bool) -> dict[str, dict[str,
                                                                                                    Any]]:
    """Defer every job without a result or a live job; returns the payloads by key."""
    pending: dict[str, dict[str, Any]] = {}
    for job in jobs:
        payload = job_payload(job)
        pending[payload["key"]] = payload
    keys = list(pending)
    if force:
        await connection.execute("DELETE FROM mgcourse_grading_results WHERE job_key = ANY(%s)", (keys,))
    await _requeue_lost(app, connection, pending)
    return pending


async def _requeue_lost(app: Any, connection: Any, pending: Mapping[str, dict[str, Any]]) -> None:
    """Defer the pending keys that have neither a result nor a job waiting or running."""
    cursor = await connection.execute(
        "SELECT k FROM unnest(%s::text[]) AS k WHERE NOT EXISTS "
        "(SELECT 1 FROM mgcourse_grading_results r WHERE r.job_key = k) AND NOT EXISTS "
        "(SELECT 1 FROM procrastinate_jobs j WHERE j.lock = k AND j.status IN ('todo', 'doing'))",
        (list(pending),),
    )
    for (key,) in await cursor.fetchall():
        await app.configure_task(TASK, queue=QUEUE, lock=key).defer_async(payload=pending[key])


async def _finished(connection: Any, pending: Mapping[str, Any], scratch: Path) -> list[tuple[str,
                                                                                               SubmissionResult]]:
    cursor = await connection.execute(
        "SELECT job_key, result, files FROM mgcourse_grading_results WHERE job_key = ANY(%s) "
        "ORDER BY stored_at",
        (list(pending),),
    )
    finished = []
    for key, data, files in await cursor.fetchall():
        result = SubmissionResult.from_json(data)
        if result.outcome != "failed":
            out = scratch / f"out-{hashlib.sha256(key.encode()).hexdigest()[:16]}"
            shutil.rmtree(out, ignore_errors=True)
            _decode_files(files, out)
            result.output = str(out)
        finished.append((str(key), result))
    return finished

