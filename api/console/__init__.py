"""The web console at /console: server-rendered pages over the same control plane and worker
tasks as the API, signed in with a project's API key."""
