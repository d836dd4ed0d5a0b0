"""Does the start of a file look like its declared ``file-format``?

Only formats with a recognisable start are judged, and only disagreement is reported:

- ``mslite``: a FlatBuffer whose file identifier (bytes 4-8) is ``MSL1`` or ``MSL2``. Strong.
- ``onnx``, ``mindir``, ``ckpt``, ``air``, ``caffemodel``: Protocol Buffers messages with no magic
  number; the first byte must be a valid field key (field number >= 1, wire type varint,
  64-bit, length-delimited or 32-bit). Weak: about five random bytes in eight pass.
- Any declared format: a start that is plainly another kind of file (HTML or XML page, JSON,
  gzip, zip, bzip2, xz, 7z, tar, PDF, HDF5, NumPy, pickle, safetensors) is reported.

Encrypted MindIR/ckpt files (MindSpore can write them) have no signature and may be reported;
that is why a disagreement is a warning, never an error.
"""

from __future__ import annotations

import re

from mdvalidator.sanitize import clean

_PROTOBUF_FORMATS = frozenset({"onnx", "mindir", "ckpt", "air", "caffemodel"})
_MSLITE_IDENTIFIERS = (b"MSL1", b"MSL2")
_MARKUP = re.compile(rb"^\s*<(!doctype|html|head|body|\?xml|!--)", re.IGNORECASE)
# No newline before JSON: 0x0a is also the commonest first byte of a protobuf message.
_JSON = re.compile(rb'^[ \t\r]*(\{[ \t\r\n]*"|\{[ \t\r\n]*\}|\[[ \t\r\n]*[\[{"\d\]])')
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x1f\x8b", "a gzip archive"),
    (b"PK\x03\x04", "a zip archive (e.g. a PyTorch .pth)"),
    (b"BZh", "a bzip2 archive"),
    (b"\xfd7zXZ\x00", "an xz archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"%PDF", "a PDF document"),
    (b"\x89HDF\r\n\x1a\n", "an HDF5 file (e.g. Keras .h5)"),
    (b"\x93NUMPY", "a NumPy array"),
)


def foreign_kind(head: bytes) -> str | None:
    """What ``head`` plainly is, when it is a well-known non-model file."""
    if _MARKUP.match(head):
        return "an HTML/XML page"
    if _JSON.match(head):
        return "a JSON document"
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    if len(head) >= 262 and head[257:262] == b"ustar":
        return "a tar archive"
    if len(head) >= 2 and head[0] == 0x80 and 2 <= head[1] <= 5:
        return "a Python pickle"
    if len(head) >= 10 and head[8:10] == b'{"' and int.from_bytes(head[:8], "little") < 1 << 27:
        return "a safetensors file"
    return None


def _protobuf_start(head: bytes) -> bool:
    """Is the first byte a plausible Protocol Buffers field key?"""
    key = head[0]
    if key & 7 not in (0, 1, 2, 5):  # groups (3, 4) are obsolete; 6 and 7 do not exist
        return False
    return key >> 3 != 0 or key & 0x80 != 0  # field number 0 is invalid


def format_warning(file_format: str, head: bytes) -> str:
    """Why ``head`` does not look like ``file_format``; empty when it does or we cannot tell."""
    fmt = file_format.strip().lower()
    if not head or not fmt:
        return ""
    foreign = foreign_kind(head)
    if foreign:
        return f"declared {clean(fmt, 40)}, but the file starts like {foreign}"
    if fmt == "mslite" and head[4:8] not in _MSLITE_IDENTIFIERS:
        return "declared mslite, but the file lacks the MSLite identifier MSL1/MSL2 at byte 4"
    if fmt in _PROTOBUF_FORMATS and not _protobuf_start(head):
        return (
            f"declared {fmt} (a protobuf message), but the first byte 0x{head[0]:02x}"
            " is not a field key"
        )
    return ""
