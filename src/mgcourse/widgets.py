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
* :meth:`Explorer.static` pre-renders one frame per combination of slider
  values and stacks them behind ``SelectionSlider`` widgets that are
  ``jslink``-ed to nested ``Stack`` widgets, so that the built book stays
  interactive with no kernel;
* :meth:`Explorer.show` picks one of the two: static when the environment
  variable ``MGCOURSE_WIDGETS`` is ``"static"`` (the book build sets it), live
  otherwise.
"""

from __future__ import annotations

import base64
import html
import io
import itertools
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import ipywidgets as widgets
import numpy as np
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image as PILImage

__all__ = ["Explorer", "Param", "render_mode"]

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
        Values pre-rendered for the static version. Numeric parameters default
        to five evenly spaced values from ``min`` to ``max`` plus ``default``.
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
        """The values pre-rendered for the static version, in slider order."""
        if self.options:
            return self.static_values or self.options
        if self.static_values:
            return tuple(sorted(self.static_values, key=float))
        grid = {float(round(v, 10)) for v in np.linspace(self.min, self.max, 5)}
        grid.add(float(self.default))
        return tuple(sorted(grid))


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
        layout = widgets.Layout(width="420px")
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
    def _frame_widget(self, values: dict[str, float | str]) -> widgets.HTML:
        png = self.render_png(dpi=self.static_dpi, **values)
        data = base64.b64encode(png).decode("ascii")
        state = ", ".join(f"{p.label} {_format(values[p.name])} {p.unit}".strip() for p in self.params)
        alt = html.escape(f"{self.alt} ({state})", quote=True)
        return widgets.HTML(
            f'<img class="mgcourse-frame" src="data:image/png;base64,{data}" alt="{alt}" '
            'style="max-width:100%;height:auto">'
        )

    def static(self) -> widgets.VBox:
        """Pre-rendered frames behind sliders that work in a static page with no kernel.

        Each parameter becomes a ``SelectionSlider`` over its :meth:`Param.frames`.
        The frames sit in nested ``Stack`` widgets (one level per parameter) and
        each slider's ``index`` is ``jslink``-ed to the ``selected_index`` of every
        stack at its level, so moving a slider switches frames in the browser.

        Returns
        -------
        ipywidgets.VBox
            Title, sliders and the stacked frames.
        """
        grids = [p.frames() for p in self.params]
        sliders = []
        for p, grid in zip(self.params, grids, strict=True):
            initial = grid.index(p.default) if p.default in grid else 0
            sliders.append(
                widgets.SelectionSlider(
                    options=[(_format(v), i) for i, v in enumerate(grid)], index=initial,
                    description=p.description, continuous_update=True,
                    style={"description_width": "initial"}, layout=widgets.Layout(width="420px"),
                )
            )
        frames = {
            combo: self._frame_widget(
                {p.name: grid[i] for p, grid, i in zip(self.params, grids, combo, strict=True)}
            )
            for combo in itertools.product(*(range(len(g)) for g in grids))
        }
        links: list[widgets.jslink] = []

        def build(level: int, prefix: tuple[int, ...]) -> widgets.Widget:
            if level == len(grids):
                return frames[prefix]
            children = [build(level + 1, (*prefix, i)) for i in range(len(grids[level]))]
            stack = widgets.Stack(children, selected_index=sliders[level].index)
            links.append(widgets.jslink((sliders[level], "index"), (stack, "selected_index")))
            return stack

        body = build(0, ())
        box = widgets.VBox(
            [widgets.HTML(f"<strong>{html.escape(self.title)}</strong>"), *sliders, body]
        )
        box.add_class("mgcourse-explorer")
        box.add_class("mgcourse-static")
        box.sliders = sliders
        box.links = links
        return box

    def show(self) -> widgets.VBox:
        """:meth:`static` in the book build (``MGCOURSE_WIDGETS=static``), :meth:`live` otherwise."""
        return self.static() if render_mode() == "static" else self.live()
