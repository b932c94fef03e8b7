"""The Cloud API's resources, one file each, reached as attributes of FlipClient (`flip.sites`, ...)."""

from flip_async.resources.commands import Commands
from flip_async.resources.programs import Programs
from flip_async.resources.sessions import Sessions
from flip_async.resources.settings import Settings
from flip_async.resources.sites import Sites
from flip_async.resources.supplements import Supplements
from flip_async.resources.telemetry import FailedBatch, PointResult, Telemetry, TelemetryReport

__all__ = [
    "Commands",
    "FailedBatch",
    "PointResult",
    "Programs",
    "Sessions",
    "Settings",
    "Sites",
    "Supplements",
    "Telemetry",
    "TelemetryReport",
]
