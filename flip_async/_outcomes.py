"""What became of one row of a bulk run: its status, and the record that journals and `--out` files keep of it."""

from __future__ import annotations

import enum
import functools
from typing import Any

import attrs

from flip_async import models
from flip_async.errors import FlipError

__all__ = ["DONE", "CommissionOutcome", "OutcomeStatus"]


class OutcomeStatus(enum.StrEnum):
    """What happened to one row."""

    COMMISSIONED = "commissioned"
    """Flip created the site and its devices."""
    ALREADY_COMMISSIONED = "already_commissioned"
    """Flip answered 409: the site exists (also when an earlier attempt's answer was lost on the way back)."""
    INVALID = "invalid"
    """The row failed validation and was never sent; `error` lists every problem."""
    FAILED = "failed"
    """An API or network error survived the retries."""
    SKIPPED = "skipped"
    """The journal shows the site done in an earlier run; nothing was sent."""
    UNCONFIRMED = "unconfirmed"
    """Sent, but its answer never arrived (the run was abandoned mid-request, or the journal shows it sent by an
    earlier run and Flip could not be asked whether the site exists); a rerun asks before sending it again."""
    NOT_SENT = "not_sent"
    """The run stopped early (Flip refused the client token, or the API was unreachable) before sending it; a rerun
    sends it."""


DONE = frozenset({OutcomeStatus.COMMISSIONED, OutcomeStatus.ALREADY_COMMISSIONED})
"""The statuses that leave a site commissioned at Flip: a rerun with the same journal skips these sites."""


@attrs.frozen(kw_only=True)
class CommissionOutcome:
    """The result of one input row."""

    row: int
    """The row's 0-based position in the input."""
    site_id: str | None
    """`site.id` when the row has one (an invalid row may not)."""
    status: OutcomeStatus
    result: models.CommissionResponse | None = None
    """Flip's answer, for `commissioned`."""
    error: FlipError | None = None
    """Why the row is `invalid` (a RequestValidationError), `failed` (an APIError, or a FlipError whose cause is the
    unexpected exception), `unconfirmed` or `not_sent` (a RunStoppedError, or the APIError that kept Flip from
    confirming)."""
    attempts: int = 0
    """HTTP attempts made (0 when nothing was sent)."""
    request_id: str | None = None
    """The id Flip gave the row's last request, when it answered (`x-request-id`), to quote to Flip's support."""
    elapsed: float = 0.0
    """Seconds from the row's start to its outcome, including retries."""

    @property
    def ok(self) -> bool:
        """True for the statuses that leave the site commissioned."""
        return self.status in DONE or self.status is OutcomeStatus.SKIPPED

    def to_record(self) -> dict[str, Any]:
        """The outcome as a JSON-ready line for journals and `--out` files (no secrets: errors never hold tokens).

        Computed once, however many files it is written to: the same dict every time, not to be changed.
        """
        return self._record

    @functools.cached_property
    def _record(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "site_id": None if self.site_id is None else _writable(self.site_id),
            "status": self.status.value,
            "error": None if self.error is None else _writable(str(self.error)),
            "attempts": self.attempts,
            "elapsed": round(self.elapsed, 4),
            "request_id": self.request_id,
        }


def _writable(text: str) -> str:
    """`text` as JSON can hold it: a lone surrogate (from a broken input file) would stop the journal mid-run."""
    return text if text.isascii() else text.encode("utf-8", "replace").decode("utf-8")
