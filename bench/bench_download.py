"""Download + verify over loopback vs ``curl -s URL | openssl dgst -sha256``.

Target: mdvalidator's throughput >= 0.9x the curl|openssl pipeline's. Both fetch the same
1 GiB from the same local server (a separate process writing a repeated random block, so no disk
is involved); each is timed in the same run, best of a few. Also the module other benches import
the loopback server from.

    python bench/bench_download.py [--size-mib 1024] [--rounds 3]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from throughput import print_comparison

BLOCK = 1 << 20


def block(seed: int = 7) -> bytes:
    """The 1 MiB random block every served asset repeats (deterministic per seed)."""
    return hashlib.shake_256(b"mdvalidator-bench-%d" % seed).digest(BLOCK)


def expected_digest(size: int, seed: int = 7) -> str:
    data = block(seed)
    digest = hashlib.sha256()
    full, rest = divmod(size, BLOCK)
    for _ in range(full):
        digest.update(data)
    digest.update(data[:rest])
    return digest.hexdigest()


class _Handler(BaseHTTPRequestHandler):
    """``GET /<size>/<seed>/name``: ``size`` bytes of the seed's block, with an ETag."""

    protocol_version = "HTTP/1.1"
    sent = 0

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        if self.path == "/stats":
            body = str(_Handler.sent).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        parts = self.path.strip("/").split("/")
        size, seed = int(parts[0]), int(parts[1])
        etag = f'"{size}-{seed}"'
        if self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Length", str(size))
        self.send_header("ETag", etag)
        self.send_header("Connection", "close")
        self.end_headers()
        data = memoryview(block(seed))
        left = size
        try:
            while left:
                piece = data[: min(BLOCK, left)]
                self.wfile.write(piece)
                left -= len(piece)
                _Handler.sent += len(piece)
        except OSError:
            pass
        self.close_connection = True


def serve_forever(port_file: str) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    Path(port_file).write_text(str(server.server_address[1]))
    server.serve_forever()


class LoopbackServer:
    """The bench server in a child process (so it does not share our GIL)."""

    def __enter__(self) -> LoopbackServer:
        import tempfile

        self._dir = tempfile.TemporaryDirectory(prefix="mdv-bench-")
        port_file = os.path.join(self._dir.name, "port")
        self._process = subprocess.Popen(
            [sys.executable, __file__, "--serve", port_file], stdin=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 20
        while not os.path.exists(port_file) or not Path(port_file).read_text():
            if time.monotonic() > deadline or self._process.poll() is not None:
                raise RuntimeError("bench server did not start")
            time.sleep(0.02)
        self.port = int(Path(port_file).read_text())
        return self

    def url(self, size: int, seed: int = 7, name: str = "asset.bin") -> str:
        return f"http://127.0.0.1:{self.port}/{size}/{seed}/{name}"

    def bytes_sent(self) -> int:
        import urllib.request

        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(f"http://127.0.0.1:{self.port}/stats", timeout=10) as response:
            return int(response.read())

    def __exit__(self, *exc: object) -> None:
        self._process.terminate()
        self._process.wait(timeout=10)
        self._dir.cleanup()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--serve", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve_forever(args.serve)
        return 0

    from mdvalidator.assets.download import download
    from mdvalidator.assets.options import AssetOptions

    size = args.size_mib * BLOCK
    expected = expected_digest(size)
    options = AssetOptions(allow_private_network=True, use_cache=False)
    with LoopbackServer() as server:
        url = server.url(size)
        ours, theirs = [], []
        for _ in range(args.rounds):
            start = time.perf_counter()
            got = download(url, options)
            ours.append(time.perf_counter() - start)
            assert got.digest == expected, "mdvalidator digest differs"
            start = time.perf_counter()
            out = subprocess.run(
                f"curl -s {url} | openssl dgst -sha256",
                shell=True,
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            theirs.append(time.perf_counter() - start)
            assert expected in out, "curl|openssl digest differs"
    mib = size / BLOCK
    title = f"download+verify {mib:.0f} MiB over loopback"
    print_comparison(title, mib, ours, theirs, "curl | openssl", 0.90)
    return 0


if __name__ == "__main__":
    sys.exit(main())
