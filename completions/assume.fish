# fish completion for assume (the function from `rolecall init fish`).
# Standalone: fish autoloads it from ~/.config/fish/completions/.

function __rolecall_complete_fish
    command rolecall __complete fish -- (commandline -opc) (commandline -ct) 2>/dev/null
end

complete -c assume -f -a '(__rolecall_complete_fish)'
