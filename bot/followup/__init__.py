"""Check-ins on commitments: what is due, sending it, the scheduler's job functions, the answers
owners give, my commitments.
"""
