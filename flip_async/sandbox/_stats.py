"""Counters a test can read off a running sandbox."""

from __future__ import annotations

from collections import Counter

import attrs


@attrs.define
class SandboxStats:
    """What the sandbox has seen and done so far; every field only ever grows."""

    requests: Counter[str] = attrs.field(factory=Counter)
    """Requests received per operationId, faulted ones included (unknown paths are not counted)."""
    faults: Counter[str] = attrs.field(factory=Counter)
    """Faults injected per kind: `latency`, `drop`, `error`, `rate_limit`, `lost_response`."""
    sites_created: int = 0
    conflicts: int = 0
    """409 answers (a site or device id that already exists)."""
    rate_limited: int = 0
    """429 answers of the sandbox's `rate_limit` (injected 429s are counted in `faults`)."""
