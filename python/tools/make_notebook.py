"""Writes examples/notebook.ipynb (unexecuted) from the cells below: `python3 tools/make_notebook.py`."""
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

OUT = Path(__file__).resolve().parents[2] / "examples" / "notebook.ipynb"

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

nb = new_notebook(cells=cells, metadata={
    "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
    "language_info": {"name": "python"},
})
nbformat.write(nb, OUT)
print("wrote", OUT)
