"""The Mobile App API's resources, one file each, reached through `flip.site(site_id)`."""

from flip_async.resources.site.devices import DeviceChanges, Devices
from flip_async.resources.site.enrollments import Enrollments
from flip_async.resources.site.events import Events
from flip_async.resources.site.programs import SitePrograms

__all__ = ["DeviceChanges", "Devices", "Enrollments", "Events", "SitePrograms"]
