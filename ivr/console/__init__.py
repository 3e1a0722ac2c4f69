"""The operator console: a FastAPI app (``app``), its command (``command``), the fan-out of
changes to browsers (``hub``), what a browser is shown (``views``) and ``settings``.

Errors: the console raises one class of its own, ``ConsoleError`` (``ivr.console.app``), which
carries the HTTP status and a stable ``error_id``; the AMI bridge's errors (``ivr.ami.errors``)
and the slot client's (``ivr.slots.errors``) leave the app as the same JSON (the table is in
``ivr.console.app``)::

    ConsoleError      401 unauthorized, 404 callback-not-found
"""
