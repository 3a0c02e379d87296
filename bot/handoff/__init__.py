"""Handing a conversation to a team of people: when they are there, and what makes a chat theirs."""
