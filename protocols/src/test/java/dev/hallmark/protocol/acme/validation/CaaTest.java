package dev.hallmark.protocol.acme.validation;

import static dev.hallmark.protocol.acme.validation.Http01Test.assertInvalid;
import static org.assertj.core.api.Assertions.assertThat;

import dev.hallmark.authority.Identifier;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * CAA (RFC 8659) through {@link Validator#checkCaa}: tree climbing, issue/issuewild, critical flags, failing closed.
 * The RFC 8657 parameters are in {@link CaaParametersTest}.
 */
class CaaTest {
    private static final String CA = "ca.hallmark.test";

    @RegisterExtension
    final VaHarness va = new VaHarness(s -> s.withCaa(Set.of(CA)));

    private Validator.Outcome caa(String name, boolean wildcard) {
        return VaHarness.await(va.validator().checkCaa(Identifier.dns(name), wildcard));
    }

    @Test
    void noCaaAnywhereAllowsIssuance() {
        assertThat(caa("www.example.test", false).valid()).isTrue();
        assertThat(va.dns.queries()).containsExactly("CAA www.example.test.", "CAA example.test.", "CAA test.");
    }

    @Test
    void matchingIssuePropertyAllows() {
        va.dns.addCaa("example.test", 0, "issue", CA);

        assertThat(caa("example.test", false).valid()).isTrue();
    }

    @ParameterizedTest(name = "issue \"{0}\" allows")
    @CsvSource(delimiter = '|', ignoreLeadingAndTrailingWhitespace = false, value = {
            "  CA.Hallmark.Test  ",
            "ca.hallmark.test.",
            "ca.hallmark.test;",
            "ca.hallmark.test ; tbs=unknown"})
    void caseWhitespaceTrailingDotAndUnknownParametersAreTolerated(String value) {
        va.dns.addCaa("example.test", 0, "issue", value);

        assertThat(caa("example.test", false).valid()).isTrue();
    }

    @ParameterizedTest(name = "issue \"{0}\" refuses when the account and method are unknown")
    @CsvSource(delimiter = '|', value = {
            "ca.hallmark.test; accounturi=https://ca.hallmark.test/acme/acct/1",
            "ca.hallmark.test.;validationmethods=dns-01"})
    void rfc8657ParametersFailClosedWithoutARequest(String value) {
        va.dns.addCaa("example.test", 0, "issue", value);

        assertInvalid(caa("example.test", false), "caa");
    }

    @Test
    void anotherCaIsRefusedWithCaa() {
        va.dns.addCaa("example.test", 0, "issue", "other-ca.test");

        Validator.Outcome outcome = caa("www.example.test", false);

        assertInvalid(outcome, "caa");
        assertThat(outcome.detail()).contains("example.test");
    }

    @Test
    void emptyIssuerForbidsEveryone() {
        va.dns.addCaa("example.test", 0, "issue", ";");

        assertInvalid(caa("example.test", false), "caa");
    }

    @Test
    void theClosestNonEmptyRrsetWins() {
        va.dns.addCaa("example.test", 0, "issue", "other-ca.test");
        va.dns.addCaa("www.example.test", 0, "issue", CA);

        assertThat(caa("www.example.test", false).valid()).isTrue();
        assertInvalid(caa("mail.example.test", false), "caa");
    }

    @Test
    void issuewildGovernsWildcardsWhenPresent() {
        va.dns.addCaa("example.test", 0, "issue", CA);
        va.dns.addCaa("example.test", 0, "issuewild", "other-ca.test");

        assertInvalid(caa("example.test", true), "caa");
        assertThat(caa("example.test", false).valid()).isTrue();
    }

    @Test
    void wildcardFallsBackToIssue() {
        va.dns.addCaa("example.test", 0, "issue", CA);

        assertThat(caa("example.test", true).valid()).isTrue();
    }

    @Test
    void issuewildAloneDoesNotRestrictNonWildcards() {
        va.dns.addCaa("example.test", 0, "issuewild", "other-ca.test");

        assertThat(caa("example.test", false).valid()).isTrue();
        assertInvalid(caa("example.test", true), "caa");
    }

    @Test
    void iodefOnlyAllows() {
        va.dns.addCaa("example.test", 0, "iodef", "mailto:security@example.test");

        assertThat(caa("example.test", false).valid()).isTrue();
    }

    @Test
    void unknownCriticalPropertyRefuses() {
        va.dns.addCaa("example.test", 0, "issue", CA);
        va.dns.addCaa("example.test", 128, "tbs", "unknown");

        assertInvalid(caa("example.test", false), "caa");
    }

    @Test
    void unknownNonCriticalPropertyIsIgnored() {
        va.dns.addCaa("example.test", 0, "issue", CA);
        va.dns.addCaa("example.test", 0, "tbs", "unknown");

        assertThat(caa("example.test", false).valid()).isTrue();
    }

    @Test
    void cnameIsFollowed() {
        va.dns.addCname("www.example.test", "cdn.provider.test");
        va.dns.addCaa("cdn.provider.test", 0, "issue", "other-ca.test");

        assertInvalid(caa("www.example.test", false), "caa");
    }

    @Test
    void lookupFailureFailsClosedWithDns() {
        va.dns.servfail("example.test");

        assertInvalid(caa("www.example.test", false), "dns");
    }

    @Test
    void ipIdentifiersAndDisabledCaaAreAllowedWithoutLookups() {
        va.dns.addCaa("example.test", 0, "issue", ";");

        assertThat(VaHarness.await(va.validator().checkCaa(Identifier.ip("192.0.2.1"), false)).valid()).isTrue();
        va.reconfigure(va.settings());
        assertThat(caa("example.test", false).valid()).isTrue();
        assertThat(va.dns.queries()).isEmpty();
    }
}
