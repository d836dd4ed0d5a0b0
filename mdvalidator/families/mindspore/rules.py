"""Rules of MindSpore-Hub-style asset cards (MDV1xx)."""

from __future__ import annotations

from mdvalidator.problem import Severity
from mdvalidator.rule import Rule

W = Severity.WARNING
F = "mindspore-hub"

MISSING_FIELD = Rule(
    "MDV101",
    "missing-field",
    "A required header field is missing.",
    "The rule set's [fields.NAME] tables with required = true list them; the hub's loader\n"
    "and validator need all of them. Reported at the header's closing '---'.\n"
    "Failing: a header without 'license:'.  Passing: 'license: Apache2.0'.",
    family=F,
)
EMPTY_FIELD = Rule(
    "MDV102",
    "empty-field",
    "A required header field is present but empty.",
    "Failing: 'author:' with nothing after it.  Passing: 'author: MindSpore team'.",
    family=F,
)
WRONG_TYPE = Rule(
    "MDV103",
    "wrong-type",
    "A header value is not of its declared type (bool, number, date, URL, version, ...).",
    "Types come from the rule set. Values are read as text, never converted: 'fine-tunable'\n"
    "must be true or false, 'update-time' a real date such as 2023-2-17, 'input-shape' a\n"
    "shape such as [224, 224, 3] (a multi-input model lists one per input: [[1, 128],\n"
    "[1, 128]]), 'accuracy' a number (not a list, not empty brackets), 'repo-link' an\n"
    "absolute http(s) URL (angle brackets allowed), versions dotted numbers such as 1.10\n"
    "(kept as text, so 1.10 is not 1.1).",
    family=F,
)
VALUE_NOT_ALLOWED = Rule(
    "MDV104",
    "value-not-allowed",
    "A header value is not one of the allowed values.",
    "Allowed values come from the rule set, with its split and case rules: 'used-for' is\n"
    "split on '/', 'module-type' is checked by the part before its first '-'; like the hub,\n"
    "both ignore case, and so do backends and file-format. Where case matters, a value that\n"
    "differs only by case is named as such.\n"
    "Failing: 'used-for: training'.  Passing: 'used-for: inference/transfer-learning'.",
    family=F,
)
PATTERN_MISMATCH = Rule(
    "MDV105",
    "pattern-mismatch",
    "A header value does not match the pattern its rule set declares.",
    "A [fields.NAME] table may set pattern = 'REGEX'; the whole value must match.",
    family=F,
)
UNKNOWN_KEY = Rule(
    "MDV106",
    "unknown-key",
    "A header key that the rule set does not declare (often a typo).",
    "Unknown keys are ignored by the hub, so a typo silently drops a value. The message\n"
    "suggests the closest declared key: 'asset_sha256' -> did you mean 'asset-sha256'?",
    severity=W,
    family=F,
)
UNKNOWN_DATASET = Rule(
    "MDV107",
    "unknown-dataset",
    "train-dataset is not in the hub's list of dataset names.",
    "The list is data in the rule set ([datasets] names) and went stale upstream, so this is\n"
    "a warning a hub can tune (add names, or set the severity to off). Like the hub, names\n"
    "compare ignoring case and a value joining known names with '_' (polarity_moviereview)\n"
    "is known; placeholders (N/A, N·A, -) are in the list.",
    severity=W,
    family=F,
)
MISSING_TITLE = Rule(
    "MDV108",
    "missing-title",
    "The card does not start with a '# title' line above its header.",
    "The hub shows the title as the card's name.",
    severity=W,
    family=F,
)
COLON_IN_VALUE = Rule(
    "MDV109",
    "colon-in-value",
    "A header value contains ':', which the hub's validator refuses.",
    "The hub's validator fails every card with a ':' in a value, except under repo-link,\n"
    "asset and evaluation (the rule set's [card] colon-allowed-in). Such a value is usually\n"
    "two facts in one ('accuracy: top1: 76.5'): give each its own key, or drop the ':'.",
    family=F,
)
ASSET_LIST_INVALID = Rule(
    "MDV120",
    "asset-list-invalid",
    "'asset' must be a list of items, each a mapping of file-format, asset-link, asset-sha256.",
    "Passing:\n  asset:\n  - file-format: ckpt\n    asset-link: https://host/x.ckpt\n"
    "    asset-sha256: <64 hex characters>",
    family=F,
)
ASSET_FIELD_MISSING = Rule(
    "MDV121",
    "asset-field-missing",
    "An asset item lacks file-format, asset-link or asset-sha256 (or has it empty).",
    "Every asset needs all three, so that it can be downloaded and its bytes verified.",
    family=F,
)
INVALID_SHA256 = Rule(
    "MDV122",
    "invalid-sha256",
    "asset-sha256 is not exactly 64 hexadecimal characters.",
    "The hub published cards with 8-character digests, which prove nothing. Compute the\n"
    "full digest with `mdvalidator hash FILE` (or sha256sum).",
    family=F,
)
INVALID_LINK = Rule(
    "MDV123",
    "invalid-link",
    "asset-link is not an absolute http(s) URL.",
    "Angle brackets around the link are allowed: <https://host/model.ckpt>.",
    family=F,
)
LINK_FORMAT_MISMATCH = Rule(
    "MDV124",
    "link-format-mismatch",
    "The asset link's file extension does not match its file-format.",
    "The rule set's [formats] table maps each format to its extensions (ckpt -> .ckpt,\n"
    "mslite -> .ms, ...). A mismatch usually means a copy-paste error in one of the two.",
    severity=W,
    family=F,
)
VERSION_FOLDER_MISMATCH = Rule(
    "MDV130",
    "version-folder-mismatch",
    "The card's folder version differs from its mindspore-version.",
    "Cards live in assets/<publisher>/[<platform>/]<version>/. Versions compare as text, so\n"
    "a card in 1.10/ with 'mindspore-version: 1.10' passes (YAML would read 1.1).",
    family=F,
)
PLATFORM_FOLDER_MISMATCH = Rule(
    "MDV131",
    "platform-folder-mismatch",
    "In the <publisher>/<platform>/<version>/ layout, the backends do not include the platform.",
    "A card under gpu/ must list gpu in train-backend or infer-backend when it has them.",
    family=F,
)
FILE_NAME_PATTERN = Rule(
    "MDV132",
    "file-name-pattern",
    "The card's file name does not follow <model>_<dataset>.md.",
    "The pattern is [card] file-name-pattern in the rule set.",
    severity=W,
    family=F,
)
CASE_COLLISION = Rule(
    "MDV133",
    "case-collision",
    "Two files in one folder have names that differ only by case.",
    "They collide on case-insensitive file systems (Windows, macOS): a checkout keeps one.",
    family=F,
)
TRANSLATION_ORPHAN = Rule(
    "MDV134",
    "translation-orphan",
    "A translated card (e.g. *_cn.md) has no English card beside it.",
    "A translation repeats a card in another language; the card itself must exist too.",
    family=F,
)
USAGE_ID_MISMATCH = Rule(
    "MDV140",
    "usage-id-mismatch",
    "The Usage snippet's model = \"...\" id does not match the card's own path.",
    "mshub.load(model) takes <publisher>/[<platform>/]<version>/<card name>; a snippet copied\n"
    "from another card loads the wrong model.",
    severity=W,
    family=F,
)
HEADING_COLON = Rule(
    "MDV141",
    "heading-colon",
    "A heading ends with ':'.",
    "Headings are titles, not lead-ins: '## Usage' rather than '## Usage:'.",
    severity=W,
    family=F,
)

RULES: tuple[Rule, ...] = (
    MISSING_FIELD,
    EMPTY_FIELD,
    WRONG_TYPE,
    VALUE_NOT_ALLOWED,
    PATTERN_MISMATCH,
    UNKNOWN_KEY,
    UNKNOWN_DATASET,
    MISSING_TITLE,
    COLON_IN_VALUE,
    ASSET_LIST_INVALID,
    ASSET_FIELD_MISSING,
    INVALID_SHA256,
    INVALID_LINK,
    LINK_FORMAT_MISMATCH,
    VERSION_FOLDER_MISMATCH,
    PLATFORM_FOLDER_MISMATCH,
    FILE_NAME_PATTERN,
    CASE_COLLISION,
    TRANSLATION_ORPHAN,
    USAGE_ID_MISMATCH,
    HEADING_COLON,
)
