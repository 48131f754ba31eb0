"""Built-in connectors: each a plug-in with the same interface third parties use."""
