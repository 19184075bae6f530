"""A realistic, deterministic work-order history for the sample calls.

Each sample call (its truth: category, district, address, department; its meta: start time)
gets a work order whose lifecycle a centre's work-order system would report: created when the
call ends, dispatched to a department, replied, closed, and a satisfaction callback. Some
orders go wrong the way they do in practice: dispatched to the wrong unit and returned (退单),
bounced between departments (推诿), extended and closed late, still open past their due time,
or reopened after a dissatisfied callback. One complaint (投诉) is downgraded: recorded as a 咨询,
with a 咨询's time limit, the discrepancy the warehouse's work_order_discrepancies finds (issue 4).
Which call gets which story is drawn from a hash of
its id, so the history is the same on every run.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from hotline.contracts import WorkOrderEvent

# Order of the stories handed out to non-praise calls, by hash rank: every story appears once
# there are six such calls, the rest go the normal way.
STORIES = ("rerouted", "overdue_open", "reopened", "bounced", "overdue_closed", "rerouted")
# Departments a dispatcher plausibly confuses with the right one (the wrong first choice).
_MISROUTES = ("{district}住房和城乡建设局", "{district}城市管理局", "{district}人力资源和社会保障局")
_CONSULT_SUBCATEGORIES = {"社保", "入学"}


@dataclass(frozen=True)
class SampleCall:
    call_id: str
    started_at: datetime
    duration_s: float
    category: str
    subcategory: str
    district: str
    address: str
    department: str
    caller_sentiment: str


def read_sample_call(call_dir: Path) -> SampleCall:
    """The fields the history needs from a generated call folder (truth.json + meta.json)."""
    truth = json.loads((call_dir / "truth.json").read_text(encoding="utf-8"))
    meta = json.loads((call_dir / "meta.json").read_text(encoding="utf-8"))
    return SampleCall(
        call_id=truth["call_id"],
        started_at=datetime.fromisoformat(meta["started_at"]),
        duration_s=float(truth["duration_s"]),
        category=truth["category"],
        subcategory=truth["subcategory"],
        district=truth["district"],
        address=truth["address"],
        department=truth["department"],
        caller_sentiment=truth["caller_sentiment"],
    )


def sample_calls_from_scripts() -> list[SampleCall]:
    """The same fields straight from devtools/samples/scripts.yaml (no audio needed; duration estimated)."""
    from .scripts import load_scripts

    return [
        SampleCall(
            call_id=c.call_id,
            started_at=c.started_at,
            duration_s=20.0 + 6.0 * len(c.turns),
            category=c.category,
            subcategory=c.subcategory,
            district=c.district,
            address=c.address,
            department=c.department,
            caller_sentiment=c.caller_sentiment,
        )
        for c in load_scripts().calls
    ]


def recorded_type(call: SampleCall) -> str:
    if call.subcategory == "表扬" or call.category.startswith("表扬"):
        return "表扬"
    if call.caller_sentiment in ("angry", "dissatisfied"):
        return "投诉"
    if call.subcategory in _CONSULT_SUBCATEGORIES:
        return "咨询"
    return "求助"


def assign_stories(calls: Sequence[SampleCall]) -> dict[str, str]:
    """call_id -> story; praise is always "praise", the others by rank of a hash of their id."""
    stories = {c.call_id: "praise" for c in calls if recorded_type(c) == "表扬"}
    others = sorted((c for c in calls if c.call_id not in stories), key=lambda c: zlib.crc32(c.call_id.encode("utf-8")))
    for rank, call in enumerate(others):
        stories[call.call_id] = STORIES[rank] if rank < len(STORIES) else "normal"
    return stories


def downgraded_call(calls: Sequence[SampleCall], stories: dict[str, str]) -> str | None:
    """The complaint recorded as a 咨询: one whose order otherwise goes the normal way, so the
    downgrade is the only thing wrong with it (lowest hash first, for the same one every run)."""
    complaints = sorted((c for c in calls if recorded_type(c) == "投诉"), key=lambda c: (stories.get(c.call_id) != "normal", zlib.crc32(c.call_id.encode("utf-8"))))
    return complaints[0].call_id if complaints else None


class _History:
    def __init__(self, call: SampleCall, work_order_id: str, kind_of_matter: str):
        self.call = call
        self.work_order_id = work_order_id
        self.kind_of_matter = kind_of_matter
        self.events: list[WorkOrderEvent] = []

    def add(self, kind: str, at: datetime, **fields) -> None:
        self.events.append(
            WorkOrderEvent(
                event_id=f"{self.work_order_id}-{len(self.events) + 1:02d}",
                work_order_id=self.work_order_id,
                call_id=self.call.call_id,
                kind=kind,  # type: ignore[arg-type]
                occurred_at=at,
                **fields,
            )
        )


def _wrong_department(call: SampleCall) -> str:
    for template in _MISROUTES:
        candidate = template.format(district=call.district)
        if candidate != call.department:
            return candidate
    raise AssertionError("unreachable: the templates give at least two different departments")


def history_for(call: SampleCall, story: str, *, downgraded: bool = False) -> list[WorkOrderEvent]:
    """The events of one call's work order under the given story; ``downgraded``: a 投诉 recorded as a 咨询."""
    h = int(zlib.crc32(call.call_id.encode("utf-8")))
    work_order_id = f"WO{call.started_at:%Y%m%d}{h % 10000:04d}"
    kind_of_matter = "咨询" if downgraded and recorded_type(call) == "投诉" else recorded_type(call)
    life = _History(call, work_order_id, kind_of_matter)
    created = call.started_at + timedelta(seconds=call.duration_s + 60 + h % 180)
    sla = {"投诉": 120, "求助": 72, "咨询": 24, "表扬": 240}[kind_of_matter]
    due = created + timedelta(hours=sla)
    life.add(
        "created", created, category=call.category, recorded_type=kind_of_matter, district=call.district,
        address=call.address, due_at=due, note=f"{call.subcategory}：来电人反映{call.address}相关问题",
    )
    if story == "praise":
        life.add("closed", created + timedelta(minutes=10), note="表扬类工单，转达被表扬单位后办结")
        return life.events
    dispatch_at = created + timedelta(minutes=20 + h % 70)
    right = call.department
    if story == "rerouted":
        wrong = _wrong_department(call)
        life.add("dispatched", dispatch_at, department=wrong)
        life.add("returned", dispatch_at + timedelta(hours=5), department=wrong, note="不属于本单位职责范围，申请退单")
        dispatch_at = dispatch_at + timedelta(hours=6)
    if story == "bounced":
        wrong = _wrong_department(call)
        life.add("dispatched", dispatch_at, department=right)
        life.add("transferred", dispatch_at + timedelta(hours=20), department=wrong, from_department=right, note="建议由属地职能部门办理")
        life.add("returned", dispatch_at + timedelta(hours=44), department=wrong, note="非本单位职责，退回热线中心")
        life.add("dispatched", dispatch_at + timedelta(hours=50), department=right, note="经协调明确由原单位办理")
        # Still open: the order has been passed around past its due time.
        return life.events
    life.add("dispatched", dispatch_at, department=right)
    if story == "overdue_open":
        return life.events
    # Departments reply within 20-50% of the time limit (a 咨询 in hours, a 投诉 in days), so
    # only the stories meant to be late are late, whatever the limit.
    reply_at = dispatch_at + timedelta(hours=sla * (0.2 + 0.3 * (h % 100) / 100))
    if story == "overdue_closed":
        life.add("extended", dispatch_at + timedelta(hours=sla * 0.8), department=right, due_at=due + timedelta(hours=24), note="需协调多方，申请延期一天")
        reply_at = due + timedelta(hours=40)
    life.add("replied", reply_at, department=right, note="已安排人员现场核查处理")
    life.add("closed", reply_at + timedelta(hours=1))
    if story == "reopened":
        # Reopened orders start over: the second round is quick, but counts against the same due time.
        life.add("callback", reply_at + timedelta(hours=sla * 0.1), satisfaction="dissatisfied", note="来电人表示问题仍未解决")
        life.add("reopened", reply_at + timedelta(hours=sla * 0.1 + 0.5), note="回访不满意，重启工单")
        life.add("replied", reply_at + timedelta(hours=sla * 0.2), department=right, note="已再次处理并电话告知来电人")
        life.add("closed", reply_at + timedelta(hours=sla * 0.2 + 0.5))
        life.add("callback", reply_at + timedelta(hours=sla * 0.3), satisfaction="basically_satisfied")
        return life.events
    satisfaction = "dissatisfied" if story == "overdue_closed" else ("basically_satisfied" if h % 3 == 0 else "satisfied")
    life.add("callback", reply_at + timedelta(hours=24), satisfaction=satisfaction)
    return life.events


def make_work_order_events(calls: Iterable[SampleCall]) -> list[WorkOrderEvent]:
    """The work-order events of all given sample calls, each order's in time order."""
    calls = list(calls)
    stories = assign_stories(calls)
    downgraded = downgraded_call(calls, stories)
    return [e for c in calls for e in history_for(c, stories[c.call_id], downgraded=c.call_id == downgraded)]


def sample_work_order_events(call_dirs: Sequence[Path] | None = None) -> list[WorkOrderEvent]:
    """From generated call folders (their truth.json/meta.json), or from the scripts when none are given."""
    calls = [read_sample_call(Path(d)) for d in call_dirs] if call_dirs else sample_calls_from_scripts()
    return make_work_order_events(calls)
