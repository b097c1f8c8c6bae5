// Small corrections to the book theme, run on every page.
(function () {
  "use strict";
  function ready(fn) {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", fn);
    else fn();
  }
  // Phone menu: the theme opens its sidebar dialogs only from the first .primary-toggle /
  // .secondary-toggle on the page, which is hidden on a phone. Give every other toggle the
  // same behaviour (the theme's own close, Escape and backdrop handlers then apply).
  function moveNodesAndClasses(from, to) {
    Array.from(from.childNodes).forEach(function (node) { to.appendChild(node); });
    Array.from(from.classList).forEach(function (cls) {
      from.classList.remove(cls);
      to.classList.add(cls);
    });
  }
  function bindToggles(toggleClass, sidebarId) {
    var sidebar = document.getElementById(sidebarId);
    var dialog = document.getElementById(sidebarId + "-modal");
    if (!sidebar || !dialog) return;
    var toggles = Array.from(document.querySelectorAll("." + toggleClass));
    toggles.slice(1).forEach(function (toggle) {
      toggle.addEventListener("click", function (event) {
        event.preventDefault();
        event.stopPropagation();
        if (dialog.open) return;
        var previous = document.activeElement;
        moveNodesAndClasses(sidebar, dialog);
        dialog.showModal();
        dialog.addEventListener("close", function () {
          if (previous && previous.focus) previous.focus();
        }, { once: true });
      });
    });
  }
  // Buttons whose accessible name must contain their visible text (WCAG 2.5.3).
  function matchLabels() {
    document.querySelectorAll("button[aria-label], a[aria-label], summary[aria-label]").forEach(function (el) {
      var visible = (el.innerText || "").replace(/\s+/g, " ").trim();
      var label = el.getAttribute("aria-label") || "";
      if (visible && label.toLowerCase().indexOf(visible.toLowerCase()) === -1) {
        el.setAttribute("aria-label", visible + " (" + label + ")");
      }
    });
  }
  // The colour-mode button shows one icon titled with the current mode ("Light", "Dark",
  // "System Settings"); its name must contain that word, and follow the mode.
  function nameColourMode() {
    var mode = document.documentElement.dataset.mode || "auto";
    document.querySelectorAll(".theme-switch-button").forEach(function (button) {
      var icon = button.querySelector('[data-mode="' + mode + '"]');
      var title = icon && (icon.getAttribute("title") || (icon.querySelector("title") || {}).textContent);
      if (title) button.setAttribute("aria-label", "Color mode: " + title);
    });
  }
  // A table or output that scrolls sideways on a narrow screen must be reachable by keyboard.
  function focusableScrollers() {
    document.querySelectorAll(".bd-article table, .bd-article .pst-scrollable-table-container")
      .forEach(function (el) {
        if (el.scrollWidth > el.clientWidth + 1 && !el.hasAttribute("tabindex")) {
          el.setAttribute("tabindex", "0");
        }
      });
  }
  ready(function () {
    nameColourMode();
    focusableScrollers();
    window.addEventListener("resize", focusableScrollers);
    new MutationObserver(nameColourMode).observe(document.documentElement,
      { attributes: true, attributeFilter: ["data-mode"] });
    bindToggles("primary-toggle", "pst-primary-sidebar");
    bindToggles("secondary-toggle", "pst-secondary-sidebar");
    matchLabels();
  });
})();
