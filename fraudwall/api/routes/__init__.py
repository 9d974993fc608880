"""One router per resource. Every module here that defines ``router`` is served under ``/v1``
(``health`` at the root); routes call the service functions the CLI calls, nothing more."""
