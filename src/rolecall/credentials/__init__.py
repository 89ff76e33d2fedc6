"""Profile → credentials: every source a profile can name, and the AWS CLI's role cache.

    resolver       Resolver: walks a profile's chain (SSO, role_arn, credential_process,
                   static keys, credential_source) in botocore's order; caches in role_cache
    model          Credentials: the frozen result every source produces
    role_cache     the AWS CLI's role-credential cache (~/.aws/cli/cache): keys, format,
                   lock, the listing logout and status use
    sso_role       GetRoleCredentials for an SSO profile
    assume_role    AssumeRole kwargs and the STS call (the MFA prompter is passed in)
    process_source credential_process: run it like botocore, parse Version 1 strictly
    static_source  keys from the config/credentials files or the environment

`from rolecall.credentials import Resolver` works, and loads the resolver only
then: the role cache alone is on the hot path.
"""

from __future__ import annotations

_LAZY = {
    "Resolver": "resolver", "LoginHandler": "resolver", "MfaPrompter": "resolver",
    "Credentials": "model", "PROFILE_CHAIN_ENV": "process_source", "ProcessError": "process_source",
}


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'rolecall.credentials' has no attribute {name!r}")
    from importlib import import_module

    return getattr(import_module(f"rolecall.credentials.{module}"), name)
