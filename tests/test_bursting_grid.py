"""The shipped bursting grid is what the model computes today."""

import numpy as np
import pytest
from numpy.testing import assert_allclose

from mgcourse import bursting_grid


def test_grid_covers_every_level():
    grid = bursting_grid.load()
    shape = (len(bursting_grid.GLUCOSE_LEVELS), len(bursting_grid.MAGNESIUM_LEVELS))
    assert grid.v.shape[:2] == grid.ca.shape[:2] == grid.pattern.shape == shape
    assert grid.v.shape[2] == grid.time.size
    assert_allclose(grid.time[-1], bursting_grid.DURATION - bursting_grid.TRANSIENT, atol=0.05)
    assert set(grid.pattern.flat) <= {"silent", "bursting", "continuous"}
    # the grid shows what the explorer promises: silent, bursting and continuous cells
    assert {"silent", "bursting", "continuous"} <= set(grid.pattern.flat)


@pytest.mark.parametrize(("glucose", "free_mg"), [(11.1, None), (14.0, 1.2)])
def test_stored_points_match_a_fresh_simulation(glucose, free_mg):
    grid = bursting_grid.load()
    i, j = grid.index(glucose, free_mg)
    fresh = bursting_grid.compute_point(glucose, free_mg)
    assert fresh["pattern"] == grid.pattern[i, j]
    assert_allclose(fresh["period"], grid.period[i, j], rtol=1e-6, equal_nan=True)
    assert_allclose(np.asarray(fresh["v"]), grid.v[i, j], atol=1e-3)
    assert_allclose(np.asarray(fresh["ca"]), grid.ca[i, j], atol=1e-5)


def test_glucose_recruits_activity_with_published_fractions():
    grid = bursting_grid.load()
    j = bursting_grid.MAGNESIUM_LEVELS.index(None)
    active = grid.active_fraction[:, j]
    assert grid.pattern[0, j] == "silent"
    assert np.all(np.diff(active[1:]) > -0.05) and active[-1] > active[1]


def test_index_rejects_levels_off_the_grid():
    grid = bursting_grid.load()
    with pytest.raises(ValueError, match=r"glucose = 9\.5 mM is not a grid level"):
        grid.index(9.5, None)
    with pytest.raises(ValueError, match=r"free_mg = 0\.5 mM is not a grid level"):
        grid.index(11.1, 0.5)
