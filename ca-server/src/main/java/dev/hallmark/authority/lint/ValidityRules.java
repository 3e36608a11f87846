package dev.hallmark.authority.lint;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.bouncycastle.asn1.ASN1GeneralizedTime;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1UTCTime;
import org.bouncycastle.asn1.x509.Time;

/**
 * The validity period (RFC 5280 4.1.2.5, BR 6.3.2): ordered, inside the issuer's, encoded as UTCTime through
 * 2049 and GeneralizedTime from 2050 (both in whole seconds with {@code Z}), not already over, and for a leaf no
 * longer than the profile's validity plus its backdate.
 */
final class ValidityRules implements LintRule {
    static final String ORDER = "e_validity_not_before_after_not_after";
    static final String OUTSIDE_ISSUER = "e_validity_outside_issuer";
    static final String ENCODING = "e_validity_time_encoding";
    static final String TOO_LONG = "e_validity_too_long";
    static final String EXPIRED = "e_validity_expired";

    private static final int UTC_TIME_LAST_YEAR = 2049;

    @Override
    public List<String> ids() {
        return List.of(ORDER, OUTSIDE_ISSUER, ENCODING, TOO_LONG, EXPIRED);
    }

    @Override
    public void check(LintTarget c, List<Finding> out) {
        Instant notBefore;
        Instant notAfter;
        try {
            notBefore = c.tbs.getStartDate().getDate().toInstant();
            notAfter = c.tbs.getEndDate().getDate().toInstant();
        } catch (RuntimeException e) {
            out.add(new Finding(ENCODING, "validity times do not decode"));
            return;
        }
        encoding("notBefore", c.tbs.getStartDate(), notBefore, out);
        encoding("notAfter", c.tbs.getEndDate(), notAfter, out);
        if (!notBefore.isBefore(notAfter)) {
            out.add(new Finding(ORDER, "notBefore must be before notAfter"));
        }
        if (!notAfter.isAfter(c.ctx.now())) {
            out.add(new Finding(EXPIRED, "notAfter is not after the signing time"));
        }
        if (!c.ctx.selfSigned()) {
            Instant issuerStart = c.ctx.issuerCertificate().getNotBefore().toInstant();
            Instant issuerEnd = c.ctx.issuerCertificate().getNotAfter().toInstant();
            if (notBefore.isBefore(issuerStart) || notAfter.isAfter(issuerEnd)) {
                out.add(new Finding(OUTSIDE_ISSUER, "validity period is not inside the issuing CA's validity period"));
            }
        }
        if (c.ctx.profile() != null && c.ctx.leaf()) {
            Duration limit = c.ctx.profile().validity().plus(c.ctx.profile().backdate());
            if (Duration.between(notBefore, notAfter).compareTo(limit) > 0) {
                out.add(new Finding(TOO_LONG, "lifetime exceeds profile '" + c.ctx.profile().name()
                        + "' validity plus backdate (" + limit + ")"));
            }
        }
    }

    private static void encoding(String field, Time time, Instant instant, List<Finding> out) {
        ASN1Primitive p = time.toASN1Primitive();
        int year = instant.atOffset(ZoneOffset.UTC).getYear();
        String content = content(p);
        if (year <= UTC_TIME_LAST_YEAR) {
            if (!(p instanceof ASN1UTCTime) || !content.matches("\\d{12}Z")) {
                out.add(new Finding(ENCODING, field + " through 2049 must be UTCTime YYMMDDHHMMSSZ (RFC 5280 4.1.2.5.1)"));
            }
        } else if (!(p instanceof ASN1GeneralizedTime) || !content.matches("\\d{14}Z")) {
            out.add(new Finding(ENCODING, field + " from 2050 must be GeneralizedTime YYYYMMDDHHMMSSZ (RFC 5280 4.1.2.5.2)"));
        }
    }

    /** The time's content octets as text (both types are short, so the length is one octet). */
    private static String content(ASN1Primitive p) {
        try {
            byte[] der = p.getEncoded();
            return der.length < 2 ? "" : new String(der, 2, der.length - 2, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            return "";
        }
    }
}
