"""One explorer definition, two user interfaces: live ipywidgets or kernel-free static frames.

An :class:`Explorer` is a list of :class:`Param` specs plus a plot function.
The plot function ``setup(fig)`` draws everything that does not depend on the
parameters once and returns ``update(**values)``, which changes only the
artists that do and returns them. The figure is rendered once with the
changing artists left out; that background is cached, and every later frame
restores it and draws only the returned artists (blitting), which is what
makes a slider feel immediate. From it:

* :meth:`Explorer.live` builds sliders and an image that is redrawn in place
  (the same figure and the same ``Image`` widget on every change);
* :meth:`Explorer.static` draws the same blitting split as vector graphics:
  the background once as SVG, and for every combination of control values
  only the changed artists (each distinct drawing stored once), with a text
  alternative made of the texts those artists show. Native range inputs and
  drop-downs (keyboard operable, values announced in units) switch the
  overlay in the browser with a small script the book serves, so the built
  book stays interactive with no kernel and no widget manager;
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
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ipywidgets as widgets
import matplotlib as mpl
import numpy as np
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.backends.backend_svg import RendererSVG
from matplotlib.figure import Figure
from matplotlib.text import Text
from PIL import Image as PILImage

__all__ = [
    "STATIC_POSITIONS", "VOILA_OPTIONS", "VOILA_PATH", "Explorer", "Param", "StaticExplorer",
    "render_mode",
]

#: Fewest positions of a numeric slider in the static version.
STATIC_POSITIONS: int = 21

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
        returns every artist it changed. Neither may call ``plt.show()`` or
        create figures.
    alt : str
        Alternative text describing what the figure shows (for screen readers).
    figsize : (float, float)
        Figure size [inches].
    dpi : float
        Resolution of the live image [dots per inch].
    static_dpi : float
        Resolution of the pre-rendered frames [dots per inch]; lower keeps pages small.
    """

    title: str
    params: Sequence[Param]
    plot: PlotFunction
    alt: str
    figsize: tuple[float, float] = (7.0, 3.6)
    dpi: float = 90.0
    static_dpi: float = 72.0
    _figure: Figure | None = field(default=None, init=False, repr=False)
    _update: Update | None = field(default=None, init=False, repr=False)
    _animated: frozenset[Artist] = field(default=frozenset(), init=False, repr=False)
    _background: tuple[float, Any] | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        names = [p.name for p in self.params]
        if len(set(names)) != len(names):
            raise ValueError(f"Explorer {self.title!r}: parameter names repeat: {names}")
        if not self.params:
            raise ValueError(f"Explorer {self.title!r} needs at least one Param")

    @property
    def defaults(self) -> dict[str, float | str]:
        """Default value of every parameter, by name."""
        return {p.name: p.default for p in self.params}

    def figure(self) -> Figure:
        """The explorer's one matplotlib figure, set up on first use and reused after."""
        if self._figure is None:
            fig = Figure(figsize=self.figsize, dpi=self.dpi, layout="constrained")
            FigureCanvasAgg(fig)
            self._update = self.plot(fig)
            self._set_animated(self._update(**self.defaults))
            fig.canvas.draw()  # runs the constrained layout once ...
            fig.set_layout_engine("none")  # ... then freezes it: frames only redraw artists
            self._figure = fig
        return self._figure

    def _set_animated(self, artists: Iterable[Artist]) -> list[Artist]:
        changed = list(artists)
        new = frozenset(changed) - self._animated
        if new:
            for artist in new:
                artist.set_animated(True)
            self._animated = self._animated | new
            self._background = None
        return changed

    def render_png(self, dpi: float | None = None, **values: float | str) -> bytes:
        """Update the figure to ``values`` (defaults for missing ones) and return PNG bytes.

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
        unknown = set(values) - {p.name for p in self.params}
        if unknown:
            raise ValueError(f"Explorer {self.title!r} has no parameter(s) {sorted(unknown)}")
        fig = self.figure()
        canvas = fig.canvas
        assert self._update is not None and isinstance(canvas, FigureCanvasAgg)
        changed = self._set_animated(self._update(**{**self.defaults, **values}))
        resolution = float(dpi or self.dpi)
        if self._background is None or self._background[0] != resolution:
            fig.set_dpi(resolution)
            canvas.draw()  # type: ignore[no-untyped-call]  # all but the animated artists
            background = canvas.copy_from_bbox(fig.bbox)  # type: ignore[no-untyped-call]
            self._background = (resolution, background)
        canvas.restore_region(self._background[1])  # type: ignore[no-untyped-call]
        for artist in changed:
            fig.draw_artist(artist)
        rgba = np.asarray(canvas.buffer_rgba())  # type: ignore[no-untyped-call]
        buffer = io.BytesIO()
        PILImage.fromarray(rgba).save(buffer, format="png", compress_level=1)
        return buffer.getvalue()

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
        """Sliders and one image, redrawn in place whenever a slider moves.

        Returns
        -------
        ipywidgets.VBox
            Title, controls and image. ``box.controls`` maps parameter names to
            their widgets and ``box.image`` is the ``Image`` widget (for tests).
        """
        controls = {p.name: self._control(p) for p in self.params}
        image = widgets.Image(format="png", value=self.render_png())
        image.layout = widgets.Layout(max_width="100%")

        def redraw(_change: Any = None) -> None:
            image.value = self.render_png(**{n: w.value for n, w in controls.items()})

        for w in controls.values():
            w.observe(redraw, names="value")
        box = widgets.VBox(
            [widgets.HTML(f"<strong>{html.escape(self.title)}</strong>"), *controls.values(), image]
        )
        box.add_class("mgcourse-explorer")
        box.controls = controls
        box.image = image
        box.redraw = redraw
        return box

    # -- static ------------------------------------------------------------------------
    def _svg(self, artists: Iterable[Artist], salt: str) -> str:
        fig = self.figure()
        width, height = fig.get_size_inches() * 72.0
        buffer = io.StringIO()
        # text stays text; dense traces drop vertices that move a line by under 0.3 pt
        with mpl.rc_context({"svg.fonttype": "none", "svg.hashsalt": salt,
                             "path.simplify_threshold": 0.3}):
            renderer = RendererSVG(width, height, buffer, image_dpi=72)  # type: ignore[no-untyped-call]
            for artist in artists:
                artist.draw(renderer)
            renderer.finalize()  # type: ignore[no-untyped-call]
        return _compact_svg(buffer.getvalue())

    def state_text(self, changed: Iterable[Artist], values: dict[str, float | str]) -> str:
        """What changes with the controls, in words: the settings, then every text the model wrote.

        Together with :attr:`alt` (what the figure shows in every state) it is the
        figure's text alternative.

        Parameters
        ----------
        changed : iterable of Artist
            The artists the plot function's ``update`` returned for this state;
            their texts (titles, verdicts) are the model's own output.
        values : dict
            Parameter values by name.
        """
        settings = ", ".join(f"{p.label} {p.value_text(values[p.name])}" for p in self.params)
        said = [" ".join(a.get_text().split()) for a in changed if isinstance(a, Text)]
        said = [t for t in said if t]
        return f"{settings}: " + ("; ".join(said) if said else "see the figure") + "."

    def static(self) -> StaticExplorer:
        """A kernel-free version: native controls over pre-rendered vector frames.

        The parts of the figure that never change are drawn once as SVG; each
        combination of :meth:`Param.frames` values adds a small SVG overlay of the
        artists ``update`` returned, and a text alternative written from the
        texts those artists show. A small script served by the site
        (``vendor/mgcourse/explorer.js``) swaps overlay and text when a control moves.

        Returns
        -------
        StaticExplorer
            Displays as HTML in a notebook or the built book.
        """
        fig = self.figure()
        fig.set_dpi(72.0)
        self._background = None  # the raster background was drawn at another resolution
        salt = self.title
        background = self._svg([fig], salt)
        grids = [p.frames() for p in self.params]
        pieces: dict[str, int] = {}  # SVG of one artist in one state -> its index
        defs: dict[str, None] = {}
        frames: list[list[int]] = []
        texts: list[str] = []
        for combo in itertools.product(*grids):
            values = {p.name: v for p, v in zip(self.params, combo, strict=True)}
            changed = self._set_animated(self._update(**values))  # type: ignore[misc]
            frames.append([pieces.setdefault(_inner_svg(self._svg([a], salt), defs), len(pieces))
                           for a in changed])
            texts.append(self.state_text(changed, values))
        fig.set_dpi(self.dpi)
        self._background = None
        initial = [grid.index(p.default) if p.default in grid else 0
                   for p, grid in zip(self.params, grids, strict=True)]
        return StaticExplorer(self, grids, initial, background, "".join(defs), list(pieces),
                              frames, texts)

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
    background : str
        SVG of everything that does not change.
    defs : str
        SVG definitions (clip paths, marker shapes) the pieces refer to.
    pieces : list of str
        SVG of one changing artist in one state, each distinct drawing once.
    frames : list of list of int
        For each combination of control values (row-major over ``grids``), the
        pieces drawn over the background.
    texts : list of str
        Text alternative of each combination.
    """

    explorer: Explorer
    grids: list[tuple[float | str, ...]]
    initial: list[int]
    background: str
    defs: str
    pieces: list[str]
    frames: list[list[int]]
    texts: list[str]

    def overlay(self, frame: int) -> str:
        """SVG content drawn over the background in one frame."""
        return "".join(self.pieces[i] for i in self.frames[frame])

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

    def _repr_html_(self) -> str:
        e = self.explorer
        uid = "mgx-" + hashlib.sha1(
            (e.title + self.background).encode("utf-8"), usedforsecurity=False
        ).hexdigest()[:10]
        start = self.index(self.initial)
        controls = "".join(
            self._control(p, grid, i, uid)
            for p, grid, i in zip(e.params, self.grids, self.initial, strict=True)
        )
        shape = [len(g) for g in self.grids]
        data = json.dumps({"shape": shape, "pieces": self.pieces, "frames": self.frames,
                           "texts": self.texts}, ensure_ascii=False, separators=(",", ":"))
        data = data.replace("</", "<\\/")
        background = self.background.replace("<svg ", '<svg aria-hidden="true" focusable="false" ', 1)
        overlay = (self.background[: self.background.index(">") + 1]
                   .replace("<svg ", '<svg class="mgcourse-overlay" aria-hidden="true" '
                            'focusable="false" ', 1)
                   + f"<defs>{self.defs}</defs><g>{self.overlay(start)}</g></svg>")
        return (
            f'<div class="mgcourse-explorer mgcourse-static" id="{uid}" role="group" '
            f'aria-labelledby="{uid}-title">'
            f'<p class="mgcourse-title" id="{uid}-title"><strong>{html.escape(e.title)}</strong></p>'
            f'<div class="mgcourse-controls">{controls}</div>'
            f'<div class="mgcourse-figure">{background}{overlay}</div>'
            f'<p class="mgcourse-description">{html.escape(e.alt)}.</p>'
            f'<p class="mgcourse-alt" aria-live="polite">{html.escape(self.texts[start])}</p>'
            f'<script type="application/json" class="mgcourse-frames">{data}</script>'
            "</div>"
        )
