"""Write examples/fleet.jsonl: a seeded, realistic fleet of 1,000 sites for `make demo`, a few rows deliberately bad."""

from __future__ import annotations

import json
import random
from pathlib import Path

SITES = 1000
SEED = 20261122
OUTPUT = Path(__file__).resolve().parent / "fleet.jsonl"

# (state, city, zip codes seen there); the sandbox's test programs answer only for 88800-88802.
PLACES = [
    ("CA", "San Francisco", ["88800", "88801", "94103", "94110"]),
    ("CA", "Sacramento", ["88802", "95814"]),
    ("TX", "Austin", ["88800", "78701", "78745"]),
    ("AZ", "Phoenix", ["88801", "85004"]),
    ("MA", "Boston", ["02108", "02118"]),
    ("NY", "Brooklyn", ["11201", "88802"]),
    ("FL", "Tampa", ["33602"]),
    ("CO", "Denver", ["80202", "88800"]),
    ("PR", "San Juan", ["00901"]),
    ("HI", "Honolulu", ["96813", "88801"]),
]
BATTERIES = [
    ("VoltCell", "VC-10", 10_000, 5_000, 5_000),
    ("VoltCell", "VC-13.5", 13_500, 5_000, 7_000),
    ("Heliostore", "HS Home 15", 15_000, 6_000, 7_500),
    ("GridNest", "Nest One", 9_800, 3_300, 5_000),
]
EV_CHARGERS = [("ChargeWell", "Wallbox 48A"), ("AmpereHome", "AH-11")]
FIRST = ["Maria", "James", "Aiyana", "Wei", "Fatima", "Luis", "Grace", "Omar", "Priya", "Noah"]
LAST = ["Garcia", "Smith", "Begay", "Chen", "Haddad", "Lopez", "Kim", "Nguyen", "Patel", "Brown"]
STREETS = ["Main St", "Oak Ave", "Mission St", "Elm Dr", "Sunset Blvd", "Lakeview Rd"]


def site_row(number: int, rng: random.Random) -> dict[str, object]:
    state, city, zips = rng.choice(PLACES)
    first, last = rng.choice(FIRST), rng.choice(LAST)
    site_id = f"site-{number:05d}"
    site: dict[str, object] = {
        "id": site_id,
        "first_name": first,
        "last_name": last,
        "email": f"{first.lower()}.{last.lower()}{number}@example.com",
        "state_code": state,
        "city": city,
        "zip_code": rng.choice(zips),
        "street_address": f"{rng.randint(1, 9999)} {rng.choice(STREETS)}",
    }
    if rng.random() < 0.1:
        site["company_name"] = f"{last} Family Farms LLC"
    devices = [battery(site_id, number, index, rng) for index in range(rng.choice([1, 1, 1, 2]))]
    if rng.random() < 0.25:
        devices.append(ev_charger(site_id, number, rng))
    return {"site": site, "devices": devices, "can_auto_enroll": rng.random() < 0.7}


def battery(site_id: str, number: int, index: int, rng: random.Random) -> dict[str, object]:
    maker, product, capacity, power_in, power_out = rng.choice(BATTERIES)
    return device(site_id, f"bat-{number:05d}-{index}", maker, product, "BATTERY", capacity, power_in, power_out, rng)


def ev_charger(site_id: str, number: int, rng: random.Random) -> dict[str, object]:
    # Flip documents only the battery attribute shape; a charger reports its power and no storage.
    maker, product = rng.choice(EV_CHARGERS)
    return device(site_id, f"evc-{number:05d}", maker, product, "EV_CHARGER", 0, 11_500, 0, rng)


def device(
    site_id: str,
    device_id: str,
    maker: str,
    product: str,
    kind: str,
    capacity: int,
    power_in: int,
    power_out: int,
    rng: random.Random,
) -> dict[str, object]:
    return {
        "id": device_id,
        "site_id": site_id,
        "manufacturer_name": maker,
        "product_name": product,
        "serial_number": f"{maker[:2].upper()}{rng.randrange(10**9):09d}",
        "type": kind,
        "attributes": {
            "battery_capacity_wh": capacity,
            "battery_power_input_w": power_in,
            "battery_power_output_w": power_out,
        },
        "install_date": f"20{rng.randint(21, 25)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T10:00:00Z",
    }


def spoil(rows: list[dict[str, object]], rng: random.Random) -> None:
    """The mistakes real fleet exports contain; each of these rows must come back `invalid`, naming the field."""
    bad = rng.sample(range(len(rows)), 6)
    mistakes = [
        lambda row: row["site"].update(state_code="DC"),  # not in Flip's list
        lambda row: row["site"].update(email="maria garcia at example.com"),
        lambda row: row["devices"][0].update(site_id="site-99999"),
        lambda row: row["devices"][0]["attributes"].update(battery_capacity_wh="13.5 kWh"),
        lambda row: row["devices"][0].pop("install_date"),
        lambda row: row.update(devices=[]),
    ]
    for index, mistake in zip(bad, mistakes, strict=True):
        mistake(rows[index])


def main() -> None:
    rng = random.Random(SEED)
    rows = [site_row(number, rng) for number in range(1, SITES + 1)]
    spoil(rows, rng)
    OUTPUT.write_text("".join(json.dumps(row, separators=(",", ":")) + "\n" for row in rows))


if __name__ == "__main__":
    main()
