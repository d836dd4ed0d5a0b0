"""The stand-in forges hold the service to the API descriptions: a request the description
does not have, or one whose body breaks its schema, is answered 4xx and noted in ``errors``
(which the fixtures assert empty after every test), so the service tests could fail."""

from __future__ import annotations

import json

from serve_forges import GiteeApi, GithubApi
from serve_standin import GITEE_SPEC, GITEE_TOKEN, GITHUB_SPEC, Hub, Spec

REPO = "hub/models"
JSON = {"content-type": "application/json", "authorization": f"token {GITEE_TOKEN}"}


def test_the_gitee_stand_in_refuses_what_its_description_lacks() -> None:
    api = GiteeApi(Spec(GITEE_SPEC), Hub())
    api.hub.open_pull(REPO, 1, {"README.md": b"# hub\n"}, {})
    ok, _, _ = api.handle(
        "POST", f"/api/v5/repos/{REPO}/pulls/1/labels?access_token={GITEE_TOKEN}", JSON,
        json.dumps(["mdvalidator/pass"]).encode(),
    )  # fmt: skip
    assert ok == 201 and api.errors == []
    wrong_body, _, _ = api.handle(
        "POST", f"/api/v5/repos/{REPO}/pulls/1/labels?access_token={GITEE_TOKEN}", JSON,
        json.dumps({"name": "mdvalidator/pass"}).encode(),  # Gitee wants a JSON array of names
    )  # fmt: skip
    unknown, _, _ = api.handle("GET", f"/api/v5/repos/{REPO}/pulls/1/reviews", JSON, b"")
    outside, _, _ = api.handle("GET", f"/repos/{REPO}/pulls/1", JSON, b"")
    assert (wrong_body, unknown, outside) == (400, 404, 404)
    assert len(api.errors) == 3
    assert "body" in api.errors[0] and "not an operation" in api.errors[1]
    assert "outside the API root" in api.errors[2]


def test_the_github_stand_in_checks_request_bodies_against_the_openapi_subset() -> None:
    api = GithubApi(Spec(GITHUB_SPEC), Hub(), public_key="")
    status, _, _ = api.handle(
        "POST", f"/api/v3/repos/{REPO}/check-runs", {"content-type": "application/json"},
        json.dumps({"name": "mdvalidator"}).encode(),  # head_sha is required
    )  # fmt: skip
    assert status == 400 and len(api.errors) == 1 and "head_sha" in api.errors[0]
