"""The pure parts: partitions, Destination URLs, endpoints, region order, duration, chaining."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from rolecall import awsconfig, console
from rolecall.console_services import GLOBAL_SERVICES, SERVICES
from rolecall.errors import RolecallError, UsageError

from tests.support.console import query_of

DESTINATIONS = [
    # id, service, region, expected Destination
    ("us-east-1-s3", "s3", "us-east-1", "https://us-east-1.console.aws.amazon.com/s3/home?region=us-east-1"),
    ("eu-west-1-ec2", "ec2", "eu-west-1", "https://eu-west-1.console.aws.amazon.com/ec2/home?region=eu-west-1"),
    ("gov-ec2", "ec2", "us-gov-west-1", "https://console.amazonaws-us-gov.com/ec2/home?region=us-gov-west-1"),
    ("cn-s3", "s3", "cn-north-1", "https://console.amazonaws.cn/s3/home?region=cn-north-1"),
    ("global-iam", "iam", "eu-west-1", "https://console.aws.amazon.com/iam/home"),
    ("global-route53-gov", "route53", "us-gov-west-1", "https://console.amazonaws-us-gov.com/route53/v2/home"),
    ("global-billing-cn", "billing", "cn-north-1", "https://console.amazonaws.cn/billing/home"),
    ("unknown-path", "s3/buckets/my-bucket", "eu-central-1",
     "https://eu-central-1.console.aws.amazon.com/s3/buckets/my-bucket?region=eu-central-1"),
    ("path-leading-slash", "/lambda/home", "us-west-2",
     "https://us-west-2.console.aws.amazon.com/lambda/home?region=us-west-2"),
    ("fragment-keeps-query-first", "logs", "ap-southeast-2",
     "https://ap-southeast-2.console.aws.amazon.com/cloudwatch/home?region=ap-southeast-2#logsV2:log-groups"),
    ("path-with-query", "ec2/home?tab=x", "eu-west-1",
     "https://eu-west-1.console.aws.amazon.com/ec2/home?tab=x&region=eu-west-1"),
    ("no-service-home", None, "eu-north-1", "https://eu-north-1.console.aws.amazon.com/console/home?region=eu-north-1"),
    ("case-insensitive", "EC2", "us-east-1", "https://us-east-1.console.aws.amazon.com/ec2/home?region=us-east-1"),
    ("full-url", "https://eu-west-1.console.aws.amazon.com/x", "us-east-1",
     "https://eu-west-1.console.aws.amazon.com/x"),
]


@pytest.mark.parametrize("service,region,expected", [d[1:] for d in DESTINATIONS], ids=[d[0] for d in DESTINATIONS])
def test_destination(service, region, expected):
    assert console.destination_url(service, region) == expected


@pytest.mark.parametrize("region,partition,signin", [
    ("us-east-1", "aws", "signin.aws.amazon.com"),
    ("eu-west-3", "aws", "signin.aws.amazon.com"),
    ("us-gov-west-1", "aws-us-gov", "signin.amazonaws-us-gov.com"),
    ("us-gov-east-1", "aws-us-gov", "signin.amazonaws-us-gov.com"),
    ("cn-north-1", "aws-cn", "signin.amazonaws.cn"),
    ("cn-northwest-1", "aws-cn", "signin.amazonaws.cn"),
])
def test_partition_and_federation_endpoint(region, partition, signin):
    assert console.partition_for(region).name == partition
    assert console.federation_endpoint(region) == f"https://{signin}/federation"


def test_every_shortcut_builds_a_console_url():
    required = {"s3", "ec2", "lambda", "iam", "cloudwatch", "logs", "cloudformation", "ecs", "eks", "ecr",
                "rds", "dynamodb", "sqs", "sns", "route53", "vpc", "secretsmanager", "ssm", "kms", "billing",
                "organizations", "sso"}
    assert required <= set(SERVICES)
    assert {"iam", "route53", "billing", "organizations"} <= GLOBAL_SERVICES <= set(SERVICES)
    for name, path in SERVICES.items():
        assert not path.startswith("/") and " " not in path, name
        url = console.destination_url(name, "eu-west-1")
        parts = urlsplit(url)
        assert parts.scheme == "https" and parts.path == "/" + path.split("#")[0].split("?")[0]
        if name in GLOBAL_SERVICES:
            assert parts.netloc == "console.aws.amazon.com" and "eu-west-1" not in url, name
        else:
            assert parts.netloc == "eu-west-1.console.aws.amazon.com", name
            assert query_of(url)["region"] == "eu-west-1", name


def test_endpoint_override(monkeypatch):
    # The generic AWS_ENDPOINT_URL (LocalStack, MinIO) never gets the secret key (#14).
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1/")
    assert console.federation_endpoint("us-east-1") == "https://signin.aws.amazon.com/federation"
    monkeypatch.setenv("AWS_ENDPOINT_URL_SIGNIN", "https://signin.example.test/base/")
    # the service-specific variable wins, for every partition
    assert console.federation_endpoint("cn-north-1") == "https://signin.example.test/base/federation"
    monkeypatch.setenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true")
    assert console.federation_endpoint("us-east-1") == "https://signin.aws.amazon.com/federation"


def test_login_url_structure():
    url = console.login_url("https://signin.aws.amazon.com/federation", "tok+/=en",
                            "https://us-east-1.console.aws.amazon.com/s3/home?region=us-east-1")
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "signin.aws.amazon.com", "/federation")
    assert query_of(url) == {
        "Action": "login", "Issuer": "rolecall", "SigninToken": "tok+/=en",
        "Destination": "https://us-east-1.console.aws.amazon.com/s3/home?region=us-east-1",
    }


@pytest.mark.parametrize("value", [899, 43201, 0, -5])
def test_duration_out_of_range(value):
    with pytest.raises(UsageError, match="between 900 and 43200"):
        console.check_duration(value)


@pytest.mark.parametrize("value", [None, 900, 3600, 43200])
def test_duration_in_range(value):
    console.check_duration(value)


def test_region_order(monkeypatch):
    class P:
        region = "eu-west-2"

    monkeypatch.delenv("AWS_REGION", raising=False)
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    assert console.resolve_region(None, None) == "us-east-1"
    monkeypatch.setenv("AWS_DEFAULT_REGION", "ap-south-1")
    assert console.resolve_region(None, None) == "ap-south-1"
    monkeypatch.setenv("AWS_REGION", "sa-east-1")
    assert console.resolve_region(None, None) == "sa-east-1"
    assert console.resolve_region(None, P()) == "eu-west-2"
    assert console.resolve_region("ca-central-1", P()) == "ca-central-1"


CHAIN_CONFIG = """\
[sso-session s]
sso_start_url = https://example.invalid/start
sso_region = us-east-1

[profile sso]
sso_session = s
sso_account_id = 111111111111
sso_role_name = Admin

[profile from-sso]
role_arn = arn:aws:iam::222222222222:role/deploy
source_profile = sso

[profile user]
aws_access_key_id = AKIAEXAMPLE
aws_secret_access_key = secret

[profile from-user]
role_arn = arn:aws:iam::222222222222:role/deploy
source_profile = user

[profile from-from-user]
role_arn = arn:aws:iam::333333333333:role/deploy
source_profile = from-user

[profile from-instance]
role_arn = arn:aws:iam::222222222222:role/deploy
credential_source = Ec2InstanceMetadata
"""


@pytest.mark.parametrize("profile,chain", [
    ("sso", None),
    ("from-sso", ["from-sso", "sso"]),
    ("user", None),
    ("from-user", None),  # user keys → role is not chaining
    ("from-from-user", ["from-from-user", "from-user", "user"]),
    ("from-instance", ["from-instance"]),
])
def test_chained_role_detection(aws_config, profile, chain):
    aws_config(CHAIN_CONFIG)
    assert awsconfig.load().chained_role_path(profile) == chain


def test_env_credentials(monkeypatch):
    assert console.env_credentials() is None
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "ASIAEXAMPLE")
    with pytest.raises(RolecallError, match="AWS_SECRET_ACCESS_KEY is not set"):
        console.env_credentials()
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "s3cr3t")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "tok")
    monkeypatch.setenv("AWS_CREDENTIAL_EXPIRATION", "2030-01-01T00:00:00Z")
    creds = console.env_credentials()
    assert (creds.access_key_id, creds.secret_access_key, creds.session_token) == ("ASIAEXAMPLE", "s3cr3t", "tok")
    assert creds.expiration.year == 2030 and creds.profile is None
    assert "s3cr3t" not in repr(creds) and "tok" not in repr(creds)


def test_long_term_keys_refused_before_any_call(monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL_SIGNIN", "http://127.0.0.1:9")  # would fail loudly if called
    creds = console.SessionCredentials("AKIAEXAMPLE", "secret", None)
    with pytest.raises(RolecallError, match="temporary credentials") as info:
        console.sign_in_url(creds)
    assert "secret" not in str(info.value)


def test_expired_credentials_refused_before_any_call(monkeypatch):
    from datetime import datetime, timedelta, timezone

    monkeypatch.setenv("AWS_ENDPOINT_URL_SIGNIN", "http://127.0.0.1:9")
    past = datetime.now(timezone.utc) - timedelta(minutes=5)
    creds = console.SessionCredentials("ASIAEXAMPLE", "secret", "token", expiration=past)
    with pytest.raises(RolecallError, match=r"the credentials in this shell expired at \d{4}-\d\d-\d\dT") as info:
        console.sign_in_url(creds)
    assert info.value.hint == "get fresh ones: assume PROFILE"


@pytest.mark.parametrize("attrs,expected", [
    ({"profile": "dev", "account_id": "111111111111", "role_name": "Admin"}, "dev (111111111111/Admin)"),
    ({"profile": "dev"}, "dev"),
    ({"account_id": "111111111111", "role_name": "Admin"}, "111111111111/Admin"),
    ({}, "the credentials in this shell"),
    ({"profile": "evil\x1b[2J\nname"}, "evil?[2J?name"),
])
def test_describe(attrs, expected):
    creds = console.SessionCredentials("ASIAEXAMPLE", "secret", "token", **attrs)
    assert console.describe(creds) == expected
