"""The sandboxed IPython kernel that runs one student notebook while it is graded.

:mod:`mgcourse.autograde` writes a kernel specification whose command is
``python -m mgcourse.sandbox -f CONNECTION_FILE``, with the sandbox settings in
the ``MGCOURSE_SANDBOX`` environment variable. Before IPython starts,
:func:`kernel_main`

* sets the kernel's resource limits (address space, CPU time, file size);
* imports the modules the tests rely on and snapshots them, the builtins and
  IPython's execution machinery, before any student code runs;
* installs an audit hook (:class:`_Sandbox`) that denies reading or changing the
  course's protected paths and other processes' ``/proc`` entries, starting
  processes and walking other objects' frames, and that answers the grader's
  ``mgcourse.*`` events: the baseline, the guard before every test cell (restore
  what student code replaced) and the check after it (report what the test cell
  itself changed);
* exits when the grading process that started it is gone.

This module is kept small and imports nothing beyond the standard library at
import time, so that every kernel starts quickly.

Notes
-----
The checks are defence in depth, not a security boundary: student code runs in
the same process as the test cells. What they cannot vouch for is reported to
the grader, which flags the submission for manual review.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from typing import Any, Final

__all__ = ["PROCESS_EVENTS", "SANDBOX_ENV", "kernel_main"]

#: Environment variable carrying the sandbox settings to the kernel.
SANDBOX_ENV: Final = "MGCOURSE_SANDBOX"

#: Modules whose functions tests rely on; snapshot before student code runs.
_PROTECTED_MODULES: Final = (
    "builtins",
    "math",
    "operator",
    "numpy",
    "numpy.testing",
    "numpy.testing._private.utils",
    "numpy._core.numeric",
    "numpy._core.fromnumeric",
    "numpy._core.multiarray",
    "numpy.linalg",
)
#: Modules never imported early (they configure themselves for the kernel).
_NO_PREIMPORT: Final = ("matplotlib", "ipywidgets", "IPython", "ipykernel", "mpl_toolkits")
#: Classes of IPython's execution machinery that student code must not change.
_PROTECTED_CLASSES: Final = (
    ("IPython.core.interactiveshell", "InteractiveShell"),
    ("ipykernel.zmqshell", "ZMQInteractiveShell"),
    ("ipykernel.ipkernel", "IPythonKernel"),
    ("ipykernel.kernelbase", "Kernel"),
    ("jupyter_client.session", "Session"),
    ("IPython.core.displayhook", "DisplayHook"),
    ("ipykernel.displayhook", "ZMQShellDisplayHook"),
    ("ipykernel.iostream", "OutStream"),
    ("IPython.core.events", "EventManager"),
    ("IPython.core.ultratb", "AutoFormattedTB"),
    ("IPython.core.ultratb", "VerboseTB"),
    ("IPython.core.ultratb", "ListTB"),
    ("IPython.core.inputtransformer2", "TransformerManager"),
)
#: Builtins that IPython or ipykernel swap while a cell runs.
_VOLATILE_BUILTINS: Final = frozenset(
    {"_", "exit", "quit", "get_ipython", "display", "input", "raw_input", "copyright",
     "credits", "license", "help", "__IPYTHON__"}
)
#: Code from these packages may add hooks, callbacks and threads.
_TRUSTED_PREFIXES: Final = (
    "IPython", "ipykernel", "matplotlib", "matplotlib_inline", "ipywidgets", "comm",
    "traitlets", "jupyter_client", "zmq", "tornado", "asyncio", "concurrent", "threading",
    "debugpy", "anyio", "mgcourse", "scipy", "numpy",
)




class _Sandbox:
    """State of the kernel's audit hook: limits, pristine objects and the report channel.

    Created in the kernel process before IPython starts; only the bound method
    :meth:`hook` stays reachable (from the interpreter's audit hook list).
    """

    def __init__(self, settings: Mapping[str, Any]) -> None:
        import builtins
        import importlib
        import posix
        import stat

        self._lstat = posix.lstat
        self._readlink = posix.readlink
        self._getcwd = posix.getcwd
        self._fspath = posix.fspath
        self._write_fd = posix.write
        self._islink = stat.S_ISLNK
        self._isinstance = isinstance  # builtins the hook uses, safe from student code replacing them
        self._len = len
        self._repr = repr
        self._busy = False
        self._armed = False
        self._pid = posix.getpid()
        self._pid_text = f"{self._pid}"
        self._fd = posix.open(
            str(settings["report"]), posix.O_WRONLY | posix.O_APPEND | posix.O_CREAT, 0o600
        )
        self._allow = tuple(str(p) for p in settings.get("allow", ()))
        self._deny = tuple(str(p) for p in settings.get("deny", ()))
        self._builtins = builtins.__dict__
        self._builtins_module = builtins
        self._builtins_snapshot = dict(builtins.__dict__)
        self._modules: dict[str, Any] = {}
        self._module_snapshots: dict[str, dict[str, Any]] = {}
        for name in [*_PROTECTED_MODULES, *settings.get("modules", ())]:
            if name in self._modules or name.split(".")[0] in _NO_PREIMPORT:
                continue
            try:
                module = importlib.import_module(name)
            except Exception:
                continue
            self._modules[name] = module
            self._module_snapshots[name] = dict(vars(module))
        self._classes: list[tuple[type, dict[str, Any]]] = []
        for module_name, class_name in _PROTECTED_CLASSES:
            try:
                cls = getattr(importlib.import_module(module_name), class_name)
            except Exception:
                continue
            self._classes.append((cls, dict(vars(cls))))
        self._shell_class: Any = next(
            (cls for cls, _ in self._classes if cls.__name__ == "InteractiveShell"), None
        )
        self._sys = sys
        self._threading = threading
        self._baseline: dict[str, Any] = {}
        self._shadowed: dict[str, Any] = {}

    # ------------------------------------------------------------ reporting

    def _report(self, event: str, nonce: str, items: Sequence[str]) -> None:
        line = self._repr((event, nonce, [str(item)[:500] for item in items])) + "\n"
        with contextlib.suppress(OSError):
            self._write_fd(self._fd, line.encode("utf-8", "replace"))

    # ------------------------------------------------------------ paths

    def _realpath(self, path: str) -> str:
        """``os.path.realpath`` built only from functions captured at start-up."""
        if not path.startswith("/"):
            path = self._getcwd() + "/" + path
        parts = [part for part in path.split("/") if part and part != "."]
        resolved: list[str] = []
        links = 0
        index = 0
        while index < self._len(parts):
            part = parts[index]
            index += 1
            if part == "..":
                if resolved:
                    resolved.pop()
                continue
            candidate = "/" + "/".join([*resolved, part])
            try:
                mode = self._lstat(candidate).st_mode
            except OSError:
                resolved.append(part)
                continue
            if self._islink(mode) and links < 40:
                links += 1
                target = self._readlink(candidate)
                if target.startswith("/"):
                    resolved = []
                parts = [p for p in target.split("/") if p and p != "."] + parts[index:]
                index = 0
                continue
            resolved.append(part)
        return "/" + "/".join(resolved)

    def _denied(self, path: Any) -> str | None:
        if path is None or self._isinstance(path, int):
            return None
        try:
            text = self._fspath(path)
            if self._isinstance(text, bytes):
                text = text.decode("utf-8", "surrogateescape")
            real = self._realpath(text)
        except Exception:
            return None
        for allowed in self._allow:
            if real == allowed or real.startswith(allowed + "/"):
                return None
        for denied in self._deny:
            if real == denied or real.startswith(denied + "/"):
                return real
        return real if self._proc_denied(real) else None

    def _proc_denied(self, real: str) -> bool:
        """Other processes' ``/proc`` entries and the socket tables.

        A process may read another of its user's processes' environment and
        command line (the grading process's environment can hold the gradebook's
        password), and ``/proc/PID/net`` lists every socket other kernels listen
        on. The kernel's own entries stay readable (``/proc/self/status``).
        """
        if not real.startswith("/proc/"):
            return False
        parts = real.split("/")  # "", "proc", "<pid>", ...
        if not parts[2].isdigit():
            return False
        return parts[2] != self._pid_text or "net" in parts[3:6]

    # ------------------------------------------------------------ the hook

    def hook(self, event: str, args: tuple[Any, ...]) -> None:
        """Audit hook: enforce the sandbox and answer the grader's events."""
        if self._busy:
            return
        if event.startswith("mgcourse."):
            self._busy = True
            try:
                self._grader_event(event, args)
            finally:
                self._busy = False
            return
        if not self._armed:
            return
        if event in _PATH_EVENTS:
            for arg in args[: _PATH_EVENTS[event]]:
                real = self._denied(arg)
                if real is not None:
                    self._report("denied", event, [f"{event}: {real}"])
                    raise PermissionError(13, "access denied while grading", str(real))
        elif event in PROCESS_EVENTS:
            self._report("denied", event, [f"{event}: {self._repr(args)[:200]}"])
            raise PermissionError(1, f"{event} is not allowed while grading")
        elif event in ("os.kill", "os.killpg", "signal.pthread_kill"):
            if not (event == "os.kill" and args and args[0] == self._pid):
                self._report("denied", event, [f"{event}: {self._repr(args)[:200]}"])
                raise PermissionError(1, f"{event} is not allowed while grading")
        elif event in _INTROSPECTION_EVENTS:
            self._report("denied", event, [event])
            raise RuntimeError(f"{event} is not allowed while grading")
        elif event == "ctypes.dlopen":
            self._report("noted", event, [f"{event}: {self._repr(args)[:200]}"])

    def _grader_event(self, event: str, args: tuple[Any, ...]) -> None:
        nonce = str(args[0]) if args else ""
        if event == "mgcourse.baseline":
            if self._armed:
                self._report("replayed", nonce, ["a second baseline request was ignored"])
                return
            self._take_baseline()
            self._armed = True
            self._report("baseline", nonce, [])
        elif event == "mgcourse.guard" and self._armed:
            names = tuple(args[1]) if len(args) > 1 else ()
            aliases = dict(args[2]) if len(args) > 2 else {}
            findings = self._restore()
            findings += self._protect_names(names, aliases)
            self._report("guard", nonce, findings)
        elif event == "mgcourse.check" and self._armed:
            findings = self._restore()
            for name, value in self._shadowed.items():  # give the student their names back
                self._user_ns().setdefault(name, value)
            self._shadowed = {}
            self._report("check", nonce, findings)

    # ------------------------------------------------------------ baseline and restore

    def _shell(self) -> Any:
        return getattr(self._shell_class, "_instance", None)

    def _user_ns(self) -> dict[str, Any]:
        shell = self._shell()
        namespace = getattr(shell, "user_ns", None)
        return namespace if isinstance(namespace, dict) else {}

    def _take_baseline(self) -> None:
        shell = self._shell()
        base: dict[str, Any] = {"shell": shell}
        if shell is not None:
            base["shell_dict"] = dict(vars(shell))
            traits = vars(shell).get("_trait_values")
            if self._isinstance(traits, dict):
                base["traits"] = {key: traits[key] for key in _SHELL_TRAITS if key in traits}
            base["lists"] = {
                name: (getattr(shell, name), list(getattr(shell, name)))
                for name in ("input_transformers_cleanup", "input_transformers_post",
                             "ast_transformers")
                if self._isinstance(getattr(shell, name, None), list)
            }
            manager = getattr(shell, "input_transformer_manager", None)
            for name in ("cleanup_transforms", "line_transforms", "token_transformers"):
                value = getattr(manager, name, None)
                if isinstance(value, list):
                    base["lists"][f"input_transformer_manager.{name}"] = (value, list(value))
            events = getattr(getattr(shell, "events", None), "callbacks", {})
            base["events"] = {name: (cbs, list(cbs)) for name, cbs in events.items()}
            base["custom"] = (getattr(shell, "custom_exceptions", ()), getattr(shell, "CustomTB", None))
            kernel = getattr(shell, "kernel", None)
            base["objects"] = [
                (obj, dict(vars(obj)))
                for obj in (kernel, getattr(kernel, "session", None),
                            getattr(shell, "displayhook", None), getattr(shell, "display_pub", None),
                            getattr(shell, "events", None), manager)
                if obj is not None and hasattr(obj, "__dict__")
            ]
            handlers = getattr(kernel, "shell_handlers", None)
            base["handlers"] = (handlers, dict(handlers)) if isinstance(handlers, dict) else None
        base["sys"] = {name: getattr(self._sys, name, None)
                       for name in ("displayhook", "stdout", "stderr")}
        base["meta_path"] = list(self._sys.meta_path)
        base["path_hooks"] = list(self._sys.path_hooks)
        base["threads"] = set(self._threading.enumerate())
        self._baseline = base

    def _restore(self) -> list[str]:
        """Put back everything student code may have replaced; describe what was."""
        findings: list[str] = []
        # builtins first: the rest of this method uses them
        current = self._builtins
        for name, value in self._builtins_snapshot.items():
            if name in _VOLATILE_BUILTINS or (name.startswith("__") and name not in _DUNDER_BUILTINS):
                continue
            if current.get(name, _MISSING) is not value:
                current[name] = value
                findings.append(f"builtins.{name} was replaced")
        modules = self._sys.modules
        for name, module in self._modules.items():
            if name != "builtins" and modules.get(name) is not module:
                modules[name] = module
                findings.append(f"sys.modules[{name!r}] was replaced")
            namespace = vars(module)
            for key, value in self._module_snapshots[name].items():
                if name == "builtins" or key.startswith("__"):
                    continue
                if not (callable(value) or type(value).__name__ == "module"):
                    continue
                if namespace.get(key, _MISSING) is not value:
                    namespace[key] = value
                    findings.append(f"{name}.{key} was replaced")
        for cls, snapshot in self._classes:
            namespace = dict(vars(cls))
            for key, value in snapshot.items():
                if key.startswith(_CLASS_STATE) or namespace.get(key, _MISSING) is value:
                    continue
                type.__setattr__(cls, key, value)
                findings.append(f"{cls.__name__}.{key} was replaced")
            for key in namespace.keys() - snapshot.keys():
                if not key.startswith(_CLASS_STATE):
                    type.__delattr__(cls, key)
                    findings.append(f"{cls.__name__}.{key} was added")
        findings += self._restore_shell()
        return findings

    def _untrusted(self, obj: Any) -> bool:
        module = getattr(obj, "__module__", None) or getattr(type(obj), "__module__", "")
        func = getattr(obj, "__func__", None)
        if func is not None:
            module = getattr(func, "__module__", module)
        return not str(module).startswith(_TRUSTED_PREFIXES)

    def _restore_shell(self) -> list[str]:
        base = self._baseline
        findings: list[str] = []
        shell = base.get("shell")
        if shell is not None:
            if self._shell() is not shell:
                type.__setattr__(self._shell_class, "_instance", shell)
                findings.append("the IPython shell instance was replaced")
            for name, (container, saved) in base.get("lists", {}).items():
                added = [item for item in container if item not in saved and self._untrusted(item)]
                if added or len(container) < len(saved):
                    container[:] = saved + [item for item in container
                                            if item not in saved and not self._untrusted(item)]
                    findings.append(f"IPython {name} were changed")
            for name, (callbacks, saved) in base.get("events", {}).items():
                added = [cb for cb in callbacks if cb not in saved and self._untrusted(cb)]
                if added:
                    callbacks[:] = [cb for cb in callbacks if cb not in added]
                    findings.append(f"an IPython {name!r} event callback was registered")
            custom = base.get("custom")
            if custom is not None:
                if getattr(shell, "custom_exceptions", ()) != custom[0]:
                    shell.custom_exceptions = custom[0]
                    shell.CustomTB = custom[1]
                    findings.append("a custom exception handler was installed in IPython")
            findings += self._restore_instance(shell, base.get("shell_dict", {}), "shell")
            saved_dict = base.get("shell_dict", {})
            for key in _SHELL_ATTRIBUTES:
                if key in saved_dict and vars(shell).get(key, _MISSING) is not saved_dict[key]:
                    vars(shell)[key] = saved_dict[key]
                    findings.append(f"shell.{key} was replaced")
            traits = saved_dict.get("_trait_values")
            saved_traits = base.get("traits", {})
            if self._isinstance(traits, dict):
                for key, value in saved_traits.items():
                    if traits.get(key, _MISSING) is not value:
                        traits[key] = value
                        findings.append(f"shell.{key} was replaced")
            for obj, saved in base.get("objects", []):
                findings += self._restore_instance(obj, saved, type(obj).__name__)
            handlers = base.get("handlers")
            if handlers is not None and handlers[0] != handlers[1]:
                handlers[0].clear()
                handlers[0].update(handlers[1])
                findings.append("the kernel's message handlers were changed")
        for name, value in base.get("sys", {}).items():
            if getattr(self._sys, name, None) is not value:
                setattr(self._sys, name, value)
                findings.append(f"sys.{name} was replaced")
        for name in ("meta_path", "path_hooks"):
            saved = base.get(name, [])
            container = getattr(self._sys, name)
            if [item for item in container if item not in saved and self._untrusted(item)]:
                container[:] = saved
                findings.append(f"sys.{name} was changed (import hooks)")
        if self._sys.gettrace() is not None or self._sys.getprofile() is not None:
            self._sys.settrace(None)
            self._sys.setprofile(None)
            findings.append("a trace or profile function was set")
        self._threading.settrace(None)
        self._threading.setprofile(None)
        for thread in self._threading.enumerate():
            if thread in base.get("threads", ()) or not thread.is_alive():
                continue
            target = getattr(thread, "_target", None) or type(thread).run
            if self._untrusted(target):
                findings.append(f"a background thread {thread.name!r} started by student code is running")
        return findings

    def _restore_instance(self, obj: Any, saved: Mapping[str, Any], label: str) -> list[str]:
        """Undo instance attributes that shadow or replace the class's methods."""
        findings: list[str] = []
        cls = type(obj)
        namespace = vars(obj)
        for key in list(namespace):
            value = namespace[key]
            if key.startswith("__") or saved.get(key, _MISSING) is value:
                continue
            if callable(getattr(cls, key, None)) or (key in saved and callable(saved[key])):
                if key in saved:
                    namespace[key] = saved[key]
                else:
                    del namespace[key]
                findings.append(f"{label}.{key} was replaced")
        return findings

    def _protect_names(
        self, names: Sequence[str], aliases: Mapping[str, Sequence[str | None]]
    ) -> list[str]:
        findings: list[str] = []
        namespace = self._user_ns()
        if namespace.get("__builtins__", self._builtins_module) not in (
            self._builtins_module,
            self._builtins,
        ):
            namespace["__builtins__"] = self._builtins_module
            findings.append("__builtins__ of the notebook was replaced")
        for name in names:
            if name in namespace and namespace[name] is not self._builtins_snapshot.get(name):
                self._shadowed[name] = namespace.pop(name)
                findings.append(f"the built-in {name!r} that the test uses was redefined")
        for alias, (module_name, attribute) in aliases.items():
            module = self._modules.get(str(module_name))
            if module is None:
                continue
            if attribute is None:
                expected = module
            else:
                expected = self._module_snapshots[str(module_name)].get(str(attribute), _MISSING)
                if expected is _MISSING:
                    continue
            current = namespace.get(alias, _MISSING)
            if current is not _MISSING and current is not expected:  # a missing name only hurts
                namespace[alias] = expected
                what = module_name if attribute is None else f"{module_name}.{attribute}"
                findings.append(f"the name {alias!r} no longer referred to {what}")
        return findings

    # ------------------------------------------------------------ watchdog

    def watch_parent(self, parent: int) -> None:
        """Exit when the grading process that started this kernel is gone."""

        def watch() -> None:
            while True:
                time.sleep(0.5)
                if os.getppid() != parent:
                    os._exit(70)

        threading.Thread(target=watch, name="mgcourse-watchdog", daemon=True).start()


_MISSING: Final = object()
_DUNDER_BUILTINS: Final = frozenset({"__import__", "__build_class__"})
#: Class attributes that change legitimately at run time (singletons, trait caches).
_CLASS_STATE: Final = ("__", "_instance", "_trait", "_static_immutable", "_instance_inits")
#: Instance attributes of the IPython shell that decide how a cell runs.
_SHELL_ATTRIBUTES: Final = (
    "events", "InteractiveTB", "SyntaxTB", "hooks", "input_transformers_cleanup",
    "input_transformers_post",
)
_SHELL_TRAITS: Final = (
    "displayhook", "display_pub", "compile", "input_transformer_manager", "user_module",
    "user_ns", "ast_transformers", "kernel", "display_formatter", "builtin_trap", "display_trap",
)
#: Audit events with path arguments → how many leading arguments are paths.
_PATH_EVENTS: Final = {
    "open": 1, "os.listdir": 1, "os.scandir": 1, "os.chdir": 1, "os.remove": 1, "os.rmdir": 1,
    "os.mkdir": 1, "os.rename": 2, "os.link": 2, "os.symlink": 2, "os.truncate": 1,
    "os.chmod": 1, "os.chown": 1, "os.utime": 1, "shutil.rmtree": 1, "shutil.copyfile": 2,
    "shutil.copytree": 2, "shutil.move": 2, "sqlite3.connect": 1, "os.chflags": 1,
}
PROCESS_EVENTS: Final = frozenset(
    {"subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork",
     "os.forkpty", "pty.spawn", "os.startfile"}
)
_INTROSPECTION_EVENTS: Final = frozenset(
    {"gc.get_objects", "gc.get_referrers", "gc.get_referents", "sys._current_frames",
     "sys.addaudithook"}
)


def _limit_kernel(settings: Mapping[str, Any]) -> None:
    """Resource limits of the kernel process (called before IPython starts)."""
    import resource

    memory = int(settings["memory_mb"]) * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    cpu = int(settings.get("cpu_seconds", 0))
    if cpu > 0:
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))
    files = int(settings.get("file_mb", 64)) * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_FSIZE, (files, files))
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # an oversized write raises OSError instead


def kernel_main(argv: Sequence[str]) -> None:
    """Start the sandboxed IPython kernel (the kernel specification's command).

    Parameters
    ----------
    argv : sequence of str
        ipykernel's arguments (``-f CONNECTION_FILE`` ...). The sandbox settings
        come from the ``MGCOURSE_SANDBOX`` environment variable, which is
        removed before any student code runs.
    """
    settings = json.loads(os.environ.pop(SANDBOX_ENV))
    _limit_kernel(settings)
    sandbox = _Sandbox(settings)
    sandbox.watch_parent(int(settings["parent"]))
    sys.addaudithook(sandbox.hook)
    del sandbox, settings
    from ipykernel.kernelapp import IPKernelApp

    IPKernelApp.launch_instance(argv=list(argv))


if __name__ == "__main__":
    kernel_main(sys.argv[1:])
