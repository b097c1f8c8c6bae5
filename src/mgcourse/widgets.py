"""One explorer definition, two user interfaces: live ipywidgets or kernel-free static frames.

An :class:`Explorer` is a list of :class:`Param` specs plus a plot function.
The plot function ``setup(fig)`` draws everything that does not depend on the
parameters once and returns ``update(**values)``, which changes only the
artists that do and returns them. The figure is rendered once with the
changing artists left out; that background is cached, and every later frame
restores it and draws only the returned artists (blitting), which is what
makes a slider feel immediate.

Every figure comes in two layouts (:data:`LAYOUTS`): a wide one for a page
column and a narrow one for a phone, in which the plot function stacks its
panels (it asks :func:`is_narrow`). All text of a layout has one size, chosen
so that it reads at least as large as the page's text on a desktop and at
least 12 px on a 390-px phone. A changing figure-level text (the headline a
plot function sets with ``fig.suptitle``) is not drawn inside the figure: it
is shown as text next to it, where it wraps on a phone and a screen reader
hears it.

* :meth:`Explorer.live` builds sliders, the headline and an image that is
  redrawn in place (the same figure and ``Image`` widget on every change);
* :meth:`Explorer.static` draws both layouts as vector graphics for a page
  with no kernel: each layout's background once as SVG; every changing line
  as data (its vertices in axes fractions, simplified and delta-encoded with
  the polyline algorithm), which a small script served by the book draws into
  either layout; other changing artists (bars, patches, texts in axes) as small
  SVG pieces per layout; and a text alternative made of the texts the changing
  artists show. Native range inputs and drop-downs (keyboard operable, values
  announced in units) choose the frame; pointing at a curve shows its values;
* :meth:`Explorer.show` picks one of the two: static when the environment
  variable ``MGCOURSE_WIDGETS`` is ``"static"`` (the book build sets it), live
  otherwise.
"""

from __future__ import annotations

import hashlib
import html
import io
import itertools
import json
import os
import re
import struct
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ipywidgets as widgets
import matplotlib as mpl
import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.backends.backend_svg import RendererSVG
from matplotlib.colors import to_hex, to_rgba
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.markers import MarkerStyle
from matplotlib.path import Path as MplPath
from matplotlib.text import Text
from matplotlib.transforms import Affine2D, Transform

__all__ = [
    "LAYOUTS", "NARROW", "NARROW_WIDTH", "STATIC_POSITIONS", "VOILA_OPTIONS", "VOILA_PATH", "WIDE",
    "Explorer", "Layout", "Param", "StaticExplorer", "is_narrow", "render_mode",
]

#: Fewest positions of a numeric slider in the static version.
STATIC_POSITIONS: int = 21

#: Figure width below which a plot function draws the narrow layout [inches].
NARROW_WIDTH: float = 5.0

#: Dense lines drop vertices that move them by less than this, in the SVG and in line data [pt].
_SIMPLIFY_PT: float = 0.3

#: Folder to put on ``JUPYTER_PATH`` so that Voila finds the ``mgcourse`` template (Voila's
#: lab template without the stylesheets it would fetch from a CDN).
VOILA_PATH: Path = Path(__file__).with_name("static")

#: Voila options for live explorers: that template, and none of the JupyterLab extensions
#: that need a full JupyterLab (they fail to load in Voila and log errors).
VOILA_OPTIONS: tuple[str, ...] = (
    "--template=mgcourse",
    *(f"--VoilaConfiguration.extension_denylist={name}"
      for name in ("@jupyter/nbgrader", "@jupyter-notebook/lab-extension", "jupyterlab-jupytext")),
)

Update = Callable[..., Iterable[Artist]]
PlotFunction = Callable[[Figure], Update]


@dataclass(frozen=True)
class Param:
    """One control of an explorer.

    Attributes
    ----------
    name : str
        Keyword passed to the plot function.
    label : str
        Text shown next to the control.
    unit : str
        Unit of the value, shown with the label ("" for categories).
    min, max, step : float
        Range and step of a numeric slider.
    default : float or str
        Initial value.
    static_values : tuple
        The values of a :attr:`discrete` parameter (pre-rendered for the static
        version and the only ones live); a continuous parameter's static
        positions are an even grid instead (see :meth:`frames`).
    options : tuple of str
        Choices of a categorical parameter (then ``min``/``max`` are ignored).
    discrete : bool
        Numeric parameter that takes only its ``static_values``, live as well (for
        explorers that read precomputed results).
    """

    name: str
    label: str
    unit: str = ""
    min: float = 0.0
    max: float = 1.0
    default: float | str = 0.0
    step: float | None = None
    static_values: tuple[float | str, ...] = ()
    options: tuple[str, ...] = ()
    discrete: bool = False

    def __post_init__(self) -> None:
        if self.options:
            if self.default not in self.options:
                raise ValueError(
                    f"Param {self.name!r}: default {self.default!r} is not one of {self.options}"
                )
            return
        if self.discrete and (not self.static_values or self.default not in self.static_values):
            raise ValueError(
                f"Param {self.name!r}: a discrete parameter needs static_values containing "
                f"its default {self.default!r}"
            )
        if not self.min < self.max:
            raise ValueError(f"Param {self.name!r}: min = {self.min} must be below max = {self.max}")
        if isinstance(self.default, str) or not self.min <= self.default <= self.max:
            raise ValueError(
                f"Param {self.name!r}: default = {self.default!r} {self.unit} is outside "
                f"[{self.min:g}, {self.max:g}] {self.unit}"
            )
        for v in self.static_values:
            if isinstance(v, str) or not self.min <= v <= self.max:
                raise ValueError(
                    f"Param {self.name!r}: static value {v!r} {self.unit} is outside "
                    f"[{self.min:g}, {self.max:g}] {self.unit}"
                )

    @property
    def description(self) -> str:
        """Label with the unit in parentheses, e.g. ``"glucose (mmol/L)"``."""
        return f"{self.label} ({self.unit})" if self.unit else self.label

    def frames(self) -> tuple[float | str, ...]:
        """The values pre-rendered for the static version, in slider order.

        A numeric parameter that is not :attr:`discrete` gets
        :data:`STATIC_POSITIONS` evenly spaced values from ``min`` to ``max``
        (rounded to its ``step`` grid when one is given, so every step when the
        grid has fewer), plus its default; its ``static_values`` are not used.
        """
        if self.options:
            return self.static_values or self.options
        if self.discrete:
            return tuple(sorted(self.static_values, key=float))
        grid = {float(round(v, 10)) for v in np.linspace(self.min, self.max, STATIC_POSITIONS)}
        if self.step:
            grid = {float(round(self.min + round((v - self.min) / self.step) * self.step, 10))
                    for v in grid}
        grid.add(float(self.default))
        return tuple(sorted(grid))

    def value_text(self, value: float | str) -> str:
        """The value as a reader hears and sees it: number and unit, e.g. ``"5.5 mmol/L"``."""
        if isinstance(value, str):
            return value
        number = f"{value:.4g}" if abs(value) < 1e4 else f"{value:.0f}"
        if self.unit.startswith("×"):
            return f"{number} {self.unit}"
        return f"{number} {self.unit}".strip()


def render_mode() -> str:
    """``"static"`` when ``MGCOURSE_WIDGETS=static`` is set (the book build), else ``"live"``."""
    mode = os.environ.get("MGCOURSE_WIDGETS", "live").strip().lower()
    if mode not in ("live", "static"):
        raise ValueError(f"MGCOURSE_WIDGETS = {mode!r} is not supported; use 'live' or 'static'")
    return mode


def _format(value: float | str) -> str:
    return value if isinstance(value, str) else f"{value:g}"


@dataclass(frozen=True)
class Layout:
    """One arrangement of an explorer's figure, with the one size of all its text.

    Attributes
    ----------
    name : str
        ``"wide"`` (a page column) or ``"narrow"`` (a phone).
    font_size : float
        Size of every text in the figure [points]. A figure is shown at the
        width of its box, so text of ``font_size`` points in a figure ``w``
        inches wide reads as ``font_size * box_px / (72 * w)`` pixels. The
        page's style sheet shows the wide layout in boxes of 576 px and more.
    """

    name: str
    font_size: float

    def rc(self) -> dict[Any, Any]:
        """Matplotlib settings of the layout: one text size, text kept as text in SVG."""
        same = ("axes.titlesize", "axes.labelsize", "xtick.labelsize", "ytick.labelsize",
                "legend.fontsize", "legend.title_fontsize", "figure.titlesize", "figure.labelsize")
        return {"font.size": self.font_size, **dict.fromkeys(same, "medium"),
                "svg.fonttype": "none", "path.simplify_threshold": _SIMPLIFY_PT}


#: The page-column layout: 12-pt text in a 7-in figure reads as 17.6 px in the 739-px box of a
#: 1366-px desktop page (its text is 16 px) and 13.7 px at the narrowest box it is shown in.
WIDE: Layout = Layout("wide", 12.0)
#: The phone layout: 10-pt text in a 3.7-in figure reads as 12.8 px in the 340-px box of a
#: 390-px phone, and larger in any wider box up to 576 px.
NARROW: Layout = Layout("narrow", 10.0)
#: Every layout, widest first.
LAYOUTS: tuple[Layout, ...] = (WIDE, NARROW)


def is_narrow(fig: Figure) -> bool:
    """Whether a plot function is drawing the narrow (phone) layout: then stack panels in a column."""
    return bool(fig.get_figwidth() < NARROW_WIDTH)


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def fast_png(rgba: np.ndarray) -> bytes:
    """An RGBA image [height, width, 4] of 8-bit values as an opaque RGB PNG, made for speed.

    Each frame of a live explorer is a PNG; encoding is most of its cost. Rows
    are stored unfiltered and compressed by zlib at level 1, which takes about
    3 ms for a 630 × 450 figure where Pillow's encoder takes about 7 ms, for a
    file of the same size. The alpha channel is dropped (figures are opaque).
    """
    height, width, _ = rgba.shape
    rows = np.zeros((height, 3 * width + 1), dtype=np.uint8)  # each row: filter 0, then RGB
    rows[:, 1:] = np.asarray(rgba, dtype=np.uint8)[..., :3].reshape(height, -1)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8 bit, RGB, no interlace
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header)
            + _png_chunk(b"IDAT", zlib.compress(rows.tobytes(), 1)) + _png_chunk(b"IEND", b""))


class _Canvas:
    """An explorer's figure in one layout: set up once, then only the changing artists move."""

    def __init__(self, explorer: Explorer, layout: Layout, dpi: float) -> None:
        self.rc = layout.rc()
        size = explorer.figsize if layout is WIDE else explorer.narrow_figsize
        self.animated: frozenset[Artist] = frozenset()
        self._background: tuple[float, Any] | None = None
        with mpl.rc_context(self.rc):
            fig = Figure(figsize=size, dpi=dpi, layout="constrained")
            FigureCanvasAgg(fig)
            self.update_artists = explorer.plot(fig)
            first = list(self.update_artists(**explorer.defaults))
            # the headline is told in text next to the figure, so it takes no room in it
            self.headlines = frozenset(a for a in first if isinstance(a, Text) and a.axes is None)
            for text in self.headlines:
                text.set_visible(False)
                text.set_in_layout(False)
            self.mark(first)
            fig.canvas.draw()  # runs the constrained layout once ...
            fig.set_layout_engine("none")  # ... then freezes it: frames only redraw artists
        self.fig = fig

    def mark(self, artists: Iterable[Artist]) -> list[Artist]:
        """Make ``artists`` animated (left out of the cached background); returns them."""
        changed = list(artists)
        new = frozenset(changed) - self.animated
        if new:
            for artist in new:
                artist.set_animated(True)
            self.animated = self.animated | new
            self._background = None
        return changed

    def update(self, values: dict[str, float | str]) -> list[Artist]:
        """Set the figure to ``values``; returns the artists that changed."""
        with mpl.rc_context(self.rc):
            return self.mark(self.update_artists(**values))

    def set_dpi(self, dpi: float) -> None:
        self.fig.set_dpi(dpi)
        self._background = None

    def png(self, values: dict[str, float | str], dpi: float) -> tuple[bytes, list[Artist]]:
        """The frame for ``values`` as PNG bytes (blitted over the cached background)."""
        changed = self.update(values)
        canvas = self.fig.canvas
        assert isinstance(canvas, FigureCanvasAgg)
        with mpl.rc_context(self.rc):
            if self._background is None or self._background[0] != dpi:
                self.fig.set_dpi(dpi)
                canvas.draw()  # type: ignore[no-untyped-call]  # all but the animated artists
                self._background = (dpi, canvas.copy_from_bbox(self.fig.bbox))  # type: ignore[no-untyped-call]
            canvas.restore_region(self._background[1])  # type: ignore[no-untyped-call]
            for artist in changed:
                self.fig.draw_artist(artist)
        rgba = np.asarray(canvas.buffer_rgba())  # type: ignore[no-untyped-call]
        return fast_png(rgba), changed

    def svg(self, artists: Iterable[Artist], salt: str) -> str:
        """SVG (at 72 dpi: 1 unit = 1 pt) of ``artists`` drawn alone."""
        width, height = self.fig.get_size_inches() * 72.0
        buffer = io.StringIO()
        # text stays text; dense traces drop vertices that move a line by under 0.3 pt
        with mpl.rc_context({**self.rc, "svg.hashsalt": salt}):
            renderer = RendererSVG(width, height, buffer, image_dpi=72)  # type: ignore[no-untyped-call]
            for artist in artists:
                artist.draw(renderer)
            renderer.finalize()  # type: ignore[no-untyped-call]
        return _compact_svg(buffer.getvalue())

    def box(self, ax: Axes) -> list[float]:
        """Where ``ax`` sits in the SVG: x, y (from the top), width, height [pt], to 0.001 pt."""
        width, height = self.fig.get_size_inches() * 72.0
        pos = ax.get_position()
        return [round(float(v), 3) for v in (pos.x0 * width, (1.0 - pos.y1) * height,
                                             pos.width * width, pos.height * height)]


@dataclass
class Explorer:
    """A figure driven by a few parameters, shown live or as static frames.

    Parameters
    ----------
    title : str
        Heading shown above the controls.
    params : sequence of Param
        The controls, in display order.
    plot : callable
        ``plot(fig)`` draws the parameter-independent parts on ``fig`` and returns
        ``update(**values)``, which sets the parameter-dependent artists and
        returns every artist it changed. It is called once per layout, so it
        should stack its panels when :func:`is_narrow` says so, and it should read
        any costly simulation from a cache. Neither may call ``plt.show()`` or
        create figures. Leave font sizes to the layout.
    alt : str
        Alternative text describing what the figure shows (for screen readers).
    figsize : (float, float)
        Size of the wide figure [inches]; at least :data:`NARROW_WIDTH` wide.
    narrow_figsize : (float, float)
        Size of the narrow (phone) figure [inches]; narrower than :data:`NARROW_WIDTH`.
    dpi : float
        Resolution of the live image [dots per inch].
    """

    title: str
    params: Sequence[Param]
    plot: PlotFunction
    alt: str
    figsize: tuple[float, float] = (7.0, 3.6)
    narrow_figsize: tuple[float, float] = (3.7, 4.4)
    dpi: float = 90.0
    _canvases: dict[str, _Canvas] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        names = [p.name for p in self.params]
        if len(set(names)) != len(names):
            raise ValueError(f"Explorer {self.title!r}: parameter names repeat: {names}")
        if not self.params:
            raise ValueError(f"Explorer {self.title!r} needs at least one Param")
        if self.figsize[0] < NARROW_WIDTH or self.narrow_figsize[0] >= NARROW_WIDTH:
            raise ValueError(
                f"Explorer {self.title!r}: figsize width = {self.figsize[0]} in must be at least "
                f"{NARROW_WIDTH} in and narrow_figsize width = {self.narrow_figsize[0]} in below it"
            )

    @property
    def defaults(self) -> dict[str, float | str]:
        """Default value of every parameter, by name."""
        return {p.name: p.default for p in self.params}

    def _canvas(self, layout: Layout = WIDE) -> _Canvas:
        if layout.name not in self._canvases:
            self._canvases[layout.name] = _Canvas(self, layout, self.dpi)
        return self._canvases[layout.name]

    def figure(self, layout: Layout = WIDE) -> Figure:
        """The explorer's matplotlib figure in ``layout``, set up on first use and reused after."""
        return self._canvas(layout).fig

    def _values(self, values: dict[str, float | str]) -> dict[str, float | str]:
        unknown = set(values) - {p.name for p in self.params}
        if unknown:
            raise ValueError(f"Explorer {self.title!r} has no parameter(s) {sorted(unknown)}")
        return {**self.defaults, **values}

    def render_png(self, dpi: float | None = None, **values: float | str) -> bytes:
        """Update the wide figure to ``values`` (defaults for missing ones) and return PNG bytes.

        Parameters
        ----------
        dpi : float, optional
            Resolution [dots per inch]; defaults to :attr:`dpi`.
        **values
            Parameter values by name.

        Returns
        -------
        bytes
            The frame as a PNG image.
        """
        png, _ = self._canvas().png(self._values(values), float(dpi or self.dpi))
        return png

    # -- live --------------------------------------------------------------------------
    def _control(self, p: Param) -> widgets.ValueWidget:
        style = {"description_width": "initial"}
        layout = widgets.Layout(width="100%", max_width="32rem")  # stacks and fits a phone
        if p.options:
            return widgets.Dropdown(
                options=list(p.options), value=p.default, description=p.description,
                style=style, layout=layout,
            )
        if p.discrete:
            return widgets.SelectionSlider(
                options=[(_format(v), v) for v in p.frames()], value=p.default,
                description=p.description, continuous_update=True, style=style, layout=layout,
            )
        step = p.step if p.step is not None else (p.max - p.min) / 100.0
        return widgets.FloatSlider(
            value=float(p.default), min=p.min, max=p.max, step=step,
            description=p.description, continuous_update=True, readout_format=".3g",
            style=style, layout=layout,
        )

    def live(self) -> widgets.VBox:
        """Sliders, the figure's headline and one image, redrawn in place whenever a slider moves.

        Returns
        -------
        ipywidgets.VBox
            Title, controls, headline and image. ``box.controls`` maps parameter
            names to their widgets, ``box.image`` is the ``Image`` widget and
            ``box.headline`` the ``HTML`` widget with the text alternative (for tests).
        """
        controls = {p.name: self._control(p) for p in self.params}
        image = widgets.Image(format="png")
        image.layout = widgets.Layout(max_width="100%")
        headline = widgets.HTML()
        headline.add_class("mgcourse-alt")

        def redraw(_change: Any = None) -> None:
            values = self._values({n: w.value for n, w in controls.items()})
            png, changed = self._canvas().png(values, self.dpi)
            image.value = png
            headline.value = f"<p>{html.escape(self.state_text(changed, values))}</p>"

        redraw()
        for w in controls.values():
            w.observe(redraw, names="value")
        box = widgets.VBox([widgets.HTML(f"<strong>{html.escape(self.title)}</strong>"),
                            *controls.values(), headline, image])
        box.add_class("mgcourse-explorer")
        box.controls = controls
        box.image = image
        box.headline = headline
        box.redraw = redraw
        return box

    # -- static ------------------------------------------------------------------------
    def state_text(self, changed: Iterable[Artist], values: dict[str, float | str]) -> str:
        """What changes with the controls, in words: the settings, then every text the model wrote.

        Together with :attr:`alt` (what the figure shows in every state) it is the
        figure's text alternative.

        Parameters
        ----------
        changed : iterable of Artist
            The artists the plot function's ``update`` returned for this state;
            their texts (headline, verdicts) are the model's own output.
        values : dict
            Parameter values by name.
        """
        settings = ", ".join(f"{p.label} {p.value_text(values[p.name])}" for p in self.params)
        said = [" ".join(a.get_text().split()) for a in changed if isinstance(a, Text)]
        said = [t for t in said if t]
        return f"{settings}: " + ("; ".join(said) if said else "see the figure") + "."

    def static(self) -> StaticExplorer:
        """A kernel-free version: native controls over vector frames in both layouts.

        The parts of the figure that never change are drawn once per layout as
        SVG. For each combination of :meth:`Param.frames` values, every changing
        line is kept as data and every other changing artist as a small SVG
        piece per layout (each distinct piece stored once), with a text
        alternative written from the texts those artists show. A small script
        served by the site (``vendor/mgcourse/explorer.js``) draws the chosen
        frame, the same way :meth:`StaticExplorer.overlay` does here.

        Returns
        -------
        StaticExplorer
            Displays as HTML in a notebook or the built book.
        """
        canvases = [self._canvas(layout) for layout in LAYOUTS]
        for canvas in canvases:
            canvas.set_dpi(72.0)
        try:
            backgrounds = [c.svg([c.fig], self.title) for c in canvases]
            pieces = _Pieces(canvases, self.title)
            grids = [p.frames() for p in self.params]
            frames: list[list[int]] = []
            texts: list[str] = []
            for combo in itertools.product(*grids):
                values = {p.name: v for p, v in zip(self.params, combo, strict=True)}
                changed = [c.update(values) for c in canvases]
                if len({len(c) for c in changed}) != 1:
                    raise ValueError(f"Explorer {self.title!r}: update returns different artists "
                                     "in the wide and the narrow layout")
                frames.append([pieces.add(same) for same in zip(*changed, strict=True)
                               if same[0] not in canvases[0].headlines])
                texts.append(self.state_text(changed[0], values))
        finally:
            for canvas, layout in zip(canvases, LAYOUTS, strict=True):
                canvas.set_dpi(self.dpi if layout is WIDE else 72.0)
        initial = [grid.index(p.default) if p.default in grid else 0
                   for p, grid in zip(self.params, grids, strict=True)]
        layouts = [_StaticLayout(layout.name, background, "".join(defs), boxes)
                   for layout, background, defs, boxes
                   in zip(LAYOUTS, backgrounds, pieces.defs, pieces.boxes(), strict=True)]
        return StaticExplorer(self, grids, initial, layouts, pieces.axes_info(),
                              [json.loads(s) for s in pieces.styles],
                              [json.loads(p) for p in pieces.table], frames, texts)

    def show(self) -> widgets.VBox | StaticExplorer:
        """:meth:`static` in the book build (``MGCOURSE_WIDGETS=static``), :meth:`live` otherwise."""
        return self.static() if render_mode() == "static" else self.live()


_NUMBER = re.compile(r"(\d+\.\d)\d+")
_PATH_DATA = re.compile(r'\bd="([^"]*)"')
_ATTRIBUTE = re.compile(r'="[^"]*"')


def _implicit_lineto(match: re.Match[str]) -> str:
    """Drop ``L`` after ``M`` or ``L``: SVG reads further coordinate pairs as line-tos there."""
    tokens, last = [], ""
    for token in match.group(1).split():
        if token.isalpha():
            if token == "L" and last in ("M", "L"):
                last = "L"
                continue
            last = token
        tokens.append(token)
    return f'd="{" ".join(tokens)}"'


def _compact_svg(svg: str) -> str:
    """Drop the XML prologue and metadata, round coordinates to 0.1 pt, join path commands.

    Only numbers inside attributes are rounded; the figure's text is left as drawn.
    """
    svg = svg[svg.index("<svg"):]
    svg = re.sub(r"<metadata>.*?</metadata>\s*", "", svg, flags=re.S)
    svg = _ATTRIBUTE.sub(lambda m: _NUMBER.sub(r"\1", m.group(0)), svg)  # never in text
    svg = _PATH_DATA.sub(_implicit_lineto, svg)
    svg = re.sub(r"\s*\n\s*", " ", svg)
    return re.sub(r">\s+<", "><", svg).strip()


_STYLE = re.compile(r"<defs><style[^>]*>.*?</style></defs>", flags=re.S)
_DEFS = re.compile(r"<defs>(.*?)</defs>", flags=re.S)
_DEF = re.compile(r"<(clipPath|path)\b.*?(?:</\1>|/>)", flags=re.S)
_GROUP_ID = re.compile(r'<g id="[a-zA-Z]+(?:2d)?_\d+"')


def _inner_svg(svg: str, defs: dict[str, None] | None = None) -> str:
    """The drawing inside one ``<svg>``, without the shared style and unreferenced group ids.

    With ``defs``, the definitions (clip paths, marker shapes) move out of the
    drawing into ``defs`` (an ordered set: their ids are content hashes, so each
    is kept once however many drawings use it).
    """
    inner = _GROUP_ID.sub("<g", _STYLE.sub("", svg[svg.index(">", svg.index("<svg")) + 1:
                                                 svg.rindex("</svg>")]))
    if defs is None:
        return inner
    for block in _DEFS.findall(inner):
        for definition in _DEF.finditer(block):
            defs.setdefault(definition.group(0))
    return _DEFS.sub("", inner)


#: Resolution of line data: one unit is 1/QUANTUM of an axes' width or height.
QUANTUM: int = 2000
_NO_LINE = ("None", "none", " ", "")
_CAPS = {"projecting": "square", "butt": "butt", "round": "round"}


def polyline(values: Iterable[int]) -> str:
    """Encode integers as x, y pairs with the polyline algorithm (deltas, 5 bits a character).

    Each value is stored as its difference from the previous value of the same
    coordinate, so a smooth curve costs about two characters a vertex. The
    characters are ``?`` to ``~``: nothing to escape in HTML.
    """
    out: list[str] = []
    last = [0, 0]
    for k, value in enumerate(values):
        delta = int(value) - last[k % 2]
        last[k % 2] = int(value)
        bits = ~(delta << 1) if delta < 0 else delta << 1
        while bits >= 0x20:
            out.append(chr((0x20 | (bits & 0x1F)) + 63))
            bits >>= 5
        out.append(chr(bits + 63))
    return "".join(out)


def unpolyline(code: str) -> list[int]:
    """The integers :func:`polyline` encoded (the book's script decodes the same way)."""
    values: list[int] = []
    last = [0, 0]
    bits = shift = 0
    for char in code:
        chunk = ord(char) - 63
        bits |= (chunk & 0x1F) << shift
        shift += 5
        if chunk < 0x20:
            delta = ~(bits >> 1) if bits & 1 else bits >> 1
            last[len(values) % 2] += delta
            values.append(last[len(values) % 2])
            bits = shift = 0
    return values


def _svg_number(value: float) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _path_d(path: MplPath, transform: Transform) -> str:
    """SVG path data of ``path`` under ``transform``."""
    letters = {MplPath.MOVETO: "M", MplPath.LINETO: "L", MplPath.CURVE3: "Q", MplPath.CURVE4: "C"}
    parts = []
    for vertices, code in path.iter_segments(transform, curves=True, simplify=False):
        if code == MplPath.CLOSEPOLY:
            parts.append("z")
        else:
            parts.append(letters[code] + " ".join(_svg_number(v) for v in vertices))
    return "".join(parts)


def _line_style(line: Line2D) -> dict[str, str]:
    """SVG attributes of a line's stroke (``l``) and markers (``k``, shape ``m``) in points."""
    style = {}
    alpha = line.get_alpha()
    linestyle = line.get_linestyle()
    if linestyle not in _NO_LINE:
        width = float(line.get_linewidth())
        red, green, blue, opacity = to_rgba(line.get_color(), alpha)
        attributes = [f'fill="none" stroke="{to_hex((red, green, blue))}"',
                      f'stroke-width="{_svg_number(width)}"']
        if opacity < 1:
            attributes.append(f'stroke-opacity="{_svg_number(opacity)}"')
        if linestyle == "-":
            cap = line.get_solid_capstyle()
        else:
            names = {"--": "dashed", "-.": "dashdot", ":": "dotted"}
            if linestyle not in names:
                raise ValueError(f"line style {linestyle!r} is not one of {['-', *names]}")
            scale = width if mpl.rcParams["lines.scale_dashes"] else 1.0
            pattern = mpl.rcParams[f"lines.{names[linestyle]}_pattern"]  # type: ignore[index]
            attributes.append('stroke-dasharray="'
                              + " ".join(_svg_number(scale * v) for v in pattern) + '"')
            cap = line.get_dash_capstyle()
        attributes.append(f'stroke-linecap="{_CAPS[cap]}" stroke-linejoin="{line.get_solid_joinstyle()}"')
        style["l"] = " ".join(attributes)
    if line.get_marker() not in (*_NO_LINE, None):
        marker = MarkerStyle(line.get_marker(), line.get_fillstyle())
        size = float(line.get_markersize())
        style["m"] = _path_d(marker.get_path(), marker.get_transform() + Affine2D().scale(size, -size))
        face = line.get_markerfacecolor() if marker.is_filled() else "none"
        attributes = []
        for key, colour in (("fill", face), ("stroke", line.get_markeredgecolor())):
            if colour in (None, "none"):
                attributes.append(f'{key}="none"')
                continue
            red, green, blue, opacity = to_rgba(colour, alpha)
            attributes.append(f'{key}="{to_hex((red, green, blue))}"')
            if opacity < 1:
                attributes.append(f'{key}-opacity="{_svg_number(opacity)}"')
        attributes.append(f'stroke-width="{_svg_number(float(line.get_markeredgewidth()))}"')
        style["k"] = " ".join(attributes)
    return style


def _line_data(line: Line2D) -> dict[str, Any]:
    """A line's vertices as axes fractions × :data:`QUANTUM`, polyline-encoded.

    ``p`` holds the drawn line, simplified the way matplotlib simplifies it
    for a screen (vertices that move it by under 0.3 pt at the wide layout
    are dropped) and cut where it leaves the neighbourhood of the axes; ``m``
    holds every marker position near the axes.
    """
    ax = line.axes
    assert ax is not None
    xy = np.asarray(line.get_xydata(), dtype=float)
    data: dict[str, Any] = {}
    if len(xy) == 0:
        return data
    display = line.get_transform().transform(xy)  # data, or axes fractions for axvline & co
    to_axes = ax.transAxes.inverted()
    x0, y0, x1, y1 = ax.bbox.extents
    pad = 0.25 * max(x1 - x0, y1 - y0)
    near = (x0 - pad, y0 - pad, x1 + pad, y1 + pad)

    def encode(points: np.ndarray, *, join: bool = False) -> str:
        units = np.rint(to_axes.transform(points) * QUANTUM).astype(int)
        if join and len(units) > 1:  # a vertex repeated in a row draws nothing more
            units = units[np.r_[True, (np.diff(units, axis=0) != 0).any(axis=1)]]
        return polyline(units.ravel())

    if line.get_linestyle() not in _NO_LINE and len(xy) >= 2:
        with mpl.rc_context({"path.simplify_threshold": _SIMPLIFY_PT}):
            cleaned = MplPath(display).cleaned(simplify=True, clip=near, remove_nans=True)
        runs: list[list[np.ndarray]] = []
        for vertex, code in zip(np.asarray(cleaned.vertices), np.asarray(cleaned.codes), strict=True):
            if code == MplPath.MOVETO:
                runs.append([vertex])
            elif code == MplPath.LINETO and runs:
                runs[-1].append(vertex)
        data["p"] = [encode(np.asarray(run), join=True) for run in runs if len(run) >= 2]
    if line.get_marker() not in (*_NO_LINE, None):
        inside = (np.isfinite(display).all(axis=1) & (display[:, 0] >= near[0])
                  & (display[:, 0] <= near[2]) & (display[:, 1] >= near[1])
                  & (display[:, 1] <= near[3]))
        if inside.any():
            data["m"] = encode(display[inside])
    return data


def _axis_name(ax: Axes, which: str) -> str:
    """An axes' label for x or y, or that of an axes sharing it (stacked panels label one)."""
    shared = ax.get_shared_x_axes() if which == "x" else ax.get_shared_y_axes()
    for candidate in (ax, *shared.get_siblings(ax)):
        label = candidate.get_xlabel() if which == "x" else candidate.get_ylabel()
        if label:
            return " ".join(label.split())
    return which


class _Pieces:
    """The changing artists of every frame of a static explorer, each distinct one stored once."""

    def __init__(self, canvases: Sequence[_Canvas], salt: str) -> None:
        self.canvases = canvases
        self.salt = salt
        self.table: dict[str, int] = {}  # JSON of a piece -> its index
        self.styles: dict[str, int] = {}
        self.defs: list[dict[str, None]] = [{} for _ in canvases]
        self.axes: list[tuple[Axes, ...]] = []  # per axes with a changing line, one per layout

    def _axes(self, lines: Sequence[Line2D]) -> int:
        axes = tuple(line.axes for line in lines)
        assert all(ax is not None for ax in axes)
        for index, known in enumerate(self.axes):
            if known[0] is axes[0]:
                if known != axes:
                    raise ValueError("a line moves between axes in one layout only")
                return index
        self.axes.append(axes)  # type: ignore[arg-type]
        return len(self.axes) - 1

    def add(self, artists: Sequence[Artist]) -> int:
        """Index of the piece drawing ``artists`` (the same artist in each layout)."""
        first = artists[0]
        if isinstance(first, Line2D):
            style = json.dumps(_line_style(first), sort_keys=True)
            label = str(first.get_label())
            ax = self._axes(artists)  # type: ignore[arg-type]
            if not label or label.startswith("_"):
                label = _axis_name(self.axes[ax][0], "y")
            piece: dict[str, Any] = {"a": ax, "s": self.styles.setdefault(style, len(self.styles)),
                                     "t": label, **_line_data(first)}
        else:
            piece = {"v": [_inner_svg(canvas.svg([artist], self.salt), defs)
                           for canvas, artist, defs in zip(self.canvases, artists, self.defs,
                                                            strict=True)]}
        return self.table.setdefault(json.dumps(piece, ensure_ascii=False, sort_keys=True),
                                     len(self.table))

    def boxes(self) -> list[list[list[float]]]:
        """Per layout, where each axes with a changing line sits [pt]."""
        return [[canvas.box(axes[k]) for axes in self.axes]
                for k, canvas in enumerate(self.canvases)]

    def axes_info(self) -> list[dict[str, Any]]:
        """Per axes with a changing line: limits, scales and names, to read values off it."""
        info = []
        for axes in self.axes:
            ax = axes[0]
            info.append({
                "x": [*map(float, ax.get_xlim()), int(ax.get_xscale() == "log")],
                "y": [*map(float, ax.get_ylim()), int(ax.get_yscale() == "log")],
                "xn": _axis_name(ax, "x"), "yn": _axis_name(ax, "y"),
            })
        return info


@dataclass(frozen=True)
class _StaticLayout:
    """One layout of a static explorer: its background, shared definitions and axes boxes [pt]."""

    name: str
    background: str
    defs: str
    boxes: list[list[float]]


@dataclass(frozen=True)
class StaticExplorer:
    """The kernel-free rendering of an :class:`Explorer` (see :meth:`Explorer.static`).

    Attributes
    ----------
    explorer : Explorer
        The definition it was rendered from.
    grids : list of tuple
        The values of each control, in control order.
    initial : list of int
        Index of each control's starting value in its grid.
    layouts : list
        Per layout (:data:`LAYOUTS` order): the SVG of everything that does not
        change, the SVG definitions the pieces refer to, and the box [pt] of each
        axes a changing line is drawn in.
    axes : list of dict
        Per such axes: limits, scale and names of x and y (to read values off a curve).
    styles : list of dict
        SVG attributes of line strokes and markers.
    pieces : list of dict
        A changing line (axes ``a``, style ``s``, label ``t``, encoded vertices
        ``p`` and markers ``m``, see :func:`polyline`) or the SVG of another
        changing artist in each layout (``v``), each distinct one stored once.
    frames : list of list of int
        For each combination of control values (row-major over ``grids``), the
        pieces drawn over the background.
    texts : list of str
        Text alternative of each combination.
    """

    explorer: Explorer
    grids: list[tuple[float | str, ...]]
    initial: list[int]
    layouts: list[_StaticLayout]
    axes: list[dict[str, Any]]
    styles: list[dict[str, str]]
    pieces: list[dict[str, Any]]
    frames: list[list[int]]
    texts: list[str]

    def overlay(self, frame: int, layout: int = 0, uid: str = "mgx") -> str:
        """SVG content drawn over the background of one layout in one frame.

        ``uid`` starts the ids of the axes' clip paths (the page uses the explorer's id).
        """
        return "".join(self._piece(self.pieces[i], layout, uid) for i in self.frames[frame])

    def _piece(self, piece: dict[str, Any], layout: int, uid: str) -> str:
        """SVG of one piece in one layout; ``explorer.js`` builds exactly the same string."""
        if "v" in piece:
            return str(piece["v"][layout])
        style = self.styles[piece["s"]]
        left, top, width, height = self.layouts[layout].boxes[piece["a"]]

        def point(x: int, y: int) -> str:
            return f"{left + x * width / QUANTUM:.1f} {top + (QUANTUM - y) * height / QUANTUM:.1f}"

        out = []
        for code in piece.get("p", ()):
            values = unpolyline(code)
            coords = " ".join(point(x, y) for x, y in zip(values[::2], values[1::2], strict=True))
            out.append(f'<path d="M{coords}" {style["l"]}/>')
        if "m" in piece:
            values = unpolyline(piece["m"])
            out += [f'<path transform="translate({point(x, y)})" d="{style["m"]}" {style["k"]}/>'
                    for x, y in zip(values[::2], values[1::2], strict=True)]
        return f'<g clip-path="url(#{uid}-{layout}-{piece["a"]})">{"".join(out)}</g>'

    def index(self, positions: Sequence[int]) -> int:
        """Row-major index of the frame for one position of every control."""
        flat = 0
        for grid, position in zip(self.grids, positions, strict=True):
            if not 0 <= position < len(grid):
                raise ValueError(f"position {position} is outside [0, {len(grid) - 1}]")
            flat = flat * len(grid) + position
        return flat

    def _control(self, p: Param, grid: tuple[float | str, ...], start: int, uid: str) -> str:
        ident = f"{uid}-{p.name}"
        label = html.escape(p.label)
        value = html.escape(p.value_text(grid[start]))
        if p.options:
            options = "".join(
                f'<option value="{i}"{" selected" if i == start else ""}>{html.escape(str(v))}</option>'
                for i, v in enumerate(grid)
            )
            field = f'<select id="{ident}" data-param="{p.name}">{options}</select>'
            return (f'<div class="mgcourse-control"><label for="{ident}">{label}</label>'
                    f"{field}</div>")
        words = html.escape(json.dumps([p.value_text(v) for v in grid]), quote=True)
        field = (f'<input type="range" id="{ident}" data-param="{p.name}" min="0" '
                 f'max="{len(grid) - 1}" step="1" value="{start}" aria-valuetext="{value}" '
                 f'data-words="{words}">')
        return (f'<div class="mgcourse-control"><label for="{ident}">{label}</label>{field}'
                f'<output for="{ident}" aria-hidden="true">{value}</output></div>')

    def _figure(self, k: int, start: int, uid: str) -> str:
        layout = self.layouts[k]
        header = layout.background[: layout.background.index(">") + 1]
        clips = "".join(
            f'<clipPath id="{uid}-{k}-{a}"><rect x="{x}" y="{y}" width="{w}" height="{h}"/></clipPath>'
            for a, (x, y, w, h) in enumerate(layout.boxes)
        )
        background = layout.background.replace(
            "<svg ", '<svg aria-hidden="true" focusable="false" ', 1)
        overlay = (header.replace("<svg ", '<svg class="mgcourse-overlay" aria-hidden="true" '
                                  'focusable="false" ', 1)
                   + f"<defs>{clips}{layout.defs}</defs>"
                   + f'<g class="mgcourse-layer">{self.overlay(start, k, uid)}</g>'
                   + '<g class="mgcourse-hover"></g></svg>')
        return (f'<div class="mgcourse-figure" data-layout="{layout.name}">'
                f"{background}{overlay}</div>")

    def _repr_html_(self) -> str:
        e = self.explorer
        uid = "mgx-" + hashlib.sha1(
            (e.title + self.layouts[0].background).encode("utf-8"), usedforsecurity=False
        ).hexdigest()[:10]
        start = self.index(self.initial)
        controls = "".join(
            self._control(p, grid, i, uid)
            for p, grid, i in zip(e.params, self.grids, self.initial, strict=True)
        )
        data = json.dumps({"shape": [len(g) for g in self.grids], "q": QUANTUM,
                           "boxes": [layout.boxes for layout in self.layouts], "axes": self.axes,
                           "styles": self.styles, "pieces": self.pieces, "frames": self.frames,
                           "texts": self.texts}, ensure_ascii=False, separators=(",", ":"))
        data = data.replace("</", "<\\/")
        hint = "Point at a curve to read its values." if self.axes else ""
        return (
            f'<div class="mgcourse-explorer mgcourse-static" id="{uid}" role="group" '
            f'aria-labelledby="{uid}-title">'
            f'<p class="mgcourse-title" id="{uid}-title"><strong>{html.escape(e.title)}</strong></p>'
            f'<div class="mgcourse-controls">{controls}</div>'
            f'<p class="mgcourse-alt" aria-live="polite">{html.escape(self.texts[start])}</p>'
            + "".join(self._figure(k, start, uid) for k in range(len(self.layouts)))
            + f'<p class="mgcourse-readout" aria-hidden="true" data-hint="{hint}">{hint}</p>'
            f'<p class="mgcourse-description">{html.escape(e.alt)}.</p>'
            f'<script type="application/json" class="mgcourse-frames">{data}</script>'
            "</div>"
        )
