"""Reference data (centres, teams, agents, districts, departments, routing rules, SLA) from YAML.

The packaged ``reference.yaml`` describes the sample city; a centre points
``load_reference(path)`` at its own file. Only the writer loads it (``open_writer`` does, at
start), as upserts: rows are never deleted, so history keeps its names.
"""

from __future__ import annotations

import logging
from importlib import resources
from pathlib import Path

import duckdb
import yaml
from pydantic import BaseModel, ConfigDict

from hotline.warehouse import sqlfiles
from hotline.warehouse.workorders import rebuild_routing_rollups

log = logging.getLogger(__name__)


class _Row(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Centre(_Row):
    centre_id: str
    name: str
    city: str | None = None


class Team(_Row):
    team_id: str
    centre_id: str
    name: str
    leader: str | None = None


class Agent(_Row):
    agent_id: str
    team_id: str
    name: str
    job_number: str | None = None


class District(_Row):
    district: str
    city: str | None = None


class Department(_Row):
    department: str
    kind: str
    district: str | None = None


class RoutingRule(_Row):
    category: str
    department: str


class SlaPolicy(_Row):
    recorded_type: str
    sla_hours: float


class Reference(_Row):
    version: str
    centres: tuple[Centre, ...] = ()
    teams: tuple[Team, ...] = ()
    agents: tuple[Agent, ...] = ()
    districts: tuple[District, ...] = ()
    departments: tuple[Department, ...] = ()
    routing_rules: tuple[RoutingRule, ...] = ()
    sla_policies: tuple[SlaPolicy, ...] = ()


# Table name -> the field of Reference that fills it (same names, listed for the load order).
_TABLES = ("centres", "teams", "agents", "districts", "departments", "routing_rules", "sla_policies")


def load_reference(path: Path | None = None) -> Reference:
    """The reference file at ``path``, or the packaged one."""
    if path is None:
        text = resources.files("hotline.warehouse").joinpath("reference.yaml").read_text(encoding="utf-8")
    else:
        text = Path(path).read_text(encoding="utf-8")
    return Reference.model_validate(yaml.safe_load(text))


def store_reference(con: duckdb.DuckDBPyConnection, reference: Reference) -> None:
    """Upsert every reference table in one transaction (writer connection only)."""
    con.begin()
    try:
        rules_before = con.execute(sqlfiles.load("reference_routing_rules", "internal")).fetchall()
        for table in _TABLES:
            rows = [r.model_dump() for r in getattr(reference, table)]
            if rows:
                con.execute(sqlfiles.load(f"upsert_reference_{table}", "internal"), {"rows": rows})
        if con.execute(sqlfiles.load("reference_routing_rules", "internal")).fetchall() != rules_before:
            # Routing agreement is judged with the rules when an order is rolled up (work_order_days).
            rebuild_routing_rollups(con)
        con.execute(sqlfiles.load("record_reference_version", "internal"), {"name": "reference", "version": reference.version})
        con.commit()
    except BaseException:
        con.rollback()
        raise
    log.info("warehouse: reference data %s loaded", reference.version)
