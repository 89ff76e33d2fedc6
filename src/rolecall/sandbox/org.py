"""The fixture organisation the sandbox serves: accounts, permission-set roles, IAM roles.

A fixture is JSON::

    {"start_url": "https://rolecall-sandbox.invalid/start", "region": "us-east-1",
     "user": {"name": "sandbox-user", "email": "user@example.invalid"},
     "accounts": [{"id": "111111111111", "name": "sandbox-dev", "email": "dev@example.invalid",
                   "roles": ["AdministratorAccess", "ReadOnlyAccess"],
                   "iam_roles": [{"name": "deploy", "external_id": null, "mfa": false}]}]}

``roles`` are the permission sets assigned to the user (what ListAccountRoles returns);
``iam_roles`` are extra roles that can only be reached with sts:AssumeRole (role chaining).
``clusters`` (optional) are the account's EKS clusters: ``[{"name": "demo", "region": "us-east-1"}]``
(the region defaults to the org's).
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

DEFAULT_START_URL = "https://rolecall-sandbox.invalid/start"
DEFAULT_REGION = "us-east-1"

_ACCOUNT_ID = re.compile(r"^\d{12}$")
_ROLE_NAME = re.compile(r"^[\w+=,.@-]{1,64}$")
_CLUSTER_NAME = re.compile(r"^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$")  # EKS's own rule


class OrgError(ValueError):
    """The fixture is malformed."""


@dataclass(frozen=True)
class IamRole:
    name: str
    external_id: str | None = None
    mfa: bool = False


@dataclass(frozen=True)
class Account:
    id: str
    name: str
    email: str
    roles: tuple[str, ...] = ()
    iam_roles: tuple[IamRole, ...] = ()
    clusters: tuple[tuple[str, str], ...] = ()  # (name, region) of its EKS clusters

    def iam_role(self, name: str) -> IamRole | None:
        """The assumable role called ``name``: a declared IAM role, else a permission-set role."""
        for role in self.iam_roles:
            if role.name == name:
                return role
        if name in self.roles:
            return IamRole(name=name)
        return None


@dataclass(frozen=True)
class User:
    name: str = "sandbox-user"
    email: str = "user@example.invalid"


@dataclass(frozen=True)
class Org:
    start_url: str = DEFAULT_START_URL
    region: str = DEFAULT_REGION
    user: User = field(default_factory=User)
    accounts: tuple[Account, ...] = ()

    def account(self, account_id: str) -> Account | None:
        return self._index().get(account_id)

    def _index(self) -> dict[str, Account]:
        # Cached lazily; object.__setattr__ because the dataclass is frozen.
        index = self.__dict__.get("_by_id")
        if index is None:
            index = {a.id: a for a in self.accounts}
            object.__setattr__(self, "_by_id", index)
        return index


def _require(cond: bool, message: str) -> None:
    if not cond:
        raise OrgError(message)


def org_from_dict(data: Any) -> Org:
    """Validate and convert a decoded JSON fixture."""
    _require(isinstance(data, dict), "org fixture must be a JSON object")
    user_data = data.get("user") or {}
    _require(isinstance(user_data, dict), "org fixture: 'user' must be an object")
    user = User(
        name=str(user_data.get("name", "sandbox-user")),
        email=str(user_data.get("email", "user@example.invalid")),
    )
    accounts: list[Account] = []
    seen: set[str] = set()
    raw_accounts = data.get("accounts", [])
    _require(isinstance(raw_accounts, list), "org fixture: 'accounts' must be a list")
    for i, raw in enumerate(raw_accounts):
        where = f"org fixture: accounts[{i}]"
        _require(isinstance(raw, dict), f"{where} must be an object")
        account_id = str(raw.get("id", ""))
        _require(bool(_ACCOUNT_ID.match(account_id)), f"{where}: id {account_id!r} is not 12 digits")
        _require(account_id not in seen, f"{where}: duplicate account id {account_id}")
        seen.add(account_id)
        roles = raw.get("roles", [])
        _require(isinstance(roles, list), f"{where}: 'roles' must be a list")
        for role in roles:
            _require(isinstance(role, str) and bool(_ROLE_NAME.match(role)), f"{where}: bad role name {role!r}")
        iam_roles = []
        for j, r in enumerate(raw.get("iam_roles", []) or []):
            _require(isinstance(r, dict) and isinstance(r.get("name"), str), f"{where}.iam_roles[{j}] needs a name")
            _require(bool(_ROLE_NAME.match(r["name"])), f"{where}.iam_roles[{j}]: bad role name {r['name']!r}")
            ext = r.get("external_id")
            iam_roles.append(IamRole(name=r["name"], external_id=None if ext is None else str(ext),
                                     mfa=bool(r.get("mfa", False))))
        clusters = []
        for j, c in enumerate(raw.get("clusters", []) or []):
            _require(isinstance(c, dict) and isinstance(c.get("name"), str)
                     and bool(_CLUSTER_NAME.match(c["name"])), f"{where}.clusters[{j}] needs a valid name")
            clusters.append((c["name"], str(c.get("region") or data.get("region", DEFAULT_REGION))))
        accounts.append(
            Account(
                id=account_id,
                name=str(raw.get("name", account_id)),
                email=str(raw.get("email", f"{account_id}@example.invalid")),
                roles=tuple(roles),
                iam_roles=tuple(iam_roles),
                clusters=tuple(clusters),
            )
        )
    return Org(
        start_url=str(data.get("start_url", DEFAULT_START_URL)),
        region=str(data.get("region", DEFAULT_REGION)),
        user=user,
        accounts=tuple(accounts),
    )


def load_org(path: str | Path | None = None) -> Org:
    """Load a fixture file; ``None`` loads the default fixture shipped with the package."""
    if path is None:
        text = resources.files("rolecall.sandbox").joinpath("default_org.json").read_text(encoding="utf-8")
        source = "default_org.json"
    else:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise OrgError(f"cannot read org fixture {path}: {exc.strerror or exc}") from exc
        source = str(path)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise OrgError(f"{source} is not valid JSON: {exc}") from exc
    return org_from_dict(data)


_ROLE_POOL = (
    "AdministratorAccess", "ReadOnlyAccess", "PowerUserAccess", "ViewOnlyAccess", "Billing",
    "DatabaseAdministrator", "NetworkAdministrator", "SecurityAudit", "SupportUser", "DataScientist",
)
_WORDS = (
    "alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet",
    "kilo", "lima", "mike", "november", "oscar", "papa", "quebec", "romeo", "sierra", "tango",
)
_ENVS = ("dev", "test", "staging", "prod", "sandbox", "shared", "data", "logs")


def generate_org(n_accounts: int, roles_per_account: int = 4, seed: int = 0) -> Org:
    """A deterministic synthetic organisation with ``n_accounts`` accounts (for scale tests)."""
    if n_accounts < 0:
        raise OrgError("n_accounts must be >= 0")
    roles_per_account = max(1, min(roles_per_account, len(_ROLE_POOL)))
    rng = random.Random(seed)
    accounts: list[Account] = []
    ids: set[str] = set()
    for i in range(n_accounts):
        while True:
            account_id = f"{rng.randrange(10**11, 10**12):012d}"
            if account_id not in ids:
                ids.add(account_id)
                break
        name = f"{rng.choice(_WORDS)}-{rng.choice(_ENVS)}-{i:04d}"
        roles = tuple(rng.sample(_ROLE_POOL[1:], roles_per_account - 1))
        accounts.append(
            Account(
                id=account_id,
                name=name,
                email=f"aws+{name}@example.invalid",
                roles=("AdministratorAccess",) + roles,
                iam_roles=(IamRole("deploy"),),
            )
        )
    return Org(accounts=tuple(accounts))


