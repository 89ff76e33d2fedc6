# rolecall shell integration for fish: the `assume` function.
# Load it from ~/.config/fish/config.fish with:   rolecall init fish | source
#
# All logic and all quoting live in rolecall (Python). This wrapper only runs
# it with stdout captured, and evals that output when the exit status is 0;
# everything human (prompts, the picker, errors) goes to stderr or /dev/tty.
# rolecall writes one statement a line for fish. Sourcing twice is harmless.

# `rolecall init` replaces the command on the next line with the absolute,
# quoted path of the rolecall that printed this script.
function __rolecall_run; command rolecall $argv; end

# Tells `rolecall doctor` (a child process) that the integration is loaded.
builtin set -gx _ROLECALL_INIT fish

function assume --description 'Put an AWS profile\'s credentials into this shell (rolecall)'
    # fish_trace would print the keys this function handles: an empty local
    # hides the user's for this call only.
    builtin set -l fish_trace
    # --exec runs a command with the terminal as its stdout: never capture it.
    if builtin contains -- --exec $argv
        __rolecall_run assume --shell fish --uncaptured $argv
        return $status
    end
    builtin set -l __rolecall_out (__rolecall_run assume --shell fish $argv)
    builtin set -l __rolecall_status $status
    if builtin test $__rolecall_status -ne 0
        return $__rolecall_status
    end
    builtin set -l __rolecall_failed
    builtin printf '%s\n' $__rolecall_out | builtin source
    __rolecall_mark
    if builtin set -q __rolecall_failed[1]
        builtin printf 'rolecall: error: could not set %s in this shell; the others were set\n' \
            (builtin string join ' ' $__rolecall_failed) >&2
        return 1
    end
    # rolecall's status, not that of the last statement (erasing an unset variable "fails").
    return $__rolecall_status
end

# ---------------------------------------------------------------------------
# Keeping the keys fresh. Before each command (fish_preexec) a check with
# builtins only: only once the keys `assume` exported are inside the refresh
# window (ROLECALL_REFRESH_WINDOW minutes, default 15) does it run rolecall,
# which re-exports new ones. It never opens a browser; when a sign-in is
# needed rolecall says so once. ROLECALL_AUTO_REFRESH=0 turns it off.
# fish has no clock variable: the uptime in /proc/uptime (read, a builtin)
# counts the seconds; without it (macOS) `date +%s` does.

builtin set -g __rolecall_retry_at 0
builtin set -g __rolecall_warned
builtin set -g __rolecall_base

function __rolecall_uptime
    builtin read -l __rolecall_up __rolecall_idle </proc/uptime 2>/dev/null; or return 1
    builtin string split -f1 . -- $__rolecall_up
end

function __rolecall_now
    if builtin set -q __rolecall_base[1]; and builtin set -l __rolecall_up (__rolecall_uptime)
        builtin math "$__rolecall_base + $__rolecall_up"
    else
        command date +%s
    end
end

# After sourcing rolecall's output: where this shell's clock stands.
function __rolecall_mark
    builtin set -g __rolecall_retry_at 0
    builtin set -g __rolecall_warned
    builtin set -g __rolecall_base
    if builtin string match -qr '^[0-9]+$' -- "$_ROLECALL_REFRESH_AT"
        and builtin string match -qr '^[0-9]+$' -- "$_ROLECALL_REFRESH_IN"
        and builtin set -l __rolecall_up (__rolecall_uptime)
        builtin set -g __rolecall_base (builtin math "$_ROLECALL_REFRESH_AT - $_ROLECALL_REFRESH_IN - $__rolecall_up")
    end
end

function __rolecall_hook --on-event fish_preexec
    builtin set -l fish_trace
    builtin test "$ROLECALL_AUTO_REFRESH" != 0; or return 0
    builtin set -q ROLECALL_PROFILE[1] AWS_ACCESS_KEY_ID[1]; or return 0
    builtin test "$AWS_ACCESS_KEY_ID" = "$_ROLECALL_REFRESH_KEY"; or return 0  # keys exported since: not ours
    builtin string match -qr '^[0-9]+$' -- "$_ROLECALL_REFRESH_AT"; or return 0
    builtin set -l __rolecall_now (__rolecall_now); or return 0
    builtin test $__rolecall_now -ge $_ROLECALL_REFRESH_AT -a $__rolecall_now -ge $__rolecall_retry_at; or return 0
    builtin set -l __rolecall_region
    builtin set -q AWS_REGION[1]; and builtin set __rolecall_region --region=$AWS_REGION
    builtin set -l __rolecall_out
    if builtin set -q __rolecall_warned[1]  # said once: quiet retries
        builtin set __rolecall_out (__rolecall_run assume --shell fish --renew $__rolecall_region -- $ROLECALL_PROFILE 2>/dev/null)
    else
        builtin set __rolecall_out (__rolecall_run assume --shell fish --renew $__rolecall_region -- $ROLECALL_PROFILE)
    end
    if builtin test $status -ne 0
        builtin set -g __rolecall_warned 1
        builtin set -g __rolecall_retry_at (builtin math "$__rolecall_now + 300")
        return 0
    end
    builtin set -l __rolecall_failed
    builtin printf '%s\n' $__rolecall_out | builtin source
    __rolecall_mark
end
