"""One module per `deck` command; deck/cli.py parses the command line and calls them."""
