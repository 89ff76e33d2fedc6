"""`eks token`'s full path: resolve the profile, sign, and keep the answer for the hot path.

The hot path (rolecall.hot.serve_eks_token) hands the kept ExecCredential out
while the profile's credential memo still holds the keys it was signed with;
so a token is kept only when that memo was written by this very resolve.
"""

from __future__ import annotations

import time
from typing import Any

from rolecall import hot
from rolecall.eks import token as eks_token
from rolecall.errors import ConfigError, UsageError

ROLE_SESSION_NAME = "rolecall-eks"


def region_of(config: Any, options: dict) -> str:
    from rolecall import regions
    from rolecall.term import printable

    region = hot.eks_region(options["region"], config.profile(options["profile"]).region)
    if not region:
        raise ConfigError(
            f"no region for cluster {printable(options['cluster'])!r}: profile {printable(options['profile'])!r} "
            "has none and neither --region nor AWS_REGION is set",
            hint="add --region REGION to the command (rolecall eks kubeconfig writes it for you)",
        )
    why = regions.problem(region)
    if why is not None:
        raise UsageError(f"region: {why}", hint="for example: --region eu-west-1")
    return region


def issue(options: dict, *, login_handler: Any = None, client_creator: Any = None) -> str:
    """The ExecCredential JSON for `options` (hot.parse_eks_token_args' shape)."""
    from rolecall import awsconfig
    from rolecall.credentials.resolver import Resolver
    from rolecall.sso.target import token_path_of

    if options["role_arn"] is not None and not awsconfig.role_arn_is_valid(options["role_arn"]):
        from rolecall.term import printable

        raise UsageError(f"--role-arn {printable(options['role_arn'])!r} is not a role ARN",
                         hint="for example: --role-arn arn:aws:iam::123456789012:role/eks-admin")
    snapshot = hot.begin()  # before the config is read: see rolecall.hot
    config = awsconfig.load()
    profile = options["profile"]
    config.profile(profile)
    region = region_of(config, options)
    snapshot.watch_token(token_path_of(config, profile))
    resolver = Resolver(config, login_handler=login_handler,
                        **({"client_creator": client_creator} if client_creator else {}))
    credentials = resolver.resolve(profile)
    remembered = snapshot.remember(config, profile, credentials, resolver)
    signer, expiries = credentials, [_epoch(credentials.expiration)]
    if options["role_arn"] is not None:
        signer = _assume(options["role_arn"], credentials, region, profile, client_creator)
        expiries.append(_epoch(signer.expiration))
    signed_at = time.time()
    url = eks_token.presigned_url(signer, options["cluster"], region, profile=profile,
                                  client_creator=client_creator)
    expires = eks_token.expiry_epoch(signed_at, *expiries)
    payload = eks_token.exec_credential(eks_token.token_of(url), expires)
    if remembered:
        hot.eks_store(options, region, credentials.access_key_id, expires, payload, snapshot.generation)
    return payload


def _epoch(moment: Any) -> float | None:
    return None if moment is None else moment.timestamp()


def _assume(role_arn: str, source: Any, region: str, profile: str, client_creator: Any) -> Any:
    from rolecall import clock
    from rolecall.credentials.assume_role import RoleRequest, assume
    from rolecall.credentials.model import Credentials

    request = RoleRequest(profile=profile, kwargs={"RoleArn": role_arn, "RoleSessionName": ROLE_SESSION_NAME},
                          auto_session_name=False)
    found = assume(request, source, region, client_creator=client_creator)["Credentials"]
    return Credentials(found["AccessKeyId"], found["SecretAccessKey"], found["SessionToken"],
                       clock.parse_timestamp(found["Expiration"]) if isinstance(found["Expiration"], str)
                       else found["Expiration"], account_id=found.get("AccountId"))
