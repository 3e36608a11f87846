package dev.hallmark.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.hallmark.authority.SerialRecord;
import java.util.Locale;

/**
 * A serial without a stored certificate: its issuance was interrupted after the intent was recorded ("outcome
 * unknown", RELIABILITY crash points 4–5). It can be revoked by serial; the CLI shows the same fields.
 *
 * @param serial           lower-case hex
 * @param issuer           the CA's name
 * @param state            {@code signing} (outcome unknown) or {@code issued}/{@code aborted}
 * @param status           {@code unknown}, or {@code revoked} once revoked
 * @param profile          the profile named in the intent
 * @param profileVersion   its version
 * @param requester        who asked
 * @param reservedAt       when the serial was reserved
 * @param notAfter         the intended notAfter
 * @param tbsSha256        hex SHA-256 of the to-be-signed certificate
 * @param revokedAt        when it was revoked, or null
 * @param revocationReason RFC 5280 reason name, or null
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record SerialView(String serial, String issuer, String state, String status, String profile, int profileVersion,
                  String requester, String reservedAt, String notAfter, String tbsSha256, String revokedAt,
                  String revocationReason) {

    static SerialView of(SerialRecord s) {
        return new SerialView(s.intent().serial().hex(), s.intent().issuer(), s.state().name().toLowerCase(Locale.ROOT),
                s.isRevoked() ? "revoked" : "unknown", s.intent().profile(), s.intent().profileVersion(),
                s.intent().requester(), s.intent().reservedAt().toString(), s.intent().notAfter().toString(),
                s.intent().tbsSha256(), s.isRevoked() ? s.revokedAt().toString() : null,
                s.isRevoked() ? s.revocationReason().rfcName() : null);
    }
}
