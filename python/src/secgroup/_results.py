"""Result objects of the analyses: thin, picklable wrappers around the CLI's JSON documents.

One protocol for every answer:

- ``Record`` is one item (a finding, a diff region, a witness, an exposure entry, a lint
  finding, a reviewed group): ``to_dict()`` is its JSON document (JSON-safe: ``json.dumps``
  takes it), ``row()`` its flat row in a frame, records compare by value, pickle and print.
- ``Result`` is a whole answer, itself a ``Record`` whose ``to_dict()`` equals the output of
  ``secgroup <command> --format json`` on the same input. It holds items: ``len(result)``,
  ``for item in result``, ``result.frame()`` (a pandas DataFrame, one row per item, readable
  columns), ``_repr_html_`` (the same table in a notebook). A result has no truth value:
  ``bool(result)`` raises TypeError naming the property to ask instead (``diff.differs``,
  ``report.passed``, ``verdict.holds``...), so no ``if`` reads backwards.

The C++ side (python/src/core/common.hpp, ``result()``) builds these classes when a call returns.
"""
from __future__ import annotations

import copy
import html
import ipaddress
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple

from . import _core

__all__ = [
    "Record", "Result", "Decisions", "Finding", "AnomalyReport", "DiffRegion", "DiffWitness", "Diff",
    "Verdict", "QueryWitness", "QueryResult", "ConnectionLeg", "ConnectionResult",
    "ExposureEntry", "Exposure", "Minimized", "LintFinding", "LintReport", "ReviewGroup",
    "ReviewReport",
]

PANDAS_HINT = ("pandas is needed for frame(): install it with `apt-get install python3-pandas` "
               "(Debian), or use rows(), the same rows as dicts")


def _packet(d: Optional[Dict[str, Any]]) -> Optional[_core.Packet]:
    if d is None:
        return None
    return _core.Packet(d["direction"], d["protocol"], d["remote"], d.get("port"))


def _packet_text(d: Optional[Dict[str, Any]]) -> Optional[str]:
    """'inbound tcp 8.8.8.8 22', the packet form the CLI reads (None stays None)."""
    return None if d is None else str(_packet(d))


def _ports_text(ports: Any) -> Optional[str]:
    """'22', '80-443' or '22, 80-443' from one {'from', 'to'} or a list of them; None: no ports."""
    if ports is None:
        return None
    if isinstance(ports, dict):
        ports = [ports]
    return ", ".join(str(p["from"]) if p["from"] == p["to"] else f"{p['from']}-{p['to']}"
                     for p in ports)


def _table(headers: Sequence[str], rows: List[List[Any]], caption: str) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape('' if c is None else str(c))}</td>" for c in row) + "</tr>"
        for row in rows)
    return (f"<table><caption>{html.escape(caption)}</caption><thead><tr>{head}</tr></thead>"
            f"<tbody>{body}</tbody></table>")


def _pandas() -> Any:
    try:
        import pandas  # deferred: importing secgroup must not need pandas
    except ImportError as e:
        raise ImportError(PANDAS_HINT) from e
    return pandas


def rule_row(rule: _core.Rule) -> Dict[str, Any]:
    """The frame row of a Rule: position, id, direction, action, protocol, remote, ports."""
    return {"position": rule.position, "rule_id": rule.id, "direction": rule.direction,
            "action": rule.action, "protocol": rule.protocol, "remote": rule.ip_range,
            "ports": None if rule.ports is None else _ports_text(
                {"from": rule.ports[0], "to": rule.ports[1]})}


def _named_rules(labels: Sequence[str], texts: Sequence[str]) -> Optional[str]:
    """'rule at position 1: inbound accept TCP 0.0.0.0/0 22; ...' (None when there are none)."""
    return "; ".join(f"{label}: {text}" for label, text in zip(labels, texts)) or None


def _lint_rule_label(r: Dict[str, Any]) -> str:
    """A lint report's rule reference named as rule_label() names rules: "rule ID (position
    N)", "rule at position N", "default SMTP rule ..." for the rules of enable_default_security."""
    kind = "default SMTP rule" if r.get("default_rule") else "rule"
    if r.get("id"):
        return f"{kind} {r['id']} (position {r['position']})"
    return f"{kind} at position {r['position']}"


def _lint_rules_text(rules: Sequence[Dict[str, Any]]) -> Optional[str]:
    """The frame cell of a lint finding's rules: 'LABEL: TEXT; ...' (None when there are none)."""
    return _named_rules([_lint_rule_label(r) for r in rules], [r["rule"] for r in rules])


class Record:
    """One JSON document with typed attributes: an item of a Result, or a Result itself.

    ``to_dict()`` returns a deep copy of the document (JSON-safe), ``row()`` its flat row in a
    frame (column name to a str, number, bool or None). Records of one class compare equal when
    their documents are; they pickle (the document travels) and are not hashable.
    """

    __slots__ = ("_data",)

    def __init__(self, data: Dict[str, Any]) -> None:
        self._data = data

    def to_dict(self) -> Dict[str, Any]:
        """A deep copy of the document; ``json.dumps`` takes it as it is."""
        return copy.deepcopy(self._data)

    def row(self) -> Dict[str, Any]:
        """This record as one frame row (readable scalars); the document's scalars by default."""
        return {k: v for k, v in self._data.items() if not isinstance(v, (dict, list))}

    def _slot_names(self) -> List[str]:
        return [name for cls in type(self).__mro__ for name in getattr(cls, "__slots__", ())]

    def __getstate__(self) -> Dict[str, Any]:
        return {name: getattr(self, name) for name in self._slot_names()}

    def __setstate__(self, state: Dict[str, Any]) -> None:
        for name, value in state.items():
            object.__setattr__(self, name, value)

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self.__getstate__() == other.__getstate__()  # type: ignore[attr-defined]

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._summary()})"

    def _summary(self) -> str:
        return ""


class Result(Record):
    """A whole answer: a Record holding items, which ``len``, iteration and ``frame()`` see.

    ``frame()`` is a pandas DataFrame with one row per item (``Record.row()``) and the columns
    of ``columns``, in pandas' nullable dtypes (a missing value is ``<NA>``); pandas is imported
    then (ImportError naming the Debian package when absent).
    ``_repr_html_`` is the same table for notebooks. ``bool(result)`` raises TypeError: ask the
    property its message names.
    """

    __slots__ = ()

    #: The columns of ``frame()`` and of the HTML table, in order.
    columns: Tuple[str, ...] = ()
    #: The properties to ask instead of bool(), named by the TypeError.
    _truth = "len()"

    def _items(self) -> List[Any]:
        return []

    def _row(self, item: Any) -> Dict[str, Any]:
        return item.row()

    def __len__(self) -> int:
        return len(self._items())

    def __iter__(self) -> Iterator[Any]:
        return iter(self._items())

    def __bool__(self) -> bool:
        raise TypeError(f"the truth value of a {type(self).__name__} is ambiguous: "
                        f"use {self._truth}")

    def rows(self) -> List[Dict[str, Any]]:
        """The items as frame rows (dicts with the keys of ``columns``), without pandas."""
        return [{c: self._row(i).get(c) for c in self.columns} for i in self._items()]

    def frame(self) -> Any:
        """A pandas DataFrame: one row per item, the columns of ``columns``.

        Raises ImportError (naming ``apt-get install python3-pandas``) when pandas is absent.
        """
        frame = _pandas().DataFrame(self.rows(), columns=list(self.columns))
        # pandas' nullable dtypes: a rule position absent (the default policy) reads <NA> in an
        # integer column, not NaN in a float one.
        return frame.convert_dtypes()

    def _caption(self) -> str:
        return f"{type(self).__name__}: {self._summary()}"

    def _repr_html_(self) -> str:
        rows = [[r[c] for c in self.columns] for r in self.rows()]
        return _table(self.columns, rows, self._caption())


# -- Evaluation -----------------------------------------------------------------------------

def _remote_text(value: Any) -> str:
    """An address as text: a str as given, an ipaddress object or an integer (NumPy too) read by
    ipaddress.ip_address (below 2**32: IPv4)."""
    if isinstance(value, str):
        return value
    if hasattr(value, "__index__"):
        value = int(value)
    return str(ipaddress.ip_address(value))


class Decisions(Result):
    """The decisions of a batch of packets (``evaluate_many``); items: Decision, one per packet.

    ``accepted`` (bool) and ``rule`` (int64 index into ``group.ordered_rules()``, -1 for the
    default policy) are NumPy arrays, computed once; the Decision items are made when first
    asked for (``batch[k]``, iteration). ``frame()`` has the packet's text beside each decision.
    ``to_dict()`` is ``{"packets": [text], "decisions": [Decision.to_dict()]}``.
    """

    __slots__ = ("group", "accepted", "rule", "_packets", "_columns", "_decisions")
    columns = ("packet", "action", "rule", "position", "rule_id")
    _truth = "batch.accepted.all() or batch.accepted.any()"

    def __init__(self, group: _core.SecurityGroup, accepted: Any, rule: Any,
                 packets: Optional[List[_core.Packet]] = None,
                 columns: Optional[Dict[str, Any]] = None) -> None:
        super().__init__({})
        self.group = group
        self.accepted = accepted
        self.rule = rule
        self._packets = packets
        self._columns = columns
        self._decisions: Optional[List[_core.Decision]] = None

    def __len__(self) -> int:
        return len(self.accepted)

    def _items(self) -> List[Any]:
        if self._decisions is None:
            self._decisions = _core._decisions(self.group, self.accepted, self.rule)
        return self._decisions

    def __getitem__(self, k: int) -> _core.Decision:
        return self._items()[k]

    def packet(self, k: int) -> _core.Packet:
        """The k-th packet decided."""
        if self._packets is not None:
            return self._packets[k]
        c = self._columns or {}

        def at(name: str) -> Any:
            v: Any = c.get(name)
            broadcast = v is None or isinstance(v, str) or not hasattr(v, "__len__")
            return v if broadcast else v[k]
        port = at("ports")
        port = None if port is None or int(port) < 0 else int(port)
        protocol = at("protocols")
        protocol = protocol if isinstance(protocol, str) else int(protocol)
        return _core.Packet(at("directions"), protocol, _remote_text(at("remotes")), port)

    def packets(self) -> List[_core.Packet]:
        """The packets decided, in order."""
        return [self.packet(k) for k in range(len(self))]

    def to_dict(self) -> Dict[str, Any]:
        return {"packets": [str(p) for p in self.packets()],
                "decisions": [d.to_dict() for d in self._items()]}

    def rows(self) -> List[Dict[str, Any]]:
        return [{"packet": str(self.packet(k)), "action": d.action, "rule": d.rule,
                 "position": d.position, "rule_id": d.rule_id}
                for k, d in enumerate(self._items())]

    def __getstate__(self) -> Dict[str, Any]:
        state = super().__getstate__()
        state["_decisions"] = None  # made again from the arrays
        return state

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return (self.group == other.group and self.to_dict() == other.to_dict())  # type: ignore[attr-defined]

    def _summary(self) -> str:
        return f"{len(self)} packets, {int(self.accepted.sum())} accepted"


# -- Anomalies ------------------------------------------------------------------------------

class Finding(Record):
    """One anomaly of a user rule (``kind``: shadowed, redundant, correlated, generalization).

    ``reason`` says why (docs/semantics.md, "Anomalies"):

    - ``blocked`` (shadowed): earlier rules decide every packet of the rule, some with the
      other action, so the rule never decides anything;
    - ``covered`` (redundant): earlier rules decide every packet of the rule, all with its
      action;
    - ``falls_through`` (redundant): the rule decides packets, but without it they reach later
      rules (or, when ``to_default``, the default policy) that decide them alike;
    - ``partial_overlap`` (correlated): an earlier rule of the other action overlaps it;
    - ``generalizes`` (generalization): it contains an earlier rule of the other action.

    ``related`` lists the ids of the rules involved (None for a rule without one; the frame's
    ``related`` column joins the ids there are, and is missing when there are none);
    ``witness`` is a Packet showing the finding (or None).

    The rules themselves: ``rule`` is the Rule the finding is about and ``rule_text`` its text
    (e.g. ``"inbound accept TCP 0.0.0.0/0 22"``), ``label`` names it as the CLI does ("rule at
    position 2", "rule ssh (position 2)"); ``related_rules`` are the rules involved (Rule
    objects, in the order of ``related``), ``related_texts`` their texts and
    ``related_labels`` their names, where a default SMTP rule of enable_default_security reads
    "default SMTP rule ..." (``smtp_default`` per rule: ``related_smtp_default``). They are
    None (lists: empty) for a Finding made from a document alone, as ``to_dict()`` is the
    CLI's JSON, which names rules by id.
    """

    __slots__ = ("_rules",)

    def __init__(self, data: Dict[str, Any], rules: Optional[Dict[str, Any]] = None) -> None:
        super().__init__(data)
        self._rules = rules

    kind = property(lambda self: self._data["kind"])
    rule_id = property(lambda self: self._data["rule_id"])
    position = property(lambda self: self._data["position"])
    direction = property(lambda self: self._data["direction"])
    related = property(lambda self: list(self._data["related"]))
    reason = property(lambda self: self._data["reason"])
    to_default = property(lambda self: self._data.get("to_default", False))
    witness = property(lambda self: _packet(self._data["witness"]))

    @property
    def rule(self) -> Optional[_core.Rule]:
        """The Rule this finding is about (None for a Finding made from a document alone)."""
        return None if self._rules is None else self._rules["rule"]

    @property
    def rule_text(self) -> Optional[str]:
        """The text of ``rule``, e.g. ``"inbound accept TCP 0.0.0.0/0 22"`` (or None)."""
        return None if self._rules is None else str(self._rules["rule"])

    @property
    def label(self) -> Optional[str]:
        """The rule's name as the CLI writes it: "rule ID (position N)" or "rule at position N"."""
        return None if self._rules is None else self._rules["label"]

    @property
    def related_rules(self) -> List[_core.Rule]:
        """The Rules involved, in the order of ``related`` (empty without them)."""
        return [] if self._rules is None else list(self._rules["related"])

    @property
    def related_texts(self) -> List[str]:
        """The texts of ``related_rules``."""
        return [str(r) for r in self.related_rules]

    @property
    def related_labels(self) -> List[str]:
        """The names of ``related_rules``: "rule ...", or "default SMTP rule ..." for the rules
        of enable_default_security."""
        return [] if self._rules is None else list(self._rules["related_labels"])

    @property
    def related_smtp_default(self) -> List[bool]:
        """Per related rule: True when it is one of the default SMTP rules."""
        return [] if self._rules is None else list(self._rules["related_smtp_default"])

    def row(self) -> Dict[str, Any]:
        return {"kind": self.kind, "position": self.position, "rule_id": self.rule_id,
                "rule_text": self.rule_text, "direction": self.direction, "reason": self.reason,
                "related": ", ".join(r for r in self._data["related"] if r is not None) or None,
                "related_rules": _named_rules(self.related_labels, self.related_texts),
                "to_default": self.to_default, "witness": _packet_text(self._data["witness"])}

    def _summary(self) -> str:
        name = self.label or f"rule {self.rule_id or ''} position {self.position}"
        text = f" ({self.rule_text})" if self.rule_text else ""
        return f"{self.kind} {name}{text}: {self.reason}"


class AnomalyReport(Result):
    """The anomalies of every user rule of a group (``secgroup analyze``); items: Finding."""

    __slots__ = ("_rules",)
    columns = ("kind", "position", "rule_id", "rule_text", "direction", "reason", "related",
               "related_rules", "to_default", "witness")
    _truth = "len(report) or report.findings"

    def __init__(self, data: Dict[str, Any], rules: Optional[List[Dict[str, Any]]] = None) -> None:
        super().__init__(data)
        #: Per finding: {"rule", "label", "related", "related_labels", "related_smtp_default"}
        #: (analysis.cpp, finding_rules()).
        self._rules = rules

    @property
    def findings(self) -> List[Finding]:
        """The findings, in the CLI's order, each with its rules (``Finding.rule``)."""
        rules: List[Optional[Dict[str, Any]]] = (list(self._rules) if self._rules is not None
                                                 else [None] * len(self._data["findings"]))
        return [Finding(f, r) for f, r in zip(self._data["findings"], rules)]

    @property
    def unknown(self) -> List[Dict[str, Any]]:
        """Questions the Z3 engine left open (always empty for the interval engine)."""
        return copy.deepcopy(self._data.get("unknown", []))

    def _items(self) -> List[Any]:
        return self.findings

    def _summary(self) -> str:
        return f"{len(self)} findings"


# -- Diff and verdicts ----------------------------------------------------------------------

class DiffWitness(Record):
    """A packet two groups decide differently, with both decisions (dicts: action, rule_id,
    position; rule_id and position None for the default policy)."""

    __slots__ = ()
    packet = property(lambda self: _packet(self._data))
    a = property(lambda self: dict(self._data["a"]))
    b = property(lambda self: dict(self._data["b"]))

    def row(self) -> Dict[str, Any]:
        return {"packet": _packet_text(self._data), "a": self._data["a"]["action"],
                "a_position": self._data["a"]["position"], "b": self._data["b"]["action"],
                "b_position": self._data["b"]["position"]}

    def _summary(self) -> str:
        return f"{self.packet}: a {self.a['action']}, b {self.b['action']}"


class DiffRegion(Record):
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

    def row(self) -> Dict[str, Any]:
        d = self._data
        return {"change": d["change"], "direction": d["direction"], "family": d["family"],
                "protocol": d["protocol"], "ports": _ports_text(d["ports"]),
                "remote": ", ".join(d["remote"]["cidrs"]), "a": d["a"]["action"],
                "a_position": d["a"]["position"], "b": d["b"]["action"],
                "b_position": d["b"]["position"]}

    def _summary(self) -> str:
        return (f"{self.change} {self.direction} {self.family} {self.protocol} ports {self.ports} "
                f"remote {self.remote['first']}-{self.remote['last']}")


class Diff(Result):
    """The semantic diff of two groups (``secgroup diff``); items: DiffRegion.

    ``differs`` / ``equivalent`` answer the question (``holds`` too, as on the Verdict that
    ``equivalent(..., engine="z3")`` returns); ``witness`` is one packet decided differently (or
    None).
    """

    __slots__ = ()
    columns = ("change", "direction", "family", "protocol", "ports", "remote", "a", "a_position",
               "b", "b_position")
    _truth = "diff.differs or diff.equivalent"

    equivalent = property(lambda self: bool(self._data["equivalent"]),
                          doc="True iff both groups decide every packet alike.")
    differs = property(lambda self: not self._data["equivalent"],
                       doc="True iff some packet is decided differently (not equivalent).")
    holds = property(lambda self: bool(self._data["equivalent"]),
                     doc="The equivalence holds (= ``equivalent``): ``equivalent(a, b)`` is read "
                         "through ``.holds`` and ``.witness`` whatever the engine, as a Z3 Verdict is.")

    @property
    def witness(self) -> Optional[DiffWitness]:
        w = self._data["witness"]
        return None if w is None else DiffWitness(w)

    @property
    def regions(self) -> List[DiffRegion]:
        """The regions decided differently (empty when equivalent)."""
        return [DiffRegion(r) for r in self._data["regions"]]

    def _items(self) -> List[Any]:
        return self.regions

    def _summary(self) -> str:
        if self.equivalent:
            return "equivalent"
        return f"not equivalent, {len(self._data['regions'])} regions, witness {self.witness!r}"

    def _caption(self) -> str:
        return "equivalent" if self.equivalent else f"{len(self)} regions differ"


class Verdict(Result):
    """A Z3 verdict (``diff --engine z3``, ``--includes``); items: the witness (none or one).

    ``holds`` is True, False or None (unknown: ``reason`` says why).
    """

    __slots__ = ()
    columns = ("packet", "a", "a_position", "b", "b_position")
    _truth = "verdict.holds (True, False or None)"

    @property
    def holds(self) -> Optional[bool]:
        key = "equivalent" if "equivalent" in self._data else "includes"
        return self._data[key]

    @property
    def witness(self) -> Optional[DiffWitness]:
        w = self._data["witness"]
        return None if w is None else DiffWitness(w)

    reason = property(lambda self: self._data.get("reason"))

    def _items(self) -> List[Any]:
        w = self.witness
        return [] if w is None else [w]

    def _summary(self) -> str:
        return f"holds={self.holds}" + (f", reason={self.reason!r}" if self.reason else "")


# -- Queries and connections ----------------------------------------------------------------

class QueryWitness(Record):
    """A packet of a query box, with the group's decision."""

    __slots__ = ()
    packet = property(lambda self: _packet(self._data))
    action = property(lambda self: self._data["action"])
    rule_id = property(lambda self: self._data["rule_id"])
    position = property(lambda self: self._data["position"])

    def row(self) -> Dict[str, Any]:
        return {"packet": _packet_text(self._data), "action": self.action,
                "rule_id": self.rule_id, "position": self.position}

    def _summary(self) -> str:
        return f"{self.packet} -> {self.action}"


class QueryResult(Result):
    """How much of a box of packets a group accepts: ``answer`` ALL, NONE, PARTIAL (or UNKNOWN
    on Z3); items: the witnesses (an accepted packet, a dropped packet, when they exist)."""

    __slots__ = ()
    columns = ("packet", "action", "rule_id", "position")
    _truth = "result.answer ('ALL', 'NONE', 'PARTIAL' or 'UNKNOWN')"

    answer = property(lambda self: self._data["answer"])
    accepted = property(lambda self: None if self._data["accepted"] is None else QueryWitness(self._data["accepted"]))
    dropped = property(lambda self: None if self._data["dropped"] is None else QueryWitness(self._data["dropped"]))
    reason = property(lambda self: self._data.get("reason"))

    @property
    def witnesses(self) -> List[QueryWitness]:
        """The accepted then the dropped witness, those that exist."""
        return [w for w in (self.accepted, self.dropped) if w is not None]

    def _items(self) -> List[Any]:
        return self.witnesses

    def _summary(self) -> str:
        return self.answer


class ConnectionLeg(QueryResult):
    """One leg of a connection ("client outbound", "server inbound", reply legs)."""

    __slots__ = ()
    leg = property(lambda self: self._data["leg"])

    def row(self) -> Dict[str, Any]:
        return {"leg": self.leg, "answer": self.answer,
                "accepted": _packet_text(self._data["accepted"]),
                "dropped": _packet_text(self._data["dropped"]), "reason": self.reason}

    def _summary(self) -> str:
        return f"{self.leg}: {self.answer}"


class ConnectionResult(Result):
    """Whether a connection gets through (``secgroup connect``); items: ConnectionLeg."""

    __slots__ = ()
    columns = ("leg", "answer", "accepted", "dropped", "reason")
    _truth = "result.answer ('ALL', 'NONE' or 'PARTIAL')"

    answer = property(lambda self: self._data["answer"])
    legs = property(lambda self: [ConnectionLeg(leg) for leg in self._data["legs"]])
    forward_ports = property(lambda self: None if self._data["forward_ports"] is None else
                             [(p["from"], p["to"]) for p in self._data["forward_ports"]])
    reply_ports = property(lambda self: None if self._data["reply_ports"] is None else
                           [(p["from"], p["to"]) for p in self._data["reply_ports"]])

    def _items(self) -> List[Any]:
        return self.legs

    def _summary(self) -> str:
        return self.answer


# -- Exposure and minimisation --------------------------------------------------------------

class ExposureEntry(Record):
    """Ports of one protocol class sharing one accepted address set."""

    __slots__ = ()
    family = property(lambda self: self._data["family"])
    protocol = property(lambda self: self._data["protocol"])
    ports = property(lambda self: None if self._data["ports"] is None else
                     [(p["from"], p["to"]) for p in self._data["ports"]])
    accepted = property(lambda self: list(self._data["accepted"]))
    address_count = property(lambda self: int(self._data["address_count"]))

    def row(self) -> Dict[str, Any]:
        return {"family": self.family, "protocol": self.protocol,
                "ports": _ports_text(self._data["ports"]),
                "accepted": ", ".join(self._data["accepted"]), "addresses": self.address_count}

    def _summary(self) -> str:
        return f"{self.family} {self.protocol} {self.ports}: {len(self.accepted)} networks"


class Exposure(Result):
    """What a group accepts in one direction (``secgroup exposure``); items: ExposureEntry."""

    __slots__ = ()
    columns = ("family", "protocol", "ports", "accepted", "addresses")
    _truth = "len(exposure) or exposure.entries"

    direction = property(lambda self: self._data["direction"])
    entries = property(lambda self: [ExposureEntry(e) for e in self._data["entries"]])

    def _items(self) -> List[Any]:
        return self.entries

    def _summary(self) -> str:
        return f"{self.direction}, {len(self)} entries"

    def _caption(self) -> str:
        return f"{self.direction} exposure"


class Minimized(Result):
    """A minimised group (``group``), the user rules removed (``removed``, the items) and the
    diff proving both decide alike (``proof``). ``to_dict()`` is the minimal group as an API
    export (what ``secgroup minimize`` prints)."""

    __slots__ = ("group", "removed", "proof")
    columns = ("position", "rule_id", "direction", "action", "protocol", "remote", "ports")
    _truth = "minimized.removed"

    def __init__(self, group: _core.SecurityGroup, removed: List[_core.Rule], proof: Diff) -> None:
        super().__init__({})
        self.group = group
        self.removed = removed
        self.proof = proof

    def to_dict(self) -> Dict[str, Any]:
        return self.group.to_dict()

    def row(self) -> Dict[str, Any]:
        return {"removed": len(self.removed), "equivalent": self.proof.equivalent}

    def _items(self) -> List[Any]:
        return list(self.removed)

    def _row(self, item: Any) -> Dict[str, Any]:
        return rule_row(item)

    def _summary(self) -> str:
        return f"{len(self.removed)} rules removed, equivalent={self.proof.equivalent}"


# -- Lint and review ------------------------------------------------------------------------

class LintFinding(Record):
    """One lint finding, with the group it is about (``group``: its name, else its id)."""

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
    #: The rules the finding is about: dicts with id, position, default_rule (a default SMTP
    #: rule), line and rule (its text, e.g. "inbound accept TCP 0.0.0.0/0 22").
    rules = property(lambda self: copy.deepcopy(self._data.get("rules", [])))
    #: The other rules involved, as ``rules``.
    related = property(lambda self: copy.deepcopy(self._data.get("related", [])))
    #: The texts of ``rules``.
    rule_texts = property(lambda self: [r["rule"] for r in self._data.get("rules", [])])

    def row(self) -> Dict[str, Any]:
        return {"group": self.group, "address": self.address, "check": self.check,
                "name": self._data.get("name"), "severity": self.severity,
                "message": self.message, "rules": _lint_rules_text(self._data.get("rules", [])),
                "related": _lint_rules_text(self._data.get("related", [])),
                "line": self._data.get("line"), "suppressed": self.suppressed,
                "undecided": self.undecided}

    def _summary(self) -> str:
        return f"{self.check} {self.severity}: {self.message}"


class LintReport(Result):
    """A lint run; items: LintFinding, every group's findings in one list.

    ``to_dict()`` is ``secgroup lint --format json``, ``sarif()`` the SARIF log, ``text()``
    the text report; ``passed`` / ``failed`` the verdict against ``fail_on``.
    """

    __slots__ = ("_sarif", "_text", "failed", "exit_code")
    columns = ("group", "address", "check", "name", "severity", "message", "rules", "related",
               "line", "suppressed", "undecided")
    _truth = "report.passed or report.failed"

    def __init__(self, outputs: Dict[str, Any]) -> None:
        super().__init__(outputs["report"])
        self._sarif = outputs["sarif"]
        self._text = outputs["text"]
        self.failed: bool = outputs["failed"]
        self.exit_code: int = outputs["exit_code"]

    @property
    def passed(self) -> bool:
        """True iff no finding reaches the ``fail_on`` severity (exit code 0)."""
        return not self.failed

    def sarif(self) -> Dict[str, Any]:
        """The SARIF 2.1.0 log (``secgroup lint --format sarif``)."""
        return copy.deepcopy(self._sarif)

    def text(self) -> str:
        """The text report (the CLI's, the threshold written ``fail_on='low'``)."""
        return self._text

    @property
    def findings(self) -> List[LintFinding]:
        """Every finding of every group, each with ``group`` (name, else id) and ``address``."""
        out = []
        for g in self._data["groups"]:
            for f in g["findings"]:
                item = dict(f)
                item["group"] = g.get("name") or g.get("id")
                if "address" in g:
                    item["address"] = g["address"]
                out.append(LintFinding(item))
        return out

    def _items(self) -> List[Any]:
        return self.findings

    def _summary(self) -> str:
        return f"{len(self)} findings, {'passed' if self.passed else 'failed'}"

    def _caption(self) -> str:
        return f"{len(self)} lint findings: {'PASSED' if self.passed else 'FAILED'}"


class ReviewGroup(Record):
    """One group a change touches: its change, traffic outcome, opened and closed items,
    findings introduced and resolved (docs/review.md). ``group["key"]`` reads its JSON."""

    __slots__ = ()
    address = property(lambda self: self._data["address"])
    id = property(lambda self: self._data["id"])
    name = property(lambda self: self._data["name"])
    change = property(lambda self: self._data["change"])
    traffic = property(lambda self: self._data["traffic"])
    summary = property(lambda self: self._data["summary"])
    opened = property(lambda self: copy.deepcopy(self._data["opened"]))
    closed = property(lambda self: copy.deepcopy(self._data["closed"]))
    introduced = property(lambda self: copy.deepcopy(self._data["introduced"]))
    resolved = property(lambda self: copy.deepcopy(self._data["resolved"]))

    def __getitem__(self, key: str) -> Any:
        return copy.deepcopy(self._data[key])

    def row(self) -> Dict[str, Any]:
        d = self._data
        return {"address": d["address"] or None, "name": d["name"] or d["id"],
                "change": d["change"], "traffic": d["traffic"], "rules": d["rules"],
                "opened": len(d["opened"]), "closed": len(d["closed"]),
                "introduced": len(d["introduced"]), "resolved": len(d["resolved"]),
                "summary": d["summary"]}

    def _summary(self) -> str:
        return f"{self._data['address'] or self._data['name'] or self._data['id']}: {self.summary}"


class ReviewReport(Result):
    """A review of a change; items: ReviewGroup.

    ``to_dict()`` is ``secgroup review --format json``; ``sarif()``, ``markdown()`` and
    ``text()`` the other formats; ``passed``, ``failed``, ``undecided`` the verdict and
    ``exit_code`` the CLI's (0, 1 or 4).
    """

    __slots__ = ("_sarif", "_text", "_markdown", "failed", "undecided", "exit_code")
    columns = ("address", "name", "change", "traffic", "rules", "opened", "closed", "introduced",
               "resolved", "summary")
    _truth = "report.passed, report.failed or report.undecided"

    def __init__(self, outputs: Dict[str, Any]) -> None:
        super().__init__(outputs["report"])
        self._sarif = outputs["sarif"]
        self._text = outputs["text"]
        self._markdown = outputs["markdown"]
        self.failed: bool = outputs["failed"]
        self.undecided: bool = outputs["undecided"]
        self.exit_code: int = outputs["exit_code"]

    @property
    def passed(self) -> bool:
        """True iff the review passes: nothing failed, nothing undecided (exit code 0)."""
        return self.exit_code == 0

    def sarif(self) -> Dict[str, Any]:
        return copy.deepcopy(self._sarif)

    def text(self) -> str:
        return self._text

    def markdown(self) -> str:
        return self._markdown

    @property
    def groups(self) -> List[ReviewGroup]:
        """The reviewed groups (``to_dict()["groups"]``, one ReviewGroup each)."""
        return [ReviewGroup(g) for g in self._data["groups"]]

    def _items(self) -> List[Any]:
        return self.groups

    def _summary(self) -> str:
        s = self._data["summary"]
        verdict = "failed" if self.failed else "undecided" if self.undecided else "passed"
        return (f"{s['groups']} groups changed, {s['opened']} opened, {s['closed']} closed, "
                f"{s['introduced']} introduced, {s['resolved']} resolved: {verdict}")
