"""`rolecall eks token|kubeconfig|list`: kubectl's credentials for EKS clusters.

`eks token` is a hot command: kubectl runs it before its requests, so entry.py
sends it to `run_token` before click is imported, and a cache hit is answered
by rolecall.hot without botocore. stdout is the protocol (the ExecCredential
JSON); every human word goes to stderr. kubectl is no terminal: without
--auto-login a missing SSO token is an error naming `rolecall login`, never a
browser per call.
"""

from __future__ import annotations

import sys
from typing import Any

from rolecall.errors import UsageError

PROG = "rolecall eks token"


def run_token(argv: list[str]) -> int:
    if "-h" in argv or "--help" in argv:
        from rolecall.cli import run_click

        return run_click(["eks", "token", "--help"])
    from rolecall import hot

    options, why = hot.parse_eks_token_args(argv)
    if options is None:
        raise UsageError(f"eks token: {why}", hint=f"run: {PROG} --help")
    from rolecall.eks.exec_credential import issue
    from rolecall.sso.login import tty_login_handler

    payload = issue(options, login_handler=tty_login_handler if options["auto_login"] else None)
    sys.stdout.write(payload + "\n")
    sys.stdout.flush()
    return 0


def _credentials(profile: str, no_login: bool) -> Any:
    from rolecall import awsconfig, hot, session

    snapshot = hot.begin()  # before the config is read: see rolecall.hot
    config = awsconfig.load()
    config.profile(profile)
    return config, session.resolve(config, profile, no_login=no_login, snapshot=snapshot)


def _region(config: Any, profile: str, region: str | None) -> str:
    from rolecall.eks.exec_credential import region_of

    return region_of(config, {"cluster": "(any)", "profile": profile, "region": region})


def _exec_argv(cluster: str, profile: str, region: str, role_arn: str | None) -> tuple[str, tuple[str, ...]]:
    """(command, args) kubectl runs: this rolecall by absolute path, every choice spelled out."""
    from rolecall import selfcmd

    launcher = selfcmd.launcher_argv()
    args = [*launcher[1:], "eks", "token", "--cluster", cluster, "--profile", profile, "--region", region]
    if role_arn:
        args += ["--role-arn", role_arn]
    return launcher[0], tuple(args)


def click_command() -> Any:
    import click

    from rolecall import hot
    from rolecall.term import printable

    @click.group("eks", context_settings={"help_option_names": ["-h", "--help"]})
    def group() -> None:
        """EKS: fast cached tokens for kubectl, and kubeconfig entries that use them.

        \b
        rolecall eks kubeconfig --cluster demo --profile dev   # once
        kubectl get ns                                          # every token after the first is a cache hit
        """

    @group.command("token", context_settings={"help_option_names": ["-h", "--help"]})
    def token(**options: Any) -> int:
        """Print the ExecCredential kubectl's exec plugin expects (cached until a minute before it ends)."""
        argv: list[str] = []
        for names, metavar, _ in hot.EKS_TOKEN_OPTIONS:
            value = options[names[0].lstrip("-").replace("-", "_")]
            if metavar and value is not None:
                argv += [names[0], str(value)]
            elif not metavar and value:
                argv.append(names[0])
        return run_token(argv)

    for names, metavar, text in hot.EKS_TOKEN_OPTIONS:
        if metavar:
            token = click.option(*names, metavar=metavar, help=text, required=names[0] == "--cluster")(token)
        else:
            token = click.option(*names, is_flag=True, help=text)(token)

    @group.command("list")
    @click.option("-p", "--profile", metavar="PROFILE", help="Default: AWS_DEFAULT_PROFILE, AWS_PROFILE, default.")
    @click.option("-r", "--region", metavar="REGION", help="Default: AWS_REGION, AWS_DEFAULT_REGION, the profile's.")
    @click.option("--no-login", is_flag=True, help="Fail instead of logging in when the SSO token is gone.")
    def list_clusters(profile: str | None, region: str | None, no_login: bool) -> int:
        """List the EKS clusters PROFILE can see in REGION (names on stdout)."""
        from rolecall import awsconfig
        from rolecall.eks import clusters

        name = profile or awsconfig.env_profile() or "default"
        config, credentials = _credentials(name, no_login)
        where = _region(config, name, region)
        found = clusters.list_names(credentials, where, name)
        clusters.remember_names(name, where, found)
        for cluster in found:
            click.echo(printable(cluster))
        if not found:
            click.echo(f"rolecall: no EKS clusters in {where} for profile {printable(name)}", err=True)
        return 0

    @group.command("kubeconfig")
    @click.option("-c", "--cluster", "--cluster-name", "cluster", metavar="NAME", help="The cluster to add.")
    @click.option("--all", "all_", is_flag=True, help="Add every cluster the profile can list in the region.")
    @click.option("-p", "--profile", metavar="PROFILE", help="Default: AWS_DEFAULT_PROFILE, AWS_PROFILE, default.")
    @click.option("-r", "--region", metavar="REGION", help="Default: AWS_REGION, AWS_DEFAULT_REGION, the profile's.")
    @click.option("--alias", metavar="NAME", help="The context's name (default: the cluster ARN).")
    @click.option("--role-arn", metavar="ARN", help="Tokens are signed by this role, assumed with the profile.")
    @click.option("--kubeconfig", "path", metavar="FILE", help="Default: the first of $KUBECONFIG, else ~/.kube/config.")
    @click.option("--no-login", is_flag=True, help="Fail instead of logging in when the SSO token is gone.")
    def kubeconfig(cluster: str | None, all_: bool, profile: str | None, region: str | None, alias: str | None,
                   role_arn: str | None, path: str | None, no_login: bool) -> int:
        """Add or update the cluster, user and context in your kubeconfig (the rest is kept, comments too).

        The user runs `rolecall eks token` (absolute path, interactiveMode: Never); the previous
        file is kept as FILE.bak.
        """
        from pathlib import Path

        from rolecall import awsconfig
        from rolecall.eks import clusters
        from rolecall.eks import kubeconfig as kube

        if bool(cluster) == all_:
            raise UsageError("eks kubeconfig: give --cluster NAME or --all",
                             hint="rolecall eks kubeconfig --cluster NAME (list them: rolecall eks list)")
        if alias and all_:
            raise UsageError("eks kubeconfig: --alias names one context; it cannot be used with --all",
                             hint="rolecall eks kubeconfig --cluster NAME --alias ALIAS")
        if role_arn is not None and not awsconfig.role_arn_is_valid(role_arn):
            raise UsageError(f"--role-arn {printable(role_arn)!r} is not a role ARN",
                             hint="for example: --role-arn arn:aws:iam::123456789012:role/eks-admin")
        name = profile or awsconfig.env_profile() or "default"
        config, credentials = _credentials(name, no_login)
        where = _region(config, name, region)
        names = [cluster] if cluster else clusters.list_names(credentials, where, name)
        if all_:
            clusters.remember_names(name, where, names)
        entries = []
        for each in names:
            found = clusters.describe(credentials, where, name, each)
            command, args = _exec_argv(each, name, where, role_arn)
            entries.append(kube.Entry(name=found.arn, context=alias or found.arn, server=found.endpoint,
                                      certificate_authority_data=found.certificate_authority,
                                      command=command, args=args))
        if not entries:
            click.echo(f"rolecall: no EKS clusters in {where} for profile {printable(name)}; nothing changed",
                       err=True)
            return 0
        change = kube.update(entries, path=Path(path).expanduser() if path else None,
                             current=entries[0].context if cluster else None)
        for verb, contexts in (("added", change.added), ("updated", change.updated)):
            for context in contexts:
                click.echo(f"rolecall: {verb} context {printable(context)} in {change.path}", err=True)
        if change.backup is not None:
            click.echo(f"rolecall: the previous file is {change.backup}", err=True)
        if change.current_context:
            click.echo(f"rolecall: current context: {printable(change.current_context)} (kubectl get ns)",
                       err=True)
        return 0

    return group
