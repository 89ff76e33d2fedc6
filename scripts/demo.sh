#!/usr/bin/env bash
# The demo: everything against the local sandbox, in a throw-away HOME.
set -euo pipefail
work=$(mktemp -d)
export HOME="$work/home"
mkdir -p "$HOME"
step() { printf '\n\033[1m== %s\033[0m\n' "$*" >&2; }

step "start the sandbox (a local IAM Identity Center emulator on 127.0.0.1)"
eval "$(rolecall sandbox start --dir "$work/sandbox" --auto-approve --background)"
trap 'rolecall sandbox stop --dir "$work/sandbox" || true; rm -rf "$work"' EXIT

step "rolecall list"
rolecall list
