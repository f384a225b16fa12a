"""Writes examples/notebook.ipynb and examples/estate.ipynb (unexecuted) from the cells below:
`/usr/bin/python3 python/tools/make_notebook.py` (it writes into the repository's examples/
wherever it runs from). Edit the cells here, not the .ipynb files: test_notebook checks that the
committed notebooks are byte for byte what this script writes."""
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

cells = [
    new_markdown_cell("""# secgroup from a notebook: find, fix and prove

This walkthrough loads a Scaleway security group exported from the API
(`groups/lint-demo.json`), finds its problems with the exact analyses and the linter, fixes them,
**proves** the fix changes only what we meant to change (a semantic diff), and finally pushes
the fixed rules through the in-memory mock of the Instance API.

Run it from the `examples/` folder after building the package (see `docs/python.md`)."""),
    new_code_cell("""%matplotlib inline
import secgroup
from secgroup import plot

print(secgroup.__version__, "Z3:", secgroup.HAS_Z3)
group = secgroup.load_group("groups/lint-demo.json")
group"""),
    new_code_cell("""for rule in group.ordered_rules():
    print(f"{rule.position:>2} {'default' if not rule.editable else 'user   '} {rule}")"""),
    new_markdown_cell("""## 1. What is wrong?

`analyze` reports, for every user rule, whether it is shadowed, redundant, correlated with
or a generalization of another rule, each with a witness packet."""),
    new_code_cell("""report = group.analyze()
report"""),
    new_code_cell("""for f in report:
    print(f.kind, "position", f.position, f.reason, "witness:", f.witness)"""),
    new_markdown_cell("The linter looks at the effective policy: exposure, dual-stack gaps, defaults."),
    new_code_cell("""lint = secgroup.lint(group)
lint"""),
    new_code_cell("""group.exposure("inbound")"""),
    new_code_cell("""ax = group.plot(direction="inbound", protocol="tcp")"""),
    new_markdown_cell("""## 2. Fix it

What we want: SSH from `10.1.0.0/16` (rule 2 is shadowed by the drop of `10.0.0.0/8`, so it
must come first); no redundant rules (4 and 5); no rule that can never work (7: the default SMTP
rules drop outbound port 25 first); and the same HTTPS and ICMP access over IPv6 as over IPv4."""),
    new_code_cell("""by_position = {r.position: r for r in group.rules}
order = [by_position[p].id for p in (2, 1, 3, 4, 5, 6, 7, 8, 9)]
fixed = secgroup.reordered(group, order)            # rule 2 before rule 1
fixed = secgroup.minimize(fixed).group              # drops the redundant rules
fixed.rules = [r for r in fixed.rules if not (r.direction == "outbound" and r.ports == (25, 25))]
fixed.add_rule(secgroup.Rule("TCP", "inbound", "accept", "::/0", ports=443))
fixed.add_rule(secgroup.Rule("ICMP", "inbound", "accept", "::/0"))
fixed.name = "lint-demo-fixed"
for rule in fixed.rules:
    print(rule.position, rule)"""),
    new_code_cell("""after = fixed.analyze()
assert not [f for f in after if f.kind in ("shadowed", "redundant")], after.to_dict()
after"""),
    new_markdown_cell("""## 3. Prove the fix

The diff compares the *decisions* of the two groups over every packet (both directions and
families) and lists the regions that changed. We check that each change is one we asked for."""),
    new_code_cell("""d = secgroup.diff(group, fixed)
d"""),
    new_code_cell("""import ipaddress

def intended(region):
    if region.change != "opened" or region.direction != "inbound":
        return False
    cidrs = [ipaddress.ip_network(c) for c in region.remote["cidrs"]]
    if region.family == "IPv4":   # SSH from 10.1.0.0/16
        return region.protocol == "tcp" and region.ports == (22, 22) and all(
            c.subnet_of(ipaddress.ip_network("10.1.0.0/16")) for c in cidrs)
    return region.protocol == "icmp" or (region.protocol == "tcp" and region.ports == (443, 443))

assert not d.equivalent
assert all(intended(r) for r in d.regions), [r for r in d.regions if not intended(r)]
print(len(d.regions), "regions changed, all intended; witness:", d.witness)"""),
    new_code_cell("""ax = plot.diff(group, fixed, "inbound", "tcp", within="10.0.0.0/8")"""),
    new_markdown_cell("""## 4. Ship it to the (mock) API

The mock API speaks the Instance API's wire format. We create a group, replace its rules
with the fixed ones over the dispatcher, read it back, and check it decides like `fixed`."""),
    new_code_cell("""import json

store = secgroup.MockStore(seed=1)
api = secgroup.MockApi(store)
base = "/instance/v1/zones/fr-par-1/security_groups"
status, headers, body = api.handle("POST", base, body={
    "name": fixed.name, "project": group.project, "inbound_default_policy": "drop"})
created = json.loads(body)["security_group"]
print(status, created["id"])

rules = [dict(r.to_dict(), id=None) for r in fixed.rules]   # new rules: the API gives ids
status, _, body = api.handle("PUT", f"{base}/{created['id']}/rules", body={"rules": rules})
assert status == 200, body
print(status, len(json.loads(body)["rules"]), "rules (default SMTP rules included)")

status, _, body = api.handle("GET", f"{base}/{created['id']}")
remote = store.get_group("fr-par-1", created["id"])
proof = secgroup.diff(fixed, remote)
assert proof.equivalent, proof
proof"""),
]

estate_cells = [
    new_markdown_cell("""# Auditing an estate: many groups at once

An estate audit: put many security groups into the (mock) Instance API from Python, read them
back, lint them all, rank the worst groups, see the exposure of the whole estate in one picture,
fix the worst group, and check the fix with the semantic diff and, when the module has it, Z3.

Run it from the `examples/` folder after building the package (see `docs/python.md`)."""),
    new_code_cell("""%matplotlib inline
import copy
import random

import secgroup
from secgroup import plot

print(secgroup.__version__, "Z3:", secgroup.HAS_Z3)"""),
    new_markdown_cell("""## 1. An estate in the mock API, over HTTP

The mock Instance API (`secgroup.MockServer`) is started on a free port of `127.0.0.1`, with one
secret key it accepts. The three groups of `groups/fleet.json` and twenty more made from role
templates, some with the mistakes estates accumulate (SSH, databases or the Docker API open to
the internet), are created through it as any client of the API would: `POST` the group, `PUT`
its rules. Nothing leaves the machine."""),
    new_code_cell("""import json
import urllib.request

assert secgroup.HAS_SERVER and secgroup.HAS_CLIENT, \\
    "this notebook needs a module built with cpp-httplib and OpenSSL (docs/python.md)"
zone, project = "fr-par-1", "00000000-0000-4000-8000-00000000000a"
secret = "6a1e0f4c-0000-4aaa-8bbb-000000000015"            # the one key the mock accepts
server = secgroup.MockServer(secgroup.MockStore(seed=15), tokens={secret: [project]})
server.start()                                             # port 0: a free port
groups_url = f"{server.url}/instance/v1/zones/{zone}/security_groups"

def call(method, url, body):
    request = urllib.request.Request(url, json.dumps(body).encode(), method=method, headers={
        "Content-Type": "application/json", "X-Auth-Token": secret})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)

def put(name, rules, inbound="drop", outbound="accept"):
    \"\"\"Creates the group `name` holding `rules` (user rules) through the API.\"\"\"
    created = call("POST", groups_url, {"name": name, "project": project,
                   "inbound_default_policy": inbound, "outbound_default_policy": outbound})
    rules = [dict(r.to_dict(), id=None) for r in rules]   # new rules: the API gives the ids
    call("PUT", f"{groups_url}/{created['security_group']['id']}/rules", {"rules": rules})

ROLES = {
    "web": [("TCP", "0.0.0.0/0", 80), ("TCP", "0.0.0.0/0", 443), ("TCP", "10.0.0.0/8", 22)],
    "db": [("TCP", "10.0.0.0/8", 5432), ("TCP", "10.0.0.0/8", 22)],
    "cache": [("TCP", "10.0.0.0/8", 6379)],
    "worker": [("TCP", "10.0.0.0/8", 22)],
}
MISTAKES = [("TCP", "0.0.0.0/0", 22), ("TCP", "0.0.0.0/0", 5432), ("TCP", "0.0.0.0/0", 6379),
            ("TCP", "0.0.0.0/0", 2375), ("UDP", "0.0.0.0/0", 53), ("TCP", "::/0", 22)]

fleet = secgroup.load("groups/fleet.json")
for g in fleet:
    put(g.name, [r for r in g.rules if r.editable], g.inbound_default_policy, g.outbound_default_policy)
rng = random.Random(15)
for k in range(20):
    role = rng.choice(sorted(ROLES))
    specs = ROLES[role] + rng.sample(MISTAKES, rng.choice([0, 0, 1, 2]))
    put(f"{role}-{k:02}", [secgroup.Rule(p, "inbound", "accept", net, ports=port)
                           for p, net, port in specs])
print(len(fleet) + 20, "groups created at", server.url)"""),
    new_markdown_cell("""Reading them back is what you would do against the real API: `read_api` (or an `api:`
string wherever groups are expected) with the credentials the official clients use. Here the
`SCW_*` variables point at the mock, for this read only (`mock.patch.dict` restores yours)."""),
    new_code_cell("""import os
from unittest import mock

credentials = {"SCW_API_URL": server.url, "SCW_ACCESS_KEY": "SCWAAAAAAAAAAAAAAAAA",
               "SCW_SECRET_KEY": secret, "SCW_DEFAULT_PROJECT_ID": project}
with mock.patch.dict(os.environ, credentials):
    os.environ.pop("SCW_PROFILE", None)                   # no profile of your scw config
    read = secgroup.read_api(f"api:{zone}")
server.stop()
estate = read.groups
assert read.complete and len(estate) == len(fleet) + 20, read.missing
print(len(estate), "groups in the estate, read from", read.source)"""),
    new_markdown_cell("""## 2. Lint everything, rank the worst groups

One `lint` call over the whole estate; its frame has one row per finding. Weighting the
severities gives a score per group."""),
    new_code_cell("""report = secgroup.lint(estate, fail_on="high")
print(report)
findings = report.frame()
findings[["group", "check", "severity", "message", "rules"]].head(10)"""),
    new_code_cell("""WEIGHT = {"critical": 100, "high": 20, "medium": 5, "low": 1, "info": 0}
findings["weight"] = findings["severity"].map(WEIGHT)
worst = (findings.groupby("group")
         .agg(findings=("check", "size"), score=("weight", "sum"))
         .sort_values(["score", "findings"], ascending=False))
worst.head(8)"""),
    new_markdown_cell("""## 3. The exposure of the estate

One row per group, one column per service (the linter's catalogue, after HTTP and HTTPS):
closed, open to private networks only, to some public addresses, or to any address."""),
    new_code_cell("""ax = plot.exposure_heatmap(estate)"""),
    new_markdown_cell("""## 4. Fix the worst group and prove it

Every rule of the worst group that opens something to the whole internet, other than the web
ports, is narrowed to `10.0.0.0/8` (IPv6: `fd00::/8`). The semantic diff must show only closed regions."""),
    new_code_cell("""name = worst.index[0]
before = next(g for g in estate if g.name == name)
after = copy.deepcopy(before)
INTERNAL = {"0.0.0.0/0": "10.0.0.0/8", "::/0": "fd00::/8"}
after.rules = [secgroup.Rule(r.protocol, r.direction, r.action, INTERNAL[r.ip_range], ports=r.ports,
                             position=r.position, id=r.id)
               if r.ip_range in INTERNAL and r.ports not in ((80, 80), (443, 443)) else r
               for r in after.rules]
d = secgroup.diff(before, after)
assert d.differs and all(r.change == "closed" for r in d.regions), d.to_dict()
print(name, ":", len(d.regions), "regions closed, none opened")
d"""),
    new_code_cell("""fig = plot.diff_overview(before, after)"""),
    new_code_cell("""if secgroup.HAS_Z3:   # Z3: the old group accepts everything the fixed one accepts
    verdict = secgroup.includes(before, after)
    assert verdict.holds, verdict
    print("Z3: before includes after:", verdict.holds)
else:
    print("this module has no Z3; the interval diff above is the proof")"""),
    new_code_cell("""fixed_estate = [after if g.name == name else g for g in estate]
print("findings before:", len(report), "after:", len(secgroup.lint(fixed_estate, fail_on="high")))
ax = plot.exposure_heatmap(fixed_estate, ["http", "https", "ssh", "postgresql", "redis", "docker", "dns"])"""),
]


NOTEBOOKS = {"notebook.ipynb": cells, "estate.ipynb": estate_cells}


def write(cells, name, directory=EXAMPLES):
    """Writes the notebook `name` of `cells` into `directory`. Cell ids are the notebook's stem
    and the cell's index (`estate-03`), not nbformat's random ones, so that writing again gives
    the same bytes (test_notebook checks the committed notebooks are what this writes)."""
    stem = Path(name).stem
    for index, cell in enumerate(cells):
        cell["id"] = f"{stem}-{index:02}"
    nb = new_notebook(cells=cells, metadata={
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    })
    nbformat.write(nb, Path(directory) / name)
    return Path(directory) / name


if __name__ == "__main__":
    for name, notebook_cells in NOTEBOOKS.items():
        print("wrote", write(notebook_cells, name))
