"""Every model refuses bad input with a ValueError naming the argument, value, unit and range.

Sweeps every parameter dataclass field and every numeric argument of every public
function of the model modules with NaN, infinite and far-out-of-range values; each
call must fail fast, before any long simulation starts.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import math
import re
import time

import numpy as np
import pytest

from mgcourse import _validation, vascular

MODULES = ("units", "indices", "magnesium", "beta_cell", "bursting_grid", "signalling", "liver",
           "whole_body", "inflammation", "vascular", "evidence")

#: Valid values of the required arguments, so that one argument at a time can be spoiled.
REQUIRED = {
    "convert_glucose": {"value": 5.0, "from_unit": "mmol/L", "to_unit": "mg/dL"},
    "convert_insulin": {"value": 10.0, "from_unit": "µU/mL", "to_unit": "pmol/L"},
    "convert_magnesium": {"value": 0.85, "from_unit": "mmol/L", "to_unit": "mg/dL"},
    "convert_triglycerides": {"value": 1.5, "from_unit": "mmol/L", "to_unit": "mg/dL"},
    "homa_beta": {"glucose": 5.0, "insulin": 10.0},
    "homa_ir": {"glucose": 5.0, "insulin": 10.0},
    "quicki": {"glucose": 5.0, "insulin": 10.0},
    "matsuda_index": {"glucose": [5.0, 8.0, 7.0, 6.0, 5.5], "insulin": [10.0, 60.0, 50.0, 40.0, 20.0]},
    "mcauley_index": {"insulin": 10.0, "triglycerides": 1.5},
    "tyg_index": {"triglycerides": 1.5, "glucose": 5.0},
    "is_insulin_resistant": {"index": "homa_ir", "value": 3.0},
    "elemental_magnesium": {"salt_mass": 500.0, "salt": "MgO"},
    "salt_mass_for_elemental": {"elemental_mass": 300.0, "salt": "MgO"},
    "exceeds_upper_limit": {"supplemental_intake": 300.0, "age": 30.0},
    "recommended_intake": {"age": 30.0, "sex": "female"},
    "serum_status": {"magnesium": 0.85},
    "upper_limit": {"age": 30.0},
    "atp_from_adp": {"adp": 500.0},
    "burst_metrics": {"time": np.linspace(0.0, 120.0, 1201), "v": np.full(1201, -60.0)},
    "calcium_channel_scale": {"calcium": 2.5, "magnesium": 0.85},
    "exocytosis_rate": {"calcium": 0.2},
    "glucokinase_drive": {"glucose": 11.1},
    "glucokinase_rate": {"glucose": 8.0},
    "katp_open_fraction": {"atp": 2000.0, "adp": 600.0},
    "nucleotide_species": {"atp": 2000.0, "adp": 600.0},
    "mgatp_fraction": {"free_mg": 0.5},
    "compute_point": {"glucose": 11.1, "free_mg": None},
    "dose_response_brannmark": {"insulin_levels": [1.0]},
    "dose_response_sedaghat": {"insulin_levels": [1e-9]},
    "ec50": {"levels": [0.0, 1.0, 10.0], "response": [0.0, 5.0, 10.0]},
    "receptor_kinase_factor": {"free_mg": 0.5},
    "simulate_brannmark": {"insulin": 1.0},
    "simulate": {"model": "full", "duration": 0.5},
    "hepatic_glucose_output": {"g6pase_relative": 0.8},
    "kubota_derivatives": {"state": [1.0] * 11, "insulin": 0.1},
    "simulate_kubota": {"insulin": 1.0},
    "fit_insulin_sensitivity": {"times": [0.0, 10.0, 20.0, 40.0, 60.0, 90.0],
                                "glucose": [280.0, 200.0, 150.0, 110.0, 95.0, 90.0],
                                "insulin": [80.0, 60.0, 40.0, 20.0, 10.0, 7.0]},
    "sensitivity_factor": {"serum_mg": 0.85},
    "teaching_insulin_profile": {"t": 10.0},
    "topp_derivatives": {"state": [100.0, 10.0, 300.0]},
    "topp_jacobian": {"state": [100.0, 10.0, 300.0]},
    "brannmark_with_tnf": {"tnf": 2.0},
    "insulin_response_with_tnf": {"tnf": 2.0, "insulin_levels": [1.0]},
    "ros_rate": {"ros": 1.0, "glucose": 5.0, "serum_mg": 0.85},
    "ros_steady_state": {"glucose": 5.0, "serum_mg": 0.85},
    "sedaghat_with_tnf": {"tnf": 2.0},
    "tnf_dynamics": {"t": 7.0, "serum_mg": 0.7},
    "tnf_steady_state": {"serum_mg": 0.7},
    "blood_pressure": {"tone": 50.0, "tone_ref": 50.0},
    "pressure_change_from_resistance": {"resistance_ratio": 1.1},
    "resistance_magnesium_factor": {"serum_mg": 0.85},
    "simulate_vascular_scenarios": {"scenarios": {"normal": vascular.MuniyappaParameters()}},
    "ci_to_se": {"lower": 0.1, "upper": 0.5},
    "pool_fixed": {"estimates": [0.1, 0.2], "standard_errors": [0.05, 0.06]},
    "pool_random": {"estimates": [0.1, 0.2], "standard_errors": [0.05, 0.06]},
    "se_from_sd": {"sd": 1.0, "n": 30.0},
    "variance_to_se": {"variance": 0.04},
}
#: Functions without numeric arguments to spoil, or drawing (covered in test_evidence).
SKIP = {"normalise_unit", "molar_mass", "elemental_fraction", "compute", "forest_plot",
        "speciation_fractions"}
NUMERIC = {"float", "float | None", "FloatOrArray", "FloatOrArray | None", "npt.ArrayLike", "int",
           "npt.ArrayLike | None"}


def _public_functions():
    for module_name in MODULES:
        module = importlib.import_module(f"mgcourse.{module_name}")
        for name in module.__all__:
            obj = getattr(module, name)
            if inspect.isfunction(obj) and name not in SKIP and any(_numeric_arguments(obj)):
                yield pytest.param(obj, id=f"{module_name}.{name}")


def _parameter_classes():
    for module_name in MODULES:
        module = importlib.import_module(f"mgcourse.{module_name}")
        for name in module.__all__:
            obj = getattr(module, name)
            if dataclasses.is_dataclass(obj) and name.endswith("Parameters"):
                yield pytest.param(obj, id=f"{module_name}.{name}")


def _numeric_arguments(function):
    for parameter in inspect.signature(function).parameters.values():
        if str(parameter.annotation) in NUMERIC:
            yield parameter.name


def _fails_fast(call, *, name):
    start = time.perf_counter()
    with pytest.raises(ValueError, match=name) as info:
        call()
    assert time.perf_counter() - start < 10.0
    return str(info.value)


def test_every_function_has_example_arguments():
    for param in _public_functions():
        function = param.values[0]
        required = {q.name for q in inspect.signature(function).parameters.values()
                    if q.default is inspect.Parameter.empty}
        assert required <= set(REQUIRED.get(function.__name__, {})), function.__name__


@pytest.mark.parametrize("function", list(_public_functions()))
@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_every_numeric_argument_is_checked(function, bad):
    valid = REQUIRED.get(function.__name__, {})
    for argument in _numeric_arguments(function):
        kwargs = {**valid, argument: bad}
        if np.ndim(valid.get(argument)) == 1:  # an array argument: all NaN (or inf) values
            kwargs[argument] = np.full(len(valid[argument]), bad)
        # the unit converters name the value by its quantity ("glucose = ...")
        name = None if argument == "value" else argument
        message = _fails_fast(lambda kwargs=kwargs: function(**kwargs), name=name)
        assert "range" in message or "finite" in message, message


@pytest.mark.parametrize("cls", list(_parameter_classes()))
@pytest.mark.parametrize("bad", [math.nan, math.inf, -1e30])
def test_every_parameter_field_is_checked(cls, bad):
    default = cls()
    for item in dataclasses.fields(cls):
        value = getattr(default, item.name)
        if isinstance(value, bool):
            continue
        message = _fails_fast(lambda item=item: dataclasses.replace(default, **{item.name: bad}),
                              name=item.name)
        assert re.search(r"[\[(]\S*, \S*[\])]", message), message  # the valid range


def test_named_cases_name_field_value_unit_and_range():
    from mgcourse import beta_cell, signalling

    cases = [
        (lambda: vascular.MuniyappaParameters(k13=-2), r"k13 = -2 min\^-1 is out of range"),
        (lambda: beta_cell.BertramParameters(g_k=-1), r"g_k = -1 pS is out of range"),
        (lambda: beta_cell.BertramParameters(c_m=math.nan), r"c_m must be a finite number .* fF"),
        (lambda: signalling.SedaghatParameters(k1=-6e7), r"k1 = -6e\+07 M\^-1 min\^-1"),
        (lambda: signalling.SedaghatParameters(ptp=math.nan), r"ptp must be a finite number"),
        (lambda: signalling.BrannmarkParameters(diabetes=math.nan), r"diabetes must be a finite"),
        (lambda: vascular.MuniyappaParameters(k14=math.nan), r"k14 must be a finite number"),
        (lambda: beta_cell.exocytosis_rate(0.2, hill=math.nan), r"hill must be a finite"),
        (lambda: beta_cell.burst_metrics(np.arange(200.0), np.full(200, math.nan)),
         r"v must be a finite number .* mV"),
    ]
    for call, message in cases:
        _fails_fast(call, name=message)
    from mgcourse import indices

    _fails_fast(lambda: indices.is_insulin_resistant("homa_ir", 5.0, cutoff=math.nan),
                name=r"cutoff must be a finite number")


def test_a_degenerate_system_stops_within_seconds():
    # bypass the field checks to reach the solver with a negative insulin-binding rate
    # (Brännmark et al. 2013, doi:10.1074/jbc.M112.432062): the receptor pool explodes
    from mgcourse import signalling

    parameters = signalling.BrannmarkParameters()
    object.__setattr__(parameters, "k1a", -1.0)
    message = _fails_fast(lambda: signalling.simulate_brannmark(1.0, parameters=parameters),
                          name="the Brännmark model")
    assert "right-hand-side evaluations" in message and "check the parameters" in message


def test_a_blow_up_of_the_fixed_step_scheme_stops_early():
    parameters = vascular.MuniyappaParameters()
    object.__setattr__(parameters, "k15", -1e4)  # NO "decay" that makes NO explode
    start = time.perf_counter()
    with pytest.raises(ValueError, match=r"the vascular model blew up .* dt = 0\.001 min"):
        vascular.simulate_vascular(parameters=parameters, duration=60.0)
    assert time.perf_counter() - start < 10.0


def test_check_fields_requires_a_range_for_every_field():
    @dataclasses.dataclass(frozen=True)
    class Incomplete:
        a: float = 1.0
        b: float = 2.0

    with pytest.raises(TypeError, match=r"Incomplete\.b has no declared valid range"):
        _validation.check_fields(Incomplete(), {"a": _validation.positive("mM")})


@pytest.mark.parametrize(("rtol", "atol", "message"), [
    (1e-2, 1e-8, r"rtol = 0\.01 dimensionless is out of range"),
    (math.nan, 1e-8, r"rtol must be a finite number"),
    (1e-8, 0.0, r"atol = 0 mM is out of range"),
    (1e-8, -1.0, r"atol = -1 mM is out of range"),
])
def test_tolerances_are_checked(rtol, atol, message):
    with pytest.raises(ValueError, match=message):
        _validation.check_tolerances(rtol, atol, "mM")
