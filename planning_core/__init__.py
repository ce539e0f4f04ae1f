"""Planning Flow: the library behind the dashboard and the command line."""
