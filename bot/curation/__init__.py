"""The curators' loop (issue 13): the report (pure: ``report``, ``grouping``, ``text``),
reading it from the database and the playbooks (``gather``, ``source``), the weekly digest
job (``digest``) and the DM that tells curators about playbook errors (``notices``). The
live re-index is ``bot.answers.live``; the Block Kit is ``bot.blocks.curation``.
"""
