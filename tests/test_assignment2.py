"""Graded assignment 2 (the KATP channel) end to end through nbgrader's Python API.

``TestRoundTrip`` runs the nbgrader round trip that every assignment passes
(``nbgrader_roundtrip.py``); the rest checks what is particular to this one.
"""

from __future__ import annotations

import numpy as np

from mgcourse.beta_cell import burst_metrics, simulate
from nbgrader_roundtrip import (
    THIRD_PARTY_WARNINGS,
    Assignment,
    RoundTrip,
    Wrong,
)

SPECIATION = "test_speciation"
OPEN_FRACTION = "test_open_fraction"
GLUCOSE = "test_glucose_direction"
MAGNESIUM = "test_mg_direction"
HALF_RATIO = "test_half_ratio"
SPIKES = "test_spikes"
BURSTS = "test_burst_metrics"

# Each of these passes every visible check but must lose the hidden-test points.
WRONG = {
    # µM/mM slip: K_D taken as 0.5623 µM while free Mg²⁺ is in mM.
    "kd_in_micromolar": Wrong(
        "species_solution",
        "K_D = 0.5623  #",
        "K_D = 0.5623e-3  #",
        frozenset({SPECIATION, OPEN_FRACTION}),
        partial={MAGNESIUM: 0.5},  # only the stated direction is still right
    ),
    # µM/mM slip: free Mg²⁺ of 0.25 mM passed as 250 (µM).
    "free_mg_in_micromolar": Wrong(
        "species_solution",
        "free_mg=0.25)",
        "free_mg=250.0)",
        frozenset({SPECIATION}),
    ),
    "free_mg_in_micromolar_task4": Wrong(
        "magnesium_solution",
        "free_mg=0.25)",
        "free_mg=250.0)",
        frozenset(),
        partial={MAGNESIUM: 0.5},
    ),
    # Total ADP used where only the free (not protein-bound) fraction p = 0.3 belongs.
    "total_not_free_adp": Wrong(
        "species_solution",
        "f_mgadp = p * free_mg / (free_mg + K_D)\n        f_adp3 = p * K_D / (free_mg + K_D)",
        "f_mgadp = free_mg / (free_mg + K_D)\n        f_adp3 = K_D / (free_mg + K_D)",
        frozenset({SPECIATION, OPEN_FRACTION}),
        partial={MAGNESIUM: 0.5},
    ),
    # Total ADP and ATP in the open-fraction formula instead of the species.
    "totals_in_open_fraction": Wrong(
        "open_fraction_solution",
        "mgadp, adp3, atp4 = nucleotide_species(atp=atp, adp=adp, free_mg=free_mg)",
        "mgadp, adp3, atp4 = adp, adp, atp",
        frozenset({OPEN_FRACTION, HALF_RATIO}),
        # task 3 keeps its ATP part and the direction, task 4 the direction
        partial={GLUCOSE: 1.0, MAGNESIUM: 0.5},
    ),
    # Sign errors in the predictions and in the numbers that check them.
    "glucose_change_sign": Wrong(
        "glucose_solution",
        "change_glucose_up = o_high_glucose - o_low_glucose",
        "change_glucose_up = o_low_glucose - o_high_glucose",
        frozenset(),
        partial={GLUCOSE: 1.5},  # only the sign of the change is wrong
    ),
    "mg_direction_naive": Wrong(
        "magnesium_solution",
        'direction_mg_down = "close"',
        'direction_mg_down = "open"',
        frozenset(),
        partial={MAGNESIUM: 1.5},  # the stated direction carries only half a point
    ),
    # Every sample above −30 mV taken as a spike instead of upward crossings.
    "spikes_by_samples": Wrong(
        "spikes_solution",
        "up = np.nonzero((v[:-1] < threshold) & (v[1:] >= threshold))[0] + 1",
        "up = np.nonzero(v >= threshold)[0]",
        frozenset({SPIKES, BURSTS}),
    ),
    # The first 60 s analysed along with the rest.
    "no_transient_discard": Wrong(
        "bursts_solution",
        "keep = time >= time[0] + transient",
        "keep = time >= time[0]",
        frozenset({BURSTS}),
    ),
}

ASSIGNMENT = Assignment(
    name="assignment2",
    test_cells=frozenset({SPECIATION, OPEN_FRACTION, GLUCOSE, MAGNESIUM, HALF_RATIO, SPIKES, BURSTS}),
    total_points=20,
    manual={"written_prediction_glucose": 2, "written_prediction_magnesium": 3},
    wrong=WRONG,
)

pytestmark = THIRD_PARTY_WARNINGS


class TestRoundTrip(RoundTrip):
    assignment = ASSIGNMENT


# ----------------------------------------------------------------- master structure


def test_trace_literals_of_the_hidden_tests_still_hold() -> None:
    # test_burst_metrics compares with these numbers, computed once with the package;
    # if the β-cell model or its integrator changes, recompute and paste them again.
    trace = simulate(180.0)
    metrics = burst_metrics(trace.time, trace.v)
    window = trace.time >= 60.0
    v = trace.v[window]
    crossings = int(np.sum((v[:-1] < -30.0) & (v[1:] >= -30.0)))
    assert abs(crossings - 116) <= 3
    # four bursts of the converged 31.6 s period fit into the 120 s after the transient
    assert metrics.pattern == "bursting" and metrics.n_bursts >= 4
    np.testing.assert_allclose(metrics.period, 31.5867, rtol=2e-2)
    np.testing.assert_allclose(metrics.active_fraction, 0.3554, rtol=2e-2)
