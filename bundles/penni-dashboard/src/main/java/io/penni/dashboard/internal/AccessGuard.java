package io.penni.dashboard.internal;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Locale;
import java.util.Optional;

/**
 * Who may use the dashboard and its API, and which submissions a browser may make.
 * <ul>
 * <li>Clients on the loopback interface may, without a token; then the {@code Host} they asked for must be a
 * loopback name too, so a page on a foreign domain that resolves to 127.0.0.1 (DNS rebinding) gets nothing.</li>
 * <li>Clients beyond loopback only when a token is configured: the pages are served to them, the API answers
 * {@code Authorization: Bearer TOKEN} only. Without a token they are refused outright.</li>
 * <li>A submission ({@code POST}) must say {@code Content-Type: application/json} (a cross-site form cannot) and,
 * where the browser sends {@code Origin}, come from this server's own origin.</li>
 * </ul>
 */
final class AccessGuard {

    private static final String BEARER = "Bearer ";

    private final byte[] token;

    /**
     * @param token what clients beyond loopback must give; blank: they are refused
     */
    AccessGuard(String token) {
        this.token = token == null ? new byte[0] : token.strip().getBytes(StandardCharsets.UTF_8);
    }

    /** @return whether clients beyond loopback may come in (with the token) */
    boolean open() {
        return token.length > 0;
    }

    /**
     * Checks who asks.
     *
     * @param remoteAddress the client's IP address
     * @param host the {@code Host} header
     * @param authorization the {@code Authorization} header, if any
     * @param api whether the request is for the API (pages need no token, their data does)
     * @return empty when it may go on, else the refusal
     */
    Optional<Refusal> client(String remoteAddress, String host, Optional<String> authorization, boolean api) {
        if (isLoopback(remoteAddress)) {
            if (!open() && !loopbackName(hostName(host))) {
                return Optional.of(new Refusal(403, "this dashboard answers requests for 127.0.0.1 or localhost only, "
                        + "not for '" + host + "'; set access.token in runtime-config/penni.dashboard.cfg to serve "
                        + "other names"));
            }
            return Optional.empty();
        }
        if (!open()) {
            return Optional.of(new Refusal(403, "the dashboard answers clients on this machine only; set access.token "
                    + "in runtime-config/penni.dashboard.cfg to let others in with it"));
        }
        if (!api) {
            return Optional.empty();
        }
        byte[] given = authorization.filter(a -> a.startsWith(BEARER))
                .map(a -> a.substring(BEARER.length()).strip().getBytes(StandardCharsets.UTF_8)).orElse(new byte[0]);
        return MessageDigest.isEqual(given, token) ? Optional.empty()
                : Optional.of(new Refusal(401, "a client beyond this machine must send Authorization: Bearer with the "
                        + "configured access.token"));
    }

    /**
     * Checks a submission's form.
     *
     * @param contentType the {@code Content-Type} header, if any
     * @param origin the {@code Origin} header, if any (browsers send it on every POST)
     * @param scheme the scheme this request came in by
     * @param host the {@code Host} header
     * @return empty when it may go on, else the refusal
     */
    Optional<Refusal> submission(Optional<String> contentType, Optional<String> origin, String scheme, String host) {
        String type = contentType.map(t -> t.split(";", 2)[0].strip().toLowerCase(Locale.ROOT)).orElse("");
        if (!type.equals("application/json")) {
            return Optional.of(new Refusal(415, "a request must be sent as Content-Type: application/json, not '"
                    + contentType.orElse("") + "'"));
        }
        if (origin.isPresent() && !sameOrigin(origin.get(), scheme, host)) {
            return Optional.of(new Refusal(403, "a request from a page of another origin (" + origin.get()
                    + ") is refused; submit from this dashboard or without a browser"));
        }
        return Optional.empty();
    }

    private static boolean sameOrigin(String origin, String scheme, String host) {
        try {
            URI o = URI.create(origin.strip());
            URI own = URI.create(scheme + "://" + host);
            return o.getScheme() != null && o.getScheme().equalsIgnoreCase(own.getScheme()) && o.getHost() != null
                    && o.getHost().equalsIgnoreCase(own.getHost()) && port(o) == port(own)
                    && (o.getPath() == null || o.getPath().isEmpty());
        } catch (IllegalArgumentException e) {
            return false; // "null" (a sandboxed page) and anything malformed
        }
    }

    private static int port(URI uri) {
        return uri.getPort() != -1 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
    }

    private static String hostName(String host) {
        if (host == null) {
            return "";
        }
        String h = host.strip();
        if (h.startsWith("[")) {
            int end = h.indexOf(']');
            return end > 0 ? h.substring(1, end) : h;
        }
        int colon = h.lastIndexOf(':');
        return colon >= 0 ? h.substring(0, colon) : h;
    }

    private static boolean loopbackName(String name) {
        return name.equalsIgnoreCase("localhost") || isIpLiteral(name) && isLoopback(name);
    }

    private static boolean isIpLiteral(String name) {
        return name.matches("[0-9.]+") || name.contains(":");
    }

    private static boolean isLoopback(String address) {
        try {
            // only IP literals reach here, so no name is looked up
            return address != null && !address.isEmpty() && isIpLiteral(address)
                    && InetAddress.getByName(address).isLoopbackAddress();
        } catch (UnknownHostException | SecurityException e) {
            return false;
        }
    }

    /**
     * Why a request is refused.
     *
     * @param status the HTTP status
     * @param message what to tell the client
     */
    record Refusal(int status, String message) {
    }
}
