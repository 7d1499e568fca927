"""Every user-facing string the Slack surface shows, in one catalogue.

Strings with ``{placeholders}`` are filled by the caller; anything that came from a person
or a playbook is escaped (``bot.escape.escape_mrkdwn``) before it is put in.
"""

from __future__ import annotations

# Progress and failure --------------------------------------------------------------------
WORKING = ":hourglass_flowing_sand: Working on it…"
WORKING_REACTION = "hourglass_flowing_sand"
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
SLACK_FAILED = (
    ":warning: Slack did not accept my reply ({code}). Please try again; if it keeps "
    "happening, tell your Slack admin."
)

# Answers -----------------------------------------------------------------------------------
YOU_ASKED = "_You asked:_ {question}"
NEXT_STEPS = "*What to do next*"
PEER_CITIES = "*Peer cities*"
SOURCES = "*Sources*"
SEARCHED = "Searched {count} playbooks and case notes"
SHARED_BY = "Shared by {user}"
CONTINUED = "_(continued)_"
ABSTAINED = (
    "I could not find a grounded answer to this in our playbooks and case notes, "
    "so I would rather not guess."
)
CLOSEST_TOPICS = "*Closest topics I do have:*"
ABSTAIN_NEXT = "Try rephrasing with one of these, or use *Ask a person* to reach a curator."
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
THANKS_REASON = "Thanks. The curators will see this when they review the playbooks."
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
    "• `/advisor help`: this list"
)
HELP_FALLBACK = "How to use the advisor"
HOME_TITLE = "*Welcome to the advisor.*"
HOME_RECENT = "*Your recent questions*"
HOME_NO_QUESTIONS = "_You have not asked anything yet._"
UNKNOWN_SUBCOMMAND = "I don't know `/advisor {name}`. Try `/advisor help`."
