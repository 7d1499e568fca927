"""Every user-facing string the Slack surface shows, in one catalogue.

Strings with ``{placeholders}`` are filled by the caller; anything that came from a person
or a playbook is escaped (``bot.slack.escape.escape_mrkdwn``) before it is put in.
"""

from __future__ import annotations

from checkins.upcoming import NOTHING_COMING

# Progress and failure --------------------------------------------------------------------
WORKING = ":hourglass_flowing_sand: Working on it…"
FAILED = (
    ":warning: Sorry, I could not finish this answer. Please ask again in a minute; "
    "if it keeps happening, tell your Slack admin (the advisor's log has the details)."
)
TIMED_OUT = (
    ":warning: This answer took too long, so I stopped. Please try a shorter or more "
    "specific question, or ask again in a minute."
)
BUSY = ":warning: I am answering many questions right now. Please ask again in a minute."
QUESTION_PROBLEM = ":warning: {problem} Please rephrase and ask again."
TOO_LONG = "Your question is {length:,} characters long; the limit is {limit:,}."
NOT_RECEIVED = (
    ":warning: Something went wrong on our side, so I did not answer this. "
    "Please ask again in a minute."
)
SLACK_FAILED = (
    ":warning: Slack did not accept my reply ({code}). Please try again; if it keeps "
    "happening, tell your Slack admin."
)

# Answers -----------------------------------------------------------------------------------
YOU_ASKED = "_You asked:_ {question}"
NEXT_STEPS = "*What to do next*"
MORE_POINTS = "*Also in the playbooks*"
PEER_CITIES = "*Peer cities*"
SOURCES = "*Sources*"
SOURCE_LINK = "source: {host}"
SEARCHED = "Searched {count} playbooks and case notes"
SCOPE_USED = "Scope: {scope}"
SHARED_BY = "Shared by {user}"
ABSTAINED = (
    "I could not find a grounded answer to this in our playbooks and case notes, "
    "so I would rather not guess."
)
OFF_TOPIC = (
    "That is outside what I can answer. I cover smart-city work across departments: "
    "stakeholders and working groups, privacy and surveillance oversight, IoT security, "
    "data sharing, procurement and funding, from our playbooks and peer-city case notes."
)
TOO_SPECIFIC = (
    "Our playbooks cover this topic, but not the specific detail you asked for (a price, a "
    "count, a product, a person, a date or a law), so I would rather not guess."
)
CLOSEST_TOPICS = "*Nearest in the playbooks:*"
READ_AS = "Searched {fixes}."
READ_AS_ONE = "“{typed}” as “{read_as}”"
ABSTAIN_NEXT = "For the specific detail, use *Ask a person* to reach a curator."
OFF_TOPIC_NEXT = "If you think the playbooks should cover it, use *Ask a person*."
FALLBACK_TEXT = "Answer: {summary}"
ABSTAIN_FALLBACK = "No grounded answer found for this question."

# Buttons -------------------------------------------------------------------------------
HELPFUL = "Helpful"
NOT_HELPFUL = "Not helpful"
MAKE_COMMITMENT = "Turn into a commitment"
ASK_PERSON = "Ask a person"
SHARE = "Share in channel"

# Feedback ---------------------------------------------------------------------------------
THANKS_HELPFUL = "Thanks, glad it helped. Your feedback goes to the playbook curators."
FEEDBACK_TITLE = "Not helpful"
FEEDBACK_PROMPT = "What was missing or wrong? (optional)"
FEEDBACK_PLACEHOLDER = "For example: the playbook is out of date for our city."
SUBMIT = "Send"
CANCEL = "Cancel"
ANSWER_GONE = "That answer is no longer in the question log (it may have been purged)."

# Ask a person ---------------------------------------------------------------------------
PERSON_ASKED = "{curators}: {asker} would like a person to look at this question."
PERSON_ASKED_DM = "{asker} would like a person to look at this question:\n>{question}"
NO_CURATORS = "No curators are configured yet. An admin can name them in ADVISOR_CURATOR_USER_IDS."
PERSON_NOTIFIED = "I asked the curators to take a look."
PERSON_ALREADY_ASKED = (
    "You already asked the curators about this answer; they will reply once they have looked."
)

# Commitment modal -------------------------------------------------------------------------
COMMITMENT_TITLE = "New commitment"
COMMITMENT_SUBMIT = "Create"
COMMITMENT_WHAT = "What will be done"
COMMITMENT_DETAILS = "Details"
COMMITMENT_GROUP = "Working group"
COMMITMENT_OWNER = "Owner"
COMMITMENT_DUE = "Due date"
NO_GROUPS = (
    "There are no working groups yet. Create one first with `/advisor group create`, "
    "then turn this answer into a commitment."
)
COMMITMENT_CREATED = "Commitment #{id} created for {owner}, due {due}: {title}"
COMMITMENT_ASSIGNED = (
    "{creator} added a commitment for you in *{group}*: {title} (due {due}). "
    "You will get check-ins on the group's schedule; `/advisor commitments` lists yours."
)
COMMITMENT_DUE_PAST = "Pick a due date today or later."
COMMITMENT_FAILED = "I could not create the commitment: {problem}"

# Help, home, commands ------------------------------------------------------------------------
HELP = (
    "*I answer questions about running smart-city work, from our playbooks and case notes.*\n"
    "• Mention me in a channel: `@advisor how do we set up a data-sharing agreement?` "
    "(I answer in the thread; follow-ups in that thread need no new mention)\n"
    "• Send me a direct message with your question\n"
    "• `/advisor <question>`: an answer only you see, with a *Share in channel* button\n"
    "• On any message, *More actions › Ask the advisor about this*\n"
    "• Under each answer: *Helpful* / *Not helpful*, *Turn into a commitment*, *Ask a person*\n"
    "• Working groups and commitments: `/advisor group list`, "
    '`/advisor commit "<title>" due <date>`, `/advisor commitments [--all]`, `/advisor done <id>`, '
    '`/advisor update <id> at-risk "<note>"`, `/advisor away until <date>`\n'
    "• Who is missing from the table: `/advisor group show <name>`, "
    "`/advisor group join <name> as <stakeholder>`\n"
    "• Narrow one question: `/advisor in:case-notes city:Seattle tag:cameras <question>`\n"
    "• Admins: `/advisor channel set|show|reset` (what I answer from in a channel), "
    "`/advisor reindex` (reload the playbooks now)\n"
    "• `/advisor help`: this list"
)
HELP_FALLBACK = "How to use the advisor"
HOME_TITLE = "*Welcome to the advisor.*"
HOME_RECENT = "*Your recent questions*"
HOME_NO_QUESTIONS = "_You have not asked anything yet._"

# Working groups, commitments and check-ins --------------------------------------------------
USAGE_GROUP = (
    'Usage: `/advisor group create <name> [#channel] [tz <IANA zone>] [checkins "<schedule>"]'
    ' [topic "<topic>"]`'
    " · `group join <name> [as <stakeholder>]` · `group leave <name>` · `group list`"
    ' · `group show <name>` · `group topic <name> "<topic>"`'
    " · `group role <name> @someone <stakeholder>`"
    ' · `group schedule <name> "<schedule>" [tz <IANA zone>]` · `group delete <name>`'
)
USAGE_GROUP_CREATE = (
    'Usage: `/advisor group create <name> [#channel] [tz <IANA zone>] [checkins "<schedule>"]'
    ' [topic "<topic>"]`'
)
USAGE_GROUP_NAME = "Usage: `/advisor group {action} <name>`"
USAGE_GROUP_SCHEDULE = 'Usage: `/advisor group schedule <name> "<schedule>" [tz <IANA zone>]`'
USAGE_COMMIT = (
    'Usage: `/advisor commit "<title>" due <date> [@owner] [#group]`, dates like '
    "`2026-12-15`, `next friday` or `in 2 weeks`."
)
USAGE_DONE = "Usage: `/advisor done <id>` (the number shown by `/advisor commitments`)."
USAGE_PROBLEM = "{problem}\n{usage}"
OPENING_FORM = "I opened a form for this. {usage}"

GROUP_UNKNOWN = "There is no working group called *{name}*. `/advisor group list` shows them all."
GROUP_NONE_FOR_CHANNEL = (
    "No working group uses {channel}. Name the group instead: `#<group name>`, "
    "or see `/advisor group list`."
)
GROUP_SEVERAL_FOR_CHANNEL = "Several groups use {channel}: {names}. Name the one you mean."
GROUP_NOT_MEMBER = (
    "You are not in a working group yet, so say which one: add `#<group name>`. "
    "`/advisor group list` shows them."
)
GROUP_PICK_ONE = "You are in several working groups ({names}); add `#<group name>` to pick one."
GROUP_NEEDS_CHANNEL = "Run this in the group's channel, or name one: `#channel`."
GROUP_TAKEN = "A working group called *{name}* already exists."
GROUP_NAME_TOO_LONG = (
    "The group name is {length:,} characters long; the limit is {limit}. "
    "Pick a shorter name and run the command again."
)
GROUP_CHANNEL_ARCHIVED = "{channel} is archived. Pick an active channel for the group."
GROUP_CHANNEL_MISSING = (
    "I cannot see {channel} (it may be private or deleted). Invite me to it, or pick another."
)
GROUP_CREATED = (
    "Created working group *{name}* in {channel}, led by {lead}. Check-ins: `{schedule}` "
    "({timezone}). Others join with `/advisor group join {name}`."
)
GROUP_JOINED = "You joined *{name}*. You will get check-ins for commitments you own there."
GROUP_ALREADY_MEMBER = "You are already in *{name}*."
GROUP_LEFT = "You left *{name}*."
GROUP_NOT_IN = "You are not in *{name}*."
GROUP_LEAD_CANNOT_LEAVE = (
    "You lead *{name}*, so you cannot leave it. Ask an admin to delete the group or hand it on."
)
GROUP_LIST_EMPTY = "There are no working groups yet. Create one: `/advisor group create <name>`."
GROUP_LIST_HEADER = "*Working groups*"
GROUP_LINE = (
    "• *{name}*: {channel}, lead {lead}, {members} member{s}, check-ins `{schedule}` "
    "({timezone}){mine}{problem}\n      next check-in {next_checkin} · next digest {next_digest}"
)
GROUP_LINE_MINE = " · _you are in it_"
GROUP_LINE_PROBLEM = " · :warning: channel problem: `{error}`"
GROUP_SCHEDULED = "*{name}* now checks in `{schedule}` ({timezone}). Next: {next}."
GROUP_NEXT_NEVER = NOTHING_COMING
GROUP_DELETED = "Deleted working group *{name}* with its commitments and check-in history."
GROUP_DENIED_CHANGE = "Only the group lead or an admin can change *{name}*."
GROUP_DENIED_DELETE = "Only admins can delete working groups. Nothing was changed."

COMMIT_OWNER_TEXT = (
    "I can only take an owner from a mention picked from Slack's list (`@` then choose the "
    "person), not from typed text like {text}."
)
COMMIT_OWNER_GONE = "{owner} is no longer in this workspace. Pick an active owner."
COMMIT_TITLE_LONG = "The title is {length} characters long; keep it under {limit}."
COMMITMENTS_NONE = 'You have no open commitments. Make one: `/advisor commit "<title>" due <date>`'
COMMITMENTS_HEADER = "*Your open commitments*"
COMMITMENT_LINE = "• `#{id}` *{title}* · {group} · due {due}{late} · {status}"
COMMITMENT_LATE = " · :warning: overdue"
COMMITMENT_NOT_FOUND = "There is no commitment #{id}."
COMMITMENT_DONE = "Marked #{id} done: {title}. :white_check_mark:"
COMMITMENT_ALREADY = "#{id} is already {status}."
COMMITMENT_DENIED = "Only the owner, the group lead or an admin can change commitment #{id}."
DB_BUSY = "The database is busy right now, so nothing was changed. Please try again in a minute."

CHECKIN_GONE = "This check-in no longer exists (the commitment may have been deleted)."
CHECKIN_ALREADY = "This check-in was already answered ({status}). Nothing was changed."
CHECKIN_DENIED = "Only the owner, the group lead or an admin can answer this check-in."
CHECKIN_RECORDED = "Recorded *{status}* by {user}."
CHECKIN_RECORDED_NOTE = "Recorded *{status}* by {user}: {note}"
CHECKIN_SNOOZED = "Snoozed. I will ask again {when}."
CHECKIN_SNOOZE_USED = "You can snooze a check-in only once. Please answer it when you can."
CHECKIN_SNOOZE_DENIED = "Only the owner can snooze this check-in."
CHECKIN_INTRO = ":wave: Check-in on your commitment for *{group}*:"
REMINDER_INTRO = ":bell: Reminder: how is this commitment for *{group}* going?"
CHECKIN_LINE = "*{title}*\nDue {due}{late}"
CHECKIN_LATE = " (overdue by {days} day{s})"
CHECKIN_BUTTON_DONE = "Done"
CHECKIN_BUTTON_ON_TRACK = "On track"
CHECKIN_BUTTON_AT_RISK = "At risk"
CHECKIN_BUTTON_BLOCKED = "Blocked"
CHECKIN_BUTTON_SNOOZE = "Snooze a day"
STATUS_LABELS = {
    "done": ":white_check_mark: done",
    "on_track": ":large_green_circle: on track",
    "at_risk": ":large_yellow_circle: at risk",
    "blocked": ":red_circle: blocked",
    None: "no answer yet",
}
ESCALATION = (
    ":rotating_light: A commitment in *{group}* is overdue by {days} days: *{title}* "
    "(owner {owner}, due {due})."
)
DIGEST_HEADER = "Progress digest: {group}"
DIGEST_SUMMARY = "{open} open · {overdue} overdue · {done} recently done"
DIGEST_EMPTY = "No open commitments. :tada:"
DIGEST_ROW = "• #{id} *{title}*: {owner}, due {due} · {status}{late}"
DIGEST_ROW_LATE = " · *:warning: {days}d overdue*"
DIGEST_BLOCKERS = "*Blocked*"
DIGEST_BLOCKER = "• *{title}* ({owner})"
DIGEST_BLOCKER_NOTE = ": {note}"
DIGEST_UNREACHABLE = ":warning: Could not reach {owners} (left the workspace?). Please reassign."
BLOCKED_TITLE = "What is blocking?"
BLOCKED_WHAT = "What is blocking this?"
BLOCKED_WHO = "Who could help? (optional)"
BLOCKED_WHO_HINT = "A name, team or office, e.g. the city attorney's office."
BLOCKED_SUBMIT = "Send"
BLOCKED_NOTE = "{what}\nWho could help: {who}"
BLOCKED_THANKS = "Thanks. The group lead will see this in the next digest."

GROUP_FORM_TITLE = "New working group"
GROUP_FORM_SUBMIT = "Create"
GROUP_FORM_NAME = "Name"
GROUP_FORM_CHANNEL = "Channel for digests"
GROUP_FORM_TIMEZONE = "Timezone (IANA name)"
GROUP_FORM_SCHEDULE = "Check-in schedule"
GROUP_FORM_SCHEDULE_HINT = "For example mon 09:00, mon,thu 14:30, weekdays 08:45 or 0 9 * * 1."

HOME_COMMITMENTS = "*Your open commitments*"
HOME_NO_COMMITMENTS = "_No open commitments. `/advisor commit` makes one._"
HOME_CHECKINS = "*Your groups: next check-ins and digests*"
HOME_NO_CHECKINS = "_No check-ins coming: you are in no working group and own no open commitments._"
HOME_GROUP_LINE = "• *{group}* · next check-in {checkin}{mine} · next digest {digest}"
HOME_GROUP_MINE = " (you own {count} open commitment{s})"

# Curators' loop (issue 13): channel scope, re-index, Ask a person, the curator digest -------
CHANNEL_ANSWERS_OFF = (
    "An admin turned my answers off in this channel. Ask me in a direct message instead."
)
USAGE_CHANNEL = (
    "Usage: `/advisor channel set [#channel] tags a,b` · `… kind playbooks|case-notes` · "
    "`… city <name>` · `… answer on|off` · `/advisor channel show [#channel]` · "
    "`/advisor channel reset [#channel]` (admins only)"
)
CHANNEL_ADMINS_ONLY = "Only admins can change a channel's scope."
CHANNEL_SCOPE = "{channel}: {answers}; {scope}."
CHANNEL_WHOLE_LIBRARY = "the whole library"
CHANNEL_ANSWERS_ON = "answers on"
CHANNEL_ANSWERS_OFF_SHORT = "answers off"
CHANNEL_RESET = "{channel} is back to the whole library, answers on."
CHANNEL_NO_SCOPE = "{channel} has no scope of its own: the whole library, answers on."
REINDEX_ADMINS_ONLY = "Only admins can re-index the playbooks."
REINDEX_STARTED = "Re-indexing the playbooks in the background; I will tell you when it is live."
REINDEX_RUNNING = "A re-index is already running; its result will be live in a moment."
REINDEX_DONE = "Re-index done: {summary}"
REINDEX_FAILED = "Re-index failed ({error}); the last good index is still answering."
REINDEX_PROBLEMS = (
    "*The playbooks have errors* (the last good version of each stays live):\n{problems}\n"
    "Fix them and run `advisor playbooks validate`."
)
PERSON_HANDLED_BUTTON = "Mark handled"
PERSON_HANDLED = "{curator} marked this request handled."
PERSON_ALREADY_HANDLED = "This request was already handled."
PERSON_CURATORS_ONLY = "Only curators and admins can mark a request handled."
CURATOR_DIGEST_FALLBACK = "The curators' weekly report"

# Stakeholder map, roles, away, updates, history (issue 14) ----------------------------------
USAGE_GROUP_TOPIC = 'Usage: `/advisor group topic <name> "<topic>"` (`""` clears it)'
USAGE_GROUP_JOIN_AS = (
    "Usage: `/advisor group join <name> [as <stakeholder>]` · "
    "`/advisor group role <name> @someone <stakeholder>` (lead or admin)"
)
USAGE_GROUP_SHOW = "Usage: `/advisor group show <name>`"
USAGE_AWAY = (
    "Usage: `/advisor away until <date>` (e.g. `2026-12-28`, `next friday`) · "
    "`/advisor away off` · `/advisor away` shows yours"
)
USAGE_UPDATE = (
    'Usage: `/advisor update <id> <done|on-track|at-risk|blocked> ["note"]`, '
    'e.g. `/advisor update 12 at-risk "vendor is late"`'
)
ROLE_UNKNOWN = "*{text}* is not a stakeholder I know. Pick one of: {valid}."
ROLE_NO_VOCABULARY = (
    "The stakeholder list (`playbooks/stakeholders.yaml`) is missing or broken, so I cannot "
    "record roles. Ask a curator to run `advisor playbooks validate`."
)
ROLE_SET_SELF = "You represent *{label}* in *{name}*."
ROLE_SET_OTHER = "{user} now represents *{label}* in *{name}*."
ROLE_DENIED = "Only the group lead or an admin can set someone else's role in *{name}*."
ROLE_PICKER_TITLE = "Whom do you represent?"
ROLE_PICKER_LABEL = "Stakeholder"
ROLE_PICKER_HINT = "Pick the party you speak for in this working group."
GROUP_TOPIC_SET = "*{name}* is now about: _{topic}_."
GROUP_TOPIC_CLEARED = "*{name}* has no topic now, so there is no stakeholder map."
GROUP_TOPIC_LONG = "The topic is {length} characters long; keep it under {limit}."
MAP_HEADER = "*Who is at the table for _{topic}_*"
MAP_NO_TOPIC = (
    "_No stakeholder map yet: the group has no topic. Set one with "
    '`/advisor group topic {name} "<topic>"`._'
)
MAP_NOTHING = (
    "_The playbooks have nothing on _{topic}_, so I cannot say who should be at the table. "
    "Try other words for the topic._"
)
MAP_NO_INDEX = "_The stakeholder map needs the playbook index, which is not loaded here._"
MAP_REPRESENTED = "*Represented:* {parties}"
MAP_REPRESENTED_BY = "{label} ({users})"
MAP_NONE_REPRESENTED = "*Represented:* nobody on the map yet"
MAP_MISSING = "*Missing:*"
MAP_MISSING_LINE = "• *{label}*: {motive}"
MAP_NO_MOTIVE = "_the playbooks say nothing about its motives_"
MAP_ALL_THERE = (
    ":white_check_mark: Every stakeholder the playbooks name for this topic is represented."
)
MAP_OTHERS = "_Also at the table:_ {parties}"
MAP_NO_ROLE = (
    "_Not yet said whom they represent:_ {users} (`/advisor group join {name} as <stakeholder>`)"
)
MAP_SOURCES = "Drawn from: {sources}"
DIGEST_MISSING = ":busts_in_silhouette: Still missing from the table: {parties}"
DIGEST_AWAY = ":palm_tree: Away: {people}"
DIGEST_AWAY_ONE = "{user} until {until}"
AWAY_SET = (
    "You are away until the end of {until} ({timezone}): no check-ins or reminders until "
    "then. You are back automatically; `/advisor away off` ends it sooner."
)
AWAY_CLEARED = "Welcome back: your check-ins and reminders are on again."
AWAY_TOO_FAR = "{until} is too far ahead to be away until. Pick an earlier date."
AWAY_NONE = "You are not away. `/advisor away until <date>` pauses your check-ins."
AWAY_SHOW = "You are away until the end of {until} ({timezone})."
UPDATE_RECORDED = "Recorded *{status}* for #{id} *{title}*{note}. {next}"
UPDATE_ANSWERED = "It answers the check-in I sent you."
UPDATE_NEXT = "Your next check-in will count it instead of asking."
UPDATE_NOTE = ": {note}"
UPDATE_UNKNOWN_STATUS = "*{text}* is not a status. Use done, on-track, at-risk or blocked."
UPDATE_CLOSED = "#{id} is already {status}; there is nothing to update."
COMMITMENTS_ALL_HEADER = "*All your commitments, with their status trail*"
COMMITMENTS_ALL_NONE = "You have no commitments yet."
HISTORY_LINE = "• `#{id}` *{title}* · {group} · due {due} · *{status}*"
HISTORY_TRAIL = "      {trail}"
HISTORY_STEP = "{date} {status}{via}{note}"
HISTORY_VIA_UPDATE = " (update)"
HISTORY_NO_TRAIL = "      _no status given yet_"
HISTORY_EARLIER = "… {count} earlier"
HISTORY_MORE = "_… and {count} older commitment{s} not shown._"
HOME_HISTORY = "*Your past commitments*"
HOME_MAPS = "*Stakeholder maps of the groups you lead*"
CHECKIN_FROM = "From the playbooks: {source}"
GROUP_FORM_TOPIC = "Topic (optional)"
GROUP_FORM_TOPIC_HINT = (
    "What the group works on, e.g. camera footage retention: I show which stakeholders the "
    "playbooks say should be at the table."
)
