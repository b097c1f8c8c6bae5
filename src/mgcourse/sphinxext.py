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
* Serves the course's own front-end files from ``vendor/mgcourse/`` on every
  page: ``explorer.js`` (the kernel-free explorers), ``theme-fixes.js`` (the
  phone menu opens from every menu button; button names contain their visible
  text) and ``mgcourse.css`` (explorer layout, nothing wider than a phone).
* Writes every page that has code as a notebook, ``_sources/<page>.ipynb``,
  and offers it in the page's download menu instead of the Markdown source
  (which the site does not copy).
* Drops repeated identical ``<script>`` entries from a page (a theme extension
  adds its inline configuration twice, which is a JavaScript error), gives
  the theme a valid colour mode (``"auto"``) when none is configured, and
  removes the bibliography's ``role="list"`` (its entries are not list items).

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

__all__ = ["OWN_FILES", "VENDOR_FILES", "setup"]

#: The course's own front-end files, served from ``vendor/mgcourse/`` (scripts load on every page).
OWN_FILES: tuple[str, ...] = ("widgets-setup.js", "explorer.js", "theme-fixes.js", "mgcourse.css")
_STATIC = Path(__file__).with_name("static")

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


def _copy_own_files(app: Sphinx, exception: BaseException | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    target = Path(app.outdir) / "vendor" / "mgcourse"
    target.mkdir(parents=True, exist_ok=True)
    for name in OWN_FILES:
        shutil.copyfile(_STATIC / name, target / name)


def _has_code(app: Sphinx, docname: str) -> bool:
    source = Path(app.env.doc2path(docname))
    return source.suffix == ".md" and "```{code-cell}" in source.read_text(encoding="utf-8")


def _write_notebooks(app: Sphinx, exception: BaseException | None) -> None:
    """Write each page with code as ``_sources/<page>.ipynb`` (code and text, no outputs)."""
    if exception is not None or app.builder.format != "html":
        return
    import jupytext  # type: ignore[import-untyped]

    for docname in sorted(app.env.found_docs):
        if _has_code(app, docname):
            notebook = jupytext.read(app.env.doc2path(docname))
            dest = Path(app.outdir) / "_sources" / f"{docname}.ipynb"
            dest.parent.mkdir(parents=True, exist_ok=True)
            jupytext.write(notebook, dest, fmt="ipynb")


def _download_buttons(app: Sphinx, pagename: str, context: dict[str, Any]) -> None:
    """Offer ``.ipynb`` for pages with code, never the uncopied ``.md`` source."""
    for group in context.get("header_buttons", []):
        if group.get("label") != "download-buttons":
            continue
        buttons = [b for b in group["buttons"] if b.get("label") != "download-source-button"]
        if pagename in app.env.found_docs and _has_code(app, pagename):
            buttons.insert(0, {
                "type": "link", "url": f"{context['pathto']('_sources', 1)}/{pagename}.ipynb",
                "text": ".ipynb", "icon": "fas fa-code", "tooltip": "Download notebook file",
                "label": "download-notebook-button",
            })
        group["buttons"] = buttons


def _fix_page_context(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: object
) -> None:
    scripts = context.get("script_files") or []
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
    if "body" in context:
        context["body"] = context["body"].replace(
            '<div role="list" class="citation-list">', '<div class="citation-list">'
        )
    _download_buttons(app, pagename, context)


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the extension with Sphinx."""
    os.environ["MGCOURSE_WIDGETS"] = "static"
    app.add_config_value("mgcourse_node_modules", "../node_modules", "env")
    app.connect("builder-inited", _check_node_modules)
    app.connect("build-finished", _copy_vendor)
    app.connect("build-finished", _copy_own_files)
    app.connect("build-finished", _write_notebooks)
    app.add_css_file("../vendor/mgcourse/mgcourse.css")
    app.add_js_file("../vendor/mgcourse/theme-fixes.js", loading_method="defer")
    app.add_js_file("../vendor/mgcourse/explorer.js", loading_method="defer")
    app.connect("html-page-context", _fix_page_context, priority=900)
    app.setup_extension("mgcourse.quiz")
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
