"""`rolecall config …`: edit profiles and sso-sessions without damaging the file.

Thin: flags → rolecall.configedit functions → a line on stderr. Every edit is
locked, validated, backed up (`<config>.bak`) and atomic; `--dry-run` prints
the unified diff on stdout and writes nothing.
"""

from __future__ import annotations

import json
import sys

import click

from rolecall.term import warn

DRY_RUN = click.option("--dry-run", is_flag=True, help="Print the diff on stdout; write nothing.")


def _report(result) -> int:
    """One human line on stderr (and the diff on stdout for --dry-run)."""
    for note in result.notes:
        warn(note)
    if not result.changed:
        click.echo(f"rolecall: {result.path} unchanged", err=True)
    elif not result.written:
        sys.stdout.write(result.diff())
    else:
        backup = f" (previous version: {result.backup})" if result.backup else ""
        click.echo(f"rolecall: updated {result.path}{backup}", err=True)
    for line in result.info:
        click.echo(f"rolecall: {line}", err=True)
    return 0


@click.group("config")
def cmd() -> None:
    """Edit profiles and sso-sessions safely (comments and layout are kept).

    Every write is atomic, keeps the previous file as <config>.bak (mode 0600)
    and holds <config>.lock; AWS_CONFIG_FILE is honoured.
    """


@cmd.command("add-session")
@click.argument("name")
@click.option("--start-url", required=True, help="The AWS access portal URL.")
@click.option("--region", required=True, help="The IAM Identity Center region.")
@click.option("--scopes", default=None, help="Comma-separated registration scopes [sso:account:access].")
@click.option("--force", is_flag=True, help="Overwrite an existing sso-session's values.")
@DRY_RUN
def add_session(name, start_url, region, scopes, force, dry_run) -> int:
    """Add an [sso-session NAME]."""
    from rolecall.configedit import ops

    return _report(ops.add_session(name, start_url, region, scopes, force=force, dry_run=dry_run))


@cmd.command("add-profile")
@click.argument("name")
@click.option("--sso-session", help="sso-session the profile logs in with.")
@click.option("--account-id", help="12-digit AWS account id.")
@click.option("--role-name", help="Permission set (role) name.")
@click.option("--role-arn", help="Role to assume (role chaining).")
@click.option("--source-profile", help="Profile whose credentials assume --role-arn.")
@click.option("--region", help="Default region of the profile.")
@click.option("--output", help="Default output format (json, text, table, yaml, yaml-stream).")
@click.option("--credential-process", is_flag=True,
              help="Use `rolecall credential-process` instead of native SSO keys (for tools without SSO).")
@click.option("--force", is_flag=True, help="Rewrite an existing profile.")
@DRY_RUN
def add_profile(name, sso_session, account_id, role_name, role_arn, source_profile, region, output,
                credential_process, force, dry_run) -> int:
    """Add a profile: SSO (--sso-session/--account-id/--role-name) or role chain (--role-arn/--source-profile)."""
    from rolecall.configedit import ops

    return _report(ops.add_profile(
        name, sso_session=sso_session, account_id=account_id, role_name=role_name, role_arn=role_arn,
        source_profile=source_profile, region=region, output=output,
        credential_process=credential_process, force=force, dry_run=dry_run,
    ))


@cmd.command("set")
@click.argument("target", metavar="PROFILE")
@click.argument("key")
@click.argument("value")
@click.option("--session", is_flag=True, help="PROFILE names an sso-session instead.")
@click.option("--create", is_flag=True, help="Create the profile (or session) if it does not exist.")
@DRY_RUN
def set_cmd(target, key, value, session, create, dry_run) -> int:
    """Set KEY to VALUE in a profile (`s3.KEY` sets a nested value)."""
    from rolecall.configedit import ops

    return _report(ops.set_value(target, key, value, session=session, create=create, dry_run=dry_run))


@cmd.command("unset")
@click.argument("target", metavar="PROFILE")
@click.argument("key")
@click.option("--session", is_flag=True, help="PROFILE names an sso-session instead.")
@DRY_RUN
def unset_cmd(target, key, session, dry_run) -> int:
    """Remove KEY from a profile."""
    from rolecall.configedit import ops

    return _report(ops.unset_value(target, key, session=session, dry_run=dry_run))


@cmd.command("rm")
@click.argument("profiles", nargs=-1, metavar="PROFILE...")
@click.option("--session", "session", metavar="NAME", help="Remove the sso-session NAME instead.")
@click.option("--force", is_flag=True, help="Remove even when other profiles still use it.")
@DRY_RUN
def rm_cmd(profiles, session, force, dry_run) -> int:
    """Remove profiles (or, with --session, an sso-session)."""
    from rolecall.configedit import ops
    from rolecall.errors import UsageError

    if session is not None and profiles:
        raise UsageError("give profiles or --session NAME, not both")
    if session is not None:
        return _report(ops.remove_session(session, force=force, dry_run=dry_run))
    if not profiles:
        raise UsageError("nothing to remove", hint="rolecall config rm PROFILE…  or  rolecall config rm --session NAME")
    return _report(ops.remove_profiles(list(profiles), force=force, dry_run=dry_run))


@cmd.command("rename")
@click.argument("old")
@click.argument("new")
@click.option("--force", is_flag=True, help="Replace an existing profile called NEW.")
@DRY_RUN
def rename_cmd(old, new, force, dry_run) -> int:
    """Rename a profile (source_profile references follow)."""
    from rolecall.configedit import ops

    return _report(ops.rename_profile(old, new, force=force, dry_run=dry_run))


@cmd.command("show")
@click.argument("profile")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def show_cmd(profile, as_json) -> int:
    """Show a profile as resolved: its keys, its sso-session's, the credentials file's."""
    from rolecall import awsconfig
    from rolecall.configedit import ops

    view = ops.show(awsconfig.load(), profile)
    if as_json:
        sys.stdout.write(json.dumps(view, indent=2, ensure_ascii=False) + "\n")
        return 0
    lines = [f"profile {view['name']} ({view['kind']})"]
    width = max((len(k) for k in view["values"]), default=0)
    for key, value in view["values"].items():
        if isinstance(value, dict):
            lines.append(f"  {key.ljust(width)} =")
            lines += [f"      {k} = {v}" for k, v in value.items()]
        else:
            lines.append(f"  {key.ljust(width)} = {value}   # {view['sources'][key]}")
    sys.stdout.write("\n".join(_printable(line) for line in lines) + "\n")
    for problem in view["problems"]:
        warn(problem)
    return 0


@cmd.command("sessions")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def sessions_cmd(as_json) -> int:
    """List sso-sessions."""
    from rolecall import awsconfig
    from rolecall.configedit import ops

    rows = ops.sessions(awsconfig.load().require_files())
    if as_json:
        sys.stdout.write(json.dumps(rows, indent=2, ensure_ascii=False) + "\n")
        return 0
    if not rows:
        click.echo("no sso-sessions; add one with: rolecall config add-session NAME --start-url URL --region R",
                   err=True)
        return 0
    table = [("SESSION", "START URL", "REGION", "SCOPES", "PROFILES")] + [
        (r["name"], r["sso_start_url"] or "-", r["sso_region"] or "-",
         ",".join(r["sso_registration_scopes"]) or "-", str(r["profiles"])) for r in rows
    ]
    widths = [max(len(row[i]) for row in table) for i in range(5)]
    for row in table:
        sys.stdout.write(_printable("  ".join(c.ljust(widths[i]) for i, c in enumerate(row)).rstrip()) + "\n")
    return 0


@cmd.command("edit")
def edit_cmd() -> int:
    """Open the config in $VISUAL/$EDITOR; it replaces the file only if it is valid."""
    from rolecall.configedit import editor

    return _report(editor.edit_interactively())


@cmd.command("generate")
@click.option("--sso-session", "session",
              help="The sso-session to enumerate (default: the only one; with --start-url: the one with that URL, "
                   "else a new one named after its subdomain).")
@click.option("--start-url", metavar="URL", help="Start from this AWS access portal URL (adds the sso-session).")
@click.option("--sso-region", metavar="REGION", help="The IAM Identity Center region (with --start-url).")
@click.option("--no-login", is_flag=True, help="Fail (exit 4) instead of signing in when there is no valid token.")
@click.option("--template", default="{account_name}/{role_name}", show_default=True,
              help="Profile name template: {account_name} {account_id} {role_name} {session} {region} {email}.")
@click.option("--region", help="region = … in every generated profile (default: the session's region).")
@click.option("--prune", is_flag=True, help="Remove this session's generated profiles whose account/role is gone.")
@click.option("--rename", is_flag=True,
              help="Rename generated profiles the template now names differently (default: keep the old names).")
@click.option("--credential-process", is_flag=True,
              help="Write `credential_process = rolecall credential-process …` profiles instead of SSO keys.")
@DRY_RUN
def generate_cmd(session, start_url, sso_region, no_login, template, region, prune, rename, credential_process,
                 dry_run) -> int:
    """Write one profile per account and role the sso-session can reach.

    \b
    From nothing: rolecall config generate --start-url https://my-org.awsapps.com/start --sso-region eu-west-1
    (adds the sso-session, signs in when needed, writes every account × role profile).
    """
    from rolecall import awsconfig
    from rolecall.configedit import generate, onboard
    from rolecall.errors import UsageError

    generate.check_template(template)  # (bad input before any sign-in)
    if bool(start_url) != bool(sso_region):
        raise UsageError("--start-url and --sso-region go together",
                         hint="rolecall config generate --start-url URL --sso-region REGION")
    if start_url:
        def ready(name: str) -> bool:  # with --no-login: no token, nothing written
            if no_login:
                _signed_in_or_raise(name, start_url, sso_region)
            return True

        session, added = onboard.ensure_session(start_url, sso_region, session, ready=ready, dry_run=dry_run)
        if added and dry_run:
            raise UsageError(f"--dry-run cannot list the accounts of sso-session {session!r}: it is not in the "
                             "config yet", hint=f"run it without --dry-run (it adds [sso-session {session}])")
        if added:
            click.echo(f"rolecall: added [sso-session {session}] ({start_url}, {sso_region})", err=True)
        _sign_in_if_needed(session, no_login)  # (without --start-url a missing token is exit 4, as before)
    elif session is None:
        session = onboard.only_session(awsconfig.load())
    summary, result = generate.run(session, template=template, region=region, prune=prune, rename=rename,
                                   credential_process=credential_process, dry_run=dry_run)
    click.echo(f"rolecall: {summary}", err=True)
    return _report(result)


def _signed_in_or_raise(session: str, start_url: str, region: str) -> None:
    from rolecall.sso.target import SsoTarget
    from rolecall.sso.tokens import signed_in_until

    target = SsoTarget(session, start_url, region, ("sso:account:access",))
    if signed_in_until(target) is None:
        raise target.login_required("no valid SSO token to list the accounts with (--no-login)")


def _sign_in_if_needed(session: str, no_login: bool) -> None:
    """As `rolecall login` does, when the session has no token valid for long enough."""
    from rolecall import awsconfig
    from rolecall.sso.target import target_for_session
    from rolecall.sso.tokens import signed_in_until, state_of

    target = target_for_session(awsconfig.load(), session)
    if signed_in_until(target) is not None:
        return
    state, _ = state_of(target)
    if state == "refreshable":
        return  # generate refreshes it itself
    if no_login:
        raise target.login_required("no valid SSO token to list the accounts with (--no-login)")
    from rolecall.sso.login import login
    from rolecall.sso.ui import TerminalLoginUI

    token = login(target, ui=TerminalLoginUI())
    from rolecall import clock

    until = clock.parse_timestamp(token["expiresAt"]).strftime("%Y-%m-%d %H:%M UTC")
    click.echo(f"logged in to {target.label} (token valid until {until})", err=True)


@cmd.command("sso")
@click.option("--session-name", help="sso-session name.")
@click.option("--start-url", help="AWS access portal URL.")
@click.option("--sso-region", help="IAM Identity Center region.")
@click.option("--scopes", help="Registration scopes [sso:account:access].")
@click.option("--account-id", help="Account to use (skips the picker).")
@click.option("--role-name", help="Role to use (skips the picker).")
@click.option("--region", help="Default region of the new profile.")
@click.option("--output", help="Default output format of the new profile.")
@click.option("--profile-name", help="Name of the new profile [<RoleName>-<AccountId>].")
@click.option("--device-code", is_flag=True, help="Log in with the device-code flow.")
@click.option("--no-browser", is_flag=True, help="Print the login URL instead of opening a browser.")
def sso_cmd(**flags) -> int:
    """Interactive wizard: log in, pick an account and role, write the profile."""
    from rolecall.configedit import wizard

    result = wizard.run(wizard.Answers(**flags))
    return _report(result)


def _printable(text: str) -> str:
    # Names and values come from the file: never send control characters to the terminal.
    return "".join(ch if ch.isprintable() or ch == "\n" else "?" for ch in text)


# `rolecall config --help` lists each subcommand with its whole first line (click would cut it at ~45 characters).
for _sub in cmd.commands.values():
    if _sub.help and not _sub.short_help:
        _sub.short_help = _sub.help.strip().splitlines()[0]
