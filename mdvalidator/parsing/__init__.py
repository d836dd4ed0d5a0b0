"""Parsing descriptors into typed documents whose every value keeps its 1-based position."""
