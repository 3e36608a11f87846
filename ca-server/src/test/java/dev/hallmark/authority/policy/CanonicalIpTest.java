package dev.hallmark.authority.policy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** RFC 5952 section 4 text for IPv6, the examples of the RFC among them. */
class CanonicalIpTest {
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "2001:0db8:0000:0000:0000:0000:0002:0001, 2001:db8::2:1",
        "2001:db8:0:0:1:0:0:1, 2001:db8::1:0:0:1",
        "2001:db8:0:1:1:1:1:1, 2001:db8:0:1:1:1:1:1",
        "2001:DB8::AAAA, 2001:db8::aaaa",
        "2001:0:0:1:0:0:0:1, 2001:0:0:1::1",
        "0:0:0:0:0:0:0:1, ::1",
        "0:0:0:0:0:0:0:0, ::",
        "1:0:0:0:0:0:0:0, 1::",
        "192.0.2.7, 192.0.2.7"})
    void formatsAddressesTheOneWayRfc5952Allows(String input, String canonical) {
        assertThat(IdentifierSyntax.canonicalIp(IdentifierSyntax.parseIpLiteral(input).orElseThrow())).isEqualTo(canonical);
    }
}
