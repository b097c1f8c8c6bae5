"""nbgrader configuration for the mgcourse graded assignments.

The repository root is the nbgrader course directory:

* ``solutions/<assignment>/``  instructor masters (nbgrader's source directory)
* ``exercises/<assignment>/``  generated student versions (release directory)
* ``grading/``                 submissions, autograded copies, feedback and the
  gradebook database (git-ignored)

Two environment variables override the defaults, for example to grade in a
temporary copy of the course: ``MGCOURSE_COURSE_ROOT`` (the course directory)
and ``MGCOURSE_DB_URL`` (an SQLAlchemy URL of the gradebook).

Regenerate a student version with ``mgcourse release <assignment>`` (``make release`` does them all).
"""

import os

c = get_config()  # noqa: F821 (provided by traitlets when it loads this file)

root = os.environ.get("MGCOURSE_COURSE_ROOT") or os.path.dirname(os.path.abspath(__file__))

c.CourseDirectory.root = root
c.CourseDirectory.course_id = "mgcourse"
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "exercises"
c.CourseDirectory.submitted_directory = "grading/submitted"
c.CourseDirectory.autograded_directory = "grading/autograded"
c.CourseDirectory.feedback_directory = "grading/feedback"

db_url = os.environ.get("MGCOURSE_DB_URL")
if not db_url:
    # SQLite does not create missing folders, so make sure grading/ exists.
    os.makedirs(os.path.join(root, "grading"), exist_ok=True)
    db_url = "sqlite:///" + os.path.join(root, "grading", "gradebook.db")
c.CourseDirectory.db_url = db_url

c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}

# Per-cell time limit [s] when nbgrader executes a notebook (validate, autograde).
c.ExecutePreprocessor.timeout = 60
