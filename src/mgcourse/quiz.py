"""Practice quizzes for the book: a ``quiz`` directive that answers at once, with no kernel.

The questions are written in the page, as YAML in the directive's body::

    ```{quiz}
    - question: Which subunit of the KATP channel binds MgADP?
      options:
        - text: SUR1
          correct: true
          feedback: SUR1 carries the nucleotide-binding folds that MgADP acts on.
        - text: Kir6.2
          feedback: Kir6.2 is the pore; free ATP closes it there, MgADP acts elsewhere.
    - question: HOMA-IR for glucose 5.0 mmol/L and insulin 9 µU/mL?
      answer: 2.0
      tolerance: 0.05
      explanation: 5.0 × 9 / 22.5 = 2.0.
      mistakes:
        - answer: 0.2
          feedback: The constant is 22.5, not 225.
    ```

A question with ``options`` is multiple choice: exactly one option is correct and
every option has its own feedback, so a wrong choice says what misconception it
reflects. A question with ``answer`` is numeric: an answer within ``tolerance`` is
right, one near a listed ``mistakes`` value gets that mistake's feedback, and any
other gets ``hint`` (if given) and whether it is too high or too low.

Each question renders as a ``<form>`` holding a ``<fieldset>`` whose ``<legend>`` is
the question, radio buttons or a labelled text box, a Check button and a
``role="status"`` region that screen readers announce. ``mgcourse-quiz.js`` (served
from ``_static``, no outside request) checks the answer in the browser. Quizzes are
practice only: nothing is stored or sent.

Text may contain inline math written ``\\(...\\)`` (typeset by the page's MathJax) and
``code`` in backticks; everything else is shown as plain text.
"""

from __future__ import annotations

import html
import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml  # type: ignore[import-untyped]
from docutils import nodes  # type: ignore[import-untyped]
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective

__all__ = ["Choice", "ChoiceQuestion", "Mistake", "NumericQuestion", "parse_quiz", "render_quiz",
           "setup"]

STATIC = Path(__file__).with_name("static") / "quiz"
_CHOICE_KEYS = {"question", "options"}
_NUMERIC_KEYS = {"question", "answer", "tolerance", "unit", "explanation", "mistakes", "hint"}


@dataclass(frozen=True)
class Choice:
    """One option of a multiple-choice question."""

    text: str
    feedback: str  # why this option is right, or the misconception behind it
    correct: bool = False


@dataclass(frozen=True)
class ChoiceQuestion:
    """A multiple-choice question with exactly one correct option."""

    question: str
    options: tuple[Choice, ...]


@dataclass(frozen=True)
class Mistake:
    """A foreseeable wrong numeric answer and what it reveals."""

    answer: float
    tolerance: float
    feedback: str


@dataclass(frozen=True)
class NumericQuestion:
    """A question answered by a number, right within an absolute tolerance."""

    question: str
    answer: float
    tolerance: float  # absolute, in the unit of the answer
    explanation: str
    unit: str = ""
    hint: str = ""
    mistakes: tuple[Mistake, ...] = field(default_factory=tuple)


Question = ChoiceQuestion | NumericQuestion


def _text(item: dict[str, Any], key: str, where: str) -> str:
    value = item.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{where}: {key!r} must be non-empty text, got {value!r}")
    return value.strip()


def _number(item: dict[str, Any], key: str, where: str, *, positive: bool = False) -> float:
    value = item.get(key)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"{where}: {key!r} must be a finite number, got {value!r}")
    if positive and value <= 0:
        raise ValueError(f"{where}: {key!r} must be greater than 0 (same unit as the answer), "
                         f"got {value!r}")
    return float(value)


def _choice_question(item: dict[str, Any], where: str) -> ChoiceQuestion:
    options = item["options"]
    if not isinstance(options, list) or len(options) < 2:
        raise ValueError(f"{where}: 'options' must be a list of at least 2 options, got {options!r}")
    choices = []
    for j, option in enumerate(options, start=1):
        spot = f"{where}, option {j}"
        if not isinstance(option, dict):
            raise ValueError(f"{spot}: expected a mapping with text and feedback, got {option!r}")
        unknown = set(option) - {"text", "feedback", "correct"}
        if unknown:
            raise ValueError(f"{spot}: unknown keys {sorted(unknown)}; valid: text, feedback, correct")
        correct = option.get("correct", False)
        if not isinstance(correct, bool):
            raise ValueError(f"{spot}: 'correct' must be true or false, got {correct!r}")
        choices.append(Choice(_text(option, "text", spot), _text(option, "feedback", spot), correct))
    n_correct = sum(c.correct for c in choices)
    if n_correct != 1:
        raise ValueError(f"{where}: exactly one option must be correct, got {n_correct}")
    return ChoiceQuestion(_text(item, "question", where), tuple(choices))


def _numeric_question(item: dict[str, Any], where: str) -> NumericQuestion:
    unknown = set(item) - _NUMERIC_KEYS
    if unknown:
        raise ValueError(f"{where}: unknown keys {sorted(unknown)}; valid: {sorted(_NUMERIC_KEYS)}")
    answer = _number(item, "answer", where)
    tolerance = _number(item, "tolerance", where, positive=True)
    mistakes = []
    for j, raw in enumerate(item.get("mistakes") or [], start=1):
        spot = f"{where}, mistake {j}"
        if not isinstance(raw, dict):
            raise ValueError(f"{spot}: expected a mapping with answer and feedback, got {raw!r}")
        value = _number(raw, "answer", spot)
        width = _number(raw, "tolerance", spot, positive=True) if "tolerance" in raw else tolerance
        if abs(value - answer) <= tolerance + width:
            raise ValueError(f"{spot}: answer {value} overlaps the correct range "
                             f"{answer} ± {tolerance}")
        mistakes.append(Mistake(value, width, _text(raw, "feedback", spot)))
    unit = item.get("unit", "")
    hint = item.get("hint", "")
    if not isinstance(unit, str) or not isinstance(hint, str):
        raise ValueError(f"{where}: 'unit' and 'hint' must be text, got {unit!r} and {hint!r}")
    return NumericQuestion(_text(item, "question", where), answer, tolerance,
                           _text(item, "explanation", where), unit.strip(), hint.strip(),
                           tuple(mistakes))


def parse_quiz(source: str) -> list[Question]:
    """Read the YAML body of a ``quiz`` directive.

    Parameters
    ----------
    source : str
        YAML text: a list of questions, each with ``question`` and either ``options``
        (multiple choice) or ``answer`` and ``tolerance`` (numeric).

    Returns
    -------
    list of ChoiceQuestion or NumericQuestion

    Raises
    ------
    ValueError
        If the YAML is malformed, a question has neither or both kinds of answer, a
        multiple-choice question has no or several correct options or an option
        without feedback, or a numeric tolerance is not positive.

    Examples
    --------
    >>> quiz = parse_quiz('''
    ... - question: 2 + 2?
    ...   answer: 4
    ...   tolerance: 0.01
    ...   explanation: Two and two make four.
    ... ''')
    >>> quiz[0].answer
    4.0
    """
    try:
        data = yaml.safe_load(source)
    except yaml.YAMLError as exc:
        raise ValueError(f"quiz body is not valid YAML: {exc}") from exc
    if not isinstance(data, list) or not data:
        raise ValueError(f"quiz body must be a non-empty YAML list of questions, got {data!r}")
    questions: list[Question] = []
    for i, item in enumerate(data, start=1):
        where = f"quiz question {i}"
        if not isinstance(item, dict):
            raise ValueError(f"{where}: expected a mapping, got {item!r}")
        if ("options" in item) == ("answer" in item):
            raise ValueError(f"{where}: give either 'options' (multiple choice) or 'answer' "
                             f"(numeric), not {'both' if 'options' in item else 'neither'}")
        if "options" in item:
            unknown = set(item) - _CHOICE_KEYS
            if unknown:
                raise ValueError(f"{where}: unknown keys {sorted(unknown)}; valid: question, options")
            questions.append(_choice_question(item, where))
        else:
            questions.append(_numeric_question(item, where))
    return questions


_CODE = re.compile(r"`([^`]+)`")


def _inline(text: str) -> str:
    """Escape text for HTML, keeping backticked code and MathJax's \\( \\) delimiters."""
    return _CODE.sub(lambda m: f"<code>{m.group(1)}</code>", html.escape(text, quote=False))


def _attr(value: object) -> str:
    return html.escape(json.dumps(value, ensure_ascii=False), quote=True)


def _question_html(question: Question, qid: str, number: int) -> str:
    legend = (f'<legend><span class="mgquiz-number">Question {number}.</span> '
              f"{_inline(question.question)}</legend>")
    if isinstance(question, ChoiceQuestion):
        data: dict[str, object] = {
            "kind": "choice",
            "feedback": [_inline(c.feedback) for c in question.options],
            "correct": next(i for i, c in enumerate(question.options) if c.correct),
        }
        body = "".join(
            f'<div class="mgquiz-option"><input type="radio" name="{qid}" id="{qid}-{i}" '
            f'value="{i}"><label for="{qid}-{i}">{_inline(c.text)}</label></div>'
            for i, c in enumerate(question.options)
        )
    else:
        data = {
            "kind": "number", "answer": question.answer, "tolerance": question.tolerance,
            "explanation": _inline(question.explanation), "hint": _inline(question.hint),
            "mistakes": [[m.answer, m.tolerance, _inline(m.feedback)] for m in question.mistakes],
        }
        unit = f" ({_inline(question.unit)})" if question.unit else ""
        body = (f'<div class="mgquiz-number-row"><label for="{qid}-input">Your answer{unit}</label> '
                f'<input type="text" inputmode="decimal" autocomplete="off" id="{qid}-input" '
                f'name="{qid}" size="10"></div>')
    return (
        f'<form class="mgquiz-question" id="{qid}" data-mgquiz="{_attr(data)}">'
        f"<fieldset>{legend}{body}"
        f'<button type="submit" class="mgquiz-check">Check</button>'
        f'<div class="mgquiz-feedback" role="status" aria-live="polite"></div>'
        f"</fieldset></form>"
    )


def render_quiz(questions: list[Question], prefix: str) -> str:
    """HTML of a quiz; element ids start with ``prefix``, which must be unique on the page."""
    inner = "".join(_question_html(q, f"{prefix}-q{i}", i) for i, q in enumerate(questions, 1))
    return (f'<section class="mgquiz" aria-label="Practice quiz">'
            f'<p class="mgquiz-note">Practice only: pick or type an answer and press Check. '
            f"Nothing is recorded.</p>{inner}"
            f'<noscript><p class="mgquiz-note">Checking answers needs JavaScript.</p></noscript>'
            f"</section>")


class QuizDirective(SphinxDirective):
    """``quiz``: practice questions written as YAML in the body."""

    has_content = True

    def run(self) -> list[nodes.Node]:
        try:
            questions = parse_quiz("\n".join(self.content))
        except ValueError as exc:
            raise self.error(str(exc)) from exc
        serial = self.env.new_serialno("mgquiz")
        page = re.sub(r"[^a-z0-9]+", "-", self.env.docname.lower()).strip("-")
        markup = render_quiz(questions, f"mgquiz-{page}-{serial}")
        node = nodes.raw("", markup, format="html")
        self.set_source_info(node)
        return [node]


def _add_static_path(app: Sphinx) -> None:
    app.config.html_static_path.append(str(STATIC))


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the ``quiz`` directive and its script and style sheet."""
    app.add_directive("quiz", QuizDirective)
    app.connect("builder-inited", _add_static_path)
    app.add_js_file("mgcourse-quiz.js", defer="defer")
    app.add_css_file("mgcourse-quiz.css")
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
