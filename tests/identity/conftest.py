"""The OpenID provider the single sign-on tests sign in with: oidc-provider-mock, a real
OIDC provider (authlib under Flask), served from a thread on 127.0.0.1 (no network)."""

from __future__ import annotations

import threading

import oidc_provider_mock
import pytest
import werkzeug.serving

from tests.identity.helpers import CALLBACK, register_client


@pytest.fixture(scope="module")
def provider_url():
    app = oidc_provider_mock.app(require_client_registration=True, require_nonce=True)
    server = werkzeug.serving.make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(5)
        server.server_close()


@pytest.fixture(scope="module")
def provider(provider_url):
    """The provider with the portal registered for Django's test client (testserver)."""
    return register_client(provider_url, CALLBACK)
