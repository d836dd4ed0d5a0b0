"""Attack class: one link, two hosts (issue 9, point 3).

A link that Python's urllib reads as one host and browsers/requests as another lets a card be
verified from one place while users download from another. Each row plants such a link in a
real card whose urllib reading points at the loopback server serving the RIGHT bytes (so the
old reading would have said "All Passed"), runs the real CLI, and asserts the verdict a user
relies on: exit status, JSON status, the rule, and that the server received nothing.
A second table checks the parser itself against urllib3 (what requests uses) and a WHATWG
reading; a third the links that must keep working, fetched exactly as normalised.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from sec_support_assets import Lab, lab_for

from mdvalidator.urls import LinkError, _parse, parse_link

GOOD = b"\x0a\x05lenet" + bytes(range(256)) * 40  # a protobuf-looking checkpoint
GOOD_SHA = hashlib.sha256(GOOD).hexdigest()


@pytest.fixture
def lab(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Iterator[Lab]:
    with lab_for(tmp_path, monkeypatch, capsys) as running:
        running.server.route("/good.ckpt", body=GOOD)
        running.server.route("/models/good.ckpt", body=GOOD)
        yield running


HOST = "127.0.0.1:{port}"
# (name, link as written in the card, words the MDV123 message must contain)
HOSTILE = [
    ("backslash before @", "http://evil.example\\@" + HOST + "/good.ckpt", "backslash"),
    ("backslash after host", "http://" + HOST + "\\@evil.example/good.ckpt", "backslash"),
    ("backslash in path", "http://" + HOST + "/models\\..\\good.ckpt", "backslash"),
    ("userinfo @ trick", "http://download.mindspore.cn@" + HOST + "/good.ckpt", "user info"),
    ("two @", "http://a@download.mindspore.cn@" + HOST + "/good.ckpt", "user info"),
    ("credentials", "http://user:secret@" + HOST + "/good.ckpt", "user info"),
    ("tab inside", '"http://' + HOST + '/go\\tod.ckpt"', "white space"),
    ("newline inside", '"http://' + HOST + '/go\\nod.ckpt"', "white space"),
    ("carriage return", '"http://' + HOST + '/go\\rod.ckpt"', "white space"),
    ("NUL byte", '"http://' + HOST + '/good.ckpt\\0"', "control"),
    ("space", "<http://" + HOST + "/go od.ckpt>", "white space"),
    ("bidi override", "http://" + HOST + "/good\u202e.ckpt", "invisible"),
    ("zero-width in host", "http://127.0.0.\u200b1:{port}/good.ckpt", "invisible"),
    ("percent-encoded host", "http://%31%32%37.0.0.1:{port}/good.ckpt", "read differently"),
    ("percent-encoded dot", "http://127%2e0.0.1:{port}/good.ckpt", "read differently"),
    ("full-width host", "http://\uff11\uff12\uff17.0.0.1:{port}/good.ckpt", "canonical"),
    ("ideographic dot", "http://127\u30020.0.1:{port}/good.ckpt", "canonical"),
    ("trailing-dot IPv4", "http://127.0.0.1.:{port}/good.ckpt", "read differently"),
    ("number-ending name", "http://evil.0x7f:{port}/good.ckpt", "ends in a number"),
    ("one slash", "http:/" + HOST + "/good.ckpt", "read differently"),
    ("no slash", "http:" + HOST + "/good.ckpt", "read differently"),
    ("three slashes", "http:///" + HOST + "/good.ckpt", "read differently"),
    ("IPv6 zone", "http://[fe80::1%25lo]:{port}/good.ckpt", "zone"),
    ("text after IPv6", "http://[::1]evil.example:{port}/good.ckpt", "read differently"),
    ("caret in host", "http://evil^host.example:{port}/good.ckpt", "not valid"),
    ("sharp s (IDNA 2003 vs 2008)", "http://fa\u00df.example/good.ckpt", "encode differently"),
]


@pytest.mark.parametrize(("link", "words"), [r[1:] for r in HOSTILE], ids=[r[0] for r in HOSTILE])
def test_hostile_links_fail_the_card_and_fetch_nothing(lab: Lab, link: str, words: str) -> None:
    lab.card([(link.format(port=lab.server.port), GOOD_SHA)])
    verdict = lab.check()
    assert (verdict.code, verdict.status) == (1, "fail")
    assert "MDV123" in verdict.rules
    [message] = verdict.messages("MDV123")
    assert words in message.replace("user information", "user info")
    assert verdict.asset_statuses == []  # not verified from anywhere
    assert lab.paths_seen() == []


def test_the_reported_example_names_both_hosts(lab: Lab) -> None:
    lab.card([("https://evil.example\\@download.mindspore.cn/x.ckpt", GOOD_SHA)])
    [message] = lab.check().messages("MDV123")
    assert "'evil.example'" in message and "'download.mindspore.cn'" in message


# (name, route the server answers with, what it points at)
REDIRECTS = [
    ("to a backslash link", "http://evil.example\\@" + HOST + "/good.ckpt"),
    ("to a path-relative backslash", "/\\evil.example/good.ckpt"),
    ("to user info", "http://download.mindspore.cn@" + HOST + "/good.ckpt"),
    ("to a percent-encoded host", "http://%31%32%37.0.0.1:{port}/good.ckpt"),
    ("to a tab", "http://" + HOST + "/go\tod.ckpt"),
]


@pytest.mark.parametrize("location", [r[1] for r in REDIRECTS], ids=[r[0] for r in REDIRECTS])
def test_every_redirect_hop_goes_through_the_same_parser(lab: Lab, location: str) -> None:
    lab.server.route("/hop", location=location.format(port=lab.server.port))
    lab.card([(lab.url("/hop"), GOOD_SHA)])
    verdict = lab.check()
    assert (verdict.code, verdict.status) == (1, "fail")
    assert verdict.asset_statuses == ["blocked"] and "MDV203" in verdict.rules
    assert lab.paths_seen() == ["/hop"]  # the hostile hop itself was never requested


# (name, link as written, the request path the server must receive)
NORMALISED = [
    ("dot segments", "/models/../good.ckpt", "/good.ckpt"),
    ("encoded dot segments", "/models/%2e%2E/models/./good.ckpt", "/models/good.ckpt"),
    ("above the root", "/../../good.ckpt", "/good.ckpt"),
    ("fragment dropped", "/good.ckpt#@evil.example", "/good.ckpt"),
    ("query kept", "/good.ckpt?@evil.example", "/good.ckpt?@evil.example"),
]


@pytest.mark.parametrize(
    ("path", "requested"), [r[1:] for r in NORMALISED], ids=[r[0] for r in NORMALISED]
)
def test_what_is_checked_is_what_is_fetched(lab: Lab, path: str, requested: str) -> None:
    lab.card([(f"<http://{HOST.format(port=lab.server.port)}{path}>", GOOD_SHA)])
    verdict = lab.check()
    assert (verdict.code, verdict.status, verdict.asset_statuses) == (0, "pass", ["verified"])
    assert lab.paths_seen() == [requested]


def test_a_numeric_spelling_is_fetched_as_the_address_it_spells(lab: Lab) -> None:
    lab.card([(f"http://2130706433:{lab.server.port}/good.ckpt", GOOD_SHA)])
    assert lab.check().asset_statuses == ["verified"]
    assert lab.server.seen[0].headers["Host"] == f"127.0.0.1:{lab.server.port}"
    blocked = lab.check(private=False)
    assert (blocked.code, blocked.asset_statuses) == (1, ["blocked"])
    assert len(lab.server.seen) == 1


# The parser against other readers. (link, host or None when refused)
READINGS = [
    ("https://download.mindspore.cn/models/r1.9/a.ckpt", "download.mindspore.cn"),
    ("https://Download.MindSpore.CN:443/a.ckpt", "download.mindspore.cn"),
    ("https://download.mindspore.cn/r1.10/P@1acc42.7_R10@1.ckpt", "download.mindspore.cn"),
    ("https://b\u00fccher.example/a.onnx", "xn--bcher-kva.example"),
    ("https://xn--bcher-kva.example/a.onnx", "xn--bcher-kva.example"),
    ("http://[2001:db8::1]:8080/a", "2001:db8::1"),
    ("http://0x7f.1/a", "127.0.0.1"),
    ("http://017700000001/a", "127.0.0.1"),
    ("https://example.org./a", "example.org."),
    ("https://evil.example\\@download.mindspore.cn/x.ckpt", None),
    ("https://download.mindspore.cn\\@evil.example/x.ckpt", None),
    ("https://a@download.mindspore.cn/x.ckpt", None),
    ("https://%65vil.example/x.ckpt", None),
    ("https://evil.example%2f@download.mindspore.cn/", None),
    ("https://\uff45vil.example/x", None),
    ("https://evil.example\t.download.mindspore.cn/x", None),
    ("http://1.2.3.4.5/x", None),
    ("http://08.1.1.1/x", None),
    ("http://[::1%25eth0]/x", None),
    ("ftp://download.mindspore.cn/x", None),
    ("javascript:alert(1)//download.mindspore.cn/", None),
]


def _urllib3_host(link: str) -> str | None:
    import ipaddress
    import socket

    from urllib3.util import parse_url

    host = parse_url(link).host
    if host is None:
        return None
    host = host.strip("[]").lower()
    try:
        return ipaddress.ip_address(host).compressed
    except ValueError:
        pass
    try:
        return socket.inet_ntoa(socket.inet_aton(host))
    except OSError:
        return host


@pytest.mark.parametrize(("link", "host"), READINGS)
def test_accepted_links_mean_one_host_to_every_reader(link: str, host: str | None) -> None:
    if host is None:
        with pytest.raises(LinkError):
            parse_link(link)
        return
    parsed = parse_link(link)
    assert parsed.host == host
    assert _urllib3_host(link) == host  # what requests would connect to
    assert _urllib3_host(parsed.url) == host
    again = parse_link(parsed.url)  # the normalised form is a fixed point
    assert again == parsed and again.url == parsed.url


@pytest.mark.parametrize("link", [r[1] for r in HOSTILE])
def test_hostile_links_are_refused_by_the_parser_too(link: str) -> None:
    text = link.format(port=8080).strip('<>"').replace("\\t", "\t").replace("\\n", "\n")
    with pytest.raises(LinkError):
        parse_link(text.replace("\\r", "\r").replace("\\0", "\0"))


PLAIN = [
    "https://download.mindspore.cn/models/r1.9/lenet_ascend_v190_mnist_official_cv_acc98.ckpt",
    "HTTPS://Download.MindSpore.CN:8443/a/./b/../c.ckpt?x=1&y=%20#top",
    "http://example.org",
    "http://example.org.:80?q",
    "https://a_b.example/%7Euser/x(1).onnx",
    "https://example.org:99999/x",
    "https://example.org:0/x",
    "http://foo.123/x",
    "https://" + "a" * 64 + ".example/x",
]


@pytest.mark.parametrize("link", PLAIN + [r[0] for r in READINGS])
def test_the_fast_path_reads_plain_links_as_both_readers_do(link: str) -> None:
    def read(fast: bool) -> object:
        try:
            return _parse(link, fast=fast)
        except LinkError as error:
            return ("refused", error.kind)

    assert read(True) == read(False)
