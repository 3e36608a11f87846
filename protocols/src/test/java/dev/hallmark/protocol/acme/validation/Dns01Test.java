package dev.hallmark.protocol.acme.validation;

import static dev.hallmark.protocol.acme.validation.Http01Test.assertInvalid;
import static org.assertj.core.api.Assertions.assertThat;

import dev.hallmark.authority.Identifier;
import dev.hallmark.protocol.acme.testing.TestChallenge;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** dns-01 (RFC 8555 §8.4) against {@link dev.hallmark.protocol.acme.testing.TestDnsServer}. */
class Dns01Test {
    private static final String NAME = "example.test";
    private static final String OWNER = "_acme-challenge.example.test";

    @RegisterExtension
    final VaHarness va = new VaHarness();
    private final TestChallenge challenge = TestChallenge.random();

    @Test
    void matchingTxtIsValidAndContactsNoHost() {
        va.dns.addTxt(OWNER, challenge.dnsTxt());

        Validator.Outcome outcome = va.validate("dns-01", NAME, challenge);

        assertThat(outcome.valid()).as(outcome.detail()).isTrue();
        assertThat(outcome.addresses()).isEmpty();
        assertThat(va.dns.queries()).containsExactly("TXT " + OWNER + ".");
    }

    @Test
    void wildcardIsValidatedAtTheBaseName() {
        va.dns.addTxt(OWNER, challenge.dnsTxt());

        assertThat(va.validate("dns-01", Identifier.dns(NAME), true, challenge).valid()).isTrue();
    }

    @Test
    void oneMatchingRecordAmongSeveralIsEnough() {
        va.dns.addTxt(OWNER, "stale-value-from-an-earlier-order");
        va.dns.addTxt(OWNER, challenge.dnsTxt());

        assertThat(va.validate("dns-01", NAME, challenge).valid()).isTrue();
    }

    @Test
    void cnameDelegationIsFollowed() {
        va.dns.addCname(OWNER, "example.test.acme-provider.test");
        va.dns.addTxt("example.test.acme-provider.test", challenge.dnsTxt());

        assertThat(va.validate("dns-01", NAME, challenge).valid()).isTrue();
    }

    @Test
    void wrongValueIsIncorrectResponse() {
        va.dns.addTxt(OWNER, challenge.otherAccount().dnsTxt());

        Validator.Outcome outcome = va.validate("dns-01", NAME, challenge);

        assertInvalid(outcome, "incorrectResponse");
        assertThat(outcome.detail()).contains(challenge.dnsTxt());
    }

    @Test
    void theKeyAuthorizationItselfIsNotTheAnswer() {
        va.dns.addTxt(OWNER, challenge.keyAuthorization());

        assertInvalid(va.validate("dns-01", NAME, challenge), "incorrectResponse");
    }

    @Test
    void removedRecordNoLongerValidates() {
        va.dns.addTxt(OWNER, challenge.dnsTxt());
        va.dns.addTxt(OWNER, "keep-the-name");
        va.dns.removeTxt(OWNER, challenge.dnsTxt());

        assertInvalid(va.validate("dns-01", NAME, challenge), "incorrectResponse");
    }

    @Test
    void nameWithoutTxtIsUnauthorized() {
        va.dns.addA(OWNER, "192.0.2.1");

        assertInvalid(va.validate("dns-01", NAME, challenge), "unauthorized");
    }

    @Test
    void nxdomainIsDns() {
        Validator.Outcome outcome = va.validate("dns-01", NAME, challenge);

        assertInvalid(outcome, "dns");
        assertThat(outcome.detail()).contains("NXDOMAIN").contains(OWNER);
    }

    @Test
    void servfailIsDns() {
        va.dns.servfail(OWNER);

        Validator.Outcome outcome = va.validate("dns-01", NAME, challenge);

        assertInvalid(outcome, "dns");
        assertThat(outcome.detail()).contains("SERVFAIL");
    }

    @Test
    void resolverTimeoutIsDns() {
        va.dns.stall(OWNER);

        assertInvalid(va.validate("dns-01", NAME, challenge), "dns");
    }

    @Test
    void ipIdentifierIsMalformed() {
        assertInvalid(va.validate("dns-01", Identifier.ip("192.0.2.1"), false, challenge), "malformed");
        assertThat(va.dns.queries()).isEmpty();
    }
}
