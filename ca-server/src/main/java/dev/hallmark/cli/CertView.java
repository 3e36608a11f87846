package dev.hallmark.cli;

import dev.hallmark.authority.CertificateRecord;
import dev.hallmark.authority.IssuedCertificate;
import dev.hallmark.authority.SerialRecord;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The JSON shape of a certificate in CLI output (the same field names as the admin API). */
final class CertView {
    private static final com.fasterxml.jackson.databind.ObjectMapper PROVENANCE = new com.fasterxml.jackson.databind.ObjectMapper();

    private CertView() {
    }

    /** A stored certificate, with PEM of the certificate and chain when {@code issued} is given. */
    static Map<String, Object> of(CertificateRecord r, Instant now, IssuedCertificate issued) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("serial", r.serial().hex());
        m.put("issuer", r.issuer());
        m.put("status", r.status(now).name().toLowerCase(java.util.Locale.ROOT));
        m.put("subject", r.subject());
        m.put("identifiers", r.identifiers().stream().map(Object::toString).toList());
        m.put("profile", r.profile());
        m.put("profileVersion", r.profileVersion());
        m.put("notBefore", r.notBefore().toString());
        m.put("notAfter", r.notAfter().toString());
        m.put("sha256", r.sha256Fingerprint());
        m.put("requester", r.requester());
        m.put("issuedAt", r.issuedAt().toString());
        if (r.revokedAt() != null) {
            m.put("revokedAt", r.revokedAt().toString());
            m.put("revocationReason", r.revocationReason().rfcName());
        }
        try {
            m.put("provenance", PROVENANCE.readTree(r.provenance()));
        } catch (java.io.IOException e) {
            m.put("provenance", r.provenance());
        }
        if (issued != null) {
            m.put("certificate", IssuedCertificate.pem(r.der()));
            List<String> chain = new ArrayList<>();
            for (byte[] der : issued.chain()) {
                chain.add(IssuedCertificate.pem(der));
            }
            m.put("chain", String.join("", chain));
        }
        return m;
    }

    /** A serial without a stored certificate ("outcome unknown" or aborted). */
    static Map<String, Object> of(SerialRecord s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("serial", s.intent().serial().hex());
        m.put("issuer", s.intent().issuer());
        m.put("state", s.state().name().toLowerCase(java.util.Locale.ROOT));
        m.put("status", s.isRevoked() ? "revoked" : "unknown");
        m.put("profile", s.intent().profile());
        m.put("requester", s.intent().requester());
        m.put("reservedAt", s.intent().reservedAt().toString());
        m.put("notAfter", s.intent().notAfter().toString());
        m.put("tbsSha256", s.intent().tbsSha256());
        if (s.isRevoked()) {
            m.put("revokedAt", s.revokedAt().toString());
            m.put("revocationReason", s.revocationReason().rfcName());
        }
        return m;
    }
}
