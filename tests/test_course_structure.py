"""The course's teaching structure, counted from the book's sources.

Every chapter opens with a landing page (learning objectives, a clinical case computed
with the package); every content page ends with a practice quiz and key points; the
schematic diagrams carry alt text, a text description and an evidence key; the
glossary is large and linked from the text. ``pytest -s`` prints the counts.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
import yaml

from mgcourse.quiz import ChoiceQuestion, NumericQuestion, parse_quiz

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
DIAGRAMS = BOOK / "images" / "diagrams"
sys.path.insert(0, str(ROOT / "scripts"))
import make_diagrams  # noqa: E402

QUIZ_BLOCK = re.compile(r"^```\{quiz\}\n(.*?)^```", re.M | re.S)
TERM_ROLE = re.compile(r"\{term\}`([^`]*)`")
# the Okabe–Ito palette, near-black text, white, and the pale fills mixed from the palette
ALLOWED_COLOURS = {
    "#000000", "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7",
    "#1A1A1A", "#333333", "#666666", "#FFFFFF", "#F7FBFE", "#EEF6FB",
    "#FDF0D5", "#E3F1FA", "#F7E4EF", "#DDF2EA", "#F2F2F2",
}
REQUIRED_TERMS = {
    "KATP channel", "SUR1", "Kir6.2", "IRS-1", "PIP3", "PDK1", "Akt", "AS160", "GLUT4", "FoxO1",
    "PTEN", "PEPCK", "EDHF", "eNOS", "ET-1", "AT1R", "TRPM6", "HOMA-IR", "QUICKI",
}


def _chapters() -> list[tuple[str, list[str]]]:
    """(landing page, content pages) for each "Chapter N" part of the table of contents."""
    toc = yaml.safe_load((BOOK / "_toc.yml").read_text(encoding="utf-8"))
    return [
        (files[0], files[1:])
        for part in toc["parts"] if part["caption"].startswith("Chapter")
        for files in [[entry["file"] for entry in part["chapters"]]]
    ]


def _source(name: str) -> str:
    return (BOOK / f"{name}.md").read_text(encoding="utf-8")


def _sections(text: str) -> dict[str, str]:
    parts = re.split(r"^## (.+)$", text, flags=re.M)
    return {parts[i].strip(): parts[i + 1] for i in range(1, len(parts) - 1, 2)}


def _glossary_terms() -> list[str]:
    body = _source("glossary").split("```{glossary}", 1)[1].split("```", 1)[0]
    return [line.strip() for line in body.splitlines()
            if line.strip() and not line.startswith((" ", ":"))]


CONTENT_PAGES = [page for _, pages in _chapters() for page in pages]


def test_every_chapter_opens_with_a_landing_page():
    chapters = _chapters()
    assert len(chapters) == 6
    for n, (landing, _) in enumerate(chapters, start=1):
        assert landing == f"chapter{n}/index"
        sections = _sections(_source(landing))
        objectives = re.findall(r"^\d+\. (\w+)", sections["Learning objectives"], flags=re.M)
        assert len(objectives) >= 4, landing
        # objectives are things a student can do, not topics: each starts with a verb
        assert not {word.lower() for word in objectives} & {"the", "a", "an", "understanding"}
        case = next(body for title, body in sections.items() if title.startswith("Case"))
        assert "```{code-cell} ipython3" in case and "from mgcourse" in case, landing


@pytest.mark.parametrize("page", CONTENT_PAGES)
def test_content_page_ends_with_key_points(page):
    sections = _sections(_source(page))
    assert list(sections)[-1] == "Key points", page
    points = re.findall(r"^- \S", sections["Key points"], flags=re.M)
    assert len(points) >= 3, page


@pytest.mark.parametrize("page", CONTENT_PAGES)
def test_content_page_has_a_quiz_of_both_kinds(page):
    questions = [q for block in QUIZ_BLOCK.findall(_source(page)) for q in parse_quiz(block)]
    assert len(questions) >= 3, page
    assert any(isinstance(q, ChoiceQuestion) for q in questions), page
    assert any(isinstance(q, NumericQuestion) for q in questions), page
    for q in questions:
        if isinstance(q, ChoiceQuestion):  # every option explains itself, wrong ones included
            assert len(q.options) >= 3 and all(len(o.feedback) > 20 for o in q.options), q.question
        else:
            assert q.mistakes or q.hint, q.question


def test_diagrams_are_current_and_described():
    rendered = make_diagrams.render()
    on_disk = {p.name: p.read_text(encoding="utf-8") for p in DIAGRAMS.glob("*.svg")}
    assert len(on_disk) >= 6
    assert rendered == on_disk, "run `python scripts/make_diagrams.py` and commit the SVG files"
    sources = {page: _source(page) for page in CONTENT_PAGES}
    for name, svg in on_disk.items():
        assert "<title" in svg and "<desc" in svg and 'role="img"' in svg
        sizes = [float(s) for s in re.findall(r'font-size="([\d.]+)"', svg)]
        assert min(sizes) >= 13  # a 360-unit canvas on a 342-px phone column: ≥ 12 px
        assert set(re.findall(r'#[0-9A-Fa-f]{6}', svg.upper())) <= ALLOWED_COLOURS, name
        for words in ("established", "supported by trials", "hypothesis"):
            assert words in svg, (name, words)
        assert "stroke-dasharray" in svg  # evidence shown by line style, not colour alone
        using = [page for page, text in sources.items() if f"images/diagrams/{name}" in text]
        assert len(using) == 1, (name, using)
        text = sources[using[0]]
        figure = text.split(f"images/diagrams/{name}", 1)[1]
        alt = re.search(r"^:alt: (.+)$", figure, flags=re.M)
        assert alt and len(alt.group(1)) > 200, name
        description = re.search(r":::\{admonition\} Text description[^\n]*\n:class: dropdown\n(.*?)\n:::",
                                figure, flags=re.S)
        assert description and len(description.group(1).split()) > 100, name
        # the diagram leads the page: it comes before the second section heading
        assert text.index(f"images/diagrams/{name}") < [m.start() for m in
                                                        re.finditer(r"^## ", text, re.M)][1]


def test_glossary_is_large_and_linked_from_the_text():
    terms = _glossary_terms()
    assert len(terms) >= 40 and len(terms) == len(set(terms))
    assert REQUIRED_TERMS <= set(terms)
    known = {t.lower() for t in terms}
    links = 0
    pages = [landing for landing, _ in _chapters()] + CONTENT_PAGES
    for page in pages:
        for target in TERM_ROLE.findall(_source(page)):
            name = re.sub(r"^.*<(.+)>$", r"\1", target)
            assert name.lower() in known, (page, target)
            links += 1
    assert links >= 150, links


def test_print_counts(capsys):
    """A table of what each page carries (shown with ``pytest -s``)."""
    rows = []
    for landing, pages in _chapters():
        for page in [landing, *pages]:
            text = _source(page)
            quiz = sum(len(parse_quiz(block)) for block in QUIZ_BLOCK.findall(text))
            rows.append((page, text.count("images/diagrams/"), len(TERM_ROLE.findall(text)), quiz,
                         "Key points" in _sections(text), "Learning objectives" in _sections(text)))
    with capsys.disabled():
        print(f"\n{'page':45} diagrams terms quiz keypts objectives")
        for row in rows:
            print(f"{row[0]:45} {row[1]:8} {row[2]:5} {row[3]:4} {row[4]!s:6} {row[5]!s}")
        print(f"glossary terms: {len(_glossary_terms())}; term links: {sum(r[2] for r in rows)}; "
              f"quiz questions: {sum(r[3] for r in rows)}")
    assert rows
