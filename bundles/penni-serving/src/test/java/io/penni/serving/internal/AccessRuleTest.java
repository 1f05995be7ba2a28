package io.penni.serving.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

class AccessRuleTest {

    private static final List<String> INFER = List.of("models", "m", "infer");

    @Test
    void loopbackClientsNeedNoToken() {
        AccessRule rule = new AccessRule("");
        assertTrue(rule.refusal("127.0.0.1", Optional.empty(), INFER).isEmpty());
        assertTrue(rule.refusal("0:0:0:0:0:0:0:1", Optional.empty(), INFER).isEmpty());
    }

    @Test
    void withoutATokenOtherClientsAreRefusedButTheHealthProbesAnswer() {
        AccessRule rule = new AccessRule("");
        assertEquals(403, rule.refusal("10.0.0.7", Optional.of("Bearer x"), INFER).orElseThrow().status());
        assertTrue(rule.refusal("10.0.0.7", Optional.empty(), List.of("health", "ready")).isEmpty());
    }

    @Test
    void withATokenOtherClientsMustSendItAsABearerToken() {
        AccessRule rule = new AccessRule("s3cret");
        assertTrue(rule.refusal("10.0.0.7", Optional.of("Bearer s3cret"), INFER).isEmpty());
        assertEquals(401, rule.refusal("10.0.0.7", Optional.of("Bearer wrong"), INFER).orElseThrow().status());
        assertEquals(401, rule.refusal("10.0.0.7", Optional.of("s3cret"), INFER).orElseThrow().status());
        assertEquals(401, rule.refusal("10.0.0.7", Optional.empty(), List.of()).orElseThrow().status());
    }
}
