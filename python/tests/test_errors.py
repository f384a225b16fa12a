"""C++ errors become secgroup exceptions with the same ids, fields and messages; bad input never crashes."""
from __future__ import annotations

import errno
import random
import string

import pytest

import secgroup


def test_hierarchy():
    assert issubclass(secgroup.ParseError, secgroup.Error)
    assert issubclass(secgroup.ParseError, ValueError)
    assert issubclass(secgroup.ValidationError, secgroup.Error)
    assert issubclass(secgroup.GroupLookupError, LookupError)
    assert issubclass(secgroup.WhereError, secgroup.ParseError)
    assert issubclass(secgroup.ApiError, secgroup.Error)
    assert secgroup.GroupLookupError is not LookupError


@pytest.mark.parametrize("call, kind, id_, field", [
    (lambda: secgroup.Rule(ip_range="10.0.0.0/33"), secgroup.ParseError, "secgroup.parse.102", "ip_range"),
    (lambda: secgroup.Rule(protocol="SCTP"), secgroup.ParseError, "secgroup.parse.103", "protocol"),
    (lambda: secgroup.Rule(ports=70000), secgroup.ValidationError, "secgroup.validation.201", "ports"),
    (lambda: secgroup.Rule(ports=(30, 20)), secgroup.ValidationError, "secgroup.validation.202", "ports[1]"),
    (lambda: secgroup.load("{not json"), secgroup.ParseError, "secgroup.parse.104", ""),
    (lambda: secgroup.load("/no/such/file.json"), secgroup.ParseError, "secgroup.parse.109",
     "/no/such/file.json"),
    (lambda: secgroup.load({"rules": 3}), secgroup.ParseError, None, None),
    (lambda: secgroup.Packet.parse("sideways tcp 1.2.3.4 22"), secgroup.ParseError, "secgroup.parse.103",
     "packet direction"),
    (lambda: secgroup.Where("inbound and"), secgroup.WhereError, "secgroup.parse.110", "where"),
])
def test_error_ids(call, kind, id_, field):
    with pytest.raises(kind) as e:
        call()
    err = e.value
    assert isinstance(err, secgroup.Error)
    if id_ is not None:
        assert err.id == id_
    if field is not None:
        assert err.field == field
    prefix = f"[{err.id}] " + (f"{err.field}: " if err.field else "")
    assert str(err) == prefix + err.message


def test_where_error_column():
    with pytest.raises(secgroup.WhereError) as e:
        secgroup.Where("inbound and port 99999")
    assert e.value.column >= 1


def test_nested_field_paths():
    doc = {"security_groups": [{"id": "a", "name": "a"},
                               {"id": "b", "name": "b", "rules": [
                                   {"protocol": "TCP", "direction": "inbound", "action": "accept",
                                    "ip_range": "1.2.3.4/40"}]}]}
    with pytest.raises(secgroup.ParseError) as e:
        secgroup.load(doc)
    assert e.value.field == "security_groups[1].rules[0].ip_range"


def test_garbage_never_crashes(web):
    rng = random.Random(1234)
    alphabet = string.printable
    functions = [
        lambda s: secgroup.load(s),
        lambda s: secgroup.Packet.parse(s),
        lambda s: secgroup.Where(s),
        lambda s: web.evaluate(s),
        lambda s: secgroup.Rule(ip_range=s),
        lambda s: secgroup.Rule(ports=s),
        lambda s: secgroup.query(web, "inbound", protocol=s),
        lambda s: secgroup.lint(web, config="{" + s),
    ]
    seeds = ["{\"security_group\": {\"rules\": [", "inbound tcp 1.2.3.4 ", "remote in ", "10.0.0.0/", "1-"]
    for _ in range(400):
        s = rng.choice(seeds) + "".join(rng.choice(alphabet) for _ in range(rng.randrange(12)))
        for f in functions:
            try:
                f(s)
            except (secgroup.Error, ValueError, TypeError):
                pass


def test_wrong_python_types():
    with pytest.raises(TypeError):
        secgroup.SecurityGroup(rules=[1, 2])
    with pytest.raises(secgroup.ParseError):
        secgroup.load(3.5)
    with pytest.raises(secgroup.ParseError):
        secgroup.load({"security_group": {"name": object()}})
    if not secgroup.HAS_Z3:
        with pytest.raises(secgroup.ValidationError):
            secgroup.analyze(secgroup.SecurityGroup(), engine="z3")
    with pytest.raises(secgroup.ParseError) as e:
        secgroup.analyze(secgroup.SecurityGroup(), engine="smt")
    assert e.value.id == "secgroup.parse.103" and e.value.field == "engine"


def test_cycles_and_deep_nesting_are_errors():
    cycle: list = []
    cycle.append(cycle)
    with pytest.raises(secgroup.ParseError):
        secgroup.load(cycle)
    deep = "[" * 100000 + "]" * 100000
    with pytest.raises(secgroup.Error):
        secgroup.load(deep)
    with pytest.raises(secgroup.Error):
        secgroup.load('{"security_groups": ' + "[" * 5000 + "]" * 5000 + "}")


def test_missing_file_is_file_not_found(tmp_path):
    missing = tmp_path / "no-such.json"
    for call in (lambda: secgroup.load(missing), lambda: secgroup.load_group(str(missing)),
                 lambda: secgroup.lint(missing)):
        with pytest.raises(FileNotFoundError) as e:
            call()
        err = e.value
        assert isinstance(err, secgroup.MissingFileError) and isinstance(err, secgroup.ParseError)
        assert err.errno == errno.ENOENT and err.filename == str(missing)
        assert err.id == "secgroup.parse.109" and err.field == str(missing)
        assert str(err) == f"[secgroup.parse.109] {missing}: {err.message}"
    try:
        secgroup.load(missing)
    except secgroup.ParseError as e:  # the old spelling still catches it
        assert type(e).__name__ == "MissingFileError"
    assert issubclass(secgroup.MissingFileError, secgroup.ParseError)
    assert issubclass(secgroup.MissingFileError, FileNotFoundError)


def test_unreadable_but_existing_path_is_not_missing(tmp_path):
    # A directory exists: secgroup.parse.109 still, but not a FileNotFoundError.
    with pytest.raises(secgroup.ParseError) as e:
        secgroup.load(str(tmp_path))
    assert e.value.id == "secgroup.parse.109"
    assert not isinstance(e.value, FileNotFoundError)


def test_dir_shows_the_public_names():
    names = dir(secgroup)
    for hidden in ("List", "Optional", "os", "Any", "annotations"):
        assert hidden not in names
    assert set(secgroup.__all__) <= set(names)
    assert "plot" in names and "__version__" in names and "__doc__" in names
    assert all(hasattr(secgroup, n) for n in secgroup.__all__)


def test_help_says_what_functions_return_and_raise():
    import inspect
    functions = [n for n in secgroup.__all__ if inspect.isfunction(getattr(secgroup, n))]
    assert len(functions) >= 18
    for name in functions:
        doc = inspect.getdoc(getattr(secgroup, name)) or ""
        assert "return" in doc.lower() and "Raises" in doc, name
    classes = [n for n in secgroup.__all__ if inspect.isclass(getattr(secgroup, n))]
    assert {"Record", "Result", "Decisions", "Diff", "LintReport", "MissingFileError"} <= set(classes)
    for name in classes:  # every public class says what it is (its own doc, not object's)
        cls = getattr(secgroup, name)
        assert cls.__doc__ and cls.__doc__ != object.__doc__, name


def test_help_on_methods_says_what_they_return_and_raise():
    """The methods a notebook calls most, the evaluations and analyses, say what they return
    and raise as their package functions do; no doc tells of a truth value results lack."""
    import inspect
    methods = {secgroup.SecurityGroup: ("evaluate", "evaluate_many", "compile", "analyze", "diff",
                                        "query", "exposure", "minimize", "lint"),
               secgroup.CompiledGroup: ("evaluate", "evaluate_many")}
    for cls, names in methods.items():
        for name in names:
            doc = inspect.getdoc(getattr(cls, name)) or ""
            assert "return" in doc.lower() and "Raises" in doc, f"{cls.__name__}.{name}"
            assert "truthy" not in doc, f"{cls.__name__}.{name}"


def test_negative_integers_name_their_field():
    # pybind11's conversion to an unsigned parameter raised a TypeError naming no field
    rule = secgroup.Rule()
    calls = [
        (lambda: secgroup.Rule(position=-1), "position"),
        (lambda: setattr(rule, "position", -5), "position"),
        (lambda: setattr(rule, "position", 2**32), "position"),
        (lambda: secgroup.MockStore(seed=-1), "seed"),
        (lambda: secgroup.analyze(secgroup.SecurityGroup(), timeout_ms=-1), "timeout_ms"),
        (lambda: secgroup.query(secgroup.SecurityGroup(), "inbound", resource_limit=-1),
         "resource_limit"),
    ]
    for call, field in calls:
        with pytest.raises(secgroup.ValidationError) as e:
            call()
        assert (e.value.id, e.value.field) == ("secgroup.validation.203", field)
    assert rule.position == 0  # unchanged
    rule.position = 4
    assert rule.position == 4 and secgroup.Rule(position=2**32 - 1).position == 2**32 - 1
    with pytest.raises(secgroup.ParseError) as e:
        secgroup.Rule(position="1")
    assert (e.value.id, e.value.field) == ("secgroup.parse.105", "position")


def test_a_blank_source_is_a_clear_error():
    # "" said "cannot read file: no such file" naming no field; "   " was a MissingFileError
    for blank in ("", "   ", "\n"):
        for call in (lambda: secgroup.load(blank), lambda: secgroup.load_group(blank)):
            with pytest.raises(secgroup.ParseError) as e:
                call()
            assert (e.value.id, e.value.field) == ("secgroup.parse.109", "source")
            assert not isinstance(e.value, FileNotFoundError)
        with pytest.raises(secgroup.ParseError) as e:
            secgroup.lint(blank)
        assert (e.value.id, e.value.field) == ("secgroup.parse.109", "groups")
