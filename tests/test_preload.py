"""Kernels forked from a preloaded parent (executors/preload.py), with real servers and kernels.

One server with the default modules (torch included) is shared by the module; tests that need a
server of their own use a tiny module list so that it starts in about a second.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import nbformat
import psutil
import pytest
from jupyter_client import AsyncKernelManager

from labjournal.executors import Job, Outcome, preload, preload_server, run_job
from labjournal.executors.local import LocalExecutor

pytestmark = [
    pytest.mark.kernel,
    pytest.mark.skipif(not preload.fork_supported(), reason="kernels are forked only where fork is supported"),
]

KERNEL_MODULES_ONLY: tuple[str, ...] = ()  # the server still imports ipykernel's own modules
WAIT = 60  # bound for processes to go away (not a timing assertion: a hang fails instead of blocking)


def make_job(tmp_path: Path, *sources: str, timeout: float | None = None, name: str = "note") -> Job:
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(textwrap.dedent(s)) for s in sources])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return Job(name, dict(notebook), {}, key=name, cwd=str(tmp_path), cell_timeout=timeout)


def texts(outcome: Outcome) -> list[str]:
    assert outcome.notebook is not None
    return ["".join(o.get("text", "")) for c in outcome.notebook["cells"] for o in c["outputs"] if "text" in o]


def run_preloaded(job: Job, server: preload.PreloadServer) -> Outcome:
    with preload.using_server(server.address):
        return run_job(job, kernel_manager_class=preload.PreloadedKernelManager)


def gone(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


@pytest.fixture(scope="module")
def server() -> Iterator[preload.PreloadServer]:
    with preload.PreloadServer() as started:
        yield started


def test_server_imported_the_modules_and_stays_single_threaded(server: preload.PreloadServer) -> None:
    info = server.info()
    assert info["pid"] == server.pid
    assert info["failed"] == {}
    assert set(preload.DEFAULT_MODULES) <= set(info["modules"])
    assert info["threads"] == 1  # Python threads: forking a multi-threaded parent is not safe
    assert info["cuda_initialized"] is False


def test_note_runs_in_a_forked_kernel_with_torch_training_and_a_png(
    server: preload.PreloadServer, tmp_path: Path
) -> None:
    job = make_job(
        tmp_path,
        "import os, sys\nprint(os.getppid(), 'torch' in sys.modules, os.getcwd())",
        """
        import torch
        import matplotlib.pyplot as plt
        torch.manual_seed(0)
        x = torch.randn(32, 3)
        y = x.sum(1, keepdim=True)
        model = torch.nn.Linear(3, 1)
        opt = torch.optim.Adam(model.parameters(), lr=0.1)
        losses = []
        for _ in range(50):
            opt.zero_grad()
            loss = torch.nn.functional.mse_loss(model(x), y)
            loss.backward()
            opt.step()
            losses.append(loss.item())
        plt.plot(losses)
        plt.show()
        print(losses[-1] < losses[0] / 10)
        """,
    )
    outcome = run_preloaded(job, server)
    assert outcome.status == "ok", outcome.message
    ppid, preloaded, cwd = texts(outcome)[0].split()
    assert (int(ppid), preloaded, cwd) == (server.pid, "True", str(tmp_path))
    outputs = outcome.notebook["cells"][1]["outputs"]
    assert [o["output_type"] for o in outputs] == ["display_data", "stream"]
    assert outputs[0]["data"]["image/png"]
    assert outputs[1]["text"] == "True\n"


def test_consecutive_notes_share_no_state(server: preload.PreloadServer, tmp_path: Path) -> None:
    draw = "import os, numpy, torch\nprint(os.getpid(), numpy.random.rand(), torch.rand(1).item())"
    first = run_preloaded(make_job(tmp_path, "secret = 41", draw), server)
    second = run_preloaded(make_job(tmp_path, draw, "print(secret)"), server)
    assert first.ok
    assert second.status == "error"
    assert "NameError" in second.message and "secret" in second.message
    first_pid, *first_draws = texts(first)[0].split()
    second_pid, *second_draws = texts(second)[0].split()
    assert first_pid != second_pid
    assert first_draws[0] != second_draws[0] and first_draws[1] != second_draws[1]  # RNGs reseeded per kernel


def test_the_kernels_thread_count_follows_its_environment(
    server: preload.PreloadServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # torch reads OMP_NUM_THREADS when it loads, i.e. in the server: the kernel's value must win
    threads = (os.cpu_count() or 1) + 1
    monkeypatch.setenv("OMP_NUM_THREADS", str(threads))
    outcome = run_preloaded(make_job(tmp_path, "import torch\nprint(torch.get_num_threads())"), server)
    assert texts(outcome) == [f"{threads}\n"]


def test_a_cell_error_is_reported_as_with_a_plain_kernel(server: preload.PreloadServer, tmp_path: Path) -> None:
    job = make_job(tmp_path, "print('before')", "1 / 0", "print('never')")
    forked = run_preloaded(job, server)
    plain = run_job(job)
    assert (forked.status, forked.message) == (plain.status, plain.message) == ("error", forked.message)
    assert "ZeroDivisionError" in forked.message
    assert forked.traceback == plain.traceback  # nothing of the server's frames chained to it
    assert texts(forked) == texts(plain) == ["before\n"]
    assert forked.notebook["cells"][2].get("execution_count") is None


def test_a_dying_kernel_is_reported_as_with_a_plain_kernel(server: preload.PreloadServer, tmp_path: Path) -> None:
    job = make_job(tmp_path, "import os\nos._exit(3)", "print('never')")
    forked, plain = run_preloaded(job, server), run_job(job)
    assert (forked.status, forked.message) == (plain.status, plain.message)
    assert forked.status == "dead kernel" and "3" in forked.message


def test_a_cell_timeout_kills_the_kernel_and_everything_it_started(
    server: preload.PreloadServer, tmp_path: Path
) -> None:
    pids = tmp_path / "pids.json"
    job = make_job(
        tmp_path,
        f"""
        import json, os, subprocess
        child = subprocess.Popen(["sleep", "600"])
        open({str(pids)!r}, "w").write(json.dumps([os.getpid(), child.pid]))
        """,
        "import time\ntime.sleep(600)",
        timeout=2,
    )
    outcome = run_preloaded(job, server)
    # papermill records the timeout as the cell's error (base.run_job then says "error", plain or forked)
    assert outcome.status in ("timeout", "error") and "CellTimeoutError" in outcome.message, outcome.message
    kernel, grandchild = json.loads(pids.read_text())
    assert psutil.Process(server.pid).children() == []
    psutil.wait_procs([p for p in (_process(kernel), _process(grandchild)) if p], timeout=WAIT)
    assert gone(kernel) and gone(grandchild)


def _process(pid: int) -> psutil.Process | None:
    try:
        return psutil.Process(pid)
    except psutil.NoSuchProcess:
        return None


def test_interrupt_restart_and_kill_through_the_kernel_manager(server: preload.PreloadServer, tmp_path: Path) -> None:
    async def scenario() -> tuple[int, int, str, bool]:
        km = preload.PreloadedKernelManager(kernel_name="python3")
        await km.start_kernel(cwd=str(tmp_path))
        first = km.provisioner.pid
        assert psutil.Process(first).ppid() == server.pid
        client = km.client()
        client.start_channels()
        try:
            await client.wait_for_ready(timeout=WAIT)
            msg_id = client.execute("print('sleeping', flush=True)\nimport time\ntime.sleep(600)")
            while (await client.get_iopub_msg(timeout=WAIT))["content"].get("text") != "sleeping\n":
                pass
            await km.interrupt_kernel()
            reply = await client.get_shell_msg(timeout=WAIT)
            assert reply["parent_header"]["msg_id"] == msg_id
            await km.restart_kernel(now=True)
            second = km.provisioner.pid
            assert psutil.Process(second).ppid() == server.pid
            await client.wait_for_ready(timeout=WAIT)
            alive = await km.is_alive()
            await km.shutdown_kernel(now=True)
            return first, second, reply["content"].get("ename", ""), alive and not await km.is_alive()
        finally:
            client.stop_channels()

    with preload.using_server(server.address):
        first, second, ename, alive_then_dead = asyncio.run(scenario())
    assert ename == "KeyboardInterrupt"
    assert first != second
    assert alive_then_dead
    assert gone(first) and gone(second)
    assert psutil.Process(server.pid).children() == []


def test_a_kernel_whose_client_goes_away_is_killed(tmp_path: Path) -> None:
    with preload.PreloadServer(KERNEL_MODULES_ONLY) as server:
        kernel = preload.spawn(server.address, ["-f", str(tmp_path / "conn.json")], str(tmp_path), dict(os.environ))
        process = psutil.Process(kernel.pid)  # before close: the kernel may be gone at once
        assert process.ppid() == server.pid
        kernel.close()  # as when the process holding the KernelManager dies
        psutil.wait_procs([process], timeout=WAIT)
        assert gone(kernel.pid)


def test_the_server_and_its_kernels_end_when_the_owner_dies(tmp_path: Path) -> None:
    owner_code = textwrap.dedent(
        f"""
        import json, os, sys, time
        from labjournal.executors import preload
        server = preload.PreloadServer({KERNEL_MODULES_ONLY!r})
        kernel = preload.spawn(server.address, ["-f", {str(tmp_path / "conn.json")!r}], os.getcwd(), dict(os.environ))
        print(json.dumps([server.pid, kernel.pid]), flush=True)
        time.sleep(600)
        """
    )
    owner = subprocess.Popen([sys.executable, "-c", owner_code], stdout=subprocess.PIPE, text=True, cwd=tmp_path)
    try:
        server_pid, kernel_pid = json.loads(owner.stdout.readline())
        server_process, kernel_process = psutil.Process(server_pid), psutil.Process(kernel_pid)
        assert kernel_process.ppid() == server_pid
        owner.send_signal(signal.SIGKILL)  # no clean-up code runs in the owner
        owner.wait()
        psutil.wait_procs([server_process, kernel_process], timeout=WAIT)
        assert gone(server_pid) and gone(kernel_pid)
    finally:
        owner.kill()
        owner.wait()
        owner.stdout.close()


def test_kernelspecs_of_other_interpreters_are_not_forked() -> None:
    assert preload.kernel_argv([sys.executable, "-m", "ipykernel_launcher", "-f", "c.json"]) == ["-f", "c.json"]
    assert preload.kernel_argv(["/opt/other/bin/python", "-m", "ipykernel_launcher", "-f", "c.json"]) is None
    assert preload.kernel_argv([sys.executable, "-m", "some_other_kernel", "-f", "c.json"]) is None
    assert preload.kernel_argv(["R", "--slave", "-e", "IRkernel::main()"]) is None


def test_without_fork_kernels_start_plainly(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    def no_server() -> str:
        raise AssertionError("a preload server was asked for although fork is unsupported")

    monkeypatch.setattr(preload, "fork_supported", lambda: False)
    monkeypatch.setattr(preload, "current_address", no_server)
    executor = LocalExecutor(jobs=1, preload=True)
    assert not executor.preload and "kernel_manager_class" not in executor.engine_kwargs
    job = make_job(tmp_path, "import os\nprint(os.getppid())")
    outcome = run_job(job, kernel_manager_class=preload.PreloadedKernelManager)
    assert outcome.ok, outcome.message
    assert texts(outcome) == [f"{os.getpid()}\n"]  # a plain child of this process


def test_a_server_that_cannot_be_reached_means_a_plain_kernel(tmp_path: Path) -> None:
    with preload.using_server(str(tmp_path / "no-server.sock")):
        outcome = run_job(make_job(tmp_path, "import os\nprint(os.getppid())"), **preload.engine_kwargs(True))
    assert outcome.ok, outcome.message
    assert texts(outcome) == [f"{os.getpid()}\n"]


def test_the_server_refuses_to_fork_once_cuda_is_initialised(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    request = {"op": "spawn", "argv": [], "cwd": str(tmp_path), "env": {}}
    assert preload_server._refuse_reason(request) == ""
    monkeypatch.setattr(preload_server, "cuda_initialized", lambda: True)
    assert "CUDA" in preload_server._refuse_reason(request)


def test_local_executor_forks_every_note_from_one_server(tmp_path: Path) -> None:
    probe = "import os, sys\nprint(os.getppid(), 'numpy' in sys.modules)\nimport numpy"  # numpy: preload it
    jobs = [make_job(tmp_path, probe, name=f"n{i}") for i in range(3)]
    with LocalExecutor(jobs=2, preload_modules=("numpy",)) as executor:
        assert executor.engine_kwargs["kernel_manager_class"] is preload.PreloadedKernelManager
        outcomes = list(executor.map(jobs))
    server = preload.shared_server(())
    assert sorted(o.job.note_id for o in outcomes) == ["n0", "n1", "n2"]
    assert all(o.ok for o in outcomes), [o.message for o in outcomes]
    assert {texts(o)[0] for o in outcomes} == {f"{server.pid} True\n"}


def test_a_running_server_imports_more_modules_when_asked(tmp_path: Path) -> None:
    with preload.PreloadServer(KERNEL_MODULES_ONLY) as server:
        assert server.info()["modules"] == []
        server.preload(["json", "no_such_module_xyz"])  # returns at once; the kernel below waits for it
        probe = make_job(tmp_path, "import sys\nprint('json' in sys.modules, 'no_such_module_xyz' in sys.modules)")
        outcome = run_job(probe, kernel_manager_class=preload.kernel_manager_for(server))
        assert outcome.ok, outcome.message
        assert texts(outcome) == ["True False\n"]
        info = server.info()
        assert info["modules"] == ["json"] and "no_such_module_xyz" in info["failed"]


@pytest.mark.parametrize(
    ("sources", "expected"),
    [
        (["import time\nprint(1)", "import os.path, json"], ()),  # the standard library only: nothing heavy
        (["import numpy as np"], ("numpy",)),
        (["from matplotlib import pyplot as plt\n%matplotlib inline"], ("matplotlib.pyplot",)),
        (["from labjournal import record\nimport torch.nn as nn"], ("torch", "torch.optim")),
        (["import sklearn.datasets"], ("numpy", "matplotlib.pyplot", "torch", "torch.optim")),  # may import any
    ],
)
def test_a_run_preloads_the_modules_its_notes_import(
    tmp_path: Path, sources: list[str], expected: tuple[str, ...]
) -> None:
    configured = ("numpy", "matplotlib.pyplot", "torch", "torch.optim")
    jobs = [make_job(tmp_path, source, name=f"n{i}") for i, source in enumerate(sources)]
    assert preload.modules_for(jobs, configured) == expected


def test_plain_and_preloaded_kernels_agree_on_the_interpreter_state(
    server: preload.PreloadServer, tmp_path: Path
) -> None:
    probe = """
    import json, os, sys
    import matplotlib
    print(json.dumps({
        "cwd_importable": "" in sys.path,
        "sys_path": [p for p in sys.path if p],
        "backend": matplotlib.get_backend(),
        "main": sys.modules["__main__"].__name__,
        "argv0": os.path.basename(sys.argv[0]),
    }))
    """
    forked = run_preloaded(make_job(tmp_path, probe), server)
    plain = run_job(make_job(tmp_path, probe), kernel_manager_class=AsyncKernelManager)
    assert forked.ok and plain.ok
    assert json.loads(texts(forked)[0]) == json.loads(texts(plain)[0])
