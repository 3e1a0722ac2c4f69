"""AGI transport: FastAGI server, classic AGI entry point, pure protocol parser; no call flow.

Modules (docs/agi.md has the map): ``protocol``, ``commands``, ``channel``, ``connection``,
``session``, ``server``, ``boundary``, ``routing``, ``classic``, ``metrics``, ``settings``, and
``errors``, the one exception tree, rooted at ``AgiError``.
"""
