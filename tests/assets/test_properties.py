"""Property tests: numeric host spellings, and --fix touching nothing but the digest."""

from __future__ import annotations

import hashlib
import ipaddress
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from mdvalidator.assets.addresses import blocked_reason, literal_address
from mdvalidator.assets.fix import apply_fixes
from mdvalidator.problem import AssetRef, AssetResult, AssetStatus


def spellings(number: int) -> list[str]:
    octets = number.to_bytes(4, "big")
    return [
        str(number),
        hex(number),
        ".".join(str(o) for o in octets),
        ".".join(hex(o) for o in octets),
        ".".join(f"0{o:o}" for o in octets),
        f"{octets[0]}.{int.from_bytes(octets[1:], 'big')}",
        f"{octets[0]}.{octets[1]}.{int.from_bytes(octets[2:], 'big')}",
    ]


@given(st.integers(min_value=0, max_value=2**32 - 1))
def test_every_spelling_reads_as_the_same_address(number: int) -> None:
    address = ipaddress.IPv4Address(number)
    for text in spellings(number):
        assert literal_address(text) == address, text
    mapped = ipaddress.IPv6Address(f"::ffff:{address}")
    assert (blocked_reason(mapped) is None) == (blocked_reason(address) is None)


OLD = hashlib.sha256(b"old").hexdigest()
NEW = hashlib.sha256(b"new").hexdigest()
line_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n"), max_size=40
)


@settings(max_examples=60, deadline=None)
@given(
    before=st.lists(line_text, max_size=6),
    after=st.lists(line_text, max_size=6),
    eol=st.sampled_from(["\n", "\r\n"]),
    indent=st.sampled_from(["", "  ", "    ", "  - ", "\t"]),
    tail=st.sampled_from(["", "  ", "  # note", " "]),
)
def test_fix_changes_only_the_digest(
    before: list[str], after: list[str], eol: str, indent: str, tail: str
) -> None:
    sha_line = f"{indent}asset-sha256: {OLD}{tail}"
    lines = [*before, f"{indent}asset-link: https://x/y", sha_line, *after]
    original = (eol.join(lines) + eol).encode()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "card.md"
        path.write_bytes(original)
        ref = AssetRef(str(path), len(before) + 1, "https://x/y", OLD, len(before) + 2)
        apply_fixes([AssetResult(ref, AssetStatus.MISMATCH, actual=NEW)])
        assert path.read_bytes() == original.replace(
            sha_line.encode(), sha_line.replace(OLD, NEW).encode(), 1
        )
