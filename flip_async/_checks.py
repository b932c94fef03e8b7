# GENERATED FILE: DO NOT EDIT BY HAND.
# Source: openapi/flip.yaml. Regenerate with `make generate` (python codegen/generate.py);
# `make check-generated` fails while this file differs from a fresh generation.
"""Per request model, whether a value (a model or its wire mapping) certainly passes request validation.

True only when `flip_async._validation` would find no problem; False when it would, or when this cannot tell cheaply
(a Mapping that is not a dict, a str subclass, ...): the detailed walk then runs and names every problem.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any
from uuid import UUID

from flip_async import models
from flip_async._json import MAX_DEPTH, depth
from flip_async._scalars import EMAIL, INT_END, INT_MIN, encodable, parses

__all__ = ["PASSES"]

_ABSENT = object()

_EnrollMethod_VALUES = frozenset(models.EnrollMethod._value2member_map_)
_DeviceType_VALUES = frozenset(models.DeviceType._value2member_map_)
_StateCode_VALUES = frozenset(models.StateCode._value2member_map_)
_DeviceStatusUpdate_VALUES = frozenset(models.DeviceStatusUpdate._value2member_map_)

_CommissionRequest_FIELDS = frozenset(["can_auto_enroll", "devices", "enrollment", "site"])


def passes_CommissionRequest(value: Any) -> bool:
    v: Any  # each field's value in turn
    if type(value) is models.CommissionRequest:
        v = value.site
        if v is None or not passes_Site(v):
            return False
        v = value.devices
        if v is None or not (
            isinstance(v, (list, tuple)) and all((v_ is not None and passes_DeviceCreateIn(v_)) for v_ in v)
        ):
            return False
        v = value.can_auto_enroll
        if v is not None and not (type(v) is bool):
            return False
        v = value.enrollment
        if v is not None and not passes_EnrollmentCreateIn(v):
            return False
        return True
    if type(value) is dict:
        if not value.keys() <= _CommissionRequest_FIELDS:
            return False
        v = value.get("site")
        if v is None or not passes_Site(v):
            return False
        v = value.get("devices")
        if v is None or not (
            isinstance(v, (list, tuple)) and all((v_ is not None and passes_DeviceCreateIn(v_)) for v_ in v)
        ):
            return False
        v = value.get("can_auto_enroll", _ABSENT)
        if v is not _ABSENT and (v is None or not (type(v) is bool)):
            return False
        v = value.get("enrollment", _ABSENT)
        if v is not _ABSENT and (v is None or not passes_EnrollmentCreateIn(v)):
            return False
        return True
    return False


_EnrollmentCreateIn_FIELDS = frozenset(
    [
        "device_ids",
        "enroll_method",
        "has_agreed_to_terms_and_conditions",
        "program_id",
        "program_specific_attributes",
        "terms_and_conditions_version",
    ]
)


def passes_EnrollmentCreateIn(value: Any) -> bool:
    v: Any  # each field's value in turn
    if type(value) is models.EnrollmentCreateIn:
        v = value.device_ids
        if v is None or not (
            isinstance(v, (list, tuple))
            and all((v_ is not None and (type(v_) is str and (v_.isascii() or encodable(v_)))) for v_ in v)
        ):
            return False
        v = value.enroll_method
        if v is None or not (isinstance(v, str) and v in _EnrollMethod_VALUES):
            return False
        v = value.program_id
        if v is not None and not (isinstance(v, UUID) or (type(v) is str and parses(UUID, v))):
            return False
        v = value.has_agreed_to_terms_and_conditions
        if v is not None and not (type(v) is bool):
            return False
        v = value.terms_and_conditions_version
        if v is not None and not (type(v) is str and (v.isascii() or encodable(v))):
            return False
        v = value.program_specific_attributes
        if v is not None and not (
            isinstance(v, (list, tuple)) and all((v_ is not None and passes_ProgramSpecificAttribute(v_)) for v_ in v)
        ):
            return False
        return True
    if type(value) is dict:
        if not value.keys() <= _EnrollmentCreateIn_FIELDS:
            return False
        v = value.get("device_ids")
        if v is None or not (
            isinstance(v, (list, tuple))
            and all((v_ is not None and (type(v_) is str and (v_.isascii() or encodable(v_)))) for v_ in v)
        ):
            return False
        v = value.get("enroll_method")
        if v is None or not (isinstance(v, str) and v in _EnrollMethod_VALUES):
            return False
        v = value.get("program_id", _ABSENT)
        if v is not _ABSENT and (v is None or not (isinstance(v, UUID) or (type(v) is str and parses(UUID, v)))):
            return False
        v = value.get("has_agreed_to_terms_and_conditions")
        if v is not None and not (type(v) is bool):
            return False
        v = value.get("terms_and_conditions_version")
        if v is not None and not (type(v) is str and (v.isascii() or encodable(v))):
            return False
        v = value.get("program_specific_attributes", _ABSENT)
        if v is not _ABSENT and (
            v is None
            or not (
                isinstance(v, (list, tuple))
                and all((v_ is not None and passes_ProgramSpecificAttribute(v_)) for v_ in v)
            )
        ):
            return False
        return True
    return False


_ProgramSpecificAttribute_FIELDS = frozenset(["name", "value"])


def passes_ProgramSpecificAttribute(value: Any) -> bool:
    v: Any  # each field's value in turn
    if type(value) is models.ProgramSpecificAttribute:
        v = value.name
        if v is None or not (type(v) is str and (v.isascii() or encodable(v))):
            return False
        v = value.value
        if v is None or not (type(v) is str and (v.isascii() or encodable(v))):
            return False
        return True
    if type(value) is dict:
        if not value.keys() <= _ProgramSpecificAttribute_FIELDS:
            return False
        v = value.get("name")
        if v is None or not (type(v) is str and (v.isascii() or encodable(v))):
            return False
        v = value.get("value")
        if v is None or not (type(v) is str and (v.isascii() or encodable(v))):
            return False
        return True
    return False


_DeviceCreateIn_FIELDS = frozenset(
    [
        "attributes",
        "configuration",
        "id",
        "install_date",
        "manufacturer_name",
        "product_name",
        "serial_number",
        "site_id",
        "type",
    ]
)


def passes_DeviceCreateIn(value: Any) -> bool:
    v: Any  # each field's value in turn
    if type(value) is models.DeviceCreateIn:
        v = value.id
        if v is None or not (type(v) is str and (v.isascii() or encodable(v))):
            return False
        v = value.manufacturer_name
        if v is None or not (type(v) is str and (v.isascii() or encodable(v))):
            return False
        v = value.product_name
        if v is None or not (type(v) is str and (v.isascii() or encodable(v))):
            return False
        v = value.serial_number
        if v is None or not (type(v) is str and (v.isascii() or encodable(v))):
            return False
        v = value.type
        if v is None or not (isinstance(v, str) and v in _DeviceType_VALUES):
            return False
        v = value.attributes
        if v is None or not passes_DeviceBatteryAttributes(v):
            return False
        v = value.install_date
        if v is None or not (isinstance(v, datetime) or (type(v) is str and parses(datetime.fromisoformat, v))):
            return False
        v = value.site_id
        if v is not None and not (type(v) is str and (v.isascii() or encodable(v))):
            return False
        v = value.configuration
        if v is not None and not passes_DeviceBatteryConfig(v):
            return False
        return True
    if type(value) is dict:
        if not value.keys() <= _DeviceCreateIn_FIELDS:
            return False
        v = value.get("id")
        if v is None or not (type(v) is str and (v.isascii() or encodable(v))):
            return False
        v = value.get("manufacturer_name")
        if v is None or not (type(v) is str and (v.isascii() or encodable(v))):
            return False
        v = value.get("product_name")
        if v is None or not (type(v) is str and (v.isascii() or encodable(v))):
            return False
        v = value.get("serial_number")
        if v is None or not (type(v) is str and (v.isascii() or encodable(v))):
            return False
        v = value.get("type")
        if v is None or not (isinstance(v, str) and v in _DeviceType_VALUES):
            return False
        v = value.get("attributes")
        if v is None or not passes_DeviceBatteryAttributes(v):
            return False
        v = value.get("install_date")
        if v is None or not (isinstance(v, datetime) or (type(v) is str and parses(datetime.fromisoformat, v))):
            return False
        v = value.get("site_id", _ABSENT)
        if v is not _ABSENT and (v is None or not (type(v) is str and (v.isascii() or encodable(v)))):
            return False
        v = value.get("configuration", _ABSENT)
        if v is not _ABSENT and (v is None or not passes_DeviceBatteryConfig(v)):
            return False
        return True
    return False


_DeviceBatteryConfig_FIELDS = frozenset(["reserve_percentage"])


def passes_DeviceBatteryConfig(value: Any) -> bool:
    v: Any  # each field's value in turn
    if type(value) is models.DeviceBatteryConfig:
        v = value.reserve_percentage
        if v is None or not ((type(v) is int and INT_MIN <= v < INT_END) and v >= 0 and v <= 100):
            return False
        return True
    if type(value) is dict:
        if not value.keys() <= _DeviceBatteryConfig_FIELDS:
            return False
        v = value.get("reserve_percentage")
        if v is None or not ((type(v) is int and INT_MIN <= v < INT_END) and v >= 0 and v <= 100):
            return False
        return True
    return False


_DeviceBatteryAttributes_FIELDS = frozenset(["battery_capacity_wh", "battery_power_input_w", "battery_power_output_w"])


def passes_DeviceBatteryAttributes(value: Any) -> bool:
    v: Any  # each field's value in turn
    if type(value) is models.DeviceBatteryAttributes:
        v = value.battery_capacity_wh
        if v is None or not (type(v) is int and INT_MIN <= v < INT_END):
            return False
        v = value.battery_power_input_w
        if v is None or not (type(v) is int and INT_MIN <= v < INT_END):
            return False
        v = value.battery_power_output_w
        if v is None or not (type(v) is int and INT_MIN <= v < INT_END):
            return False
        return True
    if type(value) is dict:
        if not value.keys() <= _DeviceBatteryAttributes_FIELDS:
            return False
        v = value.get("battery_capacity_wh")
        if v is None or not (type(v) is int and INT_MIN <= v < INT_END):
            return False
        v = value.get("battery_power_input_w")
        if v is None or not (type(v) is int and INT_MIN <= v < INT_END):
            return False
        v = value.get("battery_power_output_w")
        if v is None or not (type(v) is int and INT_MIN <= v < INT_END):
            return False
        return True
    return False


_Site_FIELDS = frozenset(
    [
        "city",
        "company_name",
        "created_at",
        "email",
        "first_name",
        "id",
        "last_name",
        "service_account_id",
        "state_code",
        "street_address",
        "street_address2",
        "tariff_id",
        "updated_at",
        "zip_code",
    ]
)


def passes_Site(value: Any) -> bool:
    v: Any  # each field's value in turn
    if type(value) is models.Site:
        v = value.id
        if v is None or not (type(v) is str and (v.isascii() or encodable(v))):
            return False
        v = value.first_name
        if v is not None and not (type(v) is str and (v.isascii() or encodable(v))):
            return False
        v = value.last_name
        if v is not None and not (type(v) is str and (v.isascii() or encodable(v))):
            return False
        v = value.company_name
        if v is not None and not (type(v) is str and (v.isascii() or encodable(v))):
            return False
        v = value.email
        if v is not None and not (type(v) is str and (v.isascii() or encodable(v)) and EMAIL.fullmatch(v) is not None):
            return False
        v = value.state_code
        if v is not None and not (isinstance(v, str) and v in _StateCode_VALUES):
            return False
        v = value.city
        if v is not None and not (type(v) is str and (v.isascii() or encodable(v))):
            return False
        v = value.zip_code
        if v is not None and not (type(v) is str and (v.isascii() or encodable(v))):
            return False
        v = value.street_address
        if v is not None and not (type(v) is str and (v.isascii() or encodable(v))):
            return False
        v = value.street_address2
        if v is not None and not (type(v) is str and (v.isascii() or encodable(v))):
            return False
        v = value.service_account_id
        if v is not None and not (type(v) is str and (v.isascii() or encodable(v))):
            return False
        v = value.tariff_id
        if v is not None and not (type(v) is str and (v.isascii() or encodable(v))):
            return False
        v = value.created_at
        if v is not None and not (isinstance(v, datetime) or (type(v) is str and parses(datetime.fromisoformat, v))):
            return False
        v = value.updated_at
        if v is not None and not (isinstance(v, datetime) or (type(v) is str and parses(datetime.fromisoformat, v))):
            return False
        return True
    if type(value) is dict:
        if not value.keys() <= _Site_FIELDS:
            return False
        v = value.get("id")
        if v is None or not (type(v) is str and (v.isascii() or encodable(v))):
            return False
        v = value.get("first_name")
        if v is not None and not (type(v) is str and (v.isascii() or encodable(v))):
            return False
        v = value.get("last_name")
        if v is not None and not (type(v) is str and (v.isascii() or encodable(v))):
            return False
        v = value.get("company_name")
        if v is not None and not (type(v) is str and (v.isascii() or encodable(v))):
            return False
        v = value.get("email")
        if v is not None and not (type(v) is str and (v.isascii() or encodable(v)) and EMAIL.fullmatch(v) is not None):
            return False
        v = value.get("state_code")
        if v is not None and not (isinstance(v, str) and v in _StateCode_VALUES):
            return False
        v = value.get("city")
        if v is not None and not (type(v) is str and (v.isascii() or encodable(v))):
            return False
        v = value.get("zip_code")
        if v is not None and not (type(v) is str and (v.isascii() or encodable(v))):
            return False
        v = value.get("street_address")
        if v is not None and not (type(v) is str and (v.isascii() or encodable(v))):
            return False
        v = value.get("street_address2")
        if v is not None and not (type(v) is str and (v.isascii() or encodable(v))):
            return False
        v = value.get("service_account_id")
        if v is not None and not (type(v) is str and (v.isascii() or encodable(v))):
            return False
        v = value.get("tariff_id")
        if v is not None and not (type(v) is str and (v.isascii() or encodable(v))):
            return False
        v = value.get("created_at", _ABSENT)
        if v is not _ABSENT and (
            v is None or not (isinstance(v, datetime) or (type(v) is str and parses(datetime.fromisoformat, v)))
        ):
            return False
        v = value.get("updated_at", _ABSENT)
        if v is not _ABSENT and (
            v is None or not (isinstance(v, datetime) or (type(v) is str and parses(datetime.fromisoformat, v)))
        ):
            return False
        return True
    return False


_SessionRequest_FIELDS = frozenset(["devices", "site"])


def passes_SessionRequest(value: Any) -> bool:
    v: Any  # each field's value in turn
    if type(value) is models.SessionRequest:
        v = value.site
        if v is None or not passes_Site(v):
            return False
        v = value.devices
        if v is not None and not (
            isinstance(v, (list, tuple)) and all((v_ is not None and passes_DeviceCreateIn(v_)) for v_ in v)
        ):
            return False
        return True
    if type(value) is dict:
        if not value.keys() <= _SessionRequest_FIELDS:
            return False
        v = value.get("site")
        if v is None or not passes_Site(v):
            return False
        v = value.get("devices", _ABSENT)
        if v is not _ABSENT and (
            v is None
            or not (isinstance(v, (list, tuple)) and all((v_ is not None and passes_DeviceCreateIn(v_)) for v_ in v))
        ):
            return False
        return True
    return False


_CommandStatusUpdate_FIELDS = frozenset(["device_status", "device_status_reason"])


def passes_CommandStatusUpdate(value: Any) -> bool:
    v: Any  # each field's value in turn
    if type(value) is models.CommandStatusUpdate:
        v = value.device_status
        if v is None or not (isinstance(v, str) and v in _DeviceStatusUpdate_VALUES):
            return False
        v = value.device_status_reason
        if v is not None and not (type(v) is str and (v.isascii() or encodable(v))):
            return False
        return True
    if type(value) is dict:
        if not value.keys() <= _CommandStatusUpdate_FIELDS:
            return False
        v = value.get("device_status")
        if v is None or not (isinstance(v, str) and v in _DeviceStatusUpdate_VALUES):
            return False
        v = value.get("device_status_reason", _ABSENT)
        if v is not _ABSENT and (v is None or not (type(v) is str and (v.isascii() or encodable(v)))):
            return False
        return True
    return False


_BatteryTelemetryRequest_FIELDS = frozenset(["duration_s", "start_time", "telemetry"])


def passes_BatteryTelemetryRequest(value: Any) -> bool:
    v: Any  # each field's value in turn
    if type(value) is models.BatteryTelemetryRequest:
        v = value.telemetry
        if v is None or not (
            isinstance(v, (list, tuple))
            and len(v) <= 1000
            and all((v_ is not None and passes_BatteryTelemetry(v_)) for v_ in v)
        ):
            return False
        v = value.start_time
        if v is not None and not (isinstance(v, datetime) or (type(v) is str and parses(datetime.fromisoformat, v))):
            return False
        v = value.duration_s
        if v is not None and not (type(v) is int and INT_MIN <= v < INT_END):
            return False
        return True
    if type(value) is dict:
        if not value.keys() <= _BatteryTelemetryRequest_FIELDS:
            return False
        v = value.get("telemetry")
        if v is None or not (
            isinstance(v, (list, tuple))
            and len(v) <= 1000
            and all((v_ is not None and passes_BatteryTelemetry(v_)) for v_ in v)
        ):
            return False
        v = value.get("start_time", _ABSENT)
        if v is not _ABSENT and (
            v is None or not (isinstance(v, datetime) or (type(v) is str and parses(datetime.fromisoformat, v)))
        ):
            return False
        v = value.get("duration_s", _ABSENT)
        if v is not _ABSENT and (v is None or not (type(v) is int and INT_MIN <= v < INT_END)):
            return False
        return True
    return False


_BatteryTelemetry_FIELDS = frozenset(
    [
        "battery_last_backup_reserve_percentage",
        "battery_last_capacity_energy_wh",
        "battery_last_power_charge_w",
        "battery_last_power_discharge_w",
        "battery_last_state_of_charge_percentage",
        "battery_last_state_of_health_percentage",
        "battery_last_stored_energy_wh",
        "battery_total_energy_charge_wh",
        "battery_total_energy_discharge_wh",
        "device_id",
        "duration_s",
        "home_last_power_w",
        "home_total_energy_wh",
        "last_is_grid_online",
        "last_is_online",
        "last_mode",
        "oem_raw_data",
        "solar_last_power_w",
        "solar_total_energy_wh",
        "start_time",
    ]
)


def passes_BatteryTelemetry(value: Any) -> bool:
    v: Any  # each field's value in turn
    if type(value) is models.BatteryTelemetry:
        v = value.start_time
        if v is None or not (isinstance(v, datetime) or (type(v) is str and parses(datetime.fromisoformat, v))):
            return False
        v = value.duration_s
        if v is None or not ((type(v) is float and math.isfinite(v)) or (type(v) is int and INT_MIN <= v < INT_END)):
            return False
        v = value.device_id
        if v is None or not (type(v) is str and (v.isascii() or encodable(v))):
            return False
        v = value.last_is_online
        if v is not None and not (type(v) is bool):
            return False
        v = value.last_mode
        if v is not None and not (type(v) is str and (v.isascii() or encodable(v))):
            return False
        v = value.battery_last_power_charge_w
        if v is not None and not (
            ((type(v) is float and math.isfinite(v)) or (type(v) is int and INT_MIN <= v < INT_END)) and v >= 0
        ):
            return False
        v = value.battery_last_power_discharge_w
        if v is not None and not (
            ((type(v) is float and math.isfinite(v)) or (type(v) is int and INT_MIN <= v < INT_END)) and v >= 0
        ):
            return False
        v = value.battery_total_energy_charge_wh
        if v is not None and not (
            ((type(v) is float and math.isfinite(v)) or (type(v) is int and INT_MIN <= v < INT_END)) and v >= 0
        ):
            return False
        v = value.battery_total_energy_discharge_wh
        if v is not None and not (
            ((type(v) is float and math.isfinite(v)) or (type(v) is int and INT_MIN <= v < INT_END)) and v >= 0
        ):
            return False
        v = value.battery_last_stored_energy_wh
        if v is not None and not (
            ((type(v) is float and math.isfinite(v)) or (type(v) is int and INT_MIN <= v < INT_END)) and v >= 0
        ):
            return False
        v = value.battery_last_capacity_energy_wh
        if v is not None and not (
            ((type(v) is float and math.isfinite(v)) or (type(v) is int and INT_MIN <= v < INT_END)) and v >= 0
        ):
            return False
        v = value.battery_last_backup_reserve_percentage
        if v is not None and not (
            ((type(v) is float and math.isfinite(v)) or (type(v) is int and INT_MIN <= v < INT_END))
            and v >= 0
            and v <= 100
        ):
            return False
        v = value.battery_last_state_of_charge_percentage
        if v is not None and not (
            ((type(v) is float and math.isfinite(v)) or (type(v) is int and INT_MIN <= v < INT_END))
            and v >= 0
            and v <= 100
        ):
            return False
        v = value.battery_last_state_of_health_percentage
        if v is not None and not (
            ((type(v) is float and math.isfinite(v)) or (type(v) is int and INT_MIN <= v < INT_END))
            and v >= 0
            and v <= 100
        ):
            return False
        v = value.last_is_grid_online
        if v is not None and not (type(v) is bool):
            return False
        v = value.home_total_energy_wh
        if v is not None and not (
            ((type(v) is float and math.isfinite(v)) or (type(v) is int and INT_MIN <= v < INT_END)) and v >= 0
        ):
            return False
        v = value.home_last_power_w
        if v is not None and not (
            ((type(v) is float and math.isfinite(v)) or (type(v) is int and INT_MIN <= v < INT_END)) and v >= 0
        ):
            return False
        v = value.solar_total_energy_wh
        if v is not None and not (
            ((type(v) is float and math.isfinite(v)) or (type(v) is int and INT_MIN <= v < INT_END)) and v >= 0
        ):
            return False
        v = value.solar_last_power_w
        if v is not None and not (
            ((type(v) is float and math.isfinite(v)) or (type(v) is int and INT_MIN <= v < INT_END)) and v >= 0
        ):
            return False
        v = value.oem_raw_data
        if v is not None and not (isinstance(v, Mapping) and depth(v) <= MAX_DEPTH):
            return False
        return True
    if type(value) is dict:
        if not value.keys() <= _BatteryTelemetry_FIELDS:
            return False
        v = value.get("start_time")
        if v is None or not (isinstance(v, datetime) or (type(v) is str and parses(datetime.fromisoformat, v))):
            return False
        v = value.get("duration_s")
        if v is None or not ((type(v) is float and math.isfinite(v)) or (type(v) is int and INT_MIN <= v < INT_END)):
            return False
        v = value.get("device_id")
        if v is None or not (type(v) is str and (v.isascii() or encodable(v))):
            return False
        v = value.get("last_is_online")
        if v is not None and not (type(v) is bool):
            return False
        v = value.get("last_mode")
        if v is not None and not (type(v) is str and (v.isascii() or encodable(v))):
            return False
        v = value.get("battery_last_power_charge_w")
        if v is not None and not (
            ((type(v) is float and math.isfinite(v)) or (type(v) is int and INT_MIN <= v < INT_END)) and v >= 0
        ):
            return False
        v = value.get("battery_last_power_discharge_w")
        if v is not None and not (
            ((type(v) is float and math.isfinite(v)) or (type(v) is int and INT_MIN <= v < INT_END)) and v >= 0
        ):
            return False
        v = value.get("battery_total_energy_charge_wh")
        if v is not None and not (
            ((type(v) is float and math.isfinite(v)) or (type(v) is int and INT_MIN <= v < INT_END)) and v >= 0
        ):
            return False
        v = value.get("battery_total_energy_discharge_wh")
        if v is not None and not (
            ((type(v) is float and math.isfinite(v)) or (type(v) is int and INT_MIN <= v < INT_END)) and v >= 0
        ):
            return False
        v = value.get("battery_last_stored_energy_wh")
        if v is not None and not (
            ((type(v) is float and math.isfinite(v)) or (type(v) is int and INT_MIN <= v < INT_END)) and v >= 0
        ):
            return False
        v = value.get("battery_last_capacity_energy_wh")
        if v is not None and not (
            ((type(v) is float and math.isfinite(v)) or (type(v) is int and INT_MIN <= v < INT_END)) and v >= 0
        ):
            return False
        v = value.get("battery_last_backup_reserve_percentage")
        if v is not None and not (
            ((type(v) is float and math.isfinite(v)) or (type(v) is int and INT_MIN <= v < INT_END))
            and v >= 0
            and v <= 100
        ):
            return False
        v = value.get("battery_last_state_of_charge_percentage")
        if v is not None and not (
            ((type(v) is float and math.isfinite(v)) or (type(v) is int and INT_MIN <= v < INT_END))
            and v >= 0
            and v <= 100
        ):
            return False
        v = value.get("battery_last_state_of_health_percentage")
        if v is not None and not (
            ((type(v) is float and math.isfinite(v)) or (type(v) is int and INT_MIN <= v < INT_END))
            and v >= 0
            and v <= 100
        ):
            return False
        v = value.get("last_is_grid_online")
        if v is not None and not (type(v) is bool):
            return False
        v = value.get("home_total_energy_wh")
        if v is not None and not (
            ((type(v) is float and math.isfinite(v)) or (type(v) is int and INT_MIN <= v < INT_END)) and v >= 0
        ):
            return False
        v = value.get("home_last_power_w")
        if v is not None and not (
            ((type(v) is float and math.isfinite(v)) or (type(v) is int and INT_MIN <= v < INT_END)) and v >= 0
        ):
            return False
        v = value.get("solar_total_energy_wh")
        if v is not None and not (
            ((type(v) is float and math.isfinite(v)) or (type(v) is int and INT_MIN <= v < INT_END)) and v >= 0
        ):
            return False
        v = value.get("solar_last_power_w")
        if v is not None and not (
            ((type(v) is float and math.isfinite(v)) or (type(v) is int and INT_MIN <= v < INT_END)) and v >= 0
        ):
            return False
        v = value.get("oem_raw_data", _ABSENT)
        if v is not _ABSENT and (v is None or not (isinstance(v, Mapping) and depth(v) <= MAX_DEPTH)):
            return False
        return True
    return False


_BatteryCounterTelemetryRequest_FIELDS = frozenset(["telemetry"])


def passes_BatteryCounterTelemetryRequest(value: Any) -> bool:
    v: Any  # each field's value in turn
    if type(value) is models.BatteryCounterTelemetryRequest:
        v = value.telemetry
        if v is not None and not (
            isinstance(v, (list, tuple))
            and len(v) <= 1000
            and all((v_ is not None and (isinstance(v_, Mapping) and depth(v_) <= MAX_DEPTH)) for v_ in v)
        ):
            return False
        return True
    if type(value) is dict:
        if not value.keys() <= _BatteryCounterTelemetryRequest_FIELDS:
            return False
        v = value.get("telemetry", _ABSENT)
        if v is not _ABSENT and (
            v is None
            or not (
                isinstance(v, (list, tuple))
                and len(v) <= 1000
                and all((v_ is not None and (isinstance(v_, Mapping) and depth(v_) <= MAX_DEPTH)) for v_ in v)
            )
        ):
            return False
        return True
    return False


_SiteUpdateIn_FIELDS = frozenset(
    [
        "city",
        "company_name",
        "email",
        "first_name",
        "last_name",
        "state_code",
        "street_address",
        "street_address2",
        "zip_code",
    ]
)


def passes_SiteUpdateIn(value: Any) -> bool:
    v: Any  # each field's value in turn
    if type(value) is models.SiteUpdateIn:
        v = value.first_name
        if v is not None and not (type(v) is str and (v.isascii() or encodable(v))):
            return False
        v = value.last_name
        if v is not None and not (type(v) is str and (v.isascii() or encodable(v))):
            return False
        v = value.company_name
        if v is not None and not (type(v) is str and (v.isascii() or encodable(v))):
            return False
        v = value.email
        if v is not None and not (type(v) is str and (v.isascii() or encodable(v)) and EMAIL.fullmatch(v) is not None):
            return False
        v = value.state_code
        if v is not None and not (isinstance(v, str) and v in _StateCode_VALUES):
            return False
        v = value.city
        if v is not None and not (type(v) is str and (v.isascii() or encodable(v))):
            return False
        v = value.zip_code
        if v is not None and not (type(v) is str and (v.isascii() or encodable(v))):
            return False
        v = value.street_address
        if v is not None and not (type(v) is str and (v.isascii() or encodable(v))):
            return False
        v = value.street_address2
        if v is not None and not (type(v) is str and (v.isascii() or encodable(v))):
            return False
        return True
    if type(value) is dict:
        if not value.keys() <= _SiteUpdateIn_FIELDS:
            return False
        v = value.get("first_name")
        if v is not None and not (type(v) is str and (v.isascii() or encodable(v))):
            return False
        v = value.get("last_name")
        if v is not None and not (type(v) is str and (v.isascii() or encodable(v))):
            return False
        v = value.get("company_name")
        if v is not None and not (type(v) is str and (v.isascii() or encodable(v))):
            return False
        v = value.get("email")
        if v is not None and not (type(v) is str and (v.isascii() or encodable(v)) and EMAIL.fullmatch(v) is not None):
            return False
        v = value.get("state_code")
        if v is not None and not (isinstance(v, str) and v in _StateCode_VALUES):
            return False
        v = value.get("city")
        if v is not None and not (type(v) is str and (v.isascii() or encodable(v))):
            return False
        v = value.get("zip_code")
        if v is not None and not (type(v) is str and (v.isascii() or encodable(v))):
            return False
        v = value.get("street_address")
        if v is not None and not (type(v) is str and (v.isascii() or encodable(v))):
            return False
        v = value.get("street_address2")
        if v is not None and not (type(v) is str and (v.isascii() or encodable(v))):
            return False
        return True
    return False


_DeviceUpdateIn_FIELDS = frozenset(["attributes", "configuration"])


def passes_DeviceUpdateIn(value: Any) -> bool:
    v: Any  # each field's value in turn
    if type(value) is models.DeviceUpdateIn:
        v = value.attributes
        if v is not None and not passes_DeviceBatteryAttributesUpdate(v):
            return False
        v = value.configuration
        if v is not None and not passes_DeviceBatteryConfigUpdate(v):
            return False
        return True
    if type(value) is dict:
        if not value.keys() <= _DeviceUpdateIn_FIELDS:
            return False
        v = value.get("attributes", _ABSENT)
        if v is not _ABSENT and (v is None or not passes_DeviceBatteryAttributesUpdate(v)):
            return False
        v = value.get("configuration", _ABSENT)
        if v is not _ABSENT and (v is None or not passes_DeviceBatteryConfigUpdate(v)):
            return False
        return True
    return False


_DeviceBatteryConfigUpdate_FIELDS = frozenset(["reserve_percentage"])


def passes_DeviceBatteryConfigUpdate(value: Any) -> bool:
    v: Any  # each field's value in turn
    if type(value) is models.DeviceBatteryConfigUpdate:
        v = value.reserve_percentage
        if v is not None and not (
            ((type(v) is float and math.isfinite(v)) or (type(v) is int and INT_MIN <= v < INT_END))
            and v >= 0
            and v <= 100
        ):
            return False
        return True
    if type(value) is dict:
        if not value.keys() <= _DeviceBatteryConfigUpdate_FIELDS:
            return False
        v = value.get("reserve_percentage", _ABSENT)
        if v is not _ABSENT and (
            v is None
            or not (
                ((type(v) is float and math.isfinite(v)) or (type(v) is int and INT_MIN <= v < INT_END))
                and v >= 0
                and v <= 100
            )
        ):
            return False
        return True
    return False


_DeviceBatteryAttributesUpdate_FIELDS = frozenset(
    ["battery_capacity_wh", "battery_power_input_w", "battery_power_output_w"]
)


def passes_DeviceBatteryAttributesUpdate(value: Any) -> bool:
    v: Any  # each field's value in turn
    if type(value) is models.DeviceBatteryAttributesUpdate:
        v = value.battery_capacity_wh
        if v is not None and not (type(v) is int and INT_MIN <= v < INT_END):
            return False
        v = value.battery_power_input_w
        if v is not None and not (type(v) is int and INT_MIN <= v < INT_END):
            return False
        v = value.battery_power_output_w
        if v is not None and not (type(v) is int and INT_MIN <= v < INT_END):
            return False
        return True
    if type(value) is dict:
        if not value.keys() <= _DeviceBatteryAttributesUpdate_FIELDS:
            return False
        v = value.get("battery_capacity_wh", _ABSENT)
        if v is not _ABSENT and (v is None or not (type(v) is int and INT_MIN <= v < INT_END)):
            return False
        v = value.get("battery_power_input_w", _ABSENT)
        if v is not _ABSENT and (v is None or not (type(v) is int and INT_MIN <= v < INT_END)):
            return False
        v = value.get("battery_power_output_w", _ABSENT)
        if v is not _ABSENT and (v is None or not (type(v) is int and INT_MIN <= v < INT_END)):
            return False
        return True
    return False


_EventUpdateIn_FIELDS = frozenset(["device_settings", "is_participating"])


def passes_EventUpdateIn(value: Any) -> bool:
    v: Any  # each field's value in turn
    if type(value) is models.EventUpdateIn:
        v = value.is_participating
        if v is not None and not (type(v) is bool):
            return False
        v = value.device_settings
        if v is not None and not (
            isinstance(v, (list, tuple)) and all((v_ is not None and passes_EventBatterySettings(v_)) for v_ in v)
        ):
            return False
        return True
    if type(value) is dict:
        if not value.keys() <= _EventUpdateIn_FIELDS:
            return False
        v = value.get("is_participating", _ABSENT)
        if v is not _ABSENT and (v is None or not (type(v) is bool)):
            return False
        v = value.get("device_settings", _ABSENT)
        if v is not _ABSENT and (
            v is None
            or not (
                isinstance(v, (list, tuple)) and all((v_ is not None and passes_EventBatterySettings(v_)) for v_ in v)
            )
        ):
            return False
        return True
    return False


_EventBatterySettings_FIELDS = frozenset(["backup_reserve_percentage", "device_id", "maximum_charge_percentage"])


def passes_EventBatterySettings(value: Any) -> bool:
    v: Any  # each field's value in turn
    if type(value) is models.EventBatterySettings:
        v = value.device_id
        if v is None or not (type(v) is str and (v.isascii() or encodable(v))):
            return False
        v = value.backup_reserve_percentage
        if v is not None and not ((type(v) is int and INT_MIN <= v < INT_END) and v >= 0 and v <= 100):
            return False
        v = value.maximum_charge_percentage
        if v is not None and not ((type(v) is int and INT_MIN <= v < INT_END) and v >= 0 and v <= 100):
            return False
        return True
    if type(value) is dict:
        if not value.keys() <= _EventBatterySettings_FIELDS:
            return False
        v = value.get("device_id")
        if v is None or not (type(v) is str and (v.isascii() or encodable(v))):
            return False
        v = value.get("backup_reserve_percentage")
        if v is not None and not ((type(v) is int and INT_MIN <= v < INT_END) and v >= 0 and v <= 100):
            return False
        v = value.get("maximum_charge_percentage")
        if v is not None and not ((type(v) is int and INT_MIN <= v < INT_END) and v >= 0 and v <= 100):
            return False
        return True
    return False


PASSES: dict[type, Callable[[Any], bool]] = {
    models.CommissionRequest: passes_CommissionRequest,
    models.EnrollmentCreateIn: passes_EnrollmentCreateIn,
    models.ProgramSpecificAttribute: passes_ProgramSpecificAttribute,
    models.DeviceCreateIn: passes_DeviceCreateIn,
    models.DeviceBatteryConfig: passes_DeviceBatteryConfig,
    models.DeviceBatteryAttributes: passes_DeviceBatteryAttributes,
    models.Site: passes_Site,
    models.SessionRequest: passes_SessionRequest,
    models.CommandStatusUpdate: passes_CommandStatusUpdate,
    models.BatteryTelemetryRequest: passes_BatteryTelemetryRequest,
    models.BatteryTelemetry: passes_BatteryTelemetry,
    models.BatteryCounterTelemetryRequest: passes_BatteryCounterTelemetryRequest,
    models.SiteUpdateIn: passes_SiteUpdateIn,
    models.DeviceUpdateIn: passes_DeviceUpdateIn,
    models.DeviceBatteryConfigUpdate: passes_DeviceBatteryConfigUpdate,
    models.DeviceBatteryAttributesUpdate: passes_DeviceBatteryAttributesUpdate,
    models.EventUpdateIn: passes_EventUpdateIn,
    models.EventBatterySettings: passes_EventBatterySettings,
}
"""By model class, its test; a model without one is always checked by the detailed walk."""
