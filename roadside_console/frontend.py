"""How the built console frontend is served in production: caching headers, no folder redirects.

`reflex run --env prod` serves the built frontend from the backend (one port) through a Starlette
`Mount` named "frontend". Left as it is, none of its answers says how long a browser may keep
it, so every new tab asks again for each of the ~75 hashed scripts a page imports (75 answers of
304, one after the other on the event loop that also runs the websocket), and a page whose
prerendered file is a folder's `index.html` (`/admin`, `/admin/bookings`) first answers with a
307 to the same path with a trailing slash.

`serve_built_frontend` is given to `rx.App(api_transformer=[...])` before the API: it wraps only
that mount, so neither the API's answers nor the websocket pass through it.
"""

from __future__ import annotations

import os
import posixpath
import stat

from starlette.datastructures import MutableHeaders
from starlette.routing import Mount, get_route_path
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Vite writes the build's own files under /assets/ with a content hash in every name.
HASHED_PREFIX = "/assets/"
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
FRONTEND_MOUNT_NAME = "frontend"  # the name Reflex gives the mount (reflex.utils.exec)


class BuiltFrontendFiles:
    """The frontend's static files with a caching policy, and page folders served in place.

    Hashed build files are cached for a year and never revalidated: a new build names its files
    anew, and the pages that import them are revalidated on every load (`no-cache`), so a deploy
    shows at once. A path whose folder holds an `index.html` is served that file directly
    instead of a redirect to the path with a trailing slash.
    """

    def __init__(self, files: StaticFiles) -> None:
        self.files = files

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve the file, with the folder path rewritten and the Cache-Control header added."""
        if scope["type"] != "http":
            await self.files(scope, receive, send)
            return
        route_path = get_route_path(scope)
        if scope["method"] in ("GET", "HEAD") and self._is_page_folder(scope, route_path):
            scope = {
                **scope,
                "path": scope["path"] + "/",
                "raw_path": scope.get("raw_path", scope["path"].encode()) + b"/",
            }
        hashed = route_path.startswith(HASHED_PREFIX)

        async def send_with_cache_control(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if "cache-control" not in headers:
                    keep = hashed and message["status"] in (200, 304)
                    headers["Cache-Control"] = IMMUTABLE if keep else REVALIDATE
            await send(message)

        await self.files(scope, receive, send_with_cache_control)

    def _is_page_folder(self, scope: Scope, route_path: str) -> bool:
        """Whether the path names a folder with an index.html (which Starlette would redirect).

        One `stat` of a local file, only for paths without a file extension (page loads, not
        scripts), so it runs inline rather than on a thread.
        """
        if route_path.endswith("/") or "." in posixpath.basename(route_path):
            return False
        index = os.path.join(self.files.get_path(scope), "index.html")
        try:
            _, stat_result = self.files.lookup_path(index)
        except (OSError, ValueError):  # a name too long, a null byte: the files app answers
            return False
        return stat_result is not None and stat.S_ISREG(stat_result.st_mode)


def serve_built_frontend(app: ASGIApp) -> ASGIApp:
    """Wrap the backend's frontend mount, if it has one, in `BuiltFrontendFiles`; return `app`.

    In development Vite serves the frontend and the backend has no such mount: nothing changes.
    """
    for route in getattr(app, "routes", ()):
        if (
            isinstance(route, Mount)
            and route.name == FRONTEND_MOUNT_NAME
            and isinstance(route.app, StaticFiles)
        ):
            route.app = BuiltFrontendFiles(route.app)
    return app
