"""How the DIGITS Model Store family writes its rules (MDV3xx).

Each rule is defined beside its check: the JSON text and keys in ``checks`` (301-303,
310-315), reading store files in ``storecheck`` (304, 305, 330), info.json and the files it
names in ``model`` (316-319, 324, 325, 327, 328, 335), master.json's children in ``master``
(320-323), SHA256SUMS in ``checksums`` (326, 329), snapshot tarballs in ``archive`` (331-333,
339, 340), stores in ``sources`` and ``live`` (334, 336, 337), job ids across files in
``duplicates`` (338). Each rule's ``doc`` gives the reason for it and a failing and a passing
example; ``mdvalidator rules MDV3xx`` prints it.
"""

from __future__ import annotations

from mdvalidator.problem import Severity
from mdvalidator.rule import Rule

FAMILY = "digits-model-store"


def rule(code: str, name: str, summary: str, doc: str, severity: Severity = Severity.ERROR) -> Rule:
    return Rule(code, name, summary, doc.strip(), severity, FAMILY)
