"""The mock API over HTTP, in-process (skipped when built without cpp-httplib)."""
from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

import secgroup

pytestmark = pytest.mark.skipif(not getattr(secgroup, "HAS_SERVER", False),
                                reason="secgroup built without the HTTP server (cpp-httplib)")
PROJECT = "192b4fed-58e5-4883-8298-69c00b493b0b"
PATH = "/instance/v1/zones/fr-par-1/security_groups"


def request(url, method="GET", body=None, headers=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method,
                                 headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            text = resp.read().decode()
            return resp.status, json.loads(text) if text else None
    except urllib.error.HTTPError as e:
        with e:
            return e.code, json.loads(e.read().decode())


def test_server_round_trip(tmp_path):
    store = secgroup.MockStore(seed=3)
    state = tmp_path / "state.json"
    server = secgroup.MockServer(store, port=0, state_file=str(state))
    with server:
        assert server.running and server.port > 0 and server.url.startswith("http://127.0.0.1:")
        status, body = request(server.url + PATH, "POST", {"name": "web", "project": PROJECT})
        assert status == 201
        gid = body["security_group"]["id"]
        status, body = request(f"{server.url}{PATH}/{gid}")
        assert status == 200 and body["security_group"]["name"] == "web"
        status, body = request(f"{server.url}{PATH}/00000000-0000-4000-8000-000000000000")
        assert status == 404 and body["type"] == "not_found"
        assert store.get_group("fr-par-1", gid).name == "web"
    assert not server.running
    assert secgroup.load(state)[0].id == gid


def test_server_tokens():
    store = secgroup.MockStore()
    with secgroup.MockServer(store, tokens={"t": [PROJECT]}) as server:
        assert request(server.url + PATH)[0] == 401
        assert request(server.url + PATH, headers={"X-Auth-Token": "t"})[0] == 200


def test_port_out_of_range_is_refused():
    # 70000 was accepted, reported as the port, and listened on 70000 - 65536 = 4464
    for port in (70000, 65536, -1):
        with pytest.raises(secgroup.ValidationError) as e:
            secgroup.MockServer(secgroup.MockStore(seed=1), port=port)
        assert (e.value.id, e.value.field) == ("secgroup.validation.203", "port")
