"""The mock Instance API: typed store methods, snapshots, and the HTTP-free dispatcher."""
from __future__ import annotations

import datetime
import json
import pickle
import time

import pytest

import secgroup

PROJECT = "192b4fed-58e5-4883-8298-69c00b493b0b"
OTHER = "7f3e1c2a-0b4d-4e6f-8a9b-0c1d2e3f4a5b"
ZONE = "fr-par-1"
BASE = f"/instance/v1/zones/{ZONE}/security_groups"


@pytest.fixture
def store():
    # No sync (spec §7): a change answers "available" (test_sync_after_a_change has one).
    return secgroup.MockStore(seed=7, clock_start=datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc),
                              sync_delay=datetime.timedelta(0))


def test_sync_after_a_change():
    # The clock steps by a second per reading: the read after the change is past its deadline.
    s = secgroup.MockStore(seed=1, clock_start=datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc))
    assert s.sync_delay == datetime.timedelta(milliseconds=300)
    g = s.create_group(ZONE, "web", project=PROJECT)
    assert g.state == "available"
    u = s.update_group(ZONE, g.id, description="front")
    assert u.state == "syncing" and u.modification_date == "2026-01-01T00:00:01.000000+00:00"
    later = s.get_group(ZONE, g.id)
    assert later.state == "available" and later.modification_date == "2026-01-01T00:00:01.300000+00:00"
    assert s.get_group(ZONE, g.id) == later  # bumped once
    for bad in (datetime.timedelta(milliseconds=-1), datetime.timedelta(microseconds=1500)):
        with pytest.raises(secgroup.ValidationError) as e:
            secgroup.MockStore(sync_delay=bad)
        assert e.value.field == "sync_delay"


def test_clock_start_is_an_instant_whatever_the_local_zone(monkeypatch):
    # A process in Tokyo (POSIX zone string: no tzdata needed) must still date groups in UTC.
    monkeypatch.setenv("TZ", "JST-9")
    time.tzset()
    try:
        start = datetime.datetime(2026, 1, 1, 12, 30, 5, 250000)
        tokyo = datetime.timezone(datetime.timedelta(hours=9))
        for clock_start in (start, start.replace(tzinfo=datetime.timezone.utc),
                            (start + datetime.timedelta(hours=9)).replace(tzinfo=tokyo)):
            s = secgroup.MockStore(seed=1, clock_start=clock_start)
            g = s.create_group(ZONE, "web", project=PROJECT)
            assert g.creation_date == "2026-01-01T12:30:05.250000+00:00", clock_start
    finally:
        monkeypatch.undo()
        time.tzset()
    with pytest.raises(secgroup.ParseError) as e:
        secgroup.MockStore(clock_start="2026-01-01")
    assert e.value.field == "clock_start"


def test_group_lifecycle(store):
    g = store.create_group(ZONE, "web", project=PROJECT, inbound_default_policy="drop")
    assert isinstance(g, secgroup.SecurityGroup) and g.name == "web" and g.inbound_default_policy == "drop"
    assert g.creation_date == g.modification_date and g.creation_date.startswith("2026-01-01")
    assert store.get_group(ZONE, g.id) == g and len(store) == 1
    page = store.list_groups(ZONE)
    assert page["total_count"] == 1 and page["security_groups"] == [g]
    u = store.update_group(ZONE, g.id, description="front")
    assert u.description == "front" and u.modification_date > g.modification_date
    same = store.update_group(ZONE, g.id, description="front")
    assert same.modification_date == u.modification_date  # no change, no new date
    r = store.replace_group(ZONE, g.id, "web2", project=PROJECT)
    assert r.name == "web2" and r.description is None
    store.delete_group(ZONE, g.id)
    assert len(store) == 0
    with pytest.raises(secgroup.ApiError) as e:
        store.get_group(ZONE, g.id)
    assert e.value.status == 404 and e.value.type == "not_found" and e.value.body["resource_id"] == g.id


def test_rules(store):
    g = store.create_group(ZONE, "db", project=PROJECT)
    rules = store.set_rules(ZONE, g.id, [secgroup.Rule(ports=5432, ip_range="10.0.0.0/8"),
                                        secgroup.Rule(ports=22)])
    user = [r for r in rules if r.editable]
    assert [r.position for r in user] == [1, 2] and len(rules) == 8
    created = store.create_rule(ZONE, g.id, secgroup.Rule("UDP", ports=53, position=1))
    assert created.position == 1
    assert [r.position for r in store.list_rules(ZONE, g.id) if r.editable] == [1, 2, 3]
    updated = store.update_rule(ZONE, g.id, created.id, action="drop", dest_port_from=54)
    assert updated.action == "drop" and updated.ports == (54, 54)
    assert store.get_rule(ZONE, g.id, created.id) == updated
    replaced = store.replace_rule(ZONE, g.id, created.id, secgroup.Rule("TCP", ports=80))
    assert replaced.protocol == "TCP" and replaced.id == created.id
    store.delete_rule(ZONE, g.id, created.id)
    assert len([r for r in store.list_rules(ZONE, g.id) if r.editable]) == 2
    assert len(store.list_default_rules(ZONE)) == 6
    # the stored group goes straight to the analyses
    stored = store.get_group(ZONE, g.id)
    assert secgroup.query(stored, "inbound", protocol="tcp", ports=22).answer == "ALL"
    with pytest.raises(secgroup.ApiError) as e:
        store.create_rule("xx-nowhere-9", g.id, secgroup.Rule(ports=22))
    assert e.value.status == 400 and e.value.id == "secgroup.mock.400"


def test_invalid_arguments_and_scope(store):
    with pytest.raises(secgroup.ApiError) as e:
        store.create_group(ZONE, "")
    assert e.value.status == 400 and e.value.body["type"] == "invalid_arguments"
    with pytest.raises(secgroup.ApiError) as e:
        store.list_groups("mars-1")
    assert e.value.status == 400
    g = store.create_group(ZONE, "private", project=PROJECT)
    with pytest.raises(secgroup.ApiError) as e:
        store.get_group(ZONE, g.id, projects=[OTHER])
    assert e.value.status == 403


def test_servers_snapshot_restore(store):
    g = store.create_group(ZONE, "app", project=PROJECT)
    server = "11111111-2222-4333-8444-555555555555"
    store.attach_server(ZONE, g.id, server, "srv-1")
    assert store.get_group(ZONE, g.id).servers == [(server, "srv-1")]
    with pytest.raises(secgroup.ApiError) as e:
        store.delete_group(ZONE, g.id)
    assert e.value.status == 409
    snap = store.snapshot()
    assert secgroup.load(snap)[0].servers == [(server, "srv-1")]
    store.detach_server(ZONE, g.id, server)
    store.delete_group(ZONE, g.id)
    store.restore(snap)
    assert len(store) == 1 and store.get_group(ZONE, g.id).servers == [(server, "srv-1")]
    store.restore(json.dumps(snap))
    bad = json.loads(json.dumps(snap))
    bad["security_groups"][0]["id"] = "not-a-uuid"
    with pytest.raises(secgroup.Error):
        store.restore(bad)
    assert len(store) == 1  # unchanged after a failed restore
    assert pickle.loads(pickle.dumps(store.groups())) == store.groups()


def test_seeded_ids_are_deterministic():
    a = secgroup.MockStore(seed=42).create_group(ZONE, "x", project=PROJECT)
    b = secgroup.MockStore(seed=42).create_group(ZONE, "x", project=PROJECT)
    assert a.id == b.id


def test_dispatcher(store):
    api = secgroup.MockApi(store)
    status, headers, body = api.handle("POST", BASE, body={"name": "web", "project": PROJECT})
    assert status == 201
    created = json.loads(body)["security_group"]
    assert dict(headers)["Location"].endswith(created["id"])
    status, headers, body = api.handle("GET", BASE, query="per_page=1")
    assert status == 200 and len(json.loads(body)["security_groups"]) == 1
    assert dict((k.lower(), v) for k, v in headers)["x-total-count"] == "1"
    rules = [{"protocol": "TCP", "direction": "inbound", "action": "accept", "ip_range": "0.0.0.0/0",
              "dest_port_from": 443}]
    status, _, body = api.handle("PUT", f"{BASE}/{created['id']}/rules", body=json.dumps({"rules": rules}))
    assert status == 200, body
    assert store.get_group(ZONE, created["id"]).rules[0].ports == (443, 443)
    status, _, body = api.handle("GET", f"{BASE}/00000000-0000-4000-8000-000000000000")
    assert status == 404 and json.loads(body)["type"] == "not_found"
    status, _, _ = api.handle("DELETE", f"{BASE}/{created['id']}")
    assert status == 204 and len(store) == 0
    assert api.handle("PATCH", "/nowhere")[0] == 404


def test_dispatcher_tokens(store):
    api = secgroup.MockApi(store, tokens={"secret": [PROJECT]})
    assert api.handle("GET", BASE)[0] == 401
    assert api.handle("GET", BASE, headers=[("X-Auth-Token", "secret")])[0] == 200
    assert api.store is not None
