# rolecall shell integration for bash: the `assume` function.
# Load it from ~/.bashrc with:   eval "$(rolecall init bash)"
#
# All logic and all quoting live in rolecall (Python). This wrapper only runs
# it with stdout captured, and evals that output when the exit status is 0;
# everything human (prompts, the picker, errors) goes to stderr or /dev/tty.
# Sourcing it twice is harmless: it only (re)defines functions.

# `rolecall init` replaces the command on the next line with the absolute,
# quoted path of the rolecall that printed this script.
__rolecall_run() { command rolecall "$@"; }

# Tells `rolecall doctor` (a child process) that the integration is loaded.
builtin export _ROLECALL_INIT=bash

# An alias named `assume` (another tool's) would shadow the function.
builtin unalias assume >/dev/null 2>&1 || builtin true

function assume {
    # xtrace (set -x) would print the keys this function handles, into CI logs
    # too: it is off inside and restored after, with the status kept.
    if [[ $- == *x* ]]; then
        builtin set +x
        __rolecall_assume "$@"
        builtin set -- "$?"
        builtin set -x
        return "$1"
    fi
    __rolecall_assume "$@"
}

function __rolecall_assume {
    local __rolecall_arg __rolecall_out __rolecall_status=0 __rolecall_failed=""
    # --exec runs a command with the terminal as its stdout: never capture it.
    for __rolecall_arg in "$@"; do
        if [[ $__rolecall_arg == "--exec" ]]; then
            __rolecall_run assume --shell bash --uncaptured "$@"
            return
        fi
    done
    __rolecall_out=$(__rolecall_run assume --shell bash "$@") || __rolecall_status=$?
    if (( __rolecall_status != 0 )); then
        return "$__rolecall_status"
    fi
    builtin eval -- "$__rolecall_out"
    if [[ -n $__rolecall_failed ]]; then
        builtin printf 'rolecall: error: could not set%s in this shell (read-only?); the others were set\n' \
            "$__rolecall_failed" >&2
        return 1
    fi
    return "$__rolecall_status"
}
