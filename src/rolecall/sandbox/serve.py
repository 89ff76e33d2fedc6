"""``python -m rolecall.sandbox.serve``: run a sandbox in this process until SIGTERM/SIGINT.

Used by ``rolecall sandbox start --background`` (detached) and handy on its own.  Once serving it
writes its URL to ``--url-file`` (atomically), which is how the parent learns the port.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
from pathlib import Path


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m rolecall.sandbox.serve",
                                description="Local IAM Identity Center emulator (loopback only, not AWS).")
    src = p.add_mutually_exclusive_group()
    src.add_argument("--org", help="org fixture JSON (default: the bundled fixture)")
    src.add_argument("--generate", type=int, metavar="N", help="generate an org with N accounts")
    p.add_argument("--host", default="127.0.0.1", choices=["127.0.0.1", "::1", "localhost"])
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--auto-approve", action="store_true")
    p.add_argument("--token-ttl", type=int, default=8 * 3600)
    p.add_argument("--credential-ttl", type=int, default=3600)
    p.add_argument("--latency", type=float, default=0.0)
    p.add_argument("--page-size", type=int, default=5)
    p.add_argument("--device-interval", type=int, default=1)
    p.add_argument("--url-file", help="write the base URL here once serving")
    p.add_argument("--verbose", action="store_true", help="log every request on stderr")
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO,
                        format="%(asctime)s %(name)s %(levelname)s %(message)s", stream=sys.stderr)
    from rolecall.sandbox.org import OrgError, generate_org, load_org
    from rolecall.sandbox.server import Sandbox

    try:
        org = generate_org(args.generate) if args.generate is not None else load_org(args.org)
    except OrgError as exc:
        sys.stderr.write(f"rolecall sandbox: {exc}\n")
        return 3
    sandbox = Sandbox(org, host=args.host, port=args.port, auto_approve=args.auto_approve,
                      token_ttl=args.token_ttl, credential_ttl=args.credential_ttl, latency=args.latency,
                      page_size=args.page_size, device_interval=args.device_interval)
    try:
        sandbox.start()
    except OSError as exc:
        sys.stderr.write(f"rolecall sandbox: cannot listen on {args.host}:{args.port}: {exc.strerror or exc}\n")
        return 6
    done = threading.Event()

    def _stop(signum, frame):  # noqa: ARG001
        done.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    if args.url_file:
        target = Path(args.url_file)
        tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        tmp.write_text(sandbox.url + "\n", encoding="utf-8")
        os.replace(tmp, target)
    logging.getLogger("rolecall.sandbox").info(
        "LOCAL EMULATOR (not AWS) serving %d accounts on %s (pid %d)", len(org.accounts), sandbox.url, os.getpid())
    try:
        while not done.wait(0.5):
            pass
    finally:
        sandbox.stop()
        if args.url_file:
            try:
                if Path(args.url_file).read_text(encoding="utf-8").strip() == sandbox.url:
                    Path(args.url_file).unlink()
            except OSError:
                pass
        logging.getLogger("rolecall.sandbox").info("stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
