"""Pure Block Kit rendering: values in, JSON-ready dicts out, no I/O.

``answer`` renders an ``Answer``; ``layout`` holds the block helpers and the splitting that
keeps every message inside Slack's limits; ``modals`` and ``home`` build views.
"""
