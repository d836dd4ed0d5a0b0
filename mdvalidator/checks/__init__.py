"""Pure checks over parsed documents: a document and options in, problems out."""
