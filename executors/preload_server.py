"""The preload server: imports the heavy modules once, then forks one fresh kernel per request.

Started by :class:`labjournal.executors.preload.PreloadServer` as its own process, run from this
file's path (not as ``labjournal.executors.preload_server``: importing the package would import
labjournal's store and registry modules, which kernels should not inherit). The owner hands over
a listening unix socket (so clients can connect before the imports are done) and keeps the
server's stdin open: EOF on stdin means the owner died, and the server kills its kernels and exits.

Protocol: one JSON line per connection. ``{"op": "spawn", "argv": [...], "cwd": ..., "env": {...}}``
is answered by ``{"pid": N}`` (or ``{"error": ...}``) and, once that kernel has exited,
``{"exit": code}``; a client that closes the connection early gets its kernel killed.
``{"op": "info"}`` is answered by a description of the server (pid, modules, threads).
``{"op": "preload", "modules": [...]}`` imports more modules (later kernels get them too) and is
answered by ``{"modules": [...], "failed": {...}}``, the server's modules after it.

The forked child becomes a kernel as close to ``python -m ipykernel_launcher -f conn.json`` as a
fork allows: own session (``setsid``), stdio detached, signal handlers and ``sys.path`` as in a
fresh interpreter, the request's cwd and environment, reseeded RNGs and matplotlib's backend
chosen again. It leaves the server's loop by raising :class:`KernelChild`, so it never runs the
server's clean-up, and ends as :func:`run_kernel` says: atexit handlers and thread joins, then
``os._exit`` without the interpreter's teardown.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import ctypes
import functools
import gc
import importlib
import importlib.util
import json
import os
import selectors
import signal
import socket
import sys
import threading
import traceback
import weakref
from collections.abc import Sequence
from typing import Any, NoReturn

# Imported once by default (configurable); KERNEL_MODULES are always added.
DEFAULT_MODULES = ("numpy", "matplotlib.pyplot", "matplotlib.backends.backend_agg", "torch", "torch.optim")
# What IPKernelApp imports while it starts (measured); always preloaded. Not matplotlib_inline: its
# import hooks it into the running shell, which must happen in the child.
KERNEL_MODULES = (
    "ipykernel.kernelapp",
    "ipykernel.ipkernel",
    "ipykernel.zmqshell",
    "ipykernel.debugger",
    "IPython.core.completerlib",
    "IPython.core.debugger",
    "IPython.extensions.storemagic",
    "sqlite3",
    "tornado.platform.asyncio",
    "psutil",
    "jupyter_client.localinterfaces",
)
# getattr: this module is imported (for DEFAULT_MODULES) on platforms without SIGCHLD, e.g. Windows
_HANDLED_SIGNALS = tuple(getattr(signal, name) for name in ("SIGCHLD", "SIGINT", "SIGTERM") if hasattr(signal, name))


class KernelChild(BaseException):
    """Raised in a forked child to unwind out of the server loop and run a kernel instead."""

    def __init__(self, argv: list[str]) -> None:
        super().__init__()
        self.argv = argv


def preload(modules: Sequence[str]) -> dict[str, str]:
    """Import ``modules``; return the failures (name -> error). Never initialises CUDA."""
    failed: dict[str, str] = {}
    if any(name.split(".")[0] == "matplotlib" for name in modules):
        try:  # no GUI backend probing here; the child picks its backend again (see _reset_matplotlib)
            import matplotlib

            matplotlib.use("Agg")
        except ImportError as exc:
            failed["matplotlib"] = f"{type(exc).__name__}: {exc}"
    for name in (*modules, *KERNEL_MODULES):
        try:
            importlib.import_module(name)
        except Exception as exc:  # an optional module: preloading is an optimisation only
            failed[name] = f"{type(exc).__name__}: {exc}"
    if "torch.optim" in sys.modules:
        _warm_torch_optim()
    if "jupyter_client.localinterfaces" in sys.modules:  # each kernel lists this machine's IPs (psutil)
        sys.modules["jupyter_client.localinterfaces"].local_ips()
    _disown_finalizers()
    gc.freeze()  # keep the collector off the parent's objects: fewer copy-on-write pages in children
    return failed


def _disown_finalizers() -> None:
    """Keep kernels from running the server's ``weakref.finalize`` callbacks when they exit.

    They belong to the server's objects (torch unregisters ~130 operator libraries: 0.15 s per
    kernel exit); a kernel's copies are freed by its exit anyway.
    """
    for obj in gc.get_objects():
        if type(obj) is weakref.finalize:  # type(), not isinstance: no lazy-module __class__ lookups
            obj.atexit = False


@functools.cache  # once per server, however many preload requests import torch & co.
def _warm_torch_optim() -> None:
    """Build optimizers once: the first one lazily imports ``torch._dynamo`` (about a second).

    No step and no backward: either would start thread pools that do not survive a fork.
    """
    import torch

    param = torch.zeros(1, requires_grad=True)
    torch.optim.SGD([param], lr=0.1)
    torch.optim.Adam([param])


def cuda_initialized() -> bool:
    torch = sys.modules.get("torch")
    return bool(torch is not None and torch.cuda.is_initialized())


class _Conn:
    """One client connection: a request buffer and, once spawned, the kernel's pid."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.buffer = b""
        self.pid: int | None = None

    def send(self, message: dict[str, Any]) -> None:
        with contextlib.suppress(OSError):  # the client may be gone; nothing to tell then
            self.sock.sendall(json.dumps(message).encode() + b"\n")


class Server:
    """The fork server's loop. Single-threaded, so forking from it is safe."""

    def __init__(self, listener: socket.socket, path: str, owner: int, kernel_output: str, info: dict) -> None:
        self.pid = os.getpid()
        self.listener = listener
        self.path = path
        self.owner = owner
        self.kernel_output = kernel_output
        self.info = info
        self.children: dict[int, _Conn] = {}
        self.conns: set[_Conn] = set()
        self.stopping = False
        self.selector = selectors.PollSelector() if hasattr(selectors, "PollSelector") else selectors.SelectSelector()
        self.wakeup_r, self.wakeup_w = os.pipe()
        os.set_blocking(self.wakeup_r, False)
        os.set_blocking(self.wakeup_w, False)
        self.saved_signals = {sig: signal.getsignal(sig) for sig in _HANDLED_SIGNALS}

    def serve(self) -> None:
        """Serve until the owner goes away or SIGTERM; then kill every kernel."""
        signal.signal(signal.SIGCHLD, _noop)
        signal.signal(signal.SIGTERM, self._on_sigterm)
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the owner, whose death stops us
        signal.set_wakeup_fd(self.wakeup_w, warn_on_full_buffer=False)
        self.listener.setblocking(False)
        self.selector.register(self.listener, selectors.EVENT_READ, self._accept)
        self.selector.register(0, selectors.EVENT_READ, self._owner_input)
        self.selector.register(self.wakeup_r, selectors.EVENT_READ, self._drain_wakeup)
        try:
            while not self.stopping:
                for key, _ in self.selector.select(timeout=1.0):
                    try:
                        key.data(key.fileobj)
                    except Exception:  # one bad request must not end the server (KernelChild is no Exception)
                        traceback.print_exc()
                self._reap()
                if os.getppid() != self.owner:
                    self.stopping = True
        finally:
            if os.getpid() == self.pid:  # never in a forked child unwinding with KernelChild
                self._shutdown()

    def _on_sigterm(self, signum: int, frame: object) -> None:
        self.stopping = True

    def _owner_input(self, fd: object) -> None:
        if not os.read(0, 4096):
            self.stopping = True

    def _drain_wakeup(self, fd: object) -> None:
        with contextlib.suppress(BlockingIOError):
            while os.read(self.wakeup_r, 4096):
                pass

    def _accept(self, listener: object) -> None:
        try:
            sock, _ = self.listener.accept()
        except BlockingIOError:
            return
        sock.setblocking(True)
        conn = _Conn(sock)
        self.conns.add(conn)
        self.selector.register(sock, selectors.EVENT_READ, lambda _: self._readable(conn))

    def _readable(self, conn: _Conn) -> None:
        try:
            data = conn.sock.recv(65536)
        except OSError:
            data = b""
        if not data:
            self._drop(conn)
            return
        if conn.pid is not None:
            return  # nothing more is expected after the request; only EOF matters
        conn.buffer += data
        if b"\n" in conn.buffer:
            line, conn.buffer = conn.buffer.split(b"\n", 1)
            self._handle(conn, line)

    def _handle(self, conn: _Conn, line: bytes) -> None:
        try:
            request = json.loads(line)
            op = request.get("op")
        except (ValueError, AttributeError):
            conn.send({"error": "malformed request"})
            self._drop(conn)
            return
        if op == "info":
            conn.send({**self.info, "threads": threading.active_count(), "cuda_initialized": cuda_initialized()})
            self._drop(conn)
        elif op == "spawn":
            self._spawn(conn, request)
        elif op == "preload":
            self._preload(conn, request)
        else:
            conn.send({"error": f"unknown op {op!r}"})
            self._drop(conn)

    def _preload(self, conn: _Conn, request: dict[str, Any]) -> None:
        modules = [str(m) for m in request.get("modules") or [] if str(m) not in self.info["modules"]]
        failed = preload(modules) if modules else {}
        for name, error in failed.items():
            print(f"labjournal preload: could not import {name}: {error}", file=sys.stderr)
        self.info["modules"] += [m for m in modules if m not in failed]
        self.info["failed"].update(failed)
        conn.send({"modules": self.info["modules"], "failed": self.info["failed"]})
        self._drop(conn)

    def _spawn(self, conn: _Conn, request: dict[str, Any]) -> None:
        problem = _refuse_reason(request)
        if problem:
            conn.send({"error": problem})
            self._drop(conn)
            return
        try:
            pid = os.fork()
        except OSError as exc:  # EAGAIN, ENOMEM: the client falls back to a plain kernel
            conn.send({"error": f"fork failed: {exc}"})
            self._drop(conn)
            return
        if pid == 0:
            self._become_kernel(request)  # raises KernelChild
        conn.pid = pid
        self.children[pid] = conn
        conn.send({"pid": pid})

    def _become_kernel(self, request: dict[str, Any]) -> None:
        """In the child: detach from the server, then unwind to :func:`main` to run the kernel."""
        try:
            signal.set_wakeup_fd(-1)
            for sig, handler in self.saved_signals.items():
                signal.signal(sig, handler)
            self._close_own_fds()
            os.setsid()
            _die_with_parent(self.pid)
            _redirect_stdio(self.kernel_output)
            os.chdir(request["cwd"])
            _apply_env({**request["env"], "JPY_PARENT_PID": str(self.pid)})
            _reseed()
        except BaseException:
            traceback.print_exc()
            os._exit(1)
        raise KernelChild(list(request["argv"]))

    def _close_own_fds(self) -> None:
        # Closing (not unregistering): PollSelector keeps no kernel object shared with the parent.
        self.selector.close()
        self.listener.close()
        for conn in self.conns:
            conn.sock.close()
        os.close(self.wakeup_r)
        os.close(self.wakeup_w)

    def _drop(self, conn: _Conn) -> None:
        """Forget a connection; a kernel whose client has gone is killed."""
        if conn not in self.conns:
            return
        self.conns.discard(conn)
        with contextlib.suppress(KeyError, ValueError):
            self.selector.unregister(conn.sock)
        conn.sock.close()
        if conn.pid is not None and conn.pid in self.children:
            _kill_kernel(conn.pid)

    def _reap(self) -> None:
        while self.children:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            _killpg(pid)  # whatever the kernel left in its session goes with it
            conn = self.children.pop(pid, None)
            if conn is not None and conn in self.conns:
                conn.send({"exit": os.waitstatus_to_exitcode(status)})
                self._drop(conn)

    def _shutdown(self) -> None:
        for pid in list(self.children):
            _kill_kernel(pid)
        for pid in list(self.children):
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)
            conn = self.children.pop(pid)
            conn.send({"exit": -signal.SIGKILL})
        for conn in list(self.conns):
            self._drop(conn)
        self.selector.close()
        self.listener.close()
        with contextlib.suppress(OSError):
            os.unlink(self.path)


def _noop(signum: int, frame: object) -> None:
    """SIGCHLD only has to interrupt select(); the wakeup fd does the rest."""


def _refuse_reason(request: dict[str, Any]) -> str:
    if cuda_initialized():
        return "CUDA is initialised in the preload server; a forked child could not use it"
    if not isinstance(request.get("argv"), list) or not isinstance(request.get("env"), dict):
        return "spawn needs argv (list) and env (dict)"
    if not os.path.isdir(request.get("cwd") or ""):
        return f"no such directory: {request.get('cwd')!r}"
    return ""


def _killpg(pgid: int) -> None:
    with contextlib.suppress(OSError):
        os.killpg(pgid, signal.SIGKILL)


def _kill_kernel(pid: int) -> None:
    """Kill a not yet reaped child and its session; the child itself too, in case it has not called setsid yet."""
    with contextlib.suppress(OSError):
        os.kill(pid, signal.SIGKILL)
    _killpg(pid)


def _die_with_parent(parent: int) -> None:
    """Linux: the kernel gets SIGKILL if the server dies (PR_SET_PDEATHSIG); elsewhere the poller."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)
    if os.getppid() != parent:
        os._exit(1)


def _redirect_stdio(output: str) -> None:
    null = os.open(os.devnull, os.O_RDONLY)
    out = os.open(output, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    os.dup2(null, 0)
    os.dup2(out, 1)
    os.dup2(out, 2)
    os.close(null)
    os.close(out)


def _apply_env(env: dict[str, str]) -> None:
    """Replace the environment and redo what the server read from its own at start-up and is cheap
    to redo: PYTHONPATH, and torch's thread count (OMP_NUM_THREADS / MKL_NUM_THREADS, read when
    torch loaded). Other start-up variables (PYTHONHASHSEED, OPENBLAS_NUM_THREADS, ...) stay the server's.
    """
    old_env = dict(os.environ)
    old, new = _pythonpath(old_env.get("PYTHONPATH", "")), _pythonpath(env.get("PYTHONPATH", ""))
    os.environ.clear()
    os.environ.update(env)
    if old != new:
        sys.path[:] = new + [p for p in sys.path if p not in old]
        importlib.invalidate_caches()
    torch = sys.modules.get("torch")
    if torch is not None and any(old_env.get(k) != env.get(k) for k in _TORCH_THREAD_VARS):
        threads = _positive_int(env.get("MKL_NUM_THREADS")) or _positive_int(env.get("OMP_NUM_THREADS"))
        torch.set_num_threads(threads or os.cpu_count() or 1)  # unset: about torch's default (the cores)


_TORCH_THREAD_VARS = ("OMP_NUM_THREADS", "MKL_NUM_THREADS")


def _positive_int(value: str | None) -> int:
    try:
        return max(0, int(value or 0))
    except ValueError:
        return 0


def _pythonpath(value: str) -> list[str]:
    return [os.path.abspath(p) for p in value.split(os.pathsep) if p]


def _reseed() -> None:
    """A fresh interpreter seeds numpy's and torch's global RNGs from the OS; forked children would share them.

    (``random`` reseeds itself after fork.) Only torch's CPU generator: CUDA's are seeded when CUDA starts.
    """
    numpy_random = sys.modules.get("numpy.random")
    if numpy_random is not None:
        numpy_random.seed()
    torch = sys.modules.get("torch")
    if torch is not None:
        torch.default_generator.seed()


def _reset_matplotlib() -> None:
    """Choose the backend again as a fresh import would: from MPLBACKEND, which ipykernel set.

    Pyplot resolves its backend lazily, and the server never drew a figure, so setting rcParams is
    enough: the first figure then imports the inline backend, which hooks itself into the shell.
    A matplotlibrc in the kernel's cwd is read as a fresh import would.
    """
    matplotlib = sys.modules.get("matplotlib")
    if matplotlib is None:
        return
    fname = matplotlib.matplotlib_fname()
    if fname != _MATPLOTLIBRC.get("path"):
        matplotlib.rc_file(fname)
    backend = os.environ.get("MPLBACKEND")
    if backend:
        matplotlib.rcParams["backend"] = backend


_MATPLOTLIBRC: dict[str, str] = {}


def run_kernel(argv: list[str]) -> NoReturn:
    """What ``python -m ipykernel_launcher <argv>`` does, with matplotlib's backend re-chosen.

    The exit skips the interpreter's teardown (seconds with torch loaded, and the manager waits for
    it), like multiprocessing's forked children; unlike them it still joins non-daemon threads and
    runs atexit handlers, which a note may rely on (e.g. to close an experiment-tracking run).
    Except ``IPKernelApp.close``: it stops the IOPub thread, then joins the control thread, which
    may still be flushing output through that thread after answering the shutdown request; it
    then hangs until the manager kills it 2.5 s later (measured on every other forked kernel; plain
    kernels hit the same race less often, cf. posit-dev/positron#7142). Nothing is left to publish
    once the client has asked for shutdown; the sockets die with us.
    """
    code = 0
    try:
        from ipykernel.kernelapp import IPKernelApp

        spec = importlib.util.find_spec("ipykernel_launcher")
        sys.argv = [spec.origin if spec and spec.origin else "ipykernel_launcher", *argv]
        app = IPKernelApp.instance()
        app.initialize(argv)
        atexit.unregister(app.close)
        _reset_matplotlib()
        app.start()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:
        traceback.print_exc()
        code = 1
    for thread in threading.enumerate():
        if thread is not threading.current_thread() and not thread.daemon:
            thread.join()
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
        with contextlib.suppress(Exception):
            if stream is not None:
                stream.flush()
    os._exit(code)


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="preload_server", description=__doc__.splitlines()[0])
    parser.add_argument("--fd", type=int, required=True, help="inherited listening unix socket")
    parser.add_argument("--socket", required=True, help="its path, removed on exit")
    parser.add_argument("--owner", type=int, required=True, help="pid whose death ends the server")
    parser.add_argument("--modules", default=",".join(DEFAULT_MODULES), help="comma-separated")
    parser.add_argument("--kernel-output", default=os.devnull, help="file for the kernels' stdout/stderr")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    args = _parse(argv)
    if sys.path and sys.path[0] == "":
        del sys.path[0]  # `python -c`: the owner's cwd must not shadow modules (as ipykernel_launcher does)
    listener = socket.socket(fileno=args.fd)
    # No debugger in a note's kernel: papermill never attaches one, and importing debugpy is a
    # quarter of the server's start-up. ipykernel treats a missing debugpy as "no debugger".
    sys.modules.setdefault("debugpy", None)  # type: ignore[arg-type]
    modules = [m for m in args.modules.split(",") if m]
    failed = preload(modules)
    if "matplotlib" in sys.modules:
        _MATPLOTLIBRC["path"] = sys.modules["matplotlib"].matplotlib_fname()
    info = {"pid": os.getpid(), "modules": [m for m in modules if m not in failed], "failed": failed}
    for name, error in failed.items():
        print(f"labjournal preload: could not import {name}: {error}", file=sys.stderr)
    server = Server(listener, args.socket, args.owner, args.kernel_output, info)
    try:
        server.serve()
    except KernelChild as child:
        argv = child.argv
    else:  # its kernels are dead: skip the interpreter's teardown (seconds with torch loaded; the owner waits)
        for stream in (sys.stdout, sys.stderr):
            stream.flush()
        os._exit(0)
    # a forked child: start its kernel outside the except block, so that no traceback a note
    # raises is chained to KernelChild (and to this file's frames)
    run_kernel(argv)


if __name__ == "__main__":
    main()
