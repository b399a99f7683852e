"""Kernels forked from a preloaded parent: each note gets a fresh kernel without paying the imports.

Starting a kernel and importing torch, matplotlib and ``torch.optim`` costs seconds per note, and
warming kernels ahead does not help when the imports compete for the same few cores. Here one
*preload server* (``preload_server.py``) imports them once; every kernel is a fresh process forked
from it (copy-on-write), so notes share no state but skip the start-up.

Extension point: a kernel *provisioner*, jupyter_client's own seam for how a kernel process is
launched, polled, signalled and killed (:class:`PreloadProvisioner`); the kernel protocol, restarts
and graceful shutdown stay with the stock :class:`~jupyter_client.AsyncKernelManager`. Provisioners
are normally chosen by kernelspec metadata plus an entry point; a two-line manager subclass
(:class:`PreloadedKernelManager`) picks ours instead, so ``run_job(job,
kernel_manager_class=PreloadedKernelManager)`` works through papermill and nbclient without
installing a kernelspec. Whatever cannot be forked (no fork on this platform, a kernelspec for
another interpreter or language, CUDA initialised in the server, a server that failed) falls back
to the stock provisioner: a plain kernel.

Which server a kernel comes from: the one its manager class is bound to
(:func:`kernel_manager_for`, as the local executor does), else the one set with :func:`use_server`,
else :func:`shared_server`: one per process, started on first use (e.g. in a Ray worker), told to
import more modules when a run needs them (:meth:`PreloadServer.preload`), ended when the process exits.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import uuid
import weakref
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from jupyter_client import AsyncKernelManager
from jupyter_client.connect import KernelConnectionInfo
from jupyter_client.provisioning import LocalProvisioner

from .preload_server import DEFAULT_MODULES

SERVER_SCRIPT = Path(__file__).with_name("preload_server.py")
START_TIMEOUT = 180.0  # the first request waits for the server's imports
_BOOT = "import runpy, sys; sys.argv = sys.argv[1:]; runpy.run_path(sys.argv[0], run_name='__main__')"


class PreloadError(RuntimeError):
    """The server could not give us a kernel; the caller falls back to a plain one."""


def fork_supported() -> bool:
    """Whether kernels may be forked here: POSIX with fork, and not macOS (fork without exec is unsafe there)."""
    return hasattr(os, "fork") and sys.platform != "darwin"


class PreloadServer:
    """The owner's handle on a preload server process.

    The listening socket is bound here and handed to the server, so clients may connect at once;
    their requests wait in the backlog until the server's imports are done. The server exits when
    :meth:`close` is called, when this object is collected, or when this process dies.
    """

    def __init__(self, modules: Sequence[str] = DEFAULT_MODULES, kernel_output: str = os.devnull) -> None:
        self.modules = tuple(modules)
        self._pending: socket.socket | None = None  # the connection of a preload request in progress
        self._preload_lock = threading.Lock()
        self._dir = tempfile.mkdtemp(prefix="ljpre-")  # 0700; short, unix socket paths are limited
        self.address = os.path.join(self._dir, "sock")
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            listener.bind(self.address)
            listener.listen(128)
            cmd = [sys.executable, "-c", _BOOT, str(SERVER_SCRIPT), "--fd", str(listener.fileno())]
            cmd += ["--socket", self.address, "--owner", str(os.getpid()), "--modules", ",".join(self.modules)]
            cmd += ["--kernel-output", kernel_output]
            # debugpy (imported with ipykernel) warns about frozen modules on import; kernels started
            # by jupyter print that to a log nobody reads, the server would print it to our stderr.
            env = {**os.environ, "PYDEVD_DISABLE_FILE_VALIDATION": "1"}
            self.process = subprocess.Popen(
                cmd, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, pass_fds=(listener.fileno(),), env=env
            )
        except BaseException:
            shutil.rmtree(self._dir, ignore_errors=True)
            raise
        finally:
            listener.close()
        self._finalizer = weakref.finalize(self, _stop_server, self.process, self._dir, os.getpid())

    @property
    def pid(self) -> int:
        return self.process.pid

    def info(self, timeout: float = START_TIMEOUT) -> dict[str, Any]:
        """The server's pid, imported modules, failures and thread count (waits for its imports)."""
        self.wait_preloaded(timeout)
        return request_info(self.address, timeout)

    def preload(self, modules: Sequence[str]) -> None:
        """Have the server import ``modules`` too, for the kernels forked after that.

        Returns at once: the caller goes on with its own start-up while the server imports;
        :meth:`spawn` waits for the imports first.
        """
        wanted = [m for m in modules if m not in self.modules]
        if not wanted:
            return
        with self._preload_lock:
            self._finish_preload(START_TIMEOUT)
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                sock.connect(self.address)
                sock.sendall(json.dumps({"op": "preload", "modules": wanted}).encode() + b"\n")
            except OSError as exc:
                sock.close()
                raise PreloadError(f"preload server at {self.address}: {exc}") from exc
            self._pending = sock
            self.modules = (*self.modules, *wanted)

    def wait_preloaded(self, timeout: float = START_TIMEOUT) -> None:
        """Wait until the imports asked for with :meth:`preload` are done (or have failed)."""
        with self._preload_lock:
            self._finish_preload(timeout)

    def _finish_preload(self, timeout: float) -> None:
        sock, self._pending = self._pending, None
        if sock is None:
            return
        with contextlib.closing(sock):
            sock.settimeout(timeout)
            with contextlib.suppress(OSError):  # a server that died answers no spawn either: the fallback
                while sock.recv(65536):
                    pass  # the reply, then EOF

    def spawn(self, argv: list[str], cwd: str, env: dict[str, str], timeout: float = START_TIMEOUT) -> ForkedKernel:
        """A kernel forked by this server once its imports are done (see :func:`spawn`)."""
        self.wait_preloaded(timeout)
        return spawn(self.address, argv, cwd, env, timeout)

    def close(self) -> None:
        self._finalizer()

    def __enter__(self) -> PreloadServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _stop_server(process: subprocess.Popen, directory: str, owner: int) -> None:
    if os.getpid() != owner:
        return  # a forked copy of the owner: the server and its socket are not ours to end
    if process.stdin:
        with contextlib.suppress(OSError):
            process.stdin.close()  # EOF: the server kills its kernels and exits
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    shutil.rmtree(directory, ignore_errors=True)


class ForkedKernel:
    """A :class:`subprocess.Popen` look-alike for a kernel that is the server's child, not ours.

    Its exit status arrives on the connection that asked for it; closing the connection (also by
    garbage collection) makes the server kill the kernel.
    """

    stdin = stdout = stderr = None

    def __init__(self, sock: socket.socket, pid: int) -> None:
        self._sock: socket.socket | None = sock
        self._buffer = b""
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None and self._sock is not None:
            self._sock.setblocking(False)
            self._receive()
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        if self.returncode is None and self._sock is not None:
            self._sock.settimeout(timeout)
            try:
                self._receive()
            except TimeoutError:
                raise subprocess.TimeoutExpired(f"kernel {self.pid}", timeout or 0) from None
        if self.returncode is None:
            raise subprocess.TimeoutExpired(f"kernel {self.pid}", timeout or 0)
        return self.returncode

    def _receive(self) -> None:
        assert self._sock is not None
        while b"\n" not in self._buffer:
            try:
                data = self._sock.recv(4096)
            except BlockingIOError:
                return
            if not data:  # the server died; its kernels die with it (PR_SET_PDEATHSIG / parent poller)
                self._finish(-signal.SIGKILL)
                return
            self._buffer += data
        message = json.loads(self._buffer.split(b"\n", 1)[0])
        self._finish(int(message.get("exit", -signal.SIGKILL)))

    def _finish(self, code: int) -> None:
        self.returncode = code
        self.close()

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signum)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def close(self) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None


def _connect(address: str, message: dict[str, Any], timeout: float) -> tuple[socket.socket, dict[str, Any]]:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.settimeout(timeout)
        sock.connect(address)
        sock.sendall(json.dumps(message).encode() + b"\n")
        buffer = b""
        while b"\n" not in buffer:
            data = sock.recv(65536)
            if not data:
                raise PreloadError("the preload server closed the connection (did it die?)")
            buffer += data
    except OSError as exc:
        sock.close()
        raise PreloadError(f"preload server at {address}: {exc}") from exc
    except PreloadError:
        sock.close()
        raise
    return sock, json.loads(buffer.split(b"\n", 1)[0])


def request_info(address: str, timeout: float = START_TIMEOUT) -> dict[str, Any]:
    sock, reply = _connect(address, {"op": "info"}, timeout)
    sock.close()
    return reply


def spawn(address: str, argv: list[str], cwd: str, env: dict[str, str], timeout: float = START_TIMEOUT) -> ForkedKernel:
    """Ask the server for a kernel running ``ipykernel`` with ``argv``; :class:`PreloadError` if it cannot."""
    sock, reply = _connect(address, {"op": "spawn", "argv": argv, "cwd": cwd, "env": env}, timeout)
    if "pid" not in reply:
        sock.close()
        raise PreloadError(reply.get("error", "no pid in the reply"))
    return ForkedKernel(sock, int(reply["pid"]))


# --- which modules a run needs -------------------------------------------------------------

_IMPORT = re.compile(
    r"^[ \t]*(?:import[ \t]+(?P<names>[\w. \t,]+)|from[ \t]+(?P<module>\w+)[\w.]*[ \t]+import\b)", re.M
)
# Imported by notes without pulling in anything heavy.
_LIGHT_PACKAGES = frozenset({"labjournal", "IPython", "ipykernel"})


def imported_packages(source: str) -> set[str]:
    """Top-level packages that ``import`` statements in ``source`` name (a static scan, not a parse:
    cells may hold IPython magics)."""
    found: set[str] = set()
    for match in _IMPORT.finditer(source):
        if match.group("module"):
            found.add(match.group("module"))
        else:
            for name in match.group("names").split(","):
                top = name.strip().split(".")[0].split()[0] if name.strip() else ""
                if top:
                    found.add(top)
    return found


def modules_for(jobs: Iterable[Any], configured: Sequence[str]) -> tuple[str, ...]:
    """Of the ``configured`` preload modules, those that the jobs' notes may use.

    A module is kept when a note imports its package, or imports some other package outside the
    standard library (it may import the heavy ones itself: scikit-learn imports numpy). So a run of
    notes that import only the standard library does not wait for torch to load in the server. A
    wrong guess costs time, never correctness: a kernel imports what the server did not.
    """
    imported: set[str] = set()
    for job in jobs:
        for cell in job.notebook.get("cells", []):
            if cell.get("cell_type") == "code":
                source = cell.get("source", "")
                imported |= imported_packages(source if isinstance(source, str) else "".join(source))
    tops = {name.split(".")[0] for name in configured}
    unknown = imported - tops - _LIGHT_PACKAGES - set(sys.stdlib_module_names)
    if unknown:
        return tuple(configured)
    return tuple(name for name in configured if name.split(".")[0] in imported)


# --- which server this process uses ---------------------------------------------------------

_lock = threading.Lock()
_address: str | None = None
_server: PreloadServer | None = None


def shared_server(modules: Sequence[str] = DEFAULT_MODULES) -> PreloadServer:
    """This process's server, importing ``modules`` too: started on first use, kept until this process exits.

    Shared by every executor of the process (a CLI run, a test session), so imports are paid once;
    a later call that needs more modules has the running server import them (:meth:`PreloadServer.preload`).
    """
    global _server
    with _lock:
        if _server is None or _server.process.poll() is not None:
            _server = PreloadServer(modules)
            return _server
        server = _server
    server.preload(modules)
    return server


def close_shared_servers() -> None:
    """End the server :func:`shared_server` started (it also ends when this process exits)."""
    global _server
    with _lock:
        server, _server = _server, None
    if server is not None:
        server.close()


def use_server(address: str | None) -> None:
    """Make this process's preloaded kernels come from the server at ``address`` (None: the shared default)."""
    global _address
    _address = address


@contextlib.contextmanager
def using_server(address: str | None) -> Iterator[None]:
    previous = _address
    use_server(address)
    try:
        yield
    finally:
        use_server(previous)


def current_address() -> str:
    """The server this process's preloaded kernels come from, starting the shared default if none is set."""
    return _address if _address is not None else shared_server().address


# --- the jupyter_client side -----------------------------------------------------------------


def engine_kwargs(enabled: bool | None = None) -> dict[str, Any]:
    """Engine kwargs for :func:`~labjournal.executors.base.run_job` that turn preloaded kernels on.

    ``enabled=None`` means: where fork is supported. Any backend can pass these to its workers; a
    worker with no server set (:func:`use_server`) starts its own on first use.
    """
    wanted = fork_supported() if enabled is None else enabled
    return {"kernel_manager_class": PreloadedKernelManager} if wanted and fork_supported() else {}


def kernel_argv(cmd: Sequence[str]) -> list[str] | None:
    """The ipykernel arguments of ``cmd`` if it runs this interpreter's ipykernel, else None.

    Same bin directory and same real file: another venv's python resolves to the same binary but
    sits elsewhere, and its packages are not the ones the server imported.
    """
    if len(cmd) < 3 or cmd[1] != "-m" or cmd[2] not in ("ipykernel_launcher", "ipykernel"):
        return None
    exe = shutil.which(cmd[0]) or cmd[0]
    same_dir = os.path.dirname(os.path.abspath(exe)) == os.path.dirname(os.path.abspath(sys.executable))
    if not same_dir or os.path.realpath(exe) != os.path.realpath(sys.executable):
        return None
    return list(cmd[3:])


class PreloadProvisioner(LocalProvisioner):
    """Launches the kernel by asking the preload server to fork it; everything else as LocalProvisioner."""

    async def launch_kernel(self, cmd: list[str], **kwargs: Any) -> KernelConnectionInfo:
        argv = kernel_argv(cmd) if fork_supported() else None
        if argv is None:
            return await super().launch_kernel(cmd, **kwargs)
        cwd = str(kwargs.get("cwd") or os.getcwd())
        env = {str(k): str(v) for k, v in (kwargs.get("env") or os.environ).items()}
        server: PreloadServer | None = getattr(self.parent, "server", None)
        try:
            if server is not None:
                process = await asyncio.to_thread(server.spawn, argv, os.path.abspath(cwd), env)
            else:
                process = await asyncio.to_thread(spawn, current_address(), argv, os.path.abspath(cwd), env)
        except PreloadError as exc:
            self.log.warning("no preloaded kernel (%s); starting a plain one", exc)
            return await super().launch_kernel(cmd, **kwargs)
        self.process = process  # type: ignore[assignment]
        self.pid = self.pgid = process.pid  # the child called setsid()
        self.cwd = cwd
        return self.connection_info

    async def send_signal(self, signum: int) -> None:
        # After the kernel has exited its pid may be reused: never signal a finished kernel's group.
        if self.process is not None and self.process.poll() is not None:
            return
        await super().send_signal(signum)


class PreloadedKernelManager(AsyncKernelManager):
    """An AsyncKernelManager whose kernels are forked from the preload server (see the module doc).

    ``server``: the server to ask (None: this process's, :func:`current_address`).
    """

    server: PreloadServer | None = None

    async def _async_pre_start_kernel(self, **kw: Any) -> tuple[list[str], dict[str, Any]]:
        if self.provisioner is None:
            self.kernel_id = self.kernel_id or kw.pop("kernel_id", str(uuid.uuid4()))
            self.provisioner = PreloadProvisioner(kernel_id=self.kernel_id, kernel_spec=self.kernel_spec, parent=self)
        return await super()._async_pre_start_kernel(**kw)


def kernel_manager_for(server: PreloadServer) -> type[PreloadedKernelManager]:
    """A :class:`PreloadedKernelManager` whose kernels come from ``server``."""
    return type("PreloadedKernelManager", (PreloadedKernelManager,), {"server": server})


def kernel_manager_for_jobs(jobs: Iterable[Any], configured: Sequence[str]) -> type[PreloadedKernelManager]:
    """Kernels for ``jobs`` from this process's server, told to import what of ``configured`` they use."""
    return kernel_manager_for(shared_server(modules_for(jobs, configured)))
