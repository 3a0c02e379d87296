"""Customer channels for Rasa, and the one place that turns our responses into what each channel can show."""
