"""Stand-in GitHub and Gitee servers on 127.0.0.1 that check every request against the API
description (fixtures/openapi/github-subset.json, fixtures/publish/gitee-v5-subset.json), record
it, keep just enough state (check runs, comments) to answer like the real thing, and fail on
demand. A request the description does not allow is answered 404/400 and noted in ``errors``;
tests assert ``errors == []``.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from openapi_check import SpecCheck

ROOT = Path(__file__).resolve().parents[2]
GITHUB_SPEC = ROOT / "fixtures" / "openapi" / "github-subset.json"
GITEE_SPEC = ROOT / "fixtures" / "publish" / "gitee-v5-subset.json"
TOKEN = "tok_Zq81SECRETsecret7755"  # must never show up in any output

@dataclass
class Recorded:
    method: str
    path: str  # relative to the API root, e.g. /repos/o/r/check-runs
    template: str  # the description's path, e.g. /repos/{owner}/{repo}/check-runs
    query: dict[str, str]
    body: Any
    headers: dict[str, str]


@dataclass
class Fault:
    method: str
    template: str
    status: int
    message: str
    times: int
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class StandIn:
    """Shared machinery: dispatch, validation, recording, injected faults."""

    spec: SpecCheck
    prefix: str
    base_url: str = ""
    token: str = TOKEN
    requests: list[Recorded] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def fail(
        self,
        method: str,
        template: str,
        status: int,
        message: str,
        times: int = 1,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.faults.append(Fault(method, template, status, message, times, headers or {}))

    def called(self, method: str, template: str) -> list[Recorded]:
        return [r for r in self.requests if r.method == method and r.template == template]

    def handle(self, method: str, target: str, headers: dict[str, str], raw: bytes):  # type: ignore[no-untyped-def]
        parts = urlsplit(target)
        if not parts.path.startswith(self.prefix):
            self.errors.append(f"{method} {parts.path}: outside the API root {self.prefix}")
            return 404, {"message": "Not Found"}, {}
        path = parts.path[len(self.prefix) :]
        query = parse_qs(parts.query, keep_blank_values=True)
        hit = self.spec.match(method, path)
        if hit is None:
            self.errors.append(f"{method} {path}: not an operation in the API description")
            return 404, {"message": "Not Found"}, {}
        template, op, path_args = hit
        problems = self.spec.errors(op, path_args, query, headers.get("content-type", ""), raw)
        body = json.loads(raw) if raw and not problems else None
        flat = {k: v[0] for k, v in query.items()}
        with self.lock:
            self.requests.append(Recorded(method, path, template, flat, body, headers))
            if problems:
                self.errors += [f"{method} {path}: {p}" for p in problems]
                return 400, {"message": "; ".join(problems)}, {}
            for fault in self.faults:
                if fault.times > 0 and fault.method == method and fault.template == template:
                    fault.times -= 1
                    return fault.status, {"message": fault.message}, dict(fault.headers)
            if not self.authorised(headers, flat, body):
                return 401, {"message": "Bad credentials"}, {}
            return self.route(method, template, path_args, flat, body)

    def authorised(self, headers: dict[str, str], query: dict[str, str], body: Any) -> bool:
        raise NotImplementedError

    def route(
        self, method: str, template: str, args: dict[str, str], query: dict[str, str], body: Any
    ):  # type: ignore[no-untyped-def]
        raise NotImplementedError

    def page(
        self, items: list[Any], path: str, query: dict[str, str]
    ) -> tuple[list[Any], dict[str, str]]:
        per_page = int(query.get("per_page", 30))
        number = int(query.get("page", 1))
        chunk = items[(number - 1) * per_page : number * per_page]
        links = {}
        if number * per_page < len(items):
            next_query = urlencode({**query, "page": number + 1})
            links["Link"] = f'<{self.base_url}{path}?{next_query}>; rel="next"'
        return chunk, links


@dataclass
class GithubStandIn(StandIn):
    """Enough of api.github.com for the publisher: repos, pull files, check runs, comments."""

    changed_files: list[str] = field(default_factory=list)
    check_runs: dict[int, dict[str, Any]] = field(default_factory=dict)
    comments: dict[int, dict[str, Any]] = field(default_factory=dict)
    issues: dict[int, dict[str, Any]] = field(default_factory=dict)
    bot_login: str = "github-actions[bot]"
    pull_head: str = "a" * 40
    next_id: int = 1000

    def authorised(self, headers: dict[str, str], query: dict[str, str], body: Any) -> bool:
        return headers.get("authorization", "") in (f"token {self.token}", f"Bearer {self.token}")

    def web(self, owner: str, repo: str) -> str:
        return f"https://github.example/{owner}/{repo}"

    def seed_comment(self, owner: str, repo: str, number: int, body: str, login: str) -> int:
        self.next_id += 1
        api = f"{self.base_url}/repos/{owner}/{repo}/issues/comments/{self.next_id}"
        self.comments[self.next_id] = {
            "id": self.next_id, "number": number, "body": body, "url": api,
            "html_url": f"{self.web(owner, repo)}/pull/{number}#c{self.next_id}",
            "user": {"login": login, "id": 7, "type": "Bot" if "[bot]" in login else "User"},
        }  # fmt: skip
        return self.next_id

    def seed_issue(
        self, owner: str, repo: str, title: str, body: str, login: str, state: str = "open"
    ) -> int:
        number = len(self.issues) + 1
        self.issues[number] = {
            "id": 9000 + number, "number": number, "title": title, "body": body, "state": state,
            "url": f"{self.base_url}/repos/{owner}/{repo}/issues/{number}",
            "html_url": f"{self.web(owner, repo)}/issues/{number}",
            "user": {"login": login, "id": 7, "type": "Bot" if "[bot]" in login else "User"},
        }  # fmt: skip
        return number

    def seed_check_run(self, owner: str, repo: str, sha: str, name: str, status: str) -> int:
        self.next_id += 1
        self.check_runs[self.next_id] = self._run_json(owner, repo, self.next_id, name, sha, status)
        return self.next_id

    def _run_json(
        self, owner: str, repo: str, run_id: int, name: str, sha: str, status: str
    ) -> dict[str, Any]:
        return {
            "id": run_id, "name": name, "head_sha": sha, "status": status, "conclusion": None,
            "url": f"{self.base_url}/repos/{owner}/{repo}/check-runs/{run_id}",
            "html_url": f"{self.web(owner, repo)}/runs/{run_id}",
            "output": {"title": None, "summary": None, "annotations_count": 0},
            "annotations": [],
        }  # fmt: skip

    def route(
        self, method: str, template: str, args: dict[str, str], query: dict[str, str], body: Any
    ):  # type: ignore[no-untyped-def]
        owner, repo = args["owner"], args["repo"]
        base = f"/repos/{owner}/{repo}"
        if (method, template) == ("GET", "/repos/{owner}/{repo}"):
            return 200, {
                "id": 1, "name": repo, "full_name": f"{owner}/{repo}",
                "url": f"{self.base_url}{base}", "html_url": self.web(owner, repo),
                "owner": {"login": owner, "id": 2, "type": "Organization"},
            }, {}  # fmt: skip
        if template == "/repos/{owner}/{repo}/pulls/{pull_number}":
            number = int(args["pull_number"])
            return 200, {
                "id": number, "number": number, "state": "open",
                "url": f"{self.base_url}{base}/pulls/{number}",
                "issue_url": f"{self.base_url}{base}/issues/{number}",
                "head": {"sha": self.pull_head, "ref": "patch-1", "label": "contrib:patch-1"},
                "base": {"sha": "b" * 40, "ref": "main", "label": f"{owner}:main"},
            }, {}  # fmt: skip
        if template == "/repos/{owner}/{repo}/pulls/{pull_number}/files":
            files = [
                {"filename": f, "status": "modified", "sha": "0" * 40} for f in self.changed_files
            ]
            chunk, links = self.page(files, f"{base}/pulls/{args['pull_number']}/files", query)
            return 200, chunk, links
        if template == "/repos/{owner}/{repo}/commits/{ref}/check-runs":
            runs = [
                r
                for r in self.check_runs.values()
                if r["head_sha"] == args["ref"] and r["name"] == query.get("check_name", r["name"])
            ]
            chunk, links = self.page(runs, f"{base}/commits/{args['ref']}/check-runs", query)
            return 200, {"total_count": len(runs), "check_runs": chunk}, links
        if template == "/repos/{owner}/{repo}/check-runs":
            self.next_id += 1
            run = self._run_json(
                owner, repo, self.next_id, body["name"], body["head_sha"], "queued"
            )
            self.check_runs[self.next_id] = run
            self._apply(run, body)
            return 201, run, {}
        if template == "/repos/{owner}/{repo}/check-runs/{check_run_id}":
            run = self.check_runs.get(int(args["check_run_id"]))
            if run is None:
                return 404, {"message": "Not Found"}, {}
            self._apply(run, body)
            return 200, run, {}
        if (method, template) == ("GET", "/repos/{owner}/{repo}/issues"):
            state = query.get("state", "open")
            found = [i for i in self.issues.values() if state in ("all", i["state"])]
            found.sort(key=lambda i: -i["number"])
            return (200, *self.page(found, f"{base}/issues", query))
        if (method, template) == ("POST", "/repos/{owner}/{repo}/issues"):
            made = self.seed_issue(owner, repo, body["title"], body.get("body", ""), self.bot_login)
            return 201, self.issues[made], {}
        if (method, template) == ("PATCH", "/repos/{owner}/{repo}/issues/{issue_number}"):
            issue = self.issues.get(int(args["issue_number"]))
            if issue is None:
                return 404, {"message": "Not Found"}, {}
            issue.update({k: v for k, v in body.items() if k in ("title", "body", "state")})
            return 200, issue, {}
        if (method, template) == ("GET", "/repos/{owner}/{repo}/issues/{issue_number}/comments"):
            number = int(args["issue_number"])
            mine = [c for c in self.comments.values() if c["number"] == number]
            return (200, *self.page(mine, f"{base}/issues/{number}/comments", query))
        if (method, template) == ("POST", "/repos/{owner}/{repo}/issues/{issue_number}/comments"):
            made = self.seed_comment(
                owner, repo, int(args["issue_number"]), body["body"], self.bot_login
            )
            return 201, self.comments[made], {}
        if (method, template) == ("PATCH", "/repos/{owner}/{repo}/issues/comments/{comment_id}"):
            comment = self.comments.get(int(args["comment_id"]))
            if comment is None:
                return 404, {"message": "Not Found"}, {}
            comment["body"] = body["body"]
            return 200, comment, {}
        self.errors.append(f"{method} {template}: allowed by the description but not expected")
        return 404, {"message": "Not Found"}, {}

    @staticmethod
    def _apply(run: dict[str, Any], body: dict[str, Any]) -> None:
        output = body.get("output") or {}
        run["annotations"] += output.get("annotations", [])
        run["output"] = {
            "title": output.get("title"), "summary": output.get("summary"),
            "annotations_count": len(run["annotations"]),
        }  # fmt: skip
        if "conclusion" in body:
            run["status"], run["conclusion"] = "completed", body["conclusion"]
        elif "status" in body:
            run["status"] = body["status"]


@dataclass
class GiteeStandIn(StandIn):
    """Enough of gitee.com/api/v5: the token's user, one pull request, its comments."""

    login: str = "hub-bot"
    head_sha: str = "c" * 40
    comments: dict[int, dict[str, Any]] = field(default_factory=dict)
    issues: dict[str, dict[str, Any]] = field(default_factory=dict)
    next_id: int = 500

    def authorised(self, headers: dict[str, str], query: dict[str, str], body: Any) -> bool:
        given = query.get("access_token") or (body or {}).get("access_token")
        return given == self.token

    def seed_comment(self, number: int, body: str, login: str) -> int:
        self.next_id += 1
        self.comments[self.next_id] = {
            "id": self.next_id, "number": number, "body": body,
            "user": {"login": login, "name": login}, "comment_type": "pr_comment",
        }  # fmt: skip
        return self.next_id

    def seed_issue(self, title: str, body: str, login: str, state: str = "open") -> str:
        number = f"I{len(self.issues) + 1:05X}"
        self.issues[number] = {
            "id": 700 + len(self.issues), "number": number, "title": title, "body": body,
            "state": state, "html_url": f"https://gitee.example/o/r/issues/{number}",
            "user": {"login": login, "name": login},
        }  # fmt: skip
        return number

    def route(
        self, method: str, template: str, args: dict[str, str], query: dict[str, str], body: Any
    ):  # type: ignore[no-untyped-def]
        if template == "/user":
            return 200, {"id": 9, "login": self.login, "name": "Hub Bot"}, {}
        owner, repo = args.get("owner", ""), args.get("repo", "")
        if template == "/repos/{owner}/{repo}/pulls/{number}":
            fork = {
                "full_name": f"contrib/{repo}",
                "html_url": f"https://gitee.example/contrib/{repo}",
            }
            return 200, {
                "number": int(args["number"]), "state": "open",
                "head": {"ref": "patch-1", "sha": self.head_sha, "repo": fork},
            }, {}  # fmt: skip
        if (method, template) == ("GET", "/repos/{owner}/{repo}/pulls/{number}/comments"):
            number = int(args["number"])
            mine = [c for c in self.comments.values() if c["number"] == number]
            query = {k: v for k, v in query.items() if k != "access_token"}
            return (200, *self.page(mine, f"/repos/{owner}/{repo}/pulls/{number}/comments", query))
        if (method, template) == ("POST", "/repos/{owner}/{repo}/pulls/{number}/comments"):
            made = self.seed_comment(int(args["number"]), body["body"], self.login)
            return 201, self.comments[made], {}
        if template == "/repos/{owner}/{repo}/issues":
            state = query.get("state", "open")
            found = [i for i in self.issues.values() if state in ("all", i["state"])]
            found.sort(key=lambda i: -i["id"])
            query = {k: v for k, v in query.items() if k != "access_token"}
            return (200, *self.page(found, f"/repos/{owner}/{repo}/issues", query))
        if template == "/repos/{owner}/issues":
            made = self.seed_issue(body["title"], body.get("body", ""), self.login)
            return 201, self.issues[made], {}
        if template == "/repos/{owner}/issues/{number}":
            issue = self.issues.get(args["number"])
            if issue is None:
                return 404, {"message": "Not Found"}, {}
            issue.update({k: v for k, v in body.items() if k in ("title", "body", "state")})
            return 200, issue, {}
        if template == "/repos/{owner}/{repo}/pulls/comments/{id}":
            comment = self.comments.get(int(args["id"]))
            if comment is None:
                return 404, {"message": "Not Found"}, {}
            comment["body"] = body["body"]
            return 200, comment, {}
        self.errors.append(f"{method} {template}: allowed by the description but not expected")
        return 404, {"message": "Not Found"}, {}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    stand_in: StandIn

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        status, payload, extra = self.stand_in.handle(self.command, self.path, headers, raw)
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for key, value in extra.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _serve

    def log_message(self, format: str, *args: Any) -> None:
        return


def serve(stand_in: StandIn) -> Iterator[StandIn]:
    handler = type("Handler", (_Handler,), {"stand_in": stand_in})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    stand_in.base_url = f"http://127.0.0.1:{server.server_address[1]}{stand_in.prefix}"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield stand_in
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
    # Whatever a test asserted, no request may break the API description (injected faults
    # and refused tokens are answers, not errors).
    assert stand_in.errors == [], stand_in.errors


def github_stand_in() -> Iterator[GithubStandIn]:
    """A running GitHub stand-in (a generator: use as a fixture body or with ``contextmanager``)."""
    yield from serve(GithubStandIn(spec=SpecCheck(GITHUB_SPEC), prefix="/api/v3"))  # type: ignore[misc]


def gitee_stand_in() -> Iterator[GiteeStandIn]:
    """A running Gitee stand-in (a generator, like :func:`github_stand_in`)."""
    yield from serve(GiteeStandIn(spec=SpecCheck(GITEE_SPEC), prefix="/api/v5"))  # type: ignore[misc]


def make_report(
    count: int,
    paths: tuple[str, ...] = ("assets/a.md",),
    severity: str = "error",
    message: str = "missing required key",
) -> dict[str, Any]:
    """A version-1 JSON report with ``count`` problems spread over ``paths``."""
    problems = [
        {
            "path": paths[i % len(paths)],
            "line": i + 1,
            "column": 1,
            "rule": "MDV102",
            "name": "missing-field",
            "severity": severity,
            "message": f"{message} #{i}",
        }
        for i in range(count)
    ]
    failed = severity == "error" and count > 0
    return {
        "version": 1,
        "status": "fail" if failed else "pass",
        "checked": len(paths),
        "problems": problems,
        "assets": [],
    }
