package io.penni.dashboard.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;

import org.junit.jupiter.api.Test;

class AccessGuardTest {

    private final AccessGuard closed = new AccessGuard("");
    private final AccessGuard withToken = new AccessGuard("s3cret");

    @Test
    void aLoopbackClientAskingForALoopbackNameNeedsNoToken() {
        assertTrue(closed.client("127.0.0.1", "127.0.0.1:8181", Optional.empty(), true).isEmpty());
        assertTrue(closed.client("127.0.0.1", "localhost:8181", Optional.empty(), true).isEmpty());
        assertTrue(closed.client("::1", "[::1]:8181", Optional.empty(), true).isEmpty());
    }

    @Test
    void aLoopbackClientAskingForAForeignNameIsRefusedAsDnsRebinding() {
        assertEquals(403, closed.client("127.0.0.1", "attacker.example:8181", Optional.empty(), true)
                .orElseThrow().status());
    }

    @Test
    void withoutATokenNoClientBeyondLoopbackGetsAnythingNotEvenThePage() {
        assertEquals(403, closed.client("10.1.2.3", "10.0.0.5:8181", Optional.empty(), false).orElseThrow().status());
        assertEquals(403, closed.client("10.1.2.3", "10.0.0.5:8181", Optional.of("Bearer x"), true)
                .orElseThrow().status());
    }

    @Test
    void withATokenAClientBeyondLoopbackGetsThePageAndTheApiOnlyWithTheToken() {
        assertTrue(withToken.client("10.1.2.3", "srv:8181", Optional.empty(), false).isEmpty());
        assertEquals(401, withToken.client("10.1.2.3", "srv:8181", Optional.empty(), true).orElseThrow().status());
        assertEquals(401, withToken.client("10.1.2.3", "srv:8181", Optional.of("Bearer wrong"), true)
                .orElseThrow().status());
        assertTrue(withToken.client("10.1.2.3", "srv:8181", Optional.of("Bearer s3cret"), true).isEmpty());
    }

    @Test
    void aSubmissionMustBeJson() {
        assertEquals(415, closed.submission(Optional.of("text/plain"), Optional.empty(), "http", "127.0.0.1:8181")
                .orElseThrow().status());
        assertEquals(415, closed.submission(Optional.of("application/x-www-form-urlencoded"), Optional.empty(), "http",
                "127.0.0.1:8181").orElseThrow().status());
        assertEquals(415, closed.submission(Optional.empty(), Optional.empty(), "http", "127.0.0.1:8181")
                .orElseThrow().status());
        assertTrue(closed.submission(Optional.of("application/json; charset=utf-8"), Optional.empty(), "http",
                "127.0.0.1:8181").isEmpty());
    }

    @Test
    void aSubmissionFromAnotherOriginIsRefusedAndOneFromThisOriginIsNot() {
        Optional<String> json = Optional.of("application/json");
        assertTrue(closed.submission(json, Optional.of("http://127.0.0.1:8181"), "http", "127.0.0.1:8181").isEmpty());
        for (String foreign : new String[] {"http://evil.example", "http://127.0.0.1:9999", "https://127.0.0.1:8181",
                "null", "http://127.0.0.1.evil.example:8181"}) {
            assertEquals(403, closed.submission(json, Optional.of(foreign), "http", "127.0.0.1:8181").orElseThrow()
                    .status(), foreign);
        }
    }
}
