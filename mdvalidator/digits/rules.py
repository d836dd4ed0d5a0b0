"""Rules of the DIGITS Model Store (MDV3xx)."""

from __future__ import annotations

from mdvalidator.registry import Rule

RULES: tuple[Rule, ...] = ()
