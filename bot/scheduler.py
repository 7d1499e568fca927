"""Stand-in: job rows written by 0.1.0 name ``bot.scheduler:resync_active``; it loads from here.

Nothing else belongs in this module: the scheduler is ``bot.scheduling.scheduler``, and the
job names are ``bot.jobs`` (a scheduler's first resync rewrites old rows to them). This stays
so a job store written by 0.1.0 loads (``tests/bot/scheduling/test_stored_jobs.py``).
"""

from bot.jobs import resync_active

__all__ = ["resync_active"]
