#!/usr/bin/env python3
"""Run one command in the root shell that systemd.debug_shell=ttyS1 starts
on a QEMU guest's second serial port (a unix socket on the host).

usage: serialShell.py SOCKET TIMEOUT_SECONDS COMMAND
Prints the command's output, exits with the command's exit status, or 124 when
no answer came within the timeout (the guest may still be booting).
"""
import os
import re
import socket
import sys
import time


def main() -> int:
    path, timeout, command = sys.argv[1], float(sys.argv[2]), sys.argv[3]
    deadline = time.monotonic() + timeout
    tag = os.urandom(6).hex()
    begin, end = f"__BEGIN_{tag}__", f"__END_{tag}__"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.settimeout(max(0.1, deadline - time.monotonic()))
        sock.connect(path)
    except OSError:
        return 124
    # The markers are built by the shell (printf) so the echoed command line
    # never matches them.
    line = (f"stty -echo 2>/dev/null; printf '%s\\n' __BEGIN_{tag}__; "
            f"( {command} ) 2>&1; printf '__END_{tag}__%s\\n' \"$?\"\n")
    sock.sendall(line.encode())
    data = b""
    pattern = re.compile(re.escape(begin) + r"\r?\n(.*?)" + re.escape(end) + r"(\d+)", re.S)
    while time.monotonic() < deadline:
        sock.settimeout(max(0.1, deadline - time.monotonic()))
        try:
            chunk = sock.recv(65536)
        except socket.timeout:
            break
        except OSError:
            return 124
        if not chunk:
            break
        data += chunk
        match = pattern.search(data.decode("utf-8", "replace"))
        if match:
            sys.stdout.write(match.group(1).replace("\r\n", "\n"))
            return int(match.group(2))
    return 124


if __name__ == "__main__":
    sys.exit(main())
