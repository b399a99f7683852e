"""A kernel client that knows when a fresh kernel is ready without waiting for silence.

jupyter_client's ``wait_for_ready`` ends by reading IOPub until nothing arrives for 0.2 s: a fixed
0.2 s per kernel, most of a forked kernel's start-up. Here the kernel is ready once our
``kernel_info`` request is answered on the shell channel *and* its ``idle`` status has arrived on
IOPub: IOPub is then connected, and nothing the kernel sent before that is still in flight. If the
idle status does not come (IOPub subscribed too late to see it), the request is sent again.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from queue import Empty
from typing import Any

from jupyter_client.asynchronous import AsyncKernelClient

SHELL_WAIT = 1.0  # seconds for one kernel_info reply, as jupyter_client waits
IOPUB_WAIT = 0.05  # seconds for that request's idle status before asking again (cheap: a few ms)

Message = dict[str, Any]


class ReadyKernelClient(AsyncKernelClient):
    """An :class:`~jupyter_client.asynchronous.AsyncKernelClient` with a prompt ``wait_for_ready``."""

    async def wait_for_ready(self, timeout: float | None = None) -> None:
        deadline = time.monotonic() + (math.inf if timeout is None else timeout)
        while True:
            msg_id = self.kernel_info()
            reply = await _next(self.shell_channel, msg_id, _until(deadline, SHELL_WAIT), _is_kernel_info_reply)
            if reply is not None:
                self._handle_kernel_info_reply(reply)
                if await _next(self.iopub_channel, msg_id, _until(deadline, IOPUB_WAIT), _is_idle) is not None:
                    return
            if not await self._async_is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")  # the stock wording
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout:g} seconds")


def _until(deadline: float, seconds: float) -> float:
    return min(deadline, time.monotonic() + seconds)


def _is_kernel_info_reply(message: Message) -> bool:
    return message.get("msg_type") == "kernel_info_reply"


def _is_idle(message: Message) -> bool:
    return message.get("msg_type") == "status" and message.get("content", {}).get("execution_state") == "idle"


async def _next(channel: Any, msg_id: str, until: float, wanted: Callable[[Message], bool]) -> Message | None:
    """The first message on ``channel`` answering ``msg_id`` that is ``wanted`` (others are dropped)."""
    while (left := until - time.monotonic()) > 0:
        try:
            message = await channel.get_msg(timeout=left)
        except Empty:
            return None
        if message.get("parent_header", {}).get("msg_id") == msg_id and wanted(message):
            return message
    return None
