"""Browser-side timers: a countdown to a deadline and a poller that asks the server for news.

Both tick in the browser, so a countdown never waits for a round trip and a page that is
closed (or hidden in a background tab) stops polling by itself.
"""

from __future__ import annotations

import reflex as rx
from reflex_base.event import no_args_event_spec

_COUNTDOWN_JS = """
function RsCountdown({deadlineMs, ...rest}) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(timer);
  }, []);
  const left = Math.max(0, Math.ceil((Number(deadlineMs) - now) / 1000));
  const text = Math.floor(left / 60) + ":" + String(left % 60).padStart(2, "0");
  return jsx("span", {...rest, "data-seconds-left": left, role: "timer"}, text);
}
"""

_POLLER_JS = """
function RsPoller({intervalMs, onTick}) {
  const latest = useRef(onTick);
  latest.current = onTick;
  useEffect(() => {
    const timer = setInterval(() => {
      if (document.visibilityState === "visible" && latest.current) latest.current();
    }, Number(intervalMs));
    return () => clearInterval(timer);
  }, [intervalMs]);
  return null;
}
"""

_REACT_IMPORTS = {
    "react": [
        rx.ImportVar(tag="useEffect"),
        rx.ImportVar(tag="useRef"),
        rx.ImportVar(tag="useState"),
    ],
    "@emotion/react": [rx.ImportVar(tag="jsx")],
}


class Countdown(rx.Component):
    """Minutes and seconds left until `deadline_ms` (Unix milliseconds), never below 0:00."""

    tag: str | None = "RsCountdown"
    deadline_ms: rx.Var[int]

    def add_imports(self) -> dict[str, list[rx.ImportVar]]:
        """Import the React hooks the countdown uses."""
        return _REACT_IMPORTS

    def add_custom_code(self) -> list[str]:
        """Define the countdown component once per page."""
        return [_COUNTDOWN_JS]


class Poller(rx.Component):
    """Fire `on_tick` every `interval_ms` while the page is open and visible."""

    tag: str | None = "RsPoller"
    interval_ms: rx.Var[int]
    on_tick: rx.EventHandler[no_args_event_spec]

    def add_imports(self) -> dict[str, list[rx.ImportVar]]:
        """Import the React hooks the poller uses."""
        return _REACT_IMPORTS

    def add_custom_code(self) -> list[str]:
        """Define the poller component once per page."""
        return [_POLLER_JS]


countdown = Countdown.create
poller = Poller.create
