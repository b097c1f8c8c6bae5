"""The two integrators behind every simulation, each with a bounded cost.

:func:`solve` wraps :func:`scipy.integrate.solve_ivp` for the adaptive, stiff
solvers: it counts right-hand-side evaluations and stops a run that needs more
than a budget proportional to the simulated time, so a stiff or degenerate
parameter set ends within seconds with a message naming what to change instead
of running for minutes.

:func:`rk4` is the classical fixed-step fourth-order Runge–Kutta scheme used by
the published Sedaghat (2002) and Muniyappa (2020) runs, for several scenarios
side by side. It stops as soon as a state turns non-finite.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

import numpy as np
import numpy.typing as npt
from scipy.integrate import solve_ivp

FloatArray = npt.NDArray[np.float64]

#: The default evaluation budget per unit of simulated time [evaluations per time unit].
DEFAULT_BUDGET: Final = 20_000.0
#: Budget floor, so that a short run may still take its start-up steps [evaluations].
_MIN_EVALUATIONS: Final = 100_000
#: How often the fixed-step scheme looks for a blow-up [steps].
_FINITE_CHECK_EVERY: Final = 500


class _OverBudget(Exception):
    def __init__(self, time: float) -> None:
        super().__init__(time)
        self.time = time


def solve(
    fun: Callable[[float, FloatArray], Any],
    t_span: tuple[float, float],
    y0: npt.ArrayLike,
    *,
    what: str,
    unit: str,
    method: str,
    rtol: float,
    atol: float | FloatArray,
    budget: float = DEFAULT_BUDGET,
    **options: Any,
) -> Any:
    """``solve_ivp`` with at most ``budget`` evaluations per simulated ``unit`` of time.

    Parameters
    ----------
    fun, t_span, y0, method, rtol, atol, options
        As for :func:`scipy.integrate.solve_ivp`.
    what : str
        The model's name, for messages (e.g. ``"the Brännmark model"``).
    unit : str
        Unit of time of the model, for messages (e.g. ``"min"``).
    budget : float
        Right-hand-side evaluations allowed per unit of simulated time; at least
        100 000 in all.

    Returns
    -------
    scipy.integrate._ivp.ivp.OdeResult
        The solution, ``success`` true.

    Raises
    ------
    ValueError
        If the run needs more evaluations than its budget (a stiff, exploding or
        degenerate system), or if the solver fails: the message names the time
        reached and what to change.
    """
    start, end = t_span
    limit = max(_MIN_EVALUATIONS, int(budget * abs(end - start)))
    count = 0

    def counted(t: float, y: FloatArray) -> Any:
        nonlocal count
        count += 1
        if count > limit:
            raise _OverBudget(t)
        return fun(t, y)

    advice = ("check the parameters (a negative, zero or extreme rate constant makes the "
              "system degenerate or stiff) or use a looser rtol")
    try:
        solution = solve_ivp(counted, t_span, y0, method=method, rtol=rtol, atol=atol, **options)
    except _OverBudget as stop:
        raise ValueError(
            f"{what} needed more than {limit} right-hand-side evaluations and stopped at "
            f"t = {stop.time:.6g} {unit} of {end:g} {unit}; {advice}"
        ) from None
    if not solution.success or not np.all(np.isfinite(solution.y)):
        reached = float(solution.t[-1]) if solution.t.size else start
        raise ValueError(
            f"{what} failed to integrate at t = {reached:.6g} {unit} of {end:g} {unit} "
            f"({solution.message}); {advice}"
        )
    return solution


def steps_and_stride(duration: float, dt: float, n_samples: int, duration_name: str) -> tuple[int, int]:
    """Number of RK4 steps and steps per sample; both must come out whole.

    Raises
    ------
    ValueError
        If ``duration`` [min] is not a whole number of steps ``dt`` [min], or the
        samples are not a whole number of steps apart.
    """
    n_steps = round(duration / dt)
    if abs(n_steps * dt - duration) > 1e-9 * max(duration, 1.0):
        raise ValueError(f"{duration_name} = {duration:g} min must be a whole number of RK4 "
                         f"steps of dt = {dt:g} min")
    stride = n_steps // n_samples
    if stride * n_samples != n_steps:
        raise ValueError(f"sample_interval = {duration / n_samples:g} min must be a whole "
                         f"number of RK4 steps of dt = {dt:g} min")
    return n_steps, stride


def rk4(
    derivative: Callable[[FloatArray, int, float, FloatArray], None],
    y0: FloatArray,
    *,
    dt: float,
    n_steps: int,
    stride: int,
    what: str,
    after_step: Callable[[int, FloatArray], None] | None = None,
    stage_buffer: FloatArray | None = None,
) -> FloatArray:
    """Classical fixed-step RK4; returns the state every ``stride`` steps.

    Parameters
    ----------
    derivative : callable
        ``derivative(y, n, stage, out)`` writes dy/dt at the stage state ``y`` of step
        ``n`` to ``out``; the stage time is ``(n + stage)·dt`` with ``stage`` 0, 0.5
        (twice) and 1.
    y0 : numpy.ndarray
        Initial state, any shape (e.g. states × scenarios).
    dt : float
        Step [time unit of the model].
    n_steps, stride : int
        Number of steps, and steps between stored samples.
    what : str
        The model's name, for the message on a blow-up.
    after_step : callable, optional
        ``after_step(n, y)`` is called with the state after step ``n``.
    stage_buffer : numpy.ndarray, optional
        Where to write the states of stages 2 to 4 (shape of ``y0``), for a model
        that reads its state from its own work array; a new array by default.

    Returns
    -------
    numpy.ndarray
        States of shape ``y0.shape + (n_steps // stride + 1,)``.

    Raises
    ------
    ValueError
        As soon as a state is NaN or infinite, naming the step size.
    """
    shape = y0.shape
    # y and the four slopes in one buffer: each stage state and the update is then a
    # single matrix product with a row of RK4 coefficients
    buffer = np.zeros((5, *shape))
    y = buffer[0]
    y[...] = y0
    if stage_buffer is not None and (stage_buffer.shape != shape
                                     or not stage_buffer.flags.c_contiguous):
        raise ValueError(f"stage_buffer must be a C-contiguous array of shape {shape}")
    stage_state = np.empty(shape) if stage_buffer is None else stage_buffer
    out = np.empty((*shape, n_steps // stride + 1))
    out[..., 0] = y
    with np.errstate(over="ignore", invalid="ignore"):  # a blow-up is reported below
        _rk4_steps(derivative, buffer, stage_state, dt, n_steps, stride, out, what, after_step)
    return out


def _rk4_steps(
    derivative: Callable[[FloatArray, int, float, FloatArray], None],
    buffer: FloatArray,
    stage_state: FloatArray,
    dt: float,
    n_steps: int,
    stride: int,
    out: FloatArray,
    what: str,
    after_step: Callable[[int, FloatArray], None] | None,
) -> None:
    y, k1, k2, k3, k4 = buffer
    flat = buffer.reshape(5, -1)
    stage_flat = stage_state.reshape(-1)
    half = 0.5 * dt
    to_stage2 = np.array([1.0, half, 0.0, 0.0, 0.0])
    to_stage3 = np.array([1.0, 0.0, half, 0.0, 0.0])
    to_stage4 = np.array([1.0, 0.0, 0.0, dt, 0.0])
    to_next = np.array([1.0, dt / 6.0, dt / 3.0, dt / 3.0, dt / 6.0])
    for n in range(n_steps):
        derivative(y, n, 0.0, k1)
        np.matmul(to_stage2, flat, out=stage_flat)
        derivative(stage_state, n, 0.5, k2)
        np.matmul(to_stage3, flat, out=stage_flat)
        derivative(stage_state, n, 0.5, k3)
        np.matmul(to_stage4, flat, out=stage_flat)
        derivative(stage_state, n, 1.0, k4)
        np.matmul(to_next, flat, out=flat[0])
        if after_step is not None:
            after_step(n, y)
        if (n + 1) % stride == 0:
            out[..., (n + 1) // stride] = y
        if (n + 1) % _FINITE_CHECK_EVERY == 0 or n + 1 == n_steps:
            if not np.all(np.isfinite(y)):
                raise ValueError(
                    f"{what} blew up (a state became NaN or infinite) at t = {(n + 1) * dt:g} "
                    f"of {n_steps * dt:g} min with the RK4 step dt = {dt:g} min; check the "
                    "parameters or use a smaller dt"
                )
