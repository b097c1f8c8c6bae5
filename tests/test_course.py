"""Tests of mgcourse.grader.course: finding the course, reading its configuration, the Course object."""

from __future__ import annotations

from pathlib import Path

import pytest

from fixtures.submissions import make_course
from mgcourse.grader.course import CONFIG_FILE, Course, course_root, load_config

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def tiny_course(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("MGCOURSE_DB_URL", raising=False)
    monkeypatch.delenv("MGCOURSE_COURSE_ROOT", raising=False)
    return make_course(tmp_path / "course")


# ----------------------------------------------------------------- course_root


def test_course_root_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MGCOURSE_COURSE_ROOT", str(tmp_path))
    assert course_root() == tmp_path.resolve()


def test_course_root_found_above_working_directory(
    tiny_course: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tiny_course / "solutions" / "tiny")
    assert course_root() == tiny_course.resolve()


def test_course_root_of_this_repository(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MGCOURSE_COURSE_ROOT", raising=False)
    monkeypatch.chdir(REPO / "tests")
    assert course_root() == REPO


# ----------------------------------------------------------------- load_config


def test_load_config_defaults(tiny_course: Path) -> None:
    cfg = load_config(tiny_course)
    directory = cfg.CourseDirectory
    assert directory.root == str(tiny_course.resolve())
    assert directory.course_id == "mgcourse"
    assert directory.source_directory == "solutions"
    assert directory.release_directory == "exercises"
    assert directory.submitted_directory == "grading/submitted"
    assert directory.autograded_directory == "grading/autograded"
    assert directory.feedback_directory == "grading/feedback"
    assert directory.db_url == f"sqlite:///{tiny_course.resolve() / 'grading' / 'gradebook.db'}"
    assert (tiny_course / "grading").is_dir()  # SQLite needs the folder to exist
    stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
    assert cfg.ClearSolutions.code_stub == stub


def test_load_config_root_wins_over_environment(
    tiny_course: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MGCOURSE_COURSE_ROOT", str(tmp_path / "elsewhere"))
    assert load_config(tiny_course).CourseDirectory.root == str(tiny_course.resolve())
    assert not (tmp_path / "elsewhere").exists()


def test_load_config_db_url_from_environment_and_argument(
    tiny_course: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env_url = f"sqlite:///{tmp_path / 'env' / 'gb.db'}"
    monkeypatch.setenv("MGCOURSE_DB_URL", env_url)
    assert load_config(tiny_course).CourseDirectory.db_url == env_url
    arg_url = f"sqlite:///{tmp_path / 'arg' / 'gb.db'}"
    assert load_config(tiny_course, db_url=arg_url).CourseDirectory.db_url == arg_url
    assert (tmp_path / "arg").is_dir()


def test_load_config_reads_jupyters_config_folders_first(
    tiny_course: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    hub = tmp_path / "etc-jupyter"  # stands for /etc/jupyter on a hub
    hub.mkdir()
    (hub / CONFIG_FILE).write_text(
        'c = get_config()  # noqa: F821\nc.Exchange.root = "/srv/nbgrader/exchange"\n'
        'c.CourseDirectory.course_id = "not-this-one"\n', encoding="utf-8")
    monkeypatch.setenv("JUPYTER_CONFIG_PATH", str(hub))
    config = load_config(tiny_course)
    assert config.Exchange.root == "/srv/nbgrader/exchange"
    assert config.CourseDirectory.course_id == "mgcourse"  # the course's own file wins


def test_load_config_returns_a_fresh_config(tiny_course: Path) -> None:
    first = load_config(tiny_course)
    first.CourseDirectory.release_directory = "changed"
    assert load_config(tiny_course).CourseDirectory.release_directory == "exercises"


def test_load_config_timeout_reaches_nbgrader_execute(tiny_course: Path) -> None:
    from nbgrader.preprocessors import Execute

    # nbgrader's Execute overrides ExecutePreprocessor.timeout's default (30 s);
    # configuration of the parent class still applies to it.
    assert Execute(config=load_config(tiny_course)).timeout == 60


def test_load_config_without_config_file(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"nbgrader_config\.py"):
        load_config(tmp_path)


# ----------------------------------------------------------------- Course


def test_course_folders_come_from_the_configuration(tiny_course: Path) -> None:
    course = Course.load(tiny_course)
    root = tiny_course.resolve()
    assert course.root == root
    assert course.source == root / "solutions"
    assert course.release == root / "exercises"
    assert course.submitted == root / "grading" / "submitted"
    assert course.autograded == root / "grading" / "autograded"
    assert course.feedback == root / "grading" / "feedback"
    assert course.grading == root / "grading"
    assert course.records == root / "grading" / "records"
    assert course.db_url == f"sqlite:///{root / 'grading' / 'gradebook.db'}"
    assert course.course_id == "mgcourse"


def test_course_load_defaults_to_the_course_around_the_working_directory(
    tiny_course: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tiny_course / "solutions")
    assert Course.load().root == tiny_course.resolve()


def test_course_with_another_gradebook_is_a_copy(tiny_course: Path, tmp_path: Path) -> None:
    course = Course.load(tiny_course)
    url = f"sqlite:///{tmp_path / 'trial' / 'gb.db'}"
    other = course.with_gradebook(url)
    assert other.db_url == url and other.root == course.root
    assert course.db_url != url  # the original is unchanged
    assert (tmp_path / "trial").is_dir()  # SQLite needs the folder to exist


def test_nbgrader_config_is_a_private_copy(tiny_course: Path) -> None:
    course = Course.load(tiny_course)
    private = course.nbgrader_config()
    private.CourseDirectory.release_directory = "changed"
    assert course.release == tiny_course.resolve() / "exercises"
    assert course.config.CourseDirectory.release_directory == "exercises"
