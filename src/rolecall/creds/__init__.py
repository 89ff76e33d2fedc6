"""The parts behind `rolecall.credentials` (import from there, not from here).

model          Credentials: the frozen result every source produces
role_cache     the AWS CLI's role-credential cache (~/.aws/cli/cache): keys, format, lock
sso_role       GetRoleCredentials for an SSO profile
assume_role    AssumeRole kwargs, MFA code, the STS call
process_source credential_process: run it like botocore, parse Version 1 strictly
static_source  keys from the config/credentials files or the environment
"""
