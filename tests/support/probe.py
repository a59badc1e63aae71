"""Start a command, wait until 127.0.0.1:PORT answers HTTP, print the answer, stop it.

Run inside ``unshare --net`` by tests/support/standins.py: the loopback device of the new
namespace is brought up first, and nothing outside the namespace can reach the server.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request


def main() -> int:
    port, command = int(sys.argv[1]), sys.argv[2:]
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    process = subprocess.Popen(
        command, start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if process.poll() is not None:
                output = process.stdout.read().decode(errors="replace") if process.stdout else ""
                sys.stderr.write(f"exited with {process.returncode}:\n{output}")
                return 1
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as answer:
                    sys.stdout.write(answer.read().decode(errors="replace"))
                    return 0
            except OSError:
                time.sleep(0.3)
        sys.stderr.write(f"nothing answered on port {port}\n")
        return 1
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


if __name__ == "__main__":
    sys.exit(main())
