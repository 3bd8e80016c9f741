"""Flask's signed-cookie sessions, with the signing serializer built once instead of per request.

Flask builds the serializer for every request, to open the session, although it depends only
on ``SECRET_KEY``; for a small JSON request that alone is a noticeable share of the time.
"""

from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer


class CachedSerializerSessionInterface(SecureCookieSessionInterface):
    """One instance per app: the first request's serializer serves all the others."""

    _serializer: URLSafeTimedSerializer | None = None

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        if self._serializer is None:
            self._serializer = super().get_signing_serializer(app)
        return self._serializer
