"""A student's kernel inside the sandbox, and the spare kernel each worker keeps ready.

:class:`SandboxedKernel` starts ``ipykernel`` through :class:`~mgcourse.grader.sandbox.Sandbox`
and talks to it over Unix sockets in its private runtime folder (a socket file
in a folder of its own cannot be taken by another process, unlike a TCP port,
and the kernel has no network to listen on anyway). :class:`KernelPool` starts
the next submission's kernel while the current one runs: the kernel start is
most of the fixed cost of grading a notebook.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from mgcourse.grader.sandbox import ALWAYS_EMPTY, Limits, Sandbox

__all__ = ["KERNEL_NAME", "KernelPool", "KernelSettings", "SandboxedKernel"]

#: Name of the kernel specification written for every sandboxed kernel.
KERNEL_NAME: Final = "mgcourse-sandbox"
#: The longest Unix socket path every platform accepts (``sun_path`` is 104–108 bytes).
_SOCKET_PATH_MAX: Final = 100


@dataclass(frozen=True)
class KernelSettings:
    """Everything that makes two sandboxed kernels interchangeable (picklable)."""

    limits: Limits
    hide: tuple[str, ...]
    expose: tuple[str, ...]
    isolate: bool = True


def _transport(runtime: Path) -> dict[str, str]:
    ip = str(runtime / f"ipc-{secrets.token_hex(6)}")
    if len(os.fsencode(ip)) + len("-65535") > _SOCKET_PATH_MAX:
        raise OSError(f"the grading folder {runtime} is too deep for a Unix socket path")
    return {"transport": "ipc", "ip": ip}


@dataclass
class SandboxedKernel:
    """A started kernel, its sandbox and its folders (``work``, ``runtime``, ``spec``)."""

    settings: KernelSettings
    folder: Path
    sandbox: Sandbox
    manager: Any  # jupyter_client.AsyncKernelManager

    @property
    def work(self) -> Path:
        """The student's private, writable folder (the kernel's working directory)."""
        return self.folder / "work"

    @classmethod
    def start(cls, settings: KernelSettings, folder: Path) -> SandboxedKernel:
        """Launch a kernel in ``folder`` (returns once its process runs)."""
        from jupyter_client.kernelspec import KernelSpecManager
        from jupyter_client.manager import AsyncKernelManager
        from jupyter_core.utils import run_sync

        work, runtime, spec = folder / "work", folder / "runtime", folder / "spec"
        for path in (work, runtime, spec / KERNEL_NAME):
            path.mkdir(parents=True)
        sandbox = Sandbox(work, runtime, settings.limits, [Path(p) for p in settings.expose],
                          [Path(p) for p in settings.hide], settings.isolate)
        sandbox.make_cgroup()
        argv = sandbox.command([sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}",
                                "--HistoryManager.hist_file=:memory:"])
        (spec / KERNEL_NAME / "kernel.json").write_text(json.dumps({
            "argv": argv, "display_name": "mgcourse grading sandbox", "language": "python",
            "interrupt_mode": "message",  # a signal would reach bwrap, not the kernel
        }), encoding="utf-8")
        manager = AsyncKernelManager(
            kernel_name=KERNEL_NAME,
            kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(spec)]),
            connection_file=str(runtime / "connection.json"),
            **_transport(runtime),
        )
        try:
            with open(folder / "kernel.log", "ab") as log:
                run_sync(manager.start_kernel)(cwd=str(work), stdout=log, stderr=log)
        except BaseException:
            sandbox.sweep()
            raise
        return cls(settings, folder, sandbox, manager)

    def log_tail(self) -> str:
        """The last line the kernel wrote to its log (its error, when it died), or ''."""
        with contextlib.suppress(OSError):
            lines = (self.folder / "kernel.log").read_text(errors="replace").splitlines()
            return next((line.strip()[:200] for line in reversed(lines) if line.strip()), "")
        return ""

    def alive(self) -> bool:
        """True while the kernel process runs."""
        from jupyter_core.utils import run_sync

        try:
            return bool(run_sync(self.manager.is_alive)())
        except Exception:
            return False

    def stop(self) -> int:
        """Kill the kernel and every process it started; returns how many had to be swept."""
        from jupyter_core.utils import run_sync

        with contextlib.suppress(Exception):
            if self.alive():
                run_sync(self.manager.shutdown_kernel)(now=True)
        with contextlib.suppress(Exception):
            run_sync(self.manager.cleanup_resources)()
        return self.sandbox.sweep()


class KernelPool:
    """One spare kernel per worker, started ahead, used once, for the same settings only."""

    def __init__(self, scratch: Path | None = None) -> None:
        self._spare: SandboxedKernel | None = None
        self._count = 0
        self.scratch = scratch

    def _start(self, settings: KernelSettings, scratch: Path) -> SandboxedKernel:
        self._count += 1
        return SandboxedKernel.start(settings, scratch / f"kernel-{os.getpid()}-{self._count:05d}")

    def take(self, settings: KernelSettings, scratch: Path, *, ahead: bool) -> SandboxedKernel:
        """A started kernel for ``settings``; with ``ahead``, start the next one too."""
        spare, self._spare = self._spare, None
        if spare is not None and spare.settings == settings and spare.folder.parent == scratch \
                and spare.alive():
            kernel = spare
        else:
            if spare is not None:
                spare.stop()
            kernel = self._start(settings, scratch)
        if ahead:
            try:
                self._spare = self._start(settings, scratch)
            except Exception:
                self._spare = None  # the next notebook starts its own kernel
        return kernel

    def close(self) -> None:
        """Stop the spare kernel (at the end of a worker's life)."""
        spare, self._spare = self._spare, None
        if spare is not None:
            spare.stop()


def exposed_paths(hidden: Sequence[Path]) -> tuple[str, ...]:
    """Folders the kernel needs that lie inside hidden ones: Python and the installed packages."""
    import mgcourse

    # never all of sys.path: it may hold the course's own folders (tests/, the working directory)
    candidates = [sys.prefix, sys.base_prefix, str(Path(mgcourse.__file__).resolve().parent)]
    candidates += [p for p in sys.path if Path(p).name in ("site-packages", "dist-packages")]
    roots = [os.path.realpath(h) for h in [*hidden, Path.home(), *map(Path, ALWAYS_EMPTY)]]
    found = {
        os.path.realpath(c) for c in candidates
        if any(os.path.realpath(c) == r or os.path.realpath(c).startswith(r + os.sep) for r in roots)
    }
    return tuple(sorted(found))
