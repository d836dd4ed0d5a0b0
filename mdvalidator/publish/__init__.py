"""Publishers: put a report on a pull request. One registry, one protocol.

A publisher is an object in its own module (``github``, ``gitee``) that adds its flags to its
``mdvalidator publish NAME`` sub-command and publishes a report with a token read from the
environment (never the command line). :data:`PUBLISHERS` names them; a publisher's module is
imported only when the ``publish`` command is built or chosen.
"""

from __future__ import annotations

import argparse
import importlib
import re
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from mdvalidator.problem import Report

# name -> "module:attribute" holding its Publisher
PUBLISHERS: dict[str, str] = {
    "github": "mdvalidator.publish.github:PUBLISHER",
    "gitee": "mdvalidator.publish.gitee:PUBLISHER",
}


class Publisher(Protocol):
    """What ``mdvalidator publish NAME`` needs of a publisher."""

    @property
    def help(self) -> str:
        """One line for ``mdvalidator publish --help``."""

    @property
    def description(self) -> str:
        """The sub-command's description (where the token comes from, what it needs)."""

    @property
    def token_variable(self) -> str:
        """The environment variable holding the token."""

    def configure(self, parser: argparse.ArgumentParser) -> None:
        """Add the publisher's own flags (``--report`` and its cap are the command's)."""

    def publish(self, report: Report, args: argparse.Namespace, token: str) -> str:
        """Publish; the one line to print (``PublishError`` with a printable message)."""


def get_publisher(name: str) -> Publisher:
    module_name, _, attribute = PUBLISHERS[name].partition(":")
    publisher: Publisher = getattr(importlib.import_module(module_name), attribute)
    return publisher


_REPO = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")


def repository(text: str) -> str:
    """An ``OWNER/NAME`` argument."""
    from mdvalidator.sanitize import clean

    if not _REPO.match(text):
        raise argparse.ArgumentTypeError(f"expected OWNER/NAME, got {clean(text, 80)!r}")
    return text


def api_url(text: str) -> str:
    if not text.startswith(("https://", "http://")):
        raise argparse.ArgumentTypeError("expected an http(s) URL")
    return text.rstrip("/")


__all__ = ["PUBLISHERS", "Publisher", "api_url", "get_publisher", "repository"]
