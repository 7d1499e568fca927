"""The Slack wire: the Web API gateway, replies, HTTP and Socket Mode serving, every user-facing
string, escaping.
"""
