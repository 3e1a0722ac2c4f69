"""The terminal phone: Asterisk's side of a FastAGI call, driven from a keyboard or a script.

`ivr phone` and `make demo` use it to call the running FastAGI server without Asterisk; tests
use it to drive whole calls. Modules: ``asterisk`` (the wire forms), ``call`` (one call),
``keys`` (key sources), ``library`` (prompt texts, audio, durations), ``audio`` (a local player),
``display`` (rich output), ``terminal`` (the keyboard), ``record`` (what happened),
``errors`` (the one exception tree, rooted at ``PhoneError``).
"""
