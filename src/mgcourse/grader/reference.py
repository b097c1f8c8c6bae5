"""TODO docstring."""

from __future__ import annotations

from pathlib import Path

from mgcourse.grader.course import course_directory, load_config, run_app, scripts_on_path


def autograde(assignment: str, root: Path, *, student: str = "*") -> None:
    """Autograde submissions in ``<root>/grading/submitted/<student>/<assignment>``.

    Parameters
    ----------
    assignment : str
        Assignment name; it must already be in the gradebook (see :func:`release`).
    root : pathlib.Path
        Course directory.
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

    config = load_config(Path(root))
    app = Autograde(coursedir=course_directory(config, assignment, student), config=config)
    app.force = True
    app.create_student = True
    run_app(app, f"autograding {assignment!r} for student {student!r}")


def cell_scores(assignment: str, student: str, root: Path) -> dict[str, tuple[float, float]]:
    """Autograded score of every graded cell of one submission.

    Parameters
    ----------
    assignment : str
        Assignment name.
    student : str
        Student id.
    root : pathlib.Path
        Course directory (its configuration gives the gradebook and course id).

    Returns
    -------
    dict of str to (float, float)
        ``grade_id`` → (score, maximum score) [points].
    """
    from nbgrader.api import Gradebook

    config = load_config(Path(root))
    directory = config.CourseDirectory
    scores: dict[str, tuple[float, float]] = {}
    with (
        scripts_on_path(),
        Gradebook(str(directory.db_url), str(directory.course_id)) as gradebook,
    ):
        submission = gradebook.find_submission(assignment, student)
        for notebook in submission.notebooks:
            for grade in notebook.grades:
                scores[str(grade.name)] = (float(grade.score), float(grade.max_score))
    return scores

