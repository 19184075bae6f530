"""Transcript retention, for the writer: only the sink's connection may delete from the warehouse.

Jobs cannot open the warehouse file (the sink holds it), so transcript purging is a writer-side
step: call ``purge_expired_transcripts`` on the sink's connection (e.g. once a day between
batches). Recordings and job outputs are files and are handled by the retention job itself.
"""

from __future__ import annotations

import logging
from datetime import datetime

import duckdb

from hotline.warehouse import sqlfiles

log = logging.getLogger(__name__)


def purge_expired_transcripts(con: duckdb.DuckDBPyConnection, before: datetime) -> int:
    """Delete the turns of calls started before ``before``, and the quotes in their checks' evidence,
    in one transaction; returns turns deleted. Calls, scores, verdicts and work orders stay."""
    con.begin()
    try:
        deleted = con.execute(sqlfiles.load("purge_turns_before", "internal"), {"before": before}).fetchall()[0][0]
        quotes = con.execute(sqlfiles.load("purge_evidence_quotes_before", "internal"), {"before": before}).fetchall()[0][0]
        # The coaching examples (coaching_examples) keep copies of failed checks' quotes.
        con.execute(sqlfiles.load("purge_coaching_quotes_before", "internal"), {"before": before})
        con.commit()
    except BaseException:
        con.rollback()
        raise
    if deleted or quotes:
        log.info("retention: deleted %d transcript turns (and quotes of %d checks) of calls before %s", deleted, quotes, before.isoformat())
    return int(deleted)
