"""Collect submissions: from a folder per student, an LMS download (zip) or nbgrader's exchange."""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import logging
import os
import re
import shutil
import stat
import tempfile
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from mgcourse.grader.course import Course, course_directory

#: nbgrader's documented pattern for LMS downloads,
#: e.g. ``ps1_bitdiddle_attempt_2016-01-30-15-00-00_problem1.ipynb``.
DEFAULT_NAMED_REGEXP: Final = r".*_(?P<student_id>\w+)_attempt_(?P<timestamp>[0-9\-]+)_(?P<file_id>.*)"


_STUDENT_ID: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.@+-]{0,99}")


#: Limits on an archive and on one student's files [bytes, files].
_MAX_ARCHIVE_BYTES: Final = 2 * 1024**3


_MAX_MEMBER_BYTES: Final = 200 * 1024**2


_MAX_MEMBERS: Final = 20_000


_MAX_STUDENT_BYTES: Final = 200 * 1024**2


_IGNORED_NAMES: Final = ("__MACOSX", ".ipynb_checkpoints", "__pycache__", ".DS_Store", "Thumbs.db")


@dataclass
class CollectReport:
    """What :func:`collect` copied and what it left out.

    ``collected`` holds ``(student, files, status)`` with status ``new``,
    ``updated`` or ``unchanged``; ``skipped`` holds ``(item, reason)``;
    ``warnings`` holds remarks about collected files.
    """

    collected: list[tuple[str, list[str], str]] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _extract(archive: Path, dest: Path, report: CollectReport, depth: int = 0) -> None:
    """Extract a zip safely: no absolute paths, no ``..``, no links, bounded sizes."""
    try:
        handle = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError) as error:
        report.skipped.append((archive.name, f"not a readable zip archive ({error})"))
        return
    with handle:
        members = handle.infolist()
        if len(members) > _MAX_MEMBERS:
            report.skipped.append((archive.name, f"more than {_MAX_MEMBERS} files in the archive"))
            return
        total = sum(m.file_size for m in members)
        if total > _MAX_ARCHIVE_BYTES:
            report.skipped.append((archive.name, f"{total / 1e9:.1f} GB uncompressed is too large"))
            return
        for member in members:
            name = member.filename.replace("\\", "/")
            parts = [p for p in name.split("/") if p not in ("", ".")]
            if member.is_dir() or not parts:
                continue
            if name.startswith("/") or ".." in parts or re.match(r"[A-Za-z]:", name):
                report.skipped.append((f"{archive.name}:{name}", "unsafe path in the archive"))
                continue
            if stat.S_ISLNK(member.external_attr >> 16):
                report.skipped.append((f"{archive.name}:{name}", "symbolic link in the archive"))
                continue
            if member.file_size > _MAX_MEMBER_BYTES:
                report.skipped.append((f"{archive.name}:{name}", "file too large"))
                continue
            target = dest.joinpath(*parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            with handle.open(member) as src, target.open("wb") as out:
                shutil.copyfileobj(src, out)
            if target.suffix.lower() == ".zip":
                if depth >= 1:
                    report.skipped.append((f"{archive.name}:{name}", "archive nested too deeply"))
                else:
                    _extract(target, target.with_suffix(""), report, depth + 1)
                target.unlink()


def _parse_timestamp(text: str) -> datetime.datetime | None:
    from nbgrader.utils import parse_utc

    for attempt in (  # LMS names use 2016-01-30-15-00-00, which dateutil misreads
        lambda: datetime.datetime.strptime(text, "%Y-%m-%d-%H-%M-%S").replace(tzinfo=datetime.timezone.utc),
        lambda: parse_utc(text),
    ):
        with contextlib.suppress(ValueError, OverflowError, TypeError):
            value = attempt()
            if isinstance(value, datetime.datetime):
                return value
    return None


def _ignored(parts: Sequence[str]) -> bool:
    return any(part.startswith(".") or part in _IGNORED_NAMES for part in parts)


def _digest(files: dict[str, Path | bytes]) -> str:
    digest = hashlib.sha256()
    for name in sorted(files):
        value = files[name]
        digest.update(name.encode() + b"\0")
        digest.update(value if isinstance(value, bytes) else value.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def collect(
    course: Course, assignment: str, source: Path, *, named_regexp: str | None = None
) -> CollectReport:
    """Copy submissions into ``grading/submitted/<student>/<assignment>/``.

    Parameters
    ----------
    course : Course
        The course.
    assignment : str
        Assignment name.
    source : pathlib.Path
        A folder with one sub-folder per student (named by the student id,
        holding the notebook, possibly inside ``<assignment>/``), or a folder or
        zip archive of files named the LMS way, which nbgrader's
        ``FileNameCollectorPlugin`` recognises with ``named_regexp``.
    named_regexp : str, optional
        Regular expression with the groups ``student_id`` and ``file_id`` (and
        optionally ``timestamp``), applied to each file's absolute path. Defaults
        to ``FileNameCollectorPlugin.named_regexp`` of the course configuration,
        else :data:`DEFAULT_NAMED_REGEXP` (nbgrader's documented example).

    Returns
    -------
    CollectReport
        Students collected (new, updated or unchanged) and items skipped, with reasons.

    Raises
    ------
    FileNotFoundError
        If ``source`` does not exist.
    ValueError
        If ``named_regexp`` lacks the ``student_id`` or ``file_id`` group.

    Notes
    -----
    As nbgrader's ``zip_collect`` does, a student who uploaded the same file
    several times keeps the newest upload, and the submission time goes to
    ``timestamp.txt``. A student's existing submission is replaced only if
    the collected files differ.
    """
    from nbgrader.plugins import FileNameCollectorPlugin

    source = Path(source)
    if not source.exists():
        raise FileNotFoundError(f"source = {str(source)!r} does not exist")
    plugin = FileNameCollectorPlugin(config=course.nbgrader_config())
    quiet = logging.getLogger("mgcourse.collect")  # we report skipped files ourselves
    quiet.propagate = False
    if not quiet.handlers:
        quiet.addHandler(logging.NullHandler())
    plugin.log = quiet
    plugin.named_regexp = named_regexp or plugin.named_regexp or DEFAULT_NAMED_REGEXP
    groups = re.compile(plugin.named_regexp).groupindex
    if "student_id" not in groups or "file_id" not in groups:
        raise ValueError(
            f"named_regexp = {plugin.named_regexp!r} needs the groups "
            "(?P<student_id>...) and (?P<file_id>...)"
        )
    report = CollectReport()
    released = {
        p.name
        for folder in (course.release, course.source)
        for p in (folder / assignment).glob("*.ipynb")
    }
    # student → relative name → (file, timestamp)
    found: dict[str, dict[str, tuple[Path, datetime.datetime | None]]] = {}
    with tempfile.TemporaryDirectory(prefix="mgcourse-collect-") as tmp:
        if source.is_file():
            tree = Path(tmp)
            _extract(source, tree, report)
        else:
            tree = source
        paths: list[Path] = []
        for directory, folder_names, file_names in os.walk(tree, followlinks=False):
            paths += [Path(directory) / name for name in [*file_names, *folder_names]]
        for path in sorted(paths):
            parts = path.relative_to(tree).parts
            shown = "/".join(parts)
            if _ignored(parts):
                continue
            if path.is_symlink():
                report.skipped.append((shown, "symbolic link"))
                continue
            if not path.is_file():
                continue
            info = plugin.collect(str(path.resolve())) if path.suffix in plugin.valid_ext else None
            timestamp: datetime.datetime | None = None
            if info:
                student = str(info["student_id"])
                name = Path(str(info["file_id"])).name
                if info.get("timestamp"):
                    timestamp = _parse_timestamp(str(info["timestamp"]))
                    if timestamp is None:
                        report.warnings.append(f"{shown}: could not read the time {info['timestamp']!r}")
            elif len(parts) >= 2:
                student, inner = parts[0], list(parts[1:])
                if len(inner) > 1 and inner[0] == assignment:
                    inner = inner[1:]
                name = "/".join(inner)
            else:
                reason = "does not match the LMS naming pattern and is not in a student folder"
                report.skipped.append((shown, reason))
                continue
            if not _STUDENT_ID.fullmatch(student):
                report.skipped.append((shown, f"{student!r} is not a valid student id"))
                continue
            files = found.setdefault(student, {})
            previous = files.get(name)
            if previous is not None:
                if previous[1] is not None and (timestamp is None or timestamp < previous[1]):
                    report.skipped.append((shown, f"an upload of {name} with a later time was kept"))
                    continue
                earlier = previous[0].relative_to(tree).as_posix()
                report.skipped.append((earlier, f"a later upload of {name} was kept"))
            files[name] = (path, timestamp)
        submitted = course.submitted
        for student, files in sorted(found.items()):
            notebooks = sorted(name for name in files if name.endswith(".ipynb") and "/" not in name)
            if not notebooks:
                report.skipped.append((student, "no notebook among the files"))
                continue
            size = sum(path.stat().st_size for path, _ in files.values())
            if size > _MAX_STUDENT_BYTES:
                report.skipped.append((student, f"{size / 1e6:.0f} MB of files is too large"))
                continue
            for name in notebooks:
                if released and name not in released:
                    report.warnings.append(
                        f"{student}: {name} is not one of the assignment's notebooks "
                        f"({', '.join(sorted(released))})"
                    )
            times = [t for _, t in files.values() if t is not None]
            contents: dict[str, Path | bytes] = {name: path for name, (path, _) in files.items()}
            if times:
                stamp = max(times).astimezone(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f UTC")
                contents["timestamp.txt"] = stamp.encode()
            dest = submitted / student / assignment
            existing: dict[str, Path | bytes] = {
                (Path(d) / f).relative_to(dest).as_posix(): Path(d) / f
                for d, _, names in os.walk(dest) for f in names
            }
            if not dest.exists():
                status = "new"
            else:
                status = "unchanged" if _digest(existing) == _digest(contents) else "updated"
            if status != "unchanged":
                staging = dest.parent / f".{assignment}.collect"
                shutil.rmtree(staging, ignore_errors=True)
                for name, value in contents.items():
                    target = staging / name
                    target.parent.mkdir(parents=True, exist_ok=True)
                    if isinstance(value, bytes):
                        target.write_bytes(value)
                    else:
                        shutil.copyfile(value, target)
                if dest.exists():
                    shutil.rmtree(dest)
                os.rename(staging, dest)
            report.collected.append((student, sorted(contents), status))
    return report


def collect_exchange(course: Course, assignment: str, *, exchange: Path | None = None) -> CollectReport:
    """Collect the submissions students handed in through nbgrader's exchange.

    On a JupyterHub with nbgrader's exchange, students submit from the
    Assignments tab (or ``nbgrader submit``); each submission lands in
    ``<exchange>/<course_id>/inbound/<student>+<assignment>+<time>+<random>/``.
    nbgrader's ``ExchangeCollect`` picks each student's newest submission (or,
    with ``ExchangeCollect.before_duedate``, the newest before the due date);
    its files then go through :func:`collect`, with the same checks, and the
    exchange's ``timestamp.txt`` comes along, so late submissions are known.

    Parameters
    ----------
    course : Course
        The course (its configuration names ``CourseDirectory.course_id`` and,
        with ``Exchange.root``, the exchange folder).
    assignment : str
        Assignment name.
    exchange : pathlib.Path, optional
        Exchange folder; defaults to the course's ``Exchange.root``.

    Returns
    -------
    CollectReport
        As :func:`collect`; a submission whose folder is not owned by the
        student it claims to be from gets a warning.

    Raises
    ------
    FileNotFoundError
        If the exchange has no inbound folder for the course, or it cannot be read.
    """
    import pwd

    from nbgrader.auth import Authenticator
    from nbgrader.exchange import ExchangeError
    from nbgrader.exchange.default import ExchangeCollect

    config = course.nbgrader_config()
    if exchange is not None:
        config.Exchange.root = str(exchange)
    coursedir = course_directory(config, assignment, student="")
    selector = ExchangeCollect(coursedir=coursedir, authenticator=Authenticator(config=config), config=config)
    selector.log = logging.getLogger("mgcourse.collect")
    try:
        selector.init_src()
    except ExchangeError as error:
        raise FileNotFoundError(f"exchange = {str(selector.root)!r}: {error}") from None
    me = pwd.getpwuid(os.getuid()).pw_name  # submissions owned by the instructor are not suspicious
    warnings: list[str] = []
    skipped: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory(prefix="mgcourse-exchange-") as tmp:
        tree = Path(tmp)
        for record in selector.src_records:
            folder = Path(selector.inbound_path) / str(record["filename"])
            student = str(record["username"])
            try:
                owner = pwd.getpwuid(folder.stat().st_uid).pw_name
            except (KeyError, OSError):
                owner = "an unknown user"
            if owner not in (student, me):
                warnings.append(f"{student}: the submission {folder.name} is owned by {owner}")
            if not _STUDENT_ID.fullmatch(student):
                skipped.append((folder.name, f"{student!r} is not a valid student id"))
                continue
            shutil.copytree(folder, tree / student, symlinks=True,
                            ignore=shutil.ignore_patterns(*_IGNORED_NAMES))
        report = collect(course, assignment, tree)
    report.warnings = warnings + report.warnings
    report.skipped = skipped + report.skipped
    return report

