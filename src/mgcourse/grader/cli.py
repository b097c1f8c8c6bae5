"""The ``mgcourse`` command: release, collect, grade, give feedback on and report an assignment.

Run ``mgcourse --help`` or ``mgcourse COMMAND --help``. Every command works on
the course directory found from the working directory (the folder holding
``nbgrader_config.py`` and ``solutions/``), or the one given with ``--root``.

Exit status: 0 when everything went through, 1 when some submission failed,
was flagged for review or was skipped (or a release was refused), 2 for a
usage error, 130 when interrupted.
"""

from __future__ import annotations

import argparse
import sys
import textwrap
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from mgcourse.grader.course import Course

__all__ = ["main"]

#: Exit statuses.
OK: Final = 0
PROBLEMS: Final = 1
USAGE: Final = 2
INTERRUPTED: Final = 130


class _UsageError(Exception):
    """The command cannot run as called (unknown assignment, missing folder, ...)."""


_DESCRIPTION = """\
Manage the graded assignments of the mgcourse course with nbgrader.

A typical round:

  mgcourse release assignment1           regenerate exercises/assignment1 for students
  mgcourse collect assignment1 dl.zip    copy submissions into grading/submitted/
  mgcourse grade assignment1             autograde them (in parallel, sandboxed)
  mgcourse mark assignment1              mark written answers by hand (sheet + page)
  mgcourse feedback assignment1          write an HTML page for each student
  mgcourse report assignment1            grades CSV + HTML report for you

Grading can be interrupted with Ctrl-C and resumed by running the same command again.
"""

_EPILOG = """\
exit status: 0 all went through; 1 something failed, was flagged for review or
was refused; 2 usage error; 130 interrupted.
"""


#: What every command imports (the ``grader`` extra of the package).
_NEEDS: Final = ("nbformat", "nbclient", "jupyter_client", "ipykernel", "nbgrader", "jinja2", "traitlets")

_ASSIGNMENT_HELP = "assignment name, a folder in solutions/ (e.g. assignment1)"


def _formatter(prog: str) -> argparse.HelpFormatter:
    return argparse.RawDescriptionHelpFormatter(prog, max_help_position=30)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mgcourse", description=_DESCRIPTION, epilog=_EPILOG, formatter_class=_formatter
    )
    parser.add_argument(
        "--root", type=Path, default=None, metavar="DIR",
        help="course directory (default: the folder above the working directory that holds "
        "nbgrader_config.py and solutions/)",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    release = commands.add_parser(
        "release", formatter_class=_formatter,
        help="regenerate the student versions in exercises/ from solutions/",
        description=textwrap.dedent("""\
            Regenerate exercises/<assignment>/ from the master in solutions/<assignment>/:
            solutions become stubs, hidden tests are removed, test cells are locked, and
            the assignment is recorded in the gradebook (grading needs that).

            The generated files are searched for every line of the solutions and hidden
            tests first; if anything would leak, nothing is written (neither exercises/
            nor the gradebook) and the command exits with status 1. Otherwise it lists
            the files added, changed and unchanged.

            With --duedate the due date is recorded too; submissions handed in later are
            then penalised when graded, by the course's late-submission policy
            (c.LateSubmissionPlugin.penalty_method in nbgrader_config.py)."""),
        epilog="examples:\n  mgcourse release                  every assignment in solutions/\n"
        "  mgcourse release assignment1 assignment2\n"
        "  mgcourse release assignment1 --duedate '2026-12-01 17:00'",
    )
    release.add_argument("assignments", nargs="*", metavar="ASSIGNMENT",
                         help="assignment names (default: every folder in solutions/)")
    release.add_argument("--duedate", default=None, metavar="WHEN",
                         help="due date, e.g. '2026-12-01 17:00' (UTC) or '2026-12-01T17:00+01:00'")

    collect = commands.add_parser(
        "collect", formatter_class=_formatter,
        help="copy submissions from a folder, an LMS zip or nbgrader's exchange into grading/submitted/",
        description=textwrap.dedent("""\
            Copy submissions into grading/submitted/<student>/<assignment>/.

            SOURCE is either a folder with one sub-folder per student (named by the
            student id, holding the notebook), or a zip archive or folder of files
            named the way nbgrader's zip_collect expects from an LMS download, e.g.

              ps1_bitdiddle_attempt_2016-01-30-15-00-00_assignment1.ipynb

            The newest upload of each file wins and its time goes to timestamp.txt.
            Unsafe archive entries (absolute paths, .., links, huge files) are skipped.

            Without SOURCE, --exchange takes what students submitted through nbgrader's
            exchange on a JupyterHub (the newest submission of each student, with its
            time), from the course's Exchange.root or the folder given.

            Prints what was collected and what was skipped, and why."""),
        epilog="examples:\n  mgcourse collect assignment1 ~/Downloads/submissions.zip\n"
        "  mgcourse collect assignment1 ./handed-in/\n"
        "  mgcourse collect assignment1 --exchange\n"
        "  mgcourse collect assignment1 --exchange /srv/nbgrader/exchange\n"
        "  mgcourse collect assignment1 dl.zip --pattern "
        "'.*/(?P<student_id>[a-z]+)-(?P<file_id>.*)'",
    )
    collect.add_argument("assignment", metavar="ASSIGNMENT", help=_ASSIGNMENT_HELP)
    collect.add_argument("source", type=Path, nargs="?", default=None, metavar="SOURCE",
                         help="folder or .zip archive")
    collect.add_argument(
        "--exchange", nargs="?", type=Path, const=True, default=None, metavar="DIR",
        help="collect from nbgrader's exchange instead (default folder: Exchange.root of the course)",
    )
    collect.add_argument(
        "--pattern", metavar="REGEX", default=None,
        help="named-group regular expression for LMS file names (default: the course's "
        "FileNameCollectorPlugin.named_regexp, else nbgrader's documented example)",
    )

    grade = commands.add_parser(
        "grade", formatter_class=_formatter,
        help="autograde every submission (parallel, sandboxed, resumable)",
        description=textwrap.dedent("""\
            Autograde grading/submitted/*/<assignment> in parallel. Each submission's
            code runs in its own bubblewrap sandbox: no network, its own processes only
            (none outlives it), the system read-only, no view of the course, the
            gradebook or other submissions, a clean environment, and limits on memory,
            processes, file size, CPU time, time per cell and time per submission.
            The test cells run in a separate checker process that receives the
            student's values only as plain data (numbers, strings, lists, arrays), so
            nothing the student's code does can change how its answers are judged.
            Locked cells are restored from the gradebook; deleted, duplicated or edited
            test cells, answers that imitate plain data, crashes and timeouts are
            recorded and flagged for review.

            Grades go to the gradebook one submission at a time, so Ctrl-C loses nothing:
            run the command again and it grades only what is missing (or what was
            re-collected). Manual grades survive a re-grade.

            One line per submission: student, score / maximum, time, outcome."""),
        epilog="examples:\n  mgcourse grade assignment1\n"
        "  mgcourse grade assignment1 --workers 4 --timeout 120 --memory 4096\n"
        "  mgcourse grade assignment1 --student alice --force\n"
        "  mgcourse grade assignment1 --budget 600",
    )
    grade.add_argument("assignment", metavar="ASSIGNMENT", help=_ASSIGNMENT_HELP)
    grade.add_argument("--workers", type=int, default=2, metavar="N",
                       help="submissions graded at the same time (default: 2)")
    grade.add_argument("--timeout", type=float, default=None, metavar="S",
                       help="time limit per cell in seconds (default: nbgrader_config.py, 60 s)")
    grade.add_argument("--memory", type=int, default=2048, metavar="MB",
                       help="memory cap of each notebook's kernel in MB (default: 2048)")
    grade.add_argument("--budget", type=float, default=300.0, metavar="S",
                       help="wall-clock time one submission may take in all, in seconds; a "
                       "submission that reaches it is stopped and flagged (default: 300)")
    grade.add_argument("--unsafe-no-sandbox", dest="unsandboxed", action="store_true",
                       help="UNSAFE: grade without the bubblewrap sandbox, on a machine where it "
                       "cannot be set up; student code can then read the course and the network")
    grade.add_argument("--force", action="store_true",
                       help="grade again even submissions already graded and unchanged")
    grade.add_argument("--student", action="append", default=None, metavar="ID",
                       help="grade only this student (repeat for several)")
    grade.add_argument("--queue", default=None, metavar="URL",
                       help="grade on 'mgcourse worker' processes on any machines through the job "
                       "queue in this PostgreSQL database (postgresql://user@host/db); this command "
                       "enqueues, waits, and stores every result (--workers is then not used)")
    grade.add_argument("--lease", type=float, default=30.0, metavar="S",
                       help="with --queue: a worker silent this long (no heartbeat) gives its job "
                       "back to the queue (default: 30)")

    worker = commands.add_parser(
        "worker", formatter_class=_formatter,
        help="grade submissions from a job queue (start any number, on any machines)",
        description=textwrap.dedent("""\
            Take grading jobs from the queue that 'mgcourse grade ASSIGNMENT --queue URL'
            fills, one at a time, and grade each in the same bubblewrap sandbox, with the
            same checker, as local grading. A job carries the submission and the master
            with its data files, so a worker needs no course folder, only this package,
            bubblewrap and the database. A worker that dies gives its job back after the
            lease; each submission is graded once. Ctrl-C stops it after the current job."""),
        epilog="example:\n  mgcourse worker --queue postgresql://grader@db.example.org/grading",
    )
    worker.add_argument("--queue", required=True, metavar="URL",
                        help="PostgreSQL URL of the queue (postgresql://user@host:port/database)")
    worker.add_argument("--lease", type=float, default=30.0, metavar="S",
                        help="heartbeat every S/3 seconds; a job of a worker silent for S seconds "
                        "goes to another worker (default: 30)")
    worker.add_argument("--unsafe-no-sandbox", dest="unsandboxed", action="store_true",
                        help="UNSAFE: accept to grade without bubblewrap where it cannot be set up")

    mark = commands.add_parser(
        "mark", formatter_class=_formatter,
        help="grade written answers and override automatic scores by hand, with comments",
        description=textwrap.dedent("""\
            Without --import or --student: write grading/marking/<assignment>-marks.csv (one
            row per submission and graded cell, written answers first) and
            <assignment>-marking.html (each written answer beside the master's model answer
            and rubric; for instructors only). Fill in manual_score and comment, then import
            the sheet with --import. Or mark one cell with --student, --cell and --score
            and/or --comment.

            Scores given by hand win over automatic ones and survive any re-grade; they and
            the comments appear in the gradebook, the feedback pages and the report. A score
            outside [0, the cell's points] is refused with the reason."""),
        epilog="examples:\n  mgcourse mark assignment2\n"
        "  mgcourse mark assignment2 --import grading/marking/assignment2-marks.csv\n"
        "  mgcourse mark assignment2 --student alice --cell reasoning_glucose --score 2 "
        "--comment 'Good: ATP closes KATP.'",
    )
    mark.add_argument("assignment", metavar="ASSIGNMENT", help=_ASSIGNMENT_HELP)
    mark.add_argument("--import", dest="sheet", type=Path, default=None, metavar="CSV",
                      help="a filled-in marking sheet to store")
    mark.add_argument("--student", default=None, metavar="ID", help="mark one cell of this student")
    mark.add_argument("--cell", default=None, metavar="GRADE_ID", help="the cell's grade_id")
    mark.add_argument("--notebook", default=None, metavar="NAME",
                      help="the cell's notebook, without .ipynb (default: the assignment's name)")
    mark.add_argument("--score", type=float, default=None, metavar="POINTS", help="points given by hand")
    mark.add_argument("--comment", default=None, metavar="TEXT", help="comment for the student")

    feedback = commands.add_parser(
        "feedback", formatter_class=_formatter,
        help="write an HTML feedback page for every graded submission",
        description=textwrap.dedent("""\
            Write grading/feedback/<student>/<assignment>/<notebook>.html for each graded
            submission: pass or fail and points per test, the check's own message with a
            "what to check" hint for common mistakes (units, log bases, salt vs elemental
            magnesium, ...), never hidden test code or tracebacks."""),
        epilog="example:\n  mgcourse feedback assignment1",
    )
    feedback.add_argument("assignment", metavar="ASSIGNMENT", help=_ASSIGNMENT_HELP)
    feedback.add_argument("--student", action="append", default=None, metavar="ID",
                          help="only this student (repeat for several)")

    report = commands.add_parser(
        "report", formatter_class=_formatter,
        help="grades CSV and an HTML report with plots",
        description=textwrap.dedent("""\
            Write <assignment>-grades.csv (nbgrader's export columns plus one column per
            test cell; manual grades included) and <assignment>-report.html (score
            distribution, pass rate per test cell, most common failing checks,
            submissions flagged for review; images embedded, no external files), and the
            grade-import files of two learning-management systems: <assignment>-canvas.csv
            (Canvas gradebook import: Student, ID, SIS User ID, SIS Login ID, Section and
            the grade) and <assignment>-moodle.csv (Moodle's CSV grade import: map ID
            number or Email address to the user field)."""),
        epilog="examples:\n  mgcourse report assignment1\n  mgcourse report assignment1 --out ~/grades\n"
        "  mgcourse report assignment1 --lms-column 'Assignment 1 (12345)'",
    )
    report.add_argument("assignment", metavar="ASSIGNMENT", help=_ASSIGNMENT_HELP)
    report.add_argument("--out", type=Path, default=None, metavar="DIR",
                        help="output folder (default: grading/reports)")
    report.add_argument("--lms-column", default=None, metavar="NAME",
                        help="header of the grade column in the Canvas and Moodle files: the "
                        "assignment as the LMS names it (default: ASSIGNMENT)")

    lti = commands.add_parser(
        "lti", formatter_class=_formatter,
        help="send the scores to the LMS through LTI 1.3 Assignment and Grade Services",
        description=textwrap.dedent("""\
            Post every graded student's score (after late penalties) to an LTI 1.3
            platform (Canvas, Moodle, Blackboard, ...) through Assignment and Grade
            Services. The platform settings are a JSON file with issuer, client_id,
            auth_token_url, key_set_url, deployment_id, private_key (this tool's key, PEM)
            and lineitems_url; or give --launch, a launch id_token the platform sent this
            tool, which is checked against the platform's keys and gives the line items
            URL. The assignment's line item (tag ASSIGNMENT) is found or created; students
            are matched by nbgrader's lms_user_id, else by their student id."""),
        epilog="example:\n  mgcourse lti assignment1 --platform canvas-lti.json --launch launch.jwt",
    )
    lti.add_argument("assignment", metavar="ASSIGNMENT", help=_ASSIGNMENT_HELP)
    lti.add_argument("--platform", type=Path, required=True, metavar="JSON", help="the platform settings")
    lti.add_argument("--launch", type=Path, default=None, metavar="FILE",
                     help="a file holding a launch id_token (a signed JWT) from the platform")
    lti.add_argument("--label", default=None, metavar="TEXT",
                     help="label of the line item if it is created (default: ASSIGNMENT)")
    lti.add_argument("--student", action="append", default=None, metavar="ID",
                     help="send only this student's score (repeat for several)")
    return parser


# ----------------------------------------------------------------- commands


def _course(args: argparse.Namespace) -> Course:
    from mgcourse.grader.course import Course, course_root

    if args.root is not None:
        root = Path(args.root).resolve()
        if not (root / "nbgrader_config.py").is_file():
            raise _UsageError(f"--root {args.root}: no nbgrader_config.py there")
    else:
        try:
            root = course_root()
        except FileNotFoundError as error:
            raise _UsageError(str(error)) from None
    return Course.load(root)


def _check_assignment(course: Course, assignment: str) -> None:
    source = course.source
    if not (source / assignment).is_dir():
        known = ", ".join(sorted(p.name for p in source.iterdir() if p.is_dir())) if source.is_dir() else ""
        raise _UsageError(f"unknown assignment {assignment!r} (known: {known or 'none'})")


def _release(args: argparse.Namespace, course: Course) -> int:
    from mgcourse.grader.release import release_checked

    names = args.assignments or sorted(p.name for p in course.source.iterdir() if any(p.glob("*.ipynb")))
    for name in names:
        _check_assignment(course, name)
    status = OK
    if args.duedate is not None and len(args.assignments) != 1:
        raise _UsageError("--duedate needs exactly one ASSIGNMENT")
    for name in names:
        try:
            report = release_checked(course, name, duedate=args.duedate)
        except ValueError as error:
            raise _UsageError(str(error)) from None
        if report.leaks:
            status = PROBLEMS
            print(f"{name}: REFUSED, the student version would show solution or hidden-test text:",
                  file=sys.stderr)
            for leak in report.leaks[:20]:
                print(f"  {leak}", file=sys.stderr)
            if len(report.leaks) > 20:
                print(f"  ... {len(report.leaks) - 20} more", file=sys.stderr)
            continue
        summary = [
            f"{len(files)} {what}" + (f" ({', '.join(files)})" if files and what != "unchanged" else "")
            for what, files in (("added", report.added), ("changed", report.changed),
                                ("removed", report.removed), ("unchanged", report.unchanged))
            if files
        ]
        print(f"{name}: {'; '.join(summary) or 'no files'} -> {report.dest}")
        if args.duedate is not None:
            print(f"{name}: due {args.duedate}")
    return status


def _collect(args: argparse.Namespace, course: Course) -> int:
    from mgcourse.grader.collect import collect, collect_exchange

    _check_assignment(course, args.assignment)
    if (args.source is None) == (args.exchange is None):
        raise _UsageError("give either SOURCE (a folder or .zip) or --exchange, not both")
    if args.exchange is not None:
        folder = None if args.exchange is True else Path(args.exchange)
        try:
            report = collect_exchange(course, args.assignment, exchange=folder)
        except FileNotFoundError as error:
            raise _UsageError(str(error)) from None
    else:
        if not args.source.exists():
            raise _UsageError(f"SOURCE {args.source}: no such file or folder")
        try:
            report = collect(course, args.assignment, args.source, named_regexp=args.pattern)
        except ValueError as error:
            raise _UsageError(str(error)) from None
    for student, files, status in report.collected:
        print(f"collected {student}: {', '.join(files)} ({status})")
    for item, reason in report.skipped:
        print(f"skipped   {item}: {reason}")
    for warning in report.warnings:
        print(f"warning   {warning}")
    print(f"{len(report.collected)} submission(s) collected, {len(report.skipped)} item(s) skipped")
    return PROBLEMS if report.skipped or not report.collected else OK


#: Order in which flags are shown on the progress line (most telling first).
_SEVERITY: Final = {
    kind: rank for rank, kind in enumerate((
        "kernel_died", "budget", "timeout", "memory", "not_plain_data", "missing_notebook",
        "invalid_notebook", "deleted_cell", "edited_cell", "duplicated_cell",
        "changed_metadata", "unknown_cell", "renamed_notebook", "symlink", "suspicious_code",
    ))
}


def _describe(result: object) -> str:
    from mgcourse.grader.results import SubmissionResult

    assert isinstance(result, SubmissionResult)
    if result.skipped:
        return "skipped (already graded and unchanged; --force grades it again)"
    if result.outcome == "failed":
        return f"FAILED: {result.error}"
    flags = sorted((f for f in result.flags if f.review), key=lambda f: _SEVERITY.get(f.kind, len(_SEVERITY)))
    reviews = list(dict.fromkeys(flag.detail for flag in flags))
    if reviews:
        more = f" (+{len(reviews) - 2} more)" if len(reviews) > 2 else ""
        return "FLAGGED: " + "; ".join(reviews[:2]) + more
    if result.late_penalty > 0:
        return f"graded; {result.seconds_late / 3600:.1f} h late, {result.late_penalty:g} points off"
    return "graded"


def _grade(args: argparse.Namespace, course: Course) -> int:
    from mgcourse.grader.course import GradingError
    from mgcourse.grader.queue import QueueError, grade_queued
    from mgcourse.grader.records import find_submissions
    from mgcourse.grader.results import GradeOptions, SubmissionResult
    from mgcourse.grader.runner import grade_assignment
    from mgcourse.grader.sandbox import SandboxError

    _check_assignment(course, args.assignment)
    try:
        options = GradeOptions(
            workers=args.workers, timeout=args.timeout, memory_mb=args.memory, force=args.force,
            budget=args.budget, unsandboxed=args.unsandboxed,
        )
    except ValueError as error:
        raise _UsageError(str(error)) from None
    total = len(find_submissions(course, args.assignment))
    if args.student:
        total = len(set(args.student))
    if total == 0:
        print(f"no submissions of {args.assignment} in grading/submitted/*/{args.assignment}")
        return OK
    done: list[SubmissionResult] = []
    width = len(str(total))
    start = time.monotonic()

    def progress(result: SubmissionResult) -> None:
        done.append(result)
        score = "" if result.outcome == "failed" else f"{result.score:g}/{result.max_score:g}"
        print(
            f"[{len(done):>{width}}/{total}] {result.student:<20} {score:>9} "
            f"{result.seconds:6.1f} s  {_describe(result)}",
            flush=True,
        )

    if options.unsandboxed:
        print("WARNING: grading WITHOUT the sandbox (--unsafe-no-sandbox): student code can read the "
              "course, the gradebook and the network", file=sys.stderr, flush=True)
    where = f"through the queue {args.queue}" if args.queue else f"on {options.workers} worker(s)"
    print(f"grading {total} submission(s) of {args.assignment} {where}", flush=True)
    try:
        if args.queue:
            results = grade_queued(course, args.assignment, args.queue, students=args.student,
                                   options=options, progress=progress, lease=args.lease)
        else:
            results = grade_assignment(
                course, args.assignment, students=args.student, options=options, progress=progress
            )
    except SandboxError as error:
        print(f"mgcourse grade: refused: {error}. Grading untrusted code needs the sandbox; "
              "--unsafe-no-sandbox grades without it.", file=sys.stderr)
        return USAGE
    except KeyError as error:
        raise _UsageError(str(error.args[0])) from None
    except (GradingError, QueueError, ValueError) as error:
        raise _UsageError(str(error)) from None
    except KeyboardInterrupt:
        stored = sum(1 for r in done if not r.skipped)
        print(f"\ninterrupted: {stored} submission(s) graded and stored; run the same command "
              "again to grade the rest", file=sys.stderr)
        return INTERRUPTED
    counts = {name: sum(1 for r in results if r.outcome == name and not r.skipped)
              for name in ("graded", "flagged", "failed")}
    skipped = sum(1 for r in results if r.skipped)
    print(
        f"done in {time.monotonic() - start:.0f} s: {counts['graded']} graded, {counts['flagged']} "
        f"flagged for review, {counts['failed']} failed, {skipped} skipped"
    )
    return PROBLEMS if any(r.needs_review for r in results) else OK


def _mark(args: argparse.Namespace, course: Course) -> int:
    from mgcourse.grader.course import GradingError
    from mgcourse.grader.marking import Mark, apply_marks, read_marks, write_marking_sheet

    _check_assignment(course, args.assignment)
    single = args.student is not None or args.cell is not None
    if args.sheet is not None and single:
        raise _UsageError("give either --import CSV or --student/--cell, not both")
    try:
        if args.sheet is None and not single:
            sheet, page = write_marking_sheet(course, args.assignment)
            print(f"marking sheet: {sheet}\nwritten answers and rubrics: {page}")
            return OK
        if single:
            if args.student is None or args.cell is None or (args.score is None and args.comment is None):
                raise _UsageError("--student and --cell need --score and/or --comment")
            notebook = args.notebook or args.assignment
            marks = [Mark(args.student, notebook, args.cell, args.score, args.comment)]
        else:
            if not args.sheet.is_file():
                raise _UsageError(f"--import {args.sheet}: no such file")
            marks = read_marks(args.sheet)
        report = apply_marks(course, args.assignment, marks)
    except (ValueError, GradingError) as error:
        raise _UsageError(str(error)) from None
    for mark in report.stored:
        what = [f"{mark.score:g} points" if mark.score is not None else "", "comment" if mark.comment else ""]
        print(f"marked {mark.student} {mark.grade_id}: {' and '.join(w for w in what if w)}")
    for mark, reason in report.refused:
        print(f"refused {mark.student} {mark.grade_id}: {reason}", file=sys.stderr)
    return PROBLEMS if report.refused else OK


def _feedback(args: argparse.Namespace, course: Course) -> int:
    from mgcourse.grader.course import GradingError
    from mgcourse.grader.feedback import generate_feedback

    _check_assignment(course, args.assignment)
    try:
        run = generate_feedback(course, args.assignment, students=args.student)
    except GradingError as error:
        print(f"error: {error}", file=sys.stderr)
        return PROBLEMS
    for line in run.lines():
        print(line)
    if not run.written and not run.failed and not run.not_graded:
        print(f"no graded submissions of {args.assignment}: run `mgcourse grade {args.assignment}` first")
        return PROBLEMS
    return OK if run.ok else PROBLEMS


def _worker(args: argparse.Namespace) -> int:
    from mgcourse.grader.queue import QueueError, run_worker
    from mgcourse.grader.sandbox import SandboxError

    try:
        run_worker(args.queue, lease=args.lease, unsandboxed=args.unsandboxed)
    except SandboxError as error:
        print(f"mgcourse worker: refused: {error}", file=sys.stderr)
        return USAGE
    except (QueueError, ValueError) as error:
        raise _UsageError(str(error)) from None
    return OK


def _lti(args: argparse.Namespace, course: Course) -> int:
    from pylti1p3.exception import LtiException
    from requests import RequestException

    from mgcourse.grader.lms import LtiPlatform, send_scores, validate_launch

    _check_assignment(course, args.assignment)
    try:
        platform = LtiPlatform.load(args.platform)
        if args.launch is not None:
            platform = validate_launch(platform, args.launch.read_text(encoding="utf-8").strip())
        report = send_scores(course, args.assignment, platform, label=args.label, students=args.student)
    except (OSError, ValueError) as error:
        raise _UsageError(str(error)) from None
    except (LtiException, RequestException) as error:
        print(f"mgcourse lti: the platform refused or could not be reached: {error}", file=sys.stderr)
        return PROBLEMS
    print(f"line item: {report.lineitem}\nscores sent: {len(report.sent)}")
    if report.not_graded:
        print(f"not graded, not sent: {', '.join(report.not_graded)}")
    return OK


def _report(args: argparse.Namespace, course: Course) -> int:
    from mgcourse.grader.lms import write_canvas_csv, write_moodle_csv
    from mgcourse.grader.report import write_report

    _check_assignment(course, args.assignment)
    files = write_report(course, args.assignment, args.out)
    folder = files.grades.parent
    canvas = write_canvas_csv(course, args.assignment, folder / f"{args.assignment}-canvas.csv",
                              column=args.lms_column)
    moodle = write_moodle_csv(course, args.assignment, folder / f"{args.assignment}-moodle.csv",
                              column=args.lms_column)
    print(f"grades: {files.grades}\nsimilar submissions: {files.similarity}\nreport: {files.report}\n"
          f"Canvas import: {canvas}\nMoodle import: {moodle}")
    return OK


_COMMANDS: Final = {
    "release": _release, "collect": _collect, "grade": _grade, "mark": _mark, "feedback": _feedback,
    "report": _report, "lti": _lti,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``mgcourse`` command line.

    Parameters
    ----------
    argv : sequence of str, optional
        Arguments without the program name; defaults to ``sys.argv[1:]``.

    Returns
    -------
    int
        Exit status: 0 success, 1 problems (failed, flagged or refused), 2 usage
        error, 130 interrupted.
    """
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # argparse exits with 2 on usage errors, 0 for --help
        return int(exit_.code or 0)
    from mgcourse._extras import require

    require("grader", list(_NEEDS))
    try:
        if args.command == "worker":  # a worker needs no course folder
            return _worker(args)
        return int(_COMMANDS[args.command](args, _course(args)))
    except _UsageError as error:
        print(f"mgcourse {args.command}: error: {error}", file=sys.stderr)
        return USAGE
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return INTERRUPTED


if __name__ == "__main__":
    raise SystemExit(main())
