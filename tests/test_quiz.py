"""The quiz directive: questions parsed from YAML, checked for mistakes, rendered accessibly."""

from __future__ import annotations

import json
import re
from html import unescape

import pytest

from mgcourse.quiz import ChoiceQuestion, NumericQuestion, parse_quiz, render_quiz

QUIZ = """
- question: Which subunit of the KATP channel forms the pore?
  options:
    - text: Kir6.2
      correct: true
      feedback: Four Kir6.2 subunits line the K⁺ pore.
    - text: SUR1
      feedback: SUR1 is the regulatory subunit that MgADP acts on.
- question: "HOMA-IR for glucose 5.0 mmol/L and insulin 9 µU/mL?"
  answer: 2.0
  tolerance: 0.05
  unit: ""
  explanation: 5.0 × 9 / 22.5 = 2.0.
  hint: Divide by 22.5.
  mistakes:
    - answer: 0.2
      tolerance: 0.01
      feedback: The constant is 22.5, not 225.
"""


def test_parses_both_kinds_of_question():
    choice, numeric = parse_quiz(QUIZ)
    assert isinstance(choice, ChoiceQuestion)
    assert [c.correct for c in choice.options] == [True, False]
    assert isinstance(numeric, NumericQuestion)
    assert (numeric.answer, numeric.tolerance, numeric.hint) == (2.0, 0.05, "Divide by 22.5.")
    assert numeric.mistakes[0].answer == 0.2


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("[]", "non-empty YAML list"),
        ("- question: [unclosed", "not valid YAML"),
        ("- question: Q\n  answer: 1\n  tolerance: 0.1\n  explanation: E\n  options: []", "not both"),
        ("- question: Q", "not neither"),
        ("- question: Q\n  options:\n    - {text: A, feedback: F}\n    - {text: B, feedback: G}",
         "exactly one option must be correct, got 0"),
        ("- question: Q\n  options:\n    - {text: A, feedback: F, correct: true}\n"
         "    - {text: B, feedback: G, correct: true}", "exactly one option must be correct, got 2"),
        ("- question: Q\n  options:\n    - {text: A, correct: true, feedback: F}\n    - {text: B}",
         "option 2: 'feedback' must be non-empty text"),
        ("- question: Q\n  options:\n    - {text: A, correct: true, feedback: F}", "at least 2"),
        ("- question: Q\n  answer: 1\n  tolerance: 0\n  explanation: E",
         "'tolerance' must be greater than 0"),
        ("- question: Q\n  answer: .nan\n  tolerance: 0.1\n  explanation: E", "'answer' must be a finite"),
        ("- question: Q\n  answer: 1\n  tolerance: 0.1", "'explanation' must be non-empty text"),
        ("- question: Q\n  answer: 1\n  tolerance: 0.1\n  explanation: E\n  mistakes:\n"
         "    - {answer: 1.05, feedback: F}", "overlaps the correct range"),
        ("- question: Q\n  answer: 1\n  tolerance: 0.1\n  explanation: E\n  colour: red", "unknown keys"),
    ],
)
def test_bad_quizzes_are_refused_with_the_reason(source, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        parse_quiz(source)


def test_renders_fieldsets_labels_and_a_live_feedback_region():
    html = render_quiz(parse_quiz(QUIZ), "mgquiz-page-1")
    assert html.count("<fieldset>") == 2 and html.count("<legend>") == 2
    assert html.count('role="status"') == 2 and html.count('aria-live="polite"') == 2
    radios = re.findall(r'<input type="radio" name="([^"]+)" id="([^"]+)"', html)
    assert len(radios) == 2 and len({name for name, _ in radios}) == 1
    for _, radio_id in radios:  # every radio button has its own label
        assert f'<label for="{radio_id}">' in html
    assert '<label for="mgquiz-page-1-q2-input">Your answer</label>' in html
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(ids) == len(set(ids))
    assert html.count('<button type="submit" class="mgquiz-check">Check</button>') == 2


def test_answers_and_feedback_travel_in_the_data_attribute():
    html = render_quiz(parse_quiz(QUIZ), "q")
    data = [json.loads(unescape(raw)) for raw in re.findall(r'data-mgquiz="([^"]*)"', html)]
    assert data[0] == {"kind": "choice", "correct": 0, "feedback": [
        "Four Kir6.2 subunits line the K⁺ pore.", "SUR1 is the regulatory subunit that MgADP acts on."]}
    assert data[1]["kind"] == "number" and data[1]["answer"] == 2.0
    assert data[1]["mistakes"] == [[0.2, 0.01, "The constant is 22.5, not 225."]]


def test_text_is_escaped_and_code_is_kept():
    quiz = parse_quiz('- question: "Is <b>bold</b> or `x < 1` safe?"\n  answer: 1\n  tolerance: 0.1\n'
                      "  explanation: \"Yes: \\\\(x^2\\\\) stays for MathJax.\"")
    html = render_quiz(quiz, "q")
    assert "&lt;b&gt;bold&lt;/b&gt;" in html and "<b>" not in html
    assert "<code>x &lt; 1</code>" in html
    assert "\\\\(x^2\\\\)" in html or "\\(x^2\\)" in unescape(html)
