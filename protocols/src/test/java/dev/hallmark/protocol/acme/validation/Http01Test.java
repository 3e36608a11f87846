package dev.hallmark.protocol.acme.validation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hallmark.authority.Identifier;
import dev.hallmark.protocol.acme.testing.Http01Server;
import dev.hallmark.protocol.acme.testing.TestChallenge;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** http-01 (RFC 8555 §8.3, RFC 8738 §4) against {@link Http01Server}, including the http-01 half of T19. */
class Http01Test {
    private static final String NAME = "www.example.test";

    @RegisterExtension
    final VaHarness va = new VaHarness().withLoopbackName(NAME);
    private final TestChallenge challenge = TestChallenge.random();

    @Test
    void servedKeyAuthorizationIsValidAndTheRequestIsWellFormed() {
        va.http.put(challenge.token(), challenge.keyAuthorization());

        Validator.Outcome outcome = va.validate("http-01", NAME, challenge);

        assertThat(outcome.valid()).as(outcome.detail()).isTrue();
        assertThat(outcome.addresses()).containsExactly("127.0.0.1:" + va.http.port());
        assertThat(va.http.requests()).singleElement().satisfies(r -> {
            assertThat(r.method()).isEqualTo("GET");
            assertThat(r.path()).isEqualTo(Http01Server.PREFIX + challenge.token());
            assertThat(r.host()).isEqualTo(NAME);
        });
    }

    @ParameterizedTest(name = "trailing \"{0}\" is ignored (T19)")
    @ValueSource(strings = {"\n", "\r\n", "  \t\n", " "})
    void trailingWhitespaceIsValid(String whitespace) {
        va.http.put(challenge.token(), challenge.keyAuthorization() + whitespace);

        assertThat(va.validate("http-01", NAME, challenge).valid()).isTrue();
    }

    @Test
    void leadingWhitespaceIsNot() {
        va.http.put(challenge.token(), " " + challenge.keyAuthorization());

        assertInvalid(va.validate("http-01", NAME, challenge), "incorrectResponse");
    }

    @Test
    void wrongThumbprintIsIncorrectResponse() {
        va.http.put(challenge.token(), challenge.otherAccount().keyAuthorization());

        assertInvalid(va.validate("http-01", NAME, challenge), "incorrectResponse");
    }

    @Test
    void extraContentAfterTheKeyAuthorizationIsIncorrectResponse() {
        va.http.put(challenge.token(), challenge.keyAuthorization() + "\n<html>more</html>");

        assertInvalid(va.validate("http-01", NAME, challenge), "incorrectResponse");
    }

    @ParameterizedTest(name = "HTTP {0} is unauthorized")
    @ValueSource(ints = {404, 403, 500, 204})
    void nonOkStatusIsUnauthorized(int status) {
        va.http.status(challenge.token(), status);

        Validator.Outcome outcome = va.validate("http-01", NAME, challenge);

        assertInvalid(outcome, "unauthorized");
        assertThat(outcome.detail()).contains(String.valueOf(status));
    }

    @Test
    void missingTokenIs404Unauthorized() {
        assertInvalid(va.validate("http-01", NAME, challenge), "unauthorized");
    }

    @Test
    void bodyLongerThanTheCapIsUnauthorized() {
        va.http.put(challenge.token(), challenge.keyAuthorization() + "x".repeat(600));

        assertInvalid(va.validate("http-01", NAME, challenge), "unauthorized");
    }

    @Test
    void ipv4IdentifierIsContactedDirectlyWithItsAddressAsHost() {
        va.http.put(challenge.token(), challenge.keyAuthorization());

        Validator.Outcome outcome = va.validate("http-01", Identifier.ip("127.0.0.1"), false, challenge);

        assertThat(outcome.valid()).as(outcome.detail()).isTrue();
        assertThat(va.http.requests()).singleElement().satisfies(r -> assertThat(r.host()).isEqualTo("127.0.0.1"));
        assertThat(va.dns.queries()).isEmpty();
    }

    @Test
    void relativeRedirectOnTheSameServerIsFollowed() {
        va.http.redirect(challenge.token(), "/elsewhere/key");
        va.http.putPath("/elsewhere/key", challenge.keyAuthorization());

        Validator.Outcome outcome = va.validate("http-01", NAME, challenge);

        assertThat(outcome.valid()).as(outcome.detail()).isTrue();
        assertThat(va.http.requests()).extracting(Http01Server.Request::path)
                .containsExactly(Http01Server.PREFIX + challenge.token(), "/elsewhere/key");
    }

    @Test
    void redirectToAnotherNameIsResolvedAgain() {
        va.dns.addA("other.example.test", "127.0.0.1");
        va.http.redirect(challenge.token(), "http://other.example.test:" + va.http.port() + "/k");
        va.http.putPath("/k", challenge.keyAuthorization());

        Validator.Outcome outcome = va.validate("http-01", NAME, challenge);

        assertThat(outcome.valid()).as(outcome.detail()).isTrue();
        assertThat(va.dns.queries()).contains("A other.example.test.");
        assertThat(va.http.requests().get(1).host()).isEqualTo("other.example.test:" + va.http.port());
    }

    @Test
    void redirectToHttpsIsFollowedWithoutCheckingTheCertificate() {
        try (Http01Server https = Http01Server.startHttps()) {
            va.reconfigure(va.settings().withPorts(va.http.port(), https.port()));
            https.putPath("/secure", challenge.keyAuthorization());
            va.http.redirect(challenge.token(), "https://" + NAME + ":" + https.port() + "/secure");

            Validator.Outcome outcome = va.validate("http-01", NAME, challenge);

            assertThat(outcome.valid()).as(outcome.detail()).isTrue();
            assertThat(https.requests()).singleElement().satisfies(r -> assertThat(r.path()).isEqualTo("/secure"));
        }
    }

    @ParameterizedTest(name = "redirect to {0} is refused")
    @ValueSource(strings = {"ftp://www.example.test/key", "file:///etc/passwd", "http://www.example.test:22/key",
            "http://user:pw@www.example.test/key", "gopher://x/"})
    void redirectsToOtherSchemesPortsOrCredentialsAreRefused(String location) {
        va.http.redirect(challenge.token(), location);

        assertInvalid(va.validate("http-01", NAME, challenge), "connection");
    }

    @Test
    void redirectIntoADeniedNetworkIsRefusedBeforeConnecting() {
        va.reconfigure(va.settings().withDenyNetworks(List.of(Network.parse("10.0.0.0/8"))));
        va.dns.addA("internal.example.test", "10.1.2.3");
        va.http.redirect(challenge.token(), "http://internal.example.test:" + va.http.port() + "/k");

        Validator.Outcome outcome = va.validate("http-01", NAME, challenge);

        assertInvalid(outcome, "connection");
        assertThat(outcome.detail()).contains("10.1.2.3 is in a denied network");
        assertThat(outcome.addresses()).containsExactly("127.0.0.1:" + va.http.port());
    }

    @Test
    void tooManyRedirectsIsConnection() {
        for (int i = 0; i < 12; i++) {
            va.http.redirectPath("/hop" + i, "/hop" + (i + 1));
        }
        va.http.redirect(challenge.token(), "/hop0");

        assertInvalid(va.validate("http-01", NAME, challenge), "connection");
        assertThat(va.http.requests()).hasSize(Http01Validation.MAX_REDIRECTS + 1);
    }

    @Test
    void connectionRefusedIsConnection() {
        int closedPort = va.http.port();
        va.http.close();

        Validator.Outcome outcome = va.validate("http-01", NAME, challenge);

        assertInvalid(outcome, "connection");
        assertThat(outcome.addresses()).containsExactly("127.0.0.1:" + closedPort);
    }

    @Test
    void unknownNameIsDns() {
        assertInvalid(va.validate("http-01", "nowhere.example.test", challenge), "dns");
    }

    @Test
    void nameWithoutAddressesIsDns() {
        va.dns.addTxt("txt-only.example.test", "hello");

        assertInvalid(va.validate("http-01", "txt-only.example.test", challenge), "dns");
    }

    @Test
    void wildcardIsMalformedWithoutAnyRequest() {
        va.http.put(challenge.token(), challenge.keyAuthorization());

        assertInvalid(va.validate("http-01", Identifier.dns(NAME), true, challenge), "malformed");
        assertThat(va.http.requests()).isEmpty();
    }

    static void assertInvalid(Validator.Outcome outcome, String problemType) {
        assertThat(outcome.valid()).as("valid").isFalse();
        assertThat(outcome.problemType()).as(outcome.detail()).isEqualTo(problemType);
        assertThat(outcome.detail()).isNotBlank().doesNotContain("\n");
    }
}
