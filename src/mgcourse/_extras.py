"""Check that the optional dependencies of a command are installed (standard library only).

``pip install mgcourse`` brings the models with numpy and scipy alone; the command
line, the widgets and the book need an extra. A command calls :func:`require`
first, so that a missing extra ends with one clear sentence instead of a
``ModuleNotFoundError`` deep inside a run.
"""

from __future__ import annotations

import importlib.util

__all__ = ["require"]


def require(extra: str, modules: list[str]) -> None:
    """Exit with a message naming the extra to install if a module is missing.

    Parameters
    ----------
    extra : str
        The extra of the ``mgcourse`` package that provides the modules, e.g.
        ``"grader"``.
    modules : list of str
        Importable names the command needs, e.g. ``["nbformat", "nbclient"]``.

    Raises
    ------
    SystemExit
        If any module cannot be found; the message names the missing modules and
        the command ``pip install 'mgcourse[<extra>]'``.

    Examples
    --------
    >>> require("grader", ["json"])  # present: returns quietly
    >>> require("grader", ["no_such_module_here"])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    SystemExit: mgcourse: this command needs no_such_module_here, ... 'mgcourse[grader]'
    """
    missing = [name for name in modules if not _importable(name)]
    if missing:
        names = ", ".join(missing)
        verb, pronoun = ("is", "it") if len(missing) == 1 else ("are", "them")
        raise SystemExit(
            f"mgcourse: this command needs {names}, which {verb} not installed; "
            f"install {pronoun} with: pip install 'mgcourse[{extra}]'"
        )


def _importable(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):  # a missing parent package, or a broken __spec__
        return False
