"""The ASR stage: audio chunks in, one ``TranscriptReady`` per call out.

- ``model_files.prepare_whisper_model``: assemble Whisper base from its two PyPI packages.
- ``transcriber.Transcriber``: one loaded faster-whisper model; ``transcribe_call`` per call.
- ``assembler.CallAssembler``: chunks -> whole calls, and the offsets that are safe to commit.
- ``worker.run_asr_worker``: the Kafka consumer loop tying them together.
"""
