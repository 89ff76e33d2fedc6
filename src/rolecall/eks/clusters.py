"""The EKS clusters a profile can see (ListClusters, DescribeCluster), and the names kept for completion."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rolecall.errors import AwsError, EndpointError

NAMES_FILE = "eks-clusters"  # in rolecall's state dir: `profile<TAB>region<TAB>cluster` lines
MAX_KEPT = 5000


@dataclass(frozen=True)
class Cluster:
    name: str
    arn: str
    endpoint: str
    certificate_authority: str  # base64 PEM, as DescribeCluster gives it


def _client(credentials: Any, region: str, profile: str, client_creator: Any = None) -> Any:
    from rolecall import aws

    return (client_creator or aws.client)("eks", region, credentials=credentials, profile=profile)


def list_names(credentials: Any, region: str, profile: str, *, client_creator: Any = None) -> list[str]:
    from rolecall import aws

    client = _client(credentials, region, profile, client_creator)
    names: list[str] = []
    token: str | None = None
    while True:
        page: dict[str, Any] = {"nextToken": token} if token else {}
        response = aws.call(client, "list_clusters", **page)
        names += [name for name in response.get("clusters", []) if isinstance(name, str)]
        token = response.get("nextToken")
        if not token:
            return names


def describe(credentials: Any, region: str, profile: str, name: str, *, client_creator: Any = None) -> Cluster:
    from rolecall import aws

    client = _client(credentials, region, profile, client_creator)
    try:
        found = aws.call(client, "describe_cluster", name=name).get("cluster") or {}
    except AwsError as exc:
        if exc.code == "ResourceNotFoundException":
            from rolecall.term import printable

            raise AwsError(f"no EKS cluster {printable(name)!r} in {region} for profile {printable(profile)!r}",
                           code=exc.code, hint=f"list them: rolecall eks list --profile {profile} "
                                               f"--region {region}") from None
        raise
    endpoint = found.get("endpoint")
    authority = (found.get("certificateAuthority") or {}).get("data")
    if not isinstance(endpoint, str) or not endpoint.startswith("https://") or not isinstance(authority, str):
        raise EndpointError(
            f"cluster {name!r} has no API endpoint or certificate yet (status {found.get('status')!r})",
            hint="wait until the cluster is ACTIVE, then run the command again")
    return Cluster(name=name, arn=str(found.get("arn") or name), endpoint=endpoint,
                   certificate_authority=authority)


def remember_names(profile: str, region: str, names: list[str]) -> None:
    """Keep the listing for completion (best effort: a cache, never needed for correctness)."""
    from rolecall import kept_rows

    rows = [row for row in kept_rows.read(NAMES_FILE, 3) if row[:2] != (profile, region)]
    kept_rows.write(NAMES_FILE, rows + [(profile, region, name) for name in names], MAX_KEPT)


def known_names(profile: str | None = None) -> list[str]:
    """Cluster names seen by `eks list` / `eks kubeconfig` (for `profile` first when given)."""
    from rolecall import kept_rows

    rows = kept_rows.read(NAMES_FILE, 3, 1 << 20)
    mine = [row[2] for row in rows if profile is not None and row[0] == profile]
    return list(dict.fromkeys(mine + [row[2] for row in rows]))
