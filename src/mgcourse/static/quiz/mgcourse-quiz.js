/* Practice quizzes of the mgcourse book: checks an answer in the browser and writes
   the feedback into the question's role="status" region (read out by screen readers).
   The question data is in each form's data-mgquiz attribute; nothing leaves the page. */
(function () {
  "use strict";

  function parseNumber(text) {
    var cleaned = text.trim().replace(/\u2212/g, "-").replace(/\s/g, "").replace(",", ".");
    if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(cleaned)) return null;
    return parseFloat(cleaned);
  }

  function verdict(data, form) {
    if (data.kind === "choice") {
      var picked = form.querySelector("input[type=radio]:checked");
      if (!picked) return { state: "empty", html: "Choose an answer first." };
      var index = parseInt(picked.value, 10);
      var right = index === data.correct;
      return { state: right ? "right" : "wrong", html: data.feedback[index] };
    }
    var input = form.querySelector("input[type=text]");
    var value = parseNumber(input.value);
    if (value === null) {
      return { state: "empty", html: "Type a number, such as 2.5, then press Check." };
    }
    if (Math.abs(value - data.answer) <= data.tolerance) {
      return { state: "right", html: data.explanation };
    }
    for (var i = 0; i < data.mistakes.length; i++) {
      var m = data.mistakes[i];
      if (Math.abs(value - m[0]) <= m[1]) return { state: "wrong", html: m[2] };
    }
    var side = value > data.answer ? "Your answer is too high." : "Your answer is too low.";
    return { state: "wrong", html: side + (data.hint ? " " + data.hint : "") };
  }

  var PREFIX = { right: "Correct. ", wrong: "Not quite. ", empty: "" };

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList || !form.classList.contains("mgquiz-question")) return;
    event.preventDefault();
    var data = JSON.parse(form.getAttribute("data-mgquiz"));
    var result = verdict(data, form);
    var box = form.querySelector(".mgquiz-feedback");
    box.className = "mgquiz-feedback mgquiz-" + result.state;
    box.innerHTML = "<strong>" + PREFIX[result.state] + "</strong>" + result.html;
    var answer = form.querySelector("input[type=text]");
    if (answer) answer.setAttribute("aria-invalid", result.state === "wrong" ? "true" : "false");
    if (window.MathJax && window.MathJax.typesetPromise) window.MathJax.typesetPromise([box]);
  });
})();
