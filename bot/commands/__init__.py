"""The `/advisor` slash command: a table of subcommands (`table`), the table served (`routes`), and
one module per subcommand.
"""
