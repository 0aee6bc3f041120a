"""api: the HTTP function behind the web dashboard."""

import flask
import functions_framework

from licence_manager.entrypoints import serve_http


@functions_framework.http
def api(request: flask.Request) -> flask.typing.ResponseReturnValue:
    """Serve /api/v1/... from the licence store."""
    return serve_http(request)
