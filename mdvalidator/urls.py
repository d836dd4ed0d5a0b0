"""One reading of a link, shared by the card check and the fetcher.

A link in a pull request is read by several programs: ``urllib.parse`` here, a browser (the
WHATWG URL standard) when a user clicks it, ``requests``/urllib3 when the hub's loader downloads
it. Where they disagree on the host, the link names two places at once: checking one and
serving the other is an attack (``https://evil.example\\@download.mindspore.cn/x.ckpt`` is
download.mindspore.cn to urllib and evil.example to the others). :func:`parse_link` reads the
link both ways, refuses it unless both name the same host, and returns the normalised form:
scheme and host in lower case, the default port dropped, dot segments removed, unsafe characters
percent-encoded, the fragment (never sent) dropped. That string is what gets checked, fetched
and cached; parsing it again gives it back unchanged.

Refused outright: white space, control, format (bidi, zero-width) characters and backslashes
anywhere; user information (``user:pass@``); percent signs, and characters other than letters,
digits, ``-``, ``_`` and ``.``, in a host name; non-ASCII labels not in the canonical form that
Python's IDNA codec and a browser's UTS 46 mapping both produce; names that end in a number but
are not an IPv4 address. IPv4 addresses in any spelling the socket layer accepts
(``0x7f.1``, ``2130706433``) become their dotted-quad form, so address checks see them.

Standard library only, and imported on the offline lint path: keep it light.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import quote, urlsplit

DEFAULT_PORTS = {"http": 80, "https": 443}
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
_SPACE_OR_CONTROL = re.compile(r"[\x00-\x20\x7f]")
_NAME = re.compile(r"^[a-z0-9_-]{1,63}(?:\.[a-z0-9_-]{1,63})*\.?$")
# A link no reader can split differently (checked for characters first): its host and port.
_PLAIN = re.compile(
    r"^https?://([a-z0-9_-]+(?:\.[a-z0-9_-]+)*\.?)(?::([0-9]{1,5}))?(?:[/?#]|$)", re.IGNORECASE
)
_NOTHING_TO_QUOTE = re.compile(r"^[A-Za-z0-9/%:@!$&'()*+,;=._~-]*$")
_PERCENT = re.compile(r"%([0-9A-Fa-f]{2})")
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zs", "Zl", "Zp"})
# Characters that IDNA 2003 (Python's codec) maps away and UTS 46 (browsers) keeps.
_DEVIATIONS = frozenset("\u00df\u03c2")
_FORBIDDEN_HOST = frozenset("\x00\t\n\r #%/:<>?@[\\]^|\x7f")
_SAFE_PATH = "/%:@!$&'()*+,;=-._~"
_SAFE_QUERY = _SAFE_PATH + "?"
_DOT_SEGMENT = re.compile(r"(?:^|/)(?:\.|%2e)", re.IGNORECASE)  # where a dot segment may start
_SINGLE_DOT = frozenset({".", "%2e"})
_DOUBLE_DOT = frozenset({"..", ".%2e", "%2e.", "%2e%2e"})


class LinkError(ValueError):
    """A link refused; ``message`` completes "asset-link ..." and ``kind`` says why:
    ``scheme`` (not http/https), ``ambiguous`` (readers disagree) or ``invalid``."""

    def __init__(self, message: str, kind: str = "invalid") -> None:
        super().__init__(message)
        self.message = message
        self.kind = kind


@dataclass(frozen=True)
class Link:
    """A link as both readers agree on it."""

    scheme: str  # "http" or "https"
    host: str  # lower-case ASCII name (IDNA), dotted IPv4, or IPv6 without brackets
    port: int  # explicit or the scheme's default
    target: str  # what the request line asks for: path (dot segments removed) and query

    @property
    def netloc(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == DEFAULT_PORTS[self.scheme] else f"{host}:{self.port}"

    @property
    def url(self) -> str:
        """The normalised link: what is checked, fetched and cached."""
        return f"{self.scheme}://{self.netloc}{self.target}"


def link_problem(text: str) -> str | None:
    """Why ``text`` is not an acceptable link (completing "asset-link ..."), or None."""
    try:
        parse_link(text)
    except LinkError as error:
        return error.message
    return None


@lru_cache(maxsize=4096)  # a card's link is read by several checks, then by the fetcher
def parse_link(text: str) -> Link:
    """The agreed reading of an absolute http(s) link, or :class:`LinkError`."""
    return _parse(text, fast=True)


def _parse(text: str, fast: bool) -> Link:
    _check_characters(text)
    match = _SCHEME.match(text)
    scheme = match.group(1).lower() if match else ""
    if scheme not in DEFAULT_PORTS:
        raise LinkError("is not an absolute http(s) URL", "scheme" if scheme else "invalid")
    plain = _PLAIN.match(text) if fast and "\\" not in text else None
    if plain is not None and not _ends_in_number(plain.group(1).lower()):
        # Nothing here that readers could split differently: "//", a host of letters, digits,
        # "-", "_" and ".", then an optional port, then "/", "?", "#" or the end.
        host = plain.group(1).lower()
        port = int(plain.group(2)) if plain.group(2) else DEFAULT_PORTS[scheme]
        if len(host.rstrip(".")) > 253 or not _NAME.match(host) or port > 65535:
            return _parse(text, fast=False)  # let the readers say what is wrong
    else:
        host, port = _agreed(text, scheme)
    if port == 0:
        raise LinkError("has port 0")
    parts = urlsplit(text)
    try:
        target = _quoted(_remove_dot_segments(parts.path or "/"), _SAFE_PATH)
        if parts.query:
            target += "?" + _quoted(parts.query, _SAFE_QUERY)
    except UnicodeError:
        raise LinkError("is not a valid URL (cannot be encoded)") from None
    return Link(scheme, host, port, target)


def _agreed(text: str, scheme: str) -> tuple[str, int]:
    """(host, port) when urllib and a WHATWG reading agree on them, else LinkError."""
    ours = _urllib_reading(text)
    theirs = _whatwg_reading(text, len(scheme) + 1)
    if "\\" in text:
        raise LinkError(_disagreement("contains a backslash", ours, theirs), "ambiguous")
    if ours.host is None and theirs.host is None:
        raise LinkError(ours.error or "has no host", ours.kind)
    if ours.host != theirs.host or ours.port != theirs.port:
        raise LinkError(_disagreement("is read differently", ours, theirs), "ambiguous")
    if ours.userinfo or theirs.userinfo:
        raise LinkError(
            "contains user information before '@' (the host is what follows the last '@')",
            "ambiguous",
        )
    assert ours.host is not None and ours.port is not None
    return ours.host, ours.port


def join_link(base: str, reference: str) -> str:
    """``reference`` (a redirect's ``Location``) resolved against ``base``, to be read by
    :func:`parse_link`. The reference is checked first: ``urljoin`` itself would silently drop
    tabs and newlines and keep backslashes, which browsers read as slashes."""
    _check_characters(reference)
    if "\\" in reference:
        raise LinkError("contains a backslash, which browsers read as '/'", "ambiguous")
    from urllib.parse import urljoin

    return urljoin(base, reference)


def _check_characters(text: str) -> None:
    if _SPACE_OR_CONTROL.search(text):
        raise LinkError("contains white space or control characters")
    if text.isascii():
        return
    import unicodedata

    for char in text:
        if char.isspace() or unicodedata.category(char) in _REFUSED_CATEGORIES:
            raise LinkError("contains white space, control or invisible formatting characters")


@dataclass(frozen=True)
class _Reading:
    host: str | None  # normalised, or None when this reader finds no usable host
    port: int | None
    userinfo: bool
    error: str = ""
    raw: str = ""  # the host as written, for messages
    kind: str = "invalid"


def _urllib_reading(text: str) -> _Reading:
    """What ``urllib.parse`` (and the socket layer, for numeric hosts) makes of ``text``."""
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        return _Reading(None, None, False, f"is not a valid URL ({exc})")
    userinfo = "@" in parts.netloc
    raw = parts.hostname or ""
    if not raw:
        return _Reading(None, None, userinfo, "has no host")
    try:
        host = _host(raw, decode=False)
    except LinkError as error:
        return _Reading(None, None, userinfo, error.message, raw, error.kind)
    default = DEFAULT_PORTS.get(parts.scheme.lower(), 0)
    return _Reading(host, default if port is None else port, userinfo, raw=raw)


def _whatwg_reading(text: str, start: int) -> _Reading:
    """The host and port as the WHATWG URL standard reads a special (http/https) URL."""
    rest = text[start:].lstrip("/\\")  # any number of slashes, of either kind, come first
    end = len(rest)
    for delimiter in "/\\?#":
        found = rest.find(delimiter)
        if found != -1:
            end = min(end, found)
    _, at, hostport = rest[:end].rpartition("@")
    userinfo = bool(at)

    def failed(message: str, raw: str = "", kind: str = "invalid") -> _Reading:
        return _Reading(None, None, userinfo, message, raw, kind)

    if hostport.startswith("["):
        close = hostport.find("]")
        if close == -1:
            return failed("has an unclosed '['")
        raw, after = hostport[: close + 1], hostport[close + 1 :]
        if after and not after.startswith(":"):
            return failed("has text after the IPv6 address", raw)
        port_text = after[1:]
    else:
        raw, _, port_text = hostport.partition(":")
    if not raw:
        return failed("has no host")
    if port_text and not (port_text.isascii() and port_text.isdigit()):
        return failed("has a port that is not a number", raw)
    port = int(port_text) if port_text else DEFAULT_PORTS[text[: start - 1].lower()]
    if port > 65535:
        return failed("has a port out of range", raw)
    try:
        host = _host(raw, decode=True)
    except LinkError as error:
        return failed(error.message, raw, error.kind)
    return _Reading(host, port, userinfo, raw=raw)


def _host(raw: str, decode: bool) -> str:
    """The normalised host: IPv6 compressed, IPv4 dotted quad, names lower-case IDNA ASCII.

    ``decode`` percent-decodes first, as browsers do; the result must then be a plain name.
    """
    if raw.startswith("[") or (":" in raw and not decode):
        return _ipv6(raw.strip("[]"))
    text = raw
    if decode and "%" in text:
        try:
            text = _PERCENT.sub(lambda m: chr(int(m.group(1), 16)), text)
            text = text.encode("latin-1").decode("utf-8")
        except UnicodeError:
            raise LinkError("has a host with invalid percent-encoding") from None
    if decode and not _FORBIDDEN_HOST.isdisjoint(text):
        raise LinkError("has characters not allowed in a host name")
    name = _to_ascii(text)
    address = _ipv4(name, decode)
    if address is not None:
        return address
    if "%" in name:
        raise LinkError("has a percent-encoded host name", "ambiguous")
    if not _NAME.match(name) or len(name.rstrip(".")) > 253:
        raise LinkError(f"has a host name that is not valid ({name[:80]!r})")
    return name


def _to_ascii(host: str) -> str:
    if host.isascii():
        return host.lower()
    labels = []
    for label in host.lower().split("."):  # every reader lower-cases (UTS 46, nameprep)
        if label.isascii():
            labels.append(label)
            continue
        if any(c in _DEVIATIONS for c in label):
            raise LinkError(
                "has a host name with characters browsers and Python encode differently"
                " (\u00df, \u03c2)",
                "ambiguous",
            )
        try:
            ace = label.encode("idna").decode("ascii")
            canonical = ace.encode("ascii").decode("idna")
        except UnicodeError:
            raise LinkError("has a host name that is not valid IDNA") from None
        if "." in ace or canonical != label:
            raise LinkError(
                f"has a host name not in canonical form (write it as {ace!r})", "ambiguous"
            )
        labels.append(ace)
    return ".".join(labels)


def _ipv6(text: str) -> str:
    import ipaddress

    if "%" in text:
        raise LinkError("has an IPv6 zone or percent sign in its host", "ambiguous")
    try:
        return ipaddress.IPv6Address(text).compressed
    except ValueError:
        raise LinkError("has an IPv6 host that is not valid") from None


def _ends_in_number(name: str) -> bool:
    last = name[:-1] if name.endswith(".") else name
    last = last.rpartition(".")[2]
    if last.isdigit():
        return True
    return last[:2] == "0x" and all(c in "0123456789abcdef" for c in last[2:])


def _ipv4(name: str, whatwg: bool) -> str | None:
    """The dotted quad ``name`` spells, None for a domain name; LinkError if it is neither.

    The WHATWG reading follows the standard's IPv4 parser; the other asks ``inet_aton``, which
    is what ``getaddrinfo`` does with a numeric name.
    """
    if not _ends_in_number(name):
        return None
    if not whatwg:
        import socket

        try:
            return socket.inet_ntoa(socket.inet_aton(name))
        except OSError:
            raise LinkError(
                "has a host that ends in a number but is not an IPv4 address", "ambiguous"
            ) from None
    labels = name.split(".")
    if len(labels) > 1 and labels[-1] == "":
        labels.pop()
    if len(labels) > 4:
        raise LinkError("has a host that ends in a number but is not an IPv4 address")
    numbers = [_ipv4_number(label) for label in labels]
    if any(n > 255 for n in numbers[:-1]) or numbers[-1] >= 256 ** (5 - len(numbers)):
        raise LinkError("has an IPv4 address out of range")
    value = numbers[-1] + sum(n << (8 * (3 - i)) for i, n in enumerate(numbers[:-1]))
    return ".".join(str((value >> shift) & 255) for shift in (24, 16, 8, 0))


def _ipv4_number(label: str) -> int:
    digits, radix, allowed = label, 10, "0123456789"
    if label[:2] == "0x":
        digits, radix, allowed = label[2:], 16, "0123456789abcdef"
    elif len(label) > 1 and label[0] == "0":
        digits, radix, allowed = label[1:], 8, "01234567"
    if not digits:
        if radix == 10:
            raise LinkError("has an empty part in its IPv4 address")
        return 0
    if any(c not in allowed for c in digits):
        raise LinkError("has a host that ends in a number but is not an IPv4 address", "ambiguous")
    return int(digits, radix)


def _quoted(text: str, safe: str) -> str:
    return text if _NOTHING_TO_QUOTE.match(text) else quote(text, safe=safe)


def _remove_dot_segments(path: str) -> str:
    """``/a/./b/../c`` -> ``/a/c``, also for ``%2e`` spellings (as browsers do)."""
    if not _DOT_SEGMENT.search(path):
        return path
    segments = path[1:].split("/") if path.startswith("/") else path.split("/")
    kept: list[str] = []
    last = len(segments) - 1
    for index, segment in enumerate(segments):
        lowered = segment.lower()
        if lowered in _DOUBLE_DOT:
            if kept:
                kept.pop()
            if index == last:
                kept.append("")
        elif lowered in _SINGLE_DOT:
            if index == last:
                kept.append("")
        else:
            kept.append(segment)
    return "/" + "/".join(kept)


def _disagreement(what: str, ours: _Reading, theirs: _Reading) -> str:
    first = theirs.host or theirs.raw or "no host"
    second = ours.host or ours.raw or "no host"
    if first == second:
        return f"{what}: a browser would read it differently from Python's urllib"
    return f"{what}: a browser reads host {first[:80]!r}, Python's urllib {second[:80]!r}"
