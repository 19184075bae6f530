"""Where the caller's matter is: district, street and address as spoken.

Address chains come from address.py (the same finder the address read-back check uses); a district
named in the catalogue counts even outside a chain ("我在滨海新区这边"). Spans are quoted verbatim.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from hotline.contracts import Evidence, Segment

from .address import find_addresses
from .evidence import quote_segment
from .scorecard import AddressRepeatParams
from .textmatch import find_phrases

_DISTRICT_SUFFIXES = ("区", "县", "县级市")
_STREET_SUFFIXES = ("街道", "路", "大道", "街", "巷", "弄", "胡同", "镇", "乡")


@dataclass(frozen=True)
class Place:
    district: str | None = None
    street: str | None = None
    address: str | None = None
    evidence: tuple[Evidence, ...] = ()


def find_place(segments: Sequence[Segment], params: AddressRepeatParams | None, districts: Sequence[str] = ()) -> Place:
    caller = [s for s in segments if s.speaker == "caller" and s.text.strip()] or [s for s in segments if s.speaker == "unknown"]
    district = street = address = None
    evidence: list[Evidence] = []
    if params is not None:
        for seg in caller:
            for found in find_addresses(seg, params):
                address = address or found.quote
                if not evidence:
                    evidence.append(quote_segment(seg, found.start, found.end))
                for comp in found.components:
                    # Components are normalised (numerals Arabic); names of districts and streets rarely hold numerals.
                    if district is None and comp.text.endswith(_DISTRICT_SUFFIXES):
                        district = comp.text
                    elif street is None and comp.is_place and comp.text.endswith(_STREET_SUFFIXES):
                        street = comp.text
            if address:
                break
    if districts:
        for seg in caller:
            hits = find_phrases(seg.text, list(districts))
            if hits:
                named = hits[0].phrase
                # A catalogue district outranks a chain's guess (the chain may start at the street).
                if district is None or district not in districts:
                    district = named
                if not any(e.quote == hits[0].quote for e in evidence):
                    evidence.append(quote_segment(seg, hits[0].start, hits[0].end))
                break
    return Place(district=district, street=street, address=address, evidence=tuple(evidence))
