"""`rolecall eks kubeconfig`: the rest of the file is kept (comments too), atomically, with a backup.

The result is read back by kubectl itself (`kubectl config view -o json`).
"""

from __future__ import annotations

import json
import os
import stat
import subprocess

from tests.support.cli import run_rolecall
from tests.support.tools import require_tool

DEMO = "arn:aws:eks:us-east-1:111111111111:cluster/demo"
PLATFORM = "arn:aws:eks:us-east-1:111111111111:cluster/platform"

EXISTING = """\
# my clusters -- keep this comment
apiVersion: v1
kind: Config
clusters:
- name: home-lab   # the lab
  cluster:
    server: https://10.0.0.5:6443
    insecure-skip-tls-verify: true
contexts:
- name: lab
  context:
    cluster: home-lab
    user: lab-admin
    namespace: "monitoring"
current-context: lab
preferences: {}
users:
- name: lab-admin
  user:
    token: 'abc'   # static, for the lab only
"""


def view() -> dict:
    done = subprocess.run([require_tool("kubectl"), "config", "view", "--raw", "-o", "json"], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def add(*args: str):
    return run_rolecall("eks", "kubeconfig", "--profile", "dev-ro", "--region", "us-east-1", *args)


def test_a_new_file_is_created_private(eks_home, sandbox):
    result = add("--cluster", "demo")
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert stat.S_IMODE(eks_home.stat().st_mode) == 0o600
    assert not eks_home.with_name("config.bak").exists()
    assert [p.name for p in eks_home.parent.iterdir()] == ["config"]  # no lock or temp litter
    config = view()
    assert config["current-context"] == DEMO
    user = config["users"][0]["user"]["exec"]
    assert user["interactiveMode"] == "Never"
    assert os.path.isabs(user["command"])
    assert user["args"][-8:] == ["eks", "token", "--cluster", "demo", "--profile", "dev-ro", "--region", "us-east-1"]


def test_everything_else_is_kept_byte_for_byte(eks_home, sandbox):
    eks_home.parent.mkdir(parents=True)
    eks_home.write_text(EXISTING)
    os.chmod(eks_home, 0o644)
    result = add("--cluster", "demo", "--alias", "demo")
    assert result.returncode == 0, result.stderr
    text = eks_home.read_text()
    kept = [line for line in EXISTING.splitlines() if not line.startswith("current-context")]
    lines = text.splitlines()
    positions = [lines.index(line) for line in kept]  # every old line is still there, in order
    assert positions == sorted(positions)
    assert "current-context: demo" in lines
    assert eks_home.with_name("config.bak").read_text() == EXISTING
    assert stat.S_IMODE(eks_home.with_name("config.bak").stat().st_mode) == 0o600
    assert stat.S_IMODE(eks_home.stat().st_mode) == 0o600
    config = view()
    assert {c["name"] for c in config["contexts"]} == {"lab", "demo"}
    assert next(c for c in config["contexts"] if c["name"] == "lab")["context"]["namespace"] == "monitoring"
    assert "rolecall: added context demo" in result.stderr and "config.bak" in result.stderr


def test_running_it_again_updates_in_place(eks_home, sandbox):
    assert add("--cluster", "demo").returncode == 0
    first = eks_home.read_text()
    again = add("--cluster", "demo")
    assert again.returncode == 0, again.stderr
    assert "updated context" in again.stderr
    assert eks_home.read_text() == first
    config = view()
    assert [c["name"] for c in config["clusters"]] == [DEMO]
    assert [u["name"] for u in config["users"]] == [DEMO]


def test_all_adds_every_cluster_of_the_region(eks_home, sandbox):
    result = add("--all")
    assert result.returncode == 0, result.stderr
    config = view()
    assert sorted(c["name"] for c in config["contexts"]) == [DEMO, PLATFORM]
    assert config.get("current-context", "") == ""  # --all makes no context current


def test_a_broken_file_is_refused_and_left_alone(eks_home, sandbox):
    eks_home.parent.mkdir(parents=True)
    broken = "apiVersion: v1\nclusters: [\n  - name: x\n"
    eks_home.write_text(broken)
    result = add("--cluster", "demo")
    assert result.returncode == 3, result.stderr
    assert str(eks_home) in result.stderr and "not valid YAML" in result.stderr
    assert "hint:" in result.stderr and "Traceback" not in result.stderr
    assert eks_home.read_text() == broken
    assert not eks_home.with_name("config.bak").exists()


def test_not_a_kubeconfig_is_refused(eks_home, sandbox):
    eks_home.parent.mkdir(parents=True)
    eks_home.write_text("kind: Pod\nmetadata: {name: x}\n")
    result = add("--cluster", "demo")
    assert result.returncode == 3 and "not a kubeconfig" in result.stderr, result.stderr


def test_the_first_kubeconfig_file_is_the_one_written(eks_home, sandbox, monkeypatch, tmp_path):
    second = tmp_path / "second"
    second.write_text(EXISTING)
    monkeypatch.setenv("KUBECONFIG", f"{eks_home}{os.pathsep}{second}")
    assert add("--cluster", "demo").returncode == 0
    assert second.read_text() == EXISTING
    assert DEMO in eks_home.read_text()
