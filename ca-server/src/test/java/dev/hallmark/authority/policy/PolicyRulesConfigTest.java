package dev.hallmark.authority.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hallmark.config.ConfigException;
import dev.hallmark.config.ConfigNode;
import dev.hallmark.hsm.KeyType;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PolicyRulesConfigTest {

    private static PolicyRules load(String yaml) {
        return PolicyRules.fromConfig(ConfigNode.parse("hallmark.yaml", yaml).get("policy"));
    }

    @Test
    void fullSectionIsRead() {
        PolicyRules r = load("""
                policy:
                  dns: {allow: [.example.com], deny: [secret.example.com]}
                  ip: {allow: [10.0.0.0/8, "2001:db8::/32"]}
                  email: {deny: [ceo@example.com]}
                  uri: {allow: ["spiffe://*.example.com"]}
                  keys: {allowed: [ec-p256, rsa-3072], rsaMinBits: 3072, rsaMaxBits: 4096, rejectWeak: true}
                  maxValidity: 90d
                  maxSans: 10
                  allowWildcards: false
                """);
        assertThat(r.dns().allow()).containsExactly(".example.com");
        assertThat(r.dns().deny()).containsExactly("secret.example.com");
        assertThat(r.ip().allow()).containsExactly("10.0.0.0/8", "2001:db8::/32");
        assertThat(r.email().deny()).containsExactly("ceo@example.com");
        assertThat(r.uri().allow()).containsExactly("spiffe://*.example.com");
        assertThat(r.keys().allowed()).containsExactlyInAnyOrder(KeyType.EC_P256, KeyType.RSA_3072);
        assertThat(r.keys().rsaMinBits()).isEqualTo(3072);
        assertThat(r.keys().rsaMaxBits()).isEqualTo(4096);
        assertThat(r.maxValidity()).isEqualTo(Duration.ofDays(90));
        assertThat(r.maxSans()).isEqualTo(10);
        assertThat(r.allowWildcards()).isFalse();
    }

    @Test
    void missingSectionGivesDefaults() {
        assertThat(load("other: 1\n")).isEqualTo(PolicyRules.defaults());
        assertThat(load("policy: {}\n")).isEqualTo(PolicyRules.defaults());
    }

    static Stream<Arguments> badSections() {
        return Stream.of(
                Arguments.of("unknown top-level key", "policy: {maxSan: 3}", "policy.maxSan"),
                Arguments.of("unknown name-rule key", "policy: {dns: {allowed: [a.example]}}", "policy.dns.allowed"),
                Arguments.of("unknown key-rule key", "policy: {keys: {minBits: 2048}}", "policy.keys.minBits"),
                Arguments.of("bad DNS pattern", "policy: {dns: {deny: [\"a..example\"]}}", "dns.deny[0]"),
                Arguments.of("bad CIDR", "policy: {ip: {allow: [10.0.0.1/8]}}", "ip.allow[0]"),
                Arguments.of("bad key type", "policy: {keys: {allowed: [dsa-1024]}}", "policy.keys.allowed"),
                Arguments.of("RSA floor below 2048", "policy: {keys: {rsaMinBits: 1024}}", "policy.keys.rsaMinBits"),
                Arguments.of("maxSans zero", "policy: {maxSans: 0}", "policy.maxSans"),
                Arguments.of("maxValidity too long", "policy: {maxValidity: 9000d}", "maxValidity"));
    }

    @ParameterizedTest(name = "{0} names {2}")
    @MethodSource("badSections")
    void badConfigurationNamesTheKey(String name, String yaml, String path) {
        // The contract here is that the message names the key path, so the path (not the wording) is asserted.
        assertThatThrownBy(() -> load(yaml)).isInstanceOf(ConfigException.class).hasMessageContaining(path);
    }

    @Test
    void parsedRulesDriveTheEngine() {
        PolicyEngine engine = new PolicyEngine(load("policy: {dns: {deny: [secret.example.com]}}"));
        List<dev.hallmark.authority.Identifier> ids = List.of(dev.hallmark.authority.Identifier.dns("secret.example.com"));
        PolicyDecision d = engine.evaluate(new PolicyRequest(dev.hallmark.authority.profile.ProfileCatalog.defaults()
                .get("tls-server"), PolicyCsr.of(ids), ids, null));
        assertThat(d.reasons()).extracting(Reason::rule).containsExactly("name_denied");
    }
}
