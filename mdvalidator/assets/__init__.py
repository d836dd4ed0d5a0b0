"""Asset verification: safe fetching of untrusted URLs, streaming sha256, the result cache.

The only package that touches the network for assets. Imported lazily by the engine.
"""
