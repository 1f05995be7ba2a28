package io.penni.serving.internal;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Optional;

/**
 * Who may use the endpoint: clients on the loopback interface always; others only with the configured token, as
 * {@code Authorization: Bearer TOKEN}, and not at all while none is configured. The health probes
 * ({@code /v2/health/live|ready}) answer everyone, since orchestrators probe from outside.
 */
final class AccessRule {

    private static final String BEARER = "Bearer ";

    private final byte[] token;

    /**
     * @param token the token clients beyond loopback must give; blank: they are refused
     */
    AccessRule(String token) {
        this.token = token == null ? new byte[0] : token.strip().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Checks a request.
     *
     * @param remoteAddress the client's IP address
     * @param authorization the {@code Authorization} header, if any
     * @param path the path under {@code /v2}, by segment
     * @return empty when it may go on; else why not, as the refusal to answer with (401 or 403)
     */
    Optional<BadRequestException> refusal(String remoteAddress, Optional<String> authorization, List<String> path) {
        if (path.size() == 2 && path.get(0).equals("health") || isLoopback(remoteAddress)) {
            return Optional.empty();
        }
        if (token.length == 0) {
            return Optional.of(new BadRequestException(403, "the serving endpoint answers clients on this machine "
                    + "only; set access.token in runtime-config/penni.serving.cfg to let others in with it"));
        }
        byte[] given = authorization.filter(a -> a.startsWith(BEARER))
                .map(a -> a.substring(BEARER.length()).strip().getBytes(StandardCharsets.UTF_8)).orElse(new byte[0]);
        if (!MessageDigest.isEqual(given, token)) {
            return Optional.of(new BadRequestException(401, "a client beyond this machine must send "
                    + "Authorization: Bearer with the configured access.token"));
        }
        return Optional.empty();
    }

    private static boolean isLoopback(String address) {
        try {
            // an IP literal: no name look-up happens
            return address != null && InetAddress.getByName(address).isLoopbackAddress();
        } catch (UnknownHostException | SecurityException e) {
            return false;
        }
    }
}
