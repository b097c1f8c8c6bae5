"""Grades of an assignment as CSV files and a self-contained HTML report.

The grades CSV has nbgrader's export columns (``assignment``, ``duedate``,
``timestamp``, ``student_id``, ``raw_score``, ``late_submission_penalty``,
``score``, ``max_score``) followed by the grading outcome and one column per
test cell. Scores come from the gradebook, so manual grades are included. A
second CSV lists the identical and near-identical submissions
(:mod:`mgcourse.grader.similarity`).

The HTML report embeds its figures as base64 PNG images and needs nothing
else: the distribution of total scores, the pass rate of every test cell, the
most common failing checks (with the misconception they point to), the
submissions flagged for review and the similar pairs. Text from the records is
cleaned and HTML-escaped by the template, so no submission can break it.
"""

from __future__ import annotations

import base64
import csv
import io
import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from mgcourse.grader.course import Course
from mgcourse.grader.feedback import hint_for, printable, render
from mgcourse.grader.marking import manual_comments
from mgcourse.grader.master import Master, load_master
from mgcourse.grader.records import load_records
from mgcourse.grader.results import SubmissionResult
from mgcourse.grader.similarity import Similarity, SimilarityOptions, find_similar, pair_rows

__all__ = [
    "GradeRow",
    "ReportFiles",
    "grade_rows",
    "html_report",
    "render_report",
    "spreadsheet_text",
    "write_csv",
    "write_report",
    "write_similarity_csv",
]

#: Colour-blind-safe colours (Okabe and Ito).
_BLUE: Final = "#0072B2"
_GREEN: Final = "#009E73"
_VERMILION: Final = "#D55E00"
_EXPORT_COLUMNS: Final = (
    "assignment", "duedate", "timestamp", "student_id", "raw_score", "late_submission_penalty",
    "score", "max_score", "outcome", "needs_review",
)
_SIMILARITY_COLUMNS: Final = ("student_a", "student_b", "similarity", "kind")
#: Reasons listed per flagged submission.
_MAX_REASONS: Final = 12
#: Longest label of a bar chart [characters].
_MAX_LABEL: Final = 60


@dataclass
class GradeRow:
    """One submission's grades as the CSV and the report show them."""

    student_id: str
    assignment: str
    score: float | None
    max_score: float
    raw_score: float | None = None
    late_submission_penalty: float | None = None
    timestamp: str | None = None
    duedate: str | None = None
    outcome: str = "not graded"
    needs_review: bool = False
    cells: dict[str, float | None] = field(default_factory=dict)  # column → score


def _column(master: Master, notebook: str, grade_id: str) -> str:
    return grade_id if len(master.notebooks) == 1 else f"{notebook}/{grade_id}"


def grade_rows(course: Course, assignment: str) -> tuple[Master, list[GradeRow], dict[str, SubmissionResult]]:
    """Every submission's grades, from the gradebook and the grading records.

    Parameters
    ----------
    course : Course
        The course.
    assignment : str
        Assignment name.

    Returns
    -------
    master : Master
        The assignment's master snapshot.
    rows : list of GradeRow
        One row per student with a gradebook submission or a grading record,
        sorted by student id.
    records : dict of str to SubmissionResult
        The grading records.
    """
    master = load_master(course, assignment)
    records = load_records(course, assignment)
    rows: dict[str, GradeRow] = {}
    with course.gradebook() as gradebook:
        for submission in gradebook.assignment_submissions(assignment):
            student = str(submission.student.id)
            duedate = submission.duedate
            raw, penalty = float(submission.score), float(submission.late_submission_penalty or 0)
            row = GradeRow(  # the scores as nbgrader's export has them
                student, assignment, max(0.0, raw - penalty), float(submission.max_score),
                raw_score=raw, late_submission_penalty=penalty,
                timestamp=None if submission.timestamp is None else str(submission.timestamp),
                duedate=None if duedate is None else str(duedate),
            )
            for notebook in submission.notebooks:
                for grade in notebook.grades:
                    value = None if grade.score is None else float(grade.score)
                    row.cells[_column(master, str(notebook.name), str(grade.name))] = value
            rows[student] = row
    for student, record in records.items():
        row = rows.setdefault(student, GradeRow(student, assignment, None, master.max_score))
        row.outcome = str(record.outcome)
        row.needs_review = record.needs_review
    return master, [rows[s] for s in sorted(rows)], records


def _columns(master: Master) -> list[str]:
    return [_column(master, nb.name, c.grade_id) for nb in master.notebooks for c in nb.grade_cells]


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def spreadsheet_text(value: object) -> str:
    """A text cell of a CSV file that a spreadsheet shows as text, never runs as a formula.

    Parameters
    ----------
    value : object
        A student id, outcome or date.

    Returns
    -------
    str
        :func:`mgcourse.grader.feedback.printable` text (at most 300
        characters), with a leading ``'`` if it would start with ``=``, ``+``,
        ``-`` or ``@``.

    Examples
    --------
    >>> spreadsheet_text("=HYPERLINK(1)")
    "'=HYPERLINK(1)"
    """
    text = printable(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def _default_dir(course: Course) -> Path:
    return course.grading / "reports"


def write_csv(course: Course, assignment: str, path: Path | None = None) -> Path:
    """Write the grades CSV.

    Parameters
    ----------
    course : Course
        The course.
    assignment : str
        Assignment name.
    path : pathlib.Path, optional
        Output file; default ``grading/reports/<assignment>-grades.csv``.

    Returns
    -------
    pathlib.Path
        The file written.
    """
    master, rows, _ = grade_rows(course, assignment)
    comments = manual_comments(course, assignment)
    path = Path(path) if path is not None else _default_dir(course) / f"{assignment}-grades.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    cells = _columns(master)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow([*_EXPORT_COLUMNS, *cells, "comments"])
        for row in rows:
            writer.writerow([
                spreadsheet_text(row.assignment), spreadsheet_text(row.duedate or ""),
                spreadsheet_text(row.timestamp or ""), spreadsheet_text(row.student_id),
                _number(row.raw_score), _number(row.late_submission_penalty), _number(row.score),
                _number(row.max_score), spreadsheet_text(row.outcome), "yes" if row.needs_review else "no",
                *(_number(row.cells.get(column)) for column in cells),
                spreadsheet_text("; ".join(
                    f"{grade_id}: {text}"
                    for (_, grade_id), text in sorted(comments.get(row.student_id, {}).items())
                )),
            ])
    return path


def write_similarity_csv(similarity: Similarity, path: Path) -> Path:
    """Write the similar pairs: ``student_a, student_b, similarity, kind``, most similar first.

    Parameters
    ----------
    similarity : Similarity
        From :func:`mgcourse.grader.similarity.find_similar`.
    path : pathlib.Path
        Output file.

    Returns
    -------
    pathlib.Path
        The file written.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(_SIMILARITY_COLUMNS)
        for first, second, score, kind in pair_rows(similarity):
            writer.writerow([spreadsheet_text(first), spreadsheet_text(second), score, kind])
    return path


# ----------------------------------------------------------------- figures


def _png(figure: Any) -> str:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(figure)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _score_histogram(scores: Sequence[float], maximum: float) -> str:
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    figure = Figure(figsize=(6.0, 3.0))
    ax = figure.add_subplot()
    top = max(maximum, max(scores, default=0.0), 1.0)
    if top <= 40:  # one bar per whole point, centred on it
        bins = [k - 0.5 for k in range(int(top) + 2)]
    else:
        bins = [i * top / 20 for i in range(21)]
    ax.hist(scores, bins=bins, color=_BLUE, edgecolor="white")
    ax.set_xlabel("score (points)")
    ax.set_ylabel("submissions")
    ax.set_xlim(bins[0], bins[-1])
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.spines[["top", "right"]].set_visible(False)
    return _png(figure)


def _bar_chart(labels: Sequence[str], values: Sequence[float], xlabel: str, colour: str) -> str:
    """Horizontal bars; labels are shown as plain text (no mathtext), cut to 60 characters."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(6.0, 0.4 * len(labels) + 1.0))
    ax = figure.add_subplot()
    positions = list(range(len(labels)))[::-1]
    ax.barh(positions, values, color=colour)
    ax.set_yticks(positions, labels=[printable(label, _MAX_LABEL) for label in labels], parse_math=False)
    ax.set_xlabel(xlabel)
    ax.spines[["top", "right"]].set_visible(False)
    return _png(figure)


# ----------------------------------------------------------------- the report


def _pass_rates(master: Master, graded: Sequence[SubmissionResult]) -> list[dict[str, str | float]]:
    rates: list[dict[str, str | float]] = []
    for nb in master.notebooks:
        for test in nb.grade_cells:
            key = (nb.name, test.grade_id)
            results = [c for r in graded for c in r.cells if (c.notebook, c.grade_id) == key]
            passed = sum(1 for c in results if c.score is not None and c.score >= c.max_score)
            rates.append({
                "label": _column(master, nb.name, test.grade_id),
                "points": f"{test.points or 0:g}",
                "rate": 100.0 * passed / len(results) if results else 0.0,
            })
    return rates


def _flagged(records: dict[str, SubmissionResult]) -> list[dict[str, Any]]:
    rows = []
    for record in sorted(records.values(), key=lambda r: str(r.student)):
        if not record.needs_review:
            continue
        reasons = [f"{f.kind}: {f.detail}" for f in record.flags if f.review]
        if record.error:
            reasons.insert(0, f"grading failed: {record.error}")
        rows.append({
            "student": printable(record.student, 120),
            "outcome": printable(record.outcome, 40),
            "score": f"{record.score:g} / {record.max_score:g}",
            "reasons": [printable(reason) for reason in reasons[:_MAX_REASONS]],
            "more": max(len(reasons) - _MAX_REASONS, 0),
        })
    return rows


def render_report(
    master: Master,
    rows: Sequence[GradeRow],
    records: dict[str, SubmissionResult],
    similarity: Similarity | None = None,
) -> str:
    """The HTML report from grades already read (see :func:`html_report`).

    Parameters
    ----------
    master : Master
        The assignment's master snapshot.
    rows : sequence of GradeRow
        Grades, from :func:`grade_rows`.
    records : dict of str to SubmissionResult
        Grading records by student id.
    similarity : Similarity, optional
        Similar pairs; without it the report has no similarity section.

    Returns
    -------
    str
        A self-contained HTML document.
    """
    scores = [row.score for row in rows if row.score is not None]
    graded = [r for r in records.values() if r.outcome != "failed"]
    outcomes = Counter(printable(row.outcome, 40) for row in rows)
    context: dict[str, Any] = {
        "assignment": printable(master.assignment, 120),
        "count": len(rows),
        "summary": ", ".join(f"{count} {name}" for name, count in sorted(outcomes.items())),
        "maximum": f"{master.max_score:g}",
        "mean": f"{statistics.mean(scores):.1f}" if scores else None,
        "median": f"{statistics.median(scores):g}" if scores else None,
        "histogram": _score_histogram(scores, master.max_score) if scores else None,
        "rates": [], "rates_chart": None, "failures": [], "failures_chart": None,
        "flagged": _flagged(records), "similarity": None,
    }
    if graded and any(nb.grade_cells for nb in master.notebooks):
        rates = _pass_rates(master, graded)
        context["rates"] = rates
        context["rates_chart"] = _bar_chart(
            [str(r["label"]) for r in rates], [float(r["rate"]) for r in rates], "submissions passing (%)",
            _GREEN,
        )
    failures: Counter[tuple[str, str]] = Counter()
    for record in graded:
        for cell in record.cells:
            label = printable(_column(master, cell.notebook, cell.grade_id), 120)
            if cell.status == "failed":
                failures[(label, printable(cell.message or "(an assertion without a message)"))] += 1
            elif cell.status in ("error", "timeout"):
                failures[(label, f"{printable(cell.ename or 'error', 80)} while the test ran")] += 1
    if failures:
        common = failures.most_common(12)
        context["failures"] = []
        for (label, message), count in common:
            hint = hint_for(message)
            context["failures"].append({
                "count": count, "label": label, "message": message,
                "misconception": hint.category if hint else "",
            })
        context["failures_chart"] = _bar_chart(
            [f"{label}: {message}" for (label, message), _ in common], [n for _, n in common],
            "submissions", _VERMILION,
        )
    if similarity is not None:
        context["similarity"] = {
            "threshold": f"{similarity.options.threshold:g}",
            "compared": len(similarity.compared),
            "too_short": len(similarity.too_short),
            "pairs": [
                {"first": printable(first, 120), "second": printable(second, 120), "score": score,
                 "kind": kind}
                for first, second, score, kind in pair_rows(similarity)
            ],
        }
    return render("report.html.j2", **context)


def html_report(
    course: Course, assignment: str, similarity: Similarity | None = None
) -> str:
    """The HTML report of an assignment (figures embedded, no external resources).

    Parameters
    ----------
    course : Course
        The course.
    assignment : str
        Assignment name.
    similarity : Similarity, optional
        Similar pairs; default :func:`mgcourse.grader.similarity.find_similar`
        with its default options.

    Returns
    -------
    str
        A self-contained HTML document.
    """
    master, rows, records = grade_rows(course, assignment)
    if similarity is None:
        similarity = find_similar(course, assignment)
    return render_report(master, rows, records, similarity)


@dataclass(frozen=True)
class ReportFiles:
    """The files :func:`write_report` wrote."""

    grades: Path
    similarity: Path
    report: Path


def write_report(
    course: Course,
    assignment: str,
    out: Path | None = None,
    options: SimilarityOptions | None = None,
) -> ReportFiles:
    """Write ``<assignment>-grades.csv``, ``<assignment>-similarity.csv`` and ``<assignment>-report.html``.

    Parameters
    ----------
    course : Course
        The course.
    assignment : str
        Assignment name.
    out : pathlib.Path, optional
        Output folder; default ``grading/reports``.
    options : SimilarityOptions, optional
        How submissions are compared (threshold 0.9 by default).

    Returns
    -------
    ReportFiles
        The grades CSV, the similarity CSV and the HTML report.
    """
    folder = Path(out) if out is not None else _default_dir(course)
    folder.mkdir(parents=True, exist_ok=True)
    similarity = find_similar(course, assignment, options)
    grades = write_csv(course, assignment, folder / f"{assignment}-grades.csv")
    pairs = write_similarity_csv(similarity, folder / f"{assignment}-similarity.csv")
    report = folder / f"{assignment}-report.html"
    report.write_text(html_report(course, assignment, similarity), encoding="utf-8", errors="replace")
    return ReportFiles(grades, pairs, report)
