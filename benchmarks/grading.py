"""Time autograding a whole class of assignment 1: nbgrader's CLI, ``mgcourse grade``, bare execution.

Builds a synthetic class in a temporary copy of the course, one submission per
student, mixed like a real class: 40 % correct (the master's solutions), 20 %
wrong (one classic mistake that passes the visible checks), 20 % blank (the
student version as released) and 20 % broken (an error raised at top level, a
syntax error, or an endless loop that runs into the per-cell timeout). Then, in
one run, it times

(a) ``nbgrader autograde assignment1 --force``: the real command line, one
    process for the whole class, with the course's configuration;
(b) ``mgcourse grade assignment1 --workers W`` (skipped if the command is not
    installed);
(c) the ratio (a)/(b);
(d) the bare execution of the same submitted notebooks with nbclient (no
    grading: each notebook once, one after the other, same timeout), so that
    the per-submission cost of each grader and its overhead over bare
    execution can be read off.

Each grader works in its own copy of the course with a fresh SQLite gradebook
(the assignment generated into it first, untimed), so neither reuses the
other's results. Both graders must agree on every submission's score.

Usage: python benchmarks/grading.py [--students N] [--workers W] [--timeout S]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbformat import NotebookNode

from mgcourse.grading import fill_from_master, release

REPO = Path(__file__).resolve().parents[1]
NAME = "assignment1"
NOTEBOOK = f"{NAME}.ipynb"
DATA_FILES = ("cohort.csv",)
SCRIPTS = Path(sys.executable).parent  # nbgrader, alembic and mgcourse live here

# (solution cell, text in the master, replacement): each passes the visible checks.
WRONG = (
    ("units_solution", "return insulin_pmol / 6.00", "return insulin_pmol"),
    ("quicki_solution", "np.log10(insulin_uU) + np.log10(glucose_mgdl)",
     "np.log(insulin_uU) + np.log(glucose_mgdl)"),
    ("tyg_solution", "np.log(tg_mgdl * glucose_mgdl / 2.0)", "np.log10(tg_mgdl * glucose_mgdl / 2.0)"),
    ("classification_solution", "mg_mmol_l = mg_mg_dl / 2.4305", "mg_mmol_l = mg_mg_dl"),
    ("elemental_solution", "return salt_mass_mg * 24.305 / molar_mass_salt", "return salt_mass_mg"),
)  # fmt: skip
# Broken submissions: an error at top level, a syntax error, an endless loop (last).
BROKEN = (
    ("homa_solution", "homa = homa_ir(glucose_mmol_l, insulin_uU_ml)",
     "homa = homa_ir(glucose_mmol_l, insulin_uU)"),  # TypeError: array times function
    ("tyg_solution", "def tyg(tg_mgdl, glucose_mgdl):", "def tyg(tg_mgdl, glucose_mgdl)"),
    ("elemental_solution", "exceeds_ul = mgcl2_elemental_mg > 350.0",
     "day = 0\nwhile day < 7:\n    dose = mgcl2_elemental_mg  # forgot day += 1\n"
     "exceeds_ul = mgcl2_elemental_mg > 350.0"),
)  # fmt: skip
# Kinds of submission per ten students: 40 % correct, 20 % each wrong, blank, broken.
MIX = ("correct", "wrong", "blank", "broken", "correct", "correct", "wrong", "blank", "broken", "correct")


@dataclass(frozen=True)
class Submission:
    student: str
    kind: str
    notebook: NotebookNode
    endless_loop: bool = False


def edit(nb: NotebookNode, grade_id: str, old: str, new: str) -> NotebookNode:
    """Replace ``old`` by ``new`` in the cell ``grade_id`` of a notebook (in place)."""
    (cell,) = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id]
    if old not in cell.source:
        raise ValueError(f"{old!r} is not in cell {grade_id!r} any more")
    cell.source = cell.source.replace(old, new)
    return nb


def make_class(n: int, student: NotebookNode, master: NotebookNode) -> list[Submission]:
    counts: Counter[str] = Counter()
    submissions = []
    for i in range(n):
        kind = MIX[i % len(MIX)]
        if kind == "blank":
            nb = student
        else:
            nb = fill_from_master(student, master)
            if kind == "wrong":
                edit(nb, *WRONG[counts[kind] % len(WRONG)])
            elif kind == "broken":
                edit(nb, *BROKEN[counts[kind] % len(BROKEN)])
        loop = kind == "broken" and counts[kind] % len(BROKEN) == len(BROKEN) - 1
        counts[kind] += 1
        submissions.append(Submission(f"s{i + 1:03d}_{kind}", kind, nb, loop))
    return submissions


def make_course(root: Path, timeout: int) -> None:
    """A copy of the course whose per-cell timeout is ``timeout`` [s]."""
    root.mkdir(parents=True)
    config = (REPO / "nbgrader_config.py").read_text()
    config += f"\n# benchmarks/grading.py\nc.ExecutePreprocessor.timeout = {timeout}\n"
    (root / "nbgrader_config.py").write_text(config)
    for folder in ("solutions", "exercises"):
        shutil.copytree(REPO / folder, root / folder, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))


def submit(root: Path, submissions: list[Submission]) -> None:
    for sub in submissions:
        folder = root / "grading" / "submitted" / sub.student / NAME
        folder.mkdir(parents=True)
        nbformat.write(sub.notebook, str(folder / NOTEBOOK))
        for name in DATA_FILES:
            shutil.copy(REPO / "exercises" / NAME / name, folder / name)


def environment(root: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["MGCOURSE_COURSE_ROOT"] = str(root)
    env["MGCOURSE_DB_URL"] = f"sqlite:///{root / 'grading' / 'gradebook.db'}"
    env["PATH"] = os.pathsep.join([str(SCRIPTS), env.get("PATH", "")])
    env.pop("MPLBACKEND", None)
    return env


def grading_copy(base: Path, label: str) -> Path:
    """A copy of the class with a fresh gradebook holding the generated assignment (untimed)."""
    root = base.parent / label
    shutil.copytree(base, root)
    saved = dict(os.environ)
    os.environ.update(environment(root))
    try:
        release(NAME, root)
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return root


def timed_command(cmd: list[str], root: Path, ok: tuple[int, ...] = (0,)) -> tuple[float, str]:
    """Run a command in the course folder; return its wall time [s] and its last output line."""
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=root, env=environment(root), capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode not in ok:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    lines = proc.stdout.strip().splitlines()
    return elapsed, lines[-1] if lines else ""


def scores(root: Path) -> dict[str, float]:
    """Total autograded score of every submission in the course's gradebook [points]."""
    from nbgrader.api import Gradebook

    url = environment(root)["MGCOURSE_DB_URL"]
    with Gradebook(url, "mgcourse") as gradebook:
        return {sub.student.id: float(sub.score) for sub in gradebook.assignment_submissions(NAME)}


def bare_execution(root: Path, submissions: list[Submission], timeout: int) -> float:
    """Execute every submitted notebook once with nbclient, as nbgrader would (errors allowed)."""
    start = time.perf_counter()
    for sub in submissions:
        folder = root / "grading" / "submitted" / sub.student / NAME
        nb = nbformat.read(str(folder / NOTEBOOK), as_version=4)
        NotebookClient(
            nb, timeout=timeout, kernel_name="python3", allow_errors=True,
            interrupt_on_timeout=True, resources={"metadata": {"path": str(folder)}},
            extra_arguments=["--HistoryManager.hist_file=:memory:"],  # as nbgrader starts kernels
        ).execute(stderr=subprocess.DEVNULL)  # kernels' own warnings, as nbgrader captures them
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=60, help="class size (default 60)")
    parser.add_argument("--workers", type=int, default=2, help="workers of mgcourse grade (default 2)")
    parser.add_argument("--timeout", type=int, default=10, help="per-cell timeout [s] (default 10)")
    args = parser.parse_args()
    n, workers, timeout = args.students, args.workers, args.timeout
    mgcourse = SCRIPTS / "mgcourse"

    with tempfile.TemporaryDirectory(prefix="mgcourse-bench-") as tmp:
        base = Path(tmp) / "class"
        make_course(base, timeout)
        student = nbformat.read(str(base / "exercises" / NAME / NOTEBOOK), as_version=4)
        master = nbformat.read(str(base / "solutions" / NAME / NOTEBOOK), as_version=4)
        submissions = make_class(n, student, master)
        submit(base, submissions)
        kinds = Counter(sub.kind for sub in submissions)
        print(f"class: {n} submissions of {NAME} ("
              + ", ".join(f"{kinds[k]} {k}" for k in ("correct", "wrong", "blank", "broken"))
              + f"); per-cell timeout {timeout} s; {os.cpu_count()} CPUs")  # fmt: skip

        rows: list[tuple[str, float, int]] = []  # label, wall time [s], processes
        results: dict[str, dict[str, float]] = {}

        root = grading_copy(base, "nbgrader")
        wall, _ = timed_command([str(SCRIPTS / "nbgrader"), "autograde", NAME, "--force"], root)
        rows.append(("(a) nbgrader autograde", wall, 1))
        results["nbgrader"] = scores(root)

        summary = ""
        if mgcourse.exists():
            root = grading_copy(base, "mgcourse")
            cmd = [str(mgcourse), "grade", NAME, "--workers", str(workers)]
            # Exit status 1: some submission was flagged for review (the endless loops are).
            wall, summary = timed_command(cmd, root, ok=(0, 1))
            rows.append((f"(b) mgcourse grade --workers {workers}", wall, workers))
            results["mgcourse"] = scores(root)

        bare = bare_execution(base, submissions, timeout)
        rows.append(("(d) bare nbclient execution", bare, 1))

    print()
    header = f"{'variant':<34} {'wall [s]':>9} {'per sub. [s]':>13} {'x bare':>7} {'CPU-slot s/sub.':>16}"
    print(header)
    print("-" * len(header))
    for label, wall, procs in rows:
        per = wall / n
        print(f"{label:<34} {wall:>9.1f} {per:>13.2f} {wall / bare:>7.2f} {per * procs:>16.2f}")
    print()
    if not mgcourse.exists():
        print("mgcourse grade: not available")
    else:
        print(f"(c) speed-up (a)/(b): {rows[0][1] / rows[1][1]:.2f}")
        print(f"mgcourse grade says: {summary}")
        same = results["nbgrader"] == results["mgcourse"]
        print(f"scores identical between (a) and (b): {'yes' if same else 'NO'}")
    for label, graded in results.items():
        by_kind: dict[str, list[float]] = {}
        for sub in submissions:
            by_kind.setdefault(sub.kind, []).append(graded.get(sub.student, float("nan")))
        means = ", ".join(f"{k} {sum(v) / len(v):.1f}" for k, v in sorted(by_kind.items()))
        print(f"mean score [points of 20] by {label}: {means}; graded {len(graded)}/{n}")
    loops = sum(1 for sub in submissions if sub.endless_loop)
    print("x bare: wall time over bare execution; CPU-slot s/sub.: wall time x processes / submissions")
    print(f"every variant includes {loops} endless loop(s) stopped at the {timeout} s cell timeout")


if __name__ == "__main__":
    main()
