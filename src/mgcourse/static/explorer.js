// Kernel-free explorers. Each control picks a frame, written into the page as JSON at build
// time: the changing lines as data (axes fractions, polyline-encoded) and other changing
// artists as SVG pieces. The frame is drawn over the fixed background of the layout on show
// (wide or narrow, chosen by the style sheet), exactly as mgcourse.widgets draws it in Python.
// Pointing at a curve shows its values.
(function () {
  "use strict";

  function unpolyline(code) {
    var values = [], last = [0, 0], bits = 0, shift = 0;
    for (var i = 0; i < code.length; i++) {
      var chunk = code.charCodeAt(i) - 63;
      bits |= (chunk & 31) << shift;
      shift += 5;
      if (chunk < 32) {
        var k = values.length % 2;
        last[k] += (bits & 1) ? ~(bits >> 1) : (bits >> 1);
        values.push(last[k]);
        bits = 0;
        shift = 0;
      }
    }
    return values;
  }

  function wire(root) {
    var script = root.querySelector("script.mgcourse-frames");
    if (!script || root.dataset.ready) return;
    root.dataset.ready = "1";
    var data = JSON.parse(script.textContent);
    var q = data.q;
    var controls = Array.prototype.slice.call(root.querySelectorAll("[data-param]"));
    var figures = Array.prototype.slice.call(root.querySelectorAll(".mgcourse-figure"));
    var text = root.querySelector(".mgcourse-alt");
    var readout = root.querySelector(".mgcourse-readout");
    var words = controls.map(function (control) {  // what each slider position is called
      return control.type === "range" ? JSON.parse(control.dataset.words) : null;
    });
    var decoded = {};
    var current = -1;
    var drawn = figures.map(function () { return -1; });

    function points(index, key, code) {
      var id = index + key;
      if (!decoded[id]) decoded[id] = unpolyline(code);
      return decoded[id];
    }
    function x(box, v) { return (box[0] + v * box[2] / q).toFixed(1); }
    function y(box, v) { return (box[1] + (q - v) * box[3] / q).toFixed(1); }

    function piece(index, layout) {
      var p = data.pieces[index];
      if (p.v) return p.v[layout];
      var box = data.boxes[layout][p.a], style = data.styles[p.s], out = "";
      (p.p || []).forEach(function (code, j) {
        var v = points(index, "p" + j, code), coords = [];
        for (var k = 0; k < v.length; k += 2) coords.push(x(box, v[k]) + " " + y(box, v[k + 1]));
        out += '<path d="M' + coords.join(" ") + '" ' + style.l + "/>";
      });
      if (p.m) {
        var m = points(index, "m", p.m);
        for (var k = 0; k < m.length; k += 2) {
          out += '<path transform="translate(' + x(box, m[k]) + " " + y(box, m[k + 1]) +
            ')" d="' + style.m + '" ' + style.k + "/>";
        }
      }
      return '<g clip-path="url(#' + root.id + "-" + layout + "-" + p.a + ')">' + out + "</g>";
    }

    function draw(layout) {
      if (drawn[layout] === current || !figures[layout].getClientRects().length) return;
      figures[layout].querySelector("g.mgcourse-layer").innerHTML =
        data.frames[current].map(function (i) { return piece(i, layout); }).join("");
      figures[layout].querySelector("g.mgcourse-hover").innerHTML = "";
      drawn[layout] = current;
    }

    function frame() {
      var flat = 0;
      controls.forEach(function (control, i) {
        flat = flat * data.shape[i] + Number(control.value);
      });
      return flat;
    }

    function show() {
      var f = frame();
      if (f !== current) {
        current = f;
        text.textContent = data.texts[f];
        if (readout) readout.textContent = readout.dataset.hint || "";
      }
      figures.forEach(function (_, layout) { draw(layout); });
      controls.forEach(function (control, i) {
        if (!words[i]) return;
        var said = words[i][Number(control.value)];
        control.setAttribute("aria-valuetext", said);
        var out = control.parentNode.querySelector("output");
        if (out) out.textContent = said;
      });
    }

    function value(limits, fraction) {
      var t = fraction / q, v;
      if (limits[2]) {
        var lo = Math.log10(limits[0]), hi = Math.log10(limits[1]);
        v = Math.pow(10, lo + t * (hi - lo));
      } else {
        v = limits[0] + t * (limits[1] - limits[0]);
      }
      return String(Number(v.toPrecision(3)));
    }

    function point(layout, event) {
      var figure = figures[layout], rect = figure.getBoundingClientRect();
      var view = figure.querySelector("svg.mgcourse-overlay").viewBox.baseVal;
      var sx = (event.clientX - rect.left) * view.width / rect.width;
      var sy = (event.clientY - rect.top) * view.height / rect.height;
      var best = null, reach = 24 * 24;
      data.frames[current].forEach(function (index) {
        var p = data.pieces[index];
        if (p.v) return;
        var box = data.boxes[layout][p.a];
        if (sx < box[0] || sx > box[0] + box[2] || sy < box[1] || sy > box[1] + box[3]) return;
        var sets = (p.p || []).map(function (code, j) { return points(index, "p" + j, code); });
        if (p.m) sets.push(points(index, "m", p.m));
        sets.forEach(function (v) {
          for (var k = 0; k < v.length; k += 2) {
            var dx = box[0] + v[k] * box[2] / q - sx, dy = box[1] + (q - v[k + 1]) * box[3] / q - sy;
            var d = dx * dx + dy * dy;
            if (d < reach) { reach = d; best = [p, v[k], v[k + 1], box]; }
          }
        });
      });
      var hover = figure.querySelector("g.mgcourse-hover");
      if (!best) { leave(layout); return; }
      var p = best[0], axes = data.axes[p.a];
      hover.innerHTML = '<circle cx="' + x(best[3], best[1]) + '" cy="' + y(best[3], best[2]) +
        '" r="4" fill="none" stroke="#000" stroke-width="1.5"/>';
      readout.textContent = p.t + ": " + axes.xn + " " + value(axes.x, best[1]) + ", " +
        axes.yn + " " + value(axes.y, best[2]);
    }

    function leave(layout) {
      figures[layout].querySelector("g.mgcourse-hover").innerHTML = "";
      readout.textContent = readout.dataset.hint || "";
    }

    controls.forEach(function (control) {
      control.addEventListener("input", show);
      control.addEventListener("change", show);
    });
    if (readout && data.axes.length) {
      figures.forEach(function (figure, layout) {
        figure.addEventListener("pointermove", function (e) { point(layout, e); });
        figure.addEventListener("pointerdown", function (e) { point(layout, e); });
        figure.addEventListener("pointerleave", function () { leave(layout); });
      });
    }
    // the page drew the first frame in both layouts; later frames are drawn in the one on show
    current = frame();
    drawn = figures.map(function () { return current; });
    if (window.ResizeObserver) new ResizeObserver(show).observe(root);
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
