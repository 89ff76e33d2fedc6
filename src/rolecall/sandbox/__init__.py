"""A local IAM Identity Center emulator for tests, demos and offline use (`rolecall sandbox`).

Loopback only; never talks to AWS.  Import the pieces you need::

    from rolecall.sandbox import Sandbox, load_org, generate_org
"""

from rolecall.sandbox.org import Account, IamRole, Org, OrgError, User, generate_org, load_org

__all__ = ["Account", "IamRole", "Org", "OrgError", "Sandbox", "User", "generate_org", "load_org"]


def __getattr__(name: str):
    # Sandbox pulls in http.server; import it only when asked for.
    if name == "Sandbox":
        from rolecall.sandbox.server import Sandbox

        return Sandbox
    raise AttributeError(name)
