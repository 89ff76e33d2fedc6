"""Edit `~/.aws/config` without damaging it (`rolecall config …`).

    document   ConfigDocument: edits that touch only the lines they mean to, on
               botocore's own line rules (everything else kept byte for byte)
    store      the transaction: lock, read, edit, validate, backup, atomic write, diff
    validate   names, regions, account ids, keys and values, checked before writing
    ops        the editing commands as functions (add-session, set, rm, rename, …)
    generate   one profile per account × role of an sso-session (`config generate`)
    editor     `config edit`: $VISUAL/$EDITOR on a private copy, validated before it lands
    wizard     `config sso`: the interactive (or all-flags) profile wizard
    terminal   prompts on /dev/tty (never on stdout)

Nothing here is imported on the hot paths; botocore loads lazily.
"""
