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
    __rolecall_mark
    if [[ -n $__rolecall_failed ]]; then
        builtin printf 'rolecall: error: could not set%s in this shell (read-only?); the others were set\n' \
            "$__rolecall_failed" >&2
        return 1
    fi
    return "$__rolecall_status"
}

# ---------------------------------------------------------------------------
# Keeping the keys fresh. Before each prompt (with bash-preexec: before each
# command) a check in shell arithmetic only, no process: only once the keys
# `assume` exported are inside the refresh window (ROLECALL_REFRESH_WINDOW
# minutes, default 15) does it run rolecall, which re-exports new ones. It
# never opens a browser; when a sign-in is needed rolecall says so once.
# ROLECALL_AUTO_REFRESH=0 turns it off. It keeps $? and every other hook.

__rolecall_base=""      # the epoch second at which $SECONDS was 0 (bash < 5 has no EPOCHSECONDS)
__rolecall_retry_at=0   # after a failed renewal: not again before this epoch second
__rolecall_warned=""

function __rolecall_is_number {
    case $1 in '' | *[!0-9]*) return 1 ;; esac
}

# After an eval of rolecall's output: where this shell's clock stands.
function __rolecall_mark {
    __rolecall_retry_at=0 __rolecall_warned=""
    if __rolecall_is_number "${_ROLECALL_REFRESH_AT-}" && __rolecall_is_number "${_ROLECALL_REFRESH_IN-}"; then
        __rolecall_base=$(( _ROLECALL_REFRESH_AT - _ROLECALL_REFRESH_IN - SECONDS ))
    fi
}

function __rolecall_hook {
    local __rolecall_keep=$?
    if [[ $- == *x* ]]; then
        builtin set +x
        __rolecall_refresh
        builtin set -x
    else
        __rolecall_refresh
    fi
    return "$__rolecall_keep"
}

function __rolecall_refresh {
    [[ ${ROLECALL_AUTO_REFRESH-} != 0 && -n ${ROLECALL_PROFILE-} && -n ${AWS_ACCESS_KEY_ID-} ]] || return 0
    [[ $AWS_ACCESS_KEY_ID == "${_ROLECALL_REFRESH_KEY-}" ]] || return 0  # keys exported since: not ours
    __rolecall_is_number "${_ROLECALL_REFRESH_AT-}" || return 0
    local __rolecall_now __rolecall_out __rolecall_failed="" __rolecall_status=0
    if [[ -n ${EPOCHSECONDS-} ]]; then
        __rolecall_now=$EPOCHSECONDS
    elif [[ -n $__rolecall_base ]]; then
        __rolecall_now=$(( __rolecall_base + SECONDS ))
    else
        builtin printf -v __rolecall_now '%(%s)T' -1 2>/dev/null || return 0  # bash 3.2 in a child shell
    fi
    (( __rolecall_now >= _ROLECALL_REFRESH_AT && __rolecall_now >= __rolecall_retry_at )) || return 0
    if [[ -n $__rolecall_warned ]]; then  # said once: quiet retries
        __rolecall_out=$(__rolecall_run assume --shell bash --renew ${AWS_REGION:+"--region=$AWS_REGION"} \
            -- "$ROLECALL_PROFILE" 2>/dev/null) || __rolecall_status=$?
    else
        __rolecall_out=$(__rolecall_run assume --shell bash --renew ${AWS_REGION:+"--region=$AWS_REGION"} \
            -- "$ROLECALL_PROFILE") || __rolecall_status=$?
    fi
    if (( __rolecall_status != 0 )); then
        __rolecall_warned=1 __rolecall_retry_at=$(( __rolecall_now + 300 ))
        return 0
    fi
    builtin eval -- "$__rolecall_out"
    __rolecall_mark
}

if [[ ${__rolecall_hooked-} != 1 ]]; then
    __rolecall_hooked=1
    if [[ -n ${bash_preexec_imported-}${__bp_imported-} ]]; then
        preexec_functions+=(__rolecall_hook)
    elif [[ -n ${PROMPT_COMMAND+set} ]] && (( BASH_VERSINFO[0] * 100 + BASH_VERSINFO[1] >= 404 )) &&
        builtin eval '[[ ${PROMPT_COMMAND@a} == *a* ]]'; then  # (eval: older bash cannot parse @a)
        PROMPT_COMMAND=(__rolecall_hook "${PROMPT_COMMAND[@]}")  # bash 5.1+ allows an array
    else
        # shellcheck disable=SC2128,SC2178  # a plain string here (the array case is above)
        PROMPT_COMMAND="__rolecall_hook${PROMPT_COMMAND:+;$PROMPT_COMMAND}"
    fi
fi
