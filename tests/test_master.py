"""Tests of mgcourse.grader.master: restoring locked cells and reading submitted notebooks (no kernel)."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell

from fixtures.submissions import filled, find, tiny_master
from mgcourse.grader.master import (
    MasterCell,
    MasterNotebook,
    NotebookOutcome,
    read_notebook,
    restore_cells,
    visible_source,
)


def test_visible_source_drops_the_hidden_region() -> None:
    source = 'a = 1\n### BEGIN HIDDEN TESTS\nassert a == 1, "secret"\n### END HIDDEN TESTS\nb = 2\n'
    assert visible_source(source) == "a = 1\nb = 2\n"
    assert visible_source("no hidden tests\n") == "no hidden tests\n"


def _master_notebook() -> MasterNotebook:
    from nbgrader.utils import compute_checksum

    cells = []
    for cell in tiny_master().cells:
        meta = cell.metadata["nbgrader"]
        checksum = compute_checksum(cell) if meta["locked"] or meta["solution"] else None
        cells.append(MasterCell(
            meta["grade_id"], cell.cell_type, meta["locked"], cell.source, checksum,
            grade=meta["grade"], solution=meta["solution"], points=meta.get("points"),
        ))
    return MasterNotebook("tiny", tuple(cells), aliases={"np": ("numpy", None)}, modules=("numpy",))


def _student() -> nbformat.NotebookNode:
    """The student version: hidden tests removed, as nbgrader generates it."""
    nb = tiny_master()
    for cell in nb.cells:
        if cell.metadata["nbgrader"]["grade"]:
            cell.source = visible_source(cell.source)
    return filled(nb)


def _restore(nb: nbformat.NotebookNode) -> NotebookOutcome:
    outcome = NotebookOutcome()
    restore_cells(nb, _master_notebook(), outcome)
    return outcome


def test_restore_an_untouched_notebook_restores_hidden_tests_silently() -> None:
    nb = _student()
    outcome = _restore(nb)
    assert outcome.flags == []
    assert "BEGIN HIDDEN TESTS" in find(nb, "test_double").source


def test_restore_flags_a_deleted_test_cell_and_a_deleted_read_only_cell() -> None:
    nb = _student()
    nb.cells = [c for c in nb.cells if c.metadata["nbgrader"]["grade_id"] not in ("test_half", "intro")]
    kinds = {(f.kind, f.cell) for f in _restore(nb).flags}
    assert kinds == {("deleted_cell", "test_half"), ("deleted_cell", "intro")}


def test_restore_keeps_the_last_of_duplicated_cells() -> None:
    nb = _student()
    nb.cells.append(copy.deepcopy(find(nb, "test_half")))
    flags = _restore(nb).flags
    assert [f.kind for f in flags] == ["duplicated_cell"]
    graded = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "test_half"]
    assert len(graded) == 1 and graded[0] is nb.cells[-1]


def test_restore_undoes_edits_and_metadata_changes() -> None:
    nb = _student()
    find(nb, "test_double").source = "pass"
    find(nb, "setup").source = "DATA = []"
    find(nb, "test_half").metadata["nbgrader"].update(points=50, grade=False, locked=False)
    find(nb, "intro").cell_type = "raw"
    flags = {(f.kind, f.cell) for f in _restore(nb).flags}
    assert flags == {
        ("edited_cell", "test_double"), ("edited_cell", "setup"),
        ("changed_metadata", "test_half"), ("changed_metadata", "intro"),
    }
    assert find(nb, "test_double").source == tiny_master().cells[3].source
    assert find(nb, "setup").source == tiny_master().cells[1].source
    assert find(nb, "test_half").metadata["nbgrader"]["points"] == 1
    assert find(nb, "intro").cell_type == "markdown"


def test_restore_ignores_cells_with_unknown_or_broken_metadata() -> None:
    nb = _student()
    nb.cells.append(new_code_cell("x = 1", metadata={"nbgrader": {"grade_id": "bonus", "grade": True,
                                                                "points": 99}}))
    nb.cells.append(new_markdown_cell("hi", metadata={"nbgrader": "not a dict"}))
    nb.cells.append(new_code_cell("y = 1", metadata={"nbgrader": {"grade": True, "points": 5}}))
    flags = _restore(nb).flags
    assert [f.kind for f in flags] == ["unknown_cell", "unknown_cell"]
    assert all("nbgrader" not in cell.metadata for cell in nb.cells[-3:])


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("{ not json", "not valid JSON"),
        ('{"hello": "world"}', "not a Jupyter notebook"),
        ("[1, 2, 3]", "not a Jupyter notebook"),
        ('{"cells": [{"cell_type": "sql", "id": "a", "source": "", "metadata": {}}], "metadata": {}, '
         '"nbformat": 4, "nbformat_minor": 5}', "cell of type 'sql'"),
    ],
)
def testread_notebook_records_why_it_cannot(tmp_path: Path, content: str, reason: str) -> None:
    path = tmp_path / "tiny.ipynb"
    path.write_text(content, encoding="utf-8")
    outcome = NotebookOutcome()
    assert read_notebook(path, "tiny", outcome) is None
    assert [f.kind for f in outcome.flags] == ["invalid_notebook"]
    assert reason in outcome.flags[0].detail


def testread_notebook_upgrades_nbformat_3(tmp_path: Path) -> None:
    path = tmp_path / "tiny.ipynb"
    path.write_text(json.dumps(nbformat.convert(_student(), 3)), encoding="utf-8")
    outcome = NotebookOutcome()
    nb = read_notebook(path, "tiny", outcome)
    assert nb is not None and nb.nbformat == 4
    assert [f.kind for f in outcome.flags] == ["old_format"] and not outcome.flags[0].review
    assert find(nb, "double_solution").metadata["nbgrader"]["solution"] is True
