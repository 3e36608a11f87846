package dev.hallmark.authority.lint;

import dev.hallmark.authority.profile.Profile;
import java.time.Instant;
import java.util.Objects;
import org.bouncycastle.cert.X509CertificateHolder;

/**
 * What a to-be-signed certificate is checked against.
 *
 * @param issuerCertificate the issuing CA's certificate, or null when a root signs its own certificate
 * @param profile           the leaf profile, or null for a CA certificate
 * @param expectation       whether a CA or an end-entity certificate is expected
 * @param now               the time of signing
 */
public record LintContext(X509CertificateHolder issuerCertificate, Profile profile, Expectation expectation, Instant now) {

    /** The kind of certificate the caller means to sign. */
    public enum Expectation {
        /** A root or subordinate CA certificate. */
        CA,
        /** An end-entity certificate issued under a profile. */
        LEAF
    }

    public LintContext {
        Objects.requireNonNull(expectation, "expectation");
        Objects.requireNonNull(now, "now");
    }

    /** True when a root signs its own certificate (no issuer certificate yet). */
    public boolean selfSigned() {
        return issuerCertificate == null;
    }

    /** True when an end-entity certificate is expected. */
    public boolean leaf() {
        return expectation == Expectation.LEAF;
    }
}
