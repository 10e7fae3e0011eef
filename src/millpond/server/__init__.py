"""The ASGI application and the wiring of storage, services and protocol."""
