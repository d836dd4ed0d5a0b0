"""Verifying a large asset over a slow link: one connection, aria2c, and mdvalidator's parts.

A loopback server (a child process) caps each connection at ``--rate-mib`` MiB/s (paced, like a
far-away CDN that gives each connection a few MiB/s), supports ranges (206, ETag, Last-Modified,
If-Range) and keep-alive, and serves a ``--size-mib`` asset generated in memory. In the same run
it times, each as a subprocess:

- ``curl -s URL | openssl dgst -sha256`` (one connection);
- ``aria2c -x 8 -s 8`` into a temporary folder, then ``openssl dgst -sha256`` of the file
  (skipped when aria2c is missing: ``apt-get install -y aria2`` on Debian/Ubuntu,
  ``brew install aria2`` on macOS);
- ``mdvalidator hash --allow-private-network --connections N URL``, the real CLI, with a fresh
  cache folder each time (so it downloads), and its peak RSS (``wait4``).

Every digest must be the right one. Targets: mdvalidator >= 0.9x aria2c's throughput and >= 5x
the single connection's, peak RSS <= 128 MiB. With ``--rounds`` > 1 the rounds are interleaved
and the median is reported.

    python bench/bench_slowlink.py [--size-mib 256] [--rate-mib 8] [--connections 8]
                                   [--rounds 1] [--check-targets]
"""

from __future__ import annotations

import argparse
import email.utils
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_download import BLOCK, block, expected_digest

ROOT = Path(__file__).resolve().parent.parent
PIECE = 64 * 1024  # the pacing step
_RANGE = re.compile(r"^bytes=(\d+)-(\d*)$")
LAST_MODIFIED = email.utils.formatdate(1_700_000_000, usegmt=True)


class _PacedHandler(BaseHTTPRequestHandler):
    """``GET /asset.bin``: ``size`` bytes of the bench block, each connection paced at ``rate``."""

    protocol_version = "HTTP/1.1"
    size = 0
    rate = 8.0 * 1024**2
    data = memoryview(b"")
    sent = 0
    requests = 0
    counting = threading.Lock()

    def log_message(self, format: str, *args: object) -> None:
        pass

    def setup(self) -> None:
        super().setup()
        self.next_send = time.monotonic()  # the pace belongs to the connection, not a request

    def do_HEAD(self) -> None:
        self._answer(body=False)

    def do_GET(self) -> None:
        self._answer(body=True)

    def _answer(self, body: bool) -> None:
        cls = type(self)
        if self.path == "/stats":
            text = f"{cls.sent} {cls.requests}".encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(text)))
            self.end_headers()
            self.wfile.write(text)
            return
        with cls.counting:
            cls.requests += 1
        etag = f'"{cls.size:x}-bench"'
        start, end, status = 0, cls.size, 200
        wanted = _RANGE.match(self.headers.get("Range", ""))
        if_range = self.headers.get("If-Range")
        if wanted and if_range in (None, etag, LAST_MODIFIED):
            start = int(wanted.group(1))
            if wanted.group(2):
                end = min(int(wanted.group(2)) + 1, cls.size)
            if start >= end:
                self.send_response(416)
                self.send_header("Content-Range", f"bytes */{cls.size}")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            status = 206
        if self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.end_headers()
            return
        self.send_response(status)
        self.send_header("Content-Length", str(end - start))
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", LAST_MODIFIED)
        if status == 206:
            self.send_header("Content-Range", f"bytes {start}-{end - 1}/{cls.size}")
        self.end_headers()
        if body:
            self._paced(start, end)

    def _paced(self, start: int, end: int) -> None:
        cls = type(self)
        self.next_send = max(self.next_send, time.monotonic())  # no burst after idling
        offset = start
        try:
            while offset < end:
                count = min(PIECE, end - offset)
                wait = self.next_send - time.monotonic()
                if wait > 0:
                    time.sleep(wait)
                at = offset % BLOCK
                self.wfile.write(cls.data[at : at + count])
                with cls.counting:
                    cls.sent += count
                offset += count
                self.next_send += count / cls.rate
        except OSError:
            self.close_connection = True


def serve(port_file: str, size: int, rate: float) -> None:
    unit = block()
    _PacedHandler.size = size
    _PacedHandler.rate = rate
    _PacedHandler.data = memoryview(unit + unit)  # any slice of PIECE bytes is contiguous
    server = ThreadingHTTPServer(("127.0.0.1", 0), _PacedHandler)
    server.daemon_threads = True
    Path(port_file).write_text(str(server.server_address[1]))
    server.serve_forever()


class SlowServer:
    """The paced server in a child process (its threads do not share our GIL)."""

    def __init__(self, size: int, rate: float) -> None:
        self.size, self.rate = size, rate

    def __enter__(self) -> SlowServer:
        self._dir = tempfile.TemporaryDirectory(prefix="mdv-slowlink-")
        port_file = os.path.join(self._dir.name, "port")
        command = [sys.executable, __file__, "--serve", port_file]
        command += ["--size-bytes", str(self.size), "--rate-bytes", str(self.rate)]
        self._process = subprocess.Popen(command, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while not os.path.exists(port_file) or not Path(port_file).read_text():
            if time.monotonic() > deadline or self._process.poll() is not None:
                raise RuntimeError("bench server did not start")
            time.sleep(0.02)
        self.port = int(Path(port_file).read_text())
        self.url = f"http://127.0.0.1:{self.port}/asset.bin"
        return self

    def served(self) -> int:
        import urllib.request

        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(f"http://127.0.0.1:{self.port}/stats", timeout=10) as response:
            return int(response.read().split()[0])

    def __exit__(self, *exc: object) -> None:
        self._process.terminate()
        self._process.wait(timeout=10)
        self._dir.cleanup()


@dataclass
class Run:
    seconds: float
    digest: str
    served: int
    rss_kib: int = 0


def timed(command: str) -> tuple[float, str]:
    """(seconds, stdout) of one shell command."""
    start = time.perf_counter()
    done = subprocess.run(command, shell=True, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"{command!r} failed ({done.returncode}): {done.stderr.strip()[:300]}")
    return seconds, done.stdout


def run_curl(server: SlowServer) -> Run:
    before = server.served()
    seconds, out = timed(f"curl -s {server.url} | openssl dgst -sha256")
    return Run(seconds, out.split()[-1], server.served() - before)


def run_aria2c(server: SlowServer, folder: Path, connections: int) -> Run:
    target = folder / "aria2"
    shutil.rmtree(target, ignore_errors=True)
    before = server.served()
    start = time.perf_counter()
    subprocess.run(
        ["aria2c", "-x", str(connections), "-s", str(connections), "-q", "--no-conf",
         "--allow-overwrite=true", "-d", str(target), "-o", "asset.bin", server.url],
        check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    out = subprocess.run(
        ["openssl", "dgst", "-sha256", str(target / "asset.bin")],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    seconds = time.perf_counter() - start
    shutil.rmtree(target, ignore_errors=True)
    return Run(seconds, out.split()[-1], server.served() - before)


def run_mdvalidator(server: SlowServer, folder: Path, connections: int, round_: int) -> Run:
    env = {
        **os.environ,
        "XDG_CACHE_HOME": str(folder / f"cache-{round_}"),  # a cold cache: it must download
        "MDVALIDATOR_CACHE_KEY_FILE": str(folder / "state" / "cache-key"),
        "PYTHONPATH": str(ROOT),
    }
    command = [sys.executable, "-m", "mdvalidator", "hash", "--allow-private-network"]
    command += ["--connections", str(connections), server.url]
    before = server.served()
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    assert process.stdout is not None and process.stderr is not None
    out = process.stdout.read().decode()
    err = process.stderr.read().decode()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise RuntimeError(f"mdvalidator hash failed ({process.returncode}): {err.strip()[:300]}")
    return Run(seconds, out.split()[0], server.served() - before, usage.ru_maxrss)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mib", type=int, default=256)
    parser.add_argument("--rate-mib", type=float, default=8.0, help="per connection")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--check-targets", action="store_true")
    parser.add_argument("--serve", help=argparse.SUPPRESS)
    parser.add_argument("--size-bytes", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--rate-bytes", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.size_bytes, args.rate_bytes)
        return 0

    size = args.size_mib * BLOCK
    expected = expected_digest(size)
    have_aria2c = shutil.which("aria2c") is not None
    results: dict[str, list[Run]] = {"curl": [], "aria2c": [], "mdvalidator": []}
    with (
        SlowServer(size, args.rate_mib * 1024**2) as server,
        tempfile.TemporaryDirectory(prefix="mdv-slowlink-") as temp,
    ):
        folder = Path(temp)
        for round_ in range(args.rounds):
            results["mdvalidator"].append(run_mdvalidator(server, folder, args.connections, round_))
            if have_aria2c:
                results["aria2c"].append(run_aria2c(server, folder, args.connections))
            results["curl"].append(run_curl(server))
    return report(args, size, expected, results, have_aria2c)


def report(
    args: argparse.Namespace,
    size: int,
    expected: str,
    results: dict[str, list[Run]],
    have_aria2c: bool,
) -> int:
    mib = size / 1024**2
    median = {
        name: statistics.median(r.seconds for r in runs) for name, runs in results.items() if runs
    }
    how = "median of" if args.rounds > 1 else "rounds:"
    print(
        f"verify {mib:.0f} MiB over loopback paced at {args.rate_mib:g} MiB/s per connection"
        f" ({how} {args.rounds})"
    )
    labels = {
        "curl": "curl -s URL | openssl dgst -sha256",
        "aria2c": f"aria2c -x {args.connections} -s {args.connections}, then openssl dgst",
        "mdvalidator": f"mdvalidator hash --connections {args.connections}",
    }
    print(f"  {'measurement':<48} {'seconds':>8} {'MiB/s':>8} {'served MiB':>11}  digest")
    for name in ("curl", "aria2c", "mdvalidator"):
        runs = results[name]
        if not runs:
            print(f"  {labels[name]:<48} skipped: aria2c not installed (apt-get install -y aria2)")
            continue
        served = statistics.median(r.served for r in runs) / 1024**2
        right = all(r.digest == expected for r in runs)
        print(
            f"  {labels[name]:<48} {median[name]:8.2f} {mib / median[name]:8.1f} {served:11.1f}"
            f"  {'right' if right else 'WRONG'}"
        )
    ours = results["mdvalidator"]
    rss = max(r.rss_kib for r in ours) / 1024
    # A child's ru_maxrss starts at its parent's peak (Linux keeps it across vfork + exec), so
    # the figure is the child's own only while this process stayed smaller.
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    whose = "its own" if own < rss else f"NOT its own: this process peaked at {own:.1f} MiB"
    print(f"  mdvalidator peak RSS {rss:.1f} MiB, {whose} (target <= 128 MiB)")
    right = all(r.digest == expected for runs in results.values() for r in runs)
    checks = [("digests right", right)]
    checks.append(("peak RSS <= 128 MiB", rss <= 128))
    vs_curl = median["curl"] / median["mdvalidator"]
    print(f"  mdvalidator / one connection: {vs_curl:.2f}x throughput (target >= 5x)")
    checks.append((">= 5x one connection", vs_curl >= 5))
    if have_aria2c:
        vs_aria2c = median["aria2c"] / median["mdvalidator"]
        print(f"  mdvalidator / aria2c: {vs_aria2c:.2f}x throughput (target >= 0.9x)")
        checks.append((">= 0.9x aria2c", vs_aria2c >= 0.9))
    missed = [name for name, ok in checks if not ok]
    print("  targets: " + ("all met" if not missed else "MISSED " + ", ".join(missed)))
    return 1 if args.check_targets and missed else 0


if __name__ == "__main__":
    sys.exit(main())
