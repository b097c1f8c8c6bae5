"""Grades of an assignment as a CSV file and a self-contained HTML report.

The CSV has nbgrader's export columns (``assignment``, ``duedate``,
``timestamp``, ``student_id``, ``raw_score``, ``late_submission_penalty``,
``score``, ``max_score``) followed by the grading outcome and one column per
test cell. Scores come from the gradebook, so manual grades are included.

The HTML report embeds its figures as base64 PNG images and needs nothing
else: the distribution of total scores, the pass rate of every test cell, the
most common failing checks (with the misconception they point to) and the
submissions flagged for review.
"""

from __future__ import annotations

import base64
import csv
import html
import io
import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from mgcourse.autograde import Master, SubmissionResult, load_master, load_records
from mgcourse.feedback import hint_for

__all__ = ["GradeRow", "grade_rows", "html_report", "write_csv", "write_report"]

#: Colour-blind-safe colours (Okabe and Ito).
_BLUE: Final = "#0072B2"
_ORANGE: Final = "#E69F00"
_GREEN: Final = "#009E73"
_VERMILION: Final = "#D55E00"
_EXPORT_COLUMNS: Final = (
    "assignment", "duedate", "timestamp", "student_id", "raw_score", "late_submission_penalty",
    "score", "max_score", "outcome", "needs_review",
)


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


def grade_rows(assignment: str, root: Path) -> tuple[Master, list[GradeRow], dict[str, SubmissionResult]]:
    """Every submission's grades, from the gradebook and the grading records.

    Parameters
    ----------
    assignment : str
        Assignment name.
    root : pathlib.Path
        Course directory.

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
    from nbgrader.api import Gradebook

    from mgcourse.grading import _scripts_on_path, load_config

    root = Path(root).resolve()
    config = load_config(root)
    master = load_master(assignment, root, config)
    records = load_records(assignment, root, config)
    directory = config.CourseDirectory
    rows: dict[str, GradeRow] = {}
    with _scripts_on_path(), Gradebook(str(directory.db_url), str(directory.course_id)) as gradebook:
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
        row.outcome = record.outcome
        row.needs_review = record.needs_review
    return master, [rows[s] for s in sorted(rows)], records


def _columns(master: Master) -> list[str]:
    return [_column(master, nb.name, c.grade_id) for nb in master.notebooks for c in nb.grade_cells]


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def write_csv(assignment: str, root: Path, path: Path | None = None) -> Path:
    """Write the grades CSV.

    Parameters
    ----------
    assignment : str
        Assignment name.
    root : pathlib.Path
        Course directory.
    path : pathlib.Path, optional
        Output file; default ``grading/reports/<assignment>-grades.csv``.

    Returns
    -------
    pathlib.Path
        The file written.
    """
    master, rows, _ = grade_rows(assignment, root)
    path = Path(path) if path is not None else _default_dir(root) / f"{assignment}-grades.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    cells = _columns(master)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow([*_EXPORT_COLUMNS, *cells])
        for row in rows:
            writer.writerow([
                row.assignment, row.duedate or "", row.timestamp or "", row.student_id,
                _number(row.raw_score), _number(row.late_submission_penalty), _number(row.score),
                _number(row.max_score), row.outcome, "yes" if row.needs_review else "no",
                *(_number(row.cells.get(column)) for column in cells),
            ])
    return path


def _default_dir(root: Path) -> Path:
    from mgcourse.grading import load_config

    config = load_config(Path(root).resolve())
    return (Path(root).resolve() / str(config.CourseDirectory.autograded_directory)).parent / "reports"


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
    from matplotlib.figure import Figure

    figure = Figure(figsize=(6.0, 0.4 * len(labels) + 1.0))
    ax = figure.add_subplot()
    positions = list(range(len(labels)))[::-1]
    ax.barh(positions, values, color=colour)
    ax.set_yticks(positions, labels=[label if len(label) <= 60 else label[:57] + "…" for label in labels])
    ax.set_xlabel(xlabel)
    ax.spines[["top", "right"]].set_visible(False)
    return _png(figure)


def html_report(assignment: str, root: Path) -> str:
    """The HTML report of an assignment (figures embedded, no external resources).

    Parameters
    ----------
    assignment : str
        Assignment name.
    root : pathlib.Path
        Course directory.

    Returns
    -------
    str
        A self-contained HTML document.
    """
    master, rows, records = grade_rows(assignment, root)
    esc = html.escape
    scores = [row.score for row in rows if row.score is not None]
    graded = [r for r in records.values() if r.outcome != "failed"]
    parts = [
        "<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
        f"<title>Grading report: {esc(assignment)}</title>",
        "<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;"
        "color:#1a1a1a}table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #ccc;"
        "padding:.25rem .5rem;text-align:left;vertical-align:top}th{background:#f3f3f3}"
        "img{max-width:100%}</style></head><body>",
        f"<h1>Grading report: {esc(assignment)}</h1>",
    ]
    outcomes = Counter(row.outcome for row in rows)
    summary = ", ".join(f"{count} {name}" for name, count in sorted(outcomes.items()))
    parts.append(f"<p>{len(rows)} submissions ({esc(summary)}); maximum {master.max_score:g} points.")
    if scores:
        parts.append(
            f" Mean score {statistics.mean(scores):.1f}, median {statistics.median(scores):g}."
        )
    parts.append("</p>")
    if scores:
        parts.append("<h2>Score distribution</h2>")
        parts.append(
            f'<img alt="Histogram of the total scores of {len(scores)} submissions" '
            f'src="data:image/png;base64,{_score_histogram(scores, master.max_score)}">'
        )
    tests = [(nb.name, test) for nb in master.notebooks for test in nb.grade_cells]
    if graded and tests:
        rates = []
        for notebook, test in tests:
            results = [
                c for r in graded for c in r.cells if (c.notebook, c.grade_id) == (notebook, test.grade_id)
            ]
            passed = sum(1 for c in results if c.score is not None and c.score >= c.max_score)
            rates.append(100.0 * passed / len(results) if results else 0.0)
        labels = [_column(master, nb, test.grade_id) for nb, test in tests]
        parts.append("<h2>Pass rate of each test cell</h2>")
        parts.append(
            '<img alt="Bar chart of the percentage of submissions passing each test cell" '
            f'src="data:image/png;base64,{_bar_chart(labels, rates, "submissions passing (%)", _GREEN)}">'
        )
        parts.append("<table><tr><th>test cell</th><th>points</th><th>passing</th></tr>")
        for label, (_, test), rate in zip(labels, tests, rates, strict=True):
            parts.append(f"<tr><td>{esc(label)}</td><td>{test.points or 0:g}</td><td>{rate:.0f} %</td></tr>")
        parts.append("</table>")
    failures: Counter[tuple[str, str]] = Counter()
    for record in graded:
        for cell in record.cells:
            label = _column(master, cell.notebook, cell.grade_id)
            if cell.status == "failed":
                failures[(label, cell.message or "(an assertion without a message)")] += 1
            elif cell.status in ("error", "timeout"):
                failures[(label, f"{cell.ename or 'error'} while the test ran")] += 1
    if failures:
        common = failures.most_common(12)
        labels = [f"{label}: {message}" for (label, message), _ in common]
        parts.append("<h2>Most common failing checks</h2>")
        parts.append(
            '<img alt="Bar chart of how many submissions failed each of the most common checks" '
            'src="data:image/png;base64,'
            f'{_bar_chart(labels, [n for _, n in common], "submissions", _VERMILION)}">'
        )
        parts.append("<table><tr><th>submissions</th><th>test cell</th><th>message</th>"
                     "<th>misconception</th></tr>")
        for (label, message), count in common:
            hint = hint_for(message)
            parts.append(
                f"<tr><td>{count}</td><td>{esc(label)}</td><td>{esc(message)}</td>"
                f"<td>{esc(hint.category) if hint else ''}</td></tr>"
            )
        parts.append("</table>")
    flagged = [r for r in sorted(records.values(), key=lambda r: r.student) if r.needs_review]
    parts.append(f"<h2>Flagged for review ({len(flagged)})</h2>")
    if flagged:
        parts.append("<table><tr><th>student</th><th>outcome</th><th>score</th><th>why</th></tr>")
        for record in flagged:
            reasons = [f"{f.kind}: {f.detail}" for f in record.flags if f.review]
            if record.error:
                reasons.insert(0, f"grading failed: {record.error}")
            shown = "".join(f"<li>{esc(reason[:300])}</li>" for reason in reasons[:12])
            more = f"<li>… {len(reasons) - 12} more</li>" if len(reasons) > 12 else ""
            parts.append(
                f"<tr><td>{esc(record.student)}</td><td>{esc(record.outcome)}</td>"
                f"<td>{record.score:g} / {record.max_score:g}</td><td><ul>{shown}{more}</ul></td></tr>"
            )
        parts.append("</table>")
    else:
        parts.append("<p>None.</p>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def write_report(assignment: str, root: Path, out: Path | None = None) -> tuple[Path, Path]:
    """Write ``<assignment>-grades.csv`` and ``<assignment>-report.html``.

    Parameters
    ----------
    assignment : str
        Assignment name.
    root : pathlib.Path
        Course directory.
    out : pathlib.Path, optional
        Output folder; default ``grading/reports``.

    Returns
    -------
    (pathlib.Path, pathlib.Path)
        The CSV file and the HTML file.
    """
    folder = Path(out) if out is not None else _default_dir(root)
    folder.mkdir(parents=True, exist_ok=True)
    csv_path = write_csv(assignment, root, folder / f"{assignment}-grades.csv")
    html_path = folder / f"{assignment}-report.html"
    html_path.write_text(html_report(assignment, root), encoding="utf-8")
    return csv_path, html_path
