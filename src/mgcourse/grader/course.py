"""The course: its folder, its nbgrader configuration and its gradebook, loaded once.

A :class:`Course` is made once per command (:meth:`Course.load`) and handed to
every stage, which reads paths and settings from it instead of loading the
configuration again.
"""

from __future__ import annotations

import contextlib
import copy
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from jupyter_core.paths import jupyter_config_path
from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader

#: Name of the nbgrader configuration file at the course root.
CONFIG_FILE: Final = "nbgrader_config.py"


class GradingError(RuntimeError):
    """An nbgrader step (generate, autograde) did not complete."""


def _is_course_root(path: Path) -> bool:
    return (path / CONFIG_FILE).is_file() and (path / "solutions").is_dir()


def course_root() -> Path:
    """Locate the course directory (the folder holding ``nbgrader_config.py``).

    Returns
    -------
    pathlib.Path
        ``$MGCOURSE_COURSE_ROOT`` if set; otherwise the nearest folder, starting
        at the working directory and then at this module, that contains
        ``nbgrader_config.py`` and ``solutions/``.

    Raises
    ------
    FileNotFoundError
        If no such folder is found.

    Examples
    --------
    >>> (course_root() / "nbgrader_config.py").is_file()  # doctest: +SKIP
    True
    """
    env = os.environ.get("MGCOURSE_COURSE_ROOT")
    if env:
        return Path(env).resolve()
    for start in (Path.cwd().resolve(), Path(__file__).resolve().parent):
        for candidate in (start, *start.parents):
            if _is_course_root(candidate):
                return candidate
    raise FileNotFoundError(
        f"no course directory found: looked for {CONFIG_FILE} next to a solutions/ folder "
        "above the working directory and above the mgcourse package; "
        "set MGCOURSE_COURSE_ROOT to the course directory"
    )


def _ensure_sqlite_folder(db_url: str) -> None:
    """Create the folder of an SQLite gradebook (SQLite does not create folders)."""
    prefix = "sqlite:///"
    if db_url.startswith(prefix) and ":memory:" not in db_url:
        Path(db_url[len(prefix) :]).parent.mkdir(parents=True, exist_ok=True)


def load_config(root: Path, db_url: str | None = None) -> Config:
    """Load the course's nbgrader configuration.

    As nbgrader's own commands do, ``nbgrader_config.py`` files in Jupyter's
    configuration folders (``jupyter --paths``: for example
    ``/etc/jupyter``, ``~/.jupyter`` and ``$JUPYTER_CONFIG_PATH``) are read first,
    so a hub-wide setting such as ``c.Exchange.root`` applies; the course's own
    file is read last and wins.

    Parameters
    ----------
    root : pathlib.Path
        Course directory containing ``nbgrader_config.py``. It becomes
        ``CourseDirectory.root`` whatever the file or the environment says.
    db_url : str, optional
        SQLAlchemy URL of the gradebook (for example ``"sqlite:////tmp/gb.db"``).
        Defaults to the file's value: ``$MGCOURSE_DB_URL`` or
        ``sqlite:///<root>/grading/gradebook.db``.

    Returns
    -------
    traitlets.config.Config
        A fresh configuration; changing it does not affect later calls.

    Raises
    ------
    FileNotFoundError
        If ``root`` has no ``nbgrader_config.py``.

    Examples
    --------
    >>> cfg = load_config(course_root())  # doctest: +SKIP
    >>> cfg.CourseDirectory.release_directory  # doctest: +SKIP
    'exercises'
    """
    root = Path(root).resolve()
    if not (root / CONFIG_FILE).is_file():
        raise FileNotFoundError(f"root = {str(root)!r} has no {CONFIG_FILE}")
    saved = os.environ.get("MGCOURSE_COURSE_ROOT")
    os.environ["MGCOURSE_COURSE_ROOT"] = str(root)
    try:
        config = Config()
        for folder in reversed(jupyter_config_path()):  # the most general first
            if (Path(folder) / CONFIG_FILE).is_file() and Path(folder).resolve() != root:
                config.merge(PyFileConfigLoader(CONFIG_FILE, path=folder).load_config())
        config.merge(PyFileConfigLoader(CONFIG_FILE, path=str(root)).load_config())
    finally:
        if saved is None:
            del os.environ["MGCOURSE_COURSE_ROOT"]
        else:
            os.environ["MGCOURSE_COURSE_ROOT"] = saved
    config.CourseDirectory.root = str(root)
    if db_url is not None:
        config.CourseDirectory.db_url = db_url
    _ensure_sqlite_folder(str(config.CourseDirectory.db_url))
    return config


@contextlib.contextmanager
def scripts_on_path() -> Iterator[None]:
    """Put this interpreter's scripts folder first on PATH while nbgrader runs.

    nbgrader 0.9.6 runs the ``alembic`` command when it creates a new gradebook,
    so grading fails from an environment whose scripts are not on PATH (for
    example ``.venv/bin/python -m mgcourse.grading`` without activating it).
    """
    saved = os.environ.get("PATH")
    scripts = str(Path(sys.executable).parent)
    os.environ["PATH"] = os.pathsep.join([scripts, *([saved] if saved else [])])
    try:
        yield
    finally:
        if saved is None:
            del os.environ["PATH"]
        else:
            os.environ["PATH"] = saved


def run_app(app: Any, what: str) -> str:
    """Start an nbgrader converter, returning its log or raising :class:`GradingError`."""
    from nbgrader.utils import capture_log

    with scripts_on_path():
        result = capture_log(app)
    log = str(result.get("log", ""))
    if not result["success"]:
        raise GradingError(f"{what} failed:\n{result.get('error', '')}\n{log}")
    return log


def course_directory(config: Config, assignment: str, student: str = ".") -> Any:
    from nbgrader.coursedir import CourseDirectory

    coursedir = CourseDirectory(config=config)
    coursedir.assignment_id = assignment
    coursedir.student_id = student
    return coursedir



@dataclass(frozen=True)
class Course:
    """One course directory and its nbgrader configuration, loaded once and handed down.

    Parameters
    ----------
    root : pathlib.Path
        Course directory (holds ``nbgrader_config.py``).
    config : traitlets.config.Config
        Its configuration, from :func:`load_config`.
    """

    root: Path
    config: Config

    @classmethod
    def load(cls, root: Path | None = None, db_url: str | None = None) -> Course:
        """The course at ``root`` (default: :func:`course_root`), with an optional gradebook URL."""
        root = Path(root if root is not None else course_root()).resolve()
        return cls(root, load_config(root, db_url))

    def _folder(self, trait: str) -> Path:
        return self.root / str(getattr(self.config.CourseDirectory, trait))

    @property
    def source(self) -> Path:
        """Masters: ``solutions/``."""
        return self._folder("source_directory")

    @property
    def release(self) -> Path:
        """Student versions: ``exercises/``."""
        return self._folder("release_directory")

    @property
    def submitted(self) -> Path:
        """Collected submissions: ``grading/submitted/<student>/<assignment>``."""
        return self._folder("submitted_directory")

    @property
    def autograded(self) -> Path:
        """Autograded notebooks: ``grading/autograded/<student>/<assignment>``."""
        return self._folder("autograded_directory")

    @property
    def feedback(self) -> Path:
        """Feedback pages: ``grading/feedback/<student>/<assignment>``."""
        return self._folder("feedback_directory")

    @property
    def grading(self) -> Path:
        """The folder holding submissions, autograded files, records and the SQLite gradebook."""
        return self.autograded.parent

    @property
    def records(self) -> Path:
        """One JSON record per graded submission: ``grading/records/<assignment>/<student>.json``."""
        return self.grading / "records"

    @property
    def db_url(self) -> str:
        """SQLAlchemy URL of the gradebook."""
        return str(self.config.CourseDirectory.db_url)

    @property
    def course_id(self) -> str:
        """nbgrader's course id."""
        return str(self.config.CourseDirectory.course_id)

    def with_gradebook(self, db_url: str) -> Course:
        """The same course recording into another gradebook (a copy; this one is unchanged)."""
        config = copy.deepcopy(self.config)
        config.CourseDirectory.db_url = db_url
        _ensure_sqlite_folder(db_url)
        return Course(self.root, config)

    def nbgrader_config(self) -> Config:
        """A private copy of the configuration, for an nbgrader app that changes it."""
        return copy.deepcopy(self.config)

    @contextlib.contextmanager
    def gradebook(self) -> Iterator[Any]:
        """nbgrader's gradebook, opened with nbgrader's scripts on PATH."""
        from nbgrader.api import Gradebook

        with scripts_on_path(), Gradebook(self.db_url, self.course_id) as gradebook:
            yield gradebook
