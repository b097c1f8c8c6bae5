"""Unit tests of mgcourse.grading on tiny fixture notebooks made here.

One fixture notebook per failure mode a grading tool has to survive: a blank
stub, a wrong answer that passes the visible check, an edited test cell, a
deleted test cell and an infinite loop.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest
from nbformat import NotebookNode
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from mgcourse.grading import (
    GradingError,
    autograde,
    cell_scores,
    course_root,
    fill_from_master,
    leak_snippets,
    load_config,
    release,
)

REPO = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.filterwarnings(
    # nbgrader 0.9.6's gradebook triggers SQLAlchemy autoflush warnings while autograding.
    "ignore:Object of type <Submitted:sqlalchemy.exc.SAWarning"
)

SOLUTION = '''def double(x):
    """Return twice x."""
    ### BEGIN SOLUTION
    result = 2 * x  # the answer
    return result
    ### END SOLUTION
'''
TEST_DOUBLE = '''"""Check that double doubles."""
assert double(0) == 0, "double(0) should be 0"
### BEGIN HIDDEN TESTS
assert double(21) == 42, "did you multiply by two?"
### END HIDDEN TESTS
'''
TEST_TYPE = '''"""Check that double keeps integers."""
assert isinstance(double(1), int), "double(1) should be an int"
'''


def _meta(grade_id: str, **kw: object) -> dict[str, object]:
    meta: dict[str, object] = {
        "grade": False,
        "grade_id": grade_id,
        "locked": False,
        "schema_version": 3,
        "solution": False,
    }
    meta.update(kw)
    return {"nbgrader": meta}


def tiny_master() -> NotebookNode:
    """A master with one read-only markdown cell, one solution and two test cells."""
    cells = [
        new_markdown_cell("# Tiny\n\nWrite `double`.", metadata=_meta("intro", locked=True)),
        new_code_cell(SOLUTION, metadata=_meta("double_solution", solution=True)),
        new_code_cell(
            TEST_DOUBLE, metadata=_meta("test_double", grade=True, locked=True, points=2)
        ),
        new_code_cell(TEST_TYPE, metadata=_meta("test_type", grade=True, locked=True, points=1)),
    ]
    for cell in cells:
        cell["id"] = cell.metadata["nbgrader"]["grade_id"].replace("_", "-")
    return new_notebook(
        cells=cells,
        metadata={
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}
        },
    )


def make_course(root: Path, *, timeout: int | None = None) -> Path:
    """A course directory with the repository's config and the tiny assignment."""
    root.mkdir(parents=True, exist_ok=True)
    config = (REPO / "nbgrader_config.py").read_text(encoding="utf-8")
    if timeout is not None:
        config += f"\nc.ExecutePreprocessor.timeout = {timeout}\n"
    (root / "nbgrader_config.py").write_text(config, encoding="utf-8")
    source = root / "solutions" / "tiny"
    source.mkdir(parents=True)
    nbformat.write(tiny_master(), str(source / "tiny.ipynb"))
    (source / "data.txt").write_text("1 2 3\n", encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def shared_db_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """One gradebook for the release tests: nbgrader needs ~3 s to create a new one."""
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'gradebook.db'}"


@pytest.fixture
def tiny_course(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, shared_db_url: str) -> Path:
    monkeypatch.setenv("MGCOURSE_DB_URL", shared_db_url)
    monkeypatch.delenv("MGCOURSE_COURSE_ROOT", raising=False)
    return make_course(tmp_path / "course")


# ----------------------------------------------------------------- course_root, load_config


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


def test_load_config_defaults(tiny_course: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MGCOURSE_DB_URL")
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
    (hub / "nbgrader_config.py").write_text(
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


# ----------------------------------------------------------------- fill_from_master


def _blank_student() -> NotebookNode:
    student = tiny_master()
    stub = 'def double(x):\n    """Return twice x."""\n    raise NotImplementedError()'
    student.cells[1].source = stub
    student.cells[2].source = TEST_DOUBLE.split("### BEGIN HIDDEN TESTS")[0]
    return student


def test_fill_from_master_copies_solutions_by_grade_id() -> None:
    master, student = tiny_master(), _blank_student()
    student.cells[1].metadata["nbgrader"]["checksum"] = "kept"
    master.cells = [master.cells[2], master.cells[1]]  # order does not matter
    filled = fill_from_master(student, master)
    assert filled.cells[1].source == SOLUTION
    assert filled.cells[1].metadata["nbgrader"]["checksum"] == "kept"
    assert filled.cells[2].source == student.cells[2].source  # test cells are not copied
    assert "raise NotImplementedError()" in student.cells[1].source  # input untouched


def test_fill_from_master_missing_solution_cell() -> None:
    master, student = tiny_master(), _blank_student()
    master.cells[1].metadata["nbgrader"]["grade_id"] = "renamed"
    with pytest.raises(KeyError, match="double_solution"):
        fill_from_master(student, master)


# ----------------------------------------------------------------- leak_snippets


def test_leak_snippets_of_a_tiny_master(tmp_path: Path) -> None:
    master = tiny_master()
    master.cells.append(
        new_code_cell(
            "long_shared_line = 1\n### BEGIN SOLUTION\nlong_shared_line = 1\n"
            "short = 1\n# a comment that is long enough\nvery_secret_value = 42\n### END SOLUTION",
            metadata=_meta("extra", solution=True),
        )
    )
    path = tmp_path / "master.ipynb"
    nbformat.write(master, str(path))
    assert leak_snippets(path) == {
        "result = 2 * x  # the answer",  # a code line with a trailing comment is code
        "return result",
        'assert double(21) == 42, "did you multiply by two?"',
        "very_secret_value = 42",
    }  # not: "short = 1" (< 12 characters), comments, lines also shown outside the regions


def test_leak_snippets_of_the_real_master() -> None:
    snippets = leak_snippets(REPO / "solutions" / "assignment1" / "assignment1.ipynb")
    assert "return insulin_pmol / 6.00" in snippets
    assert "homa = homa_ir(glucose_mmol_l, insulin_uU_ml)" in snippets
    assert not any("BEGIN" in s or s.startswith("#") or len(s) < 12 for s in snippets)


# ----------------------------------------------------------------- release


@pytest.mark.nbgrader
def test_release_writes_the_student_version(tiny_course: Path) -> None:
    out = release("tiny", tiny_course)
    assert out == tiny_course / "exercises" / "tiny"
    assert (out / "data.txt").read_text(encoding="utf-8") == "1 2 3\n"
    nb = nbformat.read(str(out / "tiny.ipynb"), as_version=4)
    solution, test = nb.cells[1].source, nb.cells[2].source
    assert "# YOUR CODE HERE\n    raise NotImplementedError()" in solution
    assert "2 * x" not in solution and "BEGIN SOLUTION" not in solution
    assert "double(21)" not in test and "HIDDEN" not in test
    assert 'assert double(0) == 0, "double(0) should be 0"' in test
    assert nb.cells[2].metadata["editable"] is False
    assert nb.cells[2].metadata["nbgrader"]["checksum"]


@pytest.mark.nbgrader
def test_release_to_dest_replaces_its_contents(tiny_course: Path, tmp_path: Path) -> None:
    dest = tmp_path / "somewhere" / "student"
    dest.mkdir(parents=True)
    (dest / "stale.txt").write_text("old", encoding="utf-8")
    assert release("tiny", tiny_course, dest=dest) == dest
    assert sorted(p.name for p in dest.iterdir()) == ["data.txt", "tiny.ipynb"]
    assert not (tiny_course / "exercises").exists()


@pytest.mark.nbgrader
def test_release_is_deterministic(tiny_course: Path, tmp_path: Path) -> None:
    first = release("tiny", tiny_course, dest=tmp_path / "a")
    second = release("tiny", tiny_course, dest=tmp_path / "b")
    assert (first / "tiny.ipynb").read_bytes() == (second / "tiny.ipynb").read_bytes()


@pytest.mark.nbgrader
def test_release_creates_a_gradebook_without_an_activated_environment(
    tiny_course: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A new gradebook makes nbgrader 0.9.6 run the `alembic` command.
    monkeypatch.delenv("MGCOURSE_DB_URL")
    monkeypatch.setenv("PATH", os.defpath)
    release("tiny", tiny_course)
    assert (tiny_course / "grading" / "gradebook.db").is_file()
    assert os.environ["PATH"] == os.defpath


def test_release_unknown_assignment(tiny_course: Path) -> None:
    with pytest.raises(FileNotFoundError, match="nope"):
        release("nope", tiny_course)


@pytest.mark.nbgrader
def test_release_rejects_duplicate_grade_ids(tiny_course: Path) -> None:
    path = tiny_course / "solutions" / "tiny" / "tiny.ipynb"
    nb = nbformat.read(str(path), as_version=4)
    nb.cells[3].metadata["nbgrader"]["grade_id"] = "test_double"
    nbformat.write(nb, str(path))
    with pytest.raises(GradingError, match="generating the student version"):
        release("tiny", tiny_course)


# ----------------------------------------------------------------- autograde failure modes

SUBMISSIONS = {
    # student id: (solution source, how to change the student's test cells)
    "good": (SOLUTION, None),
    "blank": (None, None),
    "wrong_hidden": ("def double(x):\n    return 0 if x == 0 else x + 1", None),
    "edited_test": ("def double(x):\n    return x", "edit"),
    "deleted_test": ("def double(x):\n    return x", "delete"),
    "infinite_loop": ("def double(x):\n    while True:\n        pass", None),
}
EXPECTED = {
    "good": {"test_double": 2.0, "test_type": 1.0},
    "blank": {"test_double": 0.0, "test_type": 0.0},
    "wrong_hidden": {"test_double": 0.0, "test_type": 1.0},
    "edited_test": {"test_double": 0.0, "test_type": 1.0},
    "deleted_test": {"test_double": 0.0, "test_type": 1.0},
    "infinite_loop": {"test_double": 0.0, "test_type": 0.0},
}


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The tiny course with every submission in SUBMISSIONS autograded once."""
    root = make_course(tmp_path_factory.mktemp("tiny") / "course", timeout=3)
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("MGCOURSE_DB_URL", raising=False)
        mp.delenv("MGCOURSE_COURSE_ROOT", raising=False)
        student = nbformat.read(str(release("tiny", root) / "tiny.ipynb"), as_version=4)
        for student_id, (source, change) in SUBMISSIONS.items():
            nb = fill_from_master(student, tiny_master()) if source else student
            if source:
                nb.cells[1].source = source
            if change == "edit":
                nb.cells[2].source = "pass"
            elif change == "delete":
                del nb.cells[2]
            folder = root / "grading" / "submitted" / student_id / "tiny"
            folder.mkdir(parents=True)
            nbformat.write(nb, str(folder / "tiny.ipynb"))
        autograde("tiny", root)
        yield root


@pytest.mark.nbgrader
@pytest.mark.parametrize("student_id", sorted(SUBMISSIONS))
def test_autograde_failure_modes(graded: Path, student_id: str) -> None:
    scores = cell_scores("tiny", student_id, graded)
    assert {cell: score for cell, (score, _) in scores.items()} == EXPECTED[student_id]
    maximum = {cell: top for cell, (_, top) in scores.items()}
    assert maximum == {"test_double": 2.0, "test_type": 1.0}


@pytest.mark.nbgrader
def test_autograde_copies_source_files(graded: Path) -> None:
    autograded = graded / "grading" / "autograded" / "good" / "tiny"
    assert (autograded / "data.txt").is_file()  # data files come from solutions/, not students


def test_autograde_unknown_assignment(tiny_course: Path) -> None:
    with pytest.raises(GradingError, match="autograding 'tiny'"):
        autograde("tiny", tiny_course)  # never released, so not in the gradebook
