"""The curators' report as Block Kit: the weekly digest DM and the App Home section.

Every typed or document text is escaped; playbook lines link to the file when
``ADVISOR_PLAYBOOKS_URL`` is set.
"""

from __future__ import annotations

from bot.blocks.layout import Block, context, sections
from bot.curation.report import CuratorReport
from bot.curation.text import Line, headline, summary
from bot.slack.escape import escape_mrkdwn, link

DIGEST_TITLE = "*The curators' weekly report*"
HOME_TITLE = "*For curators: what to work on*"


def report_blocks(
    report: CuratorReport, *, title: str, playbooks_url: str | None, limit: int = 8
) -> list[Block]:
    blocks: list[Block] = [*sections(title), context(escape_mrkdwn(headline(report)))]
    for note in report.notes:
        blocks.append(context(escape_mrkdwn(note)))
    for section in summary(report, limit=limit):
        body = [f"*{escape_mrkdwn(section.title)}*"]
        body += [f"• {_line(line, playbooks_url)}" for line in section.lines] or [
            f"_{escape_mrkdwn(section.empty)}_"
        ]
        blocks += sections("\n".join(body))
    blocks.append(context("`advisor report` prints the whole report; `--json` for scripts."))
    return blocks[:50]


def _line(line: Line, playbooks_url: str | None) -> str:
    url = line.url(playbooks_url)
    text = link(url, line.text) if url else escape_mrkdwn(line.text)
    return f"{text} · {escape_mrkdwn(line.detail)}" if line.detail else text
