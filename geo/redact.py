"""Database credentials out of every text that is shown or logged.

A PostgreSQL address carries its password in several forms: `postgresql://u:secret@h/db`,
`?password=secret` (alone or among other parameters), the keyword form
`host=h password=secret` (quoted or not), and the driver's error messages quote the whole
address, or only the part of it they could not parse. `redact(text, address)` hides all of
them: the patterns below find the forms, and the password read from `address` itself is
hidden wherever it appears, so that a message quoting only a piece of a malformed address
does not show it either.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import unquote

MASK = "***"
MIN_SECRET = 3  # shorter passwords are hidden by the patterns only, not wherever they occur

_SCHEME = r"postgres(?:ql)?(?:\+\w+)?://"
# An address runs to the next white space: its userinfo may hold any other character,
# quotes included (a password with `"` must not end it early).
_URI = re.compile(rf"({_SCHEME})(\S*)", re.IGNORECASE)
_QUERY_SECRET = re.compile(r"((?:^|[?&])\w*password=)([^&]*)", re.IGNORECASE)
_KEYWORD_SECRET = re.compile(
    r"""(\b\w*password\s*=\s*)('(?:[^'\\]|\\.)*'?|"(?:[^"\\]|\\.)*"?|\S+)""", re.IGNORECASE
)
_DICT_SECRET = re.compile(
    r"""(['"]\w*password['"]\s*:\s*)('(?:[^'\\]|\\.)*'?|"(?:[^"\\]|\\.)*"?)""", re.IGNORECASE
)


def redact(text: object, *addresses: object) -> str:
    """`text` with every database password hidden (`***`).

    `addresses` are the database addresses the text may quote (e.g. --db, $CONFLICT_MAP_DB):
    their passwords are hidden wherever they occur, in any of their spellings.
    """
    out = str(text)
    for secret in sorted({s for a in addresses for s in secrets(a)}, key=len, reverse=True):
        out = out.replace(secret, MASK)
    parts = _URI.split(out)
    # re.split with two groups: text, scheme, rest-of-address, text, …
    pieces = []
    for i in range(0, len(parts), 3):
        pieces.append(_redact_keywords(parts[i]))
        if i + 2 < len(parts):
            pieces.append(parts[i + 1] + _redact_uri_rest(parts[i + 2]))
    return "".join(pieces)


def _mask(m: re.Match) -> str:
    # Hidden already (a message quoting a redacted address): what follows it stays.
    return m.group(0) if m.group(2).startswith(MASK) else m.group(1) + MASK


def _redact_keywords(text: str) -> str:
    return _DICT_SECRET.sub(_mask, _KEYWORD_SECRET.sub(_mask, text))


def _redact_uri_rest(rest: str) -> str:
    """An address after its scheme: the password of its userinfo and of its parameters."""
    rest = _QUERY_SECRET.sub(_mask, rest)
    # The userinfo ends at the address's last `@` (a password may hold `@`, `/`, `:`, `?`),
    # unless that `@` is inside the parameters (`?user=a@b`) and an earlier one is not.
    at = rest.rfind("@")
    if at < 0:
        return rest
    query = rest.find("?")
    if 0 <= query < at and "@" in rest[:query]:
        at = rest.rfind("@", 0, query)
    userinfo, host = rest[:at], rest[at:]
    if ":" not in userinfo and "/" not in userinfo and "?" not in userinfo:
        return rest  # a user name alone
    user = re.split(r"[:/?]", userinfo, maxsplit=1)[0]
    return f"{user}:{MASK}{host}"


def secrets(address: object) -> set[str]:
    """The password(s) `address` spells, raw and percent-decoded (empty for none)."""
    if not isinstance(address, str) or not address:
        return set()
    found: set[str] = set()
    for m in _URI.finditer(address):
        rest = m.group(2)
        at = rest.rfind("@")
        if at >= 0:
            userinfo = rest[:at]
            if ":" in userinfo:
                found.add(userinfo.split(":", 1)[1])
            elif "/" in userinfo:  # `u/x@h`: unparseable, so all of it may be the secret
                found.add(userinfo)
        found.update(v for v in re.findall(r"[?&]\w*password=([^&]*)", rest, re.IGNORECASE))
    for m in _KEYWORD_SECRET.finditer(_URI.sub(" ", address)):
        value = m.group(2)
        if value[:1] in "'\"":
            value = value[1:-1] if len(value) > 1 and value[-1] == value[0] else value[1:]
            found.add(re.sub(r"\\(.)", r"\1", value))
        found.add(value)
    found |= {unquote(s) for s in found}
    # A driver that misreads an address quotes a piece of it: `u:a@b@h` gives "host 'b@h'".
    found |= {piece for s in found for piece in re.split(r"[@/:?#]", s)}
    return {s for s in found if len(s) >= MIN_SECRET}


_KEYWORDS = re.compile(
    r"^\s*(?:(?:host|hostaddr|port|dbname|user|password|sslmode|service|connect_timeout"
    r"|options|application_name|passfile|target_session_attrs)\s*=\s*"
    r"""(?:'(?:[^'\\]|\\.)*'|[^\s']*)\s*)+$"""
)


def is_keyword_conninfo(value: object) -> bool:
    """True for a libpq keyword/value address (`host=h dbname=db password=…`)."""
    return (
        isinstance(value, str)
        and bool(re.search(r"\b(?:host|hostaddr|dbname|service)\s*=", value))
        and bool(_KEYWORDS.match(value))
    )


class RedactFilter(logging.Filter):
    """A logging filter that hides database passwords in every record it passes."""

    def __init__(self, *addresses: object) -> None:
        super().__init__()
        self.addresses = addresses

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = redact(message, *self.addresses)
        if clean != message:
            record.msg, record.args = clean, None
        return True
