"""Stand-in Gitee and GitHub APIs on 127.0.0.1 for the service's tests, plus an asset server.

Both keep one small hub in memory: commits (path -> bytes), pull requests (base and head
commit, state, labels), comments, repository labels; the GitHub one also an App with one
installation, check runs and JWT-authenticated App calls (the JWT is verified with the App's
public key). Every request is checked against the API description (GitHub: the
``@octokit/openapi`` subset in fixtures/openapi; Gitee: fixtures/serve/gitee-v5-serve.json):
an operation not described, an unknown or malformed parameter, or a body that does not match
the schema is answered 400/404 and noted in ``errors``; the fixtures assert ``errors == []``.
Faults can be injected per operation (status, headers, how many times).
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from jsonschema import Draft7Validator

_VALIDATORS: dict[int, Draft7Validator] = {}


def _validator(schema: dict[str, Any]) -> Draft7Validator:
    """One compiled validator per schema of the description (they live as long as the Spec)."""
    found = _VALIDATORS.get(id(schema))
    if found is None:
        found = _VALIDATORS[id(schema)] = Draft7Validator(schema)
    return found


ROOT = Path(__file__).resolve().parents[2]
GITHUB_SPEC = ROOT / "fixtures" / "openapi" / "github-subset.json"
GITEE_SPEC = ROOT / "fixtures" / "serve" / "gitee-v5-serve.json"
GITEE_TOKEN = "gitee_tok_Q7rSECRETvalue31337"
INSTALLATION = 4242
APP_ID = "777"


class Spec:
    """Operations of an OpenAPI-shaped subset; ``{path}`` (a file path) may hold slashes."""

    def __init__(self, spec_file: Path) -> None:
        spec = json.loads(spec_file.read_text(encoding="utf-8"))
        self.routes: list[tuple[str, re.Pattern[str], str, dict[str, Any]]] = []
        for template, methods in spec["paths"].items():
            regex = re.sub(
                r"\{(\w+)\}",
                lambda m: f"(?P<{m[1]}>{'.+' if m[1] == 'path' else '[^/]+'})",
                template,
            )
            for method, op in methods.items():
                self.routes.append((method.upper(), re.compile(f"^{regex}$"), template, op))

    def match(self, method: str, path: str) -> tuple[str, dict[str, Any], dict[str, str]] | None:
        hits = [
            (template, op, m.groupdict())
            for verb, pattern, template, op in self.routes
            if verb == method and (m := pattern.match(path))
        ]
        hits.sort(key=lambda hit: hit[0].count("{"))
        return hits[0] if hits else None

    def problems(
        self,
        op: dict[str, Any],
        args: dict[str, str],
        query: dict[str, list[str]],
        content_type: str,
        raw: bytes,
    ) -> list[str]:
        found: list[str] = []
        params = {(p["in"], p["name"]): p for p in op.get("parameters", [])}
        for name, value in args.items():
            if params[("path", name)]["schema"].get("type") == "integer" and not value.isdigit():
                found.append(f"path parameter {name}={value!r} is not an integer")
        for name, values in query.items():
            param = params.get(("query", name))
            if param is None:
                found.append(f"unknown query parameter {name!r}")
                continue
            if len(values) != 1:
                found.append(f"query parameter {name!r} given {len(values)} times")
            value: Any = values[0]
            if param["schema"].get("type") == "integer" and value.lstrip("-").isdigit():
                value = int(value)
            found += [
                f"{name}: {e.message}" for e in _validator(param["schema"]).iter_errors(value)
            ]
        for (where, name), param in params.items():
            if where == "query" and param.get("required") and name not in query:
                found.append(f"missing required query parameter {name!r}")
        spec = op.get("requestBody")
        if spec is None:
            return found + (["a body sent to an operation that takes none"] if raw else [])
        if not raw:
            return found + (["missing request body"] if spec.get("required") else [])
        if not content_type.startswith("application/json"):
            return [*found, f"body content type {content_type!r}"]
        try:
            body = json.loads(raw)
        except ValueError:
            return [*found, "body is not JSON"]
        schema = spec["content"]["application/json"]["schema"]
        found += [f"body: {e.message[:200]}" for e in _validator(schema).iter_errors(body)]
        return found + _unknown_keys(schema, body, "body")


def _unknown_keys(schema: dict[str, Any], value: Any, where: str) -> list[str]:
    if isinstance(value, dict) and "properties" in schema:
        found = []
        for key, item in value.items():
            if key not in schema["properties"]:
                found.append(f"{where}: unknown field {key!r}")
            else:
                found += _unknown_keys(schema["properties"][key], item, f"{where}.{key}")
        return found
    return []


def sha_of(files: dict[str, bytes], salt: str = "") -> str:
    digest = hashlib.sha1(salt.encode())
    for path in sorted(files):
        digest.update(path.encode() + b"\0" + files[path] + b"\0")
    return digest.hexdigest()


@dataclass
class Pull:
    repo: str
    number: int
    base: str
    head: str
    state: str = "open"
    labels: set[str] = field(default_factory=set)


@dataclass
class Recorded:
    method: str
    path: str
    template: str
    query: dict[str, str]
    body: Any
    at: float


@dataclass
class Fault:
    method: str
    template: str
    status: int
    times: int
    headers: dict[str, str]
    message: str


@dataclass
class Hub:
    """The forge's state, shared by its handler threads (one lock)."""

    commits: dict[str, dict[str, bytes]] = field(default_factory=dict)
    pulls: dict[tuple[str, int], Pull] = field(default_factory=dict)
    comments: dict[int, dict[str, Any]] = field(default_factory=dict)
    repo_labels: dict[str, set[str]] = field(default_factory=dict)
    next_id: int = 100
    lock: threading.RLock = field(default_factory=threading.RLock)

    def commit(self, files: dict[str, bytes], salt: str = "") -> str:
        sha = sha_of(files, salt)
        self.commits[sha] = dict(files)
        return sha

    def open_pull(
        self, repo: str, number: int, base: dict[str, bytes], added: dict[str, bytes]
    ) -> Pull:
        with self.lock:
            base_sha = self.commit(base, "base")
            head_sha = self.commit({**base, **added}, f"{repo}#{number}")
            pull = Pull(repo, number, base_sha, head_sha)
            self.pulls[(repo.lower(), number)] = pull
            return pull

    def push(self, repo: str, number: int, files: dict[str, bytes], salt: str = "push") -> str:
        with self.lock:
            pull = self.pulls[(repo.lower(), number)]
            head = {**self.commits[pull.head], **files}
            pull.head = self.commit(head, f"{repo}#{number}{salt}")
            return pull.head

    def changed(self, pull: Pull) -> list[tuple[str, str]]:
        base, head = self.commits[pull.base], self.commits[pull.head]
        found = []
        for path in sorted(set(base) | set(head)):
            if path not in head:
                found.append((path, "removed"))
            elif path not in base:
                found.append((path, "added"))
            elif base[path] != head[path]:
                found.append((path, "modified"))
        return found

    def comments_on(self, repo: str, number: int) -> list[dict[str, Any]]:
        return [
            c for c in self.comments.values() if (c["repo"], c["number"]) == (repo.lower(), number)
        ]


class StandIn:
    """Dispatch, validation, recording and faults; subclasses route."""

    prefix = ""

    def __init__(self, spec: Spec, hub: Hub) -> None:
        self.spec = spec
        self.hub = hub
        self.base_url = ""
        self.requests: list[Recorded] = []
        self.errors: list[str] = []
        self.faults: list[Fault] = []
        self.delay = 0.0

    def fail(
        self,
        method: str,
        template: str,
        status: int,
        times: int = 1,
        headers: dict[str, str] | None = None,
        message: str = "injected",
    ) -> None:
        self.faults.append(Fault(method, template, status, times, headers or {}, message))

    def called(self, method: str, template: str) -> list[Recorded]:
        return [r for r in self.requests if (r.method, r.template) == (method, template)]

    def handle(
        self, method: str, target: str, headers: dict[str, str], raw: bytes
    ) -> tuple[int, Any, dict[str, str]]:
        parts = urlsplit(target)
        if not parts.path.startswith(self.prefix):
            self.errors.append(f"{method} {parts.path}: outside the API root")
            return 404, {"message": "Not Found"}, {}
        path = parts.path[len(self.prefix) :]
        query = parse_qs(parts.query, keep_blank_values=True)
        hit = self.spec.match(method, path)
        if hit is None:
            self.errors.append(f"{method} {path}: not an operation in the API description")
            return 404, {"message": "Not Found"}, {}
        template, op, args = hit
        args = {k: unquote(v) for k, v in args.items()}
        problems = self.spec.problems(op, args, query, headers.get("content-type", ""), raw)
        flat = {k: v[0] for k, v in query.items()}
        body = json.loads(raw) if raw and not problems else None
        if self.delay:
            time.sleep(self.delay)
        with self.hub.lock:
            self.requests.append(Recorded(method, path, template, flat, body, time.time()))
            if problems:
                self.errors += [f"{method} {path}: {p}" for p in problems]
                return 400, {"message": "; ".join(problems)}, {}
            for fault in self.faults:
                if fault.times > 0 and (fault.method, fault.template) == (method, template):
                    fault.times -= 1
                    return fault.status, {"message": fault.message}, dict(fault.headers)
            if not self.authorised(template, headers, flat, body):
                return 401, {"message": "Bad credentials"}, {}
            return self.route(method, template, args, flat, body)

    def authorised(
        self, template: str, headers: dict[str, str], query: dict[str, str], body: Any
    ) -> bool:
        raise NotImplementedError

    def route(
        self, method: str, template: str, args: dict[str, str], query: dict[str, str], body: Any
    ) -> tuple[int, Any, dict[str, str]]:
        raise NotImplementedError

    def pull(self, args: dict[str, str], key: str = "number") -> Pull | None:
        return self.hub.pulls.get((f"{args['owner']}/{args['repo']}".lower(), int(args[key])))

    def unexpected(self, method: str, template: str) -> tuple[int, Any, dict[str, str]]:
        self.errors.append(f"{method} {template}: described but not expected")
        return 404, {"message": "Not Found"}, {}


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


class _NoDelay(BaseHTTPRequestHandler):
    """Headers and body go out in separate writes: without TCP_NODELAY a keep-alive client
    waits ~40 ms (delayed ACK) on every answer."""

    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        super().setup()
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class _Handler(_NoDelay):
    stand_in: StandIn

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        status, payload, extra = self.stand_in.handle(self.command, self.path, headers, raw)
        data = b"" if payload is None else json.dumps(payload).encode()
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


@contextmanager
def running(stand_in: StandIn) -> Iterator[StandIn]:
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


class _AssetHandler(_NoDelay):
    assets: dict[str, bytes]
    hits: list[str]

    def do_GET(self) -> None:
        data = self.assets.get(self.path)
        self.hits.append(self.path)
        if data is None:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("ETag", '"' + hashlib.sha256(data).hexdigest()[:16] + '"')
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        return


@dataclass
class AssetServer:
    base_url: str
    assets: dict[str, bytes]
    hits: list[str]

    def add(self, name: str, data: bytes) -> tuple[str, str]:
        """Serve ``data`` at /assets/NAME; returns (url, sha256)."""
        self.assets[f"/assets/{name}"] = data
        return f"{self.base_url}/assets/{name}", hashlib.sha256(data).hexdigest()


@contextmanager
def asset_server() -> Iterator[AssetServer]:
    assets: dict[str, bytes] = {}
    hits: list[str] = []
    handler = type("Assets", (_AssetHandler,), {"assets": assets, "hits": hits})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield AssetServer(f"http://127.0.0.1:{server.server_address[1]}", assets, hits)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
