"""Routing suggestion: the 事项—职责—属地 catalogue (category × district → responsible department).

The catalogue is configuration (routing_catalogue.yaml, or a centre's own file). The suggestion
names the rule that produced it and says why, so a dispatcher can check it in seconds.
"""

from __future__ import annotations

import string
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from hotline.contracts import RoutingSuggestion

from .config_file import load_config_file
from .place import Place

PACKAGED_CATALOGUE = "routing_catalogue.yaml"
_FIELDS = {"district", "street"}


class RoutingCatalogueError(ValueError):
    pass


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class RoutingRule(_Frozen):
    id: Annotated[str, Field(min_length=1, max_length=64)]
    # "一级" or "一级/二级": a rule for a top-level category covers all its subcategories.
    category: Annotated[str, Field(min_length=1, max_length=60)] | None = None
    # None: any district.
    district: Annotated[str, Field(min_length=1, max_length=30)] | None = None
    department: Annotated[str, Field(min_length=1, max_length=80)]

    @model_validator(mode="after")
    def _known_fields(self) -> "RoutingRule":
        used = {name for _, name, _, _ in string.Formatter().parse(self.department) if name}
        if used - _FIELDS:
            raise ValueError(f"rule {self.id}: department may only name {{district}} or {{street}}, not {sorted(used - _FIELDS)}")
        return self

    @property
    def needs(self) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(self.department) if name}


class RoutingCatalogue(_Frozen):
    catalogue_id: Annotated[str, Field(min_length=1, max_length=64)]
    version: Annotated[str, Field(min_length=1, max_length=32)]
    # District names to look for in the caller's words (an address chain is not needed to name one).
    districts: tuple[Annotated[str, Field(min_length=2, max_length=30)], ...] = ()
    default: RoutingRule
    rules: tuple[RoutingRule, ...] = ()

    @model_validator(mode="after")
    def _unique_ids(self) -> "RoutingCatalogue":
        ids = [r.id for r in self.rules] + [self.default.id]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"duplicate rule id(s): {', '.join(dupes)}")
        if self.default.needs:
            raise ValueError("the default rule's department cannot depend on the place")
        return self


def load_routing_catalogue(path: Path | None = None) -> RoutingCatalogue:
    catalogue, _ = load_config_file(
        RoutingCatalogue, path, packaged=PACKAGED_CATALOGUE, what="routing catalogue", error=RoutingCatalogueError,
        not_found=f"routing catalogue not found: {path}",
    )
    return catalogue


def _specificity(rule: RoutingRule, category: str | None, district: str | None) -> int | None:
    """Higher is more specific; None when the rule does not apply."""
    if rule.district is not None and rule.district != district:
        return None
    if rule.category is None:
        cat_rank = 0
    elif category is not None and rule.category == category:
        cat_rank = 2
    elif category is not None and "/" not in rule.category and category.split("/")[0] == rule.category:
        cat_rank = 1
    else:
        return None
    return cat_rank * 2 + (rule.district is not None)


def suggest_route(catalogue: RoutingCatalogue, category: str | None, place: Place) -> RoutingSuggestion:
    values = {"district": place.district, "street": place.street}
    ranked = []
    for order, rule in enumerate(catalogue.rules):
        rank = _specificity(rule, category, place.district)
        if rank is not None:
            ranked.append((-rank, order, rule))
    skipped: list[str] = []
    for _, _, rule in sorted(ranked, key=lambda r: (r[0], r[1])):
        missing = [f for f in rule.needs if not values.get(f)]
        if missing:
            skipped.append(f"{rule.id} needs the {'/'.join(sorted(missing))}")
            continue
        department = rule.department.format(**{k: v or "" for k, v in values.items()})
        where = f" in {place.district}" if place.district else " (no district named)"
        reason = f"category '{category}'{where} → catalogue rule {rule.id} ({rule.category or 'any category'}, {rule.district or 'any district'})"
        if skipped:
            reason += f"; skipped {', '.join(skipped)}"
        return RoutingSuggestion(department=department, rule_id=rule.id, catalogue_version=f"{catalogue.catalogue_id}@{catalogue.version}",
                                 category=category, district=place.district, reason=reason)
    why = "no category suggested" if category is None else f"no rule for category '{category}'"
    if skipped:
        why += f" (skipped {', '.join(skipped)})"
    return RoutingSuggestion(department=catalogue.default.department, rule_id=catalogue.default.id,
                             catalogue_version=f"{catalogue.catalogue_id}@{catalogue.version}", category=category,
                             district=place.district, reason=f"{why} → default rule {catalogue.default.id}")
