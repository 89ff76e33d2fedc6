"""`config generate`: one profile per account × role an sso-session can reach.

Three steps, each with one job:

    list_assignments   ListAccounts (paginated), then ListAccountRoles for every
                       account in a bounded thread pool sharing one botocore client
    plan               names from the template (sanitised, collisions suffixed
                       deterministically), compared with what the file already has
    apply              one transaction: new sections appended as text and parsed
                       once (linear in the number of profiles), changed generated
                       profiles updated in place, stale ones pruned on request

Generated profiles carry `rolecall_generated_from = <session>` and
`rolecall_account_name = <name>`; only profiles with that marker are ever
updated or pruned, hand-written ones never.
"""

from __future__ import annotations

import random
import re
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from rolecall import aws, awsconfig
from rolecall.configedit import ops, validate
from rolecall.configedit.document import PROFILE, ConfigDocument, header_for
from rolecall.configedit.store import EditResult, edit
from rolecall.errors import AwsError, ConfigError, UsageError

MARKER_KEY = "rolecall_generated_from"
ACCOUNT_NAME_KEY = "rolecall_account_name"
TEMPLATE_FIELDS = ("account_name", "account_id", "role_name", "session", "region", "email")
# Threads sharing one client: botocore's default connection pool holds 10
# connections, and more threads than connections only churn sockets.
WORKERS = 10
PAGE_SIZE = 100  # the portal's maximum
OUTER_RETRIES = 4  # after botocore's own standard-mode retries are spent
THROTTLE_CODES = ("TooManyRequestsException", "ThrottlingException", "Throttling")
_UNSAFE = re.compile(r"[^A-Za-z0-9._/@+=-]+")


@dataclass(frozen=True)
class Assignment:
    account_id: str
    account_name: str
    email: str
    role_name: str


@dataclass
class Plan:
    add: list[tuple[str, list[tuple[str, str]]]] = field(default_factory=list)
    update: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # hand-written profile holds the name
    stale: list[str] = field(default_factory=list)  # generated earlier, its assignment gone
    # old name → new name: generated earlier for an assignment the template now names differently
    renamed: dict[str, str] = field(default_factory=dict)


# ---------------------------------------------------------------------------
# listing


def portal_client(target):
    return aws.client("sso", target.region, profile=target.profile_name)


def list_accounts(client, target, token: str, sleep=time.sleep) -> list[dict]:
    """ListAccounts, every page: [{accountId, accountName, emailAddress}]."""
    return _paginate(client, target, "list_accounts", "accountList", sleep, accessToken=token)


def list_roles(client, target, token: str, account_id: str, sleep=time.sleep) -> list[str]:
    """ListAccountRoles, every page: the role names of one account."""
    roles = _paginate(client, target, "list_account_roles", "roleList", sleep,
                      accessToken=token, accountId=account_id)
    return [role["roleName"] for role in roles]


def _paginate(client, target, operation: str, key: str, sleep, **kwargs) -> list[dict]:
    items: list[dict] = []
    next_token = None
    while True:
        page_args = dict(kwargs, maxResults=PAGE_SIZE)
        if next_token:
            page_args["nextToken"] = next_token
        page = _call(client, target, operation, sleep, **page_args)
        items.extend(page.get(key, []))
        next_token = page.get("nextToken")
        if not next_token:
            return items


def list_assignments(target, token: str, *, workers: int = WORKERS, progress=None,
                     sleep=time.sleep) -> list[Assignment]:
    """Every (account, role) the token can use, sorted by account id then role."""
    client = portal_client(target)  # one client for all threads: botocore clients are thread-safe
    accounts = list_accounts(client, target, token, sleep)

    def roles_of(account: dict) -> list[Assignment]:
        return [Assignment(account["accountId"], account.get("accountName") or account["accountId"],
                           account.get("emailAddress") or "", role)
                for role in list_roles(client, target, token, account["accountId"], sleep)]

    results: list[Assignment] = []
    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(accounts) or 1))) as pool:
        for done, found in enumerate(pool.map(roles_of, accounts), 1):
            results.extend(found)
            if progress is not None:
                progress(done, len(accounts))
    return sorted(results, key=lambda a: (a.account_id, a.role_name))


def _call(client, target, operation: str, sleep, **kwargs) -> dict:
    """aws.call plus an outer retry for throttling that outlasted botocore's retries."""
    for attempt in range(OUTER_RETRIES + 1):
        try:
            return aws.call(client, operation, **kwargs)
        except AwsError as exc:
            if exc.code == "UnauthorizedException":
                raise target.login_required("the portal rejected the cached token") from None
            if exc.code not in THROTTLE_CODES or attempt == OUTER_RETRIES:
                raise
            sleep(min(8.0, 0.5 * 2 ** attempt) * (0.5 + random.random() / 2))
    raise AssertionError("unreachable")


# ---------------------------------------------------------------------------
# naming and planning


def check_template(template: str) -> None:
    sample = {name: "x" for name in TEMPLATE_FIELDS}
    try:
        template.format_map(sample)
    except KeyError as exc:
        raise UsageError(f"unknown template field {{{exc.args[0]}}}",
                         hint="fields: " + ", ".join("{%s}" % f for f in TEMPLATE_FIELDS)) from None
    except (ValueError, IndexError) as exc:
        raise UsageError(f"bad --template {template!r}: {exc}",
                         hint="e.g. --template '{account_name}/{role_name}'") from None


def sanitise(name: str) -> str:
    """Keep `[A-Za-z0-9._/@+=-]`; every run of anything else becomes one `-`."""
    return _UNSAFE.sub("-", name).strip("-")


def profile_names(assignments: list[Assignment], template: str, session: str, region: str) -> dict[Assignment, str]:
    """Deterministic names: in (account id, role) order, a taken name gets -2, -3 …"""
    names: dict[Assignment, str] = {}
    taken: set[str] = set()
    for item in sorted(assignments, key=lambda a: (a.account_id, a.role_name)):
        fields = {
            "account_name": item.account_name, "account_id": item.account_id, "role_name": item.role_name,
            "session": session, "region": region, "email": item.email,
        }
        # Each field first ("Prod ✓" → "Prod", not "Prod-"), then the template's own text.
        base = sanitise(template.format_map({k: sanitise(v) for k, v in fields.items()}))
        base = base or f"{item.account_id}-{item.role_name}"
        name, n = base, 1
        while name in taken:
            n += 1
            name = f"{base}-{n}"
        taken.add(name)
        names[item] = name
    return names


def _one_line(text: str) -> str:
    return " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())


def _assignment_of(values: dict[str, str]) -> tuple[str | None, str | None]:
    """(account id, role name) a generated profile points at, in either style."""
    return (values.get("sso_account_id") or values.get(ops.CP_ACCOUNT_KEY),
            values.get("sso_role_name") or values.get(ops.CP_ROLE_KEY))


def plan(doc: ConfigDocument, config: awsconfig.AwsConfig, assignments: list[Assignment], *, session: str,
         template: str, region: str, credential_process: bool, rename: bool = False) -> Plan:
    """What to add, update, rename and call stale.

    Stale means the profile's account/role assignment is gone. A generated
    profile whose assignment is still there under another name (the template
    changed) is a rename: kept under its old name (and kept up to date) unless
    `rename`, never reported stale, never pruned.
    """
    result = Plan()
    names = profile_names(assignments, template, session, region)
    wanted = set(names.values())
    generated = {name: _assignment_of(doc.values(PROFILE, name)) for name in doc.names(PROFILE)
                 if doc.get(PROFILE, name, MARKER_KEY) == session}
    elsewhere: dict[tuple, str] = {}  # assignment → a generated profile of it under an unwanted name
    for name, key in generated.items():
        if name not in wanted:
            elsewhere.setdefault(key, name)

    def items_for(item: Assignment, name: str) -> list[tuple[str, str]]:
        return ops.sso_profile_items(
            session, item.account_id, item.role_name, region=region, output=None, profile=name,
            credential_process=credential_process,
            extra=[(MARKER_KEY, session), (ACCOUNT_NAME_KEY, _one_line(item.account_name))],
        )

    for item in sorted(assignments, key=lambda a: names[a]):
        name = names[item]
        existing = doc.values(PROFILE, name) if doc.section(PROFILE, name) is not None else None
        if existing is None:
            old = elsewhere.pop((item.account_id, item.role_name), None)
            if old is not None:
                result.renamed[old] = name
                target = name if rename else old
                if rename and name in config.profiles:  # the new name is taken in the credentials file
                    del result.renamed[old]
                    result.skipped.append(name)
                    target = old
                current = doc.values(PROFILE, old)
                items = items_for(item, target)
                if not all(current.get(k) == v for k, v in items):
                    result.update[old] = items
                continue
            if name in config.profiles:  # only in the credentials file: not ours to shadow
                result.skipped.append(name)
            else:
                result.add.append((name, items_for(item, name)))
        elif existing.get(MARKER_KEY) != session:
            result.skipped.append(name)
        else:
            items = items_for(item, name)
            if all(existing.get(k) == v for k, v in items):
                result.unchanged.append(name)
            else:
                result.update[name] = items
    present = {(a.account_id, a.role_name) for a in assignments}
    for name, key in generated.items():
        if name not in wanted and name not in result.renamed and key not in present:
            result.stale.append(name)
    return result


def _apply(doc: ConfigDocument, result: Plan, *, prune: bool, credential_process: bool,
           rename: bool = False) -> None:
    other_style = ops.SSO_KEYS if credential_process else ops.PROCESS_KEYS
    for name, items in result.update.items():
        doc.replace(PROFILE, name, items, stale=other_style)
    if rename:
        for old, new in result.renamed.items():
            doc.rename(PROFILE, old, new)
            for other in doc.names(PROFILE):
                if doc.get(PROFILE, other, "source_profile") == old:
                    doc.set(PROFILE, other, "source_profile", new)
    if prune:
        for name in result.stale:
            doc.remove(PROFILE, name)
    doc.append_sections((header_for(PROFILE, name), items) for name, items in result.add)


# ---------------------------------------------------------------------------
# the command


def run(session: str, *, template: str = "{account_name}/{role_name}", region: str | None = None,
        prune: bool = False, credential_process: bool = False, dry_run: bool = False,
        workers: int = WORKERS, rename: bool = False) -> tuple[str, EditResult]:
    from rolecall.sso import tokens

    check_template(template)
    validate.name(session, "sso-session")
    config = awsconfig.load()
    target = tokens.target_for_session(config, session)
    region = validate.region(region) if region else target.region
    token = tokens.access_token(target)
    assignments = list_assignments(target, token, workers=workers, progress=_progress_bar())
    from rolecall import portal_roles  # for completion of --account-id / --role-name

    portal_roles.remember(session, [(a.account_id, a.account_name, a.role_name) for a in assignments])
    holder: dict[str, Plan] = {}

    def change(doc: ConfigDocument, current: awsconfig.AwsConfig, notes: list) -> None:
        if session not in current.sessions:
            current.session(session)  # removed while we listed: raises with the fix
        result = plan(doc, current, assignments, session=session, template=template, region=region,
                      credential_process=credential_process, rename=rename)
        holder["plan"] = result
        for name in result.skipped:
            notes.append(f"profile {name!r} exists and was not generated from {session!r}: kept, skipped")
        if result.stale and not prune:
            notes.append(f"{len(result.stale)} generated profile(s) no longer match an assignment "
                         f"(e.g. {result.stale[0]!r}); --prune removes them")
        if result.renamed and not rename:
            old, new = next(iter(result.renamed.items()))
            notes.append(f"{len(result.renamed)} generated profile(s) are named differently by this template "
                         f"(e.g. {old!r} → {new!r}): kept under their old names; --rename renames them")
        _apply(doc, result, prune=prune, credential_process=credential_process, rename=rename)

    def check(new: awsconfig.AwsConfig) -> None:
        result = holder["plan"]
        key = "rolecall_sso_account_id" if credential_process else "sso_account_id"
        for name, items in result.add:
            values = dict(items)
            profile = new.profiles.get(name)
            if profile is None or profile.raw.get(key) != values[key]:
                raise ConfigError(f"generated profile {name!r} does not read back")
        if prune:
            for name in result.stale:
                if name in new.profiles and new.profiles[name].in_config:
                    raise ConfigError(f"pruned profile {name!r} is still there")
        for old, name in result.renamed.items():
            if (name if rename else old) not in new.profiles:
                raise ConfigError(f"renamed profile {name!r} does not read back")

    outcome = edit(change, check, dry_run=dry_run)
    result = holder["plan"]
    accounts = len({a.account_id for a in assignments})
    summary = (f"{len(assignments)} role(s) in {accounts} account(s) of sso-session {session}: "
               f"{len(result.add)} added, {len(result.update)} updated, {len(result.unchanged)} unchanged, "
               f"{len(result.skipped)} skipped, "
               + (f"{len(result.renamed)} renamed, " if rename else
                  (f"{len(result.renamed)} to rename (--rename), " if result.renamed else ""))
               + (f"{len(result.stale)} pruned" if prune else f"{len(result.stale)} stale kept")
               + (" (dry run)" if dry_run else ""))
    return summary, outcome


def _progress_bar():
    """A one-line counter on stderr, only when stderr is a terminal."""
    if not sys.stderr.isatty():
        return None

    def show(done: int, total: int) -> None:
        width = 30
        filled = width * done // max(total, 1)
        sys.stderr.write(f"\rrolecall: listing roles [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
        if done == total:
            sys.stderr.write("\n")
        sys.stderr.flush()

    return show
