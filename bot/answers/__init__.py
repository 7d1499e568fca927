"""Answering a question: from any surface to one outcome, the buttons under an answer, the Advisor
from settings, the answer queue and deadlines.
"""
