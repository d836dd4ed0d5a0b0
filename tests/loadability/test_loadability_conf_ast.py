"""mindspore_hub_conf.py read with ast: entry point, signature, the names it knows."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from mdvalidator.loadability.conf_ast import (
    ConfReading,
    ConfSyntaxError,
    accepts,
    read_conf,
    uncased_literals,
)
from mdvalidator.loadability.conf_fetch import CONF_MAX_BYTES

CHECKOUT = Path(__file__).resolve().parents[2] / "fixtures" / "loadability" / "checkout"


def fixture(case: str) -> ConfReading:
    read = read_conf((CHECKOUT / case / "mindspore_hub_conf.py").read_bytes())
    assert isinstance(read, ConfReading), read
    return read


def source(text: str) -> ConfReading | ConfSyntaxError:
    return read_conf(textwrap.dedent(text))


def names(read: ConfReading) -> list[str]:
    return [lit.text for lit in read.literals]


# case -> (literals, closed, accepted name, refused name or None)
FIXTURES = {
    "plain_eq": (["resnet50", "resnet101"], True, "ResNet50", "resnet34"),
    "in_tuple": (["transformer_base", "transformer_large"], True, "transformer_large", "t"),
    "dict_constructors": (
        ["mobilenetv2", "mobilenetv3_large", "mobilenetv3_small"],
        True,
        "MobileNetV3_small",
        "mobilenetv1",
    ),
    "mixed_case": (["DeepLabV3plus_s16", "DeepLabV3plus_s8"], True, None, "DeepLabV3plus_s16"),
    "match_case": (
        ["vit_base_patch16", "vit_base_patch32", "Vit_Large"],
        True,
        "vit_base_patch32",
        "vit_large",
    ),
    "ne_guard": (["openposenet"], True, "OpenPoseNet", "openpose"),
    "no_kwargs": (["dcgan"], True, "dcgan", "gan"),
    "no_literals": ([], False, None, None),
    "open_dispatch": (["yolov3_darknet53"], False, None, None),
    "fall_through": (["bert_nezha"], False, None, None),
}


@pytest.mark.parametrize("case", sorted(FIXTURES))
def test_fixture_conf_files(case: str) -> None:
    literals, closed, good, bad = FIXTURES[case]
    read = fixture(case)
    assert read.entry == "def"
    assert names(read) == literals
    assert read.closed is closed
    if good is not None:
        assert accepts(read, good) is True
    if bad is not None:
        assert accepts(read, bad) is False
    if not closed:
        assert accepts(read, "anything") is None


def test_mixed_case_literals_can_never_match() -> None:
    read = fixture("mixed_case")
    assert [(lit.text, lit.line) for lit in uncased_literals(read)] == [
        ("DeepLabV3plus_s16", 7),
        ("DeepLabV3plus_s8", 9),
    ]
    assert uncased_literals(fixture("plain_eq")) == ()
    assert [lit.text for lit in uncased_literals(fixture("match_case"))] == ["Vit_Large"]


def test_signature_without_kwargs() -> None:
    read = fixture("no_kwargs")
    assert read.call_problems == ()
    assert read.signature_problems == ("it has no **kwargs, so load(name, key=value) fails",)
    assert fixture("plain_eq").signature_problems == ()


def test_syntax_error_at_its_line() -> None:
    read = read_conf((CHECKOUT / "syntax_error" / "mindspore_hub_conf.py").read_bytes())
    assert isinstance(read, ConfSyntaxError)
    assert (read.line, read.message) == (6, "expected ':'")


def test_entry_absent_imported_and_async() -> None:
    assert fixture("no_create_network").entry == "absent"
    assert fixture("imported_entry").entry == "other"
    read = fixture("async_entry")
    assert read.call_problems == (
        "it is 'async def': calling it returns a coroutine, not a network",
    )


@pytest.mark.parametrize(
    ("text", "entry"),
    [
        ("create_network = make()", "other"),
        ("from nets import *", "other"),
        ("import hub as create_network", "other"),
        ("class create_network: pass", "other"),
        ("def __getattr__(name): return None", "other"),
        ("exec('def create_network(n): pass')", "other"),
        ("@register\ndef create_network(name, *a, **k): return 1", "other"),
        ("try:\n    from a import create_network\nexcept ImportError:\n    pass", "other"),
        ("if True:\n    def create_network(name, *a, **k):\n        return 1", "def"),
        ("def other(): pass", "absent"),
        (
            "if X:\n    def create_network(n, *a): pass\nelse:\n    def create_network(): pass",
            "other",
        ),
        ("", "absent"),
        ("class Nets:\n    def create_network(self, name): pass", "absent"),
    ],
)
def test_how_the_entry_point_is_bound(text: str, entry: str) -> None:
    read = read_conf(text)
    assert isinstance(read, ConfReading)
    assert read.entry == entry


@pytest.mark.parametrize(
    ("signature", "calls", "extra"),
    [
        ("name, *args, **kwargs", 0, 0),
        ("name, /, *args, **kwargs", 0, 0),
        ("*args, **kwargs", 0, 0),
        ("name, num_classes=10, *args, **kwargs", 0, 0),
        ("name", 0, 2),
        ("name, num_classes=10", 0, 2),
        ("name, **kwargs", 0, 1),
        ("", 1, 2),
        ("name, num_classes, *args, **kwargs", 1, 0),
        ("name, *args, device, **kwargs", 1, 0),
        ("name, *args, device='cpu', **kwargs", 0, 0),
    ],
)
def test_signatures(signature: str, calls: int, extra: int) -> None:
    read = read_conf(f"def create_network({signature}):\n    raise NotImplementedError\n")
    assert isinstance(read, ConfReading)
    assert (len(read.call_problems), len(read.signature_problems)) == (calls, extra)


def test_more_positional_parameters_than_the_message_counts() -> None:
    read = source("def create_network(name, n=1):\n    return 1\n")
    assert isinstance(read, ConfReading)
    assert read.signature_problems[0] == (
        "it has no *args, so load(name, ...) with more than 1 argument(s) fails"
    )


# body of create_network(name, *args, **kwargs) -> (literals, closed)
BODIES = [
    ('if name == "a":\n    return A()\nraise ValueError(name)', (["a"], True)),
    ('if "a" == name:\n    return A()', (["a"], True)),  # the end returns None: fails
    ('if name.lower() == "a":\n    return A()', (["a"], True)),
    ('if name != "a":\n    raise ValueError(name)\nreturn A()', (["a"], True)),
    ('if not name == "a":\n    raise ValueError\nreturn A()', (["a"], True)),
    ('if name == "a" or name == "b":\n    return A()', (["a", "b"], True)),
    ('if name in ["a", "b"]:\n    return A()\nreturn None', (["a", "b"], True)),
    ('if name in {"a", "b"}:\n    return A()', (["a", "b"], True)),
    ('if name in {"a": 1}:\n    return A()', (["a"], True)),
    (
        'if name == "a":\n    return A()\nelif name == "b":\n    return B()\nelse:\n    raise E',
        (["a", "b"], True),
    ),
    ('return {"a": A, "b": B}[name]()', (["a", "b"], True)),
    ('net = {"a": A}[name] if name in ("a",) else B\nreturn net()', (["a"], False)),
    ('net = name in ("a",) and {"a": A}[name]\nreturn B()', (["a"], False)),
    ('nets = [{"a": A}[name] for _ in x]\nreturn B()', (["a"], False)),
    ('f = lambda: {"a": A}[name]\nreturn f()', (["a"], False)),
    ('net = {"a": A}[name] or B\nreturn net()', (["a"], True)),
    ('net = {"a": A}.get(name)\nif net is None:\n    raise E\nreturn net()', (["a"], False)),
    ('if {"a": A}.get(name):\n    return A()', (["a"], True)),
    ('try:\n    return {"a": A}[name]()\nexcept KeyError:\n    return B()', (["a"], False)),
    ('try:\n    return {"a": A}[name]()\nexcept KeyError:\n    raise E', (["a"], True)),
    ('if name == "a":\n    return A()\nreturn B()', (["a"], False)),
    ('if name.startswith("res"):\n    return A()', ([], False)),
    ("if name == other:\n    return A()", ([], False)),
    ('if name == "a" and flag:\n    return A()', (["a"], True)),
    ('if name == "a" or flag:\n    return A()', (["a"], False)),
    ('if flag:\n    return A()\nif name == "a":\n    return A()', (["a"], False)),
    ('name = "a"\nif name == "a":\n    return A()', ([], False)),  # rebound
    ('for name in ("a",):\n    pass\nif name == "a":\n    return A()', ([], False)),
    ('if name == "a":\n    return A()\nwhile True:\n    return B()', (["a"], False)),
    ('if name == "a":\n    return A()\nwith ctx():\n    raise E', (["a"], True)),
    (
        'match name:\n    case "a" | "b":\n        return A()\n    case _:\n        raise E',
        (["a", "b"], True),
    ),
    ('match name:\n    case "a":\n        return A()', (["a"], True)),
    (
        'match name:\n    case "a":\n        return A()\n    case other:\n        return B()',
        (["a"], False),
    ),
    ('match kind:\n    case "a":\n        return A()', ([], False)),
    ('if name == "a":\n    return A()\nreturn', (["a"], True)),
    ("if name == 1:\n    return A()", ([], False)),
    ("return A(*args, **kwargs)", ([], False)),
]


@pytest.mark.parametrize(("body", "expected"), BODIES, ids=[b for b, _ in BODIES])
def test_names_and_paths(body: str, expected: tuple[list[str], bool]) -> None:
    indented = textwrap.indent(body, "    ")
    read = read_conf(f"def create_network(name, *args, **kwargs):\n{indented}\n")
    assert isinstance(read, ConfReading), read
    assert (names(read), read.closed) == expected


@pytest.mark.parametrize(
    ("module", "closed"),
    [
        ('NETS = {"a": A}\n', True),
        ('NETS: dict = {"a": A}\n', True),
        ('NETS = {"a": A}\nNETS["b"] = B\n', False),
        ('NETS = {"a": A}\nNETS.update(b=B)\n', False),
        ('NETS = {"a": A}\nNETS = {"b": B}\n', False),
        ('NETS = {"a": A, **MORE}\n', False),
        ("NETS = make()\n", False),
        ('NETS = {"a": A}\nfrom more import NETS\n', False),
        ('NETS = {"a": A}\ndef NETS(): pass\n', False),
        ('NETS = {"a": A}\nfor NETS in []: pass\n', False),
        ('NETS = {"a": A}\ndef f():\n    global NETS\n', False),
    ],
)
def test_module_level_tables(module: str, closed: bool) -> None:
    text = module + "\ndef create_network(name, *args, **kwargs):\n    return NETS[name]()\n"
    read = read_conf(text)
    assert isinstance(read, ConfReading)
    assert read.closed is closed


def test_bytes_honour_a_coding_line() -> None:
    text = (
        "# -*- coding: latin-1 -*-\n"
        'def create_network(name, *a, **k):\n    if name == "caf\xe9":\n        return 1\n'
    )
    read = read_conf(text.encode("latin-1"))
    assert isinstance(read, ConfReading)
    assert names(read) == ["caf\xe9"]


@pytest.mark.parametrize(
    "data",
    [b"def create_network(name):\n\x00", b"\xff\xfe not python", b"(" * 300_000, b"x = [" * 200],
)
def test_unreadable_files_are_syntax_errors_not_crashes(data: bytes) -> None:
    assert isinstance(read_conf(data), ConfSyntaxError)


def test_deep_nesting_in_a_valid_file_leaves_the_set_open() -> None:
    test = "not " * 900 + 'name == "a"'
    read = read_conf(f"def create_network(name, *a, **k):\n    if {test}:\n        return 1\n")
    if isinstance(read, ConfSyntaxError):  # this Python's parser refuses it: fine too
        return
    assert read.entry == "def"


def test_a_large_hostile_file_is_read_in_bounded_time() -> None:
    """Thousands of tables and lookups: one pass over the file, not one per lookup."""
    import time

    tables = "".join(f'T{i} = ("n{i}",)\n' for i in range(1200))
    tests = "".join(f"    if name in T{i}:\n        raise E\n" for i in range(1200))
    text = f"{tables}def create_network(name, *args, **kwargs):\n{tests}    return 1\n"
    assert len(text) < CONF_MAX_BYTES
    start = time.monotonic()
    read = read_conf(text)
    assert isinstance(read, ConfReading)
    assert len(read.literals) == 1200 and not read.closed
    assert time.monotonic() - start < 10
