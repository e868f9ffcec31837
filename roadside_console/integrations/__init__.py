"""Adapters to the outside world (SMTP, Twilio, ...) behind the domain's small protocols.

Each channel has a real adapter used when it is configured and an offline recording default, so
the app runs with no keys at all. `build_senders(settings)` picks one per channel.
"""
