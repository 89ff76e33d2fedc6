"""Real-world-shaped AWS config files: every command must leave all of them intact.

Each entry: id → text. Every file here parses with botocore's configloader,
and each has a profile called `target` (the one the tests edit), a profile
`other` that must never change, and an sso-session `corp`.
"""

from __future__ import annotations

BASE = """\
# AWS config, maintained by hand
[default]
region = us-east-1
output = json

[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = us-east-1
sso_registration_scopes = sso:account:access

[profile target]
sso_session = corp
sso_account_id = 111111111111
sso_role_name = ReadOnly
region = eu-west-1

# the other one
[profile other]
sso_session = corp
sso_account_id = 222222222222
sso_role_name = Admin
"""


def _huge(n: int = 1000) -> str:
    parts = [BASE]
    for i in range(n):
        parts.append(
            f"\n[profile bulk-{i:05d}]\nsso_session = corp\nsso_account_id = {i:012d}\n"
            f"sso_role_name = Role{i % 7}\nregion = us-west-2\n"
        )
    return "".join(parts)


CORPUS: dict[str, str] = {
    "plain": BASE,
    "crlf": BASE.replace("\n", "\r\n"),
    "crlf-no-final-newline": BASE.replace("\n", "\r\n").rstrip("\r\n"),
    "mixed-eol": BASE.replace("region = eu-west-1\n", "region = eu-west-1\r\n").replace("[default]\n", "[default]\r\n"),
    "no-final-newline": BASE.rstrip("\n"),
    "tabs-and-spacing": (
        "[default]\nregion\t=\tus-east-1\n  output=json\n\n"
        "[sso-session corp]\nsso_start_url:https://corp.awsapps.com/start\nsso_region   =   us-east-1\n\n"
        "[profile target]\n\tsso_session = corp\n\tsso_account_id = 111111111111\n\tsso_role_name = ReadOnly\n\n"
        "[profile other]\nsso_session=corp\nsso_account_id=222222222222\nsso_role_name=Admin\n"
    ),
    "semicolon-comments": (
        "; top comment\n[profile target] ; trailing header comment\n; inside\nsso_session = corp\n"
        "sso_account_id = 111111111111\n;commented_out = 1\nsso_role_name = ReadOnly\n; end of target\n\n"
        "; introduces corp\n[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-1\n"
        "# introduces other\n[profile other]\nsso_session = corp\nsso_account_id = 222222222222\nsso_role_name = Admin\n"
        "# trailing comment at end of file\n"
    ),
    "nested-s3": (
        "[profile target]\nregion = us-east-1\ns3 =\n  max_concurrent_requests = 20\n\n  addressing_style = path\n"
        "output = text\n\n[profile other]\ns3 =\n    signature_version = s3v4\nregion = us-east-2\n"
        "credential_process = /usr/bin/true\n\n"
        "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-1\n"
    ),
    "services": (
        "[services local]\ns3 =\n  endpoint_url = http://localhost:4566\ndynamodb =\n  endpoint_url = http://localhost:8000\n\n"
        "[profile target]\nservices = local\nregion = us-east-1\naws_access_key_id = AKIAEXAMPLE\n"
        "aws_secret_access_key = secretsecret\n\n"
        "[profile other]\nservices = local\nregion = us-east-1\nrole_arn = arn:aws:iam::222222222222:role/x\n"
        "source_profile = target\n\n"
        "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-1\n"
    ),
    "quoted-names": (
        '[profile "my team"]\nregion = us-east-1\n\n[profile target]\nregion = eu-west-1\n'
        'source_profile = my team\n\n[profile "other"]\nregion = us-west-1\n\n'
        "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-1\n"
    ),
    "unicode": (
        "# ☁️ config — café\n[profile café]\nregion = eu-west-3\n# naïve comment\n\n"
        "[profile target]\nregion = eu-west-1\nrolecall_account_name = Prod ✓ Ünïcode\n\n"
        "[profile other]\nregion = ap-northeast-1\ndescription = 日本語の説明\n\n"
        "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-1\n"
    ),
    "default-twice": (
        "[default]\nregion = us-east-1\n\n[profile default]\nregion = us-west-2\n\n"
        "[profile target]\nregion = eu-west-1\n\n[profile other]\nregion = eu-west-2\n\n"
        "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-1\n"
    ),
    "credential-process": (
        "[profile target]\ncredential_process = /opt/bin/helper --profile 'with space' --flag \"x y\"\n"
        "region = us-east-1\n\n[profile other]\ncredential_process = python3 -c 'print(1)'  # not a comment\n\n"
        "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-1\n"
    ),
    "legacy-sso": (
        "[profile target]\nsso_start_url = https://legacy.awsapps.com/start\nsso_region = us-east-1\n"
        "sso_account_id = 111111111111\nsso_role_name = ReadOnly\n\n"
        "[profile other]\nsso_start_url = https://legacy.awsapps.com/start\nsso_region = us-east-1\n"
        "sso_account_id = 222222222222\nsso_role_name = Admin\n\n"
        "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-1\n"
    ),
    "role-chain": (
        "[profile base]\nsso_session = corp\nsso_account_id = 111111111111\nsso_role_name = Admin\n\n"
        "[profile target]\nrole_arn = arn:aws:iam::333333333333:role/deploy\nsource_profile = base\n"
        "role_session_name = me\nduration_seconds = 3600\n\n"
        "[profile other]\nrole_arn = arn:aws:iam::444444444444:role/deploy\nsource_profile = target\n\n"
        "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-1\n"
    ),
    "uppercase-keys": (
        "[profile target]\nRegion = us-east-1\nOutput = json\n\n[profile other]\nREGION = eu-west-1\n\n"
        "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-1\n"
    ),
    "inline-hash-values": (
        "[profile target]\nregion = us-east-1 # not a comment to botocore\ncli_pager = less -R ; still value\n\n"
        "[profile other]\nregion = us-east-1\n\n"
        "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start#frag\nsso_region = us-east-1\n"
    ),
    "many-blank-lines": (
        "\n\n\n[profile target]\nregion = us-east-1\n\n\n\n\n[profile other]\nregion = us-east-2\n   \n\t\n\n"
        "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-1\n\n\n"
    ),
    "trailing-whitespace": (
        "[profile target]   \nregion = us-east-1   \noutput = json\t\n\n[profile other]\nregion = us-east-2  \n\n"
        "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-1\n"
    ),
    "comment-only-sections": (
        "[profile target]\n# only comments here\n; nothing else\n\n[profile other]\n# same\nregion = us-east-1\n\n"
        "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-1\n"
    ),
    "unknown-sections": (
        "[plugins]\ncli_legacy_plugin_path = /opt/plugins\nfoo = awscli_plugin_foo\n\n[preview]\ncloudfront = true\n\n"
        "[profile target]\nregion = us-east-1\nmy_team_key = keep me\n\n[profile other]\nregion = us-east-1\n\n"
        "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-1\n"
    ),
    "indented-header-spacing": (
        "[profile   target]\nregion = us-east-1\n\n[profile\tother]\nregion = us-east-2\n\n"
        "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-1\n"
    ),
    "colon-delimiter": (
        "[profile target]\nregion: us-east-1\nsso_start_url: https://x.awsapps.com/start\n\n"
        "[profile other]\nregion: us-east-2\n\n"
        "[sso-session corp]\nsso_start_url: https://corp.awsapps.com/start\nsso_region: us-east-1\n"
    ),
    "huge": _huge(),
}
