"""Per-host pacing shared by every worker of a run: one polite client, whatever the number of workers.

A worker asks Redis for a host's turn before it sends a request there. Each host of the shared run has one
hash, ``<spider>:run:<id>:pace:<host>``, with two instants on the Redis server's clock (``TIME``, so workers
on several machines need not agree on theirs), in milliseconds:

* ``next``: the first turn nobody holds yet. :meth:`SharedPacing.reserve` takes the turn
  ``max(now, last + delay, next)`` and moves ``next`` one delay past it, atomically (a Lua script), so two
  workers never hold the same turn, and the requests of a host are served in the order they asked.
* ``last``: when the host's last request went out, or its answer came. A request whose turn has come (at once, when the
  host is free) calls :meth:`SharedPacing.claim` before it leaves: it may go when ``now >= last + delay``
  (``last`` becomes ``now``), else it is told how much longer to wait. When its answer arrives,
  :meth:`SharedPacing.done` moves ``last`` to that moment. So the delay runs from the end of the host's
  previous exchange (as a single polite client would wait), whatever happened between a turn and the
  request reaching the host: a worker that woke late (a loaded machine, a busy event loop), a new connection
  (proxy tunnel, TLS handshake) that took long. The spacing holds where it matters, at the host.

:meth:`SharedPacing.pause` holds the host (backoff after a 429/5xx/timeout, ``Retry-After``): ``last`` moves to
the end of the pause, so the next request waits the pause plus the delay, for every worker, as the local pause
does. The delay is given by the caller on every call: each worker's largest of ``DOWNLOAD_DELAY``, the host's
robots.txt ``Crawl-delay`` and AutoThrottle's delay (``middlewares/politeness.py`` owns that decision). A key
expires a minute after its latest instant: an idle host leaves nothing behind, and the run's end needs no
clean-up.
"""

from __future__ import annotations

import math
from typing import Any

#: A host's pacing key lives this long past its latest reserved or paused instant.
PACE_KEY_TTL_MS = 60_000

# KEYS: the host's pacing hash. ARGV: mode (reserve, claim, done or pause), delay or pause in ms, key TTL in ms.
# Returns the milliseconds to wait: until the reserved turn, or (claim) until the request may leave, 0 when it
# may leave now and its departure is recorded.
_PACE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local state = redis.call('HMGET', KEYS[1], 'next', 'last')
local nxt = tonumber(state[1]) or 0
local last = tonumber(state[2])
local mode, amount = ARGV[1], tonumber(ARGV[2])
local wait = 0
if mode == 'pause' then
  last = math.max(last or 0, now + amount)
elseif mode == 'done' then
  last = math.max(last or 0, now)
else
  local earliest = now
  if last then earliest = math.max(now, last + amount) end
  if mode == 'reserve' then
    local turn = math.max(earliest, nxt)
    nxt = turn + amount
    wait = turn - now
  else
    wait = math.max(0, earliest - now)
    if wait == 0 then last = now end
  end
end
redis.call('HSET', KEYS[1], 'next', string.format('%.3f', nxt), 'last', string.format('%.3f', last or 0))
redis.call('PEXPIRE', KEYS[1], math.ceil(math.max(nxt, last or 0) - now) + tonumber(ARGV[3]))
return math.ceil(wait)
"""


class SharedPacing:
    """The shared turns of every host of one run (module docstring); waits are in seconds."""

    def __init__(self, server: Any, prefix: str) -> None:
        """``prefix``: the run's key prefix (``SharedRun.key("pace")``); hosts are appended to it."""
        self.server = server
        self.prefix = prefix
        self._pace = server.register_script(_PACE)

    def key(self, host: str) -> str:
        return f"{self.prefix}:{host}"

    def _call(self, mode: str, host: str, seconds: float) -> float:
        millis = max(0, math.ceil(seconds * 1000))
        return int(self._pace(keys=[self.key(host)], args=[mode, millis, PACE_KEY_TTL_MS])) / 1000

    def reserve(self, host: str, delay: float) -> float:
        """Take the host's next turn; the seconds until it comes (then :meth:`claim` it)."""
        return self._call("reserve", host, delay)

    def claim(self, host: str, delay: float) -> float:
        """At a reserved turn: 0 when the request may go now (recorded as the host's last), else the seconds
        until the last request of the host is ``delay`` old."""
        return self._call("claim", host, delay)

    def done(self, host: str) -> None:
        """The host's request just ended (answered or failed): its next request waits the delay from now."""
        self._call("done", host, 0)

    def pause(self, host: str, seconds: float) -> None:
        """Nothing goes to the host for ``seconds``, from any worker; then the usual delay applies."""
        self._call("pause", host, seconds)
