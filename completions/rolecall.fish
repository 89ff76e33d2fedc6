# fish completion for rolecall (assume.fish does assume).
#
# Standalone: fish autoloads it from ~/.config/fish/completions/. `rolecall init
# fish` prints the same code with the path of rolecall baked in.
# Python (`rolecall __complete fish`) prints whole tokens, one a line, with an
# optional TAB-separated description; fish filters and quotes them.

function __rolecall_complete_fish
    command rolecall __complete fish -- (commandline -opc) (commandline -ct) 2>/dev/null
end

complete -c rolecall -f -a '(__rolecall_complete_fish)'
