"""The commands: one module each, thin. This file is their one registry.

Click-free on purpose: `rolecall --help` (cli.py) and completion (on every
TAB, where click is never imported) both read the command list from here.
"""

# name -> (module, one-line help shown by `rolecall --help`)
COMMANDS: dict[str, tuple[str, str]] = {
    "list": ("rolecall.commands.list_profiles", "List profiles (table, --json, --names)."),
    "login": ("rolecall.commands.login", "Log in to IAM Identity Center (PKCE, or --device-code)."),
    "logout": ("rolecall.commands.logout", "Log out: revoke and delete SSO tokens and credentials."),
    "status": ("rolecall.commands.status", "Show SSO tokens and cached role credentials."),
    "credential-process": ("rolecall.commands.credential_process", "Print credentials for credential_process."),
    "assume": ("rolecall.commands.assume", "Put a profile's credentials into the current shell (needs `rolecall init`)."),
    "exec": ("rolecall.commands.exec_cmd", "Run one command with a profile's credentials."),
    "export": ("rolecall.commands.export", "Print a profile's credentials in a given format."),
    "serve": ("rolecall.commands.serve", "Serve a profile's credentials on 127.0.0.1, renewed ahead of expiry."),
    "init": ("rolecall.commands.init", "Print the shell integration (eval it in your rc file)."),
    "eks": ("rolecall.commands.eks", "EKS: cached kubectl tokens (eks token) and kubeconfig entries."),
    "console": ("rolecall.commands.console", "Open the AWS console for a profile."),
    "browser": ("rolecall.commands.browser", "Choose the browser for consoles and sign-in (side by side)."),
    "config": ("rolecall.commands.config", "Edit profiles and sso-sessions safely."),
    "doctor": ("rolecall.commands.doctor", "Check config, tokens, shell integration and caches."),
    "sandbox": ("rolecall.commands.sandbox", "Run the local IAM Identity Center emulator."),
}
