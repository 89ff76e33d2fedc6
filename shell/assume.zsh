# rolecall shell integration for zsh: the `assume` function.
# Load it from ~/.zshrc with:   eval "$(rolecall init zsh)"
#
# All logic and all quoting live in rolecall (Python). This wrapper only runs
# it with stdout captured, and evals that output when the exit status is 0;
# everything human (prompts, the picker, errors) goes to stderr or /dev/tty.
# Sourcing it twice is harmless: it only (re)defines functions.

# `rolecall init` replaces the command on the next line with the absolute,
# quoted path of the rolecall that printed this script.
__rolecall_run() { command rolecall "$@"; }

# An alias named `assume` (another tool's) would shadow the function.
builtin unalias assume >/dev/null 2>&1 || builtin true

# Tells `rolecall doctor` (a child process) that the integration is loaded.
builtin export _ROLECALL_INIT=zsh

function assume {
    # (emulate -L also turns xtrace off in here: set -x would print the keys)
    builtin emulate -L zsh
    builtin setopt local_options no_xtrace
    local __rolecall_arg __rolecall_out __rolecall_failed=""
    integer __rolecall_status=0
    # --exec runs a command with the terminal as its stdout: never capture it.
    for __rolecall_arg in "$@"; do
        if [[ $__rolecall_arg == "--exec" ]]; then
            __rolecall_run assume --shell zsh --uncaptured "$@"
            return
        fi
    done
    __rolecall_out=$(__rolecall_run assume --shell zsh "$@") || __rolecall_status=$?
    if (( __rolecall_status != 0 )); then
        return $__rolecall_status
    fi
    builtin eval -- "$__rolecall_out"
    if [[ -n $__rolecall_failed ]]; then
        builtin printf 'rolecall: error: could not set%s in this shell (read-only?); the others were set\n' \
            "$__rolecall_failed" >&2
        return 1
    fi
    return "$__rolecall_status"
}
