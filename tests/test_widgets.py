"""Tests for mgcourse.widgets: one explorer, a live UI and a kernel-free static UI."""

import io
import itertools

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
import pytest
from PIL import Image

from mgcourse.widgets import Explorer, Param, render_mode


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
        figsize=(3.0, 2.0),
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


def test_default_frames_include_default():
    p = Param("g", "glucose", "mmol/L", 4.0, 12.0, 5.5)
    assert p.frames() == (4.0, 5.5, 6.0, 8.0, 10.0, 12.0)
    assert p.description == "glucose (mmol/L)"


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
    assert isinstance(_line_explorer().show(), widgets.VBox)
    monkeypatch.setenv("MGCOURSE_WIDGETS", "kernel")
    with pytest.raises(ValueError, match="MGCOURSE_WIDGETS = 'kernel'"):
        render_mode()


def test_blitted_frame_equals_full_redraw():
    explorer = _line_explorer()
    explorer.render_png(slope=-2.0, colour="red")  # leave something to be erased
    blitted = _pixels(explorer.render_png(slope=1.5, colour="blue"))
    fig = explorer.figure()
    for artist in explorer._animated:
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


def test_static_has_one_frame_per_combination_and_links():
    explorer = _line_explorer()
    box = explorer.static()
    slope_values = explorer.params[0].frames()
    assert len(slope_values) == 5  # -2, -1, 0, 1, 2 (default 1 included)
    stacks = [w for w in _walk(box) if isinstance(w, widgets.Stack)]
    frames = [w for w in _walk(box) if isinstance(w, widgets.HTML) and "<img" in w.value]
    assert len(frames) == 5 * 2
    assert len(stacks) == 1 + 5  # outer stack + one inner stack per slope value
    assert len(box.links) == len(stacks)
    for link in box.links:
        slider, _ = link.source
        stack, trait = link.target
        assert trait == "selected_index" and slider in box.sliders
        assert stack.selected_index == slider.index
    # sliders start at the default values
    assert [s.label for s in box.sliders] == ["1", "blue"]
    # every frame is different and has alt text naming its values
    assert len({f.value for f in frames}) == len(frames)
    combos = itertools.product(slope_values, ("red", "blue"))
    for frame, (slope, colour) in zip(frames, combos, strict=True):
        alt = f"A straight line through the origin (slope {slope:g} 1/s, colour {colour})"
        assert f'alt="{alt}"' in frame.value


def _walk(widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from _walk(child)
