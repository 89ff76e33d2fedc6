"""The bearer token EKS clusters accept: a presigned STS GetCallerIdentity URL.

What aws-iam-authenticator verifies (and `aws eks get-token` prints):
`k8s-aws-v1.` + unpadded base64url of a GET URL on the region's STS endpoint,
signed (SigV4 query auth, through botocore) with `x-k8s-aws-id: CLUSTER` among
the signed headers and `X-Amz-Expires=60`. STS accepts such a URL for 15
minutes after signing; like the AWS CLI we claim 14, and never past the
signing credentials' own expiry.
"""

from __future__ import annotations

import base64
import json
import time
from typing import Any

TOKEN_PREFIX = "k8s-aws-v1."
CLUSTER_HEADER = "x-k8s-aws-id"
URL_EXPIRES_SECONDS = 60
TOKEN_LIFETIME_SECONDS = 14 * 60
EXEC_API_VERSION = "client.authentication.k8s.io/v1beta1"


def presigned_url(credentials: Any, cluster: str, region: str, *, profile: str | None = None,
                  client_creator: Any = None) -> str:
    """The signed GetCallerIdentity URL for `cluster` (botocore picks the partition's STS host)."""
    from rolecall import aws

    client = (client_creator or aws.client)("sts", region, credentials=credentials, profile=profile)

    def add_cluster_header(request: Any, **_: Any) -> None:
        request.headers[CLUSTER_HEADER] = cluster  # before signing: it becomes a signed header

    client.meta.events.register("before-sign.sts.GetCallerIdentity", add_cluster_header)
    try:
        return client.generate_presigned_url("get_caller_identity", Params={},
                                             ExpiresIn=URL_EXPIRES_SECONDS, HttpMethod="GET")
    except Exception as exc:
        translated = aws.translate(exc, client, "GetCallerIdentity (presign)")
        if translated is exc:
            raise
        raise translated from exc


def token_of(url: str) -> str:
    return TOKEN_PREFIX + base64.urlsafe_b64encode(url.encode()).decode().rstrip("=")


def url_of(token: str) -> str | None:
    """The URL inside a token (None: not a token of this kind)."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    body = token[len(TOKEN_PREFIX):]
    try:
        return base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)).decode()
    except (ValueError, UnicodeDecodeError):
        return None


def expiry_epoch(signed_at: float, *credential_expiries: float | None) -> float:
    """When kubectl must ask again: 14 min after signing, or when a signing credential ends."""
    return min([signed_at + TOKEN_LIFETIME_SECONDS] + [e for e in credential_expiries if e is not None])


def exec_credential(token: str, expires_epoch: float) -> str:
    """kubectl's ExecCredential document, on one line."""
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(expires_epoch))
    return json.dumps({"kind": "ExecCredential", "apiVersion": EXEC_API_VERSION, "spec": {},
                       "status": {"expirationTimestamp": stamp, "token": token}})
