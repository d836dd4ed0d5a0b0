"""Rules of asset verification (MDV2xx): what downloading each ``asset-link`` found."""

from __future__ import annotations

from mdvalidator.problem import Severity
from mdvalidator.rule import Rule

FAMILY = "assets"

SHA256_MISMATCH = Rule(
    code="MDV201",
    name="asset-sha256-mismatch",
    summary="the downloaded asset's sha256 differs from asset-sha256",
    doc="""\
The bytes served at ``asset-link`` were hashed as they arrived (raw, never decompressed) and
their sha256 is not the one the card promises. Reported at the ``asset-sha256`` line with both
digests. Either the file behind the link changed, the link points at the wrong file, or the
digest was computed on another file. ``mdvalidator hash FILE`` prints the right value and
``mdvalidator --fix`` writes it into the card.

Failing (the file at the link hashes to 9f86d08...):

    asset-sha256: 2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824

Passing:

    asset-sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
""",
    family=FAMILY,
)

UNREACHABLE = Rule(
    code="MDV202",
    name="asset-unreachable",
    summary="the asset could not be downloaded (DNS, connection, HTTP error)",
    doc="""\
The download failed for good: the host name does not resolve, the connection was refused or
kept dropping, or the server answered an HTTP error (4xx at once; 429 and 5xx after bounded
retries with backoff). The message says which. A link must serve the asset itself, publicly,
with a plain GET.

Failing:

    asset-link: https://download.example.org/models/removed.ckpt     # HTTP 404

Passing:

    asset-link: https://download.example.org/models/lenet_mnist.ckpt
""",
    family=FAMILY,
)

BLOCKED = Rule(
    code="MDV203",
    name="asset-blocked",
    summary="the asset link points at a non-public address, is not http(s) or is ambiguous",
    doc="""\
Links come from pull requests, so mdvalidator only fetches http and https URLs whose host
resolves to public addresses only. Loopback, private (10/8, 172.16/12, 192.168/16), link-local
(169.254.169.254, the cloud metadata service), carrier-grade NAT, multicast, reserved and
unspecified addresses are refused, also when written as numbers (``http://2130706433/``,
``http://0x7f.1/``), wrapped in IPv6 (``::ffff:127.0.0.1``, 6to4, NAT64) or reached through a
redirect. Links that different programs read differently are refused too (a backslash,
white space or invisible characters, user information before ``@``, a percent-encoded or
non-canonical host name): the card check reports those as MDV123, and a redirect to one is
refused here. A hub with an internal mirror opts in with ``--allow-private-network`` (or
``allow-private-network = true`` in its config).

Failing:

    asset-link: http://169.254.169.254/latest/meta-data/
    asset-link: file:///etc/passwd

Passing:

    asset-link: https://download.mindspore.cn/models/r1.9/lenet_ascend_v190_mnist_official_cv_acc98.ckpt
""",
    family=FAMILY,
)

TOO_LARGE = Rule(
    code="MDV204",
    name="asset-too-large",
    summary="the asset is larger than --max-asset-size",
    doc="""\
The server announced (Content-Length) or streamed more bytes than the size cap (default 20G,
``--max-asset-size`` or ``max-asset-size`` in the config). The download stops there, so a
hostile link cannot make CI download without end. Raise the cap if the asset is genuinely this
large.

Failing (with ``--max-asset-size 1G``): a 3 GiB checkpoint. Passing: the same with ``4G``.
""",
    family=FAMILY,
)

TIMEOUT = Rule(
    code="MDV205",
    name="asset-timeout",
    summary="the asset download did not finish in time",
    doc="""\
No data arrived within the read timeout (``--timeout``) on every retry, or the whole download
(retries included) overran its total deadline, as a server that drips bytes slowly would. The
server may be overloaded; run again later or use ``--mirror`` to fetch from a closer copy.

Failing: a link whose server sends one byte per second. Passing: the same file from a mirror.
""",
    family=FAMILY,
)

FORMAT_MISMATCH = Rule(
    code="MDV206",
    name="asset-format-mismatch",
    summary="the asset's first bytes do not look like its declared file-format",
    doc="""\
The first bytes of the download are compared with the signature of the declared
``file-format`` where one exists: MSLite files carry the flatbuffer identifier ``MSL1``/``MSL2``;
ONNX, MindIR, ckpt, AIR and caffemodel files are protobuf messages, whose first byte must be a
valid field key (a weak check); and any file that is plainly something else (an HTML error page,
JSON, gzip, zip, tar, PDF, HDF5, a pickle) is reported. A warning: the digest may still match.

Failing:

    file-format: mslite
    asset-link: https://example.org/model.ms        # serves "<!DOCTYPE html>..."

Passing: the same link serving a real ``.ms`` file.
""",
    severity=Severity.WARNING,
    family=FAMILY,
)

SERVED_PLACEHOLDER = Rule(
    code="MDV230",
    name="asset-link-serves-placeholder",
    summary="the link serves a Git LFS pointer, an error page or an empty body, not the asset",
    doc="""\
The bytes at ``asset-link`` do not hash to ``asset-sha256``, and they are plainly not a model:
an empty body, a Git LFS pointer file (``version https://git-lfs.github.com/spec/v1``), an
HTML page, a JSON error body or an XML error document (as object stores answer). Reported at
the link, instead of MDV201: the link is what is wrong, not the digest, so ``--fix`` does not
write the placeholder's sha256 into the card. When an LFS pointer's oid is the card's digest,
the message says so: link the LFS object (on GitHub, ``media.githubusercontent.com/media/...``)
rather than the pointer (``raw.githubusercontent.com/...``). Only the first bytes kept while
the download streamed are looked at (no second request); a body that hashes right passes,
whatever it looks like.

Failing (a raw link to a file kept in Git LFS):

    asset-link: https://raw.githubusercontent.com/acme/models/main/lenet.ckpt

Passing:

    asset-link: https://media.githubusercontent.com/media/acme/models/main/lenet.ckpt
""",
    family=FAMILY,
)

MOVED = Rule(
    code="MDV231",
    name="asset-moved",
    summary="the link is dead or moved, and a declared move serves the same bytes (fixable)",
    doc="""\
The ``asset-link`` no longer serves the asset: it answers 404 or 410, its host name no longer
resolves, or it is permanently redirected (301, 308) to another host. The hub's rule set
declares that links under its prefix moved (``[asset-moves]``), and the link under the new
prefix was downloaded, through the same checks as any link, in this run: its bytes hash to
the card's ``asset-sha256``. Still a failure, since the link users click is dead, but
``mdvalidator --fix`` rewrites the link to the new one, changing nothing else in the card. A
declared move whose bytes differ, or that cannot be downloaded, is never written: the original
failure is reported, with a note that the move did not hold.

Failing (with ``"https://download.mindspore.cn/" = "https://download-mindspore.osinfra.cn/"``
declared, the old link a 404):

    asset-link: https://download.mindspore.cn/models/r1.9/lenet_mnist.ckpt

Passing (after ``--fix``):

    asset-link: https://download-mindspore.osinfra.cn/models/r1.9/lenet_mnist.ckpt
""",
    family=FAMILY,
)

RULES: tuple[Rule, ...] = (
    SHA256_MISMATCH,
    UNREACHABLE,
    BLOCKED,
    TOO_LARGE,
    TIMEOUT,
    FORMAT_MISMATCH,
    SERVED_PLACEHOLDER,
    MOVED,
)
