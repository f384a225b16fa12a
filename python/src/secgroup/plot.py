"""Pictures of security groups with matplotlib (works with the Agg backend, no display needed).

``decision_map(group)`` draws one direction, protocol class and family of a group as rectangles
over remote address × destination port: green where the group accepts, red where it drops,
each labelled with what decides it: ``#N`` for the user rule at position N, ``SMTP`` (hatched)
for a default SMTP rule of ``enable_default_security``, ``policy`` for the default policy.
``diff(a, b)`` draws where two groups decide differently in one direction, protocol class and
family: opened (b newly accepts) and closed (b newly drops); ``diff_overview(a, b)`` draws every
direction, family and protocol class where they differ, one panel each, in one figure.
``exposure_heatmap(groups)`` draws a whole estate: one row per group, one column per service,
coloured by how far the service is open (``EXPOSURE_LEVELS``); ``exposure_levels(groups)`` is
the same table as data.

By default both axes are *compressed*: every region boundary gets an equal step, so a single
port or a /32 is as visible as 0.0.0.0/0 (the axis labels say "compressed scale"; a port band
is labelled at its middle: ``443`` for one port, ``1024-65535`` for a range);
``scale="linear"`` draws true proportions. Legends sit outside the axes, figures made here use
a tight layout, and ``savefig(fig, path)`` saves with a tight bounding box so rotated labels
are never clipped.
"""
from __future__ import annotations

import bisect
import ipaddress
import os
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

from . import _core

__all__ = ["decision_map", "diff", "diff_overview", "exposure_heatmap", "exposure_levels",
           "savefig"]

ACCEPT_COLOR = "#4caf50"
DROP_COLOR = "#e57373"
OPENED_COLOR = "#2e7d32"
CLOSED_COLOR = "#c62828"
SAME_COLOR = "#eeeeee"
#: The hatch of regions decided by a default SMTP rule.
SMTP_HATCH = "///"
#: Legend labels of the diff pictures.
OPENED_LABEL = "opened: newly accepted"
CLOSED_LABEL = "closed: newly dropped"

#: The levels of exposure_heatmap, from closed to the worst, index = level.
EXPOSURE_LEVELS = ("closed", "private networks only", "some public addresses", "any address")
#: Their colours, in the same order.
EXPOSURE_COLORS = ("#eeeeee", "#fff176", "#ffa726", "#c62828")
#: The services exposure_heatmap shows before the lint catalogue's when none are given: the web,
#: usually meant to be public, as a point of comparison.
WEB_SERVICES: Tuple[Dict[str, Any], ...] = ({"name": "http", "title": "HTTP", "ports": ["tcp/80"]},
                {"name": "https", "title": "HTTPS", "ports": ["tcp/443"]})

_PROTOCOLS = ("tcp", "udp", "icmp", "other")
_MAX_X_TICKS = 12
_MAX_Y_TICKS = 16


def _new_axes(figsize: Tuple[float, float] = (10, 5)) -> Any:
    import matplotlib.pyplot as plt  # deferred: importing secgroup must not need matplotlib
    fig, ax = plt.subplots(figsize=figsize, layout="tight")
    return ax


def _is_v4(family: str) -> bool:
    """True for IPv4, False for IPv6: the family parsed by the library (ParseError
    secgroup.parse.103 naming ``family`` for another name)."""
    return _core._family(family) == "ipv4"


def _family_top(family: str) -> int:
    return 2 ** 32 if _is_v4(family) else 2 ** 128


def _address_text(value: int, family: str) -> str:
    """The address `value` of `family` as the library prints it ('::' for 0 in IPv6, never an
    IPv4 address; '::ffff:1.2.3.4' for an IPv4-mapped one, whatever Python's version)."""
    v = min(value, _family_top(family) - 1)
    return _core._address_text(v >> 64, v & (2 ** 64 - 1), family)


def _addr(text: str) -> int:
    return int(ipaddress.ip_address(text))


def _check(protocol: str, scale: str) -> str:
    """The protocol class of ``protocol``, parsed by the library (ParseError secgroup.parse.103
    naming ``protocol``); ValueError for a scale other than 'compressed' and 'linear'."""
    p = _core._protocol_class(protocol)
    if scale not in ("compressed", "linear"):
        raise ValueError(f"scale must be 'compressed' or 'linear', got {scale!r}")
    return p


class _Axis:
    """Maps values to plot coordinates: linear, or compressed to equal steps per boundary."""

    def __init__(self, bounds: Sequence[int], lo: int, hi: int, compressed: bool) -> None:
        self.compressed = compressed
        self.lo, self.hi = lo, hi
        self.bounds = sorted({b for b in bounds if lo <= b <= hi} | {lo, hi})
        self._index = {b: i for i, b in enumerate(self.bounds)}

    def __call__(self, v: int) -> float:
        if not self.compressed:
            return float(v)
        if v in self._index:
            return float(self._index[v])
        i = bisect.bisect_right(self.bounds, v) - 1
        a, b = self.bounds[i], self.bounds[min(i + 1, len(self.bounds) - 1)]
        return i + (0.0 if b == a else (v - a) / (b - a))

    def limits(self) -> Tuple[float, float]:
        return self(self.lo), self(self.hi)

    def bands(self) -> List[Tuple[int, int]]:
        """The bands between consecutive boundaries, as inclusive (first, last) values."""
        return [(a, b - 1) for a, b in zip(self.bounds, self.bounds[1:])]


def _thin(items: List[Any], most: int) -> List[Any]:
    return items if len(items) <= most else items[:: -(-len(items) // most)]


def _clip(first: int, last: int, window: Optional[Tuple[int, int]]) -> Optional[Tuple[int, int]]:
    if window is None:
        return first, last
    lo, hi = max(first, window[0]), min(last, window[1])
    return (lo, hi) if lo <= hi else None


def _window(within: Optional[str], family: str) -> Optional[Tuple[int, int]]:
    if within is None:
        return None
    first, last = _core._window(within, family)
    return _addr(first), _addr(last)


def _port_band_text(first: int, last: int) -> str:
    return str(first) if first == last else f"{first}-{last}"


def _draw_boxes(ax: Any, boxes: List[Dict[str, Any]], family: str, within: Optional[str],
                scale: str, portless: bool, title: str) -> Any:
    from matplotlib.patches import Rectangle

    window = _window(within, family)
    lo, hi = (window[0], window[1] + 1) if window else (0, _family_top(family))
    clipped = []
    for b in boxes:
        c = _clip(b["first"], b["last"], window)
        if c is not None:
            clipped.append(dict(b, first=c[0], last=c[1]))
    compressed = scale == "compressed"
    xs = _Axis([v for b in clipped for v in (b["first"], b["last"] + 1)], lo, hi, compressed)
    ys = _Axis([v for b in clipped for v in (b["port_from"], b["port_to"] + 1)], 0,
               1 if portless else 65536, compressed)
    for b in clipped:
        x0, x1 = xs(b["first"]), xs(b["last"] + 1)
        y0, y1 = (0.0, ys(1)) if portless else (ys(b["port_from"]), ys(b["port_to"] + 1))
        ax.add_patch(Rectangle((x0, y0), x1 - x0, y1 - y0, facecolor=b["color"], edgecolor="white",
                               linewidth=0.8, hatch=b.get("hatch"), label=b.get("legend")))
        if b.get("text") and (not compressed or (x1 - x0 >= 0.6 and y1 - y0 >= 0.6)):
            ax.text((x0 + x1) / 2, (y0 + y1) / 2, b["text"], ha="center", va="center", fontsize=8)
    ax.set_xlim(*xs.limits())
    ax.set_ylim(*ys.limits())
    if compressed:
        ticks = _thin(xs.bounds, _MAX_X_TICKS)
        ax.set_xticks([xs(t) for t in ticks])
        ax.set_xticklabels([_address_text(t, family) for t in ticks], rotation=45, ha="right",
                           fontsize=7)
        if not portless:  # one label per port band, at its middle
            bands = _thin(ys.bands(), _MAX_Y_TICKS)
            ax.set_yticks([(ys(a) + ys(b + 1)) / 2 for a, b in bands])
            ax.set_yticklabels([_port_band_text(a, b) for a, b in bands], fontsize=7)
    else:
        ax.tick_params(axis="x", labelrotation=45)
    if portless:
        ax.set_yticks([])
    marks = [family] + ([within] if within else []) + (["compressed scale"] if compressed else [])
    ax.set_xlabel(f"remote address ({', '.join(marks)})")
    if portless:
        ax.set_ylabel("(no ports)")
    else:
        ax.set_ylabel("destination port" + (" (compressed scale)" if compressed else ""))
    ax.set_title(title)
    handles, labels = ax.get_legend_handles_labels()
    unique = {l: h for h, l in zip(handles, labels) if l and not l.startswith("_")}
    if unique:  # outside the axes: it never hides a region or its label
        ax.legend(unique.values(), unique.keys(), loc="upper left", bbox_to_anchor=(1.01, 1.0),
                  borderaxespad=0.0, fontsize=8)
    return ax


def _decider(region: Dict[str, Any]) -> Tuple[str, Optional[str], str]:
    """(label, hatch, legend) of a decision-map region: '#N', 'SMTP' or 'policy'."""
    accepted = region["action"] == "accept"
    action = "accept" if accepted else "drop"
    if region["rule"] is None:
        return "policy", None, f"{action} (default policy)"
    if region.get("default_rule"):
        return "SMTP", SMTP_HATCH, f"{action} (default SMTP rule)"
    return f"#{region['position']}", None, action


def decision_map(group: _core.SecurityGroup, direction: str = "inbound", protocol: str = "tcp",
                 family: str = "ipv4", *, within: Optional[str] = None, scale: str = "compressed",
                 ax: Any = None) -> Any:
    """Draws how ``group`` decides ``direction`` × ``protocol`` × ``family``; returns the axes.

    ``protocol`` is a class: tcp, udp, icmp or other. ``within`` (a CIDR) zooms on addresses.
    Each region is labelled ``#N`` (user rule at position N), ``SMTP`` (a default SMTP rule,
    hatched) or ``policy`` (the default policy). Names are parsed by the library: ParseError
    (secgroup.parse.103, naming the argument) for an unknown direction, protocol class or
    family, ParseError (secgroup.parse.102) for a malformed ``within`` and ValidationError for
    one of the other family; ValueError for an unknown scale.
    """
    p = _check(protocol, scale)
    family = _core._family(family)
    direction = _core._direction(direction)
    ax = ax if ax is not None else _new_axes()
    boxes = []
    for r in _core._regions(group, direction, family):
        if r["protocol"] != p:
            continue
        accepted = r["action"] == "accept"
        text, hatch, legend = _decider(r)
        boxes.append({
            "first": _addr(r["first"]), "last": _addr(r["last"]),
            "port_from": r["port_from"], "port_to": r["port_to"],
            "color": ACCEPT_COLOR if accepted else DROP_COLOR,
            "hatch": hatch, "legend": legend, "text": text,
        })
    title = f"{group.name or group.id or 'group'}: {direction} {p.upper()} {family}"
    return _draw_boxes(ax, boxes, family, within, scale, p in ("icmp", "other"), title)


def _family_name(family: str) -> str:
    return "IPv4" if _is_v4(family) else "IPv6"


def _diff_boxes(regions: List[Dict[str, Any]], direction: str, protocol: str,
                family: str) -> List[Dict[str, Any]]:
    fam = _family_name(family)
    top = _family_top(family) - 1
    boxes: List[Dict[str, Any]] = [{
        "first": 0, "last": top, "port_from": 0,
        "port_to": 65535 if protocol in ("tcp", "udp") else 0,
        "color": SAME_COLOR, "legend": "same decision", "text": None}]
    for r in regions:
        if r["direction"] != direction.lower() or r["family"] != fam or r["protocol"] != protocol:
            continue
        opened = r["change"] == "opened"
        ports = r["ports"] or {"from": 0, "to": 0}
        boxes.append({
            "first": _addr(r["remote"]["first"]), "last": _addr(r["remote"]["last"]),
            "port_from": ports["from"], "port_to": ports["to"],
            "color": OPENED_COLOR if opened else CLOSED_COLOR,
            "legend": OPENED_LABEL if opened else CLOSED_LABEL,
            "text": "opened" if opened else "closed",
        })
    return boxes


def _names(a: _core.SecurityGroup, b: _core.SecurityGroup) -> str:
    return f"{a.name or a.id or 'a'} → {b.name or b.id or 'b'}"


def diff(a: _core.SecurityGroup, b: _core.SecurityGroup, direction: str = "inbound",
         protocol: str = "tcp", family: str = "ipv4", *, within: Optional[str] = None,
         scale: str = "compressed", ax: Any = None) -> Any:
    """Draws where ``a`` and ``b`` decide differently in one direction, protocol class and
    family (opened: b newly accepts, closed: b newly drops); returns the axes. Raises as
    ``decision_map`` does."""
    p = _check(protocol, scale)
    family = _core._family(family)
    direction = _core._direction(direction)
    ax = ax if ax is not None else _new_axes()
    boxes = _diff_boxes(_core._diff(a, b).to_dict()["regions"], direction, p, family)
    title = f"diff {_names(a, b)}: {direction} {p.upper()} {family}"
    return _draw_boxes(ax, boxes, family, within, scale, p in ("icmp", "other"), title)


def diff_overview(a: _core.SecurityGroup, b: _core.SecurityGroup, *,
                  scale: str = "compressed", columns: int = 2) -> Any:
    """The semantic diff of two groups as one picture; returns the matplotlib Figure.

    One panel per direction × family × protocol class where some packet is decided
    differently (drawn as ``diff`` draws it: opened regions newly accepted, closed regions newly
    dropped), titled with the counts of each; a single panel saying so when the groups are
    equivalent. Raises ValueError for an unknown scale.
    """
    _check("tcp", scale)
    import matplotlib.pyplot as plt

    regions = _core._diff(a, b).to_dict()["regions"]
    panels: Dict[Tuple[str, str, str], List[Dict[str, Any]]] = {}
    for r in regions:
        panels.setdefault((r["direction"], r["family"], r["protocol"]), []).append(r)
    order = {p: i for i, p in enumerate(_PROTOCOLS)}
    keys = sorted(panels, key=lambda k: (k[0] != "inbound", k[1], order[k[2]]))
    if not keys:
        fig, ax = plt.subplots(figsize=(6, 2), layout="tight")
        ax.set_axis_off()
        ax.set_title(f"diff {_names(a, b)}")
        ax.text(0.5, 0.5, "equivalent: every packet is decided alike", ha="center",
                va="center")
        return fig
    cols = max(1, min(columns, len(keys)))
    rows = -(-len(keys) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(7.5 * cols, 4.5 * rows), layout="tight",
                             squeeze=False)
    for ax, key in zip(axes.flat, keys):
        direction, fam, protocol = key
        family = fam.lower()
        boxes = _diff_boxes(panels[key], direction, protocol, family)
        opened = sum(1 for r in panels[key] if r["change"] == "opened")
        closed = len(panels[key]) - opened
        title = (f"{direction} {protocol.upper()} {fam}: {opened} opened, {closed} closed")
        _draw_boxes(ax, boxes, family, None, scale, protocol in ("icmp", "other"), title)
    for ax in list(axes.flat)[len(keys):]:
        ax.set_axis_off()
    fig.suptitle(f"diff {_names(a, b)}: {len(regions)} regions decided differently")
    return fig


# -- Exposure of an estate ------------------------------------------------------------------

def _estate(groups_or_export: Any) -> List[_core.SecurityGroup]:
    """The groups of a SecurityGroup, a list of them, or any source ``load`` reads."""
    if isinstance(groups_or_export, _core.SecurityGroup):
        return [groups_or_export]
    if isinstance(groups_or_export, (list, tuple)) and all(
            isinstance(g, _core.SecurityGroup) for g in groups_or_export):
        return list(groups_or_export)
    return list(_core.load(groups_or_export))


def _service(spec: Any, catalogue: Dict[str, Dict[str, Any]]) -> Dict[str, Any]:
    """{title, ports: ['tcp/22', ...]} of a catalogue name ('ssh'), a port spec ('tcp/8080',
    'udp/500-501'), a (title, [specs]) pair or a dict with title and ports; every port spec is
    checked by the library's parser (_port_spec) here, before any group is looked at."""
    if isinstance(spec, dict):
        service = {"title": spec["title"], "ports": list(spec["ports"])}
    elif isinstance(spec, tuple):
        title, ports = spec
        service = {"title": title, "ports": [ports] if isinstance(ports, str) else list(ports)}
    elif not isinstance(spec, str):
        raise ValueError(f"a service is a name, 'tcp/PORT', (title, ports) or a dict, got {spec!r}")
    elif spec.lower() in catalogue:
        return catalogue[spec.lower()]
    else:
        service = {"title": spec, "ports": [spec]}
    for port in service["ports"]:
        _port_spec(port)
    return service


def _port_spec(spec: str) -> Tuple[str, int, int]:
    """('tcp', 20, 21) of 'tcp/20-21', parsed as a lint configuration's service ports are
    (ports 1..65535): ParseError naming ``services``, ValidationError for a reversed range."""
    proto, first, last = _core._service_port(spec, "services")
    return proto, first, last


def _services(services: Optional[Sequence[Any]]) -> List[Dict[str, Any]]:
    known: Dict[str, Dict[str, Any]] = {
        s["name"]: {"title": s["title"], "ports": s["ports"]}
        for s in list(WEB_SERVICES) + list(_core._lint_services(None))}
    if services is None:
        return list(known.values())
    return [_service(s, known) for s in services]


def _level(networks: List[str]) -> int:
    """The EXPOSURE_LEVELS index of a set of accepted networks."""
    if not networks:
        return 0
    nets = [ipaddress.ip_network(n) for n in networks]
    v4 = [n for n in nets if isinstance(n, ipaddress.IPv4Network)]
    v6 = [n for n in nets if isinstance(n, ipaddress.IPv6Network)]
    if any(n.prefixlen == 0 for n in ipaddress.collapse_addresses(v4)) or any(
            n.prefixlen == 0 for n in ipaddress.collapse_addresses(v6)):
        return 3
    return 1 if all(n.is_private for n in nets) else 2


def _service_level(entries: List[Dict[str, Any]], ports: Sequence[str]) -> int:
    """The level of one service: the networks accepted on any of its ports, either family."""
    networks: List[str] = []
    for spec in ports:
        proto, first, last = _port_spec(spec)
        for e in entries:
            if e["protocol"] == proto and any(
                    p["from"] <= last and first <= p["to"] for p in e["ports"] or []):
                networks.extend(e["accepted"])
    return _level(networks)


def exposure_levels(groups_or_export: Any, services: Optional[Sequence[Any]] = None,
                    direction: str = "inbound") -> Dict[str, Any]:
    """The table exposure_heatmap draws: ``{"groups": [names], "services": [titles],
    "levels": [[level per service] per group]}``, a level indexing ``EXPOSURE_LEVELS``
    (0 closed, 1 private networks only, 2 some public addresses, 3 any address of a family).

    ``groups_or_export`` is a SecurityGroup, a list of them, or any source ``load`` reads (a
    path, JSON text, a dict, an ApiRead). ``services`` lists catalogue names (``"ssh"``, as
    ``secgroup lint`` knows them), port specs (``"tcp/8080"``), ``(title, ports)`` pairs or
    dicts with ``title`` and ``ports``; None: HTTP, HTTPS and the whole lint catalogue. Raises
    ValueError for a service it cannot read (a port spec such as ``"tcp/99999"`` or
    ``"tcp/500-100"``: the library's ParseError or ValidationError naming ``services``), and
    what ``load`` raises.
    """
    groups = _estate(groups_or_export)
    chosen = _services(services)
    levels = []
    for g in groups:
        entries = _core._exposure(g, direction).to_dict()["entries"]
        levels.append([_service_level(entries, s["ports"]) for s in chosen])
    return {"groups": [g.name or g.id or "(unnamed)" for g in groups],
            "services": [s["title"] for s in chosen], "levels": levels}


def exposure_heatmap(groups_or_export: Any, services: Optional[Sequence[Any]] = None, *,
                     direction: str = "inbound", ax: Any = None) -> Any:
    """The exposure of a whole estate as a groups × services heatmap; returns the axes.

    One row per group (its name), one column per service (see ``exposure_levels`` for the
    arguments), each cell coloured by how far the group opens the service in ``direction``:
    closed, to private networks only, to some public addresses, or to any address (0.0.0.0/0
    or ::/0, or ranges adding up to it). The colour bar beside the axes names the levels.
    Raises what ``exposure_levels`` raises.
    """
    from matplotlib.colors import BoundaryNorm, ListedColormap

    table = exposure_levels(groups_or_export, services, direction)
    rows, cols = len(table["groups"]), len(table["services"])
    if ax is None:
        ax = _new_axes((max(6.0, 0.42 * cols + 4.5), max(2.5, 0.32 * rows + 2.0)))
    cmap = ListedColormap(EXPOSURE_COLORS)
    norm = BoundaryNorm([k - 0.5 for k in range(len(EXPOSURE_LEVELS) + 1)], cmap.N)
    data = table["levels"] if rows and cols else [[0] * max(cols, 1)] * max(rows, 1)
    image = ax.imshow(data, cmap=cmap, norm=norm, aspect="auto", interpolation="nearest")
    ax.set_xticks(range(cols), labels=table["services"], rotation=45, ha="right")
    ax.set_yticks(range(rows), labels=table["groups"])
    ax.set_xticks([k - 0.5 for k in range(1, cols)], minor=True)
    ax.set_yticks([k - 0.5 for k in range(1, rows)], minor=True)
    ax.grid(which="minor", color="white", linewidth=1.5)
    ax.tick_params(which="minor", length=0)
    ax.set_xlabel("service")
    ax.set_ylabel("security group")
    ax.set_title(f"{direction} exposure: {rows} groups × {cols} services")
    bar = ax.figure.colorbar(image, ax=ax, ticks=range(len(EXPOSURE_LEVELS)), fraction=0.04)
    bar.ax.set_yticklabels(EXPOSURE_LEVELS)
    bar.set_label("opened to")
    return ax


def savefig(fig: Any, path: Union[str, "os.PathLike[str]"], **options: Any) -> Any:
    """Saves a Figure (or the figure of an Axes) to ``path`` with ``bbox_inches='tight'``, so
    rotated labels and the outside legend are never clipped; ``options`` go to
    ``Figure.savefig``. Returns ``path``."""
    figure = fig if hasattr(fig, "savefig") else fig.figure
    options.setdefault("bbox_inches", "tight")
    figure.savefig(path, **options)
    return path
