"""Celery entry point: ``celery -A workers worker``. Builds the Flask app and exposes its Celery app."""

from certcenter import create_app

flask_app = create_app()
celery = flask_app.extensions["celery"]
