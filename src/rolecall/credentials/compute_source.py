"""`credential_source = EcsContainer | Ec2InstanceMetadata`: through botocore's own providers.

rolecall owns the SSO, role and process sources; these two belong to AWS compute
and botocore already speaks them exactly (the container-credentials endpoint with
its authorization token or token file, IMDSv2 with its session token, the
`ec2_metadata_*` and `metadata_service_*` settings), so rolecall asks botocore's
ContainerProvider / InstanceMetadataProvider, built by botocore's own resolver
for the profile being resolved.
"""

from __future__ import annotations

from datetime import datetime, timezone

from rolecall.awsconfig import AwsConfig, Profile
from rolecall.credentials.model import Credentials
from rolecall.errors import ConfigError

PROVIDERS = {"EcsContainer": "container-role", "Ec2InstanceMetadata": "iam-role"}
WHERE = {"EcsContainer": "no container credentials endpoint (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI or "
                         "AWS_CONTAINER_CREDENTIALS_FULL_URI) answered",
         "Ec2InstanceMetadata": "the instance metadata service gave no role credentials"}


def from_compute(config: AwsConfig, profile: Profile, top: str) -> Credentials:
    """Credentials from the container or instance endpoint, as botocore would fetch them for `top`."""
    import botocore.session
    from botocore.credentials import create_credential_resolver
    from botocore.exceptions import BotoCoreError, ProfileNotFound

    source = profile.credential_source or ""
    try:
        session = botocore.session.Session(profile=top)
        session.get_scoped_config()
    except ProfileNotFound:
        session = botocore.session.Session()
    provider = create_credential_resolver(session).get_provider(PROVIDERS[source])
    try:
        found = provider.load()
    except BotoCoreError as exc:
        found, detail = None, str(exc).splitlines()[0][:200]
    else:
        detail = WHERE[source]
    if found is None:
        raise ConfigError(f"credential_source = {source}: {detail}", path=str(config.config_path),
                          section=config.section_header(profile.name), key="credential_source",
                          hint="this source works on AWS compute (or with its endpoint variables set); "
                               "elsewhere use a source_profile")
    frozen = found.get_frozen_credentials()
    expiry = getattr(found, "_expiry_time", None)  # (RefreshableCredentials keeps it there)
    if isinstance(expiry, datetime) and expiry.tzinfo is None:
        expiry = expiry.replace(tzinfo=timezone.utc)
    return Credentials(access_key_id=frozen.access_key, secret_access_key=frozen.secret_key,
                       session_token=frozen.token, expiration=expiry if isinstance(expiry, datetime) else None,
                       profile=profile.name)
