"""Which network addresses an untrusted link may reach, and resolving host names to them.

A link from a pull request must not make the validator (running inside CI, next to cloud
metadata services and internal hosts) talk to anything but the public internet. Every address a
host name resolves to is checked here, after unwrapping the IPv6 forms that carry an IPv4
address inside them (mapped ``::ffff:a.b.c.d``, translated ``::ffff:0:a.b.c.d``, compatible
``::a.b.c.d``, 6to4, NAT64); host names written as numbers in any spelling ``inet_aton`` accepts
(``2130706433``, ``0x7f.1``, ``0177.0.0.1``, ``127.1``) are read as the address they spell.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Sequence

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Explicit so that the verdict does not depend on the Python version's special-purpose tables.
_BLOCKED_V4 = tuple(
    ipaddress.IPv4Network(n)
    for n in (
        "0.0.0.0/8",  # "this network", unspecified
        "10.0.0.0/8",
        "100.64.0.0/10",  # carrier-grade NAT (shared address space)
        "127.0.0.0/8",
        "169.254.0.0/16",  # link-local, including cloud metadata 169.254.169.254
        "172.16.0.0/12",
        "192.0.0.0/24",  # IETF protocol assignments
        "192.0.2.0/24",
        "192.88.99.0/24",  # 6to4 relay anycast
        "192.168.0.0/16",
        "198.18.0.0/15",  # benchmarking
        "198.51.100.0/24",
        "203.0.113.0/24",
        "224.0.0.0/4",  # multicast
        "240.0.0.0/4",  # reserved, broadcast
    )
)
_BLOCKED_V6 = tuple(
    ipaddress.IPv6Network(n)
    for n in (
        "::/128",
        "::1/128",
        "64:ff9b:1::/48",  # local-use NAT64
        "100::/64",  # discard
        "2001::/23",  # IETF protocol assignments, Teredo
        "2001:db8::/32",
        "fc00::/7",  # unique local
        "fe80::/10",  # link-local
        "fec0::/10",  # old site-local
        "ff00::/8",  # multicast
    )
)
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")
_IPV4_TRANSLATED = ipaddress.IPv6Network("::ffff:0:0:0/96")  # SIIT: ::ffff:0:a.b.c.d
_NUMERIC_HOST = re.compile(r"^[0-9a-fA-FxX.]+$")


def embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address inside an IPv4-mapped, IPv4-translated (SIIT), IPv4-compatible, 6to4
    or NAT64 address."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in _NAT64 or address in _IPV4_TRANSLATED:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address in _IPV4_COMPATIBLE and int(address) > 1:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def blocked_reason(address: IPAddress) -> str | None:
    """Why ``address`` is off limits for untrusted links, or ``None`` if it is public."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.scope_id:
            return "a scoped (link-local) IPv6 address"
        inner = embedded_ipv4(address)
        if inner is not None:
            reason = blocked_reason(inner)
            return f"{reason} wrapped in IPv6" if reason else None
        if any(address in net for net in _BLOCKED_V6):
            return _describe(address)
    elif any(address in net for net in _BLOCKED_V4):
        return _describe(address)
    if address.is_multicast or not address.is_global:
        return _describe(address)
    return None


def _describe(address: IPAddress) -> str:
    kinds = (
        ("is_loopback", "a loopback address"),
        ("is_link_local", "a link-local address"),
        ("is_multicast", "a multicast address"),
        ("is_unspecified", "the unspecified address"),
    )
    for attr, text in kinds:
        if getattr(address, attr):
            return text
    if isinstance(address, ipaddress.IPv4Address) and address in _BLOCKED_V4[2]:
        return "a carrier-grade NAT address"
    if address.is_private:
        return "a private address"
    return "a reserved (non-public) address"


def literal_address(host: str) -> IPAddress | None:
    """The address a host name spells, if it is an IP literal in any accepted spelling."""
    text = host.strip("[]")
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        pass
    if _NUMERIC_HOST.match(text):
        # inet_aton's lenient forms: a single 32-bit number, fewer parts, octal and hex parts.
        try:
            return ipaddress.IPv4Address(socket.inet_aton(text))
        except OSError:
            return None
    return None


def system_resolver(host: str, port: int) -> list[str]:
    """Every address the system resolver gives for ``host`` (TCP), in its order."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


def parse_resolved(addresses: Sequence[str]) -> list[IPAddress]:
    """Resolver output as addresses; a scoped ``fe80::1%eth0`` keeps its scope (and is blocked)."""
    return [ipaddress.ip_address(a) for a in dict.fromkeys(addresses)]
