"""The console script's check for an extra names what is missing and what to install."""

from __future__ import annotations

import subprocess
import sys

import pytest

from mgcourse._extras import require


def test_present_modules_pass_quietly():
    assert require("grader", ["json", "importlib.util"]) is None


def test_a_missing_module_names_itself_and_the_extra():
    with pytest.raises(SystemExit) as info:
        require("grader", ["json", "no_such_module_for_mgcourse"])
    message = str(info.value)
    assert "no_such_module_for_mgcourse, which is not installed" in message
    assert "pip install 'mgcourse[grader]'" in message
    assert "json" not in message.split("needs")[1].split(",")[0]


def test_several_missing_modules_are_all_named():
    with pytest.raises(SystemExit, match=r"needs a_missing_one, b\.missing, which are not "
                                         r"installed; install them with: pip install "
                                         r"'mgcourse\[widgets\]'"):
        require("widgets", ["a_missing_one", "b.missing"])


def test_exit_status_is_nonzero_with_the_message_on_stderr():
    code = ("from mgcourse._extras import require; "
            "require('grader', ['no_such_module_for_mgcourse'])")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert run.returncode == 1
    assert "pip install 'mgcourse[grader]'" in run.stderr


def test_uses_the_standard_library_only():
    code = ("import sys; import mgcourse._extras; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "{'numpy', 'scipy', 'matplotlib', 'nbformat'}))")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert run.stdout.strip() == "[]"
