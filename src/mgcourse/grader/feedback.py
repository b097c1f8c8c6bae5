"""Per-student HTML feedback that never shows hidden tests.

The page is built from the grading record (:mod:`mgcourse.autograde`), the
gradebook (final scores, including manual ones) and the master's test cells. For
each test cell it shows pass or fail, the points, and a message: the test's own
assertion message when the student already saw it (a visible check) or when it
is one of the hidden checks' "did you …?" questions, with a short "what to
check" hint for the classic misconceptions. Tracebacks, hidden test code,
outputs of test cells and error details that could quote hidden values are never
shown, and the finished page is searched for every line of the masters'
solutions and hidden tests before it is written.
"""

from __future__ import annotations

import html
import re
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from mgcourse.autograde import (
    EXCHANGE_FILES,
    CellResult,
    Flag,
    Master,
    SubmissionResult,
    assertion_messages,
    load_master,
    load_records,
    visible_source,
)

__all__ = [
    "HINTS",
    "Hint",
    "feedback_html",
    "generate_feedback",
    "hint_for",
    "shareable_message",
]


@dataclass(frozen=True)
class Hint:
    """A misconception and what to check for it.

    Parameters
    ----------
    category : str
        Short name of the misconception (e.g. ``"salt vs elemental mass"``).
    pattern : str
        Regular expression matched (case-insensitively) against a failing
        check's message.
    text : str
        What the student should check, in one or two sentences.
    """

    category: str
    pattern: str
    text: str


#: Misconceptions recognised in the tests' messages, most specific first.
HINTS: Final = (
    Hint(
        "scalar vs array",
        r"numpy arrays|element by element|element-wise",
        "Arrays: make the function work element by element on numpy arrays (np.maximum, not max; "
        "no if on an array).",
    ),
    Hint(
        "salt vs elemental mass",
        r"elemental|\bsalt\b|molar mass|hydrate|formula unit|Mg atoms",
        "Count magnesium, not the salt: elemental Mg = salt mass × 24.305 × (Mg atoms per formula "
        "unit) / molar mass of the salt, including its water of crystallisation.",
    ),
    Hint(
        "total vs free nucleotide",
        r"free ADP|total ADP|MgADP|ADP³⁻|ATP⁴⁻|total nucleotide|not total",
        "Total vs free: only part of the total ADP or ATP is free or bound to Mg²⁺; put the species "
        "the formula names into it, not the total.",
    ),
    Hint(
        "ln vs log10",
        r"log10|logarithm|np\.log\b|\bln\b",
        "Logarithm base: np.log is the natural logarithm (ln) and np.log10 the decimal one; use "
        "the base the formula states.",
    ),
    Hint(
        "clamp at zero",
        r"max\(0|floor|clamp",
        "Quantities such as τ², I² or a deficit cannot be negative: clamp with max(0, ·) "
        "(np.maximum for arrays).",
    ),
    Hint(
        "variance vs SD",
        r"\bSDs?\b|SE²|SD²|τ²|variance|1/SE",
        "Variance vs standard deviation: SE = SD/√n, variances (SE², τ²) add while standard "
        "deviations do not, and inverse-variance weights are 1/SE².",
    ),
    Hint(
        "insulin units",
        r"pmol/L|µU/mL|uU/mL",
        "Insulin units: divide pmol/L by 6.00 to get µU/mL before putting insulin into an index.",
    ),
    Hint(
        "mg/dL vs mmol/L",
        r"mg/dL|mmol/L",
        "Units: check whether each formula needs mg/dL or mmol/L and convert with the task's factor "
        "(glucose 18.016, magnesium 2.4305, triglycerides 88.57) before using the value.",
    ),
    Hint(
        "molar prefixes",
        r"\b(nM|µM|mM)\b|1e9|1e-9|\bin M\b",
        "Prefixes: 1 M = 10³ mM = 10⁶ µM = 10⁹ nM; check the unit each function expects and returns.",
    ),
    Hint(
        "sign of a difference",
        r"check the sign|minus|subtract|prediction",
        "Sign: subtract in the order the task states (new − reference) and check the sign against "
        "your prediction.",
    ),
    Hint(
        "percent vs fraction",
        r"in %|as a fraction",
        "Percent vs fraction: a fraction × 100 is a percentage; give the one the task asks for.",
    ),
    Hint(
        "transient",
        r"transient|first 60 s|window",
        "Time window: discard the transient before measuring, and divide by the length of the "
        "window you kept.",
    ),
    Hint(
        "events vs samples",
        r"crossing|samples above",
        "Events vs samples: count each upward crossing of the threshold once, not every sample "
        "above it.",
    ),
    Hint(
        "arguments",
        r"passed in|parameters passed|argument",
        "Use the arguments passed to your function, not global variables or fixed numbers.",
    ),
)

_STATUS: Final = {
    "passed": "passed",
    "partial": "partly passed",
    "failed": "failed",
    "error": "error",
    "timeout": "time limit",
    "not_run": "not run",
    "deleted": "deleted",
    "missing": "no notebook",
    "untrusted": "under review",
    "manual": "graded by hand",
}
#: Flag kinds explained to students without their details.
_PRIVATE_KINDS: Final = frozenset(
    {"tampering", "suspicious_code", "file_access", "process", "sandbox"}
)


def hint_for(message: str) -> Hint | None:
    """The misconception a failing check's message points to.

    Parameters
    ----------
    message : str
        A test's assertion message.

    Returns
    -------
    Hint or None
        The first entry of :data:`HINTS` whose pattern matches, if any.

    Examples
    --------
    >>> hint_for("did you use decimal logarithms (np.log10) rather than np.log?").category
    'ln vs log10'
    """
    for hint in HINTS:
        if re.search(hint.pattern, message, flags=re.IGNORECASE):
            return hint
    return None


def shareable_message(message: str | None, test_source: str) -> str | None:
    """The failing check's message if a student may see it, else ``None``.

    Parameters
    ----------
    message : str or None
        The assertion message a test cell failed with.
    test_source : str
        The master's test cell, hidden tests included.

    Returns
    -------
    str or None
        ``message`` if it belongs to a visible check (the student saw it) or is
        one of the hidden checks' "did you …?" questions.

    Examples
    --------
    >>> shareable_message("did you add one?", "### BEGIN HIDDEN TESTS\\nassert x, 'did you add one?'")
    'did you add one?'
    """
    if not message:
        return None
    if message in assertion_messages(visible_source(test_source)):
        return message
    if "did you" in message.lower() and message in assertion_messages(test_source):
        return message
    return None


def _explain(cell: CellResult, source: str) -> tuple[str, Hint | None]:
    """What to tell the student about one test cell."""
    message = shareable_message(cell.message, source)
    if cell.status == "passed":
        return "All checks passed.", None
    if cell.status == "manual":
        return "This answer is graded by hand.", None
    if cell.status == "deleted":
        return (
            "This test cell was missing from your notebook, so it scores 0. Never delete, move "
            "out or edit the test cells.", None,
        )
    if cell.status == "missing":
        return "No readable notebook was found for this test, so it scores 0.", None
    if cell.status == "untrusted":
        return (
            "This test could not be run reliably in your notebook, so it scores 0 until the "
            "instructor has reviewed your submission.", None,
        )
    if cell.status == "not_run":
        return "Not run: the notebook's kernel had stopped before this test (see the notes).", None
    if cell.status == "timeout":
        return "The test ran longer than the time limit; look for a loop that never ends.", None
    if message is not None:
        return message, hint_for(message)
    if cell.ename == "AssertionError":
        return "A hidden check of this task failed: re-read the task's units and formula.", None
    if cell.ename == "NameError":
        name = re.search(r"name '(\w+)' is not defined", cell.detail or "")
        what = f" ({name.group(1)})" if name else ""
        return (
            f"A name the test uses is not defined{what}: keep the names the task asks for and run "
            "every cell from the top.", None,
        )
    if cell.ename == "NotImplementedError":
        return "Your answer still raises NotImplementedError: replace the stub with your code.", None
    if cell.ename == "stderr":
        return (
            "Running the test wrote a warning or error message, which counts as a failure; check "
            "your code for warnings (for example a logarithm of a negative number).", None,
        )
    if cell.ename:
        return f"Your code raised {cell.ename} when the test called it.", None
    return "The test did not pass.", None


def _flag_text(flag: Flag) -> str:
    if flag.kind in _PRIVATE_KINDS:
        return (
            "Your notebook changes the environment the tests run in or reaches outside the "
            "submission; the instructor will review it."
        )
    return flag.detail[:1].upper() + flag.detail[1:]


_CSS: Final = """
body { font-family: system-ui, sans-serif; max-width: 52rem; margin: 2rem auto; padding: 0 1rem;
       color: #1a1a1a; line-height: 1.45; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.15rem; margin-top: 2rem; }
.score { font-size: 1.2rem; font-weight: 600; }
.test { border: 1px solid #ccc; border-left-width: 6px; border-radius: 4px; padding: .6rem .9rem;
        margin: .8rem 0; }
.test.ok { border-left-color: #009E73; } .test.bad { border-left-color: #D55E00; }
.test.other { border-left-color: #E69F00; }
.badge { font-weight: 600; } .points { float: right; font-variant-numeric: tabular-nums; }
.hint { background: #f3f6fa; border-radius: 4px; padding: .4rem .6rem; margin-top: .4rem; }
pre { background: #f6f6f6; padding: .5rem; overflow-x: auto; font-size: .85rem; }
.notes li { margin: .3rem 0; }
"""


def feedback_html(
    result: SubmissionResult,
    master: Master,
    scores: Mapping[tuple[str, str], tuple[float | None, float]] | None = None,
    notebook: str | None = None,
) -> str:
    """The feedback page of one submission, or of one of its notebooks.

    Parameters
    ----------
    result : SubmissionResult
        The grading record.
    master : Master
        The master snapshot (test sources, for the visible checks and messages).
    scores : mapping, optional
        ``(notebook, grade_id) → (score, max_score)`` from the gradebook; manual
        scores there take precedence over the record's automatic ones.
    notebook : str, optional
        Only this notebook's tests and errors (the page nbgrader releases for
        it); the score of the whole assignment is shown as well.

    Returns
    -------
    str
        A self-contained HTML document.
    """
    scores = scores or {}
    sources = {(nb.name, c.grade_id): c.source for nb in master.notebooks for c in nb.grade_cells}
    esc = html.escape

    def points(cells: Sequence[CellResult]) -> tuple[float, float]:
        got = sum((scores.get((c.notebook, c.grade_id), (c.score, 0))[0] or 0.0) for c in cells)
        return got, sum(c.max_score for c in cells)

    total, maximum = points(result.cells)
    cells = [c for c in result.cells if notebook is None or c.notebook == notebook]
    errors = [e for e in result.errors if notebook is None or e.notebook == notebook]
    heading = esc(result.assignment) + (f" — {esc(notebook)}.ipynb" if notebook is not None else "")
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>Feedback: {heading} — {esc(result.student)}</title>",
        f"<style>{_CSS}</style></head><body>",
        f"<h1>Feedback on {heading}</h1>",
        f"<p>Student: <strong>{esc(result.student)}</strong></p>",
        f'<p class="score">Score: {total:g} / {maximum:g}</p>',
    ]
    if notebook is not None and len(master.notebooks) > 1:
        got, top = points(cells)
        others = ", ".join(f"{nb.name}.ipynb" for nb in master.notebooks if nb.name != notebook)
        parts.append(
            f"<p>This page covers {esc(notebook)}.ipynb: {got:g} / {top:g} points. "
            f"The other notebooks of the assignment ({esc(others)}) have pages of their own.</p>"
        )
    if result.late_penalty > 0:
        parts.append(
            f"<p>Handed in {result.seconds_late / 3600:.1f} h after the due date: "
            f"{result.late_penalty:g} points off, {max(total - result.late_penalty, 0.0):g} / "
            f"{maximum:g} after the late penalty.</p>"
        )
    if result.needs_review:
        parts.append(
            "<p><strong>Your submission has been flagged for review by the instructor;</strong> "
            "the score may change.</p>"
        )
    parts.append("<h2>Tests</h2>")
    for cell in cells:
        source = sources.get((cell.notebook, cell.grade_id), "")
        score = scores.get((cell.notebook, cell.grade_id), (cell.score, cell.max_score))[0]
        text, hint = _explain(cell, source)
        kind = "ok" if cell.status == "passed" else "bad" if cell.status in ("failed", "error") else "other"
        symbol = "✓" if kind == "ok" else "✗" if kind == "bad" else "•"
        title = visible_source(source).strip().splitlines()[0].strip('"') if source.strip() else ""
        parts.append(f'<div class="test {kind}">')
        shown = "–" if score is None else f"{score:g}"
        parts.append(
            f'<span class="badge">{symbol} {esc(cell.grade_id)}: {esc(_STATUS.get(cell.status, cell.status))}'
            f'</span><span class="points">{shown} / {cell.max_score:g} points</span>'
        )
        if title:
            parts.append(f"<p><em>{esc(title)}</em></p>")
        parts.append(f"<p>{esc(text)}</p>")
        if hint is not None:
            parts.append(f'<p class="hint"><strong>What to check ({esc(hint.category)}):</strong> '
                         f"{esc(hint.text)}</p>")
        visible = visible_source(source).strip()
        if visible and cell.status != "passed":
            parts.append(f"<details><summary>The check you could see</summary><pre>{esc(visible)}</pre>"
                         "</details>")
        parts.append("</div>")
    if errors:
        parts.append("<h2>Errors in your own cells</h2><ul class=\"notes\">")
        for error in errors[:20]:
            parts.append(f"<li>{esc(error.cell)}: {esc(error.ename)}: {esc(error.evalue[:200])}</li>")
        parts.append("</ul>")
    notes = list(dict.fromkeys(_flag_text(flag) for flag in result.flags))
    if notes:
        parts.append('<h2>Notes from grading</h2><ul class="notes">')
        parts += [f"<li>{esc(note)}</li>" for note in notes]
        parts.append("</ul>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


#: ``(notebook, grade_id) → (score, max_score)`` of one submission.
Scores = dict[tuple[str, str], tuple[float | None, float]]


def _gradebook_scores(assignment: str, root: Path) -> dict[str, Scores]:
    from nbgrader.api import Gradebook

    from mgcourse.grading import _scripts_on_path, load_config

    config = load_config(root)
    directory = config.CourseDirectory
    found: dict[str, Scores] = {}
    with _scripts_on_path(), Gradebook(str(directory.db_url), str(directory.course_id)) as gradebook:
        for submission in gradebook.assignment_submissions(assignment):
            cells = found.setdefault(str(submission.student.id), {})
            for notebook in submission.notebooks:
                for grade in notebook.grades:
                    score = None if grade.score is None else float(grade.score)
                    cells[(str(notebook.name), str(grade.name))] = (score, float(grade.max_score))
    return found


def generate_feedback(
    assignment: str, root: Path, *, students: Sequence[str] | None = None
) -> dict[str, list[Path]]:
    """Write ``grading/feedback/<student>/<assignment>/<notebook>.html`` for graded submissions.

    One page per notebook of the assignment, named like the notebook, which is
    where nbgrader's ``release_feedback`` looks for it.

    Parameters
    ----------
    assignment : str
        Assignment name (graded with :func:`mgcourse.autograde.grade_assignment`).
    root : pathlib.Path
        Course directory.
    students : sequence of str, optional
        Only these students (default: every graded submission).

    Returns
    -------
    dict of str to list of pathlib.Path
        The pages written for each student.

    Raises
    ------
    mgcourse.grading.GradingError
        If a page would contain a line of a solution or a hidden test (nothing
        is written for that student then) or the assignment is not in the gradebook.
    """
    from mgcourse.grading import GradingError, leak_snippets, load_config

    root = Path(root).resolve()
    config = load_config(root)
    master = load_master(assignment, root, config)
    records = load_records(assignment, root, config)
    scores = _gradebook_scores(assignment, root)
    source = root / str(config.CourseDirectory.source_directory) / assignment
    snippets = {line for path in sorted(source.glob("*.ipynb")) for line in leak_snippets(path)}
    markers = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")
    feedback = root / str(config.CourseDirectory.feedback_directory)
    autograded = root / str(config.CourseDirectory.autograded_directory)
    written: dict[str, list[Path]] = {}
    for student, record in sorted(records.items()):
        if record.outcome == "failed" or (students is not None and student not in students):
            continue
        pages = {nb.name: feedback_html(record, master, scores.get(student), nb.name)
                 for nb in master.notebooks}
        for page in pages.values():
            text = page + "\n" + html.unescape(re.sub(r"<[^>]+>", "", page))
            leaks = [m for m in markers if m in text] + [line for line in snippets if line in text]
            if leaks:
                raise GradingError(
                    f"feedback for {student!r} would show hidden or solution text ({leaks[0]!r}); "
                    "nothing was written for this student"
                )
        folder = feedback / student / assignment
        folder.mkdir(parents=True, exist_ok=True)
        for stale in folder.glob("*.html"):  # a notebook no longer in the assignment
            if stale.stem not in pages:
                stale.unlink()
        written[student] = []
        for name, page in pages.items():
            (folder / f"{name}.html").write_text(page, encoding="utf-8")
            written[student].append(folder / f"{name}.html")
        graded = autograded / student / assignment
        for name in EXCHANGE_FILES:  # nbgrader release_feedback finds the student by these
            if (graded / name).is_file():
                shutil.copyfile(graded / name, folder / name)
    return written
