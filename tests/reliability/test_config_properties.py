"""Property: rolecall's config reader agrees with botocore on every generated config, or both reject it.

Configs come from a grammar of sections (default, profile X, profile "X Y",
sso-session X, services X, look-alikes), keys, values (with #, ;, =, :, quotes,
unicode), nested values, continuation lines, comments, blank and whitespace
lines, garbage lines, duplicates and CRLF. For each: `rolecall.awsconfig.load`
must produce botocore's `Session.full_config` (config + credentials merged) —
the same profiles, sso-sessions and services, key for key — or both must reject.
"""

from __future__ import annotations

import hypothesis.strategies as st
from hypothesis import HealthCheck, given, settings

from rolecall import awsconfig
from rolecall.errors import ConfigError

NAME = st.text(alphabet="abcXY-_.09", min_size=1, max_size=6)
ODD_NAME = st.text(alphabet="ab c\"'$é", min_size=0, max_size=6)
HEADER = st.one_of(
    st.just("default"),
    NAME.map(lambda n: f"profile {n}"),
    st.tuples(NAME, NAME).map(lambda t: f'profile "{t[0]} {t[1]}"'),
    ODD_NAME.map(lambda n: f"profile {n}"),
    NAME.map(lambda n: f"sso-session {n}"),
    NAME.map(lambda n: f"services {n}"),
    NAME,  # a credentials-style or stray section
    st.sampled_from(["profile", "profiledev", "profile  spaced", 'profile "open', "sso-session", "profile default",
                     "default ", " default"]),
)
KEY = st.one_of(st.sampled_from(["region", "sso_session", "sso_start_url", "sso_region", "sso_account_id",
                                 "sso_role_name", "role_arn", "source_profile", "output", "Region", "s3",
                                 "aws_access_key_id", "credential_process"]),
                st.text(alphabet="abcAB_", min_size=1, max_size=5))
VALUE = st.text(alphabet=st.sampled_from(list("ab1 -#;=:'\"\\$é✓\t/.")), max_size=12)
LINE = st.one_of(
    st.tuples(KEY, VALUE).map(lambda t: f"{t[0]} = {t[1]}"),
    st.tuples(KEY, VALUE).map(lambda t: f"{t[0]}={t[1]}"),
    st.tuples(KEY, VALUE).map(lambda t: f"{t[0]}: {t[1]}"),
    KEY.map(lambda k: f"{k} ="),
    st.tuples(KEY, st.lists(st.tuples(KEY, VALUE), min_size=1, max_size=3)).map(
        lambda t: f"{t[0]} =\n" + "\n".join(f"  {k} = {v}" for k, v in t[1])),
    VALUE.map(lambda v: f"    {v}"),  # a continuation line (or nested line without '=')
    VALUE.map(lambda v: f"# {v}"),
    VALUE.map(lambda v: f"; {v}"),
    st.sampled_from(["", "   ", "\t"]),
    VALUE.filter(lambda v: v.strip() != "").map(lambda v: v.lstrip()),  # garbage: no delimiter, maybe
)
SECTION = st.tuples(HEADER, st.lists(LINE, max_size=5)).map(lambda t: "\n".join([f"[{t[0]}]", *t[1]]))
FILE = st.tuples(
    st.lists(st.sampled_from(["", "# top comment", "; another"]), max_size=2),
    st.lists(SECTION, max_size=5),
    st.sampled_from(["\n", "\r\n"]),
    st.booleans(),
).map(lambda t: t[2].join([*t[0], *t[1]]) + (t[2] if t[3] else ""))


def botocore_view(config_path, credentials_path):
    """botocore.session.Session.full_config, step for step (a Session costs ~30 ms to build)."""
    from botocore import configloader
    from botocore.exceptions import ConfigNotFound

    try:
        full = configloader.load_config(str(config_path))
    except ConfigNotFound:
        full = {"profiles": {}}
    try:
        for name, values in configloader.raw_config_parse(str(credentials_path)).items():
            full["profiles"].setdefault(name, {}).update(values)
    except ConfigNotFound:
        pass
    return full.get("profiles", {}), full.get("sso_sessions", {}), full.get("services", {})


def test_the_shortcut_is_botocore_full_config(tmp_path):
    import botocore.session

    config, credentials = tmp_path / "config", tmp_path / "credentials"
    config.write_text("[default]\nregion = a\n[profile x]\nregion = b\n[sso-session s]\nsso_region = c\n"
                      "[services v]\nsso =\n  endpoint_url = http://h\n")
    credentials.write_text("[x]\naws_access_key_id = K\n[y]\naws_access_key_id = L\n")
    session = botocore.session.Session()
    session.set_config_variable("config_file", str(config))
    session.set_config_variable("credentials_file", str(credentials))
    full = session.full_config
    assert botocore_view(config, credentials) == (full["profiles"], full["sso_sessions"], full["services"])


def rolecall_view(config_path, credentials_path):
    config = awsconfig.load(config_path, credentials_path)
    def plain(d):
        return {k: (dict(v) if not isinstance(v, str) else v) for k, v in d.items()}
    return ({n: plain(v) for n, v in config.raw_profiles.items()},
            {n: plain(v) for n, v in config.raw_sessions.items()},
            {n: plain(v) for n, v in config.services.items()})


def outcome(fn, *args):
    try:
        return "ok", fn(*args)
    except ConfigError as exc:
        return "rejected", str(exc)
    except Exception as exc:  # botocore's ConfigParseError, ValueError, UnicodeDecodeError …
        return "rejected", f"{type(exc).__name__}: {exc}"


def check(tmp_path, config_text: str, credentials_text: str | None) -> str:
    config_path = tmp_path / "config"
    credentials_path = tmp_path / "credentials"
    config_path.write_bytes(config_text.encode("utf-8"))
    if credentials_text is None:
        credentials_path.unlink(missing_ok=True)
    else:
        credentials_path.write_bytes(credentials_text.encode("utf-8"))
    ours = outcome(rolecall_view, config_path, credentials_path)
    theirs = outcome(botocore_view, config_path, credentials_path)
    assert ours[0] == theirs[0], (config_text, credentials_text, ours, theirs)
    if ours[0] == "ok":
        assert ours[1] == theirs[1], (config_text, credentials_text)
        try:  # the typed model builds on everything botocore accepts
            awsconfig.load(config_path, credentials_path).problems()
        except ConfigError:
            pass
        if ours[1][0] and len(ours[1][0]) >= 2:
            return "accepted-with-profiles"
    return ours[0]


def test_generated_configs_agree_with_botocore(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("prop")

    seen: dict[str, int] = {}

    @settings(max_examples=1000, deadline=None, derandomize=True,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(FILE)
    def run(text):
        kind = check(tmp, text, None)
        seen[kind] = seen.get(kind, 0) + 1

    run()
    # not vacuous: the grammar reaches files both accept (with several profiles) and files both reject
    assert seen.get("accepted-with-profiles", 0) >= 50 and seen.get("rejected", 0) >= 50, seen


def test_generated_config_and_credentials_pairs_agree_with_botocore(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("prop-creds")

    @settings(max_examples=300, deadline=None, derandomize=True,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(FILE, FILE)
    def run(config_text, credentials_text):
        check(tmp, config_text, credentials_text)

    run()
