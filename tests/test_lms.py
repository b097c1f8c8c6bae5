"""Grades into the LMS: Canvas and Moodle import files, and LTI 1.3 grade passback end to end.

The tiny course (``fixtures/submissions.py``) is graded once: ann full marks,
ben the wrong answer, cat blank; dan is enrolled but never submitted. The LTI
tests run a small LTI 1.3 platform on 127.0.0.1 (:class:`Platform`): its key
set (JWKS), a signed launch (``id_token``), an OAuth 2 token endpoint that
checks the tool's client-credentials JWT against the tool's public key, and
Assignment and Grade Services (line items, scores, results) that require the
token. ``mgcourse lti`` must get every score into it and read them back.
"""

from __future__ import annotations

import csv
import json
import secrets
import shutil
import threading
import time
import urllib.parse
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import jwt
import nbformat
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from fixtures.submissions import ADD_TWO, ASSIGNMENT, filled, make_course, with_answer, write
from mgcourse.grader.cli import main
from mgcourse.grader.course import Course
from mgcourse.grader.lms import (
    CANVAS_COLUMNS,
    MOODLE_COLUMNS,
    LtiPlatform,
    read_scores,
    send_scores,
    validate_launch,
    write_canvas_csv,
    write_moodle_csv,
)
from mgcourse.grader.release import release
from mgcourse.grader.results import GradeOptions
from mgcourse.grader.runner import grade_assignment

pytestmark = pytest.mark.filterwarnings("ignore:Object of type <Submitted:sqlalchemy.exc.SAWarning")

#: (first name, last name, e-mail, LMS user id) by student id; "=cmd" and "+Okafor" must stay text.
PEOPLE = {
    "ann": ("Ann", "Lee", "ann@example.org", "lti-user-ann"),
    "ben": ("=cmd", "+Okafor", "ben@example.org", "lti-user-ben"),
    "cat": ("Cat", "Diaz", "cat@example.org", ""),
    "dan": ("Dan", "Wu", "dan@example.org", "lti-user-dan"),
}
SCORES = {"ann": 3.0, "ben": 1.0, "cat": 0.0}
MAXIMUM = 3.0


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_course(tmp_path_factory.mktemp("lms") / "course")
    release(Course.load(root), ASSIGNMENT)
    student = nbformat.read(str(root / "exercises" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"), as_version=4)
    for sid, nb in (("ann", filled(student)), ("ben", with_answer(student, "double_solution", ADD_TWO)),
                    ("cat", student)):
        write(root / "grading" / "submitted" / sid / ASSIGNMENT, nb)
    options = GradeOptions(timeout=30, memory_mb=1000)
    results = grade_assignment(Course.load(root), ASSIGNMENT, options=options)
    assert {r.student: r.score for r in results} == SCORES
    with Course.load(root).gradebook() as gradebook:
        for sid, (first, last, email, lms_id) in PEOPLE.items():
            gradebook.update_or_create_student(sid, first_name=first, last_name=last, email=email,
                                               lms_user_id=lms_id or None)
    return root


def read_csv(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


# ======================================================================= CSV files


def test_canvas_csv_has_canvas_import_columns_and_scores(graded: Path, tmp_path: Path) -> None:
    rows = read_csv(write_canvas_csv(Course.load(graded), ASSIGNMENT, tmp_path / "canvas.csv",
                                     column="Tiny (4242)"))
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "Tiny (4242)"]
    assert rows[0][:5] == list(CANVAS_COLUMNS)
    assert rows[1][0].strip() == "Points Possible" and rows[1][5] == "3"
    body = {row[2]: row for row in rows[2:]}
    assert set(body) == set(PEOPLE)
    assert body["ann"] == ["Lee, Ann", "lti-user-ann", "ann", "ann@example.org", "", "3"]
    assert body["ben"][0] == "'+Okafor, =cmd"  # never a formula
    assert {sid: row[5] for sid, row in body.items()} == {"ann": "3", "ben": "1", "cat": "0", "dan": ""}


def test_moodle_csv_has_identifier_and_grade_columns(graded: Path, tmp_path: Path) -> None:
    rows = read_csv(write_moodle_csv(Course.load(graded), ASSIGNMENT, tmp_path / "moodle.csv"))
    assert rows[0] == [*MOODLE_COLUMNS, ASSIGNMENT]
    body = {row[2]: row for row in rows[1:]}
    assert body["ann"] == ["Ann", "Lee", "ann", "ann@example.org", "3"]
    assert body["ben"][:2] == ["'=cmd", "'+Okafor"]
    assert {sid: row[4] for sid, row in body.items()} == {"ann": "3", "ben": "1", "cat": "0", "dan": ""}


def test_report_command_writes_both_lms_files(graded: Path, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "course"
    shutil.copytree(graded, root)
    assert main(["--root", str(root), "report", ASSIGNMENT, "--out", str(tmp_path / "out")]) == 0
    out = capsys.readouterr().out
    canvas = tmp_path / "out" / f"{ASSIGNMENT}-canvas.csv"
    moodle = tmp_path / "out" / f"{ASSIGNMENT}-moodle.csv"
    assert f"Canvas import: {canvas}" in out and f"Moodle import: {moodle}" in out
    assert read_csv(canvas)[0][-1] == ASSIGNMENT and read_csv(moodle)[0][-1] == ASSIGNMENT


# ======================================================================= an LTI 1.3 platform on 127.0.0.1


def _private_pem(key: rsa.RSAPrivateKey) -> str:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()


class Platform(ThreadingHTTPServer):
    """The platform's state: keys, the registered tool, issued tokens, line items and scores."""

    client_id = "mgcourse-tool"
    deployment_id = "deployment-1"

    def __init__(self, tool_public_pem: str) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = "platform-key-1"
        self.tool_public_pem = tool_public_pem
        self.tokens: dict[str, set[str]] = {}  # access token → scopes
        self.lineitems: list[dict[str, Any]] = []
        self.scores: dict[str, dict[str, dict[str, Any]]] = {}  # line item id → user id → score
        self.assertions: set[str] = set()  # jti of client assertions, each usable once

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    @property
    def issuer(self) -> str:
        return self.base

    def jwks(self) -> dict[str, Any]:
        jwk = json.loads(RSAAlgorithm.to_jwk(self.key.public_key()))
        jwk.update(kid=self.kid, alg="RS256", use="sig")
        return {"keys": [jwk]}

    def launch(self, *, key: rsa.RSAPrivateKey | None = None, audience: str | None = None) -> str:
        """A signed resource-link launch for the student ann, with the AGS claim."""
        now = int(time.time())
        claims = {
            "iss": self.issuer, "aud": audience or self.client_id, "sub": "lti-user-ann", "iat": now,
            "exp": now + 300, "nonce": secrets.token_hex(8),
            "https://purl.imsglobal.org/spec/lti/claim/version": "1.3.0",
            "https://purl.imsglobal.org/spec/lti/claim/message_type": "LtiResourceLinkRequest",
            "https://purl.imsglobal.org/spec/lti/claim/deployment_id": self.deployment_id,
            "https://purl.imsglobal.org/spec/lti/claim/resource_link": {"id": "link-1"},
            "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint": {
                "scope": ["https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
                          "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
                          "https://purl.imsglobal.org/spec/lti-ags/scope/score"],
                "lineitems": f"{self.base}/lineitems",
            },
        }
        return jwt.encode(claims, key or self.key, algorithm="RS256", headers={"kid": self.kid})


class Handler(BaseHTTPRequestHandler):
    server: Platform

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def reply(self, status: int, body: object, content_type: str = "application/json") -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length", 0)))

    def authorised(self, scope: str) -> bool:
        token = self.headers.get("Authorization", "").removeprefix("Bearer ")
        if scope not in self.server.tokens.get(token, set()):
            self.reply(401, {"error": "invalid or missing access token"})
            return False
        return True

    def do_GET(self) -> None:
        path = urllib.parse.urlsplit(self.path).path
        if path == "/jwks":
            self.reply(200, self.server.jwks())
        elif path == "/lineitems":
            if self.authorised("https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"):
                self.reply(200, self.server.lineitems, "application/vnd.ims.lis.v2.lineitemcontainer+json")
        elif path.startswith("/lineitems/") and path.endswith("/results"):
            if self.authorised("https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly"):
                lineitem = self.server.base + path.removesuffix("/results")
                results = [
                    {"id": f"{lineitem}/results/{user}", "scoreOf": lineitem, "userId": user,
                     "resultScore": score["scoreGiven"], "resultMaximum": score["scoreMaximum"]}
                    for user, score in self.server.scores.get(lineitem, {}).items()
                ]
                self.reply(200, results, "application/vnd.ims.lis.v2.resultcontainer+json")
        else:
            self.reply(404, {"error": path})

    def do_POST(self) -> None:
        path = urllib.parse.urlsplit(self.path).path
        if path == "/token":
            self.token(urllib.parse.parse_qs(self.body().decode()))
        elif path == "/lineitems":
            if self.authorised("https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"):
                item = json.loads(self.body())
                item["id"] = f"{self.server.base}/lineitems/{len(self.server.lineitems) + 1}"
                self.server.lineitems.append(item)
                self.reply(201, item, "application/vnd.ims.lis.v2.lineitem+json")
        elif path.startswith("/lineitems/") and path.endswith("/scores"):
            if self.headers.get("Content-Type") != "application/vnd.ims.lis.v1.score+json":
                self.reply(415, {"error": "scores are application/vnd.ims.lis.v1.score+json"})
            elif self.authorised("https://purl.imsglobal.org/spec/lti-ags/scope/score"):
                score = json.loads(self.body())
                lineitem = self.server.base + path.removesuffix("/scores")
                assert score["activityProgress"] == "Completed" and score["gradingProgress"] == "FullyGraded"
                self.server.scores.setdefault(lineitem, {})[score["userId"]] = score
                self.reply(200, {})
        else:
            self.reply(404, {"error": path})

    def token(self, form: dict[str, list[str]]) -> None:
        """OAuth 2 client credentials with a JWT signed by the tool's registered key."""
        try:
            assert form["grant_type"] == ["client_credentials"]
            assert form["client_assertion_type"] == ["urn:ietf:params:oauth:client-assertion-type:jwt-bearer"]
            claims = jwt.decode(
                form["client_assertion"][0], self.server.tool_public_pem, algorithms=["RS256"],
                audience=f"{self.server.base}/token", issuer=self.server.client_id,
            )
            assert claims["sub"] == self.server.client_id and claims["jti"] not in self.server.assertions
        except (AssertionError, KeyError, jwt.PyJWTError) as error:
            self.reply(400, {"error": "invalid_client", "detail": str(error)})
            return
        self.server.assertions.add(claims["jti"])
        token = secrets.token_hex(16)
        scopes = form.get("scope", [""])[0].split()
        self.server.tokens[token] = set(scopes)
        self.reply(200, {"access_token": token, "token_type": "Bearer", "expires_in": 3600,
                         "scope": " ".join(scopes)})


@pytest.fixture(scope="module")
def tool_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def platform(tool_key: rsa.RSAPrivateKey, monkeypatch: pytest.MonkeyPatch) -> Iterator[Platform]:
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    public = tool_key.public_key().public_bytes(serialization.Encoding.PEM,
                                                serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    server = Platform(public)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def settings(platform: Platform, tool_key: rsa.RSAPrivateKey) -> LtiPlatform:
    return LtiPlatform(platform.issuer, platform.client_id, f"{platform.base}/token", f"{platform.base}/jwks",
                       _private_pem(tool_key), deployment_id=platform.deployment_id)


def test_lti_scores_round_trip(graded: Path, platform: Platform, tool_key: rsa.RSAPrivateKey) -> None:
    tool = validate_launch(settings(platform, tool_key), platform.launch())
    assert tool.lineitems_url == f"{platform.base}/lineitems"
    report = send_scores(Course.load(graded), ASSIGNMENT, tool)
    assert sorted(report.sent) == sorted(SCORES) and report.not_graded == ["dan"]
    [lineitem] = platform.lineitems
    assert lineitem["tag"] == ASSIGNMENT and lineitem["scoreMaximum"] == MAXIMUM
    expected = {"lti-user-ann": 3.0, "lti-user-ben": 1.0, "cat": 0.0}  # cat has no LMS id: her student id
    stored = platform.scores[lineitem["id"]]
    assert {user: score["scoreGiven"] for user, score in stored.items()} == expected
    assert {score["scoreMaximum"] for score in stored.values()} == {MAXIMUM}
    assert read_scores(tool, ASSIGNMENT) == expected  # read back through the results service
    again = send_scores(Course.load(graded), ASSIGNMENT, tool)  # the line item is found, not duplicated
    assert again.lineitem == lineitem["id"] and len(platform.lineitems) == 1


def test_lti_command_sends_scores_from_a_launch(graded: Path, platform: Platform, tool_key: rsa.RSAPrivateKey,
                                                tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tool = settings(platform, tool_key)
    config = tmp_path / "platform.json"
    config.write_text(json.dumps({name: getattr(tool, name) for name in tool.__dataclass_fields__}))
    launch = tmp_path / "launch.jwt"
    launch.write_text(platform.launch())
    argv = ["--root", str(graded), "lti", ASSIGNMENT, "--platform", str(config), "--launch", str(launch),
            "--student", "ann"]
    assert main(argv) == 0
    assert "scores sent: 1" in capsys.readouterr().out
    assert {u: s["scoreGiven"] for u, s in platform.scores[platform.lineitems[0]["id"]].items()} == {
        "lti-user-ann": 3.0}


def test_launch_signed_by_another_key_or_for_another_tool_is_refused(
        platform: Platform, tool_key: rsa.RSAPrivateKey) -> None:
    tool = settings(platform, tool_key)
    forged = platform.launch(key=rsa.generate_private_key(public_exponent=65537, key_size=2048))
    with pytest.raises(ValueError, match="Signature verification failed"):
        validate_launch(tool, forged)
    with pytest.raises(ValueError, match="Audience"):
        validate_launch(tool, platform.launch(audience="another-tool"))


def test_tool_with_an_unregistered_key_gets_no_token(graded: Path, platform: Platform,
                                                    tool_key: rsa.RSAPrivateKey, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    impostor = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    tool = validate_launch(settings(platform, impostor), platform.launch())
    config = tmp_path / "platform.json"
    config.write_text(json.dumps({name: getattr(tool, name) for name in tool.__dataclass_fields__}))
    assert main(["--root", str(graded), "lti", ASSIGNMENT, "--platform", str(config)]) == 1
    assert "invalid_client" in capsys.readouterr().err
    assert not platform.scores and not platform.lineitems
