"""Launchers for a newcomer's machine (`make demo`); not part of the installed packages."""
