"""The master snapshot and the repairs nbgrader makes before grading.

:func:`load_master` reads an assignment's master from the gradebook (sources with
hidden tests, checksums, points); :func:`restore_cells` puts locked cells and
nbgrader metadata back the way nbgrader's ``OverwriteCells`` does, and records
every change a student made to them.
"""

from __future__ import annotations

import ast
import contextlib
import json
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from mgcourse.grader.course import Course, GradingError
from mgcourse.grader.results import CellResult, Flag, StudentError

if TYPE_CHECKING:
    from nbformat import NotebookNode

_HIDDEN_BEGIN: Final = "### BEGIN HIDDEN TESTS"


_HIDDEN_END: Final = "### END HIDDEN TESTS"


@dataclass(frozen=True)
class MasterCell:
    """A cell of the master as nbgrader recorded it in the gradebook."""

    grade_id: str
    cell_type: str
    locked: bool
    source: str
    checksum: str | None
    grade: bool = False
    solution: bool = False
    task: bool = False
    points: float | None = None

    def metadata(self) -> dict[str, Any]:
        """The ``nbgrader`` cell metadata this cell must carry."""
        meta: dict[str, Any] = {
            "grade": self.grade,
            "grade_id": self.grade_id,
            "locked": self.locked,
            "schema_version": 3,
            "solution": self.solution,
        }
        if self.task:
            meta["task"] = True
        if self.points is not None:
            meta["points"] = self.points
        if self.checksum:
            meta["checksum"] = self.checksum
        return meta


@dataclass(frozen=True)
class MasterNotebook:
    """One notebook of an assignment, with what the sandbox must protect."""

    name: str
    cells: tuple[MasterCell, ...]
    kernelspec: dict[str, Any] = field(default_factory=dict)
    #: ``alias → (module, attribute or None)`` bound by the locked cells' imports.
    aliases: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    #: Modules the locked cells import (snapshot in the kernel before student code).
    modules: tuple[str, ...] = ()

    def cell(self, grade_id: str) -> MasterCell | None:
        """The master cell with this ``grade_id``, if any."""
        return next((cell for cell in self.cells if cell.grade_id == grade_id), None)

    @property
    def grade_cells(self) -> tuple[MasterCell, ...]:
        """The graded cells, in notebook order."""
        return tuple(cell for cell in self.cells if cell.grade)


@dataclass(frozen=True)
class Master:
    """Snapshot of an assignment's master in the gradebook, passed to workers."""

    assignment: str
    notebooks: tuple[MasterNotebook, ...]
    #: ``(relative path, absolute path)`` of the source folder's other files (data).
    data_files: tuple[tuple[str, str], ...] = ()

    @property
    def max_score(self) -> float:
        """Points available in the whole assignment."""
        return sum(cell.points or 0.0 for nb in self.notebooks for cell in nb.grade_cells)


def visible_source(source: str) -> str:
    """A test cell's source as students see it: without its hidden tests.

    Parameters
    ----------
    source : str
        Test cell source from the master or the gradebook.

    Returns
    -------
    str
        ``source`` without the lines from ``### BEGIN HIDDEN TESTS`` to
        ``### END HIDDEN TESTS`` (inclusive), exactly as nbgrader's
        ``ClearHiddenTests`` removes them.

    Examples
    --------
    >>> visible_source("a = 1\\n### BEGIN HIDDEN TESTS\\nb = 2\\n### END HIDDEN TESTS\\n")
    'a = 1\\n'
    """
    lines: list[str] = []
    hidden = False
    for line in source.split("\n"):  # exactly as nbgrader, so checksums agree
        if _HIDDEN_BEGIN in line:
            hidden = True
        elif _HIDDEN_END in line:
            hidden = False
        elif not hidden:
            lines.append(line)
    return "\n".join(lines)


def _normalise(source: str) -> str:
    return "\n".join(line.rstrip() for line in source.strip().splitlines())


def _imports(source: str) -> tuple[dict[str, tuple[str, str | None]], list[str]]:
    """Aliases bound and modules imported by the import statements of a cell."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return {}, []
    aliases: dict[str, tuple[str, str | None]] = {}
    modules: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for name in node.names:
                modules.append(name.name)
                if name.asname:
                    aliases[name.asname] = (name.name, None)
                else:
                    top = name.name.split(".")[0]
                    aliases[top] = (top, None)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules.append(node.module)
            for name in node.names:
                if name.name != "*":
                    aliases[name.asname or name.name] = (node.module, name.name)
    return aliases, modules


#: Largest notebook file the worker reads [bytes].
_MAX_NOTEBOOK_BYTES: Final = 50 * 1024 * 1024


def read_notebook(path: Path, name: str, outcome: NotebookOutcome) -> NotebookNode | None:
    """Read a submitted notebook as nbformat 4, recording why it could not be read."""
    import nbformat

    def unreadable(reason: str) -> None:
        outcome.flags.append(Flag(
            "invalid_notebook", f"{path.name} could not be read ({reason}); every test scores 0", name
        ))

    size = path.stat().st_size
    if size > _MAX_NOTEBOOK_BYTES:
        unreadable(f"{size / 1e6:.0f} MB is larger than {_MAX_NOTEBOOK_BYTES / 1e6:.0f} MB")
        return None
    raw = path.read_bytes()
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError) as error:
        unreadable(f"not valid JSON: {str(error)[:120]}")
        return None
    if not isinstance(data, dict) or ("cells" not in data and "worksheets" not in data):
        unreadable("not a Jupyter notebook")
        return None
    version = data.get("nbformat")
    try:
        nb: NotebookNode = nbformat.reads(raw.decode("utf-8"), as_version=4)  # type: ignore[no-untyped-call]
    except Exception as error:
        unreadable(f"{type(error).__name__}: {str(error)[:120]}")
        return None
    if isinstance(version, int) and version < 4:
        outcome.flags.append(Flag(
            "old_format", f"{path.name} was in nbformat {version}; it was converted to nbformat 4",
            name, review=False,
        ))
    try:
        for cell in nb.cells:
            if cell.get("cell_type") not in ("code", "markdown", "raw"):
                raise ValueError(f"cell of type {cell.get('cell_type')!r}")
            if not isinstance(cell.get("source", ""), str):
                cell["source"] = "".join(cell.get("source", []))
            if not isinstance(cell.get("metadata"), dict):
                cell["metadata"] = nbformat.NotebookNode()  # type: ignore[no-untyped-call]
            if cell.cell_type == "code":
                cell["outputs"] = []
                cell["execution_count"] = None
    except Exception as error:
        unreadable(f"{type(error).__name__}: {str(error)[:120]}")
        return None
    return nb


def _released_checksum(master: MasterCell) -> str:
    """The checksum nbgrader wrote into the student version of a cell."""
    import nbformat
    from nbgrader import utils

    source = visible_source(master.source) if master.grade and master.locked else master.source
    meta = {key: value for key, value in master.metadata().items() if key != "checksum"}
    cell = nbformat.from_dict(  # type: ignore[no-untyped-call]
        {"cell_type": master.cell_type, "source": source, "metadata": {"nbgrader": meta}}
    )
    return str(utils.compute_checksum(cell))


def restore_cells(nb: NotebookNode, master_nb: MasterNotebook, outcome: NotebookOutcome) -> None:
    """Restore locked cells and nbgrader metadata from the master, recording every change.

    The same repairs as nbgrader's ``OverwriteCells`` (cell type, locked flag,
    points, checksum, source of locked cells), from the gradebook snapshot.
    """
    from nbgrader import utils
    from nbgrader.preprocessors import DeduplicateIds

    def grade_id_of(cell: NotebookNode) -> str | None:
        meta = cell.metadata.get("nbgrader")
        value = meta.get("grade_id") if isinstance(meta, dict) else None
        return str(value) if value is not None else None

    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader")
        if meta is None:
            continue
        if not isinstance(meta, dict) or "grade_id" not in meta:
            if isinstance(meta, dict) and (meta.get("grade") or meta.get("points")):
                outcome.flags.append(Flag("unknown_cell", "a cell claims points without an id; not graded"))
            del cell.metadata["nbgrader"]
            continue
        meta["grade_id"] = str(meta["grade_id"])
        for key in ("grade", "solution", "locked"):
            meta.setdefault(key, False)
    counts = Counter(gid for cell in nb.cells if (gid := grade_id_of(cell)) is not None)
    for gid, count in sorted(counts.items()):
        known = master_nb.cell(gid)
        if count > 1 and known is not None:
            kind = "test cell" if known.grade else "cell"
            outcome.flags.append(Flag(
                "duplicated_cell",
                f"the {kind} {gid} appears {count} times; only the last copy is graded",
                gid,
            ))
    # nbgrader keeps the last copy and strips the metadata of the others
    DeduplicateIds().preprocess(nb, {})
    present: set[str] = set()
    for cell in nb.cells:
        gid = grade_id_of(cell)
        if gid is None:
            continue
        master = master_nb.cell(gid)
        meta = cell.metadata["nbgrader"]
        if master is None:
            if meta.get("grade") or meta.get("points"):
                outcome.flags.append(Flag(
                    "unknown_cell", f"a cell claims points under the unknown id {gid!r}; not graded", gid
                ))
            del cell.metadata["nbgrader"]
            continue
        present.add(gid)
        changed = [
            key for key, expected in (
                ("cell_type", master.cell_type), ("grade", master.grade),
                ("solution", master.solution), ("locked", master.locked),
            )
            if (cell.cell_type if key == "cell_type" else bool(meta.get(key))) != expected
        ]
        if master.grade and float(meta.get("points", -1) or 0) != float(master.points or 0):
            changed.append("points")
        stored = meta.get("checksum")
        if stored is not None and master.checksum and stored != _released_checksum(master):
            changed.append("checksum")
        if changed:
            outcome.flags.append(Flag(
                "changed_metadata",
                f"the nbgrader metadata of {gid} was changed ({', '.join(changed)}); restored",
                gid,
            ))
        if cell.cell_type != master.cell_type:
            cell.cell_type = master.cell_type
            if master.cell_type == "code":
                cell["outputs"] = []
                cell["execution_count"] = None
            else:
                cell.pop("outputs", None)
                cell.pop("execution_count", None)
        cell.metadata["nbgrader"] = master.metadata()
        if master.locked:
            shown = visible_source(master.source) if master.grade else master.source
            if _normalise(cell.source) != _normalise(shown):
                kind = "test cell" if master.grade else "read-only cell"
                outcome.flags.append(Flag(
                    "edited_cell", f"the {kind} {gid} was edited; the original was restored", gid
                ))
            cell.source = master.source
            if utils.compute_checksum(cell) != master.checksum and master.checksum:
                raise RuntimeError(f"inconsistent checksum for cell {gid} in the gradebook")
    for master in master_nb.cells:
        if master.grade_id in present:
            continue
        if master.grade:
            outcome.flags.append(Flag(
                "deleted_cell", f"the test cell {master.grade_id} was deleted; it scores 0", master.grade_id
            ))
        elif master.locked:
            outcome.flags.append(Flag(
                "deleted_cell", f"the read-only cell {master.grade_id} was deleted", master.grade_id
            ))
        elif master.solution:
            outcome.flags.append(Flag(
                "deleted_cell", f"the answer cell {master.grade_id} is missing", master.grade_id,
                review=False,
            ))
    nb.metadata["kernelspec"] = dict(master_nb.kernelspec) or nb.metadata.get("kernelspec", {})


def _master_order(path: Path) -> list[str]:
    with contextlib.suppress(Exception):
        data = json.loads(path.read_text(encoding="utf-8"))
        return [
            str(cell["metadata"]["nbgrader"]["grade_id"])
            for cell in data.get("cells", [])
            if isinstance(cell.get("metadata", {}).get("nbgrader"), dict)
            and "grade_id" in cell["metadata"]["nbgrader"]
        ]
    return []


def load_master(course: Course, assignment: str) -> Master:
    """Snapshot of an assignment's master from the gradebook (what workers restore from).

    Parameters
    ----------
    assignment : str
        Assignment name; it must have been released (so it is in the gradebook).
    course : Course
        The course.

    Returns
    -------
    Master
        Every notebook's cells (source with hidden tests, checksum, points), the
        aliases its read-only cells import, and the data files to copy.

    Raises
    ------
    mgcourse.grader.course.GradingError
        If the assignment is not in the gradebook.
    """
    from nbgrader.api import MissingEntry
    from nbgrader.utils import find_all_files

    source = course.source / assignment
    notebooks: list[MasterNotebook] = []
    with course.gradebook() as gradebook:
        try:
            record = gradebook.find_assignment(assignment)
        except MissingEntry:
            raise GradingError(
                f"assignment {assignment!r} is not in the gradebook: release it first "
                f"(mgcourse release {assignment})"
            ) from None
        for notebook in record.notebooks:
            grade = {cell.name: float(cell.max_score) for cell in notebook.grade_cells}
            task = {cell.name: float(cell.max_score) for cell in notebook.task_cells}
            solution = {cell.name for cell in notebook.solution_cells}
            cells = [
                MasterCell(
                    grade_id=str(cell.name), cell_type=str(cell.cell_type), locked=bool(cell.locked),
                    source=str(cell.source or ""), checksum=cell.checksum, grade=cell.name in grade,
                    solution=cell.name in solution, task=cell.name in task,
                    points=grade.get(cell.name, task.get(cell.name)),
                )
                for cell in notebook.source_cells
            ]
            order = _master_order(source / f"{notebook.name}.ipynb")
            cells.sort(key=lambda c: order.index(c.grade_id) if c.grade_id in order else len(order))
            aliases: dict[str, tuple[str, str | None]] = {}
            modules: list[str] = []
            for cell in cells:
                if cell.cell_type == "code" and cell.locked:
                    cell_aliases, cell_modules = _imports(cell.source)
                    if not cell.grade:
                        aliases.update(cell_aliases)
                    modules += [m for m in cell_modules if m not in modules]
            kernelspec: dict[str, Any] = {}
            with contextlib.suppress(ValueError, TypeError):
                kernelspec = dict(json.loads(notebook.kernelspec or "{}"))
            notebooks.append(MasterNotebook(
                str(notebook.name), tuple(cells), kernelspec, aliases, tuple(modules)
            ))
    from nbgrader.coursedir import CourseDirectory

    ignore = [*CourseDirectory(config=course.config).ignore, "*.ipynb"]
    data = tuple(
        (os.path.relpath(path, source), str(Path(path).resolve()))
        for path in sorted(find_all_files(str(source), ignore))
    ) if source.is_dir() else ()
    return Master(assignment, tuple(sorted(notebooks, key=lambda nb: nb.name)), data)


@dataclass
class NotebookOutcome:
    cells: list[CellResult] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)
    errors: list[StudentError] = field(default_factory=list)
    comments: dict[str, str | None] = field(default_factory=dict)
    notebook: NotebookNode | None = None
