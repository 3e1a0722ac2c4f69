"""AGI transport: FastAGI server, classic AGI entry point, pure protocol parser."""
