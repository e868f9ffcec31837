"""The background worker: outbox delivery and periodic jobs (`python -m roadside_console.worker`)."""
