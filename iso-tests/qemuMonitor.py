#!/usr/bin/env python3
"""Run one command on a QEMU human monitor (HMP) listening on a unix socket
(vm_start with VM_MONITOR=1) and print its answer.

usage: qemuMonitor.py SOCKET TIMEOUT_SECONDS COMMAND
Exits 0 once the monitor shows its prompt again after the command, 124 when
it did not within the timeout or the socket cannot be reached.
"""
import socket
import sys
import time

PROMPT = b"(qemu) "


def read_until_prompt(sock: socket.socket, deadline: float) -> bytes | None:
    data = b""
    while time.monotonic() < deadline:
        sock.settimeout(max(0.1, deadline - time.monotonic()))
        try:
            chunk = sock.recv(65536)
        except socket.timeout:
            return None
        if not chunk:
            return None
        data += chunk
        if data.endswith(PROMPT):
            return data
    return None


def main() -> int:
    path, timeout, command = sys.argv[1], float(sys.argv[2]), sys.argv[3]
    deadline = time.monotonic() + timeout
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.settimeout(timeout)
        sock.connect(path)
        if read_until_prompt(sock, deadline) is None:  # the greeting
            return 124
        sock.sendall(command.encode() + b"\n")
        answer = read_until_prompt(sock, deadline)
    except OSError:
        return 124
    finally:
        sock.close()
    if answer is None:
        return 124
    # the monitor echoes the command line; the answer follows it
    text = answer[: -len(PROMPT)].decode("utf-8", "replace").replace("\r", "")
    sys.stdout.write(text.split("\n", 1)[1] if "\n" in text else "")
    return 0


if __name__ == "__main__":
    sys.exit(main())
