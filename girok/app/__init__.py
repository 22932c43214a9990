"""The application layer: the use cases every front end (CLI, web) calls; plain arguments in, plain data out."""
