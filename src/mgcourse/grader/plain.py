"""Plain data: the only form in which a student's values cross into the checker.

A student's kernel turns a value into JSON with :func:`encode` (this runs in the
student's process, so its output is never trusted), and the checker rebuilds it
with :func:`decode`, which accepts only:

* ``None``, ``bool``, ``int``, ``float`` (NaN and infinities included), ``complex``
  and ``str``, always rebuilt as the exact built-in type;
* ``list``, ``tuple``, ``dict``, ``set`` and ``frozenset`` of those;
* numpy arrays of boolean, integer, floating, complex or string dtype;
* pandas ``Series`` and ``DataFrame`` of those (when pandas is installed);
* a *function* marker (the checker calls it back in the kernel) and an *object*
  marker for anything else (a reference the checker may only pass back to the
  student's own functions).

Nothing is unpickled and no class of the student's is ever instantiated in the
checker, so an answer cannot bring its own comparison methods with it.

This module imports only the standard library at import time: the kernel
imports it for every request.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from typing import Any, Final

__all__ = [
    "MAX_DEPTH",
    "MAX_ITEMS",
    "MIME",
    "PlainDataError",
    "StudentFunction",
    "StudentObject",
    "answer",
    "decode",
    "encode",
    "serve",
]

#: Media type of the kernel's replies.
MIME: Final = "application/vnd.mgcourse.plain+json"
#: Deepest nesting of containers accepted.
MAX_DEPTH: Final = 32
#: Most numbers, strings and containers accepted in one value.
MAX_ITEMS: Final = 5_000_000
_KINDS: Final = frozenset("biufcU")
_SCALARS: Final = (bool, int, float, complex, str, type(None))


class PlainDataError(ValueError):
    """A reply from the student's kernel that is not plain data."""


# ======================================================================= kernel side


def _array(value: Any, tag: str) -> dict[str, Any]:
    kind = value.dtype.kind
    if kind not in _KINDS:
        return {"object": f"{type(value).__name__} of dtype {value.dtype}"}
    flat = value.ravel().tolist()
    if kind == "c":
        flat = [[z.real, z.imag] for z in flat]
    elif kind == "f":
        flat = [_float(x) for x in flat]
    return {tag: value.dtype.str, "shape": list(value.shape), "data": flat}


def _column(series: Any) -> Any:
    """A table column as a numpy array; text columns (object dtype in pandas) as a string array."""
    import numpy as np

    values = np.asarray(series.to_numpy())
    if values.dtype.kind == "O" and all(type(v) is str for v in values.ravel()):
        values = values.astype(str)
    return values


def _float(x: float) -> Any:
    return x if math.isfinite(x) else {"float": repr(x)}


def encode(
    value: Any, refs: dict[int, Any] | None = None, named: Mapping[int, str] | None = None,
    *, rebuild: bool = False,
) -> Any:
    """A JSON-ready tree describing ``value``.

    Parameters
    ----------
    value : object
        Any Python value.
    refs : dict, optional
        Where objects that are not plain data are kept, by ``id``, so that the
        checker can hand them back to the student's functions (kernel side).
    named : mapping, optional
        ``id`` → name of objects that both sides bound by the same read-only
        cell (the checker sends the name, the kernel looks it up).
    rebuild : bool, default False
        Describe dataclass instances by class and fields, for the kernel to
        rebuild (only for arguments the checker sends *to* the kernel).

    Returns
    -------
    object
        JSON-ready data with type tags.
    """
    return _Encoder(refs if refs is not None else {}, named or {}, rebuild).tree(value)


class _Encoder:
    """Turns values into tagged JSON trees, level by level (no recursion on the value's depth)."""

    def __init__(self, refs: dict[int, Any], named: Mapping[int, str], rebuild: bool) -> None:
        self.refs, self.named, self.rebuild = refs, named, rebuild

    def tree(self, value: Any) -> Any:
        result: list[Any] = []
        stack: list[tuple[Any, list[Any] | dict[str, Any], Any, int]] = [(value, result, None, 0)]
        while stack:
            item, parent, key, depth = stack.pop()
            node: Any
            if depth > MAX_DEPTH:
                node = {"object": "nesting deeper than 32 levels"}
            elif type(item) in (bool, int, str, type(None)):
                node = item
            elif type(item) is float:
                node = _float(item)
            elif type(item) is complex:
                node = {"complex": [_float(item.real), _float(item.imag)]}
            elif type(item) in (list, tuple, set, frozenset):
                items = list(item)
                node = {type(item).__name__: [None] * len(items)}
                for index, sub in enumerate(items):
                    stack.append((sub, node[type(item).__name__], index, depth + 1))
            elif type(item) is dict:
                node = {"dict": [[None, None] for _ in item]}
                for index, (k, v) in enumerate(item.items()):
                    stack.append((k, node["dict"][index], 0, depth + 1))
                    stack.append((v, node["dict"][index], 1, depth + 1))
            elif id(item) in self.named:
                node = {"global": self.named[id(item)]}
            else:
                node = self.other(item)
            if isinstance(parent, list) and key is None:
                parent.append(node)
            else:
                parent[key] = node
        return result[0]

    def other(self, item: Any) -> Any:
        if type(item) is StudentObject:  # the checker hands a kernel object back by its key
            return {"object": item.type_name, "ref": item.ref}
        if type(item) is StudentFunction:
            return {"function": item.label, "ref": item.ref}
        module = type(item).__module__
        name = type(item).__name__
        if module == "numpy" and name == "ndarray":
            return _array(item, "ndarray")
        scalar = module == "numpy" and hasattr(item, "dtype") and hasattr(item, "item")
        if scalar and item.dtype.kind in _KINDS:
            return self.tree(item.item())  # a numpy scalar: the matching Python number
        if module.startswith("pandas") and name in ("Series", "DataFrame"):

            if name == "Series":
                return {"series": [self.tree(_column(item)), self.tree(list(item.index)),
                                   self.tree(item.name)]}
            columns = [[self.tree(c), self.tree(_column(item[c]))] for c in item.columns]
            return {"dataframe": [columns, self.tree(list(item.index))]}
        fields = getattr(type(item), "__dataclass_fields__", None)
        if self.rebuild and isinstance(fields, dict):
            values = {f: getattr(item, f) for f, spec in fields.items() if getattr(spec, "init", False)}
            return {"dataclass": f"{module}:{type(item).__qualname__}", "fields": self.tree(values)}
        self.refs[id(item)] = item
        base = next((t.__name__ for t in (*_SCALARS, list, tuple, dict) if isinstance(item, t)), None)
        if base is None and any(t.__module__ == "numpy" and t.__name__ in ("ndarray", "generic")
                                for t in type(item).__mro__[1:]):
            base = "numpy array"  # a subclass of a numpy type: it can bring its own behaviour
        special: tuple[str, ...] = (
            "__bool__", "__float__", "__int__", "__index__", "__array__", "__array_ufunc__",
            "__array_function__", "__array_finalize__", "__lt__", "__le__", "__gt__", "__ge__",
            "__abs__", "__sub__", "__rsub__", "__len__", "__iter__", "__getitem__",
        )
        if not isinstance(fields, dict):  # a dataclass's own __eq__ compares its fields: not a trick
            special += ("__eq__", "__ne__")
        own: list[str] = []
        if module == "__main__":  # a class of the notebook's own (library types define these honestly)
            own = sorted(n for n in special if n in getattr(type(item), "__dict__", {}))
        if callable(item) and base is None:
            return {"function": str(getattr(item, "__name__", name))[:100], "ref": id(item)}
        return {"object": f"{module}.{name}" if module != "builtins" else name, "ref": id(item),
                "base": base, "own": own}


def reply(value: Any, refs: dict[int, Any]) -> str:
    """``value`` as the JSON text of a reply (kernel side)."""
    return json.dumps({"value": encode(value, refs)}, allow_nan=False)


#: Objects of the student's that the checker holds by key (kernel side).
_REFS: dict[int, Any] = {}


def answer(message: Mapping[str, Any], namespace: Mapping[str, Any]) -> dict[str, Any]:
    """The kernel's answer to one request of the checker.

    ``{"op": "get", "names": [...]}`` answers with the values of those names in
    ``namespace`` (JSON text each); ``{"op": "call", "ref": key, "args": ...,
    "kwargs": ...}`` calls a function the checker holds. Any exception, even
    ``SystemExit``, becomes ``{"error": [name, message]}``.
    """
    try:
        if message["op"] == "get":
            return {"values": {n: reply(namespace[n], _REFS) for n in message["names"] if n in namespace}}
        resolve = _REFS.__getitem__
        function = _REFS[message["ref"]]
        decoder = _Decoder("argument", lambda name, ref: resolve(ref), resolve, namespace.__getitem__)
        args = decoder.value(message["args"])
        kwargs = decoder.value(message["kwargs"])
        return {"value": reply(function(*args, **kwargs), _REFS)}
    except BaseException as error:  # the student's function may raise anything, even SystemExit
        return {"error": [type(error).__name__, str(error)[:2000]]}


def serve(request: str) -> None:
    """Answer one request of the checker inside the student's kernel (see :func:`answer`).

    The answer is published as display data of type :data:`MIME`. Whatever this
    function is made to say, the checker only ever rebuilds plain data from it.
    """
    from IPython import get_ipython
    from IPython.display import publish_display_data

    try:
        result = answer(json.loads(request), get_ipython().user_ns)
    except BaseException as error:
        result = {"error": [type(error).__name__, str(error)[:2000]]}
    publish_display_data({MIME: json.dumps(result)})  # type: ignore[no-untyped-call]


# ======================================================================= checker side


class StudentObject:
    """Something in the student's kernel that is not plain data.

    The checker may pass it back to the student's own functions; every other use
    (comparison, arithmetic, truth value, conversion) raises a ``TypeError``
    naming the variable and its type.
    """

    __slots__ = ("_label", "_ref", "_type", "deliberate")

    def __init__(self, label: str, type_name: str, ref: int, deliberate: bool) -> None:
        self._label, self._type, self._ref, self.deliberate = label, type_name, ref, deliberate

    @property
    def ref(self) -> int:
        """The object's key in the kernel."""
        return self._ref

    @property
    def type_name(self) -> str:
        """The type the kernel reported."""
        return self._type

    def _refuse(self, *args: Any) -> Any:
        raise TypeError(
            f"`{self._label}` must be a number, a string, a list, a dict or an array of numbers, "
            f"not `{self._type}`"
        )

    __eq__ = __ne__ = __lt__ = __le__ = __gt__ = __ge__ = _refuse
    __bool__ = __float__ = __int__ = __index__ = __len__ = __iter__ = _refuse
    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _refuse
    __truediv__ = __rtruediv__ = __pow__ = __neg__ = __abs__ = _refuse
    __getitem__ = __contains__ = __array__ = __call__ = _refuse
    __hash__ = None  # type: ignore[assignment]

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return self._refuse()

    def __repr__(self) -> str:
        return f"<{self._type} in the student's notebook>"


class StudentFunction:
    """The checker's stand-in for a function defined in the student's kernel.

    Calling it sends the (plain) arguments to the kernel through ``call`` and
    returns what comes back, rebuilt as plain data.
    """

    __slots__ = ("_call", "label", "ref")

    def __init__(self, label: str, ref: int, call: Callable[[StudentFunction, Any, Any], Any]) -> None:
        self.label, self.ref, self._call = label, ref, call

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._call(self, list(args), dict(kwargs))

    def __repr__(self) -> str:
        return f"<function {self.label} in the student's notebook>"


def _number(node: Any) -> float:
    if type(node) in (int, float):
        return float(node)
    if type(node) is dict and set(node) == {"float"} and node["float"] in ("nan", "inf", "-inf"):
        return float(node["float"])
    raise PlainDataError("expected a number")


class _Decoder:
    def __init__(
        self, label: str, function: Callable[[str, int], Any], obj: Callable[[int], Any] | None = None,
        glob: Callable[[str], Any] | None = None,
    ) -> None:
        self.label = label
        self.function = function
        self.obj = obj
        self.glob = glob
        self.items = 0

    def count(self, n: int = 1) -> None:
        self.items += n
        if self.items > MAX_ITEMS:
            raise PlainDataError(f"`{self.label}` is larger than {MAX_ITEMS} items")

    def array(self, node: dict[str, Any]) -> Any:
        import numpy as np

        dtype, shape, data = node.get("ndarray"), node.get("shape"), node.get("data")
        if type(dtype) is not str or type(shape) is not list or type(data) is not list:
            raise PlainDataError("malformed array")
        kind = np.dtype(dtype).kind if len(dtype) < 12 else "O"
        if kind not in _KINDS or any(type(n) is not int or n < 0 for n in shape) or len(shape) > MAX_DEPTH:
            raise PlainDataError(f"arrays of dtype {dtype!r} are not plain data")
        self.count(len(data))
        if math.prod(shape) != len(data):
            raise PlainDataError("array shape and data disagree")
        if kind == "c":
            values: list[Any] = [complex(_number(z[0]), _number(z[1])) for z in data]
        elif kind == "f":
            values = [_number(x) for x in data]
        elif kind == "U":
            if any(type(x) is not str for x in data):
                raise PlainDataError("string array with non-strings")
            values = data
        else:
            if any(type(x) not in (int, bool) for x in data):
                raise PlainDataError("integer array with non-integers")
            values = data
        return np.array(values, dtype=np.dtype(dtype)).reshape(shape)

    def value(self, node: Any, depth: int = 0) -> Any:
        """Rebuild one node; containers are rebuilt level by level (bounded depth)."""
        if depth > MAX_DEPTH:
            raise PlainDataError(f"`{self.label}` is nested deeper than {MAX_DEPTH} levels")
        self.count()
        if type(node) in (bool, int, str, float) or node is None:
            return node
        if type(node) is not dict or len(node) == 0:
            raise PlainDataError("unknown node")
        tag = next(iter(node))
        body = node[tag]
        if tag == "float" and len(node) == 1:
            return _number(node)
        if tag == "complex" and type(body) is list and len(body) == 2:
            return complex(_number(body[0]), _number(body[1]))
        if tag in ("list", "tuple", "set", "frozenset") and type(body) is list and len(node) == 1:
            items = [self.value(sub, depth + 1) for sub in body]
            if tag == "list":
                return items
            if tag == "tuple":
                return tuple(items)
            try:
                return set(items) if tag == "set" else frozenset(items)
            except TypeError as error:
                raise PlainDataError(str(error)) from None
        if tag == "dict" and type(body) is list and len(node) == 1:
            result: dict[Any, Any] = {}
            for pair in body:
                if type(pair) is not list or len(pair) != 2:
                    raise PlainDataError("malformed dict")
                key = self.value(pair[0], depth + 1)
                try:
                    result[key] = self.value(pair[1], depth + 1)
                except TypeError as error:
                    raise PlainDataError(str(error)) from None
            return result
        if tag == "ndarray":
            return self.array(node)
        if tag == "global" and self.glob is not None and type(body) is str:
            return self.glob(body)
        if tag == "dataclass" and self.glob is not None and type(body) is str and ":" in body:
            import importlib

            module, _, qualname = body.partition(":")
            cls: Any = importlib.import_module(module)
            for part in qualname.split("."):
                cls = getattr(cls, part)
            fields = self.value(node.get("fields"), depth + 1)
            return cls(**fields)
        if tag in ("series", "dataframe") and type(body) is list:
            return self.table(tag, body, depth)
        if tag == "function" and type(node.get("ref")) is int and type(body) is str:
            return self.function(str(body)[:100], node["ref"])
        if tag == "object" and type(body) is str:
            ref = node.get("ref")
            if self.obj is not None:
                return self.obj(ref if type(ref) is int else -1)
            own = node.get("own") if type(node.get("own")) is list else []
            deliberate = node.get("base") is not None or bool(own)
            return StudentObject(self.label, body[:200], ref if type(ref) is int else -1, deliberate)
        raise PlainDataError(f"unknown tag {tag[:40]!r}")

    def table(self, tag: str, body: list[Any], depth: int) -> Any:
        import pandas as pd  # type: ignore[import-untyped]

        if tag == "series" and len(body) == 3:
            values = self.value(body[0], depth + 1)
            index = self.value(body[1], depth + 1)
            return pd.Series(values, index=index, name=self.value(body[2], depth + 1))
        if tag == "dataframe" and len(body) == 2 and type(body[0]) is list:
            columns = {}
            for pair in body[0]:
                if type(pair) is not list or len(pair) != 2:
                    raise PlainDataError("malformed table")
                columns[self.value(pair[0], depth + 1)] = self.value(pair[1], depth + 1)
            return pd.DataFrame(columns, index=self.value(body[1], depth + 1))
        raise PlainDataError("malformed table")


def decode(text: str, label: str, function: Callable[[str, int], Any]) -> Any:
    """Rebuild a value from a kernel's reply (checker side).

    Parameters
    ----------
    text : str
        The reply's JSON text.
    label : str
        The student's name for the value, for messages.
    function : callable
        ``function(name, ref)`` makes the checker's stand-in for a student function.

    Returns
    -------
    object
        Plain data, a stand-in function or a :class:`StudentObject`.

    Raises
    ------
    PlainDataError
        If the reply is malformed, too large or too deep.
    """
    try:
        data = json.loads(text, parse_constant=lambda name: {"float": name.lower().replace("inity", "")})
    except (ValueError, RecursionError) as error:
        raise PlainDataError(f"the reply for `{label}` is not valid JSON: {str(error)[:80]}") from None
    if type(data) is not dict or "value" not in data:
        raise PlainDataError(f"the reply for `{label}` has no value")
    try:
        return _Decoder(label, function).value(data["value"])
    except RecursionError:
        raise PlainDataError(f"`{label}` is nested too deeply") from None
