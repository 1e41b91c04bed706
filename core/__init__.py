"""What api/ and workers/ both stand on: settings, the control plane in Redis, token windows,
error codes, task names and the Celery app. Imports nothing of api, workers or memfeed."""
