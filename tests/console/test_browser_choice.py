"""`rolecall browser set|show|set-sso`, Firefox containers, --destination and the partitions."""

from __future__ import annotations

import json
import stat
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from tests.support.cli import run_rolecall
from tests.support.console import Recorder, query_of
from tests.support.sso import BASE_CONFIG, cli_login


@pytest.fixture
def settings_home(isolated_home, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(isolated_home / ".config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(isolated_home / ".local" / "share"))
    return isolated_home / ".config" / "rolecall" / "settings.json"


@pytest.fixture
def signed_in(sandbox, aws_config, isolated_home, settings_home):
    aws_config(BASE_CONFIG + "\n[profile shared-a]\nsso_session = sandbox\nsso_account_id = 111111111111\n"
               "sso_role_name = ReadOnlyAccess\nrolecall_browser_profile = team\n")
    cli_login(isolated_home)
    return sandbox


def test_set_and_show_round_trip(settings_home, tmp_path):
    fake = Recorder(tmp_path, name="firefox")
    done = run_rolecall("browser", "set", "firefox", "--path", str(fake.path))
    assert done.returncode == 0, done.stderr
    assert stat.S_IMODE(settings_home.stat().st_mode) == 0o600
    assert stat.S_IMODE(settings_home.parent.stat().st_mode) == 0o700
    shown = run_rolecall("browser", "show")
    assert shown.returncode == 0, shown.stderr
    assert f"console browser: firefox ({fake.path})" in shown.stdout
    assert "sign-in browser: default" in shown.stdout
    assert json.loads(settings_home.read_text())["browser"] == {"name": "firefox", "path": str(fake.path)}
    sso = run_rolecall("browser", "set-sso", "default")
    assert sso.returncode == 0
    assert json.loads(settings_home.read_text())["browser"]["name"] == "firefox"  # the other key kept


def test_unknown_name_and_missing_browser(settings_home):
    done = run_rolecall("browser", "set", "chromum")
    assert done.returncode == 2 and "did you mean chromium" in done.stderr and "hint:" in done.stderr
    missing = run_rolecall("browser", "set", "vivaldi", env={"PATH": "/nonexistent"})
    assert missing.returncode == 2 and "vivaldi is not installed here" in missing.stderr
    assert "--path" in missing.stderr and not settings_home.exists()


def test_a_corrupt_settings_file_is_named_and_kept(settings_home):
    settings_home.parent.mkdir(parents=True)
    settings_home.write_text('{"browser": {"name": "chromium", ')
    for argv in (["browser", "show"], ["browser", "set", "default"]):
        done = run_rolecall(*argv)
        assert done.returncode == 3, done.stderr
        assert str(settings_home) in done.stderr and "not valid JSON" in done.stderr
        assert "Traceback" not in done.stderr and "hint:" in done.stderr
    assert settings_home.read_text() == '{"browser": {"name": "chromium", '


def test_firefox_gets_one_container_url(signed_in, settings_home, tmp_path):
    fake = Recorder(tmp_path, name="firefox")
    assert run_rolecall("browser", "set", "firefox", "--path", str(fake.path)).returncode == 0
    done = run_rolecall("console", "dev-ro", "-s", "s3")
    assert done.returncode == 0, done.stderr
    [argv] = fake.calls()
    assert len(argv) == 1 and argv[0].startswith("ext+container:")
    fields = parse_qs(argv[0][len("ext+container:"):])
    assert fields["name"] == ["dev-ro"]
    login = fields["url"][0]
    assert login.startswith(f"{signed_in.url}/federation?Action=login")
    assert query_of(login)["Destination"].startswith("https://us-east-1.console.aws.amazon.com/s3/home")
    assert fields["color"][0] in ("blue", "turquoise", "green", "yellow", "orange", "red", "pink", "purple")
    # the same profile, the same colour and icon
    assert run_rolecall("console", "dev-ro").returncode == 0
    again = parse_qs(fake.calls()[1][0][len("ext+container:"):])
    assert (again["color"], again["icon"]) == (fields["color"], fields["icon"])


def test_the_config_key_and_the_option_name_the_container(signed_in, settings_home, tmp_path):
    fake = Recorder(tmp_path, name="firefox")
    assert run_rolecall("browser", "set", "firefox", "--path", str(fake.path)).returncode == 0
    assert run_rolecall("console", "shared-a").returncode == 0
    assert run_rolecall("console", "dev-ro", "--browser-profile", "team").returncode == 0
    names = [parse_qs(call[0][len("ext+container:"):])["name"] for call in fake.calls()]
    assert names == [["team"], ["team"]]


def test_browser_stdout_prints_the_url_and_the_isolation_name(signed_in, settings_home):
    done = run_rolecall("console", "dev-ro", "--browser", "stdout")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"{signed_in.url}/federation?Action=login") and done.stdout.count("\n") == 1
    assert "browser profile dev-ro" in done.stderr
    assert not settings_home.exists()  # --browser is for one call


def test_default_keeps_todays_route_and_says_it_cannot_isolate(signed_in, settings_home, tmp_path):
    fake = Recorder(tmp_path)
    done = run_rolecall("console", "dev-ro", "--browser", "default", env={"ROLECALL_BROWSER": str(fake.path)})
    assert done.returncode == 0, done.stderr
    [argv] = fake.calls()
    assert argv[0].startswith(f"{signed_in.url}/federation?Action=login")  # the URL as before, no isolation
    chosen = run_rolecall("browser", "set", "default")
    assert chosen.returncode == 0, chosen.stderr
    assert "signs the first out" in chosen.stderr and "rolecall browser set chromium" in chosen.stderr


def test_destination_is_checked_against_the_partition(signed_in, settings_home):
    ok = run_rolecall("console", "dev-ro", "--url", "--destination",
                      "https://eu-west-1.console.aws.amazon.com/ec2/home?region=eu-west-1#Instances:")
    assert ok.returncode == 0, ok.stderr
    assert query_of(ok.stdout.strip())["Destination"] == \
        "https://eu-west-1.console.aws.amazon.com/ec2/home?region=eu-west-1#Instances:"
    for bad in ("https://evil.example/console.aws.amazon.com", "http://console.aws.amazon.com/",
                "https://console.amazonaws-us-gov.com/"):
        done = run_rolecall("console", "dev-ro", "--url", "--destination", bad)
        assert done.returncode == 2, (bad, done.stderr)
        assert "console.aws.amazon.com" in done.stderr and "hint:" in done.stderr
    both = run_rolecall("console", "dev-ro", "--url", "--destination", "https://console.aws.amazon.com/", "-s", "s3")
    assert both.returncode == 2


def test_sovereign_cloud_regions_go_to_their_own_partition():
    from rolecall import console

    assert console.partition_for("eusc-de-east-1").console_host == "console.amazonaws-eusc.eu"
    assert console.destination_url("s3", "eusc-de-east-1") == \
        "https://console.amazonaws-eusc.eu/s3/home?region=eusc-de-east-1"
    assert console.federation_endpoint("eusc-de-east-1") == "https://signin.amazonaws-eusc.eu/federation"
    assert console.destination_url("s3", "us-gov-west-1").startswith("https://console.amazonaws-us-gov.com/")


def test_eighty_service_shortcuts():
    from rolecall.console_services import SERVICES

    assert len(SERVICES) >= 80
    assert all(not path.startswith("/") and " " not in path for path in SERVICES.values())


def test_doctor_shows_the_choice_and_names_a_damaged_file(settings_home, tmp_path):
    fake = Recorder(tmp_path, name="firefox")
    assert run_rolecall("browser", "set", "firefox", "--path", str(fake.path)).returncode == 0
    report = json.loads(run_rolecall("doctor", "--json", "--offline").stdout)
    mine = [f for f in report["findings"] if f["check"] == "browser"] if isinstance(report, dict) else \
        [f for f in report if f["check"] == "browser"]
    assert any(f["status"] == "ok" and f"firefox ({fake.path})" in f["detail"] for f in mine), mine
    settings_home.write_text("[")
    report = json.loads(run_rolecall("doctor", "--json", "--offline").stdout)
    mine = [f for f in report["findings"] if f["check"] == "browser"] if isinstance(report, dict) else \
        [f for f in report if f["check"] == "browser"]
    assert [f["status"] for f in mine] == ["fail"] and str(settings_home) in mine[0]["detail"]
    assert settings_home.read_text() == "["


def test_a_hand_written_entry_without_a_path_is_found_or_a_clear_error(signed_in, settings_home):
    settings_home.parent.mkdir(parents=True, exist_ok=True)
    settings_home.write_text('{"browser": {"name": "vivaldi"}}')
    done = run_rolecall("console", "dev-ro", env={"PATH": "/nonexistent"})
    assert done.returncode == 1, done.stderr
    assert "vivaldi is not installed here" in done.stderr and "hint:" in done.stderr
    assert "Traceback" not in done.stderr
