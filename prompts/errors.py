"""The one root of every error the prompts package raises (the tree is drawn in `prompts`).

Each error also keeps the built-in base it always had (`ValueError`, `LookupError`,
`RuntimeError`), so a caller that catches those (the terminal phone catches `LookupError` for
a prompt the catalog lacks) keeps working; a caller that wants "anything the prompt build can
raise" catches `PromptsError`.
"""

from __future__ import annotations


class PromptsError(Exception):
    """Base of every error raised by `prompts`."""
