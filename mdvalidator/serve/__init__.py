"""``mdvalidator serve``: the pull-request bot as a webhook service (docs/serve.md)."""
