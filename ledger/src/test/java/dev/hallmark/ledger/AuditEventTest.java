package dev.hallmark.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link AuditEvent} validation and the secret-key screen (RELIABILITY I12, T58). */
class AuditEventTest {

    @ParameterizedTest(name = "refuses detail key {0}")
    @ValueSource(strings = {"pin", "PIN", "hsm_pin", "hsmPin", "soPin", "userpin", "pins", "pincode", "pwd",
        "password", "adminPassword", "scep.challenge-password", "passwd", "passphrase", "secret", "clientSecret",
        "secret_key", "token", "session_token", "bearerToken", "hmac", "eab_hmac_key", "HMAC", "private_key",
        "privateKey", "privkey", "key_material", "keyMaterial", "api_key", "eab-key"})
    void refusesDetailKeysThatLookLikeSecrets(String key) {
        assertThat(AuditEvent.looksSecret(key)).isTrue();
        assertThatThrownBy(() -> new AuditEvent(AuditEventType.CONFIG_CHANGED, "admin:1", "config",
                Map.of(key, "x"))).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest(name = "allows detail key {0}")
    @ValueSource(strings = {"changed", "serial", "sha256", "key", "alias", "key_alias", "key_holder", "profile",
        "mapping", "shipping", "pinning", "reason", "tree_size", "root_hash", "notAfter", "identifiers"})
    void allowsOrdinaryDetailKeys(String key) {
        assertThat(AuditEvent.looksSecret(key)).isFalse();
        assertThat(new AuditEvent(AuditEventType.CONFIG_CHANGED, "admin:1", "config", Map.of(key, "x")).details())
                .containsEntry(key, "x");
    }

    @Test
    void recordsThatASecretChangedUnderANeutralKey() {
        AuditEvent e = new AuditEvent(AuditEventType.CONFIG_CHANGED, "admin:1", "config",
                Map.of("changed", "scep.challenge"));
        assertThat(e.detailsJson()).isEqualTo("{\"changed\":\"scep.challenge\"}");
    }

    @Test
    void detailsAreSortedCopiedAndCanonical() {
        Map<String, String> in = new HashMap<>(Map.of("b", "2", "a", "quote\" back\\ nl\n"));
        AuditEvent e = new AuditEvent(AuditEventType.CA_CREATED, "system:test", "ca/x", in);
        in.put("c", "3");
        assertThat(e.details()).containsOnlyKeys("a", "b");
        assertThat(e.detailsJson()).isEqualTo("{\"a\":\"quote\\\" back\\\\ nl\\u000a\",\"b\":\"2\"}");
        assertThat(CanonicalJson.read(e.detailsJson())).isEqualTo(e.details());
        assertThat(new AuditEvent(AuditEventType.CA_CREATED, "a", "s", null).detailsJson()).isEqualTo("{}");
    }

    @Test
    void rejectsMalformedEvents() {
        assertThatThrownBy(() -> new AuditEvent(AuditEventType.CA_CREATED, " ", "s"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new AuditEvent(null, "a", "s")).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> new AuditEvent(AuditEventType.CA_CREATED, "a".repeat(AuditEvent.MAX_ACTOR + 1),
                "s")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new AuditEvent(AuditEventType.CA_CREATED, "a", "nul\0"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new AuditEvent(AuditEventType.CA_CREATED, "a", "s", Map.of("bad key", "v")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new AuditEvent(AuditEventType.CA_CREATED, "a", "s", Map.of("k", "\uD800")))
                .isInstanceOf(IllegalArgumentException.class);
        Map<String, String> many = new HashMap<>();
        for (int i = 0; i <= AuditEvent.MAX_DETAILS; i++) {
            many.put("k" + i, "v");
        }
        assertThatThrownBy(() -> new AuditEvent(AuditEventType.CA_CREATED, "a", "s", many))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
