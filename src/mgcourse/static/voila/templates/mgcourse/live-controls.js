/* Names and spoken values for live ipywidgets controls on a Voila page.
 *
 * An ipywidgets 8 slider draws its description as a <label> that points at
 * nothing, and its handle (role="slider") announces the slider's internal
 * number: the option index of a SelectionSlider, the bare number of a
 * FloatSlider. Here every slider handle is named by its visible description
 * and announces the value the reader sees, with the unit from the description
 * ("insulin (nM)" -> "1 nM"). The typed-value field gets a name too; an
 * explorer image with no text alternative is named by the explorer's title and
 * described by the explorer's headline, which is announced when it changes.
 * A MutationObserver keeps all of it in step as widgets appear and values move.
 */
(function () {
  "use strict";
  var uid = 0;

  function ident(el, prefix) {
    if (!el.id) { uid += 1; el.id = prefix + "-" + uid; }
    return el.id;
  }

  function text(el) {
    return el ? el.textContent.replace(/\s+/g, " ").trim() : "";
  }

  // "glucose (mmol/L)" -> "mmol/L"; no parenthesis at the end -> no unit
  function unitOf(description) {
    var match = /\(([^()]+)\)\s*$/.exec(description);
    return match ? match[1] : "";
  }

  function spoken(value, unit) {
    return unit ? value + " " + unit : value;
  }

  var SAID = "mgcourseSaid";  // the aria-valuetext last written here, per handle

  function set(el, name, value) {
    if (name === "aria-valuetext") el[SAID] = value;
    if (value && el.getAttribute(name) !== value) el.setAttribute(name, value);
  }

  function fixSlider(slider) {
    var label = slider.querySelector(":scope > .widget-label");
    var description = text(label);
    if (!description) return;
    var unit = unitOf(description);
    var handles = slider.querySelectorAll('[role="slider"]');
    var readout = slider.querySelector(":scope > .widget-readout");
    var shown = text(readout);
    var parts = handles.length > 1 ? shown.split(/\s+[\u2013-]\s+/) : [shown];
    for (var i = 0; i < handles.length; i++) {
      var handle = handles[i];
      if (handles.length === 1) {
        set(handle, "aria-labelledby", ident(label, "mgcourse-label"));
      } else {
        set(handle, "aria-label", description + (i === 0 ? ", lower end" : ", upper end"));
      }
      var value = parts.length === handles.length && parts[i] ? parts[i]
        : handle.getAttribute("aria-valuenow");
      set(handle, "aria-valuetext", spoken(value, unit));
    }
    if (readout && readout.isContentEditable) {
      set(readout, "role", "textbox");
      set(readout, "aria-label", description + ", type a value");
    }
  }

  // The explorer's headline (the model's own verdict, redrawn with the image) describes the
  // image and is read out when it changes.
  function fixImage(image) {
    var box = image.closest(".mgcourse-explorer");
    var headline = box && box.querySelector(".mgcourse-alt");
    if (headline) {
      set(headline, "aria-live", "polite");
      set(image, "aria-describedby", ident(headline, "mgcourse-headline"));
    }
    if (image.hasAttribute("alt") || image.hasAttribute("aria-label")) return;
    var title = box && text(box.querySelector("strong, .mgcourse-title"));
    image.setAttribute("alt", title ? "Figure: " + title : "Figure");
  }

  function fixWithin(root) {
    if (root.matches(".widget-slider")) fixSlider(root);
    root.querySelectorAll(".widget-slider").forEach(fixSlider);
    // an explorer's parts appear in any order: look at its images whenever any part does
    var box = root.closest(".mgcourse-explorer");
    (box || root).querySelectorAll(box ? "img" : ".mgcourse-explorer img").forEach(fixImage);
  }

  // Only what a batch of changes touched is looked at again, so a slider move costs the
  // same on a page of one explorer as on a page of twenty.
  var observer = new MutationObserver(function (records) {
    var sliders = new Set();
    var added = new Set();
    records.forEach(function (r) {
      var el = r.target.nodeType === 1 ? r.target : r.target.parentElement;
      // our own aria-valuetext writes come back as records: only the slider's own count
      if (!el || (r.attributeName === "aria-valuetext" && el.getAttribute(r.attributeName) === el[SAID])) {
        return;
      }
      if (r.attributeName === "class") {  // a widget's classes can come after its element
        if (el.closest(".mgcourse-explorer")) added.add(el);
        return;
      }
      var slider = el.closest(".widget-slider");
      if (slider) sliders.add(slider);
      r.addedNodes.forEach(function (node) { if (node.nodeType === 1) added.add(node); });
    });
    added.forEach(function (node) { if (node.isConnected) fixWithin(node); });
    sliders.forEach(fixSlider);
  });
  observer.observe(document.documentElement, {
    subtree: true, childList: true, characterData: true,
    attributes: true, attributeFilter: ["aria-valuenow", "aria-valuetext", "class"],
  });
  document.addEventListener("DOMContentLoaded", function () { fixWithin(document.body); });
})();
