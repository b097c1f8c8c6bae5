"""The operating-system boundary around every student kernel: bubblewrap plus limits.

Every submission's kernel runs as ``launcher → bwrap → python -m ipykernel_launcher``:

* the launcher (:func:`launch`, this module run as a program) joins a fresh
  ``pids`` control group with a process cap, sets the kernel's resource limits
  (address space, CPU time, file size), then replaces itself with ``bwrap``;
* ``bwrap`` gives the kernel its own PID, network, IPC, UTS and user namespaces
  (no network at all; it sees only its own processes and runs as ``nobody``), the
  whole system read-only, an empty ``/tmp``, ``/run`` and home, none of the course
  folder except the Python environment the kernel needs, an environment holding
  only the variables named here, and one writable folder: the student's private
  copy. ``--die-with-parent`` and the PID namespace make sure that no process
  outlives the kernel: when the kernel's PID 1 goes, the kernel kills the rest.

:class:`Sandbox` builds the command, checks that the boundary can be set up
(:meth:`Sandbox.check`) and sweeps the control group when grading ends.
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import secrets
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Final

__all__ = ["ALWAYS_EMPTY", "SANDBOX_HOME", "Limits", "Sandbox", "SandboxError", "launch"]

#: The student's writable folder as seen inside the sandbox is the same path as outside,
#: so that the kernel's Unix sockets have one name on both sides; its home is this.
SANDBOX_HOME: Final = "/home/student"
#: Where the pids control groups live (cgroup v2 unified hierarchy, then v1).
_CGROUP_ROOTS: Final = (Path("/sys/fs/cgroup"), Path("/sys/fs/cgroup/pids"))
#: Folders every sandbox gets empty (tmpfs), whatever else it hides.
ALWAYS_EMPTY: Final = ("/tmp", "/run", "/var/tmp", "/home", "/dev/shm")
#: Variables copied into the kernel's otherwise empty environment.
_KERNEL_ENV: Final = {
    "PATH": "/usr/local/bin:/usr/bin:/bin",
    "HOME": SANDBOX_HOME,
    "LANG": "C.UTF-8",
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "MALLOC_ARENA_MAX": "2",
    "PYTHONDONTWRITEBYTECODE": "1",
    "MPLCONFIGDIR": "/tmp/matplotlib",
    "IPYTHONDIR": "/tmp/ipython",
    "JUPYTER_PLATFORM_DIRS": "1",
}


class SandboxError(RuntimeError):
    """The isolation boundary cannot be set up on this machine (says why)."""


@dataclass(frozen=True)
class Limits:
    """Resource limits of one sandboxed kernel.

    Parameters
    ----------
    memory_mb : int
        Address-space cap of every process in the sandbox [MB].
    processes : int
        Processes and threads the sandbox may hold at once (``pids.max``).
    file_mb : int
        Largest file the kernel may write [MB].
    cpu_seconds : int
        CPU time of the kernel process [s].
    tmp_mb : int
        Size of the sandbox's private ``/tmp`` [MB].
    """

    memory_mb: int = 2048
    processes: int = 64
    file_mb: int = 64
    cpu_seconds: int = 600
    tmp_mb: int = 128

    def __post_init__(self) -> None:
        for name, low in (("memory_mb", 100), ("processes", 8), ("file_mb", 1), ("cpu_seconds", 1),
                          ("tmp_mb", 1)):
            value = getattr(self, name)
            if not isinstance(value, int) or value < low:
                raise ValueError(f"{name} = {value!r}: must be an integer ≥ {low}")


def _cgroup_root() -> Path | None:
    """A writable pids controller, or None."""
    v2, v1 = _CGROUP_ROOTS
    controllers = v2 / "cgroup.controllers"
    if controllers.is_file() and "pids" in controllers.read_text().split() and os.access(v2, os.W_OK):
        return v2
    if (v1 / "pids.max").exists() or (v1 / "cgroup.procs").is_file():
        if os.access(v1, os.W_OK):
            return v1
    return None


@dataclass
class Sandbox:
    """How to run one kernel inside bubblewrap.

    Parameters
    ----------
    work : pathlib.Path
        The student's private folder, the only writable place (its working directory).
    runtime : pathlib.Path
        Folder holding the kernel's connection file and Unix sockets (readable inside).
    limits : Limits
        Resource limits.
    expose : sequence of pathlib.Path
        Folders inside ``hide`` that the kernel still needs, read-only (the Python
        environment, the installed package).
    hide : sequence of pathlib.Path
        Folders replaced by an empty one (the course, the grader's home and scratch).
    isolate : bool, default True
        False runs the kernel with the limits and a clean environment but without
        bubblewrap (``mgcourse grade --unsandboxed``).
    """

    work: Path
    runtime: Path
    limits: Limits = field(default_factory=Limits)
    expose: Sequence[Path] = ()
    hide: Sequence[Path] = ()
    isolate: bool = True
    cgroup: Path | None = None

    @staticmethod
    def check() -> None:
        """Raise :class:`SandboxError` saying why the boundary cannot be set up here."""
        if sys.platform != "linux":
            raise SandboxError(f"the grading sandbox needs Linux (this is {sys.platform})")
        if shutil.which("bwrap") is None:
            raise SandboxError(
                "bubblewrap (bwrap) is not installed: run 'apt-get install bubblewrap' "
                "(scripts/install-system-deps.sh does this)"
            )
        if _cgroup_root() is None and os.geteuid() == 0:
            raise SandboxError(
                "no writable pids control group (/sys/fs/cgroup), so the number of processes "
                "of a student's kernel cannot be limited"
            )
        probe = subprocess.run(
            ["bwrap", "--unshare-all", "--unshare-user", "--die-with-parent", "--ro-bind", "/", "/",
             "--proc", "/proc", "--dev", "/dev", "true"],
            capture_output=True, text=True, timeout=30, check=False,
        )
        if probe.returncode != 0:
            raise SandboxError(f"bubblewrap cannot create namespaces here: {probe.stderr.strip()[:300]}")

    def command(self, argv: Sequence[str]) -> list[str]:
        """The full command: the launcher, then bwrap, then ``argv`` inside the sandbox."""
        settings = {"limits": asdict(self.limits), "cgroup": str(self.cgroup) if self.cgroup else None}
        launcher = [sys.executable, "-m", "mgcourse.grader.sandbox", json.dumps(settings)]
        if not self.isolate:
            return [*launcher, *argv]
        hidden = sorted({os.path.realpath(p) for p in (*self.hide, Path.home())}, key=len)
        cmd = [
            "bwrap", "--unshare-all", "--unshare-user", "--uid", "65534", "--gid", "65534",
            "--die-with-parent", "--new-session", "--cap-drop", "ALL",
            "--ro-bind", "/", "/",
            "--proc", "/proc", "--dev", "/dev",
            "--size", str(self.limits.tmp_mb * 1024 * 1024), "--tmpfs", "/tmp",
        ]
        for path in ALWAYS_EMPTY[1:]:
            cmd += ["--tmpfs", path]
        for path in hidden:
            if path != "/" and path not in ALWAYS_EMPTY and os.path.isdir(path):
                cmd += ["--tmpfs", path]
        for path in sorted({os.path.realpath(p) for p in self.expose}, key=len):
            cmd += ["--ro-bind", path, path]
        work, runtime = os.path.realpath(self.work), os.path.realpath(self.runtime)
        cmd += ["--bind", runtime, runtime, "--bind", work, work, "--symlink", work,
                f"{SANDBOX_HOME}/work", "--chdir", work, "--clearenv"]
        for name, value in _KERNEL_ENV.items():
            cmd += ["--setenv", name, value]
        return [*launcher, *cmd, "--", *argv]

    def make_cgroup(self) -> None:
        """Create this kernel's pids control group (before the launcher joins it)."""
        root = _cgroup_root()
        if root is None:
            return
        group = root / "mgcourse" / f"kernel-{os.getpid()}-{secrets.token_hex(4)}"
        with contextlib.suppress(OSError):
            (root / "mgcourse").mkdir(exist_ok=True)
            if root == _CGROUP_ROOTS[0]:  # v2: let the folder's children use the pids controller
                (root / "mgcourse" / "cgroup.subtree_control").write_text("+pids")
            group.mkdir()
            (group / "pids.max").write_text(str(self.limits.processes))
            self.cgroup = group

    def sweep(self) -> int:
        """Kill every process left in the control group and remove it; returns how many were left."""
        group, self.cgroup = self.cgroup, None
        if group is None:
            return 0
        left = 0
        for _ in range(50):
            try:
                pids = [int(p) for p in (group / "cgroup.procs").read_text().split()]
            except (OSError, ValueError):
                break
            if not pids:
                break
            left = max(left, len(pids))
            for pid in pids:
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)
            time.sleep(0.02)
        with contextlib.suppress(OSError):
            group.rmdir()
        return left


def _limit(limits: Limits) -> None:
    for which, value in (
        (resource.RLIMIT_AS, limits.memory_mb * 1024 * 1024),
        (resource.RLIMIT_CPU, limits.cpu_seconds),
        (resource.RLIMIT_FSIZE, limits.file_mb * 1024 * 1024),
        (resource.RLIMIT_NPROC, limits.processes),
        (resource.RLIMIT_CORE, 0),
    ):
        _, hard = resource.getrlimit(which)
        soft = value if hard == resource.RLIM_INFINITY else min(value, hard)
        # the hard CPU limit a little above the soft one: SIGXCPU first, then SIGKILL
        ceiling = soft + 5 if which == resource.RLIMIT_CPU else soft
        resource.setrlimit(which, (soft, ceiling if hard == resource.RLIM_INFINITY else min(ceiling, hard)))


def launch(argv: Sequence[str]) -> None:
    """Program entry point: ``python -m mgcourse.grader.sandbox SETTINGS bwrap ...``.

    Joins the control group, sets the limits and replaces itself with ``bwrap``.
    """
    settings = json.loads(argv[0])
    if settings.get("cgroup"):
        Path(settings["cgroup"], "cgroup.procs").write_text(str(os.getpid()))
    _limit(Limits(**settings["limits"]))
    os.execvpe(argv[1], list(argv[1:]), dict(_KERNEL_ENV))


if __name__ == "__main__":  # pragma: no cover - exercised through the kernel launch
    launch(sys.argv[1:])
