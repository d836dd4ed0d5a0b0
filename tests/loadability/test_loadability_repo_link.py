"""repo-link read as mindspore_hub.load reads it: a table of every shape, and the conf URL."""

from __future__ import annotations

import pytest

from mdvalidator.loadability.conf_url import conf_url
from mdvalidator.loadability.repo_link import LinkRefusal, LoaderLink, describe, read_repo_link

G = "https://gitee.com"

# link -> (host, owner, repo, branch, folder, shape, defect kinds)
ACCEPTED: list[tuple[str, tuple[str, str, str, str, str, int, tuple[str, ...]]]] = [
    # 5 parts: the real hub's every link
    (
        f"{G}/mindspore/models/tree/r1.7/official/cv/resnet",
        (G, "mindspore", "models", "r1.7", "official/cv/resnet", 5, ()),
    ),
    (
        f"<{G}/mindspore/models/tree/r1.7/official/cv/resnet>",
        (G, "mindspore", "models", "r1.7", "official/cv/resnet", 5, ()),
    ),
    (
        f"{G}/mindspore/models/blob/master/research/cv/IPT",
        (G, "mindspore", "models", "master", "research/cv/IPT", 5, ()),
    ),
    (
        "https://github.com/mindspore-lab/mindcv/tree/v0.5.0/configs/hrnet",
        ("https://github.com", "mindspore-lab", "mindcv", "v0.5.0", "configs/hrnet", 5, ()),
    ),
    (
        "http://gitee.com/a/b/tree/dev/x",
        ("http://gitee.com", "a", "b", "dev", "x", 5, ()),
    ),
    # 2 parts: the master branch, the whole repository; the folder names agree
    (f"{G}/mindspore/models", (G, "mindspore", "models", "master", "", 2, ())),
    (f"<{G}/mindspore/models>", (G, "mindspore", "models", "master", "", 2, ())),
    # 4 parts: accepted by the parser, then the loader looks in a folder named after the branch
    (
        f"{G}/mindspore/models/tree/r1.7",
        (G, "mindspore", "models", "r1.7", "", 4, ("folder-mismatch",)),
    ),
    (
        f"{G}/mindspore/models/blob/master",
        (G, "mindspore", "models", "master", "", 4, ("folder-mismatch",)),
    ),
    # ... unless the branch is named like the repository
    (f"{G}/acme/models/tree/models", (G, "acme", "models", "models", "", 4, ())),
    # trailing '/': stripped to clone, not when the loader looks for the folder
    (
        f"{G}/mindspore/models/tree/r1.7/official/cv/resnet/",
        (G, "mindspore", "models", "r1.7", "official/cv/resnet", 5, ("folder-mismatch",)),
    ),
    (
        f"<{G}/mindspore/models/tree/r1.7/official/cv/resnet//>",
        (G, "mindspore", "models", "r1.7", "official/cv/resnet", 5, ("folder-mismatch",)),
    ),
    (f"{G}/mindspore/models/", (G, "mindspore", "models", "master", "", 2, ("folder-mismatch",))),
    # a branch with '/': the loader takes its first part as the branch, the rest as the folder
    (
        f"{G}/a/b/tree/release/1.0/official/cv/x",
        (G, "a", "b", "release", "1.0/official/cv/x", 5, ()),
    ),
    # ... escaped, it is passed to git as written
    (
        f"{G}/a/b/tree/release%2F1.0/official/cv/x",
        (G, "a", "b", "release%2F1.0", "official/cv/x", 5, ("encoded-slash",)),
    ),
    # query strings and fragments stay in the last part
    (f"{G}/a/b/tree/m/x/y?from=hub", (G, "a", "b", "m", "x/y?from=hub", 5, ("query",))),
    (f"{G}/a/b?x=1", (G, "a", "b?x=1", "master", "", 2, ("query",))),
    (f"{G}/a/b/tree/m?x=1", (G, "a", "b", "m?x=1", "", 4, ("query", "folder-mismatch"))),
    (f"{G}/a/b/tree/m/x#readme", (G, "a", "b", "m", "x#readme", 5, ("query",))),
    # empty parts, dot segments, white space
    (f"{G}/a//tree/m/x", (G, "a", "", "m", "x", 5, ("empty-part",))),
    (f"{G}/a/b/tree/m/x//y", (G, "a", "b", "m", "x//y", 5, ("empty-part",))),
    (f"{G}/a/b/tree/m/../other", (G, "a", "b", "m", "../other", 5, ("dot-segment",))),
    (f"{G}/a/b/tree/m/my model", (G, "a", "b", "m", "my model", 5, ("white-space",))),
    # 'com' anywhere after http(s):// satisfies the loader's .com test; its host is still read
    (
        "https://example.org/acme/recommend/tree/m/x",
        ("https://example.org", "acme", "recommend", "m", "x", 5, ()),
    ),
    (
        "https://code.example.com/a/b/tree/m/x",
        ("https://code.example.com", "a", "b", "m", "x", 5, ()),
    ),
    # a port is not part of the loader's host: ":443" becomes the owner
    (f"{G}:443/a", (G, ":443", "a", "master", "", 2, ())),
]

# link -> refusal kind
REFUSED: list[tuple[str, str]] = [
    ("", "empty"),
    ("<>", "empty"),
    ("https://gitlab.example.org/a/b", "no-com-host"),
    ("https://openi.pcl.ac.cn/a/b/src/branch/master/x", "no-com-host"),
    ("ftp://gitee.com/a/b", "no-com-host"),
    ("gitee.com/a/b/tree/m/x", "no-com-host"),
    ("https://com", "no-com-host"),  # 'com' must follow at least one character
    (f"{G}/a/b\n{G}/c/d", "com-host-twice"),
    (f"{G}/a/b/tree/m/x?mirror=https://github.com/a/b", "prefix-count"),
    (f"{G}", "parts"),
    (f"{G}/mindspore", "parts"),
    (f"{G}/mindspore/models/tree", "parts"),
    (f"{G}/a/b/raw/master/x", "marker"),
    (f"{G}/a/b/src/master/x", "marker"),
    (f"{G}/a/b/Tree/master/x", "marker"),
    (f"{G}/a/b/commit/abc123", "marker"),
    (f"{G}:443/a/b/tree/m", "marker"),  # the port shifts every part by one
    (f"{G}:443/a/b", "parts"),
]


@pytest.mark.parametrize(("link", "expected"), ACCEPTED, ids=[a for a, _ in ACCEPTED])
def test_accepted_links_read_as_the_loader_reads_them(
    link: str, expected: tuple[str, str, str, str, str, int, tuple[str, ...]]
) -> None:
    read = read_repo_link(link)
    assert isinstance(read, LoaderLink), read
    host, owner, repo, branch, folder, shape, defects = expected
    assert (read.host, read.owner, read.repo, read.branch, read.folder, read.shape) == (
        host,
        owner,
        repo,
        branch,
        folder,
        shape,
    )
    assert tuple(d.kind for d in read.defects) == defects


@pytest.mark.parametrize(("link", "kind"), REFUSED, ids=[a for a, _ in REFUSED])
def test_refused_links(link: str, kind: str) -> None:
    read = read_repo_link(link)
    assert isinstance(read, LinkRefusal), read
    assert read.kind == kind
    assert read.message.startswith("the loader rejects it as an invalid repo link: ")


def test_four_part_message_explains_the_folder_mismatch() -> None:
    read = read_repo_link(f"{G}/mindspore/models/tree/r1.7")
    assert isinstance(read, LoaderLink)
    (defect,) = read.defects
    assert "clones the whole repository into folder 'models'" in defect.message
    assert "in folder 'r1.7' (the branch)" in defect.message
    assert (read.cloned_as, read.looked_in) == ("models", "r1.7")


def test_description_names_host_repository_branch_and_folder() -> None:
    read = read_repo_link(f"<{G}/mindspore/models/tree/r1.7/official/cv/resnet>")
    assert isinstance(read, LoaderLink)
    assert describe(read) == (
        "the loader reads host gitee.com, repository mindspore/models, branch r1.7, "
        "folder official/cv/resnet"
    )
    whole = read_repo_link(f"{G}/mindspore/models")
    assert isinstance(whole, LoaderLink)
    assert describe(whole).endswith("branch master, the repository root")
    assert whole.clone_url == f"{G}/mindspore/models.git"


def test_parts_shown_in_a_refusal() -> None:
    read = read_repo_link(f"{G}/a/b/c")
    assert isinstance(read, LinkRefusal)
    assert read.parts == ("a", "b", "c")
    assert "its path has 3 parts" in read.message


CONF_URLS = [
    (
        f"<{G}/mindspore/models/tree/r1.7/official/cv/resnet>",
        f"{G}/mindspore/models/raw/r1.7/official/cv/resnet/mindspore_hub_conf.py",
    ),
    (
        "https://github.com/mindspore-lab/mindcv/blob/v0.5.0/configs/hrnet",
        "https://raw.githubusercontent.com/mindspore-lab/mindcv/v0.5.0/configs/hrnet/"
        "mindspore_hub_conf.py",
    ),
    (
        "https://GitHub.com/a/b",
        "https://raw.githubusercontent.com/a/b/master/mindspore_hub_conf.py",
    ),
    (f"{G}/a/b", f"{G}/a/b/raw/master/mindspore_hub_conf.py"),
    ("https://code.example.com/a/b/tree/m/x", None),  # no known raw form
    ("https://example.org/acme/recommend/tree/m/x", None),
    (f"{G}/a/b/tree/m/../../c/d", None),  # would leave the repository
    (f"{G}/a/b/tree/m/%2e%2e/x", None),
    (f"{G}/a/b/tree/m/x?y=1", None),
    (f"{G}/a/b/tree/m/x%2Fy", None),
]


@pytest.mark.parametrize(("link", "url"), CONF_URLS, ids=[a for a, _ in CONF_URLS])
def test_conf_url(link: str, url: str | None) -> None:
    read = read_repo_link(link)
    assert isinstance(read, LoaderLink)
    assert conf_url(read) == url
