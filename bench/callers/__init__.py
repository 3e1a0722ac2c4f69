"""Simulated callers who react to what they hear, and the containment figure (issue 12).

``python -m bench.callers`` (``make bench-callers``) runs everything; the parts:

- ``population``: who calls, for what, how they behave (shares, fixed seed);
- ``hearing``: what a caller takes from a prompt's catalog text and id;
- ``caller``: the caller itself, a listener of the timed fake Asterisk;
- ``stack``: PostgreSQL, ``slot-service`` and ``ivr serve`` as subprocesses;
- ``path1``: every caller through the FastAGI wire with ``tests/fakes/timed_asterisk``;
- ``sipp_keys``, ``sipp_path``: a sample of them as real SIPp calls into the sandbox;
- ``figures``: each call judged against its intent, and the figures of the run;
- ``asterisk_probe``: the Asterisk timing rules the fake follows, measured on the sandbox.
"""
