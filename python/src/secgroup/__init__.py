"""secgroup: Scaleway Instance security groups, modelled exactly.

Load groups from API JSON, build them in code, evaluate packets (one or many), analyse them
(anomalies, equivalence and diff, queries, connections, exposure, minimisation, reorder safety),
lint them, prove properties with Z3 (when built with it), and test API clients against an
in-memory mock of the Instance API. The compiled core is ``secgroup._core``; this package
re-exports it with result objects whose ``to_dict()`` equals the CLI's JSON. See docs/python.md.
"""
from __future__ import annotations

import os
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple, Union

from . import _core
from ._core import (
    HAS_Z3,
    ApiError,
    CompiledGroup,
    Decision,
    Error,
    GroupLookupError,
    MockApi,
    MockStore,
    Packet,
    ParseError,
    Rule,
    SecurityGroup,
    ValidationError,
    Where,
    WhereError,
    __version__,
    default_rules,
    groups_to_dict,
    load,
    load_group,
)
HAS_SERVER: bool = getattr(_core, "HAS_SERVER", False)
if HAS_SERVER:
    from ._core import MockServer  # noqa: F401
from ._results import (
    AnomalyReport,
    ConnectionLeg,
    ConnectionResult,
    Diff,
    DiffRegion,
    DiffWitness,
    Exposure,
    ExposureEntry,
    Finding,
    LintFinding,
    LintReport,
    Minimized,
    QueryResult,
    QueryWitness,
    Verdict,
)

__all__ = [
    "__version__", "HAS_Z3",
    "Error", "ParseError", "ValidationError", "GroupLookupError", "WhereError", "ApiError",
    "Rule", "SecurityGroup", "Packet", "Decision", "CompiledGroup", "Where",
    "load", "load_group", "groups_to_dict", "default_rules",
    "evaluate", "evaluate_many", "compile",
    "analyze", "diff", "equivalent", "includes", "query", "where", "connect", "exposure",
    "minimize", "order_constraints", "reordered", "check_reorder", "explain",
    "lint", "lint_checks",
    "MockStore", "MockApi", "HAS_SERVER",
    "AnomalyReport", "Finding", "Diff", "DiffRegion", "DiffWitness", "Verdict", "QueryResult",
    "QueryWitness", "ConnectionResult", "ConnectionLeg", "Exposure", "ExposureEntry",
    "Minimized", "LintReport", "LintFinding",
]

if HAS_SERVER:
    __all__.append("MockServer")

GroupLike = Union[SecurityGroup, str, "os.PathLike[str]", Dict[str, Any], List[Any]]

def _error(cls: type, id: str, field: str, message: str) -> Error:
    """An exception of ``cls`` shaped like a translated C++ error (id, field, message)."""
    exc = cls(f"[{id}] {field}: {message}" if field else f"[{id}] {message}")
    exc.id, exc.field, exc.message = id, field, message
    return exc


def _engine(engine: str) -> bool:
    """True for the Z3 engine; raises ParseError / ValidationError like the C++ side."""
    name = engine.lower() if isinstance(engine, str) else engine
    if name == "z3":
        if not HAS_Z3:
            raise _error(ValidationError, "secgroup.validation.203", "engine",
                         "this build of secgroup has no Z3 engine")
        return True
    if name == "interval":
        return False
    raise _error(ParseError, "secgroup.parse.103", "engine",
                 f"unknown engine {engine!r} (expected interval or z3)")


# -- Evaluation -----------------------------------------------------------------------------

def compile(group: SecurityGroup) -> CompiledGroup:  # noqa: A001 - mirrors the C++ name
    """Compiles a group for fast lookups; pass it to ``evaluate_many(..., compiled=)``."""
    return _core._compile(group)


def evaluate(group: SecurityGroup, packet: Any, engine: str = "compiled") -> Decision:
    """Decides one packet (Packet, 'DIRECTION PROTOCOL REMOTE [PORT]' or a tuple)."""
    return group.evaluate(packet, engine)


def evaluate_many(group: SecurityGroup, packets: Optional[Iterable[Any]] = None, *,
                  directions: Optional[Sequence[str]] = None,
                  protocols: Optional[Sequence[Union[str, int]]] = None,
                  remotes: Optional[Sequence[str]] = None,
                  ports: Optional[Sequence[int]] = None,
                  engine: str = "compiled",
                  compiled: Optional[CompiledGroup] = None) -> Any:
    """Decides many packets at once, compiling the group once.

    With ``packets`` (an iterable of packets, strings or tuples) returns a list of Decision.
    With the parallel sequences ``directions``, ``protocols``, ``remotes`` and optionally
    ``ports`` (a negative port stands for none) returns ``(accepted, rule)`` NumPy arrays:
    booleans, and rule indices into ``group.ordered_rules()`` with -1 for the default policy.
    """
    if packets is not None:
        if directions is not None or protocols is not None or remotes is not None or ports is not None:
            raise ValueError("give either packets or directions/protocols/remotes/ports")
        return _core._evaluate_many(group, compiled, packets, engine)
    if directions is None or protocols is None or remotes is None:
        raise ValueError("give packets, or directions, protocols and remotes")
    return _core._evaluate_arrays(group, compiled, directions, protocols, remotes, ports, engine)


# -- Analyses -------------------------------------------------------------------------------

def analyze(group: GroupLike, *, engine: str = "interval", timeout_ms: int = 10_000,
            resource_limit: int = 0, pairs: bool = True) -> AnomalyReport:
    """Shadowed, redundant, correlated and generalization findings (``secgroup analyze``)."""
    if _engine(engine):
        return AnomalyReport(_core._z3_analyze(group, timeout_ms, resource_limit, pairs))
    return AnomalyReport(_core._analyze(group))


def diff(a: GroupLike, b: GroupLike) -> Diff:
    """The semantic diff of two groups with a witness and the regions (``secgroup diff``)."""
    return Diff(_core._diff(a, b))


def equivalent(a: GroupLike, b: GroupLike, *, engine: str = "interval", timeout_ms: int = 10_000,
               resource_limit: int = 0) -> Union[Diff, Verdict]:
    """Equivalence: a Diff (interval engine, truthy iff equivalent) or a Z3 Verdict."""
    if _engine(engine):
        return Verdict(_core._z3_equivalence(a, b, timeout_ms, resource_limit))
    return diff(a, b)


def includes(a: GroupLike, b: GroupLike, *, where: Optional[Union[str, Where]] = None,
             timeout_ms: int = 10_000, resource_limit: int = 0) -> Verdict:
    """Z3: does ``a`` accept every packet ``b`` accepts (within a where expression)?"""
    _engine("z3")
    return Verdict(_core._z3_includes(a, b, None if where is None else str(where), timeout_ms, resource_limit))


def query(group: GroupLike, direction: str, *, protocol: Union[str, int, None] = None,
          remotes: Union[str, Sequence[str], None] = None, ports: Any = None,
          engine: str = "interval", timeout_ms: int = 10_000, resource_limit: int = 0) -> QueryResult:
    """Does the group accept ALL, NONE or PARTIAL of a box of packets (``secgroup query``)?"""
    if _engine(engine):
        return QueryResult(_core._z3_query(group, direction, protocol, remotes, ports, timeout_ms, resource_limit))
    return QueryResult(_core._query(group, direction, protocol, remotes, ports))


def where(group: GroupLike, expression: Union[str, Where], *, timeout_ms: int = 10_000,
          resource_limit: int = 0) -> QueryResult:
    """Z3: the answer for the packets of a where expression (``secgroup query --where``)."""
    _engine("z3")
    return QueryResult(_core._z3_where(group, str(expression), timeout_ms, resource_limit))


def explain(group: GroupLike, packet: Any) -> Tuple[Packet, List[Rule], Decision]:
    """Z3: every rule a packet matches, in evaluation order, and the decision."""
    _engine("z3")
    return _core._z3_explain(group, packet)


def connect(client_group: GroupLike, server_group: GroupLike, client: str, server: str,
            protocol: Union[str, int], ports: Any = None, *, ephemeral: Any = None) -> ConnectionResult:
    """Can ``client`` open a connection to ``server`` through both groups (``secgroup connect``)?"""
    return ConnectionResult(_core._connect(client_group, server_group, client, server, protocol, ports, ephemeral))


def exposure(group: GroupLike, direction: str = "inbound") -> Exposure:
    """What the group accepts, by protocol class and ports (``secgroup exposure``)."""
    return Exposure(_core._exposure(group, direction))


def minimize(group: GroupLike) -> Minimized:
    """The group without redundant user rules, and the diff proving nothing changed."""
    g, removed, proof = _core._minimize(group)
    return Minimized(g, removed, Diff(proof))


def order_constraints(group: GroupLike) -> List[Dict[str, Any]]:
    """Pairs of user rules whose relative order matters: {'earlier', 'later' (Rules), 'direction'}."""
    return _core._order_constraints(group)


def reordered(group: GroupLike, ids: Sequence[str]) -> SecurityGroup:
    """The group with its user rules in the order of ``ids`` (every user rule id once)."""
    return _core._reordered(group, list(ids))


def check_reorder(group: GroupLike, ids: Sequence[str]) -> Diff:
    """The diff between the group and the group reordered by ``ids``: truthy iff safe."""
    return Diff(_core._check_reorder(group, list(ids)))


# -- Lint -----------------------------------------------------------------------------------

def lint(groups: Any, config: Any = None, *, fail_on: Optional[str] = None) -> LintReport:
    """Lints groups: paths (files or directories, exactly as ``secgroup lint``), or groups.

    ``groups`` is a path, a list of paths, a SecurityGroup, a list of them, or any source
    ``load`` reads. ``config`` is a path, JSON text or a dict (.secgroup.json format);
    ``fail_on`` a severity or "none" (default: the config's, else "low").
    """
    if isinstance(groups, (str, os.PathLike)) and not (isinstance(groups, str) and groups.lstrip()[:1] in ("{", "[")):
        return LintReport(_core._lint_files([os.fspath(groups)], config, fail_on))
    if isinstance(groups, (list, tuple)) and groups and all(isinstance(g, (str, os.PathLike)) for g in groups) \
            and not any(isinstance(g, str) and g.lstrip()[:1] in ("{", "[") for g in groups):
        return LintReport(_core._lint_files([os.fspath(g) for g in groups], config, fail_on))
    if isinstance(groups, SecurityGroup):
        groups = [groups]
    elif not (isinstance(groups, (list, tuple)) and all(isinstance(g, SecurityGroup) for g in groups)):
        groups = load(groups)
    return LintReport(_core._lint_groups(list(groups), config, fail_on))


def lint_checks(config: Any = None) -> List[Dict[str, Any]]:
    """The catalogue of checks with their configured severity and state."""
    return _core._lint_catalogue(config)


# -- Methods on SecurityGroup ---------------------------------------------------------------

def _plot(self: SecurityGroup, **kwargs: Any) -> Any:
    """Draws the decision map (see secgroup.plot.decision_map)."""
    from . import plot as _plot_module
    return _plot_module.decision_map(self, **kwargs)


SecurityGroup.analyze = analyze  # type: ignore[attr-defined]
SecurityGroup.exposure = exposure  # type: ignore[attr-defined]
SecurityGroup.minimize = minimize  # type: ignore[attr-defined]
SecurityGroup.query = query  # type: ignore[attr-defined]
SecurityGroup.diff = diff  # type: ignore[attr-defined]
SecurityGroup.lint = lint  # type: ignore[attr-defined]
SecurityGroup.compile = compile  # type: ignore[attr-defined]
SecurityGroup.evaluate_many = evaluate_many  # type: ignore[attr-defined]
SecurityGroup.plot = _plot  # type: ignore[attr-defined]
SecurityGroup.regions = lambda self, direction="inbound", family="ipv4": _core._regions(self, direction, family)  # type: ignore[attr-defined]
SecurityGroup.regions.__doc__ = "The first-match regions of one direction and family (dicts), as plotted."
