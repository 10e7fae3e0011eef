"""The web console: a small single-page app (static ES modules under static/) and the JSON API it calls
under /_millpond/console/api/, which reads and acts through the same provider methods the AWS APIs call.

The server hands it a `ConsoleHost` (providers, clock, defaults); nothing here knows HTTP framing beyond
plain (status, headers, body) triples, and nothing here touches storage or the wire codecs.
"""

from millpond.console.routes import PREFIX, ConsoleHost, ConsoleResponse, handle

__all__ = ["PREFIX", "ConsoleHost", "ConsoleResponse", "handle"]
