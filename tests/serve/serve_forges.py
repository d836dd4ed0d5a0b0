"""The stand-in Gitee and GitHub APIs (see ``serve_standin`` for the machinery): enough of
each forge's v5 / REST API for the service, answering like the real thing."""

from __future__ import annotations

import base64
import hashlib
import time
from typing import Any

from serve_standin import APP_ID, GITEE_TOKEN, INSTALLATION, Hub, Spec, StandIn

__all__ = ["APP_ID", "GITEE_TOKEN", "INSTALLATION", "GiteeApi", "GithubApi"]


def _content(files: dict[str, bytes], path: str) -> Any:
    if path not in files:
        return None
    data = files[path]
    return {
        "type": "file",
        "encoding": "base64",
        "size": len(data),
        "name": path.rsplit("/", 1)[-1],
        "path": path,
        "sha": hashlib.sha1(data).hexdigest(),
        "content": base64.encodebytes(data).decode("ascii"),
    }


def _tree(files: dict[str, bytes]) -> list[dict[str, Any]]:
    folders = {p.rsplit("/", i)[0] for p in files for i in range(1, p.count("/") + 1)}
    entries = [{"path": f, "type": "tree", "mode": "040000"} for f in sorted(folders)]
    return entries + [{"path": p, "type": "blob", "mode": "100644"} for p in sorted(files)]


class GiteeApi(StandIn):
    prefix = "/api/v5"
    login = "hub-bot"

    def authorised(
        self, template: str, headers: dict[str, str], query: dict[str, str], body: Any
    ) -> bool:
        given = query.get("access_token") or (
            body.get("access_token") if isinstance(body, dict) else None
        )
        return given == GITEE_TOKEN

    def route(
        self, method: str, template: str, args: dict[str, str], query: dict[str, str], body: Any
    ) -> tuple[int, Any, dict[str, str]]:
        hub = self.hub
        if template == "/user":
            return 200, {"id": 9, "login": self.login, "name": "Hub Bot"}, {}
        repo = f"{args['owner']}/{args['repo']}"
        web = f"https://gitee.example/{repo}"
        if template == "/repos/{owner}/{repo}/pulls":
            open_ = [
                p
                for p in hub.pulls.values()
                if p.repo.lower() == repo.lower() and p.state == "open"
            ]
            page, per = int(query.get("page", 1)), int(query.get("per_page", 20))
            chunk = open_[(page - 1) * per : page * per]
            return (
                200,
                [{"number": p.number, "state": p.state, "head": {"sha": p.head}} for p in chunk],
                {},
            )
        if template == "/repos/{owner}/{repo}/labels":
            known = hub.repo_labels.setdefault(repo.lower(), set())
            if method == "GET":
                return (
                    200,
                    [{"id": i, "name": n, "color": "000000"} for i, n in enumerate(sorted(known))],
                    {},
                )
            known.add(body["name"])
            return 201, {"name": body["name"], "color": body["color"]}, {}
        if template == "/repos/{owner}/{repo}/contents/{path}":
            files = hub.commits.get(query.get("ref", ""))
            found = _content(files or {}, args["path"])
            return (200, found, {}) if found else (200, [], {})
        if template == "/repos/{owner}/{repo}/git/trees/{sha}":
            files = hub.commits.get(args["sha"])
            if files is None:
                return 404, {"message": "Not Found"}, {}
            return 200, {"sha": args["sha"], "tree": _tree(files), "truncated": False}, {}
        if template == "/repos/{owner}/{repo}/pulls/comments/{id}":
            comment = hub.comments.get(int(args["id"]))
            if comment is None:
                return 404, {"message": "Not Found"}, {}
            comment["body"] = body["body"]
            return 200, comment, {}
        pull = self.pull(args)
        if pull is None:
            return 404, {"message": "Not Found"}, {}
        if template == "/repos/{owner}/{repo}/pulls/{number}":
            return (
                200,
                {
                    "number": pull.number,
                    "state": pull.state,
                    "title": "Add cards\u202e@everyone",
                    "head": {
                        "sha": pull.head,
                        "ref": "patch",
                        "repo": {
                            "full_name": f"contrib/{args['repo']}",
                            "html_url": f"https://gitee.example/contrib/{args['repo']}",
                        },
                    },
                    "base": {
                        "sha": pull.base,
                        "ref": "master",
                        "repo": {"full_name": repo, "html_url": web},
                    },
                    "labels": [{"name": n} for n in sorted(pull.labels)],
                },
                {},
            )
        if template == "/repos/{owner}/{repo}/pulls/{number}/files":
            return (
                200,
                [{"filename": p, "status": s, "sha": "0" * 40} for p, s in hub.changed(pull)],
                {},
            )
        if template == "/repos/{owner}/{repo}/pulls/{number}/comments":
            if method == "GET":
                mine = hub.comments_on(repo, pull.number)
                page, per = int(query.get("page", 1)), int(query.get("per_page", 20))
                return 200, mine[(page - 1) * per : page * per], {}
            hub.next_id += 1
            hub.comments[hub.next_id] = {
                "id": hub.next_id,
                "repo": repo.lower(),
                "number": pull.number,
                "body": body["body"],
                "user": {"login": self.login},
                "comment_type": "pr_comment",
            }
            return 201, hub.comments[hub.next_id], {}
        if template == "/repos/{owner}/{repo}/pulls/{number}/labels":
            pull.labels.update(body)
            hub.repo_labels.setdefault(repo.lower(), set()).update(body)
            return 201, [{"name": n} for n in sorted(pull.labels)], {}
        if template == "/repos/{owner}/{repo}/pulls/{number}/labels/{name}":
            if args["name"] not in pull.labels:
                return 404, {"message": "Not Found"}, {}
            pull.labels.discard(args["name"])
            return 204, None, {}
        return self.unexpected(method, template)


class GithubApi(StandIn):
    prefix = "/api/v3"

    def __init__(self, spec: Spec, hub: Hub, public_key: str) -> None:
        super().__init__(spec, hub)
        self.public_key = public_key
        self.tokens: set[str] = set()
        self.check_runs: dict[int, dict[str, Any]] = {}
        self.installed: list[str] = []

    def authorised(
        self, template: str, headers: dict[str, str], query: dict[str, str], body: Any
    ) -> bool:
        import jwt

        scheme, _, value = headers.get("authorization", "").partition(" ")
        if template.startswith("/app"):
            try:
                claims = jwt.decode(value, self.public_key, algorithms=["RS256"])
            except jwt.PyJWTError:
                return False
            return scheme.lower() == "bearer" and str(claims.get("iss")) == APP_ID
        return scheme.lower() in ("token", "bearer") and value in self.tokens

    def route(
        self, method: str, template: str, args: dict[str, str], query: dict[str, str], body: Any
    ) -> tuple[int, Any, dict[str, str]]:
        hub = self.hub
        if template == "/app":
            return 200, {"id": int(APP_ID), "slug": "hub-checker", "name": "Hub checker"}, {}
        if template == "/app/installations":
            return 200, [{"id": INSTALLATION, "account": {"login": "hub"}}], {}
        if template == "/app/installations/{installation_id}/access_tokens":
            if int(args["installation_id"]) != INSTALLATION:
                return 404, {"message": "Not Found"}, {}
            token = f"ghs_{len(self.tokens)}SECRETinstallation"
            self.tokens.add(token)
            expires = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 3600))
            return 201, {"token": token, "expires_at": expires, "permissions": {}}, {}
        if template == "/installation/repositories":
            repos = [{"full_name": r, "name": r.split("/")[1]} for r in self.installed]
            return 200, {"total_count": len(repos), "repositories": repos}, {}
        repo = f"{args['owner']}/{args['repo']}"
        web = f"https://github.example/{repo}"
        if template == "/repos/{owner}/{repo}":
            return (
                200,
                {
                    "id": 1,
                    "full_name": repo,
                    "name": args["repo"],
                    "html_url": web,
                    "url": f"{self.base_url}/repos/{repo}",
                    "owner": {"login": args["owner"]},
                },
                {},
            )
        if template == "/repos/{owner}/{repo}/pulls":
            open_ = [
                p
                for p in hub.pulls.values()
                if p.repo.lower() == repo.lower() and p.state == "open"
            ]
            return (
                200,
                [{"number": p.number, "state": "open", "head": {"sha": p.head}} for p in open_],
                {},
            )
        if template == "/repos/{owner}/{repo}/contents/{path}":
            found = _content(hub.commits.get(query.get("ref", ""), {}), args["path"])
            return (200, found, {}) if found else (404, {"message": "Not Found"}, {})
        if template == "/repos/{owner}/{repo}/git/trees/{tree_sha}":
            files = hub.commits.get(args["tree_sha"])
            if files is None:
                return 404, {"message": "Not Found"}, {}
            return 200, {"sha": args["tree_sha"], "tree": _tree(files), "truncated": False}, {}
        if template == "/repos/{owner}/{repo}/labels/{name}":
            known = hub.repo_labels.setdefault(repo.lower(), set())
            return (
                (200, {"name": args["name"]}, {})
                if args["name"] in known
                else (404, {"message": "Not Found"}, {})
            )
        if template == "/repos/{owner}/{repo}/labels":
            hub.repo_labels.setdefault(repo.lower(), set()).add(body["name"])
            return 201, {"name": body["name"], "color": body["color"]}, {}
        if template == "/repos/{owner}/{repo}/commits/{ref}/check-runs":
            runs = [
                r
                for r in self.check_runs.values()
                if r["head_sha"] == args["ref"] and r["name"] == query.get("check_name", r["name"])
            ]
            return 200, {"total_count": len(runs), "check_runs": runs}, {}
        if template == "/repos/{owner}/{repo}/check-runs":
            hub.next_id += 1
            run = {
                "id": hub.next_id,
                "name": body["name"],
                "head_sha": body["head_sha"],
                "status": "queued",
                "conclusion": None,
                "url": f"{self.base_url}/repos/{repo}/check-runs/{hub.next_id}",
                "html_url": f"{web}/runs/{hub.next_id}",
                "output": {},
            }
            self.check_runs[hub.next_id] = run
            self._apply(run, body)
            return 201, run, {}
        if template == "/repos/{owner}/{repo}/check-runs/{check_run_id}":
            run = self.check_runs[int(args["check_run_id"])]
            self._apply(run, body)
            return 200, run, {}
        if template == "/repos/{owner}/{repo}/issues/comments/{comment_id}":
            comment = hub.comments[int(args["comment_id"])]
            comment["body"] = body["body"]
            return 200, comment, {}
        key = "pull_number" if "pull_number" in args else "issue_number"
        pull = self.pull(args, key)
        if pull is None:
            return 404, {"message": "Not Found"}, {}
        if template == "/repos/{owner}/{repo}/pulls/{pull_number}":
            return (
                200,
                {
                    "id": pull.number,
                    "number": pull.number,
                    "state": pull.state,
                    "merged": False,
                    "url": f"{self.base_url}/repos/{repo}/pulls/{pull.number}",
                    "head": {"sha": pull.head, "ref": "patch"},
                    "labels": [{"name": n} for n in sorted(pull.labels)],
                    "base": {
                        "sha": pull.base,
                        "ref": "main",
                        "repo": {"full_name": repo, "html_url": web},
                    },
                },
                {},
            )
        if template == "/repos/{owner}/{repo}/pulls/{pull_number}/files":
            page, per = int(query.get("page", 1)), int(query.get("per_page", 30))
            files = [{"filename": p, "status": s, "sha": "0" * 40} for p, s in hub.changed(pull)]
            return 200, files[(page - 1) * per : page * per], {}
        if template == "/repos/{owner}/{repo}/issues/{issue_number}":
            return (
                200,
                {
                    "id": pull.number,
                    "number": pull.number,
                    "url": f"{self.base_url}/repos/{repo}/issues/{pull.number}",
                },
                {},
            )
        if template == "/repos/{owner}/{repo}/issues/{issue_number}/comments":
            if method == "GET":
                return 200, hub.comments_on(repo, pull.number), {}
            hub.next_id += 1
            hub.comments[hub.next_id] = {
                "id": hub.next_id,
                "repo": repo.lower(),
                "number": pull.number,
                "body": body["body"],
                "url": f"{self.base_url}/repos/{repo}/issues/comments/{hub.next_id}",
                "user": {"login": "hub-checker[bot]", "id": 5, "type": "Bot"},
            }
            return 201, hub.comments[hub.next_id], {}
        if template == "/repos/{owner}/{repo}/issues/{issue_number}/labels":
            pull.labels.update(body["labels"])
            return 200, [{"name": n} for n in sorted(pull.labels)], {}
        if template == "/repos/{owner}/{repo}/issues/{issue_number}/labels/{name}":
            if args["name"] not in pull.labels:
                return 404, {"message": "Label does not exist"}, {}
            pull.labels.discard(args["name"])
            return 200, [{"name": n} for n in sorted(pull.labels)], {}
        return self.unexpected(method, template)

    @staticmethod
    def _apply(run: dict[str, Any], body: dict[str, Any]) -> None:
        output = body.get("output") or {}
        run["output"] = {"title": output.get("title"), "summary": output.get("summary")}
        if "conclusion" in body:
            run["status"], run["conclusion"] = "completed", body["conclusion"]
