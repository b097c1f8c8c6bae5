"""Tests of mgcourse.grader.scan: advisory source scans that never fail a submission."""

from __future__ import annotations

import time

import pytest

from mgcourse.grader.scan import MAX_SCAN, assertion_messages, scan_source


def test_assertion_messages_in_source_order() -> None:
    source = (
        'raise AssertionError("first")\n'
        'assert x, "second"\n'
        'np.testing.assert_allclose(a, b, err_msg="third")\n'
        'assert y, (\n    "fourth"\n)\n'
        'assert z, f"fifth {z}"\n'
        'assert w, "second"\n'
    )
    assert assertion_messages(source) == ["first", "second", "third", "fourth", "fifth"]
    assert assertion_messages("this is not python (") == []


def test_assertion_messages_of_a_real_test_cell() -> None:
    from fixtures.submissions import TEST_DOUBLE

    assert assertion_messages(TEST_DOUBLE) == [
        "double(0) should be 0",
        "did you multiply by two rather than add two?",
    ]


@pytest.mark.parametrize(
    ("code", "finding"),
    [
        ("import numpy as np\nnp.testing.assert_allclose = print", "assigns to np.testing.assert_allclose"),
        ("import builtins\nbuiltins.len = lambda x: 3", "assigns to builtins.len"),
        ("import sys\nsys.modules['numpy'] = None", "assigns to sys.modules['numpy']"),
        ("setattr(np, 'isclose', print)", "calls setattr()"),
        ("get_ipython().ast_transformers.append(1)", "calls get_ipython()"),
        ("import ctypes", "imports ctypes"),
        ("import os\nos._exit(0)", "calls os._exit()"),
        ("class Liar:\n    def __eq__(self, other):\n        return True", "defines __eq__"),
        ("open('../../solutions/a1/a1.ipynb')", "refers to the path"),
        ("import sys\nsys.settrace(None)", "calls sys.settrace()"),
    ],
)
def test_scan_source_finds_suspicious_code(code: str, finding: str) -> None:
    assert any(finding in line for line in scan_source(code)), scan_source(code)


def test_scan_source_accepts_ordinary_student_code() -> None:
    code = (
        "%matplotlib inline\nimport numpy as np\nfrom scipy.optimize import brentq\n"
        "def f(x):\n    total = sum(x)\n    return np.log10(total) / len(x)\n"
        "values = {'a': 1}\nvalues['a'] = 2\nresult = f(np.array([1.0, 2.0]))\nprint(result)\n"
    )
    assert scan_source(code) == []
    assert scan_source("this is ( not python") == []


def test_a_long_attribute_chain_is_scanned_without_recursion() -> None:
    chain = "scale = (1.0)" + ".conjugate()" * 440
    code = "import numpy as np\n" + chain + "\nnp.testing.x" + ".y" * 900 + " = 1\n"
    findings = scan_source(code)
    assert any("assigns to np.testing.x.y" in line for line in findings), findings


def test_scans_are_bounded() -> None:
    start = time.monotonic()
    assert scan_source("x = 1\n" * (MAX_SCAN // 6 + 1))[0].startswith("not scanned")
    deep = "x = " + "(" * 5000 + "1" + ")" * 5000
    assert scan_source(deep) in ([], ["not scanned: the cell is nested too deeply to analyse"])
    assert time.monotonic() - start < 30
