package dev.hallmark.authority;

import java.util.List;
import java.util.Objects;

/**
 * What a caller asks the authority to certify.
 *
 * @param ca          issuing CA name
 * @param profile     profile name
 * @param csr         the PKCS#10 request (PEM or DER bytes)
 * @param identifiers identifiers the caller has validated (ACME); when non-empty the CSR's SANs must equal
 *                    this set exactly (RELIABILITY I5). When empty, the CSR's SANs are taken and the policy
 *                    engine alone decides (CLI, admin API).
 * @param requester   who asks, e.g. {@code cli:root@host} or {@code acme:account/7}
 * @param provenance  how the request was validated (N7)
 */
public record IssuanceRequest(String ca, String profile, byte[] csr, List<Identifier> identifiers, String requester,
                              Provenance provenance) {
    public IssuanceRequest {
        Objects.requireNonNull(ca, "ca");
        Objects.requireNonNull(profile, "profile");
        Objects.requireNonNull(csr, "csr");
        Objects.requireNonNull(requester, "requester");
        Objects.requireNonNull(provenance, "provenance");
        csr = csr.clone();
        identifiers = List.copyOf(identifiers);
    }

    @Override
    public byte[] csr() {
        return csr.clone();
    }
}
