"""Python results equal the CLI's JSON on the same inputs (SECGROUP_CLI names the executable)."""
from __future__ import annotations

import json
import subprocess

import pytest

import secgroup
from conftest import CLI_DATA, EXAMPLES

FILES = sorted(EXAMPLES.glob("*.json")) + sorted(p for p in CLI_DATA.glob("*.json") if "bad" not in p.name)


def run(cli, *args, ok=(0, 1)):
    proc = subprocess.run([cli, *map(str, args)], capture_output=True, text=True, cwd="/")
    assert proc.returncode in ok, proc.stderr
    return proc


def run_json(cli, *args):
    return json.loads(run(cli, *args).stdout)


def single_groups():
    for path in FILES:
        groups = secgroup.load(path)
        for g in groups:
            yield path, g, (["--group", g.id] if len(groups) > 1 else [])


def test_analyze(cli):
    for path, g, sel in single_groups():
        assert secgroup.analyze(g).to_dict() == run_json(cli, "analyze", path, *sel, "--format", "json"), path


def test_exposure(cli):
    for path, g, sel in single_groups():
        for d in ("inbound", "outbound"):
            want = run_json(cli, "exposure", path, *sel, "--direction", d, "--format", "json")
            assert secgroup.exposure(g, d).to_dict() == want, (path, d)


def test_minimize(cli):
    for path, g, sel in single_groups():
        want = run_json(cli, "minimize", path, *sel, "--format", "json")
        assert secgroup.minimize(g).to_dict() == want, path


def test_diff(cli):
    items = list(single_groups())
    for (pa, a, sa), (pb, b, sb) in zip(items, items[1:] + items[:1]):
        args = ["diff", pa, pb, "--format", "json"]
        if sa:
            args += ["--group-a", sa[1]]
        if sb:
            args += ["--group-b", sb[1]]
        assert secgroup.diff(a, b).to_dict() == run_json(cli, *args), (pa, pb)


def test_query(cli):
    boxes = [("inbound", "tcp", None, "22"), ("inbound", "any", "0.0.0.0/0", None),
             ("outbound", "udp", "10.0.0.0/8", "53"), ("inbound", "icmp", "2001:db8::/32", None),
             ("inbound", "tcp", "203.0.113.0/24", "1-1024")]
    for path, g, sel in single_groups():
        for d, proto, remote, ports in boxes:
            args = ["query", path, *sel, "--direction", d, "--protocol", proto, "--format", "json"]
            if remote:
                args += ["--remote", remote]
            if ports:
                args += ["--ports", ports]
            got = secgroup.query(g, d, protocol=proto, remotes=remote, ports=ports)
            assert got.to_dict() == run_json(cli, *args), (path, args)


def test_connect(cli):
    items = list(single_groups())
    for (pa, a, sa), (pb, b, sb) in zip(items, items[1:] + items[:1]):
        for proto, ports in (("tcp", "443"), ("udp", "53"), ("icmp", None)):
            args = ["connect", pa, pb, "--client", "10.1.2.3", "--server", "203.0.113.9",
                    "--protocol", proto, "--format", "json"]
            if ports:
                args += ["--port", ports]
            if sa:
                args += ["--client-group", sa[1]]
            if sb:
                args += ["--server-group", sb[1]]
            got = secgroup.connect(a, b, "10.1.2.3", "203.0.113.9", proto, ports)
            assert got.to_dict() == run_json(cli, *args), args


def test_check(cli):
    path = EXAMPLES / "web.json"
    g = secgroup.load_group(path)
    lines = run(cli, "check", path, "--packets", EXAMPLES / "packets.txt", "--format", "json").stdout.splitlines()
    packets = [line.split("#")[0].strip() for line in (EXAMPLES / "packets.txt").read_text().splitlines()]
    packets = [p for p in packets if p]
    decisions = g.evaluate_many(packets)
    assert [json.loads(line) for line in lines] == [d.to_dict() for d in decisions]


def test_lint(cli):
    paths = [EXAMPLES / "lint-demo.json", EXAMPLES / "fleet.json"]
    for p in paths:
        want = run_json(cli, "lint", "--no-config", "--format", "json", p)
        assert secgroup.lint(p).to_dict() == want
        sarif = run_json(cli, "lint", "--no-config", "--format", "sarif", p)
        assert secgroup.lint(str(p)).sarif() == sarif
    both = run_json(cli, "lint", "--no-config", "--format", "json", "--fail-on", "high", *paths)
    assert secgroup.lint(paths, fail_on="high").to_dict() == both


def test_errors_match_cli_messages(cli):
    bad = CLI_DATA / "bad-cidr.json"
    proc = run(cli, "analyze", bad, ok=(2,))
    with pytest.raises(secgroup.Error) as e:
        secgroup.load(bad)
    assert str(e.value) in proc.stderr
