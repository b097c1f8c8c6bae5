"""The practice quizzes in a real browser: answered by keyboard alone, right and wrong.

Uses the served book and the headless Debian Chromium of ``test_browser.py``. The page
chosen carries both a schematic diagram and a quiz, and axe-core checks both parts
(after feedback is shown) for serious or critical WCAG 2.1 A/AA problems.
"""

from __future__ import annotations

import json
import re
from html import unescape
from pathlib import Path

import pytest

from test_browser import PageWatch, browser_context, site  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser

PAGE = "chapter2/stimulus-secretion.html"
AXE = Path(__file__).resolve().parents[1] / "node_modules" / "axe-core" / "axe.min.js"


def _tab_to(page, selector: str, limit: int = 400) -> None:
    """Press Tab until the focused element matches ``selector``."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"document.activeElement.matches({json.dumps(selector)})"):
            return
    raise AssertionError(f"Tab never reached {selector}")


def _open_question(base: str, context, kind: str):
    """Open the page; return it, its watcher, the first question with ``kind`` inputs and its data."""
    page = context.new_page()
    watch = PageWatch(page, base)
    page.goto(f"{base}/{PAGE}", wait_until="networkidle")
    form = page.locator("form.mgquiz-question").filter(has=page.locator(f"input[type={kind}]")).first
    data = json.loads(unescape(form.get_attribute("data-mgquiz")))
    return page, watch, form, data, form.get_attribute("id"), form.locator(".mgquiz-feedback")


def test_choice_question_by_keyboard(site, browser_context, artifacts):  # noqa: F811
    page, watch, form, data, form_id, feedback = _open_question(site, browser_context, "radio")
    assert feedback.get_attribute("role") == "status"

    # Tab into the radio group, pick a wrong answer with the arrow keys, check with Enter
    _tab_to(page, f"#{form_id}-0")
    page.keyboard.press("Space")
    wrong = next(i for i in range(len(data["feedback"])) if i != data["correct"])
    for _ in range(wrong):
        page.keyboard.press("ArrowDown")
    assert form.locator(f"#{form_id}-{wrong}").is_checked()
    _tab_to(page, f"#{form_id} button.mgquiz-check")
    page.keyboard.press("Enter")
    expected_wrong = re.sub(r"<[^>]+>", "", data["feedback"][wrong])
    assert feedback.inner_text().startswith("Not quite.")
    assert expected_wrong in feedback.inner_text()
    form.screenshot(path=str(artifacts / "quiz-choice-wrong.png"))

    # back to the group with Shift+Tab, move to the right answer, check with Space on the button
    page.keyboard.press("Shift+Tab")
    for _ in range(abs(data["correct"] - wrong)):
        page.keyboard.press("ArrowUp" if data["correct"] < wrong else "ArrowDown")
    assert form.locator(f"#{form_id}-{data['correct']}").is_checked()
    page.keyboard.press("Tab")
    page.keyboard.press("Space")
    assert feedback.inner_text().startswith("Correct.")
    assert "mgquiz-right" in (feedback.get_attribute("class") or "")
    form.screenshot(path=str(artifacts / "quiz-choice-right.png"))
    assert not watch.errors and not watch.offsite
    page.close()


def test_numeric_question_by_keyboard(site, browser_context, artifacts):  # noqa: F811
    page, watch, form, data, form_id, feedback = _open_question(site, browser_context, "text")
    box = f"#{form_id}-input"
    assert page.locator(f"label[for='{form_id}-input']").count() == 1

    _tab_to(page, box)
    page.keyboard.press("Enter")  # nothing typed yet
    assert "Type a number" in feedback.inner_text()

    if data["mistakes"]:  # a foreseen mistake gets its own explanation
        value, _, text = data["mistakes"][0]
        page.keyboard.type(f"{value:g}")
        page.keyboard.press("Enter")
        assert feedback.inner_text().startswith("Not quite.")
        assert re.sub(r"<[^>]+>", "", text) in feedback.inner_text()
        assert page.locator(box).get_attribute("aria-invalid") == "true"
        page.keyboard.press("Control+A")
        page.keyboard.press("Backspace")

    page.keyboard.type(f"{data['answer'] + 1000 * data['tolerance']:g}")
    page.keyboard.press("Enter")
    assert feedback.inner_text().startswith("Not quite. Your answer is too high.")

    page.keyboard.press("Control+A")
    page.keyboard.press("Backspace")
    page.keyboard.type(f"{data['answer'] + data['tolerance'] / 2:g}")
    _tab_to(page, f"#{form_id} button.mgquiz-check")
    page.keyboard.press("Enter")
    assert feedback.inner_text().startswith("Correct.")
    assert page.locator(box).get_attribute("aria-invalid") == "false"
    form.screenshot(path=str(artifacts / "quiz-number-right.png"))
    assert not watch.errors and not watch.offsite
    page.close()


@pytest.mark.parametrize("viewport", [{"width": 1366, "height": 900}, {"width": 390, "height": 844}])
def test_axe_finds_no_serious_problem_in_diagram_and_quiz(site, browser_context, viewport):  # noqa: F811
    assert AXE.exists(), "axe-core is missing: run `npm ci` in the repository root"
    page = browser_context.new_page()
    page.set_viewport_size(viewport)
    page.goto(f"{site}/{PAGE}", wait_until="networkidle")
    for form in page.locator("form.mgquiz-question").all():  # show every feedback state too
        form.locator("button.mgquiz-check").click()
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("""async () => {
        const r = await axe.run({include: [[".mgquiz"], ["figure"]]},
                                {runOnly: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]});
        return r.violations.filter(v => ["serious", "critical"].includes(v.impact))
                .map(v => ({id: v.id, nodes: v.nodes.map(n => n.target.join(" "))}));
    }""")
    assert page.locator(".mgquiz").count() and page.locator("figure img[src*='beta-cell']").count()
    page.close()
    assert not result
