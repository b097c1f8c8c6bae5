"""What grading produces: options in, one result per submission out (plain dataclasses)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


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
    budget : float, default 300
        Wall-clock time one submission may take in all [s]. A submission that
        reaches it is stopped, its remaining tests score 0, and it is flagged.
    memory_mb : int, default 2048
        Address-space cap of every process in a student's sandbox [MB].
    processes : int, default 64
        Processes and threads a student's sandbox may hold at once.
    file_mb : int, default 64
        Largest file a student's kernel may write [MB].
    output_limit : int, default 1_000_000
        Characters of output kept per cell; the rest is dropped as it arrives.
    force : bool, default False
        Grade submissions again even if they are already graded and unchanged.
    unsandboxed : bool, default False
        Run student kernels without the bubblewrap boundary (only limits and the
        separate checker). For machines without bubblewrap; never for a class
        whose submissions you do not trust.
    """

    workers: int = 2
    timeout: float | None = None
    budget: float = 300.0
    memory_mb: int = 2048
    processes: int = 64
    file_mb: int = 64
    output_limit: int = 1_000_000
    force: bool = False
    unsandboxed: bool = False

    def __post_init__(self) -> None:
        if self.workers < 1:
            raise ValueError(f"workers = {self.workers!r}: need at least 1 worker process")
        if self.timeout is not None and not self.timeout > 0:
            raise ValueError(f"timeout = {self.timeout!r} s: the cell time limit must be > 0 s")
        if not self.budget >= 1:
            raise ValueError(f"budget = {self.budget!r} s: a submission's time budget must be ≥ 1 s")
        if self.memory_mb < 100:
            raise ValueError(f"memory_mb = {self.memory_mb!r} MB: the memory cap must be ≥ 100 MB")
        if self.processes < 8:
            raise ValueError(f"processes = {self.processes!r}: a kernel needs at least 8 processes")
        if self.file_mb < 1:
            raise ValueError(f"file_mb = {self.file_mb!r} MB: the file size cap must be ≥ 1 MB")
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

