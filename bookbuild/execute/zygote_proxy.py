"""The kernel command of a warm kernel: ask the zygote for a forked kernel and stand in for it.

jupyter_client starts this script where it would start `python -m ipykernel_launcher -f
CONNECTION` (see `warm.WarmKernelManager`):

    python zygote_proxy.py SOCKET -m ipykernel_launcher -f CONNECTION

It sends the zygote its working directory, environment and standard streams, then lives as
long as the kernel: signals it receives (an interrupt, a terminate) are passed on, and it exits
with the kernel's exit status. Killed itself, it takes the kernel with it (the zygote sees the
connection close). When the zygote cannot serve (gone, or a different environment), it becomes
the ordinary kernel command, so a kernel always starts.
"""

import contextlib
import json
import os
import signal
import socket
import sys


def _plain(command):
    os.execv(sys.executable, [sys.executable, *command])


def main():
    path, command = sys.argv[1], sys.argv[2:]
    if command[:2] != ["-m", "ipykernel_launcher"]:
        _plain(command)
    request = {"argv": command[2:], "cwd": os.getcwd(), "env": dict(os.environ)}
    try:
        conn = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        conn.connect(path)
        socket.send_fds(conn, [json.dumps(request).encode()], [0, 1, 2])
        reply = json.loads(conn.recv(65536) or b"{}")
    except (OSError, ValueError):
        reply = {}
    if "pid" not in reply:
        _plain(command)
    pid = reply["pid"]

    def forward(number, _frame):
        with contextlib.suppress(OSError):
            os.kill(pid, number)

    for number in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT):
        signal.signal(number, forward)
    while True:
        try:
            data = conn.recv(65536)
        except InterruptedError:
            continue
        if not data:
            os._exit(1)  # the zygote is gone, and with it the kernel
        code = json.loads(data).get("exit", 1)
        if code < 0:  # killed by a signal: end the same way
            signal.signal(-code, signal.SIG_DFL)
            os.kill(os.getpid(), -code)
        os._exit(code)


if __name__ == "__main__":
    main()
