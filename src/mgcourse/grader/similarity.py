"""Identical and near-identical submissions, by normalised code similarity.

Only the answer cells count (the master's solution cells, read from the
autograded notebooks or, failing those, from the submitted ones). Each is
reduced to what survives renaming: comments, blank lines, docstrings and bare
string statements are dropped, the lines of the starter code the student was
given (``exercises/``) are subtracted (also where the student changed their
names), every name is replaced by a placeholder numbered in order of
appearance within the cell (``V1``, ``V2``, …; keywords,
built-ins, operators and attribute names such as ``np.log10`` are kept), and
every number and string by ``N`` or ``S``. Indentation depth is kept.

Two submissions are *identical* when their normalised answers are equal, and
*near-identical* when the multiset Jaccard index of their ``k``-token
fingerprints reaches the threshold (0.9 by default). As in MOSS, fingerprints
that most of the class shares are ignored, so the canonical one-line answer
to a short task does not make every correct student similar to every other;
and submissions with little code of their own (blank, unchanged or a few
tokens) are never compared. All pairs are compared, with a size bound that
skips pairs that cannot reach the threshold; nothing is recursive.
"""

from __future__ import annotations

import builtins
import contextlib
import io
import json
import keyword
import re
import tokenize
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from mgcourse.grader.course import Course
from mgcourse.grader.records import find_submissions

__all__ = [
    "SimilarPair",
    "Similarity",
    "SimilarityOptions",
    "answer_cells",
    "answer_tokens",
    "compare_answers",
    "find_similar",
    "pair_rows",
]

#: Longest cell source read [characters]; the rest is ignored.
_MAX_SOURCE: Final = 100_000
#: Most tokens kept of one submission.
_MAX_TOKENS: Final = 50_000
#: Largest notebook file read [bytes].
_MAX_NOTEBOOK_BYTES: Final = 20 * 1024 * 1024
_KEPT_NAMES: Final = frozenset(keyword.kwlist) | frozenset(dir(builtins))
_SKIPPED: Final = frozenset(
    {tokenize.COMMENT, tokenize.NL, tokenize.ENCODING, tokenize.ENDMARKER, tokenize.INDENT, tokenize.DEDENT}
)
# Python 3.12 splits f-strings into several tokens; they count as one string here.
_FSTRING_START: Final = getattr(tokenize, "FSTRING_START", None)
_FSTRING_END: Final = getattr(tokenize, "FSTRING_END", None)
_FALLBACK_TOKEN: Final = re.compile(
    r"(?P<name>[^\W\d]\w*)|(?P<number>\d[\w.]*)|(?P<string>'[^'\n]*'?|\"[^\"\n]*\"?)|(?P<op>\S)"
)

#: One logical line: indentation depth and its ``(kind, text)`` tokens.
Line = tuple[int, tuple[tuple[str, str], ...]]


@dataclass(frozen=True)
class SimilarityOptions:
    """How submissions are compared.

    Parameters
    ----------
    threshold : float, default 0.9
        Lowest similarity listed (0 to 1); identical submissions score 1.
    k : int, default 5
        Tokens per fingerprint.
    min_tokens : int, default 20
        Fewest normalised tokens of the student's own (starter code
        subtracted) for a submission to be compared at all.
    common : float, default 0.5
        Fingerprints found in more than this fraction of the compared
        submissions (and in more than 4) are ignored, and so is an identical
        answer shared by that many: it is the class's common answer.
    """

    threshold: float = 0.9
    k: int = 5
    min_tokens: int = 20
    common: float = 0.5

    def __post_init__(self) -> None:
        if not 0.0 < self.threshold <= 1.0:
            raise ValueError(f"threshold = {self.threshold!r}: the similarity threshold must be in (0, 1]")
        if not 1 <= self.k <= 50:
            raise ValueError(f"k = {self.k!r} tokens: the fingerprint length must be 1 to 50 tokens")
        if not 1 <= self.min_tokens <= 10_000:
            raise ValueError(f"min_tokens = {self.min_tokens!r} tokens: must be 1 to 10000 tokens")
        if not 0.0 < self.common <= 1.0:
            raise ValueError(f"common = {self.common!r}: the common fraction must be in (0, 1]")


@dataclass(frozen=True)
class SimilarPair:
    """Two submissions whose answers are alike.

    Parameters
    ----------
    first, second : str
        Student ids, ``first < second``.
    score : float
        1.0 for identical normalised answers, else the Jaccard index of their
        fingerprints (0 to 1).
    identical : bool
        Whether the normalised answers are equal.
    """

    first: str
    second: str
    score: float
    identical: bool

    @property
    def kind(self) -> str:
        """``"identical"`` or ``"near-identical"``."""
        return "identical" if self.identical else "near-identical"


@dataclass
class Similarity:
    """The similar pairs of an assignment.

    Parameters
    ----------
    pairs : list of SimilarPair
        Pairs at or above the threshold, most similar first.
    compared : list of str
        Students whose answers were compared.
    too_short : list of str
        Students with fewer than ``min_tokens`` tokens of their own (blank or
        unchanged notebooks): never listed as similar.
    options : SimilarityOptions
        The settings used.
    """

    pairs: list[SimilarPair] = field(default_factory=list)
    compared: list[str] = field(default_factory=list)
    too_short: list[str] = field(default_factory=list)
    options: SimilarityOptions = field(default_factory=SimilarityOptions)


# ----------------------------------------------------------------- normalising code


def _tokens(source: str) -> list[tuple[int, str, int]]:
    """``(type, text, depth)`` of each token, by :mod:`tokenize`, or by a regular expression
    for code that does not tokenize (an unclosed bracket, bad indentation)."""
    found: list[tuple[int, str, int]] = []
    depth = 0
    fstring = 0
    with contextlib.suppress(tokenize.TokenError, SyntaxError):
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type == tokenize.INDENT:
                depth += 1
            elif token.type == tokenize.DEDENT:
                depth = max(depth - 1, 0)
            if _FSTRING_START is not None and token.type == _FSTRING_START:
                fstring += 1
            elif _FSTRING_END is not None and token.type == _FSTRING_END:
                fstring -= 1
                if fstring == 0:
                    found.append((tokenize.STRING, "f''", depth))
            elif fstring == 0 and token.type not in _SKIPPED:
                found.append((token.type, token.string, depth))
        return found
    found = []
    for line in source.splitlines():
        stripped = line.lstrip()
        if not stripped or stripped.startswith("#"):
            continue
        depth = (len(line) - len(stripped)) // 4
        for match in _FALLBACK_TOKEN.finditer(stripped):
            kind = {"name": tokenize.NAME, "number": tokenize.NUMBER, "string": tokenize.STRING}.get(
                str(match.lastgroup), tokenize.OP
            )
            if kind == tokenize.OP and match.group() == "#":
                break
            found.append((kind, match.group(), depth))
        found.append((tokenize.NEWLINE, "\n", depth))
    return found


def _lines(source: str) -> list[Line]:
    """Logical lines of code without comments, docstrings and bare string statements."""
    lines: list[Line] = []
    current: list[tuple[str, str]] = []
    depth = 0
    for kind, text, token_depth in _tokens(source[:_MAX_SOURCE]):
        if kind == tokenize.NEWLINE:
            if current and not all(k == "string" for k, _ in current):  # a docstring or bare string
                lines.append((depth, tuple(current)))
            current = []
            continue
        if not current:
            depth = token_depth
        name = {tokenize.NAME: "name", tokenize.NUMBER: "number", tokenize.STRING: "string"}
        current.append((name.get(kind, "op"), text))
    if current and not all(k == "string" for k, _ in current):
        lines.append((depth, tuple(current)))
    return lines


def _placeholder(kind: str, text: str, previous: str) -> str | None:
    """``N`` for a number, ``S`` for a string, ``None`` for a name to be replaced, else the token
    itself (keywords, built-ins, attribute names after ``.``, operators)."""
    if kind == "number":
        return "N"
    if kind == "string":
        return "S"
    if kind == "name" and previous != "." and text not in _KEPT_NAMES:
        return None
    return text


def _shape(line: Line) -> tuple[int, tuple[str, ...]]:
    """A line with every name made alike: given code is recognised even with its names changed."""
    depth, tokens = line
    previous = [""] + [text for _, text in tokens[:-1]]
    return depth, tuple(_placeholder(k, t, p) or "V" for (k, t), p in zip(tokens, previous, strict=True))


def answer_tokens(source: str, starter: str = "") -> list[str]:
    """The normalised tokens of one answer cell, its starter code subtracted.

    Parameters
    ----------
    source : str
        The student's cell.
    starter : str, optional
        The same cell as released to students (``exercises/``); each of its
        logical lines is removed once from the student's, also when the
        student changed its names (``def f(x):`` given, ``def f(value):`` kept).

    Returns
    -------
    list of str
        One indentation token (``"@0"``, ``"@1"``, …) per logical line, then its
        tokens: names as ``V1``, ``V2``, … in order of first appearance
        (keywords, built-ins and attribute names kept), numbers as ``N``, strings
        as ``S``, operators as they are.

    Examples
    --------
    >>> answer_tokens("total = rate * 60  # per hour")
    ['@0', 'V1', '=', 'V2', '*', 'N']
    >>> answer_tokens("def f(y):\\n    '''Doc.'''\\n    raise NotImplementedError()\\n",
    ...               "def f(x):\\n    raise NotImplementedError()\\n")
    []
    """
    return _own_tokens(source, _given(starter))


def _given(starter: str) -> Counter[tuple[int, tuple[str, ...]]]:
    """The shapes of a starter's lines, to subtract from answers."""
    return Counter(_shape(line) for line in _lines(starter))


def _own_tokens(source: str, given: Counter[tuple[int, tuple[str, ...]]]) -> list[str]:
    """:func:`answer_tokens` with the starter's shapes already counted (``given`` is used up)."""
    placeholders: dict[str, str] = {}
    out: list[str] = []
    for line in _lines(source):
        shape = _shape(line)
        if given[shape] > 0:
            given[shape] -= 1
            continue
        depth, tokens = line
        out.append(f"@{depth}")
        previous = ""
        for kind, text in tokens:
            shown = _placeholder(kind, text, previous)
            if shown is None:
                shown = placeholders.setdefault(text, f"V{len(placeholders) + 1}")
            out.append(shown)
            previous = text
        if len(out) > _MAX_TOKENS:
            break
    return out


# ----------------------------------------------------------------- comparing


def _fingerprints(cells: Mapping[str, Sequence[str]], k: int) -> Counter[int]:
    """Hashes of every ``k`` consecutive tokens of each cell (the whole cell if shorter)."""
    prints: Counter[int] = Counter()
    for cell, tokens in cells.items():
        if 0 < len(tokens) < k:
            prints[hash((cell, *tokens))] += 1
        for start in range(len(tokens) - k + 1):
            prints[hash((cell, *tokens[start : start + k]))] += 1
    return prints


def compare_answers(
    answers: Mapping[str, Mapping[str, str]],
    starters: Mapping[str, str] | None = None,
    options: SimilarityOptions | None = None,
) -> Similarity:
    """Find identical and near-identical answers.

    Parameters
    ----------
    answers : mapping of str to mapping of str to str
        Student id → answer cell key (``"notebook/grade_id"``) → source.
    starters : mapping of str to str, optional
        Answer cell key → starter code released to students.
    options : SimilarityOptions, optional
        Threshold and fingerprint settings.

    Returns
    -------
    Similarity
        The pairs at or above the threshold, most similar first (then by
        student id), and who was compared or had too little code of their own.

    Examples
    --------
    >>> code = "def area(w, h):\\n    s = w * h\\n    return s if s > 0 else -s\\n"
    >>> other = "def area(x, y):\\n    a = x * y  # renamed\\n    return a if a > 0 else -a\\n"
    >>> result = compare_answers({"ann": {"c": code}, "bob": {"c": other}, "cy": {"c": ""}},
    ...                          options=SimilarityOptions(min_tokens=10))
    >>> [(p.first, p.second, p.kind) for p in result.pairs], result.too_short
    ([('ann', 'bob', 'identical')], ['cy'])
    """
    options = options or SimilarityOptions()
    starters = starters or {}
    given = {key: _given(starter) for key, starter in starters.items()}
    streams: dict[str, dict[str, list[str]]] = {}
    result = Similarity(options=options)
    for student in sorted(answers):
        cells: dict[str, list[str]] = {}
        budget = _MAX_TOKENS
        for key in sorted(answers[student]):
            tokens = _own_tokens(answers[student][key], Counter(given.get(key, {})))[:budget]
            budget -= len(tokens)
            if tokens:
                cells[key] = tokens
        if sum(len(tokens) for tokens in cells.values()) < options.min_tokens:
            result.too_short.append(student)
        else:
            streams[student] = cells
    result.compared = list(streams)
    count = len(streams)
    limit = max(options.common * count, 4.0)  # more holders than this: the class's common answer
    # identical: equal normalised answers, unless most of the class has them
    groups: dict[tuple[tuple[str, tuple[str, ...]], ...], list[str]] = {}
    for student, cells in streams.items():
        answer = tuple((cell, tuple(tokens)) for cell, tokens in sorted(cells.items()))
        groups.setdefault(answer, []).append(student)
    identical: set[tuple[str, str]] = set()
    for members in groups.values():
        if 1 < len(members) <= limit:
            identical |= {(a, b) for i, a in enumerate(members) for b in members[i + 1 :]}
    # near-identical: Jaccard index of the fingerprints most of the class does not share
    prints = {student: _fingerprints(cells, options.k) for student, cells in streams.items()}
    holders: Counter[int] = Counter(h for counts in prints.values() for h in counts)
    common = {h for h, n in holders.items() if n > limit}
    sets: dict[str, frozenset[tuple[int, int]]] = {}
    least = max(options.min_tokens // 2, 1)
    for student, counts in prints.items():
        own = frozenset((h, i) for h, n in counts.items() if h not in common for i in range(n))
        if len(own) >= least:
            sets[student] = own
    pairs = [SimilarPair(a, b, 1.0, True) for a, b in sorted(identical)]
    ordered = sorted(sets, key=lambda s: (len(sets[s]), s))
    for i, first in enumerate(ordered):
        small = sets[first]
        for second in ordered[i + 1 :]:
            large = sets[second]
            if len(small) < options.threshold * len(large):
                break  # sorted by size: no later set can reach the threshold either
            a, b = sorted((first, second))
            if (a, b) in identical:
                continue
            shared = len(small & large)
            score = shared / (len(small) + len(large) - shared)
            if score >= options.threshold:
                pairs.append(SimilarPair(a, b, round(score, 4), False))
    result.pairs = sorted(pairs, key=lambda p: (-p.score, p.first, p.second))
    return result


# ----------------------------------------------------------------- reading notebooks


def _cells(path: Path) -> list[dict[str, object]]:
    """The cells of a notebook file, or none if it cannot be read."""
    with contextlib.suppress(OSError, ValueError, RecursionError):
        if path.is_symlink() or not path.is_file() or path.stat().st_size > _MAX_NOTEBOOK_BYTES:
            return []
        data = json.loads(path.read_bytes())
        cells = data.get("cells") if isinstance(data, dict) else None
        if isinstance(cells, list):
            return [cell for cell in cells if isinstance(cell, dict)]
    return []


def _code_cells(path: Path) -> dict[str, str]:
    """``grade_id`` → source of a notebook's code cells with nbgrader metadata (the last copy wins)."""
    found: dict[str, str] = {}
    for cell in _cells(path):
        metadata = cell.get("metadata")
        meta = metadata.get("nbgrader") if isinstance(metadata, dict) else None
        grade_id = meta.get("grade_id") if isinstance(meta, dict) else None
        if cell.get("cell_type") != "code" or not isinstance(grade_id, str):
            continue
        source = cell.get("source", "")
        if isinstance(source, list):
            source = "".join(part for part in source if isinstance(part, str))
        found[grade_id] = source[:_MAX_SOURCE] if isinstance(source, str) else ""
    return found


def _solution_ids(path: Path) -> list[str]:
    ids: list[str] = []
    for cell in _cells(path):
        metadata = cell.get("metadata")
        meta = metadata.get("nbgrader") if isinstance(metadata, dict) else None
        if isinstance(meta, dict) and meta.get("solution") and cell.get("cell_type") == "code":
            ids.append(str(meta.get("grade_id")))
    return ids


def _student_folders(course: Course, assignment: str) -> dict[str, list[Path]]:
    """Folders to read each student's notebooks from, the autograded one first."""
    folders: dict[str, list[Path]] = {}
    for folder in sorted(course.autograded.glob(f"*/{assignment}")):
        if folder.is_dir() and not folder.parent.name.startswith("."):
            folders.setdefault(folder.parent.name, []).append(folder)
    for student, folder in find_submissions(course, assignment).items():
        folders.setdefault(student, []).append(folder)
    return dict(sorted(folders.items()))


def answer_cells(course: Course, assignment: str) -> tuple[dict[str, dict[str, str]], dict[str, str]]:
    """Every student's answer cells and the starter code of each.

    Parameters
    ----------
    course : Course
        The course.
    assignment : str
        Assignment name.

    Returns
    -------
    answers : dict of str to dict of str to str
        Student id → ``"notebook/grade_id"`` → source, for each solution cell
        of the master found in the student's autograded notebook (or, if that
        notebook is missing, the submitted one).
    starters : dict of str to str
        ``"notebook/grade_id"`` → the cell as released in ``exercises/``.
    """
    masters = sorted((course.source / assignment).glob("*.ipynb"))
    solution = {path.stem: _solution_ids(path) for path in masters}
    starters: dict[str, str] = {}
    for notebook, ids in solution.items():
        released = _code_cells(course.release / assignment / f"{notebook}.ipynb")
        starters.update({f"{notebook}/{gid}": released[gid] for gid in ids if gid in released})
    answers: dict[str, dict[str, str]] = {}
    for student, folders in _student_folders(course, assignment).items():
        cells: dict[str, str] = {}
        for notebook, ids in solution.items():
            paths = [folder / f"{notebook}.ipynb" for folder in folders]
            found = next((_code_cells(path) for path in paths if path.is_file()), {})
            cells.update({f"{notebook}/{gid}": found[gid] for gid in ids if gid in found})
        answers[student] = cells
    return answers, starters


def find_similar(
    course: Course, assignment: str, options: SimilarityOptions | None = None
) -> Similarity:
    """Identical and near-identical submissions of an assignment.

    Parameters
    ----------
    course : Course
        The course.
    assignment : str
        Assignment name.
    options : SimilarityOptions, optional
        Threshold and fingerprint settings.

    Returns
    -------
    Similarity
        See :func:`compare_answers`.
    """
    answers, starters = answer_cells(course, assignment)
    return compare_answers(answers, starters, options)


def pair_rows(similarity: Similarity) -> Iterable[tuple[str, str, str, str]]:
    """``(first, second, score, kind)`` of each pair, the score with 3 decimals."""
    for pair in similarity.pairs:
        yield pair.first, pair.second, f"{pair.score:.3f}", pair.kind
