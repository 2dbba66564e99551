"""Pure generation of a demo roll: pupils with British names, valid UPNs, realistic
contextual flags, admissions and leavers, and their parents or carers.

Nothing here touches the database; `store.py` writes what this returns.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import zlib
from collections import Counter
from dataclasses import dataclass, field, replace

from . import names
from .calendar import half_terms

YEARS = ["R", "1", "2", "3", "4", "5", "6"]
FORM_SIZE = 30
# The DfE check-letter alphabet: 23 letters, without I, O and S.
UPN_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"


@dataclass(frozen=True)
class RollPlan:
    urn: str
    pupils: int
    la_code: str = "999"  # not a real local authority number
    # Share of families eligible for free school meals (national primary ~22–25%).
    fsm_rate: float = 0.22

    @property
    def forms_per_year(self) -> int:
        return max(1, math.ceil(self.pupils / (len(YEARS) * FORM_SIZE)))

    @property
    def form_names(self) -> list[str]:
        letters = "ABCDEFGHJK"
        return [f"{y}{letters[i]}" for y in YEARS for i in range(self.forms_per_year)]


@dataclass(frozen=True)
class ContactSpec:
    name: str
    relationship: str
    phone: str
    email: str
    address: str
    priority: int
    lives_with_pupil: bool = True
    receives_messages: bool = True


@dataclass(frozen=True)
class Family:
    key: int
    surname: str
    eal: bool
    fsm: bool
    pupil_premium: bool
    contacts: tuple[ContactSpec, ...]


@dataclass
class PupilSpec:
    key: int
    upn: str
    forename: str
    surname: str
    gender: str
    date_of_birth: dt.date
    year_group: str
    form: str | None
    admission: dt.date
    leaving: dt.date | None
    family: int
    pupil_premium: bool = False
    fsm: bool = False
    sen: str = "N"
    eal: bool = False
    cin: bool = False
    cla: bool = False
    young_carer: bool = False
    # "typical", "severe" (school refusal, misses half or more) or "part_time" (C2).
    pattern: str = "typical"
    contacts: tuple[ContactSpec, ...] = field(default=())


def upn_check_letter(digits: str) -> str:
    """The DfE UPN check letter: characters 2–13 weighted 2–13, summed, modulo 23."""
    total = sum(int(ch) * weight for weight, ch in enumerate(digits, start=2))
    return UPN_LETTERS[total % 23]


def make_upn(plan: RollPlan, year: int, serial: int) -> str:
    """LA number, establishment number, year of allocation, serial: as the DfE builds it."""
    if not 0 <= serial < UPN_SERIALS:
        raise ValueError(f"A UPN serial has three digits, not {serial}.")
    digits = f"{plan.la_code}{plan.urn[-4:]}{year % 100:02d}{serial:03d}"
    return upn_check_letter(digits) + digits


UPN_SERIALS = 1000  # three digits per establishment and year of allocation


def allocate_upns(plan: RollPlan, admission_years: list[int]) -> list[str]:
    """One UPN per pupil, in order, never the same twice: serials are counted per year of
    allocation (the admission year), as a local authority allocates them. A year whose
    1,000 serials are used up spills into the year before it (a school of 7,000 pupils
    or more), so a large demo school can never wrap onto another pupil's UPN."""
    used: Counter[int] = Counter()
    upns = []
    for admission_year in admission_years:
        year = admission_year % 100
        for _ in range(100):
            if used[year] < UPN_SERIALS:
                break
            year = (year - 1) % 100
        else:
            raise ValueError("More than 100,000 pupils: the demo's UPNs would repeat.")
        upns.append(make_upn(plan, year, used[year]))
        used[year] += 1
    return upns


def _contacts(rng: random.Random, surname: str, eal: bool, looked_after: bool):
    street = rng.choice(names.STREETS)
    letters = names.POSTCODE_LETTERS
    address = (
        f"{rng.randint(1, 140)} {street}\nOakfield\n"
        f"OK{rng.randint(1, 9)} {rng.randint(1, 9)}{rng.choice(letters)}{rng.choice(letters)}"
    )
    women = names.ADULT_WOMEN_EAL if eal else names.ADULT_WOMEN
    men = names.ADULT_MEN_EAL if eal else names.ADULT_MEN
    if looked_after:
        carer = rng.choice(names.SURNAMES)
        people = [(f"{rng.choice(women)} {carer}", "Foster carer")]
    else:
        roll = rng.random()
        first = "Mother" if roll < 0.72 else "Father" if roll < 0.92 else "Grandmother"
        people = [(f"{rng.choice(men if first == 'Father' else women)} {surname}", first)]
        if rng.random() < 0.65:
            second = "Father" if first != "Father" else "Mother"
            second_surname = surname if rng.random() < 0.8 else rng.choice(names.SURNAMES)
            people.append(
                (f"{rng.choice(men if second == 'Father' else women)} {second_surname}", second)
            )
    found = []
    for priority, (name, relationship) in enumerate(people, start=1):
        # 07700 900000–900999 is Ofcom's range reserved for drama: never a real phone.
        phone = f"07700 900{rng.randrange(1000):03d}"
        email = f"{name.lower().replace(' ', '.')}{rng.randint(1, 99)}@example.com"
        found.append(ContactSpec(name, relationship, phone, email, address, priority))
    return tuple(found)


def _new_family(rng: random.Random, key: int, plan: RollPlan) -> Family:
    eal = rng.random() < 0.20
    fsm = rng.random() < plan.fsm_rate
    # Pupil premium follows FSM eligibility (Ever 6), plus a few service/adopted children.
    pupil_premium = fsm or rng.random() < 0.04
    pool = names.SURNAMES_EAL if eal and rng.random() < 0.8 else names.SURNAMES
    surname = rng.choice(pool)
    return Family(key, surname, eal, fsm, pupil_premium, _contacts(rng, surname, eal, False))


def _pupil(rng: random.Random, key: int, family: Family, year_index: int, cur: int):
    """A pupil of the year group that entered Reception in September of cur - year_index."""
    gender = rng.choice("FM")
    if family.eal and rng.random() < 0.6:
        forename = rng.choice(names.GIRLS_EAL if gender == "F" else names.BOYS_EAL)
    else:
        forename = rng.choice(names.GIRLS if gender == "F" else names.BOYS)
    entry_year = cur - year_index
    born = dt.date(entry_year - 5, 9, 1) + dt.timedelta(days=rng.randrange(365))
    # SEN is identified about twice as often for boys as for girls.
    sen_scale = 1.33 if gender == "M" else 0.67
    roll = rng.random()
    sen = "E" if roll < 0.03 * sen_scale else "K" if roll < 0.16 * sen_scale else "N"
    cla = rng.random() < 0.01
    # Children with a social worker come disproportionately from disadvantaged families.
    cin = cla or rng.random() < 0.03 * (2.0 if family.pupil_premium else 0.67)
    return PupilSpec(
        key=key,
        upn="",
        forename=forename,
        surname=family.surname,
        gender=gender,
        date_of_birth=born,
        year_group=YEARS[min(year_index, 6)],
        form=None,
        admission=half_terms(entry_year)[0].start,
        leaving=None,
        family=family.key,
        pupil_premium=family.pupil_premium or cla,  # looked-after children attract PP+
        fsm=family.fsm,
        sen=sen,
        eal=family.eal,
        cin=cin,
        cla=cla,
        young_carer=rng.random() < 0.02,
        contacts=_contacts(rng, family.surname, family.eal, True) if cla else family.contacts,
    )


def build_roll(
    *, plan: RollPlan, current_year: int, school_days: list[dt.date], rng: random.Random
) -> list[PupilSpec]:
    """The pupils on roll this year (Reception to Year 6, in forms), plus last year's
    leavers: the Year 6 cohort that moved on in July and a few who left mid-year.

    `school_days` are the school days from the start of last year up to today; mid-year
    joiners and leavers take their dates from them.
    """
    this_year_start = half_terms(current_year)[0].start
    last_year_end = half_terms(current_year - 1)[-1].end
    last_year_days = [d for d in school_days if d <= last_year_end]
    this_year_days = [d for d in school_days if d >= this_year_start]
    forms, per_year = plan.form_names, plan.forms_per_year
    families: list[Family] = []
    pupils: list[PupilSpec] = []

    def add(year_index: int) -> PupilSpec:
        # About one pupil in six has an older or younger brother or sister here already.
        siblings = [p for p in pupils if p.year_group != YEARS[min(year_index, 6)]]
        if siblings and rng.random() < 0.18:
            family = families[rng.choice(siblings).family]
        else:
            family = _new_family(rng, len(families), plan)
            families.append(family)
        pupil = _pupil(rng, len(pupils), family, year_index, current_year)
        pupils.append(pupil)
        return pupil

    for i in range(plan.pupils):
        year_index = i * len(YEARS) // plan.pupils
        pupil = add(year_index)
        pupil.form = forms[year_index * per_year + i % per_year]
        earliest = this_year_days if year_index == 0 else school_days
        if earliest and rng.random() < 0.07:  # in-year admissions
            pupil.admission = rng.choice(earliest)
        if len(this_year_days) > 10 and rng.random() < 0.012:
            pupil.leaving = rng.choice(this_year_days[:-5])
    # Last year's Year 6 left in July; a few others left during last year.
    for _ in range(plan.pupils // len(YEARS)):
        add(len(YEARS)).leaving = last_year_end
    for _ in range(max(1, round(plan.pupils * 0.015))):
        pupil = add(rng.randrange(1, len(YEARS)))
        pupil.year_group = YEARS[YEARS.index(pupil.year_group) - 1]
        pupil.leaving = rng.choice(last_year_days[5:-5])
    for pupil in pupils:
        if pupil.leaving and pupil.leaving < pupil.admission:
            pupil.admission = pupil.leaving
    for pupil, upn in zip(
        pupils, allocate_upns(plan, [p.admission.year for p in pupils]), strict=True
    ):
        pupil.upn = upn
    _assign_patterns(rng, plan, pupils)
    _households(pupils)
    return pupils


# Ofcom's drama mobile range has 1,000 numbers: the first 1,000 people get one each (so no
# two people share a number, which the parents' sign-in relies on); anyone after that has
# no phone in the demo.
DRAMA_MOBILES = 1000


def _households(pupils: list[PupilSpec]) -> None:
    """Give each contact a number of their own and the variety real MIS data has: some
    with no email, some with no phone, and separated parents in two households (the
    second parent, under another surname, lives elsewhere). Decided from a checksum of
    the name rather than the random stream, so that the rest of the demo is unchanged."""
    done: dict[int, ContactSpec] = {}
    for pupil in pupils:
        for contact in pupil.contacts:
            if id(contact) in done:
                continue
            n = len(done)
            check = zlib.crc32(contact.name.encode())
            email = "" if check % 8 == 0 else contact.email
            phone = f"+447700900{n:03d}" if n < DRAMA_MOBILES else ""
            if email and check % 11 == 0:
                phone = ""
            elsewhere = contact.priority > 1 and not contact.name.endswith(" " + pupil.surname)
            address = contact.address
            if elsewhere:
                street = names.STREETS[check % len(names.STREETS)]
                address = f"{check % 140 + 1} {street}\nEastbrook\nOK{check % 9 + 1} 4EB"
            done[id(contact)] = replace(
                contact, phone=phone, email=email, address=address, lives_with_pupil=not elsewhere
            )
        pupil.contacts = tuple(done[id(c)] for c in pupil.contacts)


def _assign_patterns(rng: random.Random, plan: RollPlan, pupils: list[PupilSpec]) -> None:
    """Pick the few pupils whose attendance the demo's casework revolves around."""
    current = [p for p in pupils if p.form and p.leaving is None and p.year_group != "R"]
    vulnerable = [p for p in current if p.pupil_premium or p.sen != "N" or p.cin]
    pool = vulnerable if len(vulnerable) >= 4 else current
    severe = rng.sample(pool, k=min(len(pool), max(1, round(plan.pupils / 150))))
    for pupil in severe:
        pupil.pattern = "severe"
    send = [p for p in current if p.sen != "N" and p.pattern == "typical"]
    for pupil in rng.sample(send, k=min(len(send), max(1, round(plan.pupils / 250)))):
        pupil.pattern = "part_time"
