// Kernel-free explorers: each control swaps the drawing over the figure's fixed background
// and the sentence that describes it. The frames are the page's own JSON, written at build time.
(function () {
  "use strict";
  function wire(root) {
    var script = root.querySelector("script.mgcourse-frames");
    if (!script || root.dataset.ready) return;
    root.dataset.ready = "1";
    var data = JSON.parse(script.textContent);
    var controls = Array.prototype.slice.call(root.querySelectorAll("[data-param]"));
    var layer = root.querySelector("svg.mgcourse-overlay > g");
    var text = root.querySelector(".mgcourse-alt");
    function frame() {
      var flat = 0;
      controls.forEach(function (control, i) {
        flat = flat * data.shape[i] + Number(control.value);
      });
      return flat;
    }
    function show() {
      var f = frame();
      layer.innerHTML = data.frames[f].map(function (p) { return data.pieces[p]; }).join("");
      text.textContent = data.texts[f];
      controls.forEach(function (control) {
        if (control.type !== "range") return;
        var words = JSON.parse(control.dataset.words);
        var said = words[Number(control.value)];
        control.setAttribute("aria-valuetext", said);
        var out = control.parentNode.querySelector("output");
        if (out) out.textContent = said;
      });
    }
    controls.forEach(function (control) {
      control.addEventListener("input", show);
      control.addEventListener("change", show);
    });
    root.mgcourseShow = show;
  }
  function wireAll() {
    document.querySelectorAll(".mgcourse-static").forEach(wire);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", wireAll);
  } else {
    wireAll();
  }
})();
