"""`rolecall sandbox start|stop` (the click group in rolecall.commands.sandbox)."""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

import rolecall
from rolecall.commands.sandbox import _pid_alive, cmd
from rolecall.errors import RolecallError
from rolecall.sandbox.control import SandboxControl
from rolecall.sandbox.org import load_org
from rolecall.sandbox.profiles import render_config, slug
from rolecall.selfcmd import ENTRY_CODE

SRC = str(Path(rolecall.__file__).resolve().parent.parent)
RUN_CMD = "import sys; from rolecall.commands.sandbox import cmd; cmd(sys.argv[1:])"


def _run(*args: str, timeout: float = 30) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (SRC, env.get("PYTHONPATH", "")) if p)
    return subprocess.run([sys.executable, "-c", RUN_CMD, *args], capture_output=True, text=True,
                          timeout=timeout, env=env, stdin=subprocess.DEVNULL)


def _exports(stdout: str) -> dict[str, str]:
    out = {}
    for line in stdout.splitlines():
        name, _, value = line.removeprefix("export ").partition("=")
        out[name] = shlex.split(value)[0]
    return out


def test_background_start_then_stop(tmp_path):
    d = tmp_path / "sb dir"  # a space, to exercise the quoting
    started = _run("start", "--background", "--dir", str(d), "--auto-approve", "--generate", "12")
    assert started.returncode == 0, started.stderr
    env = _exports(started.stdout)
    assert set(env) == {"AWS_CONFIG_FILE", "AWS_ENDPOINT_URL_SSO", "AWS_ENDPOINT_URL_SSO_OIDC",
                        "AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL_SIGNIN", "AWS_ENDPOINT_URL_EKS"}
    assert "LOCAL EMULATOR" in started.stderr and "NOT AWS" in started.stderr
    url = env["AWS_ENDPOINT_URL_SSO"]
    assert url.startswith("http://127.0.0.1:")
    try:
        assert (d / "sandbox.url").read_text().strip() == url
        pid = int((d / "sandbox.pid").read_text())
        health = SandboxControl(url).health()
        assert health["ok"] and health["accounts"] == 12
        assert Path(env["AWS_CONFIG_FILE"]) == (d / "config").resolve()
        sourced = subprocess.run(["bash", "--noprofile", "--norc", "-c",
                                  f'source {shlex.quote(str(d / "env.sh"))}; echo "$AWS_ENDPOINT_URL_STS"'],
                                 capture_output=True, text=True, timeout=10)
        assert sourced.stdout.strip() == url
        again = _run("start", "--background", "--dir", str(d))
        assert again.returncode != 0 and "already running" in again.stderr
    finally:
        stopped = _run("stop", "--dir", str(d))
    assert stopped.returncode == 0, stopped.stderr
    assert not (d / "sandbox.pid").exists()
    assert not SandboxControl(url, timeout=1).is_up()
    assert not _pid_alive(pid)  # gone (or a zombie waiting for a reaper)


def test_foreground_serves_until_interrupted(tmp_path):
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (SRC, env.get("PYTHONPATH", "")) if p)
    proc = subprocess.Popen([sys.executable, "-c", RUN_CMD, "start", "--dir", str(tmp_path / "fg")],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                            stdin=subprocess.DEVNULL,
                            # a suite started in the background inherits SIGINT ignored: give the child the default
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        lines = [proc.stdout.readline() for _ in range(5)]
        url = _exports("".join(lines))["AWS_ENDPOINT_URL_STS"]
        assert SandboxControl(url).is_up()
    finally:
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=10)
    assert proc.returncode == 0, err
    assert "stopped" in err and not (tmp_path / "fg" / "sandbox.pid").exists()


def test_stop_without_sandbox_and_bad_options(tmp_path):
    runner = CliRunner()
    result = runner.invoke(cmd, ["stop", "--dir", str(tmp_path / "none")])
    assert isinstance(result.exception, RolecallError)
    assert "no sandbox is running" in result.exception.message and result.exception.hint
    (tmp_path / "stale").mkdir()
    (tmp_path / "stale" / "sandbox.pid").write_text("999999999\n")
    result = runner.invoke(cmd, ["stop", "--dir", str(tmp_path / "stale")])
    assert isinstance(result.exception, RolecallError) and "stale" in result.exception.message
    result = runner.invoke(cmd, ["start", "--org", "x.json", "--generate", "3", "--dir", str(tmp_path / "x")])
    assert isinstance(result.exception, RolecallError) and "exclusive" in result.exception.message
    bad = tmp_path / "bad.json"
    bad.write_text('{"accounts": [{"id": "12"}]}')
    result = runner.invoke(cmd, ["start", "--org", str(bad), "--dir", str(tmp_path / "x")])
    assert isinstance(result.exception, RolecallError) and "12 digits" in result.exception.message


def test_generated_config_is_what_botocore_reads(tmp_path, monkeypatch):
    import botocore.session

    org = load_org()
    path = tmp_path / "config"
    path.write_text(render_config(org, python="/opt/py thon/bin/python"), encoding="utf-8")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(path))
    session = botocore.session.Session()
    profiles = set(session.available_profiles)
    expected = {f"{slug(a.name)}-{r}" for a in org.accounts for r in a.roles}
    assert expected <= profiles
    assert "sandbox-prod-ReadOnlyAccess" in profiles  # "Sandbox Prod ✓"
    full = session.full_config
    assert full["sso_sessions"]["sandbox"] == {
        "sso_start_url": org.start_url, "sso_region": "us-east-1", "sso_registration_scopes": "sso:account:access"}
    chain = full["profiles"]["sandbox-dev-deploy-chain"]
    assert chain["role_arn"] == "arn:aws:iam::111111111111:role/deploy"
    assert chain["source_profile"] in profiles
    process = full["profiles"]["sandbox-dev-AdministratorAccess-process"]["credential_process"]
    assert shlex.split(process) == ["/opt/py thon/bin/python", "-c", ENTRY_CODE, "credential-process",
                                    "--profile", "sandbox-dev-AdministratorAccess"]


def test_restart_keeps_the_port_so_sourced_shells_keep_working(tmp_path):
    d = tmp_path / "sb"
    first = _run("start", "--background", "--dir", str(d), "--auto-approve")
    assert first.returncode == 0, first.stderr
    url = _exports(first.stdout)["AWS_ENDPOINT_URL_STS"]
    SandboxControl(url).health()  # a connection, so the old port has TIME_WAIT sockets too
    assert _run("stop", "--dir", str(d)).returncode == 0
    again = _run("start", "--background", "--dir", str(d), "--auto-approve")
    try:
        assert again.returncode == 0, again.stderr
        assert _exports(again.stdout)["AWS_ENDPOINT_URL_STS"] == url
        assert SandboxControl(url).is_up()
    finally:
        assert _run("stop", "--dir", str(d)).returncode == 0
    # the port is taken now: start says so and picks another
    import socket

    port = int(url.rsplit(":", 1)[1])
    with socket.socket() as squatter:
        squatter.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        squatter.bind(("127.0.0.1", port))
        squatter.listen()
        third = _run("start", "--background", "--dir", str(d), "--auto-approve")
        try:
            assert third.returncode == 0, third.stderr
            assert f"port {port} (used last time in {d}) is taken" in third.stderr
            assert _exports(third.stdout)["AWS_ENDPOINT_URL_STS"] != url
        finally:
            assert _run("stop", "--dir", str(d)).returncode == 0
