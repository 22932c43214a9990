"""The web front end (`girok serve`): a front end beside the CLI, calling the same use cases (girok.app)."""
