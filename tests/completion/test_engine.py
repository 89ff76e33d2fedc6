"""The completer itself: grammar, line splitting, bash quoting (checked by real bash)."""

from __future__ import annotations

import subprocess

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from rolecall import completion

from .helpers import shortest_unique_prefix, type_bare, type_double, type_single

REGION_SAMPLE = {"us-east-1", "eu-west-1", "cn-north-1", "us-gov-west-1"}


def values(words: list[str], current: str = "") -> list[str]:
    return [value for value, _ in completion.complete(words, current)[1]]


@pytest.mark.parametrize(
    "words,current,expected",
    [
        pytest.param(["assume"], "", "profiles", id="assume-profile"),
        pytest.param(["assume", "-r"], "", "regions", id="assume-r-region"),
        pytest.param(["assume", "--region"], "eu", "regions", id="assume-region"),
        pytest.param(["assume", "-c", "-r"], "", "regions", id="assume-flag-then-r"),
        pytest.param(["assume", "-d", "3600"], "", "profiles", id="assume-duration-value-skipped"),
        pytest.param(["assume", "--mfa-token"], "", [], id="assume-mfa-value"),
        pytest.param(["assume", "default"], "", [], id="assume-one-profile-only"),
        pytest.param(["assume", "--"], "", "profiles", id="assume-after-dashdash"),
        pytest.param(["rolecall"], "", list(completion.COMMANDS), id="rolecall-subcommands"),
        pytest.param(["rolecall", "--debug"], "", list(completion.COMMANDS), id="rolecall-debug-subcommands"),
        pytest.param(["rolecall", "login", "--profile"], "", "profiles", id="login-profile"),
        pytest.param(["rolecall", "login", "--sso-session"], "", "sessions", id="login-session"),
        pytest.param(["rolecall", "status", "--sso-session"], "", "sessions", id="sso-session-anywhere"),
        pytest.param(["rolecall", "credential-process", "--profile"], "", "profiles", id="credproc-profile"),
        pytest.param(["rolecall", "assume"], "", "profiles", id="rolecall-assume"),
        pytest.param(["rolecall", "assume", "-r"], "", "regions", id="rolecall-assume-region"),
        pytest.param(["rolecall", "console", "--region"], "", "regions", id="console-region"),
        pytest.param(["rolecall", "config"], "", ["add-session", "add-profile", "set", "unset", "rm", "rename",
                                                  "show", "sessions", "edit", "generate", "sso"],
                     id="config-subcommands"),
        pytest.param(["rolecall", "config", "rm", "default"], "", "profiles", id="config-rm-several"),
        pytest.param(["rolecall", "config", "rm", "--session"], "", "sessions", id="config-rm-session"),
        pytest.param(["rolecall", "config", "set", "--session"], "", "sessions", id="config-set-session-flag"),
        pytest.param(["rolecall", "config", "add-profile", "new", "--source-profile"], "", "profiles",
                     id="add-profile-source"),
        pytest.param(["rolecall", "export", "-f"], "",
                     ["env", "env-no-export", "fish", "json", "process", "dotenv", "ini"],
                     id="export-format-choice"),
        pytest.param(["rolecall", "exec", "default", "--"], "", [], id="exec-command-after-profile"),
        pytest.param(["assume", "-cr"], "", "regions", id="assume-short-cluster-value"),
        pytest.param(["assume", "-pc"], "", "profiles", id="assume-short-cluster-flags"),
        pytest.param(["assume", "default", "--exec", "--"], "", [], id="assume-exec-command"),
        pytest.param(["rolecall", "config", "rm"], "", "profiles", id="config-rm"),
        pytest.param(["rolecall", "config", "set"], "", "profiles", id="config-set"),
        pytest.param(["rolecall", "config", "unset"], "", "profiles", id="config-unset"),
        pytest.param(["rolecall", "config", "show"], "", "profiles", id="config-show"),
        pytest.param(["rolecall", "config", "rename"], "", "profiles", id="config-rename"),
        pytest.param(["rolecall", "config", "rename", "default"], "", [], id="config-rename-new-name"),
        pytest.param(["rolecall", "config", "set", "default"], "", list(completion.CONFIG_KEYS), id="config-set-key"),
        pytest.param(["rolecall", "config", "set", "default", "region"], "", "regions", id="config-set-region"),
        pytest.param(["rolecall", "config", "set", "default", "sso_session"], "", "sessions", id="config-set-session"),
        pytest.param(["rolecall", "init"], "", ["bash", "zsh", "fish"], id="init-shells"),
        pytest.param(["rolecall", "no-such-command"], "", [], id="unknown-subcommand"),
    ],
)
def test_grammar(odd_config, words, current, expected):
    got = values(words, current)
    if expected == "profiles":
        assert sorted(got) == sorted(odd_config)
    elif expected == "sessions":
        assert got == ["corp", "my session"]
    elif expected == "regions":
        assert REGION_SAMPLE <= set(got) and all(" " not in r for r in got)
    else:
        assert got == expected


def test_options_only_after_dash(odd_config):
    assert not [v for v in values(["assume"]) if v.startswith("--")]
    options = values(["assume"], "-")
    for option in ["-r", "--region", "-d", "--duration", "-p", "--profile-only", "-c", "--console",
                   "-s", "--service", "--url", "--unset", "--exec", "--mfa-token", "--no-login",
                   "-h", "--help"]:
        assert option in options
    # a profile whose name starts with a dash is still offered
    assert "-leading-dash" in options
    assert "--json" in values(["rolecall", "list"], "--")
    assert "--debug" in values(["rolecall"], "--")


def test_option_equals_value(odd_config):
    kept, found = completion.complete(["assume"], "--region=eu")
    assert kept == "--region="
    assert "eu-west-1" in [v for v, _ in found]
    kept, found = completion.complete(["rolecall", "login"], "--profile=my")
    assert kept == "--profile=" and "my profile" in [v for v, _ in found]
    assert completion.complete(["assume"], "--url=x") == ("", [])


def test_service_shortcuts_follow_console_services(odd_config):
    services = values(["assume", "-s"])
    try:
        from rolecall.console_services import SERVICES
    except ImportError:
        assert services == []  # fallback until rolecall.console_services exists
    else:
        assert services == sorted(SERVICES)


def test_regions_have_descriptions_for_zsh_and_fish(odd_config):
    found = dict(completion.complete(["assume", "-r"], "")[1])
    assert found["us-east-1"] == "US East (N. Virginia)"


@pytest.mark.parametrize(
    "line,words,current,quote",
    [
        ("assume ", ["assume"], "", ""),
        ("assume my\\ pr", ["assume"], "my pr", ""),
        ("assume 'my pr", ["assume"], "my pr", "'"),
        ('assume "my pr', ["assume"], "my pr", '"'),
        ("assume $'it\\'s", ["assume"], "it's", "$'"),
        ('assume "a\\"b\\$c', ["assume"], 'a"b$c', '"'),
        ("assume 'it'\\''s", ["assume"], "it's", "'"),
        ("echo hi; assume -r eu", ["assume", "-r"], "eu", ""),
        ("ls | AWS_X=1 rolecall login --profile ", ["rolecall", "login", "--profile"], "", ""),
        ("rolecall list 2>/dev/null --n", ["rolecall", "list"], "--n", ""),
        ("assume --region=us-", ["assume"], "--region=us-", ""),
    ],
)
def test_split_line(line, words, current, quote):
    assert completion.split_line(line) == (words, current, quote)


def _bash_eval(words: list[str]) -> list[str]:
    """What bash passes as arguments for each shell word (NUL-separated)."""
    script = "".join(f"printf '%s\\0' {word}\n" for word in words)
    result = subprocess.run(["bash", "--noprofile", "--norc", "-c", script], capture_output=True, timeout=30)
    assert result.returncode == 0, result.stderr
    return result.stdout.decode("utf-8").split("\0")[:-1]


CLOSE = {"": "", "'": "'", '"': '"', "$'": "'"}


def readline_close(word: str, quote: str) -> str:
    """What readline does after a unique match: close the quote unless the word ends with it."""
    close = CLOSE[quote]
    return word if not close or word.endswith(close) else word + close


@pytest.mark.parametrize("style", ["bare", "single", "double", "dollar"])
def test_bash_replies_evaluate_to_the_exact_name(odd_config, style):
    """Replies, inserted the way readline does (after its word, quote closed), give the name back."""
    words, expected = [], []
    options = [option for option in completion.ASSUME["options"]]
    for name in odd_config:
        prefix = shortest_unique_prefix(name, odd_config + options)
        if style == "bare":
            typed, rl_start = type_bare(prefix), 0
        elif style == "single":
            typed, rl_start = type_single(prefix), 1
        elif style == "double":
            typed, rl_start = type_double(prefix), 1
        else:
            typed, rl_start = "$'" + prefix.replace("\\", "\\\\").replace("'", "\\'"), 2
        quote = {"bare": "", "single": "'", "double": '"', "dollar": "$'"}[style]
        rl_word = typed[rl_start:]
        replies = completion.bash_replies(rl_word, "assume " + typed)
        assert len(replies) == 1, (name, typed, replies)
        words.append(readline_close(typed[:rl_start] + replies[0], quote))
        expected.append(name)
    assert _bash_eval(words) == expected


def test_bash_replies_after_a_wordbreak(odd_config):
    # readline splits `a:b=c` at `:` (COMP_WORDBREAKS): its word is `b`, the reply must extend only that.
    assert completion.bash_replies("b", "assume a:b") == ["b=c"]
    assert completion.bash_replies("eu-west-", "assume --region=eu-west-") == ["eu-west-1", "eu-west-2", "eu-west-3"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\n\r"), max_size=12),
       quote=st.sampled_from(["", "'", '"', "$'"]))
def test_readline_text_round_trips(text, quote):
    # An empty rest after an opening quote is readline's own corner (it sees the
    # quote and does not close it); completion never offers an empty rest there.
    assume(text or not quote)
    word = readline_close(quote + completion.readline_text(text, quote), quote)
    if not word:
        word = "''"
    assert _bash_eval([word]) == [text]


@pytest.mark.parametrize("text", ["it's'", 'say "hi"', "bang!", "x'", "y\\"])
@pytest.mark.parametrize("quote", ["'", '"', "$'"])
def test_names_ending_in_a_quote_stay_closed(text, quote):
    word = readline_close(quote + completion.readline_text(text, quote), quote)
    assert _bash_eval([word]) == [text]


def test_run_never_raises_and_prints_nothing_on_garbage(capsys, odd_config):
    assert completion.run([]) == 0
    assert completion.run(["bash"]) == 0
    assert completion.run(["tcsh", "--", "x"]) == 0
    assert completion.run(["bash", "--", "only-one"]) == 0
    assert capsys.readouterr().out == ""
