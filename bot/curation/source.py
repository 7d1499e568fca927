"""What the report needs beyond the database, for the running bot: the playbooks folder and
an embedding function (the live advisor's model, so serving loads no second copy)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from bot.curation.gather import ReportRequest, gather_report, known_abbreviations, library
from bot.curation.report import CuratorReport, Embed
from storage.engine import SessionFactory


class CurationSource:
    """Builds the curators' report on demand (App Home, the weekly digest)."""

    def __init__(
        self,
        *,
        playbooks_dir: Path,
        embed: Embed,
        retention_days: int,
        days: int = 7,
        max_file_bytes: int | None = None,
    ) -> None:
        self.playbooks_dir = playbooks_dir
        self.embed = embed
        self.retention_days = retention_days
        self.days = days
        self._max = max_file_bytes

    def report(self, sessions: SessionFactory, *, now: datetime) -> CuratorReport:
        kwargs = {} if self._max is None else {"max_bytes": self._max}
        documents = library(self.playbooks_dir, **kwargs)
        known = known_abbreviations(self.playbooks_dir, documents)
        request = ReportRequest(now=now, days=self.days, retention_days=self.retention_days)
        with sessions() as session:
            return gather_report(
                session, request, documents=documents, embed=self.embed, known=known
            )
