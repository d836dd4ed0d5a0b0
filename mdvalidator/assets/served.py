"""What a link served instead of its asset, named when the bytes do not hash to asset-sha256.

Looked at only after a mismatch, in the first bytes kept while the download streamed
(``hashing.HEAD_SIZE``; no second request), so it can make a failure clearer, never a pass:

- an empty body;
- a Git LFS pointer (``version https://git-lfs.github.com/spec/v1``, then ``oid sha256:...``
  and ``size N``): a raw link to a file kept in LFS serves the pointer, not the file; when the
  pointer's oid is the card's digest, the card is right and only the link is wrong;
- an HTML page (optional white space, then ``<!doctype html`` or ``<html``), with its title;
- a JSON error body: a whole body (no longer than what was kept) that is a JSON object with an
  error's keys (``error``, ``message``, ``code``...), as APIs and object stores answer;
- an XML error document (``<Error>...<Code>NoSuchKey</Code>``, as S3 and OBS answer).

A card whose ``file-format`` is itself JSON, HTML or XML is not judged by that kind.
"""

from __future__ import annotations

import json
import re

from mdvalidator.sanitize import clean

_LFS_VERSIONS = (
    b"version https://git-lfs.github.com/spec/v1\n",
    b"version https://hawser.github.com/spec/v1\n",  # the pre-release spelling git-lfs accepts
)
_LFS_OID = re.compile(rb"^oid sha256:([0-9a-f]{64})$", re.MULTILINE)
_LFS_SIZE = re.compile(rb"^size (\d{1,20})$", re.MULTILINE)
_HTML = re.compile(rb"^(?:\xef\xbb\xbf)?\s*<(?:!doctype\s+html|html[\s>])", re.IGNORECASE)
_TITLE = re.compile(rb"<title[^>]*>([^<]{1,300})</title", re.IGNORECASE)
_XML_ERROR = re.compile(rb"^(?:\xef\xbb\xbf)?\s*(?:<\?xml[^>]{0,200}\?>\s*)?<Error>", re.IGNORECASE)
_XML_CODE = re.compile(rb"<Code>([^<]{1,100})</Code>", re.IGNORECASE)
_ERROR_KEYS = ("error", "errors", "message", "msg", "code", "status", "detail", "error_msg")
_FORMATS_OF = {"json": ("json",), "html": ("html", "htm"), "xml": ("xml",)}


def served_instead(head: bytes, size: int, expected: str, file_format: str = "") -> str:
    """A phrase naming what the link served (``a Git LFS pointer ...``), or empty when the
    bytes are not plainly a placeholder. ``head``: the body's first bytes; ``size``: its
    length; ``expected``: the card's sha256; ``file_format``: the card's declared format."""
    declared = file_format.strip().lower()
    if size == 0:
        return "an empty body"
    if head.startswith(_LFS_VERSIONS):
        return _lfs(head, expected)
    if _HTML.match(head) and declared not in _FORMATS_OF["html"]:
        title = _TITLE.search(head)
        words = title.group(1).decode("utf-8", "replace").split() if title else []
        shown = clean(" ".join(words), 80)
        return f"an HTML page (titled {shown!r})" if shown else "an HTML page"
    if _XML_ERROR.match(head) and declared not in _FORMATS_OF["xml"]:
        code = _XML_CODE.search(head)
        what = f" ({clean(code.group(1).decode('utf-8', 'replace'), 60)!r})" if code else ""
        return f"an XML error document{what}"
    if size <= len(head) and declared not in _FORMATS_OF["json"]:
        return _json_error(head)
    return ""


def _lfs(head: bytes, expected: str) -> str:
    oid = _LFS_OID.search(head)
    length = _LFS_SIZE.search(head)
    facts = []
    if oid is not None:
        facts.append(f"oid sha256:{oid.group(1).decode()[:12]}…")
    if length is not None:
        facts.append(f"size {int(length.group(1))}")
    shown = f" ({', '.join(facts)})" if facts else ""
    if oid is not None and oid.group(1).decode() == expected:
        return (
            f"a Git LFS pointer{shown}, not the file: the pointer names this asset-sha256, so"
            " the card is right and the link must serve the LFS object (on GitHub a"
            " media.githubusercontent.com/media/... link), not the pointer"
        )
    return f"a Git LFS pointer{shown}, not the file it points to"


def _json_error(body: bytes) -> str:
    try:
        value = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return ""
    if not isinstance(value, dict):
        return ""
    keys = [key for key in _ERROR_KEYS if key in value]
    if not keys:
        return ""
    shown = []
    for key in keys[:2]:
        item = value[key]
        if isinstance(item, dict):  # {"error": {"code": 404, "message": "..."}}
            item = item.get("message", item.get("code", ""))
        if isinstance(item, (str, int)) and not isinstance(item, bool):
            shown.append(f"{key}: {clean(str(item), 80)!r}")
    detail = f" ({'; '.join(shown)})" if shown else ""
    return f"a JSON error body{detail}"


__all__ = ["served_instead"]
