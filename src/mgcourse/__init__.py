"""mgcourse: models, clinical indices and widgets for a course on magnesium and insulin resistance.

The package is layered. Pure model functions (``units``, ``indices``,
``magnesium``, ``trials``) depend only on numpy; ``explorers`` turns them into
parameter specs plus plot functions; ``widgets`` turns an explorer into a live
ipywidgets UI or a kernel-free static one for the built book.
"""

from __future__ import annotations

__all__ = ["MgcourseWarning", "__version__"]

__version__ = "0.1.0"


class MgcourseWarning(UserWarning):
    """Warning raised by mgcourse itself (for example when a teaching clip is active)."""
