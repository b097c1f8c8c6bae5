// Loaded between require.js and the widget manager on every page with widgets.
(function () {
  "use strict";
  // The widget manager finds its fonts next to its own AMD module; point that module at the
  // copy this site serves, so nothing is fetched from elsewhere.
  var root = document.documentElement.dataset.content_root || "./";
  if (window.require && typeof window.require.config === "function") {
    window.require.config({
      paths: { "@jupyter-widgets/html-manager/dist": root + "vendor/jupyter-widgets" },
    });
  }
  // Widget labels are typeset through the MathJax 2 API (MathJax.Hub.Queue); the book loads
  // MathJax 3, so forward those calls to MathJax 3's typesetPromise.
  var hub = {
    Queue: function (command) {
      var element = command && command[2];
      var mj = window.MathJax;
      if (element && mj && typeof mj.typesetPromise === "function") {
        mj.typesetPromise([element]).catch(function () {});
      }
    },
  };
  var current = window.MathJax;
  function attach(value) {
    if (value && typeof value === "object" && !("Hub" in value)) {
      Object.defineProperty(value, "Hub", { value: hub, enumerable: false, configurable: true });
    }
    return value;
  }
  Object.defineProperty(window, "MathJax", {
    configurable: true,
    get: function () { return current; },
    set: function (value) { current = attach(value); },
  });
  attach(current);
})();
