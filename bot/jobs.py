"""The names APScheduler stores: every job row says ``bot.jobs:<function>``.

This module exists only to be that import path. It stays here whatever the layout of
``bot/`` becomes; move the functions freely, and re-export them here. The functions
themselves live in ``bot.followup.jobs`` (check-ins, digests, the sweep) and
``bot.scheduling.scheduler`` (the resync). Rows written before this module existed name
``bot.checkin_jobs`` and ``bot.scheduler``: the stand-ins there keep them loading, and the
first resync rewrites them to these names (``bot.scheduling.specs.sync_jobs``).
"""

from bot.curation.digest import run_curator_digest
from bot.followup.jobs import run_group_checkins, run_group_digest, run_sweep
from bot.scheduling.scheduler import resync_active

__all__ = [
    "resync_active",
    "run_curator_digest",
    "run_group_checkins",
    "run_group_digest",
    "run_sweep",
]
