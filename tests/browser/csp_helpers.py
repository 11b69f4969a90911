"""Watching a page for CSP violations in the browser tests.

Shared by the test modules (no test module imports from another)."""

from playwright.sync_api import expect

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.__cspViolations.push(
    event.violatedDirective + " blocked " + (event.blockedURI || "inline") + " " + (event.sample || "")
  );
});
"""


class Watched:
    """A page that remembers every CSP violation, console error and uncaught exception, per URL visited."""

    def __init__(self, page, base: str) -> None:
        self.page, self.base, self.problems = page, base, []
        page.add_init_script(RECORD_VIOLATIONS)
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"{page.url}: uncaught {error}"))
        page.on("response", self._response)

    def _console(self, message) -> None:
        # A failed load is reported by _response with its address (the console message has none).
        failed_load = message.text.startswith("Failed to load resource")
        if (message.type == "error" and not failed_load) or "Content Security Policy" in message.text:
            self.problems.append(f"{self.page.url}: console {message.type}: {message.text}")

    def _response(self, response) -> None:
        # The browser asks for /favicon.ico on its own; the portal has none.
        if response.status >= 400 and not response.url.endswith("/favicon.ico"):
            self.problems.append(f"{self.page.url}: {response.status} for {response.url}")

    def visit(self, path: str, *, charts: tuple[str, ...] = ()) -> None:
        response = self.page.goto(f"{self.base}{path}")
        assert response is not None and response.status == 200, f"{path}: {response and response.status}"
        assert "default-src 'self'" in response.headers["content-security-policy"]
        for selector in charts:
            expect(self.page.locator(f"{selector} canvas").first).to_be_visible()  # drawn, and not 0 px high
        self.page.wait_for_load_state("networkidle")
        self.collect(path)

    def collect(self, where: str) -> None:
        """Moves the violations the page recorded since the last call into `problems`."""
        self.problems += [f"{where}: {v}" for v in self.page.evaluate("(window.__cspViolations || []).splice(0)")]

    def hover_chart(self, selector: str) -> None:
        chart = self.page.locator(selector).first
        chart.locator("canvas").hover()
        expect(chart.locator(":scope > div").last).to_be_visible()  # ECharts' tooltip, after the canvas' wrapper
        self.collect(f"{self.page.url} tooltip")
