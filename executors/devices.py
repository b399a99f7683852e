"""Which device a note may use, decided without importing torch when no GPU can be present."""

from __future__ import annotations

import glob
import os
import shutil
from functools import cache


@cache
def gpu_available() -> bool:
    """True when torch sees a CUDA device. Cheap on hosts without an NVIDIA driver."""
    if os.environ.get("CUDA_VISIBLE_DEVICES", None) in ("", "-1"):
        return False
    if not glob.glob("/dev/nvidia[0-9]*") and not shutil.which("nvidia-smi"):
        return False
    try:
        import torch
    except ImportError:
        return False
    return bool(torch.cuda.is_available())


def visible_gpus() -> list[str]:
    """The GPUs this process may use, as CUDA_VISIBLE_DEVICES entries (empty without a GPU)."""
    listed = os.environ.get("CUDA_VISIBLE_DEVICES")
    if listed is not None:
        return [gpu.strip() for gpu in listed.split(",") if gpu.strip() and gpu.strip() != "-1"]
    if not gpu_available():
        return []
    import torch

    return [str(index) for index in range(torch.cuda.device_count())]
