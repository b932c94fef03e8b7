"""The sandbox's test programs, and which of them the documented sandbox zip codes 88800, 88801 and 88802 match."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import UTC, datetime
from uuid import UUID

from flip_async import models

_BATTERY = models.DeviceType.BATTERY
_EV = models.DeviceType.EV_CHARGER
_PUBLISHED = datetime(2025, 1, 1, tzinfo=UTC)
_TERMS_VERSION = "2025-01-01"
_TERMS = "**Sandbox terms and conditions.** You agree to these mock terms; nothing here is a real contract."


def _program(
    program_id: str,
    name: str,
    description: str,
    device_types: list[models.DeviceType],
    *,
    can_auto_enroll: bool,
    months: list[int],
    upfront: int,
    yearly: int,
    form: list[models.EnrollmentFormField],
) -> models.Program:
    # A program anyone may be auto-enrolled in has no terms to agree to; every other one is gated by its terms.
    gated = not can_auto_enroll
    return models.Program(
        id=UUID(program_id),
        name=name,
        description=description,
        eligible_device_types=device_types,
        can_auto_enroll=can_auto_enroll,
        minimum_reserve_percentage=20,
        minimum_commitment_months=12 if gated else None,
        participation_months=months,
        earnings_for_site_upfront=upfront,
        earnings_for_site_yearly=yearly,
        created_at=_PUBLISHED,
        updated_at=_PUBLISHED,
        enrollment_form=form,
        terms_and_conditions_version=_TERMS_VERSION if gated else None,
        terms_and_conditions_text=_TERMS if gated else None,
    )


SUMMER_PEAK = _program(
    "5a1d7c0e-8d1b-4c53-9b0e-000000088800",
    "Sandbox Summer Peak Rewards",
    "Batteries discharge during summer evening peaks. Auto-enrollable.",
    [_BATTERY],
    can_auto_enroll=True,
    months=[6, 7, 8, 9],
    upfront=100,
    yearly=150,
    form=[],
)
SMART_CHARGING = _program(
    "5a1d7c0e-8d1b-4c53-9b0e-0000000e0001",
    "Sandbox EV Smart Charging",
    "EV chargers pause charging during grid peaks. Auto-enrollable.",
    [_EV],
    can_auto_enroll=True,
    months=list(range(1, 13)),
    upfront=50,
    yearly=120,
    form=[],
)
BATTERY_SAVERS = _program(
    "5a1d7c0e-8d1b-4c53-9b0e-000000088801",
    "Sandbox Battery Savers Plus",
    "Year-round battery dispatch with a utility bill credit. Requires agreeing to its terms and an account number.",
    [_BATTERY],
    can_auto_enroll=False,
    months=list(range(1, 13)),
    upfront=250,
    yearly=300,
    form=[
        models.EnrollmentFormField(
            name="account_id",
            label="Utility Account Number",
            type=models.EnrollmentFormFieldType.STRING,
            hint="You can find it on your utility bill.",
        )
    ],
)
WINTER_SUPPORT = _program(
    "5a1d7c0e-8d1b-4c53-9b0e-000000088802",
    "Sandbox Winter Grid Support",
    "Batteries and EV chargers support the grid on winter mornings. Requires agreeing to its terms.",
    [_BATTERY, _EV],
    can_auto_enroll=False,
    months=[11, 12, 1, 2],
    upfront=0,
    yearly=200,
    form=[
        models.EnrollmentFormField(name="premise_id", label="Premise ID", type=models.EnrollmentFormFieldType.STRING),
        models.EnrollmentFormField(
            name="has_solar", label="Solar panels?", type=models.EnrollmentFormFieldType.BOOLEAN
        ),
    ],
)

PROGRAMS: tuple[models.Program, ...] = (SUMMER_PEAK, SMART_CHARGING, BATTERY_SAVERS, WINTER_SUPPORT)
"""Every test program, in a fixed order."""

PROGRAMS_BY_ZIP: dict[str, tuple[models.Program, ...]] = {
    "88800": (SUMMER_PEAK, SMART_CHARGING),  # auto-enrollable ones only
    "88801": (BATTERY_SAVERS, WINTER_SUPPORT),  # gated by terms and conditions only
    "88802": PROGRAMS,
}
"""The programs of each sandbox zip code; any other zip code (or none) matches no program."""

_BY_ID = {program.id: program for program in PROGRAMS}


def find_program(program_id: UUID) -> models.Program | None:
    return _BY_ID.get(program_id)


def programs_in(zip_code: str | None) -> tuple[models.Program, ...]:
    """The zip code's test programs: none for any zip code but the three sandbox ones."""
    return PROGRAMS_BY_ZIP.get(zip_code or "", ())


def open_to(
    programs: Iterable[models.Program], device_types: Iterable[models.DeviceType | str]
) -> list[models.Program]:
    """The programs that take at least one of the device types."""
    wanted = set(device_types)
    return [program for program in programs if wanted.intersection(program.eligible_device_types)]


def auto_enrollable(
    programs: Iterable[models.Program], device_types: Collection[models.DeviceType | str]
) -> models.Program | None:
    """The first program that allows auto-enrollment and takes every one of the site's device types."""
    return next(
        (
            program
            for program in programs
            if program.can_auto_enroll and set(device_types) <= set(program.eligible_device_types)
        ),
        None,
    )
