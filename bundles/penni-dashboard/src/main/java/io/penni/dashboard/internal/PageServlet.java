package io.penni.dashboard.internal;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.Optional;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * The dashboard's page and its assets, from this bundle ({@code io/penni/dashboard/web/}): one HTML page whose
 * script draws the Jobs, Job, Strategies and Server views from the API. Nothing is fetched from elsewhere.
 */
final class PageServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;
    private static final String ROOT = "/io/penni/dashboard/web/";
    private static final Map<String, String> ASSETS = Map.of(
            "index.html", "text/html; charset=utf-8",
            "app.js", "text/javascript; charset=utf-8",
            "charts.js", "text/javascript; charset=utf-8",
            "style.css", "text/css; charset=utf-8",
            "favicon.svg", "image/svg+xml");

    private final transient AccessGuard guard;

    PageServlet(AccessGuard guard) {
        this.guard = guard;
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Optional<AccessGuard.Refusal> refused = guard.client(request.getRemoteAddr(), request.getHeader("Host"),
                Optional.empty(), false);
        if (refused.isPresent()) {
            JobsApiServlet.error(response, refused.get().status(), refused.get().message());
            return;
        }
        String path = request.getPathInfo();
        if (path == null) { // /penni: relative links need the slash
            response.sendRedirect(request.getContextPath() + request.getServletPath() + "/");
            return;
        }
        String name = path.equals("/") ? "index.html" : path.substring(1);
        String type = ASSETS.get(name);
        InputStream in = type == null ? null : PageServlet.class.getResourceAsStream(ROOT + name);
        if (in == null) {
            JobsApiServlet.error(response, 404, "no page " + request.getRequestURI() + "; the dashboard is at /penni/");
            return;
        }
        try (in) {
            response.setStatus(200);
            response.setContentType(type);
            response.setHeader("Cache-Control", "no-cache");
            response.setHeader("X-Content-Type-Options", "nosniff");
            response.setHeader("X-Frame-Options", "DENY");
            response.setHeader("Content-Security-Policy", "default-src 'self'; img-src 'self' blob: data:; "
                    + "style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'");
            in.transferTo(response.getOutputStream());
        }
    }
}
