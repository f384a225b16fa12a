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


def _group(*rules, **options):
    g = secgroup.SecurityGroup("t", inbound_default_policy="drop", outbound_default_policy="accept",
                               **options)
    for r in rules:
        g.add_rule(r)
    return g


def _texts(ax):
    return [t.get_text() for t in ax.texts]


def test_labels_name_user_rules_smtp_and_policy():
    g = _group(secgroup.Rule("TCP", "outbound", "drop", "10.0.0.0/8", ports=(22, 22)),
               enable_default_security=True)
    ax = plot.decision_map(g, "outbound", "tcp")
    texts = _texts(ax)
    position = g.rules[0].position
    assert f"#{position}" in texts and "SMTP" in texts and "policy" in texts
    assert "default" not in texts
    hatched = [p for p in ax.patches if p.get_hatch()]
    # every hatched region is a default SMTP rule's, and it drops
    regions = [r for r in g.regions("outbound", "ipv4") if r["protocol"] == "tcp"]
    assert len(hatched) == sum(1 for r in regions if r["default_rule"]) > 0
    assert all(r["action"] == "drop" for r in regions if r["default_rule"])
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "drop (default SMTP rule)" in legend and "accept (default policy)" in legend
    without = plot.decision_map(_group(enable_default_security=False), "outbound", "tcp")
    assert "SMTP" not in _texts(without) and not [p for p in without.patches if p.get_hatch()]


def test_ipv6_axis_starts_at_the_ipv6_zero(web):
    ax = plot.decision_map(web, family="ipv6")
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert labels[0] == "::"
    assert not any("." in label for label in labels), labels  # no IPv4 form on an IPv6 axis
    assert labels[-1] == "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"
    assert plot.decision_map(web).get_xticklabels()[0].get_text() == "0.0.0.0"


def test_ipv4_mapped_boundaries_are_labelled_as_the_library_prints_them():
    # Python's ipaddress wrote ::ffff:0:0 before 3.13; the library writes RFC 5952 §5's form.
    g = _group(secgroup.Rule("TCP", "inbound", "accept", "::ffff:10.0.0.0/104", ports=22))
    labels = [t.get_text() for t in plot.decision_map(g, family="ipv6").get_xticklabels()]
    assert "::ffff:10.0.0.0" in labels and "::ffff:11.0.0.0" in labels, labels
    assert labels[0] == "::" and labels[-1] == "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"


def test_single_ports_are_labelled_at_the_band_middle():
    g = _group(secgroup.Rule("TCP", "inbound", "accept", "0.0.0.0/0", ports=443),
               secgroup.Rule("TCP", "inbound", "accept", "10.0.0.0/8", ports=(8000, 8080)))
    ax = plot.decision_map(g, "inbound", "tcp")
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["0-442", "443", "444-7999", "8000-8080", "8081-65535"]
    ticks = list(ax.get_yticks())
    assert ticks == [i + 0.5 for i in range(len(labels))]  # each band's middle


def test_compressed_scale_is_marked(web):
    ax = plot.decision_map(web)
    assert "compressed scale" in ax.get_xlabel() and "compressed scale" in ax.get_ylabel()
    linear = plot.decision_map(web, scale="linear")
    assert "compressed" not in linear.get_xlabel() + linear.get_ylabel()
    assert "compressed scale" in plot.diff(web, web).get_xlabel()


def test_legend_outside_and_labels_not_clipped(web, tmp_path):
    ax = plot.decision_map(web)
    fig = ax.figure
    assert type(fig.get_layout_engine()).__name__ == "TightLayoutEngine"
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    legend = ax.get_legend().get_window_extent(renderer)
    box = ax.get_window_extent(renderer)
    assert legend.x0 >= box.x1  # right of the axes: it hides no region
    for label in ax.get_xticklabels() + [ax.xaxis.label]:
        extent = label.get_window_extent(renderer)
        assert extent.y0 >= 0 and extent.x0 >= 0, label.get_text()  # inside the figure
    out = plot.savefig(ax, tmp_path / "map.png")
    assert out == tmp_path / "map.png" and out.stat().st_size > 0
    assert plot.savefig(fig, tmp_path / "map.svg").read_text().count("<svg") == 1


def test_diff_overview_panels(web):
    a = _group(secgroup.Rule("TCP", "inbound", "accept", "0.0.0.0/0", ports=443),
               secgroup.Rule("UDP", "inbound", "accept", "10.0.0.0/8", ports=53))
    b = _group(secgroup.Rule("TCP", "inbound", "accept", "0.0.0.0/0", ports=443),
               secgroup.Rule("TCP", "inbound", "accept", "10.1.0.0/16", ports=22),
               secgroup.Rule("TCP", "inbound", "accept", "::/0", ports=443))
    d = secgroup.diff(a, b)
    fig = plot.diff_overview(a, b)
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    expected = {}
    for r in d.regions:
        key = f"{r.direction} {r.protocol.upper()} {r.family}"
        expected.setdefault(key, [0, 0])[r.change == "closed"] += 1
    assert sorted(titles) == sorted(f"{k}: {o} opened, {c} closed" for k, (o, c) in expected.items())
    assert "inbound TCP IPv4: 1 opened, 0 closed" in titles
    assert "inbound UDP IPv4: 0 opened, 1 closed" in titles
    assert fig._suptitle.get_text() == f"diff t → t: {len(d)} regions decided differently"
    legends = {t.get_text() for ax in fig.axes if ax.get_legend() for t in ax.get_legend().get_texts()}
    assert {plot.OPENED_LABEL, plot.CLOSED_LABEL} <= legends
    texts = {t for ax in fig.axes for t in _texts(ax)}
    assert {"opened", "closed"} <= texts
    fig.canvas.draw()
    same = plot.diff_overview(web, web)
    assert [t.get_text() for ax in same.axes for t in ax.texts] == [
        "equivalent: every packet is decided alike"]


def test_exposure_levels_of_an_estate():
    estate = [
        _group(secgroup.Rule("TCP", "inbound", "accept", "0.0.0.0/1", ports=22),
               secgroup.Rule("TCP", "inbound", "accept", "128.0.0.0/1", ports=22),
               secgroup.Rule("TCP", "inbound", "accept", "10.0.0.0/8", ports=5432),
               secgroup.Rule("TCP", "inbound", "accept", "8.8.8.0/24", ports=8080)),
        _group(),
    ]
    estate[1].name = "closed"
    table = plot.exposure_levels(estate, ["ssh", "postgresql", "tcp/8000-8080", ("Web", ["tcp/80"])])
    assert table["groups"] == ["t", "closed"]
    assert table["services"] == ["SSH", "PostgreSQL", "tcp/8000-8080", "Web"]
    assert table["levels"] == [[3, 1, 2, 0], [0, 0, 0, 0]]
    with pytest.raises(ValueError):
        plot.exposure_levels(estate, ["sctp/9"])


def test_exposure_heatmap_is_labelled(tmp_path):
    from conftest import EXAMPLES
    export = str(EXAMPLES / "fleet.json")
    ax = plot.exposure_heatmap(export)
    groups = [g.name for g in secgroup.load(export)]
    assert ax.get_xlabel() == "service" and ax.get_ylabel() == "security group"
    assert [t.get_text() for t in ax.get_yticklabels()] == groups
    services = [t.get_text() for t in ax.get_xticklabels()]
    assert services[:3] == ["HTTP", "HTTPS", "SSH"]
    assert str(len(groups)) in ax.get_title() and str(len(services)) in ax.get_title()
    (bar,) = [a for a in ax.figure.axes if a is not ax]
    assert [t.get_text() for t in bar.get_yticklabels()] == list(plot.EXPOSURE_LEVELS)
    assert ax.images[0].get_array().shape == (len(groups), len(services))
    plot.savefig(ax, tmp_path / "heatmap.png")
    assert (tmp_path / "heatmap.png").stat().st_size > 0


def test_names_are_parsed_by_the_library_with_its_errors(web):
    # port specs as a lint configuration's: 1..65535, from <= to (they were reported closed)
    for spec, kind, id_ in [("tcp/99999", secgroup.ParseError, "secgroup.parse.107"),
                            ("tcp/500-100", secgroup.ValidationError, "secgroup.validation.202"),
                            ("tcp/65535-65536", secgroup.ParseError, "secgroup.parse.107"),
                            ("sctp/9", secgroup.ParseError, "secgroup.parse.103")]:
        for services in ([spec], [("title", [spec])], [{"title": "t", "ports": [spec]}]):
            with pytest.raises(kind) as e:
                plot.exposure_levels(web, services)
            assert (e.value.id, e.value.field) == (id_, "services")
    # families, protocol classes and directions as g.regions() and the CLI read them
    with pytest.raises(secgroup.ParseError) as e:
        plot.decision_map(web, family="ipv7")
    assert (e.value.id, e.value.field) == ("secgroup.parse.103", "family")
    with pytest.raises(secgroup.ParseError) as e:
        plot.decision_map(web, protocol="sctp")
    assert (e.value.id, e.value.field) == ("secgroup.parse.103", "protocol")
    with pytest.raises(secgroup.ParseError) as e:
        plot.diff(web, web, "sideways")  # drew an empty picture
    assert (e.value.id, e.value.field) == ("secgroup.parse.103", "direction")
    with pytest.raises(secgroup.ParseError) as e:
        plot.decision_map(web, within="10.0.0.0/33")
    assert (e.value.id, e.value.field) == ("secgroup.parse.102", "within")
    with pytest.raises(secgroup.ValidationError) as e:
        plot.decision_map(web, family="ipv6", within="10.0.0.0/8")
    assert e.value.field == "within"
    # names in any case, as the library reads them
    assert plot.decision_map(web, "INBOUND", "TCP", family="IPv6").patches
