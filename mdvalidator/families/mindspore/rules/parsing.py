"""MDV001-MDV014: a card's text that cannot be read as intended: encoding, the header, its YAML.

The parser (``card``, ``yamlread``) reports what it could not read as issues; this module says
them as problems. A translated card (``*_cn.md``) has Chinese keys and full-width colons: its
header is not YAML, so only its text's issues (encoding, NUL, no header) are reported.
"""

from __future__ import annotations

from collections.abc import Iterator

from mdvalidator.document import IssueKind
from mdvalidator.families.mindspore.keys import Key, Kind
from mdvalidator.families.mindspore.options import CardOptions
from mdvalidator.families.mindspore.rulekit import CardRules, Subject
from mdvalidator.problem import Problem, Severity
from mdvalidator.rule import Rule

DASH_MEANS_NO = Key(
    "dash-means-no",
    Kind.TEXTS,
    (),
    "Keys whose 'key: -' means 'key: no' (the hub's tools rewrite it before reading YAML).",
)

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
    "Reported where the broken construct starts (the '[' or quote never closed, the line\n"
    "without ':'), with what the parser expected and a hint. A frequent cause is a second\n"
    "': ' inside a value, e.g. 'accuracy: top1: 76.5' (quote the value instead:\n"
    "accuracy: 'top1: 76.5'). The other entries of the header are still read and checked,\n"
    "each on its own; a broken entry's key counts as present. The hub's own validator\n"
    "crashed on such cards.",
    family="parsing",
)
DUPLICATE_KEY = Rule(
    "MDV005",
    "duplicate-key",
    "A key appears twice in one mapping; YAML loaders keep only the last value.",
    "Reported at the repeated key, with the line of the first one. mdvalidator reads the\n"
    "first value and YAML loaders (the hub's among them) the last, so the card means two\n"
    "things: an asset item with a repeated key, or a card whose 'asset' key is repeated,\n"
    "gives no asset to verify (it is missing from the report's assets) and can never pass.\n"
    "Inline directives cannot silence this rule. Two 'asset-link' keys in one asset item\n"
    "usually mean two assets that need two '-' items.",
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
UNSUPPORTED_YAML = Rule(
    "MDV010",
    "unsupported-yaml",
    "The header uses a YAML feature a card has no use for (anchors, aliases, tags, merge keys).",
    "Such features make the header mean something other than it shows; write values out.",
    family="parsing",
)
DASH_VALUE = Rule(
    "MDV012",
    "dash-value",
    "'evaluation: -': YAML refuses a bare '-'; the hub's tools read it as 'no'.",
    "The hub's validator and loader rewrite the line to 'evaluation: no' before reading the\n"
    "YAML, so this is a warning and the rest of the header is checked as if it said 'no'\n"
    "(the keys are [card] dash-means-no in the rule set). Any other YAML reader fails on it.\n"
    "Fix: write 'evaluation: no'; `mdvalidator --fix` does, changing nothing else.",
    severity=Severity.WARNING,
    family="parsing",
)
TOO_COMPLEX = Rule(
    "MDV013",
    "too-complex",
    "The card is too large or nested too deeply to be read whole; the rest was not checked.",
    "Caps keep a hostile card from exhausting memory: at most 20,000 values in the header,\n"
    "64 levels of nesting, and 20,000 Markdown blocks (the largest real card has about\n"
    "1,100). Reported where the cap was reached. Real cards are far below them.",
    family="parsing",
)
NUL_CHARACTER = Rule(
    "MDV014",
    "nul-character",
    "The file holds NUL characters (U+0000).",
    "A NUL is no text: tools written in C stop reading at it, so the card means different\n"
    "things to different readers. Reported at each line holding one; the rest is checked with\n"
    "each NUL replaced by U+FFFD. Fix: remove them (a file saved as UTF-16 is full of them).",
    family="parsing",
)

_ISSUE_RULES = {
    IssueKind.ENCODING: INVALID_ENCODING,
    IssueKind.NO_HEADER: MISSING_HEADER,
    IssueKind.UNCLOSED_HEADER: UNCLOSED_HEADER,
    IssueKind.NOT_MAPPING: HEADER_NOT_MAPPING,
    IssueKind.SYNTAX: INVALID_YAML,
    IssueKind.DUPLICATE_KEY: DUPLICATE_KEY,
    IssueKind.UNSUPPORTED: UNSUPPORTED_YAML,
    IssueKind.COMPLEX_KEY: UNSUPPORTED_YAML,
    IssueKind.DASH_VALUE: DASH_VALUE,
    IssueKind.TOO_COMPLEX: TOO_COMPLEX,
    IssueKind.NUL: NUL_CHARACTER,
}


def check(subject: Subject, options: CardOptions) -> Iterator[Problem]:
    card, translation = subject.card, subject.translation
    for issue in card.issues:
        if translation and issue.kind is IssueKind.NOT_MAPPING:
            continue  # translated headers use full-width colons and are not YAML
        yield _ISSUE_RULES[issue.kind].problem(card.path, issue.line, issue.column, issue.message)
    if translation:
        return
    for yaml_issue in card.yaml_issues:
        rule = _ISSUE_RULES[yaml_issue.kind]
        yield rule.problem(card.path, yaml_issue.line, yaml_issue.column, yaml_issue.message)


CHECK = CardRules(
    rules=(
        INVALID_ENCODING,
        MISSING_HEADER,
        UNCLOSED_HEADER,
        INVALID_YAML,
        DUPLICATE_KEY,
        HEADER_NOT_MAPPING,
        UNSUPPORTED_YAML,
        DASH_VALUE,
        TOO_COMPLEX,
        NUL_CHARACTER,
    ),
    keys=(DASH_MEANS_NO,),
    check=check,
    translations=True,
)
