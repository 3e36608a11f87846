package dev.hallmark.authority.policy;

import dev.hallmark.authority.CertificationRequest;
import dev.hallmark.authority.Identifier;
import dev.hallmark.authority.profile.Profile;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What a caller (CLI, API, ACME, EST, SCEP) asks the {@link PolicyEngine} to approve.
 *
 * @param profile     the profile the certificate would be issued under
 * @param csr         the parsed and proof-of-possession-checked request
 * @param identifiers the identifiers to be certified, chosen by the caller: the CSR's SANs, or the validated
 *                    ACME set; in order, as they would appear in the certificate
 * @param validity    the requested lifetime, or null for the profile's
 */
public record PolicyRequest(Profile profile, CertificationRequest csr, List<Identifier> identifiers, Duration validity) {
    public PolicyRequest {
        Objects.requireNonNull(profile, "profile");
        Objects.requireNonNull(csr, "csr");
        identifiers = List.copyOf(identifiers);
    }
}
