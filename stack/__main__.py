"""``python -m stack`` (``make stack``): the scaled-out topology on this machine, in the
foreground until Ctrl-C, with two complexes (one per cluster). Its folder (``var/stack`` by
default) is made anew each time: the stack is for trying and measuring, not for keeping."""

from __future__ import annotations

import argparse
import shutil
import signal
import threading
from pathlib import Path

from stack import topology


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m stack", description=__doc__)
    parser.add_argument("--root", type=Path, default=Path("var/stack"))
    parser.add_argument("--port", type=int, default=8080, help="nginx's port")
    parser.add_argument("--apps", type=int, default=2, help="app instances behind nginx")
    options = parser.parse_args()
    root = options.root.resolve()
    shutil.rmtree(root, ignore_errors=True)
    print(f"Starting the stack in {root} …", flush=True)
    stack = topology.up(root, apps=options.apps, port=options.port)
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    try:
        for slug, cluster in (("taman-a", "default"), ("taman-b", "b")):
            stack.klustera(
                "tenants", "create", "--name", f"Taman {slug[-1].upper()}", "--slug", slug,
                "--cluster", cluster, "--manager-phone", "081100000001",
                "--manager-password", "klustera-demo",
            )  # fmt: skip
        print(
            f"Up: {stack.url}/c/taman-a/ (cluster a, replica a') and {stack.url}/c/taman-b/"
            f" (cluster b); manager 081100000001 / klustera-demo.\n"
            f"Apps on {', '.join(str(app.port) for app in stack.apps)}; logs in {root}. "
            "Ctrl-C stops everything.",
            flush=True,
        )
        stopping.wait()
    except KeyboardInterrupt:
        pass
    finally:
        print("Stopping …", flush=True)
        stack.down()


if __name__ == "__main__":
    main()
