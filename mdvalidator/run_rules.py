"""Rules of the run itself, whatever the family: files that cannot be read (MDV007, MDV008),
a file no rule set applies to (MDV009), a check that failed (MDV011), directives, settings and
what was checked (MDV016-MDV019).

They report what a user would otherwise never notice: a suppression that did nothing, a
setting that was not applied, a run that looked at no file at all.
"""

from __future__ import annotations

from mdvalidator.problem import Severity
from mdvalidator.rule import Rule

FILE_TOO_LARGE = Rule(
    "MDV007",
    "file-too-large",
    "The file is larger than the size cap and was not read.",
    "Descriptors are small (the largest real MindSpore Hub card is 77 KiB); a file over the\n"
    "cap (default 512 KiB, setting max-file-size) is reported instead of being read, so a\n"
    "hostile pull request cannot exhaust memory.",
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

INTERNAL_ERROR = Rule(
    "MDV011",
    "internal-error",
    "A check failed on this file; the file was not fully checked. Please report it.",
    "mdvalidator reports its own failure as a problem on the file instead of stopping the run.",
    family="parsing",
)

SUPPRESSION_REFUSED = Rule(
    "MDV016",
    "suppression-refused",
    "An inline directive tries to silence an integrity rule; it has no effect on it.",
    "Asset verification (MDV2xx), invalid encoding (MDV001), duplicate keys (MDV005, MDV302),\n"
    "unsupported YAML (MDV010) and the other integrity rules cannot be silenced from inside a\n"
    "card: whoever writes the card would decide its own verdict. Reported at the directive.\n"
    "Fix the problem instead (`mdvalidator --fix` writes a verified sha256), or, as a hub\n"
    "maintainer, ignore the code on the command line or in an explicit --config.\n"
    "Failing:  <!-- mdvalidator: disable=MDV201 -->\n"
    "Passing:  <!-- mdvalidator: disable=MDV141 -->",
    severity=Severity.WARNING,
    family="run",
)
UNKNOWN_DIRECTIVE_CODE = Rule(
    "MDV017",
    "unknown-directive-code",
    "An inline directive names a code or rule name that matches no rule.",
    "A directive that names no rule silences nothing, usually because of a typo; it is\n"
    "reported at its line so that it does not look like it works.\n"
    "Failing:  <!-- mdvalidator: disable=MDV1O6 -->  (the letter O)\n"
    "Passing:  <!-- mdvalidator: disable=MDV106 -->",
    severity=Severity.WARNING,
    family="run",
)
NOTHING_CHECKED = Rule(
    "MDV018",
    "nothing-checked",
    "No descriptor was checked: a named folder holds none, or nothing changed.",
    "A run that looked at no file would otherwise print 'All Passed'. A named folder with no\n"
    "file any rule set applies to is a warning (and when every named path is such a folder,\n"
    "the exit status is 2). With --changed-since and no changed descriptor, or when every\n"
    "named file is excluded on purpose (README.md named by pre-commit), it is only a note.",
    severity=Severity.WARNING,
    family="run",
)
UNTRUSTED_SETTING = Rule(
    "MDV019",
    "untrusted-setting",
    "A setting was not applied because of where it comes from.",
    "Settings and rule sets found in the checked tree are written by whoever sends the pull\n"
    "request. With --changed-since REF they are read from REF's tree, and a branch that changes\n"
    "them is told that its changes take effect after merge. Network-safety keys\n"
    "(allow-private-network, allow-networks, mirror, ca-file, cache-dir) are honoured only from\n"
    "the command line or an explicit --config; settings found in the working tree cannot\n"
    "ignore or downgrade integrity rules. Each refused setting is reported here.",
    severity=Severity.WARNING,
    family="run",
)

RULES: tuple[Rule, ...] = (
    FILE_TOO_LARGE,
    UNREADABLE_FILE,
    NO_RULE_SET,
    INTERNAL_ERROR,
    SUPPRESSION_REFUSED,
    UNKNOWN_DIRECTIVE_CODE,
    NOTHING_CHECKED,
    UNTRUSTED_SETTING,
)
