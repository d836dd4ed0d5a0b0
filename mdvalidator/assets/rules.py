"""Rules of asset verification (MDV2xx)."""

from __future__ import annotations

from mdvalidator.registry import Rule

RULES: tuple[Rule, ...] = ()
