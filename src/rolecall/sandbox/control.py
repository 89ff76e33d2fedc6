"""`SandboxControl`: drive a sandbox running in another process through its `/_sandbox/*` API.

Same method names as :class:`rolecall.sandbox.server.Sandbox`; stdlib only (urllib).
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any


class SandboxControlError(RuntimeError):
    pass


class SandboxControl:
    def __init__(self, url: str, timeout: float = 10.0) -> None:
        self.url = url.rstrip("/")
        self.timeout = timeout

    def __repr__(self) -> str:
        return f"<SandboxControl {self.url}>"

    def _call(self, method: str, action: str, payload: dict | None = None) -> Any:
        data = None if payload is None else json.dumps(payload).encode()
        request = urllib.request.Request(f"{self.url}/_sandbox/{action}", data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        # Never route loopback control calls through a proxy.
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        try:
            with opener.open(request, timeout=self.timeout) as response:
                return json.loads(response.read() or b"null")
        except urllib.error.HTTPError as exc:
            try:
                detail = json.loads(exc.read()).get("error", exc.reason)
            except ValueError:
                detail = exc.reason
            raise SandboxControlError(f"sandbox control {action} failed: {detail}") from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise SandboxControlError(f"sandbox at {self.url} is not reachable: {reason}") from None

    def health(self) -> dict:
        return self._call("GET", "health")

    def is_up(self) -> bool:
        try:
            return bool(self.health().get("ok"))
        except SandboxControlError:
            return False

    def env(self) -> dict[str, str]:
        from rolecall.sandbox.profiles import ENDPOINT_VARS

        return {name: self.url for name in ENDPOINT_VARS}

    def inject_fault(self, operation: str, kind: str, count: int = 1, delay: float = 0.0) -> None:
        self._call("POST", "fault", {"operation": operation, "kind": kind, "count": count, "delay": delay})

    @property
    def counts(self) -> dict[str, int]:
        return self._call("GET", "counts")

    def count(self, operation: str) -> int:
        return int(self.counts.get(operation, 0))

    def reset_counts(self) -> None:
        self._call("POST", "reset", {"counts": True, "faults": False})

    def clear_faults(self) -> None:
        self._call("POST", "reset", {"counts": False, "faults": True})

    def reset(self) -> None:
        self._call("POST", "reset", {})

    def revoke_refresh_tokens(self) -> None:
        self._call("POST", "revoke-refresh-tokens", {})

    def expire_access_tokens(self) -> None:
        self._call("POST", "expire-access-tokens", {})

    def revoke_credentials(self, access_key_ids: list[str]) -> int:
        """Refuse these access keys from now on; how many the sandbox knew."""
        return int(self._call("POST", "revoke-credentials", {"access_key_ids": list(access_key_ids)})["revoked"])

    def approve_all(self) -> None:
        self._call("POST", "approve-all", {})

    def configure(self, **settings: Any) -> dict:
        return self._call("POST", "config", settings)

    def set_clock_offset(self, seconds: float) -> None:
        self.configure(clock_offset=seconds)

    def set_latency(self, seconds: float) -> None:
        self.configure(latency=seconds)

    def set_auto_approve(self, on: bool) -> None:
        self.configure(auto_approve=on)
