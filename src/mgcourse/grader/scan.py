"""Source scans of student code and test cells: advisory only, bounded, never fatal.

:func:`scan_source` notes constructs worth an instructor's look (``ctypes``,
``subprocess``, assignments into library modules, special comparison methods).
Nothing it says changes a score: the sandbox and the checker make the grade
safe. :func:`assertion_messages` lists a test cell's own failure messages, which
feedback may show.
"""

from __future__ import annotations

import ast
import contextlib
import re
from typing import Final


def _string_value(node: ast.AST) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):  # keep the literal parts of an f-string
        parts = [v.value for v in node.values if isinstance(v, ast.Constant)]
        text = "".join(str(part) for part in parts).strip()
        return text or None
    return None


def assertion_messages(source: str) -> list[str]:
    """The messages a test cell's checks fail with, in source order.

    Parameters
    ----------
    source : str
        Test cell source (Python).

    Returns
    -------
    list of str
        Messages of ``assert ..., "message"``, of ``err_msg="message"``
        keywords (``numpy.testing``) and of ``raise AssertionError("message")``;
        duplicates removed. Empty if the source does not parse.

    Examples
    --------
    >>> assertion_messages('assert x == 1, "did you add one?"')
    ['did you add one?']
    """
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    found: list[str] = []
    for node in ast.walk(tree):
        candidates: list[ast.AST] = []
        if isinstance(node, ast.Assert) and node.msg is not None:
            candidates.append(node.msg)
        elif isinstance(node, ast.Call):
            candidates += [kw.value for kw in node.keywords if kw.arg == "err_msg"]
        elif isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
            func = node.exc.func
            if isinstance(func, ast.Name) and func.id == "AssertionError":
                candidates += node.exc.args[:1]
        for candidate in candidates:
            text = _string_value(candidate)
            if text and text not in found:
                found.append(text)
    # ast.walk is breadth first; restore source order
    return sorted(found, key=lambda text: _find_position(source, text))


def _find_position(source: str, text: str) -> int:
    position = source.find(text[:40])
    return position if position >= 0 else len(source)


_SUSPICIOUS_CALLS: Final = {
    "sys.settrace", "sys.setprofile", "sys._getframe", "sys.addaudithook", "threading.settrace",
    "inspect.currentframe", "inspect.stack", "inspect.getouterframes", "gc.get_objects",
    "gc.get_referrers", "os._exit", "os.kill", "signal.signal", "os.system", "os.popen",
    "importlib.reload", "get_ipython", "setattr", "delattr", "__import__",
}


_SUSPICIOUS_IMPORTS: Final = frozenset(
    {"ctypes", "gc", "inspect", "subprocess", "signal", "threading", "multiprocessing",
     "importlib", "sqlite3", "pty", "builtins", "IPython", "ipykernel", "nbgrader"}
)


_SUSPICIOUS_DUNDERS: Final = frozenset(
    {"__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__", "__bool__", "__array__",
     "__array_ufunc__", "__array_function__", "__float__", "__index__", "__instancecheck__"}
)


PROTECTED_ROOTS: Final = frozenset(
    {"np", "numpy", "math", "builtins", "__builtins__", "sys", "os", "IPython", "scipy",
     "mgcourse", "operator", "unittest", "pytest"}
)


_COURSE_PATH: Final = re.compile(
    r"(^|[/\\])(solutions|grading|autograded|submitted|gradebook\.db)([/\\]|$)|gradebook|\.\./\.\."
)


#: Longest source a scan reads [characters]; a longer cell gets a note instead of findings.
MAX_SCAN: Final = 200_000
#: Longest dotted name a finding spells out [parts].
_MAX_PARTS: Final = 12


def _dotted(node: ast.AST) -> str | None:
    """``a.b.c`` for a name, attribute chain or call of one (iterative: chains may be very long)."""
    parts: list[str] = []
    while True:
        if isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        elif isinstance(node, ast.Name):
            parts.append(node.id)
            break
        else:
            return None
    parts.reverse()
    return ".".join(parts[:_MAX_PARTS]) + (".…" if len(parts) > _MAX_PARTS else "")


def _unparse(node: ast.AST) -> str:
    try:
        return ast.unparse(node)[:120]
    except (RecursionError, ValueError):
        return "a deeply nested expression"


def _root(node: ast.AST) -> str | None:
    while isinstance(node, ast.Attribute | ast.Subscript | ast.Call):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else None


def scan_source(source: str, protected: frozenset[str] = PROTECTED_ROOTS) -> list[str]:
    """Constructs in student code that could fool tests or reach outside the submission.

    Parameters
    ----------
    source : str
        A student's code cell (IPython magics are translated first).
    protected : frozenset of str
        Names of modules (and module aliases) whose attributes students must not set.

    Returns
    -------
    list of str
        One sentence per finding, with its line number; empty for ordinary code.

    Examples
    --------
    >>> scan_source("import numpy as np\\nnp.testing.assert_allclose = print")
    ['line 2: assigns to np.testing.assert_allclose']

    Notes
    -----
    The scan is advisory and bounded: a cell longer than :data:`MAX_SCAN`
    characters, or nested too deeply for Python's parser, gets one note instead
    of findings, and no valid cell makes it fail.
    """
    if len(source) > MAX_SCAN:
        return [f"not scanned: the cell has {len(source)} characters (more than {MAX_SCAN})"]
    try:
        return _scan(source, protected)
    except (RecursionError, MemoryError):
        return ["not scanned: the cell is nested too deeply to analyse"]


def _scan(source: str, protected: frozenset[str]) -> list[str]:
    with contextlib.suppress(Exception):
        from IPython.core.inputtransformer2 import TransformerManager

        source = TransformerManager().transform_cell(source)  # type: ignore[no-untyped-call]
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return []
    findings: list[str] = []
    magics = {  # get_ipython() calls that IPython writes for %magics
        id(node.value) for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and node.attr in ("run_line_magic", "run_cell_magic")
    }

    def add(node: ast.AST, text: str) -> None:
        entry = f"line {getattr(node, 'lineno', '?')}: {text}"
        if entry not in findings:
            findings.append(entry)

    for node in ast.walk(tree):
        targets: list[ast.AST] = []
        if isinstance(node, ast.Assign):
            targets = list(node.targets)
        elif isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets = [node.target]
        elif isinstance(node, ast.Delete):
            targets = list(node.targets)
        for target in targets:
            if isinstance(target, ast.Attribute | ast.Subscript) and _root(target) in protected:
                add(node, f"assigns to {_dotted(target) or _unparse(target)}")
            container = _dotted(target.value) if isinstance(target, ast.Subscript) else None
            if container is not None and (container == "__builtins__" or container.endswith(".modules")):
                add(node, f"assigns to {_unparse(target)}")
            if isinstance(target, ast.Name) and target.id in ("__builtins__", "__import__"):
                add(node, f"rebinds {target.id}")
        if isinstance(node, ast.Call) and id(node) not in magics:
            name = _dotted(node.func)
            if name in _SUSPICIOUS_CALLS or (name or "").startswith(("ctypes.", "subprocess.")):
                if name in ("setattr", "delattr") and not (node.args and _root(node.args[0]) in protected):
                    continue
                add(node, f"calls {name}()")
        if isinstance(node, ast.Import | ast.ImportFrom):
            modules = (
                [alias.name for alias in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            )
            for module in modules:
                if module.split(".")[0] in _SUSPICIOUS_IMPORTS:
                    add(node, f"imports {module}")
        if isinstance(node, ast.FunctionDef) and node.name in _SUSPICIOUS_DUNDERS:
            add(node, f"defines {node.name} (objects that compare or convert specially can pass checks)")
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and _COURSE_PATH.search(node.value):
            add(node, f"refers to the path {node.value[:80]!r}")
    return findings

