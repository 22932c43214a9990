"""The catalog: every SQL statement, its models and migrations, and the database dialect."""
