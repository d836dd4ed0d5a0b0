"""A rule's identity: code, kebab-case name, summary, doc, default severity, integrity.

A leaf module: rule modules of every family import :class:`Rule` from here, and the registry
(:mod:`mdvalidator.registry`) joins them, so nothing here knows a family.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mdvalidator.problem import Problem, Severity

CODE_PATTERN = re.compile(r"^MDV\d{3}$")
NAME_PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")

# Integrity rules: what a descriptor promises about its bytes and its one meaning. Nothing
# written inside a pull request (an inline directive, a settings file or rule set found in the
# checked tree) can silence or downgrade them; only the command line, an explicit --config or
# the base branch's settings can. The one list: a later rule joins by adding its code here.
INTEGRITY_CODES = frozenset(
    {
        "MDV001",  # invalid-encoding: the text read is not the text stored
        "MDV004",  # invalid-yaml: an entry not read may be the asset list (nothing verified)
        "MDV005",  # duplicate-key: loaders disagree about which value counts
        "MDV010",  # unsupported-yaml: anchors, aliases, tags make the header mean something else
        "MDV013",  # too-complex: the rest of the card was not read (its assets not verified)
        "MDV014",  # nul-character: the text shown is not the text stored
        "MDV301",  # json-syntax (DIGITS)
        "MDV302",  # json-duplicate-key (DIGITS)
        "MDV303",  # json-non-finite-number (DIGITS)
        "MDV326",  # checksum-mismatch (DIGITS SHA256SUMS): a file's bytes are not the ones listed
        # The notes that say such an attempt was made must not be silenced by the attempt.
        "MDV016",  # suppression-refused
        "MDV019",  # untrusted-setting
    }
)
INTEGRITY_PREFIXES = ("MDV2",)  # every asset verification verdict


def is_integrity(code: str) -> bool:
    """Whether a rule code is an integrity rule (see ``INTEGRITY_CODES``)."""
    return code in INTEGRITY_CODES or code.startswith(INTEGRITY_PREFIXES)


@dataclass(frozen=True)
class Rule:
    """A check's identity. ``doc`` is the long explanation shown by ``mdvalidator rules CODE``."""

    code: str
    name: str
    summary: str
    doc: str
    severity: Severity = Severity.ERROR
    family: str = "general"

    @property
    def integrity(self) -> bool:
        """An integrity rule: nothing inside a pull request can silence it."""
        return is_integrity(self.code)

    def problem(
        self,
        path: str,
        line: int,
        column: int,
        message: str,
        severity: Severity | None = None,
    ) -> Problem:
        """A problem of this rule at a place (default severity unless one is given)."""
        return Problem(
            path=path,
            line=line,
            column=column,
            rule=self.code,
            name=self.name,
            severity=self.severity if severity is None else severity,
            message=message,
        )


__all__ = ["CODE_PATTERN", "INTEGRITY_CODES", "NAME_PATTERN", "Rule", "is_integrity"]
