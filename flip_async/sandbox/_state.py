"""The sandbox's in-memory world: sites, devices, enrollments, events, commands, and the rules that change them."""

from __future__ import annotations

import secrets
from collections import OrderedDict
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from datetime import UTC, datetime, time, timedelta
from typing import Any
from uuid import UUID, uuid4

import attrs

from flip_async import models
from flip_async._time import aware, utc_now
from flip_async.errors import Problem
from flip_async.sandbox._auth import forget_expired
from flip_async.sandbox._programs import PROGRAMS, auto_enrollable, find_program, open_to, programs_in
from flip_async.sandbox._requests import Points
from flip_async.sandbox._stats import SandboxStats
from flip_async.sandbox._wire import Invalid, Rejected, problem_detail

Clock = Callable[[], datetime]

SESSION_LIFETIME = timedelta(minutes=10)
_EVENT_START = time(17, 0, tzinfo=UTC)  # seeded events cover the evening peak
DEFAULT_EVENT_SECONDS = 7200.0
DEFAULT_COMMAND_SECONDS = 3600.0


@attrs.define
class SandboxState:
    """Everything the sandbox knows, readable and changeable by tests (`sandbox.state`).

    The methods are what the API's operations do; they raise `Rejected` (an ErrorResponse status) or `Invalid`
    (a 422) instead of changing anything when a request cannot be carried out.
    """

    clock: Clock = utc_now
    stats: SandboxStats = attrs.field(factory=SandboxStats)
    sites: dict[str, models.Site] = attrs.field(factory=dict)
    devices: dict[str, models.Device] = attrs.field(factory=dict)
    """By device id: ids are the fleet's own, unique across its sites (telemetry names a device by id alone)."""
    enrollments: dict[UUID, models.Enrollment] = attrs.field(factory=dict)
    events: dict[UUID, models.Event] = attrs.field(factory=dict)
    commands: dict[UUID, models.Command] = attrs.field(factory=dict)
    last_telemetry: dict[str, dict[str, Any]] = attrs.field(factory=dict)
    """The newest accepted telemetry data point (or counter reading) of each device, as sent."""
    settings_requests: dict[str, dict[str, Any]] = attrs.field(factory=dict)
    supplements: dict[UUID, dict[str, Any]] = attrs.field(factory=dict)
    sessions: OrderedDict[str, tuple[str, datetime]] = attrs.field(factory=OrderedDict)
    """Unredeemed session token -> (site id, expiry), oldest first; expired ones are forgotten as new ones open."""
    notify: Callable[[str, Any], None] = attrs.field(default=lambda event_type, resource: None, repr=False)
    """Told of each change a webhook reports (`event.created`, `command.updated`, ...): the sandbox's sender."""
    # A set, not a scan of every event: commissioning a large fleet must stay linear.
    _sites_with_events: set[str] = attrs.field(factory=set, init=False, repr=False)

    def now(self) -> datetime:
        return self.clock()

    # Sites and devices ------------------------------------------------------------------------------------------

    def site(self, site_id: str) -> models.Site:
        try:
            return self.sites[site_id]
        except KeyError:
            raise _not_found("site", site_id) from None

    def commission(self, request: models.CommissionRequest) -> models.CommissionResponse:
        """Create the site and its devices; auto-enroll them when allowed and a program takes them all.

        The request's optional `enrollment` gives the auto-enrollment its form answers; it is ignored otherwise. Each
        device must be on the site (a device without `site_id` is) and have an id of its own (else Invalid), and no id
        may be taken (else a 409). Unlike the API, the state takes a site without devices, for tests to seed.
        """
        if problems := list(_device_problems(request.site.id, request.devices)):
            raise Invalid(problem_detail("body", problem) for problem in problems)
        if request.site.id in self.sites:
            raise Rejected(409, f"site {request.site.id!r} is already commissioned")
        if (index := self._device_conflict(device.id for device in request.devices)) is not None:
            device_id = request.devices[index].id
            raise Rejected(409, f"device {device_id!r} already exists")
        site = self._create_site(request.site, request.devices)
        device_types = {device.type for device in request.devices}
        programs = open_to(programs_in(site.zip_code), device_types)
        program = auto_enrollable(programs, device_types) if request.can_auto_enroll else None
        if program is None:
            return models.CommissionResponse(programs=programs)
        details = request.enrollment  # the T&C agreement and form answers, when the request gives them
        enrollment = self._add_enrollment(
            models.Enrollment(
                id=uuid4(),
                device_ids=[device.id for device in request.devices],
                site_id=site.id,
                program_id=program.id,
                enroll_method=models.EnrollMethod.AUTO_ENROLL,
                status=models.EnrollmentStatus.ACTIVE,
                status_reason="Auto-enrolled at commissioning",
                enrolled_at=self.now(),
                unenrolled_at=None,
                program_specific_attributes=(details.program_specific_attributes if details else None) or [],
                # Auto-enrollment presumes the homeowner agreed beforehand (the request's `can_auto_enroll`).
                has_agreed_to_terms_and_conditions=True,
                terms_and_conditions_version=program.terms_and_conditions_version,
            )
        )
        return models.CommissionResponse(programs=programs, enrollment=enrollment)

    def update_site(self, site_id: str, changes: Mapping[str, Any]) -> models.Site:
        """Apply exactly the given fields (None clears one)."""
        site = attrs.evolve(self.site(site_id), **changes, updated_at=self.now())
        self.sites[site_id] = site
        return site

    def site_devices(self, site_id: str) -> list[models.Device]:
        self.site(site_id)
        return [device for device in self.devices.values() if device.site_id == site_id]

    def device(self, site_id: str, device_id: str) -> models.Device:
        self.site(site_id)
        device = self.devices.get(device_id)
        if device is None or device.site_id != site_id:
            raise _not_found("device", device_id)
        return device

    def add_device(self, site_id: str, device: models.DeviceCreateIn) -> models.Device:
        """Create Device: unlike commissioning, its page requires the device's `site_id`, the site in the path."""
        self.site(site_id)
        if device.site_id is None:
            raise _invalid("site_id", f"is required by Create Device: the site in the path, {site_id!r}")
        if device.site_id != site_id:
            raise _invalid("site_id", f"{device.site_id!r} does not match the site in the path, {site_id!r}")
        if device.id in self.devices:
            raise Rejected(409, f"device {device.id!r} already exists")
        return self._store_device(site_id, device)

    def update_device(self, site_id: str, device_id: str, update: models.DeviceUpdateIn) -> models.Device:
        """Apply the fields the update sets; the others keep their values."""
        device = self.device(site_id, device_id)
        attributes = device.attributes
        if update.attributes is not None:
            changes = {name: value for name, value in attrs.asdict(update.attributes).items() if value is not None}
            attributes = (
                attrs.evolve(attributes, **changes)
                if isinstance(attributes, models.DeviceBatteryAttributes)
                else {**attributes, **changes}
            )
        configuration = device.configuration
        if update.configuration is not None and update.configuration.reserve_percentage is not None:
            # The update takes any number; a device keeps whole percent.
            configuration = models.DeviceBatteryConfig(
                reserve_percentage=round(update.configuration.reserve_percentage)
            )
        device = attrs.evolve(device, attributes=attributes, configuration=configuration, updated_at=self.now())
        self.devices[device_id] = device
        return device

    def delete_device(self, site_id: str, device_id: str) -> None:
        self.device(site_id, device_id)
        del self.devices[device_id]

    def _create_site(self, site: models.Site, devices: Iterable[models.DeviceCreateIn]) -> models.Site:
        now = self.now()
        site = attrs.evolve(site, created_at=now, updated_at=now)
        self.sites[site.id] = site
        for device in devices:
            self._store_device(site.id, device)
        self.stats.sites_created += 1
        return site

    def _store_device(self, site_id: str, device: models.DeviceCreateIn) -> models.Device:
        now = self.now()
        stored = models.Device(
            id=device.id,
            site_id=site_id,
            manufacturer_name=device.manufacturer_name,
            product_name=device.product_name,
            serial_number=device.serial_number,
            type=device.type,
            attributes=device.attributes,
            configuration=device.configuration,
            install_date=aware(device.install_date),
            created_at=now,
            updated_at=now,
        )
        self.devices[device.id] = stored
        return stored

    def _device_conflict(self, device_ids: Iterable[str]) -> int | None:
        """The index of the first id that exists already, else None."""
        return next((index for index, device_id in enumerate(device_ids) if device_id in self.devices), None)

    # Sessions ---------------------------------------------------------------------------------------------------

    def open_session(self, request: models.SessionRequest) -> dict[str, Any]:
        """A single-use portal session for the site, commissioning the site first when it is new."""
        if request.site.id not in self.sites:
            devices = request.devices or []
            if problems := list(_device_problems(request.site.id, devices)):
                raise Invalid(problem_detail("body", problem) for problem in problems)
            if (index := self._device_conflict(device.id for device in devices)) is not None:
                raise _invalid(f"devices[{index}].id", f"device {devices[index].id!r} already exists")
            self._create_site(request.site, devices)
        forget_expired(self.sessions, self.now(), lambda session: session[1])
        token = f"sandbox-session-{secrets.token_urlsafe(24)}"
        expires_at = self.now() + SESSION_LIFETIME
        self.sessions[token] = (request.site.id, expires_at)
        return {"session_token": token, "site_id": request.site.id, "expires_at": _wire_time(expires_at)}

    def redeem_session(self, token: str) -> str | None:
        """The site a session token opens, once: None for an unknown, used or expired token."""
        site_id, expires_at = self.sessions.pop(token, (None, None))
        return site_id if expires_at is not None and self.now() < expires_at else None

    # Programs and enrollments -----------------------------------------------------------------------------------

    def site_programs(self, site_id: str, zip_code: str | None, device_type: models.DeviceType) -> list[models.Program]:
        """The programs for `zip_code` (default: the site's) that take `device_type`."""
        site = self.site(site_id)
        return open_to(programs_in(zip_code if zip_code is not None else site.zip_code), [device_type])

    def enroll(self, site_id: str, request: models.EnrollmentCreateIn) -> models.Enrollment:
        """A new PENDING enrollment of some of the site's devices in a program, after checking it is allowed."""
        self.site(site_id)
        if request.program_id is None:
            raise _invalid("program_id", "is required")
        program = find_program(request.program_id)
        if program is None:
            raise _not_found("program", str(request.program_id))
        problems = list(self._enrollment_problems(site_id, program, request))
        if problems:
            raise Invalid(problem_detail("body", problem) for problem in problems)
        return self._add_enrollment(
            models.Enrollment(
                id=uuid4(),
                device_ids=list(request.device_ids),
                site_id=site_id,
                program_id=program.id,
                enroll_method=request.enroll_method,
                status=models.EnrollmentStatus.PENDING,
                status_reason="Awaiting review by the utility",
                enrolled_at=None,
                unenrolled_at=None,
                program_specific_attributes=request.program_specific_attributes or [],
                has_agreed_to_terms_and_conditions=request.has_agreed_to_terms_and_conditions,
                terms_and_conditions_version=request.terms_and_conditions_version,
            )
        )

    def site_enrollments(self, site_id: str) -> list[models.Enrollment]:
        self.site(site_id)
        return [enrollment for enrollment in self.enrollments.values() if enrollment.site_id == site_id]

    def enrollment(self, site_id: str, enrollment_id: UUID) -> models.Enrollment:
        self.site(site_id)
        enrollment = self.enrollments.get(enrollment_id)
        if enrollment is None or enrollment.site_id != site_id:
            raise _not_found("enrollment", str(enrollment_id))
        return enrollment

    def unenroll(self, site_id: str, enrollment_id: UUID) -> models.Enrollment:
        """Mark the enrollment UNENROLLED (it stays listed, as the record of a program the site left)."""
        enrollment = self.enrollment(site_id, enrollment_id)
        if enrollment.status != models.EnrollmentStatus.UNENROLLED:
            enrollment = attrs.evolve(
                enrollment,
                status=models.EnrollmentStatus.UNENROLLED,
                status_reason="Unenrolled at the user's request",
                unenrolled_at=self.now(),
            )
            self.enrollments[enrollment.id] = enrollment
            self.notify(models.WebhookEventType.ENROLLMENT_UPDATED, enrollment)
        return enrollment

    def _enrollment_problems(
        self, site_id: str, program: models.Program, request: models.EnrollmentCreateIn
    ) -> Iterable[Problem]:
        if not request.device_ids:
            yield Problem("device_ids", "must name at least one device")
        for index, device_id in enumerate(request.device_ids):
            device = self.devices.get(device_id)
            if device is None or device.site_id != site_id:
                yield Problem(f"device_ids[{index}]", f"no device {device_id!r} at this site")
            elif device.type not in program.eligible_device_types:
                yield Problem(f"device_ids[{index}]", f"a {device.type} is not eligible for {program.name!r}")
        if program.terms_and_conditions_version is not None:
            if request.has_agreed_to_terms_and_conditions is not True:
                yield Problem("has_agreed_to_terms_and_conditions", "the program requires agreeing to its terms")
            elif request.terms_and_conditions_version != program.terms_and_conditions_version:
                yield Problem(
                    "terms_and_conditions_version",
                    f"the program's current terms are version {program.terms_and_conditions_version!r}",
                )

    def _add_enrollment(self, enrollment: models.Enrollment) -> models.Enrollment:
        self.enrollments[enrollment.id] = enrollment
        self.notify(models.WebhookEventType.ENROLLMENT_CREATED, enrollment)
        if enrollment.site_id not in self._sites_with_events:
            # An enrolled site sees events straight away: one yesterday evening, one tomorrow evening.
            today = datetime.combine(self.now().date(), _EVENT_START)
            for day in (-1, 1):
                self.create_event(
                    enrollment.site_id, program_id=enrollment.program_id, starts_at=today + timedelta(days=day)
                )
        return enrollment

    # Events -----------------------------------------------------------------------------------------------------

    def create_event(
        self,
        site_id: str,
        *,
        program_id: UUID | None = None,
        starts_at: datetime | None = None,
        duration_s: float | None = DEFAULT_EVENT_SECONDS,
    ) -> models.Event:
        """A demand-response event for the site (announced by `event.created`): by default tomorrow from now, two
        hours, in the site's latest enrollment's program; its schedule discharges every device of the site, each of
        which gets its settings for the event. `duration_s=None` makes it open-ended."""
        self.site(site_id)
        now = self.now()
        starts_at = aware(starts_at) if starts_at is not None else now + timedelta(days=1)
        ends_at = None if duration_s is None else starts_at + timedelta(seconds=duration_s)
        devices = {device_id: device for device_id, device in self.devices.items() if device.site_id == site_id}
        event = models.Event(
            id=uuid4(),
            program_id=program_id or self._latest_program(site_id),
            site_id=site_id,
            starts_at=starts_at,
            ends_at=ends_at,
            duration_s=duration_s,
            schedule=[
                models.EventScheduleItem(
                    device_ids=list(devices),
                    starts_at=starts_at,
                    ends_at=ends_at,
                    duration_s=duration_s,
                    is_preparatory_action=False,
                    mode=models.BatteryMode.DISCHARGE,
                )
            ],
            is_participating=True,
            device_settings=[_event_settings(device_id, device) for device_id, device in devices.items()],
            created_at=now,
            updated_at=now,
        )
        self.events[event.id] = event
        self._sites_with_events.add(site_id)
        self.notify(models.WebhookEventType.EVENT_CREATED, _with_status(event, now))
        return event

    def site_events(self, site_id: str, statuses: Collection[models.EventStatus | str] = ()) -> list[models.Event]:
        """The site's events, newest first, with their status as of now; only those with one of `statuses` if any."""
        self.site(site_id)
        now = self.now()
        events = [_with_status(event, now) for event in self.events.values() if event.site_id == site_id]
        if statuses:
            events = [event for event in events if event.status in statuses]
        return sorted(events, key=lambda event: event.starts_at, reverse=True)

    def event(self, site_id: str, event_id: UUID) -> models.Event:
        self.site(site_id)
        event = self.events.get(event_id)
        if event is None or event.site_id != site_id:
            raise _not_found("event", str(event_id))
        return _with_status(event, self.now())

    def update_participation(self, site_id: str, event_id: UUID, update: models.EventUpdateIn) -> models.Event:
        """Flip's Update Event Participation (announced by `event.updated`): `device_settings` replace those of the
        devices they name, each of which must be the site's; a change of `is_participating` opts the site out of the
        event, or back in, and so turns the event's commands OPT_OUT, or OK again, each to be acknowledged again."""
        self.event(site_id, event_id)
        problems = [
            Problem(f"device_settings[{index}].device_id", f"no device {setting.device_id!r} at this site")
            for index, setting in enumerate(update.device_settings or [])
            if (device := self.devices.get(setting.device_id)) is None or device.site_id != site_id
        ]
        if problems:
            raise Invalid(problem_detail("body", problem) for problem in problems)
        event = self.events[event_id]
        participating = event.is_participating if update.is_participating is None else update.is_participating
        if update.device_settings is None and participating == event.is_participating:
            return _with_status(event, self.now())
        if update.is_participating is not None and update.is_participating != event.is_participating:
            self._follow_participation(event_id, update.is_participating)
        settings = {setting.device_id: setting for setting in event.device_settings or []}
        settings |= {setting.device_id: setting for setting in update.device_settings or []}
        event = attrs.evolve(
            event, is_participating=participating, device_settings=list(settings.values()), updated_at=self.now()
        )
        self.events[event_id] = event
        event = _with_status(event, self.now())
        self.notify(models.WebhookEventType.EVENT_UPDATED, event)
        return event

    def _follow_participation(self, event_id: UUID, participating: bool) -> None:
        """The event's commands as the homeowner's participation has them now: OK when taking part, else OPT_OUT."""
        if participating:
            before, after = models.CommandStatus.OPT_OUT, models.CommandStatus.OK
            reason = "The homeowner opted back in to the event"
        else:
            before, after = models.CommandStatus.OK, models.CommandStatus.OPT_OUT
            reason = "The homeowner opted out of the event"
        for command in [command for command in self.commands.values() if command.event_id == event_id]:
            if command.status == before:
                self._set_command(command, status=after, device_status=models.DeviceStatus.PENDING, reason=reason)

    def _latest_program(self, site_id: str) -> UUID:
        programs = [enrollment.program_id for enrollment in self.enrollments.values() if enrollment.site_id == site_id]
        return programs[-1] if programs else PROGRAMS[0].id

    # Commands ---------------------------------------------------------------------------------------------------

    def create_command(
        self,
        device_id: str,
        *,
        event_id: UUID | None = None,
        starts_at: datetime | None = None,
        duration_s: float | None = DEFAULT_COMMAND_SECONDS,
        battery_commands: models.BatteryCommand | None = None,
        is_preparatory_action: bool = False,
    ) -> models.Command:
        """A new command for a device (PENDING until acknowledged; announced by `command.created`): by default,
        discharge following the home's load for an hour from a minute from now. `event_id` must name an event of the
        device's site; a command for an event the site opted out of starts OPT_OUT. `duration_s=None` makes it
        open-ended."""
        device = self.devices.get(device_id)
        if device is None:
            raise _not_found("device", device_id)
        event = None if event_id is None else self.events.get(event_id)
        if event_id is not None and (event is None or event.site_id != device.site_id):
            raise _not_found("event", f"{event_id} at site {device.site_id}")
        now = self.now()
        starts_at = aware(starts_at) if starts_at is not None else now + timedelta(minutes=1)
        opted_out = event is not None and event.is_participating is False
        command = models.Command(
            id=uuid4(),
            event_id=event_id,
            device_id=device_id,
            starts_at=starts_at,
            ends_at=None if duration_s is None else starts_at + timedelta(seconds=duration_s),
            duration_s=duration_s,
            is_preparatory_action=is_preparatory_action,
            battery_commands=battery_commands
            or models.BatteryCommand(
                mode=models.BatteryMode.DISCHARGE, power_mode=models.PowerMode.FOLLOW_LOAD, backup_reserve_percentage=20
            ),
            status=models.CommandStatus.OPT_OUT if opted_out else models.CommandStatus.OK,
            device_status=models.DeviceStatus.PENDING,
            device_status_reason="Awaiting acknowledgement",
            created_at=now,
            updated_at=now,
        )
        self.commands[command.id] = command
        self.notify(models.WebhookEventType.COMMAND_CREATED, command)
        return command

    def acknowledge_command(self, command_id: UUID, update: models.CommandStatusUpdate) -> models.Command:
        """Update Command Status: the device status and reason as given (announced by `command.updated`)."""
        return self._set_command(
            self._command(command_id),
            device_status=models.DeviceStatus(update.device_status.value),
            reason=update.device_status_reason,
        )

    def cancel_command(self, command_id: UUID) -> models.Command:
        """The utility cancels the command: CANCELED, its device status PENDING until the cancellation is
        acknowledged (announced by `command.updated`). Cancelling it again changes nothing."""
        command = self._command(command_id)
        if command.status == models.CommandStatus.CANCELED:
            return command
        return self._set_command(
            command,
            status=models.CommandStatus.CANCELED,
            device_status=models.DeviceStatus.PENDING,
            reason="Canceled by the utility",
        )

    def _command(self, command_id: UUID) -> models.Command:
        command = self.commands.get(command_id)
        if command is None:
            raise _not_found("command", str(command_id))
        return command

    def _set_command(self, command: models.Command, *, reason: str | None = None, **changes: Any) -> models.Command:
        command = attrs.evolve(command, **changes, device_status_reason=reason, updated_at=self.now())
        self.commands[command.id] = command
        self.notify(models.WebhookEventType.COMMAND_UPDATED, command)
        return command

    # Telemetry, settings, supplements ---------------------------------------------------------------------------

    def record_telemetry(self, body: Points) -> list[models.TelemetryResult]:
        """One result per data point, in order: FAILED with the reason for a bad point or an unknown device."""
        return [self._record_point(point, body.problems.get(index)) for index, point in enumerate(body.points)]

    def _record_point(self, point: Any, problem: str | None) -> models.TelemetryResult:
        failed = models.TelemetryResultStatus.FAILED
        if problem is not None:
            return models.TelemetryResult(status=failed, message=problem)
        device_id = point.get("device_id")
        if not isinstance(device_id, str):
            return models.TelemetryResult(status=failed, message="device_id is required")
        if device_id not in self.devices:
            return models.TelemetryResult(status=failed, message=f"device {device_id!r} not found")
        self.last_telemetry[device_id] = point
        return models.TelemetryResult(status=models.TelemetryResultStatus.OK, message="")

    def update_settings_request(self, settings_request_id: str, update: Mapping[str, Any]) -> dict[str, Any]:
        """The settings request with the update's keys merged in."""
        merged = {**self.settings_requests.get(settings_request_id, {}), **update}
        merged |= {"id": settings_request_id, "object_type": "settings_request", "updated_at": _wire_time(self.now())}
        self.settings_requests[settings_request_id] = merged
        return merged

    def add_supplement(self, supplement: Mapping[str, Any]) -> dict[str, Any]:
        """The supplement as stored: as sent, plus its new `id` and `created_at`."""
        supplement_id = uuid4()
        stored = {**supplement, "id": str(supplement_id), "created_at": _wire_time(self.now())}
        self.supplements[supplement_id] = stored
        return stored


def _device_problems(site_id: str, devices: Iterable[models.DeviceCreateIn]) -> Iterator[Problem]:
    """Rules Flip enforces on the devices of a commission or session body that the schema cannot say, and without
    which the state would not hold: each on the body's site (a device that leaves out `site_id` is), each id once."""
    seen: set[str] = set()
    for index, device in enumerate(devices):
        if device.site_id is not None and device.site_id != site_id:
            yield Problem(f"devices[{index}].site_id", f"{device.site_id!r} does not match site.id {site_id!r}")
        if device.id in seen:
            yield Problem(f"devices[{index}].id", f"{device.id!r} is the id of an earlier device of this request")
        seen.add(device.id)


def _with_status(event: models.Event, now: datetime) -> models.Event:
    """The event with its status as of `now`, from its times (a CANCELED one stays CANCELED)."""
    if event.status == models.EventStatus.CANCELED:
        return event
    if now < event.starts_at:
        status = models.EventStatus.UPCOMING
    elif event.ends_at is None or now < event.ends_at:
        status = models.EventStatus.ACTIVE
    else:
        status = models.EventStatus.COMPLETED
    return attrs.evolve(event, status=status)


def _event_settings(device_id: str, device: models.Device) -> models.EventBatterySettings:
    """A device's settings for a new event: its own backup reserve, no charge limit."""
    config = device.configuration
    reserve = config.reserve_percentage if isinstance(config, models.DeviceBatteryConfig) else None
    return models.EventBatterySettings(device_id=device_id, backup_reserve_percentage=reserve)


def _wire_time(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def _not_found(kind: str, identifier: str) -> Rejected:
    return Rejected(404, f"no {kind} {identifier!r}")


def _invalid(path: str, message: str) -> Invalid:
    return Invalid([problem_detail("body", Problem(path, message))])
