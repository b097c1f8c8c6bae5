"""Per-student HTML feedback that never shows hidden tests or solutions.

The page is built from the grading record (:mod:`mgcourse.grader.records`), the
gradebook (final scores, including manual ones) and the master's test cells. For
each test cell it shows pass or fail, the points, and a message: the test's own
assertion message when the student already saw it (a visible check) or when it
is one of the hidden checks' "did you …?" questions, with a short "what to
check" hint for the classic misconceptions. Tracebacks, hidden test code,
outputs of test cells and error details that could quote hidden values are never
shown.

Everything a student controls (error messages, exception names, cell ids,
flag details, the student id) is cleaned of control characters, cut to a
bounded length, shown in quotes and HTML-escaped by the template. Before a page
is written it is searched for the master's actual solution and hidden-test lines
(:func:`mgcourse.grader.release.leak_snippets`); student text that contains one
is withheld, and a page that would still show one is not written. One student's
page failing never stops the others: :func:`generate_feedback` returns what was
written and what failed, per student.
"""

from __future__ import annotations

import functools
import html
import re
import shutil
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import jinja2

from mgcourse.grader.course import Course
from mgcourse.grader.marking import manual_comments
from mgcourse.grader.master import Master, load_master, visible_source
from mgcourse.grader.records import EXCHANGE_FILES, load_records
from mgcourse.grader.release import leak_snippets
from mgcourse.grader.results import CellResult, Flag, SubmissionResult
from mgcourse.grader.scan import assertion_messages

__all__ = [
    "HINTS",
    "FeedbackRun",
    "Hint",
    "StudentText",
    "feedback_html",
    "generate_feedback",
    "gradebook_scores",
    "hint_for",
    "leaked_lines",
    "master_secrets",
    "printable",
    "render",
    "shareable_message",
    "write_feedback",
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
#: Most errors of the student's own cells listed on a page.
_MAX_ERRORS: Final = 20
#: Longest error message shown [characters].
_MAX_MESSAGE: Final = 200
#: Longest flag detail shown [characters].
_MAX_DETAIL: Final = 300
#: Largest exchange file (``timestamp.txt``, ``submission_secret.txt``) copied [bytes].
_MAX_EXCHANGE_BYTES: Final = 4096
#: What replaces student text that quotes a solution or hidden test.
WITHHELD: Final = "(not shown)"

# C0 and C1 control characters (tab and newline kept), lone surrogates, and the
# bidirectional overrides that can make text read differently from what it is.
_UNPRINTABLE: Final = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\u202a-\u202e\u2066-\u2069]")
_TAG: Final = re.compile(r"<[^>]*>")


def printable(text: object, limit: int = 300) -> str:
    """Student-controlled text made safe to put into a page or a table cell.

    Parameters
    ----------
    text : object
        Any value from a grading record; anything but a string is shown as ``str(text)``.
    limit : int, default 300
        Longest result [characters]; longer text is cut and ends in ``…``.

    Returns
    -------
    str
        ``text`` without control characters, lone surrogates (which cannot be
        written as UTF-8) and bidirectional overrides, each replaced by ``�``.
        It still needs HTML escaping, which the templates do.

    Raises
    ------
    ValueError
        If ``limit`` is below 1 character.

    Examples
    --------
    >>> printable("a\\x00b" + "c" * 10, limit=5)
    'a�bc…'
    """
    if limit < 1:
        raise ValueError(f"limit = {limit!r} characters: must be ≥ 1 character")
    value = text if isinstance(text, str) else str(text)
    if len(value) > limit:
        value = value[: limit - 1] + "…"
    return _UNPRINTABLE.sub("\ufffd", value)


@dataclass(frozen=True)
class StudentText:
    """How student-controlled text is shown on a feedback page.

    Parameters
    ----------
    secrets : collection of str
        The master's solution and hidden-test lines (:func:`master_secrets`);
        text containing any of them is withheld.
    shown : bool, default True
        False withholds every piece of student text (the fallback when a page
        with it would still show a secret, for example one split across two
        messages).
    """

    secrets: Collection[str] = ()
    shown: bool = True

    def __call__(self, text: object, limit: int = _MAX_DETAIL) -> str:
        """``text`` cleaned with :func:`printable`, or :data:`WITHHELD`."""
        if not self.shown:
            return WITHHELD
        value = text if isinstance(text, str) else str(text)
        if any(secret in value for secret in self.secrets):
            return WITHHELD
        return printable(value, limit)


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


def _explain(cell: CellResult, source: str, quote: StudentText) -> tuple[str, Hint | None]:
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
        name = re.search(r"name '(\w+)' is not defined", str(cell.detail or ""))
        what = f" (“{quote(name.group(1), 80)}”)" if name else ""
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
        return f"Your code raised “{quote(cell.ename, 80)}” when the test called it.", None
    return "The test did not pass.", None


def _private(flag: Flag) -> bool:
    """Whether a flag is explained without its details (they describe how cheating was caught)."""
    return flag.kind in _PRIVATE_KINDS or (flag.kind == "not_plain_data" and flag.review)


def _flag_text(flag: Flag, quote: StudentText) -> str:
    if _private(flag):
        return (
            "Your notebook changes the environment the tests run in or reaches outside the "
            "submission; the instructor will review it."
        )
    detail = quote(flag.detail, _MAX_DETAIL)
    return detail[:1].upper() + detail[1:]


@functools.cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("mgcourse.grader", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )


def render(template: str, **context: Any) -> str:
    """Render one of the grader's HTML templates (``mgcourse/grader/templates``), autoescaped.

    Parameters
    ----------
    template : str
        File name, e.g. ``"feedback.html.j2"``.
    **context
        The template's variables; every string among them is HTML-escaped.

    Returns
    -------
    str
        The HTML document.
    """
    return _environment().get_template(template).render(**context)


@dataclass(frozen=True)
class _TestView:
    """One test cell as the feedback template shows it."""

    kind: str
    symbol: str
    grade_id: str
    status: str
    score: str
    max_score: str
    title: str
    text: str
    hint: Hint | None
    visible: str
    comment: str = ""


@dataclass(frozen=True)
class _ErrorView:
    cell: str
    ename: str
    evalue: str


def feedback_html(
    result: SubmissionResult,
    master: Master,
    scores: Mapping[tuple[str, str], tuple[float | None, float]] | None = None,
    notebook: str | None = None,
    *,
    quote: StudentText | None = None,
    comments: Mapping[tuple[str, str], str] | None = None,
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
    quote : StudentText, optional
        How student-controlled text is shown (default: cleaned, nothing withheld).
    comments : mapping, optional
        ``(notebook, grade_id) → comment`` given by hand (:func:`mgcourse.grader.marking.manual_comments`).

    Returns
    -------
    str
        A self-contained HTML document.
    """
    scores = scores or {}
    comments = comments or {}
    quote = quote if quote is not None else StudentText()
    sources = {(nb.name, c.grade_id): c.source for nb in master.notebooks for c in nb.grade_cells}

    def points(cells: Sequence[CellResult]) -> tuple[float, float]:
        got = sum((scores.get((c.notebook, c.grade_id), (c.score, 0))[0] or 0.0) for c in cells)
        return got, sum(float(c.max_score) for c in cells)

    total, maximum = points(result.cells)
    cells = [c for c in result.cells if notebook is None or c.notebook == notebook]
    errors = [e for e in result.errors if notebook is None or e.notebook == notebook]
    tests = []
    for cell in cells:
        source = sources.get((cell.notebook, cell.grade_id), "")
        score = scores.get((cell.notebook, cell.grade_id), (cell.score, cell.max_score))[0]
        text, hint = _explain(cell, source, quote)
        kind = "ok" if cell.status == "passed" else "bad" if cell.status in ("failed", "error") else "other"
        visible = visible_source(source).strip()
        tests.append(_TestView(
            kind=kind,
            symbol="✓" if kind == "ok" else "✗" if kind == "bad" else "•",
            grade_id=printable(cell.grade_id, 120),
            status=_STATUS.get(cell.status, printable(cell.status, 40)),
            score="–" if score is None else f"{score:g}",
            max_score=f"{cell.max_score:g}",
            title=visible.splitlines()[0].strip('"') if visible else "",
            text=text,
            hint=hint,
            visible=visible if cell.status != "passed" else "",
            comment=quote(comments.get((cell.notebook, cell.grade_id), ""), _MAX_MESSAGE),
        ))
    part = None
    if notebook is not None and len(master.notebooks) > 1:
        got, top = points(cells)
        part = {
            "points": f"{got:g}", "max": f"{top:g}",
            "others": ", ".join(f"{nb.name}.ipynb" for nb in master.notebooks if nb.name != notebook),
        }
    late = None
    if result.late_penalty > 0:
        late = {
            "hours": f"{result.seconds_late / 3600:.1f}", "penalty": f"{result.late_penalty:g}",
            "after": f"{max(total - result.late_penalty, 0.0):g}",
        }
    return render(
        "feedback.html.j2",
        assignment=printable(result.assignment, 120),
        notebook=None if notebook is None else printable(notebook, 120),
        student=quote(result.student, 120),
        total=f"{total:g}",
        maximum=f"{maximum:g}",
        part=part,
        late=late,
        needs_review=result.needs_review,
        tests=tests,
        errors=[
            _ErrorView(quote(e.cell, 120), quote(e.ename, 120), quote(e.evalue, _MAX_MESSAGE))
            for e in errors[:_MAX_ERRORS]
        ],
        more_errors=max(len(errors) - _MAX_ERRORS, 0),
        notes=list(dict.fromkeys(_flag_text(flag, quote) for flag in result.flags)),
    )


def leaked_lines(page: str, secrets: Collection[str]) -> list[str]:
    """The secrets a page would show, in its markup or in the text a reader sees.

    Parameters
    ----------
    page : str
        An HTML page.
    secrets : collection of str
        Lines that must never be shown (:func:`master_secrets`).

    Returns
    -------
    list of str
        The secrets found, sorted; empty if the page is clean.
    """
    text = page + "\n" + html.unescape(_TAG.sub("", page))
    return sorted(secret for secret in secrets if secret in text)


def master_secrets(course: Course, assignment: str) -> frozenset[str]:
    """The solution and hidden-test lines of an assignment's master notebooks.

    Parameters
    ----------
    course : Course
        The course.
    assignment : str
        Assignment name (a folder of ``solutions/``).

    Returns
    -------
    frozenset of str
        :func:`mgcourse.grader.release.leak_snippets` of every master notebook.
    """
    masters = sorted((course.source / assignment).glob("*.ipynb"))
    return frozenset(line for path in masters for line in leak_snippets(path))


#: ``(notebook, grade_id) → (score, max_score)`` of one submission.
Scores = dict[tuple[str, str], tuple[float | None, float]]


def gradebook_scores(course: Course, assignment: str) -> dict[str, Scores]:
    """Every submission's scores in the gradebook (manual grades included), by student id."""
    found: dict[str, Scores] = {}
    with course.gradebook() as gradebook:
        for submission in gradebook.assignment_submissions(assignment):
            cells = found.setdefault(str(submission.student.id), {})
            for notebook in submission.notebooks:
                for grade in notebook.grades:
                    score = None if grade.score is None else float(grade.score)
                    cells[(str(notebook.name), str(grade.name))] = (score, float(grade.max_score))
    return found


@dataclass
class FeedbackRun:
    """What :func:`generate_feedback` wrote, and for whom it could not.

    Parameters
    ----------
    assignment : str
        Assignment name.
    written : dict of str to list of pathlib.Path
        The pages written for each student.
    failed : dict of str to str
        Why no page was written for a student (nothing was written for them).
    not_graded : list of str
        Students whose grading failed: they get no page until graded.
    """

    assignment: str
    written: dict[str, list[Path]] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)
    not_graded: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True if every student asked for got their pages."""
        return not self.failed and not self.not_graded

    def lines(self) -> list[str]:
        """One printable line per student: the pages written, or why there are none."""
        out = [f"{printable(s, 120)}: {', '.join(map(str, paths))}" for s, paths in self.written.items()]
        out += [f"{printable(s, 120)}: no feedback: {printable(why)}" for s, why in self.failed.items()]
        out += [f"{printable(s, 120)}: no feedback: grading failed; grade it again first"
                for s in self.not_graded]
        return out


def _safe_name(student: str) -> bool:
    """Whether a student id can name a folder (one path component, nothing odd)."""
    return (
        student not in ("", ".", "..") and len(student) <= 255
        and not any(c in student for c in "/\\\0") and printable(student, 255) == student
    )


def _pages(
    record: SubmissionResult, master: Master, scores: Scores | None, secrets: Collection[str],
    comments: Mapping[tuple[str, str], str] | None = None,
) -> dict[str, str]:
    """One page per notebook; student text is dropped if the pages with it would leak."""
    for quote in (StudentText(secrets), StudentText(secrets, shown=False)):
        pages = {nb.name: feedback_html(record, master, scores, nb.name, quote=quote, comments=comments)
                 for nb in master.notebooks}
        leaks = sorted({line for page in pages.values() for line in leaked_lines(page, secrets)})
        if not leaks:
            return pages
    raise ValueError(f"the page would show a line of a solution or hidden test ({leaks[0]!r})")


def _copy_exchange_files(graded: Path, folder: Path) -> None:
    for name in EXCHANGE_FILES:  # nbgrader release_feedback finds the student by these
        path = graded / name
        if path.is_file() and not path.is_symlink() and path.stat().st_size <= _MAX_EXCHANGE_BYTES:
            shutil.copyfile(path, folder / name)


def write_feedback(
    course: Course,
    master: Master,
    records: Mapping[str, SubmissionResult],
    *,
    scores: Mapping[str, Scores] | None = None,
    secrets: Collection[str] = (),
    students: Sequence[str] | None = None,
    comments: Mapping[str, Mapping[tuple[str, str], str]] | None = None,
) -> FeedbackRun:
    """Write the feedback pages of graded submissions, each student on their own.

    Parameters
    ----------
    course : Course
        The course; pages go to ``grading/feedback/<student>/<assignment>/<notebook>.html``.
    master : Master
        The assignment's master snapshot.
    records : mapping of str to SubmissionResult
        Grading records by student id.
    scores : mapping, optional
        Gradebook scores by student id (:func:`gradebook_scores`).
    secrets : collection of str
        Lines no page may show (:func:`master_secrets`).
    students : sequence of str, optional
        Only these students (default: every record).
    comments : mapping, optional
        Comments given by hand, by student id (:func:`mgcourse.grader.marking.manual_comments`).

    Returns
    -------
    FeedbackRun
        Pages written per student, and per student why none were written
        (an odd student id, a page that would show a secret, a write error).
    """
    scores = scores or {}
    run = FeedbackRun(master.assignment)
    wanted = sorted(records) if students is None else list(dict.fromkeys(students))
    for student in wanted:
        record = records.get(student)
        if record is None:
            run.failed[student] = "no grading record"
        elif record.outcome == "failed":
            run.not_graded.append(student)
        elif not _safe_name(student):
            run.failed[student] = "the student id cannot name a folder"
        else:
            try:
                pages = _pages(record, master, scores.get(student), secrets, (comments or {}).get(student))
                folder = course.feedback / student / master.assignment
                folder.mkdir(parents=True, exist_ok=True)
                for stale in folder.glob("*.html"):  # a notebook no longer in the assignment
                    if stale.stem not in pages:
                        stale.unlink()
                paths = []
                for name, page in pages.items():
                    (folder / f"{name}.html").write_text(page, encoding="utf-8", errors="replace")
                    paths.append(folder / f"{name}.html")
                _copy_exchange_files(course.autograded / student / master.assignment, folder)
                run.written[student] = paths
            except Exception as error:  # one student's page never stops the others
                run.failed[student] = f"{type(error).__name__}: {error}"
    return run


def generate_feedback(
    course: Course, assignment: str, students: Sequence[str] | None = None
) -> FeedbackRun:
    """Write ``grading/feedback/<student>/<assignment>/<notebook>.html`` for graded submissions.

    One page per notebook of the assignment, named like the notebook, which is
    where nbgrader's ``release_feedback`` looks for it.

    Parameters
    ----------
    course : Course
        The course.
    assignment : str
        Assignment name (graded with :func:`mgcourse.grader.runner.grade_assignment`).
    students : sequence of str, optional
        Only these students (default: every graded submission).

    Returns
    -------
    FeedbackRun
        The pages written for each student and, per student, why none were
        written; a failure for one student never stops the others.

    Raises
    ------
    mgcourse.grader.course.GradingError
        If the assignment is not in the gradebook.
    """
    master = load_master(course, assignment)
    return write_feedback(
        course, master, load_records(course, assignment),
        scores=gradebook_scores(course, assignment),
        secrets=master_secrets(course, assignment),
        students=students,
        comments=manual_comments(course, assignment),
    )
