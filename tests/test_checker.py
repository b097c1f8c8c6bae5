"""Tests of mgcourse.grader.checker: test cells judged in a process the student's code never touched.

The student's kernel is stood in for by :func:`mgcourse.grader.plain.answer` on a
namespace in this process: exactly what the real kernel runs for each request.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mgcourse.grader import plain
from mgcourse.grader.checker import Checker, CheckerGone, free_names


def test_free_names_are_what_a_cell_reads_but_does_not_bind() -> None:
    source = (
        "import numpy as np\nfrom math import isclose as near\n"
        "def helper(a, *rest, k=1):\n    return a + k + offset\n"
        "for i in range(3):\n    total = helper(i)\n"
        "try:\n    homa_ir(1)\nexcept ValueError as error:\n    pass\n"
        "assert near(total, expected) and [j for j in values]\n"
    )
    assert free_names(source) == ["ValueError", "expected", "homa_ir", "offset", "range", "values"]
    assert free_names("def (:") == []


class FakeKernel:
    """Answers the checker's requests from a namespace, as the student's kernel does."""

    def __init__(self, namespace: dict[str, Any]) -> None:
        self.namespace = namespace
        self.requests: list[dict[str, Any]] = []

    def serve(self, checker: Checker, message: dict[str, Any]) -> dict[str, Any]:
        while message.get("op") != "done":
            self.requests.append(message)
            checker.send(plain.answer(json.loads(json.dumps(message)), self.namespace))
            message = checker.receive(timeout=30)
        return message


@pytest.fixture
def checker(tmp_path: Path) -> Iterator[Checker]:
    (tmp_path / "data.txt").write_text("1 2 3\n", encoding="utf-8")
    process = Checker(str(tmp_path), ("numpy",))
    yield process
    process.close()


def run(checker: Checker, kernel: FakeKernel, op: str, source: str) -> dict[str, Any]:
    checker.send({"op": op, "source": source})
    return kernel.serve(checker, checker.receive(timeout=30))


SETUP = "import numpy as np\nwith open('data.txt') as f:\n    DATA = [float(x) for x in f.read().split()]\n"


def test_a_correct_answer_passes_and_a_wrong_one_fails_with_the_tests_message(checker: Checker) -> None:
    kernel = FakeKernel({"double": lambda x: 2 * x, "homa": [1.0, 2.0]})
    assert run(checker, kernel, "setup", SETUP)["status"] == "ok"
    passed = run(checker, kernel, "test", "np.testing.assert_allclose(double(np.array(DATA)), [2, 4, 6])")
    assert passed["status"] == "ok"
    failed = run(checker, kernel, "test", "assert homa[0] == 5, 'is homa in mmol/L?'")
    assert (failed["status"], failed["ename"]) == ("error", "AssertionError")
    assert failed["evalue"] == "is homa in mmol/L?"


def test_setup_values_come_from_the_master_not_from_the_student(checker: Checker) -> None:
    kernel = FakeKernel({"DATA": [0.0, 0.0, 0.0], "np": "not numpy"})
    run(checker, kernel, "setup", SETUP)
    reply = run(checker, kernel, "test", "assert DATA == [1.0, 2.0, 3.0]\nassert np.pi > 3")
    assert reply["status"] == "ok"
    assert all("DATA" not in r.get("names", []) for r in kernel.requests)


def test_a_setup_cell_that_needs_the_students_names_is_left_to_the_kernel(checker: Checker) -> None:
    kernel = FakeKernel({"runs": {"normal": 1.0}})
    assert run(checker, kernel, "setup", "runs = simulate_everything()")["status"] == "skipped"
    assert run(checker, kernel, "test", "assert runs['normal'] == 1.0")["status"] == "ok"


def test_student_functions_are_called_in_the_kernel_with_plain_arguments(checker: Checker) -> None:
    seen: list[Any] = []

    def glucose_mmol(value: float, unit: str) -> float:
        seen.append((value, unit))
        if unit not in ("mmol/L", "mg/dL"):
            raise ValueError(f"unit = {unit!r}")
        return value if unit == "mmol/L" else value / 18.0

    kernel = FakeKernel({"glucose_mmol": glucose_mmol})
    source = (
        "assert glucose_mmol(90.0, 'mg/dL') == 5.0\n"
        "try:\n    glucose_mmol(5.0, 'g/L')\nexcept ValueError:\n    pass\n"
        "else:\n    raise AssertionError('should raise')\n"
    )
    assert run(checker, kernel, "test", source)["status"] == "ok"
    assert seen == [(90.0, "mg/dL"), (5.0, "g/L")]


def test_an_exception_of_the_students_own_class_arrives_as_a_named_failure(checker: Checker) -> None:
    class Oops(Exception):
        pass

    def broken() -> None:
        raise Oops("no")

    reply = run(checker, FakeKernel({"broken": broken}), "test", "broken()")
    assert reply["status"] == "error" and reply["ename"] == "StudentException"
    assert "Oops: no" in reply["evalue"]


class AlwaysEqual:
    __module__ = "__main__"

    def __eq__(self, other: object) -> bool:
        return True

    __hash__ = object.__hash__


def test_an_answer_that_compares_equal_to_anything_fails_and_is_marked_deliberate(checker: Checker) -> None:
    reply = run(checker, FakeKernel({"homa": AlwaysEqual()}), "test", "assert homa == 2.88, 'wrong'")
    assert reply["status"] == "error" and reply["ename"] == "TypeError"
    assert "`homa` must be a number" in reply["evalue"] and "AlwaysEqual" in reply["evalue"]
    assert reply["deliberate"] and "homa" in reply["deliberate"][0]


def test_a_forged_reply_is_refused_not_trusted(checker: Checker) -> None:
    checker.send({"op": "test", "source": "assert homa == 1.0"})
    request = checker.receive(timeout=30)
    assert request == {"op": "get", "names": ["homa"]}
    forged = json.dumps({"value": {"object": "float", "ref": 1, "base": "float", "own": ["__eq__"]}})
    checker.send({"values": {"homa": forged, "sys": "{}"}})
    reply = checker.receive(timeout=30)
    assert reply["status"] == "error" and reply["ename"] == "TypeError"


def test_a_number_as_the_last_expression_is_partial_credit(checker: Checker) -> None:
    reply = run(checker, FakeKernel({"parts": [True, False, True]}), "test", "1.0 * sum(parts)")
    assert reply["status"] == "ok" and reply["result"] == 2.0


def test_names_a_test_defines_persist_but_student_values_do_not(checker: Checker) -> None:
    kernel = FakeKernel({"x": 1.0})
    assert run(checker, kernel, "test", "expected = 1.0\nassert x == expected")["status"] == "ok"
    kernel.namespace["x"] = 2.0
    reply = run(checker, kernel, "test", "assert x == expected")  # x is fetched again
    assert reply["status"] == "error"


def test_a_silent_checker_is_reported_gone(tmp_path: Path) -> None:
    process = Checker(str(tmp_path))
    try:
        os.kill(process.pid, 9)
        process.send({"op": "test", "source": "pass"})
        with pytest.raises(CheckerGone):
            process.receive(timeout=5)
    except CheckerGone:
        pass  # the send itself noticed
    finally:
        process.close()


def test_each_submission_gets_a_fresh_checker(tmp_path: Path) -> None:
    first, second = Checker(str(tmp_path)), Checker(str(tmp_path))
    try:
        assert first.pid != second.pid
        run(first, FakeKernel({}), "test", "leftover = 1")
        reply = run(second, FakeKernel({}), "test", "leftover")
        assert reply["status"] == "error" and reply["ename"] == "NameError"
    finally:
        first.close()
        second.close()
