"""The fraudwall service: a FastAPI app over the same service functions as the CLI.

``create_app()`` builds it (settings from the environment, :mod:`fraudwall.api.settings`);
``fraudwall serve`` runs it with uvicorn. Every path under ``/v1/`` needs a bearer token
(``fraudwall token create``); ``/health``, ``/docs`` and ``/openapi.json`` do not.
"""

from fraudwall.api.app import create_app

__all__ = ["create_app"]
