"""A throwaway PostgreSQL server for tests, started from Debian's server binaries.

:func:`postgres_server` runs ``initdb`` in a fresh temporary folder, starts the
server on a free port of 127.0.0.1 only (its Unix socket also lives in that
folder, never in ``/var/run/postgresql``) with trust authentication, and on exit
stops it (``pg_ctl stop -m fast``) and deletes the folder, whatever happened in
between. The server binaries come from ``scripts/install-system-deps.sh``
(Debian's ``postgresql`` package, ``/usr/lib/postgresql/<version>/bin``).

PostgreSQL refuses to run as root, so under root every server command runs as
the ``postgres`` system user (``runuser -u postgres --``), which then owns the
folder. Durability is switched off (``fsync``, ``synchronous_commit``,
``full_page_writes``): the data lives only as long as the tests. Each caller
gets its own empty database from :meth:`PostgresServer.create_database`.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

#: Where Debian installs the server binaries, one folder per major version.
DEBIAN_ROOT = Path("/usr/lib/postgresql")
#: Set to a folder holding the server binaries to use others than Debian's.
BIN_ENV = "MGCOURSE_PG_BIN"
INSTALL_HINT = (
    "the PostgreSQL server binaries (initdb, postgres, pg_ctl, pg_isready) are missing: install Debian's "
    "postgresql package with `sudo bash scripts/install-system-deps.sh` "
    f"(or set {BIN_ENV} to the folder holding them)"
)
SUPERUSER = "postgres"
_START_ATTEMPTS = 3  # a free port can be taken between choosing it and binding it
_TIMEOUT = 60  # [s] for initdb, start and stop
_TOOLS = ("initdb", "postgres", "pg_ctl", "pg_isready")


def find_binaries() -> Path:
    """Folder of the server binaries: ``$MGCOURSE_PG_BIN`` or the newest Debian version.

    Calls :func:`pytest.fail` (never skip), naming ``scripts/install-system-deps.sh``,
    if there is none.
    """
    env = os.environ.get(BIN_ENV)
    candidates = [Path(env)] if env else []

    def version(folder: Path) -> tuple[int, ...]:
        return tuple(int(part) for part in re.findall(r"\d+", folder.parent.name))

    installed = (path.parent for path in DEBIAN_ROOT.glob("*/bin/initdb"))
    candidates += sorted(installed, key=version, reverse=True)
    for folder in candidates:
        if all(os.access(folder / tool, os.X_OK) for tool in _TOOLS):
            return folder
    pytest.fail(INSTALL_HINT, pytrace=False)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class PostgresServer:
    """A running throwaway server; :meth:`create_database` gives SQLAlchemy URLs."""

    bin: Path
    folder: Path
    port: int = 0
    process: subprocess.Popen[bytes] | None = None

    @property
    def data(self) -> Path:
        return self.folder / "data"

    @property
    def log(self) -> Path:
        return self.folder / "server.log"

    def version(self) -> str:
        return self.run("postgres", "--version").stdout.strip()

    def url(self, database: str) -> str:
        """SQLAlchemy URL of ``database`` on this server (TCP on 127.0.0.1, trust auth).

        The driver is spelled out: SQLAlchemy 2.1 maps a bare ``postgresql://`` to
        psycopg 3, while the course's toolchain installs psycopg2.
        """
        return f"postgresql+psycopg2://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def run(self, tool: str, *args: str) -> subprocess.CompletedProcess[str]:
        """Run a server binary, as the ``postgres`` user under root; raise with its output on failure."""
        cmd = self._command(tool, *args)
        proc = subprocess.run(
            cmd, cwd=self.folder, capture_output=True, text=True, timeout=_TIMEOUT, check=False
        )
        if proc.returncode != 0:
            raise RuntimeError(
                f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stdout}{proc.stderr}\n"
                f"{self._log_tail()}"
            )
        return proc

    def initdb(self) -> None:
        self.run(
            "initdb", "--pgdata", str(self.data), "--username", SUPERUSER, "--auth", "trust",
            "--encoding", "UTF8", "--no-locale", "--no-sync", "--no-instructions",
        )

    def _command(self, tool: str, *args: str) -> list[str]:
        cmd = [str(self.bin / tool), *args]
        return ["runuser", "-u", SUPERUSER, "--", *cmd] if os.geteuid() == 0 else cmd

    def _log_tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:] if self.log.exists() else ""

    def start(self) -> None:
        """Start on a free port of 127.0.0.1, trying a new port if the chosen one was taken.

        The server is a child of this process (not daemonised by ``pg_ctl start``), so
        :meth:`stop` reaps it and no zombie is left behind where PID 1 does not reap.
        """
        for _ in range(_START_ATTEMPTS):
            self.port = _free_port()
            cmd = self._command(
                "postgres", "-D", str(self.data), "-p", str(self.port),
                "-c", "listen_addresses=127.0.0.1", "-c", f"unix_socket_directories={self.folder}",
                "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
            )
            with self.log.open("ab") as log:
                self.process = subprocess.Popen(
                    cmd, cwd=self.folder, stdin=subprocess.DEVNULL, stdout=log, stderr=log
                )
            deadline = time.monotonic() + _TIMEOUT
            while self.process.poll() is None and time.monotonic() < deadline:
                ready = subprocess.run(
                    [str(self.bin / "pg_isready"), "-q", "-h", "127.0.0.1", "-p", str(self.port)],
                    check=False,
                )
                if ready.returncode == 0:
                    return
                time.sleep(0.1)
            self.stop()  # timed out, or exited (for example: the port was taken meanwhile)
        raise RuntimeError(f"the PostgreSQL server did not start:\n{self._log_tail()}")

    def stop(self) -> None:
        """Fast shutdown (``pg_ctl stop -m fast``: roll back open transactions) and reap the server."""
        process, self.process = self.process, None
        if process is None:
            return
        if process.poll() is None:
            stop = self._command("pg_ctl", "stop", "-D", str(self.data), "-m", "fast", "-w")
            subprocess.run(stop, cwd=self.folder, capture_output=True, timeout=_TIMEOUT, check=False)
        try:
            process.wait(timeout=_TIMEOUT)
        except subprocess.TimeoutExpired:  # last resort: abort without a clean shutdown
            abort = self._command("pg_ctl", "stop", "-D", str(self.data), "-m", "immediate", "-w")
            subprocess.run(abort, cwd=self.folder, capture_output=True, timeout=_TIMEOUT, check=False)
            process.kill()
            process.wait()

    def create_database(self, name: str) -> str:
        """Create an empty database and return its SQLAlchemy URL."""
        import psycopg2

        connection = psycopg2.connect(
            host="127.0.0.1", port=self.port, user=SUPERUSER, dbname="postgres"
        )
        try:
            connection.autocommit = True
            with connection.cursor() as cursor:
                cursor.execute(f'CREATE DATABASE "{name}"')
        finally:
            connection.close()
        return self.url(name)


@contextlib.contextmanager
def postgres_server() -> Iterator[PostgresServer]:
    """Start a throwaway server; stop it and delete its folder on exit, even after a failure."""
    binaries = find_binaries()
    folder = Path(tempfile.mkdtemp(prefix="mgcourse-pg-"))
    try:
        if os.geteuid() == 0:
            try:
                user = pwd.getpwnam(SUPERUSER)
            except KeyError:
                pytest.fail(f"no {SUPERUSER!r} system user; {INSTALL_HINT}", pytrace=False)
            os.chown(folder, user.pw_uid, user.pw_gid)
        server = PostgresServer(binaries, folder)
        try:
            server.initdb()
            server.start()
            yield server
        finally:
            server.stop()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
