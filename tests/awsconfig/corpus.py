"""Tricky config/credentials files that rolecall and botocore must read alike.

Each case: id → (config text, credentials text or None). Escapes are explicit
so CRLF, tabs and odd bytes are visible in review.
"""

SSO_CLI = """[default]
region = us-east-1

[sso-session test]
sso_start_url = https://my-sso-portal.awsapps.com/start
sso_region = us-east-1
sso_registration_scopes = sso:account:access

[profile AdministratorAccess-123456789012]
sso_session = test
sso_account_id = 123456789012
sso_role_name = AdministratorAccess
region = us-west-2
output = json
"""

CORPUS: dict[str, tuple[str, str | None]] = {
    "aws-configure-sso": (SSO_CLI, None),
    "empty": ("", None),
    "only-comments": ("# a comment\n; another\n\n   # indented\n", None),
    "inline-hash-is-value": ("[profile a]\nregion = us-east-1 # not a comment\n", None),
    "inline-semicolon-is-value": ("[profile a]\nregion = us-east-1 ; nope\n", None),
    "odd-spacing": ("[profile   a]\n  \nregion=us-east-1\noutput   =    json   \n", None),
    "colon-delimiter": ("[profile a]\nregion: eu-west-1\n", None),
    "crlf": ("[default]\r\nregion = us-east-1\r\n\r\n[profile b]\r\noutput = text\r\n", None),
    "lone-cr": ("[default]\rregion = us-east-1\r[profile b]\routput = text\r", None),
    "tabs": ("[profile a]\n\tregion = us-east-1\n", None),
    "tab-separated": ("[profile a]\nregion\t=\tus-east-1\n", None),
    "nested-s3": (
        "[profile a]\nregion = us-east-1\ns3 =\n    addressing_style = path\n    signature_version = s3v4\n",
        None,
    ),
    "nested-blank-lines": ("[profile a]\ns3 =\n  max_concurrent_requests = 20\n\n  max_queue_size = 10000\n", None),
    "nested-without-equals": ("[profile a]\ns3 =\n  nonsense line\n", None),
    "continuation": ("[profile a]\ncredential_process = /bin/tool\n  --flag value\n", None),
    "services-section": (
        "[profile a]\nservices = local\n\n[services local]\ns3 =\n  endpoint_url = http://127.0.0.1:9000\n",
        None,
    ),
    "quoted-name-with-space": ('[profile "my profile"]\nregion = us-east-1\n', None),
    "single-quoted-name": ("[profile 'team prod']\nregion = eu-west-1\n", None),
    "three-word-header-ignored": ("[profile a b]\nregion = us-east-1\n", None),
    "unbalanced-quote-ignored": ('[profile "a]\nregion = us-east-1\n', None),
    "profiles-prefix-quirk": ("[profiles x]\nregion = us-east-1\n[profilez y]\nregion = eu-west-1\n", None),
    "unicode": ("[profile prod-ümlaut-✓]\nregion = ap-northeast-1\n# コメント\n", None),
    "default-twice": ("[default]\nregion = us-east-1\n[profile default]\nregion = eu-west-1\n", None),
    "profile-default-then-default": ("[profile default]\nregion = eu-west-1\n[default]\nregion = us-east-1\n", None),
    "duplicate-section": ("[profile a]\nregion = x\n[profile a]\nregion = y\n", None),
    "duplicate-key": ("[profile a]\nregion = x\nregion = y\n", None),
    "duplicate-key-case": ("[profile a]\nRegion = x\nregion = y\n", None),
    "upper-case-keys": ("[profile a]\nREGION = us-east-1\nSSO_Account_ID = 123456789012\n", None),
    "key-without-value": ("[profile a]\nregion\n", None),
    "empty-value": ("[profile a]\nregion =\noutput = json\n", None),
    "text-before-header": ("region = us-east-1\n[profile a]\n", None),
    "DEFAULT-section-propagates": ("[DEFAULT]\noutput = json\n[profile a]\nregion = us-east-1\n", None),
    "non-profile-sections": ("[preview]\ncloudsearch = true\n[plugins]\nfoo = bar\n[profile a]\nregion = x\n", None),
    "credentials-merged": (
        "[profile a]\nregion = us-east-1\n",
        "[a]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = secret\n[only-creds]\naws_access_key_id = AKIA2\naws_secret_access_key = s2\n",
    ),
    "credentials-profile-prefix-is-literal": (
        "",
        "[profile a]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = secret\n",
    ),
    "credentials-override-config-key": (
        "[profile a]\naws_access_key_id = FROMCONFIG\nregion = us-east-1\n",
        "[a]\naws_access_key_id = FROMCREDS\naws_secret_access_key = s\n",
    ),
    "role-chain": (
        "[profile base]\naws_access_key_id = AKIA\naws_secret_access_key = s\n"
        "[profile admin]\nrole_arn = arn:aws:iam::123456789012:role/Admin\nsource_profile = base\n"
        "external_id = xyz\nduration_seconds = 3600\nmfa_serial = arn:aws:iam::123456789012:mfa/me\n",
        None,
    ),
    "legacy-sso": (
        "[profile legacy]\nsso_start_url = https://d-123.awsapps.com/start\nsso_region = us-east-1\n"
        "sso_account_id = 123456789012\nsso_role_name = ReadOnly\n",
        None,
    ),
    "credential-process-quoted": (
        "[profile p]\ncredential_process = \"/opt/my tool/bin\" --profile 'x y'\n",
        None,
    ),
    "bom-at-start": ("\ufeff[profile a]\nregion = us-east-1\n", None),
    "percent-signs-raw": ("[profile a]\nx = 100%\ny = %(region)s\n", None),
    "indented-comment-inside-value": ("[profile a]\nregion = us-east-1\n  # comment?\noutput = json\n", None),
    "no-trailing-newline": ("[profile a]\nregion = us-east-1", None),
    "sso-session-many": (
        "[sso-session a]\nsso_start_url = https://a/start\nsso_region = us-east-1\n"
        "[sso-session \"b c\"]\nsso_start_url = https://b/start\nsso_region = eu-west-1\n"
        "sso_registration_scopes = sso:account:access, foo:bar\n",
        None,
    ),
}
