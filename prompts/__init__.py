"""Prompt catalog and the audio build that turns it into files Asterisk plays."""
