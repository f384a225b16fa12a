"""Pictures of security groups with matplotlib (works with the Agg backend, no display needed).

``decision_map(group)`` draws one direction, protocol class and family of a group as rectangles
over remote address × destination port: green where the group accepts, red where it drops,
each labelled with its deciding rule's position ("default" for the default policy).
``diff(a, b)`` draws where two groups decide differently: opened (b accepts what a drops) and
closed. By default both axes are *compressed*: every region boundary gets an equal step, so a
single port or a /32 is as visible as 0.0.0.0/0; ``scale="linear"`` draws true proportions.
"""
from __future__ import annotations

import ipaddress
from typing import Any, Dict, List, Optional, Sequence, Tuple

from . import _core

__all__ = ["decision_map", "diff"]

ACCEPT_COLOR = "#4caf50"
DROP_COLOR = "#e57373"
OPENED_COLOR = "#2e7d32"
CLOSED_COLOR = "#c62828"
SAME_COLOR = "#eeeeee"

_PROTOCOLS = ("tcp", "udp", "icmp", "other")


def _axes(ax: Any) -> Any:
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt  # deferred: importing secgroup must not need matplotlib
    _, ax = plt.subplots(figsize=(9, 5))
    return ax


def _addr(text: str) -> int:
    return int(ipaddress.ip_address(text))


def _family_top(family: str) -> int:
    return 2 ** 32 if family.lower() in ("ipv4", "v4") else 2 ** 128


def _check(protocol: str, scale: str) -> str:
    p = protocol.lower()
    if p not in _PROTOCOLS:
        raise ValueError(f"protocol must be one of {', '.join(_PROTOCOLS)}, got {protocol!r}")
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
        import bisect
        i = bisect.bisect_right(self.bounds, v) - 1
        a, b = self.bounds[i], self.bounds[min(i + 1, len(self.bounds) - 1)]
        return i + (0.0 if b == a else (v - a) / (b - a))

    def limits(self) -> Tuple[float, float]:
        return self(self.lo), self(self.hi)


def _clip(first: int, last: int, window: Optional[Tuple[int, int]]) -> Optional[Tuple[int, int]]:
    if window is None:
        return first, last
    lo, hi = max(first, window[0]), min(last, window[1])
    return (lo, hi) if lo <= hi else None


def _window(within: Optional[str], family: str) -> Optional[Tuple[int, int]]:
    if within is None:
        return None
    net = ipaddress.ip_network(within, strict=False)
    if (net.version == 4) != (family.lower() in ("ipv4", "v4")):
        raise ValueError(f"within {within!r} is not of family {family}")
    return int(net.network_address), int(net.broadcast_address)


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
                               linewidth=0.8, label=b.get("legend")))
        if b.get("text") and (not compressed or (x1 - x0 >= 0.6 and y1 - y0 >= 0.6)):
            ax.text((x0 + x1) / 2, (y0 + y1) / 2, b["text"], ha="center", va="center", fontsize=8)
    ax.set_xlim(*xs.limits())
    ax.set_ylim(*ys.limits())
    if compressed:
        ticks = xs.bounds if len(xs.bounds) <= 12 else xs.bounds[:: max(1, len(xs.bounds) // 12)]
        ax.set_xticks([xs(t) for t in ticks])
        ax.set_xticklabels([str(ipaddress.ip_address(min(t, _family_top(family) - 1))) for t in ticks],
                           rotation=45, ha="right", fontsize=7)
        if not portless:
            pt = ys.bounds if len(ys.bounds) <= 16 else ys.bounds[:: max(1, len(ys.bounds) // 16)]
            ax.set_yticks([ys(t) for t in pt])
            ax.set_yticklabels([str(min(t, 65535)) for t in pt], fontsize=7)
    if portless:
        ax.set_yticks([])
    ax.set_xlabel(f"remote address ({family}{', ' + within if within else ''})")
    ax.set_ylabel("destination port" if not portless else "(no ports)")
    ax.set_title(title)
    handles, labels = ax.get_legend_handles_labels()
    unique = {l: h for h, l in zip(handles, labels) if l and not l.startswith("_")}
    if unique:
        ax.legend(unique.values(), unique.keys(), loc="upper right", fontsize=8)
    return ax


def decision_map(group: _core.SecurityGroup, direction: str = "inbound", protocol: str = "tcp",
                 family: str = "ipv4", *, within: Optional[str] = None, scale: str = "compressed",
                 ax: Any = None) -> Any:
    """Draws how ``group`` decides ``direction`` × ``protocol`` × ``family``; returns the axes.

    ``protocol`` is a class: tcp, udp, icmp or other. ``within`` (a CIDR) zooms on addresses.
    """
    p = _check(protocol, scale)
    ax = _axes(ax)
    boxes = []
    for r in _core._regions(group, direction, family):
        if r["protocol"] != p:
            continue
        accepted = r["action"] == "accept"
        boxes.append({
            "first": _addr(r["first"]), "last": _addr(r["last"]),
            "port_from": r["port_from"], "port_to": r["port_to"],
            "color": ACCEPT_COLOR if accepted else DROP_COLOR,
            "legend": "accept" if accepted else "drop",
            "text": "default" if r["rule"] is None else f"#{r['position']}",
        })
    title = f"{group.name or group.id or 'group'}: {direction} {p.upper()} {family}"
    return _draw_boxes(ax, boxes, family, within, scale, p in ("icmp", "other"), title)


def diff(a: _core.SecurityGroup, b: _core.SecurityGroup, direction: str = "inbound",
         protocol: str = "tcp", family: str = "ipv4", *, within: Optional[str] = None,
         scale: str = "compressed", ax: Any = None) -> Any:
    """Draws where ``a`` and ``b`` decide differently (opened: b accepts, closed: b drops)."""
    p = _check(protocol, scale)
    ax = _axes(ax)
    fam = "IPv4" if family.lower() in ("ipv4", "v4") else "IPv6"
    top = _family_top(family) - 1
    boxes: List[Dict[str, Any]] = [{
        "first": 0, "last": top, "port_from": 0, "port_to": 65535 if p in ("tcp", "udp") else 0,
        "color": SAME_COLOR, "legend": "same decision", "text": None}]
    for r in _core._diff(a, b).to_dict()["regions"]:
        if r["direction"] != direction.lower() or r["family"] != fam or r["protocol"] != p:
            continue
        opened = r["change"] == "opened"
        ports = r["ports"] or {"from": 0, "to": 0}
        boxes.append({
            "first": _addr(r["remote"]["first"]), "last": _addr(r["remote"]["last"]),
            "port_from": ports["from"], "port_to": ports["to"],
            "color": OPENED_COLOR if opened else CLOSED_COLOR,
            "legend": "opened" if opened else "closed",
            "text": "opened" if opened else "closed",
        })
    title = f"diff {a.name or 'a'} → {b.name or 'b'}: {direction} {p.upper()} {family}"
    return _draw_boxes(ax, boxes, family, within, scale, p in ("icmp", "other"), title)
