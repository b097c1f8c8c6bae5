"""The book's prose uses one spelling: American, the form most of its pages were written in.

Only prose is checked: text, admonitions, exercises, quizzes, and the captions and
alt text of figures. Code, inline code, roles such as {cite}`key` or {doc}`page`,
link targets and text in double quotes (titles, quoted wording) are left alone, so
code identifiers like ``mgcourse.signalling`` or the ``harmonised`` range key and
quoted titles keep their own spelling.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

BOOK = Path(__file__).resolve().parents[1] / "book"

#: British forms and the American spelling the book uses instead.
BRITISH = {
    r"signall(?:ing|ed)": "signaling",
    r"randomis(?:e|ed|es|ing|ation|ations)": "randomize, randomization",
    r"\w*aem(?:ia|ic|ias)": "-emia (hypokalemia, hypomagnesemia, glycemic, ischemia)",
    r"haem\w*": "hem- (hemoglobin, hemodynamics)",
    r"oedema": "edema",
    r"oesophag\w*": "esophagus",
    r"foetal|foetus": "fetal, fetus",
    r"caecum": "cecum",
    r"colours?|coloured": "color",
    r"favour\w*": "favor",
    r"behaviour\w*": "behavior",
    r"centres?|centred": "center",
    r"\w*litres?": "liter",
    r"defences?": "defense",
    r"fibres?": "fiber",
    r"grey": "gray",
    r"labell(?:ed|ing)": "labeled, labeling",
    r"modell(?:ed|ing|er|ers)": "modeled, modeling",
    r"diarrhoea": "diarrhea",
    r"sulphates?|sulphur": "sulfate, sulfur",
    r"tumours?": "tumor",
    r"ageing": "aging",
    r"paediatric\w*": "pediatric",
    r"anaesthe\w*": "anesthe-",
    r"programmes?": "program",
    r"analys(?:e|ed|ing)": "analyze",
    r"catalys(?:e|ed|es|ing)": "catalyze",
    r"hydrolys(?:e|ed|ing)": "hydrolyze",
    r"\w*(?:organ|optim|normal|standard|summar|recogn|character|harmon|stabil|util|minim"
    r"|maxim|neutral|polar|sensit|mobil|visual|real|emphas|ion|special|categor|priorit"
    r"|central|parameter|apolog|hospital|immun|metabol|synthes|memor|crystall|general)"
    r"is(?:e|ed|es|ing|ation|ations)": "-ize, -ization",
}
BRITISH_RE = re.compile(r"\b(?:" + "|".join(BRITISH) + r")\b", re.IGNORECASE)

FENCE = re.compile(r"^(`{3,}|~{3,})(.*)$")
CODE_DIRECTIVES = ("{code-cell}", "{code}", "{code-block}", "{literalinclude}", "{math}")


def prose(markdown: str) -> str:
    """The prose of a MyST page: everything a reader reads that is not code."""
    text = re.sub(r"\A---\n.*?\n---\n", "", markdown, flags=re.S)  # jupytext header
    kept: list[str] = []
    open_fences: list[tuple[str, bool]] = []  # (fence, is code), innermost last
    header = False
    for line in text.splitlines():
        stripped = line.strip()
        in_code = bool(open_fences) and open_fences[-1][1]
        if open_fences and stripped == open_fences[-1][0]:
            open_fences.pop()
            header = False
            continue
        match = FENCE.match(stripped)
        if match and not (in_code and match.group(2).strip() == ""):
            info = match.group(2).strip()
            is_code = in_code or info == "" or info.startswith(CODE_DIRECTIVES) \
                or not info.startswith("{")
            open_fences.append((match.group(1), is_code))
            header = False
            continue
        if in_code:
            # a code cell's own YAML header holds its caption and alt text: prose
            if stripped == "---":
                header = not header
                continue
            if header:
                kept.append(line)
            continue
        kept.append(line)
    body = "\n".join(kept)
    body = re.sub(r"`[^`\n]*`", " ", body)                 # inline code and roles
    body = re.sub(r"\]\([^)]*\)", "]", body)                # link targets
    body = re.sub(r"\$[^$\n]*\$", " ", body)                # inline math
    body = re.sub(r"\"[^\"\n]*\"|“[^”]*”", " ", body)        # quoted titles and wording
    body = re.sub(r"^:(?:label|class|name|tags):.*$", " ", body, flags=re.M)
    return body


def british_forms(markdown: str) -> list[str]:
    """British spellings in the prose of a page, as found."""
    return [m.group(0) for m in BRITISH_RE.finditer(prose(markdown))]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Insulin signalling runs through Akt.", ["signalling"]),
        ("A randomised trial of people with hypokalaemia.", ["randomised", "hypokalaemia"]),
        ("Haemoglobin A1c and the colour of a curve.", ["Haemoglobin", "colour"]),
        ("Cells utilise glucose and normalise it.", ["utilise", "normalise"]),
        ("Fifty grams per litre, in the centre.", ["litre", "centre"]),
        ("Insulin signaling in a randomized trial with hypomagnesemia.", []),
        ("Two analyses of emphasis and catalysis, in Cape Town, by a realist.", []),
    ],
)
def test_british_forms_are_found_in_prose(text, found):
    assert british_forms(text) == found


def test_code_roles_quotes_and_links_are_not_prose():
    page = (
        "---\njupytext: {}\n---\n\n"
        "Prose with `mgcourse.signalling` and {cite}`randomised2020` and the key\n"
        '`harmonised`; the paper "Mendelian randomisation study" and\n'
        "[a link](https://example.org/colour).\n\n"
        "```{code-cell} ipython3\n---\nmystnb:\n  figure:\n    caption: The grey band.\n---\n"
        'colour = "grey"  # signalling\n```\n\n'
        "```{admonition} Note\n:class: warning\nA randomised trial.\n```\n"
    )
    assert british_forms(page) == ["grey", "randomised"]


def _pages() -> list[Path]:
    return sorted(p for p in BOOK.rglob("*.md") if "_build" not in p.parts)


def test_book_prose_uses_american_spelling():
    pages = _pages()
    assert len(pages) >= 20
    offenders = {str(p.relative_to(BOOK)): found for p in pages
                 if (found := british_forms(p.read_text(encoding="utf-8")))}
    assert not offenders, (
        f"British spellings in book prose (the book uses American): {offenders}; "
        f"use instead: {sorted(set(BRITISH.values()))}"
    )
