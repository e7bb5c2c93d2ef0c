"""How a domain error becomes an HTTP answer (one mapping for every route: media, the player's requests, the API),
and how a JSON body is read."""

from __future__ import annotations

import json

from starlette.responses import JSONResponse

from .services.errors import AccessDenied, DomainError, NotFound


def status_code(error: DomainError, *, invalid: int = 400) -> int:
    """404 for what does not exist, 403 for what a rule refuses, `invalid` for bad input."""
    if isinstance(error, NotFound):
        return 404
    return 403 if isinstance(error, AccessDenied) else invalid


def error_response(error: DomainError, *, invalid: int = 400, stop: bool = False) -> JSONResponse:
    """`{"detail": key}` with the status of `error`; `stop` adds `"stop": true` to refusals (a player must stop)."""
    status = status_code(error, invalid=invalid)
    body: dict[str, object] = {'detail': error.key}
    if stop and status == 403:
        body['stop'] = True
    return JSONResponse(body, status_code=status, headers={'Cache-Control': 'no-store'})


MAX_NESTING = 16


def parse_json(body: bytes) -> object:
    """The JSON in a request body; ValueError for anything else, deep nesting and lone surrogates included.

    Brackets are counted before parsing: `[` two thousand times deep would make the parser raise RecursionError,
    and on CPython 3.11 one caught in the C scanner leaves the thread with less stack than before.
    """
    if body.count(b'[') + body.count(b'{') > MAX_NESTING:
        raise ValueError('JSON nested too deeply')
    data = json.loads(body)
    if b'\\u' in body:  # an escaped lone surrogate ("\ud800") is valid JSON but no text: the database refuses it
        json.dumps(data, ensure_ascii=False).encode()  # UnicodeEncodeError, a ValueError
    return data
