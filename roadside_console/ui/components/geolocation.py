"""Browser geolocation: watch the phone's position and hand the latest fix to the server.

While `enabled`, the browser watches the position (`navigator.geolocation.watchPosition`, which
never blocks the page) and sends the latest fix to `on_fix` as soon as there is one, then every
`interval_ms`. `on_error` receives "denied" (the person or the browser refused), "unavailable",
"timeout" or "unsupported" (no geolocation at all, or a page not served over HTTPS). Switching
`enabled` off, or leaving the page, stops the watch and the timer.
"""

from __future__ import annotations

import reflex as rx
from reflex_base.event import passthrough_event_spec

_GEOLOCATION_JS = """
function RsGeolocation({enabled, intervalMs, onFix, onError}) {
  const latest = useRef(null);
  const handlers = useRef({onFix, onError});
  handlers.current = {onFix, onError};
  useEffect(() => {
    if (!enabled) return undefined;
    const report = (code) => handlers.current.onError && handlers.current.onError(code);
    const geo = typeof navigator !== "undefined" ? navigator.geolocation : undefined;
    if (!geo || (typeof window !== "undefined" && window.isSecureContext === false)) {
      report("unsupported");
      return undefined;
    }
    let stopped = false;
    let watch = null;
    const send = () => {
      if (!stopped && latest.current && handlers.current.onFix) handlers.current.onFix(latest.current);
    };
    const read = (position) => {
      const c = position.coords;
      const first = latest.current === null;
      latest.current = {
        lat: c.latitude,
        lng: c.longitude,
        accuracy: Number.isFinite(c.accuracy) ? c.accuracy : null,
        heading: Number.isFinite(c.heading) ? c.heading : null,
      };
      if (first) send();
    };
    const fail = (error) => {
      if (stopped) return;
      const code = error && error.code === 1 ? "denied" : error && error.code === 3 ? "timeout" : "unavailable";
      if (code === "denied" && watch !== null) geo.clearWatch(watch);
      report(code);
    };
    watch = geo.watchPosition(read, fail, {enableHighAccuracy: true, maximumAge: 15000, timeout: 30000});
    const timer = setInterval(send, Number(intervalMs));
    return () => {
      stopped = true;
      if (watch !== null) geo.clearWatch(watch);
      clearInterval(timer);
      latest.current = null;
    };
  }, [enabled, intervalMs]);
  return null;
}
"""


class Geolocation(rx.Component):
    """Send the browser's position to `on_fix` every `interval_ms` while `enabled`."""

    tag: str | None = "RsGeolocation"
    enabled: rx.Var[bool]
    interval_ms: rx.Var[int]
    on_fix: rx.EventHandler[passthrough_event_spec(dict)]
    on_error: rx.EventHandler[passthrough_event_spec(str)]

    def add_imports(self) -> dict[str, list[rx.ImportVar]]:
        """Import the React hooks the watcher uses."""
        return {"react": [rx.ImportVar(tag="useEffect"), rx.ImportVar(tag="useRef")]}

    def add_custom_code(self) -> list[str]:
        """Define the watcher component once per page."""
        return [_GEOLOCATION_JS]


geolocation = Geolocation.create
