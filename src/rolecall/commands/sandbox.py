"""`rolecall sandbox start|stop`: run the local IAM Identity Center emulator."""

from __future__ import annotations

import os
import shlex
import sys
import time
from pathlib import Path

import click

DEFAULT_DIR_SHOWN = "$XDG_CACHE_HOME/rolecall/sandbox"  # (rolecall's state dir: never wherever you stand)
START_TIMEOUT = 15.0


def default_dir() -> str:
    from rolecall import paths

    return str(paths.state_dir() / "sandbox")


@click.group(name="sandbox")
def cmd() -> None:
    """Run a LOCAL emulator of IAM Identity Center + STS (loopback only; not AWS)."""


@cmd.command()
@click.option("--org", "org_file", type=click.Path(dir_okay=False), help="Org fixture JSON (default: bundled).")
@click.option("--generate", type=click.IntRange(0, 100_000), metavar="N", help="Generate an org with N accounts.")
@click.option("--port", type=click.IntRange(0, 65535), default=0, show_default=True, help="0 = any free port.")
@click.option("--dir", "directory", type=click.Path(file_okay=False), default=default_dir,
              show_default=DEFAULT_DIR_SHOWN, help="Where to write config, env.sh, pid and log files.")
@click.option("--auto-approve", is_flag=True, help="Approve logins without a browser.")
@click.option("--background", is_flag=True, help="Detach and return once the sandbox answers.")
@click.option("--token-ttl", type=click.IntRange(1), default=8 * 3600, show_default=True,
              help="Access-token lifetime (s).")
@click.option("--latency", type=click.FloatRange(0), default=0.0, help="Seconds added to every call.")
@click.option("--force", is_flag=True, help="Replace a DIR/config the sandbox did not write (a .bak is kept).")
def start(org_file: str | None, generate: int | None, port: int, directory: str, auto_approve: bool,
          background: bool, token_ttl: int, latency: float, force: bool) -> None:
    """Start the sandbox; print the `export` lines that point AWS tools at it."""
    start_sandbox(org_file=org_file, generate=generate, port=port, directory=Path(directory),
                  auto_approve=auto_approve, background=background, token_ttl=token_ttl, latency=latency,
                  force=force)


@cmd.command()
@click.option("--dir", "directory", type=click.Path(file_okay=False), default=default_dir,
              show_default=DEFAULT_DIR_SHOWN)
def stop(directory: str) -> None:
    """Stop the sandbox started with --background in DIR."""
    stop_sandbox(Path(directory))


@cmd.command()
@click.option("--dir", "directory", type=click.Path(file_okay=False), default=default_dir,
              show_default=DEFAULT_DIR_SHOWN)
def approve(directory: str) -> None:
    """Approve every pending sign-in (PKCE page or device code), as a user in a browser would.

    For a sandbox started without --auto-approve on a machine with no browser.
    """
    from rolecall.errors import RolecallError
    from rolecall.sandbox.control import SandboxControl, SandboxControlError

    url_file = Path(directory) / "sandbox.url"
    try:
        url = url_file.read_text().strip()
    except OSError:
        raise RolecallError(f"no sandbox runs from {directory} ({url_file} is missing)",
                            hint="start one: rolecall sandbox start --background") from None
    try:
        SandboxControl(url).approve_all()
    except SandboxControlError as exc:
        raise RolecallError(f"the sandbox at {url} did not answer: {exc}",
                            hint="is it still running? rolecall sandbox start --background") from None
    click.echo(f"rolecall: approved every pending sign-in at {url}", err=True)


# ----------------------------------------------------------------------------------------- core
def _load(org_file: str | None, generate: int | None):
    from rolecall.errors import ConfigError, UsageError
    from rolecall.sandbox.org import OrgError, generate_org, load_org

    if org_file and generate is not None:
        raise UsageError("--org and --generate are mutually exclusive", hint="pick one")
    try:
        return generate_org(generate) if generate is not None else load_org(org_file)
    except OrgError as exc:
        raise ConfigError(str(exc), path=org_file) from None


def _write(path: Path, text: str) -> None:
    _write_bytes(path, text.encode("utf-8"))


def _write_bytes(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _pid_alive(pid: int) -> bool:
    try:
        os.waitpid(pid, os.WNOHANG)  # reap it if it is our own (exited) child
    except (ChildProcessError, OSError):
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        status = Path(f"/proc/{pid}/status").read_text()
        if "\nState:\tZ" in status:
            return False
    except OSError:
        pass
    return True


def _is_this_sandbox(directory: Path, pid: int) -> bool:
    """True only when the sandbox at DIR/sandbox.url answers and says it is process `pid`.

    A stale pid file may point at any process (a recycled pid, an editor whose
    command line says "sandbox"): only the server's own word counts.
    """
    from rolecall.sandbox.control import SandboxControl, SandboxControlError

    try:
        url = (directory / "sandbox.url").read_text().strip()
    except OSError:
        return False
    if not url.startswith("http://127.0.0.1:"):
        return False
    try:
        return SandboxControl(url, timeout=2).health().get("pid") == pid
    except SandboxControlError:
        return False


def _check_config_is_ours(path: Path, force: bool) -> None:
    """Never replace a config the sandbox did not write (`--dir ~/.aws`), nor follow a link to one."""
    from rolecall.errors import ConfigError
    from rolecall.sandbox.profiles import MARKER

    if not os.path.lexists(path):
        return
    try:
        ours = not path.is_symlink() and path.is_file() and path.read_text(encoding="utf-8",
                                                                            errors="replace").startswith(MARKER)
    except OSError:
        ours = False
    if ours:
        return
    what = "a symbolic link" if path.is_symlink() else "a config the sandbox did not write"
    if not force:
        raise ConfigError(f"{path} is {what}; refusing to replace it", path=str(path),
                          hint=f"use another --dir, or replace it (a .bak is kept): rolecall sandbox start "
                               f"--dir {shlex.quote(str(path.parent))} --force")
    backup = path.with_name(path.name + ".bak")
    try:
        data = path.read_bytes()
    except OSError:
        data = b""
    _write_bytes(backup, data)
    path.unlink()  # a link goes, its target stays untouched
    sys.stderr.write(f"rolecall sandbox: replaced {path} ({what}); the old one is in {backup}\n")


def _read_pid(directory: Path) -> int | None:
    try:
        return int((directory / "sandbox.pid").read_text().strip())
    except (OSError, ValueError):
        return None


def _banner(url: str, org, directory: Path, auto_approve: bool) -> None:
    config = (directory / "config").resolve()
    sys.stderr.write(
        f"rolecall sandbox: LOCAL EMULATOR of IAM Identity Center + STS at {url}\n"
        "  loopback only; this is NOT AWS and its credentials work nowhere else.\n"
        f"  {len(org.accounts)} accounts, start URL {org.start_url}, auto-approve {'on' if auto_approve else 'off'}\n"
        f"  config: {config}\n"
        f"  use it: source {(directory / 'env.sh').resolve()}   (or eval the export lines above)\n"
    )


def start_sandbox(*, org_file: str | None = None, generate: int | None = None, port: int = 0,
                  directory: Path | None = None, auto_approve: bool = False, background: bool = False,
                  token_ttl: int = 8 * 3600, latency: float = 0.0, force: bool = False) -> int:
    from rolecall.errors import RolecallError
    from rolecall.sandbox.profiles import env_vars, render_config, render_exports

    org = _load(org_file, generate)
    directory = directory or Path(default_dir())
    directory.mkdir(parents=True, exist_ok=True)
    pid = _read_pid(directory)
    if pid is not None and _pid_alive(pid) and _is_this_sandbox(directory, pid):
        url = (directory / "sandbox.url").read_text().strip() if (directory / "sandbox.url").exists() else "?"
        raise RolecallError(f"a sandbox is already running in {directory} (pid {pid}, {url})",
                            hint=f"stop it first: rolecall sandbox stop --dir {directory}")
    config_path = directory.resolve() / "config"  # (not resolve()d itself: a link is refused, not followed)
    _check_config_is_ours(config_path, force)
    _write(config_path, render_config(org))

    wanted = port
    if port == 0:
        port = _last_port(directory)  # a shell that sourced env.sh before keeps working
    if port and wanted == 0 and not _port_free(port):
        sys.stderr.write(f"rolecall sandbox: port {port} (used last time in {directory}) is taken; "
                         "using another one — source env.sh again in your shells\n")
        port = 0
    if background:
        url, pid = _spawn(org_file, generate, port, directory, auto_approve, token_ttl, latency)
    else:
        from rolecall.sandbox.server import Sandbox

        sandbox = Sandbox(org, port=port, auto_approve=auto_approve, token_ttl=token_ttl, latency=latency)
        try:
            sandbox.start()
        except OSError as exc:
            raise RolecallError(f"cannot listen on 127.0.0.1:{port}: {exc.strerror or exc}",
                                hint="pick another --port, or 0 for any free port") from None
        url, pid = sandbox.url, os.getpid()
    env = env_vars(url, config_path)
    _write(directory / "env.sh", "# rolecall sandbox (LOCAL EMULATOR, not AWS)\n" + render_exports(env))
    _write(directory / "sandbox.url", url + "\n")
    _write(directory / "sandbox.port", url.rsplit(":", 1)[1].split("/")[0] + "\n")  # kept after stop
    _write(directory / "sandbox.pid", f"{pid}\n")
    click.echo(render_exports(env), nl=False)
    sys.stdout.flush()
    _banner(url, org, directory, auto_approve)
    if background:
        sys.stderr.write(f"  running in the background (pid {pid}); stop it: rolecall sandbox stop --dir {directory}\n")
        return 0
    sys.stderr.write("  serving in the foreground; Ctrl-C to stop.\n")
    sys.stderr.flush()
    _serve_until_interrupted(sandbox)
    for name in ("sandbox.pid", "sandbox.url"):
        try:
            (directory / name).unlink()
        except OSError:
            pass
    sys.stderr.write("rolecall sandbox: stopped\n")
    return 0


def _last_port(directory: Path) -> int:
    try:
        value = int((directory / "sandbox.port").read_text().strip())
    except (OSError, ValueError):
        return 0
    return value if 1024 <= value <= 65535 else 0


def _port_free(port: int) -> bool:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server binds
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _serve_until_interrupted(sandbox) -> None:
    import signal
    import threading

    done = threading.Event()
    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, lambda *_: done.set())
    try:
        while not done.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        sandbox.stop()
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _spawn(org_file, generate, port, directory: Path, auto_approve, token_ttl, latency) -> tuple[str, int]:
    import subprocess

    import rolecall
    from rolecall.errors import EndpointError
    from rolecall.sandbox.control import SandboxControl

    url_file = directory / "sandbox.url"
    try:
        url_file.unlink()
    except OSError:
        pass
    argv = [sys.executable, "-m", "rolecall.sandbox.serve", "--port", str(port), "--token-ttl", str(token_ttl),
            "--latency", str(latency), "--url-file", str(url_file.resolve())]
    if org_file:
        argv += ["--org", str(Path(org_file).resolve())]
    if generate is not None:
        argv += ["--generate", str(generate)]
    if auto_approve:
        argv.append("--auto-approve")
    env = dict(os.environ)
    # make the child import this very rolecall, however the parent found it
    package_root = str(Path(rolecall.__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH", "")) if p)
    log_path = directory / "sandbox.log"
    with open(log_path, "ab") as log_file:
        child = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log_file, stderr=log_file, env=env,
                                 start_new_session=True, close_fds=True, cwd=str(directory.resolve()))
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if child.poll() is not None:
            raise EndpointError(f"the sandbox exited during start-up (status {child.returncode})",
                                hint=f"see {log_path}:\n{_tail(log_path)}")
        if url_file.exists():
            url = url_file.read_text().strip()
            if url and SandboxControl(url, timeout=2).is_up():
                return url, child.pid
        time.sleep(0.05)
    child.terminate()
    raise EndpointError(f"the sandbox did not answer within {START_TIMEOUT:.0f} s", hint=f"see {log_path}")


def _tail(path: Path, lines: int = 5) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def stop_sandbox(directory: Path) -> int:
    import signal

    from rolecall.errors import RolecallError

    pid = _read_pid(directory)
    hint = f"start one: rolecall sandbox start --background --dir {directory}"
    if pid is None:
        raise RolecallError(f"no sandbox is running in {directory} (no sandbox.pid)", hint=hint)
    if not _pid_alive(pid) or not _is_this_sandbox(directory, pid):
        for name in ("sandbox.pid", "sandbox.url"):
            try:
                (directory / name).unlink()
            except OSError:
                pass
        raise RolecallError(f"no sandbox is running in {directory} (pid {pid} is not the sandbox this directory "
                            "started; stale pid file removed, nothing was signalled)", hint=hint)
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 5
    while _pid_alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    if _pid_alive(pid):
        os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 5
        while _pid_alive(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
    for name in ("sandbox.pid", "sandbox.url"):
        try:
            (directory / name).unlink()
        except OSError:
            pass
    sys.stderr.write(f"rolecall sandbox: stopped (pid {pid})\n")
    return 0
