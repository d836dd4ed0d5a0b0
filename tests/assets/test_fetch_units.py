"""Small pieces of the fetcher: Retry-After, URL checks, probe and fetch_small limits, progress."""

from __future__ import annotations

import dataclasses
import email.utils
import io
import sys
import time
from typing import TYPE_CHECKING

import pytest

from mdvalidator.assets.fetch import FetchError, check_url, fetch_small, probe, retry_after
from mdvalidator.assets.options import AssetOptions
from mdvalidator.assets.progress import DownloadProgress
from mdvalidator.problem import AssetStatus

if TYPE_CHECKING:
    from conftest import AssetServer


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        (None, None),
        ("", None),
        ("3", 3.0),
        ("0", 0.0),
        ("-5", 0.0),
        ("9999", 30.0),
        ("soon", None),
        ("nan", None),
        ("inf", 30.0),
    ],
)
def test_retry_after_is_capped(value: str | None, seconds: float | None) -> None:
    assert retry_after(value, 30.0) == seconds


def test_retry_after_http_date() -> None:
    later = email.utils.formatdate(time.time() + 10, usegmt=True)
    wait = retry_after(later, 30.0)
    assert wait is not None and 5 <= wait <= 11
    assert retry_after(email.utils.formatdate(time.time() + 3600, usegmt=True), 30.0) == 30.0


@pytest.mark.parametrize(
    ("url", "host", "port", "target"),
    [
        ("https://Example.org/a%20b.ckpt?x=1", "example.org", 443, "/a%20b.ckpt?x=1"),
        ("https://example.org/é.ckpt", "example.org", 443, "/%C3%A9.ckpt"),
        ("http://example.org:8080", "example.org", 8080, "/"),
        ("https://bücher.example/m.onnx", "xn--bcher-kva.example", 443, "/m.onnx"),
        ("http://example.org/a/../x#frag", "example.org", 80, "/x"),
    ],
)
def test_check_url(url: str, host: str, port: int, target: str) -> None:
    assert check_url(url, AssetOptions())[1:] == (host, port, target)


@pytest.mark.parametrize(
    "url",
    [
        "http://example.org:99999/",
        "http:///nohost",
        "not a url",
        "https://Example.org/a b.ckpt",
        "http://user:pw@example.org/x",
    ],
)
def test_bad_urls_are_unreachable_not_crashes(url: str) -> None:
    with pytest.raises(FetchError) as caught:
        check_url(url, AssetOptions())
    assert caught.value.status in (AssetStatus.UNREACHABLE, AssetStatus.BLOCKED)


def test_fetch_small_size_cap(server: AssetServer, options: AssetOptions) -> None:
    server.route("/big.json", body=b"x" * 5000)
    server.route("/chunked.json", body=b"x" * 5000, chunked=True)
    for path in ("/big.json", "/chunked.json"):
        with pytest.raises(FetchError) as caught:
            fetch_small(server.url(path), options, 1000)
        assert caught.value.status is AssetStatus.TOO_LARGE
    assert fetch_small(server.url("/chunked.json"), options, 5000) == b"x" * 5000


def test_fetch_small_retries_a_drop(server: AssetServer, options: AssetOptions) -> None:
    server.route("/m.json", body=b'{"msg": "ok"}', drops=1, drop_at=3)
    assert fetch_small(server.url("/m.json"), options, 100) == b'{"msg": "ok"}'


def test_probe(server: AssetServer, options: AssetOptions) -> None:
    server.route("/a.bin", body=b"12345")
    assert probe(server.url("/a.bin"), options) == 5
    assert server.seen[0].method == "HEAD"
    with pytest.raises(FetchError) as caught:
        probe(server.url("/missing"), options)
    assert caught.value.http_status == 404 and "HTTP 404" in caught.value.message
    server.route("/busy", always_status=503)
    with pytest.raises(FetchError) as caught:
        probe(server.url("/busy"), options)
    assert caught.value.http_status == 503 and "after 4 attempts" in caught.value.message


def test_refused_connection_is_unreachable(options: AssetOptions) -> None:
    quick = dataclasses.replace(options, retries=1)
    with pytest.raises(FetchError) as caught:
        fetch_small("http://127.0.0.1:9/", quick, 10)  # discard port: nothing listens
    assert (caught.value.status, caught.value.reason) == (AssetStatus.UNREACHABLE, "connect")


def test_retry_wait_beyond_the_deadline_is_a_timeout(
    server: AssetServer, options: AssetOptions
) -> None:
    server.route("/a", always_status=429, retry_after="20")
    patient = dataclasses.replace(options, retry_after_cap=60.0, deadline=1.0)
    with pytest.raises(FetchError) as caught:
        fetch_small(server.url("/a"), patient, 10)
    assert caught.value.reason == "timeout"
    assert len(server.seen) == 1


def test_progress_is_silent_off_a_terminal() -> None:
    progress = DownloadProgress(3, enabled=True)  # pytest's stderr is not a TTY
    assert progress.tracker() is None
    progress.finished()
    progress.close()


def test_progress_draws_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("tqdm")

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    progress = DownloadProgress(2, enabled=True)
    track = progress.tracker()
    assert track is not None
    track(3 << 20, None)
    progress.finished()
    progress.close()
    shown = terminal.getvalue()
    assert "assets 0/2" in shown and "assets 1/2" in shown and "MB" in shown


def test_the_one_retry_loop_resumes_progress_at_once_and_counts_failures() -> None:
    from mdvalidator.assets.errors import Deadline, Retryable, unreachable, with_retries

    options = AssetOptions(retries=2, backoff=0.001)
    kept = [0]
    calls: list[int] = []

    def attempt() -> str:
        calls.append(kept[0])
        if len(calls) <= 5:  # five drops that each kept some bytes: resumed, not counted
            kept[0] += 10
            raise Retryable(unreachable("http://x.test/", "connection dropped", "dropped"))
        if len(calls) <= 7:  # two failures without progress: the two retries
            raise Retryable(unreachable("http://x.test/", "HTTP 503", "http"))
        return "done"

    assert with_retries("http://x.test/", options, Deadline(10), attempt, lambda: kept[0]) == "done"
    assert len(calls) == 8
    calls.clear()
    kept[0] = 0
    with pytest.raises(FetchError) as caught:  # without a progress count, every drop counts
        with_retries("http://x.test/", options, Deadline(10), attempt)
    assert "after 3 attempts" in caught.value.message and len(calls) == 3
