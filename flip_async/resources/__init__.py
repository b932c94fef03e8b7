"""The Cloud API's resources, one file each, reached as attributes of FlipClient (`flip.sites`, ...)."""

from flip_async.resources.commands import Commands, CommandsWithRawResponse
from flip_async.resources.programs import Programs, ProgramsWithRawResponse
from flip_async.resources.sessions import Sessions, SessionsWithRawResponse
from flip_async.resources.settings import Settings, SettingsWithRawResponse
from flip_async.resources.sites import Sites, SitesWithRawResponse
from flip_async.resources.supplements import Supplements, SupplementsWithRawResponse
from flip_async.resources.telemetry import (
    FailedBatch,
    PointResult,
    Telemetry,
    TelemetryReport,
    TelemetryWithRawResponse,
)

__all__ = [
    "Commands",
    "CommandsWithRawResponse",
    "FailedBatch",
    "PointResult",
    "Programs",
    "ProgramsWithRawResponse",
    "Sessions",
    "SessionsWithRawResponse",
    "Settings",
    "SettingsWithRawResponse",
    "Sites",
    "SitesWithRawResponse",
    "Supplements",
    "SupplementsWithRawResponse",
    "Telemetry",
    "TelemetryReport",
    "TelemetryWithRawResponse",
]
