"""Which asset ``mindspore_hub.load`` downloads as the model's weights, and whether it can.

The loader takes the LAST asset whose ``file-format`` is ``ckpt`` (in any case), or the first
asset when none is; strips ``<``/``>`` from its link, downloads it, checks its sha256, and calls
``load_checkpoint`` on it. Its downloader then deletes the file unless the suffix of the link's
last ``/`` part (``os.path.splitext``, case-sensitive, query string included) is one of
:data:`~mdvalidator.loadability.loader_facts.DOWNLOADER_SUFFIXES`.

Pure functions, standard library only.
"""

from __future__ import annotations

import posixpath
from collections.abc import Sequence
from dataclasses import dataclass

from mdvalidator.loadability.loader_facts import DOWNLOADER_SUFFIXES, WEIGHTS_FORMAT

__all__ = [
    "AssetValue",
    "WeightsChoice",
    "downloader_suffix",
    "loader_choice",
    "suffix_accepted",
]


@dataclass(frozen=True)
class AssetValue:
    """One item of the card's ``asset:`` list, as text (None when absent)."""

    index: int  # 0-based position in the list
    file_format: str | None
    link: str | None
    line: int  # the item's line
    link_line: int = 0  # the asset-link's line (0: use ``line``)

    @property
    def is_ckpt(self) -> bool:
        return self.file_format is not None and self.file_format.lower() == WEIGHTS_FORMAT

    @property
    def where(self) -> int:
        return self.link_line or self.line


@dataclass(frozen=True)
class WeightsChoice:
    """The asset the loader loads as weights."""

    asset: AssetValue
    is_ckpt: bool  # False: no asset is ckpt, so the first was taken

    @property
    def ordinal(self) -> int:
        """1-based, as messages count."""
        return self.asset.index + 1


def loader_choice(assets: Sequence[AssetValue]) -> WeightsChoice | None:
    """The asset the loader picks, or None for a card without assets."""
    if not assets:
        return None
    ckpt = [a for a in assets if a.is_ckpt]
    if ckpt:
        return WeightsChoice(ckpt[-1], True)
    return WeightsChoice(assets[0], False)


def downloader_suffix(link: str) -> str:
    """The suffix the downloader tests: of the last ``/`` part of the link, query included."""
    name = link.strip("<>").split("/")[-1]
    return posixpath.splitext(name)[1]


def suffix_accepted(link: str) -> bool:
    return downloader_suffix(link) in DOWNLOADER_SUFFIXES
