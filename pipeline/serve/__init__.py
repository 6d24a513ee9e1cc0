"""``qualpipe serve``: a local web workbench to read, code and review a study.

Modules: :mod:`.auth` (the token gate), :mod:`.views` (what each page shows,
read from the stores), :mod:`.writes` (coding and anonymisation decisions,
through the same writers as ``review import`` and ``anonymise --decisions``),
:mod:`.jobs` (re-runs and the review queue in the background), :mod:`.app`
(routes, templates, the leak guard on every response) and :mod:`.server`
(socket, token, uvicorn). Templates and the page script live beside them in
``templates/`` and ``static/``; nothing is fetched from the internet.
"""

from .server import DEFAULT_HOST, DEFAULT_PORT, Server, is_loopback

__all__ = ["DEFAULT_HOST", "DEFAULT_PORT", "Server", "is_loopback"]
