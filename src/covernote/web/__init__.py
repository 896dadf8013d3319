"""The customer portal (issue 14, UX-2): server-rendered pages under `/portal`, an edge like `api/` and `cli/`.

Pages read and act only through the use cases the REST routers call, with the signed-in user's Principal, so
a customer sees only their own records; the sign-in, sessions and lock-out are identity's
(identity/usecases/web.py). Jinja2 templates, autoescaped; one plain stylesheet; no JavaScript."""
