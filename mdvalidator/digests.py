"""What a sha256 digest looks like: the one pattern every part of mdvalidator uses.

Cards (``asset-sha256``), SHA256SUMS lines, asset verification, ``--fix`` and the JSON report's
schema all check digests against :data:`SHA256_HEX` (64 hexadecimal digits; lower case where
mdvalidator writes them).
"""

from __future__ import annotations

import re

SHA256_HEX = "[0-9a-f]{64}"  # as written by mdvalidator and sha256sum
SHA256 = re.compile(f"^{SHA256_HEX}$")
SHA256_ANY_CASE = re.compile(f"^{SHA256_HEX}$", re.IGNORECASE)


def is_sha256(text: str) -> bool:
    """Whether ``text`` is a lower-case hex sha256 digest."""
    return SHA256.match(text) is not None


def looks_like_sha256(text: str) -> bool:
    """Whether ``text`` is a sha256 digest in either case (what a card or SHA256SUMS may hold)."""
    return SHA256_ANY_CASE.match(text) is not None


__all__ = ["SHA256", "SHA256_ANY_CASE", "SHA256_HEX", "is_sha256", "looks_like_sha256"]
