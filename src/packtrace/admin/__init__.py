"""The admin web UI: server-rendered pages under /admin/ (see ``mount``), calling the same services as the API."""
