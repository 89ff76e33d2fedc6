"""Console federation: getSigninToken and login."""

from __future__ import annotations

import json
from urllib.parse import urlencode

from tests.support.sandbox_clients import raw_get, sts_client


def _signin(sbx, akid, secret, token, duration=None):
    params = {"Action": "getSigninToken",
              "Session": json.dumps({"sessionId": akid, "sessionKey": secret, "sessionToken": token})}
    if duration is not None:
        params["SessionDuration"] = str(duration)
    return raw_get(f"{sbx.url}/federation?{urlencode(params)}")


def test_signin_token_then_login(sbx, sso_creds):
    status, headers, body = _signin(sbx, sso_creds["accessKeyId"], sso_creds["secretAccessKey"],
                                    sso_creds["sessionToken"], duration=43200)
    assert status == 200 and headers["x-amzn-requestid"]
    signin = json.loads(body)["SigninToken"]
    query = urlencode({"Action": "login", "Issuer": "rolecall", "SigninToken": signin,
                       "Destination": "https://us-east-1.console.aws.amazon.com/"})
    status, _, page = raw_get(f"{sbx.url}/federation?{query}")
    assert status == 200
    assert "signed in to sandbox-dev (111111111111)/AdministratorAccess" in page
    assert "destination https://us-east-1.console.aws.amazon.com/" in page
    status, _, _ = raw_get(f"{sbx.url}/federation?Action=login&SigninToken=forged")
    assert status == 400
    assert sbx.count("GetSigninToken") == 1 and sbx.count("ConsoleLogin") == 2


def test_signin_rejections(sbx, sso_creds):
    good = (sso_creds["accessKeyId"], sso_creds["secretAccessKey"], sso_creds["sessionToken"])
    assert _signin(sbx, good[0], "wrong", good[2])[0] == 400
    assert _signin(sbx, *good, duration=60)[0] == 400
    assert raw_get(f"{sbx.url}/federation?Action=getSigninToken&Session=notjson")[0] == 400
    chained = sts_client(sso_creds).assume_role(RoleArn="arn:aws:iam::111111111111:role/deploy",
                                                RoleSessionName="web")["Credentials"]
    args = (chained["AccessKeyId"], chained["SecretAccessKey"], chained["SessionToken"])
    status, _, body = _signin(sbx, *args, duration=3600)
    assert status == 400 and "chaining" in body
    assert _signin(sbx, *args)[0] == 200  # without SessionDuration it is fine
