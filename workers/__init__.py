"""The running system: store, broker, actors, API, scheduler, e-mail and the command line."""
