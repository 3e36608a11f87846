package dev.hallmark.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.hallmark.authority.CertificateRecord;
import dev.hallmark.authority.Identifier;
import dev.hallmark.authority.IssuedCertificate;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * A stored certificate as the API shows it (schema {@code Certificate}). The field names are those of the CLI's
 * {@code --json} output; {@code sans} adds the subjectAltNames as typed objects.
 *
 * @param serial           lower-case hex without leading zeros
 * @param issuer           the issuing CA's name
 * @param status           {@code valid}, {@code revoked} or {@code expired} at the time of the answer
 * @param subject          RFC 4514 subject
 * @param sans             the subjectAltNames
 * @param identifiers      the same as {@code type:value} strings (CLI form)
 * @param profile          the profile name
 * @param profileVersion   the profile's version at issuance
 * @param notBefore        RFC 3339
 * @param notAfter         RFC 3339
 * @param sha256           hex SHA-256 of the DER
 * @param requester        who asked
 * @param issuedAt         when it was stored
 * @param revokedAt        when it was revoked, or null
 * @param revocationReason RFC 5280 reason name, or null
 * @param provenance       how the request was validated (RELIABILITY N7)
 * @param certificate      PEM, or null in listings
 * @param chain            PEM of the issuing CA's certificate and its ancestors, issuing CA first, or null in listings
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record CertificateView(String serial, String issuer, String status, String subject, List<San> sans,
                       List<String> identifiers, String profile, int profileVersion, String notBefore,
                       String notAfter, String sha256, String requester, String issuedAt, String revokedAt,
                       String revocationReason, JsonNode provenance, String certificate, String chain) {

    /**
     * One subjectAltName.
     *
     * @param type  {@code dns}, {@code ip}, {@code email} or {@code uri}
     * @param value its normalised text
     */
    record San(String type, String value) {
        static San of(Identifier id) {
            return new San(id.type().label(), id.value());
        }
    }

    /** The listing form: no PEM. */
    static CertificateView summary(CertificateRecord r, Instant now) {
        return of(r, now, null, null);
    }

    /** The full form: the certificate's PEM and the PEM of its CA chain ({@code chainDer}, issuing CA first). */
    static CertificateView full(CertificateRecord r, Instant now, List<byte[]> chainDer) {
        StringBuilder chain = new StringBuilder();
        chainDer.forEach(der -> chain.append(IssuedCertificate.pem(der)));
        return of(r, now, IssuedCertificate.pem(r.der()), chain.toString());
    }

    private static CertificateView of(CertificateRecord r, Instant now, String pem, String chain) {
        return new CertificateView(r.serial().hex(), r.issuer(), r.status(now).name().toLowerCase(Locale.ROOT),
                r.subject(), r.identifiers().stream().map(San::of).toList(),
                r.identifiers().stream().map(Identifier::toString).toList(), r.profile(), r.profileVersion(),
                r.notBefore().toString(), r.notAfter().toString(), r.sha256Fingerprint(), r.requester(),
                r.issuedAt().toString(), r.revokedAt() == null ? null : r.revokedAt().toString(),
                r.revocationReason() == null ? null : r.revocationReason().rfcName(), provenance(r.provenance()),
                pem, chain);
    }

    private static JsonNode provenance(String json) {
        if (json == null) {
            return null;
        }
        try {
            return Replies.mapper().readTree(json);
        } catch (IOException e) {
            return TextNode.valueOf(json);
        }
    }
}
