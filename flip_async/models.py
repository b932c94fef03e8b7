# GENERATED FILE: DO NOT EDIT BY HAND.
# Source: openapi/flip.yaml. Regenerate with `make generate` (python codegen/generate.py);
# `make check-generated` fails while this file differs from a fresh generation.
"""The Flip API's schemas as attrs classes and StrEnums, generated from openapi/flip.yaml."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

import attrs


@attrs.define(kw_only=True)
class SiteToken:
    """A site-scoped access token (expires after one hour)."""

    site_access_token: str = attrs.field(repr=False)
    """Bearer token for the Mobile App API endpoints of this site."""
    expires_at: datetime
    """When the token expires (one hour after issue)."""


class StateCode(StrEnum):
    """Two-letter code of a US state or territory: the 50 states and PR (Puerto Rico). DC is not in Flip's list."""

    AK = "AK"
    AL = "AL"
    AR = "AR"
    AZ = "AZ"
    CA = "CA"
    CO = "CO"
    CT = "CT"
    DE = "DE"
    FL = "FL"
    GA = "GA"
    HI = "HI"
    IA = "IA"
    ID = "ID"
    IL = "IL"
    IN = "IN"
    KS = "KS"
    KY = "KY"
    LA = "LA"
    MA = "MA"
    MD = "MD"
    ME = "ME"
    MI = "MI"
    MN = "MN"
    MO = "MO"
    MS = "MS"
    MT = "MT"
    NC = "NC"
    ND = "ND"
    NE = "NE"
    NH = "NH"
    NJ = "NJ"
    NM = "NM"
    NV = "NV"
    NY = "NY"
    OH = "OH"
    OK = "OK"
    OR = "OR"
    PA = "PA"
    PR = "PR"
    RI = "RI"
    SC = "SC"
    SD = "SD"
    TN = "TN"
    TX = "TX"
    UT = "UT"
    VA = "VA"
    VT = "VT"
    WA = "WA"
    WI = "WI"
    WV = "WV"
    WY = "WY"


class DeviceType(StrEnum):
    """BATTERY: one independently controllable battery (stacked batteries that cannot be controlled separately count as
    one). EV_CHARGER: an electric-vehicle charger."""

    BATTERY = "BATTERY"
    EV_CHARGER = "EV_CHARGER"


@attrs.define(kw_only=True)
class DeviceBatteryAttributes:
    """Fixed battery characteristics, set at installation / commissioning; not user-adjustable."""

    battery_capacity_wh: int
    """Flip's words: "Nominal power capacity of the battery per manufacturer specification, in watt-hours"."""
    battery_power_input_w: int
    """Flip's words: "The rated power the battery can continuously discharge at per manufacturer specification, in
    watts." That is the reverse of what the name says (input: power into the battery, i.e. charging), and
    battery_power_output_w's description is reversed the same way, so it is probably a slip in Flip's docs. The SDK
    follows the names (input = charging power, output = discharging power) and sends the values as given; confirm
    with Flip which one your fleet's numbers mean."""
    battery_power_output_w: int
    """Flip's words: "The rated power the battery can continuously charge at per manufacturer specification, in watts."
    Reversed like battery_power_input_w's: the SDK reads it as the discharging power, after the name."""


@attrs.define(kw_only=True)
class DeviceBatteryAttributesUpdate:
    """Battery attributes in Update Device; every field optional. The Update Device page types these as string, a
    documentation quirk: DeviceBatteryAttributes and the Device response use integers, and so does this file."""

    battery_capacity_wh: int | None = None
    """As in DeviceBatteryAttributes. Documented as string on this page; integer inferred."""
    battery_power_input_w: int | None = None
    """As in DeviceBatteryAttributes (whose description Flip words as the discharge power; the SDK reads it as the
    charging power, after the name). Documented as string on this page; integer inferred."""
    battery_power_output_w: int | None = None
    """As in DeviceBatteryAttributes (Flip's words: the charge power; the SDK: the discharging power). Documented as
    string on this page; integer inferred."""


@attrs.define(kw_only=True)
class DeviceBatteryConfig:
    """User-adjustable battery configuration."""

    reserve_percentage: int = attrs.field(metadata={"maximum": 100, "minimum": 0})
    """State of charge, in percent, kept in reserve (for backup)."""


@attrs.define(kw_only=True)
class DeviceBatteryConfigUpdate:
    """Battery configuration in Update Device; every field optional."""

    reserve_percentage: float | None = attrs.field(default=None, metadata={"maximum": 100, "minimum": 0})
    """State of charge, in percent, kept in reserve. Typed number on the Update Device page."""


class EnrollmentFormFieldType(StrEnum):
    """Input type of an enrollment form field."""

    BOOLEAN = "boolean"
    NUMBER = "number"
    STRING = "string"


class EnrollMethod(StrEnum):
    """AUTO_ENROLL: enrolled automatically (the homeowner agreed beforehand). USER_ACTION: the user enrolled
    explicitly."""

    AUTO_ENROLL = "AUTO_ENROLL"
    USER_ACTION = "USER_ACTION"


class EnrollmentStatus(StrEnum):
    """A new enrollment starts as PENDING; after review it becomes ACTIVE (the enrollment-process page calls this
    "APPROVED"), NEEDS_ACTION (details could not be verified; Flip emails the user) or REJECTED (ineligible; the
    user cannot re-apply). UNENROLLED after leaving. Flip's related APIs use more values (e.g. PAUSED), so treat
    this as an open enum."""

    ACTIVE = "ACTIVE"
    NEEDS_ACTION = "NEEDS_ACTION"
    PENDING = "PENDING"
    REJECTED = "REJECTED"
    UNENROLLED = "UNENROLLED"


@attrs.define(kw_only=True)
class ProgramSpecificAttribute:
    """An answer to one of the program's enrollment_form fields."""

    name: str
    value: str


@attrs.define(kw_only=True)
class EnrollmentCreateIn:
    """Body of Create Enrollment, and the optional `enrollment` of the commission body."""

    device_ids: list[str]
    enroll_method: EnrollMethod
    program_id: UUID | None = None
    """The program to enroll in. Not marked required on Flip's page, though an enrollment presumably needs it."""
    has_agreed_to_terms_and_conditions: bool | None = attrs.field(default=None, metadata={"nullable": True})
    terms_and_conditions_version: str | None = attrs.field(default=None, metadata={"nullable": True})
    """The program's terms_and_conditions_version the user agreed to."""
    program_specific_attributes: list[ProgramSpecificAttribute] | None = None


class EventStatus(StrEnum):
    """An event's status as Flip reports it. UPCOMING, ACTIVE and COMPLETED are the documented values (the Read Events
    filter); CANCELED is in Flip's own demo app's types (https://github.com/flip-energy/demo-app/blob/main/src/flip-
    api/types.ts). The filter takes EventStatusFilter, which has no CANCELED."""

    UPCOMING = "UPCOMING"
    ACTIVE = "ACTIVE"
    COMPLETED = "COMPLETED"
    CANCELED = "CANCELED"


class EventStatusFilter(StrEnum):
    """The values the Read Events `status` filter takes, exactly as its page lists them."""

    ACTIVE = "ACTIVE"
    COMPLETED = "COMPLETED"
    UPCOMING = "UPCOMING"


@attrs.define(kw_only=True)
class EventBatterySettings:
    """One device's settings for an event: what the homeowner may change with Update Event Participation. Name and
    fields as in Flip's demo app's types (https://github.com/flip-energy/demo-app/blob/main/src/flip-api/types.ts),
    which types both percentages as numbers; whole percent here, like BatteryCommand's."""

    device_id: str
    """The ID of the device in your system."""
    backup_reserve_percentage: int | None = attrs.field(
        default=None, metadata={"maximum": 100, "minimum": 0, "nullable": True}
    )
    """The minimum state of charge the battery will keep when discharging."""
    maximum_charge_percentage: int | None = attrs.field(
        default=None, metadata={"maximum": 100, "minimum": 0, "nullable": True}
    )
    """The maximum state of charge the battery will charge to."""


@attrs.define(kw_only=True)
class EventUpdateIn:
    """Body of Update Event Participation; both fields optional. `is_participating: false` opts the site out of the
    event (Flip then sets its commands' `status` to OPT_OUT, to be acknowledged again). The page does not show the
    body; this is the body Flip's own demo app sends (https://github.com/flip-energy/demo-
    app/blob/main/src/app/events/%5Bid%5D/Form.tsx), with its type's fields. The name is ours, after Flip's
    DeviceUpdateIn and SiteUpdateIn."""

    is_participating: bool | None = None
    """False opts the site out of the event; true opts it back in."""
    device_settings: list[EventBatterySettings] | None = None
    """Settings for some of the site's devices; a device left out keeps its settings."""


class BatteryMode(StrEnum):
    """Battery mode of a command. DISCHARGE: export from the battery to cover home load and/or the grid (at exactly
    setpoint_w with SETPOINT, or only home load with FOLLOW_LOAD), down to backup_reserve_percentage. The other
    modes are not described in the available docs."""

    BACKUP = "BACKUP"
    CHARGE = "CHARGE"
    DISCHARGE = "DISCHARGE"
    SAVINGS = "SAVINGS"
    SELF_CONSUMPTION = "SELF_CONSUMPTION"
    STANDBY = "STANDBY"


class PowerMode(StrEnum):
    """SETPOINT: charge/discharge at exactly setpoint_w. FOLLOW_LOAD: only enough to cover home load, no export
    (supporting it is optional)."""

    FOLLOW_LOAD = "FOLLOW_LOAD"
    SETPOINT = "SETPOINT"


class CommandStatus(StrEnum):
    """Set by Flip. OK: the command is going ahead. CANCELED: canceled by the utility. OPT_OUT: the homeowner changed
    participation. A change resets device_status to PENDING."""

    CANCELED = "CANCELED"
    OK = "OK"
    OPT_OUT = "OPT_OUT"


class DeviceStatus(StrEnum):
    """Device readiness for a command, as Flip reports it. PENDING until acknowledged; OK when the device is ready.
    Versions of the docs disagree on the failure values (FAILED on the Control page; FAILED_OFFLINE and FAILED_FAULT
    in the newer PATCH body); this enum is their union."""

    PENDING = "PENDING"
    OK = "OK"
    FAILED = "FAILED"
    FAILED_OFFLINE = "FAILED_OFFLINE"
    FAILED_FAULT = "FAILED_FAULT"


class DeviceStatusUpdate(StrEnum):
    """Values Update Command Status accepts: every value Flip's pages document. OK once the command is scheduled on the
    device; FAILED_OFFLINE or FAILED_FAULT (newer versions of the page) or FAILED (older versions, the Control
    guide's "set device_status to FAILED", and a working integration, https://github.com/jlfwong/flip-aws-
    demo/blob/main/web-server/lib/flip-api.ts) when it cannot be."""

    OK = "OK"
    FAILED_OFFLINE = "FAILED_OFFLINE"
    FAILED_FAULT = "FAILED_FAULT"
    FAILED = "FAILED"


@attrs.define(kw_only=True)
class CommandStatusUpdate:
    """Body of Update Command Status."""

    device_status: DeviceStatusUpdate
    device_status_reason: str | None = None
    """Why; recommended with a failure value."""


@attrs.define(kw_only=True)
class BatteryTelemetry:
    """One telemetry data point of a battery device, covering the interval start_time + duration_s. When the device was
    offline, send null for the values not known. When it was online (`last_is_online: true`), Flip's page says: "In
    case the device was online, all telemetry items must be supplied and must not be null", so then every
    measurement below is required and not null (the `if` / `then` here): all but the interval, device_id, the free-
    form oem_raw_data and the deprecated battery_last_backup_reserve_percentage."""

    start_time: datetime
    """Start of the interval."""
    duration_s: float
    """Length of the interval in seconds."""
    device_id: str
    """The ID of the device in your system."""
    last_is_online: bool | None = attrs.field(default=None, metadata={"nullable": True})
    last_mode: str | None = attrs.field(default=None, metadata={"nullable": True})
    """The battery's mode at the end of the interval. Documented as an enum whose values were not visible; probably the
    BatteryMode values, so any string is accepted."""
    battery_last_power_charge_w: float | None = attrs.field(default=None, metadata={"minimum": 0, "nullable": True})
    battery_last_power_discharge_w: float | None = attrs.field(default=None, metadata={"minimum": 0, "nullable": True})
    battery_total_energy_charge_wh: float | None = attrs.field(default=None, metadata={"minimum": 0, "nullable": True})
    """Energy charged during the interval, in Wh."""
    battery_total_energy_discharge_wh: float | None = attrs.field(
        default=None, metadata={"minimum": 0, "nullable": True}
    )
    """Energy discharged during the interval, in Wh."""
    battery_last_stored_energy_wh: float | None = attrs.field(default=None, metadata={"minimum": 0, "nullable": True})
    battery_last_capacity_energy_wh: float | None = attrs.field(default=None, metadata={"minimum": 0, "nullable": True})
    battery_last_backup_reserve_percentage: float | None = attrs.field(
        default=None, metadata={"maximum": 100, "minimum": 0, "nullable": True}
    )
    """Deprecated."""
    battery_last_state_of_charge_percentage: float | None = attrs.field(
        default=None, metadata={"maximum": 100, "minimum": 0, "nullable": True}
    )
    battery_last_state_of_health_percentage: float | None = attrs.field(
        default=None, metadata={"maximum": 100, "minimum": 0, "nullable": True}
    )
    last_is_grid_online: bool | None = attrs.field(default=None, metadata={"nullable": True})
    home_total_energy_wh: float | None = attrs.field(default=None, metadata={"minimum": 0, "nullable": True})
    home_last_power_w: float | None = attrs.field(default=None, metadata={"minimum": 0, "nullable": True})
    solar_total_energy_wh: float | None = attrs.field(default=None, metadata={"minimum": 0, "nullable": True})
    solar_last_power_w: float | None = attrs.field(default=None, metadata={"minimum": 0, "nullable": True})
    oem_raw_data: dict[str, Any] | None = None
    """Free-form OEM data."""


@attrs.define(kw_only=True)
class BatteryTelemetryRequest:
    """Body of Report Battery Telemetry."""

    telemetry: list[BatteryTelemetry] = attrs.field(metadata={"maxItems": 1000})
    start_time: datetime | None = None
    """Deprecated. Superseded by each data point's start_time (the 2025-04-25 change, inferred)."""
    duration_s: int | None = None
    """Deprecated. Superseded by each data point's duration_s (the 2025-04-25 change, inferred)."""


class TelemetryResultStatus(StrEnum):
    """Save status of one telemetry data point. Values from a third-party client."""

    OK = "OK"
    FAILED = "FAILED"


@attrs.define(kw_only=True)
class TelemetryResult:
    """Save status of the data point at the same index in the request. Documented in prose only; the shape comes from a
    third-party client, so nothing is required."""

    status: TelemetryResultStatus | None = attrs.field(default=None, metadata={"nullable": True})
    """FAILED points should be fixed and resent."""
    message: str | None = attrs.field(default=None, metadata={"nullable": True})


@attrs.define(kw_only=True)
class BatteryCounterTelemetryRequest:
    """Body of Report Battery Counter Telemetry. Not in Flip's published pages; inferred by analogy with
    BatteryTelemetryRequest: a `telemetry` array of at most 1,000 readings."""

    telemetry: list[dict[str, Any]] | None = attrs.field(default=None, metadata={"maxItems": 1000})


class WebhookEventType(StrEnum):
    """Webhook event types in the newest list. Envelopes type `event_type` as a plain string so that new types still
    parse; dispatch on the prefix before the dot (or on event_object.object_type)."""

    EVENT_CREATED = "event.created"
    EVENT_UPDATED = "event.updated"
    EVENT_CANCELED = "event.canceled"
    COMMAND_CREATED = "command.created"
    COMMAND_STARTED = "command.started"
    COMMAND_ENDED = "command.ended"
    COMMAND_CANCELED = "command.canceled"
    COMMAND_UPDATED = "command.updated"
    ENROLLMENT_CREATED = "enrollment.created"
    ENROLLMENT_UPDATED = "enrollment.updated"
    SETTINGS_APPLY = "settings.apply"


class WebhookObjectType(StrEnum):
    """Kind of resource in a webhook's event_object (newer payloads; may be absent in older ones)."""

    EVENT = "event"
    COMMAND = "command"
    ENROLLMENT = "enrollment"
    SETTINGS_REQUEST = "settings_request"


@attrs.define(kw_only=True)
class WebhookEnvelope:
    """Any webhook payload, with event_object left untyped."""

    event_type: str
    """One of the WebhookEventType values; typed as a plain string so unknown types still parse."""
    event_object: dict[str, Any]
    """The whole resource, usually with an object_type field."""
    timestamp: datetime | None = None
    """When the event happened."""


@attrs.define(kw_only=True)
class SettingsRequestWebhook:
    """Payload of the settings.apply webhook. The settings request itself is not documented."""

    event_type: str
    """settings.apply."""
    event_object: dict[str, Any]
    """The settings request (object_type `settings_request`). Not in Flip's published pages; free-form, every key is
    kept as received."""
    timestamp: datetime | None = None


@attrs.define(kw_only=True)
class ValidationError:
    """One validation problem (FastAPI's shape, inferred); newer FastAPI versions add `input` and `ctx`."""

    loc: list[str | int]
    """Path to the offending value, e.g. ["body", "site", "state_code"]."""
    msg: str
    type: str


@attrs.define(kw_only=True)
class ErrorItem:
    """One entry of ErrorResponse.errors (generic error shape of Flip's other APIs)."""

    message: str | None = attrs.field(default=None, metadata={"nullable": True})
    path: str | None = attrs.field(default=None, metadata={"nullable": True})


@attrs.define(kw_only=True)
class ErrorResponse:
    """Error body (401, 403, 404, 409, 429, 5xx). Not documented for this API, which is FastAPI (see
    HTTPValidationError): its own errors are `{"detail": "message"}`. Read leniently, as the union of the shapes
    Flip's APIs use: FastAPI `{detail}` (detail a plain string, or a list), the generic `{code, detail[], errors[],
    message, status_code}` of the Utility API and the NestJS-style `{code, error, message, statusCode}` of the
    Aggregator API. Every field is optional."""

    code: str | None = attrs.field(default=None, metadata={"nullable": True})
    message: str | None = attrs.field(default=None, metadata={"nullable": True})
    error: str | None = attrs.field(default=None, metadata={"nullable": True})
    detail: list[ValidationError] | str | None = attrs.field(default=None, metadata={"nullable": True})
    errors: list[ErrorItem] | None = attrs.field(default=None, metadata={"nullable": True})
    status_code: int | None = attrs.field(default=None, metadata={"nullable": True})
    """The HTTP status. The NestJS-style body spells it `statusCode` (kept as an additional property)."""


@attrs.define(kw_only=True)
class Site:
    """The end user's home: address, contact details and one or more devices. The request shape of commissioning and
    sessions, and the response of Read Site, Update Site and Get Sites. Only `id` is required; missing data is
    collected later."""

    id: str
    """The ID of the site in your system."""
    first_name: str | None = attrs.field(default=None, metadata={"nullable": True})
    last_name: str | None = attrs.field(default=None, metadata={"nullable": True})
    company_name: str | None = attrs.field(default=None, metadata={"nullable": True})
    """Only if the customer is a company."""
    email: str | None = attrs.field(default=None, metadata={"format": "email", "nullable": True})
    state_code: StateCode | None = attrs.field(default=None, metadata={"nullable": True})
    """Two-character code of a US state or territory. Validated by Flip since 2025-04-30. Get Sites types it as a two-
    character string; a value outside StateCode in an answer is kept as it is."""
    city: str | None = attrs.field(default=None, metadata={"nullable": True})
    zip_code: str | None = attrs.field(default=None, metadata={"nullable": True})
    """In the sandbox, use zip codes 88800, 88801 or 88802 to match test programs."""
    street_address: str | None = attrs.field(default=None, metadata={"nullable": True})
    street_address2: str | None = attrs.field(default=None, metadata={"nullable": True})
    service_account_id: str | None = attrs.field(default=None, metadata={"nullable": True})
    """Deprecated. Accepted and ignored. An ID assigned to the residential customer by the utility, typically found on
    the utility bill."""
    tariff_id: str | None = attrs.field(default=None, metadata={"nullable": True})
    """The site's tariff. Not on Flip's pages; both known clients of Flip's API type it (https://github.com/flip-
    energy/demo-app/blob/main/src/flip-api/types.ts, https://github.com/jlfwong/flip-aws-demo/blob/main/web-
    server/lib/flip-api.ts)."""
    created_at: datetime | None = None
    """Response only (Get Sites, https://docs.flip.energy/project-479670/api-8500053)."""
    updated_at: datetime | None = None
    """Response only (Get Sites, https://docs.flip.energy/project-479670/api-8500053)."""


@attrs.define(kw_only=True)
class SiteUpdateIn:
    """Body of Update Site. Every field is optional and nullable. The page lists first_name through state_code; the
    address fields after it were cut off and are inferred from Site."""

    first_name: str | None = attrs.field(default=None, metadata={"nullable": True})
    last_name: str | None = attrs.field(default=None, metadata={"nullable": True})
    company_name: str | None = attrs.field(default=None, metadata={"nullable": True})
    """Only if the customer is a company."""
    email: str | None = attrs.field(default=None, metadata={"format": "email", "nullable": True})
    state_code: StateCode | None = attrs.field(default=None, metadata={"nullable": True})
    """Two-character code of a US state or territory."""
    city: str | None = attrs.field(default=None, metadata={"nullable": True})
    """Inferred from Site (cut off on the Update Site page)."""
    zip_code: str | None = attrs.field(default=None, metadata={"nullable": True})
    """Inferred from Site (cut off on the Update Site page)."""
    street_address: str | None = attrs.field(default=None, metadata={"nullable": True})
    """Inferred from Site (cut off on the Update Site page)."""
    street_address2: str | None = attrs.field(default=None, metadata={"nullable": True})
    """Inferred from Site (cut off on the Update Site page)."""


@attrs.define(kw_only=True)
class DeviceCreateIn:
    """A device to create at commissioning or with Create Device: one independently controllable unit. The structure of
    `attributes` depends on `type`."""

    id: str
    """The ID of the device in your system."""
    manufacturer_name: str
    product_name: str
    serial_number: str
    type: DeviceType
    attributes: DeviceBatteryAttributes
    """Fixed values, not user-adjustable, configured during installation / commissioning. Flip documents the structure
    as depending on `type` but publishes only DeviceBatteryAttributes (EV_CHARGER attributes are not in Flip's
    published pages), so requests send that shape for every device type."""
    install_date: datetime
    """The date the device was installed at the customer's site, or the date it received permission to operate from the
    utility, if different. Flip's own example writes a bare date (`2022-02-22`); the SDK accepts that too."""
    site_id: str | None = None
    """The ID of the device's site in your system: `site.id` at commissioning, the path's site with Create Device. The
    seed commissioning page and the Create Device page mark it required; Flip's newer commission example, the
    Sessions example and a working integration (https://github.com/jlfwong/flip-aws-demo/blob/main/web-
    server/app/devices/register/actions.ts) leave it out, and Flip's schema list names a separate
    DeviceCreateCommissionIn (doc-567204). Optional here. The SDK always sends it: at commissioning `site.id` when
    it is left out (a body valid under either contract), and a given one must equal `site.id`; Create Device
    requires it to be the path's site."""
    configuration: DeviceBatteryConfig | None = None
    """Deprecated. Values will be accepted but ignored."""


@attrs.define(kw_only=True)
class Device:
    """A device as Flip returns it."""

    site_id: str
    type: DeviceType
    attributes: DeviceBatteryAttributes | dict[str, Any]
    """Structure depends on `type`, as in DeviceCreateIn."""
    configuration: DeviceBatteryConfig | None
    """Documented as DeviceBatteryConfig (required). Null is accepted too: what an EV charger carries here is not
    documented."""
    id: str | None = None
    """The ID of the device in your system."""
    manufacturer_name: str | None = None
    product_name: str | None = None
    serial_number: str | None = None
    install_date: datetime | None = attrs.field(default=None, metadata={"nullable": True})
    created_at: datetime | None = None
    updated_at: datetime | None = None


@attrs.define(kw_only=True)
class DeviceUpdateIn:
    """Body of Update Device. Every field is optional."""

    attributes: DeviceBatteryAttributesUpdate | None = None
    configuration: DeviceBatteryConfigUpdate | None = None


@attrs.define(kw_only=True)
class CommissionRequest:
    """Body of POST /v1/commission (named Body_commission_site_and_device_v1_commission_post in Flip's docs): the site
    and its devices, plus optional enrollment details."""

    site: Site
    devices: list[DeviceCreateIn]
    """The site's devices. The docs set no minimum; Flip's newer Aggregator API rejects an empty array, and the SDK
    checks it is non-empty before sending."""
    can_auto_enroll: bool | None = None
    """Whether Flip may enroll the site automatically in a program that allows it (the homeowner must already have
    agreed, e.g. through terms that say so). Optional since 2025-04-29 (change log); the commissioning page still
    marks it required. Its title on that page is "Is Opt Out", a leftover name."""
    enrollment: EnrollmentCreateIn | None = None
    """Optional enrollment details given at commissioning (T&C agreement, program-specific attributes). Seen in Flip's
    newer example of this body (schema-1574956)."""


@attrs.define(kw_only=True)
class EnrollmentFormField:
    """One form field a program needs from the end user; the answer goes into program_specific_attributes."""

    name: str
    """Key to use in program_specific_attributes."""
    label: str
    type: EnrollmentFormFieldType
    hint: str | None = None
    """Help text, in Markdown."""


@attrs.define(kw_only=True)
class Enrollment:
    """The link between a set of devices (plus their site) and a program."""

    id: UUID
    device_ids: list[str]
    site_id: str
    program_id: UUID
    enroll_method: EnrollMethod
    status: EnrollmentStatus
    status_reason: str | None
    enrolled_at: datetime | None
    unenrolled_at: datetime | None
    program_specific_attributes: list[ProgramSpecificAttribute]
    has_agreed_to_terms_and_conditions: bool | None
    terms_and_conditions_version: str | None
    object_type: WebhookObjectType | None = None
    """`enrollment` in webhook payloads (newer); may be absent elsewhere."""


@attrs.define(kw_only=True)
class SessionRequest:
    """Body of Sessions. If the site does not exist at Flip it is commissioned with these details; if it exists, `site`
    may contain only `id` and `devices` may be left out."""

    site: Site
    devices: list[DeviceCreateIn] | None = None
    """The site's devices; Flip's example leaves out each device's `site_id`."""


@attrs.define(kw_only=True)
class EventScheduleItem:
    """One action of an event's schedule, for display only (use Commands to instruct devices). The six properties Flip
    documents without names (doc-563176), as Flip's demo app types them (https://github.com/flip-energy/demo-
    app/blob/main/src/flip-api/types.ts)."""

    device_ids: list[str]
    """The devices the action is for (ids in your system)."""
    starts_at: datetime
    """Time at which the action should start. Note that this may be before the event itself has started. For instance,
    in order to pre-charge a battery prior to a discharge event."""
    ends_at: datetime | None
    """Time at which the action should stop. If null, the action should continue until replaced by another one."""
    duration_s: float | None
    """Duration of the action, in seconds. If null, the action should continue until replaced by another one."""
    is_preparatory_action: bool
    """Whether the command is not part of the event itself but in preparation for the event. For instance, charging a
    battery before a discharging event."""
    mode: BatteryMode
    """The mode the battery should go into during this period."""


@attrs.define(kw_only=True)
class BatteryCommand:
    """The battery action of a command."""

    mode: BatteryMode
    power_mode: PowerMode | None = attrs.field(default=None, metadata={"nullable": True})
    """Only for CHARGE and DISCHARGE."""
    setpoint_w: int | None = attrs.field(default=None, metadata={"minimum": 1, "nullable": True})
    """Power in W, always a positive non-zero integer. Only when power_mode is SETPOINT."""
    enable_grid_import: bool | None = attrs.field(default=None, metadata={"nullable": True})
    """Whether the device may charge from the grid."""
    enable_grid_export: bool | None = attrs.field(default=None, metadata={"nullable": True})
    """Deprecated. Since 2025-04-29 (change log)."""
    backup_reserve_percentage: int | None = attrs.field(
        default=None, metadata={"maximum": 100, "minimum": 0, "nullable": True}
    )
    """Minimum state of charge, in percent, to keep (e.g. stop discharging there)."""
    maximum_charge_percentage: int | None = attrs.field(
        default=None, metadata={"maximum": 100, "minimum": 0, "nullable": True}
    )
    """Deprecated. Since 2025-04-29 (change log)."""


@attrs.define(kw_only=True)
class EnrollmentWebhook:
    """Payload of the enrollment.* webhooks. The schema page was not available; event_object is inferred to be an
    Enrollment."""

    event_type: str
    """enrollment.created or enrollment.updated."""
    event_object: Enrollment
    timestamp: datetime | None = None


@attrs.define(kw_only=True)
class HTTPValidationError:
    """422 body. The name appears in Flip's schema list (doc-567204), beside FastAPI's generated body name
    Body_commission_site_and_device_v1_commission_post: Flip's API is FastAPI, so the shape is inferred to be
    FastAPI's standard one."""

    detail: list[ValidationError] | None = None


@attrs.define(kw_only=True)
class Program:
    """A utility's VPP program that end users join to earn money; each has its own rules."""

    id: UUID
    name: str
    description: str
    eligible_device_types: list[DeviceType]
    can_auto_enroll: bool
    minimum_reserve_percentage: int = attrs.field(metadata={"maximum": 100, "minimum": 0})
    """The lowest state of charge, in percent, the battery can reach during events."""
    minimum_commitment_months: int | None
    """Can be null if the minimum commitment is currently not known."""
    participation_months: list[int] = attrs.field(metadata={"items": {"maximum": 12, "minimum": 1}})
    """Calendar months (1-12) in which the program is active."""
    earnings_for_site_upfront: int
    """Estimated one-time upfront earnings in the program, based on the site information."""
    earnings_for_site_yearly: int
    """Estimated yearly recurring earnings in the program, based on the site information."""
    created_at: datetime
    updated_at: datetime
    enrollment_form: list[EnrollmentFormField]
    """Special information the program needs from the end user on enrollment, one item per form field (empty when
    none). Render them as dynamic form fields."""
    terms_and_conditions_version: str | None
    """If the program requires terms and conditions to be agreed with, their current version. Not to be displayed to
    the user."""
    terms_and_conditions_text: str | None
    """If the program requires terms and conditions to be agreed with, the full text of the current version, in
    Markdown. To be displayed to the user."""


@attrs.define(kw_only=True)
class Event:
    """A demand-response event called by a utility for a site. The webhook Event schema (doc-563176) documents the
    fields up to `schedule`; `status`, `is_participating`, `device_settings`, `created_at`, `updated_at` and the
    schedule items' fields come from Flip's own demo app's types (https://github.com/flip-energy/demo-
    app/blob/main/src/flip-api/types.ts), so they are optional here."""

    id: UUID
    program_id: UUID
    site_id: str
    starts_at: datetime
    """Time at which the event starts."""
    ends_at: datetime | None
    """Time at which the event ends. If null, the event will continue until the utility sends a termination signal."""
    duration_s: float | None
    """Duration of the event, in seconds. If null, the event will continue until the utility sends a termination
    signal."""
    object_type: WebhookObjectType | None = None
    """`event` in webhook payloads (newer); may be absent elsewhere."""
    schedule: list[EventScheduleItem] | None = None
    """For display only, in Flip's words: "Use this to build a schedule for the event to show the end-user. Not enough
    information is provided here to send instructions to devices. Please use Commands instead." Flip documents the
    items as objects of 6 properties (doc-563176); their names come from Flip's demo app."""
    status: EventStatus | None = None
    """Not in the documented field list; in Flip's demo app's Event type."""
    is_participating: bool | None = None
    """Whether the site takes part in the event; the homeowner changes it with Update Event Participation. In Flip's
    demo app's Event type."""
    device_settings: list[EventBatterySettings] | None = None
    """Settings per device for the event, one item per device of the site. In Flip's demo app's Event type."""
    created_at: datetime | None = None
    """In Flip's demo app's Event type."""
    updated_at: datetime | None = None
    """In Flip's demo app's Event type."""


@attrs.define(kw_only=True)
class Command:
    """The final instructions for one device for one event: a single action with a start and an end. Flip sets
    `device_status` to PENDING when it sends the command; acknowledge it with Update Command Status. Flip's examples
    write date-times with a space instead of `T` (`2025-04-30 12:00:00.000Z`); the SDK accepts both."""

    id: UUID
    event_id: UUID | None
    device_id: str
    """The ID of the device in your system."""
    starts_at: datetime
    """When the action starts. May be before the event starts, e.g. to pre-charge ahead of a discharge event."""
    ends_at: datetime | None
    """Null means keep going until another command replaces this one."""
    duration_s: float | None
    """Duration in seconds; null when open-ended."""
    is_preparatory_action: bool
    """True for a preparatory action (e.g. pre-charging) ahead of the event itself."""
    battery_commands: BatteryCommand
    status: CommandStatus
    device_status: DeviceStatus
    created_at: datetime
    updated_at: datetime
    object_type: WebhookObjectType | None = None
    """`command` in webhook payloads (newer); may be absent elsewhere."""
    device_status_reason: str | None = attrs.field(default=None, metadata={"nullable": True})
    """Explains device_status. Flip fills it when setting PENDING; you may fill it with OK or a failure."""


@attrs.define(kw_only=True)
class CommandWebhook:
    """Payload of the command.* webhooks."""

    event_type: str
    """command.created, command.started, command.ended, command.canceled or command.updated."""
    event_object: Command
    timestamp: datetime | None = None


@attrs.define(kw_only=True)
class EventWebhook:
    """Payload of the event.* webhooks."""

    event_type: str
    """event.created, event.updated or event.canceled."""
    event_object: Event
    timestamp: datetime | None = None


@attrs.define(kw_only=True)
class CommissionResponse:
    """The programs the devices qualify for and, if auto-enrollment happened, the new enrollment."""

    programs: list[Program]
    enrollment: Enrollment | None = attrs.field(default=None, metadata={"nullable": True})
    """The enrollment created by auto-enrollment. Absent when none happened; null is accepted as well (inferred)."""
