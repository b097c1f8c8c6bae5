"""The book builds from scratch with every page executed, is self-contained and cites its sources."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
import seed_fingerprints

pytestmark = pytest.mark.book

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
SEEDS = ROOT.parent / "shared" / "seeds"
SEED_FINGERPRINTS = ROOT / "tests" / "data" / "seed_8grams.txt"


def _toc_files() -> list[str]:
    toc = yaml.safe_load((BOOK / "_toc.yml").read_text())
    files = [toc["root"]]
    for part in toc.get("parts", []):
        files += [chapter["file"] for chapter in part["chapters"]]
    return files


def _sources() -> dict[str, str]:
    return {f: (BOOK / f"{f}.md").read_text(encoding="utf-8") for f in _toc_files()}


def test_build_succeeds_without_warnings(book_build):
    _, log = book_build
    if log:  # empty when reusing a build via MGCOURSE_BOOK_HTML
        assert "build succeeded" in log
        sphinx_warnings = [line for line in log.splitlines()
                           if "WARNING" in line and "IPKernelApp" not in line]
        assert not sphinx_warnings


def test_every_toc_page_is_built_and_executed(built_book):
    for name, source in _sources().items():
        html = (built_book / f"{name}.html").read_text(encoding="utf-8")
        code_cells = source.count("```{code-cell}")
        if code_cells:
            assert len(re.findall(r'class="cell[ "]', html)) >= code_cells, name
            assert "cell_output" in html, f"{name}: no executed output"
        assert "Traceback" not in html and 'class="output traceback' not in html, name


def test_images_have_alt_text(built_book):
    for page in built_book.rglob("*.html"):
        if "_static" in page.parts:
            continue
        html = re.sub(r"<script\b.*?</script>", "", page.read_text(encoding="utf-8"), flags=re.S)
        for tag in re.findall(r"<img\b[^>]*>", html):
            alt = re.search(r'alt="([^"]*)"', tag)
            assert alt and alt.group(1).strip(), f"{page.name}: image without alt text: {tag[:120]}"


def test_figures_have_captions(built_book):
    for name, source in _sources().items():
        declared = source.count("caption:")
        if declared:
            html = (built_book / f"{name}.html").read_text(encoding="utf-8")
            assert html.count("<figcaption") >= declared, name


EXTERNAL = re.compile(r"""<(?:script|img|link|iframe|source)\b[^>]*\b(?:src|href)=["'](?:https?:)?//""")


def test_no_resource_is_loaded_from_outside_the_site(built_book):
    for page in built_book.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        for match in EXTERNAL.finditer(html):
            tag = html[match.start(): html.find(">", match.start()) + 1]
            # links to other sites are fine; stylesheets, scripts, images and frames are not
            if tag.startswith("<link") and "stylesheet" not in tag and "preload" not in tag:
                continue
            pytest.fail(f"{page.relative_to(built_book)} loads {tag}")


def test_front_end_files_are_served_by_the_site(built_book):
    for rel in ["vendor/mathjax/tex-chtml-full.js", "vendor/requirejs/require.js",
                "vendor/jupyter-widgets/embed-amd.js", "vendor/mgcourse/widgets-setup.js",
                "vendor/mgcourse/explorer.js", "vendor/mgcourse/theme-fixes.js",
                "vendor/mgcourse/mgcourse.css"]:
        assert (built_book / rel).is_file(), rel
    assert not list((built_book / "_static").rglob("embed-amd.js"))  # not injected everywhere
    html = (built_book / "chapter1" / "measuring.html").read_text(encoding="utf-8")
    for own in ["explorer.js", "theme-fixes.js", "mgcourse.css"]:
        assert f"../_static/../vendor/mgcourse/{own}" in html
    assert "cdn.jsdelivr" not in html and "cdnjs" not in html


def test_explorers_are_static_in_the_book(built_book):
    pages = {p.relative_to(built_book): p.read_text(encoding="utf-8")
             for p in built_book.glob("chapter*/*.html")}
    static = sum(html.count('class="mgcourse-explorer mgcourse-static"') for html in pages.values())
    assert static >= 13
    for rel, html in pages.items():
        assert "FloatSliderModel" not in html, rel
        assert "data:image/png;base64" not in html, rel  # vector frames, nothing inlined as PNG
        if "mgcourse-static" in html:  # no widget manager where only static explorers are
            assert "embed-amd.js" not in html, rel


LOCAL_TARGET = re.compile(r"""(?:href|src)="([^"#?]+)""")


def _local_targets(built_book: Path) -> Iterator[tuple[Path, str]]:
    for page in built_book.rglob("*.html"):
        if {"vendor", "_static"} & set(page.relative_to(built_book).parts):
            continue
        html = re.sub(r"<script\b.*?</script>", "", page.read_text(encoding="utf-8"), flags=re.S)
        for target in LOCAL_TARGET.findall(html):
            if not re.match(r"[a-z][a-z0-9+.-]*:", target):  # not http:, mailto:, data:, ...
                yield page, target


def test_every_internal_link_resolves(built_book):
    missing = set()
    for page, target in _local_targets(built_book):
        path = (page.parent / target).resolve()
        if path.is_dir():
            path = path / "index.html"
        if not path.is_file():
            missing.add(f"{page.relative_to(built_book)} -> {target}")
    assert not missing, sorted(missing)[:20]


def test_pages_with_code_offer_their_notebook(built_book):
    for name, source in _sources().items():
        html = (built_book / f"{name}.html").read_text(encoding="utf-8")
        assert ">.md<" not in html, name  # the site does not copy Markdown sources
        if "```{code-cell}" in source:
            notebook = built_book / "_sources" / f"{name}.ipynb"
            assert notebook.is_file(), name
            assert f'_sources/{name}.ipynb"' in html, name
            cells = nbformat.read(notebook, as_version=4).cells
            assert sum(c.cell_type == "code" for c in cells) == source.count("```{code-cell}")
        assert "colab.research.google.com" not in html, name  # Colab cannot open a MyST page


def test_self_checks_have_collapsed_solutions(built_book):
    for name in _toc_files():
        if not name.startswith("chapter1/") or name.endswith("/index"):  # landing pages teach no exercise
            continue
        html = (built_book / f"{name}.html").read_text(encoding="utf-8")
        assert html.count('class="exercise admonition"') >= 2, name
        assert html.count('class="solution dropdown admonition"') >= 2, name


def test_bibliography_cites_both_reviews(built_book):
    html = (built_book / "bibliography.html").read_text(encoding="utf-8")
    assert "Hosseini Dastgerdi" in html and "Foroudastan" in html
    bib = (BOOK / "references.bib").read_text(encoding="utf-8")
    keys = set(re.findall(r"@\w+\{([^,]+),", bib))
    cited = set()
    for source in _sources().values():
        for group in re.findall(r"\{cite(?::\w+)?\}`([^`]+)`", source):
            cited.update(k.strip() for k in group.split(","))
    assert cited and cited <= keys, cited - keys
    assert {"hosseinidastgerdi2022", "foroudastan2025"} <= cited


def test_exercise_downloads_are_the_student_versions(built_book):
    downloads = {p.name: p for p in (built_book / "_downloads").rglob("*") if p.is_file()}
    for rel in ["assignment1/assignment1.ipynb", "assignment1/cohort.csv"]:
        student = ROOT / "exercises" / rel
        assert student.name in downloads, f"{rel} is not downloadable from the book"
        assert downloads[student.name].read_bytes() == student.read_bytes()


def test_no_sentence_is_copied_from_the_seed_reviews():
    seed_hashes = set(SEED_FINGERPRINTS.read_text().split())
    assert len(seed_hashes) > 1000
    for name, source in _sources().items():
        words = seed_fingerprints.words(source)
        copied = [
            " ".join(words[i : i + seed_fingerprints.N])
            for i in range(len(words) - seed_fingerprints.N + 1)
            if seed_fingerprints.fingerprints(" ".join(words[i : i + seed_fingerprints.N]))
            & seed_hashes
        ]
        assert not copied, f"{name} repeats the seed reviews word for word: {copied[:3]}"


@pytest.mark.skipif(not SEEDS.is_dir(), reason="the seed papers are not beside this checkout")
def test_seed_fingerprints_are_current():
    assert seed_fingerprints.seed_fingerprints(SEEDS) == set(SEED_FINGERPRINTS.read_text().split())
