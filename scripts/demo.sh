#!/usr/bin/env bash
# `make demo`: every main flow of rolecall against the local sandbox, in a
# throw-away HOME (your real ~/.aws is never touched).
set -euo pipefail
work=$(mktemp -d)
export HOME="$work/home"
mkdir -p "$HOME"
unset AWS_PROFILE AWS_DEFAULT_PROFILE AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN
PY=$(command -v python)
step() { printf '\n\033[1m== %s\033[0m\n' "$*" >&2; }
redact() { sed -E 's/("(SecretAccessKey|SessionToken)": ")[^"]{6}[^"]*"/\1******…"/g'; }

step "start the sandbox: a local IAM Identity Center emulator on 127.0.0.1 (not AWS)"
eval "$(rolecall sandbox start --dir "$work/sandbox" --auto-approve --background)"
trap 'rolecall sandbox stop --dir "$work/sandbox" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
# The sandbox's fake browser approves the login, as you would in a real one.
export BROWSER="$PY -m rolecall.sandbox.browser %s"

step "from an empty config to every profile: rolecall config generate --start-url URL --sso-region R"
sandbox_config=$AWS_CONFIG_FILE
export AWS_CONFIG_FILE="$HOME/.aws/config"   # nothing there yet
rolecall config generate --start-url https://rolecall-sandbox.invalid/start --sso-region us-east-1
rolecall list

step "rolecall init --install bash --yes   (the rc line, once), then a new interactive bash has assume"
rolecall init --install bash --yes
rolecall init --install bash --yes
bash -i -c 'type -t assume' 2>/dev/null
export AWS_CONFIG_FILE=$sandbox_config   # the rest uses the sandbox's own profiles

step "rolecall list"
rolecall list

step "rolecall login --sso-session sandbox   (PKCE authorization-code flow)"
rolecall login --sso-session sandbox

step "rolecall credential-process --profile sandbox-dev-AdministratorAccess   (secrets redacted here)"
rolecall credential-process --profile sandbox-dev-AdministratorAccess | redact

step "boto3 through a credential_process profile → STS GetCallerIdentity"
"$PY" - <<'PYEOF'
import boto3
ident = boto3.Session(profile_name="sandbox-dev-AdministratorAccess-process").client("sts").get_caller_identity()
print(f"Account={ident['Account']}  Arn={ident['Arn']}")
PYEOF

step "assume in a bash subshell, then an STS call that uses the exported credentials"
bash --noprofile --norc -c '
  eval "$(rolecall init bash)"
  assume sandbox-staging-ReadOnlyAccess || exit 1
  echo "AWS_PROFILE=$AWS_PROFILE  AWS_REGION=$AWS_REGION  expires $AWS_CREDENTIAL_EXPIRATION"
  "'"$PY"'" -c "import boto3; i = boto3.client(\"sts\").get_caller_identity(); print(\"Account=\" + i[\"Account\"] + \"  Arn=\" + i[\"Arn\"])"
'

step "role chaining: SSO → AssumeRole (profile sandbox-dev-deploy-chain)"
rolecall exec sandbox-dev-deploy-chain -- "$PY" -c "import boto3; print('Arn=' + boto3.client('sts').get_caller_identity()['Arn'])"

step "a role without a profile: assume --account-id 222222222222 --role-name ReadOnlyAccess (--exec), then --chain"
bash --noprofile --norc -c '
  eval "$(rolecall init bash)"
  assume --account-id 222222222222 --role-name ReadOnlyAccess || exit 1
  echo "ROLECALL_PROFILE=$ROLECALL_PROFILE  AWS_PROFILE=${AWS_PROFILE-(unset: there is no such profile)}"
  assume sandbox-dev-AdministratorAccess --chain arn:aws:iam::111111111111:role/deploy --exec -- \
    "'"$PY"'" -c "import boto3; print(\"Arn=\" + boto3.client(\"sts\").get_caller_identity()[\"Arn\"])"
'

step "for tools that read only ~/.aws/credentials: rolecall export P --to-credentials-file legacy-tool"
rolecall export sandbox-dev-ReadOnlyAccess --to-credentials-file legacy-tool
"$PY" -c 'import boto3; print("Arn=" + boto3.Session(profile_name="legacy-tool", region_name="us-east-1").client("sts").get_caller_identity()["Arn"])'

step "exec --serve: a 40-second job outlives its 15-second credentials (renewed through a local endpoint)"
"$PY" -c "from rolecall.sandbox.control import SandboxControl as C; C(open('$work/sandbox/sandbox.url').read().strip()).configure(credential_ttl=15)"
ROLECALL_REFRESH_WINDOW=0.1 rolecall exec --serve --refresh sandbox-dev-AdministratorAccess -- "$PY" -c '
import time, boto3
sts, seen, start = boto3.client("sts"), [], time.time()
while time.time() - start < 40:
    sts.get_caller_identity()
    key = sts._request_signer._credentials.get_frozen_credentials().access_key
    if key not in seen:
        seen.append(key)
        print(f"{time.time() - start:4.0f}s  GetCallerIdentity with a new key {key[:8]}…", flush=True)
    time.sleep(1)
print(f"{len(seen)} keys over 40 s, every call succeeded")
assert len(seen) >= 3
'
"$PY" -c "from rolecall.sandbox.control import SandboxControl as C; C(open('$work/sandbox/sandbox.url').read().strip()).configure(credential_ttl=3600)"

step "EKS: rolecall eks kubeconfig, then kubectl through the sandbox's Kubernetes API (TLS, tokens checked via STS)"
export KUBECONFIG="$work/kube/config"
rolecall eks kubeconfig --cluster demo --profile sandbox-dev-AdministratorAccess --alias demo
if command -v kubectl >/dev/null 2>&1; then
  kubectl get ns
else
  echo "(kubectl is not installed: the token kubectl would get)"
fi
rolecall eks token --cluster demo --profile sandbox-dev-AdministratorAccess \
  | "$PY" -c 'import json, sys; d = json.load(sys.stdin); print("token", d["status"]["token"][:40] + "…", "expires", d["status"]["expirationTimestamp"], "(a cache hit: no botocore loaded)")'
unset KUBECONFIG

step "console sign-in URL for a sandbox profile (rolecall console --url; token shortened)"
rolecall console sandbox-prod-ReadOnlyAccess --url | sed -E 's/(SigninToken=.{12})[^&]*/\1…/'

step "consoles side by side: two profiles, two browser profiles (--browser stdout prints what would open)"
rolecall console sandbox-dev-AdministratorAccess --browser stdout 2>&1 >/dev/null
rolecall console sandbox-staging-ReadOnlyAccess --browser stdout 2>&1 >/dev/null
"$PY" -c 'from rolecall import browsers; [print(f"  {n}: --user-data-dir={browsers.isolation_dir(n)}") for n in ("sandbox-dev-AdministratorAccess", "sandbox-staging-ReadOnlyAccess")]'

step "rolecall config generate --dry-run   (one profile per account × role)"
rolecall config generate --sso-session sandbox --template '{account_name}/{role_name}' --dry-run | head -n 20

step "rolecall status"
rolecall status

step "done — the sandbox stops now"
