"""One build at a time per dataset folder, with a lock file that also works on shared (NFS) folders."""

from __future__ import annotations

import json
import os
import socket
import time
from contextlib import contextmanager
from pathlib import Path


class OutputLockedError(RuntimeError):
    pass


@contextmanager
def output_lock(dataset_dir: Path, wait_seconds: float = 30.0):
    """O_CREAT|O_EXCL is atomic on local and NFS folders alike; the holder's pid and host are in the file."""
    path = dataset_dir / ".lock"
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
            break
        except FileExistsError:
            if _stale(path):
                path.unlink(missing_ok=True)
                continue
            if time.monotonic() > deadline:
                holder = path.read_text(errors="replace") if path.exists() else "?"
                raise OutputLockedError(f"{dataset_dir} is being published by another build ({holder}); "
                                        f"try again when it has finished") from None
            time.sleep(0.2)
    with os.fdopen(fd, "w") as handle:
        json.dump({"pid": os.getpid(), "host": socket.gethostname(), "since": time.time()}, handle)
    try:
        yield
    finally:
        path.unlink(missing_ok=True)


def _stale(path: Path) -> bool:
    """A lock left by a dead process on this host can be taken over."""
    try:
        holder = json.loads(path.read_text())
    except (OSError, ValueError):
        return False
    if holder.get("host") != socket.gethostname():
        return False
    try:
        os.kill(int(holder["pid"]), 0)
    except ProcessLookupError:
        return True
    except (PermissionError, KeyError, ValueError):
        return False
    return False
