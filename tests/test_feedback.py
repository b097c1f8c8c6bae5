"""Tests of mgcourse.grader.feedback: helpful messages, never a hidden test or a traceback, and
no submission that can stop anyone else's page."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest

from fixtures.courses import GradedCourse, assignment1_course, copy_course, hostile_course
from fixtures.submissions import ASSIGNMENT, TEST_DOUBLE, TEST_HALF, make_course
from mgcourse.grader import feedback
from mgcourse.grader.course import Course
from mgcourse.grader.feedback import (
    HINTS,
    WITHHELD,
    StudentText,
    feedback_html,
    generate_feedback,
    hint_for,
    leaked_lines,
    master_secrets,
    printable,
    shareable_message,
    write_feedback,
)
from mgcourse.grader.master import Master, MasterCell, MasterNotebook
from mgcourse.grader.release import leak_snippets
from mgcourse.grader.results import CellResult, Flag, StudentError, SubmissionResult
from mgcourse.grader.scan import assertion_messages

pytestmark = pytest.mark.filterwarnings(
    # nbgrader 0.9.6's gradebook triggers SQLAlchemy autoflush warnings
    "ignore:Object of type <Submitted:sqlalchemy.exc.SAWarning"
)
REPO = Path(__file__).resolve().parents[1]
MARKERS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")
#: A line of the master's hidden tests of ``tiny`` (see fixtures.submissions.TEST_DOUBLE).
HIDDEN_LINE = next(line.strip() for line in TEST_DOUBLE.splitlines() if "np.array(DATA)" in line)
#: Text a student controls, written to break a page, a template or a file.
HOSTILE = (
    "<script>alert(1)</script>",
    "</table></ul></div></body>",
    "{{ 7 * 191 }}{% for x in y %}",
    "### BEGIN HIDDEN TESTS",
    "### END SOLUTION",
    "x" * 200_000,
    "nul\x00 bell\x07 escape\x1b[31m c1\x85 rtl\u202e",
    "surrogate \ud800 and \udcff",
)


@pytest.fixture(autouse=True)
def _course_from_arguments(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MGCOURSE_DB_URL", raising=False)
    monkeypatch.delenv("MGCOURSE_COURSE_ROOT", raising=False)


def page_text(page: str) -> str:
    """What a reader sees, plus the raw markup."""
    return page + "\n" + html.unescape(re.sub(r"<[^>]+>", "", page))


# ----------------------------------------------------------------- hints


@pytest.mark.parametrize(
    ("message", "category"),
    [
        ("did you convert mg/dL to mmol/L by dividing by 18.016?", "mg/dL vs mmol/L"),
        ("did you convert serum magnesium from mg/dL to mmol/L (divide by 2.4305)?", "mg/dL vs mmol/L"),
        ("did you use decimal logarithms (np.log10) rather than np.log?", "ln vs log10"),
        ("did you take the natural logarithm (np.log) of TG × glucose / 2?", "ln vs log10"),
        ("MgADP + ADP³⁻ is the free ADP, p = 0.3 of total ADP: did you use total ADP instead?",
         "total vs free nucleotide"),
        ("did you convert the 2500 mg of MgCl2·6H2O salt to elemental magnesium?", "salt vs elemental mass"),
        ("the chloride is the hexahydrate: did you use 203.30 g/mol, not the anhydrous 95.21?",
         "salt vs elemental mass"),
        ("did you use SE = √(SD_Mg²/n_Mg + SD_placebo²/n_placebo), with SD (not SD²) over √n?",
         "variance vs SD"),
        ("a trial with twice the SE counts a quarter as much: did you weight by 1/SE², not 1/SE?",
         "variance vs SD"),
        ("did you divide insulin in pmol/L by 6.00 to get µU/mL?", "insulin units"),
        ("did you convert the peak NO from M to nM (× 1e9)?", "molar prefixes"),
        ("Q < df here: did you floor τ² at 0 with max(0, ·)?", "clamp at zero"),
        ("did you make elemental_mg work on numpy arrays?", "scalar vs array"),
        ("did you take high-glucose minus low-glucose open fraction (check the sign)?",
         "sign of a difference"),
        ("did you count upward crossings of −30 mV rather than samples above −30 mV?", "events vs samples"),
    ],
)
def test_hint_recognises_the_misconception(message: str, category: str) -> None:
    hint = hint_for(message)
    assert hint is not None and hint.category == category


def test_hint_for_an_unrelated_message() -> None:
    assert hint_for("did you check your homework?") is None


def test_every_did_you_message_of_the_course_gets_a_well_formed_answer() -> None:
    categories: set[str] = set()
    for master in sorted((REPO / "solutions").glob("*/*.ipynb")):
        for cell in json.loads(master.read_text(encoding="utf-8"))["cells"]:
            if cell["metadata"].get("nbgrader", {}).get("grade"):
                for message in assertion_messages("".join(cell["source"])):
                    hint = hint_for(message)
                    if hint is not None:
                        categories.add(hint.category)
    # the misconceptions the course teaches are all recognised somewhere in its tests
    assert {"mg/dL vs mmol/L", "ln vs log10", "total vs free nucleotide", "salt vs elemental mass",
            "variance vs SD"} <= categories
    assert all(hint.text.endswith(".") and len(hint.text) < 250 for hint in HINTS)


def test_shareable_messages() -> None:
    assert shareable_message("double(0) should be 0", TEST_DOUBLE) == "double(0) should be 0"
    hidden = "did you multiply by two rather than add two?"
    assert shareable_message(hidden, TEST_DOUBLE) == hidden
    # a hidden check's message that is not a "did you" question could quote hidden values
    source = TEST_DOUBLE.replace("### END", 'assert a, "the answer for 3 is 1.5"\n### END')
    assert shareable_message("the answer for 3 is 1.5", source) is None
    assert shareable_message("did you cheat?", TEST_DOUBLE) is None  # not this test's message
    assert shareable_message(None, TEST_DOUBLE) is None


# ----------------------------------------------------------------- the page


def _master() -> Master:
    cells = (
        MasterCell("test_double", "code", True, TEST_DOUBLE, None, grade=True, points=2.0),
        MasterCell("test_half", "code", True, TEST_HALF, None, grade=True, points=1.0),
    )
    return Master(ASSIGNMENT, (MasterNotebook(ASSIGNMENT, cells),))


def _result(
    *cells: CellResult, flags: tuple[Flag, ...] = (), errors: tuple[StudentError, ...] = (),
    student: str = "ann",
) -> SubmissionResult:
    return SubmissionResult(
        student, ASSIGNMENT, "flagged" if any(f.review for f in flags) else "graded",
        score=sum(c.score or 0 for c in cells), max_score=3.0, cells=list(cells), flags=list(flags),
        errors=list(errors),
    )


def test_page_shows_the_did_you_question_with_a_hint_and_hides_the_hidden_test() -> None:
    detail = "Not equal to tolerance rtol=1e-07 ... y: array([2., 4., 6.])"
    result = _result(
        CellResult(ASSIGNMENT, "test_double", 0.0, 2.0, "failed", "AssertionError",
                   "did you multiply by two rather than add two?", detail),
        CellResult(ASSIGNMENT, "test_half", 1.0, 1.0, "passed"),
    )
    page = feedback_html(result, _master())
    text = page_text(page)
    assert "did you multiply by two rather than add two?" in text
    assert "Score: 1 / 3" in text and "0 / 2 points" in text and "1 / 1 points" in text
    assert "Check that double doubles." in text
    assert "assert double(0) == 0" in text  # the check the student could see
    secrets = ("HIDDEN", "np.testing.assert_allclose(", "[2.0, 4.0, 6.0]", "tolerance", "array(", "2 * x")
    for secret in secrets:
        assert secret not in text


def test_page_never_shows_hidden_messages_that_are_not_questions() -> None:
    source = TEST_HALF.replace("did you use true division (/) rather than floor division (//)?",
                               "half(3) must be exactly 1.5")
    master = Master(ASSIGNMENT, (MasterNotebook(ASSIGNMENT, (
        MasterCell("test_half", "code", True, source, None, grade=True, points=1.0),)),))
    result = _result(CellResult(ASSIGNMENT, "test_half", 0.0, 1.0, "failed", "AssertionError",
                                "half(3) must be exactly 1.5", "half(3) must be exactly 1.5"))
    text = page_text(feedback_html(result, master))
    assert "exactly 1.5" not in text and "A hidden check of this task failed" in text


@pytest.mark.parametrize(
    ("status", "ename", "detail", "expected"),
    [
        ("error", "NameError", "name 'double' is not defined", "(“double”)"),
        ("error", "NotImplementedError", "", "replace the stub"),
        ("error", "stderr", "RuntimeWarning: divide by zero", "warning or error message"),
        ("error", "TypeError", "double() takes 0 positional arguments but 1 was given", "raised “TypeError”"),
        ("timeout", "CellTimeoutError", "", "time limit"),
        ("not_run", "NotRun", "", "kernel had stopped"),
        ("deleted", None, None, "Never delete"),
        ("missing", None, None, "No readable notebook"),
        ("untrusted", None, None, "reviewed"),
    ],
)
def test_page_explains_every_kind_of_failure(status: str, ename: str | None, detail: str | None,
                                             expected: str) -> None:
    result = _result(CellResult(ASSIGNMENT, "test_double", 0.0, 2.0, status, ename, None, detail))
    text = page_text(feedback_html(result, _master()))
    assert expected in text
    assert "positional arguments" not in text and "divide by zero" not in text  # no error details


def test_page_escapes_student_text_and_keeps_tampering_details_private() -> None:
    result = _result(
        CellResult(ASSIGNMENT, "test_double", 2.0, 2.0, "passed"),
        flags=(Flag("suspicious_code", "numpy.testing.assert_allclose was replaced", "test_double"),
               Flag("not_plain_data", "test_double was given an answer that imitates plain data"),
               Flag("timeout", "double_solution ran longer than the limit of 5 s and was stopped")),
        errors=(StudentError(ASSIGNMENT, "double_solution", "ValueError", "<script>alert(1)</script>"),),
    )
    page = feedback_html(result, _master())
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "assert_allclose was replaced" not in page and "imitates plain data" not in page
    assert "changes the environment the tests run in" in page
    assert "Double_solution ran longer than the limit of 5 s" in page
    assert "flagged for review" in page


def test_page_uses_manual_scores_from_the_gradebook() -> None:
    result = _result(CellResult(ASSIGNMENT, "test_double", 0.0, 2.0, "failed", "AssertionError"),
                     CellResult(ASSIGNMENT, "test_half", 1.0, 1.0, "passed"))
    page = feedback_html(result, _master(), {(ASSIGNMENT, "test_double"): (1.5, 2.0)})
    assert "Score: 2.5 / 3" in page and "1.5 / 2 points" in page


# ----------------------------------------------------------------- student text


def test_printable_removes_what_breaks_pages_and_files() -> None:
    text = printable("a\x00b\x1b[31m\x85\u202e\ud800\udcff\tc\nd", 100)
    assert text == "a\ufffdb\ufffd[31m\ufffd\ufffd\ufffd\ufffd\tc\nd"
    text.encode("utf-8")  # no lone surrogates left
    assert printable("y" * 10_000, 50) == "y" * 49 + "…"
    assert printable(12.5) == "12.5"
    with pytest.raises(ValueError, match="limit = 0 characters"):
        printable("x", 0)


def test_student_text_is_withheld_when_it_quotes_a_secret() -> None:
    quote = StudentText(frozenset({HIDDEN_LINE}))
    assert quote(f"ValueError: {HIDDEN_LINE}") == WITHHELD
    assert quote("### BEGIN HIDDEN TESTS") == "### BEGIN HIDDEN TESTS"  # marker text is not a secret
    assert StudentText(shown=False)("harmless") == WITHHELD


def test_leaked_lines_finds_escaped_and_tag_split_secrets() -> None:
    secret = 'assert half(3) == 1.5, "did you"'
    assert leaked_lines("<p>assert half(3) == 1.5, &#34;did you&#34;</p>", {secret}) == [secret]
    assert leaked_lines("<p>assert half(3) <em>== 1.5</em>, &quot;did you&quot;</p>", {secret}) == [secret]
    assert leaked_lines("<p>assert half(3) == 2</p>", {secret}) == []


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_text_anywhere_in_a_record_is_escaped(hostile: str) -> None:
    result = _result(
        CellResult(ASSIGNMENT, "test_double", 0.0, 2.0, "error", hostile, hostile, hostile),
        CellResult(ASSIGNMENT, "test_half", 0.0, 1.0, "failed", "AssertionError", hostile, hostile),
        flags=(Flag("unknown_cell", f"a cell claims points under the unknown id {hostile!r}", hostile),),
        errors=(StudentError(ASSIGNMENT, hostile, hostile, hostile),),
        student=f"ann {hostile}",
    )
    result.comments = {f"{ASSIGNMENT}/double_solution": hostile}
    page = feedback_html(result, _master(), quote=StudentText(frozenset({HIDDEN_LINE})))
    page.encode("utf-8")  # writable as UTF-8
    assert len(page) < 20_000  # student text is cut
    assert "<script>" not in page and "</table>" not in page and "\x00" not in page
    assert "1337" not in page  # nothing a student writes is evaluated as a template
    assert page.count("<li>") == 2 and page.rstrip().endswith("</body></html>")


def _tiny_course(root: Path) -> Course:
    make_course(root)
    return Course.load(root)


def test_one_students_marker_text_and_secrets_do_not_stop_anyone_elses_page(tmp_path: Path) -> None:
    course = _tiny_course(tmp_path / "course")
    secrets = master_secrets(course, ASSIGNMENT)
    assert HIDDEN_LINE in secrets
    secrets |= {"total = rate: 60 * hours"}
    passed = (CellResult(ASSIGNMENT, "test_double", 2.0, 2.0, "passed"),
              CellResult(ASSIGNMENT, "test_half", 1.0, 1.0, "passed"))
    records = {
        "good": _result(*passed, student="good"),
        # nbgrader's marker text in the student's own error message and in a cell id of theirs
        "markers": _result(
            *passed, student="markers",
            errors=(StudentError(ASSIGNMENT, "### BEGIN HIDDEN TESTS", "ValueError", "### END SOLUTION"),),
            flags=(Flag("unknown_cell", "a cell claims points under the unknown id "
                                        "'### BEGIN HIDDEN TESTS'; not graded", "### BEGIN HIDDEN TESTS"),),
        ),
        # a real hidden-test line of the master planted in an error message
        "planted": _result(*passed, student="planted",
                           errors=(StudentError(ASSIGNMENT, "cell 3", "ValueError", f"got {HIDDEN_LINE}"),)),
        # a secret line put together from two pieces of student text: every piece is then withheld
        "split": _result(*passed, student="split", errors=(
            StudentError(ASSIGNMENT, "cell 3", "total = rate", "60 * hours"),
        )),
        "hostile": _result(*passed, student="hostile", errors=tuple(
            StudentError(ASSIGNMENT, text, text, text) for text in HOSTILE
        )),
        "bad/../id": _result(*passed, student="bad/../id"),
        "nul\x00id": _result(*passed, student="nul\x00id"),
        "failed": SubmissionResult("failed", ASSIGNMENT, "failed", error="kernel would not start"),
    }
    run = write_feedback(course, _master(), records, secrets=secrets)
    assert set(run.written) == {"good", "markers", "planted", "split", "hostile"}
    assert set(run.failed) == {"bad/../id", "nul\x00id"} and run.not_graded == ["failed"]
    assert not run.ok and len(run.lines()) == len(records)
    pages = {s: page_text(paths[0].read_text(encoding="utf-8")) for s, paths in run.written.items()}
    for student, text in pages.items():
        assert run.written[student] == [course.feedback / student / ASSIGNMENT / f"{ASSIGNMENT}.html"]
        assert not leaked_lines(text, secrets), student
        assert "Score: 3 / 3" in text
    assert "### END SOLUTION" in pages["markers"]  # their own text, escaped and shown
    assert "got " not in pages["planted"] and WITHHELD in pages["planted"]
    assert "total = rate" not in pages["split"] and pages["split"].count(WITHHELD) >= 2
    raw = run.written["hostile"][0].read_text(encoding="utf-8")
    assert "<script>" not in raw and "&lt;script&gt;" in raw and "</table>" not in raw
    assert not (course.feedback / "bad").exists()


def test_an_error_writing_one_page_is_reported_and_the_rest_are_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    course = _tiny_course(tmp_path / "course")
    records = {s: _result(CellResult(ASSIGNMENT, "test_double", 2.0, 2.0, "passed"), student=s)
               for s in ("ann", "bob", "cy")}
    original = feedback.feedback_html

    def broken_for_bob(result: SubmissionResult, *args: object, **kwargs: object) -> str:
        if result.student == "bob":
            raise KeyError("a record this page cannot show")
        return original(result, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(feedback, "feedback_html", broken_for_bob)
    run = write_feedback(course, _master(), records, students=["ann", "bob", "cy", "dan"])
    assert sorted(run.written) == ["ann", "cy"]
    assert run.failed == {"bob": "KeyError: 'a record this page cannot show'", "dan": "no grading record"}
    assert "bob: no feedback: KeyError" in "\n".join(run.lines())


# ----------------------------------------------------------------- generated pages


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> GradedCourse:
    return hostile_course(tmp_path_factory)


@pytest.fixture(scope="module")
def assignment1(tmp_path_factory: pytest.TempPathFactory) -> GradedCourse:
    return assignment1_course(tmp_path_factory)


def _assert_no_leaks(
    pages: dict[str, list[Path]], masters: list[Path], records: dict[str, SubmissionResult]
) -> None:
    """No solution or hidden-test line on any page, and marker text only where the student wrote it."""
    snippets = {line for master in masters for line in leak_snippets(master)}
    assert snippets
    for student, path in ((s, p) for s, paths in pages.items() for p in paths):
        text = page_text(path.read_text(encoding="utf-8"))
        own = json.dumps(records[student].to_json(), ensure_ascii=False)
        assert not [m for m in MARKERS if m in text and m not in own], student
        assert not [s for s in snippets if s in text], student
        for traceback_text in ("Traceback", "Not equal to tolerance", "x: array", "y: array", "File \""):
            assert traceback_text not in text, (student, traceback_text)


@pytest.mark.nbgrader
def test_feedback_for_every_hostile_submission_leaks_nothing(hostile: GradedCourse, tmp_path: Path) -> None:
    root = copy_course(hostile, tmp_path / "course")
    run = generate_feedback(Course.load(root), ASSIGNMENT)
    graded = {s for s, r in hostile.results.items() if r.outcome != "failed"}
    assert set(run.written) == graded and not run.failed
    for student, paths in run.written.items():
        assert paths == [root / "grading" / "feedback" / student / ASSIGNMENT / f"{ASSIGNMENT}.html"]
    _assert_no_leaks(run.written, [root / "solutions" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"],
                     hostile.results)
    wrong = run.written["wrong"][0].read_text(encoding="utf-8")
    assert "did you multiply by two rather than add two?" in wrong
    # nbgrader's marker text in a student's own error message and cell metadata: their page is
    # written, their text escaped
    markers = run.written["markers"][0].read_text(encoding="utf-8")
    assert "### BEGIN HIDDEN TESTS &lt;b&gt;x&lt;/b&gt; ### END SOLUTION" in markers
    assert "<b>x</b>" not in markers and "<script>" not in markers


@pytest.mark.nbgrader
def test_feedback_on_assignment1_names_the_misconception(assignment1: GradedCourse, tmp_path: Path) -> None:
    root = copy_course(assignment1, tmp_path / "course")
    run = generate_feedback(Course.load(root), "assignment1")
    assert run.ok
    _assert_no_leaks(run.written, [root / "solutions" / "assignment1" / "assignment1.ipynb"],
                     assignment1.results)
    expected = {
        "wrong_quicki_natural_log": ("did you use decimal logarithms (np.log10) rather than np.log?",
                                     "ln vs log10"),
        "wrong_elemental_is_salt_mass": ("did you return the salt mass?", "salt vs elemental mass"),
        "wrong_glucose_not_converted": ("did you convert mg/dL to mmol/L by dividing by 18.016?",
                                        "mg/dL vs mmol/L"),
        "wrong_insulin_not_divided": ("did you divide insulin in pmol/L by 6.00 to get µU/mL?",
                                      "insulin units"),
    }
    for student, (message, category) in expected.items():
        text = page_text(run.written[student][0].read_text(encoding="utf-8"))
        assert message in text and f"What to check ({category})" in text, student
    full = page_text(run.written["full"][0].read_text(encoding="utf-8"))
    assert "Score: 20 / 23" in full and "What to check" not in full  # 3 points wait for a person


@pytest.mark.nbgrader
def test_feedback_refuses_a_page_that_would_leak_and_writes_the_others(
    hostile: GradedCourse, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = copy_course(hostile, tmp_path / "course")
    original = feedback.feedback_html

    def leaky_for_good(result: SubmissionResult, *args: object, **kwargs: object) -> str:
        page = original(result, *args, **kwargs)  # type: ignore[arg-type]
        return page + "<pre>return 2 * x</pre>" if result.student == "good" else page  # a solution line

    monkeypatch.setattr(feedback, "feedback_html", leaky_for_good)
    run = generate_feedback(Course.load(root), ASSIGNMENT, students=["good", "wrong"])
    assert list(run.written) == ["wrong"]
    assert "would show a line of a solution or hidden test" in run.failed["good"]
    assert not (root / "grading" / "feedback" / "good").exists()


@pytest.mark.nbgrader
def test_a_planted_hidden_line_in_a_graded_record_is_not_shown(hostile: GradedCourse, tmp_path: Path) -> None:
    root = copy_course(hostile, tmp_path / "course")
    course = Course.load(root)
    record = course.records / ASSIGNMENT / "good.json"
    data = json.loads(record.read_text(encoding="utf-8"))
    data["errors"] = [{"notebook": ASSIGNMENT, "cell": "### BEGIN HIDDEN TESTS", "ename": "ValueError",
                       "evalue": f"look: {HIDDEN_LINE}"}]
    record.write_text(json.dumps(data), encoding="utf-8")
    run = generate_feedback(course, ASSIGNMENT, students=["good", "wrong"])
    assert sorted(run.written) == ["good", "wrong"] and not run.failed
    good = page_text(run.written["good"][0].read_text(encoding="utf-8"))
    assert HIDDEN_LINE not in good and "look:" not in good and WITHHELD in good
