"""Tests of mgcourse.grader.plain: the only form in which a student's values reach the checker."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from mgcourse.grader.plain import (
    MAX_DEPTH,
    PlainDataError,
    StudentFunction,
    StudentObject,
    decode,
    encode,
)


def _no_function(name: str, ref: int) -> object:
    raise AssertionError("no function expected")


def round_trip(value: object) -> object:
    return decode(json.dumps({"value": encode(value)}), "x", _no_function)


@pytest.mark.parametrize(
    "value",
    [None, True, False, 0, -7, 2**80, 1.5, -0.0, "µU/mL", "", [1, 2.5, "a"], (1, (2, 3)),
     {"a": [1, {"b": None}]}, {1: "one", (2, 3): "pair"}, {1, 2, 3}, frozenset({"x"}), 3 + 4j],
)
def test_built_in_values_come_back_equal_and_of_the_exact_type(value: object) -> None:
    back = round_trip(value)
    assert back == value
    assert type(back) is type(value)


def test_non_finite_floats_survive() -> None:
    back = round_trip([math.nan, math.inf, -math.inf])
    assert isinstance(back, list)
    assert math.isnan(back[0]) and back[1] == math.inf and back[2] == -math.inf


@pytest.mark.parametrize("dtype", ["float64", "float32", "int64", "int8", "bool", "complex128", "<U5"])
def test_numeric_bool_and_string_arrays_keep_dtype_shape_and_values(dtype: str) -> None:
    array = np.arange(6).reshape(2, 3).astype(dtype)
    back = round_trip(array)
    assert isinstance(back, np.ndarray) and type(back) is np.ndarray
    assert back.dtype == array.dtype and back.shape == (2, 3)
    np.testing.assert_array_equal(back, array)


def test_numpy_scalars_become_python_numbers() -> None:
    back = round_trip([np.float64(1.25), np.int32(3), np.bool_(True)])
    assert back == [1.25, 3, True]
    assert [type(v) for v in back] == [float, int, bool]  # type: ignore[union-attr]


def test_pandas_tables() -> None:
    frame = pd.DataFrame({"glucose": [5.1, 6.2], "id": ["P01", "P02"]}, index=[10, 11])
    back = round_trip(frame)
    assert isinstance(back, pd.DataFrame)
    pd.testing.assert_frame_equal(back, frame)
    series = pd.Series([1.0, 2.0], index=["a", "b"], name="homa")
    pd.testing.assert_series_equal(round_trip(series), series)  # type: ignore[arg-type]


class Always:
    """An answer that claims to equal anything (defined, like a notebook's classes, in ``__main__``)."""

    __module__ = "__main__"

    def __eq__(self, other: object) -> bool:
        return True

    __hash__ = object.__hash__


class Quiet(np.ndarray):
    """A numpy array subclass (it could bring its own comparison)."""

    __module__ = "__main__"


class Sneaky(float):
    """A float subclass with its own comparison."""

    __module__ = "__main__"

    def __eq__(self, other: object) -> bool:
        return True

    __hash__ = float.__hash__


@pytest.mark.parametrize(
    "value", [Always(), Sneaky(1.0), np.array([Always()], dtype=object), np.zeros(3).view(Quiet)]
)
def test_objects_that_imitate_plain_data_arrive_as_opaque_student_objects(value: object) -> None:
    back = round_trip(value)
    assert isinstance(back, StudentObject)
    with pytest.raises(TypeError, match="`x` must be a number"):
        _ = back == 1.0
    with pytest.raises(TypeError):
        bool(back)
    with pytest.raises(TypeError):
        float(back)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        np.testing.assert_allclose(back, 1.0)


def test_a_float_subclass_or_own_comparison_is_marked_deliberate() -> None:
    assert round_trip(Sneaky(1.0)).deliberate  # type: ignore[union-attr]
    assert round_trip(Always()).deliberate  # type: ignore[union-attr]
    assert round_trip(np.zeros(3).view(Quiet)).deliberate  # type: ignore[union-attr]
    assert not round_trip(object()).deliberate  # type: ignore[union-attr]


def test_error_message_names_the_variable_and_its_type() -> None:
    back = decode(json.dumps({"value": encode(Always())}), "homa", _no_function)
    with pytest.raises(TypeError, match=r"`homa` must be a number.*not `.*Always`"):
        _ = back < 3


def test_functions_become_stand_ins_that_call_back() -> None:
    calls: list[tuple[str, int]] = []

    def make(name: str, ref: int) -> StudentFunction:
        calls.append((name, ref))
        return StudentFunction(name, ref, lambda function, args, kwargs: sum(args))

    back = decode(json.dumps({"value": encode(len)}), "homa_ir", make)
    assert isinstance(back, StudentFunction)
    assert back(1, 2) == 3
    assert calls and calls[0][0] == "len"


@pytest.mark.parametrize(
    "text",
    [
        "not json",
        json.dumps({"nothing": 1}),
        json.dumps({"value": {"pickle": "gASV"}}),
        json.dumps({"value": {"ndarray": "|O8", "shape": [1], "data": [1]}}),
        json.dumps({"value": {"ndarray": "<f8", "shape": [3], "data": [1.0]}}),
        json.dumps({"value": {"ndarray": "<f8", "shape": [1], "data": ["1.0"]}}),
        json.dumps({"value": {"ndarray": "<i8", "shape": [1], "data": [1.5]}}),
        json.dumps({"value": {"dataclass": "os:system", "fields": {"dict": []}}}),
        json.dumps({"value": {"global": "np"}}),
        json.dumps({"value": {"set": [{"list": []}]}}),
        "[" * 100_000 + "]" * 100_000,
    ],
)
def test_malformed_or_forged_replies_are_refused(text: str) -> None:
    with pytest.raises(PlainDataError):
        decode(text, "x", _no_function)


def test_nesting_and_size_are_bounded() -> None:
    deep: object = 1
    for _ in range(MAX_DEPTH + 5):
        deep = [deep]
    with pytest.raises(PlainDataError, match="deeper"):
        decode(json.dumps({"value": _raw_nested(MAX_DEPTH + 5)}), "x", _no_function)
    encoded = encode(deep)  # the kernel side caps depth instead of failing
    assert "nesting deeper" in json.dumps(encoded)


def _raw_nested(depth: int) -> object:
    node: object = 1
    for _ in range(depth):
        node = {"list": [node]}
    return node
