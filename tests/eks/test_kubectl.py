"""`rolecall eks kubeconfig` + `eks token` with the real kubectl against the sandbox's Kubernetes API.

The sandbox's API checks each bearer token as aws-iam-authenticator does and
calls STS with it, so a token that kubectl's request carries is a real one.
"""

from __future__ import annotations

import base64
import json
import ssl
import subprocess
import urllib.error
import urllib.request
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.support.cli import run_rolecall
from tests.support.tools import require_tool

DEMO = "arn:aws:eks:us-east-1:111111111111:cluster/demo"


def kubectl(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([require_tool("kubectl"), *args], capture_output=True, text=True, timeout=60,
                          stdin=subprocess.DEVNULL)


def add_cluster(*extra: str, cluster: str = "demo", profile: str = "dev-ro") -> subprocess.CompletedProcess:
    result = run_rolecall("eks", "kubeconfig", "--cluster", cluster, "--profile", profile, "--region", "us-east-1",
                          *extra)
    assert result.returncode == 0, result.stderr
    return result


def token(cluster: str = "demo", profile: str = "dev-ro", *extra: str, env: dict | None = None) -> str:
    result = run_rolecall("eks", "token", "--cluster", cluster, "--profile", profile, "--region", "us-east-1",
                          *extra, env=env)
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["kind"] == "ExecCredential"
    assert document["apiVersion"] == "client.authentication.k8s.io/v1beta1"
    return document["status"]["token"]


def api_get(server: str, ca_data: str, bearer: str, path: str = "/api/v1/namespaces") -> tuple[int, dict]:
    context = ssl.create_default_context(cadata=base64.b64decode(ca_data).decode())
    request = urllib.request.Request(server + path, headers={"Authorization": f"Bearer {bearer}"})
    try:
        with urllib.request.urlopen(request, context=context, timeout=30) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def cluster_entry(name: str = "demo") -> tuple[str, str]:
    view = json.loads(kubectl("config", "view", "--raw", "-o", "json").stdout)
    cluster = next(c["cluster"] for c in view["clusters"] if c["name"].endswith("/" + name))
    return cluster["server"], cluster["certificate-authority-data"]


def test_kubectl_lists_namespaces_through_the_written_kubeconfig(eks_home, sandbox):
    add_cluster()
    got = kubectl("get", "--raw", "/api/v1/namespaces")
    assert got.returncode == 0, got.stderr
    names = [item["metadata"]["name"] for item in json.loads(got.stdout)["items"]]
    assert names == ["default", "kube-node-lease", "kube-public", "kube-system"]
    assert kubectl("config", "current-context").stdout.strip() == DEMO
    table = kubectl("get", "ns")
    assert table.returncode == 0 and "kube-system" in table.stdout, table.stderr
    assert sandbox.count("KubernetesUnauthorized") == 0
    assert sandbox.count("GetCallerIdentity") >= 1  # the API really asked STS


def test_the_token_is_the_authenticator_format(eks_home, sandbox):
    url = base64.urlsafe_b64decode(token()[len("k8s-aws-v1."):] + "==").decode()
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert f"{parts.scheme}://{parts.netloc}" == sandbox.url  # AWS_ENDPOINT_URL_STS is honoured
    assert query["Action"] == "GetCallerIdentity" and query["X-Amz-Expires"] == "60"
    assert query["X-Amz-SignedHeaders"] == "host;x-k8s-aws-id"
    assert "/us-east-1/sts/aws4_request" in query["X-Amz-Credential"]
    assert "=" not in token()[len("k8s-aws-v1."):]  # unpadded


def test_tokens_the_authenticator_must_refuse(eks_home, sandbox, monkeypatch):
    add_cluster()
    server, ca_data = cluster_entry()
    assert api_get(server, ca_data, token())[0] == 200
    # signed for another cluster: the signature covers x-k8s-aws-id
    status, body = api_get(server, ca_data, token(cluster="platform"))
    assert status == 401 and "STS refused" in body["message"], body
    # the header not signed at all
    import boto3

    creds = json.loads(run_rolecall("export", "dev-ro", "--format", "json").stdout)
    sts = boto3.client("sts", region_name="us-east-1", aws_access_key_id=creds["AccessKeyId"],
                       aws_secret_access_key=creds["SecretAccessKey"], aws_session_token=creds["SessionToken"])
    bare = sts.generate_presigned_url("get_caller_identity", Params={}, ExpiresIn=60, HttpMethod="GET")
    plain = "k8s-aws-v1." + base64.urlsafe_b64encode(bare.encode()).decode().rstrip("=")
    status, body = api_get(server, ca_data, plain)
    assert status == 401 and "x-k8s-aws-id is not a signed header" in body["message"], body
    # expired: the sandbox's clock moves 16 minutes past the signing
    fresh = token()
    sandbox.set_clock_offset(16 * 60)
    status, body = api_get(server, ca_data, fresh)
    assert status == 401 and "expired" in body["message"], body
    sandbox.set_clock_offset(0)
    assert api_get(server, ca_data, fresh)[0] == 200
    # not a token of this kind
    assert api_get(server, ca_data, "k8s-aws-v1.bm90LWEtdXJs")[0] == 401


def test_a_principal_of_another_account_is_not_let_in(eks_home, sandbox):
    add_cluster()
    server, ca_data = cluster_entry()
    status, body = api_get(server, ca_data, token(profile="staging-deploy"))  # account 222222222222
    assert status == 401, body


def test_role_arn_signs_with_the_assumed_role(eks_home, sandbox):
    role = "arn:aws:iam::111111111111:role/deploy"
    add_cluster("--role-arn", role)
    sandbox.reset_counts()
    got = kubectl("get", "--raw", "/version")
    assert got.returncode == 0, got.stderr
    assert json.loads(got.stdout)["gitVersion"].startswith("v1.31")
    assert sandbox.count("AssumeRole") == 1
    url = base64.urlsafe_b64decode(token("demo", "dev-ro", "--role-arn", role)[len("k8s-aws-v1."):] + "==").decode()
    key = parse_qs(urlsplit(url).query)["X-Amz-Credential"][0].split("/")[0]
    assert sandbox.backend.lookup_creds(key).role_name == "deploy"


def test_a_missing_sso_token_is_a_login_hint_never_a_browser(eks_home, sandbox, isolated_home, tmp_path):
    for path in (isolated_home / ".aws" / "sso" / "cache").glob("*.json"):
        path.unlink()
    opened = tmp_path / "opened"
    result = run_rolecall("eks", "token", "--cluster", "demo", "--profile", "dev-ro",
                          env={"BROWSER": f"touch {opened} %s"})
    assert result.returncode == 4, result.stderr
    assert result.stdout == ""
    assert "rolecall login" in result.stderr and "Traceback" not in result.stderr
    assert not opened.exists()


@pytest.mark.parametrize("argv, code, words", [
    (["eks", "token", "--profile", "dev-ro"], 2, "--cluster NAME is required"),
    (["eks", "token", "--cluster"], 2, "--cluster needs a value"),
    (["eks", "token", "--cluster", "demo", "--bogus"], 2, "unrecognized argument '--bogus'"),
    (["eks", "token", "--cluster", "demo", "--profile", "dev-ro", "--region", "eu-cental-1"], 2, "eu-central-1"),
    (["eks", "token", "--cluster", "demo", "--profile", "dev-ro", "--role-arn", "deploy"], 2, "not a role ARN"),
    (["eks", "token", "--cluster", "demo", "--profile", "nope"], 3, "nope"),
    (["eks", "kubeconfig", "--profile", "dev-ro"], 2, "--cluster NAME or --all"),
    (["eks", "kubeconfig", "--cluster", "nope", "--profile", "dev-ro", "--region", "us-east-1"], 5, "no EKS cluster"),
])
def test_bad_input_is_one_line(eks_home, argv, code, words):
    result = run_rolecall(*argv)
    assert result.returncode == code, result.stderr
    assert words in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""
    assert "hint:" in result.stderr


def test_no_region_anywhere_names_the_fix(eks_home, monkeypatch):
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    monkeypatch.delenv("AWS_REGION", raising=False)
    result = run_rolecall("eks", "token", "--cluster", "demo", "--profile", "dev-ro")
    assert result.returncode == 3, result.stderr
    assert "no region for cluster 'demo'" in result.stderr and "--region" in result.stderr


def test_list_and_completion_offer_the_cluster_names(eks_home, sandbox):
    listed = run_rolecall("eks", "list", "--profile", "dev-ro", "--region", "us-east-1")
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.split() == ["demo", "platform"]
    offered = run_rolecall("__complete", "fish", "--", "rolecall", "eks", "token", "--cluster", "")
    assert offered.returncode == 0, offered.stderr
    assert {"demo", "platform"} <= set(offered.stdout.split())
