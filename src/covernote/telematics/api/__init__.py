"""The telematics context's REST routers, one module per concern; api/app.py includes them."""
