"""`config sso`: the `aws configure sso` wizard.

session name → start URL → SSO region → scopes (defaults shown; an existing
sso-session's values are the defaults) → log in → pick the account and the
role (type-to-filter lists on /dev/tty) → region, output, profile name → one
write of the sso-session and the profile → how to use it.

Every question has a flag; a flag skips its question, and with no terminal a
missing flag is an error naming it. Nothing is written before the login and
the picks succeeded.
"""

from __future__ import annotations

import shlex
import sys
from dataclasses import dataclass

from rolecall import awsconfig
from rolecall.configedit import generate, ops, validate
from rolecall.configedit.document import PROFILE, SESSION, ConfigDocument, header_for
from rolecall.configedit.store import EditResult, edit
from rolecall.configedit.terminal import Terminal, check_choice, need
from rolecall.errors import LoginRequired, UsageError
from rolecall.term import printable


@dataclass
class Answers:
    session_name: str | None = None
    start_url: str | None = None
    sso_region: str | None = None
    scopes: str | None = None
    account_id: str | None = None
    role_name: str | None = None
    region: str | None = None
    output: str | None = None
    profile_name: str | None = None
    device_code: bool = False
    no_browser: bool = False


def run(answers: Answers) -> EditResult:
    terminal = Terminal.open()
    try:
        return _run(answers, terminal)
    finally:
        if terminal is not None:
            terminal.close()


def _ask(terminal: Terminal | None, given: str | None, flag: str, question: str, default: str | None,
         check=None, *, headless_default: bool = True) -> str:
    """The flag's value, else the terminal's answer (asked again until `check` passes).

    With no terminal the default is taken when `headless_default` allows it.
    """
    if given is None and terminal is None and default is not None and headless_default:
        given = default
    if given is not None:
        return check(given) if check else given
    tty = need(terminal, flag, question.lower())
    while True:
        answer = tty.ask(question, default)
        try:
            return check(answer) if check else answer
        except UsageError as exc:
            tty.say(f"  {exc.message}" + (f" ({exc.hint})" if exc.hint else ""))


def _run(answers: Answers, terminal: Terminal | None) -> EditResult:
    from rolecall.sso import login as sso_login
    from rolecall.sso import tokens
    from rolecall.sso.target import SsoTarget
    from rolecall.sso.ui import TerminalLoginUI

    config = awsconfig.load()
    session_name = _ask(terminal, answers.session_name, "--session-name", "SSO session name", None,
                        lambda v: validate.name(v, "sso-session"))
    existing = config.sessions.get(session_name)
    start_url = _ask(terminal, answers.start_url, "--start-url", "SSO start URL",
                     existing.start_url if existing else None, validate.start_url)
    sso_region = _ask(terminal, answers.sso_region, "--sso-region", "SSO region",
                      (existing.region if existing else None) or "us-east-1",
                      lambda v: validate.region(v, "--sso-region"), headless_default=existing is not None)
    scopes = _ask(terminal, answers.scopes, "--scopes", "SSO registration scopes",
                  ",".join(existing.scopes) if existing and existing.scopes else ops.DEFAULT_SCOPES,
                  validate.scopes)
    if existing is not None and (existing.start_url, existing.region) != (start_url, sso_region):
        raise UsageError(
            f"sso-session {session_name!r} already exists with {existing.start_url} in {existing.region}",
            hint="pick another --session-name, or change it with: rolecall config set --session "
                 f"{shlex.quote(session_name)} sso_start_url URL",
        )

    target = SsoTarget(session_name, start_url, sso_region, tuple(scopes.split(",")), None)
    try:
        token = tokens.access_token(target)
    except LoginRequired:
        stream = terminal.writer if terminal is not None else sys.stderr
        ui = TerminalLoginUI(stream, open_browser=not answers.no_browser)
        token = sso_login.login(target, device_code=answers.device_code, ui=ui)["accessToken"]

    client = generate.portal_client(target)
    accounts = generate.list_accounts(client, target, token)
    if not accounts:
        raise UsageError(f"no AWS accounts are assigned to you in {start_url}")
    by_id = {a["accountId"]: a for a in accounts}
    if answers.account_id is not None:
        account_id = check_choice(validate.account_id(answers.account_id), list(by_id), "--account-id",
                                  "accounts")
    elif len(accounts) == 1:
        account_id = accounts[0]["accountId"]
        _say(terminal, f"The only AWS account available to you is {_account_title(accounts[0])}")
    else:
        tty = need(terminal, "--account-id", "the account")
        tty.say(f"There are {len(accounts)} AWS accounts available to you.")
        ordered = sorted(accounts, key=lambda a: (a.get("accountName") or "").lower())
        account_id = tty.choose("Account", [(_account_title(a), a["accountId"]) for a in ordered])

    roles = sorted(generate.list_roles(client, target, token, account_id))
    if not roles:
        raise UsageError(f"no roles are assigned to you in account {account_id}")
    if answers.role_name is not None:
        role_name = check_choice(answers.role_name, roles, "--role-name", "roles")
    elif len(roles) == 1:
        role_name = roles[0]
        _say(terminal, f"Using the role {role_name}, the only one available to you in this account.")
    else:
        tty = need(terminal, "--role-name", "the role")
        tty.say(f"There are {len(roles)} roles available to you in {account_id}.")
        role_name = tty.choose("Role", [(r, r) for r in roles])

    region = _ask(terminal, answers.region, "--region", "Default client region", sso_region, validate.region)
    output = _ask(terminal, answers.output, "--output", "Default output format", "json", validate.output)
    profile_name = _ask(terminal, answers.profile_name, "--profile-name", "Profile name",
                        f"{role_name}-{account_id}", validate.name)
    overwrite = False
    if profile_name in config.profiles:
        if answers.profile_name is not None or terminal is None:
            raise UsageError(f"profile {profile_name!r} already exists",
                             hint="pick another --profile-name, or remove it: rolecall config rm "
                                  + shlex.quote(profile_name))
        overwrite = terminal.confirm(f"Profile {profile_name!r} exists. Overwrite it?", default=False)
        if not overwrite:
            raise UsageError(f"profile {profile_name!r} already exists; nothing was written")

    items = ops.sso_profile_items(session_name, account_id, role_name, region=region, output=output,
                                  profile=profile_name, credential_process=False)
    session_items = [("sso_start_url", start_url), ("sso_region", sso_region),
                     ("sso_registration_scopes", scopes)]

    def change(doc: ConfigDocument, current: awsconfig.AwsConfig, notes: list) -> None:
        if doc.section(SESSION, session_name) is None:
            doc.append_sections([(header_for(SESSION, session_name), session_items)])
        if doc.section(PROFILE, profile_name) is not None:
            if not overwrite:
                raise UsageError(f"profile {profile_name!r} was created meanwhile; nothing was written")
            doc.replace(PROFILE, profile_name, items, stale=ops.ROLE_KEYS + ops.PROCESS_KEYS)
        else:
            doc.append_sections([(header_for(PROFILE, profile_name), items)])

    def check(new: awsconfig.AwsConfig) -> None:
        new.check_profile(profile_name)

    result = edit(change, check)
    quoted = shlex.quote(profile_name)
    result.info.append(
        f"profile {profile_name} is ready. Use it with:\n"
        f"    assume {quoted}\n"
        f"    aws sts get-caller-identity --profile {quoted}"
    )
    return result


def _account_title(account: dict) -> str:
    name = printable(account.get("accountName") or "")
    email = account.get("emailAddress") or ""
    return f"{name} ({account['accountId']}{', ' + email if email else ''})"


def _say(terminal: Terminal | None, text: str) -> None:
    if terminal is not None:
        terminal.say(text)
    else:
        sys.stderr.write(f"rolecall: {text}\n")
