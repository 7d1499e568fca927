"""Process logging that keeps secrets and question text out of the log.

slack_sdk and slack_bolt log full request bodies (question text, answers) at DEBUG, so their
loggers never go below INFO, whatever ``ADVISOR_LOG_LEVEL`` says. A filter on the root
handler also masks anything shaped like a Slack token or signing secret.
"""

from __future__ import annotations

import logging
import re
import sys

_TOKEN = re.compile(r"xox[abposre]-[A-Za-z0-9-]+|xapp-[A-Za-z0-9-]+")
CHATTY_LOGGERS = ("slack_sdk", "slack_bolt", "urllib3", "httpx", "apscheduler.scheduler")


class RedactSecrets(logging.Filter):
    """Mask Slack tokens and any registered secret value in every record."""

    def __init__(self, secrets: list[str] | None = None) -> None:
        super().__init__()
        self.secrets = [s for s in (secrets or []) if len(s) >= 8]

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = _TOKEN.sub("[redacted]", message)
        for secret in self.secrets:
            cleaned = cleaned.replace(secret, "[redacted]")
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def configure_logging(level: str = "INFO", *, secrets: list[str] | None = None) -> None:
    """Set up one stderr handler with secret redaction; clamp libraries that log bodies."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_advisor", False):
            root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler._advisor = True  # type: ignore[attr-defined]
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactSecrets(secrets))
    root.addHandler(handler)
    numeric = logging.getLevelName(level.upper())
    root.setLevel(numeric if isinstance(numeric, int) else logging.INFO)
    floor = max(root.level, logging.INFO)
    for name in CHATTY_LOGGERS:
        logging.getLogger(name).setLevel(floor)
