package dev.hallmark.protocol.acme.validation;

import static dev.hallmark.protocol.acme.validation.Http01Test.assertInvalid;
import static org.assertj.core.api.Assertions.assertThat;

import dev.hallmark.authority.Identifier;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The CAA parameters of RFC 8657 ({@code accounturi}, {@code validationmethods}) and the {@code issue} value
 * grammar of RFC 8659 §4.2, through {@link Validator#checkCaa(Identifier, boolean, Validator.CaaRequest)}.
 */
class CaaParametersTest {
    private static final String CA = "ca.hallmark.test";
    private static final String ACCOUNT = "https://acme.hallmark.test/acme/acct/42";
    private static final Validator.CaaRequest DNS01 = new Validator.CaaRequest(ACCOUNT, "dns-01");

    @RegisterExtension
    final VaHarness va = new VaHarness(s -> s.withCaa(Set.of(CA)));

    private Validator.Outcome caa(String name, boolean wildcard, Validator.CaaRequest request) {
        return VaHarness.await(va.validator().checkCaa(Identifier.dns(name), wildcard, request));
    }

    private Validator.Outcome issueCaa(String value) {
        va.dns.addCaa("example.test", 0, "issue", value);
        return caa("www.example.test", false, DNS01);
    }

    @ParameterizedTest(name = "[{index}] {0}: \"{1}\" allows")
    @CsvSource(delimiter = '|', ignoreLeadingAndTrailingWhitespace = false, value = {
            "accounturi matches|ca.hallmark.test; accounturi=" + ACCOUNT,
            "parameter tags are case-insensitive|ca.hallmark.test; AccountURI=" + ACCOUNT,
            "validationmethods names the method|ca.hallmark.test; validationmethods=dns-01",
            "validationmethods lists it among others|ca.hallmark.test; validationmethods=http-01,dns-01,tls-alpn-01",
            "both parameters match|ca.hallmark.test;accounturi=" + ACCOUNT + ";validationmethods=dns-01",
            "whitespace around separators|  ca.hallmark.test \t;\taccounturi = " + ACCOUNT + " ; validationmethods= dns-01  ",
            "unknown parameter ignored|ca.hallmark.test; tbs=anything:at-all; validationmethods=dns-01",
            "unknown parameter alone|ca.hallmark.test; policy=strict",
            "trailing dot on the issuer|CA.Hallmark.Test.; accounturi=" + ACCOUNT})
    void matchingParametersAllow(String why, String value) {
        assertThat(issueCaa(value).valid()).as(why).isTrue();
    }

    @ParameterizedTest(name = "[{index}] {0}: \"{1}\" refuses")
    @CsvSource(delimiter = '|', ignoreLeadingAndTrailingWhitespace = false, value = {
            "accounturi names another account|ca.hallmark.test; accounturi=https://acme.hallmark.test/acme/acct/43",
            "accounturi is a prefix|ca.hallmark.test; accounturi=https://acme.hallmark.test/acme/acct/4",
            "accounturi differs by a slash|ca.hallmark.test; accounturi=" + ACCOUNT + "/",
            "accounturi differs in case|ca.hallmark.test; accounturi=HTTPS://ACME.HALLMARK.TEST/acme/acct/42",
            "accounturi is relative|ca.hallmark.test; accounturi=/acme/acct/42",
            "accounturi is empty|ca.hallmark.test; accounturi=",
            "accounturi has a space|ca.hallmark.test; accounturi=https://acme.hallmark.test/acme/acct/ 42",
            "validationmethods lacks the method|ca.hallmark.test; validationmethods=http-01,tls-alpn-01",
            "validationmethods is empty|ca.hallmark.test; validationmethods=",
            "validationmethods with spaces in the list|ca.hallmark.test; validationmethods=http-01, dns-01",
            "validationmethods with an empty item|ca.hallmark.test; validationmethods=http-01,,dns-01",
            "validationmethods with a bad label|ca.hallmark.test; validationmethods=dns_01,dns-01",
            "validationmethods is case-sensitive|ca.hallmark.test; validationmethods=DNS-01",
            "both, method wrong|ca.hallmark.test; accounturi=" + ACCOUNT + "; validationmethods=http-01",
            "both, account wrong|ca.hallmark.test; accounturi=https://other.test/acct/1; validationmethods=dns-01"})
    void mismatchingParametersRefuseWithCaa(String why, String value) {
        assertInvalid(issueCaa(value), "caa");
    }

    @ParameterizedTest(name = "[{index}] {0}: \"{1}\" is malformed and refuses")
    @CsvSource(delimiter = '|', ignoreLeadingAndTrailingWhitespace = false, value = {
            "no semicolon before parameters|ca.hallmark.test accounturi=" + ACCOUNT,
            "parameter without a value|ca.hallmark.test; accounturi",
            "parameter without a tag|ca.hallmark.test; =dns-01",
            "empty parameter|ca.hallmark.test;; validationmethods=dns-01",
            "trailing separator|ca.hallmark.test; validationmethods=dns-01;",
            "tag with an underscore|ca.hallmark.test; validation_methods=dns-01",
            "tag starting with a hyphen|ca.hallmark.test; -x=y",
            "repeated parameter|ca.hallmark.test; validationmethods=http-01; validationmethods=dns-01",
            "repeated parameter in another case|ca.hallmark.test; accounturi=" + ACCOUNT + "; ACCOUNTURI=" + ACCOUNT,
            "bad issuer domain|ca..hallmark.test; validationmethods=dns-01"})
    void malformedValuesRefuseWithCaa(String why, String value) {
        assertInvalid(issueCaa(value), "caa");
    }

    @ParameterizedTest(name = "a malformed {0} property does not hide one that authorizes")
    @ValueSource(strings = {"ca.hallmark.test; accounturi", "other-ca.test garbage"})
    void anyAuthorizingPropertySuffices(String malformed) {
        va.dns.addCaa("example.test", 0, "issue", malformed);
        va.dns.addCaa("example.test", 0, "issue", CA + "; accounturi=" + ACCOUNT);

        assertThat(caa("example.test", false, DNS01).valid()).isTrue();
    }

    @Test
    void anotherCaPlusOursWithParameters() {
        va.dns.addCaa("example.test", 0, "issue", "other-ca.test; accounturi=" + ACCOUNT);
        va.dns.addCaa("example.test", 0, "issue", CA + "; validationmethods=dns-01");

        assertThat(caa("example.test", false, DNS01).valid()).isTrue();
        assertInvalid(caa("example.test", false, new Validator.CaaRequest(ACCOUNT, "http-01")), "caa");
    }

    @Test
    void oneOfSeveralPropertiesForUsSuffices() {
        va.dns.addCaa("example.test", 0, "issue", CA + "; accounturi=https://acme.hallmark.test/acme/acct/7");
        va.dns.addCaa("example.test", 0, "issue", CA + "; accounturi=" + ACCOUNT);

        assertThat(caa("example.test", false, DNS01).valid()).isTrue();
        assertInvalid(caa("example.test", false,
                new Validator.CaaRequest("https://acme.hallmark.test/acme/acct/8", "dns-01")), "caa");
    }

    @Test
    void issuewildParametersGovernWildcards() {
        va.dns.addCaa("example.test", 0, "issue", "other-ca.test");
        va.dns.addCaa("example.test", 0, "issuewild", CA + "; accounturi=" + ACCOUNT + "; validationmethods=dns-01");

        assertThat(caa("example.test", true, DNS01).valid()).isTrue();
        assertInvalid(caa("example.test", true,
                new Validator.CaaRequest("https://acme.hallmark.test/acme/acct/43", "dns-01")), "caa");
        assertInvalid(caa("example.test", false, DNS01), "caa"); // issue governs the non-wildcard name
    }

    @Test
    void issueParametersApplyToWildcardsWithoutIssuewild() {
        va.dns.addCaa("example.test", 0, "issue", CA + "; validationmethods=http-01");

        assertInvalid(caa("example.test", true, DNS01), "caa");
    }

    @Test
    void unknownAccountOrMethodFailsClosed() {
        va.dns.addCaa("example.test", 0, "issue", CA + "; accounturi=" + ACCOUNT);
        va.dns.addCaa("www.example.test", 0, "issue", CA + "; validationmethods=dns-01");

        assertInvalid(caa("example.test", false, new Validator.CaaRequest(null, "dns-01")), "caa");
        assertInvalid(caa("www.example.test", false, new Validator.CaaRequest(ACCOUNT, null)), "caa");
        assertInvalid(caa("www.example.test", false, Validator.CaaRequest.UNKNOWN), "caa");
    }

    @Test
    void propertiesWithoutParametersIgnoreTheRequest() {
        va.dns.addCaa("example.test", 0, "issue", CA);

        assertThat(caa("example.test", false, Validator.CaaRequest.UNKNOWN).valid()).isTrue();
        assertThat(caa("example.test", false, DNS01).valid()).isTrue();
    }

    @Test
    void parserKeepsTheIssuerAndParameters() {
        assertThat(CaaCheck.IssueValue.parse(" CA.Hallmark.Test ;\taccounturi = " + ACCOUNT + " ;tbs=a=b"))
                .contains(new CaaCheck.IssueValue(CA, Map.of("accounturi", ACCOUNT, "tbs", "a=b")));
        assertThat(CaaCheck.IssueValue.parse(";")).contains(new CaaCheck.IssueValue(null, Map.of()));
        assertThat(CaaCheck.IssueValue.parse("")).contains(new CaaCheck.IssueValue(null, Map.of()));
        assertThat(CaaCheck.IssueValue.parse("ca.hallmark.test; a=b c")).isEqualTo(Optional.empty());
        assertThat(CaaCheck.IssueValue.parse("ca.hallmark.test; a=\u00e9")).isEqualTo(Optional.empty());
        assertThat(CaaCheck.IssueValue.parse("ca.hallmark.test;\nvalidationmethods=dns-01")).isEqualTo(Optional.empty());
    }
}
