"""Attack class: a non-public address in another spelling (issue 9, point 11: SIIT).

Each row is a card whose link names a loopback, private or metadata address in a form that
carries an IPv4 address inside an IPv6 one, or in a numeric spelling; the real CLI must block it
(MDV203, exit 1) before connecting. The loopback server listens on 127.0.0.1 and must receive
nothing. The unit table pins the unwrapping itself, public inner addresses included.
"""

from __future__ import annotations

import hashlib
import ipaddress
from collections.abc import Iterator
from pathlib import Path

import pytest
from sec_support_assets import Lab, lab_for

from mdvalidator.assets.addresses import blocked_reason, embedded_ipv4

SHA = hashlib.sha256(b"x").hexdigest()


@pytest.fixture
def lab(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Iterator[Lab]:
    with lab_for(tmp_path, monkeypatch, capsys) as running:
        running.server.route("/a.ckpt", body=b"x")
        yield running


# (name, host as written in the link, words of the reason)
FORMS = [
    ("SIIT loopback", "[::ffff:0:127.0.0.1]", "loopback address wrapped in IPv6"),
    ("SIIT loopback, hex", "[::ffff:0:7f00:1]", "loopback address wrapped in IPv6"),
    ("SIIT metadata", "[::ffff:0:169.254.169.254]", "link-local address wrapped in IPv6"),
    ("SIIT private", "[::ffff:0:10.0.0.1]", "private address wrapped in IPv6"),
    ("SIIT unspecified", "[::ffff:0:0.0.0.0]", "wrapped in IPv6"),
    ("SIIT, long form", "[0:0:0:0:ffff:0:7f00:1]", "loopback address wrapped in IPv6"),
    ("mapped", "[::ffff:127.0.0.1]", "loopback address wrapped in IPv6"),
    ("compatible", "[::127.0.0.1]", "loopback address wrapped in IPv6"),
    ("6to4", "[2002:7f00:1::1]", "loopback address wrapped in IPv6"),
    ("NAT64", "[64:ff9b::a9fe:a9fe]", "link-local address wrapped in IPv6"),
    ("decimal", "2130706433", "loopback"),
    ("hex and short", "0x7f.1", "loopback"),
    ("octal", "0177.0.0.1", "loopback"),
]


@pytest.mark.parametrize(("host", "words"), [f[1:] for f in FORMS], ids=[f[0] for f in FORMS])
def test_wrapped_and_respelled_addresses_are_blocked(lab: Lab, host: str, words: str) -> None:
    lab.card([(f"http://{host}:{lab.server.port}/a.ckpt", SHA)])
    verdict = lab.check(private=False)
    assert (verdict.code, verdict.status, verdict.asset_statuses) == (1, "fail", ["blocked"])
    [message] = verdict.messages("MDV203")
    assert words in message
    assert lab.server.seen == []


def test_control_the_same_server_is_reached_by_its_plain_address(lab: Lab) -> None:
    lab.card([(lab.url("/a.ckpt"), SHA)])
    assert lab.check(private=True).asset_statuses == ["verified"]
    assert [s.path for s in lab.server.seen] == ["/a.ckpt"]


@pytest.mark.parametrize(
    ("address", "inner", "blocked"),
    [
        ("::ffff:0:7f00:1", "127.0.0.1", True),
        ("::ffff:0:a9fe:a9fe", "169.254.169.254", True),
        ("::ffff:0:c0a8:101", "192.168.1.1", True),
        ("::ffff:0:6440:1", "100.64.0.1", True),
        ("::ffff:0:0:0", "0.0.0.0", True),
        ("::ffff:0:808:808", "8.8.8.8", False),  # a public address, translated: allowed
        ("::ffff:0:5db8:d822", "93.184.216.34", False),
        ("::ffff:1:7f00:1", None, False),  # not the SIIT prefix: an ordinary global address
        ("::ffff:7f00:1", "127.0.0.1", True),  # mapped, for comparison
    ],
)
def test_siit_is_unwrapped_like_the_other_forms(
    address: str, inner: str | None, blocked: bool
) -> None:
    parsed = ipaddress.IPv6Address(address)
    found = embedded_ipv4(parsed)
    assert (str(found) if found else None) == inner
    assert (blocked_reason(parsed) is not None) == blocked
