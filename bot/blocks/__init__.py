"""Pure Block Kit rendering: values in, JSON-ready dicts out, no I/O.

``answer`` renders an ``Answer``; ``layout`` holds the block helpers and the splitting that
keeps every message inside Slack's limits; ``modals`` builds the forms; ``checkins`` the
group and commitment lists and forms; ``checkin_messages`` the check-in, reminder,
escalation and digest messages.
"""
