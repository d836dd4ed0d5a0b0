"""The loadability checks: code, name, default severity, summary, doc (MDV150-MDV159).

One table, so that turning each into a rule of the registry copies nothing: ``Rule(c.code,
c.name, c.summary, c.doc, severity=c.severity, family="mindspore-hub")``. ``online`` marks the
checks that need the conf file (``--check-conf``); ``facts`` names the loader facts of
``docs/loadability.md`` each check depends on (drop the check when its facts stop holding).
"""

from __future__ import annotations

from dataclasses import dataclass

from mdvalidator.problem import Severity

__all__ = ["CHECKS", "LoaderCheck", "by_name"]

E, W = Severity.ERROR, Severity.WARNING


@dataclass(frozen=True)
class LoaderCheck:
    code: str
    name: str
    severity: Severity
    summary: str
    doc: str
    online: bool = False
    facts: tuple[str, ...] = ()


REPO_LINK_SHAPE = LoaderCheck(
    "MDV150",
    "repo-link-shape",
    E,
    "mindspore_hub.load cannot use the repo-link: it rejects it, or looks in the wrong folder.",
    "The loader strips <> and trailing '/', wants http[s]://...com..., and splits the path\n"
    "into owner/repo (master branch), owner/repo/tree|blob/branch, or\n"
    "owner/repo/tree|blob/branch/folder; anything else is 'invalid repo link'. A 4-part link\n"
    "clones the repository into a folder named after it, then looks for the conf file in one\n"
    "named after the branch; a link ending in '/' makes it look in the card's cache folder.\n"
    "A branch is one part, so a branch whose name holds '/' cannot be named; a query string\n"
    "is kept as part of the name. The message shows how the loader reads the link.\n"
    "Failing: https://gitee.com/mindspore/models/tree/r1.7 (4 parts).\n"
    "Passing: https://gitee.com/mindspore/models/tree/r1.7/official/cv/resnet.",
    facts=("link-parse", "link-folders"),
)
WEIGHTS_CHOICE = LoaderCheck(
    "MDV151",
    "loader-weights-choice",
    W,
    "No asset has file-format ckpt, so the loader would load another file as its weights.",
    "mindspore_hub.load(..., pretrained=True) takes the last asset whose file-format is ckpt,\n"
    "or the first asset when none is, and calls load_checkpoint on it. A card that only has\n"
    "MindIR, AIR or ONNX files loads only with pretrained=False.\n"
    "Failing: one asset, file-format: mindir.  Passing: a ckpt asset among the assets.",
    facts=("weights-choice", "downloader-suffixes"),
)
WEIGHTS_SUFFIX = LoaderCheck(
    "MDV152",
    "loader-weights-suffix",
    W,
    "The ckpt asset the loader downloads has a link suffix its downloader refuses.",
    "The downloader keeps a file only if the suffix of the link's last '/' part is one of\n"
    ".ckpt .air .geir .meta .onnx .md, compared case-sensitively and with any query string:\n"
    "model.CKPT and model.ckpt?download=1 are deleted after download.\n"
    "Failing: asset-link: https://host/resnet.ckpt?raw=true.\n"
    "Passing: asset-link: https://host/resnet.ckpt.",
    facts=("weights-choice", "downloader-suffixes"),
)
CONF_MISSING = LoaderCheck(
    "MDV153",
    "conf-missing",
    E,
    "The folder the repo-link names has no mindspore_hub_conf.py.",
    "The loader imports mindspore_hub_conf.py from the folder the repo-link names (on its\n"
    "branch). Checked with --check-conf on Gitee and GitHub links: the raw file must exist\n"
    "(HTTP 404 fails), or be in the local checkout given with --mirror.",
    online=True,
    facts=("conf-import",),
)
CONF_NO_CREATE_NETWORK = LoaderCheck(
    "MDV154",
    "conf-no-create-network",
    E,
    "The conf file has no create_network the loader can call with the model name.",
    "The loader takes the module's create_network and calls it with the lower-cased\n"
    "model-name first. Failing: no create_network at all; 'async def create_network'; a\n"
    "create_network without a parameter for the name, or one that requires more arguments.\n"
    "Passing: def create_network(name, *args, **kwargs). A create_network that is imported or\n"
    "assigned is accepted unread. The file is parsed, never run.",
    online=True,
    facts=("conf-import", "conf-call"),
)
CONF_SIGNATURE = LoaderCheck(
    "MDV155",
    "conf-signature",
    W,
    "create_network cannot take the *args and **kwargs that load() passes on.",
    "mindspore_hub.load(uid, *args, **kwargs) calls create_network(name, *args, **kwargs):\n"
    "without *args or **kwargs, loading with extra arguments fails.\n"
    "Failing: def create_network(name).  Passing: def create_network(name, *args, **kwargs).",
    online=True,
    facts=("conf-call",),
)
CONF_NAME_UNKNOWN = LoaderCheck(
    "MDV156",
    "conf-name-unknown",
    E,
    "The conf file's create_network does not know the card's model-name (lower-cased).",
    "The loader passes model-name.lower(). When create_network compares its name with string\n"
    "literals (==, in (...), the keys of a dict of constructors, match/case) and every other\n"
    "name fails (raise, return None, a missing key), the lower-cased model-name must be one of\n"
    "them. When the function's handling of the name is not fully followed, nothing is said.\n"
    "Failing: model-name: ResNet50 with only 'resnet101' known.  Passing: 'resnet50' known.",
    online=True,
    facts=("conf-call",),
)
CONF_LITERAL_CASE = LoaderCheck(
    "MDV157",
    "conf-literal-case",
    W,
    "The conf file compares the model name with a literal that is not lower case.",
    "The loader lower-cases the model-name before calling create_network, so a comparison\n"
    "with 'DeepLabV3plus_s16' can never be true.\n"
    "Failing: if name == 'WRN'.  Passing: if name == 'wrn'.",
    online=True,
    facts=("conf-call",),
)
CONF_SYNTAX_ERROR = LoaderCheck(
    "MDV158",
    "conf-syntax-error",
    E,
    "The conf file is not valid Python: the loader's import fails.",
    "Reported at the card's repo-link, with the line and column in mindspore_hub_conf.py.\n"
    "The file is parsed with this Python's grammar, never run.",
    online=True,
    facts=("conf-import",),
)
CONF_UNAVAILABLE = LoaderCheck(
    "MDV159",
    "conf-unavailable",
    E,
    "The conf file could not be read: unreachable, blocked or too large.",
    "Like an asset that cannot be fetched, a conf file that cannot be read is not a pass.\n"
    "Blocked: the link or a redirect leads to a non-public address, or out of the --mirror\n"
    "folder. Too large: over 64 KiB (real conf files are under 2.4 KiB).",
    online=True,
    facts=("conf-import",),
)

CHECKS: tuple[LoaderCheck, ...] = (
    REPO_LINK_SHAPE,
    WEIGHTS_CHOICE,
    WEIGHTS_SUFFIX,
    CONF_MISSING,
    CONF_NO_CREATE_NETWORK,
    CONF_SIGNATURE,
    CONF_NAME_UNKNOWN,
    CONF_LITERAL_CASE,
    CONF_SYNTAX_ERROR,
    CONF_UNAVAILABLE,
)


def by_name(name: str) -> LoaderCheck:
    return next(c for c in CHECKS if c.name == name)
