"""The Mobile App API's resources, one file each, reached through `flip.site(site_id)`."""

from flip_async.resources.site.devices import DeviceChanges, Devices, DevicesWithRawResponse
from flip_async.resources.site.enrollments import Enrollments, EnrollmentsWithRawResponse
from flip_async.resources.site.events import Events, EventsWithRawResponse
from flip_async.resources.site.programs import SitePrograms, SiteProgramsWithRawResponse

__all__ = [
    "DeviceChanges",
    "Devices",
    "DevicesWithRawResponse",
    "Enrollments",
    "EnrollmentsWithRawResponse",
    "Events",
    "EventsWithRawResponse",
    "SitePrograms",
    "SiteProgramsWithRawResponse",
]
