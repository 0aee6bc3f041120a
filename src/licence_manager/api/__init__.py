"""The dashboard's data API: a Flask app served by the `api` function."""
