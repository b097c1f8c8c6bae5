"""Tests for mgcourse.widgets: one explorer, a live UI and a kernel-free static UI."""

import io
import json
import re

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
import pytest
from PIL import Image

from mgcourse.widgets import STATIC_POSITIONS, Explorer, Param, StaticExplorer, render_mode


def _line_explorer() -> Explorer:
    def setup(fig):
        ax = fig.subplots()
        ax.set_xlim(0, 1)
        ax.set_ylim(-3, 3)
        ax.set_xlabel("time (s)")
        (line,) = ax.plot([], [])
        title = ax.set_title(" ")
        x = np.linspace(0, 1, 50)

        def update(slope, colour):
            line.set_data(x, slope * x)
            line.set_color(colour)
            title.set_text(f"slope {slope:g}")
            return (line, title)

        return update

    return Explorer(
        title="A line",
        params=(
            Param("slope", "slope", "1/s", -2.0, 2.0, 1.0, 0.5),
            Param("colour", "colour", options=("red", "blue"), default="blue"),
        ),
        plot=setup,
        alt="A straight line through the origin",
        figsize=(6.0, 3.0),
        narrow_figsize=(3.0, 3.0),
    )


def _pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGBA"))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"min": 1.0, "max": 0.0, "default": 0.5}, "min = 1.0 must be below max = 0.0"),
        ({"min": 0.0, "max": 1.0, "default": 2.0}, r"default = 2.0 s is outside \[0, 1\] s"),
        ({"min": 0.0, "max": 1.0, "default": 0.5, "static_values": (0.5, 3.0)}, "static value 3.0"),
        ({"options": ("a", "b"), "default": "c"}, "default 'c' is not one of"),
    ],
)
def test_param_validation(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Param("p", "p", "s", **kwargs)


def test_default_frames_have_enough_positions_and_the_default():
    p = Param("g", "glucose", "mmol/L", 4.0, 12.0, 5.5)
    frames = p.frames()
    assert len(frames) >= STATIC_POSITIONS >= 20 and 5.5 in frames
    assert frames[0] == 4.0 and frames[-1] == 12.0 and list(frames) == sorted(frames)
    assert p.description == "glucose (mmol/L)"
    stepped = Param("m", "mass", "mg", 100.0, 3000.0, 2500.0, 50.0).frames()
    assert all(round((v - 100.0) / 50.0, 9).is_integer() for v in stepped)
    discrete = Param("d", "dose", "nM", 0.1, 10.0, 1.0, static_values=(0.1, 1.0, 10.0),
                     discrete=True)
    assert discrete.frames() == (0.1, 1.0, 10.0)


def test_explorer_rejects_duplicate_names():
    p = Param("a", "a", "", 0.0, 1.0, 0.5)
    with pytest.raises(ValueError, match="repeat"):
        Explorer("x", (p, p), plot=lambda fig: lambda a: (), alt="x")
    with pytest.raises(ValueError, match="has no parameter"):
        _line_explorer().render_png(slop=1.0)


def test_render_mode(monkeypatch):
    monkeypatch.delenv("MGCOURSE_WIDGETS", raising=False)
    assert render_mode() == "live"
    monkeypatch.setenv("MGCOURSE_WIDGETS", "static")
    assert render_mode() == "static"
    assert isinstance(_line_explorer().show(), StaticExplorer)
    monkeypatch.setenv("MGCOURSE_WIDGETS", "kernel")
    with pytest.raises(ValueError, match="MGCOURSE_WIDGETS = 'kernel'"):
        render_mode()


def test_blitted_frame_equals_full_redraw():
    explorer = _line_explorer()
    explorer.render_png(slope=-2.0, colour="red")  # leave something to be erased
    blitted = _pixels(explorer.render_png(slope=1.5, colour="blue"))
    fig = explorer.figure()
    for artist in explorer._canvas().animated:
        artist.set_animated(False)
    fig.canvas.draw()
    full = np.asarray(fig.canvas.buffer_rgba())
    assert blitted.shape == full.shape
    # Blitting draws the moving artists last, so only pixels where they cross a spine may
    # differ from a full redraw; nothing of the previous frame (the red line) may survive.
    differs = np.abs(blitted.astype(int) - full.astype(int)).max(axis=2) > 1
    assert differs.sum() <= 10
    red = (blitted[..., 0] > 200) & (blitted[..., 1] < 80) & (blitted[..., 2] < 80)
    assert not red.any()


def test_live_redraws_in_place_without_new_figures():
    explorer = _line_explorer()
    before = plt.get_fignums()
    box = explorer.live()
    figure = explorer.figure()
    first = box.image.value
    box.controls["slope"].value = -1.5
    second = box.image.value
    box.controls["colour"].value = "red"
    assert first != second != box.image.value
    assert explorer.figure() is figure  # one figure, reused
    assert plt.get_fignums() == before  # no pyplot figures created
    assert isinstance(box.controls["slope"], widgets.FloatSlider)
    assert isinstance(box.controls["colour"], widgets.Dropdown)


def test_static_has_one_frame_per_combination():
    explorer = _line_explorer()
    view = explorer.static()
    slope_values = explorer.params[0].frames()
    assert slope_values == tuple(np.arange(-2.0, 2.01, 0.5))  # every step when there are few
    assert view.grids == [slope_values, ("red", "blue")]
    assert len(view.frames) == len(view.texts) == len(slope_values) * 2
    assert view.initial == [slope_values.index(1.0), 1]
    # each frame draws the line and the title; each distinct drawing is stored once
    assert all(len(f) == 2 for f in view.frames)
    assert len({view.overlay(i) for i in range(len(view.frames))}) == len(view.frames)
    # the text alternative names the settings in units and repeats what the model wrote
    flat = view.index([slope_values.index(-2.0), 0])
    assert view.texts[flat] == "slope -2 1/s, colour red: slope -2."
    assert 'stroke="#ff0000"' in view.overlay(flat)


def test_static_html_is_vector_keyboard_operable_and_labelled():
    view = _line_explorer().static()
    page = view._repr_html_()
    assert "data:image" not in page and "<img" not in page  # vector, nothing inlined as base64
    assert page.count("<svg") == 4  # the background and the overlay of each layout
    assert '<input type="range"' in page and 'aria-valuetext="1 1/s"' in page
    assert "<select" in page and "<option value=\"1\" selected>blue</option>" in page
    ids = re.findall(r'<(?:input|select) [^>]*id="([^"]+)"', page)
    assert all(f'<label for="{i}">' in page for i in ids) and len(ids) == 2
    assert 'aria-live="polite">slope 1 1/s, colour blue: slope 1.</p>' in page
    data = json.loads(re.search(r'class="mgcourse-frames">(.*?)</script>', page).group(1))
    assert data["shape"] == [len(view.grids[0]), 2]
    assert data["texts"] == view.texts and len(data["frames"]) == len(view.frames)


@pytest.mark.parametrize(("value", "unit", "text"), [
    (5.5, "mmol/L", "5.5 mmol/L"), (2500.0, "mg", "2500 mg"), (0.5, "× reference", "0.5 × reference"),
    (3.0, "", "3"), ("published", "", "published"),
])
def test_value_text_has_units_or_words(value, unit, text):
    assert Param("p", "p", unit, 0.0, 1e4, 1.0).value_text(value) == text


def test_static_index_rejects_positions_outside_a_grid():
    view = _line_explorer().static()
    with pytest.raises(ValueError, match=r"position 2 is outside \[0, 1\]"):
        view.index([0, 2])


def test_compact_svg_keeps_every_path_command_that_changes_meaning():
    from mgcourse.widgets import _compact_svg

    svg = ('<?xml version="1.0"?>\n<svg x="0">\n'
           ' <path d="M 1.2345 2 \nL 3 4 \nL 5 6 \nQ 1 2 3 4 \nL 7 8 \nz\n"/>\n</svg>')
    assert _compact_svg(svg) == '<svg x="0"><path d="M 1.2 2 3 4 5 6 Q 1 2 3 4 L 7 8 z"/></svg>'
    text = '<svg><text x="10.123" y="5">HOMA-IR 2.22, QUICKI 0.338</text></svg>'
    assert _compact_svg(text) == '<svg><text x="10.1" y="5">HOMA-IR 2.22, QUICKI 0.338</text></svg>'


@pytest.mark.parametrize("values", [[0, 0], [1, -1, 2000, 2000, -3, 17], [123456, -98765, 5, 5]])
def test_polyline_round_trip(values):
    from mgcourse.widgets import polyline, unpolyline

    code = polyline(values)
    assert unpolyline(code) == values
    assert set(code) <= {chr(c) for c in range(63, 127)}  # nothing to escape in HTML or JSON


def test_lines_are_data_in_axes_fractions_whatever_their_transform():
    from mgcourse.widgets import QUANTUM, unpolyline

    def setup(fig):
        ax = fig.subplots()
        ax.set_xlim(0, 10)
        ax.set_ylim(0, 1)
        ax.set_xlabel("time (s)")
        ax.set_ylabel("level (a.u.)")
        (line,) = ax.plot([], [], label="level")
        cursor = ax.axvline(0.0)  # x in data, y in axes fractions

        def update(at):
            line.set_data([0, at, 10], [0, 0.5, 0.5])
            cursor.set_xdata([at, at])
            return (line, cursor)

        return update

    explorer = Explorer("lines", (Param("at", "at", "s", 0.0, 10.0, 5.0),), plot=setup, alt="A line")
    view = explorer.static()
    frame = view.frames[view.index(view.initial)]
    line, cursor = (view.pieces[i] for i in frame)
    assert line["t"] == "level" and cursor["t"] == "level (a.u.)"  # no label: the axis' name
    (path,) = line["p"]
    assert unpolyline(path) == [0, 0, QUANTUM // 2, QUANTUM // 2, QUANTUM, QUANTUM // 2]
    (vertical,) = cursor["p"]
    assert unpolyline(vertical) == [QUANTUM // 2, 0, QUANTUM // 2, QUANTUM]
    assert view.axes == [{"x": [0.0, 10.0, 0], "y": [0.0, 1.0, 0], "xn": "time (s)",
                          "yn": "level (a.u.)"}]
    # the same data is drawn into each layout's own axes box
    wide, narrow = (view.overlay(view.index(view.initial), k) for k in range(2))
    assert wide != narrow and wide.count("<path") == narrow.count("<path") == 2


def test_two_layouts_with_one_text_size_and_the_headline_outside_the_figure():
    from matplotlib.text import Text

    from mgcourse.widgets import NARROW, WIDE, is_narrow

    layouts = []

    def setup(fig):
        layouts.append(is_narrow(fig))
        ax = fig.subplots()
        ax.set_xlabel("time (s)")
        headline = fig.suptitle(" ")
        (line,) = ax.plot([0, 1], [0, 1])

        def update(k):
            headline.set_text(f"k is {k:g}")
            line.set_ydata([0, k])
            return (line, headline)

        return update

    explorer = Explorer("text", (Param("k", "k", "", 0.0, 1.0, 0.5),), plot=setup, alt="A line")
    view = explorer.static()
    assert layouts == [False, True]  # the wide figure, then the phone's
    for layout in (WIDE, NARROW):
        fig = explorer.figure(layout)
        sizes = {t.get_fontsize() for t in fig.findobj(Text) if t.get_text().strip()}
        assert sizes == {layout.font_size}, (layout, sizes)
        assert not fig._suptitle.get_visible()
    assert "k is 0.5" in view.texts[view.index(view.initial)]
    assert all("k is" not in view.overlay(i, k) for i in range(len(view.frames)) for k in range(2))
    assert "k is" not in view.layouts[0].background
    with pytest.raises(ValueError, match=r"figsize width = 4.0 in must be at least 5.0 in"):
        Explorer("x", (Param("k", "k", "", 0.0, 1.0, 0.5),), plot=setup, alt="x", figsize=(4.0, 3.0))


def test_fast_png_decodes_to_the_figures_pixels():
    """The live explorer's own PNG writer, cross-checked by Pillow's decoder."""
    from mgcourse.widgets import fast_png

    rng = np.random.default_rng(1)
    rgba = rng.integers(0, 256, size=(37, 53, 4), dtype=np.uint8)
    decoded = Image.open(io.BytesIO(fast_png(rgba)))
    assert decoded.mode == "RGB" and decoded.size == (53, 37)
    assert np.array_equal(np.asarray(decoded), rgba[..., :3])
    explorer = _line_explorer()
    frame = _pixels(explorer.render_png(slope=0.5, colour="red"))
    canvas = np.asarray(explorer.figure().canvas.buffer_rgba())
    assert np.array_equal(frame[..., :3], canvas[..., :3])
