"""Time autograding a whole class of assignment 1: nbgrader's CLI, ``mgcourse grade``, bare execution.

Builds a synthetic class in a temporary copy of the course, one submission per
student, mixed like a real class: 40 % correct (the master's solutions), 20 %
wrong (one classic mistake that passes the visible checks), 20 % blank (the
student version as released) and 20 % broken (an error raised at top level, a
syntax error, or an endless loop that runs into the per-cell timeout). Then, in
one run, it times

(a) ``nbgrader autograde assignment1 --force``: the real command line, one
    process for the whole class, with the course's configuration;
(a2) the fairest baseline an instructor could build by hand: two
    ``nbgrader autograde`` processes at once, each grading half the class in a
    course copy of its own;
(b) ``mgcourse grade assignment1 --workers W`` (skipped if the command is not
    installed): every kernel in its bubblewrap sandbox, tests in the checker;
(b0) the same with ``--unsafe-no-sandbox``, so that (b) − (b0) is what the
    boundary costs per submission;
(c) the ratio (a)/(b);
(d) the bare execution of the same submitted notebooks with nbclient (no
    grading: each notebook once, one after the other, same timeout), so that
    the per-submission cost of each grader and its overhead over bare
    execution can be read off.

CPU time is the user + system time of every process a variant started, as
the operating system accounts it to this program once they have ended: for
``mgcourse grade`` that includes its workers, every kernel (spare kernels
included), the sandboxes and the checkers.

Each grader works in its own copy of the course with a fresh SQLite gradebook
(the assignment generated into it first, untimed), so none reuses another's
results. Every grader must agree on every submission's score.

With ``--queue`` it times instead ``mgcourse grade --queue`` with 1 and then 2
``mgcourse worker`` processes on a throwaway PostgreSQL server on 127.0.0.1
(``tests/postgres.py``), the workers started and registered before the clock
starts, and prints the two wall times and their ratio.

Usage: python benchmarks/grading.py [--students N] [--workers W] [--timeout S] [--queue]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import resource
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

from mgcourse.grader.course import Course
from mgcourse.grader.release import fill_from_master, release

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
    release(Course.load(root, db_url=environment(root)["MGCOURSE_DB_URL"]), NAME)
    return root


def cpu_seconds() -> float:
    """User + system time of this process and of every child it has waited for [s]."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


#: Where CPU time can be counted per group: cgroup v1's cpuacct, then v2's cpu controller.
_CPU_CONTROLLERS = ((Path("/sys/fs/cgroup/cpuacct"), "cpuacct.usage"), (Path("/sys/fs/cgroup"), "cpu.stat"))


class CpuGroup:
    """A control group that counts the CPU time of every process started in it [s].

    A sandboxed kernel runs in PID namespaces of its own and is killed, not waited
    for, when grading ends, so ``RUSAGE_CHILDREN`` never sees its time; a control
    group does: every process of a grading run (workers, spare kernels, checkers)
    is counted. Without a writable ``cpuacct`` (cgroup v1) or ``cpu`` (v2)
    controller, falls back to :func:`cpu_seconds` (and says so).
    """

    def __init__(self) -> None:
        self.folder: Path | None = None
        name = f"mgcourse-bench-{os.getpid()}-{time.monotonic_ns()}"
        for root, usage in _CPU_CONTROLLERS:
            if (root / usage).exists() and os.access(root, os.W_OK):
                try:
                    (root / name).mkdir()
                except OSError:
                    continue
                self.folder, self.usage = root / name, usage
                break
        self.start = cpu_seconds()

    @staticmethod
    def method() -> str:
        """How CPU time is counted here."""
        usable = any((root / usage).exists() and os.access(root, os.W_OK) for root, usage in _CPU_CONTROLLERS)
        return "a control group per variant" if usable else "waited-for children only"

    def join(self) -> None:
        """Move the calling process into the group (a ``preexec_fn``)."""
        if self.folder is not None:
            (self.folder / "cgroup.procs").write_text(str(os.getpid()))

    def seconds(self) -> float:
        """CPU time used in the group so far [s]."""
        if self.folder is None:
            return cpu_seconds() - self.start
        text = (self.folder / self.usage).read_text()
        if self.usage == "cpu.stat":
            return int(text.split("usage_usec")[1].split()[0]) / 1e6
        return int(text) / 1e9

    def close(self) -> None:
        if self.folder is not None:
            with contextlib.suppress(OSError):
                self.folder.rmdir()


@dataclass(frozen=True)
class Timing:
    label: str
    wall: float  # [s]
    cpu: float  # every process the variant started [s]


def timed_commands(
    commands: list[tuple[list[str], Path]], ok: tuple[int, ...] = (0,)
) -> tuple[float, float, str]:
    """Run commands at once, each in its course folder; wall and CPU time [s], last output line."""
    group = CpuGroup()
    start = time.perf_counter()
    procs = [
        subprocess.Popen(cmd, cwd=root, env=environment(root), stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, preexec_fn=group.join)
        for cmd, root in commands
    ]
    outputs = [proc.communicate() for proc in procs]
    wall = time.perf_counter() - start
    time.sleep(1.0)  # the kernels' sandboxes are gone a moment after their grader
    used = group.seconds()
    group.close()
    for (cmd, _), proc, (out, err) in zip(commands, procs, outputs, strict=True):
        if proc.returncode not in ok:
            raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{out}\n{err}")
    lines = outputs[-1][0].strip().splitlines()
    return wall, used, lines[-1] if lines else ""


def half_class(base: Path, label: str, keep: list[Submission]) -> Path:
    """A grading copy holding only the submissions in ``keep``."""
    root = grading_copy(base, label)
    students = {sub.student for sub in keep}
    for folder in (root / "grading" / "submitted").iterdir():
        if folder.name not in students:
            shutil.rmtree(folder)
    return root


def scores(root: Path) -> dict[str, float]:
    """Total autograded score of every submission in the course's gradebook [points]."""
    from nbgrader.api import Gradebook

    url = environment(root)["MGCOURSE_DB_URL"]
    with Gradebook(url, "mgcourse") as gradebook:
        return {sub.student.id: float(sub.score) for sub in gradebook.assignment_submissions(NAME)}


def bare_execution(root: Path, submissions: list[Submission], timeout: int) -> tuple[float, float]:
    """Execute every submitted notebook once with nbclient, as nbgrader would (errors allowed).

    Returns the wall and CPU time [s].
    """
    cpu, start = cpu_seconds(), time.perf_counter()
    for sub in submissions:
        folder = root / "grading" / "submitted" / sub.student / NAME
        nb = nbformat.read(str(folder / NOTEBOOK), as_version=4)
        NotebookClient(
            nb, timeout=timeout, kernel_name="python3", allow_errors=True,
            interrupt_on_timeout=True, resources={"metadata": {"path": str(folder)}},
            extra_arguments=["--HistoryManager.hist_file=:memory:"],  # as nbgrader starts kernels
        ).execute(stderr=subprocess.DEVNULL)  # kernels' own warnings, as nbgrader captures them
    return time.perf_counter() - start, cpu_seconds() - cpu


def queue_benchmark(n: int, timeout: int) -> None:
    """Wall time of ``mgcourse grade --queue`` with 1 and 2 ``mgcourse worker`` processes, and the ratio."""
    import signal

    import psycopg

    sys.path.insert(0, str(REPO / "tests"))
    from mgcourse.grader.queue import connection_url
    from postgres import postgres_server

    walls: dict[int, float] = {}
    totals: dict[int, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="mgcourse-bench-") as tmp, postgres_server() as server:
        base = Path(tmp) / "class"
        make_course(base, timeout)
        student = nbformat.read(str(base / "exercises" / NAME / NOTEBOOK), as_version=4)
        master = nbformat.read(str(base / "solutions" / NAME / NOTEBOOK), as_version=4)
        submit(base, make_class(n, student, master))
        print(f"class: {n} submissions of {NAME}; per-cell timeout {timeout} s; {os.cpu_count()} CPUs")
        for count in (1, 2):
            root = grading_copy(base, f"queue{count}")
            url = server.create_database(f"bench_queue{count}")
            workers = [
                subprocess.Popen([str(SCRIPTS / "mgcourse"), "worker", "--queue", url], env=environment(root),
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
                for _ in range(count)
            ]
            try:
                deadline = time.monotonic() + 120
                while True:  # every worker has created or found the schema and registered
                    with psycopg.connect(connection_url(url), autocommit=True) as connection:
                        ready = connection.execute(
                            "SELECT count(*) FROM pg_tables WHERE tablename = 'procrastinate_workers'"
                        ).fetchone()
                        if ready and ready[0]:
                            row = connection.execute("SELECT count(*) FROM procrastinate_workers").fetchone()
                            if row and row[0] == count:
                                break
                    if time.monotonic() > deadline:
                        raise SystemExit(f"{count} worker(s) did not register within 120 s")
                    time.sleep(0.2)
                cmd = [str(SCRIPTS / "mgcourse"), "grade", NAME, "--queue", url]
                walls[count], _, last = timed_commands([(cmd, root)], ok=(0, 1))
                totals[count] = scores(root)
                print(f"mgcourse grade --queue with {count} worker(s): {walls[count]:.1f} s ({last})",
                      flush=True)
            finally:
                for worker in workers:
                    worker.send_signal(signal.SIGINT)
                for worker in workers:
                    try:
                        worker.wait(timeout=60)
                    except subprocess.TimeoutExpired:
                        worker.kill()
                        worker.wait()
    print(f"speed-up with 2 workers: {walls[1] / walls[2]:.2f}x (1 worker {walls[1]:.1f} s, "
          f"2 workers {walls[2]:.1f} s)")
    print(f"scores identical with 1 and 2 workers: {'yes' if totals[1] == totals[2] else 'NO'}; "
          f"graded {len(totals[1])}/{n} and {len(totals[2])}/{n}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=60, help="class size (default 60)")
    parser.add_argument("--workers", type=int, default=2, help="workers of mgcourse grade (default 2)")
    parser.add_argument("--timeout", type=int, default=10, help="per-cell timeout [s] (default 10)")
    parser.add_argument("--queue", action="store_true",
                        help="time mgcourse grade --queue with 1 and 2 mgcourse worker processes instead")
    args = parser.parse_args()
    if args.queue:
        queue_benchmark(args.students, args.timeout)
        return
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

        rows: list[Timing] = []
        results: dict[str, dict[str, float]] = {}

        root = grading_copy(base, "nbgrader")
        wall, cpu, _ = timed_commands([([str(SCRIPTS / "nbgrader"), "autograde", NAME, "--force"], root)])
        rows.append(Timing("(a) nbgrader autograde", wall, cpu))
        results["(a)"] = scores(root)

        halves = [half_class(base, f"nbgrader-half{i}", submissions[i::2]) for i in (0, 1)]
        command = [str(SCRIPTS / "nbgrader"), "autograde", NAME, "--force"]
        wall, cpu, _ = timed_commands([(command, half) for half in halves])
        rows.append(Timing("(a2) 2 x nbgrader autograde, halves", wall, cpu))
        results["(a2)"] = {**scores(halves[0]), **scores(halves[1])}

        summary = ""
        if mgcourse.exists():
            # Exit status 1: some submission was flagged for review (the endless loops are).
            for key, extra in (("(b)", []), ("(b0)", ["--unsafe-no-sandbox"])):
                root = grading_copy(base, f"mgcourse{key.strip('()')}")
                cmd = [str(mgcourse), "grade", NAME, "--workers", str(workers), *extra]
                wall, cpu, last = timed_commands([(cmd, root)], ok=(0, 1))
                label = f"{key} mgcourse grade --workers {workers}" + (" unsandboxed" if extra else "")
                rows.append(Timing(label, wall, cpu))
                results[key] = scores(root)
                summary = summary or last

        bare, bare_cpu = bare_execution(base, submissions, timeout)
        rows.append(Timing("(d) bare nbclient execution", bare, bare_cpu))

    print()
    header = (f"{'variant':<44} {'wall [s]':>9} {'per sub. [s]':>13} {'x bare':>7} "
              f"{'CPU s/sub.':>11} {'x bare CPU':>11}")
    print(header)
    print("-" * len(header))
    for row in rows:
        print(f"{row.label:<44} {row.wall:>9.1f} {row.wall / n:>13.2f} {row.wall / bare:>7.2f} "
              f"{row.cpu / n:>11.2f} {row.cpu / bare_cpu:>11.2f}")
    print()
    by_key = {row.label.split()[0]: row for row in rows}
    if not mgcourse.exists():
        print("mgcourse grade: not available")
    else:
        print(f"(c) speed-up (a)/(b): {by_key['(a)'].wall / by_key['(b)'].wall:.2f}; "
              f"(a2)/(b): {by_key['(a2)'].wall / by_key['(b)'].wall:.2f}")
        boundary, boundary_cpu = (
            (by_key["(b)"].wall - by_key["(b0)"].wall) / n, (by_key["(b)"].cpu - by_key["(b0)"].cpu) / n
        )
        print(f"the sandbox costs per submission: {boundary:.2f} s wall, "
              f"{boundary_cpu:.2f} s CPU ((b) - (b0))")
        print(f"mgcourse grade says: {summary}")
        for key in ("(b)", "(a2)", "(b0)"):
            same = results["(a)"] == results[key]
            print(f"scores identical between (a) and {key}: {'yes' if same else 'NO'}")
    for label, graded in results.items():
        by_kind: dict[str, list[float]] = {}
        for sub in submissions:
            by_kind.setdefault(sub.kind, []).append(graded.get(sub.student, float("nan")))
        means = ", ".join(f"{k} {sum(v) / len(v):.1f}" for k, v in sorted(by_kind.items()))
        print(f"mean score [points of 20] by {label}: {means}; graded {len(graded)}/{n}")
    loops = sum(1 for sub in submissions if sub.endless_loop)
    print("x bare: wall time over bare execution; CPU s/sub.: CPU time of every process used, per submission"
          f" (counted by {CpuGroup.method()})")
    print(f"every variant includes {loops} endless loop(s) stopped at the {timeout} s cell timeout")

if __name__ == "__main__":
    main()
