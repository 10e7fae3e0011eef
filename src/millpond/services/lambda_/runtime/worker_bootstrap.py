"""What a worker process runs first, in the function's own interpreter (any Python 3): it gives the
environment a private /tmp, then hands over to AWS's runtime interface client.

The source is passed with `python -c`, never imported by path (so this folder never lands on the
worker's sys.path), and imports nothing of millpond: the interpreter may be another Python entirely.

/tmp: each execution environment has a folder of its own (TMPDIR points at it, so tempfile and the
SDKs use it); where the kernel lets this process make a mount namespace (root, or unprivileged user
namespaces), that folder is also bind-mounted over /tmp, so code that writes '/tmp/x' literally sees
only its own environment's files, as on AWS. Folders the worker itself runs from that live under /tmp
(the function's code, the interpreter, a checkout of millpond in a temporary folder) are bound back at
their own paths inside the private /tmp, so hiding the machine's /tmp hides nothing the worker needs.
"""

import ctypes
import ctypes.util
import os
import runpy
import sys

CLONE_NEWNS = 0x00020000
CLONE_NEWUSER = 0x10000000
MS_REC = 0x4000
MS_PRIVATE = 0x40000
MS_BIND = 0x1000


def _write(path, text):
    with open(path, "w") as handle:
        handle.write(text)


def private_tmp(folder):
    """Mount `folder` over /tmp in a mount namespace of this process's own; False where not allowed."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    except OSError:
        return False
    uid, gid = os.getuid(), os.getgid()
    flags = CLONE_NEWNS if uid == 0 else CLONE_NEWNS | CLONE_NEWUSER
    if libc.unshare(flags) != 0:
        return False
    if uid != 0:
        try:  # map ourselves to the same ids inside the new user namespace
            _write("/proc/self/setgroups", "deny")
            _write("/proc/self/uid_map", f"{uid} {uid} 1")
            _write("/proc/self/gid_map", f"{gid} {gid} 1")
        except OSError:
            return False
    if libc.mount(b"none", b"/", None, MS_REC | MS_PRIVATE, None) != 0:
        return False
    kept = {}  # top-level names under /tmp the worker runs from -> a descriptor of each
    for path in _paths_in_use():
        real = os.path.realpath(path)
        if real.startswith("/tmp/"):
            top = real.split("/")[2]
            if top not in kept and os.path.isdir("/tmp/" + top):
                kept[top] = os.open("/tmp/" + top, os.O_RDONLY | os.O_DIRECTORY)
    if libc.mount(folder.encode(), b"/tmp", None, MS_BIND, None) != 0:
        return False
    for top, descriptor in kept.items():
        target = "/tmp/" + top
        if not os.path.isdir(target):
            os.mkdir(target)
        source = f"/proc/self/fd/{descriptor}".encode()
        libc.mount(source, target.encode(), None, MS_BIND | MS_REC, None)
        os.close(descriptor)
    os.chdir(os.environ.get("LAMBDA_TASK_ROOT") or ".")  # the working directory's path, through the new /tmp
    return True


def _paths_in_use():
    yield os.getcwd()
    yield sys.executable
    yield from (sys.prefix, sys.base_prefix, sys.exec_prefix)
    yield from (path for path in sys.path if path)
    yield from (path for path in os.environ.get("PYTHONPATH", "").split(os.pathsep) if path)


def main():
    folder = os.environ.pop("_MILLPOND_PRIVATE_TMP", "")
    if folder and private_tmp(folder):
        os.environ.pop("TMPDIR", None)  # /tmp is now the environment's own, as on AWS (which sets none)
    runpy.run_module("awslambdaric", run_name="__main__", alter_sys=True)


main()
