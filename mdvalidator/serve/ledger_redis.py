"""The ledger (see :mod:`mdvalidator.serve.ledger`) in Redis, for several machines.

Each step that must be atomic is one Lua script (Redis runs a script alone). Keys, under
``mdvalidator:``: ``pull:<key>`` a hash per pull request, ``pulls`` a sorted set by last change,
``pending`` the set of pull requests with outstanding work, ``lease:<key>`` the lease (a string
with a time to live), ``delivery:<id>`` seen delivery ids (with a time to live), ``counters``,
``problems`` and ``slot:<bucket>:<window>`` the API rate-limit windows.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import Any

from mdvalidator.serve.events import PullRequestRef
from mdvalidator.serve.ledger import (
    DELIVERY_TTL,
    QUEUED,
    RUNNING,
    Claim,
    JobRecord,
    Outcome,
    decode_problem,
    encode_problem,
    owner_is_dead,
)

PREFIX = "mdvalidator:"

_ACCEPT = """
local gen = redis.call('HINCRBY', KEYS[1], 'generation', 1)
redis.call('HSET', KEYS[1], 'forge', ARGV[1], 'repo', ARGV[2], 'number', ARGV[3],
           'updated', ARGV[6])
if tonumber(ARGV[4]) > 0 then redis.call('HSET', KEYS[1], 'installation', ARGV[4]) end
if ARGV[5] == '1' then redis.call('HSET', KEYS[1], 'force', gen) end
if redis.call('HGET', KEYS[1], 'state') ~= 'running' then
  redis.call('HSET', KEYS[1], 'state', 'queued')
end
redis.call('ZADD', KEYS[2], ARGV[6], ARGV[7])
redis.call('SADD', KEYS[3], ARGV[7])
return gen
"""

_CLAIM = """
local cur = redis.call('GET', KEYS[2])
if cur and cur == ARGV[4] then redis.call('DEL', KEYS[2]); cur = false end
if cur then return {0} end
local gen = tonumber(redis.call('HGET', KEYS[1], 'generation') or '0')
local done = tonumber(redis.call('HGET', KEYS[1], 'done') or '0')
if gen <= done then
  redis.call('SREM', KEYS[3], ARGV[5])
  return {0}
end
redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2])
redis.call('HSET', KEYS[1], 'state', ARGV[6], 'updated', ARGV[3])
local force = tonumber(redis.call('HGET', KEYS[1], 'force') or '0')
local installation = tonumber(redis.call('HGET', KEYS[1], 'installation') or '0')
return {1, gen, redis.call('HGET', KEYS[1], 'verdict_head') or '', force > done and 1 or 0,
        installation}
"""

_FINISH = """
if redis.call('GET', KEYS[2]) ~= ARGV[1] then return -1 end
redis.call('DEL', KEYS[2])
local covered = tonumber(ARGV[2])
local done = tonumber(redis.call('HGET', KEYS[1], 'done') or '0')
if covered > done then done = covered; redis.call('HSET', KEYS[1], 'done', done) end
local gen = tonumber(redis.call('HGET', KEYS[1], 'generation') or '0')
local state = ARGV[3]
if gen > covered then state = ARGV[11] end
redis.call('HSET', KEYS[1], 'state', state, 'head', ARGV[4], 'duration', ARGV[6],
           'error', ARGV[7], 'updated', ARGV[8])
if ARGV[10] == '1' then
  redis.call('HSET', KEYS[1], 'verdict', ARGV[5], 'verdict_head', ARGV[4])
end
redis.call('ZADD', KEYS[3], ARGV[8], ARGV[9])
if gen <= done then redis.call('SREM', KEYS[4], ARGV[9]) end
if gen > covered then return 1 end
return 0
"""

_RELEASE = """
if redis.call('GET', KEYS[2]) == ARGV[1] then
  redis.call('DEL', KEYS[2])
  redis.call('HSET', KEYS[1], 'state', ARGV[2])
end
return 0
"""

_SLOT = """
local used = redis.call('INCR', KEYS[1])
if used == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
if used > tonumber(ARGV[1]) then return 0 end
return 1
"""


class RedisLedger:
    """The ledger in the Redis server that ``--queue redis://...`` names."""

    def __init__(self, url: str) -> None:
        import redis

        self.client: Any = redis.Redis.from_url(
            url, socket_timeout=10, socket_connect_timeout=5, decode_responses=True
        )
        self._accept = self.client.register_script(_ACCEPT)
        self._claim = self.client.register_script(_CLAIM)
        self._finish = self.client.register_script(_FINISH)
        self._slot = self.client.register_script(_SLOT)
        self._release = self.client.register_script(_RELEASE)

    @staticmethod
    def _pull(key: str) -> str:
        return f"{PREFIX}pull:{key}"

    @staticmethod
    def _lease(key: str) -> str:
        return f"{PREFIX}lease:{key}"

    def ping(self) -> None:
        self.client.ping()

    def close(self) -> None:
        self.client.close()

    def first_delivery(self, key: str, ttl: float = DELIVERY_TTL) -> bool:
        return bool(self.client.set(f"{PREFIX}delivery:{key}", "1", nx=True, ex=int(ttl)))

    def accept(self, ref: PullRequestRef, force: bool = False) -> int:
        keys = [self._pull(ref.key), f"{PREFIX}pulls", f"{PREFIX}pending"]
        args: list[str | int | float] = [
            ref.forge, ref.repo, ref.number, ref.installation, "1" if force else "0",
            time.time(), ref.key,
        ]  # fmt: skip
        return int(self._accept(keys=keys, args=args))

    def accept_delivery(
        self, key: str, refs: Sequence[PullRequestRef], force: bool, ttl: float = DELIVERY_TTL
    ) -> bool:
        if not self.first_delivery(key, ttl):
            return False
        for ref in refs:
            self.accept(ref, force)
        self.client.hincrbyfloat(f"{PREFIX}counters", "jobs_queued_total", float(len(refs)))
        return True

    def claim(self, ref: PullRequestRef, owner: str, ttl: float) -> Claim | None:
        current = self.client.get(self._lease(ref.key))
        stale = current if current and owner_is_dead(current) else ""
        keys = [self._pull(ref.key), self._lease(ref.key), f"{PREFIX}pending"]
        args: list[str | int | float] = [
            owner, int(ttl * 1000), time.time(), stale, ref.key, RUNNING,
        ]  # fmt: skip
        found = self._claim(keys=keys, args=args)
        if not found or int(found[0]) == 0:
            return None
        return Claim(int(found[1]), str(found[2]), bool(int(found[3])), int(found[4]))

    def finish(self, ref: PullRequestRef, owner: str, generation: int, out: Outcome) -> bool:
        keys = [
            self._pull(ref.key), self._lease(ref.key), f"{PREFIX}pulls", f"{PREFIX}pending",
        ]  # fmt: skip
        args: list[str | int | float] = [
            owner, generation, out.state, out.head, out.verdict, out.duration, out.error,
            time.time(), ref.key, "1" if out.verdict else "0", QUEUED,
        ]  # fmt: skip
        return int(self._finish(keys=keys, args=args)) == 1

    def release(self, ref: PullRequestRef, owner: str) -> None:
        self._release(keys=[self._pull(ref.key), self._lease(ref.key)], args=[owner, QUEUED])

    def running(self) -> int:
        return sum(1 for _ in self.client.scan_iter(f"{PREFIX}lease:*", count=500))

    def verdict_head(self, ref: PullRequestRef) -> str:
        return str(self.client.hget(self._pull(ref.key), "verdict_head") or "")

    def pending(self) -> list[PullRequestRef]:
        refs = []
        for key in sorted(self.client.smembers(f"{PREFIX}pending")):
            data = self.client.hgetall(self._pull(key))
            if data and int(data.get("generation", 0)) > int(data.get("done", 0)):
                refs.append(_ref(data))
        return refs

    def recent(self, limit: int = 200) -> list[JobRecord]:
        keys = self.client.zrevrange(f"{PREFIX}pulls", 0, limit - 1)
        pipe = self.client.pipeline()
        for key in keys:
            pipe.hgetall(self._pull(key))
        return [_record(data) for data in pipe.execute() if data]

    def add(self, counts: Mapping[str, float]) -> None:
        if not counts:
            return
        pipe = self.client.pipeline()
        for name, value in counts.items():
            pipe.hincrbyfloat(f"{PREFIX}counters", name, value)
        pipe.execute()

    def counters(self) -> dict[str, float]:
        return {k: float(v) for k, v in self.client.hgetall(f"{PREFIX}counters").items()}

    def note_problem(self, scope: str, text: str) -> None:
        self.client.hset(f"{PREFIX}problems", scope, encode_problem(text, time.time()))

    def clear_problem(self, scope: str) -> None:
        self.client.hdel(f"{PREFIX}problems", scope)

    def problems(self) -> dict[str, tuple[str, float]]:
        found = self.client.hgetall(f"{PREFIX}problems")
        return {scope: decode_problem(raw) for scope, raw in sorted(found.items())}

    def take_slot(self, bucket: str, limit: int, window: float) -> float:
        now = time.time()
        current = int(now // window)
        key = f"{PREFIX}slot:{bucket}:{current}"
        if int(self._slot(keys=[key], args=[limit, int(window * 1000) + 1000])):
            return 0.0
        return (current + 1) * window - now


def _ref(data: dict[str, str]) -> PullRequestRef:
    return PullRequestRef(
        data.get("forge", ""),
        data.get("repo", ""),
        int(data.get("number", 0)),
        int(data.get("installation", 0)),
    )


def _record(data: dict[str, str]) -> JobRecord:
    return JobRecord(
        forge=data.get("forge", ""),
        repo=data.get("repo", ""),
        number=int(data.get("number", 0)),
        state=data.get("state", ""),
        head=data.get("head", ""),
        verdict=data.get("verdict", ""),
        verdict_head=data.get("verdict_head", ""),
        duration=float(data.get("duration", 0)),
        error=data.get("error", ""),
        updated=float(data.get("updated", 0)),
        generation=int(data.get("generation", 0)),
        done=int(data.get("done", 0)),
    )
