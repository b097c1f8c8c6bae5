"""Time to find similar submissions in a class of 60 and of 500.

Each synthetic student answers every solution cell of an assignment's master
(``solutions/assignment1`` by default) with the master's code, its names
renamed at random and a few statements of their own added, so that every
answer is different; one student in ten hands in a renamed copy of another's
and one in ten hands in the unchanged student version. Printed: the time of
:func:`mgcourse.grader.similarity.compare_answers` (normalising, fingerprinting
and comparing every pair), the pairs found and the copies planted.

Usage: python benchmarks/similarity.py [--assignment assignment1] [--sizes 60 500]
"""

from __future__ import annotations

import argparse
import json
import re
import time
from pathlib import Path

import numpy as np

from mgcourse.grader.similarity import compare_answers

REPO = Path(__file__).resolve().parents[1]
_REGION = re.compile(r"[ \t]*### BEGIN SOLUTION\n(.*?)[ \t]*### END SOLUTION\n?", re.S)


def solution_cells(folder: Path) -> dict[str, tuple[str, str]]:
    """``"notebook/grade_id"`` → (master answer, starter code) of each solution cell."""
    cells: dict[str, tuple[str, str]] = {}
    for path in sorted(folder.glob("*.ipynb")):
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            meta = cell["metadata"].get("nbgrader", {})
            if meta.get("solution") and cell["cell_type"] == "code":
                source = "".join(cell["source"])
                starter = _REGION.sub("    # YOUR CODE HERE\n    raise NotImplementedError()\n", source)
                cells[f"{path.stem}/{meta['grade_id']}"] = (_REGION.sub(r"\1", source), starter)
    return cells


def student(cells: dict[str, tuple[str, str]], rng: np.random.Generator, index: int) -> dict[str, str]:
    """One honest student: the master's answers with names of their own and extra lines."""
    answers = {}
    for key, (answer, _) in cells.items():
        names = sorted(set(re.findall(r"\b([a-z_][a-z0-9_]{2,})\s*=", answer)))
        for name in names:
            answer = re.sub(rf"\b{name}\b", f"{name[:3]}{int(rng.integers(1000))}", answer)
        extra = "".join(
            f"check_{index}_{k} = {int(rng.integers(100))} {'+-*'[int(rng.integers(3))]} "
            f"{float(rng.random()):.3f}\n" for k in range(int(rng.integers(1, 4)))
        )
        answers[key] = answer + extra
    return answers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--assignment", default="assignment1")
    parser.add_argument("--sizes", type=int, nargs="+", default=[60, 500])
    args = parser.parse_args()
    cells = solution_cells(REPO / "solutions" / args.assignment)
    starters = {key: starter for key, (_, starter) in cells.items()}
    rng = np.random.default_rng(0)
    for size in args.sizes:
        answers = {f"s{i:03d}": student(cells, rng, i) for i in range(size)}
        planted = 0
        for i in range(0, size - 1, 10):  # a renamed copy of the next student
            answers[f"s{i:03d}"] = {k: v.replace("_", "_x_") for k, v in answers[f"s{i + 1:03d}"].items()}
            planted += 1
        for i in range(5, size, 10):
            answers[f"s{i:03d}"] = dict(starters)  # handed in unchanged
        start = time.perf_counter()
        result = compare_answers(answers, starters)
        seconds = time.perf_counter() - start
        print(
            f"{size} students, {len(cells)} answer cells: {seconds:.2f} s "
            f"({size * (size - 1) // 2} pairs); {len(result.pairs)} pairs found "
            f"for {planted} copies planted; {len(result.too_short)} blank"
        )


if __name__ == "__main__":
    main()
