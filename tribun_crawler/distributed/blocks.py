"""Blocked hosts shared by every worker of a run: a host one worker finds blocking is left alone by all.

``middlewares/blocks.py`` decides what a block is; this is where the workers of a distributed run tell each
other. Keys, under the run's prefix:

* ``…:blocks:blocked:<host>``: set by the worker that found the host blocking, with the cool-down as its TTL (the
  value names the worker). While it exists, every worker drops the host's requests; when it expires the
  host is tried again, and the first answer decides, as for a block of a worker's own.
* ``…:blocks:hosts``: every host the run has scheduled requests for, from any worker: the run closes as ``blocked``
  when each of them is blocked, not only those one worker happened to see.

A worker reads the blocked hosts (one Lua call: the run's hosts and the time left of each block) at most once
per :data:`REFRESH_SECONDS`, not once per request.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from time import monotonic
from typing import Any

#: A worker looks at the run's blocked hosts at most this often (seconds).
REFRESH_SECONDS = 1.0
#: The run's host list lives this long after a worker last read or added to it: as long as the run goes on.
HOSTS_TTL = 3600

# KEYS: the run's hosts. ARGV: the blocked-key prefix, the hosts' TTL. Returns host, milliseconds of block left
# (< 0: none), host, …
_VIEW = """
if redis.call('EXPIRE', KEYS[1], ARGV[2]) == 0 then return {} end
local out = {}
for _, host in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  out[#out + 1] = host
  out[#out + 1] = redis.call('PTTL', ARGV[1] .. host)
end
return out
"""


class SharedBlocks:
    """The run's blocked hosts and hosts, as every worker sees them (module docstring)."""

    def __init__(self, server: Any, prefix: str, worker: str, *, clock: Callable[[], float] = monotonic) -> None:
        """``prefix``: the run's blocks prefix (``SharedRun.key("blocks")``); ``worker`` names this worker."""
        self.server = server
        self.prefix = prefix
        self.worker = worker
        self.clock = clock
        self._view = server.register_script(_VIEW)
        self.known_hosts: set[str] = set()
        """Hosts this worker added to the run's list (each is added once)."""
        self.blocked_until: dict[str, float] = {}
        """Blocked hosts as last read, with the ``clock`` time their block ends."""
        self.run_hosts: set[str] = set()
        """The run's hosts as last read."""
        self.read_at: float | None = None

    @property
    def hosts_key(self) -> str:
        return f"{self.prefix}:hosts"

    def blocked_key(self, host: str) -> str:
        return f"{self.prefix}:blocked:{host}"

    def add_host(self, host: str) -> None:
        """The run has requests for ``host`` (once per host and worker)."""
        if host in self.known_hosts:
            return
        # Noted first: a Redis that fails is not asked again for every request of the host.
        self.known_hosts.add(host)
        self.run_hosts.add(host)
        pipe = self.server.pipeline()
        pipe.sadd(self.hosts_key, host)
        pipe.expire(self.hosts_key, HOSTS_TTL)
        pipe.execute()

    def block(self, host: str, cooldown: float) -> None:
        """Every worker leaves ``host`` alone for ``cooldown`` seconds."""
        self.server.set(self.blocked_key(host), self.worker, px=max(1, math.ceil(cooldown * 1000)))
        self.blocked_until[host] = self.clock() + cooldown

    def refresh(self, *, force: bool = False) -> bool:
        """Read the run's blocked hosts when the last read is older than :data:`REFRESH_SECONDS`; True if read."""
        now = self.clock()
        if not force and self.read_at is not None and now - self.read_at < REFRESH_SECONDS:
            return False
        # Noted before asking: while Redis fails, it is asked again a second later, not at every request.
        self.read_at = now
        answer = self._view(keys=[self.hosts_key], args=[f"{self.prefix}:blocked:", HOSTS_TTL])
        hosts: set[str] = set()
        blocked: dict[str, float] = {}
        for raw, millis in zip(answer[::2], answer[1::2], strict=True):
            host = raw.decode() if isinstance(raw, bytes) else str(raw)
            hosts.add(host)
            if int(millis) > 0:
                blocked[host] = now + int(millis) / 1000
        self.run_hosts = hosts | self.known_hosts
        self.blocked_until = blocked
        return True

    def is_blocked(self, host: str) -> bool:
        until = self.blocked_until.get(host)
        return until is not None and self.clock() < until

    def seconds_left(self, host: str) -> float:
        until = self.blocked_until.get(host)
        return 0.0 if until is None else max(0.0, until - self.clock())
