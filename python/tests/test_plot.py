"""Plots run headless (Agg) and draw one patch per region."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

import secgroup  # noqa: E402
from secgroup import plot  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.mark.parametrize("protocol", ["tcp", "udp", "icmp", "other"])
def test_decision_map(lint_demo, protocol):
    ax = plot.decision_map(lint_demo, "inbound", protocol)
    regions = [r for r in lint_demo.regions("inbound", "ipv4") if r["protocol"] == protocol]
    assert len(ax.patches) == len(regions)
    colors = {p.get_facecolor()[:3] for p in ax.patches}
    actions = {r["action"] for r in regions}
    assert len(colors) == len(actions)
    ax.figure.canvas.draw()


def test_group_plot_shortcut_and_options(web):
    fig, ax = plt.subplots()
    out = web.plot(direction="inbound", protocol="tcp", ax=ax, scale="linear")
    assert out is ax and ax.patches
    zoom = web.plot(within="10.0.0.0/8")
    assert zoom.patches
    v6 = plot.decision_map(web, family="ipv6")
    assert v6.patches
    with pytest.raises(ValueError):
        plot.decision_map(web, protocol="sctp")
    with pytest.raises(ValueError):
        plot.decision_map(web, within="2001:db8::/32")


def test_diff_plot(web, lint_demo):
    d = secgroup.diff(web, lint_demo)
    ax = plot.diff(web, lint_demo, "inbound", "tcp")
    tcp = [r for r in d.regions if r.direction == "inbound" and r.family == "IPv4" and r.protocol == "tcp"]
    assert len(ax.patches) == 1 + len(tcp)  # the background plus one patch per region
    same = plot.diff(web, web)
    assert len(same.patches) == 1
    same.figure.canvas.draw()
