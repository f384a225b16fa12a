"""The live Instance API as a source, end to end against the mock API served in process.

read_api() and `api:` strings passed where groups are expected read a MockServer with the
credentials the official clients would use (SCW_* variables, the scw config file and its
profiles): pagination, token isolation, profiles, partial reads, retries of injected 429/503,
and errors that name who supplied the key without ever showing it. Results equal the CLI's.
"""
from __future__ import annotations

import datetime
import json
import subprocess
import warnings

import pytest

import secgroup

pytestmark = pytest.mark.skipif(
    not (getattr(secgroup, "HAS_CLIENT", False) and getattr(secgroup, "HAS_SERVER", False)),
    reason="secgroup built without the Instance API client or the HTTP server")

PROJECT_A = "00000000-0000-4000-8000-00000000000a"
PROJECT_B = "00000000-0000-4000-8000-00000000000b"
KEY_A = "6a1e0f4c-1111-4aaa-8bbb-00000000000a"
KEY_B = "6a1e0f4c-2222-4aaa-8bbb-00000000000b"
ACCESS = "SCWAAAAAAAAAAAAAAAAA"
TOKENS = {KEY_A: [PROJECT_A], KEY_B: [PROJECT_B]}


def tcp_rules(count):
    """`count` rules: TCP 1000, 1001, ... from 10.0.0.0/8, accept and drop in turn."""
    return [secgroup.Rule("TCP", direction="inbound", action="drop" if k % 2 else "accept",
                          ip_range="10.0.0.0/8", ports=1000 + k) for k in range(count)]


@pytest.fixture
def store():
    s = secgroup.MockStore(zones=["fr-par-1", "nl-ams-1"], seed=7, sync_delay=datetime.timedelta(0))
    web = s.create_group("fr-par-1", "web", project=PROJECT_A, inbound_default_policy="drop").id
    s.set_rules("fr-par-1", web, [secgroup.Rule("TCP", direction="inbound",
                                                 ip_range="0.0.0.0/0", ports=22)])
    s.create_group("nl-ams-1", "db", project=PROJECT_A)
    s.create_group("fr-par-1", "other", project=PROJECT_B)
    return s


@pytest.fixture
def env(monkeypatch, tmp_path):
    """Project A's credentials in os.environ, no scw config file; returns a setter for the URL."""
    for name in ("SCW_PROFILE", "SCW_CONFIG_PATH", "SCW_DEFAULT_ZONE", "SCW_DEFAULT_REGION",
                 "SCW_TOKEN", "SCW_DEFAULT_ORGANIZATION_ID", "XDG_CONFIG_HOME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("SCW_ACCESS_KEY", ACCESS)
    monkeypatch.setenv("SCW_SECRET_KEY", KEY_A)
    monkeypatch.setenv("SCW_DEFAULT_PROJECT_ID", PROJECT_A)
    return lambda url: monkeypatch.setenv("SCW_API_URL", url)


def names(groups):
    return sorted(g.name for g in groups)


def test_read_api_reads_every_group_of_the_project(store, env):
    with secgroup.MockServer(store, tokens=TOKENS) as server:
        env(server.url)
        read = secgroup.read_api("api:fr-par-1,nl-ams-1")
    assert read.complete and read.zones == ["fr-par-1", "nl-ams-1"] and read.missing == []
    assert names(read.groups) == ["db", "web"] and len(read) == 2
    assert [g.name for g in read] == [g.name for g in read.groups]
    web = next(g for g in read.groups if g.name == "web")
    assert web == store.get_group("fr-par-1", web.id)
    assert secgroup.load(read.export()) == read.groups
    doc = read.to_dict()
    assert json.loads(json.dumps(doc)) == doc and doc["complete"] and len(doc["security_groups"]) == 2
    assert "2 groups" in repr(read)


def test_pagination_of_groups_and_of_rules(env):
    store = secgroup.MockStore(zones=["fr-par-1"], seed=1, sync_delay=datetime.timedelta(0))
    ids = [store.create_group("fr-par-1", f"g{k:03}", project=PROJECT_A).id for k in range(120)]
    store.set_rules("fr-par-1", ids[0], tcp_rules(150))
    with secgroup.MockServer(store, tokens=TOKENS) as server:
        env(server.url)
        read = secgroup.read_api("api:fr-par-1")
    assert len(read.groups) == 120 and names(read.groups) == [f"g{k:03}" for k in range(120)]
    big = next(g for g in read.groups if g.id == ids[0])
    assert [r.ports for r in big.rules] == [(1000 + k, 1000 + k) for k in range(150)]


def test_each_key_sees_its_own_project_only(store, env, monkeypatch):
    with secgroup.MockServer(store, tokens=TOKENS) as server:
        env(server.url)
        assert names(secgroup.read_api("api:fr-par-1")) == ["web"]
        monkeypatch.setenv("SCW_SECRET_KEY", KEY_B)
        monkeypatch.setenv("SCW_DEFAULT_PROJECT_ID", PROJECT_B)
        assert names(secgroup.read_api("api:fr-par-1")) == ["other"]


def test_a_profile_of_the_scw_config_file(store, env, monkeypatch, tmp_path):
    config = tmp_path / "scw.yaml"
    config.write_text(f"access_key: {ACCESS}\nsecret_key: {KEY_A}\n"
                      f"default_project_id: {PROJECT_A}\n"
                      f"profiles:\n  b:\n    secret_key: {KEY_B}\n"
                      f"    default_project_id: {PROJECT_B}\n")
    config.chmod(0o600)
    for name in ("SCW_ACCESS_KEY", "SCW_SECRET_KEY", "SCW_DEFAULT_PROJECT_ID"):
        monkeypatch.delenv(name)
    with secgroup.MockServer(store, tokens=TOKENS) as server:
        env(server.url)
        assert names(secgroup.read_api("api:fr-par-1", config_path=config)) == ["web"]
        assert names(secgroup.read_api("api:fr-par-1", config_path=config, profile="b")) == ["other"]
        monkeypatch.setenv("SCW_CONFIG_PATH", str(config))
        monkeypatch.setenv("SCW_PROFILE", "b")
        assert names(secgroup.read_api("api:fr-par-1")) == ["other"]
        with pytest.raises(secgroup.GroupLookupError) as e:
            secgroup.read_api("api:fr-par-1", profile="qa")
        assert "no profile 'qa'" in str(e.value) and "b" in str(e.value)


def test_a_bad_config_file_names_the_file_and_line(env, tmp_path):
    config = tmp_path / "scw.yaml"
    config.write_text("access_key: x\nprofiles: [\n")
    with pytest.raises(secgroup.ParseError) as e:
        secgroup.read_api("api:fr-par-1", config_path=config)
    assert e.value.id == "secgroup.parse.115" and f"{config}:3:" in str(e.value)


def test_api_strings_are_sources_everywhere_as_in_the_cli(store, env, cli):
    with secgroup.MockServer(store, tokens=TOKENS) as server:
        env(server.url)
        report = secgroup.lint("api:fr-par-1")
        assert [g["name"] for g in report.to_dict()["groups"]] == ["web"]
        assert report.to_dict()["groups"][0]["source"] == "api:fr-par-1"
        cli_doc = json.loads(subprocess.run(
            [cli, "lint", "api:fr-par-1", "--format", "json"], capture_output=True, text=True,
            check=False).stdout)
        assert report.to_dict() == cli_doc
        web = secgroup.load_group("api:fr-par-1")
        assert web.name == "web"
        assert secgroup.analyze("api:fr-par-1").to_dict() == secgroup.analyze(web).to_dict()
        read = secgroup.read_api("api:fr-par-1")
        assert secgroup.lint(read).to_dict() == report.to_dict()
        assert secgroup.lint(["api:fr-par-1"]).to_dict() == report.to_dict()


def test_review_of_the_live_groups_against_a_fix(store, env, cli, tmp_path):
    with secgroup.MockServer(store, tokens=TOKENS) as server:
        env(server.url)
        read = secgroup.read_api("api:fr-par-1")
        fixed = secgroup.load(read.export())
        fixed[0].rules = [secgroup.Rule("TCP", ip_range="10.0.0.0/8", ports=22)]
        path = tmp_path / "fixed.json"
        path.write_text(json.dumps(secgroup.groups_to_dict(fixed)))
        change = secgroup.review("api:fr-par-1", path)
        assert secgroup.review(read, path).to_dict() == change.to_dict()
        cli_doc = json.loads(subprocess.run(
            [cli, "review", "api:fr-par-1", str(path), "--format", "json"], capture_output=True,
            text=True, check=False).stdout)
    assert change.to_dict() == cli_doc
    assert "closes     TCP 22 from every IPv4 address except 10.0.0.0/8" in change.text()


def test_a_wrong_key_names_its_source_never_the_key(store, env, monkeypatch):
    wrong = "6a1e0f4c-9999-4aaa-8bbb-0000000000ff"
    monkeypatch.setenv("SCW_SECRET_KEY", wrong)
    with secgroup.MockServer(store, tokens=TOKENS) as server:
        env(server.url)
        with pytest.raises(secgroup.RemoteError) as e:
            secgroup.read_api("api:fr-par-1")
    assert e.value.id == "secgroup.remote.401" and "SCW_SECRET_KEY" in str(e.value)
    assert wrong not in str(e.value) and wrong.upper() not in str(e.value)


def test_partial_reads_fail_unless_allowed(store, env):
    with secgroup.MockServer(store, tokens=TOKENS) as server:
        env(server.url)
        with pytest.raises(secgroup.RemoteError) as e:
            secgroup.read_api("api:fr-par-1,pl-waw-1")
        assert e.value.id == "secgroup.remote.406" and "allow_partial=True" in str(e.value)
        with pytest.raises(secgroup.RemoteError):
            secgroup.lint("api:fr-par-1,pl-waw-1")
        read = secgroup.read_api("api:fr-par-1,pl-waw-1", allow_partial=True)
    assert not read.complete and read.zones == ["fr-par-1"] and names(read) == ["web"]
    assert [m["zone"] for m in read.missing] == ["pl-waw-1"]
    assert read.missing[0]["error_id"] == "secgroup.remote.402"
    assert read.to_dict()["missing"] == read.missing and not read.to_dict()["complete"]


def test_injected_failures_are_retried_and_noted(store, env):
    faults = {"rate": 0.5, "statuses": [429, 503], "retry_after": 0, "seed": 4}
    with secgroup.MockServer(store, tokens=TOKENS, faults=faults) as server:
        env(server.url)
        read = secgroup.read_api("api:fr-par-1,nl-ams-1")
    assert names(read) == ["db", "web"]
    assert read.notes and all("retrying" in n for n in read.notes)
    assert any("429" in n or "503" in n for n in read.notes)


def test_bad_fault_plans_are_refused_naming_the_key(store):
    with pytest.raises(secgroup.ValidationError) as e:
        secgroup.MockServer(store, faults={"rate": 2})
    assert e.value.field == "faults.rate"
    with pytest.raises(secgroup.ValidationError) as e:
        secgroup.MockServer(store, faults={"rat": 0.1})
    assert e.value.field == "faults.rat"
    with pytest.raises(secgroup.ParseError) as e:
        secgroup.MockServer(store, faults={"statuses": "503"})
    assert e.value.field == "faults.statuses"


def test_malformed_sources_and_settings_fail_before_any_request(env, monkeypatch):
    env("http://127.0.0.1:1")  # nothing listens: any request would fail differently
    with pytest.raises(secgroup.ParseError) as e:
        secgroup.read_api("api:fr-par-1/not-a-uuid")
    assert e.value.field == "api:fr-par-1/not-a-uuid"
    with pytest.raises(secgroup.ValidationError) as e:
        secgroup.read_api("api:fr-par-9")
    assert "fr-par-9" in str(e.value)
    monkeypatch.setenv("SCW_DEFAULT_PROJECT_ID", "not-a-uuid")
    with pytest.raises(secgroup.ValidationError) as e:
        secgroup.read_api("api:fr-par-1")
    assert e.value.field == "SCW_DEFAULT_PROJECT_ID"


def test_deprecated_variables_warn(store, env, monkeypatch):
    monkeypatch.delenv("SCW_SECRET_KEY")
    monkeypatch.setenv("SCW_TOKEN", KEY_A)
    with secgroup.MockServer(store, tokens=TOKENS) as server:
        env(server.url)
        with pytest.warns(UserWarning, match="SCW_TOKEN is deprecated"):
            read = secgroup.read_api("api:fr-par-1")
    assert read.warnings and KEY_A not in " ".join(read.warnings)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert names(read) == ["web"]
