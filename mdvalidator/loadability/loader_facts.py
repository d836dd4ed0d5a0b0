"""What ``mindspore_hub.load`` does with a card, as read from the hub's own loader.

Read from ``mindspore_hub/load.py``, ``_utils/download.py`` and ``_utils/check.py`` of the
public MindSpore Hub repository (gitee.com/mindspore/hub, mirrored at github.com/mindspore-ai/hub)
at :data:`LOADER_COMMIT`. Only facts live here (names, lists, numbers), never the loader's code;
``docs/loadability.md`` says which check depends on which fact, so a hub whose loader changes
can tell which checks to keep.
"""

from __future__ import annotations

LOADER_REPOSITORY = "https://gitee.com/mindspore/hub"
LOADER_COMMIT = "29e408be030181d67de897d0cc5793ec17842842"
LOADER_DATE = "2025-05-09"

# The header keys the loader reads (it reads them under these names, whatever a rule set calls
# its fields).
REPO_LINK_KEY = "repo-link"
MODEL_NAME_KEY = "model-name"
ASSET_KEY = "asset"
FORMAT_KEY = "file-format"
LINK_KEY = "asset-link"

# The repository path of a repo-link is split on "/" into at most this many parts.
MAX_LINK_PARTS = 5
# The third part of a 4- or 5-part link must be one of these.
BRANCH_MARKERS = ("tree", "blob")
# A 2-part link (owner/repo) clones this branch.
DEFAULT_BRANCH = "master"

# The file imported from the folder the link names, and the function taken from it; it is called
# as create_network(model_name.lower(), *args, **kwargs) and must return an nn.Cell.
CONF_FILE = "mindspore_hub_conf.py"
ENTRY_POINT = "create_network"

# The asset loaded as weights: the LAST whose file-format (any case) is this, else the first.
WEIGHTS_FORMAT = "ckpt"
# The downloader deletes a file whose suffix (os.path.splitext of the link's last "/" part,
# compared case-sensitively) is not one of these.
DOWNLOADER_SUFFIXES = (".ckpt", ".air", ".geir", ".meta", ".onnx", ".md")

# Where the loader reads a card: <HUB_RAW_ROOT><uid>.md, uid = the card's path under assets/.
HUB_RAW_ROOT = "https://gitee.com/mindspore/hub/raw/master/mshub_res/assets/"


def read_by_loader(file_name: str) -> bool:
    """Does the loader read this card itself? Its validator swaps any file whose name ends in
    ``cn.md`` (the ``*_cn.md`` translations) for the name three characters shorter."""
    return not (file_name.endswith(".md") and file_name[-5:-3] == "cn")
