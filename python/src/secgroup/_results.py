"""Result objects of the analyses: thin, picklable wrappers around the CLI's JSON documents.

Every result keeps the document the C++ library writes (io/analysis_json.hpp, lint/report.hpp),
so ``to_dict()`` equals the output of ``secgroup <command> --format json`` on the same input.
Attributes give typed access; ``_repr_html_`` renders findings and exposure as tables.
"""
from __future__ import annotations

import copy
import html
from typing import Any, Dict, Iterator, List, Optional

from . import _core

__all__ = [
    "Result", "Finding", "AnomalyReport", "DiffRegion", "DiffWitness", "Diff", "Verdict",
    "QueryWitness", "QueryResult", "ConnectionLeg", "ConnectionResult", "ExposureEntry",
    "Exposure", "Minimized", "LintFinding", "LintReport", "ReviewReport",
]


def _packet(d: Optional[Dict[str, Any]]) -> Optional[_core.Packet]:
    if d is None:
        return None
    return _core.Packet(d["direction"], d["protocol"], d["remote"], d.get("port"))


def _table(headers: List[str], rows: List[List[Any]], caption: str) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape('' if c is None else str(c))}</td>" for c in row) + "</tr>"
        for row in rows)
    return (f"<table><caption>{html.escape(caption)}</caption><thead><tr>{head}</tr></thead>"
            f"<tbody>{body}</tbody></table>")


class Result:
    """A result document; ``to_dict()`` returns a copy of it (the CLI's JSON)."""

    __slots__ = ("_data",)

    def __init__(self, data: Dict[str, Any]) -> None:
        self._data = data

    def to_dict(self) -> Dict[str, Any]:
        return copy.deepcopy(self._data)

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self._data == other._data  # type: ignore[attr-defined]

    __hash__ = None  # type: ignore[assignment]

    def __getstate__(self) -> Dict[str, Any]:
        return {"data": self._data}

    def __setstate__(self, state: Dict[str, Any]) -> None:
        self._data = state["data"]

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._summary()})"

    def _summary(self) -> str:
        return ""


class Finding(Result):
    """One anomaly of a user rule: shadowed, redundant, correlated or generalization."""

    __slots__ = ()

    kind = property(lambda self: self._data["kind"])
    rule_id = property(lambda self: self._data["rule_id"])
    position = property(lambda self: self._data["position"])
    direction = property(lambda self: self._data["direction"])
    related = property(lambda self: list(self._data["related"]))
    reason = property(lambda self: self._data["reason"])
    to_default = property(lambda self: self._data.get("to_default", False))
    witness = property(lambda self: _packet(self._data["witness"]))

    def _summary(self) -> str:
        return f"{self.kind} rule {self.rule_id or ''} position {self.position}: {self.reason}"


class AnomalyReport(Result):
    """The anomalies of every user rule of a group (``secgroup analyze``)."""

    __slots__ = ()

    @property
    def findings(self) -> List[Finding]:
        return [Finding(f) for f in self._data["findings"]]

    @property
    def unknown(self) -> List[Dict[str, Any]]:
        """Questions the Z3 engine left open (always empty for the interval engine)."""
        return copy.deepcopy(self._data.get("unknown", []))

    def __len__(self) -> int:
        return len(self._data["findings"])

    def __iter__(self) -> Iterator[Finding]:
        return iter(self.findings)

    def _summary(self) -> str:
        return f"{len(self)} findings"

    def _repr_html_(self) -> str:
        rows = [[f["kind"], f["position"], f["rule_id"], f["direction"], f["reason"],
                 ", ".join(str(r) for r in f["related"]),
                 None if f["witness"] is None else str(_packet(f["witness"]))]
                for f in self._data["findings"]]
        return _table(["kind", "position", "rule", "direction", "reason", "related", "witness"],
                      rows, f"{len(rows)} findings")


class DiffWitness(Result):
    """A packet two groups decide differently, with both decisions (dicts)."""

    __slots__ = ()
    packet = property(lambda self: _packet(self._data))
    a = property(lambda self: dict(self._data["a"]))
    b = property(lambda self: dict(self._data["b"]))

    def _summary(self) -> str:
        return f"{self.packet}: a {self.a['action']}, b {self.b['action']}"


class DiffRegion(Result):
    """A box of packets decided differently: change 'opened' (b accepts) or 'closed'."""

    __slots__ = ()
    direction = property(lambda self: self._data["direction"])
    family = property(lambda self: self._data["family"])
    protocol = property(lambda self: self._data["protocol"])
    remote = property(lambda self: dict(self._data["remote"]))
    ports = property(lambda self: None if self._data["ports"] is None else
                     (self._data["ports"]["from"], self._data["ports"]["to"]))
    change = property(lambda self: self._data["change"])
    a = property(lambda self: dict(self._data["a"]))
    b = property(lambda self: dict(self._data["b"]))

    def _summary(self) -> str:
        return (f"{self.change} {self.direction} {self.family} {self.protocol} ports {self.ports} "
                f"remote {self.remote['first']}-{self.remote['last']}")


class Diff(Result):
    """The semantic diff of two groups (``secgroup diff``); truthy iff equivalent."""

    __slots__ = ()

    equivalent = property(lambda self: self._data["equivalent"])

    @property
    def witness(self) -> Optional[DiffWitness]:
        w = self._data["witness"]
        return None if w is None else DiffWitness(w)

    @property
    def regions(self) -> List[DiffRegion]:
        return [DiffRegion(r) for r in self._data["regions"]]

    def __bool__(self) -> bool:
        return bool(self._data["equivalent"])

    def _summary(self) -> str:
        if self.equivalent:
            return "equivalent"
        return f"not equivalent, {len(self._data['regions'])} regions, witness {self.witness!r}"

    def _repr_html_(self) -> str:
        rows = [[r["change"], r["direction"], r["family"], r["protocol"],
                 None if r["ports"] is None else f"{r['ports']['from']}-{r['ports']['to']}",
                 ", ".join(r["remote"]["cidrs"]), r["a"]["action"], r["b"]["action"]]
                for r in self._data["regions"]]
        return _table(["change", "direction", "family", "protocol", "ports", "remote", "a", "b"],
                      rows, "equivalent" if self.equivalent else f"{len(rows)} regions differ")


class Verdict(Result):
    """A Z3 verdict (``diff --engine z3``, ``--includes``): holds is True, False or None (unknown)."""

    __slots__ = ()

    @property
    def holds(self) -> Optional[bool]:
        key = "equivalent" if "equivalent" in self._data else "includes"
        return self._data[key]

    @property
    def witness(self) -> Optional[DiffWitness]:
        w = self._data["witness"]
        return None if w is None else DiffWitness(w)

    reason = property(lambda self: self._data.get("reason"))

    def _summary(self) -> str:
        return f"holds={self.holds}" + (f", reason={self.reason!r}" if self.reason else "")


class QueryWitness(Result):
    """A packet of a query box, with the group's decision."""

    __slots__ = ()
    packet = property(lambda self: _packet(self._data))
    action = property(lambda self: self._data["action"])
    rule_id = property(lambda self: self._data["rule_id"])
    position = property(lambda self: self._data["position"])

    def _summary(self) -> str:
        return f"{self.packet} -> {self.action}"


class QueryResult(Result):
    """How much of a box of packets a group accepts: ALL, NONE, PARTIAL (or UNKNOWN on Z3)."""

    __slots__ = ()
    answer = property(lambda self: self._data["answer"])
    accepted = property(lambda self: None if self._data["accepted"] is None else QueryWitness(self._data["accepted"]))
    dropped = property(lambda self: None if self._data["dropped"] is None else QueryWitness(self._data["dropped"]))
    reason = property(lambda self: self._data.get("reason"))

    def _summary(self) -> str:
        return self.answer


class ConnectionLeg(QueryResult):
    """One leg of a connection ("client outbound", "server inbound", reply legs)."""

    __slots__ = ()
    leg = property(lambda self: self._data["leg"])

    def _summary(self) -> str:
        return f"{self.leg}: {self.answer}"


class ConnectionResult(Result):
    """Whether a connection gets through, leg by leg (``secgroup connect``)."""

    __slots__ = ()
    answer = property(lambda self: self._data["answer"])
    legs = property(lambda self: [ConnectionLeg(leg) for leg in self._data["legs"]])
    forward_ports = property(lambda self: None if self._data["forward_ports"] is None else
                             [(p["from"], p["to"]) for p in self._data["forward_ports"]])
    reply_ports = property(lambda self: None if self._data["reply_ports"] is None else
                           [(p["from"], p["to"]) for p in self._data["reply_ports"]])

    def _summary(self) -> str:
        return self.answer


class ExposureEntry(Result):
    """Ports of one protocol class sharing one accepted address set."""

    __slots__ = ()
    family = property(lambda self: self._data["family"])
    protocol = property(lambda self: self._data["protocol"])
    ports = property(lambda self: None if self._data["ports"] is None else
                     [(p["from"], p["to"]) for p in self._data["ports"]])
    accepted = property(lambda self: list(self._data["accepted"]))
    address_count = property(lambda self: int(self._data["address_count"]))

    def _summary(self) -> str:
        return f"{self.family} {self.protocol} {self.ports}: {len(self.accepted)} networks"


class Exposure(Result):
    """What a group accepts in one direction, by protocol class and ports (``secgroup exposure``)."""

    __slots__ = ()
    direction = property(lambda self: self._data["direction"])
    entries = property(lambda self: [ExposureEntry(e) for e in self._data["entries"]])

    def __len__(self) -> int:
        return len(self._data["entries"])

    def _summary(self) -> str:
        return f"{self.direction}, {len(self)} entries"

    def _repr_html_(self) -> str:
        def ports(e: Dict[str, Any]) -> str:
            if e["ports"] is None:
                return "-"
            return ", ".join(str(p["from"]) if p["from"] == p["to"] else f"{p['from']}-{p['to']}"
                             for p in e["ports"])
        rows = [[e["family"], e["protocol"], ports(e), ", ".join(e["accepted"]), e["address_count"]]
                for e in self._data["entries"]]
        return _table(["family", "protocol", "ports", "accepted", "addresses"], rows,
                      f"{self.direction} exposure")


class Minimized:
    """A minimised group, the user rules removed, and the diff proving it decides alike."""

    __slots__ = ("group", "removed", "proof")

    def __init__(self, group: _core.SecurityGroup, removed: List[_core.Rule], proof: Diff) -> None:
        self.group = group
        self.removed = removed
        self.proof = proof

    def to_dict(self) -> Dict[str, Any]:
        """The minimal group as an API export (what ``secgroup minimize`` prints)."""
        return self.group.to_dict()

    def __getstate__(self) -> Dict[str, Any]:
        return {"group": self.group, "removed": self.removed, "proof": self.proof}

    def __setstate__(self, state: Dict[str, Any]) -> None:
        for k, v in state.items():
            object.__setattr__(self, k, v)

    def __repr__(self) -> str:
        return f"Minimized({len(self.removed)} rules removed, equivalent={self.proof.equivalent})"


class LintFinding(Result):
    """One lint finding, with the group it is about."""

    __slots__ = ()
    check = property(lambda self: self._data["check"])
    severity = property(lambda self: self._data["severity"])
    message = property(lambda self: self._data["message"])
    group = property(lambda self: self._data["group"])
    suppressed = property(lambda self: self._data.get("suppressed"))
    #: The group's Terraform address (None for a group of an API export).
    address = property(lambda self: self._data.get("address"))
    #: True when the check depends on values unknown until apply (a Terraform plan).
    undecided = property(lambda self: self._data.get("undecided", False))

    def _summary(self) -> str:
        return f"{self.check} {self.severity}: {self.message}"


class LintReport(Result):
    """A lint run: ``to_dict()`` is ``secgroup lint --format json``, ``sarif()`` the SARIF log."""

    __slots__ = ("_sarif", "_text", "failed", "exit_code")

    def __init__(self, outputs: Dict[str, Any]) -> None:
        super().__init__(outputs["report"])
        self._sarif = outputs["sarif"]
        self._text = outputs["text"]
        self.failed: bool = outputs["failed"]
        self.exit_code: int = outputs["exit_code"]

    def sarif(self) -> Dict[str, Any]:
        return copy.deepcopy(self._sarif)

    def text(self) -> str:
        return self._text

    @property
    def findings(self) -> List[LintFinding]:
        out = []
        for g in self._data["groups"]:
            for f in g["findings"]:
                item = dict(f)
                item["group"] = g.get("name") or g.get("id")
                if "address" in g:
                    item["address"] = g["address"]
                out.append(LintFinding(item))
        return out

    def __len__(self) -> int:
        return len(self.findings)

    def __getstate__(self) -> Dict[str, Any]:  # type: ignore[override]
        return {"data": self._data, "sarif": self._sarif, "text": self._text,
                "failed": self.failed, "exit_code": self.exit_code}

    def __setstate__(self, state: Dict[str, Any]) -> None:  # type: ignore[override]
        self._data = state["data"]
        self._sarif = state["sarif"]
        self._text = state["text"]
        self.failed = state["failed"]
        self.exit_code = state["exit_code"]

    def _summary(self) -> str:
        return f"{len(self)} findings, failed={self.failed}"

    def _repr_html_(self) -> str:
        rows = [[f.group, f.check, f.severity, f.message, "yes" if f.suppressed else ""]
                for f in self.findings]
        return _table(["group", "check", "severity", "message", "suppressed"], rows,
                      f"{len(rows)} lint findings")


class ReviewReport(Result):
    """A review of a change: ``to_dict()`` is ``secgroup review --format json``; ``sarif()``,
    ``markdown()`` and ``text()`` the other formats; ``exit_code`` the CLI's (0, 1 or 4)."""

    __slots__ = ("_sarif", "_text", "_markdown", "failed", "undecided", "exit_code")

    def __init__(self, outputs: Dict[str, Any]) -> None:
        super().__init__(outputs["report"])
        self._sarif = outputs["sarif"]
        self._text = outputs["text"]
        self._markdown = outputs["markdown"]
        self.failed: bool = outputs["failed"]
        self.undecided: bool = outputs["undecided"]
        self.exit_code: int = outputs["exit_code"]

    def sarif(self) -> Dict[str, Any]:
        return copy.deepcopy(self._sarif)

    def text(self) -> str:
        return self._text

    def markdown(self) -> str:
        return self._markdown

    @property
    def groups(self) -> List[Dict[str, Any]]:
        """The reviewed groups, as in ``to_dict()["groups"]``."""
        return copy.deepcopy(self._data["groups"])

    def __bool__(self) -> bool:
        """True iff the review passes (exit code 0)."""
        return self.exit_code == 0

    def __getstate__(self) -> Dict[str, Any]:
        return {"data": self._data, "sarif": self._sarif, "text": self._text,
                "markdown": self._markdown, "failed": self.failed, "undecided": self.undecided,
                "exit_code": self.exit_code}

    def __setstate__(self, state: Dict[str, Any]) -> None:
        self._data = state["data"]
        self._sarif, self._text, self._markdown = state["sarif"], state["text"], state["markdown"]
        self.failed, self.undecided = state["failed"], state["undecided"]
        self.exit_code = state["exit_code"]

    def _summary(self) -> str:
        s = self._data["summary"]
        verdict = "failed" if self.failed else "undecided" if self.undecided else "passed"
        return (f"{s['groups']} groups changed, {s['opened']} opened, {s['closed']} closed, "
                f"{s['introduced']} introduced, {s['resolved']} resolved: {verdict}")
