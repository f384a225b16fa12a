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
    MissingFileError,
    MockApi,
    MockStore,
    Packet,
    ParseError,
    RemoteError,
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
HAS_CLIENT: bool = getattr(_core, "HAS_CLIENT", False)
if HAS_CLIENT:
    from ._core import ApiRead  # noqa: F401
from ._results import (
    AnomalyReport,
    ConnectionLeg,
    ConnectionResult,
    Decisions,
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
    Record,
    Result,
    ReviewGroup,
    ReviewReport,
    Verdict,
)

__all__ = [
    "__version__", "HAS_Z3",
    "Error", "ParseError", "MissingFileError", "ValidationError", "GroupLookupError",
    "WhereError", "ApiError", "RemoteError", "HAS_CLIENT", "read_api",
    "Rule", "SecurityGroup", "Packet", "Decision", "CompiledGroup", "Where",
    "load", "load_group", "groups_to_dict", "default_rules",
    "evaluate", "evaluate_many", "compile",
    "analyze", "diff", "equivalent", "includes", "query", "where", "connect", "exposure",
    "minimize", "order_constraints", "reordered", "check_reorder", "explain",
    "lint", "lint_checks", "review",
    "MockStore", "MockApi", "HAS_SERVER",
    "Record", "Result", "Decisions", "AnomalyReport", "Finding", "Diff", "DiffRegion",
    "DiffWitness", "Verdict", "QueryResult", "QueryWitness", "ConnectionResult", "ConnectionLeg",
    "Exposure", "ExposureEntry", "Minimized", "LintReport", "LintFinding", "ReviewReport",
    "ReviewGroup",
]

if HAS_SERVER:
    __all__.append("MockServer")
if HAS_CLIENT:
    __all__.append("ApiRead")


def __dir__() -> List[str]:
    """The public names (``__all__``), the submodule ``plot`` and the module's dunders; not
    the helpers this module imports (``os``, ``typing`` names)."""
    return sorted(set(__all__) | {"plot"} | {n for n in globals() if n.startswith("__")})


GroupLike = Union[SecurityGroup, str, "os.PathLike[str]", Dict[str, Any], List[Any]]

# The functions below take the same arguments as the SecurityGroup methods of the same name
# (bound in C++: python/src/core/common.hpp explains the design) and call the same C++ code.
# They are Python functions so that they pickle by name and show their signatures.

# -- The live API as a source ---------------------------------------------------------------

def read_api(source: str = "api:", *, profile: Optional[str] = None,
             config_path: Optional[Union[str, "os.PathLike[str]"]] = None,
             allow_partial: bool = False) -> "ApiRead":
    """Reads the groups ``source`` names from the live Instance API (``api:``, ``api:ZONE``,
    ``api:ZONE,ZONE``, ``api:ZONE/GROUP_ID``) with the credentials the official clients would
    use (the SCW_* variables of os.environ over the scw config file; ``profile`` and
    ``config_path`` choose as the scw CLI's -p and -c). Returns an ApiRead (groups, zones,
    missing, complete, warnings, notes, export()), which every function taking groups takes.
    Raises ParseError, ValidationError, RemoteError or GroupLookupError (see docs/sources.md),
    and ImportError when this module was built without the client (SECGROUP_WITH_CLIENT).
    An ``api:`` string passed where groups are expected is read the same way, with the
    defaults (every zone must answer).
    """
    if not HAS_CLIENT:
        raise ImportError("secgroup was built without the Instance API client (CMake option "
                          "SECGROUP_WITH_CLIENT, which needs cpp-httplib with OpenSSL): "
                          "read_api() is unavailable")
    return _core.read_api(source, profile=profile,
                          config_path=None if config_path is None else os.fspath(config_path),
                          allow_partial=allow_partial)


# -- Evaluation -----------------------------------------------------------------------------

def compile(group: SecurityGroup) -> CompiledGroup:  # noqa: A001 - mirrors the C++ name
    """Compiles a group for fast lookups: returns a CompiledGroup (``.evaluate``,
    ``.evaluate_many``), or pass it to ``evaluate_many(..., compiled=)``. Raises TypeError for
    anything but a SecurityGroup."""
    return _core._compile(group)


def evaluate(group: SecurityGroup, packet: Any, engine: str = "compiled") -> Decision:
    """Decides one packet (Packet, 'DIRECTION PROTOCOL REMOTE [PORT]' or a tuple): returns a
    Decision (``action``, ``rule``, ``rule_id``, ``position``, ``by_default``). Raises ParseError
    for a malformed packet (``secgroup.parse.108`` for a missing port) or an unknown engine."""
    return group.evaluate(packet, engine)


def evaluate_many(group: SecurityGroup, packets: Optional[Iterable[Any]] = None, *,
                  directions: Optional[Sequence[str]] = None,
                  protocols: Optional[Sequence[Union[str, int]]] = None,
                  remotes: Optional[Sequence[str]] = None,
                  ports: Optional[Sequence[int]] = None,
                  engine: str = "compiled",
                  compiled: Optional[CompiledGroup] = None) -> Decisions:
    """Decides many packets at once, compiling the group once; returns a Decisions batch.

    The packets are ``packets`` (an iterable of Packets, strings or tuples) or the parallel
    columns ``directions``, ``protocols``, ``remotes`` and optionally ``ports`` (a negative port
    stands for none; a column given as one value applies to every packet). The batch holds one
    Decision per packet (``len``, iteration, ``batch[k]``), the NumPy arrays ``accepted`` (bool)
    and ``rule`` (int64 index into ``group.ordered_rules()``, -1 for the default policy), and
    ``frame()``. Raises ParseError naming the packet or column at fault, ValidationError for
    columns of different lengths or a ``compiled`` of another group, ValueError when both or
    neither form of packets is given.
    """
    return _core._evaluate_many(group, packets, directions=directions, protocols=protocols,
                                remotes=remotes, ports=ports, engine=engine, compiled=compiled)


# -- Analyses -------------------------------------------------------------------------------

def analyze(group: GroupLike, *, engine: str = "interval", timeout_ms: int = 10_000,
            resource_limit: int = 0, pairs: bool = True) -> AnomalyReport:
    """Shadowed, redundant, correlated and generalization findings (``secgroup analyze``): returns
    an AnomalyReport, its items the Findings (``help(secgroup.Finding)`` explains each
    ``reason``). Raises MissingFileError (also FileNotFoundError) for a path that does not exist,
    ParseError for input that cannot be read as groups or names the library does not know (an
    engine, a direction), ValidationError for values the model refuses, GroupLookupError when a
    source holds no or several groups. With ``engine="z3"``: ValidationError when the module was
    built without Z3 (``HAS_Z3``).
    """
    return _core._analyze(group, engine=engine, timeout_ms=timeout_ms,
                          resource_limit=resource_limit, pairs=pairs)


def diff(a: GroupLike, b: GroupLike) -> Diff:
    """The semantic diff of two groups (``secgroup diff``): returns a Diff whose items are the
    regions decided differently; ``.differs`` / ``.equivalent`` answer, ``.witness`` is one
    packet. Raises MissingFileError (also FileNotFoundError) for a path that does not exist,
    ParseError for input that cannot be read as groups or names the library does not know (an
    engine, a direction), ValidationError for values the model refuses, GroupLookupError when a
    source holds no or several groups.
    """
    return _core._diff(a, b)


def equivalent(a: GroupLike, b: GroupLike, *, engine: str = "interval", timeout_ms: int = 10_000,
               resource_limit: int = 0) -> Union[Diff, Verdict]:
    """Equivalence: returns a Diff (interval engine, with the regions) or a Z3 Verdict; read
    either through ``.holds`` (True, False, or None when Z3 gives up) and ``.witness`` (a packet
    the groups decide differently, or None). Raises MissingFileError (also FileNotFoundError) for
    a path that does not exist, ParseError for input that cannot be read as groups or names the
    library does not know (an engine, a direction), ValidationError for values the model
    refuses, GroupLookupError when a source holds no or several groups. With ``engine="z3"``:
    ValidationError when the module was built without Z3 (``HAS_Z3``).
    """
    return _core._equivalent(a, b, engine, timeout_ms, resource_limit)


def includes(a: GroupLike, b: GroupLike, *, where: Optional[Union[str, Where]] = None,
             timeout_ms: int = 10_000, resource_limit: int = 0) -> Verdict:
    """Z3: does ``a`` accept every packet ``b`` accepts (within a where expression)? Returns a
    Verdict (``.holds``, ``.witness``). Raises ValidationError when the module was built without
    Z3 (``HAS_Z3``), WhereError for a malformed expression, and as ``diff`` does for the groups.
    """
    return _core._includes(a, b, where, timeout_ms, resource_limit)


def query(group: GroupLike, direction: str, *, protocol: Union[str, int, None] = None,
          remotes: Union[str, Sequence[str], None] = None, ports: Any = None,
          engine: str = "interval", timeout_ms: int = 10_000, resource_limit: int = 0) -> QueryResult:
    """Does the group accept ALL, NONE or PARTIAL of a box of packets (``secgroup query``)?
    Returns a QueryResult (``.answer``; items: an accepted and a dropped witness when they
    exist). Raises ParseError for an unknown direction or protocol, ValidationError for ports
    out of range or reversed, and as ``analyze`` does for the group.
    """
    return _core._query(group, direction, protocol=protocol, remotes=remotes, ports=ports,
                        engine=engine, timeout_ms=timeout_ms, resource_limit=resource_limit)


def where(group: GroupLike, expression: Union[str, Where], *, timeout_ms: int = 10_000,
          resource_limit: int = 0) -> QueryResult:
    """Z3: the answer for the packets of a where expression (``secgroup query --where``): returns a
    QueryResult. Raises ValidationError when the module was built without Z3 (``HAS_Z3``),
    WhereError (with ``.column``) for a malformed expression.
    """
    return _core._where(group, expression, timeout_ms, resource_limit)


def explain(group: GroupLike, packet: Any) -> Tuple[Packet, List[Rule], Decision]:
    """Z3: every rule a packet matches, in evaluation order, and the decision: returns (Packet,
    [Rule], Decision). Raises ValidationError when the module was built without Z3 (``HAS_Z3``),
    ParseError for a malformed packet.
    """
    return _core._explain(group, packet)


def connect(client_group: GroupLike, server_group: GroupLike, client: str, server: str,
            protocol: Union[str, int], ports: Any = None, *, ephemeral: Any = None) -> ConnectionResult:
    """Can ``client`` open a connection to ``server`` through both groups (``secgroup connect``)?
    Returns a ConnectionResult (``.answer``; items: the legs). Raises ParseError for a malformed
    address or protocol or missing ports, ValidationError for addresses of two families.
    """
    return _core._connect(client_group, server_group, client, server, protocol, ports, ephemeral)


def exposure(group: GroupLike, direction: str = "inbound") -> Exposure:
    """What the group accepts, by protocol class and ports (``secgroup exposure``): returns an
    Exposure, its items the ExposureEntries. Raises ParseError for an unknown direction, and as
    ``analyze`` does for the group.
    """
    return _core._exposure(group, direction)


def minimize(group: GroupLike) -> Minimized:
    """The group without redundant user rules: returns a Minimized (``.group``; items: the
    removed rules; ``.proof``, the Diff showing both decide alike). Raises as ``analyze`` does.
    """
    return _core._minimize(group)


def order_constraints(group: GroupLike) -> List[Dict[str, Any]]:
    """Returns the pairs of user rules whose relative order matters, as dicts {'earlier',
    'later' (Rules), 'direction'}. Raises as ``analyze`` does for the group."""
    return _core._order_constraints(group)


def reordered(group: GroupLike, ids: Sequence[str]) -> SecurityGroup:
    """Returns a new SecurityGroup, its user rules in the order of ``ids``. Raises
    ValidationError unless ``ids`` names every user rule once."""
    return _core._reordered(group, list(ids))


def check_reorder(group: GroupLike, ids: Sequence[str]) -> Diff:
    """The diff between the group and the group reordered by ``ids``: returns a Diff, the
    order is safe iff ``.equivalent``. Raises ValidationError unless ``ids`` names every user rule
    once.
    """
    return _core._check_reorder(group, list(ids))


# -- Lint -----------------------------------------------------------------------------------

def lint(groups: Any, config: Any = None, *, fail_on: Optional[str] = None,
         jobs: int = 0) -> LintReport:
    """Lints groups: paths (files or directories, exactly as ``secgroup lint``), or groups.

    ``groups`` is a path, a list of paths, a SecurityGroup, a list of them, or any source
    ``load`` reads. ``config`` is a path, JSON text or a dict (.secgroup.json format);
    ``fail_on`` a severity or "none" (default: the config's, else "low"); ``jobs`` the threads
    that lint files' groups (0: every hardware thread; the report is the same for any count).

    Returns a LintReport (items: every group's findings; ``.passed``, ``.text()``, ``.sarif()``).
    Raises MissingFileError for a path that does not exist, ParseError for an unreadable file or
    configuration (a check the catalogue does not have included) or an unknown ``fail_on``,
    ValidationError for a ``jobs`` outside 0..1024, and for ``api:`` sources what read_api()
    raises.
    """
    return _core._lint(groups, config, fail_on=fail_on, jobs=jobs)


def review(old_or_plan: Union[str, "os.PathLike[str]"],
           new: Optional[Union[str, "os.PathLike[str]"]] = None, config: Any = None, *,
           fail_on: Optional[str] = None) -> ReviewReport:
    """Reviews a change exactly as ``secgroup review``: a Terraform plan alone, or two group
    files (old, new: API exports or Terraform state). Returns a ReviewReport (items: the
    ReviewGroups; ``.passed``); its ``to_dict()``, ``sarif()`` and ``exit_code`` are the CLI's
    outputs, ``markdown()`` and ``text()`` too with the threshold written ``fail_on='low'``.
    ``config`` and ``fail_on`` as for ``lint``. Raises as ``lint`` does, and ValidationError for
    one file that is not a plan.
    """
    return _core._review(old_or_plan, new, config, fail_on=fail_on)


def lint_checks(config: Any = None) -> List[Dict[str, Any]]:
    """Returns the catalogue of checks as dicts (``id``, ``severity``, ``enabled``...), with
    ``config`` applied. Raises as ``lint`` does for the configuration."""
    return _core._lint_catalogue(config)
