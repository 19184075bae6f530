"""Adversarial: a catalogue of hostile inputs against a live pipeline on loopback (issue 19, kept fixed).

The development broker and the real stage processes (`hotline asr-worker`, `inspect-worker`,
`sink`) run from a temporary data folder, as `hotline demo` starts them. Most of the catalogue is
text and goes onto the bus as messages (transcripts as the ASR stage publishes them, inspections
as a re-judge publishes them, alerts, work-order events, and the raw bytes a broken producer
writes), so it costs no Whisper time; a few real files go through `hotline ingest` and the ASR
worker for what only recordings show (call identity, audio pathologies, silence).

Then everything is read back the way people read it: reconcile and the warehouse's accounting
(operators), every scoped query as each role without ``see_pii`` and the hotspot job's output
(analysts), markdown_text with the markdown-it check the tests use and the routing figures
(every page), load_recording with the configured roots (the call page's player), the dashboard
app itself under Streamlit's AppTest against the real user store (log-in floods, disabled and
changed accounts, the call page as an analyst), and the audit chain's verifier on tampered copies.

    .venv/bin/python -m bench.adversarial            # the whole catalogue, a few minutes on 2 cores
    .venv/bin/python -m bench.adversarial --quick    # no ASR stage, fewer of each kind (the test's run)

Prints every failed case; the last line is the JSON written to bench/results/adversarial.json
(adversarial_quick.json for --quick). Every count but inputs_tried and elapsed_s must be 0.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from bench import adversarial_inputs as inputs
from bench.hostile_text import HOSTILE, KEEP, MUST_MASK, leaks, page_markdown, rendered, strings_in
from bench.report import emit
from hotline.app.services import hotline_command, running_pid, start_service, stop_services, write_settings_file
from hotline.broker import DevBroker, free_port
from hotline.bus import Publisher, ensure_topics, make_producer
from hotline.contracts import AlertRaised, AudioChunk, CallInspected, Contract, DeadLetter, TranscriptReady, WorkOrderEvent
from hotline.settings import SETTINGS_FILE_ENV, BrokerSettings, Settings
from hotline.warehouse import access, audit, sqlfiles

log = logging.getLogger(__name__)

REPO = Path(__file__).resolve().parents[1]
APP = REPO / "dashboards" / "app.py"
PASSWORD = "adversarial correct horse"
# The client address the dashboard sees under AppTest (no peer: loopback).
APPTEST_CLIENT = "127.0.0.1"
DEPARTMENT_HTML = ' <a href="http://evil.example/go"><b>部门</b></a>'
# Every count that must be 0, in the order printed.
ZEROS = (
    "recordings_lost", "calls_unaccounted", "worker_crashes", "pii_leaks", "files_served_outside_roots", "markup_rendered",
    "audit_tamper_undetected", "scored_silence_as_failure", "logins_let_through", "sessions_kept_after_change",
    "audit_log_unbounded", "page_errors", "controls_failed",
)


@dataclass
class Tally:
    counts: Counter = field(default_factory=Counter)
    failed: list[str] = field(default_factory=list)

    def tried(self, n: int = 1) -> None:
        self.counts["inputs_tried"] += n

    def check(self, key: str, ok: bool, what: str) -> bool:
        """Count a failure of ``key`` unless ``ok``; returns ok."""
        if not ok:
            self.counts[key] += 1
            self.failed.append(f"{key}: {what}")
            print(f"FAILED {key}: {what}", flush=True)
        return ok


@dataclass
class Run:
    settings: Settings
    root: Path
    quick: bool
    tally: Tally
    expected_calls: set[str] = field(default_factory=set)  # every call id put on the bus as entering
    malformed: dict[tuple[str, int, int], str] = field(default_factory=dict)  # (topic, partition, offset) -> what
    recordings: dict[str, str] = field(default_factory=dict)  # sha256 -> file, of every real recording ingested
    silent: list[str] = field(default_factory=list)
    numbers_calls: list[str] = field(default_factory=list)
    markup_calls: list[str] = field(default_factory=list)
    crafted: list[inputs.CraftedCall] = field(default_factory=list)
    paths: dict[str, str] = field(default_factory=dict)  # call id -> what trick its source_uri plays
    path_uris: dict[str, str] = field(default_factory=dict)  # call id -> its source_uri as published
    good_path_call: str = "adv-path-good"

    @property
    def access_db(self) -> Path:
        return self.settings.dashboard.access_db


# --- set-up -------------------------------------------------------------------------------------


def make_settings(root: Path, bootstrap: str) -> Settings:
    return Settings(
        paths={"data_dir": root / "data"},
        kafka={"bootstrap_servers": bootstrap, "topic_prefix": f"adv{uuid.uuid4().hex[:6]}.", "client_id": "hotline-adversarial"},
        asr={"model_dir": REPO / "var" / "models" / "whisper-base"},
        warehouse={"database": root / "wh" / "hotline.duckdb", "snapshot": root / "wh" / "snapshot.duckdb"},
        samples={"out_dir": root / "samples"},
        dashboard={"access_db": root / "dashboard" / "access.sqlite3", "audio_roots": [root / "recordings"]},
    )


def alive(settings: Settings, name: str) -> bool:
    pid = running_pid(settings, name)
    if pid is None:
        return False
    waited, _ = os.waitpid(pid, os.WNOHANG)
    return waited == 0


def wait_for(predicate, timeout_s: float, every_s: float = 0.3):
    """Poll until predicate() returns something truthy; returns the last value either way."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(every_s)


def snapshot_rows(run: Run, sql: str, *params) -> list[tuple]:
    from hotline.warehouse.reader import SnapshotMissing, open_snapshot

    try:
        con = open_snapshot(run.settings.warehouse)
    except SnapshotMissing:
        return []
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


# --- what goes onto the bus ---------------------------------------------------------------------


def send_malformed(run: Run, contracts: tuple[type[Contract], ...]) -> None:
    """Raw values on every topic a stage reads: each must come back as a dead letter at its position."""
    cfg = run.settings.kafka
    producer = make_producer(cfg.model_copy(update={"max_message_bytes": 16 * 1024 * 1024}))
    try:
        for contract in contracts:
            short = contract.topic.split(".")[1]
            for what, value in inputs.malformed_values(contract, f"adv-bad-{short}", cfg.max_message_bytes):
                key = f"adv-bad-{short}-{what}"
                md = producer.send(cfg.topic(contract.topic), key=key.encode(), value=value).get(timeout=60)
                run.malformed[(md.topic, md.partition, md.offset)] = f"{contract.__name__} {what}"
        # A key that is not UTF-8 (the stage names the call by its key).
        md = producer.send(cfg.topic(TranscriptReady.topic), key=b"\xff\xfeadv-key", value=b"not json").get(timeout=60)
        run.malformed[(md.topic, md.partition, md.offset)] = "TranscriptReady with a key that is not UTF-8"
    finally:
        producer.close()
    run.tally.tried(len(run.malformed))


def ingest_recordings(run: Run) -> None:
    """Real files through `hotline ingest` (one process, as an operator runs it): pathologies and, with
    the ASR stage, the issue's colliding names, a redelivery and two recordings under one id."""
    from hotline.ingest.recording import recording_digest

    folder = run.root / "incoming"
    files = inputs.audio_pathologies(folder / "pathologies", with_asr=not run.quick)
    names = [] if run.quick else inputs.colliding_recordings(folder / "names")
    files += names
    for f in files:
        run.recordings[recording_digest(f)] = str(f)
    run.tally.tried(len(files))
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), SETTINGS_FILE_ENV: str(write_settings_file(run.settings))}
    out = subprocess.run(hotline_command("ingest", "--no-progress", *map(str, files)), capture_output=True, text=True, env=env, timeout=300)
    run.tally.check("controls_failed", out.returncode == 1 and "rejected" in out.stdout and "Traceback" not in out.stderr
                    and "invalid settings" not in out.stderr, f"`hotline ingest` of bad files: exit {out.returncode}, {out.stderr[-500:]}")
    if run.quick:
        return
    # The same recording again (a recorder retrying): the same call, not a second one.
    again = subprocess.run(hotline_command("ingest", "--no-progress", str(names[0])), capture_output=True, text=True, env=env, timeout=300)
    run.tally.check("controls_failed", again.returncode == 0, f"re-ingesting one recording: exit {again.returncode} {again.stdout[-300:]}")
    run.tally.tried()
    pub = Publisher.connect(run.settings.kafka)
    try:
        for chunk in inputs.chunk_collision("adv-chunk-collision"):
            pub.publish(chunk, chunk.call_id)
            run.recordings.setdefault(chunk.meta.recording_sha256, f"chunks of {chunk.call_id}")
        pub.flush()
    finally:
        pub.close()
    run.tally.tried(2)


def send_text_calls(run: Run) -> None:
    n_silent = 20 if run.quick else 200
    pub = Publisher.connect(run.settings.kafka)
    try:
        def send(msg: TranscriptReady) -> None:
            pub.publish(msg, msg.call_id)
            run.expected_calls.add(msg.call_id)

        for i in range(5):  # ordinary calls: the averages silence must leave alone
            send(inputs.ordinary_call(f"adv-ordinary-{i}"))
        for i in range(n_silent):
            run.silent.append(f"adv-silent-{i:03d}")
            send(inputs.silent_call(run.silent[-1], murmur=i % 10 == 9))
        run.tally.tried(n_silent)

        # Numbers: every corpus entry in every free-text field (the quick run: every entry in some field).
        fields = inputs.TEXT_FIELDS
        n = len(MUST_MASK)
        n_calls = 2 if run.quick else n
        for i in range(n_calls):
            call_id = f"adv-numbers-{i:02d}"
            pick = (lambda name, i=i: f"电话是{MUST_MASK[(i * len(fields) + fields.index(name)) % n][0]}") if run.quick else (
                lambda name, i=i: f"电话是{MUST_MASK[(i + fields.index(name)) % n][0]}")
            call = inputs.crafted_call(call_id, pick)
            # Ordinary numbers the analyst must still read, said by the caller too.
            said = call.transcript.segments[1]
            extra = tuple(said.model_copy(update={"text": text, "start_s": 100.0 + 4 * j, "end_s": 103.0 + 4 * j})
                          for j, text in enumerate(KEEP[:3] if run.quick else KEEP))
            call = inputs.CraftedCall(call.transcript.model_copy(update={"segments": call.transcript.segments + extra}),
                                      call.inspection, call.alert, call.events)
            run.crafted.append(call)
            run.numbers_calls.append(call_id)
            send(call.transcript)
        run.tally.tried(n_calls * len(fields))

        # Markup: every hostile string in every text and label field.
        n = len(HOSTILE)
        n_calls = 2 if run.quick else n
        for i in range(n_calls):
            call_id = f"adv-markup-{i:02d}"
            every = fields + inputs.LABEL_FIELDS
            at = (lambda name, i=i: (i * len(every) + every.index(name)) % n) if run.quick else (lambda name, i=i: (i + every.index(name)) % n)
            # Departments also carry HTML, which is what plotly (the routing charts) would render.
            pick = lambda name, at=at: HOSTILE[at(name)] + (DEPARTMENT_HTML if name == "work_order.department" else "")  # noqa: E731
            call = inputs.crafted_call(call_id, pick, pick)
            run.crafted.append(call)
            run.markup_calls.append(call_id)
            send(call.transcript)
        run.tally.tried(n_calls * (len(fields) + len(inputs.LABEL_FIELDS)))
        # A dead letter's reason is outside text too (ingest's, for a file no stage could read).
        dl = DeadLetter(stage="ingest", call_id="adv-markup-dead-letter", reason=HOSTILE[0], error_type="RecordingError",
                        source_uri=str(run.root / "incoming" / HOSTILE[1].replace("/", "_")))
        pub.publish(dl, dl.call_id)
        run.expected_calls.add(dl.call_id)
        run.tally.tried()

        # Path tricks: each call's recording location reaches for something that is not a recording.
        tricks = inputs.path_tricks(run.root, run.root / "recordings", run.access_db, write_settings_file(run.settings),
                                    run.settings.warehouse.database)
        send(inputs.ordinary_call(run.good_path_call, source_uri=tricks.good))
        run.path_uris[run.good_path_call] = tricks.good
        for i, (what, uri) in enumerate(tricks.tricks.items()):
            call_id = f"adv-path-{i:02d}"
            run.paths[call_id] = what
            run.path_uris[call_id] = uri
            send(inputs.ordinary_call(call_id, source_uri=uri))
        run.tally.tried(len(tricks.tricks))
        pub.flush()
    finally:
        pub.close()


def send_crafted_rest(run: Run) -> None:
    """The inspections (as re-judged), alerts and work-order events of the crafted calls."""
    pub = Publisher.connect(run.settings.kafka)
    try:
        for call in run.crafted:
            pub.publish(call.inspection, call.call_id)
            pub.publish(call.alert, call.call_id)
            for event in call.events:
                pub.publish(event, event.work_order_id)
        pub.flush()
    finally:
        pub.close()


# --- waiting and accounting ---------------------------------------------------------------------


def dead_letter_positions(run: Run) -> set[tuple[str, int, int]]:
    rows = snapshot_rows(run, "SELECT original_topic, original_partition, original_offset FROM dead_letters WHERE original_topic IS NOT NULL")
    return {(t, p, o) for t, p, o in rows}


def settled(run: Run) -> bool:
    from hotline.app.accounting import account_calls
    from hotline.app.reconcile import reconcile

    acct = account_calls(run.settings.warehouse, run.expected_calls)
    if acct.pending or not set(run.malformed) <= dead_letter_positions(run):
        return False
    # The recordings the ASR stage transcribes: reconcile reads what entered from the bus itself.
    return not run.recordings or not reconcile(run.settings).stuck


def crafted_stored(run: Run) -> bool:
    ids = [c.call_id for c in run.crafted]
    (n,), = snapshot_rows(run, "SELECT count(*) FROM inspections WHERE scorecard_version = 'adv' AND list_contains(?, call_id)", ids) or [(0,)]
    (m,), = snapshot_rows(run, "SELECT count(DISTINCT event_id) FROM work_order_events WHERE list_contains(?, call_id)", ids) or [(0,)]
    return n == len(ids) and m == 3 * len(ids)


def check_accounting(run: Run) -> dict:
    from hotline.app.accounting import account_calls
    from hotline.app.reconcile import reconcile, scan_topics

    t = run.tally
    report = reconcile(run.settings)
    acct = account_calls(run.settings.warehouse, run.expected_calls)
    for call_id in sorted(acct.pending):
        t.check("calls_unaccounted", False, f"{call_id} neither landed nor dead-lettered ({acct.outcomes.get(call_id, 'not stored')})")
    for stuck in report.stuck:
        if stuck.recording_sha256 is None:
            t.check("calls_unaccounted", False, f"reconcile lists {stuck.call_id} as stuck at {stuck.reached}")
    t.check("calls_unaccounted", not report.duplicates, f"calls landed twice: {list(report.duplicates)[:5]}")
    positions = dead_letter_positions(run)
    for pos, what in run.malformed.items():
        t.check("calls_unaccounted", pos in positions, f"malformed {what} at {pos} was not dead-lettered")

    # Every recording: transcribed under some call that landed, or named by a dead letter.
    if run.recordings:
        bus = scan_topics(run.settings.kafka, (TranscriptReady.topic, DeadLetter.topic))
        transcribed: dict[str, str] = {}
        for r in bus[TranscriptReady.topic]:
            try:
                msg = TranscriptReady.decode(r.value)
            except (ValueError, RecursionError):
                continue
            if msg.is_final and msg.meta.recording_sha256:
                transcribed[msg.meta.recording_sha256] = msg.call_id
        named: set[str] = set()
        for r in bus[DeadLetter.topic]:
            try:
                dl = DeadLetter.decode(r.value)
            except (ValueError, RecursionError):
                continue
            named |= {x for x in (dl.recording_sha256, dl.source_uri) if x}
        landed = account_calls(run.settings.warehouse, set(transcribed.values())).outcomes
        for digest, where in run.recordings.items():
            ok = (digest in transcribed and landed.get(transcribed[digest]) == "inspected") or digest in named or where in named
            t.check("recordings_lost", ok, f"recording {where} ({digest[:12]}) neither landed nor dead-lettered")
        for stuck in report.stuck:
            if stuck.recording_sha256 is not None:
                t.check("recordings_lost", False, f"reconcile: recording {stuck.recording_sha256[:12]} lost under {stuck.call_id}")
    return report.summary()


def check_silence(run: Run) -> None:
    t = run.tally
    rows = snapshot_rows(run, "SELECT call_id, score, review_state, fatal FROM inspections WHERE list_contains(?, call_id)", run.silent)
    seen = {r[0] for r in rows}
    for call_id, score, review_state, fatal in rows:
        t.check("scored_silence_as_failure", score is None and review_state == "auto_pass" and not fatal,
                f"silent call {call_id}: score {score}, {review_state}, fatal {fatal}")
    t.check("calls_unaccounted", seen == set(run.silent), f"silent calls not inspected: {sorted(set(run.silent) - seen)[:5]}")
    # The real silent recording (through ASR), when there was one.
    silence = next((w for w in run.recordings.values() if w.endswith("silence.wav")), None)
    if silence is not None:
        from hotline.ingest.recording import call_id_for, recording_digest

        call_id = call_id_for(Path(silence), recording_digest(Path(silence)))
        got = snapshot_rows(run, "SELECT score, review_state FROM inspections WHERE call_id = ?", call_id)
        t.check("scored_silence_as_failure", bool(got) and got[0] == (None, "auto_pass"), f"the silent recording {call_id}: {got}")
    # The centre's average is the ordinary calls' average: silence moved nothing.
    supervisor = access.account(run.access_db, "supervisor")
    kpis = scoped(run, supervisor, "access_kpis").row(0, named=True)
    (avg,), = snapshot_rows(run, "SELECT avg(i.score) FROM inspections AS i JOIN calls AS c USING (call_id) "
                                 "WHERE c.centre_id = 'centre-01' AND i.score IS NOT NULL")
    t.check("scored_silence_as_failure", kpis["avg_score"] is not None and abs(kpis["avg_score"] - avg) < 0.051 and kpis["calls_not_scored"] >= len(run.silent),
            f"centre figures with silent calls: avg {kpis['avg_score']} (scored calls' average {avg}), not scored {kpis['calls_not_scored']}")


# --- reading back as people do ------------------------------------------------------------------


def scoped(run: Run, user: access.User, name: str, **params):
    from hotline.warehouse.reader import run_query

    return access.run_scoped(user, name, lambda n, p: run_query(run.settings.warehouse, n, **p), params)


def everything_read_by(run: Run, user: access.User, call_ids: list[str]) -> list[str]:
    """Every string every scoped query returns for ``user`` about ``call_ids`` (their own rows or lists)."""
    out: list[str] = []
    for name in sqlfiles.list_names("queries"):
        if not name.startswith("access_") or name.endswith("_rollup") or name == "access_calls_newest_day":
            continue
        taken = sqlfiles.parameters(name)
        runs = [{"call_id": c} for c in call_ids] if "call_id" in taken else [{}]
        for params in runs:
            if "call_ids" in taken:
                params["call_ids"] = call_ids
            frame = scoped(run, user, name, **params)
            out += [s for row in frame.iter_rows(named=True) for col, v in row.items() if col != "call_id" for s in strings_in(v)]
    return out


def check_masking(run: Run) -> None:
    from hotline.warehouse.hotspot_store import read_for_user
    from hotline.warehouse.jobs import refresh_hotspots

    t = run.tally
    refresh_hotspots(run.settings, run.settings.jobs)
    hotspots = run.settings.jobs.root(run.settings) / "hotspots"
    masked_roles = [r for r in access.ROLES if "see_pii" not in access.PERMISSIONS[r]]
    users = {u.role: u for u in (access.account(run.access_db, name) for name, _r, _d in access.DEMO_USERS) if u is not None}
    supervisor_sees = "\n".join(everything_read_by(run, users["qa_supervisor"], run.numbers_calls))
    planted = {said for said, _ in MUST_MASK}
    # The control: the numbers are there to leak (a supervisor reads every one of them).
    t.check("controls_failed", set(leaks(supervisor_sees)) == planted, f"a supervisor does not see every planted number: {planted - set(leaks(supervisor_sees))}")
    for role in masked_roles:
        user = users[role]
        texts = everything_read_by(run, user, run.numbers_calls)
        for text in texts:
            for said in leaks(text):
                t.check("pii_leaks", False, f"{role} reads {said!r} in {text[:80]!r}")
        shown = "\n".join(texts)
        for keep in KEEP if not run.quick else KEEP[:3]:
            t.check("controls_failed", keep in shown, f"{role} cannot read the ordinary text {keep!r}")
        stored = read_for_user(hotspots, user)
        hotspot_texts = [s for f in (stored.frames.values() if stored else ()) for row in f.iter_rows(named=True) for s in strings_in(list(row.values()))]
        for text in hotspot_texts:
            for said in leaks(text):
                t.check("pii_leaks", False, f"{role} reads {said!r} in the hotspot job's output {text[:80]!r}")


def check_markup(run: Run) -> None:
    from hotline.dashboards import routing_figures
    from hotline.dashboards.plain import markdown_text, plot_text

    t = run.tally
    supervisor = access.account(run.access_db, "supervisor")
    texts = set(everything_read_by(run, supervisor, run.markup_calls + ["adv-markup-dead-letter"]))
    texts |= {s for row in scoped(run, access.account(run.access_db, "admin"), "access_dead_letters").iter_rows(named=True) for s in strings_in(list(row.values()))}
    planted = [s for s in texts if any(h in s for h in HOSTILE)]
    t.check("controls_failed", len(planted) >= len(HOSTILE), f"only {len(planted)} stored strings carry the planted markup")
    for text in texts:
        shown, markup = rendered(markdown_text(text))
        t.check("markup_rendered", not markup and shown.strip() == text.strip(), f"{text[:60]!r} renders as {markup} / {shown[:60]!r}")
    # Charts: plotly renders HTML in labels.
    figures = [routing_figures.department_league(scoped(run, supervisor, "access_routing_departments")),
               routing_figures.bounce_flows(scoped(run, supervisor, "access_routing_bounces"))]
    for fig in figures:
        labels = strings_in(json.loads(fig.to_json()))
        for s in labels:
            t.check("markup_rendered", "<a " not in s and "<b>" not in s and "<img" not in s, f"a chart label carries HTML: {s[:60]!r}")
        t.check("controls_failed", any(plot_text(DEPARTMENT_HTML) in s for s in labels), "the charts do not show the planted department names")


def check_paths(run: Run) -> None:
    from hotline.dashboards.transcript import RecordingRefused, load_recording, recording_roots

    t = run.tally
    supervisor = access.account(run.access_db, "supervisor")
    roots = recording_roots(run.settings)
    max_bytes = run.settings.dashboard.audio_max_mb * 2**20
    for call_id, published in run.path_uris.items():
        # The location as the call page reads it from the warehouse (what the stage stored).
        frame = scoped(run, supervisor, "access_call", call_id=call_id)
        uri = frame["source_uri"][0] if frame.height else published
        try:
            served = load_recording(uri, roots, max_bytes=max_bytes)
        except RecordingRefused:
            served = None
        except Exception as exc:  # noqa: BLE001 - the call page would end with this
            t.check("page_errors", False, f"load_recording({uri[:60]!r}) raised {type(exc).__name__}: {exc}")
            continue
        if call_id == run.good_path_call:
            t.check("controls_failed", served is not None and served.data[:4] == b"RIFF", f"the real recording {uri} was not served")
        else:
            t.check("files_served_outside_roots", served is None, f"{run.paths[call_id]}: {uri[:80]!r} served {served and served.path}")


# --- the dashboard itself (Streamlit AppTest, the real app, the real user store) ----------------


def _app():
    import streamlit as st
    import streamlit.logger
    from streamlit.testing.v1 import AppTest

    streamlit.logger.set_log_level("error")  # "no runtime found" and the like, once per app run
    st.cache_resource.clear()
    st.cache_data.clear()
    return AppTest.from_file(str(APP), default_timeout=120).run()


def _log_in(at, username: str, password: str):
    at.text_input(key="login_username").input(username)
    at.text_input(key="login_password").input(password)
    return at.button[0].click().run()


def _signed_in(at) -> bool:
    from hotline.dashboards.data import USER_KEY

    return USER_KEY in at.session_state


def check_dashboard(run: Run) -> None:
    t = run.tally
    # The app loads its settings as in production: from the file HOTLINE_SETTINGS_FILE names.
    os.environ[SETTINGS_FILE_ENV] = str(write_settings_file(run.settings))
    db = run.access_db

    # The call page as each masked role, and the markup calls as a supervisor.
    demo = {role: name for name, role, _display in access.DEMO_USERS}
    masked = [demo[r] for r in access.ROLES if "see_pii" not in access.PERMISSIONS[r]]
    pages = [(username, c) for username in masked for c in run.numbers_calls[:1 if run.quick else 3]]
    pages += [("supervisor", c) for c in run.markup_calls[:1 if run.quick else len(run.markup_calls)]]
    for username, call_id in pages:
        at = _log_in(_app(), username, PASSWORD)
        if not t.check("controls_failed", _signed_in(at), f"{username} cannot sign in: {[e.value for e in at.error]}"):
            continue
        at.query_params.update(call_id=call_id)
        at.switch_page("views/call.py")
        at.run()
        if not t.check("page_errors", not at.exception, f"the call page of {call_id} as {username}: {[e.value for e in at.exception]}"):
            continue
        sources = page_markdown(at)
        shown = [rendered(s) for s in sources]
        text = "\n".join(s for s, _ in shown)
        if call_id in run.markup_calls:
            for source, (_, markup) in zip(sources, shown):
                extra = [m for m in markup if m != "strong_open"]
                t.check("markup_rendered", not extra, f"the call page of {call_id} renders {extra} from {source[:60]!r}")
            t.check("controls_failed", any(h in text for h in HOSTILE), f"the call page of {call_id} does not show the planted text")
        else:
            frames = "\n".join(str(df.value.to_dict()) for df in at.dataframe)
            for said in leaks(text + frames):
                t.check("pii_leaks", False, f"the call page of {call_id} shows {username} {said!r}")
            t.check("controls_failed", access.NUMBER_MASK in text, f"the call page of {call_id} shows no masked number")
        t.tried()

    # An open tab follows the account: disabled, sessions ended, role changed, password changed.
    changes = {
        "disabled": lambda: access.disable_user(db, "teamlead"),
        "sessions ended": lambda: access.end_sessions(db, "supervisor"),
        "role changed": lambda: access.add_user(db, "analyst", "policy_analyst", PASSWORD, centre_id="centre-02"),
        "password changed": lambda: access.add_user(db, "admin", "admin", PASSWORD + " new"),
    }
    for (what, change), username in zip(changes.items(), ("teamlead", "supervisor", "analyst", "admin")):
        at = _log_in(_app(), username, PASSWORD)
        if not t.check("controls_failed", _signed_in(at), f"{username} cannot sign in before the change"):
            continue
        change()
        at.run()
        t.check("sessions_kept_after_change", not _signed_in(at) and not at.exception, f"{username}'s open tab stays signed in after: {what}")
        t.tried()
    at = _log_in(_app(), "teamlead", PASSWORD)
    t.check("logins_let_through", not _signed_in(at), "a disabled user signed in with the right password")
    at = _log_in(_app(), "admin", PASSWORD)
    t.check("logins_let_through", not _signed_in(at), "the old password still signs in after a change")
    t.tried(2)

    # Floods from one client: many wrong passwords for one account, then the right one at once; then
    # guesses at many names until the client is locked, then another account's right password.
    from hotline.warehouse import login_throttle

    at = _app()
    flood = 12 if run.quick else 30
    for _ in range(flood):
        _log_in(at, "supervisor", "guess")
    _log_in(at, "supervisor", PASSWORD)
    t.check("logins_let_through", not _signed_in(at), f"{flood} wrong passwords, then the right one signed in at once")
    names = 0
    for names in range(1, 3 * login_throttle.CLIENT_FREE_FAILURES):
        _log_in(at, f"guess-{names}", "guess")
        if login_throttle.wait_s(db, "(nobody)", APPTEST_CLIENT) >= 1.0:
            break
    locked = login_throttle.wait_s(db, "(nobody)", APPTEST_CLIENT) > 0
    t.check("logins_let_through", locked, f"a client guessing {names} names is not throttled")
    _log_in(at, "analyst", PASSWORD)
    t.check("logins_let_through", not _signed_in(at), "another account's right password signed in from the flooding client")
    t.tried(flood + names + 2)
    failures = audit.read_log(db, action="login_failed").height
    attempts = flood + names + 2
    bound = login_throttle.CLIENT_FREE_FAILURES + 2 * attempts.bit_length()
    t.check("audit_log_unbounded", failures <= bound, f"{attempts} failed log-ins wrote {failures} audit rows (bound {bound})")


def check_audit(run: Run) -> None:
    from hotline.warehouse.audit import verify_audit_chain

    t = run.tally
    store = run.access_db
    cases = run.root / "audit-cases"
    logging.getLogger("hotline.warehouse.audit").setLevel(logging.CRITICAL)  # each detected tampering is logged as an error
    control = inputs.copy_store(store, cases / "control")
    check = verify_audit_chain(control)
    t.check("controls_failed", check.intact and check.entries >= 10, f"the untouched log does not verify: {check.problem} ({check.entries} entries)")
    for i, (what, tamper) in enumerate(inputs.AUDIT_TAMPERING.items()):
        copy = inputs.copy_store(store, cases / f"case-{i:02d}")
        tamper(copy)
        check = verify_audit_chain(copy)
        t.check("audit_tamper_undetected", not check.intact, f"{what}: audit verify says intact ({check.entries} entries)")
        t.tried()
        if what == "delete the newest 3 entries":  # the operator's command says so too
            env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOTLINE_DASHBOARD__ACCESS_DB": str(copy)}
            out = subprocess.run(hotline_command("audit-verify"), capture_output=True, text=True, env=env, timeout=120, cwd=run.root)
            t.check("audit_tamper_undetected", out.returncode == 1 and "NOT INTACT" in out.stderr, f"`hotline audit-verify` after {what}: exit {out.returncode}")


# --- the run ------------------------------------------------------------------------------------


def run_catalogue(root: Path, quick: bool) -> dict:
    t0 = time.monotonic()
    tally = Tally()
    summary: dict = {}
    settings_file_before = os.environ.get(SETTINGS_FILE_ENV)
    broker = DevBroker(BrokerSettings(port=free_port()), log_path=root / "broker.log")
    broker.start()
    try:
        settings = make_settings(root, broker.bootstrap)
        ensure_topics(settings.kafka)
        access.create_demo_users(settings.dashboard.access_db, centre_id="centre-01", team_id="team-01", password=PASSWORD)
        run = Run(settings, root, quick, tally)
        workers = ("inspect-worker", "sink") + (() if quick else ("asr-worker",))
        for name in workers:
            start_service(settings, name, hotline_command(name))
        try:
            contracts = (TranscriptReady, CallInspected, AlertRaised, DeadLetter, WorkOrderEvent) + (() if quick else (AudioChunk,))
            send_malformed(run, contracts)
            ingest_recordings(run)
            send_text_calls(run)
            print(f"sent {tally.counts['inputs_tried']} inputs in {time.monotonic() - t0:.0f} s; waiting for the pipeline", flush=True)
            tally.check("calls_unaccounted", bool(wait_for(lambda: settled(run), 150 if quick else 300, every_s=1.0)),
                        "the pipeline did not settle in time (see the checks below)")
            send_crafted_rest(run)
            tally.check("controls_failed", bool(wait_for(lambda: crafted_stored(run), 120, every_s=1.0)), "the crafted inspections and work orders were not stored")
            print(f"pipeline settled at {time.monotonic() - t0:.0f} s; reading back", flush=True)
            summary = check_accounting(run)
            crashed = [w for w in workers if not alive(settings, w)]
            for name in crashed:
                tally.check("worker_crashes", False, f"{name} died (log: {settings.paths.under('log', name + '.log')})")
            check_silence(run)
            check_masking(run)
            check_markup(run)
            check_paths(run)
        finally:
            stop_services(settings, workers)
        check_dashboard(run)
        check_audit(run)
    finally:
        broker.stop()
        if settings_file_before is None:
            os.environ.pop(SETTINGS_FILE_ENV, None)
        else:
            os.environ[SETTINGS_FILE_ENV] = settings_file_before
    result = {"quick": quick, "inputs_tried": tally.counts["inputs_tried"]}
    result |= {key: tally.counts[key] for key in ZEROS}
    result |= {"reconcile": summary, "elapsed_s": round(time.monotonic() - t0, 1), "failed": tally.failed[:50]}
    return result


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(prog="bench.adversarial", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="no ASR stage, fewer of each kind (what the test runs)")
    parser.add_argument("--keep", type=Path, default=None, help="run in this folder and keep it (logs, warehouse, user store)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("kafka").setLevel(logging.ERROR)
    logging.getLogger("streamlit").setLevel(logging.ERROR)
    if args.keep is not None:
        args.keep.mkdir(parents=True, exist_ok=True)
        result = run_catalogue(args.keep.resolve(), args.quick)
    else:
        with tempfile.TemporaryDirectory(prefix="hotline-adversarial-") as tmp:
            result = run_catalogue(Path(tmp), args.quick)
    for key in ZEROS:
        print(f"{key}: {result[key]}")
    return emit("adversarial_quick" if args.quick else "adversarial", result)


if __name__ == "__main__":
    figures = main()
    sys.exit(0 if all(figures[k] == 0 for k in ZEROS) else 1)
