"""The service's one settings object, built once at start-up and passed down.

Secrets come only from the environment (``GITEE_TOKEN``, ``MDVALIDATOR_GITEE_SECRET``,
``GITHUB_APP_ID``, ``GITHUB_APP_PRIVATE_KEY``, ``MDVALIDATOR_GITHUB_SECRET``), never from a flag
or a file in a repository; everything else comes from the command line. A forge is served when
its variables are set; a half-configured forge is a start-up error naming what is missing.
Secret values are held in :class:`Secret`, whose ``repr`` and ``str`` never show them.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from mdvalidator.sanitize import clean, redact_url

GITEE_TOKEN = "GITEE_TOKEN"
GITEE_SECRET = "MDVALIDATOR_GITEE_SECRET"
GITHUB_APP_ID = "GITHUB_APP_ID"
GITHUB_PRIVATE_KEY = "GITHUB_APP_PRIVATE_KEY"
GITHUB_SECRET = "MDVALIDATOR_GITHUB_SECRET"
SECRET_VARIABLES = (GITEE_TOKEN, GITEE_SECRET, GITHUB_PRIVATE_KEY, GITHUB_SECRET)

ROLES = ("all", "web", "worker")
# OWNER/NAME; neither part may be "." or ".." (it is placed in API paths)
REPO = re.compile(r"^(?!\.\.?/)[A-Za-z0-9_.-]+/(?!\.\.?$)[A-Za-z0-9_.-]+$")
_PEM_START = "-----BEGIN"
_MAX_KEY_FILE = 64 * 1024


class SettingsError(Exception):
    """The service cannot start with these settings; the message says which one and why."""


@dataclass(frozen=True)
class Secret:
    """A secret value: ``reveal()`` gives it; printing or logging the object shows ``***``."""

    value: str = field(repr=False)

    def reveal(self) -> str:
        return self.value

    def __str__(self) -> str:
        return "***"

    def __repr__(self) -> str:
        return "Secret(***)"

    def __bool__(self) -> bool:
        return bool(self.value)


@dataclass(frozen=True)
class GiteeSettings:
    api_url: str
    token: Secret
    webhook_secret: Secret
    repos: tuple[str, ...]  # OWNER/NAME, as given; compared case-insensitively

    def serves(self, repo: str) -> bool:
        wanted = repo.casefold()
        return any(r.casefold() == wanted for r in self.repos)


@dataclass(frozen=True)
class GithubSettings:
    api_url: str
    app_id: str
    private_key: Secret  # PEM text
    webhook_secret: Secret


@dataclass(frozen=True)
class ServeSettings:
    host: str
    port: int
    data_dir: Path
    queue: str  # "sqlite" or a redis:// URL
    role: str
    workers: int
    gitee: GiteeSettings | None
    github: GithubSettings | None
    reconcile_interval: float  # seconds; 0: no reconciler
    label_pass: str
    label_fail: str
    api_rate: float  # forge API requests per second per token, all processes together
    shutdown_timeout: float
    max_body: int
    check_args: argparse.Namespace  # the check options (trusted: the command line)

    @property
    def uses_redis(self) -> bool:
        return self.queue != "sqlite"

    @property
    def queue_shown(self) -> str:
        """The queue for logs and the status page (a password in a Redis URL hidden)."""
        return self.queue if not self.uses_redis else redact_url(self.queue)

    def secrets(self) -> list[str]:
        """Every secret value in force (for redacting logs and pages, defence in depth)."""
        found: list[str] = []
        if self.gitee is not None:
            found += [self.gitee.token.reveal(), self.gitee.webhook_secret.reveal()]
        if self.github is not None:
            found += [self.github.private_key.reveal(), self.github.webhook_secret.reveal()]
        if self.uses_redis and "@" in self.queue:
            found.append(self.queue.split("://", 1)[-1].rsplit("@", 1)[0])
        return [s for s in found if s]


def parse_queue(text: str) -> str:
    """``sqlite`` or ``redis://HOST:PORT/DB`` (``rediss://`` for TLS); ValueError otherwise."""
    value = text.strip()
    if value == "sqlite":
        return value
    if re.match(r"^rediss?://[^/\s]+(/\d+)?/?$", value):
        return value
    raise ValueError(f"expected sqlite or redis://HOST:PORT/DB, got {clean(value, 80)!r}")


def parse_repo(text: str) -> str:
    if not REPO.match(text):
        raise ValueError(f"expected OWNER/NAME, got {clean(text, 80)!r}")
    return text


def parse_label(text: str) -> str:
    value = text.strip()
    if not value or len(value) > 50 or clean(value, 50) != value or "," in value:
        raise ValueError("a label name is 1-50 printable characters without commas")
    return value


def parse_api_url(text: str) -> str:
    if not text.startswith(("https://", "http://")):
        raise ValueError("expected an http(s) URL")
    return text.rstrip("/")


def _env(environ: Mapping[str, str], name: str) -> str:
    return environ.get(name, "").strip()


def _private_key(text: str) -> str:
    """``GITHUB_APP_PRIVATE_KEY``: the PEM text itself, or the path of a file holding it."""
    if text.startswith(_PEM_START):
        return text.replace("\\n", "\n") if "\n" not in text else text
    path = Path(text).expanduser()
    try:
        data = path.read_bytes()[: _MAX_KEY_FILE + 1]
    except OSError as exc:
        raise SettingsError(
            f"{GITHUB_PRIVATE_KEY} is neither PEM text nor a readable file "
            f"({exc.strerror or type(exc).__name__})"
        ) from None
    pem = data.decode("ascii", errors="replace")
    if len(data) > _MAX_KEY_FILE or _PEM_START not in pem:
        raise SettingsError(f"{GITHUB_PRIVATE_KEY} names a file that holds no PEM private key")
    return pem


def _gitee(args: argparse.Namespace, environ: Mapping[str, str]) -> GiteeSettings | None:
    token, secret = _env(environ, GITEE_TOKEN), _env(environ, GITEE_SECRET)
    if not token and not secret:
        return None
    missing = [n for n, v in ((GITEE_TOKEN, token), (GITEE_SECRET, secret)) if not v]
    if missing:
        raise SettingsError(f"Gitee is half configured: set {' and '.join(missing)} as well")
    repos = tuple(dict.fromkeys(args.repo or ()))
    if not repos:
        raise SettingsError("Gitee is configured but no --repo OWNER/NAME names what to serve")
    return GiteeSettings(args.gitee_api_url, Secret(token), Secret(secret), repos)


def _github(args: argparse.Namespace, environ: Mapping[str, str]) -> GithubSettings | None:
    names = (GITHUB_APP_ID, GITHUB_PRIVATE_KEY, GITHUB_SECRET)
    values = {n: _env(environ, n) for n in names}
    if not any(values.values()):
        return None
    missing = [n for n in names if not values[n]]
    if missing:
        raise SettingsError(f"GitHub is half configured: set {' and '.join(missing)} as well")
    if not values[GITHUB_APP_ID].isdigit():
        raise SettingsError(f"{GITHUB_APP_ID} must be the App's numeric id")
    key = _private_key(values[GITHUB_PRIVATE_KEY])
    return GithubSettings(
        args.github_api_url, values[GITHUB_APP_ID], Secret(key), Secret(values[GITHUB_SECRET])
    )


def from_args(args: argparse.Namespace, environ: Mapping[str, str]) -> ServeSettings:
    """The settings of this run; :class:`SettingsError` when it cannot start."""
    gitee = _gitee(args, environ)
    github = _github(args, environ)
    if gitee is None and github is None:
        raise SettingsError(
            f"no forge configured: set {GITEE_TOKEN} and {GITEE_SECRET} (Gitee), or "
            f"{GITHUB_APP_ID}, {GITHUB_PRIVATE_KEY} and {GITHUB_SECRET} (a GitHub App)"
        )
    if args.label_pass == args.label_fail:
        raise SettingsError("--label-pass and --label-fail must differ")
    data_dir = Path(args.data_dir).expanduser().absolute() if args.data_dir else default_data_dir()
    return ServeSettings(
        host=args.host,
        port=args.port,
        data_dir=data_dir,
        queue=args.queue,
        role=args.role,
        workers=args.workers,
        gitee=gitee,
        github=github,
        reconcile_interval=args.reconcile_interval,
        label_pass=args.label_pass,
        label_fail=args.label_fail,
        api_rate=args.api_rate,
        shutdown_timeout=args.shutdown_timeout,
        max_body=args.max_body_size,
        check_args=_with_cache(check_namespace(args), data_dir),
    )


def _with_cache(args: argparse.Namespace, data_dir: Path) -> argparse.Namespace:
    """The asset cache lives in the data dir unless --cache-dir says otherwise."""
    if getattr(args, "cache_dir", None) is None:
        args.cache_dir = data_dir / "cache"
    return args


# The check flags a service does not take (they name outputs or a local checkout).
_NOT_FOR_SERVE = ("format", "output", "color", "changed-since", "fix", "shard")


def check_keys() -> list[str]:
    """The keys of ``mdvalidator check``'s settings that ``serve`` takes as flags."""
    from mdvalidator.settings import SETTINGS

    return [s.key for s in SETTINGS if s.flag and s.key not in _NOT_FOR_SERVE]


def check_namespace(args: argparse.Namespace) -> argparse.Namespace:
    """The check options alone, with the flags serve does not take set to None."""
    from mdvalidator.settings import BY_KEY

    values = {BY_KEY[key].dest: getattr(args, BY_KEY[key].dest, None) for key in check_keys()}
    values.update({BY_KEY[key].dest: None for key in _NOT_FOR_SERVE})
    return argparse.Namespace(**values)


def default_data_dir() -> Path:
    """``$XDG_DATA_HOME/mdvalidator/serve`` (platformdirs' user data folder)."""
    import platformdirs

    path = Path(platformdirs.user_data_dir("mdvalidator", appauthor=False))
    if not path.is_absolute():
        path = Path.home() / ".local" / "share" / "mdvalidator"
    return path / "serve"
