"""Sphinx extension used by the book build.

* Sets ``MGCOURSE_WIDGETS=static`` before notebooks execute, so every
  :meth:`mgcourse.widgets.Explorer.show` in a book page renders the kernel-free
  static version (executing kernels inherit the build's environment).
* Copies the front-end files the site serves itself (widget manager,
  require.js, MathJax) from ``node_modules`` into ``<html>/vendor``, so that no
  page loads anything from outside the site, together with
  ``vendor/mgcourse/widgets-setup.js``, which points the widget manager at those
  files and lets it typeset labels with MathJax 3.
* Loads :mod:`mgcourse.quiz`, the ``quiz`` directive of practice questions.
* Drops repeated identical ``<script>`` entries from a page (a theme extension
  adds its inline configuration twice, which is a JavaScript error) and gives
  the theme a valid colour mode (``"auto"``) when none is configured.

Configure with ``mgcourse_node_modules`` (path relative to the book's source
directory; default ``../node_modules``).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.errors import ExtensionError

__all__ = ["VENDOR_FILES", "setup"]

#: Files copied into ``<html>/vendor``: (package directory, glob) pairs.
VENDOR_FILES: tuple[tuple[str, str], ...] = (
    ("requirejs", "require.js"),
    ("@jupyter-widgets/html-manager/dist", "embed-amd.js"),
    ("@jupyter-widgets/html-manager/dist", "*.woff2"),
    ("@jupyter-widgets/html-manager/dist", "*.woff"),
    ("mathjax/es5", "tex-chtml-full.js"),
    ("mathjax/es5", "output/chtml/fonts/woff-v2/*.woff"),
)


def _node_modules(app: Sphinx) -> Path:
    relative = str(app.config.mgcourse_node_modules)
    return (Path(app.srcdir) / relative).resolve()


def _check_node_modules(app: Sphinx) -> None:
    root = _node_modules(app)
    missing = [pkg for pkg, pattern in VENDOR_FILES if not any((root / pkg).glob(pattern))]
    if missing:
        raise ExtensionError(
            f"front-end files missing under {root}: {sorted(set(missing))}. "
            "Run `npm ci` in the repository root (the README's build command does this)."
        )


def _copy_vendor(app: Sphinx, exception: BaseException | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    root = _node_modules(app)
    target = Path(app.outdir) / "vendor"
    for pkg, pattern in VENDOR_FILES:
        for source in (root / pkg).glob(pattern):
            dest = target / pkg.split("/")[0].lstrip("@") / source.relative_to(root / pkg)
            if dest.exists() and dest.stat().st_size == source.stat().st_size:
                continue
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest)


def _copy_setup_script(app: Sphinx, exception: BaseException | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    source = Path(__file__).with_name("static") / "widgets-setup.js"
    dest = Path(app.outdir) / "vendor" / "mgcourse" / "widgets-setup.js"
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, dest)


def _fix_page_context(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: object
) -> None:
    scripts = context.get("script_files")
    if not scripts:
        return
    seen: set[tuple[str, str]] = set()
    unique = []
    for script in scripts:
        filename = getattr(script, "filename", script) or ""
        key = (str(filename), repr(sorted(getattr(script, "attributes", {}).items())))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context["script_files"] = unique
    if not context.get("default_mode"):
        context["default_mode"] = "auto"


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the extension with Sphinx."""
    os.environ["MGCOURSE_WIDGETS"] = "static"
    app.add_config_value("mgcourse_node_modules", "../node_modules", "env")
    app.connect("builder-inited", _check_node_modules)
    app.connect("build-finished", _copy_vendor)
    app.connect("build-finished", _copy_setup_script)
    app.connect("html-page-context", _fix_page_context, priority=900)
    app.setup_extension("mgcourse.quiz")
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
