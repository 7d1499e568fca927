"""Stand-in: job rows written by 0.1.0 name ``bot.checkin_jobs:run_*``; they load from here.

Nothing else belongs in this module. The job names are ``bot.jobs`` now, and a scheduler's
first resync rewrites old rows to them; this stays so a job store written by 0.1.0 loads
(``tests/bot/scheduling/test_stored_jobs.py``).
"""

from bot.jobs import run_group_checkins, run_group_digest, run_sweep

__all__ = ["run_group_checkins", "run_group_digest", "run_sweep"]
