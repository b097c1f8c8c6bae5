"""Grades into the learning-management system: Canvas and Moodle import files, LTI 1.3 grade passback.

* :func:`write_canvas_csv` writes Canvas's gradebook import format: the columns
  ``Student``, ``ID``, ``SIS User ID``, ``SIS Login ID``, ``Section``, then one
  column for the assignment, with the ``Points Possible`` row Canvas's own
  export has. Canvas matches a row to a student by its ``ID`` (Canvas's user
  id: nbgrader's ``lms_user_id``), ``SIS User ID`` (the nbgrader student id) or
  ``SIS Login ID`` (the e-mail address).
* :func:`write_moodle_csv` writes a file for Moodle's "Import grades from CSV
  file": identifier columns (``ID number`` is the nbgrader student id, ``Email
  address``) to map to a user field, and the grade column.
* :func:`send_scores` posts every score to an LTI 1.3 platform through
  Assignment and Grade Services with ``pylti1p3`` (tool side): it finds or
  creates the assignment's line item and posts one score per student, whose LTI
  user id is nbgrader's ``lms_user_id`` (or, failing that, the student id).

The score is the gradebook's, after any late penalty; a submission that was
never graded has an empty grade (Canvas and Moodle then leave the grade alone)
and is not sent over LTI.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from mgcourse.grader.course import Course
from mgcourse.grader.report import grade_rows, spreadsheet_text

__all__ = [
    "CANVAS_COLUMNS",
    "MOODLE_COLUMNS",
    "LtiPlatform",
    "LtiReport",
    "StudentGrade",
    "lms_grades",
    "read_scores",
    "send_scores",
    "validate_launch",
    "write_canvas_csv",
    "write_moodle_csv",
]

#: The identifying columns of Canvas's gradebook import, in Canvas's order.
CANVAS_COLUMNS: Final = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
#: The identifying columns written for Moodle's CSV grade import.
MOODLE_COLUMNS: Final = ("First name", "Last name", "ID number", "Email address")


@dataclass(frozen=True)
class StudentGrade:
    """One student's final score and what an LMS identifies the student by."""

    student_id: str
    first_name: str
    last_name: str
    email: str
    lms_user_id: str
    score: float | None  # after the late penalty [points]; None if not graded
    max_score: float  # [points]

    @property
    def display_name(self) -> str:
        """``Last, First`` as Canvas sorts names, else the student id."""
        names = [n for n in (self.last_name, self.first_name) if n]
        return ", ".join(names) if names else self.student_id


def lms_grades(course: Course, assignment: str) -> list[StudentGrade]:
    """Every student of the gradebook with the score of ``assignment`` (sorted by student id)."""
    master, rows, _ = grade_rows(course, assignment)
    scores = {row.student_id: row.score for row in rows}
    grades: list[StudentGrade] = []
    with course.gradebook() as gradebook:
        for student in gradebook.students:
            sid = str(student.id)
            grades.append(StudentGrade(
                sid, str(student.first_name or ""), str(student.last_name or ""), str(student.email or ""),
                str(student.lms_user_id or ""), scores.get(sid), master.max_score,
            ))
    return sorted(grades, key=lambda g: g.student_id)


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def write_canvas_csv(course: Course, assignment: str, path: Path, *, column: str | None = None) -> Path:
    """Write Canvas's gradebook import CSV for ``assignment``.

    Parameters
    ----------
    course : Course
        The course.
    assignment : str
        Assignment name.
    path : pathlib.Path
        Output file.
    column : str, optional
        Header of the grade column: the assignment's name in Canvas, best with
        Canvas's id in brackets, e.g. ``"Assignment 1 (12345)"`` (default: the
        assignment name; Canvas then offers to create a new assignment).

    Returns
    -------
    pathlib.Path
        The file written.
    """
    grades = lms_grades(course, assignment)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow([*CANVAS_COLUMNS, column or assignment])
        top = grades[0].max_score if grades else 0.0
        writer.writerow(["    Points Possible", "", "", "", "", _number(top)])
        for grade in grades:
            writer.writerow([
                spreadsheet_text(grade.display_name), spreadsheet_text(grade.lms_user_id),
                spreadsheet_text(grade.student_id), spreadsheet_text(grade.email), "", _number(grade.score),
            ])
    return path


def write_moodle_csv(course: Course, assignment: str, path: Path, *, column: str | None = None) -> Path:
    """Write a CSV for Moodle's "Import grades from CSV file" (map ``ID number`` or ``Email address``).

    Parameters are those of :func:`write_canvas_csv`; ``column`` defaults to the
    assignment name.
    """
    grades = lms_grades(course, assignment)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow([*MOODLE_COLUMNS, column or assignment])
        for grade in grades:
            writer.writerow([
                spreadsheet_text(grade.first_name), spreadsheet_text(grade.last_name),
                spreadsheet_text(grade.student_id), spreadsheet_text(grade.email), _number(grade.score),
            ])
    return path


# ======================================================================= LTI 1.3 grade passback


@dataclass(frozen=True)
class LtiPlatform:
    """The tool's registration with an LTI 1.3 platform (what the platform's administrator gives).

    Parameters
    ----------
    issuer : str
        The platform's issuer (``iss``), e.g. ``https://canvas.instructure.com``.
    client_id : str
        This tool's client id on the platform.
    auth_token_url : str
        The platform's OAuth 2 token endpoint.
    key_set_url : str
        The platform's public keys (JWKS).
    private_key : str
        This tool's private key (PEM); the platform knows its public half.
    lineitems_url : str, optional
        The course's line items endpoint; :func:`validate_launch` reads it from a
        launch's Assignment and Grade Services claim.
    deployment_id : str
        The deployment id a launch must carry.
    auth_audience : str, optional
        Audience of the client-credentials JWT, if not the token URL.
    """

    issuer: str
    client_id: str
    auth_token_url: str
    key_set_url: str
    private_key: str
    lineitems_url: str = ""
    deployment_id: str = "1"
    auth_audience: str | None = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> LtiPlatform:
        """From a JSON object with these fields; a missing one raises ``ValueError`` naming it."""
        names = ("issuer", "client_id", "auth_token_url", "key_set_url", "private_key")
        missing = [name for name in names if not data.get(name)]
        if missing:
            raise ValueError(f"LTI platform settings: missing {', '.join(missing)}")
        known = {f for f in cls.__dataclass_fields__}
        return cls(**{k: str(v) for k, v in data.items() if k in known and v is not None})

    @classmethod
    def load(cls, path: Path) -> LtiPlatform:
        """Read the settings from a JSON file."""
        return cls.from_json(json.loads(Path(path).read_text(encoding="utf-8")))


@dataclass
class LtiReport:
    """What :func:`send_scores` did."""

    lineitem: str
    sent: list[str] = field(default_factory=list)  # student ids
    not_graded: list[str] = field(default_factory=list)


_SCOPES: Final = (
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
    "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/score",
)


_CLAIM: Final = "https://purl.imsglobal.org/spec/lti/claim/"
_AGS_CLAIM: Final = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"


def validate_launch(platform: LtiPlatform, id_token: str) -> LtiPlatform:
    """Check a launch's ``id_token`` and return ``platform`` with the launch's line items URL.

    The token must be signed (RS256) by a key of the platform's key set, be
    issued by ``platform.issuer`` to this tool (``aud`` is the client id), be
    current, carry a nonce, an LTI 1.3 resource-link launch for the configured
    deployment, and an Assignment and Grade Services claim with a line items URL.

    Raises
    ------
    ValueError
        Naming the claim that is missing or wrong (a bad signature included).
    """
    import jwt

    try:
        key = jwt.PyJWKClient(platform.key_set_url).get_signing_key_from_jwt(id_token)
        claims: dict[str, Any] = jwt.decode(
            id_token, key.key, algorithms=["RS256"], audience=platform.client_id, issuer=platform.issuer,
            options={"require": ["exp", "iat", "iss", "aud", "sub", "nonce"]},
        )
    except jwt.PyJWTError as error:
        raise ValueError(f"LTI launch id_token rejected: {error}") from None
    expected = {
        "version": "1.3.0", "message_type": "LtiResourceLinkRequest", "deployment_id": platform.deployment_id,
    }
    for name, value in expected.items():
        if claims.get(_CLAIM + name) != value:
            raise ValueError(f"LTI launch claim {name} = {claims.get(_CLAIM + name)!r}: expected {value!r}")
    ags = claims.get(_AGS_CLAIM)
    if not isinstance(ags, dict) or not isinstance(ags.get("lineitems"), str):
        raise ValueError("LTI launch has no Assignment and Grade Services claim with a lineitems URL: "
                         "enable grade passback for this tool on the platform")
    return dataclasses.replace(platform, lineitems_url=ags["lineitems"])


def ags_service(platform: LtiPlatform) -> Any:
    """pylti1p3's Assignment and Grade Services client for ``platform``."""
    from pylti1p3.assignments_grades import AssignmentsGradesService
    from pylti1p3.registration import Registration
    from pylti1p3.service_connector import ServiceConnector

    registration = (
        Registration().set_issuer(platform.issuer).set_client_id(platform.client_id)
        .set_auth_token_url(platform.auth_token_url).set_key_set_url(platform.key_set_url)
        .set_tool_private_key(platform.private_key)
    )
    if platform.auth_audience:
        registration.set_auth_audience(platform.auth_audience)
    connector = ServiceConnector(registration)
    return AssignmentsGradesService(connector, {"scope": list(_SCOPES), "lineitems": platform.lineitems_url})


def send_scores(course: Course, assignment: str, platform: LtiPlatform, *, label: str | None = None,
                students: Sequence[str] | None = None) -> LtiReport:
    """Post every graded student's score of ``assignment`` to the platform's gradebook.

    The line item is found by its tag (the assignment name) or created with
    the assignment's maximum score. Each score is sent with ``activityProgress``
    ``Completed`` and ``gradingProgress`` ``FullyGraded``.

    Parameters
    ----------
    course : Course
        The course.
    assignment : str
        Assignment name.
    platform : LtiPlatform
        The platform's registration.
    label : str, optional
        Label of a new line item (default: the assignment name).
    students : sequence of str, optional
        Send only these student ids.
    """
    from pylti1p3.grade import Grade
    from pylti1p3.lineitem import LineItem

    if not platform.lineitems_url:
        raise ValueError("LTI platform settings: no lineitems_url; give it, or a launch id_token to "
                         "read it from")
    grades = [g for g in lms_grades(course, assignment) if students is None or g.student_id in set(students)]
    service = ags_service(platform)
    top = grades[0].max_score if grades else 0.0
    wanted = LineItem().set_tag(assignment).set_label(label or assignment).set_score_maximum(top)
    lineitem = service.find_or_create_lineitem(wanted, find_by="tag")
    report = LtiReport(str(lineitem.get_id()))
    stamp = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="milliseconds")
    for grade in grades:
        if grade.score is None:
            report.not_graded.append(grade.student_id)
            continue
        score = (
            Grade().set_score_given(grade.score).set_score_maximum(grade.max_score).set_timestamp(stamp)
            .set_activity_progress("Completed").set_grading_progress("FullyGraded")
            .set_user_id(grade.lms_user_id or grade.student_id)
        )
        service.put_grade(score, lineitem)
        report.sent.append(grade.student_id)
    return report


def read_scores(platform: LtiPlatform, assignment: str) -> dict[str, float]:
    """The scores the platform holds for the assignment's line item, by LTI user id."""
    service = ags_service(platform)
    lineitem = service.find_lineitem_by_tag(assignment)
    if lineitem is None:
        return {}
    return {str(r["userId"]): float(r["resultScore"]) for r in service.get_grades(lineitem)
            if r.get("resultScore") is not None}
