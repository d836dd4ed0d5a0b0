"""One module per subcommand (see ``mdvalidator.cli``)."""
