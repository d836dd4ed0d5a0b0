"""Rules for files that cannot be read or parsed as intended (MDV0xx), any family."""

from __future__ import annotations

from mdvalidator.problem import Severity
from mdvalidator.registry import Rule

INVALID_ENCODING = Rule(
    "MDV001",
    "invalid-encoding",
    "The file is not valid UTF-8.",
    "Descriptors are UTF-8 text. The problem points at the first byte that is not UTF-8; the\n"
    "rest of the file is still checked with that byte replaced.\n"
    "Fix: save the file as UTF-8 (a BOM is accepted, and so are CRLF line endings).",
    family="parsing",
)
MISSING_HEADER = Rule(
    "MDV002",
    "missing-header",
    "No YAML header: a card needs a '---' line before and after its key: value lines.",
    "The header is the first pair of '---' thematic breaks in the Markdown. A '---' inside a\n"
    "code block does not count.\n"
    "Failing:  '# alexnet' followed directly by 'model-name: alexnet'\n"
    "Passing:  '# alexnet', '', '---', 'model-name: alexnet', '', '---'",
    family="parsing",
)
UNCLOSED_HEADER = Rule(
    "MDV003",
    "unclosed-header",
    "The YAML header is opened with '---' but never closed.",
    "Only one '---' break was found, so the end of the header is unknown and no field can be\n"
    "checked. Add the closing '---' line after the last key: value line.",
    family="parsing",
)
INVALID_YAML = Rule(
    "MDV004",
    "invalid-yaml",
    "The header is not valid YAML.",
    "Reported at the line and column where the YAML parser stopped. A frequent cause is a\n"
    "second ': ' inside a value, e.g. 'accuracy: top1: 76.5' (quote the value instead:\n"
    "accuracy: 'top1: 76.5'). The hub's own validator crashed on such cards.",
    family="parsing",
)
DUPLICATE_KEY = Rule(
    "MDV005",
    "duplicate-key",
    "A key appears twice in one mapping; YAML loaders keep only the last value.",
    "Reported at the repeated key, with the line of the first one. Two 'asset-link' keys in\n"
    "one asset item usually mean two assets that need two '-' items.",
    family="parsing",
)
HEADER_NOT_MAPPING = Rule(
    "MDV006",
    "header-not-mapping",
    "The header is empty or is not a set of key: value lines.",
    "The header must be a YAML mapping. A list, a single string, or key/value pairs written\n"
    "with a full-width colon ('：') are not readable as fields.",
    family="parsing",
)
FILE_TOO_LARGE = Rule(
    "MDV007",
    "file-too-large",
    "The file is larger than the size cap and was not read.",
    "Descriptors are small; a file over the cap (default 4 MiB, setting max-file-size) is\n"
    "reported instead of being read, so a hostile pull request cannot exhaust memory.",
    family="parsing",
)
UNREADABLE_FILE = Rule(
    "MDV008",
    "unreadable-file",
    "The file cannot be read (missing, not a regular file, a symlink, or permission denied).",
    "Symbolic links are not followed: a pull request could point one anywhere on the runner.",
    family="parsing",
)
NO_RULE_SET = Rule(
    "MDV009",
    "no-rule-set",
    "A file named on the command line matches no rule set, so nothing was checked.",
    "Pass --rules FILE with a rule set whose [ruleset] files patterns match it, or name the\n"
    "descriptor files themselves.",
    severity=Severity.WARNING,
    family="parsing",
)
UNSUPPORTED_YAML = Rule(
    "MDV010",
    "unsupported-yaml",
    "The header uses a YAML feature a card has no use for (anchors, aliases, tags, merge keys).",
    "Such features make the header mean something other than it shows; write values out.",
    family="parsing",
)
INTERNAL_ERROR = Rule(
    "MDV011",
    "internal-error",
    "A check failed on this file; the file was not fully checked. Please report it.",
    "mdvalidator reports its own failure as a problem on the file instead of stopping the run.",
    family="parsing",
)

RULES: tuple[Rule, ...] = (
    INVALID_ENCODING,
    MISSING_HEADER,
    UNCLOSED_HEADER,
    INVALID_YAML,
    DUPLICATE_KEY,
    HEADER_NOT_MAPPING,
    FILE_TOO_LARGE,
    UNREADABLE_FILE,
    NO_RULE_SET,
    UNSUPPORTED_YAML,
    INTERNAL_ERROR,
)
