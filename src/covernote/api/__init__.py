"""The REST API (UX-1): FastAPI routers, request schemas and problem-detail errors."""
