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
    if builtin set -q __rolecall_failed[1]
        builtin printf 'rolecall: error: could not set %s in this shell; the others were set\n' \
            (builtin string join ' ' $__rolecall_failed) >&2
        return 1
    end
    # rolecall's status, not that of the last statement (erasing an unset variable "fails").
    return $__rolecall_status
end
