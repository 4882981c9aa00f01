"""The command's exit statuses, one per outcome a script or an operator acts on differently."""

from __future__ import annotations

OK = 0
"""Done: for ``restore``, the server is ``on`` again."""
FAILED = 1
"""Any other failure: the API, the network, an odd answer, or a wait that failed otherwise."""
USAGE = 2
"""Bad arguments, missing or invalid settings, or a stack that cannot be read. Nothing changed."""
REFUSED = 3
"""The restore was refused before anything changed (snapshot missing, not active, of another
server without ``--allow-other-server``; server busy or unknown; the API said no)."""
CREDENTIALS = 4
"""The API refused the credentials (user id or API key), or something in front of it (a proxy,
a firewall, an IP allow-list) refused access with HTTP 401/403. Nothing changed."""
TIMEOUT = 5
"""The reinstall started, but the server was not ``on`` by ``--timeout``."""
NOT_CONFIRMED = 6
"""No confirmation: declined, or no terminal to ask on and no ``--yes``. Nothing changed."""
UNCERTAIN = 7
"""reinstall_server got no usable answer and the server shows no reinstall: it may or may not
have started."""
INTERRUPTED = 130
"""Interrupted (Ctrl-C, SIGTERM); a reinstall already started goes on at the API."""

TABLE = f"""exit statuses:
  {OK}    done (restore: the server is on again)
  {FAILED}    failed otherwise (API, network, odd answer, the wait)
  {USAGE}    bad arguments, missing settings, unreadable stack; nothing changed
  {REFUSED}    restore refused before anything changed (snapshot, server)
  {CREDENTIALS}    the API refused the credentials, or a proxy/firewall refused access
       (HTTP 401/403); nothing changed
  {TIMEOUT}    the reinstall started but the server is not on by --timeout
  {NOT_CONFIRMED}    not confirmed (declined, or no terminal and no --yes); nothing changed
  {UNCERTAIN}    the reinstall request got no answer: it may or may not have started
  {INTERRUPTED}  interrupted; a reinstall already started goes on"""
