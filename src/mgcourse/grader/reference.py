"""nbgrader's own autograder, run in-process: the reference the tests and benchmark compare with."""

from __future__ import annotations

from mgcourse.grader.course import Course, course_directory, run_app


def autograde(course: Course, assignment: str, *, student: str = "*") -> None:
    """Autograde submissions in ``<root>/grading/submitted/<student>/<assignment>``.

    Parameters
    ----------
    course : Course
        The course.
    assignment : str
        Assignment name; it must already be in the gradebook (see :func:`release`).
    student : str, default "*"
        Student id, or ``"*"`` for every submission.

    Raises
    ------
    GradingError
        If nbgrader cannot grade a submission (student code that fails only
        loses points; it does not raise).

    Notes
    -----
    Locked cells (instructions and test cells) are restored from the gradebook
    before execution, so the hidden tests run even though students never saw them.
    """
    from nbgrader.converters import Autograde

    config = course.nbgrader_config()
    app = Autograde(coursedir=course_directory(config, assignment, student), config=config)
    app.force = True
    app.create_student = True
    run_app(app, f"autograding {assignment!r} for student {student!r}")


def cell_scores(course: Course, assignment: str, student: str) -> dict[str, tuple[float, float]]:
    """Autograded score of every graded cell of one submission.

    Parameters
    ----------
    assignment : str
        Assignment name.
    student : str
        Student id.

    Returns
    -------
    dict of str to (float, float)
        ``grade_id`` → (score, maximum score) [points].
    """
    scores: dict[str, tuple[float, float]] = {}
    with course.gradebook() as gradebook:
        submission = gradebook.find_submission(assignment, student)
        for notebook in submission.notebooks:
            for grade in notebook.grades:
                scores[str(grade.name)] = (float(grade.score), float(grade.max_score))
    return scores

