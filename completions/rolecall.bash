# bash completion for rolecall and assume                    -*- shell-script -*-
#
# Standalone: source this file, or copy it as rolecall.bash and assume.bash
# (assume.bash is an identical copy) into ~/.local/share/bash-completion/completions/.
# `rolecall init bash` prints the same code with the path of rolecall baked in.
#
# All logic and all quoting live in Python (`rolecall __complete bash`): it
# splits the line up to the cursor with bash's quoting rules and prints one
# COMPREPLY entry a line, already filtered and quoted for the context the user
# opened (bare word, '…', "…"); readline closes the quote.

__rolecall_complete_bash() {
    local __rolecall_out
    COMPREPLY=()
    __rolecall_out=$(command rolecall __complete bash -- "${2-}" "${COMP_LINE:0:COMP_POINT}" 2>/dev/null) || return 0
    [[ -n $__rolecall_out ]] || return 0
    if ((BASH_VERSINFO[0] >= 4)); then
        mapfile -t COMPREPLY <<<"$__rolecall_out"
    else  # bash 3.2 (macOS): no mapfile
        local __rolecall_reply
        while IFS= read -r __rolecall_reply; do
            COMPREPLY+=("$__rolecall_reply")
        done <<<"$__rolecall_out"
    fi
    return 0
}

complete -F __rolecall_complete_bash rolecall assume
