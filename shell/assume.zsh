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
    __rolecall_retry_at=0 __rolecall_warned=""
    if [[ -n $__rolecall_failed ]]; then
        builtin printf 'rolecall: error: could not set%s in this shell (read-only?); the others were set\n' \
            "$__rolecall_failed" >&2
        return 1
    fi
    return "$__rolecall_status"
}

# ---------------------------------------------------------------------------
# Keeping the keys fresh. Before each command (preexec) a check in shell
# arithmetic only, no process: only once the keys `assume` exported are inside
# the refresh window (ROLECALL_REFRESH_WINDOW minutes, default 15) does it run
# rolecall, which re-exports new ones. It never opens a browser; when a
# sign-in is needed rolecall says so once. ROLECALL_AUTO_REFRESH=0 turns it
# off. The command's $? and the other preexec hooks are left alone.

builtin zmodload -F zsh/datetime p:EPOCHSECONDS 2>/dev/null
typeset -g __rolecall_retry_at=0 __rolecall_warned=""

function __rolecall_hook {
    builtin emulate -L zsh
    builtin setopt local_options no_xtrace
    [[ ${ROLECALL_AUTO_REFRESH-} != 0 && -n ${ROLECALL_PROFILE-} && -n ${AWS_ACCESS_KEY_ID-} ]] || return 0
    [[ $AWS_ACCESS_KEY_ID == "${_ROLECALL_REFRESH_KEY-}" ]] || return 0  # keys exported since: not ours
    [[ ${_ROLECALL_REFRESH_AT-} == <-> && -n ${EPOCHSECONDS-} ]] || return 0
    (( EPOCHSECONDS >= _ROLECALL_REFRESH_AT && EPOCHSECONDS >= __rolecall_retry_at )) || return 0
    local __rolecall_out __rolecall_failed=""
    integer __rolecall_status=0
    local -a __rolecall_region=(${AWS_REGION:+"--region=$AWS_REGION"})
    if [[ -n $__rolecall_warned ]]; then  # said once: quiet retries
        __rolecall_out=$(__rolecall_run assume --shell zsh --renew $__rolecall_region -- "$ROLECALL_PROFILE" \
            2>/dev/null) || __rolecall_status=$?
    else
        __rolecall_out=$(__rolecall_run assume --shell zsh --renew $__rolecall_region -- "$ROLECALL_PROFILE") \
            || __rolecall_status=$?
    fi
    if (( __rolecall_status != 0 )); then
        __rolecall_warned=1 __rolecall_retry_at=$(( EPOCHSECONDS + 300 ))
        return 0
    fi
    builtin eval -- "$__rolecall_out"
    __rolecall_retry_at=0 __rolecall_warned=""
}

builtin autoload -Uz add-zsh-hook && add-zsh-hook preexec __rolecall_hook
