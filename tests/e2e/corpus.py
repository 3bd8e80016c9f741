"""Hostile requests and the answer the service contract gives each, in every framework.

Each :class:`Case` is one request, written byte for byte (``rawhttp``), and the status that the
"Errors" table of the contract (../shared/service-contract.md) and the service README's
"Errors" section give it; for a 422, the ``field`` of each entry of ``errors``, in order. The
classes are those of issue 14: encodings, control characters, unpaired surrogates, numeric
ranges, nesting and size, content types, empty and truncated bodies, method and path oddities.
A few requests are hostile-looking but valid and must be served (``ACCEPTED``): refusing them
would be as wrong as a 500.

Requests never change an existing item: every PATCH is refused before the item is looked up,
or names an id that no test creates.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from tests.e2e.rawhttp import Request

MAX_ID = 2**63 - 1
MAX_BODY_BYTES = 1024 * 1024
JSON = (("Content-Type", "application/json"),)


@dataclass(frozen=True)
class Case:
    id: str
    request: Request
    #: The contract's status.
    status: int
    #: For a 422: the ``field`` of each ``errors`` entry, in order (None: not compared).
    fields: tuple[str, ...] | None = None


def _case(
    case_id: str,
    method: str,
    target: str,
    body: bytes | None = None,
    status: int = 400,
    fields: tuple[str, ...] | None = None,
    headers: tuple[tuple[str, str], ...] = JSON,
    *,
    chunked: bool = False,
) -> Case:
    if body is None and method in {"GET", "DELETE", "PUT", "TRACE", "OPTIONS", "PROPFIND"}:
        headers = ()
    return Case(case_id, Request(method, target, headers, body, chunked), status, fields)


def _nested(depth: int, opener: bytes = b"[", closer: bytes = b"]") -> bytes:
    return opener * depth + closer * depth


def _padded(body: bytes, size: int) -> bytes:
    """``body`` followed by JSON whitespace up to ``size`` bytes."""
    return body.ljust(size, b" ")


NAME = ("name",)
DESCRIPTION = ("description",)
BODY = ("body",)
ID = ("id",)
LIMIT = ("limit",)
OFFSET = ("offset",)
EMPTY_NAME = b'{"name": ""}'

CORPUS: list[Case] = [
    # Encodings: the body must be UTF-8 JSON (RFC 8259); a charset parameter changes nothing.
    _case("utf8-invalid-byte", "POST", "/items", b'{"name": "caf\xe9"}'),
    _case("utf8-overlong", "POST", "/items", b'{"name": "\xc0\xaf"}'),
    _case("utf8-encoded-surrogate", "POST", "/items", b'{"name": "\xed\xa0\x80"}'),
    _case("utf8-truncated-sequence", "POST", "/items", b'{"name": "\xe2\x82"}'),
    _case("utf8-bom", "POST", "/items", b'\xef\xbb\xbf{"name": "pen"}'),
    _case(
        "utf16-with-charset",
        "POST",
        "/items",
        '{"name": "pen"}'.encode("utf-16"),
        headers=(("Content-Type", "application/json; charset=utf-16"),),
    ),
    _case("utf16-le-no-bom", "POST", "/items", '{"name": "pen"}'.encode("utf-16-le")),
    _case("utf8-invalid-patch", "PATCH", "/items/1", b'{"name": "\xff"}'),
    # Control characters and NUL: raw ones are not JSON; escaped NUL cannot be stored.
    _case("raw-nul-in-string", "POST", "/items", b'{"name": "a\x00b"}'),
    _case("raw-control-in-string", "POST", "/items", b'{"name": "a\x01b"}'),
    _case("nul-bytes-only", "POST", "/items", b"\x00" * 16),
    _case("escaped-nul-name", "POST", "/items", b'{"name": "a\\u0000b"}', 422, NAME),
    _case(
        "escaped-nul-description",
        "POST",
        "/items",
        b'{"name": "pen", "description": "\\u0000"}',
        422,
        DESCRIPTION,
    ),
    _case(
        "escaped-nul-member-name",
        "POST",
        "/items",
        b'{"name": "pen", "a\\u0000b": 1}',
        422,
        ("a\x00b",),
    ),
    _case("escaped-nul-patch", "PATCH", "/items/1", b'{"name": "\\u0000"}', 422, NAME),
    # Unpaired surrogates, as JSON escapes (a paired one is a character, see ACCEPTED).
    _case("lone-high-surrogate", "POST", "/items", b'{"name": "\\ud800"}', 422, NAME),
    _case("lone-low-surrogate", "POST", "/items", b'{"name": "x\\udfffy"}', 422, NAME),
    _case("reversed-pair", "POST", "/items", b'{"name": "\\ude00\\ud83d"}', 422, NAME),
    _case(
        "surrogate-description",
        "PATCH",
        "/items/1",
        b'{"description": "\\udbff"}',
        422,
        DESCRIPTION,
    ),
    _case("surrogate-member-name", "POST", "/items", b'{"name": "pen", "\\ud800": 1}', 422, None),
    # Numeric ranges: ids 1..2**63-1, limit 1..100, offset 0..2**63-1, ASCII digits only.
    _case("id-at-max", "GET", f"/items/{MAX_ID}", status=404),
    _case("id-past-max", "GET", f"/items/{MAX_ID + 1}", status=422, fields=ID),
    _case("id-20-digits", "GET", "/items/99999999999999999999", status=422, fields=ID),
    _case("id-5000-digits", "GET", "/items/" + "9" * 5000, status=422, fields=ID),
    _case("id-negative", "DELETE", "/items/-1", status=422, fields=ID),
    _case("id-negative-past-min", "GET", f"/items/-{MAX_ID + 2}", status=422, fields=ID),
    _case("id-zero", "GET", "/items/0", status=422, fields=ID),
    _case("id-float", "GET", "/items/1.5", status=422, fields=ID),
    _case("id-float-integral", "GET", "/items/1.0", status=422, fields=ID),
    _case("id-exponent", "GET", "/items/1e3", status=422, fields=ID),
    _case("id-hex", "GET", "/items/0x10", status=422, fields=ID),
    _case("id-text", "GET", "/items/abc", status=422, fields=ID),
    _case("id-arabic-indic-digit", "GET", "/items/%D9%A5", status=422, fields=ID),
    _case("id-percent-ff", "GET", "/items/%ff", status=422, fields=ID),
    _case("id-nul", "GET", "/items/%00", status=422, fields=ID),
    _case("id-trailing-nul", "GET", "/items/1%00", status=422, fields=ID),
    _case("patch-id-past-max", "PATCH", f"/items/{MAX_ID + 1}", b"{}", 422, ID),
    _case("limit-zero", "GET", "/items?limit=0", status=422, fields=LIMIT),
    _case("limit-101", "GET", "/items?limit=101", status=422, fields=LIMIT),
    _case("limit-negative", "GET", "/items?limit=-1", status=422, fields=LIMIT),
    _case("limit-float", "GET", "/items?limit=10.0", status=422, fields=LIMIT),
    _case("limit-exponent", "GET", "/items?limit=1e2", status=422, fields=LIMIT),
    _case("limit-empty", "GET", "/items?limit=", status=422, fields=LIMIT),
    _case("limit-percent-ff", "GET", "/items?limit=%ff", status=422, fields=LIMIT),
    _case("limit-nul", "GET", "/items?limit=%00", status=422, fields=LIMIT),
    _case("offset-negative", "GET", "/items?offset=-1", status=422, fields=OFFSET),
    _case("offset-past-max", "GET", f"/items?offset={MAX_ID + 1}", status=422, fields=OFFSET),
    _case("offset-5000-digits", "GET", "/items?offset=" + "9" * 5000, status=422, fields=OFFSET),
    _case("offset-float", "GET", "/items?offset=1.5", status=422, fields=OFFSET),
    _case("offset-exponent", "GET", "/items?offset=9e18", status=422, fields=OFFSET),
    _case(
        "limit-and-offset", "GET", "/items?limit=0&offset=-1", status=422, fields=(*LIMIT, *OFFSET)
    ),
    # Nesting: deeper than 32 levels is refused before parsing (400), 32 levels parse.
    _case("nested-100000", "POST", "/items", b"[" * 100_000),
    _case("nested-100000-objects", "POST", "/items", b'{"a":' * 100_000),
    _case("nested-33-arrays", "POST", "/items", _nested(33)),
    _case("nested-33-objects", "POST", "/items", b'{"a":' * 33 + b"1" + b"}" * 33),
    _case("nested-33-in-name", "POST", "/items", b'{"name": ' + _nested(32) + b"}"),
    _case("nested-32-arrays", "POST", "/items", _nested(32), 422, BODY),
    _case("nested-100000-patch", "PATCH", "/items/1", b"[" * 100_000),
    # Size: MAX_BODY_BYTES (1 MiB) is accepted, one byte more is 413, with a length or chunked.
    _case("size-2mb-length", "POST", "/items", b"x" * (2 * MAX_BODY_BYTES), 413),
    _case("size-2mb-chunked", "POST", "/items", b"x" * (2 * MAX_BODY_BYTES), 413, chunked=True),
    _case("size-2mb-patch", "PATCH", "/items/1", b"x" * (2 * MAX_BODY_BYTES), 413),
    _case("size-limit", "POST", "/items", _padded(EMPTY_NAME, MAX_BODY_BYTES), 422, NAME),
    _case("size-limit-plus-one", "POST", "/items", _padded(EMPTY_NAME, MAX_BODY_BYTES + 1), 413),
    _case(
        "size-limit-plus-one-chunked",
        "POST",
        "/items",
        _padded(EMPTY_NAME, MAX_BODY_BYTES + 1),
        413,
        chunked=True,
    ),
    _case("chunked-small", "POST", "/items", EMPTY_NAME, 422, NAME, chunked=True),
    _case(
        "many-members",
        "POST",
        "/items",
        json.dumps({f"m{n}": 0 for n in range(50_000)}).encode(),
        422,
        ("name", "m0", "m1", "m2", "m3"),
    ),
    _case(
        "long-member-name",
        "POST",
        "/items",
        json.dumps({"name": "pen", "k" * 100_000: 1}).encode(),
        422,
        ("k" * 100,),
    ),
    _case(
        "name-too-long-multibyte",
        "POST",
        "/items",
        json.dumps({"name": "\u00e9" * 101}, ensure_ascii=False).encode(),
        422,
        NAME,
    ),
    _case(
        "description-too-long",
        "POST",
        "/items",
        json.dumps({"name": "pen", "description": "d" * 1001}).encode(),
        422,
        DESCRIPTION,
    ),
    # Content types: POST and PATCH take application/json (or application/*+json) only.
    _case("content-type-missing", "POST", "/items", b'{"name": "pen"}', 415, headers=()),
    _case(
        "content-type-text-plain",
        "POST",
        "/items",
        b'{"name": "pen"}',
        415,
        headers=(("Content-Type", "text/plain"),),
    ),
    _case(
        "content-type-text-json",
        "POST",
        "/items",
        b'{"name": "pen"}',
        415,
        headers=(("Content-Type", "text/json"),),
    ),
    _case(
        "content-type-multipart",
        "POST",
        "/items",
        b'--b\r\nContent-Disposition: form-data; name="name"\r\n\r\npen\r\n--b--\r\n',
        415,
        headers=(("Content-Type", "multipart/form-data; boundary=b"),),
    ),
    _case(
        "content-type-form",
        "PATCH",
        "/items/1",
        b"name=pen",
        415,
        headers=(("Content-Type", "application/x-www-form-urlencoded"),),
    ),
    _case(
        "content-type-jsonx",
        "POST",
        "/items",
        b'{"name": "pen"}',
        415,
        headers=(("Content-Type", "application/jsonx"),),
    ),
    _case(
        "content-type-bad-charset",
        "POST",
        "/items",
        EMPTY_NAME,
        422,
        NAME,
        headers=(("Content-Type", "application/json; charset=klingon"),),
    ),
    _case(
        "content-type-upper-case",
        "POST",
        "/items",
        EMPTY_NAME,
        422,
        NAME,
        headers=(("Content-Type", "APPLICATION/JSON"),),
    ),
    _case(
        "content-type-merge-patch",
        "PATCH",
        f"/items/{MAX_ID}",
        b'{"name": 5}',
        422,
        NAME,
        headers=(("Content-Type", "application/merge-patch+json"),),
    ),
    # Empty and truncated bodies.
    _case("empty-length-0", "POST", "/items", b""),
    _case("empty-no-length", "POST", "/items", None, headers=JSON),
    _case("empty-patch", "PATCH", "/items/1", b""),
    _case("whitespace-only", "POST", "/items", b" \r\n\t "),
    _case("truncated-string", "POST", "/items", b'{"name": "pe'),
    _case("truncated-after-comma", "POST", "/items", b'{"name": "pen",'),
    _case("truncated-escape", "POST", "/items", b'{"name": "\\u00'),
    _case("trailing-garbage", "POST", "/items", b'{"name": "pen"} x'),
    _case("json-null", "POST", "/items", b"null", 422, BODY),
    _case("json-array", "POST", "/items", b"[]", 422, BODY),
    _case("json-string", "PATCH", "/items/1", b'"x"', 422, BODY),
    _case("json-number", "POST", "/items", b"1", 422, BODY),
    _case("missing-name", "POST", "/items", b"{}", 422, NAME),
    _case("name-null", "PATCH", "/items/1", b'{"name": null}', 422, NAME),
    _case("name-number", "POST", "/items", b'{"name": 1e999}', 422, NAME),
    _case("name-object", "POST", "/items", b'{"name": {"$ne": ""}}', 422, NAME),
    _case(
        "description-array",
        "POST",
        "/items",
        b'{"name": "pen", "description": []}',
        422,
        DESCRIPTION,
    ),
    _case(
        "every-fault",
        "POST",
        "/items",
        b'{"name": 1, "description": 2, "zzz": 3}',
        422,
        ("name", "description", "zzz"),
    ),
    # Order of the checks: body before id, absent item last.
    _case("patch-bad-id-bad-json", "PATCH", "/items/abc", b"{not json"),
    _case("patch-absent-bad-member", "PATCH", f"/items/{MAX_ID}", b'{"name": 5}', 422, NAME),
    _case("patch-absent", "PATCH", f"/items/{MAX_ID}", b"{}", 404),
    _case("delete-absent", "DELETE", f"/items/{MAX_ID}", status=404),
    # Methods not taken by a known path: 405 with Allow (OPTIONS too while CORS is off).
    _case("put-item", "PUT", "/items/1", b'{"name": "pen"}', 405),
    _case("put-items", "PUT", "/items", None, 405),
    _case("post-item", "POST", "/items/1", b'{"name": "pen"}', 405),
    _case("delete-items", "DELETE", "/items", status=405),
    _case("trace-items", "TRACE", "/items", status=405),
    _case("options-items", "OPTIONS", "/items", status=405),
    _case("propfind-items", "PROPFIND", "/items", status=405),
    # Paths: unknown ones are 404, whatever their bytes.
    _case("double-slash", "GET", "//", status=404),
    _case("percent-nul", "GET", "/%00", status=404),
    _case("below-an-item", "GET", "/items/1/x", status=404),
    _case("path-7kb", "GET", "/" + "a" * 7000, status=404),
    _case("percent-junk", "GET", "/%ff%fe%fd", status=404),
    _case("dot-segments", "GET", "/%2e%2e/%2e%2e/etc/passwd", status=404),
    _case("unknown-with-junk-query", "GET", "/nowhere?x=%ff&%00=1", status=404),
    _case("post-unknown", "POST", "/nowhere", b"[" * 100_000, 404),
]

#: Hostile-looking requests that are valid: each must be served, not refused.
ACCEPTED: list[Case] = [
    _case("escaped-control-character", "POST", "/items", b'{"name": "a\\u0001b"}', 201),
    _case("paired-surrogate", "POST", "/items", b'{"name": "\\ud83d\\ude00"}', 201),
    _case(
        "name-100-astral", "POST", "/items", json.dumps({"name": "\U0001f600" * 100}).encode(), 201
    ),
    _case("brackets-in-string", "POST", "/items", b'{"name": "' + b"[" * 100 + b'"}', 201),
    _case(
        "json-charset-utf8",
        "POST",
        "/items",
        b'{"name": "pen"}',
        201,
        headers=(("Content-Type", "application/json; charset=utf-8"),),
    ),
    _case("limit-at-max", "GET", "/items?limit=100", status=200),
    _case("offset-at-max", "GET", f"/items?offset={MAX_ID}", status=200),
]

BY_ID = {case.id: case for case in CORPUS + ACCEPTED}
assert len(BY_ID) == len(CORPUS) + len(ACCEPTED), "case ids must be unique"
