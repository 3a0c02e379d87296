"""Rasa custom actions: thin adapters from a conversation turn to a question answered in bot/."""
